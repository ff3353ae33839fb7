//! Word and punctuation tokens with byte offsets and normalised forms.
//!
//! Shared by the alias matcher and the speaker finder: a token's `norm` is
//! lowercased, ASCII-folded (é → e), with curly apostrophes made straight and
//! inner periods dropped ("U.S" → "us"); a possessive "’s" is its own token.
//! Word boundaries come from the featurizer's tokenizer core
//! ([`crate::text::tokenize::word_end`]) with the extractor's join rule.

use crate::text::tokenize::{is_apostrophe, possessive_s, word_end, ExtractJoins};

/// Kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters, digits and inner hyphens, apostrophes or periods.
    Word,
    /// Any other non-space character.
    Punct,
}

/// One token of a sentence.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// Byte offset of the first char in the article.
    pub start: usize,
    /// Byte offset one past the last char in the article.
    #[allow(dead_code)] // read by tests and kept for callers slicing tokens
    pub end: usize,
    /// Normalised form (see module docs); quotation marks become `"` or `'`.
    pub norm: String,
    /// Word or punctuation.
    pub kind: Kind,
    /// Whether the first char is uppercase.
    pub cap: bool,
    /// Whether the token lies inside a quotation.
    pub quoted: bool,
}

impl Token {
    /// Whether this is a word token.
    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }
}

/// Fold one char to ASCII where easy, lowercased; `None` drops it.
pub(crate) fn fold_char(c: char, out: &mut String) {
    let mapped = match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ø' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        'ý' | 'ÿ' | 'Ý' => 'y',
        '\u{2019}' | '\u{2018}' | '`' => '\'',
        '\u{2010}' | '\u{2011}' => '-',
        _ => {
            out.extend(c.to_lowercase());
            return;
        }
    };
    out.push(mapped);
}

/// Normalise a piece of text the way token norms are built.
pub(crate) fn normalize(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '.' {
            fold_char(c, &mut s);
        }
    }
    s
}

