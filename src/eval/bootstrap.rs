//! Seeded percentile-bootstrap confidence intervals over per-item outcomes,
//! and a paired bootstrap test between two models scored on the same items.
//!
//! Cost: `resamples × n` draws and confusion-matrix updates per interval.

use crate::eval::metrics::{ConfusionMatrix, Metric, ZeroDivision};
use crate::label::Stance;
use crate::rng::Rng;

/// Default number of bootstrap resamples.
pub const DEFAULT_RESAMPLES: usize = 1000;

/// A two-sided percentile interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// The `q`-quantile of sorted values (nearest rank on `(len - 1) q`).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

/// Percentile bootstrap interval (`level`, e.g. 0.95) of `metric` over the
/// pairs of `gold` and `predicted`, resampling items with replacement.
/// Returns the point estimate's interval `[p/2, 1 - p/2]` quantiles.
///
/// # Panics
/// If the inputs are empty, differ in length, `resamples` is 0 or `level`
/// is outside `(0, 1)`: callers validate these.
pub fn interval(
    gold: &[Stance],
    predicted: &[Stance],
    metric: Metric,
    zd: ZeroDivision,
    resamples: usize,
    level: f64,
    seed: u64,
) -> Interval {
    assert!(
        !gold.is_empty() && gold.len() == predicted.len(),
        "need paired, non-empty outcomes"
    );
    assert!(
        resamples > 0 && level > 0.0 && level < 1.0,
        "bad bootstrap settings"
    );
    let n = gold.len();
    let mut rng = Rng::new(seed);
    let mut stats: Vec<f64> = (0..resamples)
        .map(|_| {
            let mut m = ConfusionMatrix::default();
            for _ in 0..n {
                let i = rng.below(n);
                m.add(gold[i], predicted[i]);
            }
            metric.of(&m, zd)
        })
        .collect();
    stats.sort_by(f64::total_cmp);
    let a = (1.0 - level) / 2.0;
    Interval {
        lo: quantile(&stats, a),
        hi: quantile(&stats, 1.0 - a),
    }
}

/// Paired bootstrap test of `metric(a) - metric(b)` on the same items:
/// the two-sided p-value is twice the smaller fraction of resamples on
/// either side of zero (capped at 1), with the +1 correction so that it is
/// never exactly 0. Identical predictions give p = 1.
///
/// # Panics
/// As [`interval`].
pub fn paired_p_value(
    gold: &[Stance],
    a: &[Stance],
    b: &[Stance],
    metric: Metric,
    zd: ZeroDivision,
    resamples: usize,
    seed: u64,
) -> f64 {
    assert!(
        !gold.is_empty() && gold.len() == a.len() && a.len() == b.len(),
        "need paired outcomes"
    );
    assert!(resamples > 0, "bad bootstrap settings");
    if a == b {
        return 1.0;
    }
    let n = gold.len();
    let mut rng = Rng::new(seed);
    let (mut le, mut ge) = (0usize, 0usize);
    for _ in 0..resamples {
        let (mut ma, mut mb) = (ConfusionMatrix::default(), ConfusionMatrix::default());
        for _ in 0..n {
            let i = rng.below(n);
            ma.add(gold[i], a[i]);
            mb.add(gold[i], b[i]);
        }
        let d = metric.of(&ma, zd) - metric.of(&mb, zd);
        if d <= 0.0 {
            le += 1;
        }
        if d >= 0.0 {
            ge += 1;
        }
    }
    let tail = le.min(ge);
    (2.0 * (tail + 1) as f64 / (resamples + 1) as f64).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    fn data() -> (Vec<Stance>, Vec<Stance>) {
        let gold: Vec<Stance> = (0..90).map(|i| Stance::ALL[i % 3]).collect();
        let pred: Vec<Stance> = gold
            .iter()
            .enumerate()
            .map(|(i, &g)| if i % 4 == 0 { Favor } else { g })
            .collect();
        (gold, pred)
    }

    #[test]
    fn interval_brackets_the_point_and_is_seeded() {
        let (g, p) = data();
        let point = ConfusionMatrix::new(&g, &p).macro_f1(ZeroDivision::Zero);
        let i = interval(&g, &p, Metric::MacroF1, ZeroDivision::Zero, 500, 0.95, 1);
        assert!(
            i.lo <= point && point <= i.hi && i.lo < i.hi,
            "{i:?} {point}"
        );
        assert_eq!(
            i,
            interval(&g, &p, Metric::MacroF1, ZeroDivision::Zero, 500, 0.95, 1)
        );
        assert_ne!(
            i,
            interval(&g, &p, Metric::MacroF1, ZeroDivision::Zero, 500, 0.95, 2)
        );
        // Perfect predictions have a degenerate interval at 1.
        let j = interval(&g, &g, Metric::Accuracy, ZeroDivision::Zero, 100, 0.95, 1);
        assert_eq!((j.lo, j.hi), (1.0, 1.0));
    }

    #[test]
    fn paired_test_separates_clear_differences_only() {
        let (g, p) = data();
        assert_eq!(
            paired_p_value(&g, &p, &p, Metric::MacroF1, ZeroDivision::Zero, 200, 3),
            1.0
        );
        let all_none = vec![None; g.len()];
        let pv = paired_p_value(
            &g,
            &p,
            &all_none,
            Metric::MacroF1,
            ZeroDivision::Zero,
            999,
            3,
        );
        assert!(pv < 0.01, "{pv}");
        // One differing item out of 90 is not significant.
        let mut q = p.clone();
        q[1] = None;
        let pv = paired_p_value(&g, &p, &q, Metric::MacroF1, ZeroDivision::Zero, 999, 3);
        assert!(pv > 0.2, "{pv}");
    }
}
