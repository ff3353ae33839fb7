//! Actors: what an actor id denotes (a person of some gender, a body, an
//! outlet or a group), for pronouns, roles and the choice of speaker.
//!
//! The known actors are `data/known_actors.csv`, embedded at compile time
//! like the alias table: one row per id with its gender, kind and whether
//! it is a head of state or government (what "the president" refers to).
//! Ids not in the table are bodies of unknown gender; names found in the
//! text carry their own gender and kind. Country-scoped bodies get ids like
//! `colombia_foreign_ministry`.

use std::io::Read;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use crate::extract::error::ExtractError;

/// The embedded known-actor table.
const KNOWN_CSV: &str = include_str!("../../../data/known_actors.csv");

/// Grammatical gender used to resolve "he"/"she".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(super) enum Gender {
    /// He.
    Male,
    /// She.
    Female,
    /// A person of unknown gender (fits both pronouns).
    Unknown,
}

/// What sort of actor an id denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
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

impl TryFrom<String> for Gender {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "male" => Ok(Gender::Male),
            "female" => Ok(Gender::Female),
            "unknown" => Ok(Gender::Unknown),
            _ => Err(format!(
                "unknown gender '{s}'; expected male|female|unknown"
            )),
        }
    }
}

impl TryFrom<String> for ActorKind {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "person" => Ok(ActorKind::Person),
            "body" => Ok(ActorKind::Body),
            "media" => Ok(ActorKind::Media),
            "group" => Ok(ActorKind::Group),
            _ => Err(format!(
                "unknown kind '{s}'; expected person|body|media|group"
            )),
        }
    }
}

/// Information about an actor id.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// One row of `data/known_actors.csv`.
#[derive(Debug, Deserialize)]
struct Row {
    actor: String,
    gender: Gender,
    kind: ActorKind,
    head_of_state: bool,
}

/// The known-actor table: gender, kind and head-of-state flag by id.
#[derive(Debug, Default)]
pub(super) struct KnownActors {
    by_id: FxHashMap<String, (Gender, ActorKind, bool)>,
}

impl KnownActors {
    /// The table compiled into the crate from `data/known_actors.csv`,
    /// parsed on first use.
    pub(super) fn embedded() -> &'static KnownActors {
        static TABLE: OnceLock<KnownActors> = OnceLock::new();
        TABLE.get_or_init(|| {
            // Invariant: the embedded file is checked by the `embedded_table_parses` test.
            Self::from_csv_reader(KNOWN_CSV.as_bytes(), "data/known_actors.csv")
                .expect("embedded data/known_actors.csv is a valid known-actor table")
        })
    }

    /// Read an `actor,gender,kind,head_of_state` CSV (with header) from
    /// `reader`; `source` names the input in error messages.
    ///
    /// # Errors
    /// [`ExtractError::Csv`] for malformed CSV (such as a row with a missing
    /// field); [`ExtractError::BadRow`] for a value that does not parse
    /// (gender `male|female|unknown`, kind `person|body|media|group`,
    /// head_of_state `true|false`), an id that is not `[a-z0-9_]+`, or an
    /// id given twice. Both name the source and line; a bad value names its
    /// column too.
    pub(super) fn from_csv_reader<R: Read>(reader: R, source: &str) -> Result<Self, ExtractError> {
        let malformed = |e: csv::Error| ExtractError::Csv {
            source_name: source.to_string(),
            line: e.position().map_or(0, |p| p.line()),
            source: e,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        let headers = rdr.headers().map_err(malformed)?.clone();
        let mut table = KnownActors::default();
        let mut first_line: FxHashMap<String, u64> = FxHashMap::default();
        for record in rdr.records() {
            let record = record.map_err(malformed)?;
            let line = record.position().map_or(0, |p| p.line());
            let bad = |reason: String| ExtractError::BadRow {
                source_name: source.to_string(),
                line,
                reason,
            };
            let row: Row = record
                .deserialize(Some(&headers))
                .map_err(|e| bad(value_error(&e, &headers)))?;
            if !valid_id(&row.actor) {
                return Err(bad(format!(
                    "bad actor id '{}'; expected [a-z0-9_]+",
                    row.actor
                )));
            }
            if let Some(first) = first_line.get(&row.actor) {
                return Err(bad(format!(
                    "actor '{}' given twice (first on line {first})",
                    row.actor
                )));
            }
            first_line.insert(row.actor.clone(), line);
            table
                .by_id
                .insert(row.actor, (row.gender, row.kind, row.head_of_state));
        }
        Ok(table)
    }

    /// Number of known actors.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_id.len()
    }

    /// What `actor` denotes: its row, else a body of unknown gender.
    pub(super) fn info(&self, actor: &str) -> ActorInfo {
        let (gender, kind, president) =
            self.by_id
                .get(actor)
                .copied()
                .unwrap_or((Gender::Unknown, ActorKind::Body, false));
        ActorInfo {
            actor: actor.to_string(),
            gender,
            kind,
            president,
        }
    }
}

