//! Actor-level stance: the guide's rule over an actor's quotes (the label
//! most of their non-`none` quotes carry; `none` if all are `none`; `mixed`
//! on a favor/against tie), for hand labels and for predictions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::table::Table;
use crate::label::{ActorStance, Stance};
use crate::models::{argmax, Probs};

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
///
/// # Errors
/// [`Error::Report`] if a row cannot be written (a bug).
pub fn actors_csv(counts: &BTreeMap<String, ActorCounts>) -> Result<String> {
    let mut t = Table::new("actors.csv", ["actor", "stance"])?;
    for (a, c) in counts {
        t.row(&(a, c.stance()))?;
    }
    t.finish()
}

/// An actor's predicted stance over their quotes.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorPrediction {
    /// Number of quotes.
    pub n: usize,
    /// Mean class probabilities over the quotes.
    pub mean: Probs,
    /// The class with the highest mean probability (ties go to favor,
    /// then against).
    pub stance: ActorStance,
    /// That class's mean probability.
    pub confidence: f64,
}

/// Aggregates quote predictions per actor (sorted by actor id): the mean
/// class probability over the actor's quotes, and its most probable class.
///
/// # Panics
/// If `actors` and `probs` differ in length (a caller bug).
pub fn aggregate(actors: &[&str], probs: &[Probs]) -> BTreeMap<String, ActorPrediction> {
    assert_eq!(actors.len(), probs.len(), "one actor per prediction");
    let mut sums: BTreeMap<&str, (Probs, usize)> = BTreeMap::new();
    for (a, p) in actors.iter().zip(probs) {
        let s = sums.entry(a).or_insert(([0.0; 3], 0));
        s.0.iter_mut().zip(p).for_each(|(x, y)| *x += y);
        s.1 += 1;
    }
    sums.into_iter()
        .map(|(actor, (sum, n))| {
            let mean = sum.map(|v| v / n as f64);
            let best = argmax(&mean);
            let prediction = ActorPrediction {
                n,
                mean,
                stance: ActorStance::Stance(best),
                confidence: mean[best.index()],
            };
            (actor.to_owned(), prediction)
        })
        .collect()
}

/// Actor-level agreement between gold and predicted stances.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActorScores {
    /// Actors scored (those in both maps).
    pub n: usize,
    /// Gold actors with no prediction (no quote of theirs was classified).
    pub missing: usize,
    /// Fraction of scored actors whose stance matches.
    pub accuracy: f64,
    /// Macro-F1 over the labels seen in gold or predictions (as scikit-learn).
    pub macro_f1: f64,
}

/// Scores predicted actor stances against gold ones.
pub fn score_actors(
    gold: &BTreeMap<String, ActorStance>,
    pred: &BTreeMap<String, ActorStance>,
) -> ActorScores {
    let pairs: Vec<(ActorStance, ActorStance)> = gold
        .iter()
        .filter_map(|(a, g)| pred.get(a).map(|p| (*g, *p)))
        .collect();
    let n = pairs.len();
    let labels: BTreeSet<ActorStance> = pairs.iter().flat_map(|&(g, p)| [g, p]).collect();
    let f1 = |l: ActorStance| {
        let tp = pairs.iter().filter(|&&(g, p)| g == l && p == l).count();
        let fp = pairs.iter().filter(|&&(g, p)| g != l && p == l).count();
        let fnn = pairs.iter().filter(|&&(g, p)| g == l && p != l).count();
        if tp + fp + fnn == 0 {
            0.0
        } else {
            2.0 * tp as f64 / (2 * tp + fp + fnn) as f64
        }
    };
    ActorScores {
        n,
        missing: gold.len() - n,
        accuracy: if n == 0 {
            0.0
        } else {
            pairs.iter().filter(|(g, p)| g == p).count() as f64 / n as f64
        },
        macro_f1: if labels.is_empty() {
            0.0
        } else {
            labels.iter().map(|&l| f1(l)).sum::<f64>() / labels.len() as f64
        },
    }
}

