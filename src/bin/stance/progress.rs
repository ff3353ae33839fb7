//! The progress bar of long runs: the library's [`Progress`] hook drawn
//! with `indicatif` on stderr, only when stderr is a terminal and `--quiet`
//! is not given. In pipes, files and CI nothing is drawn, so stderr keeps
//! only notes and errors.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use stance::progress::Progress;

/// A progress bar on stderr, or nothing.
pub(crate) struct Bar {
    /// `None` when nothing is drawn.
    bar: Mutex<Option<ProgressBar>>,
    shown: bool,
}

impl Bar {
    /// A bar that draws when stderr is a terminal, unless `quiet`.
    pub(crate) fn new(quiet: bool) -> Bar {
        Bar {
            bar: Mutex::new(None),
            shown: !quiet && std::io::stderr().is_terminal(),
        }
    }

    fn with(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        // A poisoned lock only means another thread panicked while drawing;
        // the bar is cosmetic, so keep going with whatever it holds.
        let mut guard = match self.bar.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard);
    }
}

impl Progress for Bar {
    fn start(&self, stage: &str, total: u64) {
        if !self.shown {
            return;
        }
        self.with(|slot| {
            if let Some(old) = slot.take() {
                old.finish_and_clear();
            }
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let template = if total > 0 {
                "{prefix} [{bar:30}] {pos}/{len} {elapsed_precise} (eta {eta}) {msg}"
            } else {
                "{prefix} {spinner} {pos} {elapsed_precise} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(stage.to_owned());
            bar.enable_steady_tick(Duration::from_millis(250));
            *slot = Some(bar);
        });
    }

    fn advance(&self, n: u64, what: &str) {
        if !self.shown {
            return;
        }
        self.with(|slot| {
            if let Some(bar) = slot {
                bar.set_message(what.to_owned());
                bar.inc(n);
            }
        });
    }

    fn finish(&self) {
        if !self.shown {
            return;
        }
        self.with(|slot| {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        });
    }
}
