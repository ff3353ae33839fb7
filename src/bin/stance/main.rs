//! The `stance` binary: parses the flags ([`args`]) into one validated
//! config per command ([`args::config`]), runs it ([`cmd`]: the library
//! computes, the command prints and writes) and maps errors to exit
//! codes: 0 ok, 1 runtime error (bad data, a corrupt model file, I/O),
//! 2 usage error (a bad flag value or combination, an output that is
//! also an input); a closed stdout pipe is not an error. Each error is
//! printed once, with its causes: `stance: {err:#}`.

mod args;
mod cmd;
mod progress;

use anyhow::Context;
use clap::FromArgMatches;

use args::config::Config;
use args::Cli;
use stance::Error;

fn main() {
    on_signal_remove_temporary_files();
    let matches = args::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let code = match run(cli, &matches) {
        Ok(()) => 0,
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            let usage = e
                .downcast_ref::<Error>()
                .is_some_and(|e| matches!(e, Error::InvalidParam { .. }));
            eprintln!("stance: {e:#}");
            if usage {
                2
            } else {
                1
            }
        }
    };
    std::process::exit(code);
}

/// On SIGINT or SIGTERM: removes every temporary file and folder still
/// registered ([`stance::io::cleanup`]) and exits with 128 + the signal
/// (130, 143), as a shell reports a process killed by it. Without a
/// handler (it could not be installed) the signal kills the process as
/// before, leaving its temporary files.
fn on_signal_remove_temporary_files() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            stance::io::cleanup::remove_all();
            std::process::exit(128 + sig);
        }
    });
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(broken)
            || c.downcast_ref::<Error>().is_some_and(|e| match e {
                Error::Io { cause, .. } | Error::Write { cause } => broken(cause),
                _ => false,
            })
    })
}

fn run(cli: Cli, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    let bar = progress::Bar::new(cli.quiet);
    let config = Config::from_cli(cli, matches)?;
    with_threads(config.threads(), || cmd::run(config, &bar))
}

/// Runs `f` on a rayon pool of `threads` workers (default: all cores).
fn with_threads(
    threads: Option<usize>,
    f: impl FnOnce() -> anyhow::Result<()> + Send,
) -> anyhow::Result<()> {
    match threads {
        None => f(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("cannot start the thread pool")?
            .install(f),
    }
}
