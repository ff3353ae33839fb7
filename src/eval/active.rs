//! Active learning: which unlabelled quotes to label next
//! ([`ValidSuggestParams::suggest`], for `stance suggest`), and a
//! simulation on labelled data of labelling by uncertainty against
//! labelling at random ([`ValidActiveParams::simulate`], for
//! `stance curve --strategy margin`).
//!
//! # Strategies
//!
//! With `p₍₁₎ ≥ p₍₂₎ ≥ p₍₃₎` a quote's sorted class probabilities:
//! - **margin** (Scheffer et al. 2001): score `p₍₁₎ − p₍₂₎`, smallest
//!   first: the quotes the model can least tell between its two best
//!   classes;
//! - **entropy** (Settles 2009, §3.1): score `−Σ p ln p` (natural log,
//!   `0 ln 0 = 0`), largest first;
//! - **random**: score a seeded uniform draw in `[0, 1)` per pool item (in
//!   pool order), smallest first: a seeded shuffle that needs no model.
//!
//! Ties keep pool order (stable sort), so rankings are deterministic. A
//! non-finite score (never produced by the models) ranks last.
//!
//! # Duplicates
//!
//! Labelling two copies of one quote teaches the model once. `suggest`
//! groups the pool and the training texts together with
//! [`split::group_duplicates`] and walks the ranking, keeping at most one
//! pool item per group (the best-ranked) and none whose group holds a
//! training text. The simulation applies the same rule inside each outer
//! training part: an item is selectable while no member of its duplicate
//! group is labelled, and a round takes at most one item per group.
//!
//! # The simulation
//!
//! Pool-based, on the outer folds of the learning curve
//! ([`crate::eval::curve`]) and with its scoring. For each repeat `r` and
//! outer fold `f`, the training part is the pool and the test fold is
//! never touched:
//! 1. the seed set is the learning curve's subsample of size `s0`
//!    (`start`) for the same `(seed, r, f)`: stratified, whole duplicate
//!    groups (topped up with random selectable items in the rare case that
//!    whole groups leave it short);
//! 2. each round fits the featurizer and the model on the labelled items,
//!    records the test-fold predictions at that labelled size, then adds
//!    the `K` (`batch`) selectable pool items ranked first by the
//!    strategy under that model (`random`: `K` items of a seeded shuffle,
//!    the same for every model); sizes are `s0, s0 + K, s0 + 2K, …` up to
//!    `max_size` (default: the smallest training part, so that no fold
//!    runs out; at most the largest);
//! 3. every strategy starts from the same seed set, so the curves are
//!    paired.
//!
//! When a fold has fewer selectable items left than a round asks for, the
//! round takes those left and the labelled set stops growing: the later
//! sizes of that fold train on what it has (capped, as the learning curve
//! caps sizes above a training part), with a note. When a model cannot be
//! fitted in a round (e.g. `logreg` on a one-class seed set), that point
//! fails, and so do its later rounds under `margin`/`entropy` (there is no
//! model to rank the pool with); failed points are left out with a note,
//! as in the learning curve.
//!
//! The results are a [`Curve`] whose points have strategy `random`,
//! `margin` or `entropy`, so the curves of one run share one CSV and one
//! chart.
//!
//! # Cost
//!
//! `suggest`: featurizing and predicting the pool once, plus the
//! duplicate grouping of pool + training texts (linear, see
//! [`split`]). Simulation: per (repeat, fold) and round, one featurizer
//! fit for `random` (all models fitted on it together) and one featurizer
//! fit, model fit, test-fold transform and pool prediction per model for
//! each uncertainty strategy: about `R · F · rounds · (1 + models ·
//! uncertainty strategies)` featurizer fits. (repeat, fold) pairs run in
//! parallel; results do not depend on the thread count.

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::corpus::Example;
use crate::error::{Error, Result};
use crate::eval::curve::{
    aggregate, cap_notes, check_inputs, fit_models, fit_predict, predict, stratified_order, take,
    unit_rng, Curve, CurveScoring, Preds, ORDER_STREAM,
};
use crate::eval::split::{self, Fold};
use crate::features::{Featurizer, ValidFeaturizerParams};
use crate::io::table::Table;
use crate::label::Stance;
use crate::models::{argmax, FittedModel, ModelParams, Probs};
use crate::pipeline::Pipeline;
use crate::progress::{Progress, Silent};
use crate::rng::Rng;

/// How to choose the next quotes to label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// A seeded shuffle.
    Random,
    /// Smallest gap between the two most probable classes first.
    Margin,
    /// Largest entropy of the class probabilities first.
    Entropy,
}

impl Strategy {
    /// The strategies, in report order.
    pub const ALL: [Strategy; 3] = [Strategy::Random, Strategy::Margin, Strategy::Entropy];

    /// The name as the CLI spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Random => "random",
            Strategy::Margin => "margin",
            Strategy::Entropy => "entropy",
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Strategy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Strategy::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                Error::param(
                    "--strategy",
                    format!("'{s}' is not a strategy; expected margin, entropy or random"),
                )
            })
    }
}

/// `p₍₁₎ − p₍₂₎`: the gap between the two most probable classes.
pub fn margin(p: &Probs) -> f64 {
    let mut s = *p;
    s.sort_by(|a, b| b.total_cmp(a));
    s[0] - s[1]
}

