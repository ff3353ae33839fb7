//! `logreg-dense` (extra): multinomial logistic regression fitted by
//! `linfa-logistic` (`MultiLogisticRegression`, L-BFGS) on the densified
//! rows, with a convergence check of our own. It minimises the objective of
//! `logreg` ([`super::logreg`], our sparse fit, the default) and is kept to
//! cross-check it; it needs `8 × rows × features` bytes and is slow at
//! scale (issue 12: 22 s on 2,914 texts).
//!
//! linfa's fit can return `Ok` with an unconverged model (its line search
//! gives up under weak regularisation). After every fit we recompute the
//! gradient of linfa's objective
//! `Σᵢ −log softmax(xᵢW + b)[yᵢ] + α/2 ‖W‖²` at the returned parameters,
//! with a numerically stable softmax, and refuse the model when its L2 norm
//! exceeds `max_grad_norm`. The data is densified only at the call into
//! linfa; prediction uses the sparse rows. A training matrix of more than
//! [`MAX_DENSE_CELLS`] (2^28) cells is refused with an error, as
//! `svm-smo`'s.
//!
//! **Size guard.** A fit whose dense matrix would exceed
//! [`MAX_DENSE_CELLS`] cells (2^28: 2 GiB of `f64`, before linfa's own
//! copies and gradients of the same size) is refused with an error saying
//! so, as `svm-smo`'s; `logreg` fits any size in the memory of its
//! non-zeros.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `alpha` | `1.0` | L2 penalty on the weights (not the intercept), `> 0` |
//! | `max_iterations` | `500` | L-BFGS iterations, `≥ 1` |
//! | `gradient_tolerance` | `1e-5` | linfa's stopping rule on the gradient norm, `> 0` |
//! | `max_grad_norm` | `1e-3` | largest gradient norm accepted after the fit, `≥ gradient_tolerance` |

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::Array1;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::Stance;

use super::logreg::{gradient_norm, ALPHAS};
use super::{fit_each, present_classes, strength_grid, FittedOf, Learner, LinearModel, Scoring};

const NAME: &str = "logreg-dense";

/// Largest dense training matrix handed to linfa (`rows × features`):
/// 2^28 cells = 2 GiB of `f64`.
pub const MAX_DENSE_CELLS: usize = 1 << 28;

/// The fit error for an `n × d` training matrix over `limit` cells.
fn too_large(n: usize, d: usize, limit: usize) -> Error {
    Error::fit(
        NAME,
        format!(
            "{n} x {d} dense training matrix exceeds {limit} cells ({:.1} GB of f64); \
             use logreg (sparse) or lower --max-features",
            (n as f64) * (d as f64) * 8.0 / 1e9
        ),
    )
}

/// Unchecked settings (see the module table).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DenseLogRegParams {
    /// L2 penalty.
    pub alpha: f64,
    /// L-BFGS iteration limit.
    pub max_iterations: u64,
    /// linfa's gradient tolerance.
    pub gradient_tolerance: f64,
    /// Largest accepted gradient norm after fitting.
    pub max_grad_norm: f64,
}

impl Default for DenseLogRegParams {
    fn default() -> Self {
        DenseLogRegParams {
            alpha: 1.0,
            max_iterations: 500,
            gradient_tolerance: 1e-5,
            max_grad_norm: 1e-3,
        }
    }
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidDenseLogRegParams(DenseLogRegParams);

impl DenseLogRegParams {
    /// Sets `alpha`.
    pub fn alpha(mut self, a: f64) -> Self {
        self.alpha = a;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a non-positive or non-finite value, or
    /// `max_grad_norm < gradient_tolerance`.
    pub fn check(self) -> Result<ValidDenseLogRegParams> {
        let pos = |v: f64| v.is_finite() && v > 0.0;
        if !pos(self.alpha) {
            return Err(Error::param(
                "logreg-dense alpha",
                format!("{} must be finite and > 0", self.alpha),
            ));
        }
        if self.max_iterations == 0 {
            return Err(Error::param(
                "logreg-dense max_iterations",
                "must be at least 1",
            ));
        }
        if !pos(self.gradient_tolerance)
            || !pos(self.max_grad_norm)
            || self.max_grad_norm < self.gradient_tolerance
        {
            return Err(Error::param(
                "logreg-dense tolerances",
                "expected 0 < gradient_tolerance <= max_grad_norm",
            ));
        }
        Ok(ValidDenseLogRegParams(self))
    }
}

impl ValidDenseLogRegParams {
    /// The settings.
    pub fn params(&self) -> &DenseLogRegParams {
        &self.0
    }
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidDenseLogRegParams {
    type Object = LinearModel;

    fn fit(&self, data: &super::Dataset) -> Result<LinearModel> {
        let (x, y) = (&data.records, &data.targets);
        let p = &self.0;
        let present = present_classes(y);
        if present.iter().filter(|&&b| b).count() < 2 {
            return Err(Error::fit(NAME, "training data has fewer than two classes"));
        }
        if x.n_rows().saturating_mul(x.n_cols()) > MAX_DENSE_CELLS {
            return Err(too_large(x.n_rows(), x.n_cols(), MAX_DENSE_CELLS));
        }
        let dataset = Dataset::new(x.to_dense(), Array1::from_iter(y.iter().map(|s| s.index())));
        let fitted = MultiLogisticRegression::default()
            .alpha(p.alpha)
            .max_iterations(p.max_iterations)
            .gradient_tolerance(p.gradient_tolerance)
            .fit(&dataset)
            .map_err(|e| Error::fit(NAME, format!("linfa-logistic: {e}")))?;
        let w = fitted.params();
        let b = fitted.intercept();
        let mut model = LinearModel::zeros(x.n_cols(), present, Scoring::Softmax);
        for (j, &c) in fitted.classes().iter().enumerate() {
            model.weights[c] = w.column(j).to_vec();
            model.intercept[c] = b[j];
        }
        let grad_norm = gradient_norm(&model, x, y, p.alpha);
        if grad_norm.is_nan() || grad_norm > p.max_grad_norm {
            return Err(Error::fit(
                NAME,
                format!(
                    "did not converge: gradient norm {grad_norm:.3e} > {:.0e} after at most {} iterations \
                     (raise alpha or max_iterations)",
                    p.max_grad_norm, p.max_iterations
                ),
            ));
        }
        Ok(model)
    }
}

impl Learner for ValidDenseLogRegParams {
    fn default_checked() -> Result<Self> {
        DenseLogRegParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("alpha", &ALPHAS, |a| self.0.clone().alpha(a).check())
    }

