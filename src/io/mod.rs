//! File helpers: safe output and bounded input.
//!
//! Every regular file the crate writes goes to a temporary file in the
//! target folder first (created exclusively, with an unpredictable name,
//! so a link planted in a shared folder is never followed) and is renamed
//! over the target only when complete ([`AtomicFile`], [`write_atomic`]),
//! so a crash or error never leaves a half-written report or destroys the
//! previous one. A target that is not a regular file (a device such as
//! `/dev/null`, a FIFO, or a symlink to one) is written in place, never
//! renamed over; a symlink to a regular file is kept, and the file it
//! names replaced. A set of reports goes to a fresh sibling folder that is
//! swapped in whole ([`ReportDir`]). Temporary files and folders are
//! removed on error, on panic (when their owner is dropped) and, through
//! [`cleanup`], by the binary's signal handler.
//!
//! [`refuse_overwrite`] keeps an output from naming one of its inputs (by
//! path, or by device and inode for hard links) and [`check_output`]
//! checks an output path before any work is done. [`lines`] reads a text
//! file in bounded blocks of whole lines, [`read_article`] one article;
//! [`table`] builds every CSV the crate writes.

pub mod cleanup;
pub mod lines;
mod report_dir;
pub mod table;
pub mod text;

pub use report_dir::ReportDir;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where the bytes of an [`AtomicFile`] go once it is opened.
#[derive(Debug)]
enum Sink {
    /// A temporary file in the target's folder, renamed over `target` on
    /// commit.
    Temp {
        target: PathBuf,
        file: BufWriter<tempfile::NamedTempFile>,
        registered: cleanup::Registered,
    },
    /// A device, FIFO or other non-regular file, written in place.
    Direct(BufWriter<File>),
}

/// A file written atomically: what is written goes to a temporary file in
/// the target's folder (both created at the first write, so an output
/// that fails before writing leaves no trace), which
/// [`AtomicFile::commit`] flushes, syncs and renames over the target.
/// Dropped without a commit, the temporary file is removed and the target
/// left as it was.
///
/// The temporary file is created exclusively (`O_CREAT|O_EXCL`, which
/// never follows a symlink) under a random name `.NAME.XXXXXX.tmp`, with
/// the mode of the file it replaces (a new file: `0666` less the umask).
/// A target that exists and is not a regular file (a character or block
/// device, a FIFO; also through a symlink) is opened and written in
/// place: streamed, never renamed over. A symlink to a regular file stays
/// a symlink: the file it names is replaced.
///
/// Its `io::Error`s keep their kind and name the file in their message.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    sink: Option<Sink>,
}

/// What is at an output path now.
#[derive(Debug)]
enum Target {
    /// Nothing: a new file at this path.
    New(PathBuf),
    /// A regular file (at this path, symlinks resolved), with its mode.
    Regular(PathBuf, std::fs::Permissions),
    /// A device, FIFO, socket or other file that cannot be renamed over.
    Special,
}

/// What `path` names, following symlinks.
fn target(path: &Path) -> std::io::Result<Target> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "is a symlink to nothing; refusing to write through it",
                ));
            }
            return Ok(Target::New(path.to_owned()));
        }
        Err(e) => return Err(e),
    };
    if meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a folder; expected a file path",
        ));
    }
    if !meta.is_file() {
        return Ok(Target::Special);
    }
    let resolved = if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        path.canonicalize()?
    } else {
        path.to_owned()
    };
    Ok(Target::Regular(resolved, meta.permissions()))
}

/// The folder of `path` (`.` for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// A new file's mode: `0666`, less the umask (applied by the system).
/// `None` elsewhere: the temporary file's own default.
fn new_file_permissions() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o666))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

impl AtomicFile {
    /// Output to `path`; nothing is created before the first write.
    pub fn new(path: impl Into<PathBuf>) -> AtomicFile {
        AtomicFile {
            path: path.into(),
            sink: None,
        }
    }

    /// The sink, opened on first use: a registered temporary file in the
    /// target's folder (created with the folder), or the special file.
    fn open(&mut self) -> std::io::Result<&mut Sink> {
        if self.sink.is_none() {
            let path = &self.path;
            let sink = match target(path).map_err(|e| named(path, e))? {
                Target::Special => {
                    let f = std::fs::OpenOptions::new()
                        .write(true)
                        .open(path)
                        .map_err(|e| named(path, e))?;
                    Sink::Direct(BufWriter::with_capacity(1 << 16, f))
                }
                Target::New(target) => temp_sink(target, new_file_permissions())?,
                Target::Regular(target, perms) => temp_sink(target, Some(perms))?,
            };
            self.sink = Some(sink);
        }
        self.sink
            .as_mut()
            .ok_or_else(|| std::io::Error::other("no output file"))
    }

