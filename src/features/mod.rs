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

mod count;
mod key;
mod keymap;
pub mod sparse;
mod vocab;
mod weigh;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::text::{AnalyzerSettings, CHAR_PREFIX, MAX_CHAR_NGRAM};
use count::{analyze_balanced, split_chunks, Segment, Worker};
use key::{key_name, pack, PAD, PAD_KEY};
use keymap::FeatureMap;
use rustc_hash::FxHashMap;
pub use sparse::CsrMatrix;
use std::sync::OnceLock;
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
        StreamFit {
            params: self.clone(),
            workers: Vec::new(),
            n_docs: 0,
            tokens: 0,
            keep_budget: None,
            kept: Vec::new(),
        }
    }
}

/// No feature / no slot.
const NONE: u32 = u32::MAX;

/// `n` as a `u32` id.
fn to_u32(n: usize) -> u32 {
    // Fewer than 2^32 terms, n-grams and features is an invariant of any
    // corpus that fits in memory.
    u32::try_from(n).expect("fewer than 2^32 terms and n-grams")
}

/// Memory of one kept non-zero of a streamed fit: its (slot, count) pair
/// (8 bytes) and its entry in the rows built from them (a `u32` index and
/// an `f64` value).
pub const KEPT_BYTES_PER_NONZERO: usize = 20;

/// Memory of one kept row of a streamed fit besides its non-zeros: where it
/// ends among the counts, and among the built rows (a `usize` each).
pub const KEPT_BYTES_PER_ROW: usize = 16;

/// A streamed fit in progress (see [`ValidFeaturizerParams::stream_fit`]).
///
/// Each block is analysed as [`ValidFeaturizerParams::fit`] analyses its
/// texts, by one worker per thread whose analyzer cache and n-gram table
/// persist across blocks, so memory grows with the vocabulary only.
pub struct StreamFit {
    params: ValidFeaturizerParams,
    workers: Vec<Worker>,
    n_docs: usize,
    tokens: usize,
    /// Keep the per-document counts of the blocks while they take less than
    /// this many bytes (see [`StreamFit::keep_rows`]); `None`: not keeping
    /// (never asked to, or the budget was reached).
    keep_budget: Option<usize>,
    /// The kept rows, in order (those of the first
    /// [`StreamFit::kept_docs`] texts).
    kept: Vec<Segment>,
}

impl StreamFit {
    /// Counts the n-grams of the next block of texts (in parallel).
    pub fn update<S: AsRef<str> + Sync>(&mut self, texts: &[S]) {
        let p = &self.params.0;
        let keep = self.keep_budget.is_some();
        let before: usize = self.workers.iter().map(|w| w.tokens).sum();
        let segments = analyze_balanced(p, &mut self.workers, texts, keep);
        if keep {
            self.kept.extend(segments);
        }
        self.n_docs += texts.len();
        self.tokens += self.workers.iter().map(|w| w.tokens).sum::<usize>() - before;
        if let Some(budget) = self.keep_budget {
            let bytes: usize = self
                .workers
                .iter()
                .map(|w| w.slots.len() * KEPT_BYTES_PER_NONZERO)
                .sum::<usize>()
                + self.kept_docs() * KEPT_BYTES_PER_ROW;
            if bytes >= budget {
                self.keep_budget = None;
            }
        }
    }

    /// Keeps the per-document n-gram counts of the blocks given to
    /// [`StreamFit::update`], from the first, until they and the rows
    /// built from them take `budget` bytes ([`KEPT_BYTES_PER_NONZERO`]
    /// per non-zero and [`KEPT_BYTES_PER_ROW`] per row; the block that
    /// reaches the budget is still kept whole). [`StreamFit::finish`] then also builds their rows, which
    /// [`StreamTransformer::take_kept_rows`] hands out: a second pass need
    /// only featurize the blocks after them, and none if all were kept.
    /// Call before the first update.
    pub fn keep_rows(&mut self, budget: usize) {
        if self.n_docs == 0 {
            self.keep_budget = Some(budget);
        }
    }

    /// Number of texts, from the first, whose rows are kept.
    pub fn kept_docs(&self) -> usize {
        self.kept.iter().map(|g| g.docs).sum()
    }

    /// Number of texts seen so far.
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    /// Number of tokens read so far.
    pub fn tokens(&self) -> usize {
        self.tokens
    }

    /// Freezes the vocabulary and IDF. The returned transformer keeps the
    /// workers' analyzer caches, so transforming the same blocks again (the
    /// second pass of a streamed featurize) does not stem again.
    ///
    /// # Errors
    /// As [`ValidFeaturizerParams::fit`].
    pub fn finish(self) -> Result<StreamTransformer> {
        let (featurizer, remaps) = self.params.merge(&self.workers, self.n_docs)?;
        let first =
            (self.kept_docs() > 0).then(|| featurizer.rows_of(&self.workers, &remaps, &self.kept));
        let states = self
            .workers
            .into_iter()
            .map(|w| TransformState::with_analyzer(w.an, &featurizer))
            .collect();
        Ok(StreamTransformer {
            featurizer,
            states,
            first,
        })
    }
}

/// Featurizes texts block by block with a fitted featurizer, keeping one
/// analyzer cache per thread across blocks. The rows are those of
/// [`Featurizer::transform`], whatever the blocks.
pub struct StreamTransformer {
    featurizer: Featurizer,
    states: Vec<TransformState>,
    /// The rows of the first texts, if the fit kept them.
    first: Option<CsrMatrix>,
}

