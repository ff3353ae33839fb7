//! Test harness: a temporary working folder and a runner for the built
//! `stance` binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The hand labels of the repository.
pub fn quotes() -> PathBuf {
    repo().join("labels/quotes.csv")
}

/// Output of one run of the binary.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A temporary folder to run the binary in.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Runs `stance ARGS` in this folder.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let out = Command::new(env!("CARGO_BIN_EXE_stance"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run stance");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and asserts success.
    /// `stance train` on the repository's hand labels; panics on failure.
    pub fn train_on_quotes(&self, model: &str, out: &str) -> Output {
        self.ok([
            "train",
            "--data",
            p(&quotes()),
            "--model",
            model,
            "--out",
            out,
        ])
    }

    pub fn ok<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let o = self.run(args);
        assert_eq!(o.code, 0, "stance failed: {o:?}");
        o
    }
}

/// Parses a CSV string into header + rows.
pub fn parse_csv(s: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(s.as_bytes());
    let h = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (h, rows)
}

/// The value of `col` in `row`.
pub fn get<'a>(header: &[String], row: &'a [String], col: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == col)
        .unwrap_or_else(|| panic!("no column {col} in {header:?}"));
    &row[i]
}

#[allow(dead_code)]
pub fn p(s: &Path) -> &str {
    s.to_str().unwrap()
}
