//! Sentence segmentation of raw article text into byte spans.
//!
//! First stage of the quote extractor: it cuts the article into lines (a line
//! break always ends a sentence), then cuts each line at `.`, `?` or `!`,
//! optionally followed by closing quotation marks or brackets, unless the
//! period belongs to an abbreviation, an initial or a decimal number.
//! Spans are trimmed of whitespace and never cross a line break.

/// Titles and other abbreviations that never end a sentence when followed by
/// a capitalised word ("Sen. Smith", "Dr. Jones").
const TITLE_ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "sen", "gov", "gen", "lt", "rep", "st", "prof", "col", "capt", "sgt",
    "cmdr", "adm", "maj", "rev", "hon", "fr", "pres", "supt", "det", "insp", "cpl", "pvt",
    "messrs", "mt", "ft", "vs", "v", "ave", "blvd", "sens", "reps", "govs", "gens", "ret",
];

/// Abbreviations that stop a sentence only before a number-less word.
const NUMBER_ABBREVIATIONS: &[&str] = &["no", "nos", "art", "vol", "pp", "p", "fig", "sec", "ch"];

/// Abbreviations that may or may not end a sentence ("Acme Inc. said" vs
/// "... of Acme Inc. The firm"); they end one only before a common
/// sentence-opening word.
const AMBIGUOUS_ABBREVIATIONS: &[&str] = &[
    "inc", "corp", "co", "ltd", "jr", "sr", "etc", "bros", "llc", "plc", "dept", "univ", "assn",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

/// AP-style US state abbreviations ("Hazard, Ky. (AP)", "Ky. 15"): like the
/// ambiguous ones they end a sentence only before a sentence-opening word,
/// but a number after them is a highway, not a new sentence.
const STATE_ABBREVIATIONS: &[&str] = &[
    "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "kans",
    "ky", "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore",
    "pa", "tenn", "tex", "vt", "va", "wash", "wis", "wyo",
];

/// Characters that may close a sentence after its final punctuation.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '\u{201D}' | '\u{2019}' | '\u{201C}' | ')' | ']' | '\u{BB}' | '\u{203A}'
    )
}

/// Characters that are line breaks for segmentation purposes.
pub(crate) fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{0B}' | '\u{0C}'
    )
}

/// Byte spans `(start, end)` of the lines of `text`, line breaks excluded.
/// Blank lines are included (possibly empty spans).
pub(crate) fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if is_line_break(c) {
            out.push((start, i));
            start = i + c.len_utf8();
        }
    }
    out.push((start, text.len()));
    out
}

/// Split `text` into sentences, returning byte spans `(start, end)`.
///
/// Every span is trimmed of whitespace, non-empty, lies on char boundaries,
/// and never spans a line break; spans are in increasing order. A line with
/// no final punctuation (a headline) is a sentence of its own; blank lines
/// are skipped. Never panics.
///
/// ```
/// use stance::extract::split_sentences;
/// let text = "Sen. J. Smith said it cost $2.5 million. “No,” he added.\nHeadline";
/// let spans: Vec<&str> = split_sentences(text).iter().map(|&(s, e)| &text[s..e]).collect();
/// assert_eq!(spans, ["Sen. J. Smith said it cost $2.5 million.", "“No,” he added.", "Headline"]);
/// ```
pub fn split_sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (ls, le) in line_spans(text) {
        split_line(text, ls, le, &mut out);
    }
    out
}

/// The longest sentence, in bytes: a longer run of text without a
/// sentence end is cut at its last whitespace before this many bytes (or
/// mid-word if it has none). News sentences are far shorter; the bound
/// keeps the speaker analysis of each sentence, whose cost grows with the
/// sentence, within a constant, so extraction stays linear in the article.
pub(crate) const MAX_SENTENCE_BYTES: usize = 4096;

/// Push the trimmed span `[start, end)` of `text` when it is not blank, in
/// pieces of at most [`MAX_SENTENCE_BYTES`].
fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let Some(slice) = text.get(start..end) else {
        return;
    };
    let lead = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if trimmed.is_empty() {
        return;
    }
    let (mut s, e) = (start + lead, start + lead + trimmed.len());
    while e - s > MAX_SENTENCE_BYTES {
        let mut limit = s + MAX_SENTENCE_BYTES;
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let window = text.get(s..limit).unwrap_or("");
        let cut = match window.rfind(char::is_whitespace) {
            Some(w) if w > 0 => s + w,
            // One word longer than the bound: cut it (at a char boundary,
            // after at least one char).
            _ => {
                let first = text.get(s..e).and_then(|t| t.chars().next());
                limit.max(s + first.map_or(1, char::len_utf8))
            }
        };
        let piece = text.get(s..cut).unwrap_or("").trim_end();
        out.push((s, s + piece.len()));
        let rest = text.get(cut..e).unwrap_or("");
        s = e - rest.trim_start().len();
    }
    if s < e {
        out.push((s, e));
    }
}

