//! The model table: every model the CLI, the reports and the model file
//! know, behind one small pair of traits in linfa's style.
//!
//! - Settings implement [`Learner`]: linfa's [`Fit`] on a [`Dataset`]
//!   (the featurizer's sparse rows and their classes) returns a separate
//!   fitted type, plus the model's default settings, its regularisation
//!   grid, and how it fits a regularisation path on one data set
//!   ([`Learner::fit_path`]: warm starts where the model has them).
//! - Fitted models implement [`Classifier`]: class probabilities in
//!   [`Stance::ALL`] order, per-class feature weights (linear models),
//!   and a sense check for model files.
//!
//! `model_table!` below is the only place a model is named: it generates
//! [`ModelParams`] and [`FittedModel`] (the closed sets the CLI, the
//! evaluator and the model file use), [`MODELS`] (names, one-line
//! summaries, default list) and every dispatch. Adding a model takes one
//! file implementing the two traits and one line in the table.

pub mod baseline;
pub mod bayes;
pub mod chi2;
pub mod lexicon;
pub mod linear;
pub mod linear_svm;
pub mod logreg;
pub mod logreg_dense;
pub mod nbsvm;
pub mod random;
pub mod sparse_tree;
pub mod svm;
pub mod tree;

use linfa::traits::Fit;
use linfa::DatasetBase;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

pub use linear::{LinearModel, Scoring};

/// Class probabilities in [`Stance::ALL`] order.
pub type Probs = [f64; N_CLASSES];

/// A training set in linfa's form: the featurizer's sparse rows and one
/// class per row.
pub type Dataset = DatasetBase<CsrMatrix, Vec<Stance>>;

/// Per-class feature weights of a linear model, `None` for a class absent
/// from training.
pub type ClassWeights = [Option<Vec<f64>>; N_CLASSES];

/// The fitted type of the settings `P`.
pub type FittedOf<P> = <P as Fit<CsrMatrix, Vec<Stance>, Error>>::Object;

/// Checked model settings: linfa's [`Fit`] on a [`Dataset`], plus what the
/// evaluator needs to know about the model. Every method is required (no
/// silent default), so a new model states its grid explicitly.
pub trait Learner:
    Fit<
        CsrMatrix,
        Vec<Stance>,
        Error,
        Object: Classifier
                    + Clone
                    + PartialEq
                    + std::fmt::Debug
                    + serde::Serialize
                    + serde::de::DeserializeOwned
                    + Send
                    + Sync,
    > + Clone
    + PartialEq
    + std::fmt::Debug
    + serde::Serialize
    + serde::de::DeserializeOwned
    + Send
    + Sync
{
    /// The model's default settings, checked.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] if the defaults fail their own check (a bug),
    /// or an embedded resource (the lexicon) does not parse.
    fn default_checked() -> Result<Self>;

    /// The regularisation values tried by `compare --grid` and the SemEval
    /// tuning, smallest first, each with its label as written in
    /// `grid.csv` (e.g. `c=1`); `None` for a model without one.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] if a grid value fails its check (a bug).
    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>>;

    /// Fits every point of `path` (settings of this model, typically its
    /// [`Learner::strengths`]) on the one data set `data`; one result per
    /// point, in the order of `path`, each equal to `point.fit(data)` up to
    /// the model's convergence tolerance.
    ///
    /// A model with warm starts (`logreg`) fits the points from the
    /// strongest regularisation to the weakest, each starting from the
    /// previous solution, and shares its per-data-set work; the others fit
    /// each point from scratch with [`fit_each`] (stating so in their
    /// impl). The evaluator fits every grid and tuning path through this.
    fn fit_path(data: &Dataset, path: &[&Self]) -> Vec<Result<FittedOf<Self>>>;

    /// Runs the settings' own check again: settings read from a model file
    /// are deserialised straight into the checked type, past its `check()`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] as the settings' `check()` gives it.
    fn recheck(&self) -> Result<()>;
}

