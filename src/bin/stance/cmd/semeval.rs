//! `stance semeval`: the SemEval-2016 Task 6 protocol
//! ([`stance::eval::semeval`]), or the official score of a prediction
//! file.

use std::time::Instant;

use crate::args::config::{SemevalConfig, SemevalTask};
use crate::cmd::common::{stdout_write, write_output};
use stance::corpus::Corpus;
use stance::eval::metrics::ZeroDivision;
use stance::eval::semeval as se;
use stance::progress::Progress;
use stance::Stance;

pub(crate) fn run(c: SemevalConfig, progress: &dyn Progress) -> anyhow::Result<()> {
    let test = Corpus::read(&c.test, c.read)?;
    let zd = ZeroDivision::Zero;
    let (train_path, featurizer, settings, report) = match &c.task {
        SemevalTask::Score { predictions } => {
            let pred = Corpus::read(predictions, c.read)?;
            let m = se::score_by_id(&test, &pred)?;
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
        SemevalTask::Run {
            train,
            featurizer,
            settings,
            report,
        } => (train, featurizer, settings, report),
    };
    let train = Corpus::read(train_path, c.read)?;
    let started = Instant::now();
    let r = se::run_with(&train, &test, settings, progress)?;
    let secs = started.elapsed().as_secs_f64();
    write_output(report, r.to_csv()?.as_bytes())?;
    let mut out = format!(
        "featurizer: {}\n{:<34} {:>6} {:>6}  {:<26} {:>8} {:>8}\n",
        featurizer, "target", "train", "test", "chosen (by train CV)", "cv_f_avg", "f_avg"
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
        report.display(),
        secs,
        r.f_avg()
    ));
    stdout_write(out.as_bytes())
}
