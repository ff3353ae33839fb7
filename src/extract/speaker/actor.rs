//! Actors: what an actor id denotes (a person of some gender, a body, an
//! outlet or a group), for pronouns, roles and the choice of speaker.
//!
//! Ids not in the known-actor table are bodies of unknown gender; names
//! found in the text carry their own gender and kind. Country-scoped bodies
//! get ids like `colombia_foreign_ministry`.

/// Grammatical gender used to resolve "he"/"she".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gender {
    /// He.
    Male,
    /// She.
    Female,
    /// A person of unknown gender (fits both pronouns).
    Unknown,
}

/// What sort of actor an id denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ActorKind {
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

/// Information about an actor id.
#[derive(Debug, Clone)]
pub(super) struct ActorInfo {
    /// Canonical id.
    pub actor: String,
    /// Gender for pronoun resolution.
    pub gender: Gender,
    /// Kind of actor.
    pub kind: ActorKind,
    /// Head of state/government ("the president").
    pub president: bool,
}

pub(super) fn known_info(actor: &str) -> ActorInfo {
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

/// Whether `actor` is a US government body whose staff are `us_officials`.
pub(super) fn us_body(actor: &str) -> bool {
    matches!(actor, "pentagon" | "white_house" | "us_government") || actor.starts_with("us_")
}

/// The id of a country-scoped body: `colombia` + `foreign_ministry`.
pub(super) fn scoped_id(country: &str, role: &str) -> String {
    match (country, role) {
        ("us", "foreign_ministry") => "us_state_department".to_string(),
        ("us", "defense_ministry") => "pentagon".to_string(),
        _ => format!("{country}_{role}"),
    }
}
