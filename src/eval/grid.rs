//! Model selection by nested cross-validation (`stance compare --grid`).
//!
//! For every outer fold, an inner cross-validation on the outer training
//! part scores each point of a small grid; the point with the best pooled
//! inner out-of-fold macro-F1 (ties: the first in grid order) is refitted
//! on the whole outer training part and predicts the outer test fold. The
//! outer test fold is never seen by the selection, so the outer scores
//! are an honest estimate of "tune, then train" on this data.
//!
//! Inner folds: leave one document out over the outer training part when
//! its examples all have documents (at least [`INNER_FOLDS`] of them), so
//! that selection rewards what generalises to unseen articles; otherwise
//! a seeded stratified group k-fold with [`INNER_FOLDS`] folds. Either way
//! the duplicate-quote groups of [`crate::eval::split::group_duplicates`], recomputed on
//! the outer training part alone, stay whole.
//!
//! The grid, in order (n-gram range slowest, then `min_df`, then the
//! model's strength, smallest first; each model states its strengths in
//! [`crate::models::Learner::strengths`]):
//!
//! | model | strength | values |
//! |---|---|---|
//! | `nb`, `cnb` | `alpha` (smoothing) | 0.01, 0.1, 0.5, 1 |
//! | `logreg`, `logreg-dense` | `alpha` (L2 penalty) | 0.01, 0.1, 1, 10 |
//! | `svm`, `nbsvm` | `c` (margin penalty) | 0.01, 0.1, 1, 10 |
//! | `svm-smo` | `c` (margin penalty) | 0.1, 1, 10 |
//! | `tree`, `tree-dense` | `max_depth` | 3, 10, 30 |
//!
//! × `ngrams` 1..1, 1..2 × `min_df` 1, 2 (other featurizer settings come
//! from the command line): 12 or 16 points per model. Models without
//! hyper-parameters (`majority`, `random`, `lexicon`) are cross-validated
//! as usual. A grid point whose inner fit fails (e.g. logreg does not
//! converge, or `min_df` leaves no feature) is skipped; if every point
//! fails, the first error is returned.
//!
//! Cost: each (featurizer setting, inner fold) is featurized once, and all
//! the model's strengths are fitted on it as one regularisation path
//! ([`crate::models::Learner::fit_path`]: `logreg` warm-starts each
//! strength from the previous solution, strongest first). The choices and
//! scores are those of fitting every grid point on its own, up to the
//! models' convergence tolerance.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::eval::metrics::{ConfusionMatrix, ZeroDivision};
use crate::eval::split::Fold;
use crate::eval::{cross_validate, cross_validate_path, CvPredictions};
use crate::features::{FeaturizerParams, ValidFeaturizerParams};
use crate::io::table::{Fixed, Table};
use crate::label::Stance;
use crate::models::{argmax, ModelParams, Probs};
use crate::pipeline::Pipeline;
use crate::progress::Progress;

/// Number of inner folds (the inner split is
/// [`crate::eval::calibrated::inner_folds`]).
pub const INNER_FOLDS: usize = crate::eval::calibrated::INNER_FOLDS;

/// One point of a grid.
#[derive(Debug, Clone)]
pub struct GridPoint {
    /// The settings as written in `grid.csv`, e.g. `c=1;ngrams=1..2;min_df=1`.
    pub label: String,
    /// Featurizer settings.
    pub featurizer: ValidFeaturizerParams,
    /// Model settings.
    pub model: ModelParams,
}

/// The setting chosen for one outer fold.
#[derive(Debug, Clone, PartialEq)]
pub struct GridChoice {
    /// Model name.
    pub model: String,
    /// Outer fold name.
    pub fold: String,
    /// The chosen grid point's label.
    pub settings: String,
    /// Its pooled inner out-of-fold macro-F1.
    pub inner_macro_f1: f64,
}