    /// `e` naming the file written, if there is one.
    fn name_error(&self, e: std::io::Error) -> std::io::Error {
        match &self.sink {
            Some(Sink::Temp { file, .. }) => named(file.get_ref().path(), e),
            Some(Sink::Direct(_)) => named(&self.path, e),
            None => e,
        }
    }

    /// Flushes and syncs the temporary file (an empty one if nothing was
    /// written) and renames it over the target; a special file is only
    /// flushed.
    ///
    /// # Errors
    /// [`Error::Io`] naming the temporary file or the target; the
    /// temporary file is removed.
    pub fn commit(mut self) -> Result<()> {
        self.open().map_err(Error::write)?;
        match self.sink.take() {
            None => Err(Error::io(&self.path, std::io::Error::other("not opened"))),
            Some(Sink::Direct(mut w)) => w.flush().map_err(|e| Error::io(&self.path, e)),
            Some(Sink::Temp {
                target,
                file,
                registered,
            }) => {
                // On any error the temporary file is removed when dropped.
                let tmp_path = file.get_ref().path().to_owned();
                let tmp = file
                    .into_inner()
                    .map_err(|e| Error::io(&tmp_path, e.into_error()))?;
                tmp.as_file()
                    .sync_all()
                    .map_err(|e| Error::io(tmp.path(), e))?;
                let persisted = tmp
                    .persist(&target)
                    .map_err(|e| Error::io(&target, e.error));
                registered.release();
                persisted?;
                // The rename itself survives a crash once the folder is
                // synced (not every system can sync a folder: best effort).
                if let Ok(d) = File::open(folder_of(&target)) {
                    let _ = d.sync_all();
                }
                Ok(())
            }
        }
    }
}

