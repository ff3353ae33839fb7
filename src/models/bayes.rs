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

use super::{linear_proba, Classifier, Learner, Probs};

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

/// A fitted multinomial naive Bayes model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NbModel {
    /// ln prior per class ([`Stance::ALL`] order; absent classes are not `present`).
    pub log_prior: [f64; N_CLASSES],
    /// `[class][feature]` smoothed log-probabilities.
    pub feature_log_prob: [Vec<f64>; N_CLASSES],
    /// Which classes were seen in training.
    pub present: [bool; N_CLASSES],
}

impl Learner for ValidNbParams {
    type Fitted = NbModel;

    fn fit(&self, x: &CsrMatrix, y: &[Stance]) -> Result<NbModel> {
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

/// Reads priors and feature log-probabilities out of linfa's fitted model.
fn from_linfa(m: &MultinomialNb<f64, usize>, n_features: usize) -> Result<NbModel> {
    let bad = |what: &str| Error::fit("nb", format!("unexpected linfa-bayes model layout: {what}"));
    let v = serde_json::to_value(m).map_err(|e| bad(&e.to_string()))?;
    let info = v
        .get("class_info")
        .and_then(|c| c.as_object())
        .ok_or_else(|| bad("no class_info"))?;
    let mut out = NbModel {
        log_prior: [0.0; N_CLASSES],
        feature_log_prob: std::array::from_fn(|_| vec![0.0; n_features]),
        present: [false; N_CLASSES],
    };
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
        out.log_prior[c] = prior.ln();
        out.feature_log_prob[c] = flp;
        out.present[c] = true;
    }
    Ok(out)
}

impl Classifier for NbModel {
    fn predict_proba(&self, x: &CsrMatrix) -> Result<Vec<Probs>> {
        linear_proba(
            "nb",
            &self.feature_log_prob,
            &self.log_prior,
            &self.present,
            x,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let m = NbParams::default().check().unwrap().fit(&x, &y).unwrap();
        let ds = Dataset::new(x.to_dense(), Array1::from_iter(y.iter().map(|s| s.index())));
        let lm = MultinomialNb::params().alpha(1.0).fit(&ds).unwrap();
        let dense = x.to_dense();
        let (lp, classes) = lm.predict_proba(dense.view());
        let ours = m.predict_proba(&x).unwrap();
        for (i, row) in ours.iter().enumerate() {
            for (j, &&c) in classes.iter().enumerate() {
                assert!((row[c] - lp[(i, j)]).abs() < 1e-9, "{row:?} vs {lp:?}");
            }
        }
        assert_eq!(m.predict(&x).unwrap()[..2], [Favor, Favor]);
    }

    #[test]
    fn rejects_negative_features_and_bad_alpha() {
        let mut x = CsrMatrix::new(1);
        x.push_row([(0, -1.0)]);
        assert!(NbParams::default()
            .check()
            .unwrap()
            .fit(&x, &[Favor])
            .is_err());
        assert!(NbParams { alpha: 0.0 }.check().is_err());
    }
}
