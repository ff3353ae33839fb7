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
//!
//! IDF is the smoothed `ln((1 + n) / (1 + df)) + 1` (as scikit-learn's
//! default). Vocabulary indices are sorted by document frequency descending,
//! then n-gram text ascending, so the same training texts always give the
//! same vocabulary.

pub mod sparse;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::text::{Analyzer, AnalyzerSettings};
pub use sparse::CsrMatrix;

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
    /// Turns L2 normalisation on or off.
    pub fn norm(mut self, on: bool) -> Self {
        self.norm = on;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag for an n-gram range outside
    /// `1 ≤ min ≤ max ≤ 4`, `min_df = 0`, `max_df` outside `(0, 1]` or
    /// `max_features = 0`.
    pub fn check(self) -> Result<ValidFeaturizerParams> {
        let (lo, hi) = self.ngram_range;
        if lo == 0 || lo > hi || hi > MAX_NGRAM {
            return Err(Error::param(
                "--ngrams",
                format!("{lo}..{hi} is not a valid range; expected MIN..MAX with 1 <= MIN <= MAX <= {MAX_NGRAM}"),
            ));
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

    /// Learns the vocabulary (and IDF) from `texts`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] if no n-gram survives `min_df`/`max_df`.
    pub fn fit<S: AsRef<str>>(&self, texts: &[S]) -> Result<Featurizer> {
        let p = &self.0;
        let n_docs = texts.len();
        let mut analyzer = Analyzer::new(p.analyzer);
        let mut ids = Vec::new();
        // n-gram key → (document frequency, last document counted).
        let mut df: FxHashMap<Key, (u32, u32)> = FxHashMap::default();
        for (d, t) in texts.iter().enumerate() {
            ids.clear();
            analyzer.terms_into(t.as_ref(), &mut ids);
            let d = d as u32;
            for_each_ngram(&ids, p.ngram_range, |k| {
                let e = df.entry(k).or_insert((0, u32::MAX));
                if e.1 != d {
                    e.0 += 1;
                    e.1 = d;
                }
            });
        }
        let max_df = (p.max_df * n_docs as f64).floor() as u32;
        let mut kept: Vec<(u32, String)> = df
            .into_iter()
            .filter(|&(_, (n, _))| n as usize >= p.min_df && n <= max_df.max(1))
            .map(|(k, (n, _))| (n, key_name(&k, &analyzer)))
            .collect();
        if kept.is_empty() {
            return Err(Error::param(
                "--min-df",
                format!(
                    "no n-gram of {n_docs} training texts survives min_df={} and max_df={}",
                    p.min_df, p.max_df
                ),
            ));
        }
        kept.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        if let Some(m) = p.max_features {
            kept.truncate(m);
        }
        let idf = match p.weight {
            Weighting::Tfidf => kept
                .iter()
                .map(|&(n, _)| ((1.0 + n_docs as f64) / (1.0 + n as f64)).ln() + 1.0)
                .collect(),
            _ => Vec::new(),
        };
        let names = kept.into_iter().map(|(_, s)| s).collect();
        Featurizer::from_parts(self.clone(), names, idf)
    }
}

/// An n-gram as up to [`MAX_NGRAM`] term ids, padded with `u32::MAX`.
type Key = [u32; MAX_NGRAM];

const PAD: u32 = u32::MAX;

#[inline]
fn for_each_ngram(ids: &[u32], (lo, hi): (usize, usize), mut f: impl FnMut(Key)) {
    for n in lo..=hi {
        for w in ids.windows(n) {
            if w.contains(&PAD) {
                continue;
            }
            let mut k = [PAD; MAX_NGRAM];
            k[..n].copy_from_slice(w);
            f(k);
        }
    }
}

fn key_name(k: &Key, a: &Analyzer) -> String {
    let mut s = String::new();
    for &id in k.iter().take_while(|&&id| id != PAD) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(a.term(id));
    }
    s
}

/// A fitted featurizer: frozen vocabulary and IDF.
#[derive(Debug, Clone)]
pub struct Featurizer {
    params: ValidFeaturizerParams,
    /// Term string → term id (only terms used by some feature).
    term_ids: FxHashMap<Box<str>, u32>,
    /// N-gram of term ids → feature index.
    features: FxHashMap<Key, u32>,
    names: Vec<String>,
    idf: Vec<f64>,
}

impl Featurizer {
    /// Rebuilds a featurizer from its feature names (terms joined by a
    /// space, in index order) and IDF (empty unless TF-IDF); used by
    /// fitting and by model files.
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
        let mut term_ids: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut features = FxHashMap::default();
        let (lo, hi) = params.0.ngram_range;
        for (i, name) in names.iter().enumerate() {
            let mut k = [PAD; MAX_NGRAM];
            let mut n = 0;
            for part in name.split(' ') {
                if n == MAX_NGRAM || part.is_empty() {
                    return Err(Error::param(
                        "vocabulary",
                        format!("bad feature name '{name}'"),
                    ));
                }
                let next = term_ids.len() as u32;
                k[n] = *term_ids.entry(part.into()).or_insert(next);
                n += 1;
            }
            if n < lo || n > hi {
                return Err(Error::param(
                    "vocabulary",
                    format!("feature '{name}' is not a {lo}..{hi}-gram"),
                ));
            }
            if features.insert(k, i as u32).is_some() {
                return Err(Error::param(
                    "vocabulary",
                    format!("duplicate feature '{name}'"),
                ));
            }
        }
        Ok(Featurizer {
            params,
            term_ids,
            features,
            names,
            idf,
        })
    }

    /// The settings it was fitted with.
    pub fn params(&self) -> &ValidFeaturizerParams {
        &self.params
    }

    /// Feature names in index order (n-gram terms joined by a space).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// IDF per feature (empty unless TF-IDF).
    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.names.len()
    }

    /// Featurizes `texts` (in parallel over chunks; the result does not
    /// depend on the number of threads). N-grams outside the vocabulary are
    /// ignored.
    pub fn transform<S: AsRef<str> + Sync>(&self, texts: &[S]) -> CsrMatrix {
        self.transform_counted(texts).0
    }

    /// As [`Featurizer::transform`], also returning the number of tokens read.
    pub fn transform_counted<S: AsRef<str> + Sync>(&self, texts: &[S]) -> (CsrMatrix, usize) {
        const CHUNK: usize = 2048;
        let parts: Vec<(CsrMatrix, usize)> = texts
            .par_chunks(CHUNK)
            .map(|chunk| self.transform_chunk(chunk))
            .collect();
        let mut out = CsrMatrix::new(self.n_features());
        let mut tokens = 0;
        for (m, t) in &parts {
            out.append(m);
            tokens += t;
        }
        (out, tokens)
    }

    fn transform_chunk<S: AsRef<str>>(&self, texts: &[S]) -> (CsrMatrix, usize) {
        let p = &self.params.0;
        let mut analyzer = Analyzer::new(p.analyzer);
        // Analyzer term id → our term id (PAD when not in the vocabulary).
        let mut local: Vec<u32> = Vec::new();
        let mut ids = Vec::new();
        let mut feats: Vec<u32> = Vec::new();
        let mut row: Vec<(u32, f64)> = Vec::new();
        let mut out = CsrMatrix::new(self.n_features());
        let mut tokens = 0;
        for t in texts {
            ids.clear();
            tokens += analyzer.terms_into(t.as_ref(), &mut ids);
            for id in ids.iter_mut() {
                let i = *id as usize;
                while local.len() <= i {
                    let term = analyzer.term(local.len() as u32);
                    local.push(self.term_ids.get(term).copied().unwrap_or(PAD));
                }
                *id = local[i];
            }
            feats.clear();
            for_each_ngram(&ids, p.ngram_range, |k| {
                if let Some(&f) = self.features.get(&k) {
                    feats.push(f);
                }
            });
            feats.sort_unstable();
            row.clear();
            for run in feats.chunk_by(|a, b| a == b) {
                let f = run[0];
                let tf = run.len() as f64;
                let tf = if p.sublinear_tf { 1.0 + tf.ln() } else { tf };
                let v = match p.weight {
                    Weighting::Binary => 1.0,
                    Weighting::Count => tf,
                    Weighting::Tfidf => tf * self.idf[f as usize],
                };
                row.push((f, v));
            }
            if p.norm {
                let norm = row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
                if norm > 0.0 {
                    row.iter_mut().for_each(|(_, v)| *v /= norm);
                }
            }
            out.push_row(row.iter().copied());
        }
        (out, tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(p: FeaturizerParams, texts: &[&str]) -> Featurizer {
        p.check().unwrap().fit(texts).unwrap()
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
    }

    #[test]
    fn tfidf_matches_hand_computed_values() {
        // n = 2 docs; "a" in both: idf = ln(3/3)+1 = 1; "b" in one: ln(3/2)+1.
        let f = fit(FeaturizerParams::default().stem(false), &["a b b", "a"]);
        let idf_b = (1.5f64).ln() + 1.0;
        assert_eq!(f.names(), ["a", "b"]);
        assert!((f.idf()[1] - idf_b).abs() < 1e-12);
        let x = f.transform(&["a b b", "b unseen"]);
        let (c, v) = x.row(0);
        let norm = (1.0 + (2.0 * idf_b).powi(2)).sqrt();
        assert_eq!(c, [0, 1]);
        assert!((v[0] - 1.0 / norm).abs() < 1e-12 && (v[1] - 2.0 * idf_b / norm).abs() < 1e-12);
        // Unseen words are ignored; a single feature normalises to 1.
        assert_eq!(x.row(1), (&[1u32][..], &[1.0][..]));
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
    fn counts_binary_sublinear_and_df_limits() {
        let texts = ["a a a b", "a c", "a d"];
        let f = fit(
            FeaturizerParams::default()
                .stem(false)
                .weight(Weighting::Count)
                .norm(false),
            &texts,
        );
        assert_eq!(f.transform(&["a a a b"]).row(0).1, [3.0, 1.0]);
        let f = fit(
            FeaturizerParams::default()
                .stem(false)
                .weight(Weighting::Binary)
                .norm(false),
            &texts,
        );
        assert_eq!(f.transform(&["a a a b"]).row(0).1, [1.0, 1.0]);
        let f = fit(
            FeaturizerParams::default()
                .stem(false)
                .weight(Weighting::Count)
                .sublinear_tf(true)
                .norm(false),
            &texts,
        );
        assert!((f.transform(&["a a a"]).row(0).1[0] - (1.0 + 3f64.ln())).abs() < 1e-12);
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
}
