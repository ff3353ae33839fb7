//! `stance featurize` streams a text file in blocks: the svmlight output is
//! the same for any block size, row memory and thread count, and a bad line
//! is named.

use crate::util::{p, Workdir};

fn corpus() -> String {
    let mut s = String::new();
    for i in 0..400 {
        s.push_str(&format!(
            "Word{} w{} the Strikes striking {} common-{}\n",
            i % 23,
            (i * 7) % 31,
            if i % 3 == 0 { "Mexico’s" } else { "tariffs" },
            i % 5
        ));
        if i % 50 == 0 {
            s.push('\n');
        }
    }
    s.push_str("last line without a newline");
    s
}

#[test]
fn output_does_not_depend_on_block_size_row_memory_or_threads() {
    let w = Workdir::new();
    let input = w.write("t.txt", corpus());
    for flags in [
        &["--ngrams", "1..1", "--weight", "count", "--no-norm"][..],
        &["--ngrams", "1..3", "--char-ngrams", "2..4", "--min-df", "2"][..],
    ] {
        let run = |block: &str, threads: &str, rows: &str| {
            let mut args = vec!["featurize", "--input", p(&input), "--block-size", block];
            args.extend(["--threads", threads, "--row-memory", rows]);
            args.extend_from_slice(flags);
            w.ok(args)
        };
        let whole = run("1G", "1", "1G");
        assert_eq!(whole.stdout.lines().count(), 409);
        let last = whole.stderr.lines().last().unwrap();
        assert!(last.starts_with("featurize: 409 docs, "), "{last}");
        // Row memory: none past the first block, some blocks (1K), all.
        for (block, threads, rows) in [
            ("1", "1", "0"),
            ("64", "2", "1K"),
            ("1K", "3", "0"),
            ("1K", "2", "1K"),
            ("1K", "1", "8M"),
            ("1G", "2", "0"),
        ] {
            let o = run(block, threads, rows);
            assert_eq!(
                o.stdout, whole.stdout,
                "--block-size {block} --threads {threads} --row-memory {rows}"
            );
            let tokens = |s: &str| {
                s.lines()
                    .last()
                    .unwrap()
                    .rsplit_once(',')
                    .unwrap()
                    .0
                    .to_owned()
            };
            assert_eq!(tokens(&o.stderr), tokens(&whole.stderr));
        }
    }
}

#[test]
fn invalid_utf8_names_file_and_line() {
    let w = Workdir::new();
    let input = w.write("bad.txt", b"fine\nalso fine\nnot \xff fine\n".as_slice());
    for block in ["4", "8M"] {
        let o = w.run(["featurize", "--input", p(&input), "--block-size", block]);
        assert_eq!(o.code, 1, "{o:?}");
        assert!(
            o.stderr.contains("bad.txt row 3: invalid UTF-8 at byte 19"),
            "{}",
            o.stderr
        );
    }
    let o = w.run(["featurize", "--input", p(&input), "--block-size", "0"]);
    assert_eq!(o.code, 2, "{o:?}");
    let o = w.run(["featurize", "--input", p(&input), "--row-memory", "1T"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("'1T' is not a byte count"),
        "{}",
        o.stderr
    );
}
