//! `nb` and `cnb`: naive Bayes fitted directly on the sparse rows.
//!
//! Both read one pass over the non-zeros: per class, the sum of each
//! feature's values (`classes × features` floats) and the number of rows.
//! Memory: `O(nnz + classes × features)`; nothing is densified. Features
//! must be finite and non-negative (counts, binary or TF-IDF all are).
//!
//! **`nb`, multinomial naive Bayes.** With `N_cj` the sum of feature `j`
//! over the rows of class `c`, `d` features and smoothing `α`:
//! `ln p(j | c) = ln(N_cj + α) − ln(Σ_j N_cj + α d)`, prior
//! `p(c) = rows of c / rows`, and `log p(c | x) ∝ ln p(c) + x · ln p(· | c)`.
//! These are linfa-bayes `MultinomialNb`'s formulas (its fit densifies
//! the rows; it stays as the cross-check in the tests: same predictions,
//! probabilities within 1e-9) and scikit-learn's `MultinomialNB`.
//!
//! **`cnb`, complement naive Bayes** (Rennie, Shih, Teevan and Karger,
//! "Tackling the poor assumptions of naive Bayes text classifiers", ICML
//! 2003), as scikit-learn's `ComplementNB`: each class is scored by how
//! unlike the *other* classes a row is, which is steadier than `nb` when
//! the classes are unbalanced. With `N_~cj = Σ_{k≠c} N_kj` (the complement's
//! feature sums): `w_cj = −ln((N_~cj + α) / Σ_j (N_~cj + α))`, and the
//! class score is `x · w_c` with no prior (scikit-learn adds the prior only
//! when a single class was seen; it is then `ln 1 = 0`). With `norm`, the
//! weights are `ln(...) / Σ_j ln(...)` instead (Rennie et al.'s weight
//! normalisation, scikit-learn's `norm=True`); the default is `false`, as
//! in scikit-learn. Probabilities are the softmax of the scores, as
//! scikit-learn's `predict_proba`. The weights are not log-probabilities of
//! the class (they are `≥ 0`), so `cnb` has its own fitted type,
//! [`CnbModel`], with its own sense check.
//!
//! | model | setting | default | meaning |
//! |---|---|---|---|
//! | `nb`, `cnb` | `alpha` | `1.0` | additive (Laplace/Lidstone) smoothing, finite and `> 0` |
//! | `cnb` | `norm` | `false` | normalise each class's weights to sum to 1 (Rennie et al. §3.2) |

use linfa::prelude::*;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::{
    fit_each, strength_grid, ClassWeights, Classifier, FittedOf, Learner, LinearModel, Probs,
    Scoring,
};

/// The smoothing values tried by `--grid` and the SemEval tuning.
pub const ALPHAS: [f64; 4] = [0.01, 0.1, 0.5, 1.0];

/// Checks a smoothing value.
fn check_alpha(setting: &'static str, alpha: f64) -> Result<()> {
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(Error::param(
            setting,
            format!("{alpha} must be finite and > 0"),
        ));
    }
    Ok(())
}

/// Per-class feature sums and row counts of a training set.
struct ClassSums {
    /// `[class][feature]` sums of the feature values (zeros for an absent
    /// class).
    sums: [Vec<f64>; N_CLASSES],
    /// Rows per class.
    counts: [usize; N_CLASSES],
}

impl ClassSums {
    /// One pass over the non-zeros of `x`.
    ///
    /// # Errors
    /// [`Error::Fit`] naming `model` when there are no rows or a value is
    /// negative or not finite.
    fn of(model: &str, x: &CsrMatrix, y: &[Stance]) -> Result<ClassSums> {
        if y.is_empty() {
            return Err(Error::fit(model, "no training examples"));
        }
        let mut sums: [Vec<f64>; N_CLASSES] = std::array::from_fn(|_| vec![0.0; x.n_cols()]);
        let mut counts = [0; N_CLASSES];
        for (i, s) in y.iter().enumerate() {
            let c = s.index();
            counts[c] += 1;
            let (cols, vals) = x.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(Error::fit(
                        model,
                        "features must be finite and non-negative",
                    ));
                }
                sums[c][j as usize] += v;
            }
        }
        Ok(ClassSums { sums, counts })
    }

    fn present(&self) -> [bool; N_CLASSES] {
        self.counts.map(|n| n > 0)
    }
}

