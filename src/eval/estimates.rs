//! Actor estimates a reader can weigh: per actor, the mean (calibrated)
//! class probabilities over their quotes, a seeded bootstrap interval of
//! each mean, the number of quotes and of articles, and an evidence level;
//! and, against actor-level gold, the accuracy at each evidence level and
//! the accuracy-vs-coverage table (abstaining on weaker evidence).
//!
//! # Interval
//! A percentile bootstrap over the actor's quotes: `resamples` resamples
//! of the actor's `n` quotes with replacement, the mean probability of
//! each class recomputed on each, and the `(1 − level)/2` and
//! `(1 + level)/2` quantiles (nearest rank, as [`crate::eval::bootstrap`]).
//! Each actor's resamples come from its own generator, seeded by the
//! caller's seed mixed with a hash (FNV-1a) of the actor id, so an actor's
//! interval does not depend on which other actors are in the input. With
//! one quote the interval has zero width: it says nothing.
//!
//! # Evidence (rules, in order)
//! 1. `insufficient`: the actor has one quote ([`MIN_QUOTES`] = 2 are
//!    needed for any spread).
//! 2. `strong`: at least [`MIN_STRONG_QUOTES`] = 3 quotes, and the stance
//!    class's interval lies wholly above the interval of every other class
//!    (its lower bound is above the runner-up's upper bound). Two quotes
//!    have only three distinct resample means, too coarse an interval to
//!    call strong.
//! 3. `weak`: otherwise (two quotes, or the top two intervals overlap).
//!
//! The actor's stance is the class with the highest mean probability
//! (ties: favor, then against, then none), as [`crate::eval::actors::aggregate`].
//!
//! Cost: `resamples × n` draws per actor.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::eval::bootstrap::quantile;
use crate::io::table::{Fixed, Table};
use crate::label::{ActorStance, Stance, N_CLASSES};
use crate::models::{argmax, Probs};
use crate::rng::Rng;

/// Fewest quotes for evidence above `insufficient`.
pub const MIN_QUOTES: usize = 2;

/// Fewest quotes for `strong` evidence.
pub const MIN_STRONG_QUOTES: usize = 3;

/// How much an actor's estimate can be trusted (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Evidence {
    /// The stance's interval is clear of every other class's.
    Strong,
    /// Several quotes, but the top two intervals overlap.
    Weak,
    /// One quote.
    Insufficient,
}

impl Evidence {
    /// Every level, strongest first.
    pub const ALL: [Evidence; 3] = [Evidence::Strong, Evidence::Weak, Evidence::Insufficient];

    /// The name written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Strong => "strong",
            Evidence::Weak => "weak",
            Evidence::Insufficient => "insufficient",
        }
    }
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl serde::Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Bootstrap settings of [`estimate_actors`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateSettings {
    /// Resamples per actor; at least 1.
    pub resamples: usize,
    /// Interval level in `(0, 1)`, e.g. 0.95.
    pub level: f64,
    /// Seed, mixed with each actor's id.
    pub seed: u64,
}

impl Default for EstimateSettings {
    fn default() -> Self {
        EstimateSettings {
            resamples: crate::eval::bootstrap::DEFAULT_RESAMPLES,
            level: crate::eval::bootstrap::DEFAULT_LEVEL,
            seed: 42,
        }
    }
}

/// One actor's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorEstimate {
    /// The actor id.
    pub actor: String,
    /// Number of quotes.
    pub n: usize,
    /// Number of distinct articles (documents) quoting them; quotes
    /// without a document count as one unknown article.
    pub n_articles: usize,
    /// Mean class probabilities over the quotes.
    pub mean: Probs,
    /// Lower bounds of the means' intervals.
    pub lo: Probs,
    /// Upper bounds of the means' intervals.
    pub hi: Probs,
    /// The class with the highest mean.
    pub stance: Stance,
    /// The evidence level.
    pub evidence: Evidence,
}

impl ActorEstimate {
    /// The stance's mean probability minus the runner-up's.
    pub fn margin(&self) -> f64 {
        let top = self.mean[self.stance.index()];
        let second = (0..N_CLASSES)
            .filter(|&c| c != self.stance.index())
            .map(|c| self.mean[c])
            .fold(f64::NEG_INFINITY, f64::max);
        top - second
    }
}

