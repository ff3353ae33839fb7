//! Calibration: how far a model's class probabilities can be taken at face
//! value (scores with bootstrap intervals, a reliability diagram), and
//! calibrators fitted on held-out (probabilities, gold) pairs that map
//! new probabilities to better-calibrated ones.
//!
//! Probabilities are `[f64; 3]` in [`Stance::ALL`] order. Inputs to the
//! scores and to [`Calibrator::fit`] must be finite, in `[0, 1]` and sum
//! to 1 within [`SUM_TOLERANCE`]; [`Calibrator::apply`] accepts anything
//! and always returns a probability vector.
//!
//! # Scores
//! Over `n` items with probabilities `p_i` and one-hot gold `y_i`:
//! * **Brier score** ([`brier`]): `mean_i Σ_c (p_ic − y_ic)²`, summed over
//!   the classes and *not* divided by their number (range `[0, 2]`; the
//!   original Brier 1950 definition; scikit-learn's `brier_score_loss` is
//!   the binary, one-class version).
//! * **Log-loss** ([`log_loss`]): `−mean_i ln max(p_i,gold, 1e-15)`
//!   (natural log; the gold probability is clipped below at
//!   [`PROB_EPS`] so that a zero costs `34.54`, not infinity).
//! * **Expected calibration error** ([`ece`], Guo et al. 2017):
//!   confidence is the top-class probability `max_c p_ic` (ties go to the
//!   earlier class, as the models' argmax), correct means that class is
//!   gold; items fall into [`ECE_BINS`] = 15 equal-width bins
//!   `((b − 1)/15, b/15]` (bin index `⌈15 conf⌉ − 1` in floating point,
//!   a confidence of 0 in the first bin), and
//!   `ECE = Σ_b (|B_b| / n) |acc(B_b) − conf(B_b)|` with `acc` and `conf`
//!   the bin's accuracy and mean confidence. [`reliability_diagram`] gives
//!   the bins themselves (count, mean confidence, accuracy; empty bins
//!   have `None`). ECE is biased upward on small samples.
//!
//! [`score_interval`] and [`report`] add seeded percentile bootstrap
//! intervals: `resamples` resamples of the `n` items with replacement,
//! the score recomputed on each (every score is defined on any non-empty
//! resample, so none is skipped); quantiles are nearest rank on
//! `(len − 1) q`, as in [`crate::eval::bootstrap`].
//!
//! # Calibrators
//! [`Calibrator::fit`] (`method`, probabilities, gold):
//! * **Temperature scaling** (Guo et al. 2017): one `T > 0` on the
//!   log-probabilities taken as logits, `q = softmax(ln p / T)`
//!   (`ln max(p, 1e-15)`), `T` minimising the log-loss. The loss is convex
//!   in `β = 1/T`, so unimodal in `ln T`: golden-section search on
//!   `ln T ∈ [ln 0.01, ln 100]` (100 steps), then Newton steps on `β`
//!   (analytic first and second derivatives), kept inside the bounds and
//!   taken only if the loss does not rise (beyond `1e-12 |loss|` of
//!   rounding), until the step is below `1e-12 β` (at most 50). `T` stays
//!   in `[0.01, 100]` (a bound is returned when the optimum is beyond it,
//!   e.g. perfectly separated data). If every input is uniform the loss is
//!   flat and `T = 1`.
//! * **Platt scaling** per class (Platt 1999, with the Newton method of
//!   Lin, Lin & Weng 2007): for each class `c`, a one-vs-rest logistic
//!   regression `σ(a_c x + b_c)` on the class score
//!   `x = logit(clip(p_c, 1e-15, 1 − 1e-15))` (so `a = 1, b = 0` is the
//!   identity), targets smoothed as Platt's `(N₊ + 1)/(N₊ + 2)` for
//!   positives and `1/(N₋ + 2)` for negatives, fitted by Newton's method
//!   with backtracking from Platt's start `a = 0`,
//!   `b = ln((N₊ + 1)/(N₋ + 1))` (at most 100 iterations; stops when the
//!   gradient is below `1e-10 n`, or takes a last full Newton step when
//!   the decrease it promises is below the loss's rounding, `1e-12 |loss|`);
//!   the three outputs are then renormalised to sum to 1.
//! * **Isotonic regression** per class (Zadrozny & Elkan 2002): for each
//!   class a non-decreasing map from `p_c` to `1[gold = c]`, fitted by
//!   pool-adjacent-violators. Ties: items with equal `p_c` are pooled
//!   first (their mean target at that one point), so the fit does not
//!   depend on input order; adjacent blocks with equal means are merged.
//!   Between knots the map is linear, beyond them constant (as
//!   scikit-learn's `IsotonicRegression` with `out_of_bounds='clip'`);
//!   outputs are renormalised, and if all three are 0 the result is
//!   uniform (scikit-learn's rule).
//!
//! Calibrators take probabilities, not raw scores. A model with raw
//! class scores `s` (e.g. SVM margins) is calibrated through
//! `softmax(s)`: for temperature scaling this is exact, as
//! `softmax(ln softmax(s) / T) = softmax(s / T)`; Platt then works on the
//! logit of each softmax probability rather than on the margin itself.
//! Fit on held-out predictions (e.g. out-of-fold), never on the model's
//! training data.
//!
//! Every output of [`Calibrator::apply`] is finite, in `[0, 1]` and sums
//! to 1 (up to rounding): non-finite or out-of-range inputs are first
//! clamped to `[0, 1]` (NaN as 0), and a vector that cannot be normalised
//! becomes uniform. [`Calibrator`] is serde-serialisable (tagged by
//! `method`) for model files; [`Calibrator::check`] validates a loaded one.
//!
//! # Cost
//! Scores: `O(n)`; intervals `O(resamples × n)`. Fitting: temperature
//! about 110 passes over the `n × 3` inputs; Platt at most 100 Newton
//! iterations (each a few passes) per class; isotonic `O(n log n)` per
//! class (the sort), with at most `2n` knots. Applying: `O(1)` per item,
//! `O(log knots)` for isotonic.
//!
//! ```
//! use stance::eval::calibrate::{brier, Calibrator, Method};
//! use stance::Stance;
//! let probs = [[0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]];
//! let gold = [Stance::Favor, Stance::Against, Stance::Against, Stance::None];
//! let cal = Calibrator::fit(Method::Temperature, &probs, &gold).unwrap();
//! let q = cal.apply(&probs[0]);
//! assert!((q.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//! assert!(brier(&probs, &gold).unwrap() > 0.0);
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::eval::bootstrap::{quantile, Interval};
use crate::label::{Stance, N_CLASSES};
use crate::rng::Rng;

pub use crate::models::Probs;

/// Number of equal-width confidence bins of [`ece`].
pub const ECE_BINS: usize = 15;

/// Probabilities are clipped below at this value before a logarithm.
pub const PROB_EPS: f64 = 1e-15;

