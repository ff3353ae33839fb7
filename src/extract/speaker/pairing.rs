//! Pairing: each speech verb of a sentence with its subject, then the main
//! speech act.
//!
//! The subject of a verb is the nearest acceptable mention before it ("X
//! said", skipping appositions and relative clauses), the shared subject of
//! a participle clause (", saying"), the name after an invertible verb
//! ("said X", titles skipped), the object of "according to", or the agent of
//! a passive ("was reported by X"). [`choose`] then prefers the speech act
//! that governs quoted words, then a non-media speaker, then the first;
//! [`nested_speaker`] finds a person quoted inside the quotation.

use super::actor::{ActorInfo, ActorKind};
use super::mentions::{Mention, Ref};
use super::norm;
use super::verbs::{verb_at, VerbKind};
use crate::extract::tokens::Token;
use crate::extract::words::{
    AUX, DETERMINERS, INVERTIBLE, PREPOSITIONS, SOURCE_NOUNS, SPEECH_VERBS, TITLES,
};

/// A speech act found in a sentence.
#[derive(Debug, Clone)]
pub(super) struct Pair {
    /// Token index of the speech verb.
    pub verb: usize,
    /// First token of the subject mention.
    pub subject_first: usize,
    /// The resolved speaker.
    pub actor: ActorInfo,
}

/// Whether `tokens[from..to]` is "a statement from", "an emailed
/// statement by the", "a spokesperson for": a source noun, then a
/// preposition and determiners right before the name at `to`.
fn source_from(tokens: &[Token], from: usize, to: usize) -> bool {
    if to > from + 7 {
        return false;
    }
    let mut p = to;
    while p > from && DETERMINERS.contains(&norm(tokens, p - 1)) {
        p -= 1;
    }
    p > from
        && matches!(norm(tokens, p - 1), "from" | "by" | "for" | "of")
        && (from..p - 1).any(|k| SOURCE_NOUNS.contains(&norm(tokens, k)))
        && tokens[from..p - 1].iter().all(|t| t.is_word() && !t.quoted)
}

/// Whether mention `m` can be the grammatical subject of a verb.
pub(super) fn subject_ok(tokens: &[Token], m: &Mention) -> bool {
    if m.quoted {
        return false;
    }
    if norm(tokens, m.last) == "'s" && !m.alias_possessive {
        return false;
    }
    let mut p = m.first;
    while p > 0 && DETERMINERS.contains(&norm(tokens, p - 1)) {
        p -= 1;
    }
    // "A spokesperson for CEZ declined": the body speaks through its staff.
    let staff = p > 1
        && matches!(norm(tokens, p - 1), "for" | "at" | "of")
        && matches!(
            norm(tokens, p - 2),
            "spokesperson" | "spokesman" | "spokeswoman" | "representative" | "representatives"
        );
    if p > 0 && PREPOSITIONS.contains(&norm(tokens, p - 1)) && !staff {
        return false;
    }
    if m.short {
        if let Some(n) = tokens.get(m.last) {
            let w = n.norm.as_str();
            let source_noun = SOURCE_NOUNS.contains(&w);
            // "Lawyers for the city said": a group takes a prepositional phrase.
            let group = matches!(&m.what, Ref::Actor(i) if i.kind == ActorKind::Group);
            let group_pp = group && PREPOSITIONS.contains(&w);
            let exempt = source_noun || group_pp;
            let modifier = !exempt
                && n.is_word()
                && !n.cap
                && !AUX.contains(&w)
                && !SPEECH_VERBS.contains(&w)
                && !w.ends_with("ly")
                && !w.ends_with("ed")
                && !matches!(w, "says" | "told" | "said" | "declined" | "did");
            // A short mention glued to a capitalised word is part of a longer name ("US Secretary ...").
            let name_part = n.is_word() && n.cap && !AUX.contains(&w) && !SPEECH_VERBS.contains(&w);
            if modifier || name_part {
                return false;
            }
        }
    }
    true
}

