//! The featurizer: quote sentences → sparse bag-of-n-gram vectors.
//!
//! [`FeaturizerParams`] (settings, consuming builder) → [`FeaturizerParams::check`]
//! → [`ValidFeaturizerParams::fit`] on the training texts → [`Featurizer`],
//! whose vocabulary and IDF are frozen: [`Featurizer::transform`] never
//! changes them, so test folds cannot leak into training.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `ngram_range` | `(1, 1)` | word n-gram lengths, `1 ≤ min ≤ max ≤ 4` |
//! | `weight` | `tfidf` | `binary`, `count` or `tfidf` |
//! | `sublinear_tf` | `false` | use `1 + ln(tf)` instead of `tf` |
//! | `min_df` | `1` | keep n-grams in at least this many documents |
//! | `max_df` | `1.0` | drop n-grams in more than this fraction of documents |
//! | `max_features` | none | keep only the most frequent n-grams |
//! | `norm` | `true` | scale each row to unit L2 norm |
//! | `analyzer` | stem, no stopwords | see [`AnalyzerSettings`] |
//! | `char_ngrams` | none | character n-gram lengths within word boundaries, `1 ≤ min ≤ max ≤ 8` |
//!
//! Character n-grams are scikit-learn's `char_wb`: each lowercased token
//! the stopword filter keeps (before stemming) is padded with a space on
//! both sides. Their feature names start with `c:` (`c: ab`), so they never
//! collide with word n-grams, and they share `min_df`, `max_df`,
//! `max_features` and the weighting with them.
//!
//! IDF is the smoothed `ln((1 + n) / (1 + df)) + 1` (as scikit-learn's
//! default). Vocabulary indices are sorted by document frequency descending,
//! then n-gram text ascending, so the same training texts always give the
//! same vocabulary.
//!
//! Fitting and transforming run in parallel over chunks of documents
//! (rayon): each chunk is analysed with its own interner and n-gram table;
//! the chunks' term strings are then merged into global ids and their
//! document frequencies summed (sharded by n-gram hash), so the result is
//! the same for any number of threads. N-grams are tuples of term ids packed
//! in a `u128`; memory is proportional to the vocabulary and the non-zeros,
//! never to documents × vocabulary.
//!
//! For inputs too large to hold, [`ValidFeaturizerParams::stream_fit`]
//! fits block by block (each thread's analyzer cache and n-gram table
//! persist across blocks) and [`StreamTransformer`] transforms block by
//! block: memory ∝ vocabulary × threads + one block, and the vocabulary,
//! IDF and rows are the same as fitting all the texts at once.
//!
//! This file holds the settings and the fitted [`Featurizer`]; each stage
//! has its own file: `key` (packed n-gram keys and their feature names),
//! `count` (per-thread counting, and the one n-gram window loop), `vocab`
//! (merge, document-frequency filter, vocabulary order, IDF), `weigh`
//! (weighting and row building) and `stream` (block-by-block fit and
//! transform), with `keymap` (n-gram maps) and [`sparse`] (CSR matrices).

mod count;
mod key;
mod keymap;
pub mod sparse;
mod stream;
mod vocab;
mod weigh;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::text::{AnalyzerSettings, CHAR_PREFIX, MAX_CHAR_NGRAM};
use count::{analyze_balanced, split_chunks};
use key::{key_name, pack, PAD, PAD_KEY};
use keymap::FeatureMap;
use rustc_hash::FxHashMap;
pub use sparse::CsrMatrix;
use std::sync::OnceLock;
pub use stream::{StreamFit, StreamTransformer, KEPT_BYTES_PER_NONZERO, KEPT_BYTES_PER_ROW};
use vocab::TermIds;
use weigh::{concat, TransformState};

/// Longest supported word n-gram.
pub const MAX_NGRAM: usize = 4;

/// How n-gram counts become feature values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// 1 if the n-gram occurs.
    Binary,
    /// The count (or `1 + ln count` with `sublinear_tf`).
    Count,
    /// Count × smoothed IDF.
    #[default]
    Tfidf,
}

impl std::str::FromStr for Weighting {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "binary" => Ok(Weighting::Binary),
            "count" => Ok(Weighting::Count),
            "tfidf" => Ok(Weighting::Tfidf),
            _ => Err(Error::param(
                "--weight",
                format!("'{s}' is not a weighting; expected binary|count|tfidf"),
            )),
        }
    }
}

