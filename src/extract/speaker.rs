//! Speaker attribution: finds speech acts in a sentence and their speaker.
//!
//! Third stage of the extractor. For each sentence, in article order, it
//! finds actor mentions (alias-table matches, capitalised names, pronouns),
//! speech verbs outside quotations ("said", "warned", "according to", passive
//! "reported by"), pairs each verb with its subject (before it: "X said",
//! "“…,” X said"; after it: "said X"), and resolves pronouns and roles
//! ("she", "the president", "the report") against the mentions seen so far.
//! Among several speech acts it prefers the one that governs quoted words,
//! then a non-media speaker (an outlet is the speaker only when it is the
//! sole source), then the first.

use rustc_hash::FxHashMap;

use super::aliases::{actor_id, Aliases};
use super::countries::{country_ending_at, country_of_body, dominant_country};
use super::tokens::Token;
use super::words::{
    AUX, BODY_HEADS, DETERMINERS, FEMALE_NAMES, INVERTIBLE, MALE_NAMES, NOT_NAMES_EXTRA, ORG_WORDS,
    PREPOSITIONS, SENTENCE_OPENERS, SOURCE_NOUNS, SPEECH_ING, SPEECH_VERBS, TITLES,
};

/// Grammatical gender used to resolve "he"/"she".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    /// He.
    Male,
    /// She.
    Female,
    /// A person of unknown gender (fits both pronouns).
    Unknown,
}

/// What sort of actor an id denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActorKind {
    /// A named person.
    Person,
    /// A government body, organisation or country.
    Body,
    /// A news outlet.
    Media,
    /// An unnamed group ("analysts").
    Group,
}

/// Known actors: id, gender, kind, whether a head of state/government.
const KNOWN: &[(&str, Gender, ActorKind, bool)] = &[
    ("claudia_sheinbaum", Gender::Female, ActorKind::Person, true),
    ("donald_trump", Gender::Male, ActorKind::Person, true),
    ("gustavo_petro", Gender::Male, ActorKind::Person, true),
    ("nicolas_maduro", Gender::Male, ActorKind::Person, true),
    ("marco_rubio", Gender::Male, ActorKind::Person, false),
    ("pete_hegseth", Gender::Male, ActorKind::Person, false),
    ("anna_kelly", Gender::Female, ActorKind::Person, false),
    ("victoria_dittmar", Gender::Female, ActorKind::Person, false),
    (
        "cecilia_farfan_mendez",
        Gender::Female,
        ActorKind::Person,
        false,
    ),
    ("jack_riley", Gender::Male, ActorKind::Person, false),
    (
        "us_ambassador_mexico",
        Gender::Male,
        ActorKind::Person,
        false,
    ),
    ("new_york_times", Gender::Unknown, ActorKind::Media, false),
    (
        "wall_street_journal",
        Gender::Unknown,
        ActorKind::Media,
        false,
    ),
    ("nbc_news", Gender::Unknown, ActorKind::Media, false),
    ("cbs_news", Gender::Unknown, ActorKind::Media, false),
    ("abc_news", Gender::Unknown, ActorKind::Media, false),
    ("fox_news", Gender::Unknown, ActorKind::Media, false),
    ("cnn", Gender::Unknown, ActorKind::Media, false),
    ("washington_post", Gender::Unknown, ActorKind::Media, false),
    ("associated_press", Gender::Unknown, ActorKind::Media, false),
    ("reuters", Gender::Unknown, ActorKind::Media, false),
    ("bloomberg", Gender::Unknown, ActorKind::Media, false),
    ("axios", Gender::Unknown, ActorKind::Media, false),
    ("politico", Gender::Unknown, ActorKind::Media, false),
    ("us_media", Gender::Unknown, ActorKind::Media, false),
    ("media", Gender::Unknown, ActorKind::Media, false),
    ("us_officials", Gender::Unknown, ActorKind::Group, false),
    (
        "mexican_officials",
        Gender::Unknown,
        ActorKind::Group,
        false,
    ),
    ("security_experts", Gender::Unknown, ActorKind::Group, false),
    ("experts", Gender::Unknown, ActorKind::Group, false),
    ("us_prosecutors", Gender::Unknown, ActorKind::Group, false),
    ("analysts", Gender::Unknown, ActorKind::Group, false),
    ("critics", Gender::Unknown, ActorKind::Group, false),
    ("lawmakers", Gender::Unknown, ActorKind::Group, false),
    ("lawyers", Gender::Unknown, ActorKind::Group, false),
    ("observers", Gender::Unknown, ActorKind::Group, false),
    ("diplomats", Gender::Unknown, ActorKind::Group, false),
    ("economists", Gender::Unknown, ActorKind::Group, false),
    ("investigators", Gender::Unknown, ActorKind::Group, false),
    ("witnesses", Gender::Unknown, ActorKind::Group, false),
    ("residents", Gender::Unknown, ActorKind::Group, false),
    ("activists", Gender::Unknown, ActorKind::Group, false),
    ("authorities", Gender::Unknown, ActorKind::Group, false),
];

