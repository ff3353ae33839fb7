//! `stance score`: scores a saved model against hand labels.

use std::path::Path;

use crate::args::ScoreArgs;
use crate::cmd::common::{load_model, read, stdout_write, write_output};
use stance::corpus::Corpus;
use stance::eval::actors::{aggregate, read_actor_labels, score_actors};
use stance::eval::score::Score;
use stance::models::argmax;
use stance::{Error, Stance};

pub(crate) fn score(a: ScoreArgs) -> anyhow::Result<()> {
    let actors_path = a.by_actor.then(|| {
        a.actors
            .clone()
            .unwrap_or_else(|| a.data.parent().unwrap_or(Path::new(".")).join("actors.csv"))
    });
    let model = load_model(&a.model)?;
    let corpus = read(&a.data, &a.input, true)?;
    let gold = corpus.labels()?;
    let probs = model.predict_proba(&corpus.texts())?;
    let predicted: Vec<Stance> = probs.iter().map(argmax).collect();
    let score = Score::new(model.params.name(), &gold, &predicted, a.seed)?;
    // The same figures go to stdout and to the report.
    let mut out = format!(
        "model: {} ({})\ndata: {} ({} quotes)\n{}",
        a.model.display(),
        model.params.name(),
        a.data.display(),
        corpus.len(),
        score.table()
    );
    if let Some(path) = &actors_path {
        let gold_actors = read_actor_labels(path)?;
        let actors = quote_actors(&corpus)?;
        let pred = aggregate(&actors, &probs)
            .into_iter()
            .map(|(k, v)| (k, v.stance))
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
    }
    if let Some(report) = &a.report {
        let csv = score.to_csv()?;
        let mut inputs: Vec<&Path> = vec![&a.data, &a.model];
        inputs.extend(actors_path.as_deref());
        write_output(report, csv.as_bytes(), &inputs, "--report")?;
        out.push_str(&format!("\nreport: {}\n", report.display()));
    }
    stdout_write(out.as_bytes())
}

/// The actor of every example; an error names the first row without one.
pub(crate) fn quote_actors(corpus: &Corpus) -> anyhow::Result<Vec<&str>> {
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
