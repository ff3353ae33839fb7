//! The `stance compare` protocol: every model cross-validated on the same
//! folds (or nested-cross-validated with a grid, [`super::grid`]), scored
//! with bootstrap intervals and paired tests ([`super::summarize`]), and
//! the report files of the comparison ([`ReportSet`]).
//!
//! [`ComparePlan::new`] plans the folds (leave one document out when every
//! quote has a document, else a seeded stratified 5-fold split, unless
//! the settings name a scheme; quotes of the same text stay together);
//! [`ComparePlan::run`] fits and scores the models.

use crate::corpus::Corpus;
use crate::error::Result;
use crate::eval::bootstrap::DEFAULT_LEVEL;
use crate::eval::calibrate::{self as cal, Method};
use crate::eval::calibrated;
use crate::eval::grid::{self, GridChoice};
use crate::eval::html;
use crate::eval::metrics::ZeroDivision;
use crate::eval::report::{self, ReportFile, ReportSet};
use crate::eval::split::{self, CvScheme, Fold};
use crate::eval::{self as ev, svg, BootstrapSettings, CvPredictions, Summary};
use crate::features::ValidFeaturizerParams;
use crate::label::Stance;
use crate::models::{Dataset, FittedModel, ModelParams};
use crate::progress::{Progress, Silent};
use rayon::prelude::*;

/// Zero divisions in precision, recall and F1 count as 0 in every
/// comparison.
pub const ZERO_DIVISION: ZeroDivision = ZeroDivision::Zero;

/// Folds of the default k-fold scheme (when some quote has no document).
pub const DEFAULT_FOLDS: usize = 5;

/// How to compare.
#[derive(Debug, Clone)]
pub struct CompareSettings {
    /// Featurizer settings (the base of the grid with `grid`).
    pub featurizer: ValidFeaturizerParams,
    /// The models, in report order.
    pub models: Vec<ModelParams>,
    /// The cross-validation scheme; `None` leaves one document out when
    /// every quote has a document, else [`DEFAULT_FOLDS`]-fold.
    pub cv: Option<CvScheme>,
    /// Seed of the fold shuffles, the inner folds and the bootstrap.
    pub seed: u64,
    /// Bootstrap resamples (and shuffles of the paired tests); at least 1.
    pub resamples: usize,
    /// Nested cross-validation over each model's grid.
    pub grid: bool,
    /// Calibration method fitted inside every outer training part
    /// ([`crate::eval::calibrated::calibrate_cv`]); `None`: none.
    pub calibration: Option<Method>,
    /// Explain each out-of-fold prediction of a linear model with its
    /// `explain` top n-grams ([`ev::cross_validate_models_explained`]);
    /// 0: no explanations. Not with `grid`.
    pub explain: usize,
}

/// The folds of a comparison, planned before any model runs.
#[derive(Debug)]
pub struct ComparePlan<'a> {
    corpus: &'a Corpus,
    settings: &'a CompareSettings,
    gold: Vec<Stance>,
    /// The scheme used.
    pub scheme: CvScheme,
    /// The outer folds.
    pub folds: Vec<Fold>,
    /// Groups of quotes with the same text (kept in one fold).
    pub n_groups: usize,
}

