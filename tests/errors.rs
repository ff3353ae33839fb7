//! Bad input gets a clear error naming file, row and column, with exit
//! code 1 (bad data) or 2 (bad usage), and never a panic.

use crate::util::{p, quotes, Workdir};

/// A small valid labelled file with `n` rows per class.
fn small_csv(n: usize) -> String {
    let mut s = String::from("id,text,stance\n");
    let words = [
        ("favor", "we will strike the cartels"),
        ("against", "there will be no invasion"),
        ("none", "talks on tariffs went on"),
    ];
    for i in 0..n {
        for (j, (label, text)) in words.iter().enumerate() {
            s.push_str(&format!(
                "r{i}_{j},{text} alpha{i} beta{i} gamma{i} delta{i},{label}\n"
            ));
        }
    }
    s
}

fn fails(w: &Workdir, args: &[&str], code: i32, needle: &str) {
    let o = w.run(args);
    assert_eq!(o.code, code, "{args:?}: {o:?}");
    assert!(
        o.stderr.contains(needle),
        "{args:?}: expected «{needle}» in «{}»",
        o.stderr
    );
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
}

#[test]
fn csv_content_errors_name_file_row_and_column() {
    let w = Workdir::new();
    let cases: [(&str, &str, &str); 8] = [
        (
            "no_text.csv",
            "sentence,stance\na,favor\n",
            "no_text.csv row 1: missing 'text' column in the header",
        ),
        (
            "no_stance.csv",
            "text,label\na,favor\n",
            "no_stance.csv row 1: missing 'stance' column in the header",
        ),
        (
            "unknown.csv",
            "text,stance\na,favor\nb,pro\n",
            "unknown.csv row 3, column 'stance': unknown stance 'pro'; expected favor|against|none",
        ),
        (
            "empty_text.csv",
            "text,stance\na,favor\n   ,none\n",
            "empty_text.csv row 3, column 'text': empty text",
        ),
        (
            "dup.csv",
            "id,text,stance\n1,a,favor\n1,b,none\n",
            "dup.csv row 3, column 'id': duplicate id '1' (first on row 2)",
        ),
        (
            "ragged.csv",
            "text,stance\na,favor\nb,none,extra\n",
            "ragged.csv row 3: row has 3 fields; expected 2",
        ),
        (
            "header_only.csv",
            "text,stance\n",
            "header_only.csv: file has a header but no rows",
        ),
        ("empty.csv", "", "empty.csv: file is empty"),
    ];
    for (name, content, needle) in cases {
        w.write(name, content);
        fails(
            &w,
            &["compare", "--data", name, "--cv", "kfold:2"],
            1,
            needle,
        );
        fails(
            &w,
            &["train", "--data", name, "--model", "nb", "--out", "m.json"],
            1,
            needle,
        );
    }
    assert!(!w.path("m.json").exists());
}

#[test]
fn bom_and_crlf_are_accepted() {
    let w = Workdir::new();
    let crlf = format!("\u{feff}{}", small_csv(4).replace('\n', "\r\n"));
    w.write("excel.csv", crlf);
    let o = w.ok([
        "compare",
        "--data",
        "excel.csv",
        "--cv",
        "kfold:2",
        "--resamples",
        "50",
        "--report",
        "r.csv",
    ]);
    assert!(o.stdout.contains("12 quotes"), "{}", o.stdout);
}

#[test]
fn invalid_utf8_fails_clearly_or_is_replaced_with_lossy() {
    let w = Workdir::new();
    let mut bytes = small_csv(4).into_bytes();
    let pos = bytes.iter().position(|&b| b == b'w').unwrap();
    bytes[pos] = 0xff;
    w.write("latin.csv", &bytes);
    fails(
        &w,
        &["compare", "--data", "latin.csv", "--cv", "kfold:2"],
        1,
        "latin.csv row 2, column 'text': invalid UTF-8",
    );
    w.ok([
        "compare",
        "--data",
        "latin.csv",
        "--cv",
        "kfold:2",
        "--lossy",
        "--resamples",
        "50",
        "--report",
        "r.csv",
    ]);
}

#[test]
fn a_class_with_fewer_examples_than_folds_is_noted_not_fatal() {
    let w = Workdir::new();
    let mut s = small_csv(5);
    s.push_str("x1,a lone favour quote,favor\n");
    // Keep only 2 'none' rows: fewer than 5 folds.
    let kept: Vec<&str> = s
        .lines()
        .filter(|l| !l.ends_with(",none") || l.starts_with("r0_") || l.starts_with("r1_"))
        .collect();
    w.write("skew.csv", kept.join("\n") + "\n");
    let o = w.ok([
        "compare",
        "--data",
        "skew.csv",
        "--cv",
        "kfold:5",
        "--resamples",
        "50",
        "--report",
        "r.csv",
    ]);
    assert!(
        o.stderr
            .contains("class none has 2 examples, fewer than the 5 folds"),
        "{}",
        o.stderr
    );
}

