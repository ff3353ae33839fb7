//! `stance compare`: cross-validates models on the same folds and reports.

use std::path::PathBuf;

use crate::args::{CompareArgs, InputArgs};
use crate::cmd::common::{model_list, read, stdout_write, write_output};
use stance::corpus::{Corpus, ReadOptions};
use stance::eval::metrics::ZeroDivision;
use stance::eval::split::{self, CvScheme};
use stance::eval::{self, bootstrap, report, svg, BootstrapSettings};
use stance::pipeline::Pipeline;
use stance::{Error, Stance};

pub(crate) fn compare(a: CompareArgs) -> anyhow::Result<()> {
    let fp = a.feat.to_params()?;
    let models = model_list(a.models.as_deref())?;
    if a.resamples == 0 {
        return Err(Error::param("--resamples", "must be at least 1").into());
    }
    let (corpus, source) = match &a.data {
        Some(p) => (read(p, &a.input, true)?, p.clone()),
        None => default_corpus(&a.input)?,
    };
    let gold = corpus.labels()?;
    let texts = corpus.texts();
    let docs: Vec<Option<&str>> = corpus.examples.iter().map(|e| e.doc.as_deref()).collect();
    let scheme = a.cv.unwrap_or(if docs.iter().all(Option::is_some) {
        CvScheme::Doc
    } else {
        CvScheme::KFold(5)
    });
    let groups = split::group_duplicates(&texts);
    let folds = split::plan(scheme, &docs, &gold, &groups, a.seed)?;
    for s in Stance::ALL {
        let n = gold.iter().filter(|&&g| g == s).count();
        if n < folds.len() {
            eprintln!(
                "stance: note: class {s} has {n} examples, fewer than the {} folds; some test folds have none of it",
                folds.len()
            );
        }
    }
    let n_groups = {
        let mut g = groups.clone();
        g.sort_unstable();
        g.dedup();
        g.len()
    };
    let mut choices = Vec::new();
    let mut runs = Vec::with_capacity(models.len());
    for m in &models {
        if a.grid {
            let (run, c) = eval::grid::nested_cross_validate(
                &texts,
                &gold,
                &docs,
                &folds,
                fp.params(),
                m,
                a.seed,
            )?;
            runs.push(run);
            choices.extend(c);
        } else {
            runs.push(eval::cross_validate(&texts, &gold, &folds, &fp, m)?);
        }
    }
    let boot = BootstrapSettings {
        resamples: a.resamples,
        level: bootstrap::DEFAULT_LEVEL,
        seed: a.seed,
    };
    let zd = ZeroDivision::Zero;
    let summaries = eval::summarize(&gold, &runs, zd, boot)?;
    let compare_csv = eval::compare_csv(&summaries)?;
    let mut written: Vec<PathBuf> = Vec::new();
    let report = match (&a.report, &a.report_dir) {
        (Some(r), _) => Some(r.clone()),
        (None, None) => Some(PathBuf::from("reports/compare.csv")),
        (None, Some(_)) => None,
    };
    if let Some(r) = &report {
        write_output(r, compare_csv.as_bytes(), &[&source], "--report")?;
        written.push(r.clone());
    }
    if let Some(dir) = &a.report_dir {
        // Every model refitted on all the data; those with per-class
        // feature weights go to features.csv.
        let mut fitted = Vec::new();
        for m in &models {
            let p = Pipeline::fit(&fp, m, &texts, &gold)?;
            if p.model.class_weights().is_some() {
                fitted.push(p);
            }
        }
        let feats: Vec<(&str, &stance::models::FittedModel, &[String])> = fitted
            .iter()
            .map(|p| (p.params.name(), &p.model, p.featurizer.names()))
            .collect();
        // Best by macro-F1, ties to the earlier model (as in summarize).
        let best = (0..summaries.len()).reduce(|b, i| {
            if summaries[i].point[1] > summaries[b].point[1] {
                i
            } else {
                b
            }
        });
        let mut files: Vec<(&str, String)> = vec![
            ("compare.csv", compare_csv.clone()),
            ("per_class.csv", report::per_class_csv(&summaries, zd)?),
            ("confusion.csv", report::confusion_csv(&summaries)?),
            (
                "predictions.csv",
                report::predictions_csv(&corpus.examples, &gold, &runs)?,
            ),
            ("features.csv", report::features_csv(&feats)?),
            ("macro_f1.svg", svg::macro_f1_chart(&summaries, boot.level)),
        ];
        if let Some(b) = best {
            files.push(("confusion.svg", svg::confusion_heatmap(&summaries[b])));
        }
        if a.grid {
            files.push(("grid.csv", eval::grid::grid_csv(&choices)?));
        }
        for (name, body) in files {
            let path = dir.join(name);
            write_output(&path, body.as_bytes(), &[&source], "--report-dir")?;
            written.push(path);
        }
    }
    let features = if a.grid {
        format!("grid over 1..1/1..2-grams and min_df 1/2 (models without a grid: {fp})")
    } else {
        fp.to_string()
    };
    let head = format!(
        "data: {} ({} quotes, {} distinct-quote groups)\ncv: {scheme} ({} folds), seed {}, {} bootstrap resamples{}\n\
         features: {features}\n\n",
        source.display(),
        corpus.len(),
        n_groups,
        folds.len(),
        a.seed,
        a.resamples,
        if a.grid {
            ", nested grid search (inner: leave one document out, else kfold:3)"
        } else {
            ""
        },
    );
    let table = eval::compare_table(&summaries, boot.level);
    let mut out = format!("{head}{table}");
    if a.grid {
        out.push_str("\ngrid choices (model, outer fold: settings, inner macro-F1):\n");
        for c in &choices {
            out.push_str(&format!(
                "  {:<7} {:<28} {:<34} {:.4}\n",
                c.model, c.fold, c.settings, c.inner_macro_f1
            ));
        }
    }
    out.push_str("\np-values: approximate randomisation test of macro-F1 differences\n");
    for w in &written {
        out.push_str(&format!("report: {}\n", w.display()));
    }
    stdout_write(out.as_bytes())
}

/// labels/quotes.csv in the working folder, else the embedded copy.
pub(crate) fn default_corpus(input: &InputArgs) -> anyhow::Result<(Corpus, PathBuf)> {
    let path = PathBuf::from("labels/quotes.csv");
    if path.exists() {
        return Ok((read(&path, input, true)?, path));
    }
    let name = PathBuf::from("<embedded labels/quotes.csv>");
    let c = Corpus::from_bytes(
        &name,
        stance::EMBEDDED_QUOTES.as_bytes(),
        ReadOptions {
            require_stance: true,
            ..Default::default()
        },
    )?;
    Ok((c, name))
}
