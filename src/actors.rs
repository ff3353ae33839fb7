//! Actor-level stance: the guide's rule over an actor's quotes (the label
//! most of their non-`none` quotes carry; `none` if all are `none`; `mixed`
//! on a favor/against tie), for hand labels and for predictions.

use std::collections::BTreeMap;

use crate::label::{ActorStance, Stance};

/// Per-actor counts of favor, against and none quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActorCounts {
    /// Favor quotes.
    pub favor: usize,
    /// Against quotes.
    pub against: usize,
    /// None quotes.
    pub none: usize,
}

impl ActorCounts {
    /// The actor's stance by the guide's rule.
    pub fn stance(&self) -> ActorStance {
        ActorStance::from_counts(self.favor, self.against)
    }

    /// Number of quotes.
    pub fn n(&self) -> usize {
        self.favor + self.against + self.none
    }
}

/// Counts the labels of each actor, sorted by actor id.
pub fn actor_counts<'a>(
    pairs: impl IntoIterator<Item = (&'a str, Stance)>,
) -> BTreeMap<String, ActorCounts> {
    let mut out: BTreeMap<String, ActorCounts> = BTreeMap::new();
    for (actor, s) in pairs {
        let c = out.entry(actor.to_owned()).or_default();
        match s {
            Stance::Favor => c.favor += 1,
            Stance::Against => c.against += 1,
            Stance::None => c.none += 1,
        }
    }
    out
}

/// `actor,stance` CSV of the actor-level stances, sorted by actor.
pub fn actors_csv(counts: &BTreeMap<String, ActorCounts>) -> String {
    let mut s = String::from("actor,stance\n");
    for (a, c) in counts {
        s.push_str(&format!("{a},{}\n", c.stance()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    #[test]
    fn derives_actor_stances() {
        let c = actor_counts([
            ("b", Favor),
            ("a", None),
            ("b", None),
            ("c", Favor),
            ("c", Against),
        ]);
        assert_eq!(actors_csv(&c), "actor,stance\na,none\nb,favor\nc,mixed\n");
        assert_eq!(c["b"].n(), 2);
    }
}
