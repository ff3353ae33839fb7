//! Mentions: the actors named in a sentence, before resolution.
//!
//! Scanning left to right, the longest alias-table match wins (a `@role`
//! alias becomes a role, or a country-scoped body when a country is named
//! with it); else "the bank" / "the finance ministry" right before a speech
//! verb refers back to a body; else "he"/"she" is a pronoun; else a run of
//! capitalised words is a name, with titles stripped from its front (and
//! read for gender or "president"), kept whole for an organisation, and
//! taken alone only when it is a known surname or right before a speech
//! verb. Headlines use the alias table only.

use super::actor::{scoped_id, us_body, ActorInfo, ActorKind, Gender};
use super::verbs::verb_at;
use super::{norm, Attributor};
use crate::extract::aliases::actor_id;
use crate::extract::countries::{country_ending_at, country_of_body};
use crate::extract::steps::step;
use crate::extract::tokens::Token;
use crate::extract::words::{
    AUX, BODY_HEADS, FEMALE_NAMES, MALE_NAMES, NOT_NAMES_EXTRA, ORG_WORDS, SENTENCE_OPENERS, TITLES,
};

/// A capitalised word that is not (part of) a name.
fn not_name(norm: &str) -> bool {
    SENTENCE_OPENERS.contains(&norm) || NOT_NAMES_EXTRA.contains(&norm)
}

/// Whether a token is a title word; a hyphenated one ("Judge-Executive",
/// "Secretary-General") counts when one of its parts is.
fn is_title(norm: &str) -> bool {
    TITLES.contains(&norm) || norm.contains('-') && norm.split('-').any(|p| TITLES.contains(&p))
}

/// What a mention refers to, before resolution.
#[derive(Debug, Clone)]
pub(super) enum Ref {
    /// A direct actor (alias or name), already resolved.
    Actor(ActorInfo),
    /// A role resolved from context (`@president`, `@media`, `@leader`).
    Role(String),
    /// A personal pronoun.
    Pronoun(Gender),
}

/// An actor mention in a sentence.
#[derive(Debug, Clone)]
pub(super) struct Mention {
    /// First token index.
    pub first: usize,
    /// One past the last token index.
    pub last: usize,
    /// Inside a quotation.
    pub quoted: bool,
    /// The alias itself ends in a possessive ("Mexico's president").
    pub alias_possessive: bool,
    /// Single-token mention (modifier check applies).
    pub short: bool,
    /// Unresolved reference.
    pub what: Ref,
    /// Resolved actor, set by [`Attributor::analyse`].
    pub resolved: Option<ActorInfo>,
}

