//! Learning curves (`stance curve`): how the cross-validated macro-F1 of
//! each model grows with the number of labelled training examples, and how
//! much one more doubling of the labels is likely to buy.
//!
//! # The plan
//!
//! The outer folds are those of `compare` ([`crate::eval::split::plan`]):
//! every test fold is scored whole at every size, and only the training
//! side shrinks. For each repeat `r` and outer fold `f`:
//!
//! 1. The training part is put in a seeded **stratified order of whole
//!    duplicate groups** (the groups of
//!    [`group_duplicates`](crate::eval::split::group_duplicates),
//!    restricted to the training part): each group is filed under its
//!    majority class (ties: the lower class index, as the fold plan does),
//!    the groups of each class are shuffled, and the classes are dealt in
//!    turn, each time to the class furthest below its share of the training
//!    part (largest `π_c (t + 1) − taken_c`, with `t` the items dealt so
//!    far and `π_c` the class's share of the training part's items; ties:
//!    the lower class index). With groups of one item every prefix of the
//!    order holds each class within one item of its share.
//! 2. The training subsample of size `n` walks that order and takes every
//!    whole group that still fits (`taken + |group| ≤ n`) until it holds
//!    `n` items: exactly `n` unless only groups too large to fit remain
//!    (then fewer; never a split group). Groups are never split, so a
//!    quote never trains twice under two attributions.
//! 3. The featurizer is fitted on the subsample alone, every model is
//!    fitted on the same rows ([`ModelParams::fit_path`]: one featurizing
//!    per subsample, as [`crate::eval::cross_validate_path`] does per
//!    fold), and the untouched test fold is predicted.
//!
//! The random generator of `(r, f)` is derived from `seed`, `r` and `f`
//! alone, so the subsamples do not depend on the models, the sizes asked
//! for, or the thread count ((repeat, fold) pairs run in parallel with
//! rayon; results are gathered in a fixed order).
//!
//! # Sizes
//!
//! [`Sizes::Auto`]: `10 · 2ᵏ` for `k = 0, 1, …` while below `S`, the
//! **smallest** training part over the folds, then `S` itself: every
//! fold trains on exactly the size of the point, so the sizes the slope is
//! fitted on are true sizes (with leave-one-document-out the training
//! parts differ; ending at the largest one `L` would put a point at `L`
//! that most folds could only reach capped, and bend the slope). The
//! usual cross-validation score on whole training parts is that of
//! `compare`, or of a listed size `L`. A list is sorted and
//! deduplicated; a size above `L` is **skipped** with a note. A size at or
//! below `L` but above a smaller fold's training part is **capped** for
//! that fold (it trains on its whole training part), with a note.
//!
//! # Scores and intervals
//!
//! Per (model, strategy, size) and repeat, the test-fold predictions of
//! every fold are pooled (as `compare` pools folds) and scored once:
//! `F1ᵣ`, the macro-F1 of repeat `r`. The reported `macro_f1` is the mean
//! of `F1ᵣ` over the `R` repeats, and the 95% interval (any `level`) is
//! - with `R ≥ 2`: Student's t interval of that mean across repeats,
//!   `mean ± t(1 − (1 − level)/2, R − 1) · s / √R`, `s` the sample standard
//!   deviation of the `F1ᵣ` (R − 1 in the denominator). It measures how
//!   much the choice of labelled items moves the mean curve; the test
//!   items are the same in every repeat, so it leaves out their sampling
//!   error, and at a size where every repeat trains on the same items (the
//!   whole training part) it shrinks to the point;
//! - with `R = 1`: a seeded percentile bootstrap over the pooled items
//!   ([`bootstrap::interval`], `resamples` draws, the same resamples for
//!   every point), i.e. the test-set sampling error `compare` reports.
//!
//! Both bounds are clamped to `[0, 1]`.
//!
//! # Failed fits
//!
//! A model is fitted on whatever the subsample holds, one class included;
//! models that cannot fit that (`logreg` needs two classes) return a fit
//! error, and so does the featurizer when no n-gram survives. A point with
//! any failed fit (any repeat, any fold) is **left out** of the points and
//! the CSV, with a note naming the model, size, the number of failed fits
//! and the first error: never a silent 0, and never a mean over only the
//! lucky repeats.
//!
//! # Slope
//!
//! [`Curve::slopes`]: per (model, strategy), the least-squares slope of
//! mean macro-F1 on `log₂(size)` over the last [`SLOPE_POINTS`] = 3 sizes
//! that have a point (2 if only 2 have one; none below that), i.e.
//! `Σ (xᵢ − x̄)(yᵢ − ȳ) / Σ (xᵢ − x̄)²` with `xᵢ = log₂ nᵢ`: "+0.03
//! macro-F1 per doubling". Extrapolating it assumes the curve stays
//! linear in `log₂(size)` one doubling further; a curve that flattens
//! makes it an overestimate.
//!
//! # Outputs
//!
//! [`Curve::to_csv`]: `curve.csv`, rows [`CurveRow`]
//! (`model,strategy,size,macro_f1,macro_f1_lo,macro_f1_hi`, 4 decimals),
//! in model order, then strategy, then size. [`Curve::to_svg`]: the chart
//! (macro-F1 against labels on a log₂ axis, one line per model ×
//! strategy with its interval band, a legend with the slopes).
//!
//! # Cost
//!
//! `sizes × folds × repeats` featurizer fits (each on at most the training
//! part) and test-fold transforms, times `models` model fits on the same
//! rows; memory is one subsample's rows and the test fold's per running
//! (repeat, fold) pair. On top: `R · F` shuffles and `O(n)` bookkeeping.
//! The pooled scores are `O(points · R · n)`, the bootstrap (`R = 1`)
//! `O(points · resamples · n)`.

use std::fmt::Write;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::eval::active::Strategy;
use crate::eval::bootstrap;
use crate::eval::metrics::{ConfusionMatrix, Metric, ZeroDivision};
use crate::eval::split::Fold;
use crate::eval::svg::{esc, FONT};
use crate::features::{Featurizer, ValidFeaturizerParams};
use crate::label::{Stance, N_CLASSES};
use crate::models::{argmax, Dataset, FittedModel, ModelParams, Probs};
use crate::progress::{Progress, Silent};
use crate::rng::Rng;

/// First size of [`Sizes::Auto`]; the others double it.
pub const AUTO_START: usize = 10;
/// Number of largest sizes the slope is fitted on.
pub const SLOPE_POINTS: usize = 3;
/// Header of `curve.csv`.
pub const CURVE_HEADER: &str = "model,strategy,size,macro_f1,macro_f1_lo,macro_f1_hi";

/// The report files of `stance curve --report-dir`, in writing order
/// (built by [`Curve::report_files`]).
pub const CURVE_REPORT_FILES: [&str; 2] = ["curve.csv", "curve.svg"];

/// Which training sizes to score.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Sizes {
    /// `10 · 2ᵏ` below the smallest training part, then that part's size.
    #[default]
    Auto,
    /// These sizes (sorted and deduplicated when resolved).
    List(Vec<usize>),
}

impl std::str::FromStr for Sizes {
    type Err = Error;

    /// `auto`, or sizes separated by commas (`10,20,40`).
    fn from_str(s: &str) -> Result<Self> {
        if s.trim() == "auto" {
            return Ok(Sizes::Auto);
        }
        let bad = |part: &str| {
            Error::param(
                "--sizes",
                format!(
                    "'{part}' is not a size; expected auto or positive whole numbers separated by commas, e.g. 10,20,40"
                ),
            )
        };
        s.split(',')
            .map(|p| match p.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(bad(p.trim())),
            })
            .collect::<Result<Vec<usize>>>()
            .map(Sizes::List)
    }
}

impl std::fmt::Display for Sizes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sizes::Auto => f.write_str("auto"),
            Sizes::List(v) => {
                let s: Vec<String> = v.iter().map(ToString::to_string).collect();
                f.write_str(&s.join(","))
            }
        }
    }
}