/// How far from 1 the sum of an input probability vector may be.
pub const SUM_TOLERANCE: f64 = 1e-6;

/// Smallest temperature [`Calibrator::fit`] returns.
pub const MIN_TEMPERATURE: f64 = 0.01;

/// Largest temperature [`Calibrator::fit`] returns.
pub const MAX_TEMPERATURE: f64 = 100.0;

/// Why a score or calibrator cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// There are no items.
    #[error("no items: need at least one (probabilities, gold) pair")]
    Empty,
    /// Probabilities and gold labels differ in number.
    #[error("{probs} probability vectors but {gold} gold labels; expected one label per vector")]
    LengthMismatch {
        /// Number of probability vectors.
        probs: usize,
        /// Number of gold labels.
        gold: usize,
    },
    /// An input vector is not a probability vector.
    #[error("item index {item}: {message}")]
    BadProbabilities {
        /// The item (0-based).
        item: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A setting is out of range.
    #[error("invalid setting {name}: {message}")]
    InvalidParam {
        /// The setting.
        name: &'static str,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A calibration method name is unknown.
    #[error("unknown calibration method '{0}'; expected temperature|platt|isotonic")]
    UnknownMethod(String),
    /// A (loaded) calibrator breaks its invariants.
    #[error("invalid calibrator: {0}")]
    BadCalibrator(String),
}

/// Result alias of this module.
pub type Result<T, E = CalibrateError> = std::result::Result<T, E>;

/// Checks that `probs` and `gold` pair up and that every vector is a
/// probability vector.
fn validate(probs: &[Probs], gold: &[Stance]) -> Result<()> {
    if probs.len() != gold.len() {
        return Err(CalibrateError::LengthMismatch {
            probs: probs.len(),
            gold: gold.len(),
        });
    }
    if probs.is_empty() {
        return Err(CalibrateError::Empty);
    }
    for (item, p) in probs.iter().enumerate() {
        let sum: f64 = p.iter().sum();
        if !p.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x))
            || (sum - 1.0).abs() > SUM_TOLERANCE
        {
            return Err(CalibrateError::BadProbabilities {
                item,
                message: format!(
                    "probabilities {p:?} (sum {sum}); expected finite values in [0, 1] summing to 1 (±{SUM_TOLERANCE})"
                ),
            });
        }
    }
    Ok(())
}

fn check_bootstrap(resamples: usize, level: f64) -> Result<()> {
    if resamples == 0 {
        return Err(CalibrateError::InvalidParam {
            name: "resamples",
            message: "must be at least 1".into(),
        });
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(CalibrateError::InvalidParam {
            name: "level",
            message: format!("{level}: expected a fraction in (0, 1)"),
        });
    }
    Ok(())
}

/// The top class (first of equal maxima) and its probability.
fn top(p: &Probs) -> (usize, f64) {
    let mut best = 0;
    for c in 1..N_CLASSES {
        if p[c] > p[best] {
            best = c;
        }
    }
    (best, p[best])
}

/// The bin of a confidence among `bins` equal-width bins `((b−1)/B, b/B]`.
fn bin_of(confidence: f64, bins: usize) -> usize {
    ((confidence * bins as f64).ceil() as usize).clamp(1, bins) - 1
}

/// Per-item parts of every score.
#[derive(Debug, Clone, Copy)]
struct ItemScore {
    brier: f64,
    log_loss: f64,
    confidence: f64,
    correct: bool,
}

fn item_scores(probs: &[Probs], gold: &[Stance]) -> Vec<ItemScore> {
    probs
        .iter()
        .zip(gold)
        .map(|(p, g)| {
            let y = g.index();
            let brier = (0..N_CLASSES)
                .map(|c| {
                    let d = p[c] - f64::from(u8::from(c == y));
                    d * d
                })
                .sum();
            let (best, confidence) = top(p);
            ItemScore {
                brier,
                log_loss: -p[y].max(PROB_EPS).ln(),
                confidence,
                correct: best == y,
            }
        })
        .collect()
}

/// Multi-class Brier score (see the module docs), in `[0, 2]`.
///
/// # Errors
/// [`CalibrateError::Empty`], [`CalibrateError::LengthMismatch`],
/// [`CalibrateError::BadProbabilities`].
pub fn brier(probs: &[Probs], gold: &[Stance]) -> Result<f64> {
    Score::Brier.of(probs, gold)
}

/// Log-loss with natural logarithms and the gold probability clipped below
/// at [`PROB_EPS`].
///
/// # Errors
/// As [`brier`].
pub fn log_loss(probs: &[Probs], gold: &[Stance]) -> Result<f64> {
    Score::LogLoss.of(probs, gold)
}

/// Expected calibration error over [`ECE_BINS`] equal-width bins of the
/// top-class confidence, in `[0, 1]`.
///
/// # Errors
/// As [`brier`].
pub fn ece(probs: &[Probs], gold: &[Stance]) -> Result<f64> {
    Score::Ece.of(probs, gold)
}

/// One confidence bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReliabilityBin {
    /// Lower edge (excluded, except 0 for the first bin).
    pub lo: f64,
    /// Upper edge (included).
    pub hi: f64,
    /// Items in the bin.
    pub count: usize,
    /// Mean top-class confidence of its items (`None` when empty).
    pub mean_confidence: Option<f64>,
    /// Fraction of its items whose top class is gold (`None` when empty).
    pub accuracy: Option<f64>,
}

/// Data for a reliability diagram: equal-width bins of the top-class
/// confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliabilityDiagram {
    /// The bins, from low to high confidence.
    pub bins: Vec<ReliabilityBin>,
    /// Number of items.
    pub items: usize,
}

impl ReliabilityDiagram {
    /// `Σ_b (count_b / n) |accuracy_b − mean_confidence_b|` over the
    /// non-empty bins.
    pub fn ece(&self) -> f64 {
        self.bins
            .iter()
            .filter_map(|b| {
                let (a, c) = (b.accuracy?, b.mean_confidence?);
                Some(b.count as f64 / self.items as f64 * (a - c).abs())
            })
            .sum()
    }
}

/// Accumulates the bins of a multiset of items.
fn diagram<'a>(items: impl Iterator<Item = &'a ItemScore>, bins: usize) -> ReliabilityDiagram {
    let mut acc = Sums::new(bins);
    for s in items {
        acc.add(s, bin_of(s.confidence, bins));
    }
    acc.diagram()
}

/// Running sums of item scores: what every score of a set of items needs,
/// in one pass (items are added in order, so the sums are those of
/// [`Score::on`] and [`diagram`] over the same items).
struct Sums {
    n: usize,
    brier: f64,
    log_loss: f64,
    count: Vec<usize>,
    conf: Vec<f64>,
    correct: Vec<usize>,
}

impl Sums {
    fn new(bins: usize) -> Sums {
        Sums {
            n: 0,
            brier: 0.0,
            log_loss: 0.0,
            count: vec![0; bins],
            conf: vec![0.0; bins],
            correct: vec![0; bins],
        }
    }

