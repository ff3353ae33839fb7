//! Word tokenizer: one pass over the bytes of a text, yielding the byte span
//! of every token without allocating.
//!
//! A token is a maximal run of alphanumeric characters (Unicode-aware), in
//! which an apostrophe (`'`, `’`, `ʼ`) between letters and a `.` or `,`
//! between digits are kept (`it’s`, `Mexico’s`, `3.5`, `253,000`). Hyphens,
//! dashes, quotation marks and other punctuation separate tokens
//! (`drug-dealing` gives `drug`, `dealing`). In [`TokenizerKind::Tweet`]
//! mode, `#hashtags`, `@mentions`, URLs and common emoticons are single
//! tokens too.
//!
//! # One token boundary for the featurizer and the extractor
//!
//! The quote extractor (`crate::extract`) splits words with the same core,
//! `word_end`: a token starts at a word character (`char::is_alphanumeric`)
//! and runs over word characters and over single separators that a
//! `JoinRule` lets join the word characters on both sides of them. The
//! featurizer's and the extractor's rules still differ, because merging
//! them would change one output or the other (featurize output and saved
//! models, or the extracted quotes and speakers):
//!
//! | between word characters | `FeatureJoins` (featurizer) | `ExtractJoins` (extractor) |
//! |---|---|---|
//! | `-` `‐` `‑` | splits: `drug`, `dealing` | joins: `Farfán-Méndez`, `Judge-Executive` |
//! | `.` | joins digits only: `3.5` | joins any: `U.S`, normalised `us` |
//! | `,` | joins digits only: `253,000` | splits: `253`, `,`, `000` |
//! | `'` `’` | joins letters only: `Mexico’s`, `it's`; `1990`, `s` | joins any except before a final `s`: `don't`, `B'52`; `Mexico`, `’s` |
//!
//! The extractor needs its rule: the alias table and the title list hold
//! hyphenated names and `U.S.`-style abbreviations as one token; a final
//! `’s` is its own token (the alias "mexico's president" is the tokens
//! `mexico`, `'s`, `president`, and a possessive name is never a subject);
//! and it also keeps every other non-space character as a punctuation
//! token (quotation marks, commas and colons shape its rules), so a comma
//! inside a number is just punctuation to it. The featurizer keeps the
//! tokens its vocabularies and saved models were built on. (`ʼ`, U+02BC, is
//! a letter, so it never separates anything under either rule.)

/// Which tokenization rules to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenizerKind {
    /// Words and numbers, for news prose.
    #[default]
    Words,
    /// Words plus hashtags, mentions, URLs and emoticons, for tweets.
    Tweet,
}

#[inline]
fn decode(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        (b as char, 1)
    } else {
        // `i` is always on a char boundary: callers advance by whole chars.
        let c = text[i..].chars().next().unwrap_or('\u{fffd}');
        (c, c.len_utf8())
    }
}

#[inline]
fn is_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

/// True for the apostrophes that join `it’s`.
#[inline]
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02bc}')
}

/// Calls `f(token, start, end)` for every token of `text`, in order.
/// `token == &text[start..end]`; the token is not lowercased.
pub fn for_each_token<'a>(
    text: &'a str,
    kind: TokenizerKind,
    f: impl FnMut(&'a str, usize, usize),
) {
    match kind {
        TokenizerKind::Words => for_each_word(text, f),
        TokenizerKind::Tweet => for_each_token_general(text, kind, f),
    }
}

/// ASCII letters and digits: the bytes the fast path steps over one by one.
static ASCII_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// [`for_each_token`] in [`TokenizerKind::Words`] mode, with a fast path
/// for ASCII: runs of ASCII letters and digits and single ASCII separators
/// are stepped over with one table look-up per byte; only non-ASCII bytes
/// and the characters that may join two runs (`'`, `.`, `,`) take the
/// general char-by-char rules. Same tokens as [`for_each_token_general`].
fn for_each_word<'a>(text: &'a str, mut f: impl FnMut(&'a str, usize, usize)) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        let start = i;
        // The first character of the token.
        let prev;
        if ASCII_WORD[usize::from(b)] {
            prev = char::from(b);
            i += 1;
        } else if b < 0x80 {
            i += 1;
            continue;
        } else {
            let (c, len) = decode(text, i);
            i += len;
            if !is_word(c) {
                continue;
            }
            prev = c;
        }
        i = word_end(text, i, prev, FeatureJoins);
        f(&text[start..i], start, i);
    }
}

