//! `svm`: a linear support vector machine fitted on the sparse rows by dual
//! coordinate descent, the LIBLINEAR algorithm (Hsieh, Chang, Lin, Keerthi
//! & Sundararajan 2008, "A Dual Coordinate Descent Method for Large-scale
//! Linear SVM": coordinate descent on the dual in a random order, with
//! shrinking, as LIBLINEAR's `solve_l2r_l1l2_svc` implements it), one
//! versus the rest over the classes seen in training.
//!
//! # Problem
//!
//! Each row gets a constant feature of value `bias` (`B`) appended, with
//! its own weight `w_B`; the decision value is `f(x) = w·x + b` with the
//! intercept `b = B·w_B`. For one class against the others
//! (`yᵢ = +1` for the class, `−1` for the rest) the primal problem is
//!
//! ```text
//! min  ½ (‖w‖² + w_B²) + C Σᵢ ℓ(yᵢ f(xᵢ))
//! ℓ(m) = max(0, 1 − m)²   (loss = squared-hinge, L2-loss: LinearSVC's default)
//! ℓ(m) = max(0, 1 − m)    (loss = hinge, L1-loss: the libsvm / linfa-svm loss)
//! ```
//!
//! so the intercept **is regularised**, by `b² / (2B²)`, as in LIBLINEAR
//! and scikit-learn's `LinearSVC` (whose `intercept_scaling` is our `B`): a
//! larger `bias` penalises the intercept less, and `bias = 0` fits no
//! intercept. (linfa-svm and libsvm leave the intercept unpenalised; with a
//! large `bias` the two problems agree, which the tests use.)
//!
//! # Algorithm
//!
//! The dual `min_α ½ αᵀ(Q + D)α − Σᵢ αᵢ` subject to `0 ≤ αᵢ ≤ U`, with
//! `Qᵢⱼ = yᵢyⱼ x̃ᵢ·x̃ⱼ` over the rows with the bias feature, `D = 0`,
//! `U = C` for the hinge loss and `D = I/(2C)`, `U = ∞` for the squared
//! hinge, is minimised one coordinate at a time while `w = Σᵢ αᵢyᵢx̃ᵢ` is
//! kept up to date: a coordinate step costs two passes over one sparse row
//! (its gradient `Gᵢ = yᵢ w·x̃ᵢ − 1 + Dᵢᵢαᵢ`, then `w += Δαᵢ yᵢ x̃ᵢ`). Every
//! outer pass visits the active coordinates in a fresh random order drawn
//! from [`crate::rng::Rng`] seeded with `seed`, so a fit is the same bytes
//! in every run. **Shrinking** (LIBLINEAR): a coordinate at a bound whose
//! gradient points out of the box by more than the largest projected
//! gradient of the previous pass is dropped from the following passes;
//! when the remaining ones have converged, every coordinate is checked
//! again before stopping.
//!
//! # Convergence
//!
//! A pass has converged when its projected gradients `PGᵢ` (the gradient,
//! zeroed where it points out of the box at a bound) satisfy
//! `max(0, maxᵢ PGᵢ) − min(0, minᵢ PGᵢ) ≤ eps`, so every `|PGᵢ| ≤ eps`
//! (the rule of recent LIBLINEAR releases), and the fit stops at the first such pass over
//! **all** coordinates. `eps` is in margin units: every training row's
//! margin condition then holds to within `eps`.
//!
//! `eps` defaults to `0.001`, between LIBLINEAR's `0.1` (its default for
//! the dual SVM solvers, `train -s 1` / `-s 3`) and the `tol = 1e-4` that
//! scikit-learn's `LinearSVC` passes to the same solver. At `0.1` the
//! stopping point is loose enough to depend on the coordinate order: on
//! the 88 hand-labelled quotes (`compare`, leave one article out) the
//! out-of-fold macro-F1 was 0.5299 with seeds 0 and 1 but 0.5159 with
//! seed 2; from `0.01` down every seed gives 0.5159. On 30,000 news
//! sentences with (1,2)-grams, two seeds predicted 10,000 held-out rows
//! identically from `0.001` down for both losses and `c` 1 and 10 (the
//! hinge loss at `0.1` and `0.01` still differed on one or two rows).
//! The price is more passes: 28 instead of 12 at `c = 1` with the squared
//! hinge, about 150 to 220 at `c = 10` or with the hinge loss.
//!
//! If `max_iterations` passes (default `1000`, as `LinearSVC`'s `max_iter`)
//! end without convergence, the fit is an **error**, not a model, as for
//! `logreg`: LIBLINEAR and `LinearSVC` only warn, but the library has no
//! channel for warnings and a report row must not silently come from an
//! unfinished fit. For `compare` this means a run fails loudly rather than
//! scoring a half-fitted `svm`; `compare --grid` skips the grid point. The
//! error names the class, the spread reached and what to change (raise
//! `max_iterations` or `eps`, lower `c`). With the defaults on TF-IDF rows
//! (L2-normalised, so `‖xᵢ‖ = 1`) the squared hinge converges in tens of
//! passes; the hinge loss and large `c` are the slow cases (a few hundred).
//!
//! # Classes and probabilities
//!
//! One binary problem per class present in training (each class against
//! the others), solved in parallel with rayon; each problem runs
//! sequentially with its own generator, so the weights do not depend on the
//! number of threads. With exactly two classes the second problem is the
//! mirror image of the first (`w₂ = −w₁`, `b₂ = −b₁`), so only the first is
//! solved, as LIBLINEAR does. With one class the model predicts it. The
//! probabilities are the **softmax of the decision values**
//! ([`Scoring::Softmax`]): they rank the classes as the SVM does but are
//! not calibrated (no Platt scaling), so read them as scores.
//!
//! # Memory
//!
//! The rows are read in place (never densified or copied): `O(nnz)` for
//! the input, plus per problem solved at once `αᵢ`, `Qᵢᵢ` and the visiting
//! order (`24 n` bytes) and `w` (`8 (features + 1)` bytes), plus the
//! returned model (`3 × 8 × features` bytes): `O(nnz + n + features ×
//! classes)`.
//!
//! # Settings
//!
//! | setting | default | meaning | valid range |
//! |---|---|---|---|
//! | `c` | `1.0` | penalty `C` on the training losses (larger: fit the training rows harder) | finite, `> 0` |
//! | `loss` | `squared-hinge` | `squared-hinge` (L2-loss) or `hinge` (L1-loss) | either |
//! | `bias` | `1.0` | value `B` of the constant feature; the intercept is penalised by `b²/(2B²)`; `0` fits no intercept | finite, `≥ 0` |
//! | `eps` | `0.001` | stop when every projected gradient is within `eps` (see above) | finite, `> 0` |
//! | `max_iterations` | `1000` | outer passes before the fit is refused as unconverged | `≥ 1` |
//! | `shrinking` | `true` | LIBLINEAR's shrinking of coordinates stuck at a bound | `true`, `false` |
//! | `seed` | `0` | seed of the coordinate order (part of the model's settings, not `compare --seed`) | any `u64` |

