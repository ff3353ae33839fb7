//! `stance extract`: quote sentences and speakers, and with `--eval`
//! their scores against hand labels (and actor-level stances with
//! `--model`, [`stance::eval::actors::actor_level_scores`]).

use std::path::Path;

use crate::args::config::{ActorLevel, ExtractConfig};
use crate::cmd::common::{load_aliases, stdout_write, write_output};
use stance::corpus::{Corpus, ReadOptions};
use stance::eval::actors::{
    actor_level_scores, extracted_by_doc, labelled_by_doc, leave_one_document_out_quotes,
    read_actor_labels, ActorPredictor, QuoteSource,
};
use stance::eval::calibrate::Method;
use stance::eval::estimates::{estimate_actors, evidence_report, EstimateSettings};
use stance::eval::report::{extracted_csv, template_csv};
use stance::extract as ex;
use stance::io::text::read_article_with;
use stance::meta::Manifest;
use stance::Error;

pub(crate) fn run(c: ExtractConfig) -> anyhow::Result<()> {
    let aliases = load_aliases(c.aliases.as_deref())?;
    let mut articles = c.articles.clone();
    let gold = match &c.eval {
        None => None,
        Some(eval) => {
            let labels = &eval.labels;
            let read = ReadOptions {
                lossy: c.lossy,
                ..ReadOptions::default()
            };
            let corpus = Corpus::read(labels, read)?;
            let mut gold = Vec::new();
            for e in &corpus.examples {
                let missing = |col: &str| {
                    Error::data(
                        labels,
                        Some(e.line),
                        Some(col),
                        format!("missing '{col}'; --eval needs doc,start,end,actor"),
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
                // Every labelled document, from the seeds folder.
                let docs: std::collections::BTreeSet<&str> =
                    gold.iter().map(|g| g.doc.as_str()).collect();
                articles = docs.into_iter().map(|d| eval.seeds.join(d)).collect();
                c.refuse_overwrite(&articles)?;
            }
            Some(gold)
        }
    };
    let mut found: Vec<(String, Vec<ex::Quote>)> = Vec::new();
    for path in &articles {
        let (doc, text) = read_article_with(path, c.lossy)?;
        let quotes = ex::extract(&text, &aliases);
        found.push((doc, quotes));
    }
    let meta = c.meta.as_deref().map(Manifest::read).transpose()?;
    if let Some(m) = &meta {
        m.check_docs(
            articles
                .iter()
                .zip(&found)
                .map(|(path, (doc, _))| (Some(doc.as_str()), path.as_path(), None)),
        )?;
    }
    // Score only the articles given, and only those the labels cover.
    let mut unlabelled: Vec<String> = Vec::new();
    let gold = match gold {
        Some(all) if !c.articles.is_empty() => {
            let docs: Vec<&str> = found.iter().map(|(d, _)| d.as_str()).collect();
            let (kept, absent) = ex::gold_of_docs(&all, &docs);
            let labels = c
                .eval
                .as_ref()
                .map_or(Path::new(""), |e| e.labels.as_path());
            if absent.len() == docs.len() {
                return Err(Error::data(
                    labels,
                    None,
                    Some("doc"),
                    format!(
                        "no labelled quotes for {}; expected ARTICLE file names as in the labels' doc column",
                        absent.join(", ")
                    ),
                )
                .into());
            }
            for d in &absent {
                eprintln!(
                    "stance: warning: {d} has no rows in {}; its quotes are left out of the scores",
                    labels.display()
                );
            }
            unlabelled = absent;
            Some(kept)
        }
        other => other,
    };
    if let Some(t) = &c.template {
        let body = template_csv(
            found.iter().map(|(d, q)| (d.as_str(), q.as_slice())),
            c.shuffle,
        )?;
        write_output(t, body.as_bytes())?;
        let n: usize = found.iter().map(|(_, q)| q.len()).sum();
        eprintln!(
            "stance: label template: {n} quotes from {} articles -> {}",
            found.len(),
            t.display()
        );
        if c.out.is_none() {
            return Ok(());
        }
    }
    let csv = extracted_csv(
        found.iter().map(|(d, q)| (d.as_str(), q.as_slice())),
        meta.as_ref(),
    )?;
    let (Some(gold), Some(eval)) = (gold, &c.eval) else {
        return match &c.out {
            Some(out) => write_output(out, csv.as_bytes()),
            None => stdout_write(csv.as_bytes()),
        };
    };
    let predicted: Vec<ex::Span> = found
        .iter()
        .filter(|(doc, _)| !unlabelled.contains(doc))
        .flat_map(|(doc, quotes)| {
            quotes.iter().map(|q| ex::Span {
                doc: doc.clone(),
                start: q.start,
                end: q.end,
                actor: q.actor.clone(),
            })
        })
        .collect();
    let s = ex::evaluate(&gold, &predicted);
    let mut summary = format!(
        "extraction vs {}: {} gold, {} predicted, {} matched\nquote sentences: precision {:.4}  recall {:.4}  f1 {:.4}\nspeaker accuracy on matched: {:.4} ({}/{})\n",
        eval.labels.display(),
        s.gold, s.predicted, s.matched, s.precision, s.recall, s.f1, s.speaker_accuracy, s.speaker_correct, s.matched
    );
    if let Some(out) = &c.out {
        write_output(out, csv.as_bytes())?;
    }
    if let Some(level) = &eval.actor_level {
        let extracted: Vec<(&str, &str, &str)> = found
            .iter()
            .flat_map(|(doc, quotes)| {
                quotes
                    .iter()
                    .map(move |q| (doc.as_str(), q.actor.as_str(), q.text.as_str()))
            })
            .collect();
        summary.push_str(&actor_level(level, &eval.labels, c.lossy, &extracted)?);
    }
    stdout_write(summary.as_bytes())
}

/// Actor-level accuracy of leave-one-document-out models, on extracted and
/// on hand-labelled quotes, against the actor-level gold.
fn actor_level(
    level: &ActorLevel,
    labels: &Path,
    lossy: bool,
    extracted: &[(&str, &str, &str)],
) -> anyhow::Result<String> {
    let corpus = Corpus::read(
        labels,
        ReadOptions {
            require_stance: true,
            lossy,
            ..Default::default()
        },
    )?;
    let gold_actors = read_actor_labels(&level.actors)?;
    let rows = actor_level_scores(
        &corpus,
        &gold_actors,
        extracted,
        &level.name,
        &level.featurizer,
        &level.model,
    )?;
    let mut out = format!(
        "\nactor-level stance, leave-one-document-out, vs {}:\n",
        level.actors.display()
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
    // Actor estimates with evidence levels, from calibrated leave-one-
    // document-out models (temperature scaling, as `train` by default).
    for (source, quotes) in [
        (QuoteSource::Extracted, extracted_by_doc(extracted)),
        (QuoteSource::HandLabelled, labelled_by_doc(&corpus)),
    ] {
        let q = leave_one_document_out_quotes(
            &corpus,
            &quotes,
            ActorPredictor::Model(&level.featurizer, &level.model),
            Some(Method::Temperature),
            EstimateSettings::default().seed,
        )?;
        let actors: Vec<&str> = q.actors.iter().map(String::as_str).collect();
        let docs: Vec<Option<&str>> = q.docs.iter().map(|d| Some(d.as_str())).collect();
        let est = estimate_actors(&actors, &docs, &q.probs, EstimateSettings::default())?;
        out.push_str(&format!(
            "\n{} on {}, temperature-calibrated, by evidence:\n{}",
            level.name,
            source.name(),
            evidence_report(&gold_actors, &est).table()
        ));
    }
    Ok(out)
}
