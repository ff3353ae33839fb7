//! Fuzz target: the binary's parse + config layer (clap, then
//! `Config::from_cli`, which checks every flag value and output path)
//! over command lines of real flag names and boundary values
//! (`src/bin/stance/args/argv.rs`). Nothing is run or written; any panic
//! is a crash.
#![no_main]

use clap::FromArgMatches;
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../src/bin/stance/args/mod.rs"]
mod args;

#[path = "../../src/bin/stance/args/argv.rs"]
mod argv;

fuzz_target!(|data: &[u8]| {
    let cmd = args::command();
    let mut u = Unstructured::new(data);
    let mut junk_u = Unstructured::new(data.get(data.len() / 2..).unwrap_or_default());
    let mut pick = |n: usize| u.choose_index(n).unwrap_or(0);
    let mut junk = || junk_u.arbitrary::<String>().unwrap_or_default();
    let argv = argv::argv(&cmd, &mut pick, &mut junk);
    if let Ok(m) = cmd.try_get_matches_from(&argv) {
        if let Ok(cli) = args::Cli::from_arg_matches(&m) {
            let _ = args::config::Config::from_cli(cli, &m);
        }
    }
});
