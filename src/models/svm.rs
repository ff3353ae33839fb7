//! `svm-smo`: a linear support vector machine fitted by `linfa-svm`, one
//! versus the rest over the three classes. The default `svm` is
//! [`super::linear_svm`] (dual coordinate descent on the sparse rows); this
//! wrapper stays as a reference and for comparison: it solves the hinge-loss
//! problem with an unpenalised intercept by SMO over a dense kernel, and is
//! far slower beyond a few hundred rows (issue 12: 328 s on 2,914 texts).
//!
//! linfa-svm is binary only, so for every class seen in training we fit one
//! C-SVC (linear kernel, SMO solver) that separates that class from the
//! others. For the linear kernel the decision function is
//! `f(x) = w·x − ρ` with `w = Σᵢ αᵢyᵢxᵢ`; linfa returns the signed dual
//! coefficients `αᵢyᵢ` and `ρ`, and we build `w` from them and the sparse
//! training rows, so the model file stores one weight vector per class and
//! prediction is a sparse dot product (the support vectors are not kept).
//!
//! Prediction: the class with the largest decision value. Probabilities are
//! the **softmax of the three decision values** (a monotone, uncalibrated
//! squashing: they rank classes like the SVM does but are not calibrated
//! probabilities; no Platt scaling is fitted). A class absent from training
//! gets probability 0; with a single training class that class gets 1.
//!
//! Memory: linfa-svm builds a dense `N × N` kernel matrix (`N × N × 8`
//! bytes: 0.8 GB at N = 10,000, 3.2 GB at 20,000) and a dense copy of the
//! training rows (`N × features × 8` bytes), so the fit refuses more than
//! `max_train` examples (default [`MAX_TRAIN`]) and more than
//! [`MAX_DENSE_CELLS`] dense cells, with an error saying so.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `c` | `1.0` | soft-margin penalty C (both classes), finite and `> 0` |
//! | `eps` | `1e-3` | SMO stopping tolerance on the KKT conditions, finite and `> 0` |
//! | `max_train` | `20000` | largest training set accepted (dense N × N kernel), `≥ 1` |

use linfa::prelude::*;
use linfa_svm::Svm;
use ndarray::Array1;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::{present_classes, strength_grid, Learner, LinearModel, Scoring};

/// The margin penalties tried by `--grid` and the SemEval tuning.
pub const CS: [f64; 3] = [0.1, 1.0, 10.0];

/// Default largest training set (the kernel alone is 3.2 GB there).
pub const MAX_TRAIN: usize = 20_000;

/// Largest dense training matrix handed to linfa (`rows × features`):
/// 2^28 cells = 2 GiB of `f64`.
pub const MAX_DENSE_CELLS: usize = 1 << 28;

const NAME: &str = "svm-smo";

/// Unchecked settings (see the module table).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SvmParams {
    /// Soft-margin penalty.
    pub c: f64,
    /// SMO tolerance.
    pub eps: f64,
    /// Largest training set accepted.
    pub max_train: usize,
}

impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            c: 1.0,
            eps: 1e-3,
            max_train: MAX_TRAIN,
        }
    }
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidSvmParams(SvmParams);

impl SvmParams {
    /// Sets `c`.
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a `c` or `eps` that is not finite and
    /// `> 0`, or `max_train = 0`.
    pub fn check(self) -> Result<ValidSvmParams> {
        for (name, v) in [("svm-smo c", self.c), ("svm-smo eps", self.eps)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::param(name, format!("{v} must be finite and > 0")));
            }
        }
        if self.max_train == 0 {
            return Err(Error::param("svm-smo max_train", "must be at least 1"));
        }
        Ok(ValidSvmParams(self))
    }
}

