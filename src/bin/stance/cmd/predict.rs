//! `stance predict`: labels quotes, or the extracted quotes of articles.

use crate::args::config::{with_flag_names, PredictConfig, Quotes};
use crate::cmd::common::{load_aliases, stdout_write, write_output};
use stance::corpus::{Corpus, Example};
use stance::eval::estimates::{
    estimate_actors, estimate_by_period, estimates_csv, period_estimates_csv, EstimateSettings,
};
use stance::eval::explain::{explain, format_explanation};
use stance::eval::html::{predict_page, Chart, PredictPage};
use stance::eval::report::{quote_predictions_csv, PREDICT_REPORT_FILES};
use stance::eval::svg::{actor_chart, period_heatmap};
use stance::extract as ex;
use stance::io::text::read_article_with;
use stance::meta::Manifest;
use stance::pipeline::Pipeline;
use stance::progress::Progress;

pub(crate) fn run(c: PredictConfig, progress: &dyn Progress) -> anyhow::Result<()> {
    let model = Pipeline::load(&c.model)?;
    // With articles, the article each quote was found in.
    let mut article_of: Vec<usize> = Vec::new();
    let examples = match &c.quotes {
        Quotes::Data(data) => Corpus::read(data, c.read)?.examples,
        Quotes::Articles(articles) => {
            let aliases = load_aliases(c.aliases.as_deref())?;
            let mut ex = Vec::new();
            progress.start("extracting quotes", articles.len() as u64);
            for (k, path) in articles.iter().enumerate() {
                let (doc, text) = read_article_with(path, c.read.lossy)?;
                progress.advance(1, &doc);
                for q in ex::extract(&text, &aliases) {
                    ex.push(Example {
                        id: format!("{doc}:{}", q.start),
                        doc: Some(doc.clone()),
                        actor: Some(q.actor),
                        target: None,
                        text: q.text,
                        stance: None,
                        span: Some((q.start, q.end)),
                        line: 0,
                    });
                    article_of.push(k);
                }
            }
            progress.finish();
            ex
        }
    };
    let meta = c.meta.as_deref().map(Manifest::read).transpose()?;
    if let Some(m) = &meta {
        // Where each quote came from, for an unknown-document error.
        let sources: Vec<(&std::path::Path, Option<u64>)> = match &c.quotes {
            Quotes::Data(data) => examples
                .iter()
                .map(|e| (data.as_path(), Some(e.line)))
                .collect(),
            Quotes::Articles(articles) => article_of
                .iter()
                .map(|&k| (articles[k].as_path(), None))
                .collect(),
        };
        m.check_docs(
            examples
                .iter()
                .zip(&sources)
                .map(|(e, &(p, row))| (e.doc.as_deref(), p, row)),
        )?;
    }
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let probs = model.predict_proba(&texts)?;
    // Quotes without an actor are grouped under `unknown`.
    let actors: Vec<&str> = examples
        .iter()
        .map(|e| e.actor.as_deref().unwrap_or("unknown"))
        .collect();
    let docs: Vec<Option<&str>> = examples.iter().map(|e| e.doc.as_deref()).collect();
    let settings = EstimateSettings {
        seed: c.seed,
        ..Default::default()
    };
    let estimates = estimate_actors(&actors, &docs, &probs, settings)?;
    let by_period = match (&meta, c.by) {
        (Some(m), Some(by)) => {
            let periods: Vec<String> = docs.iter().map(|d| m.period(*d, by)).collect();
            Some(estimate_by_period(
                &actors, &docs, &periods, &probs, settings,
            )?)
        }
        _ => None,
    };
    let actors_csv = match &by_period {
        Some(e) => period_estimates_csv(e)?,
        None => estimates_csv(&estimates)?,
    };
    // Explanations: asked for, or for the report of a linear model.
    let k = c.explain.or(c.report_dir.as_ref().map(|_| 3));
    let why = match k {
        Some(k) if c.explain.is_some() || model.model.class_weights().is_some() => Some(
            explain(&model, &texts, &probs, k)
                .map_err(with_flag_names)?
                .iter()
                .map(|e| format_explanation(e))
                .collect::<Vec<String>>(),
        ),
        _ => None,
    };
    let quotes_csv = quote_predictions_csv(
        &examples,
        &probs,
        meta.as_ref(),
        c.explain.and(why.as_deref()),
    )?;
    let mut written = Vec::new();
    if let Some(dir) = &c.report_dir {
        let mut charts = vec![Chart {
            svg: actor_chart(&estimates, settings.level),
        }];
        if let (Some(e), Some(by)) = (&by_period, c.by) {
            charts.push(Chart {
                svg: period_heatmap(e, &by.to_string()),
            });
        }
        let page = PredictPage {
            meta: vec![
                format!(
                    "model: {} ({}, calibration {})",
                    c.model.display(),
                    model.params.name(),
                    model
                        .calibrator
                        .as_ref()
                        .map_or_else(|| "none".to_owned(), ToString::to_string)
                ),
                format!(
                    "{} quotes, {} actors{}",
                    examples.len(),
                    estimates.len(),
                    c.meta
                        .as_ref()
                        .map_or_else(String::new, |m| format!("; manifest {}", m.display()))
                ),
            ],
            actors: match &by_period {
                Some(e) => e.iter().map(|(p, a)| (Some(p.as_str()), a)).collect(),
                None => estimates.iter().map(|a| (None, a)).collect(),
            },
            by: c.by.map(|b| b.to_string()),
            examples: &examples,
            probs: &probs,
            explanations: why.as_deref(),
            charts,
            level: settings.level,
        };
        let [quotes_name, actors_name, page_name] = PREDICT_REPORT_FILES;
        let predictions = quote_predictions_csv(&examples, &probs, meta.as_ref(), why.as_deref())?;
        let page = predict_page(&page)?;
        let files: [(&str, &[u8]); 3] = [
            (quotes_name, predictions.as_bytes()),
            (actors_name, actors_csv.as_bytes()),
            (page_name, page.as_bytes()),
        ];
        // The set goes to a fresh folder swapped in whole (stance::io::ReportDir).
        dir.write(&files)?;
        written.extend(files.iter().map(|(name, _)| dir.path().join(name)));
    }
    let csv = if c.by_actor { actors_csv } else { quotes_csv };
    match &c.out {
        Some(out) => write_output(out, csv.as_bytes())?,
        None => stdout_write(csv.as_bytes())?,
    }
    if !written.is_empty() {
        let list: Vec<String> = written
            .iter()
            .map(|p| format!("report: {}\n", p.display()))
            .collect();
        eprint!("{}", list.concat());
    }
    Ok(())
}