/// One step of a token that has reached byte `i` (< `text.len()`) with last
/// character `prev`: the end and last character after the next word
/// character or joined separator, or `None` if the token ends at `i`.
#[inline]
fn extend<J: JoinRule>(text: &str, i: usize, prev: char, rule: J) -> Option<(usize, char)> {
    let (c, len) = decode(text, i);
    if is_word(c) {
        return Some((i + len, c));
    }
    let next = i + len;
    if next < text.len() {
        let (d, dlen) = decode(text, next);
        if rule.joins(prev, c, d, text, next + dlen) && is_word(d) {
            return Some((next + dlen, d));
        }
    }
    None
}

/// Which single separators join the word characters on both sides of them
/// into one token (see the module docs for the two rules).
pub(crate) trait JoinRule: Copy {
    /// Whether `sep`, not a word character, joins `prev` (the last character
    /// of the token so far) and `next`, which the caller checks is a word
    /// character; `text[after..]` is the text after `next`.
    fn joins(self, prev: char, sep: char, next: char, text: &str, after: usize) -> bool;
}

/// The featurizer's rule: an apostrophe between letters (`it’s`) and a `.`
/// or `,` between digits (`3.5`, `253,000`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FeatureJoins;

impl JoinRule for FeatureJoins {
    #[inline]
    fn joins(self, prev: char, sep: char, next: char, _text: &str, _after: usize) -> bool {
        (is_apostrophe(sep) && prev.is_alphabetic() && next.is_alphabetic())
            || ((sep == '.' || sep == ',') && prev.is_ascii_digit() && next.is_ascii_digit())
    }
}

/// The extractor's rule: a hyphen (`-`, `‐`, `‑`) or a `.` between any word
/// characters (`Farfán-Méndez`, `U.S`), and an apostrophe unless it starts a
/// final `’s` ([`possessive_s`]), which the extractor splits off.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtractJoins;

impl JoinRule for ExtractJoins {
    #[inline]
    fn joins(self, _prev: char, sep: char, next: char, text: &str, after: usize) -> bool {
        matches!(sep, '-' | '\u{2010}' | '\u{2011}' | '.')
            || is_apostrophe(sep) && !possessive_s(next, text.get(after..).unwrap_or(""))
    }
}

/// Whether an apostrophe followed by `next`, then `rest`, is a final `’s`:
/// `next` is `s` or `S` and no word character follows it.
#[inline]
pub(crate) fn possessive_s(next: char, rest: &str) -> bool {
    matches!(next, 's' | 'S') && rest.chars().next().is_none_or(|c| !is_word(c))
}

/// The end of a token that has reached byte `i` of `text` with last
/// character `prev` (its first character at least): it runs on over word
/// characters and the separators `rule` joins. Runs of ASCII letters and
/// digits are stepped over with one table look-up per byte.
#[inline]
pub(crate) fn word_end<J: JoinRule>(text: &str, mut i: usize, mut prev: char, rule: J) -> usize {
    let bytes = text.as_bytes();
    let n = bytes.len();
    while i < n {
        let run = i;
        while i < n && ASCII_WORD[usize::from(bytes[i])] {
            i += 1;
        }
        if i > run {
            prev = char::from(bytes[i - 1]);
        }
        if i == n {
            break;
        }
        match extend(text, i, prev, rule) {
            Some((end, last)) => (i, prev) = (end, last),
            None => break,
        }
    }
    i
}

/// The char-by-char tokenizer of both modes (the reference of the fast path).
fn for_each_token_general<'a>(
    text: &'a str,
    kind: TokenizerKind,
    mut f: impl FnMut(&'a str, usize, usize),
) {
    let n = text.len();
    let mut i = 0;
    while i < n {
        if kind == TokenizerKind::Tweet {
            if let Some(end) = tweet_token(text, i) {
                f(&text[i..end], i, end);
                i = end;
                continue;
            }
        }
        let (c, len) = decode(text, i);
        if !is_word(c) {
            i += len;
            continue;
        }
        let start = i;
        let mut prev = c;
        i += len;
        while i < n {
            match extend(text, i, prev, FeatureJoins) {
                Some((end, last)) => (i, prev) = (end, last),
                None => break,
            }
        }
        f(&text[start..i], start, i);
    }
}

/// Emoticons recognised in tweet mode, longest first where prefixes overlap.
const EMOTICONS: [&str; 14] = [
    ":-)", ":-(", ":-D", ":-P", ";-)", ":)", ":(", ":D", ":P", ";)", ":/", ":'(", "<3", ":|",
];

