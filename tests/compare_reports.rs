//! `stance compare --report-dir` through the built binary: the report set,
//! byte-identical reruns, and what the seed may and may not change.

use std::path::{Path, PathBuf};
use std::process::Command;

fn quotes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("labels/quotes.csv")
}

/// Runs `stance compare` in `dir` with `args`, returning stdout.
fn compare(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_stance"))
        .current_dir(dir)
        .arg("compare")
        .arg("--data")
        .arg(quotes())
        .args(args)
        .output()
        .expect("the stance binary runs");
    assert!(
        out.status.success(),
        "stance compare {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 stdout")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const FILES: [&str; 9] = [
    "compare.csv",
    "per_class.csv",
    "confusion.csv",
    "predictions.csv",
    "features.csv",
    "macro_f1.svg",
    "confusion.svg",
    "reliability.svg",
    "index.html",
];

#[test]
fn report_dir_holds_every_report_and_reruns_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let stdout = compare(tmp.path(), &["--report-dir", "a", "--seed", "5"]);
    compare(tmp.path(), &["--report-dir", "b", "--seed", "5"]);
    for m in [
        "majority", "random", "lexicon", "nb", "logreg", "svm", "nbsvm", "tree",
    ] {
        assert!(
            stdout.contains(&format!("\n{m} ")),
            "{m} missing:\n{stdout}"
        );
    }
    for f in FILES {
        let a = std::fs::read(tmp.path().join("a").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("b").join(f)).unwrap();
        assert!(!a.is_empty(), "{f} is empty");
        assert!(a == b, "{f} differs between two runs with one seed");
    }
    // Without --report the default reports/compare.csv is not written.
    assert!(!tmp.path().join("reports").exists());
    let dir = tmp.path().join("a");
    let compare_csv = read(&dir.join("compare.csv"));
    assert!(compare_csv.starts_with(
        "model,n,accuracy,accuracy_lo,accuracy_hi,macro_f1,macro_f1_lo,macro_f1_hi,f_avg,f_avg_lo,f_avg_hi,p_vs_majority,p_vs_best,brier,brier_lo,brier_hi,log_loss,log_loss_lo,log_loss_hi,ece,ece_lo,ece_hi,brier_raw,log_loss_raw,ece_raw\n"
    ));
    assert_eq!(compare_csv.lines().count(), 1 + 8);
    assert_eq!(read(&dir.join("per_class.csv")).lines().count(), 1 + 8 * 3);
    assert_eq!(read(&dir.join("confusion.csv")).lines().count(), 1 + 8 * 9);
    let preds = read(&dir.join("predictions.csv"));
    assert!(preds.starts_with("id,doc,actor,text,gold,majority_pred,majority_p_favor,"));
    // One header line, then one record per quote (texts may hold no newline).
    assert_eq!(preds.lines().count(), 1 + 88);
    let feats = read(&dir.join("features.csv"));
    assert!(feats.starts_with("model,class,rank,feature,weight\n"));
    // nb, logreg, svm and nbsvm have feature weights.
    assert_eq!(feats.lines().count(), 1 + 4 * 3 * 20);
    assert!(read(&dir.join("confusion.svg")).starts_with("<svg"));
    // index.html: one page, no scripts, the three charts inline, the table
    // of every model and the best model's misclassified quotes.
    let html = read(&dir.join("index.html"));
    let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();
    let n = |sel: &str| dom.query_selector(sel).map_or(0, |q| q.count());
    assert_eq!(n("script"), 0);
    assert_eq!(n("svg"), 3);
    assert_eq!(n("table"), 2);
    let p = dom.parser();
    let models = dom.get_element_by_id("models").unwrap().get(p).unwrap();
    let rows = models
        .as_tag()
        .unwrap()
        .query_selector(p, "tr")
        .unwrap()
        .count();
    assert_eq!(rows, 1 + 8, "header and one row per model");
    let errors = dom.get_element_by_id("errors").unwrap().get(p).unwrap();
    assert!(
        errors
            .as_tag()
            .unwrap()
            .query_selector(p, "td")
            .unwrap()
            .count()
            > 0
    );
}

