//! `stance compare`: cross-validates models on the same folds
//! ([`stance::eval::compare`]) and writes the reports the library builds.

use std::path::PathBuf;

use crate::args::{CompareArgs, InputArgs};
use crate::cmd::common::{model_list, read, stdout_write, write_output};
use stance::corpus::{Corpus, ReadOptions};
use stance::eval::compare::{ComparePlan, CompareSettings};
use stance::Error;

pub(crate) fn compare(a: CompareArgs) -> anyhow::Result<()> {
    let featurizer = a.feat.to_params()?;
    let models = model_list(a.models.as_deref())?;
    if a.resamples == 0 {
        return Err(Error::param("--resamples", "must be at least 1").into());
    }
    let settings = CompareSettings {
        featurizer,
        models,
        cv: a.cv,
        seed: a.seed,
        resamples: a.resamples,
        grid: a.grid,
    };
    let (corpus, source) = match &a.data {
        Some(p) => (read(p, &a.input, true)?, p.clone()),
        None => default_corpus(&a.input)?,
    };
    let plan = ComparePlan::new(&corpus, &settings)?;
    for (s, n) in plan.sparse_classes() {
        eprintln!(
            "stance: note: class {s} has {n} examples, fewer than the {} folds; some test folds have none of it",
            plan.folds.len()
        );
    }
    let comparison = plan.run()?;
    let mut written: Vec<PathBuf> = Vec::new();
    let report = match (&a.report, &a.report_dir) {
        (Some(r), _) => Some(r.clone()),
        (None, None) => Some(PathBuf::from("reports/compare.csv")),
        (None, Some(_)) => None,
    };
    if let Some(r) = &report {
        write_output(
            r,
            comparison.compare_csv()?.as_bytes(),
            &[&source],
            "--report",
        )?;
        written.push(r.clone());
    }
    if let Some(dir) = &a.report_dir {
        for file in comparison.report_set()?.files() {
            let path = dir.join(file.name);
            write_output(&path, file.body.as_bytes(), &[&source], "--report-dir")?;
            written.push(path);
        }
    }
    let mut out = comparison.summary(&source.display().to_string());
    for w in &written {
        out.push_str(&format!("report: {}\n", w.display()));
    }
    stdout_write(out.as_bytes())
}

/// labels/quotes.csv in the working folder, else the embedded copy.
pub(crate) fn default_corpus(input: &InputArgs) -> anyhow::Result<(Corpus, PathBuf)> {
    let path = PathBuf::from("labels/quotes.csv");
    if path.exists() {
        return Ok((read(&path, input, true)?, path));
    }
    let name = PathBuf::from("<embedded labels/quotes.csv>");
    let c = Corpus::from_bytes(
        &name,
        stance::EMBEDDED_QUOTES.as_bytes(),
        ReadOptions {
            require_stance: true,
            ..Default::default()
        },
    )?;
    Ok((c, name))
}
