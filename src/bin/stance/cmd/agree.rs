//! `stance agree`: agreement between annotators
//! ([`stance::eval::annotators`] matches the files and builds the report).

use crate::args::config::AgreeConfig;
use crate::cmd::common::stdout_write;
use stance::eval::annotators::{match_files, AgreeReport};

pub(crate) fn run(c: AgreeConfig) -> anyhow::Result<()> {
    let matched = match_files(&c.files, c.lossy)?;
    let report = AgreeReport::new(matched, c.settings)?;
    let mut out = report.summary();
    if let Some(dir) = &c.report_dir {
        // The set goes to a fresh folder swapped in whole (stance::io::ReportDir).
        let files = report.files()?;
        let set: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_bytes())).collect();
        dir.write(&set)?;
        for (name, _) in &files {
            out.push_str(&format!("report: {}\n", dir.path().join(name).display()));
        }
    }
    stdout_write(out.as_bytes())
}
