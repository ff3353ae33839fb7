//! Classifiers behind one small pair of traits, in linfa's style:
//! settings implement [`Learner`] (`fit` returns a separate fitted type),
//! fitted models implement [`Classifier`] (class probabilities in
//! [`Stance::ALL`] order).
//!
//! [`ModelParams`] and [`FittedModel`] are the closed sets the CLI and the
//! model file use; each variant wraps one model's checked settings or
//! fitted state.

pub mod baseline;
pub mod bayes;
pub mod lexicon;
pub mod logistic;
pub mod random;
pub mod sparse_logistic;
pub mod svm;
pub mod tree;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

/// Class probabilities in [`Stance::ALL`] order.
pub type Probs = [f64; N_CLASSES];

/// Model settings that can be fitted on featurized data.
pub trait Learner {
    /// The fitted model.
    type Fitted: Classifier;

    /// Fits on `x` (one row per example) and labels `y`.
    ///
    /// # Errors
    /// [`Error::Fit`] if the data cannot be fitted or the fit cannot be trusted.
    fn fit(&self, x: &CsrMatrix, y: &[Stance]) -> Result<Self::Fitted>;
}

/// A fitted model.
pub trait Classifier {
    /// Class probabilities for every row of `x`.
    ///
    /// # Errors
    /// [`Error::Fit`] if `x` does not match the model.
    fn predict_proba(&self, x: &CsrMatrix) -> Result<Vec<Probs>>;

    /// The most probable class of every row (ties go to the lower index).
    ///
    /// # Errors
    /// As [`Classifier::predict_proba`].
    fn predict(&self, x: &CsrMatrix) -> Result<Vec<Stance>> {
        Ok(self.predict_proba(x)?.iter().map(argmax).collect())
    }
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

/// Names of the models the CLI knows, in report order.
pub const MODEL_NAMES: [&str; 8] = [
    "majority",
    "random",
    "lexicon",
    "nb",
    "logreg",
    "sparse-logreg",
    "svm",
    "tree",
];

/// Checked settings of any model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ModelParams {
    /// Majority-class baseline.
    Majority(baseline::MajorityParams),
    /// Seeded stratified random baseline.
    Random(random::RandomParams),
    /// Keyword lexicon baseline.
    Lexicon(lexicon::ValidLexiconParams),
    /// linfa-bayes multinomial naive Bayes.
    Nb(bayes::ValidNbParams),
    /// linfa-logistic multinomial logistic regression.
    Logreg(logistic::ValidLogRegParams),
    /// linfa-svm linear SVM, one versus rest.
    Svm(svm::ValidSvmParams),
    /// linfa-trees decision tree.
    Tree(tree::ValidTreeParams),
    /// Multinomial logistic regression fitted on sparse rows by our L-BFGS.
    #[serde(rename = "sparse-logreg")]
    SparseLogreg(sparse_logistic::ValidSparseLogRegParams),
}

impl ModelParams {
    /// The default settings of the model called `name`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for an unknown name, listing the known ones.
    pub fn from_name(name: &str) -> Result<ModelParams> {
        match name {
            "majority" => Ok(ModelParams::Majority(baseline::MajorityParams)),
            "random" => Ok(ModelParams::Random(
                random::RandomParams::default().check()?,
            )),
            "lexicon" => Ok(ModelParams::Lexicon(
                lexicon::LexiconParams::embedded()?.check()?,
            )),
            "svm" => Ok(ModelParams::Svm(svm::SvmParams::default().check()?)),
            "tree" => Ok(ModelParams::Tree(tree::TreeParams::default().check()?)),
            "nb" => Ok(ModelParams::Nb(bayes::NbParams::default().check()?)),
            "logreg" => Ok(ModelParams::Logreg(
                logistic::LogRegParams::default().check()?,
            )),
            "sparse-logreg" => Ok(ModelParams::SparseLogreg(
                sparse_logistic::SparseLogRegParams::default().check()?,
            )),
            _ => Err(Error::param(
                "--model",
                format!(
                    "unknown model '{name}'; expected one of {}",
                    MODEL_NAMES.join(", ")
                ),
            )),
        }
    }

    /// The model's name as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            ModelParams::Majority(_) => "majority",
            ModelParams::Random(_) => "random",
            ModelParams::Lexicon(_) => "lexicon",
            ModelParams::Nb(_) => "nb",
            ModelParams::Logreg(_) => "logreg",
            ModelParams::Svm(_) => "svm",
            ModelParams::Tree(_) => "tree",
            ModelParams::SparseLogreg(_) => "sparse-logreg",
        }
    }

    /// Fits the model.
    ///
    /// # Errors
    /// See [`Learner::fit`].
    pub fn fit(&self, x: &CsrMatrix, y: &[Stance]) -> Result<FittedModel> {
        if x.n_rows() != y.len() {
            return Err(Error::fit(
                self.name(),
                format!("{} rows but {} labels", x.n_rows(), y.len()),
            ));
        }
        Ok(match self {
            ModelParams::Majority(p) => FittedModel::Majority(p.fit(x, y)?),
            ModelParams::Nb(p) => FittedModel::Nb(p.fit(x, y)?),
            ModelParams::Logreg(p) => FittedModel::Logreg(p.fit(x, y)?),
            ModelParams::Random(p) => FittedModel::Random(p.fit(x, y)?),
            ModelParams::Lexicon(p) => FittedModel::Lexicon(p.fit(x, y)?),
            ModelParams::Svm(p) => FittedModel::Svm(p.fit(x, y)?),
            ModelParams::Tree(p) => FittedModel::Tree(p.fit(x, y)?),
            ModelParams::SparseLogreg(p) => FittedModel::SparseLogreg(p.fit(x, y)?),
        })
    }
}

