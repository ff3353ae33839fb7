//! Issue 16, items 4–6: inputs that are hostile or careless get a message
//! saying what is wrong (model files checked for sense, encodings, quotes),
//! `--lossy` is honoured by every command that reads text, and
//! `extract --eval` scores only the articles it is given. Each test names
//! the issue's table row it covers.

use crate::util::{p, quotes, Workdir};

/// Runs `args`, expects exit `code` and `needle` in stderr, and no panic.
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

/// `w`'s `from` model file with `edit` applied, written as `to`.
fn edit_model(w: &Workdir, from: &str, to: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_str(&w.read(from)).unwrap();
    edit(&mut v);
    w.write(to, v.to_string());
}

/// The first JSON object holding `key`, depth first.
fn first_with<'a>(v: &'a mut serde_json::Value, key: &str) -> Option<&'a mut serde_json::Value> {
    if v.get(key).is_some() {
        return Some(v);
    }
    match v {
        serde_json::Value::Array(a) => a.iter_mut().find_map(|x| first_with(x, key)),
        serde_json::Value::Object(o) => o.values_mut().find_map(|x| first_with(x, key)),
        _ => None,
    }
}

/// Row 9: hand-edited models that parse but make no sense are refused,
/// naming what is wrong, instead of printing probabilities of -1 or 1e15.
#[test]
fn row9_model_files_are_checked_for_sense() {
    let w = Workdir::new();
    let data = quotes();
    let score = |m: &str| {
        vec![
            "score".to_string(),
            "--model".into(),
            m.into(),
            "--data".into(),
            p(&data).into(),
        ]
    };
    let fails_with = |m: &str, needle: &str| {
        let args = score(m);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(&w, &args, 1, needle);
    };
    w.train_on_quotes("tree", "tree.json");
    edit_model(&w, "tree.json", "leaf.json", |v| {
        let leaf = first_with(&mut v["model"], "probs").unwrap();
        leaf["probs"] = serde_json::json!([-1.0, 5.0, 0.0]);
    });
    fails_with("leaf.json", "is not a probability distribution");
    edit_model(&w, "tree.json", "cycle.json", |v| {
        let split = first_with(&mut v["model"], "left").unwrap();
        split["left"] = 0.into();
    });
    fails_with("cycle.json", "expected nodes after it");
    edit_model(&w, "tree.json", "feature.json", |v| {
        let split = first_with(&mut v["model"], "feature").unwrap();
        split["feature"] = 99_999_999.into();
    });
    fails_with("feature.json", "splits on feature 99999999");

    w.train_on_quotes("lexicon", "lexicon.json");
    edit_model(&w, "lexicon.json", "smooth.json", |v| {
        v["model"]["smoothing"] = (-1.0).into();
    });
    fails_with("smooth.json", "smoothing -1 must be finite and > 0");
    edit_model(&w, "lexicon.json", "smooth_params.json", |v| {
        v["params"]["params"]["smoothing"] = (-1.0).into();
    });
    fails_with("smooth_params.json", "bad lexicon settings");

    w.train_on_quotes("nb", "nb.json");
    edit_model(&w, "nb.json", "logp.json", |v| {
        v["model"]["weights"][0][0] = 2.5.into();
    });
    fails_with("logp.json", "log-probability above 0");
    edit_model(&w, "nb.json", "priors.json", |v| {
        v["model"]["intercept"][1] = (-30.0).into();
    });
    fails_with("priors.json", "class priors sum to");
    edit_model(&w, "nb.json", "alpha.json", |v| {
        v["params"]["alpha"] = 0.0.into();
    });
    fails_with("alpha.json", "bad nb settings");

    w.train_on_quotes("logreg", "logreg.json");
    edit_model(&w, "logreg.json", "iter.json", |v| {
        v["params"]["max_iterations"] = 0.into();
    });
    fails_with("iter.json", "bad logreg settings");
    // A sound file still loads.
    w.ok(score("nb.json"));
}