    fn add(&mut self, s: &ItemScore, bin: usize) {
        self.n += 1;
        self.brier += s.brier;
        self.log_loss += s.log_loss;
        self.count[bin] += 1;
        self.conf[bin] += s.confidence;
        self.correct[bin] += usize::from(s.correct);
    }

    fn score(&self, score: Score) -> f64 {
        match score {
            Score::Brier => self.brier / self.n as f64,
            Score::LogLoss => self.log_loss / self.n as f64,
            Score::Ece => self.diagram().ece(),
        }
    }

    fn diagram(&self) -> ReliabilityDiagram {
        let bins = self.count.len();
        ReliabilityDiagram {
            bins: (0..bins)
                .map(|b| {
                    let k = self.count[b] as f64;
                    ReliabilityBin {
                        lo: b as f64 / bins as f64,
                        hi: (b + 1) as f64 / bins as f64,
                        count: self.count[b],
                        mean_confidence: (self.count[b] > 0).then(|| self.conf[b] / k),
                        accuracy: (self.count[b] > 0).then(|| self.correct[b] as f64 / k),
                    }
                })
                .collect(),
            items: self.n,
        }
    }
}

/// The reliability diagram over `bins` equal-width bins (use
/// [`ECE_BINS`] to match [`ece`]).
///
/// # Errors
/// As [`brier`]; [`CalibrateError::InvalidParam`] for `bins == 0`.
pub fn reliability_diagram(
    probs: &[Probs],
    gold: &[Stance],
    bins: usize,
) -> Result<ReliabilityDiagram> {
    if bins == 0 {
        return Err(CalibrateError::InvalidParam {
            name: "bins",
            message: "must be at least 1".into(),
        });
    }
    validate(probs, gold)?;
    Ok(diagram(item_scores(probs, gold).iter(), bins))
}

/// A calibration score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Score {
    /// [`brier`].
    Brier,
    /// [`log_loss`].
    LogLoss,
    /// [`ece`].
    Ece,
}

impl Score {
    /// The three scores, in report order.
    pub const ALL: [Score; 3] = [Score::Brier, Score::LogLoss, Score::Ece];

    /// Column-name stem in reports.
    pub fn name(self) -> &'static str {
        match self {
            Score::Brier => "brier",
            Score::LogLoss => "log_loss",
            Score::Ece => "ece",
        }
    }

    /// The score of `probs` against `gold`.
    ///
    /// # Errors
    /// As [`brier`].
    pub fn of(self, probs: &[Probs], gold: &[Stance]) -> Result<f64> {
        validate(probs, gold)?;
        Ok(self.on(item_scores(probs, gold).iter()))
    }

    /// The score of a (multi)set of items (at least one).
    fn on<'a>(self, items: impl Iterator<Item = &'a ItemScore>) -> f64 {
        fn mean<'a>(items: impl Iterator<Item = &'a ItemScore>, f: fn(&ItemScore) -> f64) -> f64 {
            let (s, n) = items.fold((0.0, 0usize), |(s, n), i| (s + f(i), n + 1));
            s / n as f64
        }
        match self {
            Score::Brier => mean(items, |i| i.brier),
            Score::LogLoss => mean(items, |i| i.log_loss),
            Score::Ece => diagram(items, ECE_BINS).ece(),
        }
    }
}

/// A score with its bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreEstimate {
    /// The score on all items.
    pub point: f64,
    /// The percentile interval.
    pub interval: Interval,
    /// The interval level (e.g. 0.95).
    pub level: f64,
    /// Resamples drawn.
    pub resamples: usize,
}

fn estimate(
    items: &[ItemScore],
    score: Score,
    resamples: usize,
    level: f64,
    seed: u64,
) -> ScoreEstimate {
    let [e] = estimates(items, [score], resamples, level, seed);
    e
}

/// [`estimate`] of several scores from one pass over the resamples: each
/// resample is drawn once and scored by every score. The same seed draws
/// the same resamples, so each estimate equals [`estimate`] of its score.
fn estimates<const K: usize>(
    items: &[ItemScore],
    scores: [Score; K],
    resamples: usize,
    level: f64,
    seed: u64,
) -> [ScoreEstimate; K] {
    let n = items.len();
    let mut rng = Rng::new(seed);
    let bins: Vec<usize> = items
        .iter()
        .map(|s| bin_of(s.confidence, ECE_BINS))
        .collect();
    let mut stats: [Vec<f64>; K] = std::array::from_fn(|_| Vec::with_capacity(resamples));
    for _ in 0..resamples {
        let mut sums = Sums::new(ECE_BINS);
        for _ in 0..n {
            let i = rng.below(n);
            sums.add(&items[i], bins[i]);
        }
        for (k, &score) in scores.iter().enumerate() {
            stats[k].push(sums.score(score));
        }
    }
    let a = (1.0 - level) / 2.0;
    let mut stats = stats.into_iter();
    scores.map(|score| {
        let mut st = stats.next().unwrap_or_default();
        st.sort_by(f64::total_cmp);
        ScoreEstimate {
            point: score.on(items.iter()),
            interval: Interval {
                lo: quantile(&st, a),
                hi: quantile(&st, 1.0 - a),
            },
            level,
            resamples,
        }
    })
}

/// Seeded percentile bootstrap interval (`level`, e.g. 0.95) of `score`,
/// resampling the items with replacement `resamples` times.
///
/// # Errors
/// As [`brier`]; [`CalibrateError::InvalidParam`] for `resamples == 0` or
/// `level` outside `(0, 1)`.
pub fn score_interval(
    probs: &[Probs],
    gold: &[Stance],
    score: Score,
    resamples: usize,
    level: f64,
    seed: u64,
) -> Result<ScoreEstimate> {
    check_bootstrap(resamples, level)?;
    validate(probs, gold)?;
    Ok(estimate(
        &item_scores(probs, gold),
        score,
        resamples,
        level,
        seed,
    ))
}

/// Every calibration score with its interval, and the reliability diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationReport {
    /// [`brier`] with its interval.
    pub brier: ScoreEstimate,
    /// [`log_loss`] with its interval.
    pub log_loss: ScoreEstimate,
    /// [`ece`] with its interval.
    pub ece: ScoreEstimate,
    /// The [`ECE_BINS`]-bin reliability diagram.
    pub diagram: ReliabilityDiagram,
}

/// Scores `probs` against `gold`: the three scores with intervals (each
/// from the same `seed`, so from the same resamples) and the diagram.
///
/// # Errors
/// As [`score_interval`].
pub fn report(
    probs: &[Probs],
    gold: &[Stance],
    resamples: usize,
    level: f64,
    seed: u64,
) -> Result<CalibrationReport> {
    check_bootstrap(resamples, level)?;
    validate(probs, gold)?;
    let items = item_scores(probs, gold);
    let [brier, log_loss, ece] = estimates(
        &items,
        [Score::Brier, Score::LogLoss, Score::Ece],
        resamples,
        level,
        seed,
    );
    Ok(CalibrationReport {
        brier,
        log_loss,
        ece,
        diagram: diagram(items.iter(), ECE_BINS),
    })
}