/// The `_lo`/`_hi` columns of compare.csv, and the rest.
fn split_columns(csv: &str) -> (Vec<String>, Vec<String>) {
    let mut header = csv.lines().next().unwrap().split(',');
    let names: Vec<&str> = header.by_ref().collect();
    let (mut bounds, mut points) = (Vec::new(), Vec::new());
    for line in csv.lines().skip(1) {
        for (name, v) in names.iter().zip(line.split(',')) {
            if name.ends_with("_lo") || name.ends_with("_hi") {
                bounds.push(v.to_owned());
            } else if !name.starts_with("p_") {
                points.push(v.to_owned());
            }
        }
    }
    (bounds, points)
}

#[test]
fn another_seed_moves_the_intervals_but_not_the_point_scores() {
    let tmp = tempfile::tempdir().unwrap();
    compare(tmp.path(), &["--report", "s1.csv", "--seed", "1"]);
    compare(tmp.path(), &["--report", "s2.csv", "--seed", "2"]);
    let (b1, p1) = split_columns(&read(&tmp.path().join("s1.csv")));
    let (b2, p2) = split_columns(&read(&tmp.path().join("s2.csv")));
    assert_eq!(p1, p2, "point scores must not depend on the seed");
    assert_ne!(b1, b2, "bootstrap bounds should move with the seed");
}

#[test]
fn grid_writes_one_choice_per_model_and_outer_fold() {
    let tmp = tempfile::tempdir().unwrap();
    let stdout = compare(
        tmp.path(),
        &["--grid", "--models", "majority,nb", "--report-dir", "g"],
    );
    assert!(stdout.contains("nested grid search"), "{stdout}");
    let grid = read(&tmp.path().join("g/grid.csv"));
    let rows: Vec<&str> = grid.lines().collect();
    assert_eq!(rows[0], "model,fold,settings,inner_macro_f1");
    // Five documents = five outer folds; majority has no grid.
    assert_eq!(rows.len(), 1 + 5);
    assert!(rows[1..]
        .iter()
        .all(|r| r.starts_with("nb,") && r.contains(";ngrams=1..")));
}

#[test]
fn report_dir_explains_out_of_fold_predictions_unless_explain_is_0() {
    let tmp = tempfile::tempdir().unwrap();
    let models = ["--models", "majority,logreg"];
    compare(tmp.path(), &[&models[..], &["--report-dir", "a"]].concat());
    compare(
        tmp.path(),
        &[&models[..], &["--report-dir", "b", "--explain", "0"]].concat(),
    );
    let mut r = csv::Reader::from_path(tmp.path().join("a/predictions.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    // Each model's columns together, its explanation last.
    assert_eq!(col("majority_explanation"), col("majority_p_none") + 1);
    assert_eq!(col("logreg_explanation"), col("logreg_p_none") + 1);
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 88);
    assert!(rows
        .iter()
        .all(|r| r[col("majority_explanation")].is_empty()));
    let why: Vec<&str> = rows.iter().map(|r| &r[col("logreg_explanation")]).collect();
    assert!(why.iter().filter(|w| !w.is_empty()).count() > 44, "{why:?}");
    for w in why.iter().filter(|w| !w.is_empty()) {
        // At most 3 (the default) `n-gram (value)` items, largest first.
        let values: Vec<f64> = w
            .split("; ")
            .map(|item| {
                let v = item.rsplit_once(" (").unwrap().1;
                v.trim_end_matches(')').parse().unwrap()
            })
            .collect();
        assert!(values.len() <= 3 && values.iter().all(|&v| v >= 0.0), "{w}");
        assert!(values.windows(2).all(|p| p[0] >= p[1]), "{w}");
    }
    assert!(read(&tmp.path().join("a/index.html")).contains("why (top n-grams)"));
    // --explain 0: no explanations anywhere; the rest is unchanged.
    let off = read(&tmp.path().join("b/predictions.csv"));
    assert!(!off.lines().next().unwrap().contains("explanation"));
    assert!(!read(&tmp.path().join("b/index.html")).contains("why (top n-grams)"));
    assert_eq!(
        read(&tmp.path().join("a/compare.csv")),
        read(&tmp.path().join("b/compare.csv"))
    );
    // --explain needs --report-dir, and a sane K.
    for args in [
        &["--explain", "2"][..],
        &["--explain", "1000", "--report-dir", "c"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_stance"))
            .current_dir(tmp.path())
            .args(["compare", "--data"])
            .arg(quotes())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--explain"));
    }
    assert!(!tmp.path().join("c").exists());
}
