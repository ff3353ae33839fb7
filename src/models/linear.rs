//! The linear model every linear learner returns (`logreg`,
//! `logreg-dense`, `svm`, `svm-smo`, `nb`, `nbsvm`, ...): one weight vector
//! and one intercept per class, and a rule turning the class scores
//! `s_c = x · w_c + b_c` into probabilities.
//!
//! | scoring | probabilities | used by |
//! |---|---|---|
//! | [`Scoring::Softmax`] | `softmax(s)` | multinomial logistic regression, naive Bayes (joint log-likelihoods), SVM decision values (uncalibrated) |
//! | [`Scoring::OneVsRest`] | `σ(s_c) / Σ_k σ(s_k)` | one-vs-rest logistic models |
//!
//! A class absent from training is not `present`: its score is `-inf` and
//! its probability 0. Prediction reads the sparse rows (a dot product per
//! row and class); nothing is densified.

use linfa::prelude::PredictInplace;

use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::{ClassWeights, Classifier, Probs};

/// How class scores become probabilities (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scoring {
    /// Softmax over the present classes.
    #[default]
    Softmax,
    /// Logistic function of each class score, normalised to sum to 1.
    OneVsRest,
}

impl Scoring {
    fn is_softmax(&self) -> bool {
        *self == Scoring::Softmax
    }
}

/// Per-class weights and intercepts over the featurizer's columns.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinearModel {
    /// `[class][feature]` weights in [`Stance::ALL`] order (zeros for a
    /// class absent from training).
    pub weights: [Vec<f64>; N_CLASSES],
    /// Intercept per class.
    pub intercept: [f64; N_CLASSES],
    /// Which classes were seen in training (absent ones get probability 0).
    pub present: [bool; N_CLASSES],
    /// How scores become probabilities.
    #[serde(default, skip_serializing_if = "Scoring::is_softmax")]
    pub scoring: Scoring,
}

impl LinearModel {
    /// A model of zeros over `n_features` features with the given classes.
    pub fn zeros(n_features: usize, present: [bool; N_CLASSES], scoring: Scoring) -> LinearModel {
        LinearModel {
            weights: std::array::from_fn(|_| vec![0.0; n_features]),
            intercept: [0.0; N_CLASSES],
            present,
            scoring,
        }
    }

    /// The number of features the model reads.
    pub fn n_features(&self) -> usize {
        self.weights[0].len()
    }

    /// Class scores `x_i · w_c + b_c` of row `i` of `x` (`-inf` for absent
    /// classes).
    ///
    /// # Panics
    /// If a column of `x` is out of range of the weights (a caller bug:
    /// the model table checks the width first).
    pub fn scores(&self, x: &CsrMatrix, i: usize) -> Probs {
        std::array::from_fn(|c| {
            if self.present[c] {
                x.row_dot(i, &self.weights[c]) + self.intercept[c]
            } else {
                f64::NEG_INFINITY
            }
        })
    }

    /// Probabilities from the scores of one row (see [`Scoring`]).
    pub fn probs_of_scores(&self, mut z: Probs) -> Probs {
        match self.scoring {
            Scoring::Softmax => softmax(&mut z),
            Scoring::OneVsRest => {
                for v in z.iter_mut() {
                    *v = if *v == f64::NEG_INFINITY {
                        0.0
                    } else {
                        1.0 / (1.0 + (-*v).exp())
                    };
                }
                let s: f64 = z.iter().sum();
                if s > 0.0 {
                    z.iter_mut().for_each(|v| *v /= s);
                }
            }
        }
        z
    }

    /// Class probabilities of every row of `x`.
    ///
    /// # Panics
    /// As [`LinearModel::scores`].
    pub fn proba(&self, x: &CsrMatrix) -> Vec<Probs> {
        (0..x.n_rows())
            .map(|i| self.probs_of_scores(self.scores(x, i)))
            .collect()
    }

    /// The weights of the present classes (`None` for absent ones), for
    /// reports and explanations.
    pub fn present_weights(&self) -> [Option<Vec<f64>>; N_CLASSES] {
        std::array::from_fn(|c| self.present[c].then(|| self.weights[c].clone()))
    }

    /// Checks a model read from a file: `n_features` weights per class,
    /// finite numbers, at least one present class.
    ///
    /// # Errors
    /// What is wrong, for the model-file error.
    pub fn validate(&self, n_features: usize) -> std::result::Result<(), String> {
        if !self.present.contains(&true) {
            return Err("no class is present".into());
        }
        if let Some(w) = self.weights.iter().find(|w| w.len() != n_features) {
            return Err(format!(
                "{} weights per class for a {n_features}-feature vocabulary",
                w.len()
            ));
        }
        let finite = self
            .weights
            .iter()
            .flatten()
            .chain(&self.intercept)
            .all(|v| v.is_finite());
        if !finite {
            return Err("weights or intercepts are not finite".into());
        }
        Ok(())
    }
}