/// A calibration method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Temperature scaling.
    Temperature,
    /// Platt (sigmoid) scaling per class.
    Platt,
    /// Isotonic regression per class.
    Isotonic,
}

impl Method {
    /// The methods, in report order.
    pub const ALL: [Method; 3] = [Method::Temperature, Method::Platt, Method::Isotonic];

    /// Name as written on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Method::Temperature => "temperature",
            Method::Platt => "platt",
            Method::Isotonic => "isotonic",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = CalibrateError;

    /// Parses a [`Method::name`], ignoring ASCII case and surrounding
    /// whitespace.
    fn from_str(s: &str) -> Result<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| CalibrateError::UnknownMethod(s.to_owned()))
    }
}

/// A non-decreasing piecewise-linear map fitted by isotonic regression:
/// knots `(x_j, y_j)` with `x` strictly increasing and `y` non-decreasing;
/// linear between knots, constant beyond them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsotonicCurve {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl IsotonicCurve {
    /// Least-squares non-decreasing fit of `y` on `x` (pool-adjacent-
    /// violators; equal `x` pooled first, so the result does not depend on
    /// the input order).
    ///
    /// # Errors
    /// [`CalibrateError::Empty`], [`CalibrateError::LengthMismatch`], and
    /// [`CalibrateError::BadProbabilities`] for a non-finite value.
    pub fn fit(x: &[f64], y: &[f64]) -> Result<IsotonicCurve> {
        if x.len() != y.len() {
            return Err(CalibrateError::LengthMismatch {
                probs: x.len(),
                gold: y.len(),
            });
        }
        if x.is_empty() {
            return Err(CalibrateError::Empty);
        }
        if let Some(item) = (0..x.len()).find(|&i| !x[i].is_finite() || !y[i].is_finite()) {
            return Err(CalibrateError::BadProbabilities {
                item,
                message: format!("({}, {}): expected finite values", x[item], y[item]),
            });
        }
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
        // Blocks (x_lo, x_hi, sum of y, weight), pooled as we go.
        let mut blocks: Vec<(f64, f64, f64, f64)> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let xi = x[order[i]];
            let (mut sum, mut w) = (0.0, 0.0);
            while i < order.len() && x[order[i]] == xi {
                sum += y[order[i]];
                w += 1.0;
                i += 1;
            }
            blocks.push((xi, xi, sum, w));
            while blocks.len() >= 2 {
                let (lo1, _, s1, w1) = blocks[blocks.len() - 2];
                let (_, hi2, s2, w2) = blocks[blocks.len() - 1];
                if s1 / w1 < s2 / w2 {
                    break;
                }
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (lo1, hi2, s1 + s2, w1 + w2);
            }
        }
        let mut curve = IsotonicCurve {
            x: Vec::with_capacity(2 * blocks.len()),
            y: Vec::with_capacity(2 * blocks.len()),
        };
        for (lo, hi, s, w) in blocks {
            let v = s / w;
            curve.x.push(lo);
            curve.y.push(v);
            if hi > lo {
                curve.x.push(hi);
                curve.y.push(v);
            }
        }
        Ok(curve)
    }

    /// The map at `x` (NaN maps as the lowest knot).
    pub fn eval(&self, x: f64) -> f64 {
        let (xs, ys) = (&self.x, &self.y);
        let last = xs.len() - 1;
        if x.is_nan() || x <= xs[0] {
            return ys[0];
        }
        if x >= xs[last] {
            return ys[last];
        }
        let j = xs.partition_point(|&v| v <= x);
        let i = j - 1;
        ys[i] + (ys[j] - ys[i]) * (x - xs[i]) / (xs[j] - xs[i])
    }

    /// The knots `(x, y)`.
    pub fn knots(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.x.iter().copied().zip(self.y.iter().copied())
    }

    fn check(&self) -> std::result::Result<(), String> {
        if self.x.is_empty() || self.x.len() != self.y.len() {
            return Err(format!(
                "isotonic curve with {} x and {} y knots; expected the same non-zero number",
                self.x.len(),
                self.y.len()
            ));
        }
        if !self.x.iter().chain(&self.y).all(|v| v.is_finite())
            || !self.x.windows(2).all(|w| w[0] < w[1])
            || !self.y.windows(2).all(|w| w[0] <= w[1])
            || !self.y.iter().all(|v| (0.0..=1.0).contains(v))
        {
            return Err(
                "isotonic knots must be finite, x strictly increasing, y non-decreasing in [0, 1]"
                    .into(),
            );
        }
        Ok(())
    }
}

/// A fitted calibrator (see the module docs for each method).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Calibrator {
    /// `q = softmax(ln p / temperature)`.
    Temperature {
        /// `T` in `[0.01, 100]` when fitted; `T > 1` softens, `T < 1`
        /// sharpens.
        temperature: f64,
    },
    /// `q_c ∝ σ(slope_c · logit(p_c) + intercept_c)`.
    Platt {
        /// `a_c` per class.
        slope: [f64; N_CLASSES],
        /// `b_c` per class.
        intercept: [f64; N_CLASSES],
    },
    /// `q_c ∝ curve_c(p_c)`.
    Isotonic {
        /// One curve per class.
        curves: [IsotonicCurve; N_CLASSES],
    },
}

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// `1 / (1 + e^−z)` without overflow.
fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Logit of a probability clipped to `[PROB_EPS, 1 − PROB_EPS]`.
fn logit(p: f64) -> f64 {
    let p = p.clamp(PROB_EPS, 1.0 - PROB_EPS);
    (p / (1.0 - p)).ln()
}

/// An input value as a probability: clamped to `[0, 1]`, NaN as 0.
fn sanitize(p: &Probs) -> Probs {
    p.map(|x| if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) })
}

/// Normalises non-negative weights; uniform if that is impossible.
fn normalize_or_uniform(q: Probs) -> Probs {
    let q = q.map(|x| if x.is_finite() && x > 0.0 { x } else { 0.0 });
    let s: f64 = q.iter().sum();
    if s > 0.0 && s.is_finite() {
        q.map(|x| (x / s).min(1.0))
    } else {
        [1.0 / N_CLASSES as f64; N_CLASSES]
    }
}

/// `softmax(l)` of finite log-weights (log-sum-exp shifted).
fn softmax(l: Probs) -> Probs {
    let m = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    normalize_or_uniform(l.map(|x| (x - m).exp()))
}

