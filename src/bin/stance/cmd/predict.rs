//! `stance predict`: labels quotes, or the extracted quotes of articles.

use crate::args::config::{PredictConfig, Quotes};
use crate::cmd::common::{load_aliases, stdout_write, write_output};
use stance::corpus::{Corpus, Example};
use stance::eval::estimates::{estimate_actors, estimates_csv, EstimateSettings};
use stance::eval::report::quote_predictions_csv;
use stance::extract as ex;
use stance::io::read_article;
use stance::pipeline::Pipeline;

pub(crate) fn run(c: PredictConfig) -> anyhow::Result<()> {
    let model = Pipeline::load(&c.model)?;
    let examples = match &c.quotes {
        Quotes::Data(data) => Corpus::read(data, c.read)?.examples,
        Quotes::Articles(articles) => {
            let aliases = load_aliases(c.aliases.as_deref())?;
            let mut ex = Vec::new();
            for path in articles {
                let (doc, text) = read_article(path)?;
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
                }
            }
            ex
        }
    };
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let probs = model.predict_proba(&texts)?;
    let csv = if c.by_actor {
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
        estimates_csv(&estimate_actors(&actors, &docs, &probs, settings)?)?
    } else {
        quote_predictions_csv(&examples, &probs)?
    };
    match &c.out {
        Some(out) => write_output(out, csv.as_bytes()),
        None => stdout_write(csv.as_bytes()),
    }
}
