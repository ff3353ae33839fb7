//! Command lines for fuzzing the flag layer: a subcommand and a few of its
//! real flags (names read from the clap command, so new flags are covered
//! at once) with values drawn from boundary values, the flags' own
//! possible values and arbitrary strings. Shared by the `cargo fuzz`
//! target (`fuzz/fuzz_targets/argv.rs`, which includes this file) and the
//! property test of [`super::config`].

use clap::ArgAction;

/// Values that have broken, or could break, a flag: counts at and past
/// the limits, negative and non-numbers, ranges, schemes, byte sizes,
/// special paths.
pub const VALUES: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "18446744073709551615",
    "18446744073709551616",
    "1000000",
    "1000001",
    "4294967296",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "0.5",
    "",
    " ",
    "1..2",
    "0..0",
    "4..4",
    "9..9",
    "2..1",
    "1..18446744073709551615",
    "..",
    "kfold:2",
    "kfold:0",
    "kfold:18446744073709551615",
    "doc",
    "nb",
    "majority,nb",
    "nb,nb",
    ",",
    "logreg",
    "8M",
    "0K",
    "1G",
    "16777216G",
    "-",
    "/dev/null",
    "/dev/full",
    "/proc/self/fd/1",
    "labels/quotes.csv",
    "reports",
    "tfidf",
    "csv",
    "semeval",
    "\u{feff}x",
];

/// A command line: `stance SUBCOMMAND` and up to seven flags or
/// positionals. `pick(n)` returns a number below `n` (`n > 0`); `junk()`
/// an arbitrary string.
pub fn argv(
    cmd: &clap::Command,
    pick: &mut dyn FnMut(usize) -> usize,
    junk: &mut dyn FnMut() -> String,
) -> Vec<String> {
    let mut out = vec!["stance".to_owned()];
    let subs: Vec<&clap::Command> = cmd.get_subcommands().collect();
    if subs.is_empty() {
        return out;
    }
    let sub = subs[pick(subs.len()) % subs.len()];
    out.push(sub.get_name().to_owned());
    let args: Vec<&clap::Arg> = sub
        .get_arguments()
        .filter(|a| !matches!(a.get_action(), ArgAction::Help | ArgAction::Version))
        .collect();
    if args.is_empty() {
        return out;
    }
    for _ in 0..pick(8) % 8 {
        let a = args[pick(args.len()) % args.len()];
        let takes_value = matches!(a.get_action(), ArgAction::Set | ArgAction::Append);
        let mut value = || -> String {
            let possible: Vec<String> = a
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_owned())
                .collect();
            match pick(8) % 8 {
                0 => junk(),
                1 | 2 if !possible.is_empty() => {
                    possible[pick(possible.len()) % possible.len()].clone()
                }
                _ => VALUES[pick(VALUES.len()) % VALUES.len()].to_owned(),
            }
        };
        match a.get_long() {
            Some(long) if takes_value => {
                let v = value();
                out.push(format!("--{long}={v}"));
            }
            Some(long) => out.push(format!("--{long}")),
            None => {
                let v = value();
                out.push(v);
            }
        }
    }
    out
}
