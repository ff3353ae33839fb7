//! The report files, built as strings by the library (the binary only
//! writes them): the set of files of `stance compare --report-dir`
//! ([`ReportSet`]) and the CSV bodies of every command. Every CSV goes
//! through [`crate::io::table::Table`] (csv + serde rows), so fields
//! with commas, quotes or line breaks are quoted. Rows are in model order,
//! then [`Stance::ALL`] order, so the same inputs give byte-identical
//! files.
//!
//! | file | columns |
//! |---|---|
//! | `compare.csv` | see [`crate::eval::compare_csv`] |
//! | `per_class.csv` | `model,class,precision,recall,f1,support` |
//! | `confusion.csv` | `model,gold,predicted,count` |
//! | `predictions.csv` | `id,doc,actor,text,gold`, then per model `<model>_pred,<model>_p_favor,<model>_p_against,<model>_p_none` |
//! | `features.csv` | `model,class,rank,feature,weight` |
//! | `grid.csv` | see [`crate::eval::grid::grid_csv`] |
//! | `score --report` | `model,n,accuracy,macro_f1,macro_f1_lo,macro_f1_hi,f_avg` ([`crate::eval::score::Score::to_csv`]) |
//! | `predict` | `doc,actor,text,stance,p_favor,p_against,p_none` ([`quote_predictions_csv`]) |
//! | `predict --by-actor` | `actor,stance,n,p_favor,p_against,p_none,confidence,n_articles,p_*_lo,p_*_hi,evidence` ([`crate::eval::estimates::estimates_csv`]) |
//! | `extract` | `doc,start,end,actor,text` ([`extracted_csv`]) |
//! | `extract --template` | `id,doc,start,end,actor,text,stance` ([`template_csv`]) |
//! | `semeval --report` | `target,n_train,n_test,chosen,cv_f_avg,accuracy,macro_f1,f1_favor,f1_against,f_avg` ([`crate::eval::semeval::Report::to_csv`]) |
//! | actor-level gold | `actor,stance` ([`crate::eval::actors::actors_csv`]) |
//!
//! All scores and predictions of `compare` are out-of-fold (each quote
//! predicted by the model that did not train on it). `features.csv` is the
//! exception: its weights come from the linear models (`nb`, `logreg`,
//! `svm`) **fitted once on all the data** with the command's featurizer
//! settings and default hyper-parameters (also under `--grid`), since
//! per-fold weights have no common vocabulary. For `nb` the weight is the
//! class's log-probability of the feature minus its mean over the classes.
//! The two pictures are drawn by [`crate::eval::svg`].

use serde::Serialize;

use crate::corpus::Example;
use crate::error::{Error, Result};
use crate::eval::metrics::ZeroDivision;
use crate::eval::{CvPredictions, Summary};
use crate::extract::Quote;
use crate::io::table::{Fixed, Table};
use crate::label::Stance;
use crate::meta::Manifest;
use crate::models::{argmax, FittedModel, Probs};
use crate::rng::Rng;

/// Features listed per class in `features.csv`.
pub const TOP_FEATURES: usize = 20;

/// One report file: its name in the report folder and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// The file name, e.g. `per_class.csv`.
    pub name: &'static str,
    /// The content.
    pub body: String,
}

impl ReportFile {
    /// A file called `name` holding `body`.
    pub fn new(name: &'static str, body: String) -> ReportFile {
        ReportFile { name, body }
    }
}

/// The report files of a comparison, in the order they are written:
/// `compare.csv`, `per_class.csv`, `confusion.csv`, `predictions.csv`,
/// `features.csv`, `macro_f1.svg`, `confusion.svg` and `reliability.svg`
/// (the best model), `index.html` (every table and chart in one page) and,
/// with a grid, `grid.csv`. Built by
/// [`crate::eval::compare::Comparison::report_set`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportSet {
    files: Vec<ReportFile>,
}

