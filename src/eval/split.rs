//! Cross-validation plans that never put the same quote in train and test.
//!
//! First, [`group_duplicates`] puts sentences that carry the same quote in
//! one group: identical text after normalisation (lowercase, stemmed
//! terms), a shared run of [`SHINGLE`] consecutive terms (the same quote
//! inside different attributions), or near-identical term sets (Jaccard ≥
//! [`JACCARD`], e.g. "we cooperate" / "we are cooperating").
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

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::label::{Stance, N_CLASSES};
use crate::rng::Rng;
use crate::text::{Analyzer, AnalyzerSettings};

/// Length of the term runs whose sharing makes two sentences one quote.
pub const SHINGLE: usize = 7;
/// Term-set Jaccard similarity from which two sentences are one quote.
pub const JACCARD: f64 = 0.7;
/// Above this many sentences the pairwise Jaccard pass is skipped (exact
/// and shingle matches still apply).
pub const MAX_PAIRWISE: usize = 20_000;

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
}

/// Group id of every text: texts carrying the same quote share an id. Ids
/// are the smallest index in the group.
pub fn group_duplicates<S: AsRef<str>>(texts: &[S]) -> Vec<usize> {
    let n = texts.len();
    let mut uf = UnionFind((0..n).collect());
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
                None => {
                    shingles.insert(w, i);
                }
            }
        }
    }
    if n <= MAX_PAIRWISE {
        let sets: Vec<Vec<u32>> = terms
            .iter()
            .map(|t| {
                let mut s = t.clone();
                s.sort_unstable();
                s.dedup();
                s
            })
            .collect();
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
    }
    (0..n).map(|i| uf.find(i)).collect()
}

/// Jaccard similarity of two sorted, deduplicated sets.
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