/// Each present class's weights minus their mean over the present
/// classes, so that features frequent in every class do not top every
/// class's list.
fn centred_weights(m: &LinearModel) -> ClassWeights {
    let present: Vec<usize> = (0..N_CLASSES).filter(|&c| m.present[c]).collect();
    let mean: Vec<f64> = (0..m.n_features())
        .map(|j| {
            present.iter().map(|&c| m.weights[c][j]).sum::<f64>() / present.len().max(1) as f64
        })
        .collect();
    std::array::from_fn(|c| {
        m.present[c].then(|| m.weights[c].iter().zip(&mean).map(|(w, m)| w - m).collect())
    })
}

// ---------------------------------------------------------------- nb

/// Unchecked settings of `nb`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NbParams {
    /// Additive smoothing.
    pub alpha: f64,
}

impl Default for NbParams {
    fn default() -> Self {
        NbParams { alpha: 1.0 }
    }
}

/// Checked settings of `nb`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidNbParams(NbParams);

impl NbParams {
    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] unless `alpha` is finite and `> 0`.
    pub fn check(self) -> Result<ValidNbParams> {
        check_alpha("nb alpha", self.alpha)?;
        Ok(ValidNbParams(self))
    }
}

/// A fitted naive Bayes model: a [`LinearModel`] whose weights are the
/// smoothed feature log-probabilities `ln p(feature | class)` and whose
/// intercepts are the class log-priors, scored by softmax (the posterior).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct NbModel(pub LinearModel);

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidNbParams {
    type Object = NbModel;

    /// # Errors
    /// [`Error::Fit`] for no rows or a negative or non-finite value.
    fn fit(&self, data: &super::Dataset) -> Result<NbModel> {
        let (x, y) = (&data.records, &data.targets);
        let cs = ClassSums::of("nb", x, y)?;
        let alpha = self.0.alpha;
        let d = x.n_cols();
        let n = y.len() as f64;
        let mut m = LinearModel::zeros(d, cs.present(), Scoring::Softmax);
        for c in (0..N_CLASSES).filter(|&c| m.present[c]) {
            let total: f64 = cs.sums[c].iter().map(|s| s + alpha).sum();
            let ln_total = total.ln();
            for (w, s) in m.weights[c].iter_mut().zip(&cs.sums[c]) {
                *w = (s + alpha).ln() - ln_total;
            }
            m.intercept[c] = (cs.counts[c] as f64 / n).ln();
        }
        Ok(NbModel(m))
    }
}

impl Learner for ValidNbParams {
    fn default_checked() -> Result<Self> {
        NbParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("alpha", &ALPHAS, |a| NbParams { alpha: a }.check())
    }

    /// No warm start: a closed-form fit.
    fn fit_path(data: &super::Dataset, path: &[&Self]) -> Vec<Result<FittedOf<Self>>> {
        fit_each(data, path)
    }

    fn recheck(&self) -> Result<()> {
        self.0.clone().check().map(|_| ())
    }
}

impl Classifier for NbModel {
    fn n_features(&self) -> Option<usize> {
        Some(self.0.n_features())
    }

    fn probs(&self, x: &CsrMatrix, _texts: &[&str]) -> Vec<Probs> {
        self.0.proba(x)
    }

    /// The class's log-probability of each feature minus its mean over the
    /// classes seen in training.
    fn class_weights(&self) -> Option<ClassWeights> {
        Some(centred_weights(&self.0))
    }