/// How [`leave_one_document_out`] labels the quotes of a held-out document.
#[derive(Debug, Clone, Copy)]
pub enum ActorPredictor<'a> {
    /// A featurizer and model fitted on the fold's training quotes.
    Model(
        &'a crate::features::ValidFeaturizerParams,
        &'a crate::models::ModelParams,
    ),
    /// Baseline: every quote gets the most common actor-level stance among
    /// the actors of the training quotes (the actor-level majority class).
    ActorMajority,
    /// Baseline that reads no text: a quote gets its speaker's actor-level
    /// stance in the training quotes (their track record); speakers not seen
    /// in training, or mixed there, get the [`ActorPredictor::ActorMajority`]
    /// label.
    SpeakerHistory,
}

/// The most common actor-level stance among `counts` (mixed actors are not
/// counted); ties go to favor, then against, then none; `none` if empty.
fn majority_actor_stance(counts: &BTreeMap<String, ActorCounts>) -> Stance {
    let mut n = [0usize; 3];
    for c in counts.values() {
        if let ActorStance::Stance(s) = c.stance() {
            n[s.index()] += 1;
        }
    }
    let best = (0..3).fold(2, |b, i| {
        if n[i] > n[b] || (n[i] == n[b] && i < b) {
            i
        } else {
            b
        }
    });
    Stance::from_index(best).unwrap_or(Stance::None)
}

fn one_hot(s: Stance) -> Probs {
    let mut p = [0.0; 3];
    p[s.index()] = 1.0;
    p
}

/// Actor-level predictions with leave-one-document-out folds: for every
/// labelled document, the predictor is fitted on the other documents'
/// labelled quotes (minus any sentence carrying the same quote as the
/// held-out document, see [`crate::eval::split`]) and labels `quotes[doc]`,
/// the `(actor, text)` pairs found in the held-out article (hand-labelled or
/// extracted). Predictions are then aggregated per actor over all documents
/// ([`aggregate`]). The two baselines read no text; they show what a
/// model's actor-level figure is worth.
///
/// # Errors
/// Split, featurizer or model errors; [`Error::Data`] if a baseline needs
/// the `actor` column and the labelled file has none.
pub fn leave_one_document_out(
    labelled: &crate::corpus::Corpus,
    quotes: &BTreeMap<String, Vec<(String, String)>>,
    predictor: ActorPredictor<'_>,
) -> Result<BTreeMap<String, ActorPrediction>> {
    let q = leave_one_document_out_quotes(labelled, quotes, predictor, None, 0)?;
    let actors: Vec<&str> = q.actors.iter().map(String::as_str).collect();
    Ok(aggregate(&actors, &q.probs))
}

/// Quote-level predictions of [`leave_one_document_out_quotes`], in fold
/// (document) order.
#[derive(Debug, Clone, PartialEq)]
pub struct LodoQuotes {
    /// Each quote's actor.
    pub actors: Vec<String>,
    /// Each quote's (held-out) document.
    pub docs: Vec<String>,
    /// Each quote's class probabilities.
    pub probs: Vec<Probs>,
}

