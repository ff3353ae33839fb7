//! Alias table: maps names, titles and descriptions to canonical actor ids.
//!
//! The speaker finder looks up every token position of a sentence here,
//! longest alias first. The default table is `data/aliases.csv`, embedded at
//! compile time; a user file with the same `alias,actor` columns replaces it.
//! An actor starting with `@` (`@president`, `@media`) is a role resolved from
//! the article's context by the speaker finder.

use std::io::Read;
use std::path::Path;

use rustc_hash::FxHashMap;

use super::error::ExtractError;
use super::tokens::{normalize, tokenize, Token};

/// The embedded default alias table.
const EMBEDDED_CSV: &str = include_str!("../../data/aliases.csv");

/// Lowercase single-word aliases that may match an uncapitalised token.
const COMMON_NOUNS: &[&str] = &[
    "officials",
    "analysts",
    "experts",
    "prosecutors",
    "critics",
    "lawmakers",
    "pentagon",
    "lawyers",
    "attorneys",
    "observers",
    "diplomats",
    "economists",
    "investigators",
    "witnesses",
    "residents",
    "activists",
    "authorities",
];

/// One alias: its normalised tokens and actor id.
#[derive(Debug, Clone)]
struct Entry {
    tokens: Vec<String>,
    actor: String,
}

/// A table of aliases (names, titles, descriptions) to canonical actor ids.
///
/// Aliases match case-insensitively on word boundaries, ASCII-folded
/// ("Farfán" = "farfan"), longest match first.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    by_first: FxHashMap<String, Vec<Entry>>,
    len: usize,
}

/// A match of an alias in a token slice.
#[derive(Debug, Clone)]
pub(crate) struct AliasMatch {
    /// Number of tokens covered.
    pub len: usize,
    /// Actor id (possibly an `@role`).
    pub actor: String,
    /// Whether the alias ends with a possessive `'s` token.
    pub possessive: bool,
}