impl ReportSet {
    /// The name of every file a set may hold, in writing order.
    pub const NAMES: [&'static str; 10] = [
        "compare.csv",
        "per_class.csv",
        "confusion.csv",
        "predictions.csv",
        "features.csv",
        "macro_f1.svg",
        "confusion.svg",
        "reliability.svg",
        "index.html",
        "grid.csv",
    ];

    /// A set of these files.
    pub fn new(files: Vec<ReportFile>) -> ReportSet {
        ReportSet { files }
    }

    /// The files, in writing order.
    pub fn files(&self) -> &[ReportFile] {
        &self.files
    }

    /// The body of the file called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.body.as_str())
    }
}

/// `per_class.csv`: precision, recall, F1 and support of every class of
/// every model (4 decimals; zero divisions count as `zd`).
///
/// # Errors
/// [`Error::Report`] if a row cannot be written (a bug).
pub fn per_class_csv(summaries: &[Summary], zd: ZeroDivision) -> Result<String> {
    #[derive(Serialize)]
    struct Row<'a> {
        model: &'a str,
        class: Stance,
        precision: Fixed<4>,
        recall: Fixed<4>,
        f1: Fixed<4>,
        support: u64,
    }
    let mut t = Table::new(
        "per_class.csv",
        ["model", "class", "precision", "recall", "f1", "support"],
    )?;
    for r in summaries {
        for class in Stance::ALL {
            let k = r.confusion.class_scores(class, zd);
            t.row(&Row {
                model: &r.model,
                class,
                precision: Fixed(k.precision),
                recall: Fixed(k.recall),
                f1: Fixed(k.f1),
                support: k.support,
            })?;
        }
    }
    t.finish()
}

/// `confusion.csv`: the pooled out-of-fold confusion matrix of every model
/// in long format, all nine cells including zeros.
///
/// # Errors
/// [`Error::Report`] if a row cannot be written (a bug).
pub fn confusion_csv(summaries: &[Summary]) -> Result<String> {
    let mut t = Table::new("confusion.csv", ["model", "gold", "predicted", "count"])?;
    for r in summaries {
        for g in Stance::ALL {
            for p in Stance::ALL {
                let count = r.confusion.counts[g.index()][p.index()];
                t.row(&(&r.model, g, p, count))?;
            }
        }
    }
    t.finish()
}

/// `predictions.csv`: every quote with its gold label and each model's
/// out-of-fold prediction and probabilities (4 decimals), and, when some
/// run has explanations, each model's explanation (`MODEL_explanation`,
/// empty for a model without them).
///
/// # Errors
/// [`Error::Report`] if the runs do not cover the examples.
pub fn predictions_csv(
    examples: &[Example],
    gold: &[Stance],
    runs: &[CvPredictions],
) -> Result<String> {
    const NAME: &str = "predictions.csv";
    if gold.len() != examples.len() || runs.iter().any(|r| r.probs.len() != examples.len()) {
        return Err(Error::report(
            NAME,
            "predictions do not cover every example",
        ));
    }
    #[derive(Serialize)]
    struct Quote<'a> {
        id: &'a str,
        doc: &'a str,
        actor: &'a str,
        text: &'a str,
        gold: Stance,
    }
    let mut header: Vec<String> = ["id", "doc", "actor", "text", "gold"]
        .map(str::to_owned)
        .to_vec();
    // With explanations, one more column a model (empty for a model
    // without per-feature weights).
    let explained = runs.iter().any(|r| r.explanations.is_some());
    if runs.iter().any(|r| {
        r.explanations
            .as_ref()
            .is_some_and(|e| e.len() != examples.len())
    }) {
        return Err(Error::report(
            NAME,
            "explanations do not cover every example",
        ));
    }
    for r in runs {
        for suffix in ["pred", "p_favor", "p_against", "p_none"] {
            header.push(format!("{}_{suffix}", r.model));
        }
        if explained {
            header.push(format!("{}_explanation", r.model));
        }
    }
    let mut t = Table::new(NAME, &header)?;
    for (i, e) in examples.iter().enumerate() {
        let quote = Quote {
            id: &e.id,
            doc: e.doc.as_deref().unwrap_or(""),
            actor: e.actor.as_deref().unwrap_or(""),
            text: &e.text,
            gold: gold[i],
        };
        if explained {
            let models: Vec<(Stance, [Fixed<4>; 3], &str)> = runs
                .iter()
                .map(|r| {
                    let why = r.explanations.as_ref().map_or("", |e| e[i].as_str());
                    (r.predicted[i], r.probs[i].map(Fixed), why)
                })
                .collect();
            t.row(&(quote, models))?;
        } else {
            let models: Vec<(Stance, [Fixed<4>; 3])> = runs
                .iter()
                .map(|r| (r.predicted[i], r.probs[i].map(Fixed)))
                .collect();
            t.row(&(quote, models))?;
        }
    }
    t.finish()
}