/// All speech acts of the sentence with a resolvable speaker.
pub(super) fn pairs(tokens: &[Token], mentions: &[Mention], headline: bool) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for v in 0..tokens.len() {
        let Some(kind) = verb_at(tokens, v, headline) else {
            continue;
        };
        let found = match kind {
            VerbKind::AccordingTo => mentions.iter().find(|m| {
                !m.quoted
                    && m.first >= v + 2
                    && (m.first <= v + 4 || source_from(tokens, v + 2, m.first))
            }),
            VerbKind::Passive => {
                let by = (v + 1..tokens.len()).find(|&k| tokens[k].norm == "by");
                by.and_then(|b| mentions.iter().find(|m| m.first == b + 1 && !m.quoted))
            }
            // A participle clause (", saying ...") shares the sentence's main subject.
            VerbKind::Participle => mentions
                .iter()
                .find(|m| m.last <= v && subject_ok(tokens, m))
                .or_else(|| subject_before(tokens, mentions, v)),
            VerbKind::Finite => subject_before(tokens, mentions, v).or_else(|| {
                if INVERTIBLE.contains(&tokens[v].norm.as_str()) {
                    // "said Lt. Gen. (ret.) Jane Roe": skip titles first.
                    let mut k = v + 1;
                    while k < tokens.len().min(v + 12)
                        && (TITLES.contains(&tokens[k].norm.as_str())
                            || matches!(tokens[k].norm.as_str(), "." | "(" | ")"))
                    {
                        k += 1;
                    }
                    mentions
                        .iter()
                        .find(|m| !m.quoted && m.first > v && (m.first <= v + 2 || m.first == k))
                } else {
                    None
                }
            }),
        };
        if let Some(m) = found {
            if let Some(actor) = &m.resolved {
                pairs.push(Pair {
                    verb: v,
                    subject_first: m.first,
                    actor: actor.clone(),
                });
            }
        }
    }
    pairs
}

/// A speaker quoted inside the sentence's quotation: "“He has said,
/// ‘we offer you…’”" → he. Only persons other than `outer` count.
pub(super) fn nested_speaker(
    tokens: &[Token],
    mentions: &[Mention],
    outer: Option<&ActorInfo>,
) -> Option<ActorInfo> {
    for q in 0..tokens.len() {
        let t = &tokens[q];
        if !(t.quoted && t.norm == "'" && tokens.get(q + 1).is_some_and(|n| n.is_word())) {
            continue;
        }
        let mut v = q;
        while v > 0 && matches!(norm(tokens, v - 1), "," | ":") {
            v -= 1;
        }
        if v > 0
            && matches!(
                norm(tokens, v - 1),
                "me" | "us" | "him" | "her" | "them" | "reporters"
            )
        {
            v -= 1;
        }
        if v == 0
            || !matches!(
                norm(tokens, v - 1),
                "said" | "says" | "told" | "offered" | "saying"
            )
        {
            continue;
        }
        let verb = v - 1;
        let subj = mentions.iter().rev().find(|m| {
            m.quoted
                && m.last <= verb
                && verb - m.last <= 12
                && tokens[m.last..verb]
                    .iter()
                    .all(|t| t.quoted && !matches!(t.norm.as_str(), "," | "." | ";" | ":"))
        })?;
        let info = subj.resolved.clone()?;
        if info.kind == ActorKind::Person && outer.is_none_or(|o| o.actor != info.actor) {
            return Some(info);
        }
    }
    None
}

