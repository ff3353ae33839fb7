//! `nbsvm`: NB-SVM (Wang & Manning 2012, "Baselines and Bigrams: Simple,
//! Good Sentiment and Topic Classification", section 2.3), a linear SVM
//! trained on features scaled by naive Bayes log-count ratios, then pulled
//! towards naive Bayes. One versus the rest over the classes seen in
//! training.
//!
//! # Fit
//!
//! For each class (the positive side) against the others (the negative
//! side):
//!
//! 1. **Log-count ratio.** `p = α + Σ f̂ᵢ` over the positive rows and
//!    `q = α + Σ f̂ᵢ` over the negative rows, with `f̂ᵢ` the **binarised**
//!    row (`1` where the feature occurs), as in the paper: `pⱼ − α` is the
//!    number of positive rows holding feature `j`. Then
//!    `rⱼ = ln((pⱼ/‖p‖₁) / (qⱼ/‖q‖₁))`. Binarising makes `α` a count of
//!    pseudo-rows whatever the featurizer's weighting; summing the raw
//!    TF-IDF values (L2-normalised rows, values well below 1) would make
//!    `α = 1` a far heavier smoothing than the paper's.
//! 2. **SVM.** The linear SVM of [`super::linear_svm`] (dual coordinate
//!    descent, the squared-hinge loss by default, as in the paper) is
//!    trained on the rows `x ⊙ r`: the featurizer's values scaled per
//!    column (not binarised, so that prediction is a plain dot product on
//!    the same rows). The scaling is applied on the fly; the rows are not
//!    copied. This gives weights `w` and an intercept `b`.
//! 3. **Interpolation.** `w' = (1 − β) w̄ + β w` with `w̄ = ‖w‖₁ / |V|` the
//!    mean weight magnitude over the `|V|` features (the paper's "trust NB
//!    unless the SVM is very confident"): at `β = 0` the score is
//!    `w̄ (r · x)`, a scaled naive Bayes log-ratio; at `β = 1` it is the
//!    SVM's. The paper does not say what happens to the intercept; we
//!    interpolate it the same way, `b' = (1 − β) w̄ ln(N₊/N₋) + β b`, the
//!    naive Bayes end taking the log prior ratio of the class counts as
//!    its intercept, so the whole score is interpolated. (Keeping `b`
//!    whole while shrinking `w` by `β` would let the intercept dominate.)
//! 4. **Folding.** The returned [`LinearModel`] holds `w'ⱼ rⱼ` per feature
//!    and `b'`, so prediction is the plain sparse dot product `x · (w' ⊙ r)
//!    + b'`, and `features.csv` lists the weights the model really uses.
//!
//! The binary problems run in parallel (one per present class; with two
//! classes one problem and its mirror image, as `svm`), each sequentially
//! with the SVM's seeded coordinate order: fits are byte-identical for any
//! thread count. A single training class gives a model predicting it. An
//! unconverged SVM is an error, as for `svm`. Probabilities are the softmax
//! of the interpolated decision values ([`Scoring::Softmax`], uncalibrated).
//!
//! Memory: `svm`'s, plus per problem solved at once the ratios `r` and the
//! weights (`16 × features` bytes), plus the per-class feature counts
//! (`24 × features` bytes).
//!
//! # Settings
//!
//! | setting | default | meaning | valid range |
//! |---|---|---|---|
//! | `alpha` | `1.0` | smoothing `α` of the feature counts (pseudo-rows) | finite, `> 0` |
//! | `beta` | `0.25` | interpolation `β` between naive Bayes (`0`) and the SVM (`1`); the paper's value | `[0, 1]` |
//! | `svm` | `svm`'s defaults | the SVM's settings (`c = 1`, the paper's; `loss`, `bias`, `eps`, `max_iterations`, `shrinking`, `seed`); see [`super::linear_svm`] | as there |

