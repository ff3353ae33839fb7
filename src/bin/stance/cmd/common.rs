//! Helpers shared by the commands: reading inputs, writing outputs
//! (never over an input, always atomically) and loading models and aliases.

use std::io::Write;
use std::path::Path;

use crate::args::InputArgs;
use stance::corpus::{Corpus, ReadOptions};
use stance::extract::Aliases;
pub(crate) use stance::io::read_article;
use stance::io::{refuse_overwrite, write_atomic};
use stance::models::ModelParams;
use stance::pipeline::Pipeline;
use stance::Error;

pub(crate) fn read(path: &Path, input: &InputArgs, require_stance: bool) -> anyhow::Result<Corpus> {
    Ok(Corpus::read(
        path,
        ReadOptions {
            format: input.format,
            require_stance,
            lossy: input.lossy,
        },
    )?)
}

pub(crate) fn stdout_write(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

pub(crate) fn write_output(
    path: &Path,
    bytes: &[u8],
    inputs: &[&Path],
    flag: &'static str,
) -> anyhow::Result<()> {
    refuse_overwrite(flag, path, inputs)?;
    write_atomic(path, bytes)?;
    Ok(())
}

/// The models of a `--models` list (the table's default list when not
/// given); errors name that flag.
pub(crate) fn model_list(names: Option<&[String]>) -> anyhow::Result<Vec<ModelParams>> {
    let defaults = stance::models::default_model_names();
    let names: Vec<&str> = match names {
        Some(n) => n.iter().map(|m| m.trim()).collect(),
        None => defaults,
    };
    let models = names
        .iter()
        .map(|m| {
            ModelParams::from_name(m).map_err(|e| match e {
                Error::InvalidParam { message, .. } => Error::param("--models", message),
                other => other,
            })
        })
        .collect::<stance::Result<Vec<_>>>()?;
    if models.is_empty() {
        return Err(Error::param("--models", "expected at least one model").into());
    }
    Ok(models)
}

pub(crate) fn load_model(path: &Path) -> anyhow::Result<Pipeline> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let json = std::str::from_utf8(&bytes).map_err(|_| Error::ModelFile {
        path: path.to_owned(),
        message: "not UTF-8 text; expected the JSON written by `stance train`".into(),
    })?;
    Ok(Pipeline::from_json(path, json)?)
}

pub(crate) fn load_aliases(path: Option<&Path>) -> anyhow::Result<Aliases> {
    Ok(match path {
        Some(p) => Aliases::from_path(p).map_err(Error::from)?,
        None => Aliases::embedded(),
    })
}