/// How points are scored: shared by the learning curve and the
/// active-learning simulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurveScoring {
    /// Repeats with different subsamples (`R`).
    pub repeats: usize,
    /// The seed every random step derives from.
    pub seed: u64,
    /// Interval level, e.g. 0.95.
    pub level: f64,
    /// Bootstrap resamples (used when `repeats == 1`).
    pub resamples: usize,
    /// Zero-division rule of the F1 scores.
    pub zero_division: ZeroDivision,
}

impl Default for CurveScoring {
    fn default() -> Self {
        CurveScoring {
            repeats: 5,
            seed: 0,
            level: 0.95,
            resamples: bootstrap::DEFAULT_RESAMPLES,
            zero_division: ZeroDivision::Zero,
        }
    }
}

impl CurveScoring {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag: `repeats` or `resamples`
    /// of 0, `level` outside `(0, 1)`.
    pub fn check(&self) -> Result<()> {
        if self.repeats == 0 {
            return Err(Error::param("--repeats", "must be at least 1"));
        }
        if self.resamples == 0 {
            return Err(Error::param("--resamples", "must be at least 1"));
        }
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(Error::param(
                "--level",
                format!(
                    "{} is out of range; expected a fraction in (0, 1)",
                    self.level
                ),
            ));
        }
        Ok(())
    }
}

/// Settings of a learning curve (consuming builder; [`CurveParams::check`]
/// validates them).
///
/// | setting | default | meaning | valid |
/// |---|---|---|---|
/// | `sizes` | [`Sizes::Auto`] | training sizes | each ≥ 1 |
/// | `repeats` | 5 | subsamples per (size, fold) | ≥ 1 |
/// | `seed` | 0 | seed of every subsample and bootstrap | any |
/// | `level` | 0.95 | interval level | (0, 1) |
/// | `resamples` | 1000 | bootstrap draws when `repeats` = 1 | ≥ 1 |
/// | `zero_division` | 0 | F1 of a class never predicted nor present | |
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CurveParams {
    sizes: Sizes,
    scoring: CurveScoring,
}

impl CurveParams {
    /// The training sizes.
    pub fn sizes(mut self, sizes: Sizes) -> Self {
        self.sizes = sizes;
        self
    }
    /// Repeats per size.
    pub fn repeats(mut self, repeats: usize) -> Self {
        self.scoring.repeats = repeats;
        self
    }
    /// The seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.scoring.seed = seed;
        self
    }
    /// Interval level.
    pub fn level(mut self, level: f64) -> Self {
        self.scoring.level = level;
        self
    }
    /// Bootstrap resamples (one repeat only).
    pub fn resamples(mut self, resamples: usize) -> Self {
        self.scoring.resamples = resamples;
        self
    }
    /// Zero-division rule.
    pub fn zero_division(mut self, zd: ZeroDivision) -> Self {
        self.scoring.zero_division = zd;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag: an empty size list or a
    /// size of 0 (`--sizes`), and as [`CurveScoring::check`].
    pub fn check(self) -> Result<ValidCurveParams> {
        if let Sizes::List(v) = &self.sizes {
            if v.is_empty() {
                return Err(Error::param("--sizes", "no sizes; expected auto or a list"));
            }
            if v.contains(&0) {
                return Err(Error::param("--sizes", "a size of 0; sizes start at 1"));
            }
        }
        self.scoring.check()?;
        Ok(ValidCurveParams(self))
    }
}

/// Checked [`CurveParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCurveParams(CurveParams);

impl ValidCurveParams {
    /// The requested sizes.
    pub fn sizes(&self) -> &Sizes {
        &self.0.sizes
    }

    /// The scoring settings.
    pub fn scoring(&self) -> &CurveScoring {
        &self.0.scoring
    }

    /// The sizes scored on `folds` (see the module doc), and notes on the
    /// sizes skipped or capped.
    ///
    /// # Errors
    /// [`Error::Split`] for no folds or an empty training part;
    /// [`Error::InvalidParam`] (`--sizes`) when every listed size is above
    /// the largest training part.
    pub fn resolve_sizes(&self, folds: &[Fold]) -> Result<(Vec<usize>, Vec<String>)> {
        let (largest, smallest) = training_extent(folds)?;
        let mut notes = Vec::new();
        let sizes = match &self.0.sizes {
            Sizes::Auto => {
                let mut v = Vec::new();
                let mut n = AUTO_START;
                while n < smallest {
                    v.push(n);
                    n *= 2;
                }
                v.push(smallest);
                v
            }
            Sizes::List(list) => {
                let mut v = list.clone();
                v.sort_unstable();
                v.dedup();
                let skipped: Vec<String> = v
                    .iter()
                    .filter(|&&n| n > largest)
                    .map(ToString::to_string)
                    .collect();
                if !skipped.is_empty() {
                    notes.push(format!(
                        "sizes {} skipped: above the largest training part ({largest} items)",
                        skipped.join(", ")
                    ));
                }
                v.retain(|&n| n <= largest);
                if v.is_empty() {
                    return Err(Error::param(
                        "--sizes",
                        format!("every size is above the largest training part ({largest} items)"),
                    ));
                }
                v
            }
        };
        notes.extend(cap_notes(folds, &sizes));
        Ok((sizes, notes))
    }

    /// The learning curve of every model on the outer `folds` (see the
    /// module doc). `groups` are the duplicate groups of every example
    /// ([`crate::eval::split::group_duplicates`] on all `texts`);
    /// `featurizer` is fitted on each training subsample. Every point has
    /// strategy [`Strategy::Random`].
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for no models, [`Error::Split`] for no folds
    /// or a fold with an empty training or test part, and as
    /// [`ValidCurveParams::resolve_sizes`]. Fit errors are not errors of the
    /// run: they leave points out, with notes.
    ///
    /// # Panics
    /// If `texts`, `labels` and `groups` differ in length (a caller bug).
    pub fn run<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        labels: &[Stance],
        groups: &[usize],
        folds: &[Fold],
        featurizer: &ValidFeaturizerParams,
        models: &[ModelParams],
    ) -> Result<Curve> {
        self.run_with(texts, labels, groups, folds, featurizer, models, &Silent)
    }

    /// [`ValidCurveParams::run`], telling `progress` of every (repeat,
    /// fold) unit done (stage `learning curve`, `repeats × folds` units;
    /// the results do not depend on it).
    ///
    /// # Errors
    /// As [`ValidCurveParams::run`].
    #[allow(clippy::too_many_arguments)]
    pub fn run_with<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        labels: &[Stance],
        groups: &[usize],
        folds: &[Fold],
        featurizer: &ValidFeaturizerParams,
        models: &[ModelParams],
        progress: &dyn Progress,
    ) -> Result<Curve> {
        check_inputs(texts.len(), labels.len(), groups.len(), folds, models)?;
        let (sizes, mut notes) = self.resolve_sizes(folds)?;
        let sc = self.0.scoring;
        let n_folds = folds.len();
        progress.start("learning curve", (sc.repeats * n_folds) as u64);
        let units: Vec<Vec<Vec<Preds>>> = (0..sc.repeats * n_folds)
            .into_par_iter()
            .map(|u| {
                let (r, f) = (u / n_folds, u % n_folds);
                let fold = &folds[f];
                let order = stratified_order(
                    &fold.train,
                    labels,
                    groups,
                    &mut unit_rng(sc.seed, ORDER_STREAM, r, f),
                );
                // One entry per model, one prediction set per size.
                let mut per_model: Vec<Vec<Preds>> = models.iter().map(|_| Vec::new()).collect();
                for &n in &sizes {
                    let train = take(&order, n);
                    let preds = fit_predict(texts, labels, &train, &fold.test, featurizer, models);
                    for (m, p) in preds.into_iter().enumerate() {
                        per_model[m].push(p);
                    }
                }
                progress.advance(1, &format!("repeat {}, fold {}", r + 1, fold.name));
                per_model
            })
            .collect();
        progress.finish();
        let series: Vec<(String, Strategy)> = models
            .iter()
            .map(|m| (m.name().to_owned(), Strategy::Random))
            .collect();
        let (points, more) = aggregate(&series, &sizes, folds, labels, &units, &sc);
        notes.extend(more);
        Ok(Curve {
            points,
            notes,
            sizes,
            repeats: sc.repeats,
            level: sc.level,
        })
    }
}

