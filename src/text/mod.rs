//! Text analysis: raw sentence → sequence of interned term ids.
//!
//! The pipeline is tokenize ([`tokenize`]) → lowercase (apostrophes folded to
//! `'`) → optional stopword filter ([`stopwords`]) → optional Snowball
//! English stemmer (`rust-stemmers`). The lowercase → stopword → stem chain
//! runs once per distinct token: [`Analyzer`] memoises it in a cache from the
//! lowercased token to its term id, fronted by a cache keyed on the raw
//! token bytes (`rawtable`), so the hot path is one hash look-up per token,
//! without lowercasing, and allocates only for a token it has never seen.

pub(crate) mod interner;
mod rawtable;
pub mod stopwords;
pub mod tokenize;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashSet;

use interner::Interner;
use rawtable::RawTable;

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

/// Longest supported character n-gram.
pub const MAX_CHAR_NGRAM: usize = 8;

/// Prefix of every character n-gram term, so that character n-grams can
/// never collide with word terms (no word token contains `:` followed by
/// a space, and no word term starts with `c:`).
pub const CHAR_PREFIX: &str = "c:";

/// What the cache knows about one distinct lowercased token.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// Word term id, or [`DROPPED`].
    word: u32,
    /// Range of its character n-gram term ids in `Analyzer::char_ids`.
    chars: (u32, u32),
}

/// Turns texts into term ids, interning each distinct term once.
///
/// Term ids are dense (`0..n_terms()`) in order of first appearance; they
/// are private to this analyzer (the featurizer maps them to vocabulary
/// indices). With character n-grams on ([`Analyzer::with_char_ngrams`]),
/// the n-gram strings (prefixed with [`CHAR_PREFIX`]) are interned in the
/// same table, computed once per distinct token.
pub struct Analyzer {
    settings: AnalyzerSettings,
    char_ngrams: Option<(usize, usize)>,
    stemmer: Option<Stemmer>,
    stop: FxHashSet<&'static str>,
    /// Lowercased tokens; a token's id is its index into `entries`.
    cache: Interner,
    /// The entries of tokens of at most 16 bytes, keyed by their raw
    /// (not lowercased) bytes packed in a `u128` ([`raw_key`]): a hit skips
    /// lowercasing and the string look-up, copies nothing, compares no
    /// string, and the entry is stored in the table itself (an
    /// `(u128, Entry)` slot is 32 bytes either way), so it touches one
    /// cache line, not two. Each case variant (`The`, `the`) has its own
    /// slot, all with the entry of the lowercased token.
    raw: RawTable<Entry>,
    /// The tokens of the text being analysed: start, length, raw key (0: none).
    pending: Vec<(usize, usize, u128)>,
    entries: Vec<Entry>,
    /// Character n-gram term ids of all cached tokens, back to back.
    char_ids: Vec<u32>,
    /// Term strings, by term id.
    terms: Interner,
    /// Reused lowercase buffer.
    buf: String,
}

impl Analyzer {
    /// A new analyzer with an empty cache (word terms only).
    pub fn new(settings: AnalyzerSettings) -> Analyzer {
        Analyzer::with_char_ngrams(settings, None)
    }

