//! Inter-annotator agreement on hand labels: how far several annotators
//! who coded the same quotes agree, before their labels are used as gold.
//!
//! # Data
//! Reliability data ([`ReliabilityData`]) are `m ≥ 2` annotators × `n`
//! items; each cell is the category an annotator gave an item, or missing.
//! Categories are indices `0..k` so that any nominal scheme fits (the
//! published examples use values 1–5); [`ReliabilityData::from_stances`]
//! is the stance layer (`k = 3`, [`Stance::index`] order) and
//! [`ReliabilityData::from_labels`] maps any ordered label type to indices.
//! Annotator and item indices are 0-based everywhere, error messages
//! included.
//!
//! # Definitions
//! For item `u`, `n_uc` is the number of annotators who gave it category
//! `c` and `m_u = Σ_c n_uc` the number who coded it.
//!
//! * **Pairwise percent agreement** of annotators `a`, `b`
//!   ([`percent_agreement`]): the fraction of the items coded by both on
//!   which they give the same category.
//! * **Mean pairwise percent agreement** ([`mean_pairwise_agreement`]): the
//!   unweighted mean of the pairwise percent agreements over all annotator
//!   pairs that share at least one item (pairs sharing none are left out).
//! * **Unanimous agreement** ([`unanimous_agreement`]): the fraction of the
//!   items coded by *all* annotators on which all give the same category.
//! * **Cohen's κ** of `a`, `b` ([`cohen_kappa`]), over the `N` items coded
//!   by both, with `t_cd` the number of items `a` coded `c` and `b` coded
//!   `d`, `r_c = Σ_d t_cd`, `s_d = Σ_c t_cd`:
//!   `p_o = Σ_c t_cc / N`, `p_e = Σ_c r_c s_c / N²`,
//!   `κ = (p_o − p_e) / (1 − p_e)`.
//! * **Fleiss' κ** ([`fleiss_kappa`], Fleiss 1971), which needs the same
//!   number of raters on every item: computed over the `N` items coded by
//!   all `m` annotators (complete cases); items missing any code are
//!   dropped and counted in [`Kappa::dropped`] (Krippendorff's α is the
//!   coefficient that uses incomplete items).
//!   `P_u = (Σ_c n_uc² − m) / (m (m − 1))`, `P̄ = mean_u P_u`,
//!   `p_c = Σ_u n_uc / (N m)`, `P̄_e = Σ_c p_c²`,
//!   `κ = (P̄ − P̄_e) / (1 − P̄_e)`. [`fleiss_kappa_from_counts`] takes the
//!   items × categories count table directly.
//! * **Krippendorff's α**, nominal metric ([`krippendorff_alpha`];
//!   Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):
//!   items with `m_u < 2` are not pairable and dropped. Coincidences
//!   `o_ck = Σ_u n_uc n_uk / (m_u − 1)` for `c ≠ k` and
//!   `o_cc = Σ_u n_uc (n_uc − 1) / (m_u − 1)`; `n_c = Σ_k o_ck`,
//!   `n = Σ_c n_c` (the number of pairable values);
//!   `α = 1 − D_o / D_e` with `D_o = Σ_{c≠k} o_ck / n` and
//!   `D_e = Σ_{c≠k} n_c n_k / (n (n − 1))`.
//! * **Specific (positive) agreement** of category `c`
//!   ([`specific_agreement`]), pooled over all annotator pairs: summing the
//!   pair tables `t` of every pair `a < b` over the items both coded,
//!   `SA_c = 2 Σ t_cc / Σ (r_c + s_c)`, which equals
//!   `Σ_u n_uc (n_uc − 1) / Σ_u n_uc (m_u − 1)`: the probability that,
//!   given one annotator of a random pair chose `c`, the other did too
//!   (de Vet et al. 2017). For two annotators it is
//!   `2 t_cc / (t_c· + t_·c)`. Unlike α's coincidences, every pair has
//!   weight 1, so items coded by more annotators weigh more.
//!
//! # Undefined values
//! Every coefficient returns `Err`, never NaN, when it is undefined:
//! [`AgreeError::NoCommonItems`] when no item qualifies (no item coded by
//! both, by all, or by two annotators), and [`AgreeError::Undefined`] when
//! all the codes used are one category (κ's chance agreement is 1, α's
//! expected disagreement is 0; the coefficient is 0/0). Specific agreement
//! of a category nobody used is `None`.
//!
//! # Intervals
//! [`bootstrap`] gives a seeded percentile interval over items: the
//! resampling units are the items the statistic uses (coded by both `a`
//! and `b` for pairwise statistics; coded by all annotators for Fleiss' κ
//! and unanimous agreement; coded by at least two for α, mean pairwise and
//! specific agreement), and each of the `resamples` resamples draws that
//! many of them with replacement (an item cluster bootstrap; Krippendorff's
//! own bootstrap resamples pairable values instead). A resample on which
//! the statistic is undefined (e.g. every resampled item got the same
//! category, so κ is 0/0) is skipped and counted in
//! [`BootstrapEstimate::skipped`]; the interval comes from the others, and
//! if none is defined the result is [`AgreeError::NoDefinedResample`]. Many
//! skips mean the interval is conditional on a non-degenerate resample
//! and optimistic. Quantiles are nearest rank on `(len − 1) q`, as in
//! [`crate::eval::bootstrap`].
//!
//! # Cost
//! Each coefficient is `O(n (m + k²))` time and `O(k²)` memory (Cohen's κ
//! `O(n + k²)`); the pair confusion matrices are `O(m² (n + k²))`; a
//! bootstrap is `resamples` times the statistic.
//!
//! ```
//! use stance::eval::agree::{krippendorff_alpha, ReliabilityData};
//! // Krippendorff (2011): two coders, ten units, binary values.
//! let data = ReliabilityData::new(2, vec![
//!     [0, 1, 0, 0, 0, 0, 0, 0, 1, 0].map(Some).to_vec(),
//!     [1, 1, 1, 0, 0, 1, 0, 0, 0, 0].map(Some).to_vec(),
//! ]).unwrap();
//! let a = krippendorff_alpha(&data).unwrap();
//! assert!((a.alpha - 2.0 / 21.0).abs() < 1e-12); // 0.095
//! ```

use std::fmt;

use crate::eval::bootstrap::{quantile, Interval};
use crate::label::{Stance, N_CLASSES};
use crate::rng::Rng;

/// Why agreement cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AgreeError {
    /// Agreement needs at least two annotators.
    #[error("need at least two annotators, found {found}")]
    TooFewAnnotators {
        /// The number of annotators given.
        found: usize,
    },
    /// The category scheme is empty.
    #[error("need at least one category")]
    NoCategories,
    /// An annotator's row does not have one cell per item.
    #[error("annotator index {annotator} has {found} codes; expected {expected} (one per item, as annotator index 0)")]
    RaggedRow {
        /// The annotator (0-based).
        annotator: usize,
        /// The number of cells in its row.
        found: usize,
        /// The number of items (cells in the first row).
        expected: usize,
    },
    /// A code is not a category index.
    #[error("annotator index {annotator}, item index {item}: category {value} is out of range; expected 0..{categories}")]
    CategoryOutOfRange {
        /// The annotator (0-based).
        annotator: usize,
        /// The item (0-based).
        item: usize,
        /// The code found.
        value: usize,
        /// The number of categories.
        categories: usize,
    },
    /// An annotator index is out of range.
    #[error("no annotator index {annotator}; there are {annotators} annotators")]
    NoSuchAnnotator {
        /// The index asked for.
        annotator: usize,
        /// The number of annotators.
        annotators: usize,
    },
    /// A category index is out of range.
    #[error("no category index {category}; there are {categories} categories")]
    NoSuchCategory {
        /// The index asked for.
        category: usize,
        /// The number of categories.
        categories: usize,
    },
    /// A pairwise statistic was asked for an annotator with itself.
    #[error("annotator index {annotator} paired with itself; expected two different annotators")]
    SameAnnotator {
        /// The annotator (0-based).
        annotator: usize,
    },
    /// A count table for [`fleiss_kappa_from_counts`] is malformed.
    #[error("count table row {item}: {message}")]
    BadCountTable {
        /// The row (item, 0-based).
        item: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// No item qualifies for the statistic.
    #[error("{statistic}: {what}")]
    NoCommonItems {
        /// The statistic.
        statistic: &'static str,
        /// Which items were missing.
        what: String,
    },
    /// The statistic is 0/0 on these data (all codes one category).
    #[error("{statistic} is undefined: {reason}")]
    Undefined {
        /// The statistic.
        statistic: &'static str,
        /// Why.
        reason: String,
    },
    /// A bootstrap setting is out of range.
    #[error("invalid bootstrap setting: {0}")]
    Bootstrap(String),
    /// The statistic was undefined on every bootstrap resample.
    #[error("{statistic}: undefined on all {resamples} bootstrap resamples")]
    NoDefinedResample {
        /// The statistic.
        statistic: String,
        /// The number of resamples drawn.
        resamples: usize,
    },
}

