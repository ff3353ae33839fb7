//! `stance suggest`: the next quotes to label, ranked by the model's
//! uncertainty ([`stance::eval::active`]), near-duplicates skipped.

use crate::args::config::SuggestConfig;
use crate::cmd::common::{stdout_write, write_output};
use stance::corpus::{Corpus, Example, ReadOptions};
use stance::eval::active::suggestions_csv;
use stance::pipeline::Pipeline;

pub(crate) fn run(c: SuggestConfig) -> anyhow::Result<()> {
    let model = Pipeline::load(&c.model)?;
    let opts = ReadOptions {
        lossy: c.lossy,
        ..ReadOptions::default()
    };
    let pool = Corpus::read(&c.data, opts)?;
    let (labelled, candidates): (Vec<Example>, Vec<Example>) =
        pool.examples.into_iter().partition(|e| e.stance.is_some());
    // Quotes already labelled: the training file's and the pool's own.
    let mut known: Vec<String> = labelled.iter().map(|e| e.text.clone()).collect();
    if let Some(train) = &c.train {
        let t = Corpus::read(train, opts)?;
        known.extend(t.examples.into_iter().map(|e| e.text));
    }
    let texts: Vec<&str> = candidates.iter().map(|e| e.text.as_str()).collect();
    let chosen = c.params.suggest(&model, &texts, &known)?;
    let csv = suggestions_csv(&candidates, &chosen)?;
    let mut note = format!(
        "stance: suggest: {} of {} unlabelled quotes of {} by {}",
        chosen.len(),
        candidates.len(),
        c.data.display(),
        c.params.params().strategy_name()
    );
    if !labelled.is_empty() {
        note.push_str(&format!(
            "; {} labelled rows of the pool not suggested",
            labelled.len()
        ));
    }
    match &c.train {
        Some(t) => note.push_str(&format!(
            "; near-duplicates of each other and of {} skipped",
            t.display()
        )),
        None => note.push_str(
            "; near-duplicates of each other skipped (give --train to skip those of the training quotes too)",
        ),
    }
    eprintln!("{note}");
    match &c.out {
        Some(out) => write_output(out, csv.as_bytes()),
        None => stdout_write(csv.as_bytes()),
    }
}
