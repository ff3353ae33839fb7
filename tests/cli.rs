//! The binary end to end: compare, train → score round trip, predict,
//! extract, featurize, and clear errors with the right exit codes.

use crate::util::{get, p, parse_csv, quotes, repo, Workdir};

#[test]
fn compare_with_no_flags_uses_embedded_labels_and_writes_the_report() {
    let w = Workdir::new();
    let o = w.ok(["compare", "--resamples", "200"]);
    assert!(o.stdout.contains("cv: doc (5 folds)"), "{}", o.stdout);
    let (h, rows) = parse_csv(&w.read("reports/compare.csv"));
    for col in [
        "model",
        "n",
        "accuracy",
        "macro_f1",
        "f_avg",
        "macro_f1_lo",
        "macro_f1_hi",
    ] {
        assert!(h.iter().any(|c| c == col), "missing column {col}");
    }
    let score = |m: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| r[0] == m)
            .unwrap_or_else(|| panic!("no row {m}"));
        assert_eq!(get(&h, r, "n"), "88");
        let (lo, x, hi): (f64, f64, f64) = (
            get(&h, r, "macro_f1_lo").parse().unwrap(),
            get(&h, r, "macro_f1").parse().unwrap(),
            get(&h, r, "macro_f1_hi").parse().unwrap(),
        );
        assert!(lo <= x && x <= hi, "{m}: {lo} {x} {hi}");
        x
    };
    assert!(
        score("logreg") > score("majority"),
        "logreg must beat the majority baseline"
    );
}

#[test]
fn compare_is_byte_identical_for_one_seed() {
    let w = Workdir::new();
    let data = quotes();
    let run = |seed: &str, out: &str| {
        w.ok([
            "compare",
            "--data",
            p(&data),
            "--cv",
            "kfold:4",
            "--seed",
            seed,
            "--resamples",
            "200",
            "--report",
            out,
        ]);
        w.read(out)
    };
    let a = run("7", "a.csv");
    assert_eq!(a, run("7", "b.csv"));
    assert_ne!(
        a,
        run("8", "c.csv"),
        "another seed changes folds and intervals"
    );
}

#[test]
fn compare_is_byte_identical_on_one_and_two_threads_and_quiet_in_pipes() {
    let w = Workdir::new();
    let data = quotes();
    let run = |threads: &str, dir: &str, extra: &[&str]| {
        let mut args = vec![
            "compare",
            "--data",
            p(&data),
            "--resamples",
            "100",
            "--threads",
            threads,
            "--report-dir",
            dir,
        ];
        args.extend_from_slice(extra);
        let o = w.ok(args);
        // stderr is a pipe here: no progress bar, only notes.
        assert!(
            !o.stderr.contains("cross-validation") && !o.stderr.contains('\r'),
            "{}",
            o.stderr
        );
        o.stdout.replace(dir, "DIR")
    };
    let one = run("1", "reports-a", &[]);
    assert_eq!(one, run("2", "reports-b", &["--quiet"]));
    let mut names: Vec<_> = std::fs::read_dir(w.path("reports-a"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 7, "{names:?}");
    for name in names {
        let (a, b) = (
            w.path("reports-a").join(&name),
            w.path("reports-b").join(&name),
        );
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(b).unwrap(),
            "{name:?}"
        );
    }
}

#[test]
fn training_nb_prints_no_library_debug_output() {
    // Upstream linfa-bayes `dbg!`s every class histogram on fit (`nb` no
    // longer calls it, and the tests' vendored copy does not); nothing may
    // reach stderr.
    let w = Workdir::new();
    let o = w.train_on_quotes("nb", "nb.json");
    assert_eq!(o.stderr, "", "stderr of a clean nb fit");
}