/// One point of a curve.
#[derive(Debug, Clone, PartialEq)]
pub struct CurvePoint {
    /// Model name.
    pub model: String,
    /// How the labelled items were chosen.
    pub strategy: Strategy,
    /// Number of labelled training items.
    pub size: usize,
    /// Mean over repeats of the pooled out-of-fold macro-F1.
    pub macro_f1: f64,
    /// Lower interval bound.
    pub lo: f64,
    /// Upper interval bound.
    pub hi: f64,
    /// The macro-F1 of every repeat, in repeat order.
    pub per_repeat: Vec<f64>,
}

/// A learning curve: its points, and notes on sizes skipped or capped and
/// points left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Points in model order, then strategy, then size.
    pub points: Vec<CurvePoint>,
    /// Lowercase sentences for the user (what was skipped, capped or left
    /// out, and why).
    pub notes: Vec<String>,
    /// The sizes scored.
    pub sizes: Vec<usize>,
    /// Repeats per point.
    pub repeats: usize,
    /// Interval level.
    pub level: f64,
}

/// One row of `curve.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveRow {
    /// Model name.
    pub model: String,
    /// `random`, `margin` or `entropy`.
    pub strategy: Strategy,
    /// Labelled training items.
    pub size: usize,
    /// Mean macro-F1 over repeats (written with 4 decimals).
    #[serde(serialize_with = "four_decimals")]
    pub macro_f1: f64,
    /// Lower interval bound.
    #[serde(serialize_with = "four_decimals")]
    pub macro_f1_lo: f64,
    /// Upper interval bound.
    #[serde(serialize_with = "four_decimals")]
    pub macro_f1_hi: f64,
}

fn four_decimals<S: serde::Serializer>(v: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:.4}"))
}

impl From<&CurvePoint> for CurveRow {
    fn from(p: &CurvePoint) -> Self {
        CurveRow {
            model: p.model.clone(),
            strategy: p.strategy,
            size: p.size,
            macro_f1: p.macro_f1,
            macro_f1_lo: p.lo,
            macro_f1_hi: p.hi,
        }
    }
}

/// The extrapolated gain of one (model, strategy) curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Slope {
    /// Model name.
    pub model: String,
    /// Strategy.
    pub strategy: Strategy,
    /// Least-squares macro-F1 gain per doubling of the labels.
    pub per_doubling: f64,
    /// The sizes the line was fitted on (the last 2 or 3 with a point).
    pub sizes: Vec<usize>,
}

impl std::fmt::Display for Slope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: Vec<String> = self.sizes.iter().map(ToString::to_string).collect();
        write!(
            f,
            "{} ({}): {:+.3} macro-F1 per doubling beyond {} labels (least squares on log2 size over {})",
            self.model,
            self.strategy,
            self.per_doubling,
            self.sizes.last().copied().unwrap_or(0),
            sizes.join(", ")
        )
    }
}

/// Least-squares slope of `y` on `log₂(size)` over `(size, y)` pairs;
/// `None` for fewer than 2 distinct sizes.
pub fn slope_per_doubling(points: &[(usize, f64)]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let xs: Vec<f64> = points.iter().map(|&(s, _)| (s as f64).log2()).collect();
    let mx = xs.iter().sum::<f64>() / n;
    let my = points.iter().map(|&(_, y)| y).sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = xs
        .iter()
        .zip(points)
        .map(|(x, &(_, y))| (x - mx) * (y - my))
        .sum();
    Some(sxy / sxx)
}

impl Curve {
    /// The CSV rows, in point order.
    pub fn rows(&self) -> Vec<CurveRow> {
        self.points.iter().map(CurveRow::from).collect()
    }