    /// A linear model whose present classes have log-probabilities `≤ 0`
    /// (weights and log-priors), whose priors sum to 1 over the present
    /// classes, and whose feature probabilities sum to 1 in each present
    /// class (over a non-empty vocabulary).
    fn validate(&self, n_features: usize) -> std::result::Result<(), String> {
        let m = &self.0;
        m.validate(n_features)?;
        let present = || (0..N_CLASSES).filter(|&c| m.present[c]);
        for c in present() {
            if m.intercept[c] > 0.0 || m.weights[c].iter().any(|w| *w > 0.0) {
                return Err(format!(
                    "class {} has a log-probability above 0",
                    Stance::ALL[c]
                ));
            }
            let total: f64 = m.weights[c].iter().map(|w| w.exp()).sum();
            if n_features > 0 && (total - 1.0).abs() > 1e-6 {
                return Err(format!(
                    "the feature probabilities of class {} sum to {total}; expected 1",
                    Stance::ALL[c]
                ));
            }
        }
        let priors: f64 = present().map(|c| m.intercept[c].exp()).sum();
        if (priors - 1.0).abs() > 1e-6 {
            return Err(format!("the class priors sum to {priors}; expected 1"));
        }
        Ok(())
    }
}

/// linfa's prediction interface: class probabilities of every row (see
/// [`LinearModel`]'s).
///
/// # Panics
/// If the records have another feature count than the model.
impl PredictInplace<CsrMatrix, Vec<Probs>> for NbModel {
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Vec<Probs>) {
        self.0.predict_inplace(x, y);
    }

    fn default_target(&self, x: &CsrMatrix) -> Vec<Probs> {
        self.0.default_target(x)
    }
}

/// linfa's prediction interface: the most probable class of every row.
///
/// # Panics
/// If the records have another feature count than the model.
impl PredictInplace<CsrMatrix, Vec<Stance>> for NbModel {
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Vec<Stance>) {
        self.0.predict_inplace(x, y);
    }

    fn default_target(&self, x: &CsrMatrix) -> Vec<Stance> {
        self.0.default_target(x)
    }
}

// ---------------------------------------------------------------- cnb

/// Unchecked settings of `cnb`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CnbParams {
    /// Additive smoothing.
    pub alpha: f64,
    /// Normalise each class's weights (Rennie et al.'s second
    /// normalisation).
    pub norm: bool,
}

impl Default for CnbParams {
    fn default() -> Self {
        CnbParams {
            alpha: 1.0,
            norm: false,
        }
    }
}

/// Checked settings of `cnb`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidCnbParams(CnbParams);

impl CnbParams {
    /// Sets `alpha`.
    pub fn alpha(mut self, a: f64) -> Self {
        self.alpha = a;
        self
    }

    /// Sets `norm`.
    pub fn norm(mut self, norm: bool) -> Self {
        self.norm = norm;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] unless `alpha` is finite and `> 0`.
    pub fn check(self) -> Result<ValidCnbParams> {
        check_alpha("cnb alpha", self.alpha)?;
        Ok(ValidCnbParams(self))
    }
}

/// A fitted complement naive Bayes model: a [`LinearModel`] whose weights
/// are the complement weights `w_cj ≥ 0` of the module doc and whose
/// intercepts are 0, scored by softmax (as scikit-learn's `ComplementNB`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct CnbModel(pub LinearModel);

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidCnbParams {
    type Object = CnbModel;

    /// # Errors
    /// [`Error::Fit`] for no rows or a negative or non-finite value.
    fn fit(&self, data: &super::Dataset) -> Result<CnbModel> {
        let (x, y) = (&data.records, &data.targets);
        let cs = ClassSums::of("cnb", x, y)?;
        let (alpha, d) = (self.0.alpha, x.n_cols());
        let present = cs.present();
        let mut all = vec![0.0; d];
        for c in (0..N_CLASSES).filter(|&c| present[c]) {
            all.iter_mut().zip(&cs.sums[c]).for_each(|(a, s)| *a += s);
        }
        let mut m = LinearModel::zeros(d, present, Scoring::Softmax);
        for c in (0..N_CLASSES).filter(|&c| present[c]) {
            // Complement counts, smoothed, then their log-share.
            let w = &mut m.weights[c];
            for ((w, a), s) in w.iter_mut().zip(&all).zip(&cs.sums[c]) {
                *w = a + alpha - s;
            }
            let total: f64 = w.iter().sum();
            w.iter_mut().for_each(|v| *v = (*v / total).ln());
            if self.0.norm {
                let sum: f64 = w.iter().sum();
                w.iter_mut().for_each(|v| *v /= sum);
            } else {
                w.iter_mut().for_each(|v| *v = -*v);
            }
        }
        Ok(CnbModel(m))
    }
}

