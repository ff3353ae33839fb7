//! The temporary files and folders the crate has created and not yet
//! renamed into place or removed, so that an interrupted run leaves none
//! behind: [`AtomicFile`](super::AtomicFile) and
//! [`ReportDir`](super::ReportDir) register theirs here while they exist,
//! and a signal handler (the binary's) calls [`remove_all`] before it
//! exits. After [`remove_all`], no new temporary file can be registered:
//! creating one fails with [`std::io::ErrorKind::Interrupted`].
//!
//! Errors and panics need no registry: the owners remove their temporary
//! files when dropped (also while a panic unwinds).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The registered paths (`true`: a folder) and whether the process is
/// shutting down.
#[derive(Debug, Default)]
struct Registry {
    next: u64,
    paths: BTreeMap<u64, (PathBuf, bool)>,
    closed: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    paths: BTreeMap::new(),
    closed: false,
});

fn lock() -> MutexGuard<'static, Registry> {
    // A panic while holding the lock leaves the map consistent (every
    // change is one insert or remove), so a poisoned lock is still used.
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// A registration, which forgets the path when released or dropped (once
/// the path has been renamed into place or removed).
#[derive(Debug)]
pub(crate) struct Registered(u64);

impl Registered {
    /// Forgets the path.
    pub(crate) fn release(self) {}
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock().paths.remove(&self.0);
    }
}

/// Creates a temporary file or folder with `create` while holding the
/// registry, so that a signal handler cannot run between its creation and
/// its registration, and registers the path `path_of` gives.
///
/// # Errors
/// `create`'s error, or [`std::io::ErrorKind::Interrupted`] after
/// [`remove_all`].
pub(crate) fn create_registered<T>(
    dir: bool,
    create: impl FnOnce() -> std::io::Result<T>,
    path_of: impl FnOnce(&T) -> &Path,
) -> std::io::Result<(T, Registered)> {
    let mut reg = lock();
    if reg.closed {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "interrupted; no new files are written",
        ));
    }
    let made = create()?;
    let id = reg.next;
    reg.next += 1;
    reg.paths.insert(id, (path_of(&made).to_owned(), dir));
    Ok((made, Registered(id)))
}

/// Runs `f` (a rename of a registered folder) while holding the registry,
/// so that [`remove_all`] never removes a folder half-way through while it
/// is being renamed into place.
///
/// # Errors
/// [`std::io::ErrorKind::Interrupted`] after [`remove_all`]; `f`'s error.
pub(crate) fn exclusive(f: impl FnOnce() -> std::io::Result<()>) -> std::io::Result<()> {
    let reg = lock();
    if reg.closed {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "interrupted; the report set is not swapped in",
        ));
    }
    f()
}

/// Removes every registered temporary file and folder and refuses new
/// ones; returns how many were removed. For a signal handler that then
/// exits (it must not return to normal work: the owners' later renames
/// would fail).
pub fn remove_all() -> usize {
    let mut reg = lock();
    reg.closed = true;
    let mut removed = 0;
    for (_, (path, dir)) in std::mem::take(&mut reg.paths) {
        let gone = if dir {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed += usize::from(gone.is_ok());
    }
    removed
}
