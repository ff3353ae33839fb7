//! `stance curve`: learning curves and the active-learning simulation
//! ([`stance::eval::curve`], [`stance::eval::active`]); prints the table
//! and the slope per doubling, writes `curve.csv` and `curve.svg`.

use crate::args::config::{CurveConfig, CurveReports};
use crate::cmd::common::{load_labels, stdout_write, write_output};
use stance::eval::curve::{run_on, CurvePlan};
use stance::eval::split::CvScheme;
use stance::progress::Progress;

pub(crate) fn run(c: CurveConfig, progress: &dyn Progress) -> anyhow::Result<()> {
    let (corpus, source) = load_labels(&c.labels, c.read, c.skip_unlabelled)?;
    let out = run_on(
        &corpus,
        c.cv,
        c.seed,
        &c.plan,
        &c.featurizer,
        &c.models,
        progress,
    )?;
    let cv = match out.scheme {
        CvScheme::Doc => "leave one document out".to_owned(),
        CvScheme::KFold(k) => format!("{k}-fold"),
    };
    let curve = &out.curve;
    let what = match &c.plan {
        CurvePlan::Curve(_) => "learning curve".to_owned(),
        CurvePlan::Active(_) => {
            "active-learning simulation (uncertainty vs random, same seed sets)".to_owned()
        }
    };
    let interval = if curve.repeats >= 2 {
        format!("t interval across {} repeats", curve.repeats)
    } else {
        "bootstrap over the test quotes (1 repeat)".to_owned()
    };
    let mut text = format!(
        "{what}: {} ({} quotes), {cv} ({} folds); mean out-of-fold macro-F1 with {:.0}% {interval}\n",
        source.display(),
        out.n,
        out.folds,
        curve.level * 100.0
    );
    text.push_str(&curve.summary());
    let files = curve.report_files()?;
    let dir = match &c.reports {
        CurveReports::Dir(dir) => {
            // The set goes to a fresh folder swapped in whole (stance::io::ReportDir).
            let set: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_bytes())).collect();
            dir.write(&set)?;
            dir.path()
        }
        CurveReports::Files(dir) => {
            for (name, body) in &files {
                write_output(&dir.join(name), body.as_bytes())?;
            }
            dir.as_path()
        }
    };
    for (name, _) in &files {
        text.push_str(&format!("report: {}\n", dir.join(name).display()));
    }
    stdout_write(text.as_bytes())
}