/// A capitalised word that is not (part of) a name.
fn not_name(norm: &str) -> bool {
    SENTENCE_OPENERS.contains(&norm) || NOT_NAMES_EXTRA.contains(&norm)
}

/// Whether a token is a title word; a hyphenated one ("Judge-Executive",
/// "Secretary-General") counts when one of its parts is.
fn is_title(norm: &str) -> bool {
    TITLES.contains(&norm) || norm.contains('-') && norm.split('-').any(|p| TITLES.contains(&p))
}

/// Information about an actor id.
#[derive(Debug, Clone)]
pub(crate) struct ActorInfo {
    /// Canonical id.
    pub actor: String,
    /// Gender for pronoun resolution.
    pub gender: Gender,
    /// Kind of actor.
    pub kind: ActorKind,
    /// Head of state/government ("the president").
    pub president: bool,
}

fn known_info(actor: &str) -> ActorInfo {
    match KNOWN.iter().find(|k| k.0 == actor) {
        Some(&(_, gender, kind, president)) => ActorInfo {
            actor: actor.to_string(),
            gender,
            kind,
            president,
        },
        None => ActorInfo {
            actor: actor.to_string(),
            gender: Gender::Unknown,
            kind: ActorKind::Body,
            president: false,
        },
    }
}

/// What a mention refers to, before resolution.
#[derive(Debug, Clone)]
enum Ref {
    /// A direct actor (alias or name), already resolved.
    Actor(ActorInfo),
    /// A role resolved from context (`@president`, `@media`, `@leader`).
    Role(String),
    /// A personal pronoun.
    Pronoun(Gender),
}

/// An actor mention in a sentence.
#[derive(Debug, Clone)]
pub(crate) struct Mention {
    /// First token index.
    first: usize,
    /// One past the last token index.
    last: usize,
    /// Inside a quotation.
    quoted: bool,
    /// The alias itself ends in a possessive ("Mexico's president").
    alias_possessive: bool,
    /// Single-token mention (modifier check applies).
    short: bool,
    /// Unresolved reference.
    what: Ref,
    /// Resolved actor, set by [`Attributor::analyse`].
    resolved: Option<ActorInfo>,
}

/// A speech act found in a sentence.
#[derive(Debug, Clone)]
struct Pair {
    verb: usize,
    subject_first: usize,
    actor: ActorInfo,
}

/// Result of analysing one sentence.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentenceSpeaker {
    /// The sentence's own speaker, from a speech act in it.
    pub speaker: Option<String>,
    /// A speaker quoted inside the quotation (quote inside a quote).
    pub nested: Option<String>,
}

/// Article-level attribution state: mention history, surnames, last speaker.
#[derive(Debug)]
pub(crate) struct Attributor<'a> {
    aliases: &'a Aliases,
    history: Vec<ActorInfo>,
    surnames: FxHashMap<String, ActorInfo>,
    last_speaker: Option<ActorInfo>,
    /// Genders learned in the article (from pronouns resolved to a person).
    genders: FxHashMap<String, Gender>,
    /// Persons named outside quotations in the last two sentences, most
    /// recent sentence last; within a sentence, subjects first.
    subjects: Vec<Vec<ActorInfo>>,
    /// The article's dominant non-US country, for bare country-scoped bodies.
    country: Option<&'static str>,
}

fn norm(tokens: &[Token], i: usize) -> &str {
    tokens.get(i).map_or("", |t| t.norm.as_str())
}