/// Any fitted model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum FittedModel {
    /// Majority-class baseline.
    Majority(baseline::Majority),
    /// Multinomial naive Bayes.
    Nb(bayes::NbModel),
    /// Multinomial logistic regression.
    Logreg(logistic::LogRegModel),
    /// Seeded stratified random baseline.
    Random(random::RandomBaseline),
    /// Keyword lexicon baseline (scores texts, see
    /// [`FittedModel::predict_proba_texts`]).
    Lexicon(lexicon::LexiconModel),
    /// One-vs-rest linear SVM.
    Svm(svm::SvmModel),
    /// Decision tree.
    Tree(tree::TreeModel),
    /// Multinomial logistic regression fitted on sparse rows.
    #[serde(rename = "sparse-logreg")]
    SparseLogreg(logistic::LogRegModel),
}

impl FittedModel {
    /// Per-class feature weights of linear models (`None` for others), as
    /// `[class][feature]` in [`Stance::ALL`] order.
    pub fn linear_weights(&self) -> Option<&[Vec<f64>; N_CLASSES]> {
        match self {
            FittedModel::Logreg(m) | FittedModel::SparseLogreg(m) => Some(&m.weights),
            FittedModel::Nb(m) => Some(&m.feature_log_prob),
            FittedModel::Svm(m) => Some(&m.weights),
            FittedModel::Majority(_)
            | FittedModel::Random(_)
            | FittedModel::Lexicon(_)
            | FittedModel::Tree(_) => None,
        }
    }

    /// The model's name as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            FittedModel::Majority(_) => "majority",
            FittedModel::Random(_) => "random",
            FittedModel::Lexicon(_) => "lexicon",
            FittedModel::Nb(_) => "nb",
            FittedModel::Logreg(_) => "logreg",
            FittedModel::SparseLogreg(_) => "sparse-logreg",
            FittedModel::Svm(_) => "svm",
            FittedModel::Tree(_) => "tree",
        }
    }

    /// Class probabilities of `texts`, whose feature rows are `x`: the
    /// lexicon model reads the texts, every other model the rows.
    ///
    /// # Errors
    /// As [`Classifier::predict_proba`].
    pub fn predict_proba_texts<S: AsRef<str>>(
        &self,
        x: &CsrMatrix,
        texts: &[S],
    ) -> Result<Vec<Probs>> {
        match self {
            FittedModel::Lexicon(m) => Ok(m.predict_texts(texts)),
            other => other.predict_proba(x),
        }
    }
}

impl Classifier for FittedModel {
    fn predict_proba(&self, x: &CsrMatrix) -> Result<Vec<Probs>> {
        match self {
            FittedModel::Majority(m) => m.predict_proba(x),
            FittedModel::Nb(m) => m.predict_proba(x),
            FittedModel::Logreg(m) | FittedModel::SparseLogreg(m) => m.predict_proba(x),
            FittedModel::Random(m) => m.predict_proba(x),
            FittedModel::Lexicon(m) => m.predict_proba(x),
            FittedModel::Svm(m) => m.predict_proba(x),
            FittedModel::Tree(m) => m.predict_proba(x),
        }
    }
}

/// Per-class linear scores `x_i · w_c + b_c` of row `i`, `-inf` for a class
/// absent from training (shared by `logreg`, `sparse-logreg`, `svm`, `nb`).
pub(crate) fn linear_scores(
    weights: &[Vec<f64>; N_CLASSES],
    intercept: &[f64; N_CLASSES],
    present: &[bool; N_CLASSES],
    x: &CsrMatrix,
    i: usize,
) -> Probs {
    std::array::from_fn(|c| {
        if present[c] {
            x.row_dot(i, &weights[c]) + intercept[c]
        } else {
            f64::NEG_INFINITY
        }
    })
}

/// Softmax of the linear scores of every row of `x`.
///
/// # Errors
/// [`Error::Fit`] naming `model` if `x` has another feature count than the
/// weights.
pub(crate) fn linear_proba(
    model: &str,
    weights: &[Vec<f64>; N_CLASSES],
    intercept: &[f64; N_CLASSES],
    present: &[bool; N_CLASSES],
    x: &CsrMatrix,
) -> Result<Vec<Probs>> {
    if x.n_cols() != weights[0].len() {
        return Err(Error::fit(
            model,
            format!(
                "input has {} features; the model has {}",
                x.n_cols(),
                weights[0].len()
            ),
        ));
    }
    Ok((0..x.n_rows())
        .map(|i| {
            let mut z = linear_scores(weights, intercept, present, x, i);
            softmax(&mut z);
            z
        })
        .collect())
}

/// Softmax of `z` in place, subtracting the row maximum first (entries of
/// `-inf` get probability 0).
pub(crate) fn softmax(z: &mut Probs) {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for v in z.iter_mut() {
        *v = (*v - m).exp();
        s += *v;
    }
    for v in z.iter_mut() {
        *v /= s;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_clear() {
        for n in MODEL_NAMES {
            assert_eq!(ModelParams::from_name(n).unwrap().name(), n);
        }
        let e = ModelParams::from_name("bert").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid setting --model: unknown model 'bert'; expected one of majority, random, lexicon, nb, logreg, sparse-logreg, svm, tree"
        );
    }

    #[test]
    fn argmax_ties_and_softmax_stability() {
        assert_eq!(argmax(&[0.4, 0.4, 0.2]), Stance::Favor);
        assert_eq!(argmax(&[0.1, 0.2, 0.7]), Stance::None);
        let mut z = [1000.0, 1000.0, f64::NEG_INFINITY];
        softmax(&mut z);
        assert_eq!(z, [0.5, 0.5, 0.0]);
    }

    #[test]
    fn models_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<FittedModel>();
        is::<ModelParams>();
    }
}
