//! Seeded percentile-bootstrap confidence intervals over per-item outcomes,
//! and the paired approximate randomisation test between two models scored
//! on the same items ([`approximate_randomization_p_value`], what `compare`
//! reports).
//!
//! Cost: `resamples × n` draws and confusion-matrix updates per interval
//! or test.

use crate::eval::metrics::{ConfusionMatrix, Metric, ZeroDivision};
use crate::label::Stance;
use crate::rng::Rng;

/// Default number of bootstrap resamples (intervals and paired tests).
pub const DEFAULT_RESAMPLES: usize = 1000;

/// Largest number of resamples accepted from the command line
/// (`--resamples`): each resample holds one statistic per model, and a
/// million already takes minutes on the seeds.
pub const MAX_RESAMPLES: usize = 1_000_000;

/// Default interval level: 95%.
pub const DEFAULT_LEVEL: f64 = 0.95;

/// A two-sided percentile interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// The `q`-quantile of sorted values (nearest rank on `(len - 1) q`).
///
/// # Panics
/// If `sorted` is empty.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
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
    intervals(gold, predicted, [metric], zd, resamples, level, seed)[0]
}

/// [`interval`] of several metrics from one pass over the resamples: each
/// resample's confusion matrix is drawn once and scored by every metric.
/// The same seed draws the same resamples as [`interval`], so each
/// interval equals [`interval`] of its metric.
///
/// # Panics
/// As [`interval`].
pub fn intervals<const K: usize>(
    gold: &[Stance],
    predicted: &[Stance],
    metrics: [Metric; K],
    zd: ZeroDivision,
    resamples: usize,
    level: f64,
    seed: u64,
) -> [Interval; K] {
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
    let mut stats: [Vec<f64>; K] = std::array::from_fn(|_| Vec::with_capacity(resamples));
    let cells: Vec<(usize, usize)> = gold
        .iter()
        .zip(predicted)
        .map(|(&g, &p)| (g.index(), p.index()))
        .collect();
    for _ in 0..resamples {
        let mut m = ConfusionMatrix::default();
        for _ in 0..n {
            let (g, p) = cells[rng.below(n)];
            m.counts[g][p] += 1;
        }
        for (k, metric) in metrics.iter().enumerate() {
            stats[k].push(metric.of(&m, zd));
        }
    }
    let a = (1.0 - level) / 2.0;
    stats.map(|mut st| {
        st.sort_by(f64::total_cmp);
        Interval {
            lo: quantile(&st, a),
            hi: quantile(&st, 1.0 - a),
        }
    })
}

/// Approximate randomisation test (Noreen 1989; Yeh 2000) of
/// `metric(a) - metric(b)` on the same items. Under the null hypothesis the
/// two systems are exchangeable on every item, so each of `resamples`
/// shuffles swaps the two predictions of each item with probability 1/2;
/// the two-sided p-value is `(r + 1) / (resamples + 1)` with `r` the number
/// of shuffles whose `|difference|` is at least the observed one (minus
/// 1e-12 for rounding). Identical predictions give p = 1.
///
/// Unlike a paired bootstrap, whose resamples are centred on the observed
/// difference, this test draws from the null distribution itself, and the
/// `+1` keeps it valid (never 0, never anticonservative) at any
/// `resamples`.
///
/// # Panics
/// As [`interval`].
pub fn approximate_randomization_p_value(
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
    assert!(resamples > 0, "bad test settings");
    if a == b {
        return 1.0;
    }
    let observed = (metric.of(&ConfusionMatrix::new(gold, a), zd)
        - metric.of(&ConfusionMatrix::new(gold, b), zd))
    .abs();
    // Items where the systems agree never change under a swap.
    let differ: Vec<usize> = (0..gold.len()).filter(|&i| a[i] != b[i]).collect();
    let mut base_a = ConfusionMatrix::default();
    let mut base_b = ConfusionMatrix::default();
    for i in (0..gold.len()).filter(|&i| a[i] == b[i]) {
        base_a.add(gold[i], a[i]);
        base_b.add(gold[i], b[i]);
    }
    let mut rng = Rng::new(seed);
    let mut at_least = 0usize;
    for _ in 0..resamples {
        let (mut ma, mut mb) = (base_a, base_b);
        for &i in &differ {
            if rng.next_u64() & 1 == 1 {
                ma.add(gold[i], b[i]);
                mb.add(gold[i], a[i]);
            } else {
                ma.add(gold[i], a[i]);
                mb.add(gold[i], b[i]);
            }
        }
        let d = (metric.of(&ma, zd) - metric.of(&mb, zd)).abs();
        if d >= observed - 1e-12 {
            at_least += 1;
        }
    }
    (at_least + 1) as f64 / (resamples + 1) as f64
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
    fn randomization_test_separates_clear_differences_only() {
        let (g, p) = data();
        let ar = |a: &[Stance], b: &[Stance], seed| {
            approximate_randomization_p_value(
                &g,
                a,
                b,
                Metric::MacroF1,
                ZeroDivision::Zero,
                999,
                seed,
            )
        };
        assert_eq!(ar(&p, &p, 1), 1.0);
        let all_none = vec![None; g.len()];
        assert_eq!(ar(&p, &all_none, 1), 0.001);
        // Symmetric in a and b, and seeded.
        assert_eq!(ar(&p, &all_none, 1), ar(&all_none, &p, 1));
        let mut q = p.clone();
        q[1] = None;
        let pv = ar(&p, &q, 3);
        assert!(pv > 0.2, "{pv}");
        assert_eq!(pv, ar(&p, &q, 3));
    }
}
