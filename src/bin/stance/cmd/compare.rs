//! `stance compare`: cross-validates models on the same folds
//! ([`stance::eval::compare`]) and writes the reports the library builds.

use std::path::PathBuf;

use crate::args::config::CompareConfig;
use crate::cmd::common::{load_labels, stdout_write, write_output};
use stance::eval::compare::ComparePlan;
use stance::progress::Progress;

pub(crate) fn run(c: CompareConfig, progress: &dyn Progress) -> anyhow::Result<()> {
    let (corpus, source) = load_labels(&c.labels, c.read, c.skip_unlabelled)?;
    let plan = ComparePlan::new(&corpus, &c.settings)?;
    let sparse = plan.sparse_classes();
    let absent: Vec<String> = sparse
        .iter()
        .filter(|&&(_, n)| n == 0)
        .map(|(s, _)| s.to_string())
        .collect();
    if absent.len() + 1 == stance::Stance::ALL.len() {
        let only = stance::Stance::ALL
            .into_iter()
            .find(|s| !absent.contains(&s.to_string()))
            .map_or_else(String::new, |s| s.to_string());
        eprintln!(
            "stance: note: every example is labelled {only}: the data has one class, so every model can only predict it (macro-F1 still averages three classes, the absent ones at 0)"
        );
    } else if !absent.is_empty() {
        eprintln!(
            "stance: note: no example is labelled {}; its F1 counts as 0 in macro-F1, which averages three classes",
            absent.join(" or ")
        );
    }
    for (s, n) in sparse.into_iter().filter(|&(_, n)| n > 0) {
        eprintln!(
            "stance: note: class {s} has {n} examples, fewer than the {} folds; some test folds have none of it",
            plan.folds.len()
        );
    }
    let comparison = plan.run_with(progress)?;
    let mut written: Vec<PathBuf> = Vec::new();
    if let Some(r) = &c.report {
        write_output(r, comparison.compare_csv()?.as_bytes())?;
        written.push(r.clone());
    }
    if let Some(dir) = &c.report_dir {
        // The set goes to a fresh folder swapped in whole (stance::io::ReportDir).
        let set = comparison.report_set()?;
        let files: Vec<(&str, &[u8])> = set
            .files()
            .iter()
            .map(|f| (f.name, f.body.as_bytes()))
            .collect();
        dir.write(&files)?;
        written.extend(set.files().iter().map(|f| dir.path().join(f.name)));
    }
    let mut out = comparison.summary(&source.display().to_string());
    for w in &written {
        out.push_str(&format!("report: {}\n", w.display()));
    }
    stdout_write(out.as_bytes())
}
