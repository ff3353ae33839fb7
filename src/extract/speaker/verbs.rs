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

/// Whether token `i` starts a speech act outside quotations; returns
/// (kind, tokens to skip). Kinds: 0 normal, 1 "according to", 2 passive.
pub(super) fn verb_at(tokens: &[Token], i: usize, headline: bool) -> Option<u8> {
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
        "according" => return (n1 == "to").then_some(1),
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
            return ok.then_some(0);
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
            return ok.then_some(0);
        }
        "called" | "calls" | "calling" => {
            let quoted = tokens.iter().any(|t| t.quoted && t.is_word());
            return (matches!(n1, "for" | "on") || quoted && !DETERMINERS.contains(&prev))
                .then_some(0);
        }
        "pushing" | "pushed" | "pushes" | "pressing" | "pressed" | "presses" => {
            return (n1 == "for").then_some(0)
        }
        "alleged" | "alleges" => return (n1 == "that").then_some(0),
        "ruled" | "rules" => return (n1 == "out").then_some(0),
        _ => {}
    }
    let is_ing = SPEECH_ING.contains(&w);
    if is_ing {
        let ok = prev == ","
            || matches!(
                prev,
                "statement" | "letter" | "post" | "message" | "interview" | "remarks"
            );
        return ok.then_some(0);
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
        return by.then_some(2);
    }
    if matches!(w, "asked" | "asks") && !tokens.iter().any(|t| t.quoted) {
        return None;
    }
    Some(0)
}
