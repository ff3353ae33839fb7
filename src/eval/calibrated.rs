//! Calibration inside the training data: a [`Calibrator`] is always
//! fitted on out-of-fold probabilities of an *inner* cross-validation over
//! the training rows, never on rows it will be scored on.
//!
//! - [`inner_folds`]: the inner split of a set of training rows, the same
//!   rule as the nested grid search ([`crate::eval::grid`]): leave one
//!   document out when every row has a document and there are at least
//!   [`INNER_FOLDS`] documents, else a seeded stratified group
//!   [`INNER_FOLDS`]-fold split; duplicate-quote groups are recomputed on
//!   the training rows alone and stay whole.
//! - [`fit_calibrator`]: inner cross-validation of a model, then
//!   [`Calibrator::fit`] on its out-of-fold probabilities. `stance train`
//!   stores the result in the model file ([`crate::pipeline::Pipeline`]).
//! - [`calibrate_cv`]: what `compare` reports. For each outer fold, a
//!   calibrator is fitted by [`fit_calibrator`] on that fold's training
//!   rows and applied to the fold's out-of-fold probabilities (which came
//!   from the model fitted on the same training rows), so the calibrated
//!   probabilities are those a calibrated [`crate::pipeline::Pipeline`]
//!   trained on the fold would give.
//! - [`CalibrationScores`]: Brier score, log-loss and ECE (15 bins) with
//!   seeded bootstrap intervals, before and after calibration.
//!
//! Temperature scaling (the default) keeps every prediction's top class,
//! so accuracy and macro-F1 do not change; Platt and isotonic may change
//! it.
//!
//! Cost: [`fit_calibrator`] fits the model [`INNER_FOLDS`] times (or once
//! per training document); [`calibrate_cv`] does so for every outer fold.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::eval::calibrate::{self, Calibrator, Method, ScoreEstimate};
use crate::eval::split::{self, CvScheme, Fold};
use crate::eval::{cross_validate, BootstrapSettings, CvPredictions};
use crate::features::ValidFeaturizerParams;
use crate::label::Stance;
use crate::models::{argmax, ModelParams, Probs};

/// Number of inner folds when the training rows cannot be split by
/// document.
pub const INNER_FOLDS: usize = 3;

/// The inner cross-validation folds of training rows with these `texts`,
/// `docs` and `labels` (see the module doc), indices into these slices.
///
/// # Errors
/// [`Error::Split`] when the rows cannot be split (fewer groups than
/// [`INNER_FOLDS`]).
pub fn inner_folds<S: AsRef<str>>(
    texts: &[S],
    docs: &[Option<&str>],
    labels: &[Stance],
    seed: u64,
) -> Result<Vec<Fold>> {
    let groups = split::group_duplicates(texts);
    let n_docs = {
        let mut d: Vec<&str> = docs.iter().flatten().copied().collect();
        d.sort_unstable();
        d.dedup();
        d.len()
    };
    let scheme = if docs.iter().all(Option::is_some) && n_docs >= INNER_FOLDS {
        CvScheme::Doc
    } else {
        CvScheme::KFold(INNER_FOLDS)
    };
    split::plan(scheme, docs, labels, &groups, seed)
}

/// Fits a calibrator of `method` for `model` on the training rows
/// (`texts`, `labels`, `docs`): inner cross-validation ([`inner_folds`],
/// seeded by `seed`), then [`Calibrator::fit`] on the inner out-of-fold
/// probabilities.
///
/// # Errors
/// Split errors of the inner folds, featurizer and fit errors of the inner
/// models (prefixed `calibration`), [`Error::Calibrate`] if the calibrator
/// cannot be fitted.
pub fn fit_calibrator<S: AsRef<str> + Sync>(
    texts: &[S],
    labels: &[Stance],
    docs: &[Option<&str>],
    featurizer: &ValidFeaturizerParams,
    model: &ModelParams,
    method: Method,
    seed: u64,
) -> Result<Calibrator> {
    let wrap = |e: Error| e.within("calibration (inner cross-validation)");
    let folds = inner_folds(texts, docs, labels, seed).map_err(wrap)?;
    let run = cross_validate(texts, labels, &folds, featurizer, model).map_err(wrap)?;
    Ok(Calibrator::fit(method, &run.probs, labels)?)
}