impl Classifier for LinearModel {
    fn n_features(&self) -> Option<usize> {
        Some(self.n_features())
    }

    fn probs(&self, x: &CsrMatrix, _texts: &[&str]) -> Vec<Probs> {
        self.proba(x)
    }

    fn class_weights(&self) -> Option<ClassWeights> {
        Some(self.present_weights())
    }

    fn validate(&self, n_features: usize) -> std::result::Result<(), String> {
        LinearModel::validate(self, n_features)
    }
}

/// linfa's prediction interface: `model.predict(&dataset)` gives class
/// probabilities for every row.
///
/// # Panics
/// If the records have another feature count than the model.
impl PredictInplace<CsrMatrix, Vec<Probs>> for LinearModel {
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Vec<Probs>) {
        assert_eq!(x.n_cols(), self.n_features(), "feature count differs");
        assert_eq!(x.n_rows(), y.len(), "one output per row");
        for (i, out) in y.iter_mut().enumerate() {
            *out = self.probs_of_scores(self.scores(x, i));
        }
    }

    fn default_target(&self, x: &CsrMatrix) -> Vec<Probs> {
        vec![[0.0; N_CLASSES]; x.n_rows()]
    }
}

/// linfa's prediction interface for labels: the most probable class of
/// every row.
///
/// # Panics
/// As the probability prediction.
impl PredictInplace<CsrMatrix, Vec<Stance>> for LinearModel {
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Vec<Stance>) {
        let p: Vec<Probs> = {
            let mut p = vec![[0.0; N_CLASSES]; x.n_rows()];
            self.predict_inplace(x, &mut p);
            p
        };
        for (out, p) in y.iter_mut().zip(&p) {
            *out = super::argmax(p);
        }
    }

    fn default_target(&self, x: &CsrMatrix) -> Vec<Stance> {
        vec![Stance::None; x.n_rows()]
    }
}

/// Softmax of `z` in place, subtracting the row maximum first (entries of
/// `-inf` get probability 0).
pub fn softmax(z: &mut Probs) {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for v in z.iter_mut() {
        *v = (*v - m).exp();
        s += *v;
    }
    for v in z.iter_mut() {
        *v /= s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::prelude::Predict;
    use linfa::DatasetBase;

    #[test]
    fn scores_probabilities_and_absent_classes() {
        let (x, _) = crate::models::toy_problem();
        let mut m = LinearModel::zeros(3, [true, true, false], Scoring::Softmax);
        m.weights[0][0] = 2.0;
        m.intercept[1] = 0.5;
        let s = m.scores(&x, 0);
        assert_eq!(s, [2.0, 0.5, f64::NEG_INFINITY]);
        let p = m.proba(&x);
        assert_eq!(p[0][2], 0.0);
        assert!((p[0][0] - 1.0 / (1.0 + (-1.5f64).exp())).abs() < 1e-12);
        m.scoring = Scoring::OneVsRest;
        let q = m.proba(&x)[0];
        let (a, b) = (1.0 / (1.0 + (-2.0f64).exp()), 1.0 / (1.0 + (-0.5f64).exp()));
        assert!((q[0] - a / (a + b)).abs() < 1e-12);
        assert_eq!(q[2], 0.0);
        // linfa's Predict gives the same probabilities and their argmax.
        let ds = DatasetBase::new(x.clone(), ());
        let via_linfa: Vec<Probs> = m.predict(&ds);
        assert_eq!(via_linfa, m.proba(&x));
        let labels: Vec<Stance> = m.predict(&ds);
        assert_eq!(labels[0], Stance::Favor);
    }

    #[test]
    fn validation_names_the_problem() {
        let mut m = LinearModel::zeros(3, [true, false, true], Scoring::Softmax);
        assert!(m.validate(3).is_ok());
        assert!(m.validate(4).unwrap_err().contains("3 weights per class"));
        m.intercept[0] = f64::NAN;
        assert!(m.validate(3).unwrap_err().contains("not finite"));
        let m = LinearModel::zeros(3, [false; 3], Scoring::Softmax);
        assert!(m.validate(3).is_err());
    }

    #[test]
    fn softmax_is_stable() {
        let mut z = [1000.0, 1000.0, f64::NEG_INFINITY];
        softmax(&mut z);
        assert_eq!(z, [0.5, 0.5, 0.0]);
    }
}
