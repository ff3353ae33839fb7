//! The three stance classes and their fixed order. Every matrix, probability
//! vector and report in the crate uses [`Stance::ALL`] order:
//! favor, against, none.

use std::fmt;
use std::str::FromStr;

/// Stance of a speaker toward the target, as in SemEval-2016 Task 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stance {
    /// Supports, announces, threatens or justifies the target action.
    Favor,
    /// Rejects, rules out or warns against the target action.
    Against,
    /// Takes no position on the target action.
    None,
}

/// Number of stance classes.
pub const N_CLASSES: usize = 3;

impl Stance {
    /// All classes in their fixed index order.
    pub const ALL: [Stance; N_CLASSES] = [Stance::Favor, Stance::Against, Stance::None];

    /// Stable class index (0 favor, 1 against, 2 none).
    pub fn index(self) -> usize {
        match self {
            Stance::Favor => 0,
            Stance::Against => 1,
            Stance::None => 2,
        }
    }

    /// The class with index `i`, if `i < 3`.
    pub fn from_index(i: usize) -> Option<Stance> {
        Stance::ALL.get(i).copied()
    }

    /// Lowercase name as written in CSV files.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Favor => "favor",
            Stance::Against => "against",
            Stance::None => "none",
        }
    }
}

impl fmt::Display for Stance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Written as its lowercase name (in CSV reports).
impl serde::Serialize for Stance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A stance value that is not one of favor, against, none.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stance '{0}'; expected favor|against|none")]
pub struct ParseStanceError(pub String);

impl FromStr for Stance {
    type Err = ParseStanceError;

    /// Parses `favor`, `against` or `none`, ignoring ASCII case and
    /// surrounding whitespace (so SemEval's `FAVOR` reads as is).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("favor") {
            Ok(Stance::Favor)
        } else if t.eq_ignore_ascii_case("against") {
            Ok(Stance::Against)
        } else if t.eq_ignore_ascii_case("none") {
            Ok(Stance::None)
        } else {
            Err(ParseStanceError(s.to_owned()))
        }
    }
}

/// Stance of an actor across a corpus (the guide's actor-level rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActorStance {
    /// A single stance won.
    Stance(Stance),
    /// Favor and against tie among the non-none quotes.
    Mixed,
}

impl fmt::Display for ActorStance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActorStance::Stance(s) => s.fmt(f),
            ActorStance::Mixed => f.write_str("mixed"),
        }
    }
}

/// Written as its name: favor, against, none or mixed.
impl serde::Serialize for ActorStance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl FromStr for ActorStance {
    type Err = ParseStanceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("mixed") {
            Ok(ActorStance::Mixed)
        } else {
            s.parse().map(ActorStance::Stance)
        }
    }
}

impl ActorStance {
    /// The guide's rule: the label most of the actor's non-`none` quotes
    /// carry; `none` if all are `none` (or there are none); `mixed` if favor
    /// and against tie.
    pub fn from_counts(favor: usize, against: usize) -> ActorStance {
        use std::cmp::Ordering::*;
        match favor.cmp(&against) {
            Greater => ActorStance::Stance(Stance::Favor),
            Less => ActorStance::Stance(Stance::Against),
            Equal if favor == 0 => ActorStance::Stance(Stance::None),
            Equal => ActorStance::Mixed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively_and_round_trips() {
        assert_eq!("FAVOR".parse::<Stance>().unwrap(), Stance::Favor);
        assert_eq!(" Against ".parse::<Stance>().unwrap(), Stance::Against);
        for s in Stance::ALL {
            assert_eq!(s.as_str().parse::<Stance>().unwrap(), s);
            assert_eq!(Stance::from_index(s.index()), Some(s));
        }
        let e = "pro".parse::<Stance>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown stance 'pro'; expected favor|against|none"
        );
    }

    #[test]
    fn actor_rule_majority_none_and_mixed() {
        assert_eq!(ActorStance::from_counts(2, 1).to_string(), "favor");
        assert_eq!(ActorStance::from_counts(0, 3).to_string(), "against");
        assert_eq!(ActorStance::from_counts(0, 0).to_string(), "none");
        assert_eq!(ActorStance::from_counts(2, 2).to_string(), "mixed");
        assert_eq!("mixed".parse::<ActorStance>().unwrap(), ActorStance::Mixed);
    }
}
