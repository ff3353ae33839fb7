//! SemEval-2016 Task 6 (subtask A) protocol: one featurizer and model per
//! target, as the organisers' baselines, with hyper-parameters chosen per
//! target by cross-validation on the training file only, and the official
//! score `F_avg = (F1(FAVOR) + F1(AGAINST)) / 2` over counts pooled across
//! all targets.
//!
//! Predictions are matched to gold by tweet ID, never by line position;
//! [`score_by_id`] refuses prediction sets whose IDs differ from the gold's.

use std::collections::{BTreeMap, HashMap};

use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::eval::metrics::{ConfusionMatrix, ZeroDivision};
use crate::eval::split::{self, CvScheme};
use crate::eval::{cross_validate_path, CvPredictions};
use crate::features::ValidFeaturizerParams;
use crate::io::table::{Fixed, Table};
use crate::label::Stance;
use crate::models::{argmax, ModelParams, Probs};
use crate::pipeline::Pipeline;
use crate::progress::{Progress, Silent};
use rayon::prelude::*;

/// One candidate configuration: featurizer settings and model settings.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// A short description for reports.
    pub name: String,
    /// Featurizer settings.
    pub featurizer: ValidFeaturizerParams,
    /// Model settings.
    pub model: ModelParams,
}

/// How to run the protocol.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Candidates tried per target (the first wins ties).
    pub grid: Vec<Candidate>,
    /// Inner cross-validation folds on each target's training tweets.
    pub folds: usize,
    /// Seed of the inner folds.
    pub seed: u64,
    /// One joint model over all targets with the target as a feature,
    /// instead of one model per target.
    pub joint: bool,
}

/// Results of one target (or of the joint model, as target `ALL`).
#[derive(Debug, Clone)]
pub struct TargetResult {
    /// Target name.
    pub target: String,
    /// Training tweets.
    pub n_train: usize,
    /// Test tweets.
    pub n_test: usize,
    /// The chosen candidate.
    pub chosen: String,
    /// Its cross-validated F_avg on the training tweets (NaN, written as an
    /// empty field, when there was only one candidate and nothing to tune).
    pub cv_f_avg: f64,
    /// Test confusion matrix.
    pub confusion: ConfusionMatrix,
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct Report {
    /// Per target, sorted by target name.
    pub targets: Vec<TargetResult>,
    /// Confusion counts pooled over all targets.
    pub pooled: ConfusionMatrix,
    /// `(id, predicted)` for every test tweet, in test-file order.
    pub predictions: Vec<(String, Stance)>,
}

impl Report {
    /// The official score: F_avg over pooled counts.
    pub fn f_avg(&self) -> f64 {
        self.pooled.f_avg(ZeroDivision::Zero)
    }

    /// Unweighted mean of the per-target F_avg.
    pub fn mean_target_f_avg(&self) -> f64 {
        let n = self.targets.len().max(1) as f64;
        self.targets
            .iter()
            .map(|t| t.confusion.f_avg(ZeroDivision::Zero))
            .sum::<f64>()
            / n
    }

    /// Per-target CSV: one row a target and a last `POOLED` row.
    ///
    /// # Errors
    /// [`Error::Report`] if a row cannot be written (a bug).
    pub fn to_csv(&self) -> Result<String> {
        #[derive(serde::Serialize)]
        struct Row<'a> {
            target: &'a str,
            n_train: usize,
            n_test: u64,
            chosen: &'a str,
            cv_f_avg: Option<Fixed<4>>,
            accuracy: Fixed<4>,
            macro_f1: Fixed<4>,
            f1_favor: Fixed<4>,
            f1_against: Fixed<4>,
            f_avg: Fixed<4>,
        }
        let row = |target, n_train, chosen, cv_f_avg: f64, m: &ConfusionMatrix| {
            let zd = ZeroDivision::Zero;
            Row {
                target,
                n_train,
                n_test: m.total(),
                chosen,
                cv_f_avg: (!cv_f_avg.is_nan()).then_some(Fixed(cv_f_avg)),
                accuracy: Fixed(m.accuracy()),
                macro_f1: Fixed(m.macro_f1(zd)),
                f1_favor: Fixed(m.class_scores(Stance::Favor, zd).f1),
                f1_against: Fixed(m.class_scores(Stance::Against, zd).f1),
                f_avg: Fixed(m.f_avg(zd)),
            }
        };
        let mut t = Table::new(
            "semeval report",
            [
                "target",
                "n_train",
                "n_test",
                "chosen",
                "cv_f_avg",
                "accuracy",
                "macro_f1",
                "f1_favor",
                "f1_against",
                "f_avg",
            ],
        )?;
        for r in &self.targets {
            t.row(&row(
                &r.target,
                r.n_train,
                &r.chosen,
                r.cv_f_avg,
                &r.confusion,
            ))?;
        }
        let n_train: usize = self.targets.iter().map(|r| r.n_train).sum();
        t.row(&row("POOLED", n_train, "", f64::NAN, &self.pooled))?;
        t.finish()
    }
}

