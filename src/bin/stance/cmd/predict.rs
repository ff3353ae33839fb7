//! `stance predict`: labels quotes, or the extracted quotes of articles.

use std::path::Path;

use crate::args::PredictArgs;
use crate::cmd::common::{
    load_aliases, load_model, read, read_article, stdout_write, write_output,
};
use stance::corpus::Example;
use stance::eval::actors::aggregate;
use stance::extract as ex;
use stance::models::{argmax, Probs};
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
        by_actor_csv(&examples, &probs)?
    } else {
        quotes_csv(&examples, &probs)?
    };
    match &a.out {
        Some(out) => write_output(out, &csv, &inputs, "--out"),
        None => stdout_write(&csv),
    }
}

pub(crate) fn quotes_csv(examples: &[Example], probs: &[Probs]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "doc",
        "actor",
        "text",
        "stance",
        "p_favor",
        "p_against",
        "p_none",
    ])?;
    for (e, p) in examples.iter().zip(probs) {
        w.write_record([
            e.doc.as_deref().unwrap_or(""),
            e.actor.as_deref().unwrap_or(""),
            &e.text,
            argmax(p).as_str(),
            &format!("{:.4}", p[0]),
            &format!("{:.4}", p[1]),
            &format!("{:.4}", p[2]),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// Per actor: the guide's rule over the predicted labels of the actor's
/// quotes, the count, the mean class probabilities and a confidence (mean
/// probability of the chosen stance). Quotes without an actor are grouped
/// under `unknown`.
pub(crate) fn by_actor_csv(examples: &[Example], probs: &[Probs]) -> anyhow::Result<Vec<u8>> {
    let actors: Vec<&str> = examples
        .iter()
        .map(|e| e.actor.as_deref().unwrap_or("unknown"))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "actor",
        "stance",
        "n",
        "p_favor",
        "p_against",
        "p_none",
        "confidence",
    ])?;
    for (actor, p) in aggregate(&actors, probs) {
        w.write_record([
            actor.as_str(),
            &p.stance.to_string(),
            &p.n.to_string(),
            &format!("{:.4}", p.mean[0]),
            &format!("{:.4}", p.mean[1]),
            &format!("{:.4}", p.mean[2]),
            &format!("{:.4}", p.confidence),
        ])?;
    }
    Ok(w.into_inner()?)
}