/// The nearest acceptable subject mention before verb `v`.
fn subject_before<'m>(tokens: &[Token], mentions: &'m [Mention], v: usize) -> Option<&'m Mention> {
    let mut idx = None;
    for (mi, m) in mentions.iter().enumerate().rev() {
        if m.last > v {
            continue;
        }
        let between = &tokens[m.last..v];
        if m.quoted
            || between
                .iter()
                .any(|t| (t.quoted && t.is_word()) || matches!(t.norm.as_str(), ";" | ":"))
        {
            break;
        }
        if subject_ok(tokens, m) {
            idx = Some(mi);
            if !parenthetical(tokens, m, v) {
                break;
            }
        }
    }
    let mi = idx?;
    let m = &mentions[mi];
    // "X and Y announced" → X.
    if mi > 0 && norm(tokens, m.first.wrapping_sub(1)) == "and" {
        let prev = &mentions[mi - 1];
        if prev.last + 1 == m.first && subject_ok(tokens, prev) {
            return Some(prev);
        }
    }
    Some(m)
}

/// Whether mention `m` sits in a parenthetical between a subject and verb
/// `v`: an apposition (", a Democrat from Virginia,") or a relative or
/// participle clause (", who spoke on condition of anonymity,").
fn parenthetical(tokens: &[Token], m: &Mention, v: usize) -> bool {
    let Some(open) = (0..m.first).rev().find(|&k| tokens[k].norm == ",") else {
        return false;
    };
    let opener = norm(tokens, open + 1);
    let starts = matches!(
        opener,
        "a" | "an" | "the" | "who" | "whom" | "whose" | "which" | "speaking" | "citing"
    ) || (opener.ends_with("ing") && !tokens[open + 1].cap);
    // The clause is closed by a comma before the verb.
    let closed = (m.last..v).any(|k| tokens[k].norm == ",");
    starts && closed && open > 0
}

/// Pick the main speech act: the one governing quoted words, then a
/// non-media speaker, then the first.
pub(super) fn choose(tokens: &[Token], pairs: &[Pair]) -> Option<ActorInfo> {
    let mut best: Option<(bool, bool, usize)> = None;
    for (k, p) in pairs.iter().enumerate() {
        let start = if k == 0 { 0 } else { pairs[k - 1].verb + 1 };
        let end = pairs
            .get(k + 1)
            .map_or(tokens.len(), |n| n.subject_first.min(n.verb));
        let scope = tokens.get(start.min(end)..end).unwrap_or(&[]);
        let quote = scope.iter().any(|t| t.quoted && t.is_word());
        let key = (quote, p.actor.kind != ActorKind::Media, k);
        let better = match best {
            None => true,
            Some((q, nm, _)) => (quote, key.1) > (q, nm),
        };
        if better {
            best = Some(key);
        }
    }
    best.and_then(|(_, _, k)| pairs.get(k))
        .map(|p| p.actor.clone())
}

#[cfg(test)]
mod tests {
    use super::super::test_util::sentence;
    use super::super::Attributor;
    use super::*;
    use crate::extract::aliases::Aliases;

    /// The tokens and resolved mentions of `text`, the first sentence of an
    /// article.
    fn parsed(text: &str) -> (Vec<Token>, Vec<Mention>) {
        let aliases = Aliases::embedded();
        let a = Attributor::new(&aliases);
        let toks = sentence(text);
        let mut ms = a.mentions(&toks, false);
        a.resolve_mentions(&toks, &mut ms);
        (toks, ms)
    }

    /// The speech acts of `text` as (verb, speaker), and the chosen speaker.
    fn acts(text: &str) -> (Vec<(String, String)>, Option<String>) {
        let (toks, ms) = parsed(text);
        let ps = pairs(&toks, &ms, false);
        let list = ps
            .iter()
            .map(|p| (toks[p.verb].norm.clone(), p.actor.actor.clone()))
            .collect();
        (list, choose(&toks, &ps).map(|i| i.actor))
    }

    /// The one speech act of `text`: (verb, speaker).
    fn one(text: &str) -> (String, String) {
        match acts(text).0.as_slice() {
            [(v, s)] => (v.clone(), s.clone()),
            other => panic!("{text:?}: {other:?}"),
        }
    }

    fn act(verb: &str, speaker: &str) -> (String, String) {
        (verb.to_string(), speaker.to_string())
    }