#[test]
fn train_then_score_round_trip() {
    let w = Workdir::new();
    let data = quotes();
    let o = w.train_on_quotes("logreg", "m.json");
    assert!(
        o.stdout.contains("trained logreg on 88 quotes"),
        "{}",
        o.stdout
    );
    let o = w.ok([
        "score",
        "--model",
        "m.json",
        "--data",
        p(&data),
        "--report",
        "s.csv",
        "--by-actor",
    ]);
    assert!(o.stdout.contains("macro_f1"), "{}", o.stdout);
    assert!(o.stdout.contains("actors ("), "{}", o.stdout);
    assert!(
        o.stdout.contains("actor accuracy by evidence") && o.stdout.contains("strong+weak "),
        "{}",
        o.stdout
    );
    let (h, rows) = parse_csv(&w.read("s.csv"));
    let acc: f64 = get(&h, &rows[0], "accuracy").parse().unwrap();
    assert!(acc > 0.9, "training accuracy {acc}");
    for col in ["macro_f1", "f_avg"] {
        assert!(h.iter().any(|c| c == col));
    }
    // predict on labelled quotes and on raw articles.
    let o = w.ok(["predict", "--model", "m.json", "--data", p(&data)]);
    let (h, rows) = parse_csv(&o.stdout);
    assert_eq!(
        h,
        [
            "doc",
            "actor",
            "text",
            "stance",
            "p_favor",
            "p_against",
            "p_none"
        ]
    );
    assert_eq!(rows.len(), 88);
    let article = repo().join("seeds/003_a3af21f984c6ba0f.txt");
    let o = w.ok(["predict", "--model", "m.json", p(&article), "--by-actor"]);
    let (h, rows) = parse_csv(&o.stdout);
    assert_eq!(&h[..3], ["actor", "stance", "n"]);
    let shein = rows
        .iter()
        .find(|r| r[0] == "claudia_sheinbaum")
        .expect("Sheinbaum is found");
    assert_eq!(shein[1], "against");
    for col in ["n_articles", "p_favor_lo", "p_none_hi", "evidence"] {
        assert!(h.iter().any(|c| c == col), "{col} in {h:?}");
    }
    let ev = get(&h, shein, "evidence");
    assert!(["strong", "weak", "insufficient"].contains(&ev), "{ev}");
    let lo: f64 = get(&h, shein, "p_against_lo").parse().unwrap();
    let mean: f64 = get(&h, shein, "p_against").parse().unwrap();
    let hi: f64 = get(&h, shein, "p_against_hi").parse().unwrap();
    assert!(lo <= mean && mean <= hi, "{lo} {mean} {hi}");
    // Seeded: the same output twice.
    let again = w.ok(["predict", "--model", "m.json", p(&article), "--by-actor"]);
    assert_eq!(again.stdout, o.stdout);
}

#[test]
fn extract_writes_spans_and_scores_against_labels() {
    let w = Workdir::new();
    let article = repo().join("seeds/004_30baea8b2d66a04e.txt");
    let o = w.ok(["extract", p(&article)]);
    let (h, rows) = parse_csv(&o.stdout);
    assert_eq!(h, ["doc", "start", "end", "actor", "text"]);
    let text = std::fs::read(&article).unwrap();
    for r in &rows {
        let (s, e): (usize, usize) = (r[1].parse().unwrap(), r[2].parse().unwrap());
        assert_eq!(&text[s..e], r[4].as_bytes());
    }
    let o = w.ok(["extract", "--eval", p(&quotes())]);
    assert!(
        o.stdout.contains("quote sentences: precision"),
        "{}",
        o.stdout
    );
}

#[test]
fn extract_eval_with_a_model_scores_actors_against_baselines() {
    let w = Workdir::new();
    let o = w.ok(["extract", "--eval", p(&quotes()), "--model", "majority"]);
    let rows: Vec<&str> = o
        .stdout
        .lines()
        .filter(|l| l.contains("hand-labelled quotes") && l.contains("actors scored"))
        .collect();
    assert_eq!(rows.len(), 3, "{}", o.stdout);
    // Evidence levels and the accuracy-vs-coverage table, on both sources.
    assert!(
        o.stdout
            .contains("majority on hand-labelled quotes, temperature-calibrated, by evidence:"),
        "{}",
        o.stdout
    );
    let all: Vec<&str> = o
        .stdout
        .lines()
        .filter(|l| l.starts_with("strong+weak+insufficient"))
        .collect();
    assert_eq!(all.len(), 2, "{}", o.stdout);
    assert!(all[1].contains(" 25 "), "{}", all[1]);
    for (row, who) in rows
        .iter()
        .zip(["majority", "actor-majority", "speaker-history"])
    {
        assert!(row.trim_start().starts_with(who), "{row}");
        assert!(row.ends_with("(25 actors scored, 0 not found)"), "{row}");
    }
}