    /// `curve.csv` (header [`CURVE_HEADER`], 4 decimals).
    ///
    /// # Errors
    /// [`Error::InvalidParam`] if the CSV cannot be built (not expected for
    /// in-memory output).
    pub fn to_csv(&self) -> Result<String> {
        let err = |e: &dyn std::fmt::Display| {
            Error::param("--report-dir", format!("cannot build curve.csv: {e}"))
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        if self.points.is_empty() {
            // `serialize` writes the header with the first row.
            w.write_record(CURVE_HEADER.split(','))
                .map_err(|e| err(&e))?;
        }
        for row in self.rows() {
            w.serialize(row).map_err(|e| err(&e))?;
        }
        let bytes = w.into_inner().map_err(|e| err(&e))?;
        String::from_utf8(bytes).map_err(|e| err(&e))
    }

    /// The (model, strategy) series in point order.
    pub fn series(&self) -> Vec<(String, Strategy)> {
        let mut out: Vec<(String, Strategy)> = Vec::new();
        for p in &self.points {
            if !out.iter().any(|(m, s)| *m == p.model && *s == p.strategy) {
                out.push((p.model.clone(), p.strategy));
            }
        }
        out
    }

    /// The points of one series, by size.
    pub fn series_points(&self, model: &str, strategy: Strategy) -> Vec<&CurvePoint> {
        self.points
            .iter()
            .filter(|p| p.model == model && p.strategy == strategy)
            .collect()
    }

    /// The slope of every series with at least 2 points (see the module
    /// doc), in series order.
    pub fn slopes(&self) -> Vec<Slope> {
        self.series()
            .into_iter()
            .filter_map(|(model, strategy)| {
                let pts = self.series_points(&model, strategy);
                let last: Vec<(usize, f64)> = pts
                    .iter()
                    .skip(pts.len().saturating_sub(SLOPE_POINTS))
                    .map(|p| (p.size, p.macro_f1))
                    .collect();
                slope_per_doubling(&last).map(|per_doubling| Slope {
                    model,
                    strategy,
                    per_doubling,
                    sizes: last.iter().map(|&(s, _)| s).collect(),
                })
            })
            .collect()
    }

    /// The chart (see [`curve_svg`]).
    pub fn to_svg(&self) -> String {
        curve_svg(self)
    }

    /// The report files, named as [`CURVE_REPORT_FILES`].
    ///
    /// # Errors
    /// As [`Curve::to_csv`].
    pub fn report_files(&self) -> Result<Vec<(&'static str, String)>> {
        Ok(vec![
            (CURVE_REPORT_FILES[0], self.to_csv()?),
            (CURVE_REPORT_FILES[1], self.to_svg()),
        ])
    }
}

// ---------------------------------------------------------------------------
// The `stance curve` protocol.

/// How `stance curve` runs on a labelled corpus: the learning curve
/// (`strategy` random) or the active-learning simulation
/// ([`crate::eval::active::ValidActiveParams::simulate`], the uncertainty
/// strategy next to random sampling on the same folds).
#[derive(Debug, Clone)]
pub enum CurvePlan {
    /// Learning curve at these sizes.
    Curve(ValidCurveParams),
    /// Pool-based simulation.
    Active(crate::eval::active::ValidActiveParams),
}

/// The outcome of [`run_on`]: the curve and how the folds were made.
#[derive(Debug, Clone)]
pub struct CurveOutcome {
    /// The points, notes and sizes.
    pub curve: Curve,
    /// The outer scheme used.
    pub scheme: crate::eval::split::CvScheme,
    /// Number of outer folds.
    pub folds: usize,
    /// Number of labelled quotes.
    pub n: usize,
}

/// Plans the outer folds of `corpus` as `compare` does (leave one
/// document out when every quote has a document and `cv` is `None`, else
/// [`crate::eval::compare::DEFAULT_FOLDS`]-fold; duplicate texts kept
/// together; fold seed `seed`) and runs `plan` with `models` on them, telling
/// `progress` of each (repeat, fold) unit.
///
/// # Errors
/// [`Error::Data`] for a quote without a stance, [`Error::Split`] when
/// the data cannot be split, and the plan's errors.
pub fn run_on(
    corpus: &crate::corpus::Corpus,
    cv: Option<crate::eval::split::CvScheme>,
    seed: u64,
    plan: &CurvePlan,
    featurizer: &ValidFeaturizerParams,
    models: &[ModelParams],
    progress: &dyn Progress,
) -> Result<CurveOutcome> {
    use crate::eval::split::{self, CvScheme};
    let labels = corpus.labels()?;
    let texts = corpus.texts();
    let docs: Vec<Option<&str>> = corpus.examples.iter().map(|e| e.doc.as_deref()).collect();
    let scheme = cv.unwrap_or(if docs.iter().all(Option::is_some) {
        CvScheme::Doc
    } else {
        CvScheme::KFold(crate::eval::compare::DEFAULT_FOLDS)
    });
    let groups = split::group_duplicates(&texts);
    let folds = split::plan(scheme, &docs, &labels, &groups, seed)?;
    let curve = match plan {
        CurvePlan::Curve(p) => p.run_with(
            &texts, &labels, &groups, &folds, featurizer, models, progress,
        )?,
        CurvePlan::Active(p) => p.simulate_with(
            &texts, &labels, &groups, &folds, featurizer, models, progress,
        )?,
    };
    Ok(CurveOutcome {
        curve,
        scheme,
        folds: folds.len(),
        n: labels.len(),
    })
}

impl Curve {
    /// The table `stance curve` prints: one row per size, one column per
    /// (model, strategy) with `macro_f1 [lo, hi]`, then the slope of each
    /// series and the notes.
    pub fn summary(&self) -> String {
        let series = self.series();
        let name = |(m, st): &(String, Strategy)| {
            let strategies = series.iter().any(|(_, s)| *s != Strategy::Random);
            if strategies {
                format!("{m} ({st})")
            } else {
                m.clone()
            }
        };
        let width = series
            .iter()
            .map(|s| name(s).len())
            .max()
            .unwrap_or(0)
            .max(24);
        let mut out = String::new();
        let _ = write!(out, "{:>6}", "labels");
        for s in &series {
            let _ = write!(out, "  {:<width$}", name(s));
        }
        out.push('\n');
        for &size in &self.sizes {
            let _ = write!(out, "{size:>6}");
            for (m, st) in &series {
                let cell = self
                    .points
                    .iter()
                    .find(|p| p.model == *m && p.strategy == *st && p.size == size)
                    .map_or("(left out)".to_owned(), |p| {
                        format!("{:.4} [{:.4}, {:.4}]", p.macro_f1, p.lo, p.hi)
                    });
                let _ = write!(out, "  {cell:<width$}");
            }
            out.push('\n');
        }
        for sl in self.slopes() {
            let _ = writeln!(out, "slope: {sl}");
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {n}");
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Shared machinery (also used by the active-learning simulation).

/// Test-fold predictions of one fit, or the error message of the fit.
pub(crate) type Preds = std::result::Result<Vec<Stance>, String>;

/// Stream tags of [`unit_rng`].
pub(crate) const ORDER_STREAM: u64 = 1;

/// The generator of stream `tag` for repeat `r` and fold `f`: a function
/// of the four numbers only (SplitMix64 steps), so that every (repeat,
/// fold) pair draws the same numbers whatever else runs.
pub(crate) fn unit_rng(seed: u64, tag: u64, r: usize, f: usize) -> Rng {
    let mut h = seed;
    for part in [tag, r as u64, f as u64] {
        h = Rng::new(h ^ part.wrapping_mul(0x9E37_79B9_7F4A_7C15)).next_u64();
    }
    Rng::new(h)
}

/// The largest and smallest training part.
fn training_extent(folds: &[Fold]) -> Result<(usize, usize)> {
    if folds.is_empty() {
        return Err(Error::Split("no folds".into()));
    }
    if let Some(f) = folds.iter().find(|f| f.train.is_empty()) {
        return Err(Error::Split(format!("fold {}: empty training set", f.name)));
    }
    let largest = folds.iter().map(|f| f.train.len()).max().unwrap_or(0);
    let smallest = folds.iter().map(|f| f.train.len()).min().unwrap_or(0);
    Ok((largest, smallest))
}

/// Notes on the folds whose training part is smaller than some size.
pub(crate) fn cap_notes(folds: &[Fold], sizes: &[usize]) -> Vec<String> {
    folds
        .iter()
        .filter_map(|f| {
            let above: Vec<String> = sizes
                .iter()
                .filter(|&&n| n > f.train.len())
                .map(ToString::to_string)
                .collect();
            (!above.is_empty()).then(|| {
                format!(
                    "fold {}: training part of {} items; sizes {} train on all of it (capped)",
                    f.name,
                    f.train.len(),
                    above.join(", ")
                )
            })
        })
        .collect()
}

/// Checks what [`ValidCurveParams::run`] and the simulation need.
pub(crate) fn check_inputs(
    n_texts: usize,
    n_labels: usize,
    n_groups: usize,
    folds: &[Fold],
    models: &[ModelParams],
) -> Result<()> {
    assert!(
        n_texts == n_labels && n_labels == n_groups,
        "texts, labels and groups must be parallel"
    );
    if models.is_empty() {
        return Err(Error::param("--models", "no models to run"));
    }
    training_extent(folds)?;
    if let Some(f) = folds.iter().find(|f| f.test.is_empty()) {
        return Err(Error::Split(format!("fold {}: empty test set", f.name)));
    }
    if let Some(&i) = folds
        .iter()
        .flat_map(|f| f.train.iter().chain(&f.test))
        .find(|&&i| i >= n_labels)
    {
        return Err(Error::Split(format!(
            "example {} of a fold is not in the data ({n_labels} examples)",
            i + 1
        )));
    }
    Ok(())
}

/// The whole duplicate groups of `train` in a seeded stratified order (see
/// the module doc). Members keep their order in `train`.
pub(crate) fn stratified_order(
    train: &[usize],
    labels: &[Stance],
    groups: &[usize],
    rng: &mut Rng,
) -> Vec<Vec<usize>> {
    let mut members: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for &i in train {
        members.entry(groups[i]).or_default().push(i);
    }
    let mut share = [0.0; N_CLASSES];
    for &i in train {
        share[labels[i].index()] += 1.0;
    }
    let total = train.len().max(1) as f64;
    share.iter_mut().for_each(|s| *s /= total);
    let counts = |g: &[usize]| {
        let mut c = [0usize; N_CLASSES];
        g.iter().for_each(|&i| c[labels[i].index()] += 1);
        c
    };
    let mut queues: [Vec<Vec<usize>>; N_CLASSES] = Default::default();
    for g in members.into_values() {
        let c = counts(&g);
        let major = (0..N_CLASSES)
            .max_by_key(|&k| (c[k], N_CLASSES - k))
            .unwrap_or(0);
        queues[major].push(g);
    }
    for q in &mut queues {
        rng.shuffle(q);
    }
    let mut next = [0usize; N_CLASSES];
    let mut taken = [0usize; N_CLASSES];
    let mut dealt = 0usize;
    let mut out = Vec::with_capacity(queues.iter().map(Vec::len).sum());
    loop {
        // The class furthest below its share; ties to the lower index.
        let mut best: Option<(usize, f64)> = None;
        for k in 0..N_CLASSES {
            if next[k] < queues[k].len() {
                let deficit = share[k] * (dealt + 1) as f64 - taken[k] as f64;
                if best.is_none_or(|(_, d)| deficit > d) {
                    best = Some((k, deficit));
                }
            }
        }
        let Some((k, _)) = best else { break };
        let g = std::mem::take(&mut queues[k][next[k]]);
        next[k] += 1;
        let c = counts(&g);
        (0..N_CLASSES).for_each(|j| taken[j] += c[j]);
        dealt += g.len();
        out.push(g);
    }
    out
}

/// The first `n` items of a group order: every whole group that still
/// fits, until `n` items are taken (see the module doc); ascending.
pub(crate) fn take(order: &[Vec<usize>], n: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    for g in order {
        if out.len() == n {
            break;
        }
        if out.len() + g.len() <= n {
            out.extend_from_slice(g);
        }
    }
    out.sort_unstable();
    out
}

/// The texts at `idx`.
pub(crate) fn pick<'a, S: AsRef<str>>(texts: &'a [S], idx: &[usize]) -> Vec<&'a str> {
    idx.iter().map(|&i| texts[i].as_ref()).collect()
}

/// Fits the featurizer on the items `train`, then every model on the same
/// rows ([`ModelParams::fit_path`]).
///
/// # Errors
/// The featurizer's error.
pub(crate) fn fit_models<S: AsRef<str> + Sync>(
    texts: &[S],
    labels: &[Stance],
    train: &[usize],
    featurizer: &ValidFeaturizerParams,
    models: &[ModelParams],
) -> Result<(Featurizer, Vec<Result<FittedModel>>)> {
    let tr_texts = pick(texts, train);
    let (fitted, x, _) = featurizer.fit_transform(&tr_texts)?;
    let data = Dataset::new(x, train.iter().map(|&i| labels[i]).collect());
    Ok((fitted, ModelParams::fit_path(&data, models)))
}

/// Probabilities of the items `idx` by a fitted featurizer and model.
///
/// # Errors
/// The model's prediction error.
pub(crate) fn predict<S: AsRef<str> + Sync>(
    texts: &[S],
    idx: &[usize],
    featurizer: &Featurizer,
    model: &FittedModel,
) -> Result<Vec<Probs>> {
    let t = pick(texts, idx);
    model.predict_proba(&featurizer.transform(&t), &t)
}

/// Fits every model on `train` (one featurizing) and predicts `test`: one
/// result per model.
pub(crate) fn fit_predict<S: AsRef<str> + Sync>(
    texts: &[S],
    labels: &[Stance],
    train: &[usize],
    test: &[usize],
    featurizer: &ValidFeaturizerParams,
    models: &[ModelParams],
) -> Vec<Preds> {
    let (fitted, results) = match fit_models(texts, labels, train, featurizer, models) {
        Ok(x) => x,
        Err(e) => return models.iter().map(|_| Err(e.to_string())).collect(),
    };
    let te_texts = pick(texts, test);
    let x_test = fitted.transform(&te_texts);
    results
        .into_iter()
        .map(|m| {
            m.and_then(|m| m.predict_proba(&x_test, &te_texts))
                .map(|p| p.iter().map(argmax).collect())
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Scores the runs: `units[r · F + f][series][size]` are the test-fold
/// predictions of repeat `r`, fold `f`. Returns the points (series order,
/// then size) and the notes of the points left out.
pub(crate) fn aggregate(
    series: &[(String, Strategy)],
    sizes: &[usize],
    folds: &[Fold],
    labels: &[Stance],
    units: &[Vec<Vec<Preds>>],
    sc: &CurveScoring,
) -> (Vec<CurvePoint>, Vec<String>) {
    let n_folds = folds.len();
    let gold: Vec<Stance> = folds
        .iter()
        .flat_map(|f| f.test.iter().map(|&i| labels[i]))
        .collect();
    let zd = sc.zero_division;
    let mut points = Vec::new();
    let mut notes = Vec::new();
    for (s, (model, strategy)) in series.iter().enumerate() {
        for (k, &size) in sizes.iter().enumerate() {
            let mut values = Vec::with_capacity(sc.repeats);
            let mut pooled_last: Vec<Stance> = Vec::new();
            let mut failed = 0usize;
            let mut first: Option<String> = None;
            for r in 0..sc.repeats {
                let mut pooled = Vec::with_capacity(gold.len());
                let mut ok = true;
                for (f, fold) in folds.iter().enumerate() {
                    match &units[r * n_folds + f][s][k] {
                        Ok(p) => pooled.extend_from_slice(p),
                        Err(e) => {
                            ok = false;
                            failed += 1;
                            first.get_or_insert_with(|| {
                                format!("repeat {}, fold {}: {e}", r + 1, fold.name)
                            });
                        }
                    }
                }
                if ok {
                    values.push(ConfusionMatrix::new(&gold, &pooled).macro_f1(zd));
                    pooled_last = pooled;
                }
            }
            if failed > 0 {
                notes.push(format!(
                    "{model} ({strategy}) at {size} labels left out: {failed} of {} fits failed; first: {}",
                    sc.repeats * n_folds,
                    first.unwrap_or_default()
                ));
                continue;
            }
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let (lo, hi) = if values.len() >= 2 {
                t_interval(&values, sc.level)
            } else {
                let i = bootstrap::interval(
                    &gold,
                    &pooled_last,
                    Metric::MacroF1,
                    zd,
                    sc.resamples,
                    sc.level,
                    sc.seed,
                );
                (i.lo, i.hi)
            };
            points.push(CurvePoint {
                model: model.clone(),
                strategy: *strategy,
                size,
                macro_f1: mean,
                lo: lo.clamp(0.0, 1.0),
                hi: hi.clamp(0.0, 1.0),
                per_repeat: values,
            });
        }
    }
    (points, notes)
}

/// Student's t interval of the mean of `values` (at least 2).
fn t_interval(values: &[f64], level: f64) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = t_quantile(1.0 - (1.0 - level) / 2.0, n - 1.0) * (var / n).sqrt();
    (mean - half, mean + half)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error < 1e-13).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut a = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function `I_x(a, b)`.
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom.
fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * inc_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The `p`-quantile (`p` in `[0.5, 1)`) of Student's t with `df` degrees of
/// freedom, by bisection on [`t_cdf`] to 1e-12.
fn t_quantile(p: f64, df: f64) -> f64 {
    let mut hi = 1.0;
    while t_cdf(hi, df) < p && hi < 1e12 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    while hi - lo > 1e-12 * hi.max(1.0) {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

// ---------------------------------------------------------------------------
// The chart.

/// Line colours, one per model (in the order models first appear).
const COLORS: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// Dash pattern of a strategy's line (`None`: solid).
fn dash(s: Strategy) -> Option<&'static str> {
    match s {
        Strategy::Random => None,
        Strategy::Margin => Some("7 4"),
        Strategy::Entropy => Some("2 3"),
    }
}

/// The learning-curve chart as self-contained SVG text: mean macro-F1
/// against the number of labelled items on a log₂ axis, one line per
/// (model, strategy) (colour by model, dash by strategy: random solid,
/// margin dashed, entropy dotted) with its interval as a shaded band, and
/// a legend with each line's slope per doubling. Lines join consecutive
/// scored sizes only; a left-out point leaves a gap. Fixed decimals, so
/// the same curve gives a byte-identical file.
pub fn curve_svg(curve: &Curve) -> String {
    let series = curve.series();
    let slopes = curve.slopes();
    let (left, top, plot_w, plot_h): (f64, f64, f64, f64) = (80.0, 78.0, 500.0, 330.0);
    let legend_x = left + plot_w + 30.0;
    let width = legend_x + 330.0;
    let legend_h = 40.0 + 36.0 * series.len() as f64;
    let height = (top + plot_h + 70.0).max(top + legend_h);
    // x: log2 of the size, padded by a quarter of a doubling.
    let sizes: Vec<usize> = {
        let mut v: Vec<usize> = curve.points.iter().map(|p| p.size).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (xmin, xmax) = match (sizes.first(), sizes.last()) {
        (Some(&a), Some(&b)) => ((a as f64).log2() - 0.25, (b as f64).log2() + 0.25),
        _ => (0.0, 1.0),
    };
    let x = |size: usize| left + ((size as f64).log2() - xmin) / (xmax - xmin) * plot_w;
    // y: the bands' range, widened to tenths (at least 0.2 wide).
    let (mut ylo, mut yhi) = curve
        .points
        .iter()
        .fold((1.0f64, 0.0f64), |(a, b), p| (a.min(p.lo), b.max(p.hi)));
    if curve.points.is_empty() {
        (ylo, yhi) = (0.0, 1.0);
    }
    ylo = ((ylo * 10.0).floor() / 10.0).clamp(0.0, 1.0);
    yhi = ((yhi * 10.0).ceil() / 10.0).clamp(0.0, 1.0);
    if yhi - ylo < 0.2 {
        if ylo + 0.2 <= 1.0 {
            yhi = ylo + 0.2;
        } else {
            ylo = yhi - 0.2;
        }
    }
    let y = |v: f64| top + (yhi - v.clamp(ylo, yhi)) / (yhi - ylo) * plot_h;
    let interval = if curve.repeats >= 2 {
        format!(
            "band: {:.0}% t interval of the mean over {} repeats",
            curve.level * 100.0,
            curve.repeats
        )
    } else {
        format!(
            "band: {:.0}% bootstrap interval over items",
            curve.level * 100.0
        )
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" {FONT}>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{0:.1}\" y=\"28\" font-size=\"17\" text-anchor=\"middle\" font-weight=\"bold\">\
         Learning curve: macro-F1 by number of labelled quotes</text>\n\
         <text x=\"{0:.1}\" y=\"48\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">\
         pooled out-of-fold predictions, mean over repeats; {1}</text>\n",
        width / 2.0,
        esc(&interval),
    );
    // Horizontal grid and y labels.
    let step = if yhi - ylo > 0.5 { 0.1 } else { 0.05 };
    let ticks = ((yhi - ylo) / step).round() as usize;
    for k in 0..=ticks {
        let v = ylo + step * k as f64;
        let _ = writeln!(
            s,
            "<line x1=\"{left:.1}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\" stroke=\"#e3e3e3\"/>\n\
             <text x=\"{2:.1}\" y=\"{3:.1}\" font-size=\"12\" text-anchor=\"end\">{v:.2}</text>",
            y(v),
            left + plot_w,
            left - 8.0,
            y(v) + 4.0,
        );
    }
    // Vertical grid at the sizes (or at powers of two when there are many).
    let x_ticks: Vec<usize> = if sizes.len() <= 10 {
        sizes.clone()
    } else {
        let (a, b) = (sizes[0], sizes[sizes.len() - 1]);
        (0..usize::BITS)
            .map(|k| 1usize << k)
            .filter(|&p| p >= a && p <= b)
            .collect()
    };
    for &n in &x_ticks {
        let _ = writeln!(
            s,
            "<line x1=\"{0:.1}\" y1=\"{top:.1}\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#e3e3e3\"/>\n\
             <text x=\"{0:.1}\" y=\"{2:.1}\" font-size=\"12\" text-anchor=\"middle\">{n}</text>",
            x(n),
            top + plot_h,
            top + plot_h + 18.0,
        );
    }
    let _ = writeln!(
        s,
        "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{plot_w:.1}\" height=\"{plot_h:.1}\" fill=\"none\" stroke=\"#333\"/>\n\
         <text x=\"{0:.1}\" y=\"{1:.1}\" font-size=\"13\" text-anchor=\"middle\">labelled training quotes (log2 scale)</text>\n\
         <text x=\"22\" y=\"{2:.1}\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 22 {2:.1})\">macro-F1</text>",
        left + plot_w / 2.0,
        top + plot_h + 44.0,
        top + plot_h / 2.0,
    );
    if curve.points.is_empty() {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" text-anchor=\"middle\" fill=\"#555\">no point could be scored</text>",
            left + plot_w / 2.0,
            top + plot_h / 2.0,
        );
    }
    let mut model_colors: Vec<&str> = Vec::new();
    for (i, (model, strategy)) in series.iter().enumerate() {
        let color_index = match model_colors.iter().position(|m| m == model) {
            Some(k) => k,
            None => {
                model_colors.push(model);
                model_colors.len() - 1
            }
        };
        let color = COLORS[color_index % COLORS.len()];
        let pts = curve.series_points(model, *strategy);
        // Runs of consecutive scored sizes.
        let rank = |n: usize| curve.sizes.iter().position(|&m| m == n);
        let mut runs: Vec<Vec<&CurvePoint>> = Vec::new();
        for p in pts {
            match runs.last_mut() {
                Some(run)
                    if run
                        .last()
                        .and_then(|q| rank(q.size))
                        .zip(rank(p.size))
                        .is_some_and(|(a, b)| b == a + 1) =>
                {
                    run.push(p)
                }
                _ => runs.push(vec![p]),
            }
        }
        let dash_attr = dash(*strategy)
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        for run in &runs {
            let upper: Vec<String> = run
                .iter()
                .map(|p| format!("{:.1},{:.1}", x(p.size), y(p.hi)))
                .collect();
            let lower: Vec<String> = run
                .iter()
                .rev()
                .map(|p| format!("{:.1},{:.1}", x(p.size), y(p.lo)))
                .collect();
            let line: Vec<String> = run
                .iter()
                .map(|p| format!("{:.1},{:.1}", x(p.size), y(p.macro_f1)))
                .collect();
            let _ = writeln!(
                s,
                "<polygon points=\"{} {}\" fill=\"{color}\" fill-opacity=\"0.14\" stroke=\"none\"/>\n\
                 <polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash_attr}/>",
                upper.join(" "),
                lower.join(" "),
                line.join(" "),
            );
            for p in run {
                let _ = writeln!(
                    s,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{color}\"><title>{} ({}) at {}: {:.3} [{:.3}, {:.3}]</title></circle>",
                    x(p.size),
                    y(p.macro_f1),
                    esc(&p.model),
                    p.strategy,
                    p.size,
                    p.macro_f1,
                    p.lo,
                    p.hi,
                );
            }
        }
        // Legend entry.
        let ly = top + 10.0 + 36.0 * i as f64;
        let slope = slopes
            .iter()
            .find(|sl| sl.model == *model && sl.strategy == *strategy)
            .map_or_else(
                || String::from("slope: too few points"),
                |sl| {
                    format!(
                        "{:+.3} per doubling at {}",
                        sl.per_doubling,
                        sl.sizes.last().copied().unwrap_or(0)
                    )
                },
            );
        let _ = writeln!(
            s,
            "<rect x=\"{0:.1}\" y=\"{1:.1}\" width=\"30\" height=\"12\" fill=\"{color}\" fill-opacity=\"0.14\"/>\n\
             <line x1=\"{0:.1}\" y1=\"{2:.1}\" x2=\"{3:.1}\" y2=\"{2:.1}\" stroke=\"{color}\" stroke-width=\"2\"{dash_attr}/>\n\
             <text x=\"{4:.1}\" y=\"{5:.1}\" font-size=\"13\">{6} ({strategy})</text>\n\
             <text x=\"{4:.1}\" y=\"{7:.1}\" font-size=\"11\" fill=\"#555\">{8}</text>",
            legend_x,
            ly,
            ly + 6.0,
            legend_x + 30.0,
            legend_x + 40.0,
            ly + 10.0,
            esc(model),
            ly + 24.0,
            esc(&slope),
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::split::{self, CvScheme};
    use crate::features::FeaturizerParams;
    use crate::synth::{corpus, SynthSettings};
    use Stance::*;

    #[test]
    fn sizes_parse_and_resolve() {
        assert_eq!("auto".parse::<Sizes>().unwrap(), Sizes::Auto);
        assert_eq!(
            "40, 10,20".parse::<Sizes>().unwrap(),
            Sizes::List(vec![40, 10, 20])
        );
        for bad in ["", "10,,20", "0", "-5", "ten", "10;20"] {
            let e = bad.parse::<Sizes>().unwrap_err();
            assert!(e.to_string().starts_with("invalid setting --sizes"), "{e}");
        }
        assert_eq!(Sizes::List(vec![10, 20]).to_string(), "10,20");
        let fold = |name: &str, n: usize| Fold {
            name: name.into(),
            train: (0..n).collect(),
            test: vec![n],
        };
        let folds = [fold("a", 95), fold("b", 100)];
        let p = CurveParams::default().check().unwrap();
        let (sizes, notes) = p.resolve_sizes(&folds).unwrap();
        // Auto ends at the smallest training part: nothing is capped.
        assert_eq!(sizes, [10, 20, 40, 80, 95]);
        assert!(notes.is_empty(), "{notes:?}");
        let p = CurveParams::default()
            .sizes(Sizes::List(vec![500, 20, 20, 98, 300]))
            .check()
            .unwrap();
        let (sizes, notes) = p.resolve_sizes(&folds).unwrap();
        assert_eq!(sizes, [20, 98]);
        assert_eq!(
            notes[0],
            "sizes 300, 500 skipped: above the largest training part (100 items)"
        );
        assert!(
            notes[1].contains("sizes 98 train on all of it"),
            "{notes:?}"
        );
        let p = CurveParams::default()
            .sizes(Sizes::List(vec![500]))
            .check()
            .unwrap();
        assert!(p.resolve_sizes(&folds).is_err());
        // Auto on a small training part is that part alone.
        let (sizes, _) = CurveParams::default()
            .check()
            .unwrap()
            .resolve_sizes(&[fold("a", 7)])
            .unwrap();
        assert_eq!(sizes, [7]);
        assert!(CurveParams::default().repeats(0).check().is_err());
        assert!(CurveParams::default().level(1.0).check().is_err());
        assert!(CurveParams::default().resamples(0).check().is_err());
        assert!(CurveParams::default()
            .sizes(Sizes::List(vec![]))
            .check()
            .is_err());
    }

    #[test]
    fn t_quantiles_match_tables() {
        for (df, t) in [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_730),
            (4.0, 2.776_445_105),
            (9.0, 2.262_157_163),
            (29.0, 2.045_229_642),
            (120.0, 1.979_930_405),
        ] {
            let q = t_quantile(0.975, df);
            assert!((q - t).abs() < 1e-6, "df {df}: {q} vs {t}");
        }
        assert!((t_quantile(0.95, 5.0) - 2.015_048_373).abs() < 1e-6);
        assert!((t_cdf(0.0, 3.0) - 0.5).abs() < 1e-12);
        // Mean 0.5, s = 0.1, n = 4: half width t(0.975, 3) · 0.05.
        let (lo, hi) = t_interval(&[0.4, 0.5, 0.5, 0.6].map(|v| v - 0.0), 0.95);
        let s = (0.02f64 / 3.0).sqrt();
        let half = 3.182_446_305 * s / 2.0;
        assert!((lo - (0.5 - half)).abs() < 1e-6 && (hi - (0.5 + half)).abs() < 1e-6);
    }

    #[test]
    fn slope_by_hand() {
        // log2 sizes 5.32, 6.32, 7.32 (centred -1, 0, 1): 0.3 / 2.
        let s = slope_per_doubling(&[(40, 0.5), (80, 0.6), (160, 0.8)]).unwrap();
        assert!((s - 0.15).abs() < 1e-12, "{s}");
        // Uneven: log2 offsets 0, 1, 3 (mean 4/3); Σdx² = 14/3, Σdxdy = 0.3.
        let s = slope_per_doubling(&[(100, 0.5), (200, 0.6), (800, 0.7)]).unwrap();
        assert!((s - 0.9 / 14.0).abs() < 1e-12, "{s}");
        assert_eq!(slope_per_doubling(&[(100, 0.5)]), Option::None);
        assert_eq!(slope_per_doubling(&[(100, 0.5), (100, 0.7)]), Option::None);
        // Curve::slopes uses the last 3 points of each series.
        let pt = |size, f1| CurvePoint {
            model: "nb".into(),
            strategy: Strategy::Random,
            size,
            macro_f1: f1,
            lo: f1,
            hi: f1,
            per_repeat: vec![f1],
        };
        let c = Curve {
            points: vec![pt(10, 0.1), pt(40, 0.5), pt(80, 0.6), pt(160, 0.8)],
            notes: vec![],
            sizes: vec![10, 40, 80, 160],
            repeats: 1,
            level: 0.95,
        };
        let sl = c.slopes();
        assert_eq!(sl.len(), 1);
        assert!((sl[0].per_doubling - 0.15).abs() < 1e-12);
        assert_eq!(sl[0].sizes, [40, 80, 160]);
        assert_eq!(
            sl[0].to_string(),
            "nb (random): +0.150 macro-F1 per doubling beyond 160 labels (least squares on log2 size over 40, 80, 160)"
        );
    }

    #[test]
    fn stratified_order_keeps_groups_and_every_prefix_stratified() {
        let n = 90;
        // 60 none, 20 favor, 10 against.
        let labels: Vec<Stance> = (0..n)
            .map(|i| match i % 9 {
                0 | 1 => Favor,
                2 => Against,
                _ => None,
            })
            .collect();
        let train: Vec<usize> = (0..n).collect();
        let singletons: Vec<usize> = (0..n).collect();
        let order = stratified_order(&train, &labels, &singletons, &mut Rng::new(3));
        let mut seen = [0usize; 3];
        for (t, g) in order.iter().enumerate() {
            seen[labels[g[0]].index()] += 1;
            let t = (t + 1) as f64;
            for (c, share) in [2.0 / 9.0, 1.0 / 9.0, 6.0 / 9.0].iter().enumerate() {
                assert!(
                    (seen[c] as f64 - share * t).abs() <= 1.0,
                    "prefix {t}: {seen:?}"
                );
            }
        }
        for size in [3, 9, 10, 45] {
            let s = take(&order, size);
            assert_eq!(s.len(), size);
        }
        // Groups of 3 (i, i + 30, i + 60 share a group): taken whole.
        let groups: Vec<usize> = (0..n).map(|i| i % 30).collect();
        let order = stratified_order(&train, &labels, &groups, &mut Rng::new(3));
        assert_eq!(order.len(), 30);
        for size in [1, 2, 3, 10, 31, 90] {
            let s = take(&order, size);
            assert_eq!(s.len(), size / 3 * 3, "size {size}");
            for &i in &s {
                for j in (0..n).filter(|&j| groups[j] == groups[i]) {
                    assert!(s.contains(&j), "the group of {i} is whole");
                }
            }
        }
        // A different seed, a different order; the same seed, the same.
        assert_eq!(
            order,
            stratified_order(&train, &labels, &groups, &mut Rng::new(3))
        );
        assert_ne!(
            order,
            stratified_order(&train, &labels, &groups, &mut Rng::new(4))
        );
    }

    fn learnable(n: usize, seed: u64) -> (Vec<String>, Vec<Stance>, Vec<usize>, Vec<Fold>) {
        let (texts, labels) = corpus(&SynthSettings {
            n_docs: n,
            vocabulary: 3000,
            words: (8, 16),
            seed,
            ..SynthSettings::default()
        });
        let groups = split::group_duplicates(&texts);
        let folds = split::plan(
            CvScheme::KFold(3),
            &vec![Option::None; n],
            &labels,
            &groups,
            seed,
        )
        .unwrap();
        (texts, labels, groups, folds)
    }

    #[test]
    fn the_curve_rises_with_size_on_a_learnable_problem() {
        let (texts, labels, groups, folds) = learnable(240, 7);
        let fp = FeaturizerParams::default().check().unwrap();
        let models = [ModelParams::from_name("nb").unwrap()];
        let p = CurveParams::default()
            .sizes(Sizes::List(vec![6, 20, 60, 150]))
            .repeats(3)
            .seed(1)
            .check()
            .unwrap();
        let c = p
            .run(&texts, &labels, &groups, &folds, &fp, &models)
            .unwrap();
        assert_eq!(c.notes, Vec::<String>::new());
        let f1: Vec<f64> = c.points.iter().map(|p| p.macro_f1).collect();
        assert_eq!(c.points.len(), 4, "{c:?}");
        for w in f1.windows(2) {
            assert!(w[1] > w[0], "{f1:?}");
        }
        assert!(f1[3] > 0.8 && f1[0] < f1[3] - 0.2, "{f1:?}");
        for p in &c.points {
            assert!(p.lo <= p.macro_f1 && p.macro_f1 <= p.hi, "{p:?}");
            assert_eq!(p.per_repeat.len(), 3);
        }
        let sl = c.slopes();
        assert!(sl[0].per_doubling > 0.0, "{sl:?}");
    }

    #[test]
    fn failed_fits_leave_the_point_out_with_a_note() {
        let (texts, labels, groups, folds) = learnable(90, 3);
        let fp = FeaturizerParams::default().check().unwrap();
        let models = [
            ModelParams::from_name("logreg").unwrap(),
            ModelParams::from_name("majority").unwrap(),
        ];
        let p = CurveParams::default()
            .sizes(Sizes::List(vec![1, 30]))
            .repeats(2)
            .check()
            .unwrap();
        let c = p
            .run(&texts, &labels, &groups, &folds, &fp, &models)
            .unwrap();
        // One item: one class; logreg cannot fit it, majority can.
        let have: Vec<(&str, usize)> = c
            .points
            .iter()
            .map(|p| (p.model.as_str(), p.size))
            .collect();
        assert_eq!(have, [("logreg", 30), ("majority", 1), ("majority", 30)]);
        assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
        assert!(
            c.notes[0].starts_with("logreg (random) at 1 labels left out: 6 of 6 fits failed; first: repeat 1, fold fold1: model logreg: training data has fewer than two classes"),
            "{}",
            c.notes[0]
        );
        let csv = c.to_csv().unwrap();
        assert!(!csv.contains("logreg,random,1,"), "{csv}");
    }

    #[test]
    fn one_repeat_uses_the_item_bootstrap_and_csv_round_trips() {
        let (texts, labels, groups, folds) = learnable(90, 5);
        let fp = FeaturizerParams::default().check().unwrap();
        let models = [ModelParams::from_name("nb").unwrap()];
        let p = CurveParams::default()
            .sizes(Sizes::List(vec![20, 60]))
            .repeats(1)
            .resamples(200)
            .check()
            .unwrap();
        let c = p
            .run(&texts, &labels, &groups, &folds, &fp, &models)
            .unwrap();
        for pt in &c.points {
            assert!(pt.lo < pt.macro_f1 && pt.macro_f1 < pt.hi, "{pt:?}");
        }
        let csv = c.to_csv().unwrap();
        assert!(csv.starts_with(&format!("{CURVE_HEADER}\n")), "{csv}");
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<CurveRow> = r.deserialize().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].strategy, Strategy::Random);
        assert!((rows[1].macro_f1 - c.points[1].macro_f1).abs() < 5e-5);
        let line = csv.lines().nth(1).unwrap();
        assert!(line.starts_with("nb,random,20,0."), "{line}");
        assert_eq!(line.split(',').nth(3).unwrap().len(), 6, "{line}");
        // No points: a header alone.
        let empty = Curve {
            points: vec![],
            notes: vec![],
            sizes: vec![],
            repeats: 1,
            level: 0.95,
        };
        assert_eq!(empty.to_csv().unwrap(), format!("{CURVE_HEADER}\n"));
    }

    #[test]
    fn same_seed_same_bytes_at_any_thread_count() {
        let (texts, labels, groups, folds) = learnable(90, 9);
        let fp = FeaturizerParams::default().check().unwrap();
        let models = [
            ModelParams::from_name("nb").unwrap(),
            ModelParams::from_name("svm").unwrap(),
        ];
        let p = CurveParams::default()
            .sizes(Sizes::List(vec![10, 30, 60]))
            .repeats(2)
            .seed(4)
            .check()
            .unwrap();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let c = p
                    .run(&texts, &labels, &groups, &folds, &fp, &models)
                    .unwrap();
                (c.to_csv().unwrap(), c.to_svg())
            })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(1));
        // The progress hook counts (repeat, fold) units and changes nothing.
        let rec = crate::progress::testing::Recorder::default();
        let c = p
            .run_with(&texts, &labels, &groups, &folds, &fp, &models, &rec)
            .unwrap();
        assert_eq!(c.to_csv().unwrap(), one.0);
        let units = (2 * folds.len()) as u64;
        assert_eq!(
            *rec.stages.lock().unwrap(),
            [("learning curve".to_owned(), units)]
        );
        assert_eq!(*rec.done.lock().unwrap(), units);
        assert_eq!(*rec.finished.lock().unwrap(), 1);
        let other = CurveParams::default()
            .sizes(Sizes::List(vec![10, 30, 60]))
            .repeats(2)
            .seed(5)
            .check()
            .unwrap()
            .run(&texts, &labels, &groups, &folds, &fp, &models)
            .unwrap();
        assert_ne!(other.to_csv().unwrap(), one.0);
    }

