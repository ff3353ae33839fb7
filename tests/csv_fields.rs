//! Fields that need quoting in CSV (a comma, a quote, a line break) in
//! every field a user controls (id, doc, actor, text, target, article
//! file name) come back intact from every CSV report, read with the csv
//! crate. Model names come from the model table and cannot hold them.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util::{get, parse_csv, Workdir};

/// A value with a comma, a quote and a line break, made unique by `i`.
fn odd(what: &str, i: usize) -> String {
    format!("{what} {i}, \"quoted\"\nsecond line")
}

/// `id,doc,actor,text,stance`: 8 documents, 4 actors, every field odd.
fn labelled() -> Vec<[String; 5]> {
    let said = [
        ("favor", "we will strike the cartels"),
        ("against", "there will be no invasion"),
        ("none", "talks on tariffs went on"),
    ];
    (0..48)
        .map(|i| {
            let (stance, text) = said[i % 3];
            [
                odd("id", i),
                odd("doc", i % 8),
                odd("actor", i % 4),
                format!("{text}, \"w{i}\"\nx{i} y{i} z{i}"),
                stance.to_owned(),
            ]
        })
        .collect()
}

fn write_csv(w: &Workdir, name: &str, header: &[&str], rows: &[Vec<String>]) {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header).unwrap();
    for r in rows {
        out.write_record(r).unwrap();
    }
    w.write(name, out.into_inner().unwrap());
}

fn column(csv: &str, col: &str) -> Vec<String> {
    let (h, rows) = parse_csv(csv);
    rows.iter().map(|r| get(&h, r, col).to_owned()).collect()
}

fn set(v: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    v.into_iter().collect()
}

#[test]
fn every_csv_report_reads_back_fields_with_commas_quotes_and_newlines() {
    let w = Workdir::new();
    let rows = labelled();
    let as_vecs: Vec<Vec<String>> = rows.iter().map(|r| r.to_vec()).collect();
    write_csv(
        &w,
        "q.csv",
        &["id", "doc", "actor", "text", "stance"],
        &as_vecs,
    );
    let actors: Vec<Vec<String>> = (0..4)
        .map(|a| {
            vec![
                odd("actor", a),
                ["favor", "against", "none", "favor"][a].into(),
            ]
        })
        .collect();
    write_csv(&w, "gold_actors.csv", &["actor", "stance"], &actors);

    // compare --report-dir, nested by document: every CSV of the set.
    w.ok([
        "compare",
        "--data",
        "q.csv",
        "--cv",
        "doc",
        "--grid",
        "--models",
        "majority,nb",
        "--resamples",
        "20",
        "--report-dir",
        "rd",
    ]);
    for f in [
        "compare.csv",
        "per_class.csv",
        "confusion.csv",
        "features.csv",
    ] {
        let (h, body) = parse_csv(&w.read(&format!("rd/{f}")));
        assert!(!h.is_empty() && !body.is_empty(), "{f}");
        assert!(body.iter().all(|r| r.len() == h.len()), "{f}: ragged rows");
    }
    let predictions = w.read("rd/predictions.csv");
    for (i, col) in ["id", "doc", "actor", "text"].iter().enumerate() {
        let want: Vec<String> = rows.iter().map(|r| r[i].clone()).collect();
        assert_eq!(column(&predictions, col), want, "predictions.csv {col}");
    }
    let docs = set(rows.iter().map(|r| r[1].clone()));
    let grid = w.read("rd/grid.csv");
    assert_eq!(set(column(&grid, "fold")), docs, "grid.csv fold");
    assert_eq!(column(&grid, "fold").len(), 8, "one row per outer fold");

    // score --report --by-actor, and predict, per quote and per actor.
    w.ok([
        "train", "--data", "q.csv", "--model", "nb", "--out", "m.json",
    ]);
    w.ok([
        "score",
        "--model",
        "m.json",
        "--data",
        "q.csv",
        "--report",
        "s.csv",
        "--by-actor",
        "--actors",
        "gold_actors.csv",
    ]);
    assert_eq!(column(&w.read("s.csv"), "model"), ["nb"]);
    let o = w.ok(["predict", "--model", "m.json", "--data", "q.csv"]);
    for (i, col) in [(1, "doc"), (2, "actor"), (3, "text")] {
        let want: Vec<String> = rows.iter().map(|r| r[i].clone()).collect();
        assert_eq!(column(&o.stdout, col), want, "predict {col}");
    }
    let o = w.ok([
        "predict",
        "--model",
        "m.json",
        "--data",
        "q.csv",
        "--by-actor",
    ]);
    assert_eq!(
        set(column(&o.stdout, "actor")),
        set(rows.iter().map(|r| r[2].clone())),
        "predict --by-actor actor"
    );

    // semeval (CSV input): targets, in its report.
    let sem: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                r[0].clone(),
                odd("target", i % 2),
                r[3].clone(),
                r[4].clone(),
            ]
        })
        .collect();
    let (train, test) = sem.split_at(36);
    write_csv(&w, "train.csv", &["id", "target", "text", "stance"], train);
    write_csv(&w, "test.csv", &["id", "target", "text", "stance"], test);
    w.ok([
        "semeval",
        "--format",
        "csv",
        "--train",
        "train.csv",
        "--test",
        "test.csv",
        "--models",
        "nb",
        "--report",
        "sem.csv",
    ]);
    let mut want: Vec<String> = (0..2).map(|t| odd("target", t)).collect();
    want.push("POOLED".into());
    assert_eq!(column(&w.read("sem.csv"), "target"), want);

    // extract: an article whose file name has a comma and a quote.
    let name = "a, \"b\".txt";
    w.write(
        name,
        "Mexico will not accept it, President Claudia Sheinbaum said on Monday. \
         \"There will be no invasion,\" she said.\n",
    );
    let o = w.ok(["extract", name]);
    let docs = column(&o.stdout, "doc");
    assert!(!docs.is_empty(), "{}", o.stdout);
    assert!(
        docs.iter().all(|d| Path::new(d) == Path::new(name)),
        "{docs:?}"
    );
}
