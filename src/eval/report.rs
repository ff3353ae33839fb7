//! The report files of `stance compare --report-dir`, built as strings
//! (the binary writes them): per-class scores, the confusion matrices in
//! long format, every quote's out-of-fold predictions, and the top
//! weighted features of the linear models. Rows are in model order, then
//! [`Stance::ALL`] order, so the same inputs give byte-identical files.
//!
//! | file | columns |
//! |---|---|
//! | `per_class.csv` | `model,class,precision,recall,f1,support` |
//! | `confusion.csv` | `model,gold,predicted,count` |
//! | `predictions.csv` | `id,doc,actor,text,gold`, then per model `<model>_pred,<model>_p_favor,<model>_p_against,<model>_p_none` |
//! | `features.csv` | `model,class,rank,feature,weight` |
//!
//! All scores and predictions are out-of-fold (each quote predicted by the
//! model that did not train on it). `features.csv` is the exception: its
//! weights come from the linear models (`nb`, `logreg`, `svm`) **fitted
//! once on all the data** with the command's featurizer settings and
//! default hyper-parameters (also under `--grid`), since per-fold weights
//! have no common vocabulary. For `nb` the weight is the class's
//! log-probability of the feature minus its mean over the classes.
//! `grid.csv` is built by [`crate::eval::grid::grid_csv`] and the two
//! pictures by [`crate::eval::svg`].

use crate::corpus::Example;
use crate::error::{Error, Result};
use crate::eval::metrics::ZeroDivision;
use crate::eval::{CvPredictions, Summary};
use crate::label::Stance;
use crate::models::FittedModel;

/// Features listed per class in `features.csv`.
pub const TOP_FEATURES: usize = 20;

fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::report("CSV", format!("cannot build CSV: {e}"))
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<String> {
    let bytes = w.into_inner().map_err(csv_error)?;
    String::from_utf8(bytes).map_err(csv_error)
}

/// `per_class.csv`: precision, recall, F1 and support of every class of
/// every model (4 decimals; zero divisions count as `zd`).
pub fn per_class_csv(summaries: &[Summary], zd: ZeroDivision) -> String {
    let mut s = String::from("model,class,precision,recall,f1,support\n");
    for r in summaries {
        for c in Stance::ALL {
            let k = r.confusion.class_scores(c, zd);
            s.push_str(&format!(
                "{},{},{:.4},{:.4},{:.4},{}\n",
                r.model, c, k.precision, k.recall, k.f1, k.support
            ));
        }
    }
    s
}

/// `confusion.csv`: the pooled out-of-fold confusion matrix of every model
/// in long format, all nine cells including zeros.
pub fn confusion_csv(summaries: &[Summary]) -> String {
    let mut s = String::from("model,gold,predicted,count\n");
    for r in summaries {
        for g in Stance::ALL {
            for p in Stance::ALL {
                s.push_str(&format!(
                    "{},{},{},{}\n",
                    r.model,
                    g,
                    p,
                    r.confusion.counts[g.index()][p.index()]
                ));
            }
        }
    }
    s
}

/// `predictions.csv`: every quote with its gold label and each model's
/// out-of-fold prediction and probabilities (4 decimals).
///
/// # Errors
/// [`Error::Report`] if the runs do not cover the examples.
pub fn predictions_csv(
    examples: &[Example],
    gold: &[Stance],
    runs: &[CvPredictions],
) -> Result<String> {
    if gold.len() != examples.len() || runs.iter().any(|r| r.probs.len() != examples.len()) {
        return Err(Error::report(
            "predictions.csv",
            "predictions do not cover every example",
        ));
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["id", "doc", "actor", "text", "gold"]
        .map(str::to_owned)
        .to_vec();
    for r in runs {
        for suffix in ["pred", "p_favor", "p_against", "p_none"] {
            header.push(format!("{}_{suffix}", r.model));
        }
    }
    w.write_record(&header).map_err(csv_error)?;
    for (i, e) in examples.iter().enumerate() {
        let mut row: Vec<String> = vec![
            e.id.clone(),
            e.doc.clone().unwrap_or_default(),
            e.actor.clone().unwrap_or_default(),
            e.text.clone(),
            gold[i].to_string(),
        ];
        for r in runs {
            row.push(r.predicted[i].to_string());
            row.extend(r.probs[i].iter().map(|p| format!("{p:.4}")));
        }
        w.write_record(&row).map_err(csv_error)?;
    }
    finish(w)
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
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["model", "class", "rank", "feature", "weight"])
        .map_err(csv_error)?;
    for (name, model, names) in models {
        let Some(weights) = model.class_weights() else {
            continue;
        };
        for (c, wc) in weights.iter().enumerate() {
            let Some(wc) = wc else { continue };
            if wc.len() != names.len() {
                return Err(Error::report(
                    "features.csv",
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
                w.write_record([
                    name.to_string(),
                    Stance::ALL[c].to_string(),
                    (rank + 1).to_string(),
                    names[j].clone(),
                    format!("{:.6}", wc[j]),
                ])
                .map_err(csv_error)?;
            }
        }
    }
    finish(w)
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
        let pc = per_class_csv(&s, ZeroDivision::Zero);
        assert_eq!(pc.lines().count(), 1 + 2 * 3);
        assert!(pc.contains("\nx,favor,1.0000,1.0000,1.0000,1\n"), "{pc}");
        let cm = confusion_csv(&s);
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
}
