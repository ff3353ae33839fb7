//! The labelling loop through the binary: `extract --template`, unlabelled
//! rows in `compare`/`train`, `agree`, `curve` and `suggest`.

use crate::util::{get, p, parse_csv, repo, Workdir};

#[test]
fn extract_template_is_stable_fillable_and_shuffled_by_seed() {
    let w = Workdir::new();
    let a = repo().join("seeds/004_30baea8b2d66a04e.txt");
    let b = repo().join("seeds/000_5677ce4ae29b53f7.txt");
    let o = w.ok(["extract", p(&a), p(&b), "--template", "t1.csv"]);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    assert!(o.stderr.contains("label template:"), "{}", o.stderr);
    let t1 = w.read("t1.csv");
    let (h, rows) = parse_csv(&t1);
    assert_eq!(h, ["id", "doc", "start", "end", "actor", "text", "stance"]);
    assert!(rows.len() > 5);
    let text = std::fs::read(&a).unwrap();
    for r in &rows {
        assert_eq!(get(&h, r, "stance"), "");
        let (s, e) = (get(&h, r, "start"), get(&h, r, "end"));
        assert_eq!(get(&h, r, "id"), format!("{}:{s}-{e}", get(&h, r, "doc")));
        if get(&h, r, "doc") == "004_30baea8b2d66a04e.txt" {
            let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
            assert_eq!(&text[s..e], get(&h, r, "text").as_bytes());
        }
    }
    // Same ids on a second run, and in the other article order.
    w.ok(["extract", p(&b), p(&a), "--template", "t2.csv"]);
    let ids = |s: &str| {
        let (h, rows) = parse_csv(s);
        let mut v: Vec<String> = rows.iter().map(|r| get(&h, r, "id").to_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&t1), ids(&w.read("t2.csv")));
    w.ok(["extract", p(&a), p(&b), "--template", "t3.csv"]);
    assert_eq!(t1, w.read("t3.csv"));
    // Shuffled: same rows, seeded order.
    let args = |out: &str, seed: &str| {
        vec![
            "extract".to_owned(),
            p(&a).to_owned(),
            p(&b).to_owned(),
            "--template".into(),
            out.into(),
            "--shuffle".into(),
            "--seed".into(),
            seed.into(),
        ]
    };
    w.ok(args("s1.csv", "1"));
    w.ok(args("s1b.csv", "1"));
    w.ok(args("s2.csv", "2"));
    let (s1, s1b, s2) = (w.read("s1.csv"), w.read("s1b.csv"), w.read("s2.csv"));
    assert_eq!(s1, s1b);
    assert_ne!(s1, t1);
    assert_ne!(s1, s2);
    assert_eq!(ids(&s1), ids(&t1));
    // --shuffle needs --template; --template may not overwrite an article.
    let o = w.run(["extract", p(&a), "--shuffle"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = w.run(["extract", p(&a), "--template", p(&a)]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

/// Labels the first rows of the repository's labels and leaves two empty.
fn half_labelled(w: &Workdir) -> std::path::PathBuf {
    let src = std::fs::read_to_string(crate::util::quotes()).unwrap();
    let (h, rows) = parse_csv(&src);
    let mut wr = csv::Writer::from_writer(Vec::new());
    wr.write_record(&h).unwrap();
    for (i, r) in rows.iter().enumerate() {
        let mut r = r.clone();
        if i == 3 || i == 10 {
            let last = r.len() - 1;
            r[last] = String::new();
        }
        wr.write_record(&r).unwrap();
    }
    w.write("half.csv", wr.into_inner().unwrap())
}

#[test]
fn compare_and_train_name_an_unlabelled_row_or_skip_and_count() {
    let w = Workdir::new();
    let half = half_labelled(&w);
    let o = w.run([
        "train",
        "--data",
        p(&half),
        "--model",
        "nb",
        "--out",
        "m.json",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("half.csv")
            && o.stderr.contains("row 5")
            && o.stderr.contains("--skip-unlabelled"),
        "{}",
        o.stderr
    );
    let o = w.ok([
        "train",
        "--data",
        p(&half),
        "--model",
        "nb",
        "--out",
        "m.json",
        "--skip-unlabelled",
    ]);
    assert!(o.stderr.contains("2 unlabelled rows"), "{}", o.stderr);
    let o = w.run([
        "compare",
        "--data",
        p(&half),
        "--models",
        "majority",
        "--report",
        "c.csv",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("row 5"), "{}", o.stderr);
    let o = w.ok([
        "compare",
        "--data",
        p(&half),
        "--models",
        "majority",
        "--report",
        "c.csv",
        "--skip-unlabelled",
    ]);
    assert!(o.stderr.contains("2 unlabelled rows"), "{}", o.stderr);
    let (h, rows) = parse_csv(&w.read("c.csv"));
    let total = parse_csv(&std::fs::read_to_string(crate::util::quotes()).unwrap())
        .1
        .len();
    assert_eq!(get(&h, &rows[0], "n"), (total - 2).to_string());
}

#[test]
fn agree_reports_every_coefficient_and_writes_the_adjudication_files() {
    let w = Workdir::new();
    let a = w.write(
        "ann.csv",
        "id,text,stance\n1,one,favor\n2,two,against\n3,three,none\n4,four,favor\n5,five,against\n6,six,none\n",
    );
    let b = w.write(
        "bob.csv",
        "id,text,stance\n1,one,favor\n2,two,none\n3,three,none\n4,four,favor\n5,five,against\n",
    );
    let c = w.write(
        "cy.csv",
        "id,text,stance\n1,one,favor\n2,two,against\n3,three,none\n4,four,against\n5,five,against\n6,six,none\n",
    );
    let o = w.ok(["agree", p(&a), p(&b), p(&c), "--report-dir", "r1"]);
    for needle in [
        "percent agreement",
        "Cohen's kappa ann vs bob",
        "Cohen's kappa ann vs cy",
        "Cohen's kappa bob vs cy",
        "Fleiss' kappa",
        "Krippendorff's alpha",
        "95% CI [",
        "1 unmatched",
        "id 6: in ann row 7, cy row 7; missing from bob",
    ] {
        assert!(o.stdout.contains(needle), "{needle}: {}", o.stdout);
    }
    let dis = w.read("r1/disagreements.csv");
    assert_eq!(
        dis,
        "id,doc,start,end,text,ann,bob,cy\n2,,,,two,against,none,against\n4,,,,four,favor,favor,against\n"
    );
    let (h, rows) = parse_csv(&w.read("r1/pairs.csv"));
    assert_eq!(rows.len(), 3);
    assert_eq!(get(&h, &rows[0], "items"), "5");
    assert!(w
        .read("r1/unmatched.csv")
        .contains("\n6,,,,six,ann;cy,bob\n"));
    // Same inputs and seed: same bytes.
    w.ok(["agree", p(&a), p(&b), p(&c), "--report-dir", "r2"]);
    for f in [
        "agreement.csv",
        "pairs.csv",
        "disagreements.csv",
        "unmatched.csv",
    ] {
        assert_eq!(
            w.read(&format!("r1/{f}")),
            w.read(&format!("r2/{f}")),
            "{f}"
        );
    }
    // Identical annotators: alpha is 1.
    let a2 = w.write("ann2.csv", std::fs::read(&a).unwrap());
    let o = w.ok(["agree", p(&a), p(&a2)]);
    assert!(
        o.stdout
            .contains("Krippendorff's alpha (nominal)     1.0000"),
        "{}",
        o.stdout
    );
}

#[test]
fn agree_bad_input_exits_like_other_data_errors() {
    let w = Workdir::new();
    let a = w.write("a.csv", "id,text,stance\n1,one,favor\n2,two,none\n");
    let bad = w.write("bad.csv", "id,text,stance\n1,one,favor\n2,two,maybe\n");
    let o = w.run(["agree", p(&a), p(&bad)]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("bad.csv row 3") && o.stderr.contains("'maybe'"),
        "{}",
        o.stderr
    );
    let other = w.write("other.csv", "id,text,stance\n8,eight,favor\n9,nine,none\n");
    let o = w.run(["agree", p(&a), p(&other)]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("no quote is labelled in two"),
        "{}",
        o.stderr
    );
    let t1 = w.write("t1.csv", "id,target,text,stance\n1,cartels,one,favor\n");
    let t2 = w.write("t2.csv", "id,target,text,stance\n1,tariffs,one,favor\n");
    let o = w.run(["agree", p(&t1), p(&t2)]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("target"), "{}", o.stderr);
    let o = w.run(["agree", p(&a)]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = w.run(["agree", p(&a), p(&a)]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

#[test]
fn curve_writes_csv_and_svg_prints_slopes_and_is_the_same_at_any_thread_count() {
    let w = Workdir::new();
    let q = crate::util::quotes();
    let run = |dir: &str, threads: &str| {
        w.ok([
            "curve",
            "--data",
            p(&q),
            "--models",
            "nb,svm",
            "--sizes",
            "10,20,40",
            "--repeats",
            "2",
            "--cv",
            "kfold:3",
            "--threads",
            threads,
            "--report-dir",
            dir,
        ])
    };
    let o = run("a", "1");
    assert!(o.stdout.contains("macro-F1 per doubling"), "{}", o.stdout);
    assert!(
        o.stdout.contains("t interval across 2 repeats"),
        "{}",
        o.stdout
    );
    let csv = w.read("a/curve.csv");
    let (h, rows) = parse_csv(&csv);
    assert_eq!(
        h,
        [
            "model",
            "strategy",
            "size",
            "macro_f1",
            "macro_f1_lo",
            "macro_f1_hi"
        ]
    );
    assert_eq!(rows.len(), 6);
    for r in &rows {
        let f: f64 = get(&h, r, "macro_f1").parse().unwrap();
        let lo: f64 = get(&h, r, "macro_f1_lo").parse().unwrap();
        let hi: f64 = get(&h, r, "macro_f1_hi").parse().unwrap();
        assert!(lo <= f && f <= hi && (0.0..=1.0).contains(&f), "{r:?}");
        assert_eq!(get(&h, r, "strategy"), "random");
    }
    let svg = w.read("a/curve.svg");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    run("b", "2");
    assert_eq!(csv, w.read("b/curve.csv"));
    assert_eq!(svg, w.read("b/curve.svg"));
}

#[test]
fn curve_margin_simulates_next_to_random_and_rejects_bad_flags() {
    let w = Workdir::new();
    let q = crate::util::quotes();
    let o = w.ok([
        "curve",
        "--data",
        p(&q),
        "--models",
        "nb",
        "--strategy",
        "margin",
        "--start",
        "10",
        "--batch",
        "15",
        "--max-size",
        "40",
        "--repeats",
        "2",
        "--cv",
        "kfold:3",
        "--report-dir",
        "m",
    ]);
    assert!(
        o.stdout.contains("nb (margin)") && o.stdout.contains("nb (random)"),
        "{}",
        o.stdout
    );
    let (h, rows) = parse_csv(&w.read("m/curve.csv"));
    let strategies: Vec<&str> = rows.iter().map(|r| get(&h, r, "strategy")).collect();
    assert_eq!(
        strategies,
        ["random", "random", "random", "margin", "margin", "margin"]
    );
    // Both start from the same seed set.
    assert_eq!(rows[0][3..], rows[3][3..]);
    for bad in [
        vec!["--sizes", "0"],
        vec!["--sizes", "ten"],
        vec!["--strategy", "greedy"],
        vec!["--strategy", "margin", "--sizes", "10,20"],
        vec!["--repeats", "0"],
        vec!["--strategy", "margin", "--batch", "0"],
        vec!["--models", "nope"],
    ] {
        let mut args = vec!["curve", "--data", p(&q), "--report-dir", "x"];
        args.extend(bad.iter().copied());
        let o = w.run(&args);
        assert_eq!(o.code, 2, "{bad:?}: {}", o.stderr);
    }
    let o = w.run([
        "curve",
        "--data",
        p(&q),
        "--sizes",
        "5000",
        "--report-dir",
        "x",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("above the largest training part"),
        "{}",
        o.stderr
    );
}

#[test]
fn suggest_ranks_the_pool_skips_labelled_and_duplicate_quotes() {
    let w = Workdir::new();
    let q = crate::util::quotes();
    // Train on articles 000-003, suggest among the quotes of 004.
    let src = std::fs::read_to_string(&q).unwrap();
    let (h, rows) = parse_csv(&src);
    let mut wr = csv::Writer::from_writer(Vec::new());
    wr.write_record(&h).unwrap();
    for r in rows
        .iter()
        .filter(|r| !get(&h, r, "doc").starts_with("004"))
    {
        wr.write_record(r).unwrap();
    }
    let train = w.write("train.csv", wr.into_inner().unwrap());
    w.ok([
        "train",
        "--data",
        p(&train),
        "--model",
        "svm",
        "--out",
        "m.json",
    ]);
    let a = repo().join("seeds/004_30baea8b2d66a04e.txt");
    w.ok(["extract", p(&a), "--template", "pool.csv"]);
    let pool_rows = parse_csv(&w.read("pool.csv")).1.len();
    let scores = |o: &str| -> Vec<f64> {
        let (h, rows) = parse_csv(o);
        rows.iter()
            .map(|r| get(&h, r, "score").parse().unwrap())
            .collect()
    };
    let o = w.ok([
        "suggest",
        "--model",
        "m.json",
        "--data",
        "pool.csv",
        "--n",
        "4",
        "--train",
        p(&train),
    ]);
    let (h, rows) = parse_csv(&o.stdout);
    assert_eq!(
        h,
        ["id", "doc", "start", "end", "actor", "target", "text", "stance", "score"]
    );
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| get(&h, r, "stance").is_empty()));
    let s = scores(&o.stdout);
    assert!(
        s.windows(2).all(|w| w[0] <= w[1]),
        "margin ascending: {s:?}"
    );
    let o = w.ok([
        "suggest",
        "--model",
        "m.json",
        "--data",
        "pool.csv",
        "--n",
        "4",
        "--strategy",
        "entropy",
    ]);
    let s = scores(&o.stdout);
    assert!(
        s.windows(2).all(|w| w[0] >= w[1]),
        "entropy descending: {s:?}"
    );
    // Every quote of the pool is in the full labels: all are duplicates.
    let o = w.ok([
        "suggest",
        "--model",
        "m.json",
        "--data",
        "pool.csv",
        "--n",
        "4",
        "--train",
        p(&q),
    ]);
    assert_eq!(parse_csv(&o.stdout).1.len(), 0, "{}", o.stdout);
    assert!(
        o.stderr.contains(&format!("0 of {pool_rows} unlabelled")),
        "{}",
        o.stderr
    );
    // Labelled rows of the pool are not suggested.
    let first = &parse_csv(&w.read("pool.csv")).1[0];
    let labelled = w.read("pool.csv").replacen(
        &format!("{},\n", get(&h, first, "text").replace('"', "\"\"")),
        &format!("{},favor\n", get(&h, first, "text").replace('"', "\"\"")),
        1,
    );
    w.write("pool2.csv", &labelled);
    let o = w.ok([
        "suggest",
        "--model",
        "m.json",
        "--data",
        "pool2.csv",
        "--n",
        "100",
    ]);
    assert!(
        o.stderr
            .contains("1 labelled rows of the pool not suggested"),
        "{}",
        o.stderr
    );
    let ids: Vec<String> = {
        let (h, rows) = parse_csv(&o.stdout);
        rows.iter().map(|r| get(&h, r, "id").to_owned()).collect()
    };
    assert!(!ids.contains(&first[0]), "{ids:?}");
    // Random: seeded.
    let r = |seed: &str| {
        w.ok([
            "suggest",
            "--model",
            "m.json",
            "--data",
            "pool.csv",
            "--n",
            "5",
            "--strategy",
            "random",
            "--seed",
            seed,
        ])
        .stdout
    };
    assert_eq!(r("1"), r("1"));
    assert_ne!(r("1"), r("2"));
    w.ok([
        "suggest", "--model", "m.json", "--data", "pool.csv", "--n", "3", "--out", "s.csv",
    ]);
    assert_eq!(parse_csv(&w.read("s.csv")).1.len(), 3);
    let o = w.run([
        "suggest", "--model", "m.json", "--data", "pool.csv", "--n", "0",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = w.run([
        "suggest",
        "--model",
        "m.json",
        "--data",
        "pool.csv",
        "--n",
        "3",
        "--strategy",
        "x",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = w.run([
        "suggest",
        "--model",
        "nope.json",
        "--data",
        "pool.csv",
        "--n",
        "3",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
}