/// Result alias of this module.
pub type Result<T, E = AgreeError> = std::result::Result<T, E>;

/// Codes of `m ≥ 2` annotators on `n` items, each a category index in
/// `0..k` or missing.
///
/// Invariants (checked by the constructors): at least two annotators, at
/// least one category, one cell per item in every row, every code `< k`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReliabilityData {
    categories: usize,
    annotators: usize,
    items: usize,
    /// Annotator-major: `codes[a * items + u]`.
    codes: Vec<Option<usize>>,
}

impl ReliabilityData {
    /// Reliability data over `categories` categories from one row per
    /// annotator (`rows[a][u]` is annotator `a`'s code of item `u`).
    ///
    /// # Errors
    /// [`AgreeError::TooFewAnnotators`], [`AgreeError::NoCategories`],
    /// [`AgreeError::RaggedRow`], [`AgreeError::CategoryOutOfRange`].
    pub fn new(categories: usize, rows: Vec<Vec<Option<usize>>>) -> Result<ReliabilityData> {
        if rows.len() < 2 {
            return Err(AgreeError::TooFewAnnotators { found: rows.len() });
        }
        if categories == 0 {
            return Err(AgreeError::NoCategories);
        }
        let items = rows[0].len();
        let mut codes = Vec::with_capacity(rows.len() * items);
        for (a, row) in rows.iter().enumerate() {
            if row.len() != items {
                return Err(AgreeError::RaggedRow {
                    annotator: a,
                    found: row.len(),
                    expected: items,
                });
            }
            for (u, &v) in row.iter().enumerate() {
                if let Some(value) = v.filter(|&v| v >= categories) {
                    return Err(AgreeError::CategoryOutOfRange {
                        annotator: a,
                        item: u,
                        value,
                        categories,
                    });
                }
            }
            codes.extend_from_slice(row);
        }
        Ok(ReliabilityData {
            categories,
            annotators: rows.len(),
            items,
            codes,
        })
    }

    /// Stance codes: three categories in [`Stance::ALL`] order.
    ///
    /// # Errors
    /// As [`ReliabilityData::new`].
    pub fn from_stances(rows: &[Vec<Option<Stance>>]) -> Result<ReliabilityData> {
        let rows = rows
            .iter()
            .map(|r| r.iter().map(|s| s.map(Stance::index)).collect())
            .collect();
        ReliabilityData::new(N_CLASSES, rows)
    }

    /// Codes of any ordered label type: the distinct labels, sorted, become
    /// categories `0..k` (returned in that order).
    ///
    /// # Errors
    /// As [`ReliabilityData::new`]; [`AgreeError::NoCategories`] if every
    /// cell is missing.
    pub fn from_labels<T: Ord + Clone>(
        rows: &[Vec<Option<T>>],
    ) -> Result<(ReliabilityData, Vec<T>)> {
        let mut labels: Vec<T> = rows.iter().flatten().flatten().cloned().collect();
        labels.sort();
        labels.dedup();
        let rows = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| v.as_ref().and_then(|v| labels.binary_search(v).ok()))
                    .collect()
            })
            .collect();
        Ok((ReliabilityData::new(labels.len(), rows)?, labels))
    }

    /// Number of categories `k`.
    pub fn categories(&self) -> usize {
        self.categories
    }

    /// Number of annotators `m`.
    pub fn annotators(&self) -> usize {
        self.annotators
    }

    /// Number of items `n`.
    pub fn items(&self) -> usize {
        self.items
    }

    /// Annotator `a`'s code of item `u`.
    ///
    /// # Panics
    /// If `a` or `u` is out of range.
    pub fn code(&self, a: usize, u: usize) -> Option<usize> {
        assert!(
            a < self.annotators && u < self.items,
            "annotator and item in range"
        );
        self.codes[a * self.items + u]
    }

    /// All codes of item `u`, one per annotator.
    ///
    /// # Panics
    /// If `u` is out of range.
    pub fn item_codes(&self, u: usize) -> Vec<Option<usize>> {
        (0..self.annotators).map(|a| self.code(a, u)).collect()
    }

    /// `n_uc` for every category into `counts`; returns `m_u`.
    fn item_counts(&self, u: usize, counts: &mut [u64]) -> u64 {
        counts.fill(0);
        let mut m = 0;
        for a in 0..self.annotators {
            if let Some(c) = self.codes[a * self.items + u] {
                counts[c] += 1;
                m += 1;
            }
        }
        m
    }

    fn coded_by(&self, u: usize) -> usize {
        (0..self.annotators)
            .filter(|&a| self.codes[a * self.items + u].is_some())
            .count()
    }

    fn check_pair(&self, a: usize, b: usize) -> Result<()> {
        for x in [a, b] {
            if x >= self.annotators {
                return Err(AgreeError::NoSuchAnnotator {
                    annotator: x,
                    annotators: self.annotators,
                });
            }
        }
        if a == b {
            return Err(AgreeError::SameAnnotator { annotator: a });
        }
        Ok(())
    }

    /// Items coded by both `a` and `b`.
    fn coded_by_both(&self, a: usize, b: usize) -> Vec<usize> {
        (0..self.items)
            .filter(|&u| self.code(a, u).is_some() && self.code(b, u).is_some())
            .collect()
    }

    /// Items coded by every annotator.
    fn complete_items(&self) -> Vec<usize> {
        (0..self.items)
            .filter(|&u| self.coded_by(u) == self.annotators)
            .collect()
    }

    /// Items coded by at least two annotators.
    fn pairable_items(&self) -> Vec<usize> {
        (0..self.items).filter(|&u| self.coded_by(u) >= 2).collect()
    }
}

/// A proportion of agreement and the items it is over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PercentAgreement {
    /// The proportion, in `[0, 1]`.
    pub value: f64,
    /// Items it is computed over.
    pub items: usize,
    /// Items left out (not coded by the annotators it needs).
    pub dropped: usize,
}

/// A κ coefficient with its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kappa {
    /// `(observed − expected) / (1 − expected)`, in `[−1, 1]`.
    pub kappa: f64,
    /// Observed agreement (`p_o`, or Fleiss' `P̄`).
    pub observed: f64,
    /// Chance agreement (`p_e`, or Fleiss' `P̄_e`).
    pub expected: f64,
    /// Items it is computed over.
    pub items: usize,
    /// Items left out (not coded by both, or not by all).
    pub dropped: usize,
}