impl<'a> ComparePlan<'a> {
    /// Plans the folds of `corpus`.
    ///
    /// # Errors
    /// [`crate::Error::Data`] for a quote without a stance;
    /// [`crate::Error::Split`] when the data cannot be split by the scheme.
    pub fn new(corpus: &'a Corpus, settings: &'a CompareSettings) -> Result<ComparePlan<'a>> {
        let gold = corpus.labels()?;
        let texts = corpus.texts();
        let docs = docs(corpus);
        let scheme = settings.cv.unwrap_or(if docs.iter().all(Option::is_some) {
            CvScheme::Doc
        } else {
            CvScheme::KFold(DEFAULT_FOLDS)
        });
        let groups = split::group_duplicates(&texts);
        let folds = split::plan(scheme, &docs, &gold, &groups, settings.seed)?;
        let n_groups = {
            let mut g = groups;
            g.sort_unstable();
            g.dedup();
            g.len()
        };
        Ok(ComparePlan {
            corpus,
            settings,
            gold,
            scheme,
            folds,
            n_groups,
        })
    }

    /// The classes with fewer examples than folds (so that some test folds
    /// have none of them), with their counts, in [`Stance::ALL`] order.
    pub fn sparse_classes(&self) -> Vec<(Stance, usize)> {
        Stance::ALL
            .into_iter()
            .map(|s| (s, self.gold.iter().filter(|&&g| g == s).count()))
            .filter(|&(_, n)| n < self.folds.len())
            .collect()
    }

    /// Cross-validates every model on the folds (nested with `grid`) and
    /// scores them.
    ///
    /// # Errors
    /// The first model's featurizer, fit or split error;
    /// [`crate::Error::InvalidParam`] for bad bootstrap settings.
    pub fn run(self) -> Result<Comparison<'a>> {
        self.run_with(&Silent)
    }

    /// [`ComparePlan::run`], telling `progress` of every (model, fold) fit
    /// (every (model, outer fold) grid search with `grid`). Models and folds
    /// run in parallel; the outcome does not depend on the thread count.
    ///
    /// # Errors
    /// As [`ComparePlan::run`].
    pub fn run_with(self, progress: &dyn Progress) -> Result<Comparison<'a>> {
        let s = self.settings;
        let texts = self.corpus.texts();
        let docs = docs(self.corpus);
        let mut choices = Vec::new();
        let mut runs = Vec::with_capacity(s.models.len());
        if s.grid {
            progress.start("grid search", (s.models.len() * self.folds.len()) as u64);
            let tuned: Vec<Result<_>> = s
                .models
                .par_iter()
                .map(|m| {
                    grid::nested_cross_validate(
                        &texts,
                        &self.gold,
                        &docs,
                        &self.folds,
                        s.featurizer.params(),
                        m,
                        s.seed,
                        progress,
                    )
                })
                .collect();
            progress.finish();
            for t in tuned {
                let (run, c) = t?;
                runs.push(run);
                choices.extend(c);
            }
        } else {
            for run in ev::cross_validate_models_explained(
                &texts,
                &self.gold,
                &self.folds,
                &s.featurizer,
                &s.models,
                s.explain,
                progress,
            ) {
                runs.push(run?);
            }
        }
        let bootstrap = BootstrapSettings {
            resamples: s.resamples,
            level: DEFAULT_LEVEL,
            seed: s.seed,
        };
        let mut summaries = ev::summarize(&self.gold, &runs, ZERO_DIVISION, bootstrap)?;
        // Calibration inside each outer training part; with a grid the
        // model differs between folds, so only the raw scores are given.
        let method = s.calibration.filter(|_| !s.grid);
        // Models are calibrated and scored in parallel; each result depends
        // only on its model's predictions and the seed.
        let scored: Vec<Result<(calibrated::CalibrationScores, CvPredictions)>> = s
            .models
            .par_iter()
            .zip(runs.par_iter())
            .map(|(m, run)| {
                let cal = match method {
                    Some(method) => Some(calibrated::calibrate_cv(
                        run,
                        &texts,
                        &self.gold,
                        &docs,
                        &self.folds,
                        &s.featurizer,
                        m,
                        method,
                        s.seed,
                    )?),
                    None => None,
                };
                let scores = calibrated::CalibrationScores::new(
                    &self.gold,
                    &run.probs,
                    method.zip(cal.as_ref().map(|c| c.probs.as_slice())),
                    bootstrap,
                )?;
                Ok((scores, cal.unwrap_or_else(|| run.clone())))
            })
            .collect();
        let mut calibrated = Vec::with_capacity(runs.len());
        for (summary, r) in summaries.iter_mut().zip(scored) {
            let (scores, cal) = r?;
            summary.calibration = Some(scores);
            calibrated.push(cal);
        }
        Ok(Comparison {
            plan: self,
            runs,
            calibrated,
            choices,
            summaries,
            bootstrap,
        })
    }
}

fn docs(corpus: &Corpus) -> Vec<Option<&str>> {
    corpus.examples.iter().map(|e| e.doc.as_deref()).collect()
}

