//! `stance train`: fits featurizer and model on a labelled file.

use crate::args::config::TrainConfig;
use crate::cmd::common::{stdout_write, write_output};
use stance::corpus::Corpus;
use stance::pipeline::Pipeline;

pub(crate) fn run(c: TrainConfig) -> anyhow::Result<()> {
    let corpus = Corpus::read(&c.data, c.read)?;
    let gold = corpus.labels()?;
    let p = Pipeline::fit(&c.featurizer, &c.model, &corpus.texts(), &gold)?;
    write_output(&c.out, p.to_json().as_bytes())?;
    stdout_write(
        format!(
            "trained {} on {} quotes ({} features) -> {}\n",
            c.model.name(),
            corpus.len(),
            p.featurizer.n_features(),
            c.out.display()
        )
        .as_bytes(),
    )
}
