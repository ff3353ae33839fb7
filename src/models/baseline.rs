//! Honest baselines: the majority class of the training fold.

use linfa::traits::Fit;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::{
    check_distribution, class_frequencies, ClassWeights, Classifier, Dataset, Learner, Probs,
};

/// Settings of the majority baseline (it has none).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct MajorityParams;

/// Predicts the most frequent training class for every input (ties go to
/// the lower class index: favor, against, none), with the training class
/// frequencies as probabilities.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Majority {
    /// Training class frequencies in [`Stance::ALL`] order.
    pub priors: [f64; N_CLASSES],
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for MajorityParams {
    type Object = Majority;

    fn fit(&self, data: &Dataset) -> Result<Majority> {
        Ok(Majority {
            priors: class_frequencies("majority", &data.targets)?,
        })
    }
}

impl Learner for MajorityParams {
    fn default_checked() -> Result<Self> {
        Ok(MajorityParams)
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        Ok(None)
    }

    /// No warm start (nothing to fit iteratively).
    fn fit_path(data: &super::Dataset, path: &[&Self]) -> Vec<Result<super::FittedOf<Self>>> {
        super::fit_each(data, path)
    }

    /// No settings to check.
    fn recheck(&self) -> Result<()> {
        Ok(())
    }
}

impl Classifier for Majority {
    fn n_features(&self) -> Option<usize> {
        None
    }

    fn probs(&self, x: &CsrMatrix, _texts: &[&str]) -> Vec<Probs> {
        vec![self.priors; x.n_rows()]
    }

    fn class_weights(&self) -> Option<ClassWeights> {
        None
    }

    fn validate(&self, _n_features: usize) -> std::result::Result<(), String> {
        check_distribution("priors", &self.priors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    use crate::models::{fit_on, predict_rows};

    #[test]
    fn predicts_the_majority_with_priors() {
        let mut x = CsrMatrix::new(1);
        for _ in 0..4 {
            x.push_row([]);
        }
        let m = fit_on(&MajorityParams, &x, &[None, Against, None, Favor]).unwrap();
        assert_eq!(m.priors, [0.25, 0.25, 0.5]);
        assert_eq!(predict_rows(&m, &x.select_rows(&[0])), [None]);
        // Ties go to the lower index.
        let m = fit_on(&MajorityParams, &x.select_rows(&[0, 1]), &[None, Against]).unwrap();
        assert_eq!(predict_rows(&m, &x.select_rows(&[0])), [Against]);
        assert!(fit_on(&MajorityParams, &CsrMatrix::new(1), &[]).is_err());
        assert!(m.validate(0).is_ok());
        let bad = Majority {
            priors: [-1.0, 1.0, 1.0],
        };
        assert!(bad.validate(0).unwrap_err().contains("not a probability"));
    }
}