impl Attributor<'_> {
    /// Find the mentions of a sentence's tokens. `headline` lines only use
    /// the alias table (title case makes every word look like a name).
    pub(super) fn mentions(&self, tokens: &[Token], headline: bool) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            if let Some(m) = self.aliases.longest_at(tokens, i) {
                let what = match m.actor.strip_prefix('@') {
                    Some(role) if !matches!(role, "president" | "leader" | "media") => {
                        match country_of_body(tokens, i, i + m.len) {
                            Some(c) => Ref::Actor(self.known.info(&scoped_id(c, role))),
                            None => Ref::Role(role.to_string()),
                        }
                    }
                    Some(role) => Ref::Role(role.to_string()),
                    None => Ref::Actor(self.known.info(&m.actor)),
                };
                let mut len = m.len;
                let what = match (&what, norm(tokens, i + len)) {
                    // "a Pentagon official", "State Department officials".
                    (Ref::Actor(info), "official" | "officials") if us_body(&info.actor) => {
                        len += 1;
                        Ref::Actor(self.known.info("us_officials"))
                    }
                    // "Canadian officials" → canadian_officials.
                    (Ref::Actor(info), _)
                        if info.kind == ActorKind::Group
                            && m.len == 1
                            && i > 0
                            && tokens[i - 1].cap =>
                    {
                        match country_ending_at(tokens, i) {
                            Some((c, 1)) if c != "us" => Ref::Actor(self.known.info(&format!(
                                "{}_{}",
                                tokens[i - 1].norm,
                                tokens[i].norm
                            ))),
                            _ => what,
                        }
                    }
                    _ => what,
                };
                out.push(Mention {
                    first: i,
                    last: i + len,
                    quoted: t.quoted,
                    alias_possessive: m.possessive,
                    short: len == 1,
                    what,
                    resolved: None,
                });
                i += len;
                continue;
            }
            if !headline && t.norm == "the" {
                if let Some((len, info)) = self.body_description(tokens, i) {
                    out.push(Mention {
                        first: i,
                        last: i + len,
                        quoted: t.quoted,
                        alias_possessive: false,
                        short: false,
                        what: Ref::Actor(info),
                        resolved: None,
                    });
                    i += len;
                    continue;
                }
            }
            if t.is_word() && matches!(t.norm.as_str(), "he" | "she") {
                let g = if t.norm == "he" {
                    Gender::Male
                } else {
                    Gender::Female
                };
                out.push(Mention {
                    first: i,
                    last: i + 1,
                    quoted: t.quoted,
                    alias_possessive: false,
                    short: false,
                    what: Ref::Pronoun(g),
                    resolved: None,
                });
                i += 1;
                continue;
            }
            if t.is_word() && t.cap && !headline {
                let mut j = self.name_end(tokens, i);
                // A known multi-word alias inside the run ends the name
                // before it ("Colombian Foreign Ministry").
                if let Some(k) = (i + 1..j).find(|&k| {
                    self.aliases
                        .longest_at(tokens, k)
                        .is_some_and(|m| m.len >= 2 && k + m.len <= j)
                }) {
                    j = k;
                }
                if let Some(m) = self.name_mention(tokens, i, j) {
                    out.push(m);
                }
                i = j.max(i + 1);
                continue;
            }
            i += 1;
        }
        out
    }

    /// "the bank" / "the finance ministry" at `i` (a lowercase "the"),
    /// right before a speech verb: the body named earlier whose id holds the
    /// head noun (with its modifier, if any); a ministry not named before
    /// is scoped to the article's dominant country. Returns (tokens, actor).
    fn body_description(&self, tokens: &[Token], i: usize) -> Option<(usize, ActorInfo)> {
        let word = |k: usize| tokens.get(k).filter(|t| t.is_word() && !t.cap);
        let (modifier, head, len) = match (word(i + 1), word(i + 2)) {
            (Some(m), Some(h)) if BODY_HEADS.contains(&h.norm.as_str()) => {
                (Some(m.norm.as_str()), h.norm.as_str(), 3)
            }
            (Some(h), _) if BODY_HEADS.contains(&h.norm.as_str()) => (None, h.norm.as_str(), 2),
            _ => return None,
        };
        let j = i + len;
        let before_verb = verb_at(tokens, j, false).is_some()
            || AUX.contains(&norm(tokens, j)) && verb_at(tokens, j + 1, false).is_some();
        if !before_verb {
            return None;
        }
        let key = match modifier {
            Some(m) => format!("{m}_{head}"),
            None => head.to_string(),
        };
        step(self.history.len());
        let earlier = self.history.iter().rev().find(|h| {
            h.kind == ActorKind::Body && h.actor.split('_').any(|p| p == head) && {
                h.actor.contains(&key)
            }
        });
        match earlier {
            Some(info) => Some((len, info.clone())),
            None if head == "ministry" && modifier.is_some() => {
                let id = match self.country {
                    Some(c) => scoped_id(c, &key),
                    None => key,
                };
                Some((len, self.known.info(&id)))
            }
            None => None,
        }
    }

    /// End (exclusive) of the capitalised-word run starting at `i`.
    fn name_end(&self, tokens: &[Token], i: usize) -> usize {
        let mut j = i;
        while j < tokens.len() {
            let t = &tokens[j];
            if !t.is_word() || t.norm == "'s" {
                break;
            }
            if t.cap {
                j += 1;
                continue;
            }
            let connector = matches!(
                t.norm.as_str(),
                "de" | "del" | "la" | "da" | "dos" | "van" | "von" | "bin" | "al" | "le"
            );
            if connector && j > i && tokens.get(j + 1).is_some_and(|n| n.is_word() && n.cap) {
                j += 1;
                continue;
            }
            break;
        }
        j
    }

    /// Turn the capitalised run `tokens[i..j]` into a mention, if it names someone.
    fn name_mention(&self, tokens: &[Token], i: usize, j: usize) -> Option<Mention> {
        let mut k = i;
        let mut gender = Gender::Unknown;
        let mut president = false;
        // Look at a lowercase title just before ("spokeswoman Jane Doe").
        let before = match norm(tokens, i.wrapping_sub(1)) {
            "." => norm(tokens, i.wrapping_sub(2)),
            w => w,
        };
        match before {
            "mrs" | "ms" | "miss" => gender = Gender::Female,
            "mr" => gender = Gender::Male,
            "spokeswoman" | "congresswoman" | "chairwoman" => gender = Gender::Female,
            "spokesman" | "congressman" | "chairman" => gender = Gender::Male,
            "president" => president = true,
            _ => {}
        }
        while k < j
            && (not_name(tokens[k].norm.as_str()) || TITLES.contains(&tokens[k].norm.as_str()))
        {
            match tokens[k].norm.as_str() {
                "mrs" | "ms" | "miss" | "spokeswoman" | "queen" | "congresswoman"
                | "chairwoman" => gender = Gender::Female,
                "mr" | "spokesman" | "king" | "congressman" | "chairman" | "pope" => {
                    gender = Gender::Male
                }
                "president" | "prime" => president = true,
                _ => {}
            }
            k += 1;
        }
        // Descriptors before an inner title belong to the title, not the
        // name: "Industry Minister Petr Vondra", "Perry County Deputy
        // Judge-Executive Tammy Begley", "Bank of England Governor Ann Roe".
        if let Some(q) = (k..j).rev().find(|&q| is_title(&tokens[q].norm)) {
            let after = &tokens[q + 1..j];
            let person = !after
                .iter()
                .any(|t| ORG_WORDS.contains(&t.norm.as_str()) || not_name(t.norm.as_str()));
            let known = after.len() == 1 && self.surnames.contains_key(&after[0].norm);
            if person && (after.len() >= 2 || known) {
                k = q + 1;
            }
        }
        let rest = &tokens[k..j];
        let first = rest.first()?;
        let last = rest.last()?;
        if gender == Gender::Unknown && rest.len() >= 2 {
            if FEMALE_NAMES.contains(&first.norm.as_str()) {
                gender = Gender::Female;
            } else if MALE_NAMES.contains(&first.norm.as_str()) {
                gender = Gender::Male;
            }
        }
        if rest.iter().all(|t| not_name(t.norm.as_str())) {
            return None;
        }
        let quoted = first.quoted;
        if rest.len() == 1 {
            if let Some(info) = self.surnames.get(&first.norm) {
                return Some(Mention {
                    first: k,
                    last: j,
                    quoted,
                    alias_possessive: false,
                    short: true,
                    what: Ref::Actor(info.clone()),
                    resolved: None,
                });
            }
            // A lone unknown capitalised word names a speaker only right before a speech verb.
            let next_is_verb = verb_at(tokens, j, false).is_some()
                || AUX.contains(&norm(tokens, j)) && verb_at(tokens, j + 1, false).is_some();
            if !next_is_verb {
                return None;
            }
        }
        let org = rest.iter().any(|t| ORG_WORDS.contains(&t.norm.as_str()));
        // An organisation keeps its descriptive words ("National Electoral Council").
        let named = if org {
            let k0 = (i..k)
                .find(|&x| !not_name(tokens[x].norm.as_str()))
                .unwrap_or(k);
            &tokens[k0..j]
        } else {
            rest
        };
        let text: Vec<&str> = named.iter().map(|t| t.norm.as_str()).collect();
        let id = actor_id(&text.join(" "));
        if id.is_empty() {
            return None;
        }
        let _ = last;
        let kind = if org {
            ActorKind::Body
        } else {
            ActorKind::Person
        };
        Some(Mention {
            first: i,
            last: j,
            quoted,
            alias_possessive: false,
            short: rest.len() == 1,
            what: Ref::Actor(ActorInfo {
                actor: id,
                gender,
                kind,
                president,
            }),
            resolved: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::sentence;
    use super::*;
    use crate::extract::aliases::Aliases;

    /// The mentions of `text` after the sentences `before` were analysed:
    /// (the text they cover, the id, `@role`, or pronoun they refer to).
    fn found(before: &[&str], text: &str, headline: bool) -> Vec<(String, String)> {
        let aliases = Aliases::embedded();
        let mut a = Attributor::new(&aliases);
        for s in before {
            a.analyse(&sentence(s), false);
        }
        let toks = sentence(text);
        a.mentions(&toks, headline)
            .iter()
            .map(|m| {
                let what = match &m.what {
                    Ref::Actor(info) => info.actor.clone(),
                    Ref::Role(role) => format!("@{role}"),
                    Ref::Pronoun(Gender::Male) => "he".to_string(),
                    Ref::Pronoun(_) => "she".to_string(),
                };
                (
                    text[toks[m.first].start..toks[m.last - 1].end].to_string(),
                    what,
                )
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// The gender and kind of the one actor mentioned in `text`.
    fn person(text: &str) -> (Gender, ActorKind) {
        let aliases = Aliases::embedded();
        let a = Attributor::new(&aliases);
        let ms = a.mentions(&sentence(text), false);
        match ms.as_slice() {
            [Mention {
                what: Ref::Actor(info),
                ..
            }] => (info.gender, info.kind),
            _ => panic!("not one actor in {text:?}"),
        }
    }

    #[test]
    fn aliases_match_longest_first() {
        let s = "Secretary of State Marco Rubio landed in Lima on Sunday.";
        let want = [("Secretary of State Marco Rubio", "marco_rubio")];
        assert_eq!(found(&[], s, false), pairs(&want));
        // A group alias after a demonym becomes that country's group; a US
        // body's officials are US officials.
        let s = "Peruvian officials and Pentagon officials met twice.";
        let want = [
            ("officials", "peruvian_officials"),
            ("Pentagon officials", "us_officials"),
        ];
        assert_eq!(found(&[], s, false), pairs(&want));
    }

    #[test]
    fn roles_and_country_scoped_bodies() {
        // The country named after the alias scopes it ("of Chile").
        let s = "The president thanked the foreign ministry of Chile.";
        let want = [
            ("The president", "@president"),
            ("the foreign ministry", "chile_foreign_ministry"),
        ];
        assert_eq!(found(&[], s, false), pairs(&want));
        let s = "The foreign ministry stayed silent.";
        let want = [("The foreign ministry", "@foreign_ministry")];
        assert_eq!(found(&[], s, false), pairs(&want));
    }

    #[test]
    fn pronouns_he_and_she_only() {
        let s = "He told her that she was late.";
        let want = [("He", "he"), ("she", "she")];
        assert_eq!(found(&[], s, false), pairs(&want));
    }

    #[test]
    fn names_lose_their_titles_and_give_their_gender() {
        let s = "Spokeswoman Dana Whitlock said the pumps were fixed.";
        let want = [("Spokeswoman Dana Whitlock", "dana_whitlock")];
        assert_eq!(found(&[], s, false), pairs(&want));
        assert_eq!(person(s), (Gender::Female, ActorKind::Person));
        // "Mr." before the name.
        let s = "Mr. Ravi Anand arrived on foot.";
        assert_eq!(found(&[], s, false), pairs(&[("Ravi Anand", "ravi_anand")]));
        assert_eq!(person(s), (Gender::Male, ActorKind::Person));
        // A listed first name; an unlisted one stays unknown.
        assert_eq!(person("Laura Penn arrived.").0, Gender::Female);
        assert_eq!(person("Sasha Penn arrived.").0, Gender::Unknown);
        // Descriptors before an inner title belong to the title.
        let s = "Fisheries Minister Ana Lutz said quotas would fall.";
        let want = [("Fisheries Minister Ana Lutz", "ana_lutz")];
        assert_eq!(found(&[], s, false), pairs(&want));
    }

    #[test]
    fn organisations_keep_their_words() {
        let s = "The Coastal Water Agency said the pumps were fixed.";
        let want = [("The Coastal Water Agency", "coastal_water_agency")];
        assert_eq!(found(&[], s, false), pairs(&want));
        assert_eq!(person(s), (Gender::Unknown, ActorKind::Body));
    }

    #[test]
    fn a_lone_capitalised_word_needs_a_verb_or_a_known_surname() {
        assert!(found(&[], "Whitlock arrived late.", false).is_empty());
        let s = "Whitlock said the pumps were fixed.";
        assert_eq!(found(&[], s, false), pairs(&[("Whitlock", "whitlock")]));
        let before = ["Dana Whitlock arrived late."];
        let s = "Later, Whitlock left.";
        let want = [("Whitlock", "dana_whitlock")];
        assert_eq!(found(&before, s, false), pairs(&want));
    }

    #[test]
    fn headlines_use_the_alias_table_only() {
        assert!(found(&[], "Whitlock Says Pumps Fixed", true).is_empty());
        let s = "Sheinbaum Says Talks Went Well";
        let want = [("Sheinbaum", "claudia_sheinbaum")];
        assert_eq!(found(&[], s, true), pairs(&want));
    }

    #[test]
    fn the_agency_before_a_verb_is_the_agency_named_before() {
        let s = "The agency said demand was high.";
        assert!(found(&[], s, false).is_empty());
        let before = ["The Coastal Water Agency raised prices."];
        let want = [("The agency", "coastal_water_agency")];
        assert_eq!(found(&before, s, false), pairs(&want));
        // Not before a speech verb: no mention.
        assert!(found(&before, "The agency opened late.", false).is_empty());
        // A ministry never named: the generic id.
        let s = "The finance ministry said revenue rose.";
        let want = [("The finance ministry", "finance_ministry")];
        assert_eq!(found(&[], s, false), pairs(&want));
    }
}