/// The quote predictions behind [`leave_one_document_out`], before they
/// are aggregated per actor. With a `calibration` method, each fold's
/// model is calibrated inside its training documents
/// ([`crate::pipeline::Pipeline::fit_calibrated`], inner folds seeded by
/// `seed`); the baselines are never calibrated.
///
/// # Errors
/// As [`leave_one_document_out`].
pub fn leave_one_document_out_quotes(
    labelled: &crate::corpus::Corpus,
    quotes: &BTreeMap<String, Vec<(String, String)>>,
    predictor: ActorPredictor<'_>,
    calibration: Option<crate::eval::calibrate::Method>,
    seed: u64,
) -> Result<LodoQuotes> {
    use crate::eval::split;
    let gold = labelled.labels()?;
    let texts = labelled.texts();
    let docs: Vec<Option<&str>> = labelled.examples.iter().map(|e| e.doc.as_deref()).collect();
    let groups = split::group_duplicates(&texts);
    let folds = split::plan(split::CvScheme::Doc, &docs, &gold, &groups, 0)?;
    let mut actors: Vec<String> = Vec::new();
    let mut quote_docs: Vec<String> = Vec::new();
    let mut probs: Vec<Probs> = Vec::new();
    for f in &folds {
        let Some(found) = quotes.get(&f.name) else {
            continue;
        };
        actors.extend(found.iter().map(|(a, _)| a.clone()));
        quote_docs.extend(found.iter().map(|_| f.name.clone()));
        if let ActorPredictor::Model(featurizer, model) = predictor {
            let train_texts: Vec<&str> = f.train.iter().map(|&i| texts[i]).collect();
            let train_labels: Vec<Stance> = f.train.iter().map(|&i| gold[i]).collect();
            let train_docs: Vec<Option<&str>> = f.train.iter().map(|&i| docs[i]).collect();
            let p = crate::pipeline::Pipeline::fit_calibrated(
                featurizer,
                model,
                &train_texts,
                &train_labels,
                &train_docs,
                calibration,
                seed,
            )?;
            let test: Vec<&str> = found.iter().map(|(_, t)| t.as_str()).collect();
            probs.extend(p.predict_proba(&test)?);
            continue;
        }
        let mut pairs = Vec::with_capacity(f.train.len());
        for &i in &f.train {
            let e = &labelled.examples[i];
            let actor = e.actor.as_deref().ok_or_else(|| {
                Error::data(
                    &labelled.path,
                    Some(e.line),
                    Some("actor"),
                    "actor-level baselines need an actor on every labelled quote",
                )
            })?;
            pairs.push((actor, gold[i]));
        }
        let history = actor_counts(pairs);
        let majority = majority_actor_stance(&history);
        for (actor, _) in found {
            let known = match history.get(actor).map(ActorCounts::stance) {
                Some(ActorStance::Stance(s)) => Some(s),
                _ => None,
            };
            let s = match predictor {
                ActorPredictor::SpeakerHistory => known.unwrap_or(majority),
                _ => majority,
            };
            probs.push(one_hot(s));
        }
    }
    Ok(LodoQuotes {
        actors,
        docs: quote_docs,
        probs,
    })
}

/// Where the quotes of [`actor_level_scores`] come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteSource {
    /// The quotes the extractor found in the labelled articles.
    Extracted,
    /// The hand-labelled quotes.
    HandLabelled,
}

impl QuoteSource {
    /// How reports name it.
    pub fn name(self) -> &'static str {
        match self {
            QuoteSource::Extracted => "extracted quotes",
            QuoteSource::HandLabelled => "hand-labelled quotes",
        }
    }
}

/// One line of [`actor_level_scores`].
#[derive(Debug, Clone, PartialEq)]
pub struct ActorLevelScore {
    /// The model's name, `actor-majority` or `speaker-history`.
    pub predictor: String,
    /// Which quotes were labelled.
    pub quotes: QuoteSource,
    /// The scores against the actor-level gold.
    pub scores: ActorScores,
}

/// `(actor, text)` quotes per document, as [`leave_one_document_out`]
/// reads them.
pub type QuotesByDoc = BTreeMap<String, Vec<(String, String)>>;

/// The extracted `(doc, actor, text)` quotes per document.
pub fn extracted_by_doc(extracted: &[(&str, &str, &str)]) -> QuotesByDoc {
    let mut out: QuotesByDoc = BTreeMap::new();
    for &(doc, actor, text) in extracted {
        out.entry(doc.to_owned())
            .or_default()
            .push((actor.to_owned(), text.to_owned()));
    }
    out
}

/// The hand-labelled quotes with a document and an actor, per document.
pub fn labelled_by_doc(labelled: &crate::corpus::Corpus) -> QuotesByDoc {
    let mut out: QuotesByDoc = BTreeMap::new();
    for e in &labelled.examples {
        if let (Some(d), Some(actor)) = (&e.doc, &e.actor) {
            out.entry(d.clone())
                .or_default()
                .push((actor.clone(), e.text.clone()));
        }
    }
    out
}