/// Unchecked featurizer settings (see the module table for defaults).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeaturizerParams {
    /// Text pipeline settings.
    pub analyzer: AnalyzerSettings,
    /// Smallest and largest word n-gram length.
    pub ngram_range: (usize, usize),
    /// Feature values.
    pub weight: Weighting,
    /// Sublinear term frequency.
    pub sublinear_tf: bool,
    /// Minimum document frequency (count).
    pub min_df: usize,
    /// Maximum document frequency (fraction of documents).
    pub max_df: f64,
    /// Keep at most this many n-grams (most frequent first).
    pub max_features: Option<usize>,
    /// L2-normalise each row.
    pub norm: bool,
    /// Character n-gram lengths within word boundaries (`char_wb`), or
    /// none. Absent in older model files, hence the serde default.
    #[serde(default)]
    pub char_ngrams: Option<(usize, usize)>,
}

impl Default for FeaturizerParams {
    fn default() -> Self {
        FeaturizerParams {
            analyzer: AnalyzerSettings::default(),
            ngram_range: (1, 1),
            weight: Weighting::Tfidf,
            sublinear_tf: false,
            min_df: 1,
            max_df: 1.0,
            max_features: None,
            norm: true,
            char_ngrams: None,
        }
    }
}

/// Checked featurizer settings, ready to fit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidFeaturizerParams(FeaturizerParams);

impl FeaturizerParams {
    /// Sets the word n-gram range.
    pub fn ngram_range(mut self, min: usize, max: usize) -> Self {
        self.ngram_range = (min, max);
        self
    }
    /// Sets the weighting.
    pub fn weight(mut self, w: Weighting) -> Self {
        self.weight = w;
        self
    }
    /// Sets `min_df`.
    pub fn min_df(mut self, n: usize) -> Self {
        self.min_df = n;
        self
    }
    /// Sets `max_df`.
    pub fn max_df(mut self, f: f64) -> Self {
        self.max_df = f;
        self
    }
    /// Sets `max_features`.
    pub fn max_features(mut self, n: Option<usize>) -> Self {
        self.max_features = n;
        self
    }
    /// Turns stemming on or off.
    pub fn stem(mut self, on: bool) -> Self {
        self.analyzer.stem = on;
        self
    }
    /// Turns the stopword filter on or off.
    pub fn stopwords(mut self, on: bool) -> Self {
        self.analyzer.stopwords = on;
        self
    }
    /// Turns sublinear tf on or off.
    pub fn sublinear_tf(mut self, on: bool) -> Self {
        self.sublinear_tf = on;
        self
    }
    /// Sets the character n-gram range (`None`: word n-grams only).
    pub fn char_ngrams(mut self, range: Option<(usize, usize)>) -> Self {
        self.char_ngrams = range;
        self
    }
    /// Turns L2 normalisation on or off.
    pub fn norm(mut self, on: bool) -> Self {
        self.norm = on;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag for an n-gram range outside
    /// `1 ≤ min ≤ max ≤ 4`, a character n-gram range outside
    /// `1 ≤ min ≤ max ≤ 8`, `min_df = 0`, `max_df` outside `(0, 1]` or
    /// `max_features = 0`.
    pub fn check(self) -> Result<ValidFeaturizerParams> {
        let (lo, hi) = self.ngram_range;
        if lo == 0 || lo > hi || hi > MAX_NGRAM {
            return Err(Error::param(
                "--ngrams",
                format!("{lo}..{hi} is not a valid range; expected MIN..MAX with 1 <= MIN <= MAX <= {MAX_NGRAM}"),
            ));
        }
        if let Some((lo, hi)) = self.char_ngrams {
            if lo == 0 || lo > hi || hi > MAX_CHAR_NGRAM {
                return Err(Error::param(
                    "--char-ngrams",
                    format!("{lo}..{hi} is not a valid range; expected MIN..MAX with 1 <= MIN <= MAX <= {MAX_CHAR_NGRAM}"),
                ));
            }
        }
        if self.min_df == 0 {
            return Err(Error::param("--min-df", "must be at least 1"));
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::param(
                "--max-df",
                format!(
                    "{} is out of range; expected a fraction in (0, 1]",
                    self.max_df
                ),
            ));
        }
        if self.max_features == Some(0) {
            return Err(Error::param("--max-features", "must be at least 1"));
        }
        Ok(ValidFeaturizerParams(self))
    }
}

impl ValidFeaturizerParams {
    /// The settings.
    pub fn params(&self) -> &FeaturizerParams {
        &self.0
    }