use linfa::traits::Fit;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};
use crate::rng::Rng;

use super::{present_classes, strength_grid, Dataset, FittedOf, Learner, LinearModel, Scoring};

const NAME: &str = "svm";

/// The penalties `c` tried by `--grid` and the SemEval tuning (`svm` and
/// `nbsvm`).
pub const CS: [f64; 4] = [0.01, 0.1, 1.0, 10.0];

/// The loss on the margins (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// `max(0, 1 − m)`: L1-loss, as libsvm and linfa-svm.
    Hinge,
    /// `max(0, 1 − m)²`: L2-loss, `LinearSVC`'s default.
    #[default]
    SquaredHinge,
}

/// Unchecked settings (see the module table).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinearSvmParams {
    /// Penalty on the training losses.
    pub c: f64,
    /// Loss on the margins.
    pub loss: Loss,
    /// Value of the constant feature giving the intercept.
    pub bias: f64,
    /// Stopping tolerance on the projected gradient.
    pub eps: f64,
    /// Limit on the outer passes.
    pub max_iterations: u64,
    /// Whether coordinates stuck at a bound are skipped.
    pub shrinking: bool,
    /// Seed of the coordinate order.
    pub seed: u64,
}

impl Default for LinearSvmParams {
    fn default() -> Self {
        LinearSvmParams {
            c: 1.0,
            loss: Loss::SquaredHinge,
            bias: 1.0,
            eps: 1e-3,
            max_iterations: 1000,
            shrinking: true,
            seed: 0,
        }
    }
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidLinearSvmParams(LinearSvmParams);

impl LinearSvmParams {
    /// Sets `c`.
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }

    /// Sets `loss`.
    pub fn loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// Sets `bias`.
    pub fn bias(mut self, bias: f64) -> Self {
        self.bias = bias;
        self
    }