/// The calibrated out-of-fold predictions of `run` (the uncalibrated
/// out-of-fold predictions of `model` on `folds`): in each outer fold, a
/// calibrator fitted by [`fit_calibrator`] on the fold's training rows
/// maps the fold's test probabilities. Outer folds run in parallel; the
/// result does not depend on the thread count.
///
/// # Errors
/// The first fold's error of [`fit_calibrator`], prefixed by the fold
/// name.
#[allow(clippy::too_many_arguments)]
pub fn calibrate_cv<S: AsRef<str> + Sync>(
    run: &CvPredictions,
    texts: &[S],
    labels: &[Stance],
    docs: &[Option<&str>],
    folds: &[Fold],
    featurizer: &ValidFeaturizerParams,
    model: &ModelParams,
    method: Method,
    seed: u64,
) -> Result<CvPredictions> {
    let calibrators: Vec<Result<Calibrator>> = folds
        .par_iter()
        .map(|f| {
            let tr_texts: Vec<&str> = f.train.iter().map(|&i| texts[i].as_ref()).collect();
            let tr_labels: Vec<Stance> = f.train.iter().map(|&i| labels[i]).collect();
            let tr_docs: Vec<Option<&str>> = f.train.iter().map(|&i| docs[i]).collect();
            fit_calibrator(
                &tr_texts, &tr_labels, &tr_docs, featurizer, model, method, seed,
            )
            .map_err(|e| e.within(&format!("fold {}", f.name)))
        })
        .collect();
    let mut probs = run.probs.clone();
    for (f, cal) in folds.iter().zip(calibrators) {
        let cal = cal?;
        for &i in &f.test {
            probs[i] = cal.apply(&run.probs[i]);
        }
    }
    Ok(CvPredictions {
        model: run.model.clone(),
        predicted: probs.iter().map(argmax).collect(),
        probs,
        // Calibration may change the predicted class: the raw run's
        // explanations would not fit.
        explanations: None,
    })
}

/// Brier score, log-loss and ECE, each with its bootstrap interval, in
/// [`calibrate::Score::ALL`] order.
pub type Scores = [ScoreEstimate; 3];

/// Calibration scores of one model's out-of-fold probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationScores {
    /// The calibration method, `None` when not calibrated.
    pub method: Option<Method>,
    /// Scores of the uncalibrated probabilities.
    pub raw: Scores,
    /// Scores of the calibrated probabilities (what `predict` gives);
    /// equal to `raw` without a method.
    pub calibrated: Scores,
}

/// The three scores of `probs` with intervals (every score from the same
/// seeded resamples).
///
/// # Errors
/// [`Error::Calibrate`] for empty or malformed probabilities or bad
/// bootstrap settings.
pub fn scores(probs: &[Probs], gold: &[Stance], b: BootstrapSettings) -> Result<Scores> {
    let r = calibrate::report(probs, gold, b.resamples, b.level, b.seed)?;
    Ok([r.brier, r.log_loss, r.ece])
}

impl CalibrationScores {
    /// Scores of `raw` and, when given, `calibrated` probabilities.
    ///
    /// # Errors
    /// As [`scores`].
    pub fn new(
        gold: &[Stance],
        raw: &[Probs],
        calibrated: Option<(Method, &[Probs])>,
        b: BootstrapSettings,
    ) -> Result<CalibrationScores> {
        let raw_scores = scores(raw, gold, b)?;
        Ok(match calibrated {
            Some((m, c)) => CalibrationScores {
                method: Some(m),
                raw: raw_scores,
                calibrated: scores(c, gold, b)?,
            },
            None => CalibrationScores {
                method: None,
                raw: raw_scores,
                calibrated: raw_scores,
            },
        })
    }
}

