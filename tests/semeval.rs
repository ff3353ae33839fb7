//! `stance semeval` on synthetic fixtures in the SemEval-2016 format (no
//! SemEval data ships with the project).

use crate::util::{get, p, parse_csv, repo, Workdir};

#[test]
fn per_target_run_prints_the_official_line_and_writes_rows() {
    let w = Workdir::new();
    let (train, test) = (
        repo().join("tests/data/semeval_train.txt"),
        repo().join("tests/data/semeval_test.txt"),
    );
    let o = w.ok([
        "semeval",
        "--train",
        p(&train),
        "--test",
        p(&test),
        "--models",
        "majority,logreg",
    ]);
    let last = o.stdout.lines().last().unwrap();
    assert!(
        last.starts_with("F_avg: 0.") || last == "F_avg: 1.0000",
        "{last}"
    );
    let (h, rows) = parse_csv(&w.read("reports/semeval.csv"));
    let targets: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        targets,
        ["Atheism", "Climate Change is a Real Concern", "POOLED"]
    );
    let pooled: f64 = get(&h, &rows[2], "f_avg").parse().unwrap();
    assert_eq!(format!("F_avg: {pooled:.4}"), last);
    for r in &rows[..2] {
        assert!(get(&h, r, "chosen").starts_with("logreg(alpha="), "{r:?}");
    }
}

#[test]
fn scoring_a_prediction_file_matches_ids_not_lines() {
    let w = Workdir::new();
    let gold = "ID\tTarget\tTweet\tStance\n1\tA\tx\tFAVOR\n2\tA\ty\tAGAINST\n3\tB\tz\tNONE\n4\tB\tq\tAGAINST\n";
    w.write("gold.txt", gold);
    // Same predictions as labels but shuffled lines; one AGAINST predicted as FAVOR.
    w.write("pred.txt", "ID\tTarget\tTweet\tStance\n4\tB\tq\tFAVOR\n3\tB\tz\tNONE\n1\tA\tx\tFAVOR\n2\tA\ty\tAGAINST\n");
    let o = w.ok(["semeval", "--test", "gold.txt", "--predictions", "pred.txt"]);
    // FAVOR: tp 1, fp 1 -> F1 2/3; AGAINST: tp 1, fn 1 -> 2/3; F_avg 0.6667.
    assert!(o.stdout.ends_with("F_avg: 0.6667\n"), "{}", o.stdout);
    w.write(
        "short.txt",
        "ID\tTarget\tTweet\tStance\n1\tA\tx\tFAVOR\n2\tA\ty\tAGAINST\n3\tB\tz\tNONE\n",
    );
    let o = w.run([
        "semeval",
        "--test",
        "gold.txt",
        "--predictions",
        "short.txt",
    ]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("gold.txt row 5, column 'id': gold ID '4' has no prediction"),
        "{}",
        o.stderr
    );
}

#[test]
fn the_tweet_defaults_can_be_switched_off_and_are_printed() {
    let w = Workdir::new();
    let (train, test) = (
        repo().join("tests/data/semeval_train.txt"),
        repo().join("tests/data/semeval_test.txt"),
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["semeval", "--train", p(&train), "--test", p(&test)];
        args.extend(["--models", "majority"]);
        args.extend(extra);
        let o = w.ok(args);
        o.stdout.lines().next().unwrap_or_default().to_owned()
    };
    assert_eq!(
        run(&[]),
        "featurizer: word 1..3 + char 2..5, tfidf (sublinear), stemmed, tweet tokenizer"
    );
    assert_eq!(
        run(&["--no-char-ngrams", "--no-sublinear-tf", "--ngrams", "1..2"]),
        "featurizer: word 1..2, tfidf, stemmed, tweet tokenizer"
    );
    let o = w.run([
        "semeval",
        "--train",
        p(&train),
        "--test",
        p(&test),
        "--no-char-ngrams",
        "--char-ngrams",
        "2..4",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}