/// `features.csv`: the [`TOP_FEATURES`] highest-weighted features of every
/// class of every linear model (weight descending, ties by feature name),
/// from `(model name, fitted model, feature names)` triples. The caller
/// fits these on all the data (not per fold). Non-linear models are
/// skipped.
///
/// # Errors
/// [`Error::Report`] if a model's weights do not match its names.
pub fn features_csv(models: &[(&str, &FittedModel, &[String])]) -> Result<String> {
    const NAME: &str = "features.csv";
    let mut t = Table::new(NAME, ["model", "class", "rank", "feature", "weight"])?;
    for (name, model, names) in models {
        let Some(weights) = model.class_weights() else {
            continue;
        };
        for (c, wc) in weights.iter().enumerate() {
            let Some(wc) = wc else { continue };
            if wc.len() != names.len() {
                return Err(Error::report(
                    NAME,
                    format!(
                        "{name}: {} weights for {} feature names",
                        wc.len(),
                        names.len()
                    ),
                ));
            }
            let mut order: Vec<usize> = (0..wc.len()).collect();
            order.sort_by(|&a, &b| {
                wc[b]
                    .total_cmp(&wc[a])
                    .then_with(|| names[a].cmp(&names[b]))
            });
            for (rank, &j) in order.iter().take(TOP_FEATURES).enumerate() {
                t.row(&(name, Stance::ALL[c], rank + 1, &names[j], Fixed::<6>(wc[j])))?;
            }
        }
    }
    t.finish()
}

/// The report files of `stance predict --report-dir`, in writing order:
/// the quotes ([`quote_predictions_csv`], with explanations for a linear
/// model), the actor estimates
/// ([`crate::eval::estimates::estimates_csv`] or, with `--by`,
/// [`crate::eval::estimates::period_estimates_csv`]) and the page
/// ([`crate::eval::html::predict_page`]).
pub const PREDICT_REPORT_FILES: [&str; 3] = ["predictions.csv", "actors.csv", "index.html"];

/// The CSV of `stance predict`: every quote's document, actor and text,
/// its predicted stance and class probabilities (4 decimals); with a
/// manifest, also the article's `date` and `outlet` (empty when not
/// stated); with explanations (one per quote,
/// [`crate::eval::explain::format_explanation`]), a last `explanation`
/// column.
///
/// # Errors
/// [`Error::Report`] if `examples` and `probs` differ in length.
pub fn quote_predictions_csv(
    examples: &[Example],
    probs: &[Probs],
    meta: Option<&Manifest>,
    explanations: Option<&[String]>,
) -> Result<String> {
    const NAME: &str = "predictions";
    if examples.len() != probs.len() || explanations.is_some_and(|e| e.len() != probs.len()) {
        return Err(Error::report(NAME, "one prediction per quote expected"));
    }
    let mut header = vec![
        "doc",
        "actor",
        "text",
        "stance",
        "p_favor",
        "p_against",
        "p_none",
    ];
    if meta.is_some() {
        header.extend(["date", "outlet"]);
    }
    if explanations.is_some() {
        header.push("explanation");
    }
    let mut t = Table::new(NAME, header)?;
    for (i, (e, p)) in examples.iter().zip(probs).enumerate() {
        let why = explanations.map(|x| x[i].as_str());
        let doc = e.doc.as_deref().unwrap_or("");
        let base = (
            doc,
            e.actor.as_deref().unwrap_or(""),
            &e.text,
            argmax(p),
            p.map(Fixed::<4>),
        );
        // An absent column is left out, not written empty.
        match (meta, why) {
            (Some(m), Some(w)) => t.row(&(base, date_outlet(m, doc), w))?,
            (Some(m), None) => t.row(&(base, date_outlet(m, doc)))?,
            (None, Some(w)) => t.row(&(base, w))?,
            (None, None) => t.row(&base)?,
        }
    }
    t.finish()
}