    /// Learns the vocabulary (and IDF) from `texts`, in parallel over
    /// chunks of documents (the result does not depend on the number of
    /// threads).
    ///
    /// # Errors
    /// [`Error::Fit`] if no n-gram survives `min_df`/`max_df` (a property of
    /// the data, not of the settings alone).
    pub fn fit<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Featurizer> {
        Ok(self.fit_impl(texts, false)?.0)
    }

    /// Fits on `texts` and featurizes them in the same pass (each text is
    /// analysed once); equal to `fit` followed by
    /// [`Featurizer::transform_counted`]. Returns the featurizer, the
    /// matrix and the number of tokens read.
    ///
    /// # Errors
    /// As [`ValidFeaturizerParams::fit`].
    pub fn fit_transform<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
    ) -> Result<(Featurizer, CsrMatrix, usize)> {
        let (f, x, tokens) = self.fit_impl(texts, true)?;
        let x = x.unwrap_or_else(|| CsrMatrix::new(f.n_features()));
        Ok((f, x, tokens))
    }

    fn fit_impl<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        keep_rows: bool,
    ) -> Result<(Featurizer, Option<CsrMatrix>, usize)> {
        let p = &self.0;
        // Per-thread counting into local interners and n-gram tables
        // (count.rs), then the vocabulary (vocab.rs).
        let mut workers = Vec::new();
        let segments = analyze_balanced(p, &mut workers, texts, keep_rows);
        let tokens = workers.iter().map(|w| w.tokens).sum();
        let (f, remaps) = self.merge(&workers, texts.len())?;
        // Rows of the training texts, from the per-worker counts.
        let x = keep_rows.then(|| f.rows_of(&workers, &remaps, &segments));
        // Each worker frees its own tables and strings, in parallel.
        workers.into_par_iter().for_each(drop);
        Ok((f, x, tokens))
    }

    /// Starts a streamed fit: feed the texts block by block with
    /// [`StreamFit::update`], then [`StreamFit::finish`]. Memory is
    /// proportional to the distinct n-grams seen (the vocabulary
    /// candidates) plus one block, and the rows kept if asked
    /// ([`StreamFit::keep_rows`]), not to the number of texts; the
    /// vocabulary, IDF and rows are the same as [`ValidFeaturizerParams::fit`]
    /// on all the texts at once, for any block sizes and thread counts.
    pub fn stream_fit(&self) -> StreamFit {
        StreamFit::new(self.clone())
    }
}

/// No feature / no slot.
const NONE: u32 = u32::MAX;

/// `n` as a `u32` id. Inline: the stage files call it in their hot loops,
/// and they may be compiled in other codegen units than this file.
#[inline]
fn to_u32(n: usize) -> u32 {
    // Fewer than 2^32 terms, n-grams and features is an invariant of any
    // corpus that fits in memory.
    u32::try_from(n).expect("fewer than 2^32 terms and n-grams")
}

/// A fitted featurizer: frozen vocabulary and IDF.
#[derive(Debug, Clone)]
pub struct Featurizer {
    params: ValidFeaturizerParams,
    /// Term string → term id (only terms used by some feature).
    term_ids: TermIds,
    /// N-gram of term ids → feature index.
    features: FeatureMap,
    n_features: usize,
    /// Feature names, built from `features` and `term_ids` when first
    /// needed (featurizing does not need them).
    names: OnceLock<Vec<String>>,
    idf: Vec<f64>,
}

