//! `stance curve`: learning curves and the active-learning simulation
//! ([`stance::eval::curve`], [`stance::eval::active`]); prints the table
//! and the slope per doubling, writes `curve.csv` and `curve.svg`.

use std::path::PathBuf;

use crate::args::config::{CurveConfig, Labels, EMBEDDED_LABELS};
use crate::cmd::common::{stdout_write, write_output};
use stance::corpus::{Corpus, ReadOptions};
use stance::eval::curve::{run_on, CurvePlan};
use stance::eval::split::CvScheme;
use stance::progress::Progress;

pub(crate) fn run(c: CurveConfig, progress: &dyn Progress) -> anyhow::Result<()> {
    let (corpus, source) = match &c.labels {
        Labels::File(p) => {
            let (corpus, skipped) = Corpus::read_labelled(p, c.read, c.skip_unlabelled)?;
            if skipped > 0 {
                eprintln!(
                    "stance: note: {skipped} unlabelled rows of {} left out (--skip-unlabelled)",
                    p.display()
                );
            }
            (corpus, p.clone())
        }
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
    for (name, body) in [
        ("curve.csv", curve.to_csv()?),
        ("curve.svg", curve.to_svg()),
    ] {
        let path = c.report_dir.join(name);
        write_output(&path, body.as_bytes())?;
        text.push_str(&format!("report: {}\n", path.display()));
    }
    stdout_write(text.as_bytes())
}
