//! File helpers: safe output and bounded input.
//!
//! Every file the crate writes goes to a temporary file in the target
//! folder first and is renamed over the target only when complete
//! ([`AtomicFile`], [`write_atomic`]), so a crash or error never leaves a
//! half-written report or destroys the previous one; [`refuse_overwrite`]
//! keeps an output from naming one of its inputs. [`lines`] reads a text
//! file in bounded blocks of whole lines, [`read_article`] one article;
//! [`table`] builds every CSV the crate writes.

pub mod lines;
pub mod table;
pub mod text;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file written atomically: what is written goes to a temporary file in
/// the target's folder (both created at the first write, so an output
/// that fails before writing leaves no trace), which
/// [`AtomicFile::commit`] flushes, syncs and renames over the target.
/// Dropped without a commit, the temporary file is removed and the target
/// left as it was.
///
/// Its `io::Error`s keep their kind and name the file in their message.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    tmp: Option<(PathBuf, BufWriter<File>)>,
}

impl AtomicFile {
    /// Output to `path`; nothing is created before the first write.
    pub fn new(path: impl Into<PathBuf>) -> AtomicFile {
        AtomicFile {
            path: path.into(),
            tmp: None,
        }
    }

    /// The temporary file, created (with the folder) on first use.
    fn open(&mut self) -> std::io::Result<&mut BufWriter<File>> {
        if self.tmp.is_none() {
            let path = &self.path;
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
                _ => PathBuf::from("."),
            };
            std::fs::create_dir_all(&dir).map_err(|e| named(&dir, e))?;
            let name = path
                .file_name()
                .ok_or_else(|| named(path, std::io::Error::other("not a file path")))?;
            let tmp = dir.join(format!(
                ".{}.{}.tmp",
                name.to_string_lossy(),
                std::process::id()
            ));
            let file = File::create(&tmp).map_err(|e| named(&tmp, e))?;
            self.tmp = Some((tmp, BufWriter::with_capacity(1 << 16, file)));
        }
        self.tmp
            .as_mut()
            .map(|(_, w)| w)
            .ok_or_else(|| std::io::Error::other("no temporary file"))
    }

    /// `e` naming the temporary file, if there is one.
    fn name_error(&self, e: std::io::Error) -> std::io::Error {
        match &self.tmp {
            Some((tmp, _)) => named(tmp, e),
            None => e,
        }
    }

    /// Flushes and syncs the temporary file (an empty one if nothing was
    /// written) and renames it over the target.
    ///
    /// # Errors
    /// [`Error::Io`] naming the temporary file or the target; the
    /// temporary file is removed.
    pub fn commit(mut self) -> Result<()> {
        self.open().map_err(Error::write)?;
        let Some((tmp, w)) = self.tmp.take() else {
            return Err(Error::io(&self.path, std::io::Error::other("not opened")));
        };
        let synced = w
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all());
        if let Err(e) = synced {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(&tmp, e));
        }
        std::fs::rename(&tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(&self.path, e)
        })
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.open()?.write(buf);
        result.map_err(|e| self.name_error(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = match &mut self.tmp {
            Some((_, w)) => w.flush(),
            None => Ok(()),
        };
        result.map_err(|e| self.name_error(e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some((tmp, w)) = self.tmp.take() {
            // The buffered rest is dropped unwritten: the file goes anyway.
            let (file, _) = w.into_parts();
            drop(file);
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// `e` with `path` in front of its message, of the same kind.
fn named(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Writes `bytes` to `path` atomically (see [`AtomicFile`]), creating the
/// parent folder if needed.
///
/// # Errors
/// [`Error::Write`] or [`Error::Io`] naming `path` or its temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::new(path);
    f.write_all(bytes).map_err(Error::write)?;
    f.commit()
}

/// Reads an article: its document id (the file name) and its UTF-8 text
/// ([`text::read_article_with`] without `--lossy`).
///
/// # Errors
/// As [`text::read_article_with`].
pub fn read_article(path: &Path) -> Result<(String, String)> {
    text::read_article_with(path, false)
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

    #[test]
    fn an_atomic_file_is_created_at_its_first_write_and_left_alone_unless_committed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new/out.svm");
        drop(AtomicFile::new(&p));
        assert!(!dir.path().join("new").exists(), "nothing before a write");
        let mut f = AtomicFile::new(&p);
        f.write_all(b"half").unwrap();
        drop(f);
        assert!(!p.exists());
        assert_eq!(
            std::fs::read_dir(dir.path().join("new")).unwrap().count(),
            0
        );
        let mut f = AtomicFile::new(&p);
        f.write_all(b"whole\n").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"whole\n");
        AtomicFile::new(dir.path().join("empty.txt"))
            .commit()
            .unwrap();
        assert_eq!(std::fs::read(dir.path().join("empty.txt")).unwrap(), b"");
    }
}
