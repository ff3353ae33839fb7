//! Issue 16 item 2 for `predict`, `curve` and `agree`: each writes its
//! `--report-dir` set through `stance::io::ReportDir`, as `compare` does.
//! The folder is checked before any work (a folder with a file `stance`
//! does not write, an input inside it or hard-linked to a file in it: exit
//! 2, nothing changed); a rerun swaps in a whole new folder; the same
//! inputs give the same bytes.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::util::{p, quotes, Workdir};

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Every file of `dir`: name and bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    names(dir)
        .into_iter()
        .map(|n| {
            let b = std::fs::read(dir.join(&n)).unwrap();
            (n, b)
        })
        .collect()
}

/// A CSV that no command can read (invalid UTF-8, no --lossy): a data
/// error, exit 1, once the work starts.
const BROKEN: &[u8] = b"id,text,stance\n1,caf\xe9 \xff,favor\n2,ok,against\n";

/// The report-folder promises for one command. `args(dir, input)` are the
/// command's arguments writing to `dir` with `input` as its main input
/// (whose good content is `good`); `set` is the names the set writes.
fn report_dir_contract(
    w: &Workdir,
    args: &dyn Fn(&str, &str) -> Vec<String>,
    good: &[u8],
    set: &[&str],
) {
    let input = w.write("in/main.csv", good);
    let input = p(&input);

    // Two runs into new folders: the whole set, the same bytes.
    w.ok(args("a", input));
    w.ok(args("b", input));
    let mut sorted: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    assert_eq!(names(&w.path("a")), sorted);
    assert_eq!(contents(&w.path("a")), contents(&w.path("b")));

    // The broken input is a data error once work starts ...
    let broken = w.write("in/broken.csv", BROKEN);
    let o = w.run(args("c", p(&broken)));
    assert_eq!(o.code, 1, "{o:?}");
    assert!(!w.path("c").exists());

    // ... but a folder holding a foreign file is refused first (exit 2),
    // and left as it was.
    w.write("f/notes.txt", "mine\n");
    w.write(&format!("f/{}", set[0]), "old\n");
    let before = contents(&w.path("f"));
    for main in [input, p(&broken)] {
        let o = w.run(args("f", main));
        assert_eq!(o.code, 2, "{o:?}");
        assert!(
            o.stderr.contains("--report-dir") && o.stderr.contains("notes.txt"),
            "{}",
            o.stderr
        );
        assert!(o.stdout.is_empty(), "refused before any work: {}", o.stdout);
        assert_eq!(contents(&w.path("f")), before);
    }

    // An input inside the folder (under a name the set writes) is refused.
    let inside = w.write(&format!("g/{}", set[0]), good);
    let o = w.run(args("g", p(&inside)));
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("is inside"), "{}", o.stderr);
    assert_eq!(names(&w.path("g")), [set[0]]);
    assert_eq!(std::fs::read(&inside).unwrap(), good);

    // So is a file of the folder hard-linked to the input.
    std::fs::create_dir(w.path("h")).unwrap();
    std::fs::hard_link(input, w.path(&format!("h/{}", set[0]))).unwrap();
    let o = w.run(args("h", input));
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("hard link"), "{}", o.stderr);
    assert_eq!(std::fs::read(input).unwrap(), good);

    // A rerun swaps in a new folder whole: a stale file of the set is
    // replaced, the folder is a new one, no temporary folder is left.
    w.write(&format!("a/{}", set[set.len() - 1]), "stale\n");
    let old = std::fs::metadata(w.path("a")).unwrap().ino();
    w.ok(args("a", input));
    assert_ne!(std::fs::metadata(w.path("a")).unwrap().ino(), old);
    assert_eq!(contents(&w.path("a")), contents(&w.path("b")));
    let hidden: Vec<String> = names(w.dir.path())
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn predict_report_dir_is_checked_first_and_swapped_in_whole() {
    let w = Workdir::new();
    w.train_on_quotes("nb", "m.json");
    let args = |dir: &str, input: &str| {
        strings(&[
            "predict",
            "--model",
            "m.json",
            "--data",
            input,
            "--by-actor",
            "--out",
            "out.csv",
            "--report-dir",
            dir,
        ])
    };
    let good = std::fs::read(quotes()).unwrap();
    report_dir_contract(
        &w,
        &args,
        &good,
        &["predictions.csv", "actors.csv", "index.html"],
    );
    // --out inside the folder would be lost in the swap: refused first.
    let mut a = args("a", "in/main.csv");
    let before = contents(&w.path("a"));
    let n = a.len();
    a[n - 3] = "a/actors.csv".into();
    let o = w.run(&a);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("--out"), "{}", o.stderr);
    assert_eq!(contents(&w.path("a")), before);
    // --out naming the model is refused like any input.
    let mut a = args("a", "in/main.csv");
    a[n - 3] = "m.json".into();
    assert_eq!(w.run(&a).code, 2);
}

#[test]
fn curve_report_dir_is_checked_first_and_swapped_in_whole() {
    let w = Workdir::new();
    let args = |dir: &str, input: &str| {
        strings(&[
            "curve",
            "--data",
            input,
            "--models",
            "nb",
            "--sizes",
            "10,20",
            "--repeats",
            "1",
            "--resamples",
            "20",
            "--cv",
            "kfold:3",
            "--report-dir",
            dir,
        ])
    };
    let good = std::fs::read(quotes()).unwrap();
    report_dir_contract(&w, &args, &good, &["curve.csv", "curve.svg"]);
    // Without --report-dir the two files go to the shared `reports`
    // folder, beside files other commands wrote there, which are kept.
    w.write("reports/compare.csv", "kept\n");
    let mut a = args("x", "in/main.csv");
    a.truncate(a.len() - 2);
    w.ok(&a);
    assert_eq!(
        names(&w.path("reports")),
        ["compare.csv", "curve.csv", "curve.svg"]
    );
    assert_eq!(w.read("reports/compare.csv"), "kept\n");
    assert_eq!(w.read("reports/curve.csv"), w.read("b/curve.csv"));
}

#[test]
fn agree_report_dir_is_checked_first_and_swapped_in_whole() {
    let w = Workdir::new();
    let other = w.write(
        "bob.csv",
        "id,text,stance\n1,ok,favor\n2,two,against\n3,three,none\n4,four,against\n",
    );
    let other = p(&other).to_owned();
    let args = move |dir: &str, input: &str| {
        strings(&[
            "agree",
            input,
            &other,
            "--resamples",
            "50",
            "--report-dir",
            dir,
        ])
    };
    let good = b"id,text,stance\n1,ok,favor\n2,two,none\n3,three,none\n4,four,against\n";
    report_dir_contract(
        &w,
        &args,
        good,
        &[
            "agreement.csv",
            "pairs.csv",
            "disagreements.csv",
            "unmatched.csv",
        ],
    );
}