/// Row 13: a version of the wrong type, and settings of another kind than
/// the fitted model, say what is wrong.
#[test]
fn row13_model_file_version_type_and_kind_mismatch() {
    let w = Workdir::new();
    let data = quotes();
    w.train_on_quotes("nb", "nb.json");
    edit_model(&w, "nb.json", "v.json", |v| v["version"] = "1".into());
    fails(
        &w,
        &["score", "--model", "v.json", "--data", p(&data)],
        1,
        "\"version\" is \"1\", a string; expected the number 4",
    );
    edit_model(&w, "nb.json", "kind.json", |v| {
        v["params"]["kind"] = "svm".into()
    });
    fails(
        &w,
        &["score", "--model", "kind.json", "--data", p(&data)],
        1,
        "settings of model 'svm' but a fitted 'nb' model",
    );
}

/// An article and a CSV with one invalid UTF-8 byte (Latin-1 ñ).
fn latin1_inputs(w: &Workdir) {
    w.write(
        "bad.txt",
        b"\xe2\x80\x9cWe will act now,\xe2\x80\x9d Se\xf1or Ruiz said.\n",
    );
    w.write("bad_lines.txt", b"we act\nSe\xf1or Ruiz\n");
    w.write(
        "bad.csv",
        b"text,stance\nwe will strike,favor\nno invasion Se\xf1or,against\ntalks,none\n",
    );
}

/// Row 10: `--lossy` on every command that reads text, and honoured:
/// without it the bad byte is an error naming the file and suggesting the
/// flag; with it the byte becomes U+FFFD.
#[test]
fn row10_lossy_on_every_command_that_reads_text() {
    let w = Workdir::new();
    latin1_inputs(&w);
    w.train_on_quotes("nb", "m.json");
    // extract ARTICLE
    fails(
        &w,
        &["extract", "bad.txt"],
        1,
        "bad.txt row 1: invalid UTF-8 at byte 25",
    );
    fails(&w, &["extract", "bad.txt"], 1, "(or pass --lossy)");
    let o = w.ok(["extract", "--lossy", "bad.txt"]);
    assert!(o.stdout.contains("Se\u{FFFD}or Ruiz"), "{o:?}");
    // predict ARTICLE
    fails(
        &w,
        &["predict", "--model", "m.json", "bad.txt"],
        1,
        "invalid UTF-8",
    );
    let o = w.ok(["predict", "--model", "m.json", "--lossy", "bad.txt"]);
    assert!(o.stdout.contains("Se\u{FFFD}or Ruiz"), "{o:?}");
    // featurize, a text file and a CSV
    for input in ["bad_lines.txt", "bad.csv"] {
        fails(&w, &["featurize", "--input", input], 1, "(or pass --lossy)");
        let o = w.ok(["featurize", "--input", input, "--lossy"]);
        assert_eq!(
            o.stdout.lines().count(),
            if input == "bad.csv" { 3 } else { 2 }
        );
    }
    // train, score, compare, predict --data (CSV)
    fails(
        &w,
        &[
            "train", "--data", "bad.csv", "--model", "nb", "--out", "b.json",
        ],
        1,
        "(or pass --lossy)",
    );
    w.ok([
        "train", "--data", "bad.csv", "--model", "nb", "--out", "b.json", "--lossy",
    ]);
    fails(
        &w,
        &["score", "--model", "m.json", "--data", "bad.csv"],
        1,
        "(or pass --lossy)",
    );
    w.ok(["score", "--model", "m.json", "--data", "bad.csv", "--lossy"]);
    fails(
        &w,
        &["predict", "--model", "m.json", "--data", "bad.csv"],
        1,
        "(or pass --lossy)",
    );
    w.ok([
        "predict", "--model", "m.json", "--data", "bad.csv", "--lossy",
    ]);
    fails(
        &w,
        &[
            "compare", "--data", "bad.csv", "--models", "majority", "--cv", "kfold:2", "--report",
            "c.csv",
        ],
        1,
        "(or pass --lossy)",
    );
    w.ok([
        "compare", "--data", "bad.csv", "--models", "majority", "--cv", "kfold:2", "--report",
        "c.csv", "--lossy",
    ]);
}