/// Whether `actor` is a valid actor id: `[a-z0-9_]+`, optionally after `@`.
fn valid_actor(actor: &str) -> bool {
    let body = actor.strip_prefix('@').unwrap_or(actor);
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Aliases {
    /// The default table compiled into the crate from `data/aliases.csv`.
    pub fn embedded() -> Self {
        // Invariant: the embedded file is checked by the `embedded_table_parses` test.
        Self::from_csv_reader(EMBEDDED_CSV.as_bytes(), "data/aliases.csv")
            .expect("embedded data/aliases.csv is a valid alias table")
    }

    /// Read an `alias,actor` CSV (with header) from `reader`; `source` names
    /// the input in error messages.
    ///
    /// # Errors
    /// [`ExtractError::Csv`] for malformed CSV, [`ExtractError::BadRow`] for a
    /// row with an empty alias or an actor id that is not `[a-z0-9_]+`
    /// (optionally prefixed by `@`); both name the source and line.
    pub fn from_csv_reader<R: Read>(reader: R, source: &str) -> Result<Self, ExtractError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        let mut table = Aliases::default();
        for record in rdr.records() {
            let record = record.map_err(|e| ExtractError::Csv {
                source_name: source.to_string(),
                line: e.position().map_or(0, |p| p.line()),
                source: e,
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let alias = record.get(0).unwrap_or("");
            let actor = record.get(1).unwrap_or("");
            if alias.is_empty() {
                return Err(ExtractError::BadRow {
                    source_name: source.to_string(),
                    line,
                    reason: "empty alias".into(),
                });
            }
            if !valid_actor(actor) {
                return Err(ExtractError::BadRow {
                    source_name: source.to_string(),
                    line,
                    reason: format!("bad actor id '{actor}'; expected [a-z0-9_]+ or @role"),
                });
            }
            table.insert(alias, actor);
        }
        Ok(table)
    }

    /// Read an alias table from a CSV file (see [`Aliases::from_csv_reader`]).
    ///
    /// # Errors
    /// [`ExtractError::Io`] when the file cannot be opened, else as
    /// [`Aliases::from_csv_reader`].
    pub fn from_path(path: &Path) -> Result<Self, ExtractError> {
        let file = std::fs::File::open(path).map_err(|e| ExtractError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Self::from_csv_reader(file, &path.display().to_string())
    }

    /// Add one alias for `actor`; a blank alias is ignored.
    pub fn insert(&mut self, alias: &str, actor: &str) {
        let tokens: Vec<String> = tokenize(alias, 0, alias.len())
            .into_iter()
            .filter(|t| t.is_word())
            .map(|t| t.norm)
            .collect();
        let Some(first) = tokens.first().cloned() else {
            return;
        };
        // "the defense department" also matches "a Defense Department statement".
        if first == "the" && tokens.len() > 2 {
            let rest = tokens[1..].to_vec();
            self.push_entry(
                rest[0].clone(),
                Entry {
                    tokens: rest,
                    actor: actor.to_string(),
                },
            );
        }
        self.push_entry(
            first,
            Entry {
                tokens,
                actor: actor.to_string(),
            },
        );
        self.len += 1;
    }

    fn push_entry(&mut self, first: String, entry: Entry) {
        let list = self.by_first.entry(first).or_default();
        if !list.iter().any(|e| e.tokens == entry.tokens) {
            list.push(entry);
            list.sort_by_key(|e| std::cmp::Reverse(e.tokens.len()));
        }
    }

    /// Number of aliases.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no aliases.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The actor of an exact alias (normalised comparison), if any.
    pub fn lookup(&self, alias: &str) -> Option<&str> {
        let toks = tokenize(alias, 0, alias.len());
        let n = toks.len();
        self.longest_at(&toks, 0)
            .filter(|m| m.len == n)
            .and_then(|m| {
                self.by_first
                    .get(&toks[0].norm)?
                    .iter()
                    .find(|e| e.tokens.len() == n && e.actor == m.actor)
                    .map(|e| e.actor.as_str())
            })
    }

    /// Longest alias starting at token `i` of `tokens`. Alias tokens must be
    /// contiguous word tokens; a one-word alias on an uncapitalised token
    /// matches only for common nouns ("officials"), so "us" the pronoun is
    /// not "US".
    pub(crate) fn longest_at(&self, tokens: &[Token], i: usize) -> Option<AliasMatch> {
        let first = tokens.get(i)?;
        if !first.is_word() {
            return None;
        }
        let list = self.by_first.get(&first.norm)?;
        for e in list {
            let n = e.tokens.len();
            let Some(window) = tokens.get(i..i + n) else {
                continue;
            };
            if !window
                .iter()
                .zip(&e.tokens)
                .all(|(t, a)| t.is_word() && t.norm == *a)
            {
                continue;
            }
            if n == 1 && !first.cap && !COMMON_NOUNS.contains(&first.norm.as_str()) {
                continue;
            }
            if window.iter().all(|t| !t.cap) && window.iter().any(|t| t.quoted) {
                continue;
            }
            return Some(AliasMatch {
                len: n,
                actor: e.actor.clone(),
                possessive: e.tokens.last().is_some_and(|t| t == "'s"),
            });
        }
        None
    }
}

/// Make an actor id from a name: lowercase, ASCII-folded, runs of spaces,
/// hyphens and other separators become one `_`.
///
/// ```
/// assert_eq!(stance::extract::actor_id("Cecilia Farfán-Méndez"), "cecilia_farfan_mendez");
/// ```
pub fn actor_id(name: &str) -> String {
    let folded = normalize(name);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c == '\'' {
            continue;
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses() {
        let a = Aliases::from_csv_reader(EMBEDDED_CSV.as_bytes(), "data/aliases.csv");
        assert!(a.is_ok_and(|a| a.len() > 100));
    }

    #[test]
    fn longest_match_wins_and_is_case_insensitive() {
        let a = Aliases::embedded();
        let t = "The US Embassy in Mexico said";
        let toks = tokenize(t, 0, t.len());
        let m = a.longest_at(&toks, 0).map(|m| (m.len, m.actor));
        assert_eq!(m, Some((5, "us_embassy_mexico".to_string())));
        assert_eq!(
            a.lookup("SECRETARY of state Marco RUBIO"),
            Some("marco_rubio")
        );
        assert_eq!(a.lookup("Farfán-Méndez"), Some("cecilia_farfan_mendez"));
    }

    #[test]
    fn pronoun_us_is_not_the_country() {
        let a = Aliases::embedded();
        let t = "let us go";
        let toks = tokenize(t, 0, t.len());
        assert!(a.longest_at(&toks, 1).is_none());
    }

    #[test]
    fn user_table_errors_name_file_and_line() {
        let bad = "alias,actor\nfoo,ok_id\nbar,Not Valid\n";
        let err = Aliases::from_csv_reader(bad.as_bytes(), "mine.csv")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(err.contains("mine.csv") && err.contains("line 3"), "{err}");
        let err = Aliases::from_csv_reader("alias,actor\n,x\n".as_bytes(), "m.csv")
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("empty alias"));
        let err = Aliases::from_path(Path::new("/nonexistent/aliases.csv"))
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/aliases.csv"));
    }

    #[test]
    fn user_table_loads() {
        let a = Aliases::from_csv_reader("alias,actor\nJane Roe,jane_roe\n".as_bytes(), "u.csv");
        assert!(a.is_ok_and(|a| a.lookup("jane roe") == Some("jane_roe") && a.len() == 1));
    }

    #[test]
    fn actor_ids_from_names() {
        assert_eq!(actor_id("Cecilia Farfán-Méndez"), "cecilia_farfan_mendez");
        assert_eq!(actor_id("  José  Luis O’Neill "), "jose_luis_oneill");
        assert_eq!(actor_id(""), "");
    }
}