/// Tokenize `text[start..end]`, returning tokens with article offsets.
/// Out-of-range or non-boundary spans give no tokens.
///
/// Words end where [`crate::text::tokenize::word_end`] ends them under
/// [`ExtractJoins`] (the token boundary shared with the featurizer; see
/// [`crate::text::tokenize`] for where the two rules differ); a final `’s`
/// after a word is a word token of its own, and every other non-space
/// character is a punctuation token.
pub(crate) fn tokenize(text: &str, start: usize, end: usize) -> Vec<Token> {
    let Some(slice) = text.get(start..end) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = slice[i..].chars().next() {
        let len = c.len_utf8();
        if c.is_whitespace() {
            i += len;
            continue;
        }
        if !c.is_alphanumeric() {
            let norm = match c {
                '"' | '\u{201C}' | '\u{201D}' | '\u{AB}' | '\u{BB}' => "\"".to_string(),
                '\'' | '\u{2018}' | '\u{2019}' => "'".to_string(),
                _ => c.to_string(),
            };
            out.push(Token {
                start: start + i,
                end: start + i + len,
                norm,
                kind: Kind::Punct,
                cap: false,
                quoted: false,
            });
            i += len;
            continue;
        }
        let j = word_end(slice, i + len, c, ExtractJoins);
        out.push(Token {
            start: start + i,
            end: start + j,
            norm: normalize(&slice[i..j]),
            kind: Kind::Word,
            cap: c.is_uppercase(),
            quoted: false,
        });
        i = j;
        // Split-off possessive: the apostrophe that ended the word, then `s`.
        let mut after = slice[j..].chars();
        if let (Some(a), Some(s)) = (after.next(), after.next()) {
            if is_apostrophe(a) && possessive_s(s, after.as_str()) {
                let e = j + a.len_utf8() + s.len_utf8();
                out.push(Token {
                    start: start + j,
                    end: start + e,
                    norm: "'s".to_string(),
                    kind: Kind::Word,
                    cap: false,
                    quoted: false,
                });
                i = e;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(t: &str) -> Vec<String> {
        tokenize(t, 0, t.len())
            .into_iter()
            .map(|t| t.norm)
            .collect()
    }

    #[test]
    fn words_possessives_and_punctuation() {
        assert_eq!(
            norms("Mexico’s U.S. Farfán-Méndez, “no”"),
            [
                "mexico",
                "'s",
                "us",
                ".",
                "farfan-mendez",
                ",",
                "\"",
                "no",
                "\""
            ]
        );
        assert_eq!(norms("don't it's"), ["don't", "it", "'s"]);
    }

    #[test]
    fn offsets_cover_the_source() {
        let t = "Café’s  naïve—x";
        for tok in tokenize(t, 0, t.len()) {
            assert!(t.get(tok.start..tok.end).is_some());
        }
        assert!(tokenize(t, 4, 5).is_empty());
    }

    /// The tokenizer as it was before it used the shared core (one pass over
    /// a `Vec` of chars with its own join rules), kept as the reference.
    fn old_is_apostrophe(c: char) -> bool {
        matches!(c, '\'' | '\u{2019}')
    }

    fn is_hyphen(c: char) -> bool {
        matches!(c, '-' | '\u{2010}' | '\u{2011}')
    }

    fn old_tokenize(text: &str, start: usize, end: usize) -> Vec<Token> {
        let Some(slice) = text.get(start..end) else {
            return Vec::new();
        };
        let chars: Vec<(usize, char)> = slice.char_indices().map(|(i, c)| (i + start, c)).collect();
        let byte_after = |k: usize| chars.get(k).map_or(end, |&(b, _)| b);
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let (b, c) = chars[i];
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            if !c.is_alphanumeric() {
                let norm = match c {
                    '"' | '\u{201C}' | '\u{201D}' | '\u{AB}' | '\u{BB}' => "\"".to_string(),
                    '\'' | '\u{2018}' | '\u{2019}' => "'".to_string(),
                    _ => c.to_string(),
                };
                out.push(Token {
                    start: b,
                    end: byte_after(i + 1),
                    norm,
                    kind: Kind::Punct,
                    cap: false,
                    quoted: false,
                });
                i += 1;
                continue;
            }
            // A word: alphanumerics joined by single inner hyphens, periods or apostrophes.
            let mut j = i + 1;
            loop {
                if j < chars.len() && chars[j].1.is_alphanumeric() {
                    j += 1;
                    continue;
                }
                if j + 1 < chars.len() && chars[j + 1].1.is_alphanumeric() {
                    let joiner = chars[j].1;
                    if is_hyphen(joiner) || joiner == '.' {
                        j += 2;
                        continue;
                    }
                    if old_is_apostrophe(joiner) {
                        // Possessive/contraction "’s" becomes its own token.
                        let s_alone = matches!(chars[j + 1].1, 's' | 'S')
                            && chars
                                .get(j + 2)
                                .is_none_or(|&(_, ch)| !ch.is_alphanumeric());
                        if s_alone {
                            break;
                        }
                        j += 2;
                        continue;
                    }
                }
                break;
            }
            let word_end = byte_after(j);
            let norm = normalize(&text[b..word_end]);
            out.push(Token {
                start: b,
                end: word_end,
                norm,
                kind: Kind::Word,
                cap: c.is_uppercase(),
                quoted: false,
            });
            // Split-off possessive.
            if j + 1 < chars.len()
                && old_is_apostrophe(chars[j].1)
                && matches!(chars[j + 1].1, 's' | 'S')
            {
                let s_alone = chars
                    .get(j + 2)
                    .is_none_or(|&(_, ch)| !ch.is_alphanumeric());
                if s_alone {
                    out.push(Token {
                        start: chars[j].0,
                        end: byte_after(j + 2),
                        norm: "'s".to_string(),
                        kind: Kind::Word,
                        cap: false,
                        quoted: false,
                    });
                    j += 2;
                }
            }
            i = j;
        }
        out
    }

    fn all(tokens: Vec<Token>) -> Vec<(usize, usize, String, Kind, bool)> {
        tokens
            .into_iter()
            .map(|t| (t.start, t.end, t.norm, t.kind, t.cap))
            .collect()
    }

    fn same_as_reference(s: &str) {
        assert_eq!(
            all(tokenize(s, 0, s.len())),
            all(old_tokenize(s, 0, s.len())),
            "{s:?}"
        );
    }

    #[test]
    fn same_tokens_as_the_former_tokenizer() {
        // Every string of up to 4 characters over a set that exercises each
        // rule: runs, hyphens, periods, commas, apostrophes and quotation
        // marks at ends and inside, a final 's, letters, digits, non-ASCII.
        let alphabet = [
            'a', 'S', 's', '3', '\'', '’', '‘', 'ʼ', '.', ',', '-', '‑', ' ', 'é', '—', '“',
        ];
        let mut strings = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(last.iter().cloned());
        }
        assert!(strings.len() > 65_000);
        for s in &strings {
            same_as_reference(s);
        }
        same_as_reference(
            "“It’s off,” Mexico's U.S.-backed Farfán-Méndez said; 253,000 3.5% don't it's ’90s rock'n'roll Jones’ x",
        );
        // Sub-spans end where the span ends, not where the text does.
        let t = "Mexico’s U.S. aid";
        for (a, b) in [(0, 6), (0, 9), (0, 10), (3, 14), (9, 12)] {
            assert_eq!(
                all(tokenize(t, a, b)),
                all(old_tokenize(t, a, b)),
                "{a}..{b}"
            );
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn same_tokens_as_the_former_tokenizer_on_any_text(s in any::<String>()) {
                same_as_reference(&s);
            }
        }
    }
}
