//! `stance train`: fits featurizer and model on a labelled file.

use crate::args::config::TrainConfig;
use crate::cmd::common::{stdout_write, write_output};
use stance::corpus::Corpus;
use stance::pipeline::Pipeline;

pub(crate) fn run(c: TrainConfig) -> anyhow::Result<()> {
    let (corpus, skipped) = Corpus::read_labelled(&c.data, c.read, c.skip_unlabelled)?;
    if skipped > 0 {
        eprintln!(
            "stance: note: {skipped} unlabelled rows of {} left out (--skip-unlabelled)",
            c.data.display()
        );
    }
    let gold = corpus.labels()?;
    let docs: Vec<Option<&str>> = corpus.examples.iter().map(|e| e.doc.as_deref()).collect();
    let p = Pipeline::fit_calibrated(
        &c.featurizer,
        &c.model,
        &corpus.texts(),
        &gold,
        &docs,
        c.calibration,
        c.seed,
    )?;
    write_output(&c.out, p.to_json().as_bytes())?;
    stdout_write(
        format!(
            "trained {} on {} quotes ({} features, calibration {}) -> {}\n",
            c.model.name(),
            corpus.len(),
            p.featurizer.n_features(),
            p.calibrator
                .as_ref()
                .map_or_else(|| "none".to_owned(), ToString::to_string),
            c.out.display()
        )
        .as_bytes(),
    )
}
