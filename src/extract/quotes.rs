//! Quotation-mark regions of one line, straight or curly, single or double.
//!
//! Second stage of the extractor: tells which bytes of a line lie inside a
//! quotation, tracking open/close state across the sentences of the line.
//! Tolerates typographic slips (an opening “ used as a closer, unbalanced
//! marks: an unclosed quotation runs to the end of the line) and tells
//! apostrophes (“Trump’s”, “what’s”) from single quotation marks.

/// A quotation on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Region {
    /// Byte offset of the opening mark.
    pub open: usize,
    /// Byte offset of the first content byte.
    pub start: usize,
    /// Byte offset one past the content (the closing mark, or line end).
    pub end: usize,
    /// Single quotation marks (‘…’ or '…').
    pub single: bool,
    /// A single-quoted region inside a double-quoted one.
    pub nested: bool,
}

/// Find the quotation regions of `text[ls..le]` (one line), in order of
/// their opening marks. Never panics; bad spans give no regions.
pub(crate) fn quote_regions(text: &str, ls: usize, le: usize) -> Vec<Region> {
    let Some(line) = text.get(ls..le) else {
        return Vec::new();
    };
    let chars: Vec<(usize, char)> = line.char_indices().map(|(i, c)| (i + ls, c)).collect();
    let mut out: Vec<Region> = Vec::new();
    let mut double: Option<(usize, usize)> = None;
    let mut single: Option<(usize, usize, bool)> = None;
    for (k, &(b, c)) in chars.iter().enumerate() {
        let prev = if k > 0 { Some(chars[k - 1].1) } else { None };
        let next = chars.get(k + 1).map(|&(_, ch)| ch);
        let after = b + c.len_utf8();
        let prev_space = prev.is_none_or(char::is_whitespace);
        let next_space = next.is_none_or(char::is_whitespace);
        let close_single =
            |single: &mut Option<(usize, usize, bool)>, out: &mut Vec<Region>, end: usize| {
                if let Some((o, s, nested)) = single.take() {
                    out.push(Region {
                        open: o,
                        start: s,
                        end,
                        single: true,
                        nested,
                    });
                }
            };
        match c {
            '\u{201C}' | '\u{AB}' | '\u{201D}' | '\u{BB}' | '"' => {
                let opener = matches!(c, '\u{201C}' | '\u{AB}');
                let closer = matches!(c, '\u{201D}' | '\u{BB}');
                if let Some((o, s)) = double {
                    close_single(&mut single, &mut out, b);
                    out.push(Region {
                        open: o,
                        start: s,
                        end: b,
                        single: false,
                        nested: false,
                    });
                    // An opener between words while open is a new quotation after an unclosed one.
                    double = (opener && prev_space && !next_space).then_some((b, after));
                } else if opener
                    || (!closer && (!next_space || prev_space))
                    || (closer && prev_space && !next_space)
                {
                    if let Some((_, _, false)) = single {
                        // Double inside a top-level single quotation: treat as nested content.
                        continue;
                    }
                    double = Some((b, after));
                }
            }
            '\u{2018}' if single.is_none() && !prev.is_some_and(char::is_alphanumeric) => {
                single = Some((b, after, double.is_some()));
            }
            '\u{2019}' | '\'' => {
                let next_alnum = next.is_some_and(char::is_alphanumeric);
                if single.is_some() {
                    if !next_alnum && !prev_space {
                        close_single(&mut single, &mut out, b);
                    }
                } else if c == '\''
                    && prev.is_none_or(|p| {
                        p.is_whitespace() || matches!(p, '(' | '\u{201C}' | '"' | '\u{2014}')
                    })
                    && next.is_some_and(char::is_alphabetic)
                {
                    single = Some((b, after, double.is_some()));
                }
            }
            _ => {}
        }
    }
    if let Some((o, s, nested)) = single.take() {
        out.push(Region {
            open: o,
            start: s,
            end: le,
            single: true,
            nested,
        });
    }
    if let Some((o, s)) = double.take() {
        out.push(Region {
            open: o,
            start: s,
            end: le,
            single: false,
            nested: false,
        });
    }
    out.sort_by_key(|r| r.open);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(t: &str) -> Vec<(&str, bool, bool)> {
        quote_regions(t, 0, t.len())
            .iter()
            .map(|r| (&t[r.start..r.end], r.single, r.nested))
            .collect()
    }

    #[test]
    fn curly_and_straight_doubles() {
        assert_eq!(
            contents("“A b,” he said. \"C d.\""),
            [("A b,", false, false), ("C d.", false, false)]
        );
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert_eq!(contents("Trump’s plan and the countries’ deal, don't"), []);
    }

    #[test]
    fn nested_single_inside_double() {
        let t = "“He said, ‘we offer you help.’ That’s it,” she said.";
        assert_eq!(
            contents(t),
            [
                ("He said, ‘we offer you help.’ That’s it,", false, false),
                ("we offer you help.", true, true)
            ]
        );
        let t = "“Mexico would ask, ‘what’s the point?’”";
        assert_eq!(contents(t)[1], ("what’s the point?", true, true));
    }

    #[test]
    fn unclosed_runs_to_line_end_and_misused_opener_closes() {
        assert_eq!(contents("“A b c. D e"), [("A b c. D e", false, false)]);
        assert_eq!(contents("“We must act.“"), [("We must act.", false, false)]);
    }

    #[test]
    fn single_quoted_headline() {
        assert_eq!(contents("‘No Invasion’"), [("No Invasion", true, false)]);
    }
}