/// `−Σ p ln p` (natural log, `0 ln 0 = 0`; NaN for a non-finite or
/// negative value).
pub fn entropy(p: &Probs) -> f64 {
    -p.iter()
        .filter(|&&v| v != 0.0)
        .map(|&v| v * v.ln())
        .sum::<f64>()
}

/// A pool item and its score under a strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    /// Index of the item in the pool.
    pub index: usize,
    /// Its margin, entropy or random draw.
    pub score: f64,
}

/// Every pool item, most informative first, by `strategy` over the class
/// probabilities `probs` (one per pool item; only their number matters
/// for `random`, which draws from `seed`). Ties keep pool order.
pub fn rank(strategy: Strategy, probs: &[Probs], seed: u64) -> Vec<Suggestion> {
    let scores: Vec<f64> = match strategy {
        Strategy::Margin => probs.iter().map(margin).collect(),
        Strategy::Entropy => probs.iter().map(entropy).collect(),
        Strategy::Random => {
            let mut rng = Rng::new(seed);
            probs.iter().map(|_| rng.unit()).collect()
        }
    };
    rank_scores(strategy, scores)
}

/// Orders `scores` (pool order) for `strategy`: ascending for margin and
/// random, descending for entropy; non-finite last; ties in pool order.
fn rank_scores(strategy: Strategy, scores: Vec<f64>) -> Vec<Suggestion> {
    let key = |v: f64| {
        let v = if v.is_finite() { v } else { f64::INFINITY };
        match strategy {
            Strategy::Entropy if v.is_finite() => -v,
            _ => v,
        }
    };
    let mut out: Vec<Suggestion> = scores
        .into_iter()
        .enumerate()
        .map(|(index, score)| Suggestion { index, score })
        .collect();
    out.sort_by(|a, b| key(a.score).total_cmp(&key(b.score)));
    out
}

/// Walks `ranked` and keeps up to `k` items, at most one per group
/// (`group_of`) and none of a group in `blocked`; the groups kept are added
/// to `blocked`.
fn select(
    ranked: &[Suggestion],
    k: usize,
    group_of: impl Fn(usize) -> usize,
    blocked: &mut FxHashSet<usize>,
) -> Vec<Suggestion> {
    let mut out = Vec::with_capacity(k.min(ranked.len()));
    for s in ranked {
        if out.len() == k {
            break;
        }
        if blocked.insert(group_of(s.index)) {
            out.push(*s);
        }
    }
    out
}

/// Settings of `suggest` (consuming builder; [`SuggestParams::check`]).
///
/// | setting | default | meaning | valid |
/// |---|---|---|---|
/// | `n` | (given) | quotes to suggest (`K`) | ≥ 1 |
/// | `strategy` | margin | ranking | margin, entropy, random |
/// | `seed` | 0 | seed of `random` | any |
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestParams {
    n: usize,
    strategy: Strategy,
    seed: u64,
}

impl SuggestParams {
    /// Suggest `n` quotes by margin, seed 0.
    pub fn new(n: usize) -> Self {
        SuggestParams {
            n,
            strategy: Strategy::Margin,
            seed: 0,
        }
    }
    /// The ranking strategy.
    pub fn strategy(mut self, s: Strategy) -> Self {
        self.strategy = s;
        self
    }
    /// The seed of `random`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// The ranking strategy's name.
    pub fn strategy_name(&self) -> &'static str {
        self.strategy.as_str()
    }
    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] (`--n`) for `n = 0`.
    pub fn check(self) -> Result<ValidSuggestParams> {
        if self.n == 0 {
            return Err(Error::param("--n", "must be at least 1"));
        }
        Ok(ValidSuggestParams(self))
    }
}

/// Checked [`SuggestParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSuggestParams(SuggestParams);

impl ValidSuggestParams {
    /// The settings.
    pub fn params(&self) -> &SuggestParams {
        &self.0
    }

    /// The next quotes to label: up to `n` items of `pool`, most
    /// informative first under `pipeline`, with their scores (see the
    /// module doc), skipping near duplicates of each other and of the
    /// `training` texts (may be empty when they are not at hand). Fewer
    /// than `n` when the pool has fewer distinct quotes.
    ///
    /// # Errors
    /// The pipeline's prediction error.
    pub fn suggest<P: AsRef<str> + Sync, T: AsRef<str>>(
        &self,
        pipeline: &Pipeline,
        pool: &[P],
        training: &[T],
    ) -> Result<Vec<Suggestion>> {
        let p = &self.0;
        let probs = match p.strategy {
            // Only the number of items matters.
            Strategy::Random => vec![[0.0; 3]; pool.len()],
            _ => pipeline.predict_proba(pool)?,
        };
        let ranked = rank(p.strategy, &probs, p.seed);
        let all: Vec<&str> = pool
            .iter()
            .map(AsRef::as_ref)
            .chain(training.iter().map(AsRef::as_ref))
            .collect();
        let groups = split::group_duplicates(&all);
        let mut blocked: FxHashSet<usize> = groups[pool.len()..].iter().copied().collect();
        Ok(select(&ranked, p.n, |i| groups[i], &mut blocked))
    }
}