impl Featurizer {
    /// Rebuilds a featurizer from its feature names (terms joined by a
    /// space, in index order; character n-grams as `c:` + the characters)
    /// and IDF (empty unless TF-IDF); used by model files.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] if the names or IDF do not fit the settings.
    pub fn from_parts(
        params: ValidFeaturizerParams,
        names: Vec<String>,
        idf: Vec<f64>,
    ) -> Result<Featurizer> {
        let want_idf = params.0.weight == Weighting::Tfidf;
        if want_idf && idf.len() != names.len() || !want_idf && !idf.is_empty() {
            return Err(Error::param(
                "idf",
                format!("{} IDF values for {} features", idf.len(), names.len()),
            ));
        }
        if idf.iter().any(|v| !v.is_finite() || *v <= 0.0) {
            return Err(Error::param(
                "idf",
                "IDF values must be finite and positive",
            ));
        }
        if u32::try_from(names.len()).is_err() {
            return Err(Error::param("vocabulary", "more than 2^32 - 1 features"));
        }
        let mut term_ids = TermIds::with_capacity(0);
        let mut keys = Vec::with_capacity(names.len());
        let (lo, hi) = params.0.ngram_range;
        let mut intern = |part: &str| term_ids.intern_dense(part);
        for name in &names {
            let k = if let Some(chars) = name.strip_prefix(CHAR_PREFIX) {
                let n = chars.chars().count();
                match params.0.char_ngrams {
                    Some((_, chi)) if (1..=chi).contains(&n) => pack(&[intern(name)]),
                    _ => {
                        return Err(Error::param(
                            "vocabulary",
                            format!("character n-gram feature '{name}' does not fit --char-ngrams"),
                        ))
                    }
                }
            } else {
                let mut w = [PAD; MAX_NGRAM];
                let mut n = 0;
                for part in name.split(' ') {
                    if n == MAX_NGRAM || part.is_empty() {
                        return Err(Error::param(
                            "vocabulary",
                            format!("bad feature name '{name}'"),
                        ));
                    }
                    w[n] = intern(part);
                    n += 1;
                }
                if n < lo || n > hi {
                    return Err(Error::param(
                        "vocabulary",
                        format!("feature '{name}' is not a {lo}..{hi}-gram"),
                    ));
                }
                pack(&w[..n])
            };
            keys.push(k);
        }
        let features = FeatureMap::from_keys(&keys, |&k| k)
            .map_err(|i| Error::param("vocabulary", format!("duplicate feature '{}'", names[i])))?;
        Ok(Featurizer {
            params,
            term_ids,
            features,
            n_features: names.len(),
            names: OnceLock::from(names),
            idf,
        })
    }

    /// The settings it was fitted with.
    pub fn params(&self) -> &ValidFeaturizerParams {
        &self.params
    }

    /// Feature names in index order (n-gram terms joined by a space).
    pub fn names(&self) -> &[String] {
        self.names.get_or_init(|| {
            // Global term id → term string, for the terms of the features.
            let mut terms: FxHashMap<u32, &str> = FxHashMap::default();
            terms.reserve(self.term_ids.len());
            for (s, g) in self.term_ids.iter() {
                terms.insert(g, s);
            }
            let mut keys = vec![PAD_KEY; self.n_features];
            for (k, &i) in self.features.iter() {
                keys[i as usize] = k;
            }
            keys.par_iter()
                // Every term of a feature is in `term_ids`.
                .map(|&k| key_name(k, |g| terms.get(&g).copied().unwrap_or_default()))
                .collect()
        })
    }

