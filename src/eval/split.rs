//! Cross-validation plans that never put the same quote in train and test.
//!
//! First, [`group_duplicates`] puts sentences that carry the same quote in
//! one group. After normalisation (lowercase, stemmed terms), two sentences
//! are joined when
//! - their term sequences are identical;
//! - they share a run of [`SHINGLE`] consecutive terms (the same quote
//!   inside different attributions);
//! - their term sets, of at least [`MIN_SET`] distinct terms each, have
//!   Jaccard similarity ≥ [`JACCARD`] (e.g. "we cooperate" / "we are
//!   cooperating").
//!
//! Groups are the transitive closure of these links (union-find).
//!
//! # Near duplicates at any size: MinHash LSH
//!
//! Comparing every pair of term sets is quadratic, so the Jaccard rule
//! goes through a MinHash index with banding (Broder 1997; Leskovec,
//! Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3), and every
//! candidate pair it yields is verified with the exact Jaccard similarity:
//! the index may miss a pair, it never joins a dissimilar one.
//!
//! 1. Sentences with equal term sets of at least [`MIN_SET`] terms
//!    (Jaccard 1) are joined directly; one copy of each distinct set goes
//!    on.
//! 2. Each set gets `b` × `r` MinHash values ([`LSH_BANDS`] = 80 bands of
//!    [`LSH_ROWS`] = 5): value `i` is the least `hᵢ(t)` over the set's
//!    terms `t`, where `hᵢ(t)` mixes (SplitMix64's finaliser) a fixed hash
//!    of the term's string (FNV-1a) with the `i`-th number drawn from
//!    [`crate::rng::Rng`] under a fixed seed. The values depend on the terms only: the same in every run, on
//!    every platform, at any thread count (the bands are hashed in parallel
//!    with rayon; the checks below run in one fixed order).
//! 3. Sets whose `r` values agree in some band share that band's bucket and
//!    are candidates. A pair with Jaccard `J` agrees on one value with
//!    probability `J`, on a band with `Jʳ`, and is never a candidate with
//!    probability `(1 − Jʳ)ᵇ`. At the threshold that is
//!    `(1 − 0.7⁵)⁸⁰ ≈ 4.1·10⁻⁷`; at `J` = 0.75 it is 3.9·10⁻¹⁰, at 0.8
//!    1.6·10⁻¹⁴, and a missed pair may still be joined through others of
//!    its group. Unrelated sentences are rarely candidates: 2.5 % of pairs
//!    at `J` = 0.2, 18 % at 0.3.
//! 4. A candidate pair is checked only if its sizes allow Jaccard ≥
//!    [`JACCARD`] and it is not yet in one group; its common terms are
//!    counted, stopping as soon as the threshold is out of reach.
//!
//! **Large buckets.** Sentences that share most of their terms
//! (boilerplate such as "Reporting by …; Editing by …", or company results
//! like "Shr 12 cts vs 10 cts") can fill one bucket by the hundreds or
//! thousands, and checking every pair there would be quadratic. In a
//! bucket, sets are ordered by size (then by first appearance) and each is
//! paired with at most [`LSH_WINDOW`] = 64 sets before it, stopping at the
//! first that is too small to reach the threshold. A bucket of `m` sets thus
//! costs at most 64 `m` pair checks, and the whole pass at most
//! 80 × 64 × (distinct sets), whatever the data; a check of a pair already
//! in one group compares two cached ids. The cost to correctness: in a
//! bucket of at most 65 sets every pair is a candidate, as in 3; in a larger
//! one a pair more than 64 places apart is not a candidate in that band.
//! Such a pair is still found in any other band where it shares a smaller
//! bucket or sits closer, or joined through other members of its group; it
//! is lost only if none of these happens. On 140,182 news sentences
//! (Reuters-21578 and AG News; largest bucket: 476 sets, 121 buckets over
//! 65) the groups with the window are the same as without it, and the same
//! as those of checking every pair of sets, at 100,000 and at 140,182.
//!
//! Cost on the first 100,000 of these sentences: 1.4 s of CPU time
//! (analysis, exact text and runs 0.3 s; near duplicates 1.1 s, mostly the
//! MinHash values), 2.1 s on all 140,182; memory linear in the number of
//! terms.
//!
//! Then a plan assigns every sentence to exactly one test fold:
//! - leave-one-document-out ([`CvScheme::Doc`]): one fold per document;
//!   its training set drops every sentence whose group has a member in the
//!   test document, so a quote carried by four articles never trains the
//!   model that is tested on one of them;
//! - seeded stratified group k-fold ([`CvScheme::KFold`]): whole groups are
//!   dealt to folds, largest first, each to the fold that has fewest of the
//!   group's majority class (ties: fewest items, then lowest index); the
//!   order of equal-sized groups is shuffled by the seed. A class with fewer
//!   groups than folds is simply absent from some test folds.

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::label::{Stance, N_CLASSES};
use crate::rng::Rng;
use crate::text::{Analyzer, AnalyzerSettings};

/// Length of the term runs whose sharing makes two sentences one quote.
pub const SHINGLE: usize = 7;
/// Term-set Jaccard similarity from which two sentences are one quote.
pub const JACCARD: f64 = 0.7;
/// Smallest term set (distinct terms) that the Jaccard rule applies to.
pub const MIN_SET: usize = 4;
/// MinHash values per LSH band (`r`): a pair is a candidate when all `r`
/// agree in some band.
pub const LSH_ROWS: usize = 5;
/// LSH bands (`b`); a signature has `LSH_ROWS * LSH_BANDS` MinHash values.
pub const LSH_BANDS: usize = 80;
/// In an LSH bucket, each member is paired with at most this many members
/// before it (members ordered by size), so that a bucket costs at most
/// `LSH_WINDOW` checks a member.
pub const LSH_WINDOW: usize = 64;
/// Seed of the MinHash functions. Fixed, as the groups decide every plan.
const MINHASH_SEED: u64 = 0x6d69_6e68_6173_6821;
/// Bands hashed and sorted at once (in parallel) before their buckets are
/// checked.
const BANDS_AT_ONCE: usize = 8;

