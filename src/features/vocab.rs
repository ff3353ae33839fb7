//! Vocabulary, the featurizer's second stage: merges the per-thread
//! tables of [`super::count`] into the fitted [`Featurizer`]. The workers'
//! term strings get global ids (the first worker's ids are kept); their
//! document frequencies are summed, sharded by n-gram hash, and filtered by
//! `min_df`/`max_df`; the kept n-grams are put in vocabulary order
//! (document frequency descending, then name ascending) by the fastest of
//! several equivalent sort paths and cut to `max_features`; the IDF is the
//! smoothed `ln((1 + n) / (1 + df)) + 1`.

use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::OnceLock;

use super::count::Worker;
use super::key::{key_name, key_parts, pack2, remap_key, Key, PAD};
use super::keymap::{self, FeatureMap, KeyMap};
use super::{to_u32, Featurizer, FeaturizerParams, ValidFeaturizerParams, Weighting, MAX_NGRAM};
use crate::error::{Error, Result};
use crate::text::interner::{Interner, TagIndex};
use crate::text::CHAR_PREFIX;

impl ValidFeaturizerParams {
    /// Merges the workers' tables into the fitted featurizer; also returns
    /// each worker's local → global term ids.
    ///
    /// # Errors
    /// [`Error::Fit`] if no n-gram survives `min_df`/`max_df`.
    pub(super) fn merge(
        &self,
        workers: &[Worker],
        n_docs: usize,
    ) -> Result<(Featurizer, Vec<Vec<u32>>)> {
        let p = &self.0;
        let (gterms, remaps) = global_terms(workers);
        let kept = kept_dfs(p, workers, &remaps, n_docs);
        if kept.iter().all(Vec::is_empty) {
            return Err(Error::fit(
                "featurizer",
                format!(
                    "no n-gram of {n_docs} training texts survives min_df={} and max_df={} \
                     (are the texts empty, or min_df too high?)",
                    p.min_df, p.max_df
                ),
            ));
        }
        let (order, names) = vocabulary_order(p, kept, &gterms);
        let idf = match p.weight {
            Weighting::Tfidf => smoothed_idf(&order, n_docs),
            _ => Vec::new(),
        };
        // The fitted featurizer uses the global term ids of the kept
        // n-grams; its feature map (built in parallel) and its term map
        // are built concurrently. The feature names are built from them
        // when first asked for ([`Featurizer::names`]), unless the slow
        // order made them.
        let (features, term_ids) = rayon::join(
            || FeatureMap::from_keys(&order, |&(_, k)| k),
            || used_terms(&order, &gterms),
        );
        // The merged keys are distinct.
        let features = features
            .map_err(|i| Error::fit("featurizer", format!("feature {i} merged twice (a bug)")))?;
        let f = Featurizer {
            params: self.clone(),
            term_ids,
            features,
            n_features: order.len(),
            names: names.map_or_else(OnceLock::new, OnceLock::from),
            idf,
        };
        Ok((f, remaps))
    }
}

/// Deterministic merge of the workers' term strings into global ids (the
/// first worker's ids are kept): the global terms, and each worker's
/// local → global term ids.
fn global_terms(workers: &[Worker]) -> (Vec<&str>, Vec<Vec<u32>>) {
    // Sized for the largest worker's terms up front (no rehashing).
    let most = workers.iter().map(|c| c.an.n_terms()).max().unwrap_or(0);
    let mut global = TagIndex::with_capacity(most);
    let mut gterms: Vec<&str> = Vec::with_capacity(most);
    let remaps: Vec<Vec<u32>> = workers
        .iter()
        .map(|c| {
            c.an.terms()
                .enumerate()
                .map(|(i, t)| {
                    let next = to_u32(gterms.len());
                    let tag = c.an.term_tag(to_u32(i));
                    global
                        .find_or_insert(tag, |g| gterms[g as usize] == t, next)
                        .unwrap_or_else(|| {
                            gterms.push(t);
                            next
                        })
                })
                .collect()
        })
        .collect();
    debug_assert!(remaps
        .first()
        .is_none_or(|r| r.iter().enumerate().all(|(i, &g)| g as usize == i)));
    (gterms, remaps)
}

