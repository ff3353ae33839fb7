//! `stance score`: scores a saved model against hand labels
//! ([`stance::eval::score::Score`]), and per actor with `--by-actor`.

use crate::args::config::ScoreConfig;
use crate::cmd::common::{stdout_write, write_output};
use stance::corpus::Corpus;
use stance::eval::actors::{read_actor_labels, score_actors};
use stance::eval::estimates::{estimate_actors, evidence_report, EstimateSettings};
use stance::eval::score::Score;
use stance::label::ActorStance;
use stance::models::argmax;
use stance::pipeline::Pipeline;
use stance::{Error, Stance};

pub(crate) fn run(c: ScoreConfig) -> anyhow::Result<()> {
    let model = Pipeline::load(&c.model)?;
    let corpus = Corpus::read(&c.data, c.read)?;
    let gold = corpus.labels()?;
    let probs = model.predict_proba(&corpus.texts())?;
    let predicted: Vec<Stance> = probs.iter().map(argmax).collect();
    let score = Score::new(model.params.name(), &gold, &predicted, c.seed)?;
    // The same figures go to stdout and to the report.
    let mut out = format!(
        "model: {} ({})\ndata: {} ({} quotes)\n{}",
        c.model.display(),
        model.params.name(),
        c.data.display(),
        corpus.len(),
        score.table()
    );
    if let Some(path) = &c.actors {
        let gold_actors = read_actor_labels(path)?;
        let actors = quote_actors(&corpus)?;
        let docs: Vec<Option<&str>> = corpus.examples.iter().map(|e| e.doc.as_deref()).collect();
        let settings = EstimateSettings {
            seed: c.seed,
            ..Default::default()
        };
        let estimates = estimate_actors(&actors, &docs, &probs, settings)?;
        let pred = estimates
            .iter()
            .map(|e| (e.actor.clone(), ActorStance::Stance(e.stance)))
            .collect();
        let sc = score_actors(&gold_actors, &pred);
        out.push_str(&format!(
            "\nactors ({}): {} scored, {} without quotes; accuracy {:.4}  macro_f1 {:.4}\n",
            path.display(),
            sc.n,
            sc.missing,
            sc.accuracy,
            sc.macro_f1
        ));
        let evidence = evidence_report(&gold_actors, &estimates);
        out.push_str(&format!(
            "\nactor accuracy by evidence (see stance::eval::estimates):\n{}",
            evidence.table()
        ));
        if let Some(dir) = &c.report_dir {
            // One file, through a fresh folder swapped in whole
            // (stance::io::ReportDir).
            let csv = evidence.to_csv()?;
            dir.write(&[("evidence.csv", csv.as_bytes())])?;
            out.push_str(&format!(
                "\nreport: {}\n",
                dir.path().join("evidence.csv").display()
            ));
        }
    }
    if let Some(report) = &c.report {
        write_output(report, score.to_csv()?.as_bytes())?;
        out.push_str(&format!("\nreport: {}\n", report.display()));
    }
    stdout_write(out.as_bytes())
}

/// The actor of every example; an error names the first row without one.
fn quote_actors(corpus: &Corpus) -> anyhow::Result<Vec<&str>> {
    corpus
        .examples
        .iter()
        .map(|e| {
            e.actor.as_deref().ok_or_else(|| {
                Error::data(
                    &corpus.path,
                    Some(e.line),
                    Some("actor"),
                    "missing actor; --by-actor needs an actor on every row",
                )
                .into()
            })
        })
        .collect()
}