/// FNV-1a hash of an actor id, to give each actor its own generator.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn mean_of(probs: &[Probs], idx: impl Iterator<Item = usize>) -> Probs {
    let mut sum = [0.0; N_CLASSES];
    let mut n = 0usize;
    for i in idx {
        sum.iter_mut().zip(&probs[i]).for_each(|(s, p)| *s += p);
        n += 1;
    }
    sum.map(|s| s / n.max(1) as f64)
}

/// Per-actor estimates (sorted by actor id) of quote probabilities `probs`
/// said by `actors` in `docs` (see the module doc).
///
/// # Errors
/// [`Error::InvalidParam`] for bad settings; [`Error::Report`] if the
/// three slices differ in length.
pub fn estimate_actors(
    actors: &[&str],
    docs: &[Option<&str>],
    probs: &[Probs],
    settings: EstimateSettings,
) -> Result<Vec<ActorEstimate>> {
    if actors.len() != probs.len() || docs.len() != probs.len() {
        return Err(Error::report(
            "actor estimates",
            "one actor and one document per prediction expected",
        ));
    }
    if settings.resamples == 0 {
        return Err(Error::param("resamples", "must be at least 1"));
    }
    if !(settings.level > 0.0 && settings.level < 1.0) {
        return Err(Error::param("level", "expected a fraction in (0, 1)"));
    }
    let mut by_actor: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, a) in actors.iter().enumerate() {
        by_actor.entry(a).or_default().push(i);
    }
    let a = (1.0 - settings.level) / 2.0;
    Ok(by_actor
        .into_iter()
        .map(|(actor, idx)| {
            let n = idx.len();
            let mean = mean_of(probs, idx.iter().copied());
            let mut rng = Rng::new(settings.seed ^ fnv1a(actor));
            let mut stats: [Vec<f64>; N_CLASSES] =
                std::array::from_fn(|_| Vec::with_capacity(settings.resamples));
            for _ in 0..settings.resamples {
                let m = mean_of(probs, (0..n).map(|_| idx[rng.below(n)]));
                for c in 0..N_CLASSES {
                    stats[c].push(m[c]);
                }
            }
            stats.iter_mut().for_each(|s| s.sort_by(f64::total_cmp));
            let lo = std::array::from_fn(|c| quantile(&stats[c], a));
            let hi = std::array::from_fn(|c| quantile(&stats[c], 1.0 - a));
            let stance = argmax(&mean);
            let top = stance.index();
            let evidence = if n < MIN_QUOTES {
                Evidence::Insufficient
            } else if n >= MIN_STRONG_QUOTES && (0..N_CLASSES).all(|c| c == top || lo[top] > hi[c])
            {
                Evidence::Strong
            } else {
                Evidence::Weak
            };
            let mut articles: Vec<Option<&str>> = idx.iter().map(|&i| docs[i]).collect();
            articles.sort_unstable();
            articles.dedup();
            ActorEstimate {
                actor: actor.to_owned(),
                n,
                n_articles: articles.len(),
                mean,
                lo,
                hi,
                stance,
                evidence,
            }
        })
        .collect())
}

/// [`estimate_actors`] within each period: one estimate per (actor,
/// period) pair, sorted by actor, then period. `periods` gives each
/// quote's period (e.g. [`crate::meta::Manifest::period`]).
///
/// # Errors
/// As [`estimate_actors`]; [`Error::Report`] if `periods` is not one per
/// quote.
pub fn estimate_by_period(
    actors: &[&str],
    docs: &[Option<&str>],
    periods: &[String],
    probs: &[Probs],
    settings: EstimateSettings,
) -> Result<Vec<(String, ActorEstimate)>> {
    if periods.len() != probs.len() {
        return Err(Error::report(
            "actor estimates",
            "one period per prediction expected",
        ));
    }
    let mut by_period: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in periods.iter().enumerate() {
        by_period.entry(p).or_default().push(i);
    }
    let mut out = Vec::new();
    for (period, idx) in by_period {
        let a: Vec<&str> = idx.iter().map(|&i| actors[i]).collect();
        let d: Vec<Option<&str>> = idx.iter().map(|&i| docs[i]).collect();
        let p: Vec<Probs> = idx.iter().map(|&i| probs[i]).collect();
        for e in estimate_actors(&a, &d, &p, settings)? {
            out.push((period.to_owned(), e));
        }
    }
    out.sort_by(|(pa, a), (pb, b)| a.actor.cmp(&b.actor).then_with(|| pa.cmp(pb)));
    Ok(out)
}