fn target_of(e: &crate::corpus::Example) -> &str {
    e.target.as_deref().unwrap_or("")
}

/// The text the joint model sees: a target token, then the tweet.
fn joint_text(target: &str, text: &str) -> String {
    let tag: String = target.chars().filter(|c| c.is_alphanumeric()).collect();
    format!("zztarget{tag} {text}")
}

/// Runs the protocol on a training and a test file.
///
/// # Errors
/// [`Error::Data`] when a test target has no training tweets or test IDs
/// repeat; [`Error::InvalidParam`] for an empty grid; model errors.
pub fn run(train: &Corpus, test: &Corpus, settings: &Settings) -> Result<Report> {
    run_with(train, test, settings, &Silent)
}

/// [`run`], telling `progress` of every target done (targets run in
/// parallel; the report does not depend on the thread count).
///
/// # Errors
/// As [`run`].
pub fn run_with(
    train: &Corpus,
    test: &Corpus,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Report> {
    if settings.grid.is_empty() {
        return Err(Error::param("grid", "expected at least one model"));
    }
    let gold_train = train.labels()?;
    let gold_test = test.labels()?;
    let mut by_target: BTreeMap<String, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, e) in train.examples.iter().enumerate() {
        by_target
            .entry(target_of(e).to_owned())
            .or_default()
            .0
            .push(i);
    }
    for (i, e) in test.examples.iter().enumerate() {
        match by_target.get_mut(target_of(e)) {
            Some(v) => v.1.push(i),
            None => {
                return Err(Error::data(
                    &test.path,
                    Some(e.line),
                    Some("target"),
                    format!(
                        "target '{}' has no training tweets in {}",
                        target_of(e),
                        train.path.display()
                    ),
                ))
            }
        }
    }
    let groups: Vec<(String, Vec<usize>, Vec<usize>)> = if settings.joint {
        let all_train = (0..train.len()).collect();
        let all_test = (0..test.len()).collect();
        vec![("ALL".to_owned(), all_train, all_test)]
    } else {
        by_target
            .into_iter()
            .filter(|(_, (_, te))| !te.is_empty())
            .map(|(t, (tr, te))| (t, tr, te))
            .collect()
    };
    let text = |c: &Corpus, i: usize| -> String {
        let e = &c.examples[i];
        if settings.joint {
            joint_text(target_of(e), &e.text)
        } else {
            e.text.clone()
        }
    };
    // Targets are tuned and fitted in parallel, then gathered in order.
    progress.start("semeval targets", groups.len() as u64);
    let fitted: Vec<Result<(String, f64, Vec<Probs>)>> = groups
        .par_iter()
        .map(|(target, tr, te)| {
            let texts: Vec<String> = tr.iter().map(|&i| text(train, i)).collect();
            let labels: Vec<Stance> = tr.iter().map(|&i| gold_train[i]).collect();
            let (best, cv_f_avg) = choose(&texts, &labels, settings).map_err(|e| match e {
                Error::Fit { model, message } => {
                    Error::fit(model, format!("target {target}: {message}"))
                }
                other => other,
            })?;
            let p = Pipeline::fit(&best.featurizer, &best.model, &texts, &labels)?;
            let test_texts: Vec<String> = te.iter().map(|&i| text(test, i)).collect();
            let probs = p.predict_proba(&test_texts)?;
            progress.advance(1, target);
            Ok((best.name.clone(), cv_f_avg, probs))
        })
        .collect();
    progress.finish();
    let mut predicted: Vec<Option<Stance>> = vec![None; test.len()];
    let mut targets = Vec::new();
    for ((target, tr, te), fit) in groups.into_iter().zip(fitted) {
        let (chosen, cv_f_avg, probs) = fit?;
        let mut m = ConfusionMatrix::default();
        for (&i, pr) in te.iter().zip(&probs) {
            let s = argmax(pr);
            predicted[i] = Some(s);
            m.add(gold_test[i], s);
        }
        targets.push(TargetResult {
            target,
            n_train: tr.len(),
            n_test: te.len(),
            chosen,
            cv_f_avg,
            confusion: m,
        });
    }
    let predictions: Vec<(String, Stance)> = test
        .examples
        .iter()
        .zip(&predicted)
        .map(|(e, p)| (e.id.clone(), p.unwrap_or(Stance::None)))
        .collect();
    // Score by ID, as any external prediction file would be.
    let as_corpus = Corpus {
        path: std::path::PathBuf::from("<predictions>"),
        examples: test
            .examples
            .iter()
            .zip(&predictions)
            .map(|(e, (_, s))| crate::corpus::Example {
                stance: Some(*s),
                ..e.clone()
            })
            .collect(),
    };
    let pooled = score_by_id(test, &as_corpus)?;
    let per_target_total: u64 = targets.iter().map(|t| t.confusion.total()).sum();
    debug_assert_eq!(per_target_total, pooled.total());
    Ok(Report {
        targets,
        pooled,
        predictions,
    })
}