    /// Sets `eps`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Sets `max_iterations`.
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }

    /// Sets `shrinking`.
    pub fn shrinking(mut self, on: bool) -> Self {
        self.shrinking = on;
        self
    }

    /// Sets `seed`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a `c` or `eps` that is not finite and
    /// `> 0`, a `bias` that is not finite and `≥ 0`, or
    /// `max_iterations = 0`.
    pub fn check(self) -> Result<ValidLinearSvmParams> {
        self.check_named(&SVM_NAMES)?;
        Ok(ValidLinearSvmParams(self))
    }

    /// The checks of [`LinearSvmParams::check`], with errors naming the
    /// settings as `names` says (`nbsvm` embeds these settings).
    pub(crate) fn check_named(&self, names: &SettingNames) -> Result<()> {
        for (name, v) in [(names.c, self.c), (names.eps, self.eps)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::param(name, format!("{v} must be finite and > 0")));
            }
        }
        if !(self.bias.is_finite() && self.bias >= 0.0) {
            return Err(Error::param(
                names.bias,
                format!("{} must be finite and >= 0", self.bias),
            ));
        }
        if self.max_iterations == 0 {
            return Err(Error::param(names.max_iterations, "must be at least 1"));
        }
        Ok(())
    }
}

/// How a model's errors name the linear SVM settings.
pub(crate) struct SettingNames {
    pub c: &'static str,
    pub eps: &'static str,
    pub bias: &'static str,
    pub max_iterations: &'static str,
}

const SVM_NAMES: SettingNames = SettingNames {
    c: "svm c",
    eps: "svm eps",
    bias: "svm bias",
    max_iterations: "svm max_iterations",
};

impl ValidLinearSvmParams {
    /// The settings.
    pub fn params(&self) -> &LinearSvmParams {
        &self.0
    }
}

/// How one binary problem ended.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryStats {
    /// The class separated from the others.
    pub class: Stance,
    /// Outer passes made.
    pub passes: u64,
    /// The projected-gradient spread of the last pass (`≤ eps` when
    /// converged).
    pub spread: f64,
    /// Rows with `αᵢ > 0` (support vectors).
    pub support_vectors: usize,
    /// The dual objective `½ αᵀ(Q + D)α − Σᵢ αᵢ` reached (minus the
    /// primal optimum at convergence).
    pub dual_objective: f64,
}

/// The solution of one binary problem.
#[derive(Debug, Clone)]
pub(crate) struct Solution {
    /// Weights over the features (in the scaled space when a column scale
    /// was given).
    pub w: Vec<f64>,
    /// Weight of the constant feature; the intercept is `bias × w_bias`.
    pub w_bias: f64,
    /// Dual variables, one per row.
    pub alpha: Vec<f64>,
    /// Outer passes made.
    pub passes: u64,
    /// Whether the last pass over every coordinate converged.
    pub converged: bool,
    /// Projected-gradient spread of the last pass.
    pub spread: f64,
}

impl Solution {
    fn stats(&self, class: usize, p: &LinearSvmParams) -> BinaryStats {
        let diag = diag_of(p);
        let ww: f64 = self.w.iter().map(|v| v * v).sum::<f64>() + self.w_bias * self.w_bias;
        let dual = 0.5 * ww
            + self
                .alpha
                .iter()
                .map(|a| 0.5 * diag * a * a - a)
                .sum::<f64>();
        BinaryStats {
            class: Stance::ALL[class],
            passes: self.passes,
            spread: self.spread,
            support_vectors: self.alpha.iter().filter(|a| **a > 0.0).count(),
            dual_objective: dual,
        }
    }
}

/// `Dᵢᵢ` of the dual (`1/(2C)` for the squared hinge, else 0).
fn diag_of(p: &LinearSvmParams) -> f64 {
    match p.loss {
        Loss::Hinge => 0.0,
        Loss::SquaredHinge => 0.5 / p.c,
    }
}

/// Checks a training set for the linear SVMs: as many labels as rows, at
/// least one row, finite values. Returns the classes present.
///
/// # Errors
/// [`Error::Fit`] naming `model`.
pub(crate) fn check_training(
    model: &str,
    x: &CsrMatrix,
    y: &[Stance],
) -> Result<[bool; N_CLASSES]> {
    if x.n_rows() != y.len() {
        return Err(Error::fit(
            model,
            format!("{} rows but {} labels", x.n_rows(), y.len()),
        ));
    }
    if y.is_empty() {
        return Err(Error::fit(model, "no training examples"));
    }
    if let Some(i) = (0..x.n_rows()).find(|&i| !x.row(i).1.iter().all(|v| v.is_finite())) {
        return Err(Error::fit(
            model,
            format!("row {} has a value that is not finite", i + 1),
        ));
    }
    Ok(present_classes(y))
}

/// The classes whose binary problems are solved: every present class, or
/// only the first of exactly two (the other's problem is its mirror image,
/// see [`mirror_two_classes`]); none for a single class.
pub(crate) fn problems(present: &[bool; N_CLASSES]) -> Vec<usize> {
    let classes: Vec<usize> = (0..N_CLASSES).filter(|&c| present[c]).collect();
    match classes.len() {
        0 | 1 => Vec::new(),
        2 => classes[..1].to_vec(),
        _ => classes,
    }
}