/// Actor-level accuracy of leave-one-document-out predictions on the
/// `extracted` quotes (`(doc, actor, text)`) and on the hand-labelled
/// quotes of `labelled`, against the actor-level `gold`: first by the
/// model `model` (named `name`) with the featurizer `featurizer`, then
/// by the two baselines that read no text
/// ([`ActorPredictor::ActorMajority`], [`ActorPredictor::SpeakerHistory`]).
///
/// # Errors
/// As [`leave_one_document_out`].
pub fn actor_level_scores(
    labelled: &crate::corpus::Corpus,
    gold: &BTreeMap<String, ActorStance>,
    extracted: &[(&str, &str, &str)],
    name: &str,
    featurizer: &crate::features::ValidFeaturizerParams,
    model: &crate::models::ModelParams,
) -> Result<Vec<ActorLevelScore>> {
    let from_extracted = extracted_by_doc(extracted);
    let from_gold = labelled_by_doc(labelled);
    let predictors = [
        (name, ActorPredictor::Model(featurizer, model)),
        ("actor-majority", ActorPredictor::ActorMajority),
        ("speaker-history", ActorPredictor::SpeakerHistory),
    ];
    let mut out = Vec::new();
    for (who, predictor) in predictors {
        for (source, quotes) in [
            (QuoteSource::Extracted, &from_extracted),
            (QuoteSource::HandLabelled, &from_gold),
        ] {
            let pred = leave_one_document_out(labelled, quotes, predictor)?
                .into_iter()
                .map(|(k, v)| (k, v.stance))
                .collect();
            out.push(ActorLevelScore {
                predictor: who.to_owned(),
                quotes: source,
                scores: score_actors(gold, &pred),
            });
        }
    }
    Ok(out)
}