impl Learner for ValidCnbParams {
    fn default_checked() -> Result<Self> {
        CnbParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("alpha", &ALPHAS, |a| self.0.clone().alpha(a).check())
    }

    /// No warm start: a closed-form fit.
    fn fit_path(data: &super::Dataset, path: &[&Self]) -> Vec<Result<FittedOf<Self>>> {
        fit_each(data, path)
    }

    fn recheck(&self) -> Result<()> {
        self.0.clone().check().map(|_| ())
    }
}

impl Classifier for CnbModel {
    fn n_features(&self) -> Option<usize> {
        Some(self.0.n_features())
    }

    fn probs(&self, x: &CsrMatrix, _texts: &[&str]) -> Vec<Probs> {
        self.0.proba(x)
    }

    /// The class's complement weight of each feature minus its mean over
    /// the classes seen in training.
    fn class_weights(&self) -> Option<ClassWeights> {
        Some(centred_weights(&self.0))
    }

    /// A linear model with zero intercepts and, for its present classes,
    /// weights `≥ 0` (negated log-shares, or their normalised form).
    fn validate(&self, n_features: usize) -> std::result::Result<(), String> {
        let m = &self.0;
        m.validate(n_features)?;
        if m.intercept.iter().any(|b| *b != 0.0) {
            return Err("complement naive Bayes has non-zero intercepts".into());
        }
        for c in (0..N_CLASSES).filter(|&c| m.present[c]) {
            if m.weights[c].iter().any(|w| *w < 0.0) {
                return Err(format!(
                    "class {} has a negative complement weight",
                    Stance::ALL[c]
                ));
            }
        }
        Ok(())
    }
}

/// linfa's prediction interface: class probabilities of every row.
///
/// # Panics
/// If the records have another feature count than the model.
impl PredictInplace<CsrMatrix, Vec<Probs>> for CnbModel {
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Vec<Probs>) {
        self.0.predict_inplace(x, y);
    }

    fn default_target(&self, x: &CsrMatrix) -> Vec<Probs> {
        self.0.default_target(x)
    }
}