/// Krippendorff's α (nominal) with its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Alpha {
    /// `1 − D_o / D_e`; 1 is perfect agreement, 0 chance level.
    pub alpha: f64,
    /// Observed disagreement `D_o`.
    pub observed_disagreement: f64,
    /// Expected disagreement `D_e`.
    pub expected_disagreement: f64,
    /// Coincidence matrix `o[c][k]` (symmetric, `k × k`).
    pub coincidences: Vec<Vec<f64>>,
    /// Number of pairable values `n = Σ_ck o_ck`.
    pub pairable_values: f64,
    /// Items with at least two codes (the units used).
    pub items: usize,
    /// Items with fewer than two codes (dropped).
    pub dropped: usize,
}

/// Specific (positive) agreement of one category, pooled over all
/// annotator pairs (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpecificAgreement {
    /// The category index.
    pub category: usize,
    /// `agreeing / coded`; `None` when no annotator of a pair used the
    /// category.
    pub value: Option<f64>,
    /// `Σ_u n_uc (n_uc − 1)`: twice the number of annotator pairs that
    /// both chose the category on an item.
    pub agreeing: u64,
    /// `Σ_u n_uc (m_u − 1)`: the number of (pair, code) incidences of the
    /// category over all pairs of codes on an item.
    pub coded: u64,
}

/// Counts of two annotators' codes over the items both coded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairConfusion {
    /// The first annotator (rows).
    pub a: usize,
    /// The second annotator (columns).
    pub b: usize,
    /// `counts[c][d]`: items `a` coded `c` and `b` coded `d`.
    pub counts: Vec<Vec<u64>>,
}

impl PairConfusion {
    /// Number of items both coded.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }
}

/// An item on which the codes given differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The item (0-based).
    pub item: usize,
    /// Every annotator's code of the item (missing ones included).
    pub codes: Vec<Option<usize>>,
}

impl Disagreement {
    /// The codes as stances (for data built with
    /// [`ReliabilityData::from_stances`]; other indices become missing).
    pub fn stances(&self) -> Vec<Option<Stance>> {
        self.codes
            .iter()
            .map(|c| c.and_then(Stance::from_index))
            .collect()
    }
}

fn count_table(data: &ReliabilityData, a: usize, b: usize, items: &[usize]) -> Vec<Vec<u64>> {
    let k = data.categories;
    let mut t = vec![vec![0u64; k]; k];
    for &u in items {
        if let (Some(c), Some(d)) = (data.code(a, u), data.code(b, u)) {
            t[c][d] += 1;
        }
    }
    t
}

fn percent_on(data: &ReliabilityData, a: usize, b: usize, items: &[usize]) -> Result<f64> {
    let (mut same, mut both) = (0u64, 0u64);
    for &u in items {
        if let (Some(c), Some(d)) = (data.code(a, u), data.code(b, u)) {
            both += 1;
            same += u64::from(c == d);
        }
    }
    if both == 0 {
        return Err(no_pair_items("percent agreement", a, b));
    }
    Ok(same as f64 / both as f64)
}

fn no_pair_items(statistic: &'static str, a: usize, b: usize) -> AgreeError {
    AgreeError::NoCommonItems {
        statistic,
        what: format!("annotator indices {a} and {b} code no item in common"),
    }
}

/// Pairwise percent agreement of annotators `a` and `b` over the items both
/// coded.
///
/// # Errors
/// [`AgreeError::NoSuchAnnotator`], [`AgreeError::SameAnnotator`],
/// [`AgreeError::NoCommonItems`].
pub fn percent_agreement(data: &ReliabilityData, a: usize, b: usize) -> Result<PercentAgreement> {
    data.check_pair(a, b)?;
    let items = data.coded_by_both(a, b);
    Ok(PercentAgreement {
        value: percent_on(data, a, b, &items)?,
        items: items.len(),
        dropped: data.items - items.len(),
    })
}

fn mean_pairwise_on(data: &ReliabilityData, items: &[usize]) -> Result<f64> {
    let m = data.annotators;
    let (mut sum, mut pairs) = (0.0, 0usize);
    for a in 0..m {
        for b in a + 1..m {
            if let Ok(p) = percent_on(data, a, b, items) {
                sum += p;
                pairs += 1;
            }
        }
    }
    if pairs == 0 {
        return Err(AgreeError::NoCommonItems {
            statistic: "mean pairwise agreement",
            what: "no two annotators code an item in common".into(),
        });
    }
    Ok(sum / pairs as f64)
}

/// Mean pairwise percent agreement: the unweighted mean of
/// [`percent_agreement`] over the annotator pairs sharing at least one
/// item. `items` counts the items coded by at least two annotators.
///
/// # Errors
/// [`AgreeError::NoCommonItems`] if no pair shares an item.
pub fn mean_pairwise_agreement(data: &ReliabilityData) -> Result<PercentAgreement> {
    let items = data.pairable_items();
    Ok(PercentAgreement {
        value: mean_pairwise_on(data, &items)?,
        items: items.len(),
        dropped: data.items - items.len(),
    })
}

fn unanimous_on(data: &ReliabilityData, items: &[usize]) -> Result<f64> {
    if items.is_empty() {
        return Err(no_complete_items("unanimous agreement", data));
    }
    let same = items
        .iter()
        .filter(|&&u| (1..data.annotators).all(|a| data.code(a, u) == data.code(0, u)))
        .count();
    Ok(same as f64 / items.len() as f64)
}

fn no_complete_items(statistic: &'static str, data: &ReliabilityData) -> AgreeError {
    AgreeError::NoCommonItems {
        statistic,
        what: format!("no item is coded by all {} annotators", data.annotators),
    }
}

/// Unanimous agreement: the fraction of the items coded by all annotators
/// on which all codes are the same.
///
/// # Errors
/// [`AgreeError::NoCommonItems`] if no item is coded by all annotators.
pub fn unanimous_agreement(data: &ReliabilityData) -> Result<PercentAgreement> {
    let items = data.complete_items();
    Ok(PercentAgreement {
        value: unanimous_on(data, &items)?,
        items: items.len(),
        dropped: data.items - items.len(),
    })
}

fn cohen_on(data: &ReliabilityData, a: usize, b: usize, items: &[usize]) -> Result<Kappa> {
    let t = count_table(data, a, b, items);
    let k = data.categories;
    let n: u64 = t.iter().flatten().sum();
    if n == 0 {
        return Err(no_pair_items("cohen's kappa", a, b));
    }
    let r: Vec<u64> = t.iter().map(|row| row.iter().sum()).collect();
    let s: Vec<u64> = (0..k).map(|d| t.iter().map(|row| row[d]).sum()).collect();
    if let Some(c) = (0..k).find(|&c| r[c] == n && s[c] == n) {
        return Err(AgreeError::Undefined {
            statistic: "cohen's kappa",
            reason: format!(
                "annotator indices {a} and {b} both gave every item category {c}, so chance agreement is 1"
            ),
        });
    }
    let nf = n as f64;
    let observed = (0..k).map(|c| t[c][c]).sum::<u64>() as f64 / nf;
    let expected = (0..k).map(|c| r[c] as f64 * s[c] as f64).sum::<f64>() / (nf * nf);
    Ok(Kappa {
        kappa: (observed - expected) / (1.0 - expected),
        observed,
        expected,
        items: n as usize,
        dropped: data.items.saturating_sub(n as usize),
    })
}

/// Cohen's κ of annotators `a` and `b` over the items both coded.
///
/// # Errors
/// [`AgreeError::NoSuchAnnotator`], [`AgreeError::SameAnnotator`],
/// [`AgreeError::NoCommonItems`], and [`AgreeError::Undefined`] when both
/// gave every common item the same single category.
pub fn cohen_kappa(data: &ReliabilityData, a: usize, b: usize) -> Result<Kappa> {
    data.check_pair(a, b)?;
    cohen_on(data, a, b, &data.coded_by_both(a, b))
}