impl StreamTransformer {
    /// A transformer with cold caches.
    pub fn new(featurizer: Featurizer) -> StreamTransformer {
        StreamTransformer {
            featurizer,
            states: Vec::new(),
            first: None,
        }
    }

    /// The fitted featurizer.
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// The rows of the first texts of the fit, once, if it kept them
    /// ([`StreamFit::keep_rows`], [`StreamFit::kept_docs`] of them): the
    /// same rows as transforming those texts.
    pub fn take_kept_rows(&mut self) -> Option<CsrMatrix> {
        self.first.take()
    }

    /// Consumes the transformer, returning the fitted featurizer.
    pub fn into_featurizer(self) -> Featurizer {
        self.featurizer
    }

    /// Featurizes the next block (in parallel); also returns the number of
    /// tokens read.
    pub fn transform_counted<S: AsRef<str> + Sync>(&mut self, texts: &[S]) -> (CsrMatrix, usize) {
        let n_cols = self.featurizer.n_features();
        let (parts, tokens) = self.transform_parts(texts);
        let mut out = CsrMatrix::new(n_cols);
        out.reserve(
            parts.iter().map(|m| m.n_rows()).sum(),
            parts.iter().map(|m| m.nnz()).sum(),
        );
        parts.iter().for_each(|m| out.append(m));
        (out, tokens)
    }

    /// As [`StreamTransformer::transform_counted`], but returns the rows
    /// of the block as consecutive parts (one per thread), which the
    /// transformer keeps and reuses for the next block: no concatenation,
    /// and after the first block no fresh memory to fault in.
    pub fn transform_parts<S: AsRef<str> + Sync>(
        &mut self,
        texts: &[S],
    ) -> (Vec<&CsrMatrix>, usize) {
        let f = &self.featurizer;
        let chunks = split_chunks(texts);
        while self.states.len() < chunks.len() {
            self.states.push(TransformState::new(f));
        }
        let tokens = self
            .states
            .par_iter_mut()
            .zip(chunks.par_iter())
            .map(|(st, c)| f.transform_chunk(st, c))
            .sum();
        let parts = self.states[..chunks.len()]
            .iter()
            .map(|st| &st.out)
            .collect();
        (parts, tokens)
    }
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

    fn pool(n: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    }

    fn corpus() -> Vec<String> {
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
    fn streamed_fit_matches_fit_transform_for_any_blocks() {
        let texts = corpus();
        for p in [
            FeaturizerParams::default().ngram_range(1, 3).min_df(2),
            FeaturizerParams::default()
                .char_ngrams(Some((2, 4)))
                .max_df(0.5)
                .max_features(Some(300)),
        ] {
            let p = p.check().unwrap();
            let (f1, x1, t1) = pool(1).install(|| p.fit_transform(&texts)).unwrap();
            for (threads, block) in [(1, 1), (2, 7), (3, 500), (2, 3000), (7, 64), (3, 2950)] {
                pool(threads).install(|| {
                    let mut fit = p.stream_fit();
                    texts.chunks(block).for_each(|b| fit.update(b));
                    assert_eq!((fit.n_docs(), fit.tokens()), (texts.len(), t1));
                    let mut tr = fit.finish().unwrap();
                    assert_eq!(tr.featurizer().names(), f1.names());
                    assert_eq!(tr.featurizer().idf(), f1.idf());
                    let mut x = CsrMatrix::new(f1.n_features());
                    for b in texts.chunks(block) {
                        x.append(&tr.transform_counted(b).0);
                    }
                    assert_eq!(x, x1, "{threads} threads, blocks of {block}");
                    // The rows kept from pass 1 are the transformed rows, for
                    // no budget (first block only), a budget reached after
                    // some blocks, and one that keeps every block.
                    for budget in [0, 2000, usize::MAX] {
                        let mut fit = p.stream_fit();
                        fit.keep_rows(budget);
                        texts.chunks(block).for_each(|b| fit.update(b));
                        let kept = fit.kept_docs();
                        let mut tr = fit.finish().unwrap();
                        let mut z = tr.take_kept_rows().unwrap();
                        assert!(tr.take_kept_rows().is_none());
                        assert_eq!(z.n_rows(), kept);
                        assert!(kept == texts.len() || kept % block == 0, "whole blocks");
                        if budget == 0 {
                            assert_eq!(kept, block.min(texts.len()));
                        }
                        if budget == usize::MAX {
                            assert_eq!(kept, texts.len());
                        }
                        for b in texts.chunks(block).skip(kept.div_ceil(block)) {
                            let (parts, _) = tr.transform_parts(b);
                            parts.iter().for_each(|m| z.append(m));
                        }
                        assert_eq!(z, x1, "{threads} threads, blocks of {block}, {kept} kept");
                    }
                    // Cold caches and other blocks give the same rows.
                    let mut cold = StreamTransformer::new(tr.into_featurizer());
                    let mut y = CsrMatrix::new(f1.n_features());
                    for b in texts.chunks(block + 1) {
                        y.append(&cold.transform_counted(b).0);
                    }
                    assert_eq!(y, x1);
                });
            }
        }
        let e = FeaturizerParams::default()
            .check()
            .unwrap()
            .stream_fit()
            .finish();
        assert!(e.is_err());
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
