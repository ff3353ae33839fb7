//! The `stance` binary: parses flags, runs the library, prints results and
//! writes reports. Exit codes: 0 ok, 1 runtime error, 2 usage error; a
//! closed stdout pipe is not an error.

mod args;
mod cmd;

use anyhow::Context;
use clap::FromArgMatches;

use args::{Cli, Command};
use cmd::{
    compare::compare, extract::extract, featurize::featurize, predict::predict, score::score,
    semeval::semeval, train::train,
};
use stance::Error;

fn main() {
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
    match cli.command {
        Command::Compare(a) => with_threads(a.feat.threads, || compare(a)),
        Command::Train(a) => with_threads(a.feat.threads, || train(a)),
        Command::Score(a) => score(a),
        Command::Predict(a) => predict(a),
        Command::Featurize(a) => with_threads(a.feat.threads, || featurize(a)),
        Command::Extract(a) => extract(a),
        Command::Semeval(mut a) => {
            if let Some(m) = matches.subcommand_matches("semeval") {
                a.feat.apply_tweet_defaults(m);
            }
            with_threads(a.feat.threads, || semeval(a))
        }
    }
}

/// Runs `f` on a rayon pool of `threads` workers (default: all cores).
fn with_threads(
    threads: Option<usize>,
    f: impl FnOnce() -> anyhow::Result<()> + Send,
) -> anyhow::Result<()> {
    match threads {
        None => f(),
        Some(0) => Err(Error::param("--threads", "must be at least 1").into()),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("cannot start the thread pool")?
            .install(f),
    }
}
