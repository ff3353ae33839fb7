//! Speech verbs: whether a token starts a speech act outside quotations.
//!
//! Finite speech verbs ("said", "warned"), participles after a comma or a
//! statement noun (", saying"), "according to", passives with an agent
//! ("was reported by"), and a few set phrases ("declined to comment", "did
//! not respond", "called for", "ruled out"). A verb after a preposition or a
//! determiner is a noun ("the claims"), and "asked" counts only in a sentence
//! with a quotation.

use super::norm;
use crate::extract::tokens::Token;
use crate::extract::words::{DETERMINERS, PREPOSITIONS, SPEECH_ING, SPEECH_VERBS};

/// The kind of speech act a verb starts, which says where its speaker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VerbKind {
    /// A finite verb or set phrase ("said", "declined to comment"): the
    /// subject before it, else after an invertible verb ("said X").
    Finite,
    /// A participle (", saying", "calling for"): the sentence's main subject.
    Participle,
    /// "according to": the source after "to".
    AccordingTo,
    /// A passive with an agent ("was reported by X"): the agent after "by".
    Passive,
}

/// A finite verb or, for an "-ing" form ("declining", "calling"), a participle.
fn spoken(w: &str) -> VerbKind {
    if w.ends_with("ing") {
        VerbKind::Participle
    } else {
        VerbKind::Finite
    }
}