/// The suggestions as CSV, most informative first: the pool's columns
/// `id,doc,start,end,actor,target,text` (`start,end` only when every pool
/// row has a span, so that the file reads back), an empty `stance` to
/// fill in, and `score` (6 decimals). The file is a label template that
/// `Corpus::read` and `stance agree` read back.
///
/// # Errors
/// [`Error::InvalidParam`] (`--data`) if a suggestion's index is not in
/// `pool`; [`Error::Report`] if a row cannot be written.
pub fn suggestions_csv(pool: &[Example], suggestions: &[Suggestion]) -> Result<String> {
    let spans = !pool.is_empty() && pool.iter().all(|e| e.span.is_some());
    let mut header = vec!["id", "doc"];
    if spans {
        header.extend(["start", "end"]);
    }
    header.extend(["actor", "target", "text", "stance", "score"]);
    let mut t = Table::new("suggestions", &header)?;
    for s in suggestions {
        let e = pool.get(s.index).ok_or_else(|| {
            Error::param(
                "--data",
                format!(
                    "suggestion {} is not in the pool of {}",
                    s.index + 1,
                    pool.len()
                ),
            )
        })?;
        let mut row = vec![e.id.clone(), e.doc.clone().unwrap_or_default()];
        if let Some((a, b)) = e.span.filter(|_| spans) {
            row.extend([a.to_string(), b.to_string()]);
        }
        row.extend([
            e.actor.clone().unwrap_or_default(),
            e.target.clone().unwrap_or_default(),
            e.text.clone(),
            String::new(),
            format!("{:.6}", s.score),
        ]);
        t.row(&row)?;
    }
    t.finish()
}

/// Settings of the simulation (consuming builder;
/// [`ActiveParams::check`]).
///
/// | setting | default | meaning | valid |
/// |---|---|---|---|
/// | `start` | 20 | seed-set size `s0` | ≥ 1 |
/// | `batch` | 10 | items added per round `K` | ≥ 1 |
/// | `max_size` | smallest training part | last labelled size | ≥ `start` |
/// | `strategies` | random, margin | curves drawn | distinct, not empty |
/// | `repeats`, `seed`, `level`, `resamples`, `zero_division` | as [`CurveScoring`] | | |
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveParams {
    start: usize,
    batch: usize,
    max_size: Option<usize>,
    strategies: Vec<Strategy>,
    scoring: CurveScoring,
}

impl Default for ActiveParams {
    fn default() -> Self {
        ActiveParams {
            start: 20,
            batch: 10,
            max_size: None,
            strategies: vec![Strategy::Random, Strategy::Margin],
            scoring: CurveScoring::default(),
        }
    }
}

impl ActiveParams {
    /// Seed-set size.
    pub fn start(mut self, n: usize) -> Self {
        self.start = n;
        self
    }
    /// Items added per round.
    pub fn batch(mut self, k: usize) -> Self {
        self.batch = k;
        self
    }
    /// Last labelled size (`None`: the smallest training part).
    pub fn max_size(mut self, n: Option<usize>) -> Self {
        self.max_size = n;
        self
    }
    /// The strategies to simulate, in report order.
    pub fn strategies(mut self, s: Vec<Strategy>) -> Self {
        self.strategies = s;
        self
    }
    /// Scoring: repeats, seed, interval level, bootstrap resamples.
    pub fn scoring(mut self, sc: CurveScoring) -> Self {
        self.scoring = sc;
        self
    }
    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag: `start` or `batch` of 0,
    /// `max_size` below `start`, no or repeated strategies, and as
    /// [`CurveScoring::check`].
    pub fn check(self) -> Result<ValidActiveParams> {
        if self.start == 0 {
            return Err(Error::param("--start", "must be at least 1"));
        }
        if self.batch == 0 {
            return Err(Error::param("--batch", "must be at least 1"));
        }
        if let Some(m) = self.max_size {
            if m < self.start {
                return Err(Error::param(
                    "--max-size",
                    format!("{m} is below the seed set ({} items)", self.start),
                ));
            }
        }
        if self.strategies.is_empty() {
            return Err(Error::param("--strategy", "no strategy to simulate"));
        }
        for (i, s) in self.strategies.iter().enumerate() {
            if self.strategies[..i].contains(s) {
                return Err(Error::param("--strategy", format!("{s} is listed twice")));
            }
        }
        self.scoring.check()?;
        Ok(ValidActiveParams(self))
    }
}

/// Checked [`ActiveParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidActiveParams(ActiveParams);

/// Stream tags of the simulation's random steps (see
/// [`crate::eval::curve`]'s `unit_rng`).
const TOP_UP_STREAM: u64 = 2;
const RANDOM_STREAM: u64 = 3;

/// The labelled part of one fold's pool.
#[derive(Clone)]
struct Labelled<'a> {
    train: &'a [usize],
    groups: &'a [usize],
    items: Vec<usize>,
    in_set: FxHashSet<usize>,
    blocked: FxHashSet<usize>,
}