/// [`Learner::fit_path`] without warm starts: each point fitted from
/// scratch.
pub fn fit_each<P: Learner>(data: &Dataset, path: &[&P]) -> Vec<Result<FittedOf<P>>> {
    path.iter().map(|p| p.fit(data)).collect()
}

/// A fitted model.
pub trait Classifier {
    /// The number of feature columns the model reads, or `None` for a
    /// model that reads none (the baselines and the lexicon).
    fn n_features(&self) -> Option<usize>;

    /// Class probabilities of every row of `x`; `texts` are the rows'
    /// texts (only models that read text, the lexicon, use them).
    ///
    /// Preconditions (checked by [`FittedModel::predict_proba`]): `x` has
    /// [`Classifier::n_features`] columns when that is `Some`, and
    /// `texts.len() == x.n_rows()`.
    fn probs(&self, x: &CsrMatrix, texts: &[&str]) -> Vec<Probs>;

    /// Per-class feature weights for reports and explanations (a class's
    /// top features), `None` for a model without per-feature weights.
    fn class_weights(&self) -> Option<ClassWeights>;

    /// Checks a model read from a file for sense over an `n_features`
    /// vocabulary: shapes, finite numbers, distributions summing to 1.
    ///
    /// # Errors
    /// What is wrong, for the model-file error.
    fn validate(&self, n_features: usize) -> std::result::Result<(), String>;
}

/// The class with the highest probability; ties go to the lower index.
pub fn argmax(p: &Probs) -> Stance {
    let mut best = 0;
    for i in 1..N_CLASSES {
        if p[i] > p[best] {
            best = i;
        }
    }
    Stance::ALL[best]
}

/// Class frequencies of `y` in [`Stance::ALL`] order.
///
/// # Errors
/// [`Error::Fit`] naming `model` when `y` is empty.
pub(crate) fn class_frequencies(model: &str, y: &[Stance]) -> Result<Probs> {
    if y.is_empty() {
        return Err(Error::fit(model, "no training examples"));
    }
    let mut counts = [0usize; N_CLASSES];
    for s in y {
        counts[s.index()] += 1;
    }
    let n = y.len() as f64;
    Ok(counts.map(|c| c as f64 / n))
}

/// A regularisation grid for [`Learner::strengths`]: one setting per
/// value, labelled `setting=value`.
///
/// # Errors
/// The first error of `make`.
pub(crate) fn strength_grid<P, V: std::fmt::Display + Copy>(
    setting: &str,
    values: &[V],
    make: impl Fn(V) -> Result<P>,
) -> Result<Option<Vec<(String, P)>>> {
    values
        .iter()
        .map(|&v| Ok((format!("{setting}={v}"), make(v)?)))
        .collect::<Result<_>>()
        .map(Some)
}

/// Which classes occur in `y`.
pub(crate) fn present_classes(y: &[Stance]) -> [bool; N_CLASSES] {
    let mut present = [false; N_CLASSES];
    y.iter().for_each(|s| present[s.index()] = true);
    present
}

/// Checks that `p` is a distribution: finite, in [0, 1], summing to 1.
pub(crate) fn check_distribution(what: &str, p: &[f64]) -> std::result::Result<(), String> {
    if p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v))
        && (p.iter().sum::<f64>() - 1.0).abs() < 1e-6
    {
        Ok(())
    } else {
        Err(format!(
            "{what} {p:?} is not a probability distribution (values in [0, 1] summing to 1)"
        ))
    }
}

/// The [`Error::Fit`] of `model` for a data set whose rows and labels
/// differ in number.
fn shape_error(model: &str, data: &Dataset) -> Error {
    Error::fit(
        model,
        format!(
            "{} rows but {} labels",
            data.records.n_rows(),
            data.targets.len()
        ),
    )
}

/// A fit error carries the table name of the model that failed.
fn rename_fit_error(model: &str, e: Error) -> Error {
    match e {
        Error::Fit { message, .. } => Error::fit(model, message),
        other => other,
    }
}