use linfa::traits::Fit;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::linear_svm::{
    check_training, mirror_two_classes, problems, solve, unconverged, LinearSvmParams,
    SettingNames, CS,
};
use super::{strength_grid, Dataset, FittedOf, Learner, LinearModel, Scoring};

const NAME: &str = "nbsvm";

const NBSVM_NAMES: SettingNames = SettingNames {
    c: "nbsvm c",
    eps: "nbsvm eps",
    bias: "nbsvm bias",
    max_iterations: "nbsvm max_iterations",
};

/// Unchecked settings (see the module table).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NbSvmParams {
    /// Smoothing of the feature counts.
    pub alpha: f64,
    /// Interpolation between naive Bayes (0) and the SVM (1).
    pub beta: f64,
    /// Settings of the SVM.
    pub svm: LinearSvmParams,
}

impl Default for NbSvmParams {
    fn default() -> Self {
        NbSvmParams {
            alpha: 1.0,
            beta: 0.25,
            svm: LinearSvmParams::default(),
        }
    }
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidNbSvmParams(NbSvmParams);

impl NbSvmParams {
    /// Sets `alpha`.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Sets `beta`.
    pub fn beta(mut self, beta: f64) -> Self {
        self.beta = beta;
        self
    }

    /// Sets the SVM's `c`.
    pub fn c(mut self, c: f64) -> Self {
        self.svm.c = c;
        self
    }