/// Picks the candidate with the best cross-validated F_avg on the training
/// tweets (stratified group k-fold; ties go to the earlier candidate).
/// Candidates that fail to fit are skipped; if all fail, the first error
/// is returned. Candidates with the same featurizer settings are
/// cross-validated together ([`cross_validate_path`]): one featurizing per
/// fold, and each model's strengths fitted as one regularisation path
/// (warm starts for `logreg`); the choice is the one of cross-validating
/// each candidate on its own, up to the models' convergence tolerance.
fn choose<'a>(
    texts: &[String],
    labels: &[Stance],
    s: &'a Settings,
) -> Result<(&'a Candidate, f64)> {
    if s.grid.len() == 1 {
        return Ok((&s.grid[0], f64::NAN));
    }
    let groups = split::group_duplicates(texts);
    let docs = vec![None; texts.len()];
    let folds = split::plan(CvScheme::KFold(s.folds), &docs, labels, &groups, s.seed)?;
    // Candidates with the same featurizer settings share one featurizing
    // per fold and are fitted there together (a model's strengths as one
    // warm-started path); they are then scored in candidate order.
    let mut runs: Vec<Option<Result<CvPredictions>>> = s.grid.iter().map(|_| None).collect();
    let mut done = vec![false; s.grid.len()];
    for i in 0..s.grid.len() {
        if done[i] {
            continue;
        }
        let same: Vec<usize> = (i..s.grid.len())
            .filter(|&j| !done[j] && s.grid[j].featurizer == s.grid[i].featurizer)
            .collect();
        let models: Vec<ModelParams> = same.iter().map(|&j| s.grid[j].model.clone()).collect();
        let results = cross_validate_path(texts, labels, &folds, &s.grid[i].featurizer, &models);
        for (&j, r) in same.iter().zip(results) {
            done[j] = true;
            runs[j] = Some(r);
        }
    }
    let mut best: Option<(&Candidate, f64)> = None;
    let mut first_error = None;
    for (c, run) in s.grid.iter().zip(runs) {
        // A candidate that cannot be fitted (e.g. does not converge) is skipped.
        let cv = match run.expect("every candidate is cross-validated") {
            Ok(cv) => cv,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        let f = ConfusionMatrix::new(labels, &cv.predicted).f_avg(ZeroDivision::Zero);
        if best.is_none_or(|(_, b)| f > b) {
            best = Some((c, f));
        }
    }
    match (best, first_error) {
        (Some(b), _) => Ok(b),
        (None, Some(e)) => Err(e),
        (None, None) => Err(Error::param("grid", "empty grid")),
    }
}

/// Candidates for `model`: its regularisation settings from
/// [`ModelParams::strengths`], named `model(setting)`, or the model
/// alone when it has nothing to tune.
///
/// # Errors
/// Parameter check errors (none for the built-in settings).
pub fn strength_grid(model: &ModelParams) -> Result<Vec<(String, ModelParams)>> {
    Ok(match model.strengths()? {
        Some(list) => list
            .into_iter()
            .map(|(label, m)| (format!("{}({label})", model.name()), m))
            .collect(),
        None => vec![(model.name().to_owned(), model.clone())],
    })
}

/// Pooled confusion matrix of `predicted` (a corpus whose `stance` is the
/// prediction) against `gold`, matched by ID. Errors about a prediction
/// name the predictions file and row.
///
/// # Errors
/// [`Error::Data`] when an ID repeats, is missing from the predictions, or
/// is not in the gold file.
pub fn score_by_id(gold: &Corpus, predicted: &Corpus) -> Result<ConfusionMatrix> {
    let labels = gold.labels()?;
    let pred_labels = predicted.labels()?;
    let mut gold_by_id: HashMap<&str, Stance> = HashMap::with_capacity(gold.len());
    for (e, &l) in gold.examples.iter().zip(&labels) {
        if gold_by_id.insert(e.id.as_str(), l).is_some() {
            return Err(Error::data(
                &gold.path,
                Some(e.line),
                Some("id"),
                format!("duplicate ID '{}'", e.id),
            ));
        }
    }
    let mut seen: HashMap<&str, ()> = HashMap::with_capacity(predicted.len());
    let mut m = ConfusionMatrix::default();
    for (e, p) in predicted.examples.iter().zip(pred_labels) {
        let at = |msg: String| Error::data(&predicted.path, Some(e.line), Some("id"), msg);
        let g = gold_by_id.get(e.id.as_str()).ok_or_else(|| {
            at(format!(
                "predicted ID '{}' is not in the gold file {}",
                e.id,
                gold.path.display()
            ))
        })?;
        if seen.insert(e.id.as_str(), ()).is_some() {
            return Err(at(format!("ID '{}' is predicted twice", e.id)));
        }
        m.add(*g, p);
    }
    if let Some(e) = gold
        .examples
        .iter()
        .find(|e| !seen.contains_key(e.id.as_str()))
    {
        return Err(Error::data(
            &gold.path,
            Some(e.line),
            Some("id"),
            format!("gold ID '{}' has no prediction; the IDs do not match", e.id),
        ));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Format, ReadOptions};
    use crate::features::FeaturizerParams;
    use std::path::Path;

    fn tsv(name: &str, rows: &[(&str, &str, &str, &str)]) -> Corpus {
        let mut s = String::from("ID\tTarget\tTweet\tStance\n");
        for r in rows {
            s.push_str(&format!("{}\t{}\t{}\t{}\n", r.0, r.1, r.2, r.3));
        }
        Corpus::from_bytes(
            Path::new(name),
            s.as_bytes(),
            ReadOptions {
                format: Format::Semeval,
                require_stance: true,
                lossy: false,
            },
        )
        .unwrap()
    }

    #[test]
    fn known_answer_pooled_f_avg_by_hand() {
        // Gold: 101 FAVOR, 102 AGAINST, 103 NONE, 104 AGAINST, 105 FAVOR.
        let gold = tsv(
            "gold.txt",
            &[
                ("101", "A", "x", "FAVOR"),
                ("102", "A", "x", "AGAINST"),
                ("103", "B", "x", "NONE"),
                ("104", "B", "x", "AGAINST"),
                ("105", "B", "x", "FAVOR"),
            ],
        );
        // Predictions in another order (matched by ID, not position).
        let pred = tsv(
            "pred.txt",
            &[
                ("105", "B", "x", "AGAINST"),
                ("101", "A", "x", "FAVOR"),
                ("104", "B", "x", "AGAINST"),
                ("103", "B", "x", "FAVOR"),
                ("102", "A", "x", "AGAINST"),
            ],
        );
        let m = score_by_id(&gold, &pred).unwrap();
        // FAVOR: tp 1 (101), fp 1 (103), fn 1 (105) -> F1 = 2/(2+1+1) = 0.5
        // AGAINST: tp 2 (102, 104), fp 1 (105), fn 0 -> F1 = 4/5 = 0.8
        assert!((m.f_avg(ZeroDivision::Zero) - 0.65).abs() < 1e-12);
    }

    #[test]
    fn mismatched_ids_are_refused() {
        let gold = tsv(
            "gold.txt",
            &[("1", "A", "x", "FAVOR"), ("2", "A", "y", "NONE")],
        );
        let short = tsv("short.txt", &[("1", "A", "x", "FAVOR")]);
        let e = score_by_id(&gold, &short).unwrap_err();
        assert_eq!(
            e.to_string(),
            "gold.txt row 3, column 'id': gold ID '2' has no prediction; the IDs do not match"
        );
        let extra = tsv(
            "extra.txt",
            &[("1", "A", "x", "FAVOR"), ("3", "A", "y", "NONE")],
        );
        let e = score_by_id(&gold, &extra).unwrap_err();
        assert_eq!(
            e.to_string(),
            "extra.txt row 3, column 'id': predicted ID '3' is not in the gold file gold.txt"
        );
        let mut twice = tsv(
            "twice.txt",
            &[("1", "A", "x", "FAVOR"), ("2", "A", "y", "NONE")],
        );
        twice.examples[1].id = "1".into();
        let e = score_by_id(&gold, &twice).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("twice.txt row 3, column 'id': ID '1' is predicted twice"),
            "{e}"
        );
    }

    fn fixture(n: usize, target: &str, offset: usize) -> Vec<(String, String, String, String)> {
        (0..n)
            .map(|i| {
                let (text, label) = match i % 3 {
                    0 => (format!("love {target} w{i} v{}", i + offset), "FAVOR"),
                    1 => (format!("oppose {target} w{i} v{}", i + offset), "AGAINST"),
                    _ => (format!("weather today w{i} v{}", i + offset), "NONE"),
                };
                (
                    format!("{}{}", target.len(), i + offset),
                    target.to_owned(),
                    text,
                    label.to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn per_target_loop_tunes_on_train_and_scores_test() {
        let mut tr = fixture(30, "Atheism", 0);
        tr.extend(fixture(30, "Climate", 1000));
        let mut te = fixture(9, "Atheism", 500);
        te.extend(fixture(9, "Climate", 1500));
        let as_refs =
            |v: &Vec<(String, String, String, String)>| -> Vec<(String, String, String, String)> {
                v.clone()
            };
        let rows_tr: Vec<(&str, &str, &str, &str)> = tr
            .iter()
            .map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str(), r.3.as_str()))
            .collect();
        let te2 = as_refs(&te);
        let rows_te: Vec<(&str, &str, &str, &str)> = te2
            .iter()
            .map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str(), r.3.as_str()))
            .collect();
        let (train, test) = (tsv("train.txt", &rows_tr), tsv("test.txt", &rows_te));
        let fp = FeaturizerParams::default().check().unwrap();
        let grid = ["majority", "logreg"]
            .iter()
            .map(|m| Candidate {
                name: m.to_string(),
                featurizer: fp.clone(),
                model: ModelParams::from_name(m).unwrap(),
            })
            .collect();
        let s = Settings {
            grid,
            folds: 3,
            seed: 1,
            joint: false,
        };
        let r = run(&train, &test, &s).unwrap();
        assert_eq!(r.targets.len(), 2);
        assert!(
            r.targets.iter().all(|t| t.chosen == "logreg"),
            "{:?}",
            r.targets
        );
        assert_eq!(r.f_avg(), 1.0);
        assert_eq!(r.predictions.len(), 18);
        let csv = r.to_csv().unwrap();
        assert!(
            csv.lines().last().unwrap().starts_with("POOLED,60,18,"),
            "{csv}"
        );
        let joint = run(&train, &test, &Settings { joint: true, ..s }).unwrap();
        assert_eq!(joint.targets[0].target, "ALL");
        // A test target without training tweets is refused.
        let other = tsv("t2.txt", &[("9", "Feminism", "x", "NONE")]);
        let e = run(
            &train,
            &other,
            &Settings {
                grid: vec![],
                folds: 3,
                seed: 1,
                joint: false,
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("expected at least one model"), "{e}");
        let s1 = Settings {
            grid: vec![Candidate {
                name: "m".into(),
                featurizer: fp,
                model: ModelParams::from_name("majority").unwrap(),
            }],
            folds: 3,
            seed: 1,
            joint: false,
        };
        let e = run(&train, &other, &s1).unwrap_err();
        assert!(
            e.to_string()
                .contains("target 'Feminism' has no training tweets"),
            "{e}"
        );
    }
}