/// Segment one line `[ls, le)` of `text`.
fn split_line(text: &str, ls: usize, le: usize, out: &mut Vec<(usize, usize)>) {
    let Some(line) = text.get(ls..le) else {
        return;
    };
    let chars: Vec<(usize, char)> = line.char_indices().map(|(i, c)| (i + ls, c)).collect();
    let mut sent_start = ls;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if !matches!(c, '.' | '?' | '!') {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut run = 1;
        while j < chars.len() && matches!(chars[j].1, '.' | '?' | '!') {
            j += 1;
            run += 1;
        }
        let mut closers = 0;
        while j < chars.len() && is_closer(chars[j].1) {
            j += 1;
            closers += 1;
        }
        let end_byte = chars.get(j).map_or(le, |&(b, _)| b);
        if j < chars.len() && !chars[j].1.is_whitespace() {
            i = j.max(i + 1);
            continue;
        }
        let mut k = j;
        while k < chars.len() && chars[k].1.is_whitespace() {
            k += 1;
        }
        let next = chars.get(k).map(|&(_, ch)| ch);
        let next_word = word_at(&chars, k);
        let boundary = match next {
            None => true,
            Some(n) if n.is_lowercase() => false,
            Some(',' | ';' | ':' | '-' | '\u{2013}' | '\u{2014}') => false,
            // "Gen. (ret.) Jane Roe": an abbreviation inside parentheses.
            Some(n)
                if c == '.'
                    && run == 1
                    && (closers == 0 || closers == 1 && chars[j - 1].1 == ')') =>
            {
                period_ends_sentence(&chars, i, n, &next_word)
            }
            Some(_) => true,
        };
        if boundary {
            push_trimmed(text, sent_start, end_byte, out);
            sent_start = end_byte;
        }
        i = j.max(i + 1);
    }
    push_trimmed(text, sent_start, le, out);
}

/// The alphabetic word starting at char index `k`, lowercased.
fn word_at(chars: &[(usize, char)], k: usize) -> String {
    chars
        .iter()
        .skip(k)
        .take_while(|&&(_, c)| c.is_alphanumeric())
        .flat_map(|&(_, c)| c.to_lowercase())
        .collect()
}

