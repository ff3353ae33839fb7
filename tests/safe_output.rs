//! Issue 16, rows 1, 2, 3, 8 and 12: outputs never hurt the user's files.
//! Devices, FIFOs and links to them are written in place; planted links
//! are never followed; report folders are checked first and swapped in
//! whole (also on a full disk and with two runs at once); an interrupted
//! run leaves no temporary file; a piped input honours --row-memory.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{p, quotes, repo, Workdir};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stance"))
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success(), "mkfifo {}", path.display());
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn temporaries(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// Waits for `child` at most `secs` seconds; kills it and fails after.
fn wait(mut child: Child, secs: u64) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("stance did not finish in {secs} s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Row 1: `--out` naming a device or a symlink to one leaves it a device;
/// a FIFO stays a FIFO and receives the output. (Devices are reached
/// through symlinks in a temporary folder, so that a regression replaces
/// the link, never the system's `/dev/null`.)
#[test]
fn row1_out_to_a_device_fifo_or_link_to_one_is_written_in_place() {
    let w = Workdir::new();
    let q = quotes();
    w.train_on_quotes("majority", "m.json");
    let article = repo().join("seeds/000_5677ce4ae29b53f7.txt");
    let null_link = w.path("null.csv");
    std::os::unix::fs::symlink("/dev/null", &null_link).unwrap();
    let proc_link = w.path("fd1.csv");
    std::os::unix::fs::symlink("/proc/self/fd/1", &proc_link).unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "predict",
            "--model",
            "m.json",
            p(&article),
            "--out",
            "null.csv",
        ],
        vec!["extract", p(&article), "--out", "null.csv"],
        vec!["featurize", "--input", p(&q), "--out", "null.csv"],
        vec![
            "train",
            "--data",
            p(&q),
            "--model",
            "majority",
            "--out",
            "null.csv",
        ],
        vec![
            "score",
            "--model",
            "m.json",
            "--data",
            p(&q),
            "--report",
            "null.csv",
        ],
    ];
    for args in runs {
        w.ok(&args);
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device(),
            "{args:?} replaced /dev/null"
        );
        assert!(std::fs::symlink_metadata(&null_link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
    // Through /proc/self/fd/1: the output reaches stdout.
    let o = w.ok(["extract", p(&article), "--out", "fd1.csv"]);
    assert!(
        o.stdout.starts_with("doc,start,end,actor,text\n"),
        "{}",
        o.stdout
    );
    assert!(std::fs::symlink_metadata(&proc_link)
        .unwrap()
        .file_type()
        .is_symlink());
    // /dev/full: a clear write error, exit 1, the device left alone.
    std::os::unix::fs::symlink("/dev/full", w.path("full.csv")).unwrap();
    let o = w.run(["extract", p(&article), "--out", "full.csv"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("full.csv"), "{}", o.stderr);
    assert!(std::fs::symlink_metadata(w.path("full.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
    // A FIFO: read by another process, never renamed over.
    let fifo = w.path("out.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    w.ok(["extract", p(&article), "--out", "out.fifo"]);
    let got = reader.join().unwrap();
    assert!(got.starts_with("doc,start,end,actor,text\n"), "{got}");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    // `-` is stdout.
    let o = w.ok(["extract", p(&article), "--out", "-"]);
    assert!(o.stdout.starts_with("doc,start,end,actor,text\n"));
    assert!(!w.path("-").exists());
    assert!(
        temporaries(w.dir.path()).is_empty(),
        "{:?}",
        names(w.dir.path())
    );
}

/// Row 2: symlinks planted in the output folder at the names the old
/// temporary files had (`.NAME.PID.tmp`, for the next few hundred pids)
/// are never followed; `out.csv` is a regular file after.
#[test]
fn row2_a_planted_link_at_a_temporary_name_is_never_followed() {
    let w = Workdir::new();
    let victim = w.write("victim.txt", "precious\n");
    let out_dir = w.path("shared");
    std::fs::create_dir(&out_dir).unwrap();
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    let pid_max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(32768);
    // After pid_max, pids wrap around to low numbers (300 and up).
    let mut pids: Vec<u32> = (last..last + 400)
        .map(|p| if p < pid_max { p } else { 300 + p - pid_max })
        .collect();
    pids.dedup();
    for pid in pids {
        let link = out_dir.join(format!(".out.csv.{pid}.tmp"));
        std::os::unix::fs::symlink(&victim, link).unwrap();
    }
    let article = repo().join("seeds/000_5677ce4ae29b53f7.txt");
    w.ok(["extract", p(&article), "--out", "shared/out.csv"]);
    assert_eq!(w.read("victim.txt"), "precious\n");
    let out = out_dir.join("out.csv");
    assert!(std::fs::symlink_metadata(&out).unwrap().is_file());
    assert!(w
        .read("shared/out.csv")
        .starts_with("doc,start,end,actor,text\n"));
    // An output hard-linked to an input is refused like the input itself.
    let local = w.write("local.csv", std::fs::read(quotes()).unwrap());
    std::fs::hard_link(&local, w.path("link.csv")).unwrap();
    let o = w.run([
        "train",
        "--data",
        p(&local),
        "--model",
        "majority",
        "--out",
        "link.csv",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("hard link"), "{}", o.stderr);
    assert_eq!(
        std::fs::read(&local).unwrap(),
        std::fs::read(quotes()).unwrap()
    );
}

fn compare_args<'a>(data: &'a str, dir: &'a str, seed: &'a str) -> Vec<&'a str> {
    vec![
        "compare",
        "--data",
        data,
        "--models",
        "majority,nb",
        "--cv",
        "kfold:3",
        "--seed",
        seed,
        "--resamples",
        "20",
        "--report-dir",
        dir,
    ]
}

/// Row 3: a report folder with an input inside is refused before any
/// work, leaving the folder as it was; a folder with foreign files or a
/// file in its place is refused; a new set replaces the old one whole.
#[test]
fn row3_report_dir_is_checked_first_and_replaced_whole() {
    let w = Workdir::new();
    let data = w.write("r/quotes.csv", std::fs::read(quotes()).unwrap());
    w.write("r/compare.csv", "old\n");
    let started = Instant::now();
    let o = w.run(compare_args(p(&data), "r", "1"));
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("--report-dir"), "{}", o.stderr);
    assert!(
        o.stdout.is_empty(),
        "refused before computing: {}",
        o.stdout
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(names(&w.path("r")), ["compare.csv", "quotes.csv"]);
    assert_eq!(w.read("r/compare.csv"), "old\n");
    // Foreign files are kept: the folder is refused.
    let data = w.write("quotes.csv", std::fs::read(quotes()).unwrap());
    let o = w.run(compare_args(p(&data), "r", "1"));
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("quotes.csv"), "{}", o.stderr);
    // A file where the folder should be.
    w.write("afile", "x");
    let o = w.run(compare_args(p(&data), "afile", "1"));
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("not a folder"), "{}", o.stderr);
    // --report inside --report-dir would be lost in the swap.
    let mut args = compare_args(p(&data), "new", "1");
    args.extend(["--report", "new/compare.csv"]);
    assert_eq!(w.run(args).code, 2);
    // Replaced whole: grid.csv of an earlier --grid run does not survive.
    w.ok(compare_args(p(&data), "set", "1"));
    w.write("set/grid.csv", "from an earlier run\n");
    w.ok(compare_args(p(&data), "set", "2"));
    assert!(!w.path("set/grid.csv").exists());
    assert!(names(w.dir.path()).iter().all(|n| !n.starts_with(".set.")));
}

/// Row 3: two runs at once into one folder leave one run's whole set.
#[test]
fn row3_two_concurrent_compares_leave_one_whole_set() {
    let w = Workdir::new();
    let data = quotes();
    w.ok(compare_args(p(&data), "solo1", "1"));
    w.ok(compare_args(p(&data), "solo2", "2"));
    for _ in 0..3 {
        let spawn = |seed: &str| {
            bin()
                .args(compare_args(p(&data), "both", seed))
                .current_dir(w.dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("1"), spawn("2"));
        assert!(wait(a, 120).status.success());
        assert!(wait(b, 120).status.success());
        let set = |d: &str| -> Vec<Vec<u8>> {
            names(&w.path(d))
                .iter()
                .map(|n| std::fs::read(w.path(d).join(n)).unwrap())
                .collect()
        };
        let got = set("both");
        assert!(got == set("solo1") || got == set("solo2"), "mixed set");
        assert_eq!(
            names(w.dir.path())
                .iter()
                .filter(|n| n.starts_with('.'))
                .count(),
            0
        );
    }
}

/// Each file of a folder: its name, length and FNV-1a hash (short
/// enough to print when sets differ).
fn digest(dir: &Path) -> Vec<(String, usize, u64)> {
    names(dir)
        .into_iter()
        .map(|n| {
            let b = std::fs::read(dir.join(&n)).unwrap();
            let h = b.iter().fold(0xcbf29ce484222325u64, |h, &x| {
                (h ^ u64::from(x)).wrapping_mul(0x100000001b3)
            });
            (n, b.len(), h)
        })
        .collect()
}

/// Unmounts the tiny file system when dropped.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Row 3: on a full disk the old set stays whole and no temporary folder
/// is left. Needs a tmpfs mount (root); elsewhere the library test
/// `io::report_dir::tests::a_failed_write_on_a_full_disk_leaves_the_old_set_whole`
/// injects the failure instead.
#[test]
fn row3_a_full_disk_leaves_the_old_report_set_whole() {
    let w = Workdir::new();
    let mnt = w.path("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=512k", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (the library test covers it)");
        return;
    }
    let _guard = Mount(mnt.clone());
    let data = quotes();
    w.ok(compare_args(p(&data), "mnt/r", "1"));
    let before = digest(&mnt.join("r"));
    // Fill the disk, then free 16 KiB: room for the small first files of
    // a set (compare.csv, per_class.csv, confusion.csv: a page each), not
    // for predictions.csv. Files written one by one would leave a mix.
    let largest = before.iter().map(|(_, len, _)| *len).max().unwrap();
    assert!(
        largest > 16 * 1024,
        "predictions.csv must not fit: {largest}"
    );
    let mut filler = std::fs::File::create(mnt.join("filler")).unwrap();
    let page = [b'x'; 4096];
    while std::io::Write::write_all(&mut filler, &page).is_ok() {}
    let len = filler.metadata().unwrap().len();
    filler.set_len(len.saturating_sub(16 * 1024)).unwrap();
    drop(filler);
    let o = w.run(compare_args(p(&data), "mnt/r", "2"));
    assert_eq!(o.code, 1, "{o:?}");
    assert_eq!(digest(&mnt.join("r")), before, "old set whole");
    assert_eq!(names(&mnt), ["filler", "r"], "no temporary folder left");
}

/// A text file of `lines` lines of varied words.
fn big_text(lines: usize) -> String {
    let words = [
        "strike", "cartel", "border", "talks", "no", "invasion", "troops", "deal",
    ];
    (0..lines)
        .map(|i| {
            let t: Vec<String> = (0..12)
                .map(|j| format!("{}{}", words[(i * 7 + j * 3) % words.len()], (i * j) % 97))
                .collect();
            t.join(" ") + "\n"
        })
        .collect()
}

/// Sends `sig` to `child`.
fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Polls until `found` holds or `secs` pass.
fn until(secs: u64, mut found: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if found() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

/// Row 8: SIGINT (or SIGTERM) while `featurize` reads a pipe or writes its
/// output leaves no temporary file; the exit code is 130 (143).
#[test]
fn row8_a_signal_during_featurize_leaves_no_temporary_file() {
    let w = Workdir::new();
    let tmp = w.path("tmp");
    let out = w.path("out");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    // A pipe that stays open: the spill file exists until the signal.
    for (sig, code) in [("-INT", 130), ("-TERM", 143)] {
        let fifo = w.path(&format!("in{code}.fifo"));
        mkfifo(&fifo);
        let child = bin()
            .args(["featurize", "--input", p(&fifo), "--out", "out/x.svm"])
            .env("TMPDIR", &tmp)
            .current_dir(w.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        std::io::Write::write_all(&mut writer, big_text(200).as_bytes()).unwrap();
        assert!(
            until(30, || !temporaries(&tmp).is_empty()),
            "no spill file seen"
        );
        signal(&child, sig);
        let o = wait(child, 30);
        drop(writer);
        assert_eq!(o.status.code(), Some(code), "{o:?}");
        assert!(temporaries(&tmp).is_empty(), "{:?}", names(&tmp));
        assert!(names(&out).is_empty(), "{:?}", names(&out));
    }
    // The output's temporary file, interrupted while being written.
    let input = w.write("big.txt", big_text(100_000));
    let child = bin()
        .args(["featurize", "--input", p(&input), "--out", "out/x.svm"])
        .args(["--block-size", "16K", "--row-memory", "0", "--threads", "1"])
        .current_dir(w.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let seen = until(120, || !temporaries(&out).is_empty());
    signal(&child, "-INT");
    let o = wait(child, 60);
    assert!(
        seen,
        "featurize wrote no temporary output file before it ended"
    );
    assert_eq!(o.status.code(), Some(130), "{o:?}");
    assert!(
        names(&out).iter().all(|n| n == "x.svm"),
        "{:?}",
        names(&out)
    );
    assert!(temporaries(&out).is_empty());
}

/// Row 12: `featurize` from a pipe spills to a temporary file so that
/// --row-memory holds, gives the same lines as from the file, and removes
/// the copy.
#[test]
fn row12_featurize_from_a_pipe_honours_row_memory_and_matches_the_file() {
    let w = Workdir::new();
    let tmp = w.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let text = big_text(3000);
    let file = w.write("t.txt", &text);
    let from_file = w.ok(["featurize", "--input", p(&file), "--row-memory", "0"]);
    let piped_out = w.path("piped.svm");
    let mut child = bin()
        .args([
            "featurize",
            "--input",
            "/dev/stdin",
            "--row-memory",
            "0",
            "--block-size",
            "4K",
        ])
        .env("TMPDIR", &tmp)
        .current_dir(w.dir.path())
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&piped_out).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (first, rest) = text.split_at(text.len() / 2);
    std::io::Write::write_all(&mut stdin, first.as_bytes()).unwrap();
    // The piped rows go to a spill file (read twice like any file), not
    // all into memory as before.
    assert!(
        until(60, || !temporaries(&tmp).is_empty()),
        "no spill file in TMPDIR"
    );
    let rest = rest.to_owned();
    let feeder = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, rest.as_bytes()));
    let o = wait(child, 120);
    feeder.join().unwrap().unwrap();
    assert!(o.status.success(), "{o:?}");
    assert_eq!(w.read("piped.svm"), from_file.stdout);
    assert!(
        names(&tmp).is_empty(),
        "spill file removed: {:?}",
        names(&tmp)
    );
}
