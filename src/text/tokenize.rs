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
        // The last character of the token so far.
        let mut prev;
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
            match extend(text, i, prev) {
                Some((end, last)) => (i, prev) = (end, last),
                None => break,
            }
        }
        f(&text[start..i], start, i);
    }
}

/// One step of a token that has reached byte `i` (< `text.len()`) with last
/// character `prev`: the end and last character after the next word
/// character or joined separator, or `None` if the token ends at `i`.
#[inline]
fn extend(text: &str, i: usize, prev: char) -> Option<(usize, char)> {
    let (c, len) = decode(text, i);
    if is_word(c) {
        return Some((i + len, c));
    }
    let next = i + len;
    if next < text.len() {
        let (d, dlen) = decode(text, next);
        if joins(prev, c, d) {
            return Some((next + dlen, d));
        }
    }
    None
}

/// True if `c` between `prev` and `d` joins them into one token (`it’s`, `3.5`).
#[inline]
fn joins(prev: char, c: char, d: char) -> bool {
    (is_apostrophe(c) && prev.is_alphabetic() && d.is_alphabetic())
        || ((c == '.' || c == ',') && prev.is_ascii_digit() && d.is_ascii_digit())
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
            match extend(text, i, prev) {
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