/// Fleiss' κ from per-item count rows (each row sums to the raters `m`).
fn fleiss_core<'a>(rows: impl Iterator<Item = &'a [u64]>, m: u64, k: usize) -> Result<Kappa> {
    let mut totals = vec![0u64; k];
    let (mut p_sum, mut n) = (0.0, 0usize);
    let denom = (m * (m - 1)) as f64;
    for row in rows {
        let sq: u64 = row.iter().map(|x| x * x).sum();
        p_sum += (sq - m) as f64 / denom;
        for (t, x) in totals.iter_mut().zip(row) {
            *t += x;
        }
        n += 1;
    }
    if n == 0 {
        return Err(AgreeError::NoCommonItems {
            statistic: "fleiss' kappa",
            what: "no item to score".into(),
        });
    }
    let all = n as u64 * m;
    if let Some(c) = totals.iter().position(|&t| t == all) {
        return Err(AgreeError::Undefined {
            statistic: "fleiss' kappa",
            reason: format!("every code is category {c}, so chance agreement is 1"),
        });
    }
    let observed = p_sum / n as f64;
    let expected = totals
        .iter()
        .map(|&t| {
            let p = t as f64 / all as f64;
            p * p
        })
        .sum::<f64>();
    Ok(Kappa {
        kappa: (observed - expected) / (1.0 - expected),
        observed,
        expected,
        items: n,
        dropped: 0,
    })
}

fn fleiss_on(data: &ReliabilityData, items: &[usize]) -> Result<Kappa> {
    if items.is_empty() {
        return Err(no_complete_items("fleiss' kappa", data));
    }
    let k = data.categories;
    let mut table = vec![0u64; items.len() * k];
    for (row, &u) in table.chunks_mut(k).zip(items) {
        data.item_counts(u, row);
    }
    fleiss_core(table.chunks(k), data.annotators as u64, k)
}

/// Fleiss' κ over the items coded by all annotators (complete cases; the
/// others are counted in [`Kappa::dropped`]).
///
/// # Errors
/// [`AgreeError::NoCommonItems`] if no item is coded by all annotators;
/// [`AgreeError::Undefined`] if all their codes are one category.
pub fn fleiss_kappa(data: &ReliabilityData) -> Result<Kappa> {
    let items = data.complete_items();
    let mut k = fleiss_on(data, &items)?;
    k.dropped = data.items - items.len();
    Ok(k)
}

/// Fleiss' κ from an items × categories table of counts (`counts[u][c]`
/// raters put item `u` in category `c`), every row summing to the same
/// number of raters `m ≥ 2`.
///
/// # Errors
/// [`AgreeError::BadCountTable`] for rows of different lengths, an empty
/// row, fewer than two raters or a row with another total;
/// [`AgreeError::NoCommonItems`] for no rows; [`AgreeError::Undefined`]
/// if every count is in one category.
pub fn fleiss_kappa_from_counts(counts: &[Vec<u64>]) -> Result<Kappa> {
    let Some(first) = counts.first() else {
        return Err(AgreeError::NoCommonItems {
            statistic: "fleiss' kappa",
            what: "the count table has no rows".into(),
        });
    };
    let k = first.len();
    let m: u64 = first.iter().sum();
    for (u, row) in counts.iter().enumerate() {
        let bad = |message: String| AgreeError::BadCountTable { item: u, message };
        if row.is_empty() || row.len() != k {
            return Err(bad(format!(
                "{} categories; expected {k} (as row 0), at least one",
                row.len()
            )));
        }
        let total: u64 = row.iter().sum();
        if total < 2 {
            return Err(bad(format!("{total} raters; expected at least 2")));
        }
        if total != m {
            return Err(bad(format!(
                "{total} raters; expected {m} (as row 0): fleiss' kappa needs the same number of raters on every item"
            )));
        }
    }
    fleiss_core(counts.iter().map(Vec::as_slice), m, k)
}

fn alpha_on(data: &ReliabilityData, items: &[usize]) -> Result<Alpha> {
    let k = data.categories;
    let mut o = vec![vec![0.0; k]; k];
    let mut counts = vec![0u64; k];
    let mut units = 0usize;
    for &u in items {
        let m = data.item_counts(u, &mut counts);
        if m < 2 {
            continue;
        }
        units += 1;
        let w = 1.0 / (m - 1) as f64;
        for c in 0..k {
            if counts[c] == 0 {
                continue;
            }
            for d in 0..k {
                let pairs = if c == d {
                    counts[c] * (counts[c] - 1)
                } else {
                    counts[c] * counts[d]
                };
                o[c][d] += pairs as f64 * w;
            }
        }
    }
    if units == 0 {
        return Err(AgreeError::NoCommonItems {
            statistic: "krippendorff's alpha",
            what: "no item is coded by two or more annotators".into(),
        });
    }
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    // n_c is a sum of integers (Σ_u n_uc), exact in f64 for any real data.
    if let Some(c) = n_c.iter().position(|&x| x == n) {
        return Err(AgreeError::Undefined {
            statistic: "krippendorff's alpha",
            reason: format!("every pairable value is category {c}, so expected disagreement is 0"),
        });
    }
    let off: f64 = (0..k)
        .flat_map(|c| (0..k).filter(move |&d| d != c).map(move |d| (c, d)))
        .map(|(c, d)| o[c][d])
        .sum();
    let off_expected: f64 = n * n - n_c.iter().map(|x| x * x).sum::<f64>();
    let observed_disagreement = off / n;
    let expected_disagreement = off_expected / (n * (n - 1.0));
    Ok(Alpha {
        alpha: 1.0 - observed_disagreement / expected_disagreement,
        observed_disagreement,
        expected_disagreement,
        coincidences: o,
        pairable_values: n,
        items: units,
        dropped: 0,
    })
}

/// Krippendorff's α for nominal data, missing codes allowed; items with
/// fewer than two codes are dropped (counted in [`Alpha::dropped`]).
///
/// # Errors
/// [`AgreeError::NoCommonItems`] if no item has two codes;
/// [`AgreeError::Undefined`] if all pairable values are one category.
pub fn krippendorff_alpha(data: &ReliabilityData) -> Result<Alpha> {
    let items = data.pairable_items();
    let mut a = alpha_on(data, &items)?;
    a.dropped = data.items - items.len();
    Ok(a)
}

fn specific_on(data: &ReliabilityData, items: &[usize]) -> Vec<SpecificAgreement> {
    let k = data.categories;
    let mut agreeing = vec![0u64; k];
    let mut coded = vec![0u64; k];
    let mut counts = vec![0u64; k];
    for &u in items {
        let m = data.item_counts(u, &mut counts);
        if m < 2 {
            continue;
        }
        for c in 0..k {
            agreeing[c] += counts[c] * counts[c].saturating_sub(1);
            coded[c] += counts[c] * (m - 1);
        }
    }
    (0..k)
        .map(|c| SpecificAgreement {
            category: c,
            value: (coded[c] > 0).then(|| agreeing[c] as f64 / coded[c] as f64),
            agreeing: agreeing[c],
            coded: coded[c],
        })
        .collect()
}

/// Specific agreement of every category (index order), pooled over all
/// annotator pairs on the items coded by at least two annotators.
pub fn specific_agreement(data: &ReliabilityData) -> Vec<SpecificAgreement> {
    specific_on(data, &data.pairable_items())
}

/// Confusion counts of annotators `a` (rows) and `b` (columns) over the
/// items both coded.
///
/// # Errors
/// [`AgreeError::NoSuchAnnotator`], [`AgreeError::SameAnnotator`].
pub fn pair_confusion(data: &ReliabilityData, a: usize, b: usize) -> Result<PairConfusion> {
    data.check_pair(a, b)?;
    let items: Vec<usize> = (0..data.items).collect();
    Ok(PairConfusion {
        a,
        b,
        counts: count_table(data, a, b, &items),
    })
}

