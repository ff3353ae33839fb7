//! `lexicon`: a transparent keyword baseline.
//!
//! The word list lives in `data/lexicon.csv` (columns `term,stance`; a term
//! may be a phrase such as `use of force`), embedded in the binary with
//! `include_str!`. It was written by hand from general knowledge of how
//! support for and opposition to military action are usually phrased,
//! **not** tuned on the labelled quotes; it is a floor that any learned
//! model should beat, and a readable one. Its author had read the
//! annotation guide and the seed articles, so phrases taken from them
//! ("off the table", "subordination", "backfire", "no legal grounds",
//! "wage war", "declined to comment") were removed; even so, its score on
//! the seeds is not an out-of-sample estimate in the way the learned
//! models' cross-validated scores are.
//!
//! Matching: the lexicon terms and every text go through the same
//! [`crate::text::Analyzer`] (word tokenizer, lowercase, Snowball English
//! stemmer, no stopword removal), so `strikes` in a text matches the entry
//! `strike` and `Use of Force` matches `use of force`. Entries that stem
//! to the same term sequence are merged. Each occurrence of an entry's
//! term sequence (contiguous) in the text adds 1 to its class's count.
//! The model ignores the featurizer's matrix: it scores the rows' texts
//! (see [`crate::models::Classifier::probs`]).
//!
//! Probabilities: `p(c) ∝ count(c) + smoothing × prior(c)`, with `prior`
//! the training class frequencies. A text with no match gets the priors, so
//! its prediction is the training majority class; with `smoothing ≤ 1` a
//! single match outweighs any prior.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `smoothing` | `1.0` | weight of the training prior added to the counts, `> 0` and finite |
//! | `entries` | `data/lexicon.csv` | `(term, stance)` pairs; terms non-empty, no term in two classes |

use linfa::traits::Fit;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};
use crate::text::{Analyzer, AnalyzerSettings, TokenizerKind};

use super::{
    check_distribution, class_frequencies, ClassWeights, Classifier, Dataset, Learner, Probs,
};

/// The default lexicon, `data/lexicon.csv`.
pub const DEFAULT_LEXICON: &str = include_str!("../../data/lexicon.csv");

/// One lexicon entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// The word or phrase as written in the lexicon.
    pub term: String,
    /// The stance it signals.
    #[serde(with = "stance_serde")]
    pub stance: Stance,
}

/// Serde as the lowercase class name (the label type itself has no serde).
mod stance_serde {
    use crate::label::Stance;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &Stance, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Stance, D::Error> {
        let s = String::deserialize(de)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A stemmed entry: the term sequence and its class.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Phrase {
    /// Stemmed terms, matched as a contiguous run.
    pub terms: Vec<String>,
    /// The class the entry signals.
    #[serde(with = "stance_serde")]
    pub stance: Stance,
}

/// Unchecked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LexiconParams {
    /// Weight of the training prior added to the counts.
    pub smoothing: f64,
    /// The word list.
    pub entries: Vec<Entry>,
}

impl LexiconParams {
    /// The default settings with the embedded `data/lexicon.csv`.
    ///
    /// # Errors
    /// As [`parse_lexicon`] (the embedded file is tested to parse).
    pub fn embedded() -> Result<LexiconParams> {
        Ok(LexiconParams {
            smoothing: 1.0,
            entries: parse_lexicon("data/lexicon.csv", DEFAULT_LEXICON)?,
        })
    }

    /// Sets `smoothing`.
    pub fn smoothing(mut self, s: f64) -> Self {
        self.smoothing = s;
        self
    }

