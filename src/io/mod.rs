//! File helpers: safe output and bounded input.
//!
//! Every file the crate writes goes to a temporary file in the target
//! folder first and is renamed over the target only when complete, so a
//! crash or error never leaves a half-written report or destroys the
//! previous one; [`refuse_overwrite`] keeps an output from naming one of
//! its inputs. [`lines`] reads a text file in bounded blocks of whole
//! lines; [`table`] builds every CSV the crate writes.

pub mod lines;
pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically (temp file + rename), creating the
/// parent folder if needed.
///
/// # Errors
/// [`Error::Io`] naming `path` (or its temporary file).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Streams output to `path` atomically: `write` gets a buffered writer on
/// a temporary file in the target folder, which is flushed, synced and
/// renamed over `path` only if `write` succeeds.
///
/// # Errors
/// [`Error::Io`] naming `path` (or its temporary file).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::io(path, std::io::Error::other("not a file path")))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        write(&mut f)?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Fails if `output` names the same file as any of `inputs` (so an output
/// never overwrites the data it was made from).
///
/// # Errors
/// [`Error::InvalidParam`] naming the clash.
pub fn refuse_overwrite(flag: &'static str, output: &Path, inputs: &[&Path]) -> Result<()> {
    let canon = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = p.canonicalize() {
            return Some(c);
        }
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Some(parent.canonicalize().ok()?.join(p.file_name()?))
    };
    let out = canon(output);
    for i in inputs {
        if out.is_some() && canon(i) == out {
            return Err(Error::param(
                flag,
                format!(
                    "{} is also an input; refusing to overwrite it",
                    output.display()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_refuses_input_as_output() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/out.csv");
        write_atomic(&p, b"a\n").unwrap();
        write_atomic(&p, b"b\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"b\n");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
        let e = refuse_overwrite("--out", &p, &[Path::new("x"), &p]).unwrap_err();
        assert!(e.to_string().contains("is also an input"), "{e}");
        refuse_overwrite("--out", &dir.path().join("new.csv"), &[&p]).unwrap();
    }
}