impl ValidSvmParams {
    /// The settings.
    pub fn params(&self) -> &SvmParams {
        &self.0
    }
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidSvmParams {
    type Object = LinearModel;

    fn fit(&self, data: &super::Dataset) -> Result<LinearModel> {
        let (x, y) = (&data.records, &data.targets);
        let p = &self.0;
        let n = y.len();
        if n == 0 {
            return Err(Error::fit(NAME, "no training examples"));
        }
        if n > p.max_train {
            return Err(Error::fit(
                NAME,
                format!(
                    "{n} training examples; linfa-svm builds a dense {n} x {n} kernel \
                     ({:.1} GB), so the limit is {} (use logreg or nb on data this large)",
                    (n as f64) * (n as f64) * 8.0 / 1e9,
                    p.max_train
                ),
            ));
        }
        if n.saturating_mul(x.n_cols()) > MAX_DENSE_CELLS {
            return Err(Error::fit(
                NAME,
                format!(
                    "{n} x {} dense training matrix exceeds {MAX_DENSE_CELLS} cells \
                     (lower --max-features)",
                    x.n_cols()
                ),
            ));
        }
        let present = present_classes(y);
        let mut model = LinearModel::zeros(x.n_cols(), present, Scoring::Softmax);
        if present.iter().filter(|p| **p).count() < 2 {
            // One class only: it wins every time (intercept 0, others absent).
            return Ok(model);
        }
        let dense = x.to_dense();
        let params = Svm::<f64, bool>::params()
            .pos_neg_weights(p.c, p.c)
            .linear_kernel()
            .eps(p.eps);
        for c in (0..N_CLASSES).filter(|&c| present[c]) {
            let targets = Array1::from_iter(y.iter().map(|s| s.index() == c));
            let ds = Dataset::new(dense.clone(), targets);
            let fitted = params
                .fit(&ds)
                .map_err(|e| Error::fit(NAME, format!("linfa-svm ({}): {e}", Stance::ALL[c])))?;
            if fitted.to_string().starts_with("Reached maximal iterations") {
                return Err(Error::fit(
                    NAME,
                    format!("SMO did not converge for class {}", Stance::ALL[c]),
                ));
            }
            // w = Σ (αᵢyᵢ) xᵢ over the sparse rows; linfa's alpha is already signed.
            let w = &mut model.weights[c];
            for (i, &a) in fitted.alpha.iter().enumerate() {
                if a != 0.0 {
                    let (cols, vals) = x.row(i);
                    for (&j, &v) in cols.iter().zip(vals) {
                        w[j as usize] += a * v;
                    }
                }
            }
            model.intercept[c] = -fitted.rho;
        }
        Ok(model)
    }
}

impl Learner for ValidSvmParams {
    fn default_checked() -> Result<Self> {
        SvmParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("c", &CS, |c| self.0.clone().c(c).check())
    }

    /// No warm start: linfa-svm always starts from zero.
    fn fit_path(data: &super::Dataset, path: &[&Self]) -> Vec<Result<super::FittedOf<Self>>> {
        super::fit_each(data, path)
    }

    fn recheck(&self) -> Result<()> {
        self.0.clone().check().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{fit_on, predict_rows};
    use Stance::*;

    #[test]
    fn primal_weights_match_linfa_decisions_and_separate_the_toy() {
        let (x, y) = crate::models::toy_problem();
        let m = fit_on(&SvmParams::default().check().unwrap(), &x, &y).unwrap();
        assert_eq!(predict_rows(&m, &x), y);
        // Our sparse decision equals linfa's own weighted sum minus rho.
        let dense = x.to_dense();
        let targets = Array1::from_iter(y.iter().map(|s| *s == Against));
        let lm = Svm::<f64, bool>::params()
            .pos_neg_weights(1.0, 1.0)
            .linear_kernel()
            .eps(1e-3)
            .fit(&Dataset::new(dense.clone(), targets))
            .unwrap();
        for i in 0..x.n_rows() {
            let theirs = lm.weighted_sum(&dense.row(i)) - lm.rho;
            assert!((m.scores(&x, i)[1] - theirs).abs() < 1e-9);
        }
        let p = m.proba(&x);
        assert!(p
            .iter()
            .all(|r| (r.iter().sum::<f64>() - 1.0).abs() < 1e-12));
    }

    #[test]
    fn limits_single_class_and_bad_params() {
        let (x, y) = crate::models::toy_problem();
        let small = SvmParams {
            max_train: 5,
            ..Default::default()
        };
        let e = fit_on(&small.check().unwrap(), &x, &y).unwrap_err();
        assert!(e.to_string().contains("dense 6 x 6 kernel"), "{e}");
        let m = fit_on(
            &SvmParams::default().check().unwrap(),
            &x.select_rows(&[0, 1]),
            &y[..2],
        )
        .unwrap();
        assert!(predict_rows(&m, &x).iter().all(|s| *s == Favor));
        assert!(SvmParams::default().c(0.0).check().is_err());
        assert!(SvmParams::default().c(f64::NAN).check().is_err());
    }
}
