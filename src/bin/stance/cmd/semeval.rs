//! `stance semeval`: the SemEval-2016 Task 6 protocol.

use std::time::Instant;

use crate::args::SemevalArgs;
use crate::cmd::common::{model_list, stdout_write, write_output};
use stance::corpus::{Corpus, ReadOptions};
use stance::eval::metrics::ZeroDivision;
use stance::{Error, Stance};

pub(crate) fn semeval(a: SemevalArgs) -> anyhow::Result<()> {
    use stance::eval::semeval::{self as se, Candidate, Settings};
    let opts = ReadOptions {
        format: a.format,
        require_stance: true,
        lossy: a.lossy,
    };
    let test = Corpus::read(&a.test, opts)?;
    if let Some(pred_path) = &a.predictions {
        let pred = Corpus::read(pred_path, opts)?;
        let m = se::score_by_id(&test, &pred)?;
        let zd = ZeroDivision::Zero;
        return stdout_write(
            format!(
                "F1(FAVOR) {:.4}  F1(AGAINST) {:.4}  ({} tweets)\nF_avg: {:.4}\n",
                m.class_scores(Stance::Favor, zd).f1,
                m.class_scores(Stance::Against, zd).f1,
                m.total(),
                m.f_avg(zd)
            )
            .as_bytes(),
        );
    }
    let train_path = a
        .train
        .as_ref()
        .ok_or_else(|| Error::param("--train", "expected --train F"))?;
    let fp = a.feat.to_params()?;
    if a.folds < 2 {
        return Err(Error::param("--folds", "must be at least 2").into());
    }
    let mut grid = Vec::new();
    for m in &model_list(Some(&a.models))? {
        for (name, model) in se::strength_grid(m)? {
            grid.push(Candidate {
                name,
                featurizer: fp.clone(),
                model,
            });
        }
    }
    let train = Corpus::read(train_path, opts)?;
    let started = Instant::now();
    let r = se::run(
        &train,
        &test,
        &Settings {
            grid,
            folds: a.folds,
            seed: a.seed,
            joint: a.joint,
        },
    )?;
    let secs = started.elapsed().as_secs_f64();
    write_output(
        &a.report,
        r.to_csv()?.as_bytes(),
        &[train_path, &a.test],
        "--report",
    )?;
    let zd = ZeroDivision::Zero;
    let mut out = format!(
        "featurizer: {}\n{:<34} {:>6} {:>6}  {:<26} {:>8} {:>8}\n",
        fp, "target", "train", "test", "chosen (by train CV)", "cv_f_avg", "f_avg"
    );
    for t in &r.targets {
        out.push_str(&format!(
            "{:<34} {:>6} {:>6}  {:<26} {:>8} {:>8.4}\n",
            t.target,
            t.n_train,
            t.n_test,
            t.chosen,
            if t.cv_f_avg.is_nan() {
                "-".to_owned()
            } else {
                format!("{:.4}", t.cv_f_avg)
            },
            t.confusion.f_avg(zd)
        ));
    }
    out.push_str(&format!(
        "\nmean F_avg over targets: {:.4}\nreport: {}  ({:.1} s)\nF_avg: {:.4}\n",
        r.mean_target_f_avg(),
        a.report.display(),
        secs,
        r.f_avg()
    ));
    stdout_write(out.as_bytes())
}