    /// No warm start: linfa-logistic always starts from zero.
    fn fit_path(data: &super::Dataset, path: &[&Self]) -> Vec<Result<FittedOf<Self>>> {
        fit_each(data, path)
    }

    fn recheck(&self) -> Result<()> {
        self.0.clone().check().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{fit_on, predict_rows};

    /// Issue 16 row 7: a training matrix too large to densify is refused
    /// before anything is allocated.
    #[test]
    fn a_dense_matrix_over_the_limit_is_refused() {
        let d = MAX_DENSE_CELLS / 2 + 1;
        let mut x = CsrMatrix::new(d);
        for _ in 0..2 {
            x.push_row([(0, 1.0)]);
        }
        let p = DenseLogRegParams::default().check().unwrap();
        let e = fit_on(&p, &x, &[Stance::Favor, Stance::Against]).unwrap_err();
        assert!(
            e.to_string().contains(&format!(
                "2 x {d} dense training matrix exceeds {MAX_DENSE_CELLS} cells"
            )),
            "{e}"
        );
    }

    #[test]
    fn fits_converges_and_matches_linfa_probabilities() {
        let (x, y) = crate::models::toy_problem();
        let p = DenseLogRegParams::default().check().unwrap();
        let m = fit_on(&p, &x, &y).unwrap();
        let g = gradient_norm(&m, &x, &y, 1.0);
        assert!(g <= 1e-3, "{g}");
        assert_eq!(predict_rows(&m, &x), y);
        // Our sparse prediction equals linfa's dense one.
        let ds = Dataset::new(x.to_dense(), Array1::from_iter(y.iter().map(|s| s.index())));
        let lm = MultiLogisticRegression::default()
            .alpha(1.0)
            .max_iterations(500)
            .gradient_tolerance(1e-5)
            .fit(&ds)
            .unwrap();
        let lp = lm.predict_probabilities(&x.to_dense());
        let ours = m.proba(&x);
        for (i, row) in ours.iter().enumerate() {
            for (j, &c) in lm.classes().iter().enumerate() {
                assert!((row[c] - lp[(i, j)]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn refuses_a_dense_matrix_past_the_limit_before_allocating_it() {
        let mut x = CsrMatrix::new(MAX_DENSE_CELLS / 2 + 1);
        x.push_row([(0, 1.0)]);
        x.push_row([(1, 1.0)]);
        let y = vec![Stance::Favor, Stance::Against];
        let p = DenseLogRegParams::default().check().unwrap();
        let e = fit_on(&p, &x, &y).unwrap_err();
        assert!(e.to_string().contains("exceeds"), "{e}");
    }

    #[test]
    fn refuses_unconverged_fits() {
        let (x, y) = crate::models::toy_problem();
        let p = DenseLogRegParams {
            max_iterations: 1,
            ..Default::default()
        }
        .check()
        .unwrap();
        let e = fit_on(&p, &x, &y).unwrap_err();
        assert!(e.to_string().contains("did not converge"), "{e}");
    }

    #[test]
    fn absent_class_gets_zero_probability_and_bad_params_fail() {
        let (x, y) = crate::models::toy_problem();
        let keep = [0, 1, 2, 3];
        let p = DenseLogRegParams::default().check().unwrap();
        let m = fit_on(&p, &x.select_rows(&keep), &y[..4]).unwrap();
        assert!(m.proba(&x).iter().all(|p| p[2] == 0.0));
        assert!(DenseLogRegParams::default().alpha(0.0).check().is_err());
        assert!(fit_on(&p, &x.select_rows(&[0, 1]), &y[..2]).is_err());
    }
}
