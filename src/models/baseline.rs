//! Honest baselines: the majority class of the training fold.

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::{Classifier, Learner, Probs};

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

impl Learner for MajorityParams {
    type Fitted = Majority;

    fn fit(&self, _x: &CsrMatrix, y: &[Stance]) -> Result<Majority> {
        if y.is_empty() {
            return Err(Error::fit("majority", "no training examples"));
        }
        let mut counts = [0usize; N_CLASSES];
        for s in y {
            counts[s.index()] += 1;
        }
        let n = y.len() as f64;
        Ok(Majority {
            priors: counts.map(|c| c as f64 / n),
        })
    }
}

impl Classifier for Majority {
    fn predict_proba(&self, x: &CsrMatrix) -> Result<Vec<Probs>> {
        Ok(vec![self.priors; x.n_rows()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    #[test]
    fn predicts_the_majority_with_priors() {
        let x = CsrMatrix::new(1);
        let m = MajorityParams
            .fit(&x, &[None, Against, None, Favor])
            .unwrap();
        assert_eq!(m.priors, [0.25, 0.25, 0.5]);
        let mut x = CsrMatrix::new(1);
        x.push_row([]);
        assert_eq!(m.predict(&x).unwrap(), [None]);
        // Ties go to the lower index.
        let m = MajorityParams.fit(&x, &[None, Against]).unwrap();
        assert_eq!(m.predict(&x).unwrap(), [Against]);
        assert!(MajorityParams.fit(&x, &[]).is_err());
    }
}
