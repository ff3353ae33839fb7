//! `stance compare`: cross-validates models on the same folds
//! ([`stance::eval::compare`]) and writes the reports the library builds.

use std::path::PathBuf;

use crate::args::config::{CompareConfig, Labels, EMBEDDED_LABELS};
use crate::cmd::common::{stdout_write, write_output};
use stance::corpus::{Corpus, ReadOptions};
use stance::eval::compare::ComparePlan;

pub(crate) fn run(c: CompareConfig) -> anyhow::Result<()> {
    let (corpus, source) = match &c.labels {
        Labels::File(p) => (Corpus::read(p, c.read)?, p.clone()),
        Labels::Embedded => {
            let name = PathBuf::from(EMBEDDED_LABELS);
            let opts = ReadOptions {
                require_stance: true,
                ..Default::default()
            };
            let corpus = Corpus::from_bytes(&name, stance::EMBEDDED_QUOTES.as_bytes(), opts)?;
            (corpus, name)
        }
    };
    let plan = ComparePlan::new(&corpus, &c.settings)?;
    for (s, n) in plan.sparse_classes() {
        eprintln!(
            "stance: note: class {s} has {n} examples, fewer than the {} folds; some test folds have none of it",
            plan.folds.len()
        );
    }
    let comparison = plan.run()?;
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