/// [`estimates_csv`] with a last column `period`.
///
/// # Errors
/// [`Error::Report`] if a row cannot be written (a bug).
pub fn period_estimates_csv(estimates: &[(String, ActorEstimate)]) -> Result<String> {
    let mut header = ESTIMATES_HEADER.to_vec();
    header.push("period");
    let mut t = Table::new("actor predictions", header)?;
    for (period, e) in estimates {
        t.row(&(estimate_row(e), period))?;
    }
    t.finish()
}

type EstimateRow<'a> = (
    &'a str,
    Stance,
    usize,
    [Fixed<4>; N_CLASSES],
    Fixed<4>,
    usize,
    [(Fixed<4>, Fixed<4>); N_CLASSES],
    Evidence,
);

fn estimate_row(e: &ActorEstimate) -> EstimateRow<'_> {
    (
        &e.actor,
        e.stance,
        e.n,
        e.mean.map(Fixed::<4>),
        Fixed::<4>(e.mean[e.stance.index()]),
        e.n_articles,
        [0, 1, 2].map(|c| (Fixed::<4>(e.lo[c]), Fixed::<4>(e.hi[c]))),
        e.evidence,
    )
}

/// Header of [`estimates_csv`].
pub const ESTIMATES_HEADER: [&str; 15] = [
    "actor",
    "stance",
    "n",
    "p_favor",
    "p_against",
    "p_none",
    "confidence",
    "n_articles",
    "p_favor_lo",
    "p_favor_hi",
    "p_against_lo",
    "p_against_hi",
    "p_none_lo",
    "p_none_hi",
    "evidence",
];

/// The CSV of `predict --by-actor` (see [`ESTIMATES_HEADER`]; 4 decimals;
/// `confidence` is the stance's mean probability).
///
/// # Errors
/// [`Error::Report`] if a row cannot be written (a bug).
pub fn estimates_csv(estimates: &[ActorEstimate]) -> Result<String> {
    let mut t = Table::new("actor predictions", ESTIMATES_HEADER)?;
    for e in estimates {
        t.row(&estimate_row(e))?;
    }
    t.finish()
}

/// Accuracy of the actors at one evidence level, or of a coverage step.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelScore {
    /// The levels included (one for a level row; the strongest first for
    /// a coverage row).
    pub levels: Vec<Evidence>,
    /// Actors scored.
    pub n: usize,
    /// Actors whose estimated stance equals gold.
    pub correct: usize,
    /// `n` over all scored actors.
    pub coverage: f64,
}

impl LevelScore {
    /// `correct / n`, `None` when no actor is included.
    pub fn accuracy(&self) -> Option<f64> {
        (self.n > 0).then(|| self.correct as f64 / self.n as f64)
    }
}

/// Actor-level accuracy by evidence, against gold (actors in both).
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceReport {
    /// One row per level, strongest first.
    pub levels: Vec<LevelScore>,
    /// Accuracy vs coverage: strong only, strong + weak, all.
    pub coverage: Vec<LevelScore>,
}

/// Scores `estimates` against `gold` by evidence level (a `mixed` gold
/// actor never matches, as a single predicted stance cannot be mixed).
pub fn evidence_report(
    gold: &BTreeMap<String, ActorStance>,
    estimates: &[ActorEstimate],
) -> EvidenceReport {
    let scored: Vec<(Evidence, bool)> = estimates
        .iter()
        .filter_map(|e| {
            gold.get(&e.actor)
                .map(|g| (e.evidence, *g == ActorStance::Stance(e.stance)))
        })
        .collect();
    let total = scored.len();
    let score = |levels: Vec<Evidence>| {
        let inside: Vec<bool> = scored
            .iter()
            .filter(|(e, _)| levels.contains(e))
            .map(|&(_, ok)| ok)
            .collect();
        LevelScore {
            n: inside.len(),
            correct: inside.iter().filter(|&&ok| ok).count(),
            coverage: if total == 0 {
                0.0
            } else {
                inside.len() as f64 / total as f64
            },
            levels,
        }
    };
    EvidenceReport {
        levels: Evidence::ALL.iter().map(|&e| score(vec![e])).collect(),
        coverage: (1..=Evidence::ALL.len())
            .map(|k| score(Evidence::ALL[..k].to_vec()))
            .collect(),
    }
}

