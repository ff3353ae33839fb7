//! `random`: the seeded stratified random baseline.
//!
//! Fitting records the training class frequencies; predicting draws each
//! row's class from them with [`crate::rng::Rng`] seeded by the model's
//! own `seed` (row `i` of a call gets the `i`-th draw), so the same model
//! and input always give the same predictions. The probabilities are the
//! draw itself (one-hot), so that the argmax is the drawn class; the
//! baseline says nothing about confidence. Its expected macro-F1 is what a
//! classifier with no information beyond the label distribution reaches.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `seed` | `0` | seed of the draws (part of the model; not `compare --seed`, so point scores do not move with the bootstrap seed) |

use linfa::traits::Fit;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};
use crate::rng::Rng;

use super::{
    check_distribution, class_frequencies, ClassWeights, Classifier, Dataset, Learner, Probs,
};

/// Default seed of the draws.
pub const DEFAULT_SEED: u64 = 0;

/// Settings of the random baseline (every `u64` is a valid seed, so these
/// are always valid; [`RandomParams::check`] exists for symmetry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RandomParams {
    /// Seed of the draws.
    pub seed: u64,
}

impl Default for RandomParams {
    fn default() -> Self {
        RandomParams { seed: DEFAULT_SEED }
    }
}

impl RandomParams {
    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Validates the settings (all seeds are valid).
    ///
    /// # Errors
    /// None today; the signature matches the other models.
    pub fn check(self) -> Result<RandomParams> {
        Ok(self)
    }
}

/// A fitted random baseline.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RandomBaseline {
    /// Training class frequencies in [`Stance::ALL`] order.
    pub priors: [f64; N_CLASSES],
    /// Seed of the draws.
    pub seed: u64,
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for RandomParams {
    type Object = RandomBaseline;

    fn fit(&self, data: &Dataset) -> Result<RandomBaseline> {
        Ok(RandomBaseline {
            priors: class_frequencies("random", &data.targets)?,
            seed: self.seed,
        })
    }
}

impl Learner for RandomParams {
    fn default_checked() -> Result<Self> {
        RandomParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        Ok(None)
    }

    /// No warm start (nothing to fit iteratively).
    fn fit_path(data: &super::Dataset, path: &[&Self]) -> Vec<Result<super::FittedOf<Self>>> {
        super::fit_each(data, path)
    }

    fn recheck(&self) -> Result<()> {
        self.check().map(|_| ())
    }
}

impl RandomBaseline {
    /// The class drawn for uniform `u` in `[0, 1)` (inverse CDF; classes with
    /// prior 0 are never drawn).
    fn draw(&self, u: f64) -> usize {
        let mut acc = 0.0;
        let mut last = 0;
        for c in 0..N_CLASSES {
            if self.priors[c] > 0.0 {
                acc += self.priors[c];
                last = c;
                if u < acc {
                    return c;
                }
            }
        }
        last
    }
}

impl Classifier for RandomBaseline {
    fn n_features(&self) -> Option<usize> {
        None
    }

    fn class_weights(&self) -> Option<ClassWeights> {
        None
    }

    fn validate(&self, _n_features: usize) -> std::result::Result<(), String> {
        check_distribution("priors", &self.priors)
    }

    fn probs(&self, x: &CsrMatrix, _texts: &[&str]) -> Vec<Probs> {
        let mut rng = Rng::new(self.seed);
        (0..x.n_rows())
            .map(|_| {
                let mut p = [0.0; N_CLASSES];
                p[self.draw(rng.unit())] = 1.0;
                p
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{fit_on, predict_rows};
    use Stance::*;

    fn rows(n: usize) -> CsrMatrix {
        let mut x = CsrMatrix::new(1);
        for _ in 0..n {
            x.push_row([]);
        }
        x
    }

    #[test]
    fn draws_follow_the_priors_and_repeat_with_the_seed() {
        let y = [Favor, Against, None, None];
        let m = fit_on(&RandomParams::default(), &rows(4), &y).unwrap();
        assert_eq!(m.priors, [0.25, 0.25, 0.5]);
        let x = rows(4000);
        let a = predict_rows(&m, &x);
        assert_eq!(a, predict_rows(&m, &x));
        let share = a.iter().filter(|s| **s == None).count() as f64 / 4000.0;
        assert!((share - 0.5).abs() < 0.03, "{share}");
        let other = predict_rows(
            &fit_on(&RandomParams::default().seed(9), &rows(4), &y).unwrap(),
            &x,
        );
        assert_ne!(a, other);
        // A class never seen is never drawn.
        let m = fit_on(&RandomParams::default(), &rows(1), &[Against]).unwrap();
        assert!(predict_rows(&m, &x).iter().all(|s| *s == Against));
        assert!(fit_on(&RandomParams::default(), &rows(0), &[]).is_err());
    }
}