/// The summed document frequency of every n-gram (global term ids) that
/// passes `min_df` and `max_df`, as (df, key), in [`SHARDS`] shards by
/// n-gram hash (in no particular order).
fn kept_dfs(
    p: &FeaturizerParams,
    workers: &[Worker],
    remaps: &[Vec<u32>],
    n_docs: usize,
) -> Vec<Vec<(u32, Key)>> {
    let sharded: Vec<Vec<Vec<(Key, u32)>>> = workers
        .par_iter()
        .zip(remaps)
        .enumerate()
        .map(|(w, (c, r))| {
            let n = c.table.keys().len() / SHARDS * 9 / 8;
            let mut s: Vec<Vec<(Key, u32)>> = (0..SHARDS).map(|_| Vec::with_capacity(n)).collect();
            for (k, df) in c.table.dfs() {
                // The first worker's term ids are the global ones.
                let g = if w == 0 { k } else { remap_key(k, r) };
                s[shard_of(g)].push((g, df));
            }
            s
        })
        .collect();
    let max_df = ((p.max_df * n_docs as f64).floor() as u32).max(1);
    (0..SHARDS)
        .into_par_iter()
        .map(|s| {
            if sharded.len() == 1 {
                // One worker: its keys are distinct already.
                return sharded[0][s]
                    .iter()
                    .filter(|&&(_, n)| n as usize >= p.min_df && n <= max_df)
                    .map(|&(k, n)| (n, k))
                    .collect();
            }
            let mut m: KeyMap<u32> = KeyMap::default();
            m.reserve_short(sharded.iter().map(|c| c[s].len()).max().unwrap_or(0) * 5 / 4);
            for c in &sharded {
                for &(k, d) in &c[s] {
                    *m.get_or_insert_with(k, || 0) += d;
                }
            }
            m.into_entries()
                .filter(|&(_, n)| n as usize >= p.min_df && n <= max_df)
                .map(|(k, n)| (n, k))
                .collect()
        })
        .collect()
}

/// The kept n-grams in vocabulary order: document frequency descending,
/// then name ascending, cut to `max_features`. Returns (df, key) in that
/// order, and the feature names if the sort path built them.
///
/// Four paths that give the same order, each where it applies: single terms
/// sorted on (df, the name's first eight bytes); n-grams of at most two
/// terms sorted as packed integers of df and term ranks; longer n-grams
/// sorted on (df, term ranks); and, when term ranks do not order the names
/// (a word term holding a character `<= ' '`), the names themselves.
fn vocabulary_order(
    p: &FeaturizerParams,
    kept: Vec<Vec<(u32, Key)>>,
    gterms: &[&str],
) -> (Vec<(u32, Key)>, Option<Vec<String>>) {
    let single_terms = p.ngram_range.1 == 1;
    let ranks = if single_terms {
        None
    } else {
        term_ranks(gterms)
    };
    match ranks {
        // Every key is one term, whose string is its name: one sort on
        // (df, the name's first eight bytes), the names only on ties.
        None if single_terms => {
            let term = |k: Key| gterms[k as u32 as usize];
            let mut order: Vec<(u32, u64, Key)> = kept
                .into_par_iter()
                .flatten()
                .map(|(n, k)| (n, prefix_key(term(k)), k))
                .collect();
            order.par_sort_unstable_by(|a, b| {
                b.0.cmp(&a.0)
                    .then_with(|| a.1.cmp(&b.1))
                    .then_with(|| term(a.2).cmp(term(b.2)))
            });
            if let Some(m) = p.max_features {
                order.truncate(m);
            }
            (order.into_iter().map(|(n, _, k)| (n, k)).collect(), None)
        }
        // Faster path for n-grams of at most two terms: the df and the
        // ranks packed in one integer, so the sort moves and compares
        // plain `u128`s, and the key is rebuilt from the ranks.
        Some(rank) if p.ngram_range.1 <= 2 => {
            // (Each shard is freed once packed.)
            let mut packed: Vec<u128> = kept
                .into_par_iter()
                .flat_map_iter(|shard| {
                    shard.into_iter().map(|(n, k)| {
                        let ranks = rank_key(k, &rank) >> (32 * (MAX_NGRAM - 2));
                        (u128::from(u32::MAX - n) << 96) | (ranks << 32)
                    })
                })
                .collect();
            packed.par_sort_unstable();
            if let Some(m) = p.max_features {
                packed.truncate(m);
            }
            let mut term_of = vec![PAD; rank.len()];
            for (g, &r) in rank.iter().enumerate() {
                term_of[r as usize] = to_u32(g);
            }
            // Lane `i` holds rank + 1 of term `i`, or 0.
            let term = |c: u128, i: u32| match (c >> (64 - 32 * i)) as u32 {
                0 => PAD,
                r => term_of[r as usize - 1],
            };
            let order = packed
                .into_par_iter()
                .map(|c| {
                    let df = u32::MAX - (c >> 96) as u32;
                    (df, keymap::widen(pack2(term(c, 0), term(c, 1))))
                })
                .collect();
            (order, None)
        }
        // Fast path: integer keys whose order is the names' order; names
        // are built only for the features kept.
        Some(rank) => {
            let mut order: Vec<(u32, u128, Key)> = kept
                .into_par_iter()
                .flatten()
                .map(|(n, k)| (n, rank_key(k, &rank), k))
                .collect();
            order.par_sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            if let Some(m) = p.max_features {
                order.truncate(m);
            }
            (order.into_iter().map(|(n, _, k)| (n, k)).collect(), None)
        }
        // Term ranks do not order the names: sort the names.
        None => {
            let mut v: Vec<(u32, String, Key)> = kept
                .into_par_iter()
                .flatten()
                .map(|(n, k)| (n, key_name(k, |g| gterms[g as usize]), k))
                .collect();
            v.par_sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            if let Some(m) = p.max_features {
                v.truncate(m);
            }
            let order = v.iter().map(|&(n, _, k)| (n, k)).collect();
            (order, Some(v.into_iter().map(|(_, s, _)| s).collect()))
        }
    }
}