    /// Validates the settings and stems the entries.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a smoothing that is not finite and `> 0`,
    /// an empty lexicon, a term with no words, or a term that stems to
    /// the same words as a term of another class.
    pub fn check(self) -> Result<ValidLexiconParams> {
        if !(self.smoothing.is_finite() && self.smoothing > 0.0) {
            return Err(Error::param(
                "lexicon smoothing",
                format!("{} must be finite and > 0", self.smoothing),
            ));
        }
        if self.entries.is_empty() {
            return Err(Error::param("lexicon", "no entries"));
        }
        let mut analyzer = Analyzer::new(analyzer_settings());
        let mut phrases: Vec<Phrase> = Vec::new();
        for e in &self.entries {
            let terms = analyzer.terms_of(&e.term);
            if terms.is_empty() {
                return Err(Error::param(
                    "lexicon",
                    format!("term '{}' has no words", e.term),
                ));
            }
            match phrases.iter().find(|p| p.terms == terms) {
                Some(p) if p.stance != e.stance => {
                    return Err(Error::param(
                        "lexicon",
                        format!(
                            "term '{}' (stemmed '{}') is listed as both {} and {}",
                            e.term,
                            terms.join(" "),
                            p.stance,
                            e.stance
                        ),
                    ))
                }
                Some(_) => {}
                None => phrases.push(Phrase {
                    terms,
                    stance: e.stance,
                }),
            }
        }
        Ok(ValidLexiconParams {
            params: self,
            phrases,
        })
    }
}

/// Checked settings with the stemmed entries.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidLexiconParams {
    params: LexiconParams,
    phrases: Vec<Phrase>,
}

impl ValidLexiconParams {
    /// The settings.
    pub fn params(&self) -> &LexiconParams {
        &self.params
    }
}

/// The analyzer settings used for both lexicon and texts.
fn analyzer_settings() -> AnalyzerSettings {
    AnalyzerSettings {
        tokenizer: TokenizerKind::Words,
        stem: true,
        stopwords: false,
    }
}

/// Parses a lexicon CSV (`term,stance` header; stance favor|against|none).
///
/// # Errors
/// [`Error::Data`] naming `name`, the line and the column.
pub fn parse_lexicon(name: &str, csv_text: &str) -> Result<Vec<Entry>> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| Error::data(name, Some(1), None, e.to_string()))?
        .clone();
    let col = |c: &str| {
        headers.iter().position(|h| h == c).ok_or_else(|| {
            Error::data(
                name,
                Some(1),
                None,
                format!("no '{c}' column; expected the header term,stance"),
            )
        })
    };
    let (ti, si) = (col("term")?, col("stance")?);
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line());
            Error::data(name, line, None, e.to_string())
        })?;
        let line = rec.position().map(|p| p.line());
        let term = rec.get(ti).unwrap_or("").to_owned();
        if term.is_empty() {
            return Err(Error::data(name, line, Some("term"), "empty term"));
        }
        let s = rec.get(si).unwrap_or("");
        let stance: Stance = s.parse().map_err(|_| {
            Error::data(
                name,
                line,
                Some("stance"),
                format!("unknown stance '{s}'; expected favor|against|none"),
            )
        })?;
        out.push(Entry { term, stance });
    }
    Ok(out)
}

/// A fitted lexicon model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LexiconModel {
    /// Stemmed term sequences and their class.
    pub phrases: Vec<Phrase>,
    /// Training class frequencies.
    pub priors: [f64; N_CLASSES],
    /// Weight of the priors.
    pub smoothing: f64,
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidLexiconParams {
    type Object = LexiconModel;

    fn fit(&self, data: &Dataset) -> Result<LexiconModel> {
        Ok(LexiconModel {
            phrases: self.phrases.clone(),
            priors: class_frequencies("lexicon", &data.targets)?,
            smoothing: self.params.smoothing,
        })
    }
}

impl Learner for ValidLexiconParams {
    fn default_checked() -> Result<Self> {
        LexiconParams::embedded()?.check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        Ok(None)
    }

    /// No warm start (nothing to fit).
    fn fit_path(data: &super::Dataset, path: &[&Self]) -> Vec<Result<super::FittedOf<Self>>> {
        super::fit_each(data, path)
    }

    /// The settings' check, and the stemmed phrases it gives must be the
    /// ones stored.
    fn recheck(&self) -> Result<()> {
        let again = self.params.clone().check()?;
        if again.phrases != self.phrases {
            return Err(Error::param(
                "lexicon",
                "the stemmed phrases do not match the lexicon entries",
            ));
        }
        Ok(())
    }
}