/// A model of the table: its CLI name, a one-line summary and whether
/// `compare` runs it by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    /// The name as the CLI spells it.
    pub name: &'static str,
    /// One line for `--help` and the README.
    pub summary: &'static str,
    /// Whether `compare` runs it when `--models` is not given.
    pub default: bool,
}

/// Builds the table's types and dispatch from one line per model:
/// `Variant => "cli-name", module::CheckedParams, default|extra, "summary";`.
macro_rules! model_table {
    ($($variant:ident => $name:literal, $module:ident :: $params:ident, $default:ident, $summary:literal;)+) => {
        /// Every model, in report order.
        pub const MODELS: &[ModelInfo] = &[
            $(ModelInfo { name: $name, summary: $summary, default: model_table!(@default $default) },)+
        ];

        /// Checked settings of any model.
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "kind")]
        pub enum ModelParams {
            $(
                #[doc = $summary]
                #[serde(rename = $name)]
                $variant($module::$params),
            )+
        }

        /// Any fitted model.
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "kind")]
        pub enum FittedModel {
            $(
                #[doc = $summary]
                #[serde(rename = $name)]
                $variant(FittedOf<$module::$params>),
            )+
        }

        impl ModelParams {
            /// The default settings of the model called `name`.
            ///
            /// # Errors
            /// [`Error::InvalidParam`] for an unknown name, listing the known ones.
            pub fn from_name(name: &str) -> Result<ModelParams> {
                match name {
                    $($name => Ok(ModelParams::$variant(<$module::$params as Learner>::default_checked()?)),)+
                    _ => Err(Error::param(
                        "--model",
                        format!("unknown model '{name}'; expected one of {}", model_names().join(", ")),
                    )),
                }
            }

            /// The model's name as the CLI spells it.
            pub fn name(&self) -> &'static str {
                match self {
                    $(ModelParams::$variant(_) => $name,)+
                }
            }

            /// Fits the model on `data`. A fit error carries this model's
            /// table name.
            ///
            /// # Errors
            /// [`Error::Fit`] if the data cannot be fitted or the fit cannot
            /// be trusted.
            pub fn fit(&self, data: &Dataset) -> Result<FittedModel> {
                let name = self.name();
                if data.records.n_rows() != data.targets.len() {
                    return Err(shape_error(name, data));
                }
                let fitted = match self {
                    $(ModelParams::$variant(p) => p.fit(data).map(FittedModel::$variant),)+
                };
                fitted.map_err(|e| rename_fit_error(name, e))
            }

            /// Fits every point of `path` on `data` (see
            /// [`Learner::fit_path`]): the points of each model, in
            /// `path` order, go to that model's `fit_path` together, so
            /// that a regularisation path is warm-started where the model
            /// can. One result per point, in `path` order, each as
            /// [`ModelParams::fit`] would give it up to the model's
            /// convergence tolerance.
            pub fn fit_path(data: &Dataset, path: &[ModelParams]) -> Vec<Result<FittedModel>> {
                if data.records.n_rows() != data.targets.len() {
                    return path.iter().map(|p| Err(shape_error(p.name(), data))).collect();
                }
                let mut out: Vec<Option<Result<FittedModel>>> = path.iter().map(|_| None).collect();
                $(
                    let (at, points): (Vec<usize>, Vec<&$module::$params>) = path
                        .iter()
                        .enumerate()
                        .filter_map(|(i, p)| match p {
                            ModelParams::$variant(q) => Some((i, q)),
                            _ => None,
                        })
                        .unzip();
                    if !points.is_empty() {
                        let fitted = <$module::$params as Learner>::fit_path(data, &points);
                        debug_assert_eq!(fitted.len(), at.len(), "one result per point");
                        for (i, r) in at.into_iter().zip(fitted) {
                            out[i] = Some(r.map(FittedModel::$variant).map_err(|e| rename_fit_error($name, e)));
                        }
                    }
                )+
                out.into_iter()
                    .map(|r| r.expect("every point is one of the table's models"))
                    .collect()
            }

            /// Runs the settings' own check again (see [`Learner::recheck`]).
            ///
            /// # Errors
            /// As [`Learner::recheck`].
            pub fn recheck(&self) -> Result<()> {
                match self {
                    $(ModelParams::$variant(p) => p.recheck(),)+
                }
            }

            /// The regularisation grid of the model (see
            /// [`Learner::strengths`]), `None` for a model without one.
            ///
            /// # Errors
            /// As [`Learner::strengths`].
            pub fn strengths(&self) -> Result<Option<Vec<(String, ModelParams)>>> {
                Ok(match self {
                    $(ModelParams::$variant(p) => p.strengths()?.map(|list| {
                        list.into_iter().map(|(l, q)| (l, ModelParams::$variant(q))).collect()
                    }),)+
                })
            }
        }

        impl FittedModel {
            /// The model's name as the CLI spells it.
            pub fn name(&self) -> &'static str {
                match self {
                    $(FittedModel::$variant(_) => $name,)+
                }
            }

            fn classifier(&self) -> &dyn Classifier {
                match self {
                    $(FittedModel::$variant(m) => m,)+
                }
            }
        }
    };
    (@default default) => { true };
    (@default extra) => { false };
}

