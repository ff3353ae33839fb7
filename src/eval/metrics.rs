//! Our own classification metrics (linfa's are not the source of truth):
//! confusion matrix, per-class precision/recall/F1 with an explicit
//! zero-division rule, accuracy, macro-F1 and SemEval's
//! `F_avg = (F1(favor) + F1(against)) / 2`.

use crate::label::{Stance, N_CLASSES};

/// What a ratio with a zero denominator is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZeroDivision {
    /// Count it as 0 (scikit-learn's default, without the warning).
    #[default]
    Zero,
    /// Count it as 1.
    One,
}

impl ZeroDivision {
    fn ratio(self, num: u64, den: u64) -> f64 {
        if den == 0 {
            match self {
                ZeroDivision::Zero => 0.0,
                ZeroDivision::One => 1.0,
            }
        } else {
            num as f64 / den as f64
        }
    }
}

/// Counts of (gold, predicted) pairs: `counts[gold][predicted]`, both in
/// [`Stance::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConfusionMatrix {
    /// `counts[gold][predicted]`.
    pub counts: [[u64; N_CLASSES]; N_CLASSES],
}

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassScores {
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// 2TP / (2TP + FP + FN) (equal to the harmonic mean of P and R).
    pub f1: f64,
    /// Number of gold examples of the class.
    pub support: u64,
}

impl ConfusionMatrix {
    /// Counts the pairs of `gold` and `predicted` (same length).
    ///
    /// # Panics
    /// If the lengths differ (a caller bug).
    pub fn new(gold: &[Stance], predicted: &[Stance]) -> ConfusionMatrix {
        assert_eq!(
            gold.len(),
            predicted.len(),
            "gold and predicted lengths differ"
        );
        let mut m = ConfusionMatrix::default();
        for (g, p) in gold.iter().zip(predicted) {
            m.add(*g, *p);
        }
        m
    }

    /// Adds one pair.
    pub fn add(&mut self, gold: Stance, predicted: Stance) {
        self.counts[gold.index()][predicted.index()] += 1;
    }

    /// Number of pairs.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Fraction of pairs on the diagonal (0 for an empty matrix).
    pub fn accuracy(&self) -> f64 {
        let correct: u64 = (0..N_CLASSES).map(|i| self.counts[i][i]).sum();
        ZeroDivision::Zero.ratio(correct, self.total())
    }

    /// Scores of `class`.
    pub fn class_scores(&self, class: Stance, zd: ZeroDivision) -> ClassScores {
        let c = class.index();
        let tp = self.counts[c][c];
        let support: u64 = self.counts[c].iter().sum();
        let predicted: u64 = (0..N_CLASSES).map(|g| self.counts[g][c]).sum();
        let (fp, fnn) = (predicted - tp, support - tp);
        ClassScores {
            precision: zd.ratio(tp, predicted),
            recall: zd.ratio(tp, support),
            f1: zd.ratio(2 * tp, 2 * tp + fp + fnn),
            support,
        }
    }

    /// Unweighted mean of the three per-class F1 scores.
    pub fn macro_f1(&self, zd: ZeroDivision) -> f64 {
        Stance::ALL
            .iter()
            .map(|&s| self.class_scores(s, zd).f1)
            .sum::<f64>()
            / N_CLASSES as f64
    }

    /// SemEval-2016 Task 6: mean of F1(favor) and F1(against).
    pub fn f_avg(&self, zd: ZeroDivision) -> f64 {
        (self.class_scores(Stance::Favor, zd).f1 + self.class_scores(Stance::Against, zd).f1) / 2.0
    }

    /// Sum of two matrices (pooling counts).
    pub fn merged(&self, other: &ConfusionMatrix) -> ConfusionMatrix {
        let mut m = *self;
        for g in 0..N_CLASSES {
            for p in 0..N_CLASSES {
                m.counts[g][p] += other.counts[g][p];
            }
        }
        m
    }
}

/// A summary statistic of a confusion matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// [`ConfusionMatrix::accuracy`].
    Accuracy,
    /// [`ConfusionMatrix::macro_f1`].
    MacroF1,
    /// [`ConfusionMatrix::f_avg`].
    FAvg,
}

impl Metric {
    /// The three metrics, in report order.
    pub const ALL: [Metric; 3] = [Metric::Accuracy, Metric::MacroF1, Metric::FAvg];

    /// The metric of `m` under the zero-division rule `zd`.
    pub fn of(self, m: &ConfusionMatrix, zd: ZeroDivision) -> f64 {
        match self {
            Metric::Accuracy => m.accuracy(),
            Metric::MacroF1 => m.macro_f1(zd),
            Metric::FAvg => m.f_avg(zd),
        }
    }

    /// Column-name stem in reports.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::MacroF1 => "macro_f1",
            Metric::FAvg => "f_avg",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    // Hand-computed example (also what scikit-learn's
    // classification_report gives for these 10 pairs):
    // gold: F F F A A A A N N N ; pred: F A N A A F A N N F
    fn example() -> ConfusionMatrix {
        ConfusionMatrix::new(
            &[
                Favor, Favor, Favor, Against, Against, Against, Against, None, None, None,
            ],
            &[
                Favor, Against, None, Against, Against, Favor, Against, None, None, Favor,
            ],
        )
    }

    #[test]
    fn hand_computed_scores() {
        let m = example();
        assert_eq!(m.counts, [[1, 1, 1], [1, 3, 0], [1, 0, 2]]);
        assert!((m.accuracy() - 0.6).abs() < 1e-12);
        let f = m.class_scores(Favor, ZeroDivision::Zero);
        // favor: tp 1, predicted 3, support 3 -> P = R = F1 = 1/3.
        assert!((f.precision - 1.0 / 3.0).abs() < 1e-12 && (f.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((f.f1 - 1.0 / 3.0).abs() < 1e-12);
        // against: tp 3, predicted 4, support 4 -> P = R = 0.75.
        let a = m.class_scores(Against, ZeroDivision::Zero);
        assert!((a.f1 - 0.75).abs() < 1e-12 && a.support == 4);
        // none: tp 2, predicted 3, support 3 -> 2/3.
        let n = m.class_scores(None, ZeroDivision::Zero);
        assert!((n.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!(
            (m.macro_f1(ZeroDivision::Zero) - (1.0 / 3.0 + 0.75 + 2.0 / 3.0) / 3.0).abs() < 1e-12
        );
        assert!((m.f_avg(ZeroDivision::Zero) - (1.0 / 3.0 + 0.75) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn zero_division_rule_is_explicit() {
        // Nothing predicted as favor and no favor gold.
        let m = ConfusionMatrix::new(&[Against, None], &[Against, Against]);
        let z = m.class_scores(Favor, ZeroDivision::Zero);
        assert_eq!((z.precision, z.recall, z.f1), (0.0, 0.0, 0.0));
        let o = m.class_scores(Favor, ZeroDivision::One);
        assert_eq!((o.precision, o.recall, o.f1), (1.0, 1.0, 1.0));
        // none: support 1, never predicted -> P undefined, R = 0, F1 = 0.
        let n = m.class_scores(None, ZeroDivision::One);
        assert_eq!((n.precision, n.recall, n.f1), (1.0, 0.0, 0.0));
        assert_eq!(ConfusionMatrix::default().accuracy(), 0.0);
    }

    #[test]
    fn merged_pools_counts() {
        let m = example().merged(&example());
        assert_eq!(m.total(), 20);
        assert!((m.accuracy() - 0.6).abs() < 1e-12);
    }
}