impl LexiconModel {
    /// Match counts per class for every text.
    pub fn counts<S: AsRef<str>>(&self, texts: &[S]) -> Vec<[usize; N_CLASSES]> {
        let mut analyzer = Analyzer::new(analyzer_settings());
        texts
            .iter()
            .map(|t| {
                let terms = analyzer.terms_of(t.as_ref());
                let mut c = [0usize; N_CLASSES];
                for p in &self.phrases {
                    c[p.stance.index()] += terms
                        .windows(p.terms.len())
                        .filter(|w| *w == p.terms.as_slice())
                        .count();
                }
                c
            })
            .collect()
    }

    /// Class probabilities of `texts` (see the module doc).
    pub fn predict_texts<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Probs> {
        self.counts(texts)
            .into_iter()
            .map(|c| {
                let mut p: Probs =
                    std::array::from_fn(|k| c[k] as f64 + self.smoothing * self.priors[k]);
                let s: f64 = p.iter().sum();
                p.iter_mut().for_each(|v| *v /= s);
                p
            })
            .collect()
    }
}

impl Classifier for LexiconModel {
    fn n_features(&self) -> Option<usize> {
        None
    }

    /// Scores the texts; the feature rows are not read.
    fn probs(&self, _x: &CsrMatrix, texts: &[&str]) -> Vec<Probs> {
        self.predict_texts(texts)
    }

    fn class_weights(&self) -> Option<ClassWeights> {
        None
    }

    fn validate(&self, _n_features: usize) -> std::result::Result<(), String> {
        check_distribution("priors", &self.priors)?;
        if !(self.smoothing.is_finite() && self.smoothing > 0.0) {
            return Err(format!(
                "smoothing {} must be finite and > 0",
                self.smoothing
            ));
        }
        if self.phrases.iter().any(|p| p.terms.is_empty()) {
            return Err("a lexicon phrase has no terms".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    fn model() -> LexiconModel {
        let p = LexiconParams::embedded().unwrap().check().unwrap();
        let mut x = CsrMatrix::new(1);
        for _ in 0..4 {
            x.push_row([]);
        }
        crate::models::fit_on(&p, &x, &[None, None, Against, Favor]).unwrap()
    }

    #[test]
    fn embedded_lexicon_parses_and_matches_stemmed_phrases() {
        let m = model();
        let c = m.counts(&[
            "We will launch Strikes on the cartels, they are terrorists.",
            "An invasion is a violation of sovereignty; we reject it.",
            "Talks on trade continued.",
        ]);
        assert_eq!(c[0], [2, 0, 0]);
        assert_eq!(c[1], [0, 4, 0]);
        assert_eq!(c[2], [0, 0, 1]);
        let p = m.predict_texts(&["nothing relevant here"]);
        assert_eq!(p[0], [0.25, 0.25, 0.5]);
        let p = m.predict_texts(&["there will be no invasion"]);
        assert_eq!(crate::models::argmax(&p[0]), Against);
        assert!((p[0].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(m.validate(0).is_ok());
        let bad = LexiconModel {
            smoothing: -1.0,
            ..m.clone()
        };
        assert!(bad.validate(0).unwrap_err().contains("smoothing"));
    }

    #[test]
    fn bad_lexicons_and_settings_are_refused() {
        let e = parse_lexicon("l.csv", "term,stance\nstrike,pro\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "l.csv row 2, column 'stance': unknown stance 'pro'; expected favor|against|none"
        );
        assert!(parse_lexicon("l.csv", "word,stance\n").is_err());
        let p = LexiconParams {
            smoothing: 1.0,
            entries: parse_lexicon("l.csv", "term,stance\nstrike,favor\nstrikes,against\n")
                .unwrap(),
        };
        let e = p.check().unwrap_err();
        assert!(e.to_string().contains("both favor and against"), "{e}");
        assert!(LexiconParams::embedded()
            .unwrap()
            .smoothing(0.0)
            .check()
            .is_err());
    }
}