/// A fixed-width table of every model's calibration scores for the
/// terminal: Brier, log-loss and ECE before calibration, then after with
/// the `level` interval of each; `None` when no summary has scores.
pub fn calibration_table(summaries: &[crate::eval::Summary], level: f64) -> Option<String> {
    let rows: Vec<(&str, &CalibrationScores)> = summaries
        .iter()
        .filter_map(|s| Some((s.model.as_str(), s.calibration.as_ref()?)))
        .collect();
    let method = rows.iter().find_map(|(_, c)| c.method);
    let w = rows.iter().map(|(m, _)| m.len()).max()?.max(10);
    let pct = (level * 100.0).round();
    let mut s = match method {
        Some(m) => format!(
            "calibration: {m}, fitted by inner cross-validation inside each outer training part ({pct}% intervals)\n"
        ),
        None => format!(
            "probabilities, uncalibrated (--calibration METHOD to calibrate; {pct}% intervals)\n"
        ),
    };
    // Without calibration the raw scores are the only ones: no raw columns.
    let raw_columns = method.is_some();
    if raw_columns {
        s.push_str(&format!(
            "{:<w$}  {:>9}  {:>9}  {:>9}",
            "model", "brier_raw", "logl_raw", "ece_raw"
        ));
    } else {
        s.push_str(&format!("{:<w$}", "model"));
    }
    s.push_str(&format!(
        "  {:>24}  {:>24}  {:>24}\n",
        "brier", "log_loss", "ece"
    ));
    for (m, c) in rows {
        let e = |k: usize| {
            let e = c.calibrated[k];
            format!(
                "{:.4} [{:.4}, {:.4}]",
                e.point, e.interval.lo, e.interval.hi
            )
        };
        if raw_columns {
            s.push_str(&format!(
                "{m:<w$}  {:>9.4}  {:>9.4}  {:>9.4}",
                c.raw[0].point, c.raw[1].point, c.raw[2].point,
            ));
        } else {
            s.push_str(&format!("{m:<w$}"));
        }
        s.push_str(&format!("  {:>24}  {:>24}  {:>24}\n", e(0), e(1), e(2)));
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeaturizerParams;
    use crate::rng::Rng;

    /// Seeded noisy data: each quote has a few class words and a few
    /// shared words; 30% of the labels are flipped, so that a confident
    /// model is over-confident.
    fn noisy(n: usize, seed: u64) -> (Vec<String>, Vec<Stance>, Vec<Option<String>>) {
        let words = [
            ["strike", "force", "troops", "attack"],
            ["invasion", "sovereignty", "reject", "never"],
            ["tariff", "talks", "trade", "meeting"],
        ];
        let shared = ["cartel", "border", "mexico", "said", "week", "official"];
        let mut rng = Rng::new(seed);
        let mut texts = Vec::new();
        let mut gold = Vec::new();
        let mut docs = Vec::new();
        for i in 0..n {
            let c = rng.below(3);
            let mut t = Vec::new();
            for _ in 0..2 {
                t.push(words[c][rng.below(4)]);
            }
            for _ in 0..3 {
                t.push(shared[rng.below(shared.len())]);
            }
            texts.push(format!("{} q{i}", t.join(" ")));
            let label = if rng.below(10) < 3 {
                (c + 1 + rng.below(2)) % 3
            } else {
                c
            };
            gold.push(Stance::ALL[label]);
            docs.push(Some(format!("d{}", i % 6)));
        }
        (texts, gold, docs)
    }

    #[test]
    fn inner_folds_leave_one_document_out_else_kfold() {
        let (texts, gold, docs) = noisy(30, 1);
        let d: Vec<Option<&str>> = docs.iter().map(|d| d.as_deref()).collect();
        let f = inner_folds(&texts, &d, &gold, 3).unwrap();
        assert_eq!(f.len(), 6);
        assert_eq!(f[0].name, "d0");
        let none = vec![None; 30];
        let f = inner_folds(&texts, &none, &gold, 3).unwrap();
        assert_eq!(f.len(), INNER_FOLDS);
        let mut tested: Vec<usize> = f.iter().flat_map(|f| f.test.clone()).collect();
        tested.sort_unstable();
        assert_eq!(tested, (0..30).collect::<Vec<_>>());
    }

    #[test]
    fn calibration_lowers_brier_and_ece_of_an_overconfident_model() {
        let (texts, gold, docs) = noisy(240, 11);
        let d: Vec<Option<&str>> = docs.iter().map(|d| d.as_deref()).collect();
        let fp = FeaturizerParams::default().check().unwrap();
        let groups: Vec<usize> = (0..texts.len()).collect();
        let folds = split::plan(CvScheme::Doc, &d, &gold, &groups, 1).unwrap();
        let b = BootstrapSettings {
            resamples: 200,
            level: 0.95,
            seed: 4,
        };
        // Models whose probabilities are far from calibrated here (a depth-
        // limited tree's leaf frequencies, NB-SVM's softmax of margins, naive
        // Bayes); `svm` and `logreg` are nearly calibrated on this data and
        // calibration does not lower both scores for them (README).
        for name in ["nb", "nbsvm", "tree"] {
            let model = ModelParams::from_name(name).unwrap();
            let run = cross_validate(&texts, &gold, &folds, &fp, &model).unwrap();
            for method in [Method::Temperature, Method::Platt] {
                let cal =
                    calibrate_cv(&run, &texts, &gold, &d, &folds, &fp, &model, method, 7).unwrap();
                if method == Method::Temperature {
                    assert_eq!(cal.predicted, run.predicted, "{name}: top class kept");
                }
                let s = CalibrationScores::new(&gold, &run.probs, Some((method, &cal.probs)), b)
                    .unwrap();
                let (raw_brier, cal_brier) = (s.raw[0].point, s.calibrated[0].point);
                let (raw_ece, cal_ece) = (s.raw[2].point, s.calibrated[2].point);
                assert!(
                    cal_brier < raw_brier && cal_ece < raw_ece,
                    "{name} {method}: brier {raw_brier} -> {cal_brier}, ece {raw_ece} -> {cal_ece}"
                );
                // Deterministic.
                let again =
                    calibrate_cv(&run, &texts, &gold, &d, &folds, &fp, &model, method, 7).unwrap();
                assert_eq!(again.probs, cal.probs);
            }
        }
    }

    #[test]
    fn fit_calibrator_needs_enough_rows_and_says_where() {
        let fp = FeaturizerParams::default().check().unwrap();
        let model = ModelParams::from_name("nb").unwrap();
        let texts = ["a b", "c d"];
        let gold = [Stance::Favor, Stance::Against];
        let e = fit_calibrator(&texts, &gold, &[None, None], &fp, &model, Method::Platt, 1)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("calibration (inner cross-validation)"),
            "{e}"
        );
    }

    #[test]
    fn without_a_method_the_calibrated_scores_are_the_raw_ones() {
        let probs = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]];
        let gold = [Stance::Favor, Stance::Favor, Stance::None];
        let s = CalibrationScores::new(&gold, &probs, None, BootstrapSettings::default()).unwrap();
        assert_eq!(s.raw, s.calibrated);
        assert!((s.raw[0].point - calibrate::brier(&probs, &gold).unwrap()).abs() < 1e-15);
    }
}