    /// IDF per feature (empty unless TF-IDF).
    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Featurizes `texts` (in parallel over chunks; the result does not
    /// depend on the number of threads). N-grams outside the vocabulary are
    /// ignored.
    pub fn transform<S: AsRef<str> + Sync>(&self, texts: &[S]) -> CsrMatrix {
        self.transform_counted(texts).0
    }

    /// As [`Featurizer::transform`], also returning the number of tokens read.
    pub fn transform_counted<S: AsRef<str> + Sync>(&self, texts: &[S]) -> (CsrMatrix, usize) {
        let parts: Vec<(CsrMatrix, usize)> = split_chunks(texts)
            .par_iter()
            .map(|chunk| {
                let mut st = TransformState::new(self);
                let tokens = self.transform_chunk(&mut st, chunk);
                (st.out, tokens)
            })
            .collect();
        let tokens = parts.iter().map(|p| p.1).sum();
        let mats: Vec<CsrMatrix> = parts.into_iter().map(|p| p.0).collect();
        (concat(self.n_features(), mats), tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(p: FeaturizerParams, texts: &[&str]) -> Featurizer {
        p.check().unwrap().fit(texts).unwrap()
    }

    #[test]
    fn idf_is_frozen_at_fit() {
        let f = fit(
            FeaturizerParams::default().stem(false).norm(false),
            &["a b", "a"],
        );
        let before = f.transform(&["b"]);
        let _ = f.transform(&["b b b", "b", "b"]);
        assert_eq!(f.transform(&["b"]), before);
    }

    #[test]
    fn bad_settings_name_the_flag() {
        let e = FeaturizerParams::default()
            .ngram_range(2, 1)
            .check()
            .unwrap_err();
        assert!(e.to_string().starts_with("invalid setting --ngrams"), "{e}");
        assert!(FeaturizerParams::default().min_df(0).check().is_err());
        assert!(FeaturizerParams::default().max_df(0.0).check().is_err());
        assert!(FeaturizerParams::default()
            .max_features(Some(0))
            .check()
            .is_err());
        let e = FeaturizerParams::default()
            .min_df(5)
            .check()
            .unwrap()
            .fit(&["a"])
            .unwrap_err();
        assert!(e.to_string().contains("survives"), "{e}");
    }

    #[test]
    fn from_parts_round_trips_and_parallel_matches_serial() {
        let texts: Vec<String> = (0..5000)
            .map(|i| format!("w{} w{} common", i % 37, i % 11))
            .collect();
        let f = fit(
            FeaturizerParams::default().ngram_range(1, 2),
            &texts.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let g = Featurizer::from_parts(f.params().clone(), f.names().to_vec(), f.idf().to_vec())
            .unwrap();
        let a = f.transform(&texts);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| g.transform(&texts));
        assert_eq!(a, b);
    }

    pub(super) fn pool(n: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    }

    pub(super) fn corpus() -> Vec<String> {
        (0..3000)
            .map(|i| {
                format!(
                    "Word{} w{} the Strikes striking {} common-{}",
                    i % 97,
                    (i * 7) % 131,
                    if i % 3 == 0 { "Mexico’s" } else { "tariffs" },
                    i % 5
                )
            })
            .collect()
    }

    #[test]
    fn output_is_identical_for_any_number_of_threads() {
        let texts = corpus();
        let p = FeaturizerParams::default()
            .ngram_range(1, 3)
            .char_ngrams(Some((2, 4)))
            .min_df(2)
            .check()
            .unwrap();
        let (f1, x1, t1) = pool(1).install(|| p.fit_transform(&texts)).unwrap();
        // Vocabulary order is (df desc, name asc), with and without char n-grams.
        for q in [
            p.clone(),
            FeaturizerParams::default()
                .ngram_range(1, 4)
                .check()
                .unwrap(),
        ] {
            let f = q.fit(&texts).unwrap();
            let y = f.transform(&texts);
            let mut df = vec![0u32; f.n_features()];
            for i in 0..y.n_rows() {
                y.row(i).0.iter().for_each(|&j| df[j as usize] += 1);
            }
            for (j, w) in f.names().windows(2).enumerate() {
                assert!(
                    df[j] > df[j + 1] || (df[j] == df[j + 1] && w[0] < w[1]),
                    "{w:?}"
                );
            }
        }
        for n in [2, 3, 7] {
            let (f, x, t) = pool(n).install(|| p.fit_transform(&texts)).unwrap();
            assert_eq!(f.names(), f1.names(), "{n} threads");
            assert_eq!(f.idf(), f1.idf());
            assert_eq!((&x, t), (&x1, t1));
            assert_eq!(pool(n).install(|| f1.transform(&texts)), x1);
        }
        // fit_transform equals fit then transform.
        let f = pool(3).install(|| p.fit(&texts)).unwrap();
        assert_eq!(f.names(), f1.names());
        assert_eq!(f.transform_counted(&texts), (x1, t1));
    }

    #[test]
    fn char_ngrams_are_prefixed_shared_and_round_trip() {
        let p = FeaturizerParams::default()
            .stem(false)
            .weight(Weighting::Count)
            .norm(false)
            .char_ngrams(Some((2, 2)));
        let f = fit(p.clone(), &["ab ab", "ab"]);
        // Word "ab" and char n-grams " a", "ab", "b " all in both docs; name order.
        assert_eq!(f.names(), ["ab", "c: a", "c:ab", "c:b "]);
        let x = f.transform(&["ab ab x"]);
        assert_eq!(x.row(0), (&[0u32, 1, 2, 3][..], &[2.0, 2.0, 2.0, 2.0][..]));
        let g = Featurizer::from_parts(f.params().clone(), f.names().to_vec(), f.idf().to_vec())
            .unwrap();
        assert_eq!(g.transform(&["ab ab x"]), x);
        // min_df applies to character n-grams too.
        let f = fit(p.clone().min_df(2), &["ab cd", "ab"]);
        assert_eq!(f.names(), ["ab", "c: a", "c:ab", "c:b "]);
        // Old model files without the field still parse.
        let json = serde_json::to_string(&FeaturizerParams::default()).unwrap();
        let old = json.replace(",\"char_ngrams\":null", "");
        assert_ne!(old, json);
        let back: FeaturizerParams = serde_json::from_str(&old).unwrap();
        assert_eq!(back, FeaturizerParams::default());
        // Ranges are checked; char names need char n-grams on.
        assert!(p.clone().char_ngrams(Some((0, 2))).check().is_err());
        let e = p.clone().char_ngrams(Some((2, 9))).check().unwrap_err();
        assert!(
            e.to_string().starts_with("invalid setting --char-ngrams"),
            "{e}"
        );
        let words = FeaturizerParams::default().check().unwrap();
        assert!(Featurizer::from_parts(words, vec!["c:ab".into()], vec![1.0]).is_err());
    }
}