/// Temperature scaling's loss in `β = 1/T` with its first two
/// derivatives: `mean_i [lse(β z_i) − β z_i,y]`.
fn temperature_loss(z: &[Probs], y: &[usize], beta: f64) -> (f64, f64, f64) {
    let (mut f, mut g, mut h) = (0.0, 0.0, 0.0);
    for (zi, &yi) in z.iter().zip(y) {
        let m = zi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w = zi.map(|v| (beta * (v - m)).exp());
        let s: f64 = w.iter().sum();
        let e: f64 = (0..N_CLASSES).map(|c| w[c] * zi[c]).sum::<f64>() / s;
        let e2: f64 = (0..N_CLASSES).map(|c| w[c] * zi[c] * zi[c]).sum::<f64>() / s;
        f += beta * m + s.ln() - beta * zi[yi];
        g += e - zi[yi];
        h += (e2 - e * e).max(0.0);
    }
    let n = z.len() as f64;
    (f / n, g / n, h / n)
}

fn fit_temperature(probs: &[Probs], gold: &[Stance]) -> f64 {
    let z: Vec<Probs> = probs
        .iter()
        .map(|p| p.map(|x| x.max(PROB_EPS).ln()))
        .collect();
    let y: Vec<usize> = gold.iter().map(|g| g.index()).collect();
    if z.iter().all(|zi| zi.iter().all(|&v| v == zi[0])) {
        return 1.0;
    }
    let loss_at_log_t = |t: f64| temperature_loss(&z, &y, (-t).exp()).0;
    // Golden-section search on ln T.
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (MIN_TEMPERATURE.ln(), MAX_TEMPERATURE.ln());
    let mut c = b - phi * (b - a);
    let mut d = a + phi * (b - a);
    let (mut fc, mut fd) = (loss_at_log_t(c), loss_at_log_t(d));
    for _ in 0..100 {
        if fc <= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - phi * (b - a);
            fc = loss_at_log_t(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + phi * (b - a);
            fd = loss_at_log_t(d);
        }
    }
    // Newton on β, kept inside the bounds and only taken if it helps.
    let (beta_lo, beta_hi) = (1.0 / MAX_TEMPERATURE, 1.0 / MIN_TEMPERATURE);
    let mut beta = (-(a + b) / 2.0).exp().clamp(beta_lo, beta_hi);
    for _ in 0..50 {
        let (f, g, h) = temperature_loss(&z, &y, beta);
        if h <= 0.0 || !h.is_finite() {
            break;
        }
        let next = (beta - g / h).clamp(beta_lo, beta_hi);
        let step = (next - beta).abs();
        // Allow for rounding in the loss (a mean of n terms).
        if temperature_loss(&z, &y, next).0 > f + 1e-12 * f.abs().max(1.0) {
            break;
        }
        beta = next;
        if step <= 1e-12 * beta {
            break;
        }
    }
    // The bounds exactly (1/β rounds), and T inside them.
    if beta >= beta_hi {
        MIN_TEMPERATURE
    } else if beta <= beta_lo {
        MAX_TEMPERATURE
    } else {
        (1.0 / beta).clamp(MIN_TEMPERATURE, MAX_TEMPERATURE)
    }
}

/// Platt's smoothed one-vs-rest logistic fit of `positive` on `x`:
/// returns `(a, b)` of `σ(a x + b)`.
fn fit_platt_class(x: &[f64], positive: &[bool]) -> (f64, f64) {
    let n_pos = positive.iter().filter(|&&p| p).count() as f64;
    let n_neg = positive.len() as f64 - n_pos;
    let (t_pos, t_neg) = ((n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0));
    let t: Vec<f64> = positive
        .iter()
        .map(|&p| if p { t_pos } else { t_neg })
        .collect();
    let loss = |a: f64, b: f64| -> f64 {
        x.iter()
            .zip(&t)
            .map(|(&xi, &ti)| {
                let z = a * xi + b;
                ti * softplus(-z) + (1.0 - ti) * softplus(z)
            })
            .sum()
    };
    let (mut a, mut b) = (0.0, ((n_pos + 1.0) / (n_neg + 1.0)).ln());
    let mut f = loss(a, b);
    let tol = 1e-10 * x.len() as f64;
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&xi, &ti) in x.iter().zip(&t) {
            let s = sigmoid(a * xi + b);
            let (r, v) = (s - ti, s * (1.0 - s));
            ga += r * xi;
            gb += r;
            haa += v * xi * xi;
            hab += v * xi;
            hbb += v;
        }
        if ga.abs().max(gb.abs()) < tol {
            break;
        }
        // A tiny ridge keeps the 2×2 system solvable when x is constant.
        let (haa, hbb) = (haa + 1e-12, hbb + 1e-12);
        let det = haa * hbb - hab * hab;
        let (da, db) = if det > 0.0 && det.is_finite() {
            (-(hbb * ga - hab * gb) / det, -(haa * gb - hab * ga) / det)
        } else {
            (-ga, -gb)
        };
        let slope = ga * da + gb * db;
        // Near the optimum the decrease a Newton step promises is below
        // what the loss (a sum of n terms) can resolve: take the full step
        // as the final polish instead of backtracking on rounding noise.
        if -0.5 * slope <= 1e-12 * f.abs().max(1.0) {
            (a, b) = (a + da, b + db);
            break;
        }
        let mut step = 1.0;
        let mut moved = false;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = loss(na, nb);
            if nf.is_finite() && nf <= f + 1e-4 * step * slope {
                (a, b, f) = (na, nb, nf);
                moved = true;
                break;
            }
            step /= 2.0;
        }
        if !moved {
            break;
        }
    }
    (a, b)
}

impl fmt::Display for Calibrator {
    /// The method, with the temperature for temperature scaling
    /// (`temperature T=1.2345`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Calibrator::Temperature { temperature } => write!(f, "temperature T={temperature:.4}"),
            other => write!(f, "{}", other.method()),
        }
    }
}

impl Calibrator {
    /// Fits a calibrator of `method` on held-out `probs` and their `gold`
    /// classes (fit on data the model was not trained on).
    ///
    /// # Errors
    /// [`CalibrateError::Empty`], [`CalibrateError::LengthMismatch`],
    /// [`CalibrateError::BadProbabilities`].
    pub fn fit(method: Method, probs: &[Probs], gold: &[Stance]) -> Result<Calibrator> {
        validate(probs, gold)?;
        Ok(match method {
            Method::Temperature => Calibrator::Temperature {
                temperature: fit_temperature(probs, gold),
            },
            Method::Platt => {
                let mut slope = [0.0; N_CLASSES];
                let mut intercept = [0.0; N_CLASSES];
                for c in 0..N_CLASSES {
                    let x: Vec<f64> = probs.iter().map(|p| logit(p[c])).collect();
                    let pos: Vec<bool> = gold.iter().map(|g| g.index() == c).collect();
                    (slope[c], intercept[c]) = fit_platt_class(&x, &pos);
                }
                Calibrator::Platt { slope, intercept }
            }
            Method::Isotonic => {
                let curve = |c: usize| {
                    let x: Vec<f64> = probs.iter().map(|p| p[c]).collect();
                    let y: Vec<f64> = gold
                        .iter()
                        .map(|g| f64::from(u8::from(g.index() == c)))
                        .collect();
                    IsotonicCurve::fit(&x, &y)
                };
                Calibrator::Isotonic {
                    curves: [curve(0)?, curve(1)?, curve(2)?],
                }
            }
        })
    }