/// Decide whether the single period at char index `i` ends a sentence, given
/// the next non-space char `next` and the word that starts there.
fn period_ends_sentence(chars: &[(usize, char)], i: usize, next: char, next_word: &str) -> bool {
    // The token before the period, back to whitespace or an opening mark.
    let mut b = i;
    while b > 0 {
        let ch = chars[b - 1].1;
        if ch.is_whitespace()
            || matches!(ch, '(' | '[' | '"' | '\u{201C}' | '\u{2018}' | '\u{2014}')
        {
            break;
        }
        b -= 1;
    }
    let token: String = chars[b..i].iter().map(|&(_, c)| c).collect();
    if token.is_empty() {
        return true;
    }
    let lower = token.to_lowercase();
    let starter = super::words::SENTENCE_OPENERS.contains(&next_word);
    if TITLE_ABBREVIATIONS.contains(&lower.as_str()) {
        return false;
    }
    if NUMBER_ABBREVIATIONS.contains(&lower.as_str()) && next.is_ascii_digit() {
        return false;
    }
    if token.starts_with(char::is_uppercase) && STATE_ABBREVIATIONS.contains(&lower.as_str()) {
        return starter;
    }
    let letters: Vec<char> = token.chars().filter(|c| c.is_alphabetic()).collect();
    // An initial: "J. Smith".
    if letters.len() == 1 && token.chars().count() == 1 && letters[0].is_uppercase() {
        return false;
    }
    // Dotted abbreviations such as U.S., a.m., D.C., e.g.
    let dotted = token.contains('.') && token.chars().all(|c| c.is_alphabetic() || c == '.');
    if dotted || AMBIGUOUS_ABBREVIATIONS.contains(&lower.as_str()) {
        return starter || next.is_ascii_digit() && !dotted;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        split_sentences(text)
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn abbreviation_in_parentheses_does_not_end_a_sentence() {
        let t =
            "“It was calm,” said Lt. Gen. (ret.) Eduardo Stein, who led it. (See map.) Next one.";
        assert_eq!(
            split(t),
            [
                "“It was calm,” said Lt. Gen. (ret.) Eduardo Stein, who led it.",
                "(See map.)",
                "Next one."
            ]
        );
    }

    #[test]
    fn plain_sentences() {
        assert_eq!(
            split("One two. Three four! Five six?"),
            ["One two.", "Three four!", "Five six?"]
        );
    }

    #[test]
    fn abbreviations_do_not_split() {
        let t =
            "Dr. Ana Ruiz met Sen. Bob Lee and Gov. Kim at 9 a.m. Friday in St. Louis. They spoke.";
        assert_eq!(
            split(t),
            [
                "Dr. Ana Ruiz met Sen. Bob Lee and Gov. Kim at 9 a.m. Friday in St. Louis.",
                "They spoke."
            ]
        );
        let t = "The U.S. Navy and Mr. and Mrs. Ortiz met Lt. Gen. Ray and Rep. Ro Khanna.";
        assert_eq!(split(t).len(), 1);
        assert_eq!(split("Acme Inc. said No. 5 grew by 2.5 percent.").len(), 1);
    }

    #[test]
    fn dotted_abbreviation_can_end_a_sentence() {
        assert_eq!(
            split("He flew to the U.S. The trip was short."),
            ["He flew to the U.S.", "The trip was short."]
        );
        assert_eq!(
            split("Martin Luther King Jr. Day is in January."),
            ["Martin Luther King Jr. Day is in January."]
        );
    }

    #[test]
    fn state_abbreviations_in_datelines_and_highway_numbers() {
        assert_eq!(
            split("HAZARD, Ky. (AP) — Roads closed, including Ky. 15 and Ky. 80. More rain fell."),
            [
                "HAZARD, Ky. (AP) — Roads closed, including Ky. 15 and Ky. 80.",
                "More rain fell."
            ]
        );
        assert_eq!(
            split("She moved to Lexington, Ky. The town was quiet."),
            ["She moved to Lexington, Ky.", "The town was quiet."]
        );
    }

    #[test]
    fn initials_and_decimals() {
        assert_eq!(
            split("J. R. Smith paid $3.50 for it. Then he left."),
            ["J. R. Smith paid $3.50 for it.", "Then he left."]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        let t = "“We will not yield.” The crowd cheered. \"It is over,\" she said. ‘Done.’ Next.";
        assert_eq!(
            split(t),
            [
                "“We will not yield.”",
                "The crowd cheered.",
                "\"It is over,\" she said.",
                "‘Done.’",
                "Next."
            ]
        );
    }

    #[test]
    fn question_inside_quote_before_attribution_does_not_split() {
        assert_eq!(
            split("“Why now?” he asked. “Because.”"),
            ["“Why now?” he asked.", "“Because.”"]
        );
    }

    #[test]
    fn brackets_and_ellipsis() {
        assert_eq!(
            split("He left (for good.) Then rain... Then sun."),
            ["He left (for good.)", "Then rain...", "Then sun."]
        );
    }

    #[test]
    fn line_breaks_always_split_and_blank_lines_are_skipped() {
        let t = "A Headline Without Stop\n\n  Body text here. More\ntext\r\n\r\n";
        assert_eq!(
            split(t),
            ["A Headline Without Stop", "Body text here.", "More", "text"]
        );
    }

    #[test]
    fn a_run_without_sentence_end_is_cut_at_whitespace_within_the_bound() {
        let word = "abcdefg ";
        let t = word.repeat(3 * MAX_SENTENCE_BYTES / word.len());
        let spans = split_sentences(&t);
        assert!(spans.len() >= 3, "{} spans", spans.len());
        for &(s, e) in &spans {
            assert!(e - s <= MAX_SENTENCE_BYTES && e > s);
            assert!(t[s..e].starts_with("abcdefg") && t[s..e].ends_with("abcdefg"));
        }
        // The pieces cover every word, in order.
        let words: usize = spans.iter().map(|&(s, e)| t[s..e].split(' ').count()).sum();
        assert_eq!(words, t.split_whitespace().count());
        // One word longer than the bound, with multi-byte chars: cut at char
        // boundaries, nothing lost.
        let t = "é".repeat(MAX_SENTENCE_BYTES) + ".";
        let spans = split_sentences(&t);
        assert_eq!(spans.first().map(|s| s.0), Some(0));
        assert_eq!(spans.last().map(|s| s.1), Some(t.len()));
        for w in spans.windows(2) {
            assert_eq!(w[0].1, w[1].0);
        }
        for &(s, e) in &spans {
            assert!(t.is_char_boundary(s) && t.is_char_boundary(e));
            assert!(e - s <= MAX_SENTENCE_BYTES && e > s);
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for t in [
            "",
            ".",
            "...",
            "\n\n",
            "é.É.",
            "\"",
            "a.\u{201D}",
            " . ! ? ",
            "\u{0}\u{FFFD}.x",
            "No. ",
            "U.S.",
        ] {
            for (s, e) in split_sentences(t) {
                assert!(t.is_char_boundary(s) && t.is_char_boundary(e) && s < e);
            }
        }
    }
}
