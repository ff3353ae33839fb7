//! Helpers shared by the commands: writing outputs (always atomically;
//! the configs have checked that no output names an input) and loading
//! aliases.

use std::io::Write;
use std::path::Path;

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

/// The alias table at `path`, or the built-in one.
pub(crate) fn load_aliases(path: Option<&Path>) -> anyhow::Result<Aliases> {
    Ok(match path {
        Some(p) => Aliases::from_path(p).map_err(Error::from)?,
        None => Aliases::embedded(),
    })
}