    /// The method this calibrator was fitted with.
    pub fn method(&self) -> Method {
        match self {
            Calibrator::Temperature { .. } => Method::Temperature,
            Calibrator::Platt { .. } => Method::Platt,
            Calibrator::Isotonic { .. } => Method::Isotonic,
        }
    }

    /// Calibrated probabilities of `p`: finite, in `[0, 1]`, summing to 1
    /// (up to rounding) whatever `p` is (see the module docs).
    pub fn apply(&self, p: &Probs) -> Probs {
        let p = sanitize(p);
        match self {
            Calibrator::Temperature { temperature } => {
                let t = if temperature.is_finite() && *temperature > 0.0 {
                    *temperature
                } else {
                    1.0
                };
                softmax(p.map(|x| x.max(PROB_EPS).ln() / t))
            }
            Calibrator::Platt { slope, intercept } => {
                let mut l = [0.0; N_CLASSES];
                for c in 0..N_CLASSES {
                    let z = slope[c] * logit(p[c]) + intercept[c];
                    // ln σ(z); a non-finite parameter gives weight 0.
                    l[c] = if z.is_nan() {
                        f64::NEG_INFINITY
                    } else {
                        -softplus(-z)
                    };
                }
                if l.iter().all(|v| *v == f64::NEG_INFINITY) {
                    return normalize_or_uniform([0.0; N_CLASSES]);
                }
                softmax(l)
            }
            Calibrator::Isotonic { curves } => {
                normalize_or_uniform([0, 1, 2].map(|c| curves[c].eval(p[c])))
            }
        }
    }

    /// [`Calibrator::apply`] on every vector.
    pub fn apply_all(&self, probs: &[Probs]) -> Vec<Probs> {
        probs.iter().map(|p| self.apply(p)).collect()
    }

    /// Checks the invariants a fitted calibrator has (for one read from a
    /// file): a finite temperature in `[0.01, 100]`, finite Platt
    /// parameters, well-formed isotonic knots.
    ///
    /// # Errors
    /// [`CalibrateError::BadCalibrator`] saying what is wrong.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(CalibrateError::BadCalibrator(m));
        match self {
            Calibrator::Temperature { temperature: t } => {
                if !(MIN_TEMPERATURE..=MAX_TEMPERATURE).contains(t) {
                    return bad(format!(
                        "temperature {t}; expected a value in [{MIN_TEMPERATURE}, {MAX_TEMPERATURE}]"
                    ));
                }
            }
            Calibrator::Platt { slope, intercept } => {
                if !slope.iter().chain(intercept).all(|v| v.is_finite()) {
                    return bad(format!(
                        "platt slopes {slope:?} and intercepts {intercept:?}; expected finite values"
                    ));
                }
            }
            Calibrator::Isotonic { curves } => {
                for (c, curve) in curves.iter().enumerate() {
                    if let Err(m) = curve.check() {
                        return bad(format!("class {}: {m}", Stance::ALL[c]));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use proptest::prelude::*;
    use Stance::{Against, Favor};

    const NONE: Stance = Stance::None;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    fn is_probs(q: &Probs) -> bool {
        q.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x))
            && (q.iter().sum::<f64>() - 1.0).abs() < 1e-12
    }

    #[test]
    fn brier_and_log_loss_hand_computed() {
        // favor:   (0.7−1)² + 0.2² + 0.1² = 0.09 + 0.04 + 0.01 = 0.14
        // none:    0.1² + 0.6² + (0.3−1)² = 0.01 + 0.36 + 0.49 = 0.86
        // against: 0.2² + (0.5−1)² + 0.3² = 0.04 + 0.25 + 0.09 = 0.38
        // Brier = 1.38 / 3 = 0.46.
        // log-loss = −(ln 0.7 + ln 0.3 + ln 0.5)/3 = −ln(0.105)/3 = 0.7513.
        let probs = [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.2, 0.5, 0.3]];
        let gold = [Favor, NONE, Against];
        assert!(close(brier(&probs, &gold).unwrap(), 0.46, 1e-12));
        let ll = log_loss(&probs, &gold).unwrap();
        assert!(close(ll, -(0.105f64).ln() / 3.0, 1e-12), "{ll}");
        assert!(close(ll, 0.751_265, 1e-6));
        // A gold probability of 0 costs −ln 1e-15 = 34.539, not infinity.
        let ll = log_loss(&[[1.0, 0.0, 0.0]], &[Against]).unwrap();
        assert!(close(ll, 15.0 * 10f64.ln(), 1e-9), "{ll}");
        // Perfect and worst predictions.
        assert_eq!(brier(&[[1.0, 0.0, 0.0]], &[Favor]).unwrap(), 0.0);
        assert_eq!(brier(&[[1.0, 0.0, 0.0]], &[NONE]).unwrap(), 2.0);
    }

    #[test]
    fn ece_and_diagram_hand_computed() {
        // Confidences 0.9 (correct) and 0.88 (wrong) share bin 13,
        // (13/15, 14/15] = (0.867, 0.933]: accuracy 0.5, confidence 0.89.
        // 0.5 (correct) is in bin 7, (0.467, 0.533]; 0.42 (wrong) in bin 6,
        // (0.4, 0.467]. ECE = 2/4·|0.5 − 0.89| + 1/4·|1 − 0.5|
        // + 1/4·|0 − 0.42| = 0.195 + 0.125 + 0.105 = 0.425.
        let probs = [
            [0.9, 0.05, 0.05],
            [0.88, 0.1, 0.02],
            [0.2, 0.5, 0.3],
            [0.42, 0.33, 0.25],
        ];
        let gold = [Favor, Against, Against, NONE];
        assert!(close(ece(&probs, &gold).unwrap(), 0.425, 1e-12));
        let d = reliability_diagram(&probs, &gold, ECE_BINS).unwrap();
        assert_eq!(d.bins.len(), 15);
        let filled: Vec<(usize, usize)> = d
            .bins
            .iter()
            .enumerate()
            .filter(|(_, b)| b.count > 0)
            .map(|(i, b)| (i, b.count))
            .collect();
        assert_eq!(filled, vec![(6, 1), (7, 1), (13, 2)]);
        let b = d.bins[13];
        assert!(close(b.lo, 13.0 / 15.0, 1e-12) && close(b.hi, 14.0 / 15.0, 1e-12));
        assert!(close(b.mean_confidence.unwrap(), 0.89, 1e-12));
        assert_eq!(b.accuracy, Some(0.5));
        assert_eq!(d.bins[0].accuracy, None);
        // Top-class ties go to the earlier class: favor here, wrong.
        let e = ece(&[[0.5, 0.5, 0.0]], &[Against]).unwrap();
        assert!(close(e, 0.5, 1e-12));
        // Edges: bin_of puts b/B in bin b − 1 and 0 in bin 0.
        assert_eq!(
            (bin_of(0.0, 15), bin_of(1.0, 15), bin_of(0.5, 2)),
            (0, 14, 0)
        );
    }

    #[test]
    fn inputs_are_validated() {
        assert_eq!(brier(&[], &[]), Err(CalibrateError::Empty));
        assert!(matches!(
            brier(&[[1.0, 0.0, 0.0]], &[]),
            Err(CalibrateError::LengthMismatch { probs: 1, gold: 0 })
        ));
        let e = ece(&[[1.0, 0.0, 0.0], [0.5, 0.4, 0.0]], &[Favor, Favor]).unwrap_err();
        assert!(matches!(
            e,
            CalibrateError::BadProbabilities { item: 1, .. }
        ));
        assert!(
            e.to_string().starts_with("item index 1: probabilities"),
            "{e}"
        );
        assert!(matches!(
            Calibrator::fit(Method::Platt, &[[f64::NAN, 0.5, 0.5]], &[Favor]),
            Err(CalibrateError::BadProbabilities { item: 0, .. })
        ));
        assert!(matches!(
            reliability_diagram(&[[1.0, 0.0, 0.0]], &[Favor], 0),
            Err(CalibrateError::InvalidParam { name: "bins", .. })
        ));
        assert!(matches!(
            score_interval(&[[1.0, 0.0, 0.0]], &[Favor], Score::Brier, 0, 0.95, 1),
            Err(CalibrateError::InvalidParam {
                name: "resamples",
                ..
            })
        ));
        assert_eq!("Isotonic".parse::<Method>(), Ok(Method::Isotonic));
        assert_eq!(
            "beta".parse::<Method>().unwrap_err().to_string(),
            "unknown calibration method 'beta'; expected temperature|platt|isotonic"
        );
    }

    #[test]
    fn intervals_are_seeded_and_bracket_the_point() {
        let (probs, gold) = synthetic(400, 2.0, 5);
        let r = report(&probs, &gold, 300, 0.95, 11).unwrap();
        for s in [r.brier, r.log_loss, r.ece] {
            assert!(
                s.interval.lo <= s.point && s.point <= s.interval.hi,
                "{s:?}"
            );
            assert!(s.interval.lo < s.interval.hi);
        }
        assert!(close(r.diagram.ece(), r.ece.point, 1e-12));
        assert_eq!(
            r.ece,
            score_interval(&probs, &gold, Score::Ece, 300, 0.95, 11).unwrap()
        );
        assert_ne!(
            r.ece,
            score_interval(&probs, &gold, Score::Ece, 300, 0.95, 12).unwrap()
        );
    }

    #[test]
    fn temperature_known_answer() {
        // Every item says [0.6, 0.2, 0.2]; gold is favor half the time.
        // softmax(ln p / T) gives favor 1/(1 + 2·3^(−1/T)), and the
        // log-loss is least when that is the observed 1/2: 3^(1/T) = 2,
        // T = ln 3 / ln 2 = 1.585.
        let probs = [[0.6, 0.2, 0.2]; 4];
        let gold = [Favor, Favor, Against, NONE];
        let Calibrator::Temperature { temperature } =
            Calibrator::fit(Method::Temperature, &probs, &gold).unwrap()
        else {
            panic!("temperature expected")
        };
        assert!(
            close(temperature, 3f64.ln() / 2f64.ln(), 1e-9),
            "{temperature}"
        );
        // Uniform inputs: the loss is flat and T = 1.
        let u = [[1.0 / 3.0; 3]; 3];
        assert_eq!(
            Calibrator::fit(Method::Temperature, &u, &[Favor, Against, NONE]).unwrap(),
            Calibrator::Temperature { temperature: 1.0 }
        );
        // Perfectly separated, confident and right: T at its lower bound.
        let sharp = [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05]];
        let Calibrator::Temperature { temperature } =
            Calibrator::fit(Method::Temperature, &sharp, &[Favor, Against]).unwrap()
        else {
            panic!("temperature expected")
        };
        assert!(close(temperature, MIN_TEMPERATURE, 1e-12), "{temperature}");
    }