/// The outcome of a comparison.
#[derive(Debug)]
pub struct Comparison<'a> {
    plan: ComparePlan<'a>,
    /// Every model's out-of-fold predictions, in model order.
    pub runs: Vec<CvPredictions>,
    /// The same calibrated inside each outer training part (equal to
    /// `runs` without calibration).
    pub calibrated: Vec<CvPredictions>,
    /// The grid choices per model and outer fold (with `grid`).
    pub choices: Vec<GridChoice>,
    /// Every model's scores, in model order.
    pub summaries: Vec<Summary>,
    /// The bootstrap settings used.
    pub bootstrap: BootstrapSettings,
}

impl Comparison<'_> {
    /// The plan the comparison ran.
    pub fn plan(&self) -> &ComparePlan<'_> {
        &self.plan
    }

    /// The index of the best model by macro-F1 (ties go to the earlier
    /// model, as in [`super::summarize`]).
    pub fn best(&self) -> Option<usize> {
        let s = &self.summaries;
        (0..s.len()).reduce(|b, i| if s[i].point[1] > s[b].point[1] { i } else { b })
    }

    /// `compare.csv` (see [`super::compare_csv`]).
    ///
    /// # Errors
    /// [`crate::Error::Report`] if a row cannot be written (a bug).
    pub fn compare_csv(&self) -> Result<String> {
        ev::compare_csv(&self.summaries)
    }

    /// Every report file (see [`ReportSet`]). The models with per-class
    /// feature weights are refitted on all the data for `features.csv`.
    ///
    /// # Errors
    /// Featurizer or fit errors of the refits; [`crate::Error::Report`]
    /// if a report cannot be built.
    pub fn report_set(&self) -> Result<ReportSet> {
        let s = self.plan.settings;
        let corpus = self.plan.corpus;
        let texts = corpus.texts();
        // One featurizer for every refit, as in each fold.
        let featurizer = s.featurizer.fit(&texts)?;
        let data = Dataset::new(featurizer.transform(&texts), self.plan.gold.clone());
        let refits: Vec<Result<Option<FittedModel>>> = s
            .models
            .par_iter()
            .map(|m| {
                let fitted = m.fit(&data)?;
                Ok(fitted.class_weights().is_some().then_some(fitted))
            })
            .collect();
        let mut fitted = Vec::new();
        for (m, r) in s.models.iter().zip(refits) {
            if let Some(f) = r? {
                fitted.push((m.name(), f));
            }
        }
        let feats: Vec<(&str, &FittedModel, &[String])> = fitted
            .iter()
            .map(|(name, f)| (*name, f, featurizer.names()))
            .collect();
        let mut files = vec![
            ReportFile::new("compare.csv", self.compare_csv()?),
            ReportFile::new(
                "per_class.csv",
                report::per_class_csv(&self.summaries, ZERO_DIVISION)?,
            ),
            ReportFile::new("confusion.csv", report::confusion_csv(&self.summaries)?),
            ReportFile::new(
                "predictions.csv",
                report::predictions_csv(&corpus.examples, &self.plan.gold, &self.runs)?,
            ),
            ReportFile::new("features.csv", report::features_csv(&feats)?),
            ReportFile::new(
                "macro_f1.svg",
                svg::macro_f1_chart(&self.summaries, self.bootstrap.level),
            ),
        ];
        if let Some(b) = self.best() {
            files.push(ReportFile::new(
                "confusion.svg",
                svg::confusion_heatmap(&self.summaries[b]),
            ));
            files.push(ReportFile::new("reliability.svg", self.reliability_svg(b)?));
        }
        files.push(ReportFile::new("index.html", self.index_html(&files)?));
        if s.grid {
            files.push(ReportFile::new("grid.csv", grid::grid_csv(&self.choices)?));
        }
        Ok(ReportSet::new(files))
    }

    /// `index.html` ([`html::compare_page`]) with the charts among `files`.
    ///
    /// # Errors
    /// [`crate::Error::Report`] if the page cannot be rendered (a bug).
    fn index_html(&self, files: &[ReportFile]) -> Result<String> {
        let s = self.plan.settings;
        let charts = ["macro_f1.svg", "confusion.svg", "reliability.svg"]
            .iter()
            .filter_map(|name| files.iter().find(|f| f.name == *name))
            .map(|f| html::Chart {
                svg: f.body.clone(),
            })
            .collect();
        html::compare_page(&html::ComparePage {
            meta: vec![
                format!(
                    "{} quotes; cv {} ({} folds); seed {}; {} bootstrap resamples",
                    self.plan.corpus.len(),
                    self.plan.scheme,
                    self.plan.folds.len(),
                    s.seed,
                    s.resamples
                ),
                format!("features: {}", s.featurizer),
            ],
            summaries: &self.summaries,
            runs: &self.runs,
            best: self.best(),
            examples: &self.plan.corpus.examples,
            gold: &self.plan.gold,
            charts,
            level: self.bootstrap.level,
            calibration: match s.calibration.filter(|_| !s.grid) {
                Some(m) => format!("{m}, fitted inside each outer training part"),
                None => "none".into(),
            },
        })
    }

    /// `reliability.svg` of model `k`: its out-of-fold reliability
    /// diagram before and, when calibrated, after calibration.
    ///
    /// # Errors
    /// [`crate::Error::Calibrate`] for malformed probabilities (a bug).
    pub fn reliability_svg(&self, k: usize) -> Result<String> {
        let gold = &self.plan.gold;
        let raw = cal::reliability_diagram(&self.runs[k].probs, gold, cal::ECE_BINS)?;
        let method = self.summaries[k]
            .calibration
            .as_ref()
            .and_then(|c| c.method);
        let after = match method {
            Some(m) => Some((
                m,
                cal::reliability_diagram(&self.calibrated[k].probs, gold, cal::ECE_BINS)?,
            )),
            None => None,
        };
        Ok(svg::reliability_chart(
            &self.runs[k].model,
            &raw,
            after.as_ref().map(|(m, d)| (*m, d)),
        ))
    }

    /// What `stance compare` prints: the data, folds and settings, the
    /// table of scores, the grid choices (with `grid`) and a note on the
    /// p-values. `data` names the labelled data.
    pub fn summary(&self, data: &str) -> String {
        let s = self.plan.settings;
        let features = if s.grid {
            format!(
                "grid over 1..1/1..2-grams and min_df 1/2 (models without a grid: {})",
                s.featurizer
            )
        } else {
            s.featurizer.to_string()
        };
        let mut out = format!(
            "data: {data} ({} quotes, {} distinct-quote groups)\ncv: {} ({} folds), seed {}, {} bootstrap resamples{}\n\
             features: {features}\n\n",
            self.plan.corpus.len(),
            self.plan.n_groups,
            self.plan.scheme,
            self.plan.folds.len(),
            s.seed,
            s.resamples,
            if s.grid {
                ", nested grid search (inner: leave one document out, else kfold:3)"
            } else {
                ""
            },
        );
        out.push_str(&ev::compare_table(&self.summaries, self.bootstrap.level));
        if let Some(t) = calibrated::calibration_table(&self.summaries, self.bootstrap.level) {
            out.push('\n');
            out.push_str(&t);
        }
        if s.grid {
            out.push_str("\ngrid choices (model, outer fold: settings, inner macro-F1):\n");
            for c in &self.choices {
                out.push_str(&format!(
                    "  {:<7} {:<28} {:<34} {:.4}\n",
                    c.model, c.fold, c.settings, c.inner_macro_f1
                ));
            }
        }
        out.push_str("\np-values: approximate randomisation test of macro-F1 differences\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::ReadOptions;
    use crate::features::FeaturizerParams;

    #[test]
    fn plans_runs_and_reports_in_writing_order() {
        let mut csv = String::from("id,doc,text,stance\n");
        let said = [
            ("favor", "we will strike the cartels"),
            ("against", "there will be no invasion"),
            ("none", "talks on tariffs went on"),
        ];
        for i in 0..12 {
            let (stance, text) = said[i % 3];
            csv.push_str(&format!("q{i},d{},{text} w{i},{stance}\n", i % 4));
        }
        let corpus = Corpus::from_bytes(
            std::path::Path::new("q.csv"),
            csv.as_bytes(),
            ReadOptions {
                require_stance: true,
                ..Default::default()
            },
        )
        .unwrap();
        let settings = CompareSettings {
            featurizer: FeaturizerParams::default().check().unwrap(),
            models: ["majority", "nb"]
                .map(|m| ModelParams::from_name(m).unwrap())
                .to_vec(),
            cv: None,
            seed: 1,
            resamples: 50,
            grid: false,
            calibration: Some(Method::Temperature),
            explain: 0,
        };
        let plan = ComparePlan::new(&corpus, &settings).unwrap();
        assert_eq!(plan.scheme, CvScheme::Doc, "every quote has a document");
        assert_eq!(plan.folds.len(), 4);
        assert!(plan.sparse_classes().is_empty());
        let c = plan.run().unwrap();
        assert_eq!(c.summaries.len(), 2);
        let set = c.report_set().unwrap();
        let names: Vec<&str> = set.files().iter().map(|f| f.name).collect();
        assert_eq!(names, ReportSet::NAMES[..9]);
        let cal = c.summaries[1].calibration.as_ref().unwrap();
        assert_eq!(cal.method, Some(Method::Temperature));
        assert!(set.get("reliability.svg").unwrap().contains("temperature"));
        assert_eq!(
            set.get("compare.csv"),
            Some(c.compare_csv().unwrap().as_str())
        );
        // Progress: one unit per (model, fold).
        let rec = crate::progress::testing::Recorder::default();
        let again = ComparePlan::new(&corpus, &settings)
            .unwrap()
            .run_with(&rec)
            .unwrap();
        assert_eq!(
            *rec.stages.lock().unwrap(),
            vec![("cross-validation".to_owned(), 8)]
        );
        assert_eq!(
            (*rec.done.lock().unwrap(), *rec.finished.lock().unwrap()),
            (8, 1)
        );
        assert_eq!(again.compare_csv().unwrap(), c.compare_csv().unwrap());
        let text = c.summary("q.csv");
        assert!(
            text.starts_with("data: q.csv (12 quotes, 6 distinct-quote groups)\ncv: doc (4 folds), seed 1, 50 bootstrap resamples\nfeatures: word 1..1, tfidf, stemmed, word tokenizer\n\n"),
            "{text}"
        );
    }

    /// Every report is the same bytes on 1, 2 and 3 threads, with and
    /// without a grid.
    #[test]
    fn reports_do_not_depend_on_the_thread_count() {
        let (texts, labels) = crate::synth::corpus(&crate::synth::SynthSettings {
            n_docs: 90,
            vocabulary: 400,
            ..Default::default()
        });
        let mut csv = String::from("id,text,stance\n");
        for (i, (t, l)) in texts.iter().zip(&labels).enumerate() {
            csv.push_str(&format!("q{i},\"{}\",{l}\n", t.replace('"', "\"\"")));
        }
        let corpus = Corpus::from_bytes(
            std::path::Path::new("s.csv"),
            csv.as_bytes(),
            ReadOptions {
                require_stance: true,
                ..Default::default()
            },
        )
        .unwrap();
        let every: &[&str] = &["majority", "nb", "logreg", "svm", "nbsvm", "tree"];
        for (grid, models) in [(false, every), (true, &["nb", "svm"][..])] {
            let settings = CompareSettings {
                featurizer: FeaturizerParams::default().check().unwrap(),
                models: models
                    .iter()
                    .map(|m| ModelParams::from_name(m).unwrap())
                    .collect(),
                cv: Some(CvScheme::KFold(3)),
                seed: 5,
                resamples: 200,
                grid,
                calibration: Some(Method::Temperature),
                explain: 3,
            };
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| {
                    let c = ComparePlan::new(&corpus, &settings).unwrap().run().unwrap();
                    let set = c.report_set().unwrap();
                    set.files()
                        .iter()
                        .map(|f| (f.name, f.body.clone()))
                        .collect::<Vec<_>>()
                })
            };
            let one = run(1);
            assert!(one.len() >= 7, "grid {grid}");
            // Without a grid the linear models' predictions are explained.
            let preds = &one.iter().find(|f| f.0 == "predictions.csv").unwrap().1;
            let header = preds.lines().next().unwrap();
            assert_eq!(
                header.contains("svm_explanation") && preds.contains(" ("),
                !grid,
                "{header}"
            );
            assert_eq!(one, run(2), "grid {grid}");
            assert_eq!(one, run(3), "grid {grid}");
        }
    }
}
