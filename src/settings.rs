//! Names of the settings users choose, shared by the command line,
//! reports and files: the closed choices ([`Choice`]: feature weighting,
//! tokenizer, input format) with their names and one-line help, and the
//! one-line description of featurizer settings (the `Display` of
//! [`FeaturizerParams`]), as printed by `compare` and `semeval`.
//!
//! The names are those of the model file (serde) and of the flags; the
//! binary builds its value parsers from [`Choice::ALL`], so a choice is
//! listed once.

use std::fmt;
use std::str::FromStr;

use crate::corpus::Format;
use crate::error::{Error, Result};
use crate::features::{FeaturizerParams, ValidFeaturizerParams, Weighting};
use crate::text::TokenizerKind;

/// A setting with a closed set of values, each with a name (its
/// `Display` and `FromStr`) and a line of help.
pub trait Choice: Copy + PartialEq + fmt::Debug + 'static {
    /// The setting's name, for errors (e.g. `weight`).
    const SETTING: &'static str;
    /// Every value, in the order help lists them.
    const ALL: &'static [Self];
    /// The value's name (e.g. `tfidf`).
    fn name(self) -> &'static str;
    /// One line of help.
    fn help(self) -> &'static str;

    /// The value called `name`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the setting and listing the values.
    fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.name() == name)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|c| c.name()).collect();
                Error::param(
                    Self::SETTING,
                    format!(
                        "'{name}' is not a {}; expected {}",
                        Self::SETTING,
                        all.join("|")
                    ),
                )
            })
    }
}

impl Choice for Weighting {
    const SETTING: &'static str = "weight";
    const ALL: &'static [Weighting] = &[Weighting::Binary, Weighting::Count, Weighting::Tfidf];
    fn name(self) -> &'static str {
        match self {
            Weighting::Binary => "binary",
            Weighting::Count => "count",
            Weighting::Tfidf => "tfidf",
        }
    }
    fn help(self) -> &'static str {
        match self {
            Weighting::Binary => "1 if present",
            Weighting::Count => "Term count",
            Weighting::Tfidf => "Count × smoothed IDF",
        }
    }
}

impl Choice for TokenizerKind {
    const SETTING: &'static str = "tokenizer";
    const ALL: &'static [TokenizerKind] = &[TokenizerKind::Words, TokenizerKind::Tweet];
    fn name(self) -> &'static str {
        match self {
            TokenizerKind::Words => "words",
            TokenizerKind::Tweet => "tweet",
        }
    }
    fn help(self) -> &'static str {
        match self {
            TokenizerKind::Words => "Words and numbers",
            TokenizerKind::Tweet => "Words plus hashtags, mentions, URLs, emoticons",
        }
    }
}

impl Choice for Format {
    const SETTING: &'static str = "format";
    const ALL: &'static [Format] = &[Format::Csv, Format::Semeval];
    fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Semeval => "semeval",
        }
    }
    fn help(self) -> &'static str {
        match self {
            Format::Csv => "CSV with a header (`text`, `stance`, optional `id,doc,actor,target`)",
            Format::Semeval => "SemEval-2016 Task 6 TSV (`ID, Target, Tweet, Stance`)",
        }
    }
}

macro_rules! display_by_name {
    ($($t:ty),+) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    )+};
}

display_by_name!(Weighting, TokenizerKind, Format);

impl FromStr for TokenizerKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_name(s)
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_name(s)
    }
}

/// One line: `word 1..3 + char 2..5, tfidf (sublinear), stemmed, tweet
/// tokenizer`; settings at their defaults (`min_df` 1, `max_df` 1, no
/// `max_features`, stopwords kept, L2 norm) are not named.
impl fmt::Display for FeaturizerParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "word {}..{}", self.ngram_range.0, self.ngram_range.1)?;
        if let Some((lo, hi)) = self.char_ngrams {
            write!(f, " + char {lo}..{hi}")?;
        }
        write!(f, ", {}", self.weight)?;
        if self.sublinear_tf {
            f.write_str(" (sublinear)")?;
        }
        let a = &self.analyzer;
        f.write_str(if a.stem { ", stemmed" } else { ", not stemmed" })?;
        if a.stopwords {
            f.write_str(", stopwords dropped")?;
        }
        if self.min_df > 1 {
            write!(f, ", min_df {}", self.min_df)?;
        }
        if self.max_df < 1.0 {
            write!(f, ", max_df {}", self.max_df)?;
        }
        if let Some(n) = self.max_features {
            write!(f, ", max_features {n}")?;
        }
        if !self.norm {
            f.write_str(", no L2 norm")?;
        }
        f.write_str(match a.tokenizer {
            TokenizerKind::Words => ", word tokenizer",
            TokenizerKind::Tweet => ", tweet tokenizer",
        })
    }
}

/// As the settings' `Display`.
impl fmt::Display for ValidFeaturizerParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.params().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_values() {
        fn round_trip<T: Choice + fmt::Display>() {
            for &c in T::ALL {
                assert_eq!(T::from_name(&c.to_string()).unwrap(), c);
            }
        }
        round_trip::<Weighting>();
        round_trip::<TokenizerKind>();
        round_trip::<Format>();
        assert_eq!(
            "tweet".parse::<TokenizerKind>().unwrap(),
            TokenizerKind::Tweet
        );
        let e = Weighting::from_name("idf").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid setting weight: 'idf' is not a weight; expected binary|count|tfidf"
        );
    }

    #[test]
    fn featurizer_settings_in_one_line() {
        let p = FeaturizerParams::default();
        assert_eq!(p.to_string(), "word 1..1, tfidf, stemmed, word tokenizer");
        let mut p = p
            .ngram_range(1, 3)
            .char_ngrams(Some((2, 5)))
            .sublinear_tf(true)
            .stem(false)
            .stopwords(true)
            .min_df(2)
            .max_df(0.9)
            .max_features(Some(500))
            .norm(false)
            .weight(Weighting::Count);
        p.analyzer.tokenizer = TokenizerKind::Tweet;
        assert_eq!(
            p.clone().check().unwrap().to_string(),
            "word 1..3 + char 2..5, count (sublinear), not stemmed, stopwords dropped, \
             min_df 2, max_df 0.9, max_features 500, no L2 norm, tweet tokenizer"
        );
    }
}
