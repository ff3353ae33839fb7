//! `stance extract`: quote sentences and speakers, and their scores.

use std::path::{Path, PathBuf};

use crate::args::ExtractArgs;
use crate::cmd::common::{load_aliases, read_article, stdout_write, write_output};
use stance::corpus::{Corpus, ReadOptions};
use stance::eval::actors::{actor_level_scores, read_actor_labels};
use stance::eval::report::extracted_csv;
use stance::extract as ex;
use stance::models::ModelParams;
use stance::Error;

/// Every file `extract` reads, so that `--out` never names one of them.
pub(crate) fn extract_inputs<'a>(a: &'a ExtractArgs, articles: &'a [PathBuf]) -> Vec<&'a Path> {
    let mut inputs: Vec<&Path> = articles.iter().map(PathBuf::as_path).collect();
    inputs.extend(a.eval.as_deref());
    inputs.extend(a.aliases.as_deref());
    inputs.extend(a.actors.as_deref());
    inputs
}

pub(crate) fn extract(a: ExtractArgs) -> anyhow::Result<()> {
    let aliases = load_aliases(a.aliases.as_deref())?;
    let mut articles = a.articles.clone();
    let gold = match &a.eval {
        None => None,
        Some(labels) => {
            let corpus = Corpus::read(labels, ReadOptions::default())?;
            let mut gold = Vec::new();
            for e in &corpus.examples {
                let missing = |c: &str| {
                    Error::data(
                        labels,
                        Some(e.line),
                        Some(c),
                        format!("missing '{c}'; --eval needs doc,start,end,actor"),
                    )
                };
                let (start, end) = e.span.ok_or_else(|| missing("start"))?;
                gold.push(ex::Span {
                    doc: e.doc.clone().ok_or_else(|| missing("doc"))?,
                    start,
                    end,
                    actor: e.actor.clone().ok_or_else(|| missing("actor"))?,
                });
            }
            if articles.is_empty() {
                let seeds = a.seeds.clone().unwrap_or_else(|| {
                    labels
                        .parent()
                        .unwrap_or(Path::new("."))
                        .join("..")
                        .join("seeds")
                });
                let docs: std::collections::BTreeSet<&str> =
                    gold.iter().map(|g| g.doc.as_str()).collect();
                articles = docs.into_iter().map(|d| seeds.join(d)).collect();
            }
            Some(gold)
        }
    };
    if articles.is_empty() {
        return Err(Error::param(
            "ARTICLE",
            "expected one or more article files (or --eval LABELS)",
        )
        .into());
    }
    let mut found: Vec<(String, Vec<ex::Quote>)> = Vec::new();
    for path in &articles {
        let (doc, text) = read_article(path)?;
        let quotes = ex::extract(&text, &aliases);
        found.push((doc, quotes));
    }
    let csv = extracted_csv(found.iter().map(|(d, q)| (d.as_str(), q.as_slice())))?;
    let csv = csv.as_bytes();
    let predicted: Vec<ex::Span> = found
        .iter()
        .flat_map(|(doc, quotes)| {
            quotes.iter().map(|q| ex::Span {
                doc: doc.clone(),
                start: q.start,
                end: q.end,
                actor: q.actor.clone(),
            })
        })
        .collect();
    if let Some(gold) = gold {
        let s = ex::evaluate(&gold, &predicted);
        let mut summary = format!(
            "extraction vs {}: {} gold, {} predicted, {} matched\nquote sentences: precision {:.4}  recall {:.4}  f1 {:.4}\nspeaker accuracy on matched: {:.4} ({}/{})\n",
            a.eval.as_ref().map_or(String::new(), |p| p.display().to_string()),
            s.gold, s.predicted, s.matched, s.precision, s.recall, s.f1, s.speaker_accuracy, s.speaker_correct, s.matched
        );
        if let Some(out) = &a.out {
            write_output(out, csv, &extract_inputs(&a, &articles), "--out")?;
        }
        if let (Some(name), Some(labels)) = (&a.model, &a.eval) {
            let extracted: Vec<(&str, &str, &str)> = found
                .iter()
                .flat_map(|(doc, quotes)| {
                    quotes
                        .iter()
                        .map(move |q| (doc.as_str(), q.actor.as_str(), q.text.as_str()))
                })
                .collect();
            summary.push_str(&actor_level_lodo(&a, name, labels, &extracted)?);
        }
        return stdout_write(summary.as_bytes());
    }
    match &a.out {
        Some(out) => write_output(out, csv, &extract_inputs(&a, &articles), "--out"),
        None => stdout_write(csv),
    }
}

/// Actor-level accuracy of leave-one-document-out models, on extracted and
/// on hand-labelled quotes, against the actor-level gold.
pub(crate) fn actor_level_lodo(
    a: &ExtractArgs,
    name: &str,
    labels: &Path,
    extracted: &[(&str, &str, &str)],
) -> anyhow::Result<String> {
    let fp = a.feat.to_params()?;
    let mp = ModelParams::from_name(name)?;
    let corpus = Corpus::read(
        labels,
        ReadOptions {
            require_stance: true,
            ..Default::default()
        },
    )?;
    let actors_path = a
        .actors
        .clone()
        .unwrap_or_else(|| labels.parent().unwrap_or(Path::new(".")).join("actors.csv"));
    let gold_actors = read_actor_labels(&actors_path)?;
    let rows = actor_level_scores(&corpus, &gold_actors, extracted, name, &fp, &mp)?;
    let mut out = format!(
        "\nactor-level stance, leave-one-document-out, vs {}:\n",
        actors_path.display()
    );
    let width = rows.iter().map(|r| r.predictor.len()).max().unwrap_or(0);
    for r in &rows {
        let s = &r.scores;
        out.push_str(&format!(
            "  {:<width$}  {:<20}  accuracy {:.4}  macro_f1 {:.4}  ({} actors scored, {} not found)\n",
            r.predictor,
            r.quotes.name(),
            s.accuracy,
            s.macro_f1,
            s.n,
            s.missing
        ));
    }
    out.push_str(
        "  (baselines read no text: actor-majority gives every quote the most common actor-level\n   stance of the training actors; speaker-history gives the speaker's stance in the\n   training quotes, or the actor-majority one for unseen speakers)\n",
    );
    Ok(out)
}