/// How to split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CvScheme {
    /// Leave one document out.
    Doc,
    /// Stratified group k-fold with `k` folds.
    KFold(usize),
}

impl std::str::FromStr for CvScheme {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        if s == "doc" {
            return Ok(CvScheme::Doc);
        }
        let bad = || {
            Error::param(
                "cv",
                format!("'{s}' is not a scheme; expected doc or kfold:K with K >= 2"),
            )
        };
        let k: usize = s
            .strip_prefix("kfold:")
            .ok_or_else(bad)?
            .parse()
            .map_err(|_| bad())?;
        if k < 2 {
            return Err(bad());
        }
        Ok(CvScheme::KFold(k))
    }
}

impl std::fmt::Display for CvScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CvScheme::Doc => f.write_str("doc"),
            CvScheme::KFold(k) => write!(f, "kfold:{k}"),
        }
    }
}

/// One train/test split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// A name for reports (the document, or `fold<i>`).
    pub name: String,
    /// Training example indices, ascending.
    pub train: Vec<usize>,
    /// Test example indices, ascending.
    pub test: Vec<usize>,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        // The smaller index becomes the root, so group ids do not depend on order of unions.
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.0[hi] = lo;
    }
    /// The root (smallest member) of every element's set.
    fn ids(mut self) -> Vec<usize> {
        (0..self.0.len()).map(|i| self.find(i)).collect()
    }
}

/// Group id of every text: texts carrying the same quote share an id (see
/// the module doc for the rules and the index). Ids are the smallest index
/// in the group, so they do not depend on the thread count or on the order
/// in which links are found.
///
/// # Panics
/// With 2³² or more distinct term sets.
pub fn group_duplicates<S: AsRef<str>>(texts: &[S]) -> Vec<usize> {
    let (terms, term_hashes) = analyze(texts);
    let mut uf = UnionFind::new(texts.len());
    exact_and_shingles(&terms, &mut uf);
    near_duplicates(&terms, &term_hashes, LSH, &mut uf);
    uf.ids()
}

/// The stemmed term ids of every text, and a hash of every term's string
/// (by term id), so that MinHash values depend on the terms, not on the
/// order in which they were first seen.
fn analyze<S: AsRef<str>>(texts: &[S]) -> (Vec<Vec<u32>>, Vec<u64>) {
    let mut analyzer = Analyzer::new(AnalyzerSettings::default());
    let terms = texts
        .iter()
        .map(|t| {
            let mut ids = Vec::new();
            analyzer.terms_into(t.as_ref(), &mut ids);
            ids
        })
        .collect();
    let hashes = analyzer.terms().map(term_hash).collect();
    (terms, hashes)
}