/// Whether `actor` is a US government body whose staff are `us_officials`.
fn us_body(actor: &str) -> bool {
    matches!(actor, "pentagon" | "white_house" | "us_government") || actor.starts_with("us_")
}

/// The id of a country-scoped body: `colombia` + `foreign_ministry`.
fn scoped_id(country: &str, role: &str) -> String {
    match (country, role) {
        ("us", "foreign_ministry") => "us_state_department".to_string(),
        ("us", "defense_ministry") => "pentagon".to_string(),
        _ => format!("{country}_{role}"),
    }
}

impl<'a> Attributor<'a> {
    /// A fresh attributor for one article.
    pub fn new(aliases: &'a Aliases) -> Self {
        Attributor {
            aliases,
            history: Vec::new(),
            surnames: FxHashMap::default(),
            last_speaker: None,
            genders: FxHashMap::default(),
            subjects: Vec::new(),
            country: None,
        }
    }

    /// A fresh attributor for the article whose tokens are `article`: bare
    /// country-scoped bodies ("the foreign ministry") belong to its dominant
    /// non-US country, if it has a clear one.
    pub fn for_article(aliases: &'a Aliases, article: &[Token]) -> Self {
        let mut a = Self::new(aliases);
        a.country = dominant_country(article);
        a
    }