/// With exactly two present classes, sets the second's weights and
/// intercept to minus the first's (the first was solved).
pub(crate) fn mirror_two_classes(model: &mut LinearModel) {
    let classes: Vec<usize> = (0..N_CLASSES).filter(|&c| model.present[c]).collect();
    if let [a, b] = classes[..] {
        let w: Vec<f64> = model.weights[a].iter().map(|v| -v).collect();
        model.weights[b] = w;
        model.intercept[b] = -model.intercept[a];
    }
}

/// The error for a binary problem that did not converge.
pub(crate) fn unconverged(model: &str, class: usize, s: &Solution, p: &LinearSvmParams) -> Error {
    Error::fit(
        model,
        format!(
            "did not converge for class {}: projected-gradient spread {:.3e} > eps {} after \
             {} passes (raise max_iterations or eps, or lower c)",
            Stance::ALL[class],
            s.spread,
            p.eps,
            s.passes
        ),
    )
}

/// Solves the binary problem of `class` against the others by dual
/// coordinate descent (see the module doc). With `SCALED`, column `j` of
/// `x` is multiplied by `scale[j]` (the rows are not copied) and the
/// returned weights are over the scaled columns; without, `scale` is not
/// read.
///
/// Preconditions: `labels.len() == x.n_rows()`, `scale.len() ==
/// x.n_cols()` when `SCALED`, checked settings.
pub(crate) fn solve<const SCALED: bool>(
    x: &CsrMatrix,
    labels: &[Stance],
    class: usize,
    scale: &[f64],
    p: &LinearSvmParams,
) -> Solution {
    let n = x.n_rows();
    let diag = diag_of(p);
    let upper = match p.loss {
        Loss::Hinge => p.c,
        Loss::SquaredHinge => f64::INFINITY,
    };
    let bias = p.bias;
    let sign = |i: usize| -> f64 {
        if labels[i].index() == class {
            1.0
        } else {
            -1.0
        }
    };
    let col = |j: u32| -> f64 {
        if SCALED {
            scale[j as usize]
        } else {
            1.0
        }
    };
    // Qᵢᵢ + Dᵢᵢ. Zero only for an empty row without bias under the hinge
    // loss: the step below then moves αᵢ straight to its bound C (Gᵢ = −1).
    let qd: Vec<f64> = (0..n)
        .map(|i| {
            let (c, v) = x.row(i);
            let sq: f64 = c
                .iter()
                .zip(v)
                .map(|(&j, &v)| {
                    let u = v * col(j);
                    u * u
                })
                .sum();
            sq + bias * bias + diag
        })
        .collect();
    let mut w = vec![0.0; x.n_cols()];
    let mut w_bias = 0.0;
    let mut alpha = vec![0.0; n];
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(p.seed);
    let mut active = n;
    let (mut pg_max_old, mut pg_min_old) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut passes = 0;
    let mut spread = f64::INFINITY;
    let mut converged = false;
    while passes < p.max_iterations {
        // Counted from 0: max ≥ 0 ≥ min, so spread ≤ eps bounds every |PGᵢ|.
        let (mut pg_max, mut pg_min) = (0.0f64, 0.0f64);
        rng.shuffle(&mut order[..active]);
        let mut s = 0;
        while s < active {
            let i = order[s];
            if let Some(&next) = order[..active].get(s + 2) {
                // Touch the entries of the row two steps ahead now, so that
                // their cache misses overlap this row's work: rows come in
                // a random order, and at 100,000 rows they no longer fit in
                // cache (a fifth less time there; the result is the same).
                let (c, v) = x.row(next);
                std::hint::black_box((c.first(), v.first(), c.last(), v.last()));
            }
            let yi = sign(i);
            let (cols, vals) = x.row(i);
            let mut wx = w_bias * bias;
            for (&j, &v) in cols.iter().zip(vals) {
                wx += v * col(j) * w[j as usize];
            }
            let a = alpha[i];
            let g = yi * wx - 1.0 + diag * a;
            let mut pg = 0.0;
            if a == 0.0 {
                if p.shrinking && g > pg_max_old {
                    active -= 1;
                    order.swap(s, active);
                    continue;
                }
                if g < 0.0 {
                    pg = g;
                }
            } else if a == upper {
                if p.shrinking && g < pg_min_old {
                    active -= 1;
                    order.swap(s, active);
                    continue;
                }
                if g > 0.0 {
                    pg = g;
                }
            } else {
                pg = g;
            }
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let new = (a - g / qd[i]).max(0.0).min(upper);
                alpha[i] = new;
                let d = (new - a) * yi;
                for (&j, &v) in cols.iter().zip(vals) {
                    w[j as usize] += d * v * col(j);
                }
                w_bias += d * bias;
            }
            s += 1;
        }
        passes += 1;
        spread = pg_max - pg_min;
        if spread <= p.eps {
            if active == n {
                converged = true;
                break;
            }
            // The active coordinates have converged: check every one.
            active = n;
            pg_max_old = f64::INFINITY;
            pg_min_old = f64::NEG_INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
        pg_min_old = if pg_min >= 0.0 {
            f64::NEG_INFINITY
        } else {
            pg_min
        };
    }
    Solution {
        w,
        w_bias,
        alpha,
        passes,
        converged,
        spread,
    }
}