/// The confusion counts of every annotator pair `a < b`, in `(a, b)` order.
pub fn pair_confusions(data: &ReliabilityData) -> Vec<PairConfusion> {
    let m = data.annotators;
    let all: Vec<usize> = (0..data.items).collect();
    (0..m)
        .flat_map(|a| (a + 1..m).map(move |b| (a, b)))
        .map(|(a, b)| PairConfusion {
            a,
            b,
            counts: count_table(data, a, b, &all),
        })
        .collect()
}

/// Items (in order) whose codes are not all the same, with every
/// annotator's code. Items with fewer than two codes cannot disagree and
/// are not listed.
pub fn disagreements(data: &ReliabilityData) -> Vec<Disagreement> {
    (0..data.items)
        .filter(|&u| {
            let mut present = (0..data.annotators).filter_map(|a| data.code(a, u));
            match present.next() {
                Some(first) => present.any(|c| c != first),
                None => false,
            }
        })
        .map(|u| Disagreement {
            item: u,
            codes: data.item_codes(u),
        })
        .collect()
}

/// An agreement statistic, for [`bootstrap`] and [`summary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// [`percent_agreement`] of two annotators.
    PercentAgreement {
        /// First annotator.
        a: usize,
        /// Second annotator.
        b: usize,
    },
    /// [`mean_pairwise_agreement`].
    MeanPairwiseAgreement,
    /// [`unanimous_agreement`].
    UnanimousAgreement,
    /// [`cohen_kappa`] of two annotators.
    CohenKappa {
        /// First annotator.
        a: usize,
        /// Second annotator.
        b: usize,
    },
    /// [`fleiss_kappa`].
    FleissKappa,
    /// [`krippendorff_alpha`].
    KrippendorffAlpha,
    /// [`specific_agreement`] of one category.
    SpecificAgreement {
        /// The category index.
        category: usize,
    },
}

impl fmt::Display for Statistic {
    /// Report names: `percent_agreement(0,1)`, `mean_pairwise_agreement`,
    /// `unanimous_agreement`, `cohen_kappa(0,1)`, `fleiss_kappa`,
    /// `krippendorff_alpha`, `specific_agreement(2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Statistic::PercentAgreement { a, b } => write!(f, "percent_agreement({a},{b})"),
            Statistic::MeanPairwiseAgreement => f.write_str("mean_pairwise_agreement"),
            Statistic::UnanimousAgreement => f.write_str("unanimous_agreement"),
            Statistic::CohenKappa { a, b } => write!(f, "cohen_kappa({a},{b})"),
            Statistic::FleissKappa => f.write_str("fleiss_kappa"),
            Statistic::KrippendorffAlpha => f.write_str("krippendorff_alpha"),
            Statistic::SpecificAgreement { category } => {
                write!(f, "specific_agreement({category})")
            }
        }
    }
}

impl Statistic {
    /// The items the statistic uses: its bootstrap resampling units.
    fn units(self, data: &ReliabilityData) -> Result<Vec<usize>> {
        Ok(match self {
            Statistic::PercentAgreement { a, b } | Statistic::CohenKappa { a, b } => {
                data.check_pair(a, b)?;
                data.coded_by_both(a, b)
            }
            Statistic::UnanimousAgreement | Statistic::FleissKappa => data.complete_items(),
            Statistic::MeanPairwiseAgreement
            | Statistic::KrippendorffAlpha
            | Statistic::SpecificAgreement { .. } => data.pairable_items(),
        })
    }

    /// The statistic on a multiset of items.
    fn on(self, data: &ReliabilityData, items: &[usize]) -> Result<f64> {
        match self {
            Statistic::PercentAgreement { a, b } => percent_on(data, a, b, items),
            Statistic::MeanPairwiseAgreement => mean_pairwise_on(data, items),
            Statistic::UnanimousAgreement => unanimous_on(data, items),
            Statistic::CohenKappa { a, b } => cohen_on(data, a, b, items).map(|k| k.kappa),
            Statistic::FleissKappa => fleiss_on(data, items).map(|k| k.kappa),
            Statistic::KrippendorffAlpha => alpha_on(data, items).map(|a| a.alpha),
            Statistic::SpecificAgreement { category } => {
                if category >= data.categories {
                    return Err(AgreeError::NoSuchCategory {
                        category,
                        categories: data.categories,
                    });
                }
                specific_on(data, items)[category]
                    .value
                    .ok_or_else(|| AgreeError::Undefined {
                        statistic: "specific agreement",
                        reason: format!("no annotator pair used category {category}"),
                    })
            }
        }
    }

    /// The statistic's point value on all of `data`.
    ///
    /// # Errors
    /// As the statistic's function.
    pub fn compute(self, data: &ReliabilityData) -> Result<f64> {
        let items = self.units(data)?;
        self.on(data, &items)
    }
}

/// A point estimate with its bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapEstimate {
    /// The statistic on all the data.
    pub point: f64,
    /// The percentile interval of the defined resamples.
    pub interval: Interval,
    /// The interval level (e.g. 0.95).
    pub level: f64,
    /// Resamples drawn.
    pub resamples: usize,
    /// Resamples on which the statistic was undefined (left out of the
    /// interval).
    pub skipped: usize,
    /// Resampling units: the items the statistic uses, drawn this many
    /// times per resample.
    pub units: usize,
}

/// Seeded percentile bootstrap interval (`level`, e.g. 0.95) of `stat`,
/// resampling its items with replacement `resamples` times (see the module
/// docs for the units and the rule for undefined resamples).
///
/// # Errors
/// [`AgreeError::Bootstrap`] for `resamples == 0` or `level` outside
/// `(0, 1)`; the statistic's error if it is undefined on the data;
/// [`AgreeError::NoDefinedResample`] if it is undefined on every resample.
pub fn bootstrap(
    data: &ReliabilityData,
    stat: Statistic,
    resamples: usize,
    level: f64,
    seed: u64,
) -> Result<BootstrapEstimate> {
    if resamples == 0 {
        return Err(AgreeError::Bootstrap("resamples must be at least 1".into()));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(AgreeError::Bootstrap(format!(
            "level {level}: expected a fraction in (0, 1)"
        )));
    }
    let units = stat.units(data)?;
    let point = stat.on(data, &units)?;
    let mut rng = Rng::new(seed);
    let mut draw = vec![0usize; units.len()];
    let mut stats = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for d in draw.iter_mut() {
            *d = units[rng.below(units.len())];
        }
        if let Ok(v) = stat.on(data, &draw) {
            stats.push(v);
        }
    }
    if stats.is_empty() {
        return Err(AgreeError::NoDefinedResample {
            statistic: stat.to_string(),
            resamples,
        });
    }
    stats.sort_by(f64::total_cmp);
    let a = (1.0 - level) / 2.0;
    Ok(BootstrapEstimate {
        point,
        interval: Interval {
            lo: quantile(&stats, a),
            hi: quantile(&stats, 1.0 - a),
        },
        level,
        resamples,
        skipped: resamples - stats.len(),
        units: units.len(),
    })
}

/// One row of [`summary`]: a statistic and its estimate, or why it has
/// none.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// The statistic.
    pub statistic: Statistic,
    /// Its bootstrap estimate, or the reason it is undefined.
    pub estimate: Result<BootstrapEstimate>,
}