/// linfa's prediction interface: the most probable class of every row.
///
/// # Panics
/// If the records have another feature count than the model.
impl PredictInplace<CsrMatrix, Vec<Stance>> for CnbModel {
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Vec<Stance>) {
        self.0.predict_inplace(x, y);
    }

    fn default_target(&self, x: &CsrMatrix) -> Vec<Stance> {
        self.0.default_target(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{fit_on, predict_rows};
    use linfa::DatasetBase;
    use linfa_bayes::{MultinomialNb, NaiveBayes};
    use ndarray::Array1;
    use Stance::*;

    fn counts() -> (CsrMatrix, Vec<Stance>) {
        let mut x = CsrMatrix::new(4);
        for r in [
            vec![(0, 2.0), (1, 1.0)],
            vec![(0, 3.0)],
            vec![(1, 2.0), (2, 1.0)],
            vec![(2, 3.0)],
            vec![(1, 1.0), (2, 1.0)],
            vec![(0, 1.0), (2, 2.0)],
        ] {
            x.push_row(r);
        }
        (x, vec![Favor, Favor, Against, None, Against, None])
    }

    /// A seeded sparse TF-IDF-like problem (non-negative values).
    fn random_rows(n: usize, d: usize, seed: u64) -> (CsrMatrix, Vec<Stance>) {
        let mut rng = crate::rng::Rng::new(seed);
        let mut x = CsrMatrix::new(d);
        let mut y = Vec::new();
        for _ in 0..n {
            let c = rng.below(3);
            let mut cols: Vec<u32> = (0..5)
                .map(|t| {
                    if t == 0 {
                        (c * 2 + rng.below(2)) as u32
                    } else {
                        rng.below(d) as u32
                    }
                })
                .collect();
            cols.sort_unstable();
            cols.dedup();
            x.push_row(cols.into_iter().map(|j| (j, 0.1 + rng.unit())));
            y.push(Stance::ALL[c]);
        }
        (x, y)
    }

    #[test]
    fn nb_matches_linfa_bayes() {
        let cases = [counts(), random_rows(200, 30, 1), random_rows(500, 300, 2)];
        for (x, y) in cases {
            for alpha in ALPHAS {
                let m = fit_on(&NbParams { alpha }.check().unwrap(), &x, &y).unwrap();
                let ds =
                    DatasetBase::new(x.to_dense(), Array1::from_iter(y.iter().map(|s| s.index())));
                let lm = MultinomialNb::params().alpha(alpha).fit(&ds).unwrap();
                let (lp, classes) = lm.predict_proba(x.to_dense().view());
                let ours = m.probs(&x, &vec![""; x.n_rows()]);
                for (i, row) in ours.iter().enumerate() {
                    for (j, &&c) in classes.iter().enumerate() {
                        assert!((row[c] - lp[(i, j)]).abs() < 1e-9, "{row:?} vs {lp:?}");
                    }
                }
                let labels: Array1<usize> = lm.predict(&x.to_dense());
                let ours: Vec<usize> = predict_rows(&m, &x).iter().map(|s| s.index()).collect();
                assert_eq!(ours, labels.to_vec(), "alpha {alpha}");
                assert_eq!(m.validate(x.n_cols()), Ok(()));
            }
        }
        let (x, y) = counts();
        let m = fit_on(&NbParams::default().check().unwrap(), &x, &y).unwrap();
        let mut bad = m.clone();
        bad.0.weights[0][1] = 0.5;
        assert!(bad.validate(4).unwrap_err().contains("above 0"));
    }

    #[test]
    fn nb_by_hand() {
        // Favor rows sum to (5, 1, 0, 0); alpha 1 over 4 features: total 10.
        let (x, y) = counts();
        let m = fit_on(&NbParams::default().check().unwrap(), &x, &y).unwrap();
        let w = &m.0.weights[0];
        for (j, n) in [5.0, 1.0, 0.0, 0.0].iter().enumerate() {
            assert!((w[j] - ((n + 1.0) / 10.0f64).ln()).abs() < 1e-15);
        }
        assert!((m.0.intercept[0] - (2.0f64 / 6.0).ln()).abs() < 1e-15);
    }

    /// scikit-learn 1.9.1 `ComplementNB(alpha=1.0, norm=...)` on `counts()`
    /// (classes favor, against, none = 0, 1, 2): `predict_proba` of its
    /// rows. Reproduce with
    /// `ComplementNB(norm=n).fit(X, y).predict_proba(X)` where `X` has the
    /// rows of `counts()` and `y = [0, 0, 1, 2, 1, 2]`.
    const SKLEARN_CNB: [[[f64; 3]; 6]; 2] = [
        [
            [0.7769811551237298, 0.15395385330971653, 0.06906499156655375],
            [0.9386645887187541, 0.02657005614351465, 0.03476535513773165],
            [0.10894008026597524, 0.7051355160800937, 0.185924403653931],
            [
                0.043783384079616836,
                0.12595392522542742,
                0.8302626906949558,
            ],
            [0.1621426855632957, 0.49195291856834, 0.34590439586836413],
            [0.2508266515040163, 0.1546212856716493, 0.5945520628243346],
        ],
        [
            [0.4003257540617466, 0.31446209167467604, 0.28521215426357743],
            [0.4523771747183196, 0.2653679027469062, 0.2822549225347741],
            [0.2905085498245734, 0.38493952483068733, 0.3245519253447392],
            [0.2639548426426353, 0.30952278085640683, 0.42652237650095803],
            [
                0.30056635685169225,
                0.35529109712551316,
                0.34414254602279476,
            ],
            [0.3217973536218799, 0.29955301417478813, 0.378649632203332],
        ],
    ];

    #[test]
    fn cnb_matches_scikit_learn_and_by_hand() {
        let (x, y) = counts();
        for (norm, want) in [false, true].iter().zip(SKLEARN_CNB) {
            let p = CnbParams::default().norm(*norm).check().unwrap();
            let m = fit_on(&p, &x, &y).unwrap();
            let got = m.probs(&x, &[""; 6]);
            for (g, w) in got.iter().zip(&want) {
                for k in 0..3 {
                    assert!((g[k] - w[k]).abs() < 1e-12, "norm {norm}: {g:?} vs {w:?}");
                }
            }
            assert_eq!(m.validate(4), Ok(()));
        }
        // By hand: all rows sum to (6, 4, 7, 0); favor's (5, 1, 0, 0), so its
        // complement is (1, 3, 7, 0) + 1 = (2, 4, 8, 1), total 15.
        let m = fit_on(&CnbParams::default().check().unwrap(), &x, &y).unwrap();
        for (j, n) in [2.0, 4.0, 8.0, 1.0].iter().enumerate() {
            assert!((m.0.weights[0][j] + (n / 15.0f64).ln()).abs() < 1e-15);
        }
        assert_eq!(m.0.intercept, [0.0; 3]);
        let mut bad = m.clone();
        bad.0.weights[1][0] = -0.1;
        assert!(bad.validate(4).unwrap_err().contains("negative"));
        let mut bad = m;
        bad.0.intercept[0] = -1.0;
        assert!(bad.validate(4).unwrap_err().contains("intercept"));
    }

    #[test]
    fn linfa_predict_delegates_to_the_linear_model() {
        let (x, y) = counts();
        let ds = DatasetBase::new(x.clone(), ());
        let nb = fit_on(&NbParams::default().check().unwrap(), &x, &y).unwrap();
        let p: Vec<Probs> = nb.predict(&ds);
        assert_eq!(p, nb.0.proba(&x));
        let cnb = fit_on(&CnbParams::default().check().unwrap(), &x, &y).unwrap();
        let l: Vec<Stance> = cnb.predict(&ds);
        assert_eq!(l, predict_rows(&cnb, &x));
    }

    #[test]
    fn rejects_negative_features_and_bad_alpha() {
        let mut x = CsrMatrix::new(1);
        x.push_row([(0, -1.0)]);
        assert!(fit_on(&NbParams::default().check().unwrap(), &x, &[Favor]).is_err());
        assert!(fit_on(&CnbParams::default().check().unwrap(), &x, &[Favor]).is_err());
        assert!(NbParams { alpha: 0.0 }.check().is_err());
        assert!(CnbParams::default().alpha(f64::NAN).check().is_err());
    }

    #[test]
    fn a_single_class_gets_probability_one() {
        let (x, _) = counts();
        let y = vec![Against; 6];
        let m = fit_on(&CnbParams::default().check().unwrap(), &x, &y).unwrap();
        assert!(m.probs(&x, &[""; 6]).iter().all(|p| *p == [0.0, 1.0, 0.0]));
        let m = fit_on(&NbParams::default().check().unwrap(), &x, &y).unwrap();
        assert!(m.probs(&x, &[""; 6]).iter().all(|p| *p == [0.0, 1.0, 0.0]));
    }
}
