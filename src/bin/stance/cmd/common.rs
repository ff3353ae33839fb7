//! Helpers shared by the commands: writing outputs (always atomically;
//! the configs have checked that no output names an input) and loading
//! aliases.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::args::config::{Labels, EMBEDDED_LABELS};
use stance::corpus::{Corpus, ReadOptions};

use stance::extract::Aliases;
use stance::io::write_atomic;
use stance::Error;

/// Writes `bytes` to stdout and flushes.
pub(crate) fn stdout_write(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// Writes `bytes` to the file at `path`, atomically.
pub(crate) fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    Ok(write_atomic(path, bytes)?)
}

/// The labelled data of `compare` and `curve`: the file (rows with an
/// empty stance left out, with a note, when `skip_unlabelled`), or the
/// embedded hand labels; with the name to print.
pub(crate) fn load_labels(
    labels: &Labels,
    read: ReadOptions,
    skip_unlabelled: bool,
) -> anyhow::Result<(Corpus, PathBuf)> {
    Ok(match labels {
        Labels::File(p) => {
            let (corpus, skipped) = Corpus::read_labelled(p, read, skip_unlabelled)?;
            if skipped > 0 {
                eprintln!(
                    "stance: note: {skipped} unlabelled rows of {} left out (--skip-unlabelled)",
                    p.display()
                );
            }
            (corpus, p.clone())
        }
        Labels::Embedded => {
            let name = PathBuf::from(EMBEDDED_LABELS);
            let opts = ReadOptions {
                require_stance: true,
                ..Default::default()
            };
            let corpus = Corpus::from_bytes(&name, stance::EMBEDDED_QUOTES.as_bytes(), opts)?;
            (corpus, name)
        }
    })
}

/// The alias table at `path`, or the built-in one.
pub(crate) fn load_aliases(path: Option<&Path>) -> anyhow::Result<Aliases> {
    Ok(match path {
        Some(p) => Aliases::from_path(p).map_err(Error::from)?,
        None => Aliases::embedded(),
    })
}
