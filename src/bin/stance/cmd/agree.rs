//! `stance agree`: agreement between annotators
//! ([`stance::eval::annotators`] matches the files and builds the report).

use crate::args::config::AgreeConfig;
use crate::cmd::common::{stdout_write, write_output};
use stance::eval::annotators::{match_files, AgreeReport};

pub(crate) fn run(c: AgreeConfig) -> anyhow::Result<()> {
    let matched = match_files(&c.files, c.lossy)?;
    let report = AgreeReport::new(matched, c.settings)?;
    let mut out = report.summary();
    if let Some(dir) = &c.report_dir {
        for (name, body) in report.files()? {
            let path = dir.join(name);
            write_output(&path, body.as_bytes())?;
            out.push_str(&format!("report: {}\n", path.display()));
        }
    }
    stdout_write(out.as_bytes())
}
