//! `stance train`: fits featurizer and model on a labelled file.

use crate::args::TrainArgs;
use crate::cmd::common::{read, stdout_write};
use stance::io::{refuse_overwrite, write_atomic};
use stance::models::ModelParams;
use stance::pipeline::Pipeline;

pub(crate) fn train(a: TrainArgs) -> anyhow::Result<()> {
    let fp = a.feat.to_params()?;
    let mp = ModelParams::from_name(&a.model)?;
    refuse_overwrite("--out", &a.out, &[&a.data])?;
    let corpus = read(&a.data, &a.input, true)?;
    let gold = corpus.labels()?;
    let p = Pipeline::fit(&fp, &mp, &corpus.texts(), &gold)?;
    write_atomic(&a.out, p.to_json().as_bytes())?;
    stdout_write(
        format!(
            "trained {} on {} quotes ({} features) -> {}\n",
            mp.name(),
            corpus.len(),
            p.featurizer.n_features(),
            a.out.display()
        )
        .as_bytes(),
    )
}
