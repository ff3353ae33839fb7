//! Progress of long runs, as a hook: the library says how much work a
//! stage has and when a unit of it is done; the caller decides whether and
//! how to show it (the `stance` binary draws a bar on a terminal, tests and
//! pipes see nothing). The library never prints.
//!
//! A unit is whatever the stage counts: a (model, fold) fit in
//! cross-validation, an outer fold of a grid search, a block of rows when
//! featurizing. Units may finish on any thread and in any order; the hook
//! must only count them, never change what is computed.

/// Receives the progress of a long run. Every method has an empty default,
/// so an implementation picks what it shows.
pub trait Progress: Sync {
    /// A stage named `stage` (e.g. `"cross-validation"`) starts, with
    /// `total` units of work (0 when unknown).
    fn start(&self, stage: &str, total: u64) {
        let _ = (stage, total);
    }

    /// `n` more units of the current stage are done; `what` names the last
    /// one (e.g. `"svm, fold doc3"`).
    fn advance(&self, n: u64, what: &str) {
        let _ = (n, what);
    }

    /// The current stage is over.
    fn finish(&self) {}
}

/// Shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

#[cfg(test)]
pub(crate) mod testing {
    use std::sync::Mutex;

    use super::Progress;

    /// Records every call, for tests of what a stage reports.
    #[derive(Debug, Default)]
    pub(crate) struct Recorder {
        pub(crate) stages: Mutex<Vec<(String, u64)>>,
        pub(crate) done: Mutex<u64>,
        pub(crate) finished: Mutex<usize>,
    }

    impl Progress for Recorder {
        fn start(&self, stage: &str, total: u64) {
            self.stages
                .lock()
                .expect("no poisoned lock in tests")
                .push((stage.to_owned(), total));
        }
        fn advance(&self, n: u64, _what: &str) {
            *self.done.lock().expect("no poisoned lock in tests") += n;
        }
        fn finish(&self) {
            *self.finished.lock().expect("no poisoned lock in tests") += 1;
        }
    }
}