/// Every statistic with its bootstrap interval, in report order: mean
/// pairwise agreement, unanimous agreement, Fleiss' κ, Krippendorff's α,
/// specific agreement of each category, then percent agreement and Cohen's
/// κ of each pair `a < b`. Each statistic's resamples use the same `seed`.
///
/// Cost: `(2 + k + m (m − 1)) × resamples` statistic evaluations.
pub fn summary(data: &ReliabilityData, resamples: usize, level: f64, seed: u64) -> Vec<SummaryRow> {
    let m = data.annotators;
    let mut stats = vec![
        Statistic::MeanPairwiseAgreement,
        Statistic::UnanimousAgreement,
        Statistic::FleissKappa,
        Statistic::KrippendorffAlpha,
    ];
    stats.extend((0..data.categories).map(|category| Statistic::SpecificAgreement { category }));
    for a in 0..m {
        for b in a + 1..m {
            stats.push(Statistic::PercentAgreement { a, b });
            stats.push(Statistic::CohenKappa { a, b });
        }
    }
    stats
        .into_iter()
        .map(|statistic| SummaryRow {
            statistic,
            estimate: bootstrap(data, statistic, resamples, level, seed),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TOL: f64 = 1e-12;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < TOL
    }

    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
    /// section C: nominal data, 4 observers (A–D) × 12 units, values 1–5,
    /// missing values as `0` here (`.` in the paper).
    fn krippendorff_2011() -> ReliabilityData {
        let raw: [[usize; 12]; 4] = [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
            [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
        ];
        let rows = raw
            .iter()
            .map(|r| r.iter().map(|&v| v.checked_sub(1)).collect())
            .collect();
        ReliabilityData::new(5, rows).unwrap()
    }

    #[test]
    fn krippendorff_nominal_example_with_missing_values() {
        let d = krippendorff_2011();
        let a = krippendorff_alpha(&d).unwrap();
        // Unit 12 has one value and is dropped; m_u = 3,4,4,4,4,4,4,4,4,3,2
        // gives n = 40 pairable values.
        assert_eq!((a.items, a.dropped), (11, 1));
        assert!(close(a.pairable_values, 40.0));
        // The paper's coincidence matrix (values 1..5), row 1:
        // 7, 4/3, 1/3, 1/3, 0 (n_1 = 9); row 2: 4/3, 10, 4/3, 1/3, 0
        // (n_2 = 13); row 3: 1/3, 4/3, 8, 1/3, 0 (n_3 = 10); row 4: 1/3,
        // 1/3, 1/3, 4, 0 (n_4 = 5); row 5: 0, 0, 0, 0, 3 (n_5 = 3).
        let t = 1.0 / 3.0;
        let want = [
            [7.0, 4.0 * t, t, t, 0.0],
            [4.0 * t, 10.0, 4.0 * t, t, 0.0],
            [t, 4.0 * t, 8.0, t, 0.0],
            [t, t, t, 4.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 3.0],
        ];
        for (c, row) in want.iter().enumerate() {
            for (k, &w) in row.iter().enumerate() {
                assert!(close(a.coincidences[c][k], w), "o[{c}][{k}]");
            }
        }
        // α = ((n−1) Σ o_cc − Σ n_c(n_c−1)) / (n(n−1) − Σ n_c(n_c−1))
        //   = (39·32 − (72+156+90+20+6)) / (1560 − 344) = 904/1216
        //   = 113/152 = 0.7434 (published: α_nominal = 0.743).
        assert!(close(a.alpha, 113.0 / 152.0), "{}", a.alpha);
        // D_o = 8/40 (off-diagonal sum 8); D_e = 1216/1560.
        assert!(close(a.observed_disagreement, 0.2));
        assert!(close(a.expected_disagreement, 1216.0 / 1560.0));
    }

    #[test]
    fn krippendorff_binary_two_coder_example() {
        // Krippendorff (2011) section A: binary data, 2 coders × 10 units,
        // no missing values. o_00 = 10, o_11 = 2, o_01 = o_10 = 4;
        // n_0 = 14, n_1 = 6, n = 20: α = 1 − 19·8/(2·14·6) = 16/168
        // = 2/21 = 0.095 (published: 0.095).
        let d = ReliabilityData::new(
            2,
            vec![
                [0, 1, 0, 0, 0, 0, 0, 0, 1, 0].map(Some).to_vec(),
                [1, 1, 1, 0, 0, 1, 0, 0, 0, 0].map(Some).to_vec(),
            ],
        )
        .unwrap();
        let a = krippendorff_alpha(&d).unwrap();
        assert!(close(a.alpha, 2.0 / 21.0), "{}", a.alpha);
        assert!(close(a.coincidences[0][0], 10.0) && close(a.coincidences[0][1], 4.0));
        // Same data: p_o = 0.6; p_e = 0.8·0.6 + 0.2·0.4 = 0.56;
        // Cohen's κ = 0.04/0.44 = 1/11.
        let k = cohen_kappa(&d, 0, 1).unwrap();
        assert!(close(k.observed, 0.6) && close(k.expected, 0.56));
        assert!(close(k.kappa, 1.0 / 11.0));
    }

    /// Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters,
    /// 5 categories (counts per subject and category).
    const FLEISS_WIKI: [[u64; 5]; 10] = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ];

    #[test]
    fn fleiss_worked_example() {
        // Column totals 20, 28, 39, 21, 32 of 140 ratings:
        // P̄_e = (20² + 28² + 39² + 21² + 32²)/140² = 4170/19600 = 0.2128.
        // P_u = (Σ_c n_uc² − 14)/(14·13); Σ_u P_u = 688/182, so
        // P̄ = 688/1820 = 172/455 = 0.3780.
        // κ = (172/455 − 417/1960)/(1 − 417/1960) = 4211/20059 = 0.2099
        // (the table's P̄ = 0.378, P̄_e = 0.213, κ = 0.210).
        let counts: Vec<Vec<u64>> = FLEISS_WIKI.iter().map(|r| r.to_vec()).collect();
        let k = fleiss_kappa_from_counts(&counts).unwrap();
        assert!(close(k.observed, 172.0 / 455.0), "{}", k.observed);
        assert!(close(k.expected, 4170.0 / 19600.0), "{}", k.expected);
        assert!(close(k.kappa, 4211.0 / 20059.0), "{}", k.kappa);
        assert_eq!(k.items, 10);
        // The same table as 14 raters' codes (rater r takes the r-th code
        // of the item's sorted codes): Fleiss' κ only sees the counts.
        let rows: Vec<Vec<Option<usize>>> = (0..14)
            .map(|r| {
                FLEISS_WIKI
                    .iter()
                    .map(|row| {
                        let codes: Vec<usize> = (0..5)
                            .flat_map(|c| std::iter::repeat_n(c, row[c] as usize))
                            .collect();
                        Some(codes[r])
                    })
                    .collect()
            })
            .collect();
        let d = ReliabilityData::new(5, rows).unwrap();
        let k2 = fleiss_kappa(&d).unwrap();
        assert!(close(k2.kappa, k.kappa) && k2.dropped == 0);
        // Complete data: 1 − α = (1 − κ_F)(1 − 1/(N m)), N m = 140.
        let a = krippendorff_alpha(&d).unwrap();
        assert!(close(1.0 - a.alpha, (1.0 - k.kappa) * (1.0 - 1.0 / 140.0)));
    }

    #[test]
    fn fleiss_count_table_errors() {
        let e = fleiss_kappa_from_counts(&[vec![1, 1], vec![2, 1]]).unwrap_err();
        assert!(
            matches!(e, AgreeError::BadCountTable { item: 1, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("same number of raters"), "{e}");
        let e = fleiss_kappa_from_counts(&[vec![1, 0]]).unwrap_err();
        assert!(
            matches!(e, AgreeError::BadCountTable { item: 0, .. }),
            "{e}"
        );
        let e = fleiss_kappa_from_counts(&[vec![3, 0], vec![3, 0]]).unwrap_err();
        assert!(matches!(e, AgreeError::Undefined { .. }), "{e}");
        assert!(matches!(
            fleiss_kappa_from_counts(&[]),
            Err(AgreeError::NoCommonItems { .. })
        ));
    }

    /// 50 items, yes = 0, no = 1: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    fn cohen_example() -> ReliabilityData {
        let mut a = Vec::new();
        let mut b = Vec::new();
        for (x, y, n) in [(0, 0, 20), (0, 1, 5), (1, 0, 10), (1, 1, 15)] {
            for _ in 0..n {
                a.push(Some(x));
                b.push(Some(y));
            }
        }
        ReliabilityData::new(2, vec![a, b]).unwrap()
    }

    #[test]
    fn cohen_hand_computed() {
        // p_o = 35/50 = 0.7; A says yes 25/50, B 30/50:
        // p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2/0.5 = 0.4.
        let d = cohen_example();
        let k = cohen_kappa(&d, 0, 1).unwrap();
        assert!(close(k.observed, 0.7) && close(k.expected, 0.5));
        assert!(close(k.kappa, 0.4));
        assert_eq!((k.items, k.dropped), (50, 0));
        assert!(close(percent_agreement(&d, 0, 1).unwrap().value, 0.7));
        assert_eq!(
            pair_confusion(&d, 0, 1).unwrap().counts,
            vec![vec![20, 5], vec![10, 15]]
        );
        // Specific agreement: yes 2·20/(25 + 30) = 8/11; no 2·15/(25 + 20)
        // = 2/3.
        let sa = specific_agreement(&d);
        assert!(close(sa[0].value.unwrap(), 8.0 / 11.0));
        assert!(close(sa[1].value.unwrap(), 2.0 / 3.0));
        assert_eq!((sa[0].agreeing, sa[0].coded), (40, 55));
        assert_eq!(disagreements(&d).len(), 15);
        // κ is symmetric in the pair.
        assert!(close(cohen_kappa(&d, 1, 0).unwrap().kappa, 0.4));
    }

    #[test]
    fn missing_codes_define_the_items_used() {
        let (f, a, n) = (
            Some(Stance::Favor),
            Some(Stance::Against),
            Some(Stance::None),
        );
        let d = ReliabilityData::from_stances(&[
            vec![f, a, None, n, f],
            vec![f, n, a, n, None],
            vec![None, a, a, n, f],
        ])
        .unwrap();
        // Pair (0,1): items 0,1,3 -> 2 of 3 agree.
        let p = percent_agreement(&d, 0, 1).unwrap();
        assert!(close(p.value, 2.0 / 3.0) && p.items == 3 && p.dropped == 2);
        // Pairs (0,2): items 1,3,4 all agree; (1,2): items 1,2,3 -> 2/3.
        let mp = mean_pairwise_agreement(&d).unwrap();
        assert!(close(mp.value, (2.0 / 3.0 + 1.0 + 2.0 / 3.0) / 3.0));
        // Only items 1 and 3 are coded by all; item 3 is unanimous.
        let u = unanimous_agreement(&d).unwrap();
        assert!(close(u.value, 0.5) && u.items == 2 && u.dropped == 3);
        let f = fleiss_kappa(&d).unwrap();
        assert_eq!((f.items, f.dropped), (2, 3));
        // Only item 1 (against, none, against) disagrees.
        let dis = disagreements(&d);
        assert_eq!(dis.len(), 1);
        assert_eq!(dis[0].item, 1);
        assert_eq!(dis[0].stances(), vec![a, n, a]);
        // Pair confusion of (1,2) over items 1,2,3.
        let pc = pair_confusion(&d, 1, 2).unwrap();
        assert_eq!(pc.total(), 3);
        assert_eq!(pc.counts[2][1], 1);
        assert_eq!(pair_confusions(&d).len(), 3);
    }

    #[test]
    fn undefined_and_empty_cases_are_typed_errors() {
        assert_eq!(
            ReliabilityData::new(3, vec![vec![Some(0)]]).unwrap_err(),
            AgreeError::TooFewAnnotators { found: 1 }
        );
        assert!(matches!(
            ReliabilityData::new(3, vec![vec![Some(0)], vec![]]),
            Err(AgreeError::RaggedRow { annotator: 1, .. })
        ));
        let e = ReliabilityData::new(2, vec![vec![Some(2)], vec![None]]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "annotator index 0, item index 0: category 2 is out of range; expected 0..2"
        );
        // No common items.
        let d = ReliabilityData::new(2, vec![vec![Some(0), None], vec![None, Some(1)]]).unwrap();
        let e = cohen_kappa(&d, 0, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cohen's kappa: annotator indices 0 and 1 code no item in common"
        );
        assert!(matches!(
            krippendorff_alpha(&d),
            Err(AgreeError::NoCommonItems { .. })
        ));
        assert!(matches!(
            fleiss_kappa(&d),
            Err(AgreeError::NoCommonItems { .. })
        ));
        assert!(matches!(
            percent_agreement(&d, 0, 1),
            Err(AgreeError::NoCommonItems { .. })
        ));
        assert!(disagreements(&d).is_empty());
        assert!(specific_agreement(&d).iter().all(|s| s.value.is_none()));
        // One category everywhere: κ and α are 0/0, percent agreement is 1.
        let d = ReliabilityData::new(3, vec![vec![Some(2); 4], vec![Some(2); 4]]).unwrap();
        let e = cohen_kappa(&d, 0, 1).unwrap_err();
        assert_eq!(e.to_string(), "cohen's kappa is undefined: annotator indices 0 and 1 both gave every item category 2, so chance agreement is 1");
        assert!(matches!(
            fleiss_kappa(&d),
            Err(AgreeError::Undefined { .. })
        ));
        let e = krippendorff_alpha(&d).unwrap_err();
        assert_eq!(e.to_string(), "krippendorff's alpha is undefined: every pairable value is category 2, so expected disagreement is 0");
        assert_eq!(percent_agreement(&d, 0, 1).unwrap().value, 1.0);
        let sa = specific_agreement(&d);
        assert_eq!((sa[0].value, sa[2].value), (None, Some(1.0)));
        assert!(matches!(
            cohen_kappa(&d, 0, 0),
            Err(AgreeError::SameAnnotator { annotator: 0 })
        ));
        assert!(matches!(
            cohen_kappa(&d, 0, 2),
            Err(AgreeError::NoSuchAnnotator { annotator: 2, .. })
        ));
        // Disjoint single categories: p_e = 0, κ = 0 (defined).
        let d = ReliabilityData::new(2, vec![vec![Some(0); 3], vec![Some(1); 3]]).unwrap();
        assert_eq!(cohen_kappa(&d, 0, 1).unwrap().kappa, 0.0);
    }

    #[test]
    fn labels_map_to_sorted_categories() {
        let (d, labels) = ReliabilityData::from_labels(&[
            vec![Some("b"), Some("a"), None],
            vec![Some("b"), Some("c"), Some("a")],
        ])
        .unwrap();
        assert_eq!(labels, vec!["a", "b", "c"]);
        assert_eq!(d.item_codes(1), vec![Some(0), Some(2)]);
        assert_eq!(d.code(0, 2), None);
        assert!(matches!(
            ReliabilityData::from_labels::<u8>(&[vec![None], vec![None]]),
            Err(AgreeError::NoCategories)
        ));
    }

    #[test]
    fn bootstrap_is_seeded_and_brackets_the_point() {
        let d = krippendorff_2011();
        let s = Statistic::KrippendorffAlpha;
        let b = bootstrap(&d, s, 500, 0.95, 7).unwrap();
        assert!(close(b.point, 113.0 / 152.0));
        assert!(b.interval.lo <= b.point && b.point <= b.interval.hi);
        assert!(b.interval.lo < b.interval.hi && b.interval.hi <= 1.0);
        assert_eq!(b.units, 11);
        assert_eq!(b, bootstrap(&d, s, 500, 0.95, 7).unwrap());
        assert_ne!(b, bootstrap(&d, s, 500, 0.95, 8).unwrap());
        assert!(matches!(
            bootstrap(&d, s, 0, 0.95, 7),
            Err(AgreeError::Bootstrap(_))
        ));
        assert!(matches!(
            bootstrap(&d, s, 10, 1.0, 7),
            Err(AgreeError::Bootstrap(_))
        ));
        // Cohen's κ on the 50-item example: no resample is degenerate.
        let c = bootstrap(
            &cohen_example(),
            Statistic::CohenKappa { a: 0, b: 1 },
            300,
            0.9,
            1,
        )
        .unwrap();
        assert_eq!(c.skipped, 0);
        assert!(c.interval.lo < 0.4 && 0.4 < c.interval.hi);
    }

    #[test]
    fn bootstrap_skips_and_counts_degenerate_resamples() {
        // Five items all category 0 and one item with 0/1: a resample
        // without the last item has κ = 0/0 (probability (5/6)^6 = 0.33).
        let d = ReliabilityData::new(
            2,
            vec![
                [0, 0, 0, 0, 0, 0].map(Some).to_vec(),
                [0, 0, 0, 0, 0, 1].map(Some).to_vec(),
            ],
        )
        .unwrap();
        let b = bootstrap(&d, Statistic::CohenKappa { a: 0, b: 1 }, 1000, 0.95, 3).unwrap();
        assert!(b.skipped > 250 && b.skipped < 420, "{}", b.skipped);
        assert!(b.interval.lo.is_finite() && b.interval.hi.is_finite());
        // Undefined on the data itself: the statistic's own error.
        let d = ReliabilityData::new(2, vec![vec![Some(0); 3], vec![Some(0); 3]]).unwrap();
        assert!(matches!(
            bootstrap(&d, Statistic::PercentAgreement { a: 0, b: 1 }, 10, 0.95, 1),
            Ok(BootstrapEstimate {
                point: 1.0,
                skipped: 0,
                ..
            })
        ));
        assert!(matches!(
            bootstrap(&d, Statistic::KrippendorffAlpha, 10, 0.95, 1),
            Err(AgreeError::Undefined { .. })
        ));
        // Defined on the data (κ = 1) but each resample of the two items
        // repeats one of them with probability 1/2: with one resample, some
        // seed makes every resample undefined, which is an error, not NaN.
        let d =
            ReliabilityData::new(2, vec![vec![Some(0), Some(1)], vec![Some(0), Some(1)]]).unwrap();
        let kappa = Statistic::CohenKappa { a: 0, b: 1 };
        let errors: Vec<AgreeError> = (0..32)
            .filter_map(|seed| bootstrap(&d, kappa, 1, 0.95, seed).err())
            .collect();
        assert!(!errors.is_empty() && errors.len() < 32, "{}", errors.len());
        assert_eq!(
            errors[0].to_string(),
            "cohen_kappa(0,1): undefined on all 1 bootstrap resamples"
        );
    }

    #[test]
    fn summary_lists_every_statistic() {
        let rows = summary(&krippendorff_2011(), 50, 0.95, 1);
        // 4 overall + 5 categories + 6 pairs × 2.
        assert_eq!(rows.len(), 4 + 5 + 12);
        assert_eq!(rows[3].statistic.to_string(), "krippendorff_alpha");
        assert!(close(
            rows[3].estimate.as_ref().unwrap().point,
            113.0 / 152.0
        ));
        // Fleiss' κ uses the complete units 2..=9 (C did not code unit 1,
        // A not units 10-12).
        let f = fleiss_kappa(&krippendorff_2011()).unwrap();
        assert_eq!((f.items, f.dropped), (8, 4));
        assert_eq!(rows[2].estimate.as_ref().unwrap().units, 8);
    }

    /// Reliability data of `m` annotators on `n` items over `k` categories,
    /// with some missing cells.
    fn data_strategy() -> impl Strategy<Value = (usize, Vec<Vec<Option<usize>>>)> {
        (2usize..5, 2usize..6, 1usize..30).prop_flat_map(|(k, m, n)| {
            let cell = prop_oneof![3 => (0..k).prop_map(Some), 1 => Just(None)];
            (
                Just(k),
                proptest::collection::vec(proptest::collection::vec(cell, n), m),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn identical_annotators_agree_perfectly(
            k in 2usize..5,
            m in 2usize..5,
            codes in proptest::collection::vec(0usize..5, 2..40),
        ) {
            let codes: Vec<Option<usize>> = codes.into_iter().map(|c| Some(c % k)).collect();
            let used = {
                let mut u: Vec<_> = codes.clone();
                u.sort();
                u.dedup();
                u.len()
            };
            let d = ReliabilityData::new(k, vec![codes; m]).unwrap();
            if used >= 2 {
                prop_assert!(close(krippendorff_alpha(&d).unwrap().alpha, 1.0));
                prop_assert!(close(cohen_kappa(&d, 0, 1).unwrap().kappa, 1.0));
                prop_assert!(close(fleiss_kappa(&d).unwrap().kappa, 1.0));
            } else {
                let undefined = matches!(krippendorff_alpha(&d), Err(AgreeError::Undefined { .. }));
                prop_assert!(undefined);
            }
            prop_assert_eq!(percent_agreement(&d, 0, 1).unwrap().value, 1.0);
            prop_assert!(disagreements(&d).is_empty());
        }

        #[test]
        fn coefficients_are_symmetric_in_annotator_order(
            (k, rows) in data_strategy(),
            seed in any::<u64>(),
        ) {
            let d = ReliabilityData::new(k, rows.clone()).unwrap();
            let mut perm = rows;
            crate::rng::Rng::new(seed).shuffle(&mut perm);
            let p = ReliabilityData::new(k, perm).unwrap();
            let same = |x: Result<f64>, y: Result<f64>| match (x, y) {
                (Ok(x), Ok(y)) => (x - y).abs() < 1e-9,
                (Err(e), Err(f)) => std::mem::discriminant(&e) == std::mem::discriminant(&f),
                _ => false,
            };
            prop_assert!(same(krippendorff_alpha(&d).map(|a| a.alpha), krippendorff_alpha(&p).map(|a| a.alpha)));
            prop_assert!(same(fleiss_kappa(&d).map(|a| a.kappa), fleiss_kappa(&p).map(|a| a.kappa)));
            prop_assert!(same(mean_pairwise_agreement(&d).map(|a| a.value), mean_pairwise_agreement(&p).map(|a| a.value)));
            prop_assert!(same(unanimous_agreement(&d).map(|a| a.value), unanimous_agreement(&p).map(|a| a.value)));
            for c in 0..k {
                prop_assert_eq!(specific_agreement(&d)[c].value, specific_agreement(&p)[c].value);
            }
            prop_assert_eq!(disagreements(&d).len(), disagreements(&p).len());
        }

        #[test]
        fn proportions_stay_in_range((k, rows) in data_strategy()) {
            let d = ReliabilityData::new(k, rows).unwrap();
            let unit = |x: f64| (0.0..=1.0).contains(&x);
            for a in 0..d.annotators() {
                for b in a + 1..d.annotators() {
                    if let Ok(p) = percent_agreement(&d, a, b) {
                        prop_assert!(unit(p.value));
                        prop_assert_eq!(p.items as u64, pair_confusion(&d, a, b).unwrap().total());
                    }
                    if let Ok(c) = cohen_kappa(&d, a, b) {
                        prop_assert!(c.kappa.is_finite() && c.kappa <= 1.0 + 1e-12 && c.kappa >= -1.0 - 1e-12);
                    }
                }
            }
            for r in [mean_pairwise_agreement(&d), unanimous_agreement(&d)].into_iter().flatten() {
                prop_assert!(unit(r.value));
            }
            for s in specific_agreement(&d) {
                prop_assert!(s.value.is_none_or(unit));
            }
            if let Ok(a) = krippendorff_alpha(&d) {
                prop_assert!(a.alpha.is_finite() && a.alpha <= 1.0 + 1e-12);
            }
            // No NaN anywhere in a summary.
            for row in summary(&d, 20, 0.95, 1) {
                if let Ok(e) = row.estimate {
                    prop_assert!(e.point.is_finite() && e.interval.lo.is_finite() && e.interval.hi.is_finite());
                    prop_assert!(e.interval.lo <= e.interval.hi);
                }
            }
        }
    }
}
