//! Issue 16, rows 4 and 5, and item 3: every numeric flag of every
//! command, over boundary values, gives a clean result or a clean error
//! (exit 0, 1 or 2): never a panic (101), an abort (134) or a hang.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{p, quotes, repo, Workdir};

/// The most `--threads` accepted here.
fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |c| c.get()) * 4
}

/// Row 4: huge --resamples are usage errors, not a panic or an abort.
#[test]
fn row4_huge_resamples_are_usage_errors() {
    let w = Workdir::new();
    for n in ["18446744073709551615", "1000000000", "1000001"] {
        let o = w.run(["compare", "--data", p(&quotes()), "--resamples", n]);
        assert_eq!(o.code, 2, "--resamples {n}: {o:?}");
        assert!(o.stderr.contains("at most 1000000"), "{}", o.stderr);
    }
}

/// Row 5: --threads beyond 4 × the cores is a usage error, before work.
#[test]
fn row5_too_many_threads_are_usage_errors() {
    let w = Workdir::new();
    let q = quotes();
    let too_many = (max_threads() + 1).to_string();
    for n in ["10000", "18446744073709551615", too_many.as_str()] {
        for cmd in [
            vec!["compare", "--data", p(&q)],
            vec!["featurize", "--input", p(&q)],
            vec!["train", "--data", p(&q), "--model", "nb", "--out", "m.json"],
        ] {
            let mut args = cmd.clone();
            args.extend(["--threads", n]);
            let started = Instant::now();
            let o = w.run(&args);
            assert_eq!(o.code, 2, "{args:?}: {o:?}");
            assert!(o.stderr.contains("--threads"), "{}", o.stderr);
            assert!(started.elapsed() < Duration::from_secs(20));
        }
    }
    assert!(!w.path("m.json").exists());
}

/// Runs the binary with a deadline; returns its exit code (`None`: killed
/// by a signal).
fn run_bounded(dir: &std::path::Path, args: &[String], secs: u64) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hang: stance {} (over {secs} s)", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Item 3: each command × each numeric flag × 0, 1, the largest accepted
/// value, u64::MAX, -1, NaN and empty (ranges and schemes in their own
/// syntax): exit 0, 1 or 2 within a minute.
#[test]
fn every_numeric_flag_over_boundary_values_exits_cleanly() {
    let w = Workdir::new();
    let lines: String = std::fs::read_to_string(quotes())
        .unwrap()
        .lines()
        .take(25)
        .map(|l| format!("{l}\n"))
        .collect();
    let data = w.write("d.csv", lines);
    let d = p(&data).to_owned();
    w.ok([
        "train", "--data", &d, "--model", "majority", "--out", "m.json",
    ]);
    let train = repo().join("tests/data/semeval_train.txt");
    let test = repo().join("tests/data/semeval_test.txt");
    let article = repo().join("seeds/000_5677ce4ae29b53f7.txt");
    let max_threads = max_threads().to_string();
    let counts = |max: &str| -> Vec<String> {
        ["0", "1", max, "18446744073709551615", "-1", "NaN", ""]
            .map(String::from)
            .to_vec()
    };
    let ranges = || -> Vec<String> {
        [
            "0..0",
            "1..1",
            "4..4",
            "1..18446744073709551615",
            "-1..2",
            "NaN",
            "",
        ]
        .map(String::from)
        .to_vec()
    };
    let fractions = || -> Vec<String> {
        [
            "0",
            "1",
            "1e308",
            "18446744073709551615",
            "-1",
            "NaN",
            "",
            "inf",
        ]
        .map(String::from)
        .to_vec()
    };
    let bytes = || -> Vec<String> {
        [
            "0",
            "1",
            "1G",
            "18446744073709551615",
            "-1",
            "NaN",
            "",
            "16777216G",
        ]
        .map(String::from)
        .to_vec()
    };
    let feat = |max_features: &str| -> Vec<(&'static str, Vec<String>)> {
        vec![
            ("--min-df", counts("25")),
            ("--max-df", fractions()),
            ("--max-features", counts(max_features)),
            ("--threads", counts(&max_threads)),
            ("--ngrams", ranges()),
            ("--char-ngrams", ranges()),
        ]
    };
    let s = |v: &[&str]| -> Vec<String> { v.iter().map(|x| x.to_string()).collect() };
    type Case = (Vec<String>, Vec<(&'static str, Vec<String>)>);
    let mut cases: Vec<Case> = Vec::new();
    let mut compare_flags = feat("1000000");
    compare_flags.extend([
        ("--seed", counts("18446744073709551615")),
        ("--resamples", counts("1000000")),
        (
            "--cv",
            s(&[
                "kfold:0",
                "kfold:1",
                "kfold:25",
                "kfold:18446744073709551615",
                "kfold:-1",
                "kfold:NaN",
                "",
            ]),
        ),
    ]);
    cases.push((
        s(&[
            "compare", "--data", &d, "--models", "majority", "--report", "c.csv",
        ]),
        compare_flags,
    ));
    cases.push((
        s(&["train", "--data", &d, "--model", "nb", "--out", "t.json"]),
        feat("1000000"),
    ));
    cases.push((
        s(&["score", "--model", "m.json", "--data", &d]),
        vec![("--seed", counts("18446744073709551615"))],
    ));
    let mut featurize_flags = feat("1000000");
    featurize_flags.extend([("--block-size", bytes()), ("--row-memory", bytes())]);
    cases.push((
        s(&["featurize", "--input", &d, "--out", "f.svm"]),
        featurize_flags,
    ));
    cases.push((
        s(&["extract", p(&article)]),
        vec![("--threads", counts(&max_threads))],
    ));
    let mut semeval_flags = feat("1000000");
    semeval_flags.extend([
        ("--folds", counts("61")),
        ("--seed", counts("18446744073709551615")),
    ]);
    cases.push((
        s(&[
            "semeval",
            "--train",
            p(&train),
            "--test",
            p(&test),
            "--models",
            "majority",
            "--report",
            "s.csv",
        ]),
        semeval_flags,
    ));
    let mut runs: Vec<Vec<String>> = Vec::new();
    for (base, flags) in &cases {
        for (flag, values) in flags {
            for v in values {
                let mut args = base.clone();
                // `--flag=VALUE`, so that `-1` is a value, not a flag.
                args.push(format!("{flag}={v}"));
                runs.push(args);
            }
        }
    }
    assert!(runs.len() > 200, "{}", runs.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let bad = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(args) = runs.get(i) else { break };
                let code = run_bounded(w.dir.path(), args, 120);
                if !matches!(code, Some(0..=2)) {
                    bad.lock()
                        .unwrap()
                        .push(format!("{code:?}: stance {}", args.join(" ")));
                }
            });
        }
    });
    let bad = bad.into_inner().unwrap();
    assert!(
        bad.is_empty(),
        "{} runs crashed:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
