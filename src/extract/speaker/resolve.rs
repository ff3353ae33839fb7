//! Resolution: what each mention of a sentence refers to, and what the
//! article remembers after the sentence.
//!
//! A pronoun goes to a fitting person earlier in the sentence, else to a
//! subject of the last two sentences, else to any earlier person, else to the
//! last speaker; a pronoun in a fronted clause ("Asked whether she would
//! run, Ruiz smiled") goes forward to the main subject. A role ("the
//! president", "the media") goes to the last such actor; a country-scoped
//! role ("the foreign ministry") to the article's dominant country. After
//! the sentence, [`Attributor::remember`] keeps its persons (subjects first),
//! the surnames of full names, genders taught by pronouns and the speaker.

use super::actor::{scoped_id, ActorInfo, ActorKind, Gender};
use super::mentions::{Mention, Ref};
use super::pairing::{subject_ok, Pair};
use super::{norm, Attributor};
use crate::extract::steps::step;
use crate::extract::tokens::Token;

/// The most mention-history entries an article keeps: far more distinct
/// actors than a news article names, and a bound on the cost of each
/// pronoun or role lookup.
pub(super) const HISTORY_CAP: usize = 256;

impl Attributor<'_> {
    /// Resolve the mentions of a sentence in order, so that pronouns see the
    /// earlier mentions of the sentence (a quoted pronoun sees quoted ones
    /// too), then fronted-clause pronouns.
    pub(super) fn resolve_mentions(&self, tokens: &[Token], mentions: &mut [Mention]) {
        let mut local_out: Vec<ActorInfo> = Vec::new();
        let mut local_all: Vec<ActorInfo> = Vec::new();
        for m in mentions.iter_mut() {
            let local = if m.quoted { &local_all } else { &local_out };
            m.resolved = self.resolve(&m.what, local);
            if let Some(info) = &m.resolved {
                local_all.push(info.clone());
                if !m.quoted {
                    local_out.push(info.clone());
                }
            }
        }
        self.resolve_fronted_pronouns(tokens, mentions);
    }

    /// Update the article state after a sentence whose resolved mentions,
    /// speech acts and chosen speaker are given.
    pub(super) fn remember(
        &mut self,
        tokens: &[Token],
        mentions: &[Mention],
        pairs: &[Pair],
        speaker: Option<&ActorInfo>,
    ) {
        // A pronoun resolved to a person of unknown gender teaches the gender.
        for m in mentions {
            if let (Ref::Pronoun(g), Some(info)) = (&m.what, &m.resolved) {
                if info.kind == ActorKind::Person && self.gender(info) == Gender::Unknown {
                    self.genders.insert(info.actor.clone(), *g);
                }
            }
        }
        // Persons of the sentence, subjects first: the first unquoted mention
        // that can be a subject, the subjects of the speech acts, then the rest.
        let mut subj: Vec<ActorInfo> = Vec::new();
        let first_subject = mentions
            .iter()
            .find(|m| !m.quoted && m.resolved.is_some() && subject_ok(tokens, m));
        let pair_subjects = pairs
            .iter()
            .filter_map(|p| mentions.iter().find(|m| m.first == p.subject_first));
        let others = mentions.iter().filter(|m| !m.quoted);
        for m in first_subject.into_iter().chain(pair_subjects).chain(others) {
            if let Some(info) = &m.resolved {
                if info.kind == ActorKind::Person && !subj.iter().any(|s| s.actor == info.actor) {
                    subj.push(info.clone());
                }
            }
        }
        self.subjects.push(subj);
        if self.subjects.len() > 2 {
            self.subjects.remove(0);
        }
        // Update history and surname registry with unquoted mentions.
        for m in mentions.iter().filter(|m| !m.quoted) {
            if let Some(info) = &m.resolved {
                if info.kind == ActorKind::Person && m.last - m.first >= 2 {
                    if let Some(t) = tokens.get(m.last - 1) {
                        self.surnames
                            .entry(t.norm.clone())
                            .or_insert_with(|| info.clone());
                    }
                }
                self.push_history(info);
            }
        }
        if let Some(s) = speaker {
            self.last_speaker = Some(s.clone());
        }
    }

    /// Appends `info` to the mention history. An equal earlier entry is
    /// dropped first (every search of the history looks for the most recent
    /// entry that fits, so it could never be found), and at most
    /// [`HISTORY_CAP`] entries are kept, the oldest going first: so every
    /// search costs at most a constant, and a long article stays linear.
    fn push_history(&mut self, info: &ActorInfo) {
        step(self.history.len());
        if let Some(p) = self.history.iter().rposition(|h| h == info) {
            self.history.remove(p);
        } else if self.history.len() >= HISTORY_CAP {
            self.history.remove(0);
        }
        self.history.push(info.clone());
    }

    /// The gender of `info`, with what the article taught us.
    pub(super) fn gender(&self, info: &ActorInfo) -> Gender {
        match info.gender {
            Gender::Unknown => self
                .genders
                .get(&info.actor)
                .copied()
                .unwrap_or(Gender::Unknown),
            g => g,
        }
    }

    /// Whether `info` is a person who may be called `g`.
    pub(super) fn fits(&self, info: &ActorInfo, g: Gender) -> bool {
        let have = self.gender(info);
        info.kind == ActorKind::Person && (have == g || have == Gender::Unknown)
    }

    /// Resolve a mention's reference given earlier mentions in the sentence.
    fn resolve(&self, what: &Ref, local: &[ActorInfo]) -> Option<ActorInfo> {
        // The most entries a lookup below may visit.
        step(local.len() + self.history.len());
        let seen = || local.iter().rev().chain(self.history.iter().rev());
        match what {
            Ref::Actor(info) => Some(info.clone()),
            // A person earlier in the sentence, else one of the last two
            // sentences (most recent first, subjects before others), else any
            // earlier person, else the last speaker.
            Ref::Pronoun(g) => local
                .iter()
                .rev()
                .find(|h| self.fits(h, *g))
                .or_else(|| {
                    self.subjects
                        .iter()
                        .rev()
                        .flat_map(|s| s.iter())
                        .find(|h| self.fits(h, *g))
                })
                .or_else(|| seen().find(|h| h.kind == ActorKind::Person && self.gender(h) == *g))
                .or_else(|| seen().find(|h| self.fits(h, *g)))
                .cloned()
                .or_else(|| self.last_speaker.clone()),
            Ref::Role(role) => match role.as_str() {
                "president" | "leader" => seen().find(|h| h.president).cloned(),
                "media" => seen().find(|h| h.kind == ActorKind::Media).cloned(),
                scoped => Some(self.known.info(&match self.country {
                    Some(c) => scoped_id(c, scoped),
                    None => scoped.to_string(),
                })),
            },
        }
    }

    /// A pronoun in a fronted clause points forward to the main subject:
    /// "Asked whether she would resign, Okafor laughed" → she is Okafor.
    fn resolve_fronted_pronouns(&self, tokens: &[Token], mentions: &mut [Mention]) {
        let fronted = matches!(
            norm(tokens, 0),
            "asked" | "speaking" | "after" | "when" | "while" | "although" | "though" | "before"
        );
        let Some(comma) = tokens.iter().position(|t| t.norm == "," && !t.quoted) else {
            return;
        };
        if !fronted {
            return;
        }
        let Some(subject) = mentions
            .iter()
            .find(|m| m.first > comma && !m.quoted)
            .and_then(|m| m.resolved.clone())
            .filter(|i| i.kind == ActorKind::Person)
        else {
            return;
        };
        for m in mentions.iter_mut().filter(|m| m.last <= comma && !m.quoted) {
            if let Ref::Pronoun(g) = m.what {
                if self.fits(&subject, g) {
                    m.resolved = Some(subject.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::sentence;
    use super::*;
    use crate::extract::aliases::Aliases;

    /// What each mention of the last of `sentences` (one article) resolves
    /// to: (the text it covers, the actor id).
    fn resolved(sentences: &[&str]) -> Vec<(String, Option<String>)> {
        let aliases = Aliases::embedded();
        let mut a = Attributor::new(&aliases);
        let Some((last, before)) = sentences.split_last() else {
            return Vec::new();
        };
        for s in before {
            a.analyse(&sentence(s), false);
        }
        let toks = sentence(last);
        let mut ms = a.mentions(&toks, false);
        a.resolve_mentions(&toks, &mut ms);
        ms.iter()
            .map(|m| {
                let span = last[toks[m.first].start..toks[m.last - 1].end].to_string();
                (span, m.resolved.as_ref().map(|i| i.actor.clone()))
            })
            .collect()
    }

    /// What the pronoun `word` in the last of `sentences` resolves to.
    fn pronoun(sentences: &[&str], word: &str) -> Option<String> {
        resolved(sentences)
            .into_iter()
            .find(|(span, _)| span == word)
            .and_then(|(_, id)| id)
    }

    #[test]
    fn a_pronoun_takes_a_fitting_person_of_the_sentence() {
        let s = "Ines Alvarado met Tom Baker before she spoke.";
        assert_eq!(pronoun(&[s], "she").as_deref(), Some("ines_alvarado"));
        let s = "Ines Alvarado met Tom Baker before he spoke.";
        assert_eq!(pronoun(&[s], "he").as_deref(), Some("tom_baker"));
    }

    #[test]
    fn then_a_subject_of_the_last_sentences_and_it_learns_the_gender() {
        let first = "Kim Alvarado met Robin Ruiz.";
        let second = "She said the plan was sound.";
        assert_eq!(
            pronoun(&[first, second], "She").as_deref(),
            Some("kim_alvarado")
        );
        // Kim is now "she", so "he" is Robin.
        let third = "He said it was not.";
        let got = pronoun(&[first, second, third], "He");
        assert_eq!(got.as_deref(), Some("robin_ruiz"));
    }

    #[test]
    fn a_pronoun_in_a_fronted_clause_is_the_main_subject() {
        let s = "Asked whether she would run, Ines Alvarado laughed.";
        assert_eq!(pronoun(&[s], "she").as_deref(), Some("ines_alvarado"));
        // Without the fronted clause nobody fits.
        let s = "She would run, Ines Alvarado laughed.";
        assert_eq!(pronoun(&[s], "She"), None);
    }

    #[test]
    fn with_no_person_a_pronoun_falls_back_to_the_last_speaker() {
        let first = "The Coastal Water Agency said prices would rise.";
        let got = pronoun(&[first, "He said so."], "He");
        assert_eq!(got.as_deref(), Some("coastal_water_agency"));
    }

    #[test]
    fn roles_take_the_last_fitting_actor_or_the_article_country() {
        let first = "Claudia Sheinbaum spoke on Monday.";
        let s = "The president said talks went well.";
        let got = resolved(&[first, s]);
        let want = (
            "The president".to_string(),
            Some("claudia_sheinbaum".to_string()),
        );
        assert_eq!(got, [want]);
        assert_eq!(resolved(&[s]), [("The president".to_string(), None)]);
        let aliases = Aliases::embedded();
        let mut a = Attributor::new(&aliases);
        a.analyse(&sentence("Reuters reported the fire."), false);
        let media = a.resolve(&Ref::Role("media".into()), &[]);
        assert_eq!(media.map(|i| i.actor).as_deref(), Some("reuters"));
        let role = Ref::Role("foreign_ministry".into());
        let generic = a.resolve(&role, &[]);
        assert_eq!(
            generic.map(|i| i.actor).as_deref(),
            Some("foreign_ministry")
        );
        a.country = Some("peru");
        let scoped = a.resolve(&role, &[]);
        assert_eq!(
            scoped.map(|i| i.actor).as_deref(),
            Some("peru_foreign_ministry")
        );
    }

    #[test]
    fn remember_keeps_unquoted_mentions_surnames_and_the_speaker() {
        let aliases = Aliases::embedded();
        let mut a = Attributor::new(&aliases);
        a.analyse(&sentence("“Tom Baker lied,” Ines Alvarado said."), false);
        let ids = |v: &[ActorInfo]| v.iter().map(|i| i.actor.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&a.history), ["ines_alvarado"]);
        assert_eq!(
            a.subjects.iter().map(|s| ids(s)).collect::<Vec<_>>(),
            [["ines_alvarado"]]
        );
        assert!(a.surnames.contains_key("alvarado") && !a.surnames.contains_key("baker"));
        let last = a.last_speaker.as_ref().map(|i| i.actor.as_str());
        assert_eq!(last, Some("ines_alvarado"));
        // Only the last two sentences' subjects are kept.
        a.analyse(&sentence("Tom Baker left."), false);
        a.analyse(&sentence("Robin Ruiz stayed."), false);
        let subjects: Vec<Vec<String>> = a.subjects.iter().map(|s| ids(s)).collect();
        assert_eq!(subjects, [["tom_baker"], ["robin_ruiz"]]);
    }
}