#[test]
fn nonsense_flags_are_usage_errors() {
    let w = Workdir::new();
    let data = quotes();
    let d = p(&data);
    fails(
        &w,
        &["compare", "--data", d, "--cv", "kfold:0"],
        2,
        "expected doc or kfold:K",
    );
    fails(
        &w,
        &["compare", "--data", d, "--cv", "loo"],
        2,
        "expected doc or kfold:K",
    );
    fails(
        &w,
        &["compare", "--data", d, "--models", "svm9"],
        2,
        "--models: unknown model 'svm9'",
    );
    fails(
        &w,
        &["train", "--data", d, "--model", "bert", "--out", "m.json"],
        2,
        "unknown model 'bert'",
    );
    fails(
        &w,
        &["compare", "--data", d, "--ngrams", "2..1"],
        2,
        "--ngrams",
    );
    fails(
        &w,
        &["compare", "--data", d, "--ngrams", "one"],
        2,
        "expected MIN..MAX",
    );
    fails(
        &w,
        &["compare", "--data", d, "--min-df", "0"],
        2,
        "--min-df: must be at least 1",
    );
    fails(
        &w,
        &["compare", "--data", d, "--max-df", "1.5"],
        2,
        "--max-df",
    );
    fails(
        &w,
        &["compare", "--data", d, "--threads", "0"],
        2,
        "--threads: must be at least 1",
    );
    fails(
        &w,
        &["compare", "--data", d, "--resamples", "0"],
        2,
        "--resamples: must be at least 1",
    );
    fails(
        &w,
        &["compare", "--data", "missing.csv"],
        1,
        "missing.csv: No such file",
    );
}

#[test]
fn broken_model_files_fail_clearly() {
    let w = Workdir::new();
    let data = quotes();
    w.train_on_quotes("logreg", "m.json");
    let json = w.read("m.json");
    w.write("truncated.json", &json[..json.len() / 3]);
    fails(
        &w,
        &["score", "--model", "truncated.json", "--data", p(&data)],
        1,
        "truncated.json: corrupted or truncated model file",
    );
    w.write("garbage.json", b"\x00\x01\x02binary");
    fails(
        &w,
        &["score", "--model", "garbage.json", "--data", p(&data)],
        1,
        "garbage.json: corrupted or truncated model file",
    );
    w.write("other.json", "{\"hello\": 1}");
    fails(
        &w,
        &["predict", "--model", "other.json", "--data", p(&data)],
        1,
        "other.json: not a stance model file",
    );
    w.write(
        "mangled.json",
        json.replacen("\"weights\":[[", "\"weights\":[[\"x\",", 1),
    );
    fails(
        &w,
        &["score", "--model", "mangled.json", "--data", p(&data)],
        1,
        "mangled.json: corrupted model file",
    );
}

#[test]
fn binary_or_empty_articles_fail_clearly() {
    let w = Workdir::new();
    w.write("empty.txt", "  \n\n");
    fails(
        &w,
        &["extract", "empty.txt"],
        1,
        "empty.txt: article is empty",
    );
    w.write("bin.txt", b"PK\x03\x04\x00\x00binary");
    fails(
        &w,
        &["extract", "bin.txt"],
        1,
        "bin.txt: article looks binary",
    );
    w.write("latin1.txt", b"Se\xf1or Trump said no.\n");
    fails(
        &w,
        &["extract", "latin1.txt"],
        1,
        "latin1.txt row 1: invalid UTF-8 at byte 2",
    );
    fails(&w, &["extract"], 2, "expected one or more article files");
}

#[test]
fn a_closed_stdout_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let w = Workdir::new();
    w.train_on_quotes("nb", "m.json");
    // Enough rows that the output exceeds the pipe buffer.
    let mut big = String::from("text\n");
    for i in 0..20_000 {
        big.push_str(&format!("there will be no invasion number {i}\n"));
    }
    w.write("big.csv", big);
    let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(["predict", "--model", "m.json", "--data", "big.csv"])
        .current_dir(w.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take()); // like `| head -c 64`
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_output_may_overwrite_any_file_the_command_reads() {
    let w = Workdir::new();
    let data = quotes();
    w.train_on_quotes("nb", "m.json");
    let article = crate::util::repo().join("seeds/003_a3af21f984c6ba0f.txt");
    w.write("al.csv", "alias,actor\nSheinbaum,claudia_sheinbaum\n");
    w.write("act.csv", "actor,stance\nclaudia_sheinbaum,against\n");
    let before = (w.read("al.csv"), w.read("act.csv"));
    fails(
        &w,
        &[
            "predict",
            "--model",
            "m.json",
            p(&article),
            "--aliases",
            "al.csv",
            "--out",
            "al.csv",
        ],
        2,
        "al.csv is also an input",
    );
    fails(
        &w,
        &[
            "extract",
            p(&article),
            "--aliases",
            "al.csv",
            "--out",
            "al.csv",
        ],
        2,
        "al.csv is also an input",
    );
    fails(
        &w,
        &[
            "score",
            "--model",
            "m.json",
            "--data",
            p(&data),
            "--by-actor",
            "--actors",
            "act.csv",
            "--report",
            "act.csv",
        ],
        2,
        "act.csv is also an input",
    );
    assert_eq!((w.read("al.csv"), w.read("act.csv")), before);
    // A missing file is named once, with the OS reason once.
    let o = w.run(["compare", "--data", "nope.csv"]);
    assert_eq!(o.stderr.matches("No such file").count(), 1, "{}", o.stderr);
}

#[test]
fn featurize_names_the_input_when_nothing_can_be_featurized_and_labels_classes_from_1() {
    let w = Workdir::new();
    w.write("blank.txt", "\n  \n\n");
    fails(
        &w,
        &["featurize", "--input", "blank.txt"],
        1,
        "blank.txt: no n-gram of 3 training texts survives",
    );
    w.write(
        "l.csv",
        "text,stance\nno invasion,against\nstrike now,favor\ntalks,none\nhello,\n",
    );
    let o = w.ok(["featurize", "--input", "l.csv"]);
    let classes: Vec<&str> = o
        .stdout
        .lines()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(classes, ["2", "1", "3", "0"]);
}
