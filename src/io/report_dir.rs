//! A set of reports written as one: every file goes to a fresh sibling
//! folder, which is swapped in at the end, so a reader sees the whole old
//! set or the whole new one, never a mix, whatever fails (a full disk, an
//! error, a signal) and however many runs write the same folder at once.
//!
//! On Linux the swap is one `renameat2(RENAME_EXCHANGE)` (or
//! `RENAME_NOREPLACE` when the folder is new); the old set, now at the
//! temporary name, is then removed. Elsewhere (or on a file system
//! without `renameat2`) the old folder is first renamed aside and the new
//! one renamed in its place: a reader may then find no folder for an
//! instant, but never a mixed one.
//!
//! A report folder must hold only files the set may write (the `known`
//! names): a folder with anything else in it is refused, before any work
//! ([`ReportDir::check`]) and again just before the swap, so files
//! `stance` did not write are never removed. A symlink to a folder stays a
//! symlink; the folder it names is replaced.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{check_folder_path, cleanup, folder_of, is_inside, same_file};
use crate::error::{Error, Result};

/// A folder of reports, written whole (see the module doc).
#[derive(Debug, Clone)]
pub struct ReportDir {
    dir: PathBuf,
    flag: &'static str,
    known: &'static [&'static str],
}

/// Writes one report file, for [`ReportDir::write_with`].
pub type WriteFile<'a> = dyn FnMut(&Path, &[u8]) -> std::io::Result<()> + 'a;

