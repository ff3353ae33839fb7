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
//!
//! One module per step of [`Attributor::analyse`]:
//!
//! - [`actor`]: what an actor id denotes (gender, kind), from the known
//!   actors table `data/known_actors.csv`, and the ids of country-scoped
//!   bodies;
//! - [`mentions`]: the actor mentions of a sentence, unresolved;
//! - [`resolve`]: pronouns and roles resolved against the sentence and the
//!   article so far, and what the article remembers after each sentence;
//! - [`verbs`]: where a speech act starts, and of which kind;
//! - [`pairing`]: each speech verb paired with its subject, the main speech
//!   act of the sentence, and a speaker quoted inside a quotation.
//!
//! The word lists they use are in [`super::words`].

mod actor;
mod mentions;
mod pairing;
mod resolve;
mod verbs;

use rustc_hash::FxHashMap;

use super::aliases::Aliases;
use super::countries::dominant_country;
use super::tokens::Token;
use actor::{ActorInfo, Gender, KnownActors};
use pairing::{choose, nested_speaker, pairs};

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
    /// Gender and kind of the known actor ids.
    known: &'static KnownActors,
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

/// The norm of token `i`, or "" past either end.
fn norm(tokens: &[Token], i: usize) -> &str {
    tokens.get(i).map_or("", |t| t.norm.as_str())
}

impl<'a> Attributor<'a> {
    /// A fresh attributor for one article.
    pub fn new(aliases: &'a Aliases) -> Self {
        Attributor {
            aliases,
            known: KnownActors::embedded(),
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

    /// Analyse one sentence (tokens already flagged `quoted`), update the
    /// article state, and return its speaker(s).
    pub fn analyse(&mut self, tokens: &[Token], headline: bool) -> SentenceSpeaker {
        let mut mentions = self.mentions(tokens, headline);
        self.resolve_mentions(tokens, &mut mentions);
        let pairs = pairs(tokens, &mentions, headline);
        let speaker = choose(tokens, &pairs);
        let nested = nested_speaker(tokens, &mentions, speaker.as_ref());
        self.remember(tokens, &mentions, &pairs, speaker.as_ref());
        SentenceSpeaker {
            speaker: speaker.map(|s| s.actor),
            nested: nested.map(|s| s.actor),
        }
    }
}

/// Helpers for the unit tests of the speaker modules.
#[cfg(test)]
mod test_util {
    use crate::extract::quotes::quote_regions;
    use crate::extract::tokens::{tokenize, Token};

    /// The tokens of a one-line sentence, flagged `quoted` as
    /// [`crate::extract::extract`] flags them (inside a quotation that is
    /// not nested in another).
    pub(super) fn sentence(text: &str) -> Vec<Token> {
        let regions = quote_regions(text, 0, text.len());
        let mut toks = tokenize(text, 0, text.len());
        for t in &mut toks {
            t.quoted = regions
                .iter()
                .any(|r| !r.nested && t.start >= r.start && t.start < r.end);
        }
        toks
    }
}