/// The smoothed IDF `ln((1 + n) / (1 + df)) + 1` of each (df, key) in
/// `order`, for `n_docs` training texts.
fn smoothed_idf(order: &[(u32, Key)], n_docs: usize) -> Vec<f64> {
    order
        .par_iter()
        .map(|&(n, _)| ((1.0 + n_docs as f64) / (1.0 + n as f64)).ln() + 1.0)
        .collect()
}

/// The term map of a fitted featurizer: the terms used by some feature of
/// `order`, marked in parallel, then stored in term id order.
fn used_terms(order: &[(u32, Key)], gterms: &[&str]) -> TermIds {
    let used: Vec<AtomicBool> = gterms.iter().map(|_| AtomicBool::new(false)).collect();
    order.par_iter().for_each(|&(_, k)| {
        key_parts(k).for_each(|g| used[g as usize].store(true, Relaxed));
    });
    let mut term_ids = TermIds::with_capacity(gterms.len().min(order.len()));
    for (g, (t, u)) in gterms.iter().zip(&used).enumerate() {
        if u.load(Relaxed) {
            term_ids.insert(t, to_u32(g));
        }
    }
    term_ids
}

/// Number of shards of the document-frequency merge.
const SHARDS: usize = 64;

/// The shard of the document-frequency merge that sums `k`.
#[inline]
fn shard_of(k: Key) -> usize {
    let h = ((k as u64) ^ ((k >> 64) as u64).rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 58) as usize % SHARDS
}

/// Rank of every term in string order, if comparing n-grams term by term
/// by rank orders them as their names (terms joined by a space) do: true
/// when no word term contains a character `<= ' '` (character n-gram terms,
/// which contain spaces, are only ever single-term keys).
fn term_ranks(terms: &[&str]) -> Option<Vec<u32>> {
    if terms.len() >= u32::MAX as usize
        || terms
            .iter()
            .any(|t| !t.starts_with(CHAR_PREFIX) && t.bytes().any(|b| b <= b' '))
    {
        return None;
    }
    // Sorted by the first eight bytes as a big-endian integer (zero-padded:
    // integer order is byte order there), the full strings only on a tie.
    let mut idx: Vec<(u64, u32)> = terms
        .par_iter()
        .enumerate()
        .map(|(i, t)| (prefix_key(t), to_u32(i)))
        .collect();
    idx.par_sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| terms[a.1 as usize].cmp(terms[b.1 as usize]))
    });
    let mut rank = vec![0; terms.len()];
    for (r, &(_, i)) in idx.iter().enumerate() {
        rank[i as usize] = to_u32(r);
    }
    Some(rank)
}

/// The first eight bytes of `t`, zero-padded, as a big-endian integer:
/// `prefix_key(a) < prefix_key(b)` implies `a < b`.
#[inline]
fn prefix_key(t: &str) -> u64 {
    let mut w = [0u8; 8];
    let n = t.len().min(8);
    w[..n].copy_from_slice(&t.as_bytes()[..n]);
    u64::from_be_bytes(w)
}

/// `k` as term ranks + 1, first term in the most significant lane and 0
/// for unused lanes, so integer order is the names' order.
#[inline]
fn rank_key(k: Key, rank: &[u32]) -> u128 {
    let mut r = 0u128;
    for (i, id) in key_parts(k).enumerate() {
        r |= u128::from(rank[id as usize] + 1) << (32 * (MAX_NGRAM - 1 - i));
    }
    r
}