model_table! {
    Majority => "majority", baseline::MajorityParams, default,
        "majority class of the training data (baseline)";
    Random => "random", random::RandomParams, default,
        "seeded draws from the training class frequencies (baseline)";
    Lexicon => "lexicon", lexicon::ValidLexiconParams, default,
        "hand-written keyword list, data/lexicon.csv (baseline)";
    Nb => "nb", bayes::ValidNbParams, default,
        "multinomial naive Bayes on the sparse counts";
    Cnb => "cnb", bayes::ValidCnbParams, extra,
        "complement naive Bayes (Rennie et al. 2003, as scikit-learn's ComplementNB)";
    Logreg => "logreg", logreg::ValidLogRegParams, default,
        "multinomial logistic regression by sparse L-BFGS";
    LogregDense => "logreg-dense", logreg_dense::ValidDenseLogRegParams, extra,
        "the same, fitted by linfa-logistic on dense rows (cross-check)";
    Svm => "svm", linear_svm::ValidLinearSvmParams, default,
        "linear SVM by dual coordinate descent (LIBLINEAR), one-vs-rest, sparse";
    SvmSmo => "svm-smo", svm::ValidSvmParams, extra,
        "linear SVM, one-vs-rest (linfa-svm SMO, dense kernel; cross-check)";
    NbSvm => "nbsvm", nbsvm::ValidNbSvmParams, default,
        "NB-SVM: linear SVM on naive Bayes log-count ratios (Wang & Manning 2012)";
    Tree => "tree", sparse_tree::ValidSparseTreeParams, default,
        "CART decision tree (Gini), grown on the sparse rows";
    TreeDense => "tree-dense", tree::ValidTreeParams, extra,
        "the same tree by linfa-trees on the top columns by chi², dense (cross-check)";
}

/// The names of every model, in report order.
pub fn model_names() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.name).collect()
}

/// The models `compare` runs when `--models` is not given.
pub fn default_model_names() -> Vec<&'static str> {
    MODELS
        .iter()
        .filter(|m| m.default)
        .map(|m| m.name)
        .collect()
}

impl FittedModel {
    /// Class probabilities of `texts`, whose feature rows are `x`.
    ///
    /// # Errors
    /// [`Error::Predict`] if `x` has another feature count than the model
    /// or another row count than `texts`.
    pub fn predict_proba<S: AsRef<str>>(&self, x: &CsrMatrix, texts: &[S]) -> Result<Vec<Probs>> {
        let m = self.classifier();
        if let Some(n) = m.n_features() {
            if x.n_cols() != n {
                return Err(Error::predict(
                    self.name(),
                    format!("input has {} features; the model has {n}", x.n_cols()),
                ));
            }
        }
        if texts.len() != x.n_rows() {
            return Err(Error::predict(
                self.name(),
                format!("{} texts for {} feature rows", texts.len(), x.n_rows()),
            ));
        }
        let texts: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
        Ok(m.probs(x, &texts))
    }