/// The grid of `model` around the featurizer settings `base`, or `None`
/// for models without hyper-parameters.
///
/// # Errors
/// [`Error::InvalidParam`] if a grid point fails its check (a bug).
pub fn model_grid(base: &FeaturizerParams, model: &ModelParams) -> Result<Option<Vec<GridPoint>>> {
    let Some(strengths) = model.strengths()? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (lo, hi) in [(1, 1), (1, 2)] {
        for min_df in [1, 2] {
            let featurizer = base.clone().ngram_range(lo, hi).min_df(min_df).check()?;
            for (label, model) in &strengths {
                out.push(GridPoint {
                    label: format!("{label};ngrams={lo}..{hi};min_df={min_df}"),
                    featurizer: featurizer.clone(),
                    model: model.clone(),
                });
            }
        }
    }
    Ok(Some(out))
}

/// Nested cross-validation of `model` over the outer `folds` (see the
/// module doc). `docs` are the examples' documents: when every training
/// example of an outer fold has one and there are at least
/// [`INNER_FOLDS`] documents, the inner split leaves one document out (as
/// the outer one does under `--cv doc`); otherwise it is a seeded
/// stratified group k-fold. Duplicate groups are recomputed inside each
/// outer training part, so the outer test texts cannot shape the inner
/// split. `base` holds the featurizer settings the grid varies; `seed`
/// seeds the inner folds.
/// Returns the out-of-fold predictions and, for models with a grid, the
/// choice made in every outer fold (in fold order).
///
/// # Errors
/// Split errors (an outer training part with fewer than
/// [`INNER_FOLDS`] groups), and fit errors when every grid point fails.
// The three data slices, the folds, the grid base and model, the seed and
// the progress hook are all independent inputs.
#[allow(clippy::too_many_arguments)]
pub fn nested_cross_validate<S: AsRef<str> + Sync>(
    texts: &[S],
    labels: &[Stance],
    docs: &[Option<&str>],
    folds: &[Fold],
    base: &FeaturizerParams,
    model: &ModelParams,
    seed: u64,
    progress: &dyn Progress,
) -> Result<(CvPredictions, Vec<GridChoice>)> {
    let Some(grid) = model_grid(base, model)? else {
        let fp = base.clone().check()?;
        let run = cross_validate(texts, labels, folds, &fp, model)?;
        progress.advance(folds.len() as u64, model.name());
        return Ok((run, Vec::new()));
    };
    let per_fold: Vec<Result<(Vec<Probs>, GridChoice)>> = folds
        .par_iter()
        .map(|f| {
            let wrap = |e: Error| e.within(&format!("fold {}", f.name));
            let tr_texts: Vec<&str> = f.train.iter().map(|&i| texts[i].as_ref()).collect();
            let tr_labels: Vec<Stance> = f.train.iter().map(|&i| labels[i]).collect();
            let tr_docs: Vec<Option<&str>> = f.train.iter().map(|&i| docs[i]).collect();
            let inner = crate::eval::calibrated::inner_folds(&tr_texts, &tr_docs, &tr_labels, seed)
                .map_err(wrap)?;
            // Each featurizer setting is featurized once per inner fold and
            // its strengths fitted there as one (warm-started) path; the
            // scores are then read in grid order, as if every point had
            // been cross-validated on its own.
            let mut runs: Vec<Result<CvPredictions>> = Vec::with_capacity(grid.len());
            for points in grid.chunk_by(|a, b| a.featurizer == b.featurizer) {
                let models: Vec<ModelParams> = points.iter().map(|g| g.model.clone()).collect();
                runs.extend(cross_validate_path(
                    &tr_texts,
                    &tr_labels,
                    &inner,
                    &points[0].featurizer,
                    &models,
                ));
            }
            let mut best: Option<(usize, f64)> = None;
            let mut first_err = None;
            for (k, run) in runs.into_iter().enumerate() {
                match run {
                    Ok(run) => {
                        let f1 = ConfusionMatrix::new(&tr_labels, &run.predicted)
                            .macro_f1(ZeroDivision::Zero);
                        if best.is_none_or(|(_, b)| f1 > b) {
                            best = Some((k, f1));
                        }
                    }
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
            let Some((k, f1)) = best else {
                return Err(wrap(
                    first_err.unwrap_or_else(|| Error::fit(model.name(), "empty grid")),
                ));
            };
            let g = &grid[k];
            let test: Vec<&str> = f.test.iter().map(|&i| texts[i].as_ref()).collect();
            let p = Pipeline::fit(&g.featurizer, &g.model, &tr_texts, &tr_labels)
                .and_then(|p| p.predict_proba(&test))
                .map_err(wrap)?;
            progress.advance(1, &format!("{}, fold {}", model.name(), f.name));
            Ok((
                p,
                GridChoice {
                    model: model.name().to_owned(),
                    fold: f.name.clone(),
                    settings: g.label.clone(),
                    inner_macro_f1: f1,
                },
            ))
        })
        .collect();
    let mut probs = vec![[0.0; 3]; labels.len()];
    let mut tested = vec![false; labels.len()];
    let mut choices = Vec::new();
    for (f, res) in folds.iter().zip(per_fold) {
        let (p, choice) = res?;
        for (&i, p) in f.test.iter().zip(p) {
            probs[i] = p;
            tested[i] = true;
        }
        choices.push(choice);
    }
    if let Some(i) = tested.iter().position(|t| !t) {
        return Err(Error::Split(format!(
            "example {} is in no test fold",
            i + 1
        )));
    }
    Ok((
        CvPredictions {
            model: model.name().to_owned(),
            predicted: probs.iter().map(argmax).collect(),
            probs,
            // The model differs between the outer folds.
            explanations: None,
        },
        choices,
    ))
}

/// `grid.csv`: `model,fold,settings,inner_macro_f1`, one row per tuned
/// model and outer fold.
///
/// # Errors
/// [`Error::Report`] if a row cannot be written (a bug).
pub fn grid_csv(choices: &[GridChoice]) -> Result<String> {
    let mut t = Table::new("grid.csv", ["model", "fold", "settings", "inner_macro_f1"])?;
    for c in choices {
        t.row(&(&c.model, &c.fold, &c.settings, Fixed::<4>(c.inner_macro_f1)))?;
    }
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::split::{self, CvScheme};

    #[test]
    fn grids_have_four_n_gram_points_per_strength_and_nested_cv_tests_everything() {
        let base = FeaturizerParams::default();
        for (name, n) in [
            ("nb", 16),
            ("cnb", 16),
            ("logreg", 16),
            ("logreg-dense", 16),
            ("svm", 16),
            ("svm-smo", 12),
            ("nbsvm", 16),
            ("tree", 12),
            ("tree-dense", 12),
        ] {
            let g = model_grid(&base, &ModelParams::from_name(name).unwrap())
                .unwrap()
                .unwrap();
            assert_eq!(g.len(), n, "{name}");
        }
        assert!(
            model_grid(&base, &ModelParams::from_name("lexicon").unwrap())
                .unwrap()
                .is_none()
        );
        // Distinct enough (several words of their own) not to be grouped as
        // near-duplicates of each other.
        let texts: Vec<String> = (0..36)
            .map(|i| match i % 3 {
                0 => format!("we will strike the cartels w{i} x{i} y{i}"),
                1 => format!("there will be no invasion w{i} x{i} y{i}"),
                _ => format!("talks on tariffs continue w{i} x{i} y{i}"),
            })
            .collect();
        let gold: Vec<Stance> = (0..36).map(|i| Stance::ALL[i % 3]).collect();
        let groups: Vec<usize> = (0..36).collect();
        let docs = vec![None; 36];
        let folds = split::plan(CvScheme::KFold(3), &docs, &gold, &groups, 1).unwrap();
        let m = ModelParams::from_name("svm").unwrap();
        let (run, choices) = nested_cross_validate(
            &texts,
            &gold,
            &docs,
            &folds,
            &base,
            &m,
            7,
            &crate::progress::Silent,
        )
        .unwrap();
        assert_eq!(run.predicted, gold);
        assert_eq!(choices.len(), 3);
        assert!(choices.iter().all(|c| c.inner_macro_f1 == 1.0));
        // Ties go to the first grid point.
        assert_eq!(choices[0].settings, "c=0.01;ngrams=1..1;min_df=1");
        let again = nested_cross_validate(
            &texts,
            &gold,
            &docs,
            &folds,
            &base,
            &m,
            7,
            &crate::progress::Silent,
        )
        .unwrap();
        assert_eq!(again.1, choices);
        let csv = grid_csv(&choices).unwrap();
        assert!(csv.starts_with("model,fold,settings,inner_macro_f1\nsvm,fold"));
    }
}