/// Whether `actor` is `[a-z0-9_]+`.
fn valid_id(actor: &str) -> bool {
    !actor.is_empty()
        && actor
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What was wrong with a row's values, with the column when the csv crate
/// knows it (a gender or kind error names its column itself).
fn value_error(e: &csv::Error, headers: &csv::StringRecord) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let column = err
                .field()
                .and_then(|f| usize::try_from(f).ok())
                .and_then(|f| headers.get(f));
            match column {
                Some(c) => format!("column '{c}': {}", err.kind()),
                None => err.kind().to_string(),
            }
        }
        _ => e.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(csv: &str) -> Result<KnownActors, String> {
        KnownActors::from_csv_reader(csv.as_bytes(), "mine.csv").map_err(|e| e.to_string())
    }

    fn facts(info: &ActorInfo) -> (Gender, ActorKind, bool) {
        (info.gender, info.kind, info.president)
    }

    #[test]
    fn embedded_table_parses() {
        let t = KnownActors::from_csv_reader(KNOWN_CSV.as_bytes(), "data/known_actors.csv");
        assert!(t.is_ok_and(|t| t.len() == 43));
        let t = KnownActors::embedded();
        let f = |id: &str| facts(&t.info(id));
        use {ActorKind::*, Gender::*};
        assert_eq!(f("claudia_sheinbaum"), (Female, Person, true));
        assert_eq!(f("marco_rubio"), (Male, Person, false));
        assert_eq!(f("reuters"), (Unknown, Media, false));
        assert_eq!(f("analysts"), (Unknown, Group, false));
    }

    #[test]
    fn an_unknown_id_is_a_body_of_unknown_gender() {
        let info = KnownActors::embedded().info("harbour_authority");
        assert_eq!(info.actor, "harbour_authority");
        assert_eq!(facts(&info), (Gender::Unknown, ActorKind::Body, false));
    }

    #[test]
    fn a_user_table_loads_with_spaces_trimmed() {
        let t = read("actor,gender,kind,head_of_state\n jo_park , female , person , false\n");
        let t = t.expect("valid table");
        assert_eq!(t.len(), 1);
        let f = facts(&t.info("jo_park"));
        assert_eq!(f, (Gender::Female, ActorKind::Person, false));
    }

    #[test]
    fn bad_rows_name_the_file_line_and_what_was_wrong() {
        let head = "actor,gender,kind,head_of_state\njo_park,female,person,false\n";
        let bad = |row: &str| read(&format!("{head}{row}")).map(|_| ()).unwrap_err();
        assert_eq!(
            bad("max_roe,mael,person,false\n"),
            "mine.csv line 3: unknown gender 'mael'; expected male|female|unknown"
        );
        assert_eq!(
            bad("max_roe,male,people,false\n"),
            "mine.csv line 3: unknown kind 'people'; expected person|body|media|group"
        );
        assert_eq!(
            bad("max_roe,male,person,yes\n"),
            "mine.csv line 3: column 'head_of_state': provided string was not `true` or `false`"
        );
        assert_eq!(
            bad("Max Roe,male,person,false\n"),
            "mine.csv line 3: bad actor id 'Max Roe'; expected [a-z0-9_]+"
        );
        assert_eq!(
            bad("max_roe,male,person,false\njo_park,male,person,false\n"),
            "mine.csv line 4: actor 'jo_park' given twice (first on line 2)"
        );
        let err = bad("max_roe,male,person\n");
        assert!(err.starts_with("mine.csv line 3: malformed CSV:"), "{err}");
        let err = read("actor,kind,head_of_state\nmax_roe,person,false\n").map(|_| ());
        assert_eq!(err.unwrap_err(), "mine.csv line 2: missing field `gender`");
    }

    #[test]
    fn country_scoped_ids_and_us_bodies() {
        assert_eq!(
            scoped_id("peru", "foreign_ministry"),
            "peru_foreign_ministry"
        );
        assert_eq!(scoped_id("us", "foreign_ministry"), "us_state_department");
        assert_eq!(scoped_id("us", "defense_ministry"), "pentagon");
        assert_eq!(scoped_id("us", "interior_ministry"), "us_interior_ministry");
        assert!(us_body("pentagon") && us_body("us_state_department"));
        assert!(!us_body("peru_foreign_ministry") && !us_body("usa_today"));
    }
}