    #[test]
    fn the_subject_before_the_verb_or_after_an_invertible_one() {
        let s = "Mayor Ines Alvarado said the bridge would reopen.";
        assert_eq!(one(s), act("said", "ines_alvarado"));
        let s = "“It will reopen,” said Ines Alvarado.";
        assert_eq!(one(s), act("said", "ines_alvarado"));
        let s = "“It will reopen,” said Lt. Col. Ines Alvarado, the engineer.";
        assert_eq!(one(s), act("said", "ines_alvarado"));
        // A verb without a mention around it is no speech act.
        assert!(acts("“It will reopen,” said the engineer.").0.is_empty());
    }

    #[test]
    fn according_to_passives_and_participles() {
        let s = "The bridge will reopen, according to Ines Alvarado.";
        assert_eq!(one(s), act("according", "ines_alvarado"));
        let s = "The bridge will reopen, according to a statement from the Coastal Water Agency.";
        assert_eq!(one(s), act("according", "coastal_water_agency"));
        let s = "The closure was announced by Ines Alvarado on Monday.";
        assert_eq!(one(s), act("announced", "ines_alvarado"));
        let s = "Ines Alvarado closed the bridge, saying it was unsafe.";
        assert_eq!(one(s), act("saying", "ines_alvarado"));
    }

    #[test]
    fn clauses_objects_and_quotations_are_not_subjects() {
        let s = "Ines Alvarado, who met Tom Baker last week, said the bridge was safe.";
        assert_eq!(one(s), act("said", "ines_alvarado"));
        // The object of a preposition cannot say anything.
        assert!(acts("A letter from Tom Baker said the bridge was safe.")
            .0
            .is_empty());
        let s = "“Tom Baker lied,” Ines Alvarado said.";
        assert_eq!(one(s), act("said", "ines_alvarado"));
        // "X and Y announced": the first of them.
        let s = "Ines Alvarado and Tom Baker announced the plan.";
        assert_eq!(one(s), act("announced", "ines_alvarado"));
    }

    #[test]
    fn choose_prefers_quoted_words_then_a_non_media_speaker_then_the_first() {
        let s = "Ines Alvarado said the vote was close, and Tom Baker added: “We won.”";
        let (list, chosen) = acts(s);
        assert_eq!(
            list,
            [act("said", "ines_alvarado"), act("added", "tom_baker")]
        );
        assert_eq!(chosen.as_deref(), Some("tom_baker"));
        let s = "Reuters reported that Ines Alvarado said the bridge was safe.";
        let (list, chosen) = acts(s);
        assert_eq!(
            list,
            [act("reported", "reuters"), act("said", "ines_alvarado")]
        );
        assert_eq!(chosen.as_deref(), Some("ines_alvarado"));
        let s = "Reuters reported that the bridge was safe.";
        assert_eq!(acts(s).1.as_deref(), Some("reuters"));
        let s = "Ines Alvarado said the vote was close and Tom Baker said it was not.";
        assert_eq!(acts(s).1.as_deref(), Some("ines_alvarado"));
    }

    #[test]
    fn a_person_quoted_inside_the_quotation() {
        let s = "“Tom Baker told me, ‘Stay home,’” Ines Alvarado said.";
        let (toks, ms) = parsed(s);
        let outer = choose(&toks, &pairs(&toks, &ms, false));
        assert_eq!(
            outer.as_ref().map(|i| i.actor.as_str()),
            Some("ines_alvarado")
        );
        let nested = nested_speaker(&toks, &ms, outer.as_ref());
        assert_eq!(nested.map(|i| i.actor).as_deref(), Some("tom_baker"));
        // The outer speaker is not nested in their own quotation.
        let s = "“Ines Alvarado told me, ‘Stay home,’” Ines Alvarado said.";
        let (toks, ms) = parsed(s);
        let outer = choose(&toks, &pairs(&toks, &ms, false));
        assert!(nested_speaker(&toks, &ms, outer.as_ref()).is_none());
    }
}