    /// The gender of `info`, with what the article taught us.
    fn gender(&self, info: &ActorInfo) -> Gender {
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
    fn fits(&self, info: &ActorInfo, g: Gender) -> bool {
        let have = self.gender(info);
        info.kind == ActorKind::Person && (have == g || have == Gender::Unknown)
    }

    /// Find the mentions of a sentence's tokens. `headline` lines only use
    /// the alias table (title case makes every word look like a name).
    fn mentions(&self, tokens: &[Token], headline: bool) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            if let Some(m) = self.aliases.longest_at(tokens, i) {
                let what = match m.actor.strip_prefix('@') {
                    Some(role) if !matches!(role, "president" | "leader" | "media") => {
                        match country_of_body(tokens, i, i + m.len) {
                            Some(c) => Ref::Actor(known_info(&scoped_id(c, role))),
                            None => Ref::Role(role.to_string()),
                        }
                    }
                    Some(role) => Ref::Role(role.to_string()),
                    None => Ref::Actor(known_info(&m.actor)),
                };
                let mut len = m.len;
                let what = match (&what, norm(tokens, i + len)) {
                    // "a Pentagon official", "State Department officials".
                    (Ref::Actor(info), "official" | "officials") if us_body(&info.actor) => {
                        len += 1;
                        Ref::Actor(known_info("us_officials"))
                    }
                    // "Canadian officials" → canadian_officials.
                    (Ref::Actor(info), _)
                        if info.kind == ActorKind::Group
                            && m.len == 1
                            && i > 0
                            && tokens[i - 1].cap =>
                    {
                        match country_ending_at(tokens, i) {
                            Some((c, 1)) if c != "us" => Ref::Actor(known_info(&format!(
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
        let before_verb = self.verb_at(tokens, j, false).is_some()
            || AUX.contains(&norm(tokens, j)) && self.verb_at(tokens, j + 1, false).is_some();
        if !before_verb {
            return None;
        }
        let key = match modifier {
            Some(m) => format!("{m}_{head}"),
            None => head.to_string(),
        };
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
                Some((len, known_info(&id)))
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
            let next_is_verb = self.verb_at(tokens, j, false).is_some()
                || AUX.contains(&norm(tokens, j)) && self.verb_at(tokens, j + 1, false).is_some();
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

    /// Whether token `i` starts a speech act outside quotations; returns
    /// (kind, tokens to skip). Kinds: 0 normal, 1 "according to", 2 passive.
    fn verb_at(&self, tokens: &[Token], i: usize, headline: bool) -> Option<u8> {
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
        if !SPEECH_VERBS.contains(&w) || PREPOSITIONS.contains(&prev) || DETERMINERS.contains(&prev)
        {
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
    fn subject_ok(tokens: &[Token], m: &Mention) -> bool {
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
                let name_part =
                    n.is_word() && n.cap && !AUX.contains(&w) && !SPEECH_VERBS.contains(&w);
                if modifier || name_part {
                    return false;
                }
            }
        }
        true
    }

    /// Resolve a mention's reference given earlier mentions in the sentence.
    fn resolve(&self, what: &Ref, local: &[ActorInfo]) -> Option<ActorInfo> {
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
                scoped => Some(known_info(&match self.country {
                    Some(c) => scoped_id(c, scoped),
                    None => scoped.to_string(),
                })),
            },
        }
    }

    /// Analyse one sentence (tokens already flagged `quoted`), update the
    /// article state, and return its speaker(s).
    pub fn analyse(&mut self, tokens: &[Token], headline: bool) -> SentenceSpeaker {
        let mut mentions = self.mentions(tokens, headline);
        // Resolve in order, so pronouns see earlier mentions of the sentence.
        let mut local_out: Vec<ActorInfo> = Vec::new();
        let mut local_all: Vec<ActorInfo> = Vec::new();
        for m in &mut mentions {
            let local = if m.quoted { &local_all } else { &local_out };
            m.resolved = self.resolve(&m.what, local);
            if let Some(info) = &m.resolved {
                local_all.push(info.clone());
                if !m.quoted {
                    local_out.push(info.clone());
                }
            }
        }
        Self::resolve_fronted_pronouns(tokens, &mut mentions, |i, g| self.fits(i, g));
        let pairs = self.pairs(tokens, &mentions, headline);
        let speaker = choose(tokens, &pairs);
        let nested = self.nested_speaker(tokens, &mentions, speaker.as_ref());
        // A pronoun resolved to a person of unknown gender teaches the gender.
        for m in &mentions {
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
            .find(|m| !m.quoted && m.resolved.is_some() && Attributor::subject_ok(tokens, m));
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
                self.history.push(info.clone());
            }
        }
        if let Some(s) = &speaker {
            self.last_speaker = Some(s.clone());
        }
        SentenceSpeaker {
            speaker: speaker.map(|s| s.actor),
            nested: nested.map(|s| s.actor),
        }
    }

    /// A pronoun in a fronted clause points forward to the main subject:
    /// "Asked whether she would resign, Okafor laughed" → she is Okafor.
    fn resolve_fronted_pronouns(
        tokens: &[Token],
        mentions: &mut [Mention],
        fits: impl Fn(&ActorInfo, Gender) -> bool,
    ) {
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
                if fits(&subject, g) {
                    m.resolved = Some(subject.clone());
                }
            }
        }
    }

    /// All speech acts of the sentence with a resolvable speaker.
    fn pairs(&self, tokens: &[Token], mentions: &[Mention], headline: bool) -> Vec<Pair> {
        let mut pairs = Vec::new();
        for v in 0..tokens.len() {
            let Some(kind) = self.verb_at(tokens, v, headline) else {
                continue;
            };
            let found = match kind {
                1 => mentions.iter().find(|m| {
                    !m.quoted
                        && m.first >= v + 2
                        && (m.first <= v + 4 || Attributor::source_from(tokens, v + 2, m.first))
                }),
                2 => {
                    let by = (v + 1..tokens.len()).find(|&k| tokens[k].norm == "by");
                    by.and_then(|b| mentions.iter().find(|m| m.first == b + 1 && !m.quoted))
                }
                // A participle clause (", saying ...") shares the sentence's main subject.
                _ if tokens[v].norm.ends_with("ing") => mentions
                    .iter()
                    .find(|m| m.last <= v && Attributor::subject_ok(tokens, m))
                    .or_else(|| subject_before(tokens, mentions, v)),
                _ => subject_before(tokens, mentions, v).or_else(|| {
                    if INVERTIBLE.contains(&tokens[v].norm.as_str()) {
                        // "said Lt. Gen. (ret.) Jane Roe": skip titles first.
                        let mut k = v + 1;
                        while k < tokens.len().min(v + 12)
                            && (TITLES.contains(&tokens[k].norm.as_str())
                                || matches!(tokens[k].norm.as_str(), "." | "(" | ")"))
                        {
                            k += 1;
                        }
                        mentions.iter().find(|m| {
                            !m.quoted && m.first > v && (m.first <= v + 2 || m.first == k)
                        })
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
    fn nested_speaker(
        &self,
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
        if Attributor::subject_ok(tokens, m) {
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
        if prev.last + 1 == m.first && Attributor::subject_ok(tokens, prev) {
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
fn choose(tokens: &[Token], pairs: &[Pair]) -> Option<ActorInfo> {
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