/// The `date` and `outlet` of article `doc` in `meta` (empty when not
/// stated).
fn date_outlet(meta: &Manifest, doc: &str) -> (String, String) {
    let a = meta.get(doc);
    (
        a.and_then(|a| a.date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        a.and_then(|a| a.outlet.clone()).unwrap_or_default(),
    )
}

/// The CSV of `stance extract`: every quote sentence found, with its
/// document, byte span and speaker, from `(document, quotes)` pairs; with
/// a manifest, also the article's `date` and `outlet`.
///
/// # Errors
/// [`Error::Report`] if a row cannot be written (a bug).
pub fn extracted_csv<'a>(
    docs: impl IntoIterator<Item = (&'a str, &'a [Quote])>,
    meta: Option<&Manifest>,
) -> Result<String> {
    let mut header = vec!["doc", "start", "end", "actor", "text"];
    if meta.is_some() {
        header.extend(["date", "outlet"]);
    }
    let mut t = Table::new("extracted quotes", header)?;
    for (doc, quotes) in docs {
        for q in quotes {
            let base = (doc, q.start, q.end, &q.actor, &q.text);
            match meta {
                Some(m) => t.row(&(base, date_outlet(m, doc)))?,
                None => t.row(&base)?,
            }
        }
    }
    t.finish()
}

/// The id of an extracted quote in a label template: `DOC:START-END`
/// (the article's file name and the byte span), so the same article
/// gives the same ids on every run, whatever the other articles or the
/// row order.
pub fn template_id(doc: &str, start: usize, end: usize) -> String {
    format!("{doc}:{start}-{end}")
}

