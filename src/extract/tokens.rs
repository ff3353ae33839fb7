//! Word and punctuation tokens with byte offsets and normalised forms.
//!
//! Shared by the alias matcher and the speaker finder: a token's `norm` is
//! lowercased, ASCII-folded (é → e), with curly apostrophes made straight and
//! inner periods dropped ("U.S" → "us"); a possessive "’s" is its own token.

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

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Tokenize `text[start..end]`, returning tokens with article offsets.
/// Out-of-range or non-boundary spans give no tokens.
pub(crate) fn tokenize(text: &str, start: usize, end: usize) -> Vec<Token> {
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
                if is_apostrophe(joiner) {
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
        if j + 1 < chars.len() && is_apostrophe(chars[j].1) && matches!(chars[j + 1].1, 's' | 'S') {
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
}