/// A registered temporary file for `target`, in its folder (created if
/// needed), named after it, with `perms` (if given).
fn temp_sink(target: PathBuf, perms: Option<std::fs::Permissions>) -> std::io::Result<Sink> {
    let name = target
        .file_name()
        .ok_or_else(|| named(&target, std::io::Error::other("not a file path")))?;
    let dir = folder_of(&target);
    std::fs::create_dir_all(&dir).map_err(|e| named(&dir, e))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let (tmp, registered) = cleanup::create_registered(
        false,
        || {
            let mut b = tempfile::Builder::new();
            b.prefix(&prefix).suffix(".tmp");
            if let Some(p) = perms {
                b.permissions(p);
            }
            b.tempfile_in(&dir)
        },
        |t| t.path(),
    )
    .map_err(|e| named(&dir, e))?;
    Ok(Sink::Temp {
        target,
        file: BufWriter::with_capacity(1 << 16, tmp),
        registered,
    })
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = match self.open()? {
            Sink::Temp { file, .. } => file.write(buf),
            Sink::Direct(w) => w.write(buf),
        };
        result.map_err(|e| self.name_error(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = match &mut self.sink {
            Some(Sink::Temp { file, .. }) => file.flush(),
            Some(Sink::Direct(w)) => w.flush(),
            None => Ok(()),
        };
        result.map_err(|e| self.name_error(e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(Sink::Temp {
            file, registered, ..
        }) = self.sink.take()
        {
            // The buffered rest is dropped unwritten: the file goes anyway
            // (the temporary file removes itself when dropped).
            let (tmp, _) = file.into_parts();
            drop(tmp);
            registered.release();
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

/// `p` made absolute with symlinks resolved, or its folder resolved and
/// its name joined when it does not exist yet.
fn canonical(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Some(c);
    }
    Some(canonical(&folder_of(p))?.join(p.file_name()?))
}

/// Whether `path` is `dir` or inside it, symlinks resolved (lexically
/// for paths that do not exist yet).
pub fn is_inside(path: &Path, dir: &Path) -> bool {
    match (canonical(path), canonical(dir)) {
        (Some(p), Some(d)) => p.starts_with(d),
        _ => path.starts_with(dir),
    }
}

/// The device and inode of the file at `p` (following symlinks), where
/// the system has them.
fn file_id(p: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        None
    }
}

/// Whether `a` and `b` name the same file: the same path once resolved,
/// or (both existing) the same device and inode, as hard links do.
pub fn same_file(a: &Path, b: &Path) -> bool {
    let (ca, cb) = (canonical(a), canonical(b));
    if ca.is_some() && ca == cb {
        return true;
    }
    matches!((file_id(a), file_id(b)), (Some(x), Some(y)) if x == y)
}

/// Fails if `output` names the same file as any of `inputs`, by path or
/// as a hard link (so an output never overwrites the data it was made
/// from). Special files (`/dev/null`, a FIFO) are not inputs' copies and
/// are written in place, so only regular files are compared by inode.
///
/// # Errors
/// [`Error::InvalidParam`] naming the clash.
pub fn refuse_overwrite(flag: &'static str, output: &Path, inputs: &[&Path]) -> Result<()> {
    let regular = std::fs::metadata(output).map_or(true, |m| m.is_file());
    for i in inputs {
        if regular && same_file(output, i) {
            let what = if canonical(output) == canonical(i) {
                "is also an input".to_owned()
            } else {
                format!("is a hard link to the input {}", i.display())
            };
            return Err(Error::param(
                flag,
                format!("{} {what}; refusing to overwrite it", output.display()),
            ));
        }
    }
    Ok(())
}

/// Checks, before any work, that a file can be written at `output`: it is
/// not a folder, and no folder on its path is a file. (A device or FIFO
/// is fine: it is written in place.)
///
/// # Errors
/// [`Error::InvalidParam`] naming `flag` and what is in the way.
pub fn check_output(flag: &'static str, output: &Path) -> Result<()> {
    if output.as_os_str().is_empty() {
        return Err(Error::param(flag, "empty path; expected a file path"));
    }
    if let Ok(m) = std::fs::metadata(output) {
        if m.is_dir() {
            return Err(Error::param(
                flag,
                format!("{} is a folder; expected a file path", output.display()),
            ));
        }
        return Ok(());
    }
    if output.file_name().is_none() {
        return Err(Error::param(
            flag,
            format!("{} is not a file path", output.display()),
        ));
    }
    check_folder_path(flag, &folder_of(output))
}

/// Checks that `dir` is a folder or can be created: no ancestor is a file.
fn check_folder_path(flag: &'static str, dir: &Path) -> Result<()> {
    for a in dir.ancestors() {
        if a.as_os_str().is_empty() {
            continue;
        }
        if let Ok(m) = std::fs::metadata(a) {
            if m.is_dir() {
                return Ok(());
            }
            return Err(Error::param(
                flag,
                format!(
                    "{} is a file, not a folder; cannot write inside it",
                    a.display()
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

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[cfg(unix)]
    #[test]
    fn planted_links_are_never_followed_and_a_linked_target_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"keep").unwrap();
        // Links at every name the old scheme used, and more.
        for name in [
            ".out.csv.tmp",
            &format!(".out.csv.{}.tmp", std::process::id()),
        ] {
            std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
        }
        let out = dir.path().join("out.csv");
        write_atomic(&out, b"new\n").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert!(std::fs::symlink_metadata(&out).unwrap().is_file());
        assert_eq!(std::fs::read(&out).unwrap(), b"new\n");
        // An output that is a symlink to a regular file: the file is
        // replaced, the link kept.
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        write_atomic(&link, b"through\n").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&victim).unwrap(), b"through\n");
        let mut all = names(dir.path());
        all.retain(|n| n.ends_with(".tmp") && !n.starts_with(".out.csv."));
        assert!(all.is_empty(), "temporary files left: {all:?}");
        // A dangling link is refused, not written through.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink(dir.path().join("nowhere/x"), &dangling).unwrap();
        assert!(write_atomic(&dangling, b"x").is_err());
        assert!(!dir.path().join("nowhere").exists());
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_written_in_place_never_renamed_over() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let null_link = dir.path().join("null");
        std::os::unix::fs::symlink("/dev/null", &null_link).unwrap();
        write_atomic(&null_link, b"gone\n").unwrap();
        assert!(std::fs::symlink_metadata(&null_link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        let full_link = dir.path().join("full");
        std::os::unix::fs::symlink("/dev/full", &full_link).unwrap();
        let e = write_atomic(&full_link, b"x").unwrap_err();
        assert!(e.to_string().contains("full"), "{e}");
        assert!(std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device());
        assert_eq!(names(dir.path()), ["full", "null"]);
        let e = write_atomic(dir.path(), b"x").unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.csv");
        write_atomic(&p, b"a").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_ne!(mode, 0o600, "not the temporary file's private mode");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"b").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[test]
    fn a_panic_while_writing_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        std::fs::write(&p, b"old").unwrap();
        let caught = std::panic::catch_unwind(|| {
            let mut f = AtomicFile::new(&p);
            f.write_all(b"half").unwrap();
            panic!("in the middle of a write");
        });
        assert!(caught.is_err());
        assert_eq!(names(dir.path()), ["out.csv"]);
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
    }

    #[test]
    fn hard_links_to_inputs_are_refused_and_outputs_checked() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, b"text\n").unwrap();
        let linked = dir.path().join("out.csv");
        std::fs::hard_link(&input, &linked).unwrap();
        let e = refuse_overwrite("--out", &linked, &[&input]).unwrap_err();
        assert!(e.to_string().contains("hard link"), "{e}");
        refuse_overwrite("--out", Path::new("/dev/null"), &[Path::new("/dev/null")]).unwrap();
        let e = check_output("--out", dir.path()).unwrap_err();
        assert!(e.to_string().contains("is a folder"), "{e}");
        let e = check_output("--out", &input.join("x.csv")).unwrap_err();
        assert!(e.to_string().contains("is a file, not a folder"), "{e}");
        check_output("--out", &dir.path().join("new/sub/x.csv")).unwrap();
        check_output("--out", Path::new("/dev/null")).unwrap();
    }
}
