//! Text analysis: raw sentence → sequence of interned term ids.
//!
//! The pipeline is tokenize ([`tokenize`]) → lowercase (apostrophes folded to
//! `'`) → optional stopword filter ([`stopwords`]) → optional Snowball
//! English stemmer (`rust-stemmers`). The lowercase → stopword → stem chain
//! runs once per distinct token: [`Analyzer`] memoises it in a cache from the
//! lowercased token to its term id, so the hot path is one hash look-up per
//! token and allocates only for a token it has never seen.

pub mod stopwords;
pub mod tokenize;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap, FxHashSet};

pub use tokenize::{for_each_token, TokenizerKind};

/// Settings of the text pipeline (part of the featurizer settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AnalyzerSettings {
    /// Tokenization rules.
    pub tokenizer: TokenizerKind,
    /// Apply the Snowball English stemmer.
    pub stem: bool,
    /// Drop the words of [`stopwords::ENGLISH`].
    pub stopwords: bool,
}

impl Default for AnalyzerSettings {
    fn default() -> Self {
        AnalyzerSettings {
            tokenizer: TokenizerKind::Words,
            stem: true,
            stopwords: false,
        }
    }
}

/// Marks a cached token that the stopword filter drops.
const DROPPED: u32 = u32::MAX;

/// Turns texts into term ids, interning each distinct term once.
///
/// Term ids are dense (`0..n_terms()`) in order of first appearance; they
/// are private to this analyzer (the featurizer maps them to vocabulary
/// indices).
pub struct Analyzer {
    settings: AnalyzerSettings,
    stemmer: Option<Stemmer>,
    stop: FxHashSet<&'static str>,
    /// Lowercased token → term id (or [`DROPPED`]).
    cache: FxHashMap<Box<str>, u32>,
    /// Term string → id.
    term_ids: FxHashMap<Box<str>, u32>,
    /// Id → term string.
    terms: Vec<Box<str>>,
    /// Reused lowercase buffer.
    buf: String,
}

impl Analyzer {
    /// A new analyzer with an empty cache.
    pub fn new(settings: AnalyzerSettings) -> Analyzer {
        Analyzer {
            settings,
            stemmer: settings.stem.then(|| Stemmer::create(Algorithm::English)),
            stop: if settings.stopwords {
                stopwords::ENGLISH.iter().copied().collect()
            } else {
                FxHashSet::default()
            },
            cache: FxHashMap::default(),
            term_ids: FxHashMap::default(),
            terms: Vec::new(),
            buf: String::new(),
        }
    }

    /// The settings this analyzer was built with.
    pub fn settings(&self) -> AnalyzerSettings {
        self.settings
    }

    /// Appends the term ids of `text` to `out`; returns the number of
    /// tokens seen (including dropped stopwords).
    pub fn terms_into(&mut self, text: &str, out: &mut Vec<u32>) -> usize {
        let mut n_tokens = 0;
        let kind = self.settings.tokenizer;
        // Split borrows: the closure needs the cache and the pipeline state.
        let Analyzer {
            stemmer,
            stop,
            cache,
            term_ids,
            terms,
            buf,
            ..
        } = self;
        for_each_token(text, kind, |tok, _, _| {
            n_tokens += 1;
            lowercase_into(tok, buf);
            let id = match cache.get(buf.as_str()) {
                Some(&id) => id,
                None => {
                    let id = if stop.contains(buf.as_str()) {
                        DROPPED
                    } else {
                        let stemmed = match stemmer {
                            Some(s) if buf.starts_with(|c: char| c.is_alphabetic()) => s.stem(buf),
                            _ => std::borrow::Cow::Borrowed(buf.as_str()),
                        };
                        intern(term_ids, terms, &stemmed)
                    };
                    cache.insert(buf.as_str().into(), id);
                    id
                }
            };
            if id != DROPPED {
                out.push(id);
            }
        });
        n_tokens
    }

    /// The terms of `text` as strings (convenience for tests and grouping).
    pub fn terms_of(&mut self, text: &str) -> Vec<String> {
        let mut ids = Vec::new();
        self.terms_into(text, &mut ids);
        ids.iter().map(|&i| self.term(i).to_owned()).collect()
    }

    /// The string of term `id`.
    ///
    /// # Panics
    /// If `id` was not produced by this analyzer.
    pub fn term(&self, id: u32) -> &str {
        &self.terms[id as usize]
    }

    /// Number of distinct terms seen so far.
    pub fn n_terms(&self) -> usize {
        self.terms.len()
    }
}

fn intern(term_ids: &mut FxHashMap<Box<str>, u32>, terms: &mut Vec<Box<str>>, t: &str) -> u32 {
    if let Some(&id) = term_ids.get(t) {
        return id;
    }
    // Fewer than u32::MAX distinct terms is an invariant of any corpus that fits in memory.
    let id = u32::try_from(terms.len()).expect("fewer than 2^32 distinct terms");
    terms.push(t.into());
    term_ids.insert(t.into(), id);
    id
}

/// Lowercases `tok` into `buf` (cleared first), folding `’` and `ʼ` to `'`.
pub fn lowercase_into(tok: &str, buf: &mut String) {
    buf.clear();
    if tok.is_ascii() {
        buf.push_str(tok);
        buf.make_ascii_lowercase();
    } else {
        for c in tok.chars() {
            if tokenize::is_apostrophe(c) {
                buf.push('\'');
            } else {
                buf.extend(c.to_lowercase());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_stems_and_folds_apostrophes() {
        let mut a = Analyzer::new(AnalyzerSettings::default());
        assert_eq!(
            a.terms_of("Mexico’s cooperating COOPERATION Invasions it’s"),
            ["mexico", "cooper", "cooper", "invas", "it"]
        );
        // The cache gives the same ids on a second pass.
        let mut ids1 = Vec::new();
        let mut ids2 = Vec::new();
        a.terms_into("no invasion", &mut ids1);
        a.terms_into("No Invasion", &mut ids2);
        assert_eq!(ids1, ids2);
    }

    #[test]
    fn stopwords_keep_negations() {
        let mut a = Analyzer::new(AnalyzerSettings {
            stem: false,
            stopwords: true,
            ..Default::default()
        });
        assert_eq!(
            a.terms_of("There will be no invasion of the country"),
            ["no", "invasion", "country"]
        );
        let mut ids = Vec::new();
        assert_eq!(a.terms_into("the of and", &mut ids), 3);
        assert!(ids.is_empty());
    }

    #[test]
    fn unstemmed_keeps_forms() {
        let mut a = Analyzer::new(AnalyzerSettings {
            stem: false,
            ..Default::default()
        });
        assert_eq!(a.terms_of("Strikes STRIKE"), ["strikes", "strike"]);
        assert_eq!(a.n_terms(), 2);
    }
}
