//! `nb`: multinomial naive Bayes fitted by `linfa-bayes` (`MultinomialNb`).
//!
//! linfa fits the class priors and smoothed feature log-probabilities; we
//! read them out of the fitted model (through its serde form) and predict
//! with sparse rows: `log p(c | x) ∝ ln prior_c + x · log p(feature | c)`,
//! which is exactly linfa's joint log-likelihood. Upstream
//! `MultinomialNb::fit` prints a `dbg!` of every class histogram to stderr;
//! the project builds a copy with that line removed (vendor/linfa-bayes).
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `alpha` | `1.0` | additive (Laplace/Lidstone) smoothing, `> 0` |
//!
//! Features must be non-negative (counts, binary or TF-IDF all are).

use linfa::prelude::*;
use linfa_bayes::MultinomialNb;
use ndarray::Array1;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::{strength_grid, ClassWeights, Classifier, Learner, LinearModel, Probs, Scoring};

/// The smoothing values tried by `--grid` and the SemEval tuning.
pub const ALPHAS: [f64; 4] = [0.01, 0.1, 0.5, 1.0];

/// Unchecked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NbParams {
    /// Additive smoothing.
    pub alpha: f64,
}

impl Default for NbParams {
    fn default() -> Self {
        NbParams { alpha: 1.0 }
    }
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidNbParams(NbParams);

impl NbParams {
    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] unless `alpha` is finite and `> 0`.
    pub fn check(self) -> Result<ValidNbParams> {
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(Error::param(
                "nb alpha",
                format!("{} must be finite and > 0", self.alpha),
            ));
        }
        Ok(ValidNbParams(self))
    }
}

/// A fitted naive Bayes model: a [`LinearModel`] whose weights are the
/// smoothed feature log-probabilities `ln p(feature | class)` and whose
/// intercepts are the class log-priors, scored by softmax (the posterior).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct NbModel(pub LinearModel);

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidNbParams {
    type Object = NbModel;

    fn fit(&self, data: &super::Dataset) -> Result<NbModel> {
        let (x, y) = (&data.records, &data.targets);
        if y.is_empty() {
            return Err(Error::fit("nb", "no training examples"));
        }
        if (0..x.n_rows()).any(|i| x.row(i).1.iter().any(|v| *v < 0.0 || !v.is_finite())) {
            return Err(Error::fit("nb", "features must be finite and non-negative"));
        }
        let dataset = Dataset::new(x.to_dense(), Array1::from_iter(y.iter().map(|s| s.index())));
        let params = MultinomialNb::params().alpha(self.0.alpha);
        // linfa-bayes is patched (vendor/linfa-bayes) not to `dbg!` here.
        let fitted = params
            .fit(&dataset)
            .map_err(|e| Error::fit("nb", format!("linfa-bayes: {e}")))?;
        from_linfa(&fitted, x.n_cols())
    }
}

impl Learner for ValidNbParams {
    fn default_checked() -> Result<Self> {
        NbParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("alpha", &ALPHAS, |a| NbParams { alpha: a }.check())
    }

    /// No warm start: a closed-form fit.
    fn fit_path(data: &super::Dataset, path: &[&Self]) -> Vec<Result<super::FittedOf<Self>>> {
        super::fit_each(data, path)
    }
}

/// Reads priors and feature log-probabilities out of linfa's fitted model.
fn from_linfa(m: &MultinomialNb<f64, usize>, n_features: usize) -> Result<NbModel> {
    let bad = |what: &str| Error::fit("nb", format!("unexpected linfa-bayes model layout: {what}"));
    let v = serde_json::to_value(m).map_err(|e| bad(&e.to_string()))?;
    let info = v
        .get("class_info")
        .and_then(|c| c.as_object())
        .ok_or_else(|| bad("no class_info"))?;
    let mut out = LinearModel::zeros(n_features, [false; N_CLASSES], Scoring::Softmax);
    for (class, h) in info {
        let c: usize = class.parse().map_err(|_| bad("class key"))?;
        if c >= N_CLASSES {
            return Err(bad("class index"));
        }
        let prior = h
            .get("prior")
            .and_then(|p| p.as_f64())
            .ok_or_else(|| bad("prior"))?;
        let flp: Vec<f64> = h
            .get("feature_log_prob")
            .and_then(|a| a.get("data"))
            .and_then(|d| d.as_array())
            .ok_or_else(|| bad("feature_log_prob"))?
            .iter()
            .map(|x| x.as_f64().ok_or_else(|| bad("feature_log_prob value")))
            .collect::<Result<_>>()?;
        if flp.len() != n_features {
            return Err(bad("feature_log_prob length"));
        }
        out.intercept[c] = prior.ln();
        out.weights[c] = flp;
        out.present[c] = true;
    }
    Ok(NbModel(out))
}