impl<'a> Labelled<'a> {
    fn new(train: &'a [usize], groups: &'a [usize]) -> Self {
        Labelled {
            train,
            groups,
            items: Vec::new(),
            in_set: FxHashSet::default(),
            blocked: FxHashSet::default(),
        }
    }
    fn add(&mut self, i: usize) {
        if self.in_set.insert(i) {
            self.items.push(i);
            self.blocked.insert(self.groups[i]);
        }
    }
    /// Selectable pool items, ascending.
    fn selectable(&self) -> Vec<usize> {
        self.train
            .iter()
            .copied()
            .filter(|i| !self.in_set.contains(i) && !self.blocked.contains(&self.groups[*i]))
            .collect()
    }
    fn sorted(&self) -> Vec<usize> {
        let mut v = self.items.clone();
        v.sort_unstable();
        v
    }
    /// Adds up to `k` items of `pool` ranked by `ranked` (indices into
    /// `pool`), one per group; returns how many were added.
    fn add_ranked(&mut self, pool: &[usize], ranked: &[Suggestion], k: usize) -> usize {
        let mut blocked = self.blocked.clone();
        let chosen = select(ranked, k, |j| self.groups[pool[j]], &mut blocked);
        for s in &chosen {
            self.add(pool[s.index]);
        }
        chosen.len()
    }
    /// Adds up to `k` random selectable items.
    fn add_random(&mut self, k: usize, rng: &mut Rng) -> usize {
        let pool = self.selectable();
        let scores: Vec<f64> = pool.iter().map(|_| rng.unit()).collect();
        let ranked = rank_scores(Strategy::Random, scores);
        self.add_ranked(&pool, &ranked, k)
    }
}

impl ValidActiveParams {
    /// The settings.
    pub fn params(&self) -> &ActiveParams {
        &self.0
    }

    /// The labelled sizes recorded on `folds` (`start + k · batch` up to
    /// `max_size` and the largest training part), and notes on sizes
    /// skipped or capped.
    ///
    /// # Errors
    /// [`Error::Split`] for no folds or an empty training part;
    /// [`Error::InvalidParam`] (`--start`) when the seed set is larger than
    /// every training part.
    pub fn resolve_sizes(&self, folds: &[Fold]) -> Result<(Vec<usize>, Vec<String>)> {
        let p = &self.0;
        if folds.is_empty() {
            return Err(Error::Split("no folds".into()));
        }
        if let Some(f) = folds.iter().find(|f| f.train.is_empty()) {
            return Err(Error::Split(format!("fold {}: empty training set", f.name)));
        }
        let largest = folds.iter().map(|f| f.train.len()).max().unwrap_or(0);
        let smallest = folds.iter().map(|f| f.train.len()).min().unwrap_or(0);
        if p.start > largest {
            return Err(Error::param(
                "--start",
                format!(
                    "a seed set of {} is above the largest training part ({largest} items)",
                    p.start
                ),
            ));
        }
        let mut notes = Vec::new();
        let last = match p.max_size {
            Some(m) if m > largest => {
                notes.push(format!(
                    "sizes above {largest} skipped: above the largest training part"
                ));
                largest
            }
            Some(m) => m,
            // As the learning curve's auto sizes: no fold capped.
            None => smallest.max(p.start),
        };
        let sizes: Vec<usize> = (0..)
            .map(|k| p.start + k * p.batch)
            .take_while(|&n| n <= last)
            .collect();
        notes.extend(cap_notes(folds, &sizes));
        Ok((sizes, notes))
    }

    /// Simulates every strategy with every model on the outer `folds` (see
    /// the module doc). `groups` are the duplicate groups of every example
    /// ([`split::group_duplicates`] on all `texts`). Points are in model
    /// order, then strategy order, then size.
    ///
    /// # Errors
    /// As [`crate::eval::curve::ValidCurveParams::run`] and
    /// [`ValidActiveParams::resolve_sizes`]; fit errors leave points out,
    /// with notes.
    ///
    /// # Panics
    /// If `texts`, `labels` and `groups` differ in length (a caller bug).
    pub fn simulate<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        labels: &[Stance],
        groups: &[usize],
        folds: &[Fold],
        featurizer: &ValidFeaturizerParams,
        models: &[ModelParams],
    ) -> Result<Curve> {
        self.simulate_with(texts, labels, groups, folds, featurizer, models, &Silent)
    }

    /// [`ValidActiveParams::simulate`], telling `progress` of every
    /// (repeat, fold) unit done (stage `active-learning simulation`,
    /// `repeats × folds` units; the results do not depend on it).
    ///
    /// # Errors
    /// As [`ValidActiveParams::simulate`].
    #[allow(clippy::too_many_arguments)]
    pub fn simulate_with<S: AsRef<str> + Sync>(
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
        let p = &self.0;
        let sc = p.scoring;
        let n_folds = folds.len();
        let ctx = Ctx {
            texts,
            labels,
            groups,
            featurizer,
            models,
            sizes: &sizes,
            params: p,
        };
        progress.start("active-learning simulation", (sc.repeats * n_folds) as u64);
        let units: Vec<(Vec<Vec<Preds>>, Option<String>)> = (0..sc.repeats * n_folds)
            .into_par_iter()
            .map(|u| {
                let (r, fold) = (u / n_folds, &folds[u % n_folds]);
                let out = ctx.unit(r, u % n_folds, fold);
                progress.advance(1, &format!("repeat {}, fold {}", r + 1, fold.name));
                out
            })
            .collect();
        progress.finish();
        // At most one exhaustion note per fold (the first repeat's).
        let mut noted = FxHashSet::default();
        for (u, (_, note)) in units.iter().enumerate() {
            if let Some(n) = note {
                if noted.insert(u % n_folds) {
                    notes.push(n.clone());
                }
            }
        }
        let series: Vec<(String, Strategy)> = models
            .iter()
            .flat_map(|m| p.strategies.iter().map(|&s| (m.name().to_owned(), s)))
            .collect();
        let units: Vec<Vec<Vec<Preds>>> = units.into_iter().map(|(u, _)| u).collect();
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

/// What every (repeat, fold) unit of the simulation reads.
struct Ctx<'a, S> {
    texts: &'a [S],
    labels: &'a [Stance],
    groups: &'a [usize],
    featurizer: &'a ValidFeaturizerParams,
    models: &'a [ModelParams],
    sizes: &'a [usize],
    params: &'a ActiveParams,
}