/// Term string → term id of a fitted featurizer: the strings in one
/// arena ([`Interner`]), and the id of each.
#[derive(Debug, Clone)]
pub(super) struct TermIds {
    strings: Interner,
    ids: Vec<u32>,
}

impl TermIds {
    pub(super) fn with_capacity(n: usize) -> TermIds {
        TermIds {
            strings: Interner::with_capacity(n),
            ids: Vec::with_capacity(n),
        }
    }

    /// Maps `s` (not present yet) to `id`.
    pub(super) fn insert(&mut self, s: &str, id: u32) {
        if self.strings.intern(s).1 {
            self.ids.push(id);
        }
    }

    /// The id of `s`, giving a new one the next dense id (`0, 1, ...`; for
    /// a map built only by this method).
    pub(super) fn intern_dense(&mut self, s: &str) -> u32 {
        let (i, new) = self.strings.intern(s);
        if new {
            self.ids.push(i);
        }
        self.ids[i as usize]
    }

    /// The id of `s`, if present.
    pub(super) fn get(&self, s: &str) -> Option<u32> {
        self.strings.id(s).map(|i| self.ids[i as usize])
    }

    /// Number of terms.
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Each term and its id.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.strings.iter().zip(self.ids.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(p: FeaturizerParams, texts: &[&str]) -> Featurizer {
        p.check().unwrap().fit(texts).unwrap()
    }

    #[test]
    fn term_ranks_follow_string_order() {
        let terms = [
            "abcdefgh",
            "abcdefghi",
            "abcdefgg",
            "abc",
            "ab",
            "b",
            "abcdefgh'x",
            "zz",
            "é",
            "e",
            "abcdefgha",
            "c:ab ",
            "c: a",
            "0",
            "9.5",
        ];
        let rank = term_ranks(&terms).unwrap();
        let mut sorted = terms.to_vec();
        sorted.sort_unstable();
        for (t, r) in terms.iter().zip(&rank) {
            assert_eq!(sorted[*r as usize], *t);
        }
        assert!(prefix_key("ab") < prefix_key("abc") && prefix_key("b") > prefix_key("abcdefghij"));
        assert!(term_ranks(&["a b"]).is_none());
    }

    #[test]
    fn vocabulary_is_sorted_by_df_then_text() {
        let f = fit(
            FeaturizerParams::default().stem(false),
            &["b a", "a c", "a b"],
        );
        assert_eq!(f.names(), ["a", "b", "c"]);
        let f = fit(
            FeaturizerParams::default().stem(false).ngram_range(1, 2),
            &["x y", "y z"],
        );
        assert_eq!(f.names(), ["y", "x", "x y", "y z", "z"]);
        // Unigrams (one sort on df and the first eight bytes) and bigrams
        // (term ranks) agree with sorting the names: long shared prefixes,
        // prefixes of each other, df ties, non-ASCII.
        let texts = [
            "internationalisation internationalise international é",
            "internationalise internationalisation ée intern internal",
            "international intern é ée abcdefghij abcdefghi",
            "abcdefghij internationalisation",
        ];
        for hi in [1, 2, 3] {
            let f = fit(
                FeaturizerParams::default().stem(false).ngram_range(1, hi),
                &texts,
            );
            let df = |name: &str| {
                texts
                    .iter()
                    .filter(|t| {
                        let w: Vec<&str> = t.split(' ').collect();
                        w.windows(name.split(' ').count())
                            .any(|g| g.join(" ") == name)
                    })
                    .count()
            };
            let mut want = f.names().to_vec();
            want.sort_by(|a, b| df(b).cmp(&df(a)).then_with(|| a.cmp(b)));
            assert_eq!(f.names(), want, "ngram_range (1, {hi})");
            let top = fit(
                FeaturizerParams::default()
                    .stem(false)
                    .ngram_range(1, hi)
                    .max_features(Some(5)),
                &texts,
            );
            assert_eq!(top.names(), &want[..5], "ngram_range (1, {hi}), 5 features");
        }
    }

    #[test]
    fn df_limits_and_max_features() {
        let texts = ["a a a b", "a c", "a d"];
        let f = fit(FeaturizerParams::default().stem(false).min_df(2), &texts);
        assert_eq!(f.names(), ["a"]);
        let f = fit(FeaturizerParams::default().stem(false).max_df(0.5), &texts);
        assert_eq!(f.names(), ["b", "c", "d"]);
        let f = fit(
            FeaturizerParams::default()
                .stem(false)
                .max_features(Some(2)),
            &texts,
        );
        assert_eq!(f.names(), ["a", "b"]);
    }
}
