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
    mut f: impl FnMut(&'a str, usize, usize),
) {
    let n = text.len();
    let bytes = text.as_bytes();
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
            let (c, len) = decode(text, i);
            if is_word(c) {
                prev = c;
                i += len;
                continue;
            }
            let next = i + len;
            if next < n {
                let (d, dlen) = decode(text, next);
                let joins = (is_apostrophe(c) && prev.is_alphabetic() && d.is_alphabetic())
                    || ((c == '.' || c == ',') && prev.is_ascii_digit() && d.is_ascii_digit());
                if joins {
                    prev = d;
                    i = next + dlen;
                    continue;
                }
            }
            break;
        }
        let _ = bytes;
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