    /// Per-class feature weights (see [`Classifier::class_weights`]).
    pub fn class_weights(&self) -> Option<ClassWeights> {
        self.classifier().class_weights()
    }

    /// Checks the model for sense over an `n_features` vocabulary (see
    /// [`Classifier::validate`]).
    ///
    /// # Errors
    /// What is wrong.
    pub fn validate(&self, n_features: usize) -> std::result::Result<(), String> {
        self.classifier().validate(n_features)
    }
}

/// A 3-feature, 6-row toy problem for the models' unit tests: two rows
/// per class, each led by its own feature, with some feature-2 noise.
#[cfg(test)]
pub(crate) fn toy_problem() -> (CsrMatrix, Vec<Stance>) {
    let mut x = CsrMatrix::new(3);
    let rows: [&[(u32, f64)]; 6] = [
        &[(0, 1.0)],
        &[(0, 0.8), (2, 0.2)],
        &[(1, 1.0)],
        &[(1, 0.9), (2, 0.1)],
        &[(2, 1.0)],
        &[(0, 0.1), (2, 0.7)],
    ];
    for r in rows {
        x.push_row(r.iter().copied());
    }
    use Stance::*;
    (x, vec![Favor, Favor, Against, Against, None, None])
}

/// Fits `params` on `x`, `y` (tests).
#[cfg(test)]
pub(crate) fn fit_on<P: Learner>(params: &P, x: &CsrMatrix, y: &[Stance]) -> Result<FittedOf<P>> {
    params.fit(&Dataset::new(x.clone(), y.to_vec()))
}

/// Labels of the rows of `x` by a fitted model that reads no text (tests).
#[cfg(test)]
pub(crate) fn predict_rows<C: Classifier>(m: &C, x: &CsrMatrix) -> Vec<Stance> {
    let texts = vec![""; x.n_rows()];
    m.probs(x, &texts).iter().map(argmax).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_clear() {
        for n in model_names() {
            assert_eq!(ModelParams::from_name(n).unwrap().name(), n);
        }
        let e = ModelParams::from_name("bert").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "invalid setting --model: unknown model 'bert'; expected one of {}",
                model_names().join(", ")
            )
        );
        let mut names = model_names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MODELS.len(), "model names are unique");
        assert!(default_model_names().len() >= 5);
    }

    #[test]
    fn every_model_fits_predicts_and_names_its_errors() {
        let (x, y) = toy_problem();
        let texts = vec!["text"; x.n_rows()];
        for info in MODELS {
            let p = ModelParams::from_name(info.name).unwrap();
            let m = p.fit(&Dataset::new(x.clone(), y.clone())).unwrap();
            assert_eq!(m.name(), info.name);
            let probs = m.predict_proba(&x, &texts).unwrap();
            assert!(probs
                .iter()
                .all(|r| (r.iter().sum::<f64>() - 1.0).abs() < 1e-9));
            assert_eq!(m.validate(3), Ok(()), "{}", info.name);
            let e = p
                .fit(&Dataset::new(CsrMatrix::new(3), Vec::new()))
                .unwrap_err();
            assert!(
                e.to_string().starts_with(&format!("model {}: ", info.name)),
                "{e}"
            );
            if m.class_weights().is_some() {
                let wide = CsrMatrix::new(4);
                let e = m.predict_proba(&wide, &[] as &[&str]).unwrap_err();
                assert!(matches!(e, Error::Predict { .. }), "{e}");
            }
        }
    }

    #[test]
    fn argmax_ties_go_to_the_lower_index() {
        assert_eq!(argmax(&[0.4, 0.4, 0.2]), Stance::Favor);
        assert_eq!(argmax(&[0.1, 0.2, 0.7]), Stance::None);
    }

    #[test]
    fn models_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<FittedModel>();
        is::<ModelParams>();
    }
}