/// Reads an `actor,stance` CSV (stance: favor, against, none or mixed).
///
/// # Errors
/// [`Error::Data`] naming the file, row and column.
pub fn read_actor_labels(path: &Path) -> Result<BTreeMap<String, ActorStance>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut rdr = csv::Reader::from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| Error::data(path, Some(1), None, e.to_string()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                Error::data(
                    path,
                    Some(1),
                    None,
                    format!("missing '{name}' column in the header"),
                )
            })
    };
    let (ac, sc) = (col("actor")?, col("stance")?);
    let mut out = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec =
            rec.map_err(|e| Error::data(path, Some(line), None, format!("malformed CSV: {e}")))?;
        let actor = rec.get(ac).unwrap_or_default().trim().to_owned();
        if actor.is_empty() {
            return Err(Error::data(
                path,
                Some(line),
                Some("actor"),
                "empty actor id",
            ));
        }
        let raw = rec.get(sc).unwrap_or_default();
        let stance: ActorStance = raw.parse().map_err(|_| {
            Error::data(
                path,
                Some(line),
                Some("stance"),
                format!("unknown stance '{raw}'; expected favor|against|none|mixed"),
            )
        })?;
        if out.insert(actor.clone(), stance).is_some() {
            return Err(Error::data(
                path,
                Some(line),
                Some("actor"),
                format!("duplicate actor '{actor}'"),
            ));
        }
    }
    Ok(out)
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
        assert_eq!(
            actors_csv(&c).unwrap(),
            "actor,stance\na,none\nb,favor\nc,mixed\n"
        );
        assert_eq!(c["b"].n(), 2);
    }

    #[test]
    fn baselines_use_only_the_training_documents() {
        let csv = "doc,actor,text,stance\n\
            d1,trump,we will strike them soon,favor\n\
            d1,sheinbaum,there will be no invasion,against\n\
            d2,trump,the cartels are terrorists now,favor\n\
            d2,petro,we started talks today,none\n\
            d3,sheinbaum,we reject any foreign troops,against\n\
            d3,un,record cultivation this year,none\n\
            d3,expert,it could backfire badly,against\n";
        let corpus = crate::corpus::Corpus::from_bytes(
            Path::new("t.csv"),
            csv.as_bytes(),
            crate::corpus::ReadOptions {
                require_stance: true,
                ..Default::default()
            },
        )
        .unwrap();
        let mut quotes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for e in &corpus.examples {
            quotes
                .entry(e.doc.clone().unwrap())
                .or_default()
                .push((e.actor.clone().unwrap(), e.text.clone()));
        }
        let run = |p| {
            leave_one_document_out(&corpus, &quotes, p)
                .unwrap()
                .into_iter()
                .map(|(a, v)| format!("{a}:{}", v.stance))
                .collect::<Vec<_>>()
                .join(" ")
        };
        // Training actors by fold: without d1, favor 1 against 2 none 2
        // (tie -> against); without d2, against 2 -> against; without d3,
        // one each (tie -> favor). Sheinbaum gets against (d1) and favor
        // (d3): the tie of means goes to favor.
        assert_eq!(
            run(ActorPredictor::ActorMajority),
            "expert:favor petro:against sheinbaum:favor trump:against un:favor"
        );
        // Known speakers keep their training stance; unseen ones fall back.
        assert_eq!(
            run(ActorPredictor::SpeakerHistory),
            "expert:favor petro:against sheinbaum:against trump:favor un:favor"
        );
    }

    #[test]
    fn aggregates_and_scores_actors() {
        let probs = [
            [0.7, 0.2, 0.1],
            [0.3, 0.2, 0.5],
            [0.1, 0.8, 0.1],
            [0.45, 0.1, 0.45],
            [0.2, 0.1, 0.7],
        ];
        let agg = aggregate(&["t", "t", "s", "u", "u"], &probs);
        // Mean of t: [0.5, 0.2, 0.3] -> favor with confidence 0.5.
        assert_eq!(agg["t"].stance, ActorStance::Stance(Favor));
        assert_eq!(agg["t"].n, 2);
        assert!((agg["t"].confidence - 0.5).abs() < 1e-12);
        // u: one quote leaning favor, one none; the mean [0.325, 0.1, 0.575]
        // says none (the majority rule over predicted labels would say favor).
        assert_eq!(agg["u"].stance, ActorStance::Stance(None));
        assert!((agg["u"].confidence - 0.575).abs() < 1e-12);
        assert_eq!(agg["s"].stance, ActorStance::Stance(Against));
        let agg: BTreeMap<String, ActorPrediction> =
            agg.into_iter().filter(|(a, _)| a != "u").collect();
        let gold: BTreeMap<String, ActorStance> = [("t", Favor), ("s", Favor), ("x", None)]
            .map(|(a, s)| (a.to_owned(), ActorStance::Stance(s)))
            .into();
        let pred = agg.into_iter().map(|(a, p)| (a, p.stance)).collect();
        let sc = score_actors(&gold, &pred);
        assert_eq!((sc.n, sc.missing), (2, 1));
        assert_eq!(sc.accuracy, 0.5);
        // favor: tp 1, fn 1 -> 2/3; against: fp 1 -> 0; macro = 1/3.
        assert!((sc.macro_f1 - 1.0 / 3.0).abs() < 1e-12);
        let docs = [Option::None; 2];
        let est = crate::eval::estimates::estimate_actors(
            &["smith, \"jr\"", "a"],
            &docs,
            &probs[..2],
            Default::default(),
        )
        .unwrap();
        let csv = crate::eval::estimates::estimates_csv(&est).unwrap();
        assert_eq!(
            csv,
            "actor,stance,n,p_favor,p_against,p_none,confidence,n_articles,p_favor_lo,p_favor_hi,p_against_lo,p_against_hi,p_none_lo,p_none_hi,evidence\n\
             a,none,1,0.3000,0.2000,0.5000,0.5000,1,0.3000,0.3000,0.2000,0.2000,0.5000,0.5000,insufficient\n\
             \"smith, \"\"jr\"\"\",favor,1,0.7000,0.2000,0.1000,0.7000,1,0.7000,0.7000,0.2000,0.2000,0.1000,0.1000,insufficient\n"
        );
    }
}