#[test]
fn featurize_writes_svmlight_and_a_timing_line() {
    let w = Workdir::new();
    let input = w.write(
        "t.txt",
        "No invasion, she said.\nWe will strike the cartels.\n",
    );
    let o = w.ok([
        "featurize",
        "--input",
        p(&input),
        "--weight",
        "count",
        "--no-norm",
    ]);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("0 ") && lines[0].contains(":1"),
        "{}",
        lines[0]
    );
    let last = o.stderr.lines().last().unwrap();
    assert!(last.starts_with("featurize: 2 docs, 9 tokens, "), "{last}");
}

#[test]
fn bad_csv_names_file_and_row_and_exits_1() {
    let w = Workdir::new();
    let bad = w.write(
        "bad.csv",
        "text,stance\nok,favor\nfine,against\nnot ok,pro\n",
    );
    let o = w.run(["compare", "--data", p(&bad)]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("bad.csv row 4, column 'stance': unknown stance 'pro'"),
        "{}",
        o.stderr
    );
    assert!(
        !w.path("reports/compare.csv").exists(),
        "no report from bad data"
    );
}

#[test]
fn usage_errors_exit_2() {
    let w = Workdir::new();
    let o = w.run(["compare", "--cv", "kfold:0"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("expected doc or kfold:K"), "{}", o.stderr);
    let o = w.run(["compare", "--models", "majority,bert"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("unknown model 'bert'"), "{}", o.stderr);
}

#[test]
fn model_file_of_another_version_fails_clearly() {
    let w = Workdir::new();
    let data = quotes();
    w.train_on_quotes("nb", "m.json");
    let json = w
        .read("m.json")
        .replacen("\"version\":4", "\"version\":99", 1);
    w.write("old.json", json);
    let o = w.run(["score", "--model", "old.json", "--data", p(&data)]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("old.json: model file format version 99"),
        "{}",
        o.stderr
    );
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let w = Workdir::new();
    let data = w.write("q.csv", std::fs::read(quotes()).unwrap());
    let before = w.read("q.csv");
    let o = w.run([
        "train", "--data", "q.csv", "--model", "majority", "--out", "q.csv",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("is also an input"), "{}", o.stderr);
    assert_eq!(w.read("q.csv"), before);
    let _ = data;
}

#[test]
fn predict_with_a_manifest_carries_dates_and_outlets_and_groups_by_period() {
    let w = Workdir::new();
    w.train_on_quotes("nb", "m.json");
    let a = w.write(
        "a.txt",
        "\"We will strike the cartels,\" said Donald Trump on Monday.\n\
         \"There will be no invasion,\" said Claudia Sheinbaum.\n",
    );
    let b = w.write(
        "b.txt",
        "\"The talks went well,\" said Claudia Sheinbaum.\n\
         \"We reject any incursion,\" said Claudia Sheinbaum.\n",
    );
    w.write(
        "meta.csv",
        "doc,date,outlet,url,title\na.txt,2025-08-08,Wire One,,\nb.txt,2025-09-01,\"Daily, The\",,\n",
    );
    let o = w.ok([
        "predict",
        "--model",
        "m.json",
        p(&a),
        p(&b),
        "--meta",
        "meta.csv",
    ]);
    let (h, rows) = parse_csv(&o.stdout);
    assert_eq!(&h[h.len() - 2..], ["date", "outlet"]);
    assert!(rows
        .iter()
        .any(|r| get(&h, r, "date") == "2025-09-01" && get(&h, r, "outlet") == "Daily, The"));
    for (by, want) in [
        ("month", ["2025-08", "2025-09"]),
        ("week", ["2025-W32", "2025-W36"]),
        ("outlet", ["Daily, The", "Wire One"]),
    ] {
        let o = w.ok([
            "predict",
            "--model",
            "m.json",
            p(&a),
            p(&b),
            "--meta",
            "meta.csv",
            "--by-actor",
            "--by",
            by,
        ]);
        let (h, rows) = parse_csv(&o.stdout);
        assert_eq!(h.last().map(String::as_str), Some("period"));
        let periods: Vec<&str> = rows
            .iter()
            .filter(|r| get(&h, r, "actor") == "claudia_sheinbaum")
            .map(|r| get(&h, r, "period"))
            .collect();
        assert_eq!(periods, want, "{by}");
    }
    // Bad manifests and usage.
    w.write("bad.csv", "doc,date\na.txt,08/08/2025\n");
    let o = w.run(["predict", "--model", "m.json", p(&a), "--meta", "bad.csv"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains("bad.csv row 2, column 'date'"),
        "{}",
        o.stderr
    );
    w.write("other.csv", "doc,date\nb.txt,2025-01-01\n");
    let o = w.run(["predict", "--model", "m.json", p(&a), "--meta", "other.csv"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("unknown doc 'a.txt'"), "{}", o.stderr);
    let o = w.run([
        "predict",
        "--model",
        "m.json",
        p(&a),
        "--by-actor",
        "--by",
        "week",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("--by: needs --meta"), "{}", o.stderr);
    // extract carries them too.
    let o = w.ok(["extract", p(&a), "--meta", "meta.csv"]);
    assert!(
        o.stdout
            .starts_with("doc,start,end,actor,text,date,outlet\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains(",2025-08-08,Wire One\n"), "{}", o.stdout);
}

#[test]
fn predict_explain_lists_the_top_n_grams_of_linear_models_only() {
    let w = Workdir::new();
    let data = quotes();
    w.train_on_quotes("logreg", "m.json");
    let o = w.ok([
        "predict",
        "--model",
        "m.json",
        "--data",
        p(&data),
        "--explain",
        "2",
    ]);
    let (h, rows) = parse_csv(&o.stdout);
    assert_eq!(h.last().map(String::as_str), Some("explanation"));
    assert_eq!(rows.len(), 88);
    for r in &rows {
        let e = get(&h, r, "explanation");
        // At most two `feature (value)` items, values positive.
        let items: Vec<&str> = e.split("; ").filter(|s| !s.is_empty()).collect();
        assert!(items.len() <= 2, "{e}");
        for it in items {
            let v: f64 = it
                .rsplit_once(" (")
                .and_then(|(_, v)| v.strip_suffix(')'))
                .unwrap()
                .parse()
                .unwrap();
            assert!(v > 0.0, "{e}");
        }
    }
    w.train_on_quotes("tree", "t.json");
    let o = w.run([
        "predict",
        "--model",
        "t.json",
        "--data",
        p(&data),
        "--explain",
        "2",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("cannot explain model 'tree'"),
        "{}",
        o.stderr
    );
    let o = w.run([
        "predict",
        "--model",
        "m.json",
        "--data",
        p(&data),
        "--explain",
        "0",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
}

#[test]
fn predict_report_dir_writes_one_self_contained_page() {
    let w = Workdir::new();
    w.train_on_quotes("logreg", "m.json");
    let a = w.write(
        "a.txt",
        "\"We will strike the cartels,\" said Donald Trump.\n\
         \"There will be no invasion,\" said Claudia Sheinbaum.\n\
         \"We reject any incursion,\" said Claudia Sheinbaum.\n",
    );
    w.write(
        "meta.csv",
        "doc,date,outlet,url,title\na.txt,2025-08-08,Wire,,\n",
    );
    w.ok([
        "predict",
        "--model",
        "m.json",
        p(&a),
        "--by-actor",
        "--meta",
        "meta.csv",
        "--by",
        "month",
        "--report-dir",
        "rep",
    ]);
    let html = w.read("rep/index.html");
    let dom = tl::parse(&html, tl::ParserOptions::default()).unwrap();
    let n = |sel: &str| dom.query_selector(sel).map_or(0, |q| q.count());
    assert_eq!(n("script"), 0);
    assert_eq!(n("svg"), 2, "dot-and-whisker and heat map");
    assert_eq!(n("table"), 2);
    assert!(html.contains("Net stance p(favor) − p(against) by actor and month"));
    assert!(html.contains("claudia_sheinbaum"));
    let (h, _) = parse_csv(&w.read("rep/actors.csv"));
    assert_eq!(h.last().map(String::as_str), Some("period"));
    let (h, rows) = parse_csv(&w.read("rep/predictions.csv"));
    assert_eq!(h.last().map(String::as_str), Some("explanation"));
    assert_eq!(rows.len(), 3);
    // Byte-identical on a rerun.
    w.ok([
        "predict",
        "--model",
        "m.json",
        p(&a),
        "--by-actor",
        "--meta",
        "meta.csv",
        "--by",
        "month",
        "--report-dir",
        "rep2",
    ]);
    assert_eq!(w.read("rep2/index.html"), html);
}

#[test]
fn score_by_actor_writes_the_evidence_table_to_the_report_dir() {
    let w = Workdir::new();
    let data = quotes();
    w.train_on_quotes("logreg", "m.json");
    let o = w.ok([
        "score",
        "--model",
        "m.json",
        "--data",
        p(&data),
        "--by-actor",
        "--report-dir",
        "rep",
    ]);
    assert!(o.stdout.contains("rep/evidence.csv"), "{}", o.stdout);
    let (h, rows) = parse_csv(&w.read("rep/evidence.csv"));
    assert_eq!(
        h,
        ["table", "evidence", "actors", "correct", "coverage", "accuracy"]
    );
    let levels: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "level").collect();
    let coverage: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "coverage").collect();
    assert!(!levels.is_empty());
    assert_eq!(levels.len(), coverage.len());
    // The last coverage row answers on every level: all the actors.
    let n = |r: &Vec<String>| r[2].parse::<usize>().unwrap();
    assert_eq!(
        n(coverage[coverage.len() - 1]),
        levels.iter().map(|r| n(r)).sum::<usize>()
    );
    assert!(n(coverage[coverage.len() - 1]) > 0);
    // Each row is the one printed on stdout.
    for r in &coverage {
        let acc = if r[5].is_empty() { "-" } else { r[5].as_str() };
        let line = format!("{:<28} {:>6} {:>8} {:>9}", r[1], r[2], r[4], acc);
        assert!(o.stdout.contains(&line), "{line:?} not in\n{}", o.stdout);
    }
    for r in &levels {
        let acc = if r[5].is_empty() { "-" } else { r[5].as_str() };
        let line = format!("{:<28} {:>6} {:>8} {:>9}", r[1], r[2], r[3], acc);
        assert!(o.stdout.contains(&line), "{line:?} not in\n{}", o.stdout);
    }
    // Without --by-actor there is no evidence table: a usage error.
    let o = w.run([
        "score",
        "--model",
        "m.json",
        "--data",
        p(&data),
        "--report-dir",
        "rep2",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(!w.path("rep2").exists());
    // The folder is checked before any work: a file in its place, or
    // --report inside it (lost in the swap), is refused.
    w.write("file", "x");
    for extra in [
        &["--report-dir", "file"][..],
        &["--report-dir", "rep", "--report", "rep/s.csv"][..],
    ] {
        let mut a = vec![
            "score",
            "--model",
            "m.json",
            "--data",
            p(&data),
            "--by-actor",
        ];
        a.extend_from_slice(extra);
        let o = w.run(a);
        assert_eq!(o.code, 2, "{extra:?}: {o:?}");
        assert!(o.stderr.contains("--report"), "{}", o.stderr);
    }
    assert_eq!(w.read("file"), "x");
}