/// Row 13: UTF-16 and UTF-32 files are named as such, by every reader
/// (articles, text files, CSVs), instead of "missing 'text' column" or
/// "looks binary".
#[test]
fn row13_utf16_and_utf32_files_are_named() {
    let w = Workdir::new();
    let utf16 = |s: &str| -> Vec<u8> {
        "\u{feff}"
            .encode_utf16()
            .chain(s.encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect()
    };
    w.write("a16.txt", utf16("“We act,” Ruiz said.\n"));
    w.write("d16.csv", utf16("text,stance\na,favor\nb,none\n"));
    let mut utf32be = vec![0u8, 0, 0xFE, 0xFF];
    utf32be.extend(
        "text,stance\na,favor\n"
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes()),
    );
    w.write("d32.csv", utf32be);
    fails(
        &w,
        &["extract", "a16.txt"],
        1,
        "a16.txt: file is UTF-16LE text",
    );
    fails(
        &w,
        &["featurize", "--input", "a16.txt"],
        1,
        "a16.txt: file is UTF-16LE text",
    );
    fails(
        &w,
        &["featurize", "--input", "d16.csv"],
        1,
        "d16.csv: file is UTF-16LE text",
    );
    fails(
        &w,
        &[
            "train", "--data", "d16.csv", "--model", "nb", "--out", "m.json",
        ],
        1,
        "iconv -f UTF-16 -t UTF-8",
    );
    fails(
        &w,
        &[
            "train", "--data", "d32.csv", "--model", "nb", "--out", "m.json",
        ],
        1,
        "d32.csv: file is UTF-32BE text",
    );
}

/// Row 13: bad UTF-8 in the header and an unterminated quote say so.
#[test]
fn row13_header_bytes_and_unterminated_quotes() {
    let w = Workdir::new();
    w.write("h.csv", b"te\xffxt,stance\na,favor\n");
    fails(
        &w,
        &[
            "train", "--data", "h.csv", "--model", "nb", "--out", "m.json",
        ],
        1,
        "h.csv row 1: invalid UTF-8 in the header, column 1 at byte 2",
    );
    w.write(
        "q.csv",
        "text,stance\nok,favor\n\"never closed,against\nmore,none\nrows,none\n",
    );
    fails(
        &w,
        &["train", "--data", "q.csv", "--model", "nb", "--out", "m.json"],
        1,
        "q.csv row 3: row has 1 fields; expected 2 like the header; a quoted field of the row that starts on line 3 runs over 4 lines: is its closing quote missing?",
    );
}

/// Row 11: `extract --eval LABELS ARTICLE` scores that article alone, and
/// warns about (and leaves out) an article the labels do not cover.
#[test]
fn row11_extract_eval_scores_only_the_articles_given() {
    let w = Workdir::new();
    let a = "“We will not allow it,” Sheinbaum said. “Never.”\nThe weather was fine.\n";
    let b = "“Strikes will come,” Rubio said.\n";
    w.write("a.txt", a);
    w.write("b.txt", b);
    w.write("c.txt", "“Maybe,” Petro said.\n");
    // Labels that are exactly the extraction of a.txt and b.txt.
    let mut labels = String::from("id,doc,start,end,actor,text,stance\n");
    for doc in ["a.txt", "b.txt"] {
        let o = w.ok(["extract", doc]);
        let (h, rows) = crate::util::parse_csv(&o.stdout);
        assert!(!rows.is_empty(), "{doc}: {o:?}");
        for (i, r) in rows.iter().enumerate() {
            let g = |c: &str| crate::util::get(&h, r, c).to_string();
            let text = g("text").replace('"', "\"\"");
            labels.push_str(&format!(
                "{doc}-{i},{doc},{},{},{},\"{text}\",favor\n",
                g("start"),
                g("end"),
                g("actor")
            ));
        }
    }
    w.write("labels.csv", labels);
    let o = w.ok(["extract", "--eval", "labels.csv", "a.txt"]);
    assert!(
        o.stdout.contains("precision 1.0000  recall 1.0000"),
        "{o:?}"
    );
    assert!(!o.stderr.contains("warning"), "{o:?}");
    let o = w.ok(["extract", "--eval", "labels.csv", "a.txt", "c.txt"]);
    assert!(
        o.stdout.contains("precision 1.0000  recall 1.0000"),
        "{o:?}"
    );
    assert!(
        o.stderr.contains(
            "warning: c.txt has no rows in labels.csv; its quotes are left out of the scores"
        ),
        "{o:?}"
    );
    fails(
        &w,
        &["extract", "--eval", "labels.csv", "c.txt"],
        1,
        "no labelled quotes for c.txt",
    );
}