/// In tweet mode, the end of a hashtag, mention, URL or emoticon starting at `i`.
fn tweet_token(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let b = rest.as_bytes()[0];
    if b == b'#' || b == b'@' {
        let body: usize = rest[1..]
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
            .map_or(rest.len() - 1, |(k, _)| k);
        return (body > 0).then_some(i + 1 + body);
    }
    if rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.") {
        let len = rest
            .char_indices()
            .find(|&(_, c)| c.is_whitespace())
            .map_or(rest.len(), |(k, _)| k);
        return Some(i + len);
    }
    EMOTICONS
        .iter()
        .find(|e| rest.starts_with(**e))
        .map(|e| i + e.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        let mut v = Vec::new();
        for_each_token(s, TokenizerKind::Words, |t, a, b| {
            assert_eq!(t, &s[a..b]);
            v.push(t)
        });
        v
    }

    #[test]
    fn words_apostrophes_hyphens_numbers() {
        assert_eq!(
            toks("“It’s off the table,” Mexico's drug-dealing 253,000 3.5% U.S."),
            [
                "It’s", "off", "the", "table", "Mexico's", "drug", "dealing", "253,000", "3.5",
                "U", "S"
            ]
        );
        assert_eq!(toks("rock 'n' roll’"), ["rock", "n", "roll"]);
        assert_eq!(toks("Farfán-Méndez, 2022."), ["Farfán", "Méndez", "2022"]);
        assert_eq!(toks(""), Vec::<&str>::new());
        assert_eq!(toks("— … ‘’"), Vec::<&str>::new());
    }

    #[test]
    fn fast_word_path_matches_the_general_rules() {
        let all = |s: &str, fast: bool| {
            let mut v = Vec::new();
            let push = |t: &str, a, b| v.push((t.to_owned(), a, b));
            if fast {
                for_each_word(s, push);
            } else {
                for_each_token_general(s, TokenizerKind::Words, push);
            }
            v
        };
        // Every string of up to 4 characters over a set that exercises each
        // rule (runs, joins at ends, non-ASCII letters, digits, separators).
        let alphabet = [
            'a', 'Z', '3', '\'', '’', 'ʼ', '.', ',', ' ', 'é', 'ß', '—', '٣', '-',
        ];
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = strings
                .iter()
                .filter(|s| s.chars().count() == strings.last().map_or(0, |l| l.chars().count()))
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(longer);
        }
        assert!(strings.len() > 40_000);
        for s in &strings {
            assert_eq!(all(s, true), all(s, false), "{s:?}");
        }
        let long =
            "“It’s off the table,” Mexico's 253,000 3.5% U.S. Farfán-Méndez 2022. rock 'n' roll’ x";
        assert_eq!(all(long, true), all(long, false));
    }

    /// The word spans of `s` under `rule` (what [`word_end`] joins).
    fn spans<J: JoinRule>(s: &str, rule: J) -> Vec<&str> {
        let mut v = Vec::new();
        let mut i = 0;
        while let Some(c) = s[i..].chars().next() {
            if is_word(c) {
                let end = word_end(s, i + c.len_utf8(), c, rule);
                v.push(&s[i..end]);
                i = end;
            } else {
                i += c.len_utf8();
            }
        }
        v
    }

    #[test]
    fn the_two_join_rules_differ_as_documented() {
        // (text, featurizer tokens, extractor words); the extractor turns a
        // split-off final "s" after an apostrophe into a "’s" token.
        let table: [(&str, &[&str], &[&str]); 11] = [
            ("drug-dealing", &["drug", "dealing"], &["drug-dealing"]),
            ("Farfán‑Méndez", &["Farfán", "Méndez"], &["Farfán‑Méndez"]),
            ("U.S.", &["U", "S"], &["U.S"]),
            ("253,000", &["253,000"], &["253", "000"]),
            ("3.5", &["3.5"], &["3.5"]),
            ("Mexico’s", &["Mexico’s"], &["Mexico", "s"]),
            ("it's", &["it's"], &["it", "s"]),
            ("don't", &["don't"], &["don't"]),
            ("1990's", &["1990", "s"], &["1990", "s"]),
            ("B'52", &["B", "52"], &["B'52"]),
            (
                "rock 'n' roll",
                &["rock", "n", "roll"],
                &["rock", "n", "roll"],
            ),
        ];
        for (text, feature, extract) in table {
            assert_eq!(toks(text), feature, "{text:?}");
            assert_eq!(spans(text, FeatureJoins), feature, "{text:?}");
            assert_eq!(spans(text, ExtractJoins), extract, "{text:?}");
        }
    }

    #[test]
    fn tweet_mode_keeps_hashtags_mentions_urls_emoticons() {
        let s = "@POTUS no war! #NoInvasion http://t.co/x1 :) ok";
        let mut v = Vec::new();
        for_each_token(s, TokenizerKind::Tweet, |t, _, _| v.push(t));
        assert_eq!(
            v,
            [
                "@POTUS",
                "no",
                "war",
                "#NoInvasion",
                "http://t.co/x1",
                ":)",
                "ok"
            ]
        );
    }
}