    /// A new analyzer that also produces character n-grams of lengths
    /// `min..=max` (see [`char_wb_ngrams`]).
    ///
    /// Precondition: `1 <= min <= max <= MAX_CHAR_NGRAM` (checked by the
    /// featurizer settings; other values give no character n-grams).
    pub fn with_char_ngrams(
        settings: AnalyzerSettings,
        char_ngrams: Option<(usize, usize)>,
    ) -> Analyzer {
        Analyzer {
            settings,
            char_ngrams,
            stemmer: settings.stem.then(|| Stemmer::create(Algorithm::English)),
            stop: if settings.stopwords {
                stopwords::ENGLISH.iter().copied().collect()
            } else {
                FxHashSet::default()
            },
            cache: Interner::default(),
            raw: RawTable::new(),
            pending: Vec::new(),
            entries: Vec::new(),
            char_ids: Vec::new(),
            terms: Interner::default(),
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
        self.analyze(text, |_, e| {
            if e.word != DROPPED {
                out.push(e.word);
            }
        })
    }

    /// Appends the word term ids of `text` to `words` and the character
    /// n-gram term ids of its (kept) tokens to `chars`; returns the number
    /// of tokens seen (including dropped stopwords).
    pub fn analyze_into(
        &mut self,
        text: &str,
        words: &mut Vec<u32>,
        chars: &mut Vec<u32>,
    ) -> usize {
        self.analyze(text, |char_ids, e| {
            if e.word != DROPPED {
                words.push(e.word);
                chars.extend_from_slice(&char_ids[e.chars.0 as usize..e.chars.1 as usize]);
            }
        })
    }

    /// The hot loop: one pass over the bytes, one cache look-up per token;
    /// allocates only for a token never seen before.
    #[inline]
    fn analyze(&mut self, text: &str, mut f: impl FnMut(&[u32], Entry)) -> usize {
        let mut n_tokens = 0;
        let kind = self.settings.tokenizer;
        let Analyzer {
            char_ngrams,
            stemmer,
            stop,
            cache,
            raw,
            pending,
            entries,
            char_ids,
            terms,
            buf,
            ..
        } = self;
        let bytes = text.as_bytes();
        // Tokenize the whole text first, prefetching each token's cache
        // slot, so that the look-ups below find their (rare) cache misses
        // already in flight together instead of one after another.
        pending.clear();
        for_each_token(text, kind, |tok, start, _| {
            let key = raw_key(bytes, start, tok.len()).unwrap_or(0);
            if key != 0 {
                raw.prefetch(key);
            }
            pending.push((start, tok.len(), key));
        });
        n_tokens += pending.len();
        for &(start, len, key) in pending.iter() {
            if key != 0 {
                if let Some(e) = raw.get(key) {
                    f(char_ids, e);
                    continue;
                }
            }
            let tok = &text[start..start + len];
            lowercase_into(tok, buf);
            let tag = interner::tag_of(buf);
            let e = match cache.id_tagged(buf, tag) {
                Some(i) => {
                    let e = entries[i as usize];
                    if key != 0 {
                        raw.insert(key, e);
                    }
                    e
                }
                None => {
                    let word = if stop.contains(buf.as_str()) {
                        DROPPED
                    } else {
                        let stemmed = match stemmer {
                            Some(s) if buf.starts_with(|c: char| c.is_alphabetic()) => s.stem(buf),
                            _ => std::borrow::Cow::Borrowed(buf.as_str()),
                        };
                        terms.intern(&stemmed).0
                    };
                    let start = char_ids.len();
                    if let (Some(range), true) = (*char_ngrams, word != DROPPED) {
                        char_wb_ngrams(buf, range, |g| {
                            let id = terms.intern(g).0;
                            char_ids.push(id);
                        });
                    }
                    // Fewer than 2^32 n-grams is an invariant of any corpus that fits in memory.
                    let to_u32 = |n: usize| u32::try_from(n).expect("fewer than 2^32 entries");
                    let e = Entry {
                        word,
                        chars: (to_u32(start), to_u32(char_ids.len())),
                    };
                    cache.intern_tagged(buf, tag);
                    if key != 0 {
                        raw.insert(key, e);
                    }
                    entries.push(e);
                    e
                }
            };
            f(char_ids, e);
        }
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
        self.terms.get(id)
    }

    /// All terms seen so far, in term id order.
    pub fn terms(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.terms.iter()
    }

    /// The hash tag of term `id` (see [`interner::tag_of`]).
    pub(crate) fn term_tag(&self, id: u32) -> u32 {
        self.terms.tag(id)
    }

    /// Consumes the analyzer, returning its terms indexed by term id.
    pub fn into_terms(self) -> Vec<Box<str>> {
        self.terms.iter().map(Box::from).collect()
    }

    /// Number of distinct terms seen so far.
    pub fn n_terms(&self) -> usize {
        self.terms.len()
    }
}

/// The raw bytes of the token `text[start..start + n]`, if `n <= 15`,
/// packed little-endian in the low 15 bytes of a `u128`, zero-padded, with
/// `n` in the top byte: distinct byte strings give distinct keys, whatever
/// bytes they hold.
///
/// Two unaligned word loads and a mask when 16 bytes of `text` are left
/// from `start` (most tokens), a copy otherwise.
#[inline]
fn raw_key(text: &[u8], start: usize, n: usize) -> Option<u128> {
    if n > 15 || n == 0 {
        return (n == 0).then_some(0);
    }
    let w: [u8; 16] = match text.get(start..start + 16) {
        Some(w) => w.try_into().ok()?,
        None => {
            let mut w = [0u8; 16];
            w[..n].copy_from_slice(text.get(start..start + n)?);
            w
        }
    };
    let lo = u64::from_le_bytes(w[..8].try_into().ok()?);
    let hi = u64::from_le_bytes(w[8..].try_into().ok()?);
    let (lo, hi) = if n <= 8 {
        (lo & (u64::MAX >> (64 - 8 * n)), 0)
    } else {
        (lo, hi & (u64::MAX >> (128 - 8 * n)))
    };
    Some(u128::from(hi | (n as u64) << 56) << 64 | u128::from(lo))
}

/// Calls `f` with every character n-gram of `token` (lowercased; no
/// whitespace inside) of length `min..=max`, each prefixed with
/// [`CHAR_PREFIX`], as scikit-learn's `char_wb` analyzer does: the token is
/// padded with one space on each side, and a padded token shorter than `n`
/// yields itself once for that `n`.
pub fn char_wb_ngrams(token: &str, (min, max): (usize, usize), mut f: impl FnMut(&str)) {
    // Byte offsets of the char boundaries of " token ".
    let mut padded = String::with_capacity(CHAR_PREFIX.len() + token.len() + 2);
    padded.push_str(CHAR_PREFIX);
    let base = padded.len();
    padded.push(' ');
    padded.push_str(token);
    padded.push(' ');
    let bounds: Vec<usize> = padded[base..]
        .char_indices()
        .map(|(i, _)| base + i)
        .chain(std::iter::once(padded.len()))
        .collect();
    let n_chars = bounds.len() - 1;
    let mut g = String::with_capacity(CHAR_PREFIX.len() + 4 * max);
    for n in min.max(1)..=max {
        let mut offset = 0;
        loop {
            let end = (offset + n).min(n_chars);
            g.clear();
            g.push_str(CHAR_PREFIX);
            g.push_str(&padded[bounds[offset]..bounds[end]]);
            f(&g);
            if offset + n >= n_chars {
                break;
            }
            offset += 1;
        }
    }
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
    fn char_wb_ngrams_match_scikit_learn() {
        let grams = |t: &str, r| {
            let mut v = Vec::new();
            char_wb_ngrams(t, r, |g| v.push(g.strip_prefix("c:").unwrap().to_owned()));
            v
        };
        // sklearn: CountVectorizer(analyzer="char_wb", ngram_range=(2, 3)) on "abc".
        assert_eq!(
            grams("abc", (2, 3)),
            [" a", "ab", "bc", "c ", " ab", "abc", "bc "]
        );
        // A padded token shorter than n yields itself once for that n.
        assert_eq!(grams("a", (3, 5)), [" a ", " a ", " a "]);
        assert_eq!(grams("é", (1, 1)), [" ", "é", " "]);
        let mut a = Analyzer::with_char_ngrams(
            AnalyzerSettings {
                stem: false,
                ..Default::default()
            },
            Some((3, 3)),
        );
        let (mut w, mut c) = (Vec::new(), Vec::new());
        assert_eq!(a.analyze_into("Ab ab", &mut w, &mut c), 2);
        assert_eq!(w.len(), 2);
        let names: Vec<&str> = c.iter().map(|&i| a.term(i)).collect();
        assert_eq!(names, ["c: ab", "c:ab ", "c: ab", "c:ab "]);
    }

    #[test]
    fn raw_key_packs_the_token_bytes() {
        // `n == 0` never happens (tokens are not empty); it maps to 0.
        let slow = |b: &[u8]| -> Option<u128> {
            if b.is_empty() {
                return Some(0);
            }
            (b.len() <= 15).then(|| {
                b.iter()
                    .enumerate()
                    .fold((b.len() as u128) << 120, |k, (i, &c)| {
                        k | u128::from(c) << (8 * i)
                    })
            })
        };
        let bytes: Vec<u8> = (0u8..=255).chain(0u8..=40).collect();
        for len in 0..=18 {
            for start in 0..=bytes.len() - len {
                let b = &bytes[start..start + len];
                // Inside a longer text, and at its very end (the copy path).
                assert_eq!(raw_key(&bytes, start, len), slow(b), "{b:?}");
                assert_eq!(raw_key(b, 0, len), slow(b), "{b:?}");
            }
        }
        // NUL bytes and lengths cannot collide.
        assert_ne!(raw_key(b"ab\0", 0, 3), raw_key(b"ab", 0, 2));
    }

    #[test]
    fn raw_key_cache_matches_the_slow_path() {
        // Case variants, long and non-ASCII tokens, tokens at the ends of
        // texts: the ids of a warm analyzer equal those of a cold one
        // analysing each token alone (always the slow path).
        let words = [
            "The",
            "the",
            "THE",
            "tHe",
            "Mexico’s",
            "mexico's",
            "MEXICO’S",
            "Invasions",
            "invasion",
            "INVASIONS",
            "Farfán",
            "FARFÁN",
            "internationalization",
            "INTERNATIONALIZATIONS",
            "abcdefghijklmnop",
            "ABCDEFGHIJKLMNOP",
            "abcdefghijklmnopq",
            "3.5",
            "253,000",
            "a",
            "A",
            "I",
            "Straße",
            "STRASSE",
        ];
        let texts: Vec<String> = (0..200)
            .map(|i| {
                (0..(i % 7) + 1)
                    .map(|j| words[(i * 5 + j * 3) % words.len()])
                    .collect::<Vec<_>>()
                    .join(if i % 2 == 0 { " " } else { "-" })
            })
            .collect();
        for stem in [true, false] {
            let settings = AnalyzerSettings {
                stem,
                ..Default::default()
            };
            let mut warm = Analyzer::new(settings);
            for t in &texts {
                let got = warm.terms_of(t);
                let mut want = Vec::new();
                for_each_token(t, TokenizerKind::Words, |tok, _, _| {
                    want.extend(Analyzer::new(settings).terms_of(tok));
                });
                assert_eq!(got, want, "{t}");
            }
        }
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