impl Classifier for NbModel {
    fn n_features(&self) -> Option<usize> {
        Some(self.0.n_features())
    }

    fn probs(&self, x: &CsrMatrix, _texts: &[&str]) -> Vec<Probs> {
        self.0.proba(x)
    }

    /// The class's log-probability of each feature minus its mean over the
    /// classes seen in training, so that words frequent in every class do
    /// not top every list.
    fn class_weights(&self) -> Option<ClassWeights> {
        let m = &self.0;
        let present: Vec<usize> = (0..N_CLASSES).filter(|&c| m.present[c]).collect();
        let mean: Vec<f64> = (0..m.n_features())
            .map(|j| {
                present.iter().map(|&c| m.weights[c][j]).sum::<f64>() / present.len().max(1) as f64
            })
            .collect();
        Some(std::array::from_fn(|c| {
            m.present[c].then(|| m.weights[c].iter().zip(&mean).map(|(w, m)| w - m).collect())
        }))
    }

    /// A linear model whose present classes have log-probabilities `≤ 0`
    /// (weights and log-priors).
    fn validate(&self, n_features: usize) -> std::result::Result<(), String> {
        let m = &self.0;
        m.validate(n_features)?;
        for c in (0..N_CLASSES).filter(|&c| m.present[c]) {
            if m.intercept[c] > 0.0 || m.weights[c].iter().any(|w| *w > 0.0) {
                return Err(format!(
                    "class {} has a log-probability above 0",
                    Stance::ALL[c]
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{fit_on, predict_rows};
    use linfa_bayes::NaiveBayes;
    use Stance::*;

    #[test]
    fn matches_linfa_probabilities() {
        let mut x = CsrMatrix::new(3);
        for r in [
            vec![(0, 2.0), (1, 1.0)],
            vec![(0, 3.0)],
            vec![(1, 2.0), (2, 1.0)],
            vec![(2, 3.0)],
            vec![(1, 1.0), (2, 1.0)],
        ] {
            x.push_row(r);
        }
        let y = [Favor, Favor, Against, None, Against];
        let m = fit_on(&NbParams::default().check().unwrap(), &x, &y).unwrap();
        let ds = Dataset::new(x.to_dense(), Array1::from_iter(y.iter().map(|s| s.index())));
        let lm = MultinomialNb::params().alpha(1.0).fit(&ds).unwrap();
        let dense = x.to_dense();
        let (lp, classes) = lm.predict_proba(dense.view());
        let ours = m.probs(&x, &[""; 5]);
        for (i, row) in ours.iter().enumerate() {
            for (j, &&c) in classes.iter().enumerate() {
                assert!((row[c] - lp[(i, j)]).abs() < 1e-9, "{row:?} vs {lp:?}");
            }
        }
        assert_eq!(predict_rows(&m, &x)[..2], [Favor, Favor]);
        assert_eq!(m.validate(3), Ok(()));
        let mut bad = m.clone();
        bad.0.weights[0][1] = 0.5;
        assert!(bad.validate(3).unwrap_err().contains("above 0"));
    }

    #[test]
    fn rejects_negative_features_and_bad_alpha() {
        let mut x = CsrMatrix::new(1);
        x.push_row([(0, -1.0)]);
        assert!(fit_on(&NbParams::default().check().unwrap(), &x, &[Favor]).is_err());
        assert!(NbParams { alpha: 0.0 }.check().is_err());
    }
}