/// Row 13: `--report-dir` naming a file says so (not "File exists"), as a
/// usage error before any work.
#[test]
fn row13_report_dir_naming_a_file() {
    let w = Workdir::new();
    w.write("r", "a file");
    fails(
        &w,
        &[
            "compare",
            "--data",
            p(&quotes()),
            "--models",
            "majority",
            "--report-dir",
            "r",
        ],
        2,
        "--report-dir: r exists and is not a folder; expected a folder",
    );
    assert_eq!(w.read("r"), "a file");
}

/// Row 13: one-class data gets a note that says so, not "0 examples,
/// fewer than the folds".
#[test]
fn row13_one_class_data_is_noted_as_such() {
    let w = Workdir::new();
    let mut csv = String::from("text,stance\n");
    for i in 0..12 {
        csv.push_str(&format!("we will strike them {i},favor\n"));
    }
    w.write("one.csv", csv);
    let o = w.ok([
        "compare",
        "--data",
        "one.csv",
        "--models",
        "majority,nb",
        "--cv",
        "kfold:3",
        "--report",
        "c.csv",
    ]);
    assert!(
        o.stderr
            .contains("note: every example is labelled favor: the data has one class"),
        "{o:?}"
    );
    assert!(!o.stderr.contains("0 examples"), "{o:?}");
    let mut csv = String::from("text,stance\n");
    for i in 0..6 {
        csv.push_str(&format!(
            "we will strike them {i},favor\nno invasion {i},against\n"
        ));
    }
    w.write("two.csv", csv);
    let o = w.ok([
        "compare", "--data", "two.csv", "--models", "majority", "--cv", "kfold:3", "--report",
        "c.csv",
    ]);
    assert!(
        o.stderr
            .contains("note: no example is labelled none; its F1 counts as 0"),
        "{o:?}"
    );
    assert!(!o.stderr.contains("0 examples"), "{o:?}");
}

/// Row 14: a model listed twice is refused (it would give two identical
/// rows), in `compare` and `semeval`.
#[test]
fn row14_a_model_listed_twice_is_refused() {
    let w = Workdir::new();
    fails(
        &w,
        &[
            "compare",
            "--data",
            p(&quotes()),
            "--models",
            "nb, majority,nb",
        ],
        2,
        "--models: model 'nb' is listed twice; expected each model once",
    );
    w.write("t.txt", "ID\tTarget\tTweet\tStance\n1\tA\tx\tFAVOR\n");
    fails(
        &w,
        &[
            "semeval",
            "--train",
            "t.txt",
            "--test",
            "t.txt",
            "--models",
            "logreg,logreg",
        ],
        2,
        "model 'logreg' is listed twice",
    );
}

/// Row 14: `semeval --predictions --report F` writes F (the pooled score),
/// and without --report writes nothing.
#[test]
fn row14_semeval_predictions_honours_report() {
    let w = Workdir::new();
    let gold = "ID\tTarget\tTweet\tStance\n1\tA\tx\tFAVOR\n2\tA\ty\tAGAINST\n3\tB\tz\tNONE\n4\tB\tq\tAGAINST\n";
    w.write("gold.txt", gold);
    w.write(
        "pred.txt",
        "ID\tTarget\tTweet\tStance\n4\tB\tq\tFAVOR\n3\tB\tz\tNONE\n1\tA\tx\tFAVOR\n2\tA\ty\tAGAINST\n",
    );
    let o = w.ok([
        "semeval",
        "--test",
        "gold.txt",
        "--predictions",
        "pred.txt",
        "--report",
        "s.csv",
    ]);
    assert!(o.stdout.ends_with("F_avg: 0.6667\n"), "{o:?}");
    let (h, rows) = crate::util::parse_csv(&w.read("s.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(crate::util::get(&h, &rows[0], "target"), "POOLED");
    assert_eq!(crate::util::get(&h, &rows[0], "f_avg"), "0.6667");
    assert_eq!(crate::util::get(&h, &rows[0], "n_test"), "4");
    w.ok(["semeval", "--test", "gold.txt", "--predictions", "pred.txt"]);
    assert!(!w.path("reports").exists());
}