/// Whether token `i` of a sentence starts a speech act outside quotations,
/// and of which kind. `headline`: the sentence is a title-case line, where
/// a capitalised verb counts too.
pub(super) fn verb_at(tokens: &[Token], i: usize, headline: bool) -> Option<VerbKind> {
    let t = tokens.get(i)?;
    if !t.is_word() || t.quoted {
        return None;
    }
    // "According to X, ..." opens many sentences.
    if t.cap && !headline && !(t.norm == "according" && norm(tokens, i + 1) == "to") {
        return None;
    }
    let w = t.norm.as_str();
    let n1 = norm(tokens, i + 1);
    let n2 = norm(tokens, i + 2);
    let prev = norm(tokens, i.wrapping_sub(1));
    match w {
        "according" => return (n1 == "to").then_some(VerbKind::AccordingTo),
        "declined" | "refused" | "declines" | "refuses" | "declining" => {
            let ok = n1 == "to"
                && matches!(
                    n2,
                    "comment"
                        | "answer"
                        | "say"
                        | "respond"
                        | "discuss"
                        | "elaborate"
                        | "confirm"
                        | "speak"
                        | "provide"
                        | "specify"
                        | "give"
                );
            return ok.then_some(spoken(w));
        }
        "did" | "does" => {
            let k = if n2 == "immediately" { i + 3 } else { i + 2 };
            let ok = n1 == "not"
                && matches!(
                    norm(tokens, k),
                    "respond"
                        | "reply"
                        | "comment"
                        | "answer"
                        | "provide"
                        | "give"
                        | "offer"
                        | "elaborate"
                        | "specify"
                        | "disclose"
                        | "say"
                );
            return ok.then_some(VerbKind::Finite);
        }
        "called" | "calls" | "calling" => {
            let quoted = tokens.iter().any(|t| t.quoted && t.is_word());
            return (matches!(n1, "for" | "on") || quoted && !DETERMINERS.contains(&prev))
                .then_some(spoken(w));
        }
        "pushing" | "pushed" | "pushes" | "pressing" | "pressed" | "presses" => {
            return (n1 == "for").then_some(spoken(w))
        }
        "alleged" | "alleges" => return (n1 == "that").then_some(VerbKind::Finite),
        "ruled" | "rules" => return (n1 == "out").then_some(VerbKind::Finite),
        _ => {}
    }
    let is_ing = SPEECH_ING.contains(&w);
    if is_ing {
        let ok = prev == ","
            || matches!(
                prev,
                "statement" | "letter" | "post" | "message" | "interview" | "remarks"
            );
        return ok.then_some(VerbKind::Participle);
    }
    if !SPEECH_VERBS.contains(&w) || PREPOSITIONS.contains(&prev) || DETERMINERS.contains(&prev) {
        return None;
    }
    // Passive: "was reported by X"; "was asked" is not the speaker's act.
    let mut p = i;
    while p > 0
        && matches!(
            norm(tokens, p - 1),
            "first" | "also" | "later" | "widely" | "previously" | "initially"
        )
    {
        p -= 1;
    }
    if matches!(
        norm(tokens, p.wrapping_sub(1)),
        "was" | "were" | "been" | "being" | "is" | "are" | "be"
    ) {
        let by = (i + 1..(i + 6).min(tokens.len())).any(|k| tokens[k].norm == "by");
        return by.then_some(VerbKind::Passive);
    }
    if matches!(w, "asked" | "asks") && !tokens.iter().any(|t| t.quoted) {
        return None;
    }
    Some(VerbKind::Finite)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::sentence;
    use super::*;

    /// Each token of `text` that starts a speech act: (norm, kind).
    fn acts(text: &str, headline: bool) -> Vec<(String, VerbKind)> {
        let toks = sentence(text);
        (0..toks.len())
            .filter_map(|i| verb_at(&toks, i, headline).map(|k| (toks[i].norm.clone(), k)))
            .collect()
    }

    fn one(norm: &str, kind: VerbKind) -> Vec<(String, VerbKind)> {
        vec![(norm.to_string(), kind)]
    }

    #[test]
    fn finite_verbs_and_set_phrases() {
        use VerbKind::Finite;
        let s = "The harbour master said the pier would reopen.";
        assert_eq!(acts(s, false), one("said", Finite));
        let s = "The bakery declined to comment on the recall.";
        assert_eq!(acts(s, false), one("declined", Finite));
        let s = "The club did not immediately respond to questions.";
        assert_eq!(acts(s, false), one("did", Finite));
        let s = "The referee ruled out a replay.";
        assert_eq!(acts(s, false), one("ruled", Finite));
        let s = "Tenants pushed for a rent freeze.";
        assert_eq!(acts(s, false), one("pushed", Finite));
    }

    #[test]
    fn participles_after_a_comma_or_a_statement() {
        use VerbKind::Participle;
        let s = "The drivers stopped work, saying the shifts were too long.";
        assert_eq!(acts(s, false), one("saying", Participle));
        let s = "The league issued a statement warning of delays.";
        assert_eq!(acts(s, false), one("warning", Participle));
        // Not after a comma or a statement noun: an ordinary participle.
        let s = "Rivals are warning of delays.";
        assert!(acts(s, false).is_empty());
        let s = "Parents are pushing for shorter school days.";
        assert_eq!(acts(s, false), one("pushing", Participle));
        let s = "The team left early, declining to comment.";
        assert_eq!(acts(s, false), one("declining", Participle));
    }

    #[test]
    fn according_to_at_the_start_or_inside() {
        let s = "According to the ferry operator, crossings resume at noon.";
        assert_eq!(acts(s, false), one("according", VerbKind::AccordingTo));
        let s = "Crossings resume at noon, according to the ferry operator.";
        assert_eq!(acts(s, false), one("according", VerbKind::AccordingTo));
        // Any "according to" is one; pairing then finds no source in "plan".
        let s = "The vote went according to plan.";
        assert_eq!(acts(s, false), one("according", VerbKind::AccordingTo));
    }

    #[test]
    fn a_passive_needs_an_agent() {
        let s = "The delay was first reported by a local radio station.";
        assert_eq!(acts(s, false), one("reported", VerbKind::Passive));
        assert!(acts("The delay was reported on Monday.", false).is_empty());
    }

    #[test]
    fn nouns_quoted_words_and_capitals_are_not_speech_acts() {
        // After a determiner or a preposition the word is a noun.
        assert!(acts("The claims about the orchard were false.", false).is_empty());
        assert!(acts("Nobody believed in promises.", false).is_empty());
        // Only the unquoted verb counts.
        let s = "“We said no twice,” the chef said.";
        let toks = sentence(s);
        let at: Vec<usize> = (0..toks.len())
            .filter(|&i| verb_at(&toks, i, false).is_some())
            .collect();
        assert_eq!(at, [toks.len() - 2]);
        // A capitalised verb counts in a headline only.
        let s = "Harbour Master Says Pier Will Reopen";
        assert!(acts(s, false).is_empty());
        assert_eq!(acts(s, true), one("says", VerbKind::Finite));
    }

    #[test]
    fn asked_and_called_need_a_quotation() {
        assert!(acts("Reporters asked about the budget.", false).is_empty());
        let s = "“Why now?” asked a reporter.";
        assert_eq!(acts(s, false), one("asked", VerbKind::Finite));
        assert!(acts("The mayor called the chef.", false).is_empty());
        let s = "The mayor called the menu “a small miracle.”";
        assert_eq!(acts(s, false), one("called", VerbKind::Finite));
        let s = "The mayor called for calm.";
        assert_eq!(acts(s, false), one("called", VerbKind::Finite));
    }

    #[test]
    fn word_lists_agree_with_the_kinds() {
        // verb_at calls every SPEECH_ING word a participle and every
        // SPEECH_VERBS word finite; pairing relies on the "-ing" ending.
        assert!(SPEECH_ING.iter().all(|w| w.ends_with("ing")));
        assert!(SPEECH_VERBS.iter().all(|w| !w.ends_with("ing")));
    }
}