impl ReportDir {
    /// The folder `dir` (given as `flag`), which may hold files called
    /// `known`.
    pub fn new(
        flag: &'static str,
        dir: impl Into<PathBuf>,
        known: &'static [&'static str],
    ) -> Self {
        ReportDir {
            dir: dir.into(),
            flag,
            known,
        }
    }

    /// The folder, as given.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The names in the folder now that the set would not write, sorted.
    fn foreign(&self, dir: &Path) -> std::io::Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry.file_type()?.is_file();
            if !is_file || !self.known.contains(&name.as_str()) {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    fn refuse_foreign(&self, names: &[String]) -> Error {
        Error::param(
            self.flag,
            format!(
                "{} holds {} that stance does not write ({}); refusing to replace the folder \
                 (expected a new folder or one of stance's report folders)",
                self.dir.display(),
                if names.len() == 1 { "a file" } else { "files" },
                names.join(", ")
            ),
        )
    }

    /// Checks, before any work, that the set can replace the folder: it is
    /// a folder or does not exist (and no folder on its path is a file),
    /// it holds only report files, and no input is inside it or a hard
    /// link to one of its files.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag and what is in the way.
    pub fn check(&self, inputs: &[&Path]) -> Result<()> {
        let dir = &self.dir;
        if dir.as_os_str().is_empty() {
            return Err(Error::param(self.flag, "empty path; expected a folder"));
        }
        match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(Error::param(
                    self.flag,
                    format!("{} is a file; expected a folder", dir.display()),
                ))
            }
            Ok(_) => {
                let foreign = self.foreign(dir).map_err(|e| Error::io(dir, e))?;
                if !foreign.is_empty() {
                    return Err(self.refuse_foreign(&foreign));
                }
            }
            Err(_) => check_folder_path(self.flag, dir)?,
        }
        for input in inputs {
            let inside = is_inside(input, dir);
            let linked = self.known.iter().any(|n| {
                let p = dir.join(n);
                p.exists() && same_file(&p, input)
            });
            if inside || linked {
                return Err(Error::param(
                    self.flag,
                    format!(
                        "{} is inside {} (or a hard link to a file there); refusing to replace it",
                        input.display(),
                        dir.display()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Writes `files` (name, content) as the folder's whole new content.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file or folder that could not be written
    /// or swapped (the old set is then left as it was, and the temporary
    /// folder removed); [`Error::InvalidParam`] if the folder gained a
    /// file `stance` does not write since [`ReportDir::check`].
    pub fn write(&self, files: &[(&str, &[u8])]) -> Result<()> {
        self.write_with(files, &mut |path, bytes| {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)?;
            f.write_all(bytes)?;
            f.sync_all()
        })
    }

    /// As [`ReportDir::write`], with `write_file` writing each file into
    /// the temporary folder (tests inject failures through it).
    ///
    /// # Errors
    /// As [`ReportDir::write`], and `write_file`'s errors.
    pub fn write_with(&self, files: &[(&str, &[u8])], write_file: &mut WriteFile) -> Result<()> {
        for (name, _) in files {
            if !self.known.contains(name) {
                return Err(Error::report("report set", format!("unknown file {name}")));
            }
        }
        // A symlink to a folder stays: the folder it names is replaced.
        let target = match std::fs::symlink_metadata(&self.dir) {
            Ok(m) if m.file_type().is_symlink() => self
                .dir
                .canonicalize()
                .map_err(|e| Error::io(&self.dir, e))?,
            _ => self.dir.clone(),
        };
        let parent = folder_of(&target);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let name = target
            .file_name()
            .ok_or_else(|| Error::param(self.flag, "expected a folder name"))?
            .to_string_lossy()
            .into_owned();
        let perms = std::fs::metadata(&target).ok().map(|m| m.permissions());
        let prefix = format!(".{name}.");
        let (tmp, registered) = cleanup::create_registered(
            true,
            || {
                let mut b = tempfile::Builder::new();
                b.prefix(&prefix).suffix(".tmp");
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    b.permissions(
                        perms
                            .clone()
                            .unwrap_or_else(|| std::fs::Permissions::from_mode(0o777)),
                    );
                }
                b.tempdir_in(&parent)
            },
            |t| t.path(),
        )
        .map_err(|e| Error::io(&parent, e))?;
        let result = self.fill_and_swap(&target, tmp.path(), files, write_file);
        // On success the temporary path holds the old set (or nothing);
        // on failure the new, partial one: removed either way.
        drop(tmp);
        registered.release();
        result
    }

    fn fill_and_swap(
        &self,
        target: &Path,
        tmp: &Path,
        files: &[(&str, &[u8])],
        write_file: &mut WriteFile,
    ) -> Result<()> {
        for (name, body) in files {
            let p = tmp.join(name);
            write_file(&p, body).map_err(|e| Error::io(&p, e))?;
        }
        if let Ok(d) = File::open(tmp) {
            let _ = d.sync_all();
        }
        if target.is_dir() {
            let foreign = self.foreign(target).map_err(|e| Error::io(target, e))?;
            if !foreign.is_empty() {
                return Err(self.refuse_foreign(&foreign));
            }
        }
        cleanup::exclusive(|| swap(tmp, target)).map_err(|e| Error::io(target, e))?;
        if let Ok(d) = File::open(folder_of(target)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// Puts the folder `new` at `target`, leaving what was at `target` (if
/// anything) at `new`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn swap(new: &Path, target: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    let unsupported =
        |e: rustix::io::Errno| e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS;
    match renameat_with(CWD, new, CWD, target, RenameFlags::NOREPLACE) {
        Ok(()) => return Ok(()),
        Err(e) if e == rustix::io::Errno::EXIST => {}
        Err(e) if unsupported(e) => return swap_aside(new, target),
        Err(e) => return Err(e.into()),
    }
    match renameat_with(CWD, new, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(e) if unsupported(e) => swap_aside(new, target),
        Err(e) => Err(e.into()),
    }
}

/// Puts the folder `new` at `target`, leaving what was at `target` (if
/// anything) at `new`.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn swap(new: &Path, target: &Path) -> std::io::Result<()> {
    swap_aside(new, target)
}

/// The fallback swap: the old folder renamed aside, the new one renamed
/// in, the old one moved to `new`'s name (for its owner to remove).
fn swap_aside(new: &Path, target: &Path) -> std::io::Result<()> {
    if !target.exists() {
        return std::fs::rename(new, target);
    }
    let parent = folder_of(target);
    let aside = tempfile::Builder::new()
        .prefix(".stance-old.")
        .tempdir_in(&parent)?;
    let aside_path = aside.path().join("old");
    std::fs::rename(target, &aside_path)?;
    if let Err(e) = std::fs::rename(new, target) {
        let _ = std::fs::rename(&aside_path, target);
        return Err(e);
    }
    std::fs::rename(&aside_path, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["a.csv", "b.csv", "c.svg"];

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_set_replaces_the_old_one_whole_and_leaves_no_temporary_folder() {
        let root = tempfile::tempdir().unwrap();
        let d = ReportDir::new("--report-dir", root.path().join("r"), KNOWN);
        d.check(&[]).unwrap();
        d.write(&[("a.csv", b"1"), ("b.csv", b"1"), ("c.svg", b"1")])
            .unwrap();
        d.write(&[("a.csv", b"2"), ("b.csv", b"2")]).unwrap();
        assert_eq!(listing(root.path()), ["r"]);
        assert_eq!(listing(&root.path().join("r")), ["a.csv", "b.csv"]);
        assert_eq!(std::fs::read(root.path().join("r/a.csv")).unwrap(), b"2");
    }

    #[test]
    fn a_failed_write_on_a_full_disk_leaves_the_old_set_whole() {
        let root = tempfile::tempdir().unwrap();
        let d = ReportDir::new("--report-dir", root.path().join("r"), KNOWN);
        d.write(&[("a.csv", b"old"), ("b.csv", b"old")]).unwrap();
        let mut n = 0;
        let e = d
            .write_with(
                &[("a.csv", b"new"), ("b.csv", b"new"), ("c.svg", b"new")],
                &mut |p, bytes| {
                    n += 1;
                    if n == 2 {
                        return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
                    }
                    std::fs::write(p, bytes)
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("b.csv"), "{e}");
        assert_eq!(listing(root.path()), ["r"], "temporary folder removed");
        assert_eq!(listing(&root.path().join("r")), ["a.csv", "b.csv"]);
        assert_eq!(std::fs::read(root.path().join("r/a.csv")).unwrap(), b"old");
        assert_eq!(std::fs::read(root.path().join("r/b.csv")).unwrap(), b"old");
    }

    #[test]
    fn foreign_files_inputs_inside_and_files_in_the_way_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path().join("r");
        std::fs::create_dir(&r).unwrap();
        std::fs::write(r.join("notes.txt"), b"mine").unwrap();
        let d = ReportDir::new("--report-dir", &r, KNOWN);
        let e = d.check(&[]).unwrap_err();
        assert!(e.to_string().contains("notes.txt"), "{e}");
        let e = d.write(&[("a.csv", b"x")]).unwrap_err();
        assert!(e.to_string().contains("notes.txt"), "{e}");
        assert_eq!(listing(&r), ["notes.txt"], "foreign file kept");
        assert_eq!(listing(root.path()), ["r"]);

        std::fs::remove_file(r.join("notes.txt")).unwrap();
        let input = root.path().join("data.csv");
        std::fs::write(&input, b"text\n").unwrap();
        std::fs::hard_link(&input, r.join("a.csv")).unwrap();
        let e = d.check(&[&input]).unwrap_err();
        assert!(e.to_string().contains("hard link"), "{e}");
        std::fs::remove_file(r.join("a.csv")).unwrap();
        std::fs::write(r.join("a.csv"), b"x").unwrap();
        let e = d.check(&[&r.join("a.csv")]).unwrap_err();
        assert!(e.to_string().contains("inside"), "{e}");
        d.check(&[&input]).unwrap();

        let f = ReportDir::new("--report-dir", &input, KNOWN);
        let e = f.check(&[]).unwrap_err();
        assert!(e.to_string().contains("is a file"), "{e}");
        let g = ReportDir::new("--report-dir", input.join("sub"), KNOWN);
        assert!(g.check(&[]).is_err());
    }

    #[test]
    fn a_symlinked_report_folder_stays_a_symlink() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let d = ReportDir::new("--report-dir", &link, KNOWN);
        d.check(&[]).unwrap();
        d.write(&[("a.csv", b"1")]).unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(real.join("a.csv")).unwrap(), b"1");
        assert_eq!(listing(root.path()), ["link", "real"]);
    }

    #[test]
    fn concurrent_writers_each_leave_a_whole_set() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("r");
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let dir = dir.clone();
                s.spawn(move || {
                    let d = ReportDir::new("--report-dir", dir, KNOWN);
                    for _ in 0..20 {
                        let body = [t; 64];
                        d.write(&[("a.csv", &body), ("b.csv", &body), ("c.svg", &body)])
                            .unwrap();
                    }
                });
            }
            // A reader that opens the folder, then its files through the
            // folder's descriptor, sees one set: never a mix.
            let reader = s.spawn(|| {
                use std::os::fd::AsRawFd;
                let mut whole = 0;
                for _ in 0..400 {
                    let Ok(d) = File::open(&dir) else { continue };
                    let at = PathBuf::from(format!("/proc/self/fd/{}", d.as_raw_fd()));
                    let read = |n: &str| std::fs::read(at.join(n)).ok();
                    if let (Some(a), Some(b), Some(c)) =
                        (read("a.csv"), read("b.csv"), read("c.svg"))
                    {
                        assert_eq!(a.len(), 64);
                        assert_eq!(a, b, "mixed set");
                        assert_eq!(a, c, "mixed set");
                        whole += 1;
                    }
                }
                whole
            });
            reader.join().unwrap();
        });
        let a = std::fs::read(dir.join("a.csv")).unwrap();
        assert_eq!(std::fs::read(dir.join("b.csv")).unwrap(), a);
        assert_eq!(std::fs::read(dir.join("c.svg")).unwrap(), a);
        assert_eq!(listing(root.path()), ["r"], "no temporary folder left");
    }
}