/// Joins texts with the same term sequence or a common run of [`SHINGLE`]
/// terms. Equal sequences of at least [`SHINGLE`] terms share their first
/// run, so only shorter ones are looked up whole.
fn exact_and_shingles(terms: &[Vec<u32>], uf: &mut UnionFind) {
    let mut exact: FxHashMap<&[u32], usize> = FxHashMap::default();
    let mut shingles: FxHashMap<&[u32], usize> = FxHashMap::default();
    shingles.reserve(
        terms
            .iter()
            .map(|t| t.len().saturating_sub(SHINGLE - 1))
            .sum(),
    );
    for (i, ids) in terms.iter().enumerate() {
        if ids.len() < SHINGLE {
            match exact.entry(ids) {
                Entry::Occupied(e) => uf.union(i, *e.get()),
                Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
        for w in ids.windows(SHINGLE) {
            match shingles.entry(w) {
                Entry::Occupied(e) => uf.union(i, *e.get()),
                Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
    }
}

/// LSH settings: the constants in production; tests vary them.
#[derive(Debug, Clone, Copy)]
struct Lsh {
    bands: usize,
    window: usize,
}

const LSH: Lsh = Lsh {
    bands: LSH_BANDS,
    window: LSH_WINDOW,
};

/// Counters of one near-duplicate pass, for tests and measurements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
struct LshStats {
    /// Distinct term sets of at least [`MIN_SET`] terms.
    sets: usize,
    /// Largest bucket.
    max_bucket: usize,
    /// Buckets of more than `window + 1` members, where not every pair is
    /// a candidate.
    cut_buckets: usize,
    /// Candidate pairs of similar sizes looked at.
    examined: usize,
    /// Candidate pairs in different groups whose overlap was counted.
    verified: usize,
    /// Verified pairs that joined two groups.
    joined: usize,
}

/// Joins texts whose term sets have Jaccard similarity ≥ [`JACCARD`]
/// (both sets of at least [`MIN_SET`] terms): equal sets directly, other
/// pairs when they are candidates of the LSH index (see the module doc)
/// and pass the exact check.
fn near_duplicates(
    terms: &[Vec<u32>],
    term_hashes: &[u64],
    lsh: Lsh,
    uf: &mut UnionFind,
) -> LshStats {
    let sets = distinct_sets(terms, uf);
    let mut stats = LshStats {
        sets: sets.len(),
        ..LshStats::default()
    };
    // need[s] = the overlap two sets of s members in all must reach.
    let max_size = (0..sets.len()).map(|i| sets.size(i)).max().unwrap_or(0);
    let need: Vec<usize> = (0..=2 * max_size).map(min_overlap).collect();
    let mut rng = Rng::new(MINHASH_SEED);
    let seeds: Vec<u64> = (0..LSH_ROWS * lsh.bands).map(|_| rng.next_u64()).collect();
    let band_seeds: Vec<&[u64]> = seeds.chunks(LSH_ROWS).collect();
    // Group of each member of the bucket being checked, as last seen: equal
    // values are certainly one group (groups only merge); unequal ones are
    // looked up again before the overlap is counted.
    let mut roots: Vec<usize> = Vec::new();
    for chunk in band_seeds.chunks(BANDS_AT_ONCE) {
        let orders: Vec<Vec<u64>> = chunk
            .par_iter()
            .map(|s| band_order(&sets, term_hashes, s))
            .collect();
        for order in &orders {
            for bucket in order.chunk_by(|a, b| a >> 32 == b >> 32) {
                if bucket.len() < 2 {
                    continue;
                }
                stats.max_bucket = stats.max_bucket.max(bucket.len());
                if bucket.len() - 1 > lsh.window {
                    stats.cut_buckets += 1;
                }
                let member = |p: usize| bucket[p] as u32 as usize;
                roots.clear();
                roots.extend((0..bucket.len()).map(|p| uf.find(sets.text[member(p)])));
                for p in 1..bucket.len() {
                    let x = member(p);
                    // Members ascend in size: stop at the first that is too small.
                    for q in (p.saturating_sub(lsh.window)..p).rev() {
                        let y = member(q);
                        let (sx, sy) = (sets.size(x), sets.size(y));
                        let need = need[sx + sy];
                        if need > sy {
                            break;
                        }
                        stats.examined += 1;
                        if roots[p] == roots[q] {
                            continue;
                        }
                        let (a, b) = (sets.text[x], sets.text[y]);
                        let (ra, rb) = (uf.find(a), uf.find(b));
                        roots[p] = ra;
                        roots[q] = rb;
                        if ra == rb {
                            continue;
                        }
                        stats.verified += 1;
                        if overlaps(sets.get(x), sets.get(y), need) {
                            stats.joined += 1;
                            uf.union(a, b);
                            roots[p] = uf.find(a);
                        }
                    }
                }
            }
        }
    }
    stats
}

/// Distinct term sets of at least [`MIN_SET`] terms, back to back, in
/// ascending size (ties: first text), so that bucket members, kept in set
/// order, ascend in size.
struct Sets {
    /// Sorted, deduplicated term ids of set 0, then set 1, ...
    terms: Vec<u32>,
    /// Set `i` is `terms[start[i]..start[i + 1]]`.
    start: Vec<usize>,
    /// The first text with set `i`.
    text: Vec<usize>,
}

impl Sets {
    fn len(&self) -> usize {
        self.text.len()
    }
    fn get(&self, i: usize) -> &[u32] {
        &self.terms[self.start[i]..self.start[i + 1]]
    }
    fn size(&self, i: usize) -> usize {
        self.start[i + 1] - self.start[i]
    }
}

/// The distinct term sets of at least [`MIN_SET`] terms (see [`Sets`]);
/// texts with equal sets (Jaccard 1) are joined in `uf`.
fn distinct_sets(terms: &[Vec<u32>], uf: &mut UnionFind) -> Sets {
    let sorted: Vec<Vec<u32>> = terms
        .par_iter()
        .map(|t| {
            let mut s = t.clone();
            s.sort_unstable();
            s.dedup();
            s
        })
        .collect();
    let mut first: FxHashMap<&[u32], usize> = FxHashMap::default();
    first.reserve(sorted.len());
    let mut text = Vec::new();
    for (i, s) in sorted.iter().enumerate() {
        if s.len() < MIN_SET {
            continue;
        }
        match first.entry(s.as_slice()) {
            Entry::Occupied(e) => uf.union(i, *e.get()),
            Entry::Vacant(e) => {
                e.insert(i);
                text.push(i);
            }
        }
    }
    text.sort_by_key(|&i| (sorted[i].len(), i));
    let mut sets = Sets {
        terms: Vec::with_capacity(text.iter().map(|&i| sorted[i].len()).sum()),
        start: Vec::with_capacity(text.len() + 1),
        text,
    };
    sets.start.push(0);
    for &i in &sets.text {
        sets.terms.extend_from_slice(&sorted[i]);
        sets.start.push(sets.terms.len());
    }
    sets
}

/// One band's buckets: `key << 32 | set`, sorted, so that a bucket is a run
/// of equal keys with its sets ascending. The key is a 32-bit hash of the
/// set's [`LSH_ROWS`] MinHash values under the band's hash functions (one
/// per seed); two buckets sharing a key only add candidates.
fn band_order(sets: &Sets, term_hashes: &[u64], seeds: &[u64]) -> Vec<u64> {
    // The band's hash values of every term.
    let table: Vec<[u64; LSH_ROWS]> = term_hashes
        .iter()
        .map(|&x| std::array::from_fn(|r| mix64(x ^ seeds[r])))
        .collect();
    let mut order: Vec<u64> = Vec::with_capacity(sets.len());
    for (i, ends) in sets.start.windows(2).enumerate() {
        let mut mins = [u64::MAX; LSH_ROWS];
        for &t in &sets.terms[ends[0]..ends[1]] {
            let h = &table[t as usize];
            for r in 0..LSH_ROWS {
                if h[r] < mins[r] {
                    mins[r] = h[r];
                }
            }
        }
        let key = mins.iter().fold(0, |k, &m| mix64(k ^ m)) >> 32;
        let set = u32::try_from(i).expect("fewer than 2^32 distinct term sets");
        order.push(key << 32 | u64::from(set));
    }
    order.sort_unstable();
    order
}

/// SplitMix64's finaliser: a bijection of `u64` that mixes every input bit
/// into every output bit.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of a term's string that is the same on every platform and
/// version (FNV-1a, then [`mix64`]).
fn term_hash(s: &str) -> u64 {
    let h = s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    mix64(h)
}

/// The smallest intersection `k` with which two sets whose sizes add up to
/// `total` have Jaccard similarity ≥ [`JACCARD`], computed as
/// `k / (total - k)` in `f64` (increasing in `k`), as the rule always was.
fn min_overlap(total: usize) -> usize {
    let passes = |k: usize| k as f64 / (total - k) as f64 >= JACCARD;
    let mut k = (JACCARD * total as f64 / (1.0 + JACCARD)).ceil() as usize;
    k = k.min(total.saturating_sub(1));
    while k > 0 && passes(k - 1) {
        k -= 1;
    }
    while k + 1 < total && !passes(k) {
        k += 1;
    }
    k
}

/// Whether two sorted, deduplicated sets have at least `need` common
/// members; stops as soon as the rest cannot make up the difference.
/// With `need = min_overlap(a.len() + b.len())`, whether their Jaccard
/// similarity is ≥ [`JACCARD`].
fn overlaps(a: &[u32], b: &[u32], need: usize) -> bool {
    let (mut i, mut j, mut inter) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if inter + (a.len() - i).min(b.len() - j) < need {
            return false;
        }
        let (x, y) = (a[i], b[j]);
        inter += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    inter >= need
}

/// Plans the folds.
///
/// `docs[i]` is example `i`'s document (needed for [`CvScheme::Doc`]),
/// `groups` comes from [`group_duplicates`].
///
/// # Errors
/// [`Error::Split`] when a document is missing under `doc`, there are fewer
/// than two documents, or fewer groups than folds.
pub fn plan(
    scheme: CvScheme,
    docs: &[Option<&str>],
    labels: &[Stance],
    groups: &[usize],
    seed: u64,
) -> Result<Vec<Fold>> {
    let n = labels.len();
    assert!(
        docs.len() == n && groups.len() == n,
        "inputs must be parallel"
    );
    match scheme {
        CvScheme::Doc => {
            let mut by_doc: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (i, d) in docs.iter().enumerate() {
                let d = d.ok_or_else(|| {
                    Error::Split(format!(
                        "--cv doc needs a 'doc' value on every row; example {} has none (use --cv kfold:K)",
                        i + 1
                    ))
                })?;
                by_doc.entry(d).or_default().push(i);
            }
            if by_doc.len() < 2 {
                return Err(Error::Split(format!(
                    "--cv doc needs at least 2 documents; found {} (use --cv kfold:K)",
                    by_doc.len()
                )));
            }
            Ok(by_doc
                .into_iter()
                .map(|(d, test)| {
                    let test_groups: rustc_hash::FxHashSet<usize> =
                        test.iter().map(|&i| groups[i]).collect();
                    let train = (0..n)
                        .filter(|&i| docs[i] != Some(d) && !test_groups.contains(&groups[i]))
                        .collect();
                    Fold {
                        name: d.to_owned(),
                        train,
                        test,
                    }
                })
                .collect())
        }
        CvScheme::KFold(k) => {
            let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for (i, &g) in groups.iter().enumerate() {
                members.entry(g).or_default().push(i);
            }
            if members.len() < k {
                return Err(Error::Split(format!(
                    "kfold:{k} needs at least {k} groups of distinct quotes; found {}",
                    members.len()
                )));
            }
            let mut order: Vec<Vec<usize>> = members.into_values().collect();
            Rng::new(seed).shuffle(&mut order);
            order.sort_by_key(|g| std::cmp::Reverse(g.len()));
            let mut per_class = vec![[0usize; N_CLASSES]; k];
            let mut size = vec![0usize; k];
            let mut tests: Vec<Vec<usize>> = vec![Vec::new(); k];
            for g in order {
                let mut counts = [0usize; N_CLASSES];
                g.iter().for_each(|&i| counts[labels[i].index()] += 1);
                let major = (0..N_CLASSES)
                    .max_by_key(|&c| (counts[c], N_CLASSES - c))
                    .unwrap_or(0);
                let f = (0..k)
                    .min_by_key(|&f| (per_class[f][major], size[f], f))
                    .unwrap_or(0);
                for c in 0..N_CLASSES {
                    per_class[f][c] += counts[c];
                }
                size[f] += g.len();
                tests[f].extend(g);
            }
            Ok(tests
                .into_iter()
                .enumerate()
                .map(|(f, mut test)| {
                    test.sort_unstable();
                    let mut in_test = vec![false; n];
                    test.iter().for_each(|&i| in_test[i] = true);
                    Fold {
                        name: format!("fold{}", f + 1),
                        train: (0..n).filter(|&i| !in_test[i]).collect(),
                        test,
                    }
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    #[test]
    fn parses_schemes() {
        assert_eq!("doc".parse::<CvScheme>().unwrap(), CvScheme::Doc);
        assert_eq!("kfold:5".parse::<CvScheme>().unwrap(), CvScheme::KFold(5));
        for bad in ["kfold:0", "kfold:1", "kfold:x", "kfold", "loo", ""] {
            let e = bad.parse::<CvScheme>().unwrap_err();
            assert!(e.to_string().contains("expected doc or kfold:K"), "{e}");
        }
    }

    #[test]
    fn groups_same_quote_across_articles() {
        let texts = [
            "“We cooperate, we collaborate, but there will be no invasion.",
            "“We are cooperating, we are collaborating, but there will be no invasion.",
            "But the ministry stressed that Mexico “would not accept the participation of US military forces on our territory.”",
            "The ministry later reiterated that it “would not accept the participation of US military forces on our territory” after talks.",
            "Trump said he would have more to say about that soon.",
            "It’s off the table, absolutely off the table.”",
            "“It’s off the table, absolutely off the table.”",
        ];
        let g = group_duplicates(&texts);
        assert_eq!(g, [0, 0, 2, 2, 4, 5, 5]);
    }

    /// Jaccard similarity of two sorted, deduplicated sets (the rule's
    /// definition, as the pairwise pass computed it).
    fn jaccard(a: &[u32], b: &[u32]) -> f64 {
        let (mut i, mut j, mut inter) = (0, 0, 0usize);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    inter += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        inter as f64 / (a.len() + b.len() - inter) as f64
    }

    /// The grouping as this module computed it before LSH, with the
    /// quadratic pairwise Jaccard pass (and without its size limit): the
    /// reference that the LSH grouping must reproduce.
    fn group_duplicates_pairwise<S: AsRef<str>>(texts: &[S]) -> Vec<usize> {
        let n = texts.len();
        let mut uf = UnionFind::new(n);
        let mut analyzer = Analyzer::new(AnalyzerSettings::default());
        let mut terms: Vec<Vec<u32>> = Vec::with_capacity(n);
        for t in texts {
            let mut ids = Vec::new();
            analyzer.terms_into(t.as_ref(), &mut ids);
            terms.push(ids);
        }
        let mut exact: FxHashMap<&[u32], usize> = FxHashMap::default();
        let mut shingles: FxHashMap<&[u32], usize> = FxHashMap::default();
        for (i, ids) in terms.iter().enumerate() {
            if let Some(&j) = exact.get(ids.as_slice()) {
                uf.union(i, j);
            } else {
                exact.insert(ids, i);
            }
            for w in ids.windows(SHINGLE) {
                match shingles.get(w) {
                    Some(&j) => uf.union(i, j),
                    Option::None => {
                        shingles.insert(w, i);
                    }
                }
            }
        }
        let sets: Vec<Vec<u32>> = terms.iter().map(|t| term_set(t)).collect();
        for i in 0..n {
            for j in i + 1..n {
                if sets[i].len() >= 4
                    && sets[j].len() >= 4
                    && jaccard(&sets[i], &sets[j]) >= JACCARD
                {
                    uf.union(i, j);
                }
            }
        }
        uf.ids()
    }

    fn term_set(terms: &[u32]) -> Vec<u32> {
        let mut s = terms.to_vec();
        s.sort_unstable();
        s.dedup();
        s
    }

    /// Groups by exact sequences and shared runs only.
    fn group_exact_and_shingles<S: AsRef<str>>(texts: &[S]) -> Vec<usize> {
        let (terms, _) = analyze(texts);
        let mut uf = UnionFind::new(texts.len());
        exact_and_shingles(&terms, &mut uf);
        uf.ids()
    }

    /// The LSH pass with other settings, and its counters.
    fn group_with<S: AsRef<str>>(texts: &[S], lsh: Lsh) -> (Vec<usize>, LshStats) {
        let (terms, hashes) = analyze(texts);
        let mut uf = UnionFind::new(texts.len());
        exact_and_shingles(&terms, &mut uf);
        let stats = near_duplicates(&terms, &hashes, lsh, &mut uf);
        (uf.ids(), stats)
    }

    fn n_groups(ids: &[usize]) -> usize {
        ids.iter().enumerate().filter(|&(i, &g)| i == g).count()
    }

    /// A letters-only pseudo-word, distinct for every `r` and left alone
    /// by the stemmer (it ends in `x`).
    fn word(mut r: usize) -> String {
        const SYL: [&str; 16] = [
            "ka", "to", "ri", "ne", "sa", "mu", "lo", "pe", "di", "ga", "vu", "ho", "ze", "bi",
            "fa", "ju",
        ];
        let mut w = String::new();
        loop {
            w.push_str(SYL[r % 16]);
            r /= 16;
            if r == 0 {
                break;
            }
        }
        w.push('x');
        w
    }

    const FUNCTION_WORDS: [&str; 10] = [
        "the", "of", "to", "and", "a", "in", "that", "said", "for", "on",
    ];

    /// `len` words: three function words and distinct content words drawn
    /// from `vocab` words (uniformly, or Zipf-like with `skew`), shuffled.
    fn sentence(rng: &mut Rng, len: usize, vocab: usize, skew: bool) -> Vec<String> {
        let mut words: Vec<String> = Vec::with_capacity(len);
        while words.len() < 3 {
            let w = FUNCTION_WORDS[rng.below(FUNCTION_WORDS.len())].to_owned();
            if !words.contains(&w) {
                words.push(w);
            }
        }
        while words.len() < len {
            let r = if skew {
                // Rank ~ vocab^u: many common words, a long tail.
                (vocab as f64).powf(rng.unit()) as usize - 1
            } else {
                rng.below(vocab)
            };
            let w = word(r);
            if !words.contains(&w) {
                words.push(w);
            }
        }
        rng.shuffle(&mut words);
        words
    }

    /// A near-duplicate of `s` (at least 9 words): `kind` 0 swaps the two
    /// middle words, 1 inserts a word in the middle, 2 drops the middle
    /// word, 3 changes the attribution (middle word replaced, a name
    /// appended), 4 swaps and replaces one word. Each edit sits in the
    /// middle, so that a sentence of at most 13 words keeps no run of
    /// [`SHINGLE`] words. New words come from `fresh`.
    fn variant(s: &[String], kind: usize, fresh: &mut impl FnMut() -> String) -> Vec<String> {
        let mut v = s.to_vec();
        let m = v.len() / 2;
        match kind {
            0 => v.swap(m - 1, m),
            1 => v.insert(m, fresh()),
            2 => {
                v.remove(m);
            }
            3 => {
                v[m] = fresh();
                v.push(fresh());
            }
            _ => {
                v.swap(m - 1, m);
                v[m + 1] = fresh();
            }
        }
        v
    }

    fn quotes_csv() -> Vec<String> {
        let c = crate::corpus::Corpus::from_bytes(
            std::path::Path::new("labels/quotes.csv"),
            include_bytes!("../../labels/quotes.csv"),
            crate::corpus::ReadOptions::default(),
        )
        .unwrap();
        c.texts().into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn seeds_are_grouped_as_by_the_pairwise_pass() {
        let texts = quotes_csv();
        assert_eq!(texts.len(), 88);
        let g = group_duplicates(&texts);
        assert_eq!(g, group_duplicates_pairwise(&texts));
        assert_eq!(n_groups(&g), 70);
    }

    /// Sentences from a small Zipf-like vocabulary (so that unrelated pairs
    /// come near the threshold), short and empty ones, and planted near
    /// duplicates of every kind, some of them a little below the threshold.
    fn synthetic(seed: u64, n: usize) -> Vec<String> {
        let mut rng = Rng::new(seed);
        let mut texts: Vec<Vec<String>> = Vec::with_capacity(n);
        let mut next = 5000;
        while texts.len() < n {
            let roll = rng.below(10);
            if roll < 6 || texts.is_empty() {
                let len = 2 + rng.below(14);
                texts.push(sentence(&mut rng, len.max(3), 800, true));
            } else if roll < 9 {
                let base = texts[rng.below(texts.len())].clone();
                if base.len() < 9 {
                    continue;
                }
                let mut fresh = || {
                    next += 1;
                    word(next)
                };
                let mut v = variant(&base, rng.below(5), &mut fresh);
                if rng.below(3) == 0 {
                    // A second edit: Jaccard about 0.6-0.8, on both sides of 0.7.
                    v = variant(&v, 3, &mut fresh);
                }
                texts.push(v);
            } else {
                texts.push(match rng.below(3) {
                    0 => Vec::new(),
                    1 => vec!["...".to_owned()],
                    _ => sentence(&mut rng, 3, 50, false),
                });
            }
        }
        texts.iter().map(|w| w.join(" ")).collect()
    }

    #[test]
    fn synthetic_sets_are_grouped_as_by_the_pairwise_pass() {
        for seed in [1, 2] {
            let texts = synthetic(seed, 2500);
            let g = group_duplicates(&texts);
            assert_eq!(g, group_duplicates_pairwise(&texts), "seed {seed}");
            let base = n_groups(&group_exact_and_shingles(&texts));
            assert!(
                n_groups(&g) + 100 < base,
                "seed {seed}: the Jaccard rule joins many groups ({} vs {base})",
                n_groups(&g)
            );
        }
    }

    #[test]
    fn planted_near_duplicates_are_found_among_many_sentences() {
        let (n, planted) = (32_000, 1_600);
        let mut rng = Rng::new(7);
        let mut next = 40_000;
        // (words, the original it was made from)
        let mut texts: Vec<(Vec<String>, usize)> = (0..n)
            .map(|i| {
                let len = 9 + rng.below(5);
                (sentence(&mut rng, len, 40_000, false), i)
            })
            .collect();
        let mut used = vec![false; n];
        for k in 0..planted {
            let base = rng.below(n);
            if std::mem::replace(&mut used[base], true) {
                continue;
            }
            let mut fresh = || {
                next += 1;
                word(next)
            };
            texts.push((variant(&texts[base].0, k % 5, &mut fresh), base));
        }
        rng.shuffle(&mut texts);
        // Group ids are the smallest member index.
        let mut first: FxHashMap<usize, usize> = FxHashMap::default();
        let expected: Vec<usize> = (0..texts.len())
            .map(|i| *first.entry(texts[i].1).or_insert(i))
            .collect();
        let texts: Vec<String> = texts.iter().map(|(w, _)| w.join(" ")).collect();
        let pairs: Vec<(usize, usize)> = (0..texts.len())
            .filter(|&i| expected[i] != i)
            .map(|i| (expected[i], i))
            .collect();
        assert!(pairs.len() > 1_400, "{} planted", pairs.len());
        // The planted pairs are near duplicates by the rule ...
        let (terms, _) = analyze(&texts);
        let mut jaccards: Vec<f64> = pairs
            .iter()
            .map(|&(a, b)| jaccard(&term_set(&terms[a]), &term_set(&terms[b])))
            .collect();
        jaccards.sort_by(f64::total_cmp);
        assert!(jaccards[0] >= JACCARD && jaccards[0] < 0.75, "{jaccards:?}");
        // ... and most of them share no run of SHINGLE terms: the Jaccard
        // pass, not the runs, must find them.
        let mut by_runs = UnionFind::new(texts.len());
        exact_and_shingles(&terms, &mut by_runs);
        let by_runs = by_runs.ids();
        let unlinked = pairs
            .iter()
            .filter(|&&(a, b)| by_runs[a] != by_runs[b])
            .count();
        assert!(
            unlinked * 10 > pairs.len() * 9,
            "{unlinked} of {}",
            pairs.len()
        );
        // Every planted pair is one group, and nothing else is joined.
        assert_eq!(group_duplicates(&texts), expected);
    }

    #[test]
    fn grouping_is_deterministic_at_any_thread_count() {
        let texts = synthetic(3, 3000);
        let g = group_duplicates(&texts);
        assert_eq!(g, group_duplicates(&texts));
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert_eq!(
                pool.install(|| group_duplicates(&texts)),
                g,
                "{threads} threads"
            );
        }
    }

    #[test]
    fn boilerplate_buckets_are_cut_and_still_grouped_as_by_the_pairwise_pass() {
        // A 10-word core and 3 of 60 names: two lines sharing a name have
        // Jaccard ≥ 0.73, sharing none 0.625; the bands whose minima fall in
        // the core put hundreds of lines in one bucket.
        let mut rng = Rng::new(11);
        let core = "reporting by the staff of the desk editing and photos from wire services";
        let texts: Vec<String> = (0..3000)
            .map(|_| {
                let mut names: Vec<String> = Vec::new();
                while names.len() < 3 {
                    let w = word(100 + rng.below(60));
                    if !names.contains(&w) {
                        names.push(w);
                    }
                }
                format!("{} {core} {}", names[0], names[1..].join(" "))
            })
            .collect();
        let (g, stats) = group_with(&texts, LSH);
        assert!(stats.cut_buckets > 0 && stats.max_bucket > 500, "{stats:?}");
        assert_eq!(g, group_duplicates_pairwise(&texts));
    }

    #[test]
    fn huge_buckets_cost_at_most_the_window_per_member() {
        // A 12-word core and 6 own words: Jaccard 0.5 between any two
        // lines, nothing to join, and large buckets in many bands.
        let mut rng = Rng::new(12);
        let core: Vec<String> = (0..12).map(word).collect();
        let n = 2000;
        let texts: Vec<String> = (0..n)
            .map(|i| {
                let mut w = core.clone();
                w.extend((0..6).map(|k| word(1000 + 6 * i + k)));
                rng.shuffle(&mut w);
                w.join(" ")
            })
            .collect();
        let (g, stats) = group_with(&texts, LSH);
        assert_eq!(g, (0..n).collect::<Vec<_>>());
        assert!(stats.cut_buckets > 0 && stats.max_bucket > 200, "{stats:?}");
        assert!(stats.examined <= LSH_BANDS * n * LSH_WINDOW, "{stats:?}");
        // Without the window the same data costs many times more checks.
        let (_, all) = group_with(
            &texts,
            Lsh {
                window: usize::MAX,
                ..LSH
            },
        );
        assert!(all.examined > 3 * stats.examined, "{all:?} {stats:?}");
    }

    #[test]
    fn overlap_test_decides_as_the_jaccard_rule() {
        for total in 0..200 {
            let k = min_overlap(total);
            if total >= 2 {
                assert!(k as f64 / (total - k) as f64 >= JACCARD, "total {total}");
            }
            if k > 0 {
                assert!(
                    ((k - 1) as f64 / (total - k + 1) as f64) < JACCARD,
                    "total {total}"
                );
            }
        }
        assert_eq!(min_overlap(20), 9); // 9 / 11 = 0.82; 8 / 12 = 0.67
        assert_eq!(min_overlap(17), 7); // 7 / 10 = 0.7 exactly
        let mut rng = Rng::new(5);
        for _ in 0..20_000 {
            let mut draw = || {
                let n = 4 + rng.below(20);
                let mut s: Vec<u32> = (0..n).map(|_| rng.below(30) as u32).collect();
                s.sort_unstable();
                s.dedup();
                s
            };
            let (a, b) = (draw(), draw());
            let need = min_overlap(a.len() + b.len());
            assert_eq!(
                overlaps(&a, &b, need),
                jaccard(&a, &b) >= JACCARD,
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn bands_agree_with_probability_j_to_the_rows() {
        // 2000 pairs of Jaccard exactly 0.7 (7 common terms, 3 apart).
        let pairs = 2000;
        let mut sets = Sets {
            terms: Vec::new(),
            start: vec![0],
            text: Vec::new(),
        };
        for p in 0..pairs {
            let t = 10 * p as u32;
            for set in [t..t + 8, t..t + 7] {
                sets.terms.extend(set);
                if sets.start.len() % 2 == 0 {
                    sets.terms.extend([t + 8, t + 9]);
                }
                sets.start.push(sets.terms.len());
                sets.text.push(sets.text.len());
            }
        }
        let hashes: Vec<u64> = (0..10 * pairs as u64).map(|t| mix64(t ^ 0xabc)).collect();
        let mut rng = Rng::new(MINHASH_SEED);
        let seeds: Vec<u64> = (0..LSH_ROWS * LSH_BANDS).map(|_| rng.next_u64()).collect();
        let mut found = vec![false; pairs];
        let mut agree = 0usize;
        for band in seeds.chunks(LSH_ROWS) {
            let mut key = vec![0u64; 2 * pairs];
            for x in band_order(&sets, &hashes, band) {
                key[x as u32 as usize] = x >> 32;
            }
            for p in 0..pairs {
                if key[2 * p] == key[2 * p + 1] {
                    agree += 1;
                    found[p] = true;
                }
            }
        }
        let rate = agree as f64 / (pairs * LSH_BANDS) as f64;
        let expected = JACCARD.powi(LSH_ROWS as i32);
        assert!((rate - expected).abs() < 0.005, "{rate} vs {expected}");
        assert!(found.iter().all(|&f| f));
    }

    fn check_partition(folds: &[Fold], n: usize) {
        let mut seen = vec![0; n];
        for f in folds {
            for &i in &f.test {
                seen[i] += 1;
                assert!(!f.train.contains(&i));
            }
        }
        assert!(
            seen.iter().all(|&c| c == 1),
            "every example is tested exactly once"
        );
    }

    #[test]
    fn leave_one_document_out_drops_shared_quotes_from_training() {
        let docs = [Some("a"), Some("a"), Some("b"), Some("b"), Some("c")];
        let labels = [Favor, Against, Against, None, Favor];
        let groups = [0, 1, 1, 3, 4]; // example 2 carries example 1's quote
        let folds = plan(CvScheme::Doc, &docs, &labels, &groups, 0).unwrap();
        check_partition(&folds, 5);
        assert_eq!(folds[0].name, "a");
        assert_eq!(folds[0].train, [3, 4]); // 2 dropped: same quote as test item 1
        assert_eq!(folds[1].train, [0, 4]);
        let e = plan(
            CvScheme::Doc,
            &[Some("a"), Option::None],
            &[Favor, None],
            &[0, 1],
            0,
        )
        .unwrap_err();
        assert!(e.to_string().contains("example 2 has none"), "{e}");
        let e = plan(
            CvScheme::Doc,
            &[Some("a"), Some("a")],
            &[Favor, None],
            &[0, 1],
            0,
        )
        .unwrap_err();
        assert!(e.to_string().contains("at least 2 documents"), "{e}");
    }

    /// Times the grouping on the first lines of a corpus of one sentence a
    /// line (default: the shared news corpus; skipped if missing):
    /// `cargo test --release --lib -- --ignored --nocapture scale_news`.
    /// `STANCE_DEDUP_CORPUS` names another file, `STANCE_DEDUP_N` the
    /// sizes (comma-separated), `STANCE_DEDUP_WINDOW` another window;
    /// `STANCE_DEDUP_EXACT=1` also checks the groups against every pair of
    /// term sets (parallel; minutes).
    #[test]
    #[ignore = "measurement on a corpus outside the repository; run with --release"]
    fn scale_news() {
        let path = std::env::var("STANCE_DEDUP_CORPUS")
            .unwrap_or_else(|_| "/work/shared/bench/news_sentences.txt".into());
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: {path} not readable");
            return;
        };
        let sizes: Vec<usize> = std::env::var("STANCE_DEDUP_N")
            .unwrap_or_else(|_| "100000,140182".into())
            .split(',')
            .map(|s| s.parse().unwrap())
            .collect();
        let window =
            std::env::var("STANCE_DEDUP_WINDOW").map_or(LSH_WINDOW, |s| s.parse().unwrap());
        let exact = std::env::var("STANCE_DEDUP_EXACT").is_ok_and(|v| v == "1");
        let lines: Vec<&str> = text.lines().collect();
        for n in sizes {
            let texts = &lines[..n.min(lines.len())];
            let (c0, t0) = (cpu_seconds(), std::time::Instant::now());
            let g = group_duplicates(texts);
            let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
            let runs = n_groups(&group_exact_and_shingles(texts));
            let (c0, t0) = (cpu_seconds(), std::time::Instant::now());
            let (terms, hashes) = analyze(texts);
            let mut uf = UnionFind::new(texts.len());
            exact_and_shingles(&terms, &mut uf);
            let (pre_wall, pre_cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
            let stats = near_duplicates(&terms, &hashes, Lsh { window, ..LSH }, &mut uf);
            let (lsh_wall, lsh_cpu) = (
                t0.elapsed().as_secs_f64() - pre_wall,
                cpu_seconds() - c0 - pre_cpu,
            );
            let windowed = uf.ids();
            eprintln!(
                "n={}: group_duplicates {wall:.2} s wall, {cpu:.2} s cpu; {} groups, {runs} by exact text and runs only; \
                 analysis+runs {pre_wall:.2} s wall {pre_cpu:.2} s cpu, near-duplicate pass {lsh_wall:.2} s wall {lsh_cpu:.2} s cpu \
                 (window {window}: {} groups) {stats:?}",
                texts.len(),
                n_groups(&g),
                n_groups(&windowed),
            );
            if exact {
                let t0 = std::time::Instant::now();
                let all = group_all_pairs(texts);
                let same = all == g;
                eprintln!(
                    "  every pair checked: {} groups in {:.1} s; same as LSH: {same}",
                    n_groups(&all),
                    t0.elapsed().as_secs_f64()
                );
                assert!(same);
            }
        }
    }

    /// The Jaccard rule over every pair of distinct term sets whose sizes
    /// allow it, in parallel: the pairwise pass, fast enough for a corpus.
    fn group_all_pairs<S: AsRef<str>>(texts: &[S]) -> Vec<usize> {
        let (terms, _) = analyze(texts);
        let mut uf = UnionFind::new(texts.len());
        exact_and_shingles(&terms, &mut uf);
        let sets = distinct_sets(&terms, &mut uf);
        let edges: Vec<(usize, usize)> = (0..sets.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let sets = &sets;
                (i + 1..sets.len())
                    .take_while(move |&j| min_overlap(sets.size(i) + sets.size(j)) <= sets.size(i))
                    .filter(move |&j| {
                        overlaps(
                            sets.get(i),
                            sets.get(j),
                            min_overlap(sets.size(i) + sets.size(j)),
                        )
                    })
                    .map(move |j| (sets.text[i], sets.text[j]))
            })
            .collect();
        for (a, b) in edges {
            uf.union(a, b);
        }
        uf.ids()
    }

    /// CPU seconds of this process so far (user and system, all threads),
    /// from `/proc/self/stat`; NaN where that is not readable.
    fn cpu_seconds() -> f64 {
        let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
            return f64::NAN;
        };
        // utime and stime are fields 14 and 15, in ticks of 1/100 s; the
        // fields after the command name in parentheses start at field 3.
        let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
        let field = |k: usize| {
            rest.split(' ')
                .nth(k - 3)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        (field(14) + field(15)) / 100.0
    }

    #[test]
    fn kfold_partitions_keeps_groups_and_stratifies() {
        let n = 60;
        let labels: Vec<Stance> = (0..n).map(|i| Stance::ALL[i % 3]).collect();
        let mut groups: Vec<usize> = (0..n).collect();
        groups[7] = 4; // 4 and 7 are the same quote (both against)
        let docs: Vec<Option<&str>> = vec![Option::None; n];
        let folds = plan(CvScheme::KFold(5), &docs, &labels, &groups, 42).unwrap();
        check_partition(&folds, n);
        for f in &folds {
            assert_eq!(f.test.contains(&4), f.test.contains(&7));
            for c in Stance::ALL {
                let k = f.test.iter().filter(|&&i| labels[i] == c).count();
                assert!((3..=5).contains(&k), "class {c} has {k} in {}", f.name);
            }
        }
        assert_eq!(
            folds,
            plan(CvScheme::KFold(5), &docs, &labels, &groups, 42).unwrap()
        );
        assert_ne!(
            folds,
            plan(CvScheme::KFold(5), &docs, &labels, &groups, 43).unwrap()
        );
        let e = plan(CvScheme::KFold(5), &docs[..3], &labels[..3], &[0, 1, 2], 0).unwrap_err();
        assert!(e.to_string().contains("needs at least 5 groups"), "{e}");
    }
}
