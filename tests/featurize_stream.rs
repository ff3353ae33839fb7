//! `stance featurize` streams a text file or a CSV in blocks: the svmlight
//! output is the same for any block size, row memory and thread count (for
//! a CSV, the same as reading it whole), and a bad line is named.

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

/// Featurizes `content` (written as `name`) with two featurizer settings,
/// each at several block sizes, row memories (none past the first block,
/// some blocks, all) and thread counts; asserts the same stdout and token
/// count every time. Returns, per setting, the stdout and the timing line.
fn same_output_for_any_blocks(name: &str, content: &[u8]) -> Vec<(String, String)> {
    let w = Workdir::new();
    let input = w.write(name, content);
    let mut outputs = Vec::new();
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
        // The timing line without its time.
        let tokens = |s: &str| {
            let last = s.lines().last().unwrap();
            last.rsplit_once(',').unwrap().0.to_owned()
        };
        let whole = run("1G", "1", "1G");
        for (block, threads, rows) in [
            ("1", "1", "0"),
            ("64", "2", "1K"),
            ("1K", "3", "0"),
            ("1K", "2", "1K"),
            ("1K", "1", "8M"),
            ("4K", "2", "2K"),
            ("1G", "2", "0"),
        ] {
            let o = run(block, threads, rows);
            assert_eq!(
                o.stdout, whole.stdout,
                "{name} --block-size {block} --threads {threads} --row-memory {rows}"
            );
            assert_eq!(tokens(&o.stderr), tokens(&whole.stderr));
        }
        outputs.push((whole.stdout, tokens(&whole.stderr)));
    }
    outputs
}

#[test]
fn output_does_not_depend_on_block_size_row_memory_or_threads() {
    for (stdout, timing) in same_output_for_any_blocks("t.txt", corpus().as_bytes()) {
        assert_eq!(stdout.lines().count(), 409);
        assert!(stdout.lines().all(|l| l.split(' ').next() == Some("0")));
        assert!(timing.starts_with("featurize: 409 docs, "), "{timing}");
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

/// A labelled CSV with a BOM, CRLF row ends, quoted fields holding commas,
/// quotes and line breaks, blank and unlabelled stances; and the
/// svmlight class of each row.
fn labelled_csv() -> (String, Vec<&'static str>) {
    let mut s = String::from("\u{feff}id,text,stance\r\n");
    let mut classes = Vec::new();
    for i in 0..300 {
        let text = match i % 4 {
            0 => format!("Word{} the Strikes, \"quoted\" w{}", i % 23, (i * 7) % 31),
            1 => format!(
                "Line one {}\r\nline two, striking w{}\nthree",
                i % 11,
                i % 5
            ),
            2 => format!("plain tariffs w{} common-{}", (i * 3) % 17, i % 5),
            _ => format!("Mexico’s w{}", i % 13),
        };
        let quoted = format!("\"{}\"", text.replace('"', "\"\""));
        let (stance, class) = [
            ("favor", "1"),
            ("AGAINST", "2"),
            ("none", "3"),
            ("", "0"),
            (" Favor ", "1"),
        ][i % 5];
        let text = if i % 4 == 2 { text } else { quoted };
        s.push_str(&format!("r{i},{text},{stance}\r\n"));
        classes.push(class);
    }
    (s, classes)
}

#[test]
fn csv_output_does_not_depend_on_block_size_row_memory_or_threads() {
    let (csv, classes) = labelled_csv();
    for (stdout, timing) in same_output_for_any_blocks("l.csv", csv.as_bytes()) {
        let got: Vec<&str> = stdout
            .lines()
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        assert_eq!(got, classes);
        assert!(timing.starts_with("featurize: 300 docs, "), "{timing}");
    }
}

#[test]
fn csv_rows_are_the_texts_of_the_text_column() {
    // The CSV's texts featurize as the same texts one a line would (where
    // they hold no line break), with the CSV's classes in front.
    let w = Workdir::new();
    let csv = w.write(
        "t.csv",
        "\u{feff}text,stance\r\n\"Strikes, she said\",favor\r\nno \"\"invasion\"\",\r\n",
    );
    let txt = w.write("t.txt", "Strikes, she said\nno \"invasion\"\n");
    let from_csv = w.ok(["featurize", "--input", p(&csv), "--block-size", "1"]);
    let from_txt = w.ok(["featurize", "--input", p(&txt)]);
    let body = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.split_once(' ').unwrap().1.to_owned())
            .collect()
    };
    assert_eq!(body(&from_csv.stdout), body(&from_txt.stdout));
    assert!(from_csv.stdout.starts_with("1 "), "{}", from_csv.stdout);
    assert!(from_csv.stdout.lines().nth(1).unwrap().starts_with("0 "));
}

#[test]
fn bad_csv_row_in_a_later_block_is_named_before_any_output() {
    let w = Workdir::new();
    let (good, _) = labelled_csv();
    // The line of a row appended to the file (its header is line 1).
    let line = good.matches('\n').count() + 1;
    for (tail, what) in [
        (
            &b"late,\"late\r\nrow\",pro\r\nafter,fine,none\r\n"[..],
            "column 'stance': unknown stance 'pro'; expected favor|against|none",
        ),
        (
            &b"x,y,favor,extra\r\n"[..],
            "row has 4 fields; expected 3 like the header",
        ),
        (
            &b"x,bad \xff,none\r\n"[..],
            "column 'text': invalid UTF-8 at byte 4 of the field",
        ),
    ] {
        let mut bytes = good.clone().into_bytes();
        bytes.extend_from_slice(tail);
        let input = w.write("late.csv", bytes);
        for block in ["64", "1K", "8M"] {
            let o = w.run(["featurize", "--input", p(&input), "--block-size", block]);
            assert_eq!(o.code, 1, "{o:?}");
            assert!(o.stdout.is_empty(), "{}", o.stdout);
            let want = format!("late.csv row {line}");
            assert!(
                o.stderr.contains(&format!("{want}: {what}"))
                    || o.stderr.contains(&format!("{want}, {what}")),
                "--block-size {block}: {want} {what}\n{}",
                o.stderr
            );
        }
    }
}

#[test]
#[cfg(unix)]
fn a_pipe_is_read_once() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let w = Workdir::new();
    let input = w.write("t.txt", corpus());
    let flags = ["--block-size", "64", "--row-memory", "0", "--threads", "2"];
    let mut args = vec!["featurize", "--input", p(&input)];
    args.extend(flags);
    let file = w.ok(args);
    // Standard input is a pipe: it cannot be read a second time, so every
    // row is kept whatever --row-memory says.
    let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(["featurize", "--input", "/dev/stdin"])
        .args(flags)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let text = corpus();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), file.stdout);
}