    #[test]
    fn platt_known_answer() {
        // Favor scores logit(0.8) = ln 4 on four items (3 favor) and
        // logit(0.2) = −ln 4 on four (1 favor). N₊ = N₋ = 4: targets 5/6
        // and 1/6, mean target 2/3 at ln 4 and 1/3 at −ln 4. Two points and
        // two parameters: σ(a ln 4 + b) = 2/3 and σ(−a ln 4 + b) = 1/3, so
        // b = 0 and a ln 4 = ln 2: a = 1/2.
        let hi = [0.8, 0.1, 0.1];
        let lo = [0.2, 0.4, 0.4];
        let probs = [hi, hi, hi, hi, lo, lo, lo, lo];
        let gold = [Favor, Favor, Favor, Against, Favor, Against, NONE, NONE];
        let Calibrator::Platt { slope, intercept } =
            Calibrator::fit(Method::Platt, &probs, &gold).unwrap()
        else {
            panic!("platt expected")
        };
        assert!(close(slope[0], 0.5, 1e-8), "{slope:?}");
        assert!(close(intercept[0], 0.0, 1e-8), "{intercept:?}");
    }

    #[test]
    fn isotonic_known_answer_and_ties() {
        // x: 0.1 0.2 0.2 0.3 0.4 0.5; y: 0 1 0 0 1 1. The tie at 0.2 pools
        // to 1/2, which violates against 0 at 0.3: pooled (0.2..0.3) = 1/3;
        // 1 and 1 at 0.4, 0.5 pool to 1. Knots (0.1, 0), (0.2, 1/3),
        // (0.3, 1/3), (0.4, 1), (0.5, 1).
        let x = [0.1, 0.2, 0.2, 0.3, 0.4, 0.5];
        let y = [0.0, 1.0, 0.0, 0.0, 1.0, 1.0];
        let c = IsotonicCurve::fit(&x, &y).unwrap();
        let knots: Vec<(f64, f64)> = c.knots().collect();
        let t = 1.0 / 3.0;
        let want = [(0.1, 0.0), (0.2, t), (0.3, t), (0.4, 1.0), (0.5, 1.0)];
        assert_eq!(knots.len(), want.len());
        for (k, w) in knots.iter().zip(want) {
            assert!(
                close(k.0, w.0, 1e-15) && close(k.1, w.1, 1e-15),
                "{knots:?}"
            );
        }
        // Linear between knots, constant outside.
        assert!(close(c.eval(0.35), 2.0 / 3.0, 1e-12));
        assert!(close(c.eval(0.25), t, 1e-12));
        assert_eq!(
            (c.eval(0.0), c.eval(0.9), c.eval(f64::NAN)),
            (0.0, 1.0, 0.0)
        );
        // The order of tied (and other) inputs does not matter.
        let c2 = IsotonicCurve::fit(
            &[0.5, 0.2, 0.4, 0.2, 0.3, 0.1],
            &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0],
        )
        .unwrap();
        assert_eq!(c, c2);
    }

    /// `n` items whose true class probabilities `p` come from random
    /// logits; gold is drawn from `p`; the reported probabilities are `p`
    /// sharpened by the power `sharpen` (over-confident for `sharpen > 1`,
    /// calibrated for 1).
    fn synthetic(n: usize, sharpen: f64, seed: u64) -> (Vec<Probs>, Vec<Stance>) {
        let mut rng = Rng::new(seed);
        let mut probs = Vec::with_capacity(n);
        let mut gold = Vec::with_capacity(n);
        for _ in 0..n {
            let p = softmax([0; 3].map(|_| 3.0 * (rng.unit() - 0.5)));
            let u = rng.unit();
            let g = if u < p[0] {
                Favor
            } else if u < p[0] + p[1] {
                Against
            } else {
                NONE
            };
            probs.push(normalize_or_uniform(p.map(|x| x.powf(sharpen))));
            gold.push(g);
        }
        (probs, gold)
    }

    #[test]
    fn calibration_repairs_over_confidence() {
        let (fit_p, fit_g) = synthetic(4000, 3.0, 1);
        let (test_p, test_g) = synthetic(4000, 3.0, 2);
        // Before: Brier 0.644, ECE 0.231; after, each method: Brier 0.550
        // to 0.552, ECE 0.015 to 0.019.
        let before = (
            brier(&test_p, &test_g).unwrap(),
            ece(&test_p, &test_g).unwrap(),
        );
        for m in Method::ALL {
            let cal = Calibrator::fit(m, &fit_p, &fit_g).unwrap();
            let q = cal.apply_all(&test_p);
            assert!(q.iter().all(is_probs));
            let after = (brier(&q, &test_g).unwrap(), ece(&q, &test_g).unwrap());
            assert!(
                after.0 < before.0 - 0.05 && after.1 < 0.05,
                "{m}: {before:?} -> {after:?}"
            );
        }
        // The reported probabilities are softmax(3 ln p): T recovers 3.
        let Calibrator::Temperature { temperature } =
            Calibrator::fit(Method::Temperature, &fit_p, &fit_g).unwrap()
        else {
            panic!("temperature expected")
        };
        assert!((2.7..3.3).contains(&temperature), "{temperature}");
    }

    #[test]
    fn calibrated_inputs_change_little() {
        let (fit_p, fit_g) = synthetic(4000, 1.0, 3);
        let (test_p, test_g) = synthetic(4000, 1.0, 4);
        let before = brier(&test_p, &test_g).unwrap();
        for m in Method::ALL {
            let cal = Calibrator::fit(m, &fit_p, &fit_g).unwrap();
            let q = cal.apply_all(&test_p);
            let change = q
                .iter()
                .zip(&test_p)
                .map(|(a, b)| (0..3).map(|c| (a[c] - b[c]).abs()).sum::<f64>())
                .sum::<f64>()
                / q.len() as f64;
            let after = brier(&q, &test_g).unwrap();
            // Temperature and Platt contain the identity (T = 1; a = 1,
            // b = 0) and move by estimation noise only; isotonic's steps
            // are noisier (0.061 here, 0.034 at n = 16000, 0.019 at 64000).
            let bound = if m == Method::Isotonic { 0.08 } else { 0.03 };
            assert!(change < bound, "{m}: mean L1 change {change}");
            assert!(after < before + 0.005, "{m}: {before} -> {after}");
        }
        let Calibrator::Temperature { temperature } =
            Calibrator::fit(Method::Temperature, &fit_p, &fit_g).unwrap()
        else {
            panic!("temperature expected")
        };
        assert!((0.9..1.1).contains(&temperature), "{temperature}");
    }

    #[test]
    fn fits_are_deterministic_and_round_trip_through_serde() {
        let (p, g) = synthetic(500, 2.0, 9);
        for m in Method::ALL {
            let a = Calibrator::fit(m, &p, &g).unwrap();
            assert_eq!(a, Calibrator::fit(m, &p, &g).unwrap());
            assert_eq!(a.method(), m);
            a.check().unwrap();
            let json = serde_json::to_string(&a).unwrap();
            assert!(json.starts_with(&format!("{{\"method\":\"{m}\"")), "{json}");
            let b: Calibrator = serde_json::from_str(&json).unwrap();
            assert_eq!(a, b);
            assert_eq!(a.apply_all(&p), b.apply_all(&p));
        }
        let bad: Calibrator =
            serde_json::from_str(r#"{"method":"temperature","temperature":-1.0}"#).unwrap();
        assert!(matches!(bad.check(), Err(CalibrateError::BadCalibrator(_))));
        // Still a probability vector out.
        assert!(is_probs(&bad.apply(&[0.2, 0.3, 0.5])));
        let bad: Calibrator = serde_json::from_str(
            r#"{"method":"isotonic","curves":[{"x":[0.5,0.1],"y":[0,1]},{"x":[0],"y":[0]},{"x":[0],"y":[0]}]}"#,
        )
        .unwrap();
        let e = bad.check().unwrap_err().to_string();
        assert!(e.starts_with("invalid calibrator: class favor:"), "{e}");
    }

    fn prob_strategy() -> impl Strategy<Value = Probs> {
        prop_oneof![
            // Arbitrary vectors with zeros and ones.
            proptest::array::uniform3(prop_oneof![Just(0.0), Just(1.0), 0.0..1.0f64]),
            proptest::array::uniform3(0.0..1.0f64),
        ]
        .prop_map(|p| {
            let s: f64 = p.iter().sum();
            if s > 0.0 {
                p.map(|x| x / s)
            } else {
                [1.0, 0.0, 0.0]
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn calibrated_outputs_are_probabilities(
            data in proptest::collection::vec((prob_strategy(), 0usize..3), 1..40),
            probes in proptest::collection::vec(
                proptest::array::uniform3(prop_oneof![
                    Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(0.0), Just(1.0), -2.0..2.0f64
                ]),
                1..10,
            ),
        ) {
            let probs: Vec<Probs> = data.iter().map(|d| d.0).collect();
            let gold: Vec<Stance> = data.iter().map(|d| Stance::ALL[d.1]).collect();
            for m in Method::ALL {
                let cal = Calibrator::fit(m, &probs, &gold).unwrap();
                prop_assert!(cal.check().is_ok());
                for p in probs.iter().chain(&probes) {
                    let q = cal.apply(p);
                    prop_assert!(is_probs(&q), "{m}: {p:?} -> {q:?}");
                }
            }
            for s in Score::ALL {
                let v = s.of(&probs, &gold).unwrap();
                prop_assert!(v.is_finite() && v >= 0.0);
            }
            prop_assert!(ece(&probs, &gold).unwrap() <= 1.0);
            prop_assert!(brier(&probs, &gold).unwrap() <= 2.0 + 1e-12);
        }
    }
}