/// A label file to fill in: `id,doc,start,end,actor,text,stance` with
/// `stance` empty and the extracted speaker in `actor` (ids as
/// [`template_id`]). Rows are in article order, then span order; with
/// `shuffle = Some(seed)` they are put in a seeded random order instead
/// (for labelling without the article's order biasing the labels; the
/// same seed gives the same order).
///
/// # Errors
/// [`Error::Report`] if a row cannot be written.
pub fn template_csv<'a>(
    docs: impl IntoIterator<Item = (&'a str, &'a [Quote])>,
    shuffle: Option<u64>,
) -> Result<String> {
    let mut rows: Vec<(&str, &Quote)> = docs
        .into_iter()
        .flat_map(|(d, qs)| qs.iter().map(move |q| (d, q)))
        .collect();
    if let Some(seed) = shuffle {
        Rng::new(seed).shuffle(&mut rows);
    }
    let mut t = Table::new(
        "label template",
        ["id", "doc", "start", "end", "actor", "text", "stance"],
    )?;
    for (doc, q) in rows {
        let id = template_id(doc, q.start, q.end);
        t.row(&(id, doc, q.start, q.end, &q.actor, &q.text, ""))?;
    }
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{summarize, BootstrapSettings};
    use Stance::*;

    fn run(model: &str, predicted: Vec<Stance>) -> CvPredictions {
        CvPredictions {
            model: model.into(),
            probs: predicted
                .iter()
                .map(|s| {
                    let mut p = [0.0; 3];
                    p[s.index()] = 1.0;
                    p
                })
                .collect(),
            predicted,
            explanations: Option::None,
        }
    }

    #[test]
    fn csv_reports_have_fixed_rows_and_quote_text() {
        let gold = vec![Favor, Against, None];
        let runs = vec![
            run("majority", vec![None, None, None]),
            run("x", vec![Favor, None, None]),
        ];
        let s = summarize(
            &gold,
            &runs,
            ZeroDivision::Zero,
            BootstrapSettings::default(),
        )
        .unwrap();
        let pc = per_class_csv(&s, ZeroDivision::Zero).unwrap();
        assert_eq!(pc.lines().count(), 1 + 2 * 3);
        assert!(pc.contains("\nx,favor,1.0000,1.0000,1.0000,1\n"), "{pc}");
        let cm = confusion_csv(&s).unwrap();
        assert_eq!(cm.lines().count(), 1 + 2 * 9);
        assert!(cm.contains("\nx,against,none,1\n"), "{cm}");
        let ex: Vec<Example> = (0..3)
            .map(|i| Example {
                id: format!("q{i}"),
                doc: Some("d".into()),
                actor: Option::None,
                target: Option::None,
                text: format!("say \"hi\", {i}"),
                stance: Some(gold[i]),
                span: Option::None,
                line: i as u64 + 2,
            })
            .collect();
        let p = predictions_csv(&ex, &gold, &runs).unwrap();
        let first = p.lines().next().unwrap();
        assert_eq!(
            first,
            "id,doc,actor,text,gold,majority_pred,majority_p_favor,majority_p_against,majority_p_none,x_pred,x_p_favor,x_p_against,x_p_none"
        );
        assert!(
            p.contains("q0,d,,\"say \"\"hi\"\", 0\",favor,none,0.0000,0.0000,1.0000,favor,1.0000"),
            "{p}"
        );
        assert!(predictions_csv(&ex[..2], &gold[..2], &runs).is_err());
    }

    #[test]
    fn template_has_stable_ids_an_empty_stance_and_a_seeded_shuffle() {
        let q = |start: usize, end: usize, actor: &str, text: &str| Quote {
            start,
            end,
            actor: actor.into(),
            text: text.into(),
        };
        let a = vec![
            q(0, 12, "ann_lee", "\"Go,\" she said."),
            q(20, 31, "bo_chan", "He agreed."),
        ];
        let b = vec![
            q(5, 16, "cy_dunn", "They left."),
            q(40, 52, "ann_lee", "She waited."),
        ];
        let docs = [("a.txt", a.as_slice()), ("b.txt", b.as_slice())];
        let plain = template_csv(docs, Option::None).unwrap();
        assert_eq!(
            plain,
            "id,doc,start,end,actor,text,stance\n\
             a.txt:0-12,a.txt,0,12,ann_lee,\"\"\"Go,\"\" she said.\",\n\
             a.txt:20-31,a.txt,20,31,bo_chan,He agreed.,\n\
             b.txt:5-16,b.txt,5,16,cy_dunn,They left.,\n\
             b.txt:40-52,b.txt,40,52,ann_lee,She waited.,\n"
        );
        // Reads back as an unlabelled corpus with the same ids.
        let c = crate::corpus::Corpus::from_bytes(
            std::path::Path::new("t.csv"),
            plain.as_bytes(),
            crate::corpus::ReadOptions::default(),
        )
        .unwrap();
        assert!(c.examples.iter().all(|e| e.stance.is_none()));
        assert_eq!(c.examples[3].id, "b.txt:40-52");
        // Ids do not depend on the other articles.
        let alone = template_csv([("b.txt", b.as_slice())], Option::None).unwrap();
        assert!(alone.contains("\nb.txt:5-16,"), "{alone}");
        let s1 = template_csv(docs, Some(7)).unwrap();
        assert_eq!(s1, template_csv(docs, Some(7)).unwrap());
        let lines = |s: &str| {
            let mut v: Vec<String> = s.lines().map(str::to_owned).collect();
            v.sort();
            v
        };
        assert_eq!(lines(&s1), lines(&plain));
        let orders: std::collections::BTreeSet<String> = (0..8)
            .map(|seed| template_csv(docs, Some(seed)).unwrap())
            .collect();
        assert!(orders.len() > 1);
    }
}
