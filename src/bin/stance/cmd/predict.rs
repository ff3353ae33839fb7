//! `stance predict`: labels quotes, or the extracted quotes of articles.

use std::path::Path;

use crate::args::PredictArgs;
use crate::cmd::common::{
    load_aliases, load_model, read, read_article, stdout_write, write_output,
};
use stance::corpus::Example;
use stance::eval::actors::by_actor_csv;
use stance::eval::report::quote_predictions_csv;
use stance::extract as ex;
use stance::Error;

pub(crate) fn predict(a: PredictArgs) -> anyhow::Result<()> {
    let model = load_model(&a.model)?;
    let mut inputs: Vec<&Path> = vec![&a.model];
    inputs.extend(a.aliases.as_deref());
    let examples = match (&a.data, a.articles.is_empty()) {
        (Some(data), _) => {
            inputs.push(data);
            read(data, &a.input, false)?.examples
        }
        (None, false) => {
            let aliases = load_aliases(a.aliases.as_deref())?;
            let mut ex = Vec::new();
            for path in &a.articles {
                inputs.push(path);
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
        (None, true) => {
            return Err(
                Error::param("--data", "expected --data F or one or more ARTICLE files").into(),
            );
        }
    };
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let probs = model.predict_proba(&texts)?;
    let csv = if a.by_actor {
        // Quotes without an actor are grouped under `unknown`.
        let actors: Vec<&str> = examples
            .iter()
            .map(|e| e.actor.as_deref().unwrap_or("unknown"))
            .collect();
        by_actor_csv(&actors, &probs)?
    } else {
        quote_predictions_csv(&examples, &probs)?
    };
    match &a.out {
        Some(out) => write_output(out, csv.as_bytes(), &inputs, "--out"),
        None => stdout_write(csv.as_bytes()),
    }
}