    /// Parses `svg` as XML and returns the root.
    fn parse_svg(svg: &str) -> roxmltree::Document<'_> {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        doc
    }

    #[test]
    fn chart_is_well_formed_xml_with_a_line_band_and_legend_per_series() {
        let pt = |model: &str, strategy, size, f1: f64| CurvePoint {
            model: model.into(),
            strategy,
            size,
            macro_f1: f1,
            lo: f1 - 0.05,
            hi: f1 + 0.05,
            per_repeat: vec![f1],
        };
        let mut points = Vec::new();
        for (m, st, base) in [
            ("a<b&c", Strategy::Random, 0.3),
            ("a<b&c", Strategy::Margin, 0.35),
            ("nb", Strategy::Random, 0.4),
        ] {
            for (k, size) in [10, 20, 40, 80].into_iter().enumerate() {
                // A gap at 40 for nb.
                if m == "nb" && size == 40 {
                    continue;
                }
                points.push(pt(m, st, size, base + 0.1 * k as f64));
            }
        }
        let c = Curve {
            points,
            notes: vec![],
            sizes: vec![10, 20, 40, 80],
            repeats: 5,
            level: 0.95,
        };
        let svg = c.to_svg();
        let doc = parse_svg(&svg);
        let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
        // nb's gap splits its line in two.
        assert_eq!(count("polyline"), 4);
        assert_eq!(count("polygon"), 4);
        assert_eq!(count("circle"), 11);
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(texts.contains(&"a<b&c (margin)"), "{texts:?}");
        assert!(texts.contains(&"nb (random)"));
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("+0.100 per doubling at 80")),
            "{texts:?}"
        );
        assert!(texts
            .iter()
            .any(|t| t.contains("t interval of the mean over 5 repeats")));
        // Margin lines are dashed.
        assert!(doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .any(|n| n.attribute("stroke-dasharray") == Some("7 4")));
        // An empty curve is still a valid picture.
        let empty = Curve {
            points: vec![],
            notes: vec![],
            sizes: vec![],
            repeats: 1,
            level: 0.95,
        };
        let doc = parse_svg(&empty.to_svg()).root_element().children().count();
        assert!(doc > 0);
        // Many sizes: ticks at powers of two.
        let many = Curve {
            points: (1..=20)
                .map(|k| pt("nb", Strategy::Margin, 10 * k, 0.5))
                .collect(),
            notes: vec![],
            sizes: (1..=20).map(|k| 10 * k).collect(),
            repeats: 2,
            level: 0.95,
        };
        let svg = many.to_svg();
        let doc = parse_svg(&svg);
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.attribute("text-anchor") == Some("middle"))
            .filter_map(|n| n.text())
            .collect();
        for t in ["16", "32", "64", "128"] {
            assert!(labels.contains(&t), "{labels:?}");
        }
    }
}