impl EvidenceReport {
    /// The report as text: accuracy per evidence level, then the
    /// accuracy-vs-coverage table.
    pub fn table(&self) -> String {
        let acc = |s: &LevelScore| {
            s.accuracy()
                .map_or_else(|| "-".to_owned(), |a| format!("{a:.4}"))
        };
        let mut out = format!(
            "{:<28} {:>6} {:>8} {:>9}\n",
            "evidence", "actors", "correct", "accuracy"
        );
        for s in &self.levels {
            out.push_str(&format!(
                "{:<28} {:>6} {:>8} {:>9}\n",
                s.levels[0],
                s.n,
                s.correct,
                acc(s)
            ));
        }
        out.push_str(&format!(
            "\n{:<28} {:>6} {:>8} {:>9}\n",
            "answer on (abstain on rest)", "actors", "coverage", "accuracy"
        ));
        for s in &self.coverage {
            let name: Vec<&str> = s.levels.iter().map(|e| e.as_str()).collect();
            out.push_str(&format!(
                "{:<28} {:>6} {:>8.4} {:>9}\n",
                name.join("+"),
                s.n,
                s.coverage,
                acc(s)
            ));
        }
        out
    }

    /// The report as CSV `table,evidence,actors,correct,coverage,accuracy`
    /// (`table` is `level` or `coverage`).
    ///
    /// # Errors
    /// [`Error::Report`] if a row cannot be written (a bug).
    pub fn to_csv(&self) -> Result<String> {
        let mut t = Table::new(
            "evidence.csv",
            [
                "table", "evidence", "actors", "correct", "coverage", "accuracy",
            ],
        )?;
        for (name, rows) in [("level", &self.levels), ("coverage", &self.coverage)] {
            for s in rows {
                let levels: Vec<&str> = s.levels.iter().map(|e| e.as_str()).collect();
                t.row(&(
                    name,
                    levels.join("+"),
                    s.n,
                    s.correct,
                    Fixed::<4>(s.coverage),
                    s.accuracy().map(Fixed::<4>),
                ))?;
            }
        }
        t.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    fn settings() -> EstimateSettings {
        EstimateSettings {
            resamples: 500,
            level: 0.95,
            seed: 9,
        }
    }

    #[test]
    fn evidence_follows_the_documented_rules() {
        let actors = ["a", "a", "a", "a", "b", "c", "c", "d", "d"];
        let docs = [
            Some("d1"),
            Some("d1"),
            Some("d2"),
            Option::None,
            Some("d1"),
            Some("d1"),
            Some("d2"),
            Some("d3"),
            Some("d3"),
        ];
        let probs = [
            [0.9, 0.05, 0.05],
            [0.8, 0.1, 0.1],
            [0.85, 0.1, 0.05],
            [0.9, 0.05, 0.05],
            [0.1, 0.8, 0.1],
            [0.6, 0.3, 0.1],
            [0.3, 0.6, 0.1],
            [0.05, 0.9, 0.05],
            [0.1, 0.85, 0.05],
        ];
        let e = estimate_actors(&actors, &docs, &probs, settings()).unwrap();
        assert_eq!(e.len(), 4);
        let d = &e[3];
        assert!(
            d.lo[1] > d.hi[0] && d.lo[1] > d.hi[2],
            "clear of the others"
        );
        assert_eq!(d.evidence, Evidence::Weak, "but two quotes only");
        let a = &e[0];
        assert_eq!((a.actor.as_str(), a.n, a.n_articles), ("a", 4, 3));
        assert!((a.mean[0] - 0.8625).abs() < 1e-12);
        assert_eq!(a.stance, Favor);
        assert_eq!(a.evidence, Evidence::Strong);
        for c in 0..3 {
            assert!(a.lo[c] <= a.mean[c] && a.mean[c] <= a.hi[c]);
        }
        // Its bounds are means of resampled quotes: within the quotes' range.
        assert!(a.lo[0] >= 0.8 && a.hi[0] <= 0.9);
        let b = &e[1];
        assert_eq!(
            (b.n, b.evidence, b.stance),
            (1, Evidence::Insufficient, Against)
        );
        assert_eq!(b.lo, b.hi);
        let c = &e[2];
        assert_eq!(
            (c.stance, c.evidence),
            (Favor, Evidence::Weak),
            "a tie at 0.45"
        );
        assert!((c.margin()).abs() < 1e-12);
        // Seeded and independent of the other actors.
        let again = estimate_actors(&actors[..4], &docs[..4], &probs[..4], settings()).unwrap();
        assert_eq!(again[0], e[0]);
        let csv = estimates_csv(&e).unwrap();
        assert!(csv.starts_with(&ESTIMATES_HEADER.join(",")));
        assert!(csv.contains("\nb,against,1,0.1000,0.8000,0.1000,0.8000,1,0.1000,0.1000,0.8000,0.8000,0.1000,0.1000,insufficient\n"), "{csv}");
    }

    #[test]
    fn bad_inputs_are_errors() {
        let e = estimate_actors(&["a"], &[], &[[1.0, 0.0, 0.0]], settings()).unwrap_err();
        assert!(e.to_string().contains("one actor and one document"), "{e}");
        let s = EstimateSettings {
            resamples: 0,
            ..settings()
        };
        assert!(estimate_actors(&["a"], &[Option::None], &[[1.0, 0.0, 0.0]], s).is_err());
    }

    #[test]
    fn accuracy_by_evidence_and_coverage_are_counted() {
        let est = |actor: &str, stance, evidence| ActorEstimate {
            actor: actor.into(),
            n: 2,
            n_articles: 1,
            mean: [0.4, 0.3, 0.3],
            lo: [0.0; 3],
            hi: [1.0; 3],
            stance,
            evidence,
        };
        let estimates = [
            est("a", Favor, Evidence::Strong),
            est("b", Against, Evidence::Strong),
            est("c", Favor, Evidence::Weak),
            est("d", None, Evidence::Insufficient),
            est("e", None, Evidence::Insufficient),
            est("unscored", Favor, Evidence::Strong),
        ];
        let gold: BTreeMap<String, ActorStance> = [
            ("a", ActorStance::Stance(Favor)),
            ("b", ActorStance::Stance(Against)),
            ("c", ActorStance::Stance(Against)),
            ("d", ActorStance::Mixed),
            ("e", ActorStance::Stance(None)),
        ]
        .into_iter()
        .map(|(a, s)| (a.to_owned(), s))
        .collect();
        let r = evidence_report(&gold, &estimates);
        let counts: Vec<(usize, usize)> = r.levels.iter().map(|s| (s.n, s.correct)).collect();
        assert_eq!(counts, [(2, 2), (1, 0), (2, 1)]);
        let cov: Vec<(usize, f64, Option<f64>)> = r
            .coverage
            .iter()
            .map(|s| (s.n, s.coverage, s.accuracy()))
            .collect();
        assert_eq!(
            cov,
            [
                (2, 0.4, Some(1.0)),
                (3, 0.6, Some(2.0 / 3.0)),
                (5, 1.0, Some(0.6))
            ]
        );
        let text = r.table();
        assert!(text.contains("strong+weak"), "{text}");
        let csv = r.to_csv().unwrap();
        assert!(
            csv.contains("\ncoverage,strong+weak+insufficient,5,3,1.0000,0.6000\n"),
            "{csv}"
        );
    }

    #[test]
    fn estimates_by_period_group_quotes_by_their_period() {
        let actors = ["a", "a", "a", "b"];
        let docs = [Some("d1"), Some("d2"), Some("d2"), Some("d1")];
        let periods: Vec<String> = ["2025-08", "2025-09", "2025-09", "2025-08"]
            .map(String::from)
            .to_vec();
        let probs = [
            [0.8, 0.1, 0.1],
            [0.1, 0.8, 0.1],
            [0.2, 0.7, 0.1],
            [0.1, 0.1, 0.8],
        ];
        let e = estimate_by_period(&actors, &docs, &periods, &probs, settings()).unwrap();
        let keys: Vec<(&str, &str, Stance, usize)> = e
            .iter()
            .map(|(p, e)| (e.actor.as_str(), p.as_str(), e.stance, e.n))
            .collect();
        assert_eq!(
            keys,
            [
                ("a", "2025-08", Favor, 1),
                ("a", "2025-09", Against, 2),
                ("b", "2025-08", None, 1)
            ]
        );
        let csv = period_estimates_csv(&e).unwrap();
        assert!(csv.lines().next().unwrap().ends_with(",evidence,period"));
        assert!(csv.contains(",insufficient,2025-08\n"), "{csv}");
        assert!(estimate_by_period(&actors, &docs, &periods[..2], &probs, settings()).is_err());
    }
}