    /// Sets every SVM setting.
    pub fn svm(mut self, svm: LinearSvmParams) -> Self {
        self.svm = svm;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for an `alpha` that is not finite and `> 0`,
    /// a `beta` outside `[0, 1]`, or an invalid SVM setting (named
    /// `nbsvm c` etc.).
    pub fn check(self) -> Result<ValidNbSvmParams> {
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(Error::param(
                "nbsvm alpha",
                format!("{} must be finite and > 0", self.alpha),
            ));
        }
        if !(0.0..=1.0).contains(&self.beta) {
            return Err(Error::param(
                "nbsvm beta",
                format!("{} must be in [0, 1]", self.beta),
            ));
        }
        self.svm.check_named(&NBSVM_NAMES)?;
        Ok(ValidNbSvmParams(self))
    }
}

impl ValidNbSvmParams {
    /// The settings.
    pub fn params(&self) -> &NbSvmParams {
        &self.0
    }
}

/// Per class, the number of rows of that class holding each feature
/// (`[class][feature]`), and the number of rows of each class.
fn feature_counts(x: &CsrMatrix, y: &[Stance]) -> ([Vec<u32>; N_CLASSES], [usize; N_CLASSES]) {
    let mut counts: [Vec<u32>; N_CLASSES] = std::array::from_fn(|_| vec![0; x.n_cols()]);
    let mut rows = [0usize; N_CLASSES];
    for (i, s) in y.iter().enumerate() {
        let c = s.index();
        rows[c] += 1;
        let (cols, vals) = x.row(i);
        for (&j, &v) in cols.iter().zip(vals) {
            if v != 0.0 {
                counts[c][j as usize] += 1;
            }
        }
    }
    (counts, rows)
}

/// The log-count ratios `r` of `class` against the other classes.
fn log_count_ratio(counts: &[Vec<u32>; N_CLASSES], class: usize, alpha: f64) -> Vec<f64> {
    let d = counts[0].len();
    let pos = |j: usize| alpha + f64::from(counts[class][j]);
    let neg = |j: usize| {
        alpha
            + (0..N_CLASSES)
                .filter(|&k| k != class)
                .map(|k| f64::from(counts[k][j]))
                .sum::<f64>()
    };
    let p_norm: f64 = (0..d).map(pos).sum();
    let q_norm: f64 = (0..d).map(neg).sum();
    (0..d)
        .map(|j| (pos(j) / p_norm).ln() - (neg(j) / q_norm).ln())
        .collect()
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidNbSvmParams {
    type Object = LinearModel;

    fn fit(&self, data: &Dataset) -> Result<LinearModel> {
        let (x, y) = (&data.records, &data.targets);
        let p = &self.0;
        let present = check_training(NAME, x, y)?;
        let mut model = LinearModel::zeros(x.n_cols(), present, Scoring::Softmax);
        let (counts, rows) = feature_counts(x, y);
        let n = y.len();
        let solved: Vec<_> = problems(&present)
            .into_par_iter()
            .map(|c| {
                let r = log_count_ratio(&counts, c, p.alpha);
                let s = solve::<true>(x, y, c, &r, &p.svm);
                (c, r, s)
            })
            .collect();
        for (c, r, s) in solved {
            if !s.converged {
                return Err(unconverged(NAME, c, &s, &p.svm));
            }
            let d = r.len();
            let w_bar = if d == 0 {
                0.0
            } else {
                s.w.iter().map(|v| v.abs()).sum::<f64>() / d as f64
            };
            let nb = (1.0 - p.beta) * w_bar;
            model.weights[c] =
                s.w.iter()
                    .zip(&r)
                    .map(|(w, r)| (nb + p.beta * w) * r)
                    .collect();
            // Both sides have rows: the class is present and so is another.
            let log_prior = (rows[c] as f64 / (n - rows[c]) as f64).ln();
            model.intercept[c] = nb * log_prior + p.beta * s.w_bias * p.svm.bias;
        }
        mirror_two_classes(&mut model);
        Ok(model)
    }
}

impl Learner for ValidNbSvmParams {
    fn default_checked() -> Result<Self> {
        NbSvmParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("c", &CS, |c| self.0.clone().c(c).check())
    }

    /// No warm start yet: each C is fitted from a zero dual (the dual
    /// solutions of neighbouring C are not reused).
    fn fit_path(data: &Dataset, path: &[&Self]) -> Vec<Result<FittedOf<Self>>> {
        super::fit_each(data, path)
    }

    fn recheck(&self) -> Result<()> {
        self.0.clone().check().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::linear_svm::{sparse_problem, LinearSvmParams};
    use crate::models::{fit_on, predict_rows, toy_problem};
    use crate::rng::Rng;
    use Stance::*;

    fn accuracy(m: &LinearModel, x: &CsrMatrix, y: &[Stance]) -> f64 {
        let hits = predict_rows(m, x)
            .iter()
            .zip(y)
            .filter(|(a, b)| a == b)
            .count();
        hits as f64 / y.len() as f64
    }

    /// Rows of `n_noise` frequent noise features (from the first `noise`
    /// columns, class-independent) plus, with probability `signal`, one of
    /// the `cue` rare cue columns of the row's class; TF-IDF-like values,
    /// L2-normalised. The cues are what a log-count ratio picks out.
    fn cue_problem(n: usize, seed: u64, signal: f64) -> (CsrMatrix, Vec<Stance>) {
        let (noise, cue, n_noise) = (40usize, 30usize, 8usize);
        let d = noise + 3 * cue;
        let mut rng = Rng::new(seed);
        let mut x = CsrMatrix::new(d);
        let mut y = Vec::new();
        for _ in 0..n {
            let c = rng.below(3);
            let mut cols: Vec<u32> = (0..n_noise).map(|_| rng.below(noise) as u32).collect();
            if rng.unit() < signal {
                cols.push((noise + c * cue + rng.below(cue)) as u32);
            }
            cols.sort_unstable();
            cols.dedup();
            let vals: Vec<f64> = cols.iter().map(|_| 0.5 + rng.unit()).collect();
            let norm = vals.iter().map(|v| v * v).sum::<f64>().sqrt();
            x.push_row(cols.into_iter().zip(vals.into_iter().map(|v| v / norm)));
            y.push(Stance::ALL[c]);
        }
        (x, y)
    }

    #[test]
    fn recovers_a_planted_signal() {
        let (x, y) = sparse_problem(600, 60, 3, 0.1, 11);
        let m = fit_on(&NbSvmParams::default().check().unwrap(), &x, &y).unwrap();
        // Class c's rows hold one of the features 3c..3c+3: they carry the
        // class's largest weights.
        for c in 0..3 {
            let w = &m.weights[c];
            let mut order: Vec<usize> = (0..w.len()).collect();
            order.sort_by(|a, b| w[*b].total_cmp(&w[*a]));
            let mut top: Vec<usize> = order[..3].to_vec();
            top.sort_unstable();
            assert_eq!(top, [3 * c, 3 * c + 1, 3 * c + 2], "class {c}");
        }
        let (xt, yt) = sparse_problem(2000, 60, 3, 0.1, 12);
        // A tenth of the labels are redrawn and three of a row's four
        // features are noise: 0.81 measured.
        let acc = accuracy(&m, &xt, &yt);
        assert!(acc > 0.75, "{acc}");
    }

    #[test]
    fn matches_or_beats_svm_where_the_ratio_helps() {
        let (x, y) = cue_problem(150, 21, 0.7);
        let (xt, yt) = cue_problem(3000, 22, 0.7);
        let nbsvm = fit_on(&NbSvmParams::default().check().unwrap(), &x, &y).unwrap();
        let svm = fit_on(&LinearSvmParams::default().check().unwrap(), &x, &y).unwrap();
        let (a, b) = (accuracy(&nbsvm, &xt, &yt), accuracy(&svm, &xt, &yt));
        // Measured: 0.560 against 0.462 (chance is 1/3).
        assert!(a >= b + 0.05, "nbsvm {a} against svm {b}");
    }

    #[test]
    fn beta_one_is_the_svm_on_scaled_rows_and_zero_is_naive_bayes() {
        let (x, y) = sparse_problem(300, 40, 3, 0.2, 13);
        let svm = LinearSvmParams::default().eps(1e-9).max_iterations(100_000);
        let p = NbSvmParams::default().beta(1.0).svm(svm.clone());
        let m = fit_on(&p.check().unwrap(), &x, &y).unwrap();
        let (counts, _) = feature_counts(&x, &y);
        for c in 0..3 {
            // The SVM on an explicitly scaled copy of the rows.
            let r = log_count_ratio(&counts, c, 1.0);
            let mut xs = CsrMatrix::new(x.n_cols());
            for i in 0..x.n_rows() {
                let (cols, vals) = x.row(i);
                xs.push_row(cols.iter().zip(vals).map(|(&j, &v)| (j, v * r[j as usize])));
            }
            let s = solve::<false>(&xs, &y, c, &[], &svm);
            for (j, w) in s.w.iter().enumerate() {
                assert!(
                    (w * r[j] - m.weights[c][j]).abs() < 1e-6,
                    "class {c} feature {j}"
                );
            }
            assert!((s.w_bias - m.intercept[c]).abs() < 1e-6);
        }
        // β = 0: every weight is w̄ rⱼ, so the weights rank the features as
        // the log-count ratios do.
        let m = fit_on(&NbSvmParams::default().beta(0.0).check().unwrap(), &x, &y).unwrap();
        for c in 0..3 {
            let r = log_count_ratio(&counts, c, 1.0);
            let k = m.weights[c][0] / r[0];
            assert!(k > 0.0);
            for (w, r) in m.weights[c].iter().zip(&r) {
                assert!((w - k * r).abs() < 1e-12 * k.max(1.0));
            }
        }
    }

    #[test]
    fn log_count_ratio_by_hand() {
        // Feature 0 in both favor rows, feature 1 in the against row.
        let mut x = CsrMatrix::new(2);
        x.push_row([(0, 0.5)]);
        x.push_row([(0, 2.0), (1, 0.0)]);
        x.push_row([(1, 1.0)]);
        let y = [Favor, Favor, Against];
        let (counts, rows) = feature_counts(&x, &y);
        assert_eq!(counts[0], [2, 0]);
        assert_eq!(counts[1], [0, 1]);
        assert_eq!(rows, [2, 1, 0]);
        // p = (3, 1), q = (1, 2): r = ln((3/4) / (1/3)), ln((1/4) / (2/3)).
        let r = log_count_ratio(&counts, 0, 1.0);
        assert!((r[0] - (0.75f64 / (1.0 / 3.0)).ln()).abs() < 1e-12);
        assert!((r[1] - (0.25f64 / (2.0 / 3.0)).ln()).abs() < 1e-12);
    }

    #[test]
    fn same_bytes_for_any_number_of_threads() {
        let (x, y) = sparse_problem(3000, 400, 3, 0.2, 14);
        let p = NbSvmParams::default().check().unwrap();
        let fit = |t| {
            let m = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
                .install(|| fit_on(&p, &x, &y).unwrap());
            serde_json::to_string(&m).unwrap()
        };
        let one = fit(1);
        assert_eq!(fit(2), one);
        assert_eq!(fit(5), one);
        assert_eq!(fit(1), one);
    }

    #[test]
    fn toy_single_class_two_classes_and_an_all_zero_row() {
        let (x, y) = toy_problem();
        let p = NbSvmParams::default().c(10.0).check().unwrap();
        let m = fit_on(&p, &x, &y).unwrap();
        assert_eq!(predict_rows(&m, &x), y);
        let one = fit_on(&p, &x.select_rows(&[4, 5]), &y[4..]).unwrap();
        assert_eq!(one.present, [false, false, true]);
        assert!(predict_rows(&one, &x).iter().all(|s| *s == None));
        let two = fit_on(&p, &x.select_rows(&[0, 1, 2, 3]), &y[..4]).unwrap();
        assert!(two.weights[0]
            .iter()
            .zip(&two.weights[1])
            .all(|(a, b)| *a == -*b));
        assert_eq!(predict_rows(&two, &x.select_rows(&[0, 1, 2, 3])), &y[..4]);
        let mut z = x.clone();
        z.push_row(std::iter::empty());
        let mut yz = y.clone();
        yz.push(None);
        let m = fit_on(&p, &z, &yz).unwrap();
        assert!(m.validate(3).is_ok());
        assert_eq!(m.scores(&z, 6), m.intercept);
    }

    #[test]
    fn refuses_bad_settings() {
        for (p, name) in [
            (NbSvmParams::default().alpha(0.0), "nbsvm alpha"),
            (NbSvmParams::default().alpha(f64::NAN), "nbsvm alpha"),
            (NbSvmParams::default().alpha(f64::INFINITY), "nbsvm alpha"),
            (NbSvmParams::default().beta(-0.1), "nbsvm beta"),
            (NbSvmParams::default().beta(1.5), "nbsvm beta"),
            (NbSvmParams::default().beta(f64::NAN), "nbsvm beta"),
            (NbSvmParams::default().c(0.0), "nbsvm c"),
            (
                NbSvmParams::default().svm(LinearSvmParams::default().bias(-1.0)),
                "nbsvm bias",
            ),
            (
                NbSvmParams::default().svm(LinearSvmParams::default().max_iterations(0)),
                "nbsvm max_iterations",
            ),
        ] {
            let e = p.check().unwrap_err();
            assert!(
                e.to_string()
                    .starts_with(&format!("invalid setting {name}: ")),
                "{e}"
            );
        }
        let p = NbSvmParams::default().check().unwrap();
        let g = p.strengths().unwrap().unwrap();
        assert_eq!(g.len(), 4);
        assert_eq!(g[0].0, "c=0.01");
        assert_eq!(g[0].1.params().svm.c, 0.01);
        let e = fit_on(&p, &CsrMatrix::new(2), &[]).unwrap_err();
        assert!(e.to_string().contains("no training examples"), "{e}");
        fn is<T: Send + Sync>() {}
        is::<ValidNbSvmParams>();
    }
}