impl<S: AsRef<str> + Sync> Ctx<'_, S> {
    /// Runs every (model, strategy) series of repeat `r` on fold `f`:
    /// `[series][size]` predictions, and a note if the pool ran out.
    fn unit(&self, r: usize, f: usize, fold: &Fold) -> (Vec<Vec<Preds>>, Option<String>) {
        let p = self.params;
        let seed = p.scoring.seed;
        let order = stratified_order(
            &fold.train,
            self.labels,
            self.groups,
            &mut unit_rng(seed, ORDER_STREAM, r, f),
        );
        let mut base = Labelled::new(&fold.train, self.groups);
        for i in take(&order, p.start) {
            base.add(i);
        }
        if base.items.len() < p.start {
            let short = p.start - base.items.len();
            base.add_random(short, &mut unit_rng(seed, TOP_UP_STREAM, r, f));
        }
        let n_strategies = p.strategies.len();
        let mut out: Vec<Vec<Preds>> = (0..self.models.len() * n_strategies)
            .map(|_| Vec::with_capacity(self.sizes.len()))
            .collect();
        let mut exhausted: Option<usize> = None;
        for (s, &strategy) in p.strategies.iter().enumerate() {
            if strategy == Strategy::Random {
                let mut lab = base.clone();
                let mut rng = unit_rng(seed, RANDOM_STREAM, r, f);
                for (k, &size) in self.sizes.iter().enumerate() {
                    if k > 0 {
                        let want = size.saturating_sub(lab.items.len());
                        if lab.add_random(want, &mut rng) < want {
                            exhausted.get_or_insert(lab.items.len());
                        }
                    }
                    let preds = fit_predict(
                        self.texts,
                        self.labels,
                        &lab.sorted(),
                        &fold.test,
                        self.featurizer,
                        self.models,
                    );
                    for (m, pr) in preds.into_iter().enumerate() {
                        out[m * n_strategies + s].push(pr);
                    }
                }
            } else {
                for (m, model) in self.models.iter().enumerate() {
                    let (series, ran_out) = self.uncertainty_run(&base, fold, model, strategy);
                    if let Some(n) = ran_out {
                        exhausted.get_or_insert(n);
                    }
                    out[m * n_strategies + s] = series;
                }
            }
        }
        let note = exhausted.map(|n| {
            format!(
                "fold {}: no selectable training items left after {n} labelled (one per duplicate group); larger sizes train on those (capped)",
                fold.name
            )
        });
        (out, note)
    }

    /// One model under an uncertainty strategy: the predictions at every
    /// size, and the labelled count at which the pool ran out, if it did.
    fn uncertainty_run(
        &self,
        base: &Labelled<'_>,
        fold: &Fold,
        model: &ModelParams,
        strategy: Strategy,
    ) -> (Vec<Preds>, Option<usize>) {
        let mut lab = base.clone();
        let mut out = Vec::with_capacity(self.sizes.len());
        let mut current: Option<(Featurizer, FittedModel)> = None;
        let mut broken: Option<String> = None;
        let mut ran_out = None;
        for (k, &size) in self.sizes.iter().enumerate() {
            if let Some(e) = &broken {
                out.push(Err(e.clone()));
                continue;
            }
            if k > 0 {
                let Some((fz, m)) = &current else {
                    // Unreachable: a round without a model is broken.
                    out.push(Err("no model to rank the pool with".into()));
                    continue;
                };
                let want = size.saturating_sub(lab.items.len());
                let pool = lab.selectable();
                match predict(self.texts, &pool, fz, m) {
                    Ok(probs) => {
                        let ranked = rank(strategy, &probs, 0);
                        if lab.add_ranked(&pool, &ranked, want) < want {
                            ran_out.get_or_insert(lab.items.len());
                        }
                    }
                    Err(e) => {
                        let msg = format!("ranking the pool at {} labels: {e}", lab.items.len());
                        out.push(Err(msg.clone()));
                        broken = Some(msg);
                        continue;
                    }
                }
            }
            let train = lab.sorted();
            let fitted = fit_models(
                self.texts,
                self.labels,
                &train,
                self.featurizer,
                std::slice::from_ref(model),
            )
            .and_then(|(fz, mut ms)| {
                let m = ms
                    .pop()
                    .unwrap_or_else(|| Err(Error::fit(model.name(), "no fit returned")))?;
                Ok((fz, m))
            });
            match fitted {
                Ok((fz, m)) => {
                    out.push(
                        predict(self.texts, &fold.test, &fz, &m)
                            .map(|p| p.iter().map(argmax).collect())
                            .map_err(|e| e.to_string()),
                    );
                    current = Some((fz, m));
                }
                Err(e) => {
                    out.push(Err(e.to_string()));
                    broken = Some(format!(
                        "no model to rank the pool with: the fit at {} labels failed: {e}",
                        train.len()
                    ));
                }
            }
        }
        (out, ran_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::split::CvScheme;
    use crate::features::FeaturizerParams;
    use Stance::*;

    #[test]
    fn strategies_parse_and_print() {
        for s in Strategy::ALL {
            assert_eq!(s.as_str().parse::<Strategy>().unwrap(), s);
        }
        let e = "least-confident".parse::<Strategy>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid setting --strategy: 'least-confident' is not a strategy; expected margin, entropy or random"
        );
    }

    #[test]
    fn margin_and_entropy_rankings_by_hand() {
        let probs = [
            [0.5, 0.3, 0.2],   // margin 0.2, entropy 1.0297
            [0.9, 0.05, 0.05], // margin 0.85, entropy 0.3944
            [0.4, 0.35, 0.25], // margin 0.05, entropy 1.0805
            [1.0 / 3.0; 3],    // margin 0, entropy ln 3
            [0.2, 0.5, 0.3],   // margin 0.2 (ties item 0), entropy 1.0297
            [0.0, 1.0, 0.0],   // margin 1, entropy 0
        ];
        assert!((margin(&probs[0]) - 0.2).abs() < 1e-12);
        assert!((entropy(&probs[3]) - 3f64.ln()).abs() < 1e-12);
        assert_eq!(entropy(&probs[5]), 0.0);
        let h0 = -(0.5f64 * 0.5f64.ln() + 0.3 * 0.3f64.ln() + 0.2 * 0.2f64.ln());
        assert!((entropy(&probs[0]) - h0).abs() < 1e-12);
        let order = |s| {
            rank(s, &probs, 0)
                .iter()
                .map(|x| x.index)
                .collect::<Vec<_>>()
        };
        // Margin ascending; 0 and 4 tie and keep pool order.
        assert_eq!(order(Strategy::Margin), [3, 2, 0, 4, 1, 5]);
        // Entropy descending; 0 and 4 tie.
        assert_eq!(order(Strategy::Entropy), [3, 2, 0, 4, 1, 5]);
        let r = rank(Strategy::Margin, &probs, 0);
        assert!((r[1].score - 0.05).abs() < 1e-12);
        // Where the two disagree: a flat top pair with a likely third class
        // has a small margin but lower entropy than a flatter spread.
        let p = [[0.45, 0.45, 0.1], [0.5, 0.25, 0.25]];
        assert_eq!(order2(Strategy::Margin, &p), [0, 1]);
        assert_eq!(order2(Strategy::Entropy, &p), [1, 0]);
        // Random: a seeded shuffle, scores ascending.
        let a = rank(Strategy::Random, &probs, 7);
        assert_eq!(a, rank(Strategy::Random, &probs, 7));
        assert_ne!(a, rank(Strategy::Random, &probs, 8));
        assert!(a.windows(2).all(|w| w[0].score <= w[1].score));
        let mut idx: Vec<usize> = a.iter().map(|x| x.index).collect();
        idx.sort_unstable();
        assert_eq!(idx, [0, 1, 2, 3, 4, 5]);
        // A non-finite score ranks last.
        let nan = [[f64::NAN, 0.5, 0.5], [0.6, 0.4, 0.0]];
        assert_eq!(order2(Strategy::Margin, &nan), [1, 0]);
        assert_eq!(order2(Strategy::Entropy, &nan), [1, 0]);
    }

    fn order2(s: Strategy, p: &[Probs]) -> Vec<usize> {
        rank(s, p, 0).iter().map(|x| x.index).collect()
    }

    fn pipeline() -> (Pipeline, Vec<&'static str>) {
        let train = vec![
            "we will strike the cartels now",
            "strike them hard and strike again",
            "there will be no invasion of our land",
            "no invasion no troops no strike",
            "talks on tariffs continue this week",
            "the tariff talks resume in june",
        ];
        let labels = [Favor, Favor, Against, Against, None, None];
        let p = Pipeline::fit(
            &FeaturizerParams::default().check().unwrap(),
            &ModelParams::from_name("nb").unwrap(),
            &train,
            &labels,
        )
        .unwrap();
        (p, train)
    }

    #[test]
    fn suggest_ranks_and_skips_duplicates_of_the_pool_and_of_training() {
        let (p, train) = pipeline();
        let pool = [
            "strike the cartels and talk tariffs",        // 0: mixed
            "“Strike the cartels and talk tariffs.”",     // 1: duplicate of 0
            "we will strike the cartels now",             // 2: a training text
            "no invasion",                                // 3
            "tariff talks",                               // 4
            "strike the cartels, and talk tariffs today", // 5: near-duplicate of 0? (shares 6 terms)
            "invasion talks strike",                      // 6: mixed
        ];
        let probs = p.predict_proba(&pool).unwrap();
        let by_margin = rank(Strategy::Margin, &probs, 0);
        let params = SuggestParams::new(10).check().unwrap();
        let s = params.suggest(&p, &pool, &train).unwrap();
        let groups = split::group_duplicates(&pool.iter().chain(&train).collect::<Vec<_>>());
        // Every chosen item is alone in its group, and no group holds a
        // training text.
        let chosen: Vec<usize> = s.iter().map(|x| x.index).collect();
        assert!(!chosen.contains(&2), "{chosen:?}");
        assert!(!(chosen.contains(&0) && chosen.contains(&1)), "{chosen:?}");
        assert_eq!(groups[0], groups[1]);
        for (a, &i) in chosen.iter().enumerate() {
            for &j in &chosen[..a] {
                assert_ne!(groups[i], groups[j]);
            }
        }
        // The order is the margin order without the skipped items.
        let expected: Vec<usize> = {
            let mut seen = FxHashSet::default();
            for g in &groups[pool.len()..] {
                seen.insert(*g);
            }
            by_margin
                .iter()
                .filter(|x| seen.insert(groups[x.index]))
                .map(|x| x.index)
                .collect()
        };
        assert_eq!(chosen, expected);
        for x in &s {
            assert!((x.score - margin(&probs[x.index])).abs() < 1e-15);
        }
        // K limits the list; without the training texts item 2 may be chosen.
        let two = SuggestParams::new(2)
            .check()
            .unwrap()
            .suggest(&p, &pool, &train)
            .unwrap();
        assert_eq!(two, s[..2]);
        let free = params.suggest(&p, &pool, &[] as &[&str]).unwrap();
        assert!(free.iter().any(|x| x.index == 2));
        assert!(SuggestParams::new(0).check().is_err());
        // Random: seeded, deterministic.
        let r = SuggestParams::new(3)
            .strategy(Strategy::Random)
            .seed(5)
            .check()
            .unwrap();
        assert_eq!(
            r.suggest(&p, &pool, &train).unwrap(),
            r.suggest(&p, &pool, &train).unwrap()
        );
    }

    #[test]
    fn select_keeps_one_per_group_and_none_blocked() {
        let ranked: Vec<Suggestion> = [4, 0, 1, 2, 3, 5]
            .iter()
            .map(|&index| Suggestion { index, score: 0.0 })
            .collect();
        // Groups: {0, 1}, {2}, {3, 4}, {5}; {2} holds a training text.
        let groups = [0, 0, 2, 3, 3, 5];
        let mut blocked: FxHashSet<usize> = [2].into_iter().collect();
        let s = select(&ranked, 10, |i| groups[i], &mut blocked);
        let idx: Vec<usize> = s.iter().map(|x| x.index).collect();
        assert_eq!(idx, [4, 0, 5]);
        let mut blocked = FxHashSet::default();
        assert_eq!(select(&ranked, 2, |i| groups[i], &mut blocked).len(), 2);
    }

    #[test]
    fn suggestions_csv_is_a_label_template() {
        let ex: Vec<Example> = (0..3)
            .map(|i| Example {
                id: format!("q{i}"),
                doc: Some("d.txt".into()),
                actor: Option::None,
                target: Option::None,
                text: format!("say \"hi\", {i}"),
                stance: Option::None,
                span: Option::None,
                line: i as u64 + 2,
            })
            .collect();
        let s = [
            Suggestion {
                index: 2,
                score: 0.125,
            },
            Suggestion {
                index: 0,
                score: 0.5,
            },
        ];
        let csv = suggestions_csv(&ex, &s).unwrap();
        assert_eq!(
            csv,
            "id,doc,actor,target,text,stance,score\n\
             q2,d.txt,,,\"say \"\"hi\"\", 2\",,0.125000\n\
             q0,d.txt,,,\"say \"\"hi\"\", 0\",,0.500000\n"
        );
        let back = crate::corpus::Corpus::from_bytes(
            std::path::Path::new("s.csv"),
            csv.as_bytes(),
            crate::corpus::ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(back.examples[0].id, "q2");
        assert_eq!(back.examples[0].stance, Option::None);
        assert!(suggestions_csv(
            &ex,
            &[Suggestion {
                index: 3,
                score: 0.0
            }]
        )
        .is_err());
    }

    #[test]
    fn params_are_checked_and_sizes_resolved() {
        assert!(ActiveParams::default().start(0).check().is_err());
        assert!(ActiveParams::default().batch(0).check().is_err());
        assert!(ActiveParams::default().max_size(Some(5)).check().is_err());
        assert!(ActiveParams::default().strategies(vec![]).check().is_err());
        let e = ActiveParams::default()
            .strategies(vec![Strategy::Margin, Strategy::Margin])
            .check()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid setting --strategy: margin is listed twice"
        );
        let fold = |name: &str, n: usize| Fold {
            name: name.into(),
            train: (0..n).collect(),
            test: vec![n],
        };
        let p = ActiveParams::default().start(10).batch(20).check().unwrap();
        let (sizes, notes) = p.resolve_sizes(&[fold("a", 65), fold("b", 71)]).unwrap();
        assert_eq!(sizes, [10, 30, 50]);
        assert!(notes.is_empty(), "{notes:?}");
        let p = ActiveParams::default()
            .start(10)
            .batch(20)
            .max_size(Some(70))
            .check()
            .unwrap();
        let (sizes, notes) = p.resolve_sizes(&[fold("a", 65), fold("b", 71)]).unwrap();
        assert_eq!(sizes, [10, 30, 50, 70]);
        assert_eq!(
            notes,
            ["fold a: training part of 65 items; sizes 70 train on all of it (capped)"]
        );
        let p = ActiveParams::default()
            .start(10)
            .batch(20)
            .max_size(Some(500))
            .check()
            .unwrap();
        let (sizes, notes) = p.resolve_sizes(&[fold("a", 71)]).unwrap();
        assert_eq!(sizes, [10, 30, 50, 70]);
        assert_eq!(
            notes,
            ["sizes above 71 skipped: above the largest training part"]
        );
        let p = ActiveParams::default().start(100).check().unwrap();
        assert!(p.resolve_sizes(&[fold("a", 71)]).is_err());
    }

    /// Planted data: words `cls*` name a class; a `hard_share` of quotes
    /// carry two wrong-class words and a rarer marker word `mrk*` of the
    /// true class, so the informative quotes are the ambiguous ones.
    fn w(prefix: &str, k: usize) -> String {
        let letters = b"bcdfghjklmnpqrstvwxz";
        let mut s = String::from(prefix);
        let mut k = k;
        loop {
            s.push(letters[k % 20] as char);
            s.push('a');
            k /= 20;
            if k == 0 {
                break;
            }
        }
        s
    }

    fn planted(n: usize, hard_share: f64, seed: u64) -> (Vec<String>, Vec<Stance>) {
        let mut rng = Rng::new(seed);
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..n {
            let c = rng.below(3);
            let mut words: Vec<String> = (0..6).map(|_| w("fil", rng.below(300))).collect();
            if rng.unit() < hard_share {
                let x = (c + 1 + rng.below(2)) % 3;
                let y = (x + 1 + rng.below(2)) % 3;
                let y = if y == x { (x + 1) % 3 } else { y };
                words.push(w("cls", x * 5 + rng.below(5)));
                words.push(w("cls", y * 5 + rng.below(5)));
                words.push(w("mrk", c));
            } else {
                words.push(w("cls", c * 5 + rng.below(5)));
                words.push(w("cls", c * 5 + rng.below(5)));
            }
            rng.shuffle(&mut words);
            texts.push(words.join(" "));
            labels.push(Stance::ALL[c]);
        }
        (texts, labels)
    }

    fn simulate(
        texts: &[String],
        labels: &[Stance],
        model: &str,
        seed: u64,
        strategies: Vec<Strategy>,
    ) -> Curve {
        let groups = split::group_duplicates(texts);
        let folds = split::plan(
            CvScheme::KFold(3),
            &vec![Option::None; texts.len()],
            labels,
            &groups,
            seed,
        )
        .unwrap();
        let fp = FeaturizerParams::default().check().unwrap();
        ActiveParams::default()
            .start(15)
            .batch(15)
            .max_size(Some(90))
            .strategies(strategies)
            .scoring(CurveScoring {
                repeats: 2,
                seed,
                ..CurveScoring::default()
            })
            .check()
            .unwrap()
            .simulate(
                texts,
                labels,
                &groups,
                &folds,
                &fp,
                &[ModelParams::from_name(model).unwrap()],
            )
            .unwrap()
    }

    #[test]
    fn simulation_is_paired_at_the_seed_set_and_the_same_at_any_thread_count() {
        let (texts, labels) = planted(150, 0.25, 3);
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    let c = simulate(
                        &texts,
                        &labels,
                        "nb",
                        3,
                        vec![Strategy::Random, Strategy::Margin, Strategy::Entropy],
                    );
                    (c.to_csv().unwrap(), c.to_svg(), c)
                })
        };
        let (csv1, svg1, c) = run(1);
        let (csv2, svg2, _) = run(2);
        assert_eq!(csv1, csv2);
        assert_eq!(svg1, svg2);
        assert_eq!(c.sizes, [15, 30, 45, 60, 75, 90]);
        // Every strategy starts from the same seed set: same first point.
        let first: Vec<f64> = Strategy::ALL
            .iter()
            .map(|&s| c.series_points("nb", s)[0].macro_f1)
            .collect();
        assert_eq!(first[0], first[1]);
        assert_eq!(first[0], first[2]);
        for s in Strategy::ALL {
            assert_eq!(c.series_points("nb", s).len(), 6, "{s}");
        }
        let other = simulate(&texts, &labels, "nb", 4, vec![Strategy::Random]);
        assert_ne!(other.to_csv().unwrap(), csv1);
        // The progress hook counts (repeat, fold) units and changes nothing.
        let groups = split::group_duplicates(&texts);
        let folds = split::plan(
            CvScheme::KFold(3),
            &vec![Option::None; texts.len()],
            &labels,
            &groups,
            3,
        )
        .unwrap();
        let rec = crate::progress::testing::Recorder::default();
        let with = ActiveParams::default()
            .start(15)
            .batch(15)
            .max_size(Some(90))
            .strategies(vec![Strategy::Random, Strategy::Margin, Strategy::Entropy])
            .scoring(CurveScoring {
                repeats: 2,
                seed: 3,
                ..CurveScoring::default()
            })
            .check()
            .unwrap()
            .simulate_with(
                &texts,
                &labels,
                &groups,
                &folds,
                &FeaturizerParams::default().check().unwrap(),
                &[ModelParams::from_name("nb").unwrap()],
                &rec,
            )
            .unwrap();
        assert_eq!(with.to_csv().unwrap(), csv1);
        assert_eq!(
            *rec.stages.lock().unwrap(),
            [("active-learning simulation".to_owned(), 6)]
        );
        assert_eq!(*rec.done.lock().unwrap(), 6);
        assert_eq!(*rec.finished.lock().unwrap(), 1);
    }

    #[test]
    fn margin_beats_random_on_planted_ambiguous_quotes() {
        // Averaged over the sizes after the seed set: labelling the
        // ambiguous quotes first teaches the marker words sooner.
        let (texts, labels) = planted(300, 0.25, 0);
        let c = simulate(
            &texts,
            &labels,
            "nb",
            0,
            vec![Strategy::Random, Strategy::Margin],
        );
        let mean = |s: Strategy| {
            let p = c.series_points("nb", s);
            p[1..].iter().map(|p| p.macro_f1).sum::<f64>() / (p.len() - 1) as f64
        };
        let (r, m) = (mean(Strategy::Random), mean(Strategy::Margin));
        assert!(m > r, "margin {m:.3} vs random {r:.3}");
    }
}