impl ValidLinearSvmParams {
    /// Fits and also returns how each binary problem ended (for tests,
    /// examples and benchmarks).
    ///
    /// # Errors
    /// As [`Fit::fit`].
    pub fn fit_with_stats(
        &self,
        x: &CsrMatrix,
        y: &[Stance],
    ) -> Result<(LinearModel, Vec<BinaryStats>)> {
        let p = &self.0;
        let present = check_training(NAME, x, y)?;
        let mut model = LinearModel::zeros(x.n_cols(), present, Scoring::Softmax);
        let solved: Vec<(usize, Solution)> = problems(&present)
            .into_par_iter()
            .map(|c| (c, solve::<false>(x, y, c, &[], p)))
            .collect();
        let mut stats = Vec::with_capacity(solved.len());
        for (c, s) in solved {
            if !s.converged {
                return Err(unconverged(NAME, c, &s, p));
            }
            stats.push(s.stats(c, p));
            model.intercept[c] = s.w_bias * p.bias;
            model.weights[c] = s.w;
        }
        mirror_two_classes(&mut model);
        Ok((model, stats))
    }
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidLinearSvmParams {
    type Object = LinearModel;

    fn fit(&self, data: &Dataset) -> Result<LinearModel> {
        Ok(self.fit_with_stats(&data.records, &data.targets)?.0)
    }
}

impl Learner for ValidLinearSvmParams {
    fn default_checked() -> Result<Self> {
        LinearSvmParams::default().check()
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

/// The primal objective `½ (‖w‖² + w_B²) + C Σᵢ ℓ(yᵢ f(xᵢ))` of the
/// problem of `class` against the others, for weights `w` and intercept
/// `b` (so `w_B = b / bias`; with `bias = 0`, `b` must be 0), to compare
/// fits. An infinite `bias` (not a valid setting) leaves the intercept
/// unpenalised, as in libsvm and linfa-svm.
pub fn primal_objective(
    w: &[f64],
    b: f64,
    x: &CsrMatrix,
    labels: &[Stance],
    class: Stance,
    p: &LinearSvmParams,
) -> f64 {
    let w_b = if p.bias > 0.0 { b / p.bias } else { 0.0 };
    let reg = 0.5 * (w.iter().map(|v| v * v).sum::<f64>() + w_b * w_b);
    let loss: f64 = labels
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = if *s == class { 1.0 } else { -1.0 };
            let slack = (1.0 - y * (x.row_dot(i, w) + b)).max(0.0);
            match p.loss {
                Loss::Hinge => slack,
                Loss::SquaredHinge => slack * slack,
            }
        })
        .sum();
    reg + p.c * loss
}

#[cfg(test)]
/// A seeded random sparse problem: each row has one feature of its
/// class's block and three random ones, L2-normalised; `flip` of the
/// labels are redrawn at random (so the classes overlap).
pub(crate) fn sparse_problem(
    n: usize,
    d: usize,
    classes: usize,
    flip: f64,
    seed: u64,
) -> (CsrMatrix, Vec<Stance>) {
    let mut rng = Rng::new(seed);
    let mut x = CsrMatrix::new(d);
    let mut y = Vec::new();
    for _ in 0..n {
        let c = rng.below(classes);
        let mut cols: Vec<u32> = (0..4)
            .map(|t| {
                if t == 0 {
                    ((c * 3 + rng.below(3)) % d) as u32
                } else {
                    rng.below(d) as u32
                }
            })
            .collect();
        cols.sort_unstable();
        cols.dedup();
        let vals: Vec<f64> = cols.iter().map(|_| 0.5 + rng.unit()).collect();
        let norm = vals.iter().map(|v| v * v).sum::<f64>().sqrt();
        x.push_row(cols.into_iter().zip(vals.into_iter().map(|v| v / norm)));
        let label = if rng.unit() < flip {
            rng.below(classes)
        } else {
            c
        };
        y.push(Stance::ALL[label]);
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{fit_on, predict_rows, toy_problem};
    use linfa::DatasetBase;
    use linfa_svm::Svm;
    use ndarray::Array1;
    use Stance::*;

    /// The KKT conditions of the dual at `s` to within `tol`: every
    /// projected gradient, recomputed from scratch, is at most `tol`.
    fn max_violation(
        s: &Solution,
        x: &CsrMatrix,
        y: &[Stance],
        c: usize,
        p: &LinearSvmParams,
    ) -> f64 {
        let diag = diag_of(p);
        let upper = if p.loss == Loss::Hinge {
            p.c
        } else {
            f64::INFINITY
        };
        let mut worst: f64 = 0.0;
        for (i, label) in y.iter().enumerate() {
            let yi = if label.index() == c { 1.0 } else { -1.0 };
            let a = s.alpha[i];
            assert!((0.0..=upper).contains(&a), "alpha {a} outside [0, {upper}]");
            let g = yi * (x.row_dot(i, &s.w) + s.w_bias * p.bias) - 1.0 + diag * a;
            let pg = if a == 0.0 {
                g.min(0.0)
            } else if a == upper {
                g.max(0.0)
            } else {
                g
            };
            worst = worst.max(pg.abs());
        }
        worst
    }

    #[test]
    fn matches_linfa_svm_on_the_hinge_loss() {
        // linfa-svm solves the hinge-loss SVM with an unpenalised intercept:
        // P(w, b) = ½‖w‖² + C Σ max(0, 1 − yᵢ(w·xᵢ + b)). Ours penalises the
        // intercept by b²/(2B²). With B = 10 our optimum (w*, b*) is close:
        // for linfa's optimum (ŵ, b̂), P(ŵ, b̂) ≤ P(w*, b*) ≤ P(w*, b*) +
        // b*²/(2B²) ≤ P(ŵ, b̂) + b̂²/(2B²), so the objective gap in linfa's
        // formulation is at most b̂²/(2B²) plus both solvers' tolerances.
        for (n, d, classes, flip, seed, c) in [
            (40, 10, 2, 0.0, 1, 1.0),
            (60, 12, 3, 0.2, 2, 1.0),
            (80, 20, 3, 0.3, 3, 0.5),
            (50, 15, 3, 0.1, 4, 10.0),
        ] {
            let (x, y) = sparse_problem(n, d, classes, flip, seed);
            let p = LinearSvmParams::default()
                .loss(Loss::Hinge)
                .c(c)
                .bias(10.0)
                .eps(1e-6)
                .max_iterations(1_000_000)
                .check()
                .unwrap();
            let (m, _) = p.fit_with_stats(&x, &y).unwrap();
            let dense = x.to_dense();
            for class in (0..classes).map(|k| Stance::ALL[k]) {
                let k = class.index();
                let targets = Array1::from_iter(y.iter().map(|s| *s == class));
                let lm = Svm::<f64, bool>::params()
                    .pos_neg_weights(c, c)
                    .linear_kernel()
                    .eps(1e-9)
                    .fit(&DatasetBase::new(dense.clone(), targets))
                    .unwrap();
                let mut w = vec![0.0; d];
                for (i, &a) in lm.alpha.iter().enumerate() {
                    let (cols, vals) = x.row(i);
                    for (&j, &v) in cols.iter().zip(vals) {
                        w[j as usize] += a * v;
                    }
                }
                let b = -lm.rho;
                // Both objectives in linfa's formulation (bias unpenalised).
                let unpenalised = p.params().clone().bias(f64::INFINITY);
                let theirs = primal_objective(&w, b, &x, &y, class, &unpenalised);
                let ours =
                    primal_objective(&m.weights[k], m.intercept[k], &x, &y, class, &unpenalised);
                let bound = b * b / (2.0 * 100.0);
                assert!(
                    ours - theirs <= bound + 1e-6 * theirs && theirs - ours <= 1e-6 * theirs,
                    "n={n} class={class}: ours {ours} theirs {theirs} bound {bound}"
                );
                assert!(
                    (ours - theirs).abs() <= 1e-4 * theirs,
                    "n={n} class={class}: ours {ours} theirs {theirs}"
                );
                // Same sign of the decision value on every training row
                // that is not on the margin boundary.
                for i in 0..n {
                    let f_ours = x.row_dot(i, &m.weights[k]) + m.intercept[k];
                    let f_theirs = x.row_dot(i, &w) + b;
                    if f_theirs.abs() > 1e-3 {
                        assert_eq!(
                            f_ours > 0.0,
                            f_theirs > 0.0,
                            "row {i}: {f_ours} vs {f_theirs}"
                        );
                    }
                }
            }
            if classes == 3 {
                // Same predicted classes (argmax of the decision values).
                let svm_smo = crate::models::svm::SvmParams {
                    c,
                    eps: 1e-9,
                    ..Default::default()
                }
                .check()
                .unwrap();
                let theirs = fit_on(&svm_smo, &x, &y).unwrap();
                assert_eq!(predict_rows(&m, &x), predict_rows(&theirs, &x), "n={n}");
            }
        }
    }

    #[test]
    fn kkt_conditions_and_zero_duality_gap() {
        let (x, y) = sparse_problem(300, 60, 3, 0.2, 5);
        for (loss, c, shrinking) in [
            (Loss::SquaredHinge, 1.0, true),
            (Loss::SquaredHinge, 0.1, false),
            (Loss::Hinge, 1.0, true),
            (Loss::Hinge, 10.0, false),
        ] {
            let p = LinearSvmParams::default()
                .loss(loss)
                .c(c)
                .shrinking(shrinking)
                .eps(1e-6)
                .max_iterations(100_000)
                .check()
                .unwrap();
            for class in 0..3 {
                let s = solve::<false>(&x, &y, class, &[], p.params());
                assert!(s.converged);
                assert!(max_violation(&s, &x, &y, class, p.params()) <= 1e-6);
                // w is Σ αᵢyᵢx̃ᵢ (kept up to date, not drifted).
                let mut w = vec![0.0; x.n_cols()];
                let mut wb = 0.0;
                for (i, label) in y.iter().enumerate() {
                    let yi = if label.index() == class { 1.0 } else { -1.0 };
                    let (cols, vals) = x.row(i);
                    for (&j, &v) in cols.iter().zip(vals) {
                        w[j as usize] += s.alpha[i] * yi * v;
                    }
                    wb += s.alpha[i] * yi * p.params().bias;
                }
                assert!(w.iter().zip(&s.w).all(|(a, b)| (a - b).abs() < 1e-9));
                assert!((wb - s.w_bias).abs() < 1e-9);
                // Duality gap: P(w) + D(α) ≥ 0, and ≈ 0 at the optimum.
                let primal = primal_objective(
                    &s.w,
                    s.w_bias * p.params().bias,
                    &x,
                    &y,
                    Stance::ALL[class],
                    p.params(),
                );
                let dual = s.stats(class, p.params()).dual_objective;
                let gap = primal + dual;
                assert!(gap >= -1e-9 * primal, "{loss:?}: gap {gap}");
                assert!(
                    gap <= 1e-5 * primal,
                    "{loss:?} c={c}: gap {gap} of {primal}"
                );
            }
        }
    }

    #[test]
    fn default_fit_is_near_optimal_and_shrinking_changes_little() {
        let (x, y) = sparse_problem(500, 80, 3, 0.2, 6);
        let tight = LinearSvmParams::default().eps(1e-8).max_iterations(100_000);
        let exact = tight
            .clone()
            .check()
            .unwrap()
            .fit_with_stats(&x, &y)
            .unwrap();
        let unshrunk = tight
            .shrinking(false)
            .check()
            .unwrap()
            .fit_with_stats(&x, &y)
            .unwrap();
        for (a, b) in exact
            .0
            .weights
            .iter()
            .flatten()
            .zip(unshrunk.0.weights.iter().flatten())
        {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
        let (m, stats) = LinearSvmParams::default()
            .check()
            .unwrap()
            .fit_with_stats(&x, &y)
            .unwrap();
        assert_eq!(stats.len(), 3);
        for (s, e) in stats.iter().zip(&exact.1) {
            assert!(s.spread <= 1e-3 && s.passes < 100, "{s:?}");
            // The primal optimum is −D(α*); the default stop is close to it.
            let k = s.class.index();
            let p = LinearSvmParams::default();
            let primal = primal_objective(&m.weights[k], m.intercept[k], &x, &y, s.class, &p);
            assert!(
                primal + e.dual_objective <= 1e-4 * primal,
                "{primal} vs {}",
                -e.dual_objective
            );
        }
    }

    #[test]
    fn same_bytes_for_any_number_of_threads_and_run() {
        let (x, y) = sparse_problem(3000, 400, 3, 0.2, 7);
        let p = LinearSvmParams::default().check().unwrap();
        let fit = |t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
                .install(|| fit_on(&p, &x, &y).unwrap())
        };
        let one = fit(1);
        let bytes = serde_json::to_string(&one).unwrap();
        assert_eq!(serde_json::to_string(&fit(2)).unwrap(), bytes);
        assert_eq!(serde_json::to_string(&fit(5)).unwrap(), bytes);
        assert_eq!(serde_json::to_string(&fit(1)).unwrap(), bytes);
        // Another seed visits the coordinates in another order: another
        // (equally valid) stopping point.
        let other = fit_on(&LinearSvmParams::default().seed(1).check().unwrap(), &x, &y).unwrap();
        assert_ne!(other, one);
    }

    #[test]
    fn separates_the_toy_and_mirrors_two_classes() {
        let (x, y) = toy_problem();
        let m = fit_on(&LinearSvmParams::default().c(10.0).check().unwrap(), &x, &y).unwrap();
        assert_eq!(predict_rows(&m, &x), y);
        let p = m.proba(&x);
        assert!(p
            .iter()
            .all(|r| (r.iter().sum::<f64>() - 1.0).abs() < 1e-12));
        // Two classes: one problem, the other class is its mirror image.
        let (x2, y2) = (x.select_rows(&[0, 1, 2, 3]), &y[..4]);
        let (m, stats) = LinearSvmParams::default()
            .check()
            .unwrap()
            .fit_with_stats(&x2, y2)
            .unwrap();
        assert_eq!(stats.len(), 1);
        assert_eq!(m.present, [true, true, false]);
        assert!(m.weights[0]
            .iter()
            .zip(&m.weights[1])
            .all(|(a, b)| *a == -*b));
        assert_eq!(m.intercept[0], -m.intercept[1]);
        assert_eq!(predict_rows(&m, &x2), y2);
    }

    #[test]
    fn single_class_and_an_all_zero_row() {
        let (x, y) = toy_problem();
        let p = LinearSvmParams::default().check().unwrap();
        let m = fit_on(&p, &x.select_rows(&[2, 3]), &y[2..4]).unwrap();
        assert_eq!(m.present, [false, true, false]);
        assert!(predict_rows(&m, &x).iter().all(|s| *s == Against));
        // An all-zero row is fitted through the intercept alone, for both
        // losses, with and without a bias feature.
        let mut z = x.clone();
        z.push_row(std::iter::empty());
        let mut yz = y.clone();
        yz.push(None);
        for loss in [Loss::SquaredHinge, Loss::Hinge] {
            for bias in [1.0, 0.0] {
                let p = LinearSvmParams::default().loss(loss).bias(bias).c(10.0);
                let m = fit_on(&p.check().unwrap(), &z, &yz).unwrap();
                assert!(m.validate(3).is_ok());
                let s = m.scores(&z, 6);
                assert_eq!(s, m.intercept, "{loss:?} bias {bias}");
                if bias == 0.0 {
                    assert_eq!(m.intercept, [0.0; 3]);
                }
            }
        }
    }

    #[test]
    fn refuses_bad_settings_data_and_unconverged_fits() {
        let bad = [
            LinearSvmParams::default().c(0.0),
            LinearSvmParams::default().c(-1.0),
            LinearSvmParams::default().c(f64::NAN),
            LinearSvmParams::default().c(f64::INFINITY),
            LinearSvmParams::default().eps(0.0),
            LinearSvmParams::default().eps(f64::NAN),
            LinearSvmParams::default().bias(-1.0),
            LinearSvmParams::default().bias(f64::INFINITY),
            LinearSvmParams::default().max_iterations(0),
        ];
        for p in bad {
            let e = p.clone().check().unwrap_err();
            assert!(matches!(e, Error::InvalidParam { .. }), "{p:?}: {e}");
            assert!(e.to_string().starts_with("invalid setting svm "), "{e}");
        }
        assert!(LinearSvmParams::default().bias(0.0).check().is_ok());
        let e = LinearSvmParams::default().c(0.0).check().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid setting svm c: 0 must be finite and > 0"
        );

        let p = LinearSvmParams::default().check().unwrap();
        let (x, y) = toy_problem();
        let e = fit_on(&p, &x, &y[..5]).unwrap_err();
        assert!(e.to_string().contains("6 rows but 5 labels"), "{e}");
        let e = fit_on(&p, &CsrMatrix::new(3), &[]).unwrap_err();
        assert!(e.to_string().contains("no training examples"), "{e}");
        let mut nan = CsrMatrix::new(3);
        nan.push_row([(0, 1.0)]);
        nan.push_row([(1, f64::NAN)]);
        let e = fit_on(&p, &nan, &[Favor, Against]).unwrap_err();
        assert!(
            e.to_string()
                .contains("row 2 has a value that is not finite"),
            "{e}"
        );

        let (x, y) = sparse_problem(300, 60, 3, 0.3, 8);
        let once = LinearSvmParams::default()
            .loss(Loss::Hinge)
            .c(100.0)
            .eps(1e-6)
            .max_iterations(2)
            .check()
            .unwrap();
        let e = fit_on(&once, &x, &y).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("model svm: did not converge for class favor"),
            "{e}"
        );
        assert!(e.to_string().contains("after 2 passes"), "{e}");
    }

    #[test]
    fn grid_and_autotraits() {
        let p = LinearSvmParams::default().check().unwrap();
        let g = p.strengths().unwrap().unwrap();
        let labels: Vec<&str> = g.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["c=0.01", "c=0.1", "c=1", "c=10"]);
        assert_eq!(g[3].1.params().c, 10.0);
        fn is<T: Send + Sync>() {}
        is::<ValidLinearSvmParams>();
        is::<BinaryStats>();
    }
}
