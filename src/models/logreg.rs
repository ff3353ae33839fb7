//! `logreg`: multinomial logistic regression fitted on the sparse rows
//! directly, by our own L-BFGS, so that memory follows the non-zeros.
//!
//! It minimises linfa-logistic's objective (`logreg-dense`,
//! [`super::logreg_dense`]):
//! `Σᵢ −log softmax(xᵢW + b)[yᵢ] + α/2 ‖W‖²`, intercept unpenalised, over
//! the classes present in training, and applies the same convergence rule:
//! the L2 norm of the gradient at the returned parameters must be at most
//! `max_grad_norm` per training row, else the fit is an error rather than
//! a model. Both tolerances are per row (the objective is a sum over the
//! rows, so its gradient grows with them): L-BFGS stops when
//! `‖∇‖ ≤ gradient_tolerance · n`, as scikit-learn's `lbfgs` stops on the
//! gradient of its mean loss (`tol = 1e-4`, on the largest component,
//! which is at most our L2 norm). At the default `1e-4` the objective is
//! within about 3e-6 (relative) of its minimum on 24,000 news sentences,
//! in a quarter of the iterations a fixed `1e-5` needed (22 against 90);
//! `1e-5` gives 35 iterations and 1e-8.
//!
//! Each function evaluation is two parallel passes: rows (`xᵢW + b`, the
//! loss and the residuals `pᵢ − onehot(yᵢ)`) and columns (`Xᵀ residuals`,
//! through a transposed copy of `X`). Every sum is reduced over fixed-size
//! blocks in a fixed order, so the fitted weights do not depend on the
//! number of threads. Memory: two copies of the non-zeros, plus
//! `2 × memory + 6` vectors of `n_features × n_classes` floats.
//!
//! **Warm starts.** [`Learner::fit_path`] fits several `alpha`s on one data
//! set from the largest (strongest penalty, fewest iterations) to the
//! smallest, each L-BFGS run starting from the previous solution instead
//! of zero, and builds the transposed copy once. The objective is strictly
//! convex, so a warm-started fit reaches the same minimum as a cold one;
//! both stop at the same gradient tolerance, so their weights differ by at
//! most about `gradient_tolerance · n / alpha` (tested).
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `alpha` | `1.0` | L2 penalty on the weights (not the intercept), `> 0` |
//! | `max_iterations` | `500` | L-BFGS iterations, `≥ 1` |
//! | `gradient_tolerance` | `1e-4` | stop when the gradient norm is at most this times the rows, `> 0` |
//! | `max_grad_norm` | `1e-3` | largest gradient norm per row accepted after the fit, `≥ gradient_tolerance` |
//! | `memory` | `10` | L-BFGS correction pairs, `≥ 1` |
//!
//! Model files written before `logreg` was the sparse fit (it was then
//! linfa's dense fit of the same objective) still load: the settings'
//! missing `memory` takes its default, and the fitted [`LinearModel`] is
//! the same type.

use std::collections::VecDeque;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use linfa::traits::Fit;

use super::linear::softmax;
use super::{present_classes, strength_grid, Dataset, FittedOf, Learner, LinearModel, Scoring};

const NAME: &str = "logreg";

/// The L2 strengths tried by `--grid` and the SemEval tuning, in grid order
/// (the same for every logistic regression).
pub const ALPHAS: [f64; 4] = [0.01, 0.1, 1.0, 10.0];
/// Rows per block of the row pass.
const ROW_BLOCK: usize = 1024;
/// Entries per block of vector reductions and updates.
const VEC_BLOCK: usize = 1 << 14;

/// Unchecked settings (see the module table). Settings missing from a
/// model file take their defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LogRegParams {
    /// L2 penalty.
    pub alpha: f64,
    /// L-BFGS iteration limit.
    pub max_iterations: u64,
    /// Stopping rule on the gradient norm.
    pub gradient_tolerance: f64,
    /// Largest accepted gradient norm after fitting.
    pub max_grad_norm: f64,
    /// L-BFGS history length.
    pub memory: usize,
}

impl Default for LogRegParams {
    fn default() -> Self {
        LogRegParams {
            alpha: 1.0,
            max_iterations: 500,
            gradient_tolerance: 1e-4,
            max_grad_norm: 1e-3,
            memory: 10,
        }
    }
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidLogRegParams(LogRegParams);

impl LogRegParams {
    /// Sets `alpha`.
    pub fn alpha(mut self, a: f64) -> Self {
        self.alpha = a;
        self
    }

    /// Sets `max_iterations`.
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a non-positive or non-finite value,
    /// `max_grad_norm < gradient_tolerance` or `memory = 0`.
    pub fn check(self) -> Result<ValidLogRegParams> {
        let pos = |v: f64| v.is_finite() && v > 0.0;
        if !pos(self.alpha) {
            return Err(Error::param(
                "logreg alpha",
                format!("{} must be finite and > 0", self.alpha),
            ));
        }
        if self.max_iterations == 0 {
            return Err(Error::param("logreg max_iterations", "must be at least 1"));
        }
        if self.memory == 0 {
            return Err(Error::param("logreg memory", "must be at least 1"));
        }
        if !pos(self.gradient_tolerance)
            || !pos(self.max_grad_norm)
            || self.max_grad_norm < self.gradient_tolerance
        {
            return Err(Error::param(
                "logreg tolerances",
                "expected 0 < gradient_tolerance <= max_grad_norm",
            ));
        }
        Ok(ValidLogRegParams(self))
    }
}

impl ValidLogRegParams {
    /// The settings.
    pub fn params(&self) -> &LogRegParams {
        &self.0
    }
}

/// Column-major copy of a CSR matrix.
struct Csc {
    indptr: Vec<usize>,
    rows: Vec<u32>,
    values: Vec<f64>,
}

impl Csc {
    fn of(x: &CsrMatrix) -> Csc {
        let d = x.n_cols();
        let mut indptr = vec![0usize; d + 1];
        for i in 0..x.n_rows() {
            for &j in x.row(i).0 {
                indptr[j as usize + 1] += 1;
            }
        }
        for j in 0..d {
            indptr[j + 1] += indptr[j];
        }
        let mut next = indptr[..d].to_vec();
        let mut rows = vec![0u32; x.nnz()];
        let mut values = vec![0.0; x.nnz()];
        for i in 0..x.n_rows() {
            let (c, v) = x.row(i);
            for (&j, &val) in c.iter().zip(v) {
                let p = &mut next[j as usize];
                // Row counts fit in u32: the featurizer's rows are indexed by u32 too.
                rows[*p] = u32::try_from(i).expect("fewer than 2^32 rows");
                values[*p] = val;
                *p += 1;
            }
        }
        Csc {
            indptr,
            rows,
            values,
        }
    }
}

/// One training set, shared by the fits of a path: the rows, their
/// transposed copy, the classes, and each column's sum of squares.
struct Problem<'a> {
    x: &'a CsrMatrix,
    xt: Csc,
    /// Class of each row, as an index among the present classes.
    y: Vec<usize>,
    /// The present classes, in [`Stance::ALL`] order.
    classes: Vec<usize>,
    present: [bool; N_CLASSES],
    /// `Σᵢ xᵢⱼ²` per column.
    col_sq: Vec<f64>,
}

impl<'a> Problem<'a> {
    /// # Errors
    /// The message of the fit error when rows and labels differ in number
    /// or fewer than two classes are present.
    fn new(x: &'a CsrMatrix, y: &[Stance]) -> std::result::Result<Problem<'a>, String> {
        if x.n_rows() != y.len() {
            return Err(format!("{} rows but {} labels", x.n_rows(), y.len()));
        }
        let present = present_classes(y);
        let classes: Vec<usize> = (0..N_CLASSES).filter(|&c| present[c]).collect();
        if classes.len() < 2 {
            return Err("training data has fewer than two classes".into());
        }
        let mut local = [0; N_CLASSES];
        for (j, &c) in classes.iter().enumerate() {
            local[c] = j;
        }
        let xt = Csc::of(x);
        let col_sq = (0..x.n_cols())
            .map(|j| {
                xt.values[xt.indptr[j]..xt.indptr[j + 1]]
                    .iter()
                    .map(|v| v * v)
                    .sum()
            })
            .collect();
        Ok(Problem {
            x,
            xt,
            y: y.iter().map(|s| local[s.index()]).collect(),
            classes,
            present,
            col_sq,
        })
    }

    /// Number of present classes.
    fn k(&self) -> usize {
        self.classes.len()
    }

    /// The model of the parameters `theta` (layout of [`Objective`]).
    fn model(&self, theta: &[f64]) -> LinearModel {
        let (d, k) = (self.x.n_cols(), self.k());
        let mut model = LinearModel::zeros(d, self.present, Scoring::Softmax);
        for (jc, &c) in self.classes.iter().enumerate() {
            for (j, w) in model.weights[c].iter_mut().enumerate() {
                *w = theta[j * k + jc];
            }
            model.intercept[c] = theta[d * k + jc];
        }
        model
    }

    /// Fits `p` from `init` (parameters in the layout of [`Objective`]) or
    /// from zero.
    fn fit(&self, p: &LogRegParams, init: Option<&[f64]>) -> Minimum {
        lbfgs(&Objective::new(self, p.alpha), p, init)
    }
}

/// The objective over the `k` present classes at one `alpha`; parameters
/// are laid out feature-major (`w[j * k + c]`), then the `k` intercepts.
///
/// L-BFGS runs on `u` with `theta = scale ⊙ u`, where `scale` is
/// `1 / sqrt(α + ¼ Σᵢ xᵢⱼ²)` (a diagonal preconditioner from the Hessian's
/// diagonal bound); the minimiser is the same, the convergence test uses
/// the gradient in `theta`.
struct Objective<'p> {
    x: &'p CsrMatrix,
    xt: &'p Csc,
    y: &'p [usize],
    k: usize,
    alpha: f64,
    scale: Vec<f64>,
}

impl<'p> Objective<'p> {
    fn n_params(&self) -> usize {
        self.x.n_cols() * self.k + self.k
    }

    fn new(p: &'p Problem<'p>, alpha: f64) -> Objective<'p> {
        let k = p.k();
        let mut scale = Vec::with_capacity(p.x.n_cols() * k + k);
        for sq in &p.col_sq {
            let sc = 1.0 / (alpha + 0.25 * sq).sqrt();
            scale.extend(std::iter::repeat_n(sc, k));
        }
        let sc = 1.0 / (0.25 * p.x.n_rows() as f64).max(1.0).sqrt();
        scale.extend(std::iter::repeat_n(sc, k));
        Objective {
            x: p.x,
            xt: &p.xt,
            y: &p.y,
            k,
            alpha,
            scale,
        }
    }

    /// `theta = scale ⊙ u`.
    fn theta_of(&self, u: &[f64], theta: &mut [f64]) {
        theta
            .par_chunks_mut(VEC_BLOCK)
            .zip(
                u.par_chunks(VEC_BLOCK)
                    .zip(self.scale.par_chunks(VEC_BLOCK)),
            )
            .for_each(|(t, (u, s))| {
                for ((t, u), s) in t.iter_mut().zip(u).zip(s) {
                    *t = u * s;
                }
            });
    }

    /// Loss at `u`; writes the gradient in `u` to `grad` and returns the
    /// loss and the gradient norm in `theta`, using `theta` and `resid`
    /// (`n_rows × k`) as scratch.
    fn eval(
        &self,
        u: &[f64],
        grad: &mut [f64],
        theta: &mut [f64],
        resid: &mut [f64],
    ) -> (f64, f64) {
        self.theta_of(u, theta);
        let (loss, sq) = self.eval_theta(theta, grad, resid);
        (loss, sq.sqrt())
    }

    /// Loss at `theta`; writes `scale ⊙ gradient` to `grad`; returns the
    /// loss and the squared norm of the gradient in `theta`.
    fn eval_theta(&self, theta: &[f64], grad: &mut [f64], resid: &mut [f64]) -> (f64, f64) {
        let k = self.k;
        let (w, b) = theta.split_at(self.x.n_cols() * k);
        let losses: Vec<f64> = resid
            .par_chunks_mut(ROW_BLOCK * k)
            .enumerate()
            .map(|(blk, r)| {
                let mut loss = 0.0;
                for (ri, dr) in r.chunks_mut(k).enumerate() {
                    let i = blk * ROW_BLOCK + ri;
                    let mut z = [0.0; N_CLASSES];
                    z[..k].copy_from_slice(b);
                    let (cols, vals) = self.x.row(i);
                    for (&j, &v) in cols.iter().zip(vals) {
                        let wj = &w[j as usize * k..j as usize * k + k];
                        for c in 0..k {
                            z[c] += v * wj[c];
                        }
                    }
                    let m = z[..k].iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let lse = m + z[..k].iter().map(|&v| (v - m).exp()).sum::<f64>().ln();
                    let yi = self.y[i];
                    loss += lse - z[yi];
                    for c in 0..k {
                        dr[c] = (z[c] - lse).exp() - f64::from(u8::from(c == yi));
                    }
                }
                loss
            })
            .collect();
        let resid: &[f64] = resid;
        let (gw, gb) = grad.split_at_mut(w.len());
        let alpha = self.alpha;
        let xt = self.xt;
        let sq_parts: Vec<f64> = gw
            .par_chunks_mut(VEC_BLOCK * k)
            .zip(w.par_chunks(VEC_BLOCK * k))
            .zip(self.scale.par_chunks(VEC_BLOCK * k))
            .enumerate()
            .map(|(blk, ((g, wb), sb))| {
                let mut sq = 0.0;
                for (jj, (gj, wj)) in g.chunks_mut(k).zip(wb.chunks(k)).enumerate() {
                    let j = blk * VEC_BLOCK + jj;
                    for c in 0..k {
                        gj[c] = alpha * wj[c];
                    }
                    let (a, e) = (xt.indptr[j], xt.indptr[j + 1]);
                    for (&i, &v) in xt.rows[a..e].iter().zip(&xt.values[a..e]) {
                        let di = &resid[i as usize * k..i as usize * k + k];
                        for c in 0..k {
                            gj[c] += v * di[c];
                        }
                    }
                    let sc = sb[jj * k];
                    for g in gj.iter_mut() {
                        sq += *g * *g;
                        *g *= sc;
                    }
                }
                sq
            })
            .collect();
        let gb_parts: Vec<[f64; N_CLASSES]> = resid
            .par_chunks(ROW_BLOCK * k)
            .map(|r| {
                let mut s = [0.0; N_CLASSES];
                for dr in r.chunks(k) {
                    for c in 0..k {
                        s[c] += dr[c];
                    }
                }
                s
            })
            .collect();
        gb.fill(0.0);
        for s in &gb_parts {
            for c in 0..k {
                gb[c] += s[c];
            }
        }
        let mut sq: f64 = sq_parts.iter().sum();
        for (g, s) in gb.iter_mut().zip(&self.scale[w.len()..]) {
            sq += *g * *g;
            *g *= s;
        }
        (losses.iter().sum::<f64>() + alpha / 2.0 * dot(w, w), sq)
    }
}

/// Dot product, reduced over fixed blocks in order (thread-count independent).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let parts: Vec<f64> = a
        .par_chunks(VEC_BLOCK)
        .zip(b.par_chunks(VEC_BLOCK))
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>())
        .collect();
    parts.iter().sum()
}

/// `y += a * x`.
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.par_chunks_mut(VEC_BLOCK)
        .zip(x.par_chunks(VEC_BLOCK))
        .for_each(|(y, x)| y.iter_mut().zip(x).for_each(|(p, q)| *p += a * q));
}

/// `out = a - b`.
fn sub_into(a: &[f64], b: &[f64], out: &mut [f64]) {
    out.par_chunks_mut(VEC_BLOCK)
        .zip(a.par_chunks(VEC_BLOCK).zip(b.par_chunks(VEC_BLOCK)))
        .for_each(|(o, (a, b))| {
            for ((o, p), q) in o.iter_mut().zip(a).zip(b) {
                *o = p - q;
            }
        });
}

/// Result of an L-BFGS run.
struct Minimum {
    theta: Vec<f64>,
    loss: f64,
    grad_norm: f64,
    iterations: u64,
}

/// L-BFGS with a backtracking Armijo line search (with a round-off
/// allowance of a few ulps of the loss), skipping correction pairs
/// without positive curvature; starts at the parameters `init` (a warm
/// start) or at zero.
fn lbfgs(obj: &Objective, p: &LogRegParams, init: Option<&[f64]>) -> Minimum {
    let n = obj.n_params();
    let mut resid = vec![0.0; obj.x.n_rows() * obj.k];
    let mut scratch = vec![0.0; n];
    // L-BFGS works on `u = theta / scale` (see `Objective`).
    let mut theta = match init {
        Some(t) if t.len() == n => t.iter().zip(&obj.scale).map(|(t, s)| t / s).collect(),
        _ => vec![0.0; n],
    };
    let mut grad = vec![0.0; n];
    let (mut loss, mut tnorm) = obj.eval(&theta, &mut grad, &mut scratch, &mut resid);
    let mut hist: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::new();
    let mut dir = vec![0.0; n];
    let mut trial = vec![0.0; n];
    let mut trial_grad = vec![0.0; n];
    let mut coef = Vec::with_capacity(p.memory);
    let mut iterations = 0;
    let mut gnorm = dot(&grad, &grad).sqrt();
    // The tolerance is per training row: the objective is a sum over rows.
    let tol = p.gradient_tolerance * obj.x.n_rows().max(1) as f64;
    while iterations < p.max_iterations && tnorm > tol && tnorm.is_finite() {
        iterations += 1;
        // Two-loop recursion: dir = -H g.
        dir.copy_from_slice(&grad);
        coef.clear();
        for (s, y, rho) in hist.iter().rev() {
            let a = rho * dot(s, &dir);
            axpy(-a, y, &mut dir);
            coef.push(a);
        }
        let gamma = match hist.back() {
            Some((s, y, _)) => dot(s, y) / dot(y, y),
            None => 1.0 / gnorm,
        };
        dir.par_iter_mut().for_each(|v| *v *= gamma);
        for ((s, y, rho), a) in hist.iter().zip(coef.iter().rev()) {
            let b = rho * dot(y, &dir);
            axpy(a - b, s, &mut dir);
        }
        dir.par_iter_mut().for_each(|v| *v = -*v);
        let mut slope = dot(&grad, &dir);
        if slope >= 0.0 || !slope.is_finite() {
            // Not a descent direction: restart from steepest descent.
            hist.clear();
            dir.par_iter_mut()
                .zip(grad.par_iter())
                .for_each(|(d, g)| *d = -g / gnorm);
            slope = -gnorm;
        }
        let allowance = 8.0 * f64::EPSILON * loss.abs();
        let mut step = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            trial.copy_from_slice(&theta);
            axpy(step, &dir, &mut trial);
            let (l, tn) = obj.eval(&trial, &mut trial_grad, &mut scratch, &mut resid);
            if l.is_finite() && l <= loss + 1e-4 * step * slope + allowance {
                loss = l;
                tnorm = tn;
                accepted = true;
                break;
            }
            step *= if l.is_finite() {
                // Minimiser of the quadratic through loss, slope and l, kept in [0.1, 0.5].
                let q = -slope * step / (2.0 * (l - loss - slope * step));
                q.clamp(0.1, 0.5)
            } else {
                0.1
            };
        }
        if !accepted {
            break;
        }
        // Correction pair: s = trial - theta, y = trial_grad - grad.
        let (mut s, mut y) = match hist.len() >= p.memory {
            true => {
                let (s, y, _) = hist.pop_front().expect("history is non-empty");
                (s, y)
            }
            false => (vec![0.0; n], vec![0.0; n]),
        };
        sub_into(&trial, &theta, &mut s);
        sub_into(&trial_grad, &grad, &mut y);
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() && sy > 0.0 {
            hist.push_back((s, y, 1.0 / sy));
        }
        std::mem::swap(&mut theta, &mut trial);
        std::mem::swap(&mut grad, &mut trial_grad);
        gnorm = dot(&grad, &grad).sqrt();
    }
    obj.theta_of(&theta, &mut scratch);
    Minimum {
        theta: scratch,
        loss,
        grad_norm: tnorm,
        iterations,
    }
}

impl ValidLogRegParams {
    /// Fits and also returns the objective value and the number of L-BFGS
    /// iterations (for benchmarks and tests).
    ///
    /// # Errors
    /// As [`Fit::fit`].
    pub fn fit_with_stats(&self, x: &CsrMatrix, y: &[Stance]) -> Result<(LinearModel, f64, u64)> {
        let problem = Problem::new(x, y).map_err(|m| Error::fit(NAME, m))?;
        let m = problem.fit(&self.0, None);
        Ok((self.accept(&problem, &m)?, m.loss, m.iterations))
    }

    /// The model of a finished L-BFGS run, or the convergence error.
    fn accept(&self, problem: &Problem, m: &Minimum) -> Result<LinearModel> {
        let p = &self.0;
        let rows = problem.x.n_rows().max(1) as f64;
        if m.grad_norm.is_nan() || m.grad_norm > p.max_grad_norm * rows {
            return Err(Error::fit(
                NAME,
                format!(
                    "did not converge: gradient norm per row {:.3e} > {:.0e} after {} iterations \
                     (raise alpha or max_iterations)",
                    m.grad_norm / rows,
                    p.max_grad_norm,
                    m.iterations
                ),
            ));
        }
        Ok(problem.model(&m.theta))
    }
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidLogRegParams {
    type Object = LinearModel;

    fn fit(&self, data: &Dataset) -> Result<LinearModel> {
        Ok(self.fit_with_stats(&data.records, &data.targets)?.0)
    }
}

impl Learner for ValidLogRegParams {
    fn default_checked() -> Result<Self> {
        LogRegParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("alpha", &ALPHAS, |a| self.0.clone().alpha(a).check())
    }

    /// Warm-started: see [`ValidLogRegParams::path_with_stats`].
    fn fit_path(data: &Dataset, path: &[&Self]) -> Vec<Result<FittedOf<Self>>> {
        Self::path_with_stats(&data.records, &data.targets, path)
            .into_iter()
            .map(|r| r.map(|(m, _, _)| m))
            .collect()
    }

    fn recheck(&self) -> Result<()> {
        self.0.clone().check().map(|_| ())
    }
}

impl ValidLogRegParams {
    /// Fits every point of `path` on `x`, `y` from the largest `alpha` to
    /// the smallest (ties in the given order), each L-BFGS run starting
    /// from the last converged solution, on one transposed copy of the
    /// rows; one result per point in the order of `path`, with the
    /// objective value and the iteration count as
    /// [`ValidLogRegParams::fit_with_stats`].
    pub fn path_with_stats(
        x: &CsrMatrix,
        y: &[Stance],
        path: &[&Self],
    ) -> Vec<Result<(LinearModel, f64, u64)>> {
        let problem = match Problem::new(x, y) {
            Ok(p) => p,
            Err(m) => return path.iter().map(|_| Err(Error::fit(NAME, &m))).collect(),
        };
        let mut order: Vec<usize> = (0..path.len()).collect();
        order.sort_by(|&a, &b| path[b].0.alpha.total_cmp(&path[a].0.alpha));
        let mut out: Vec<Option<Result<(LinearModel, f64, u64)>>> =
            path.iter().map(|_| None).collect();
        let mut last: Option<Vec<f64>> = None;
        for i in order {
            let m = problem.fit(&path[i].0, last.as_deref());
            let r = path[i].accept(&problem, &m);
            out[i] = Some(r.map(|model| (model, m.loss, m.iterations)));
            if out[i].as_ref().is_some_and(|r| r.is_ok()) {
                last = Some(m.theta);
            }
        }
        out.into_iter()
            .map(|r| r.expect("every point of the path is fitted"))
            .collect()
    }
}

/// The objective `Σᵢ −log softmax(xᵢW + b)[yᵢ] + α/2 ‖W‖²` of a fitted
/// model (over its present classes), to compare fits.
pub fn objective(m: &LinearModel, x: &CsrMatrix, y: &[Stance], alpha: f64) -> f64 {
    let mut loss = 0.0;
    for (i, s) in y.iter().enumerate() {
        let z: Vec<(usize, f64)> = (0..N_CLASSES)
            .filter(|&c| m.present[c])
            .map(|c| (c, x.row_dot(i, &m.weights[c]) + m.intercept[c]))
            .collect();
        let mx = z.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let lse = mx + z.iter().map(|p| (p.1 - mx).exp()).sum::<f64>().ln();
        let zy = z.iter().find(|p| p.0 == s.index()).map_or(0.0, |p| p.1);
        loss += lse - zy;
    }
    let reg: f64 = (0..N_CLASSES)
        .filter(|&c| m.present[c])
        .map(|c| m.weights[c].iter().map(|w| w * w).sum::<f64>())
        .sum();
    loss + alpha / 2.0 * reg
}

/// L2 norm of the gradient of the multinomial logistic objective
/// `Σᵢ −log softmax(xᵢW + b)[yᵢ] + α/2 ‖W‖²` (linfa's) at the model's
/// parameters, over its present classes.
pub fn gradient_norm(m: &LinearModel, x: &CsrMatrix, y: &[Stance], alpha: f64) -> f64 {
    let mut gw: [Vec<f64>; N_CLASSES] =
        std::array::from_fn(|c| m.weights[c].iter().map(|w| alpha * w).collect());
    let mut gb = [0.0; N_CLASSES];
    for (i, s) in y.iter().enumerate() {
        let mut p = m.scores(x, i);
        softmax(&mut p);
        let (cols, vals) = x.row(i);
        for c in 0..N_CLASSES {
            if !m.present[c] {
                continue;
            }
            let d = p[c] - f64::from(u8::from(s.index() == c));
            gb[c] += d;
            for (&j, &v) in cols.iter().zip(vals) {
                gw[c][j as usize] += d * v;
            }
        }
    }
    let sq: f64 = (0..N_CLASSES)
        .filter(|&c| m.present[c])
        .map(|c| gb[c] * gb[c] + gw[c].iter().map(|g| g * g).sum::<f64>())
        .sum();
    sq.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::logreg_dense::DenseLogRegParams;
    use crate::models::{fit_on, predict_rows};
    use crate::rng::Rng;

    /// A seeded random sparse problem with a learnable signal.
    fn data(n: usize, d: usize, classes: usize, seed: u64) -> (CsrMatrix, Vec<Stance>) {
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
            let norm = (cols.len() as f64).sqrt();
            x.push_row(cols.into_iter().map(|j| (j, 1.0 / norm)));
            y.push(Stance::ALL[c]);
        }
        (x, y)
    }

    #[test]
    fn matches_linfa_logistic() {
        for (n, d, classes, seed) in [(60, 12, 3, 1), (80, 20, 2, 2), (150, 40, 3, 3)] {
            let (x, y) = data(n, d, classes, seed);
            let ours = LogRegParams::default().check().unwrap();
            let (m, loss, _) = ours.fit_with_stats(&x, &y).unwrap();
            let g = gradient_norm(&m, &x, &y, 1.0);
            // The stopping rule is per row.
            assert!(g <= 1e-4 * n as f64, "{g}");
            let linfa = fit_on(&DenseLogRegParams::default().check().unwrap(), &x, &y).unwrap();
            assert_eq!(predict_rows(&m, &x), predict_rows(&linfa, &x));
            let theirs = objective(&linfa, &x, &y, 1.0);
            assert!((objective(&m, &x, &y, 1.0) - loss).abs() < 1e-9 * loss);
            assert!((loss - theirs).abs() <= 1e-4 * theirs, "{loss} vs {theirs}");
        }
    }

    #[test]
    fn warm_started_path_equals_cold_fits_in_fewer_iterations() {
        for (n, d, classes, seed) in [(300, 60, 3, 11), (500, 200, 3, 12), (200, 40, 2, 13)] {
            let (x, y) = data(n, d, classes, seed);
            // A tight stop, so that warm and cold fits must agree closely.
            let base = LogRegParams {
                gradient_tolerance: 1e-8,
                ..LogRegParams::default()
            }
            .check()
            .unwrap();
            let path: Vec<ValidLogRegParams> = base
                .strengths()
                .unwrap()
                .unwrap()
                .into_iter()
                .map(|(_, p)| p)
                .collect();
            let refs: Vec<&ValidLogRegParams> = path.iter().collect();
            let warm = ValidLogRegParams::path_with_stats(&x, &y, &refs);
            let (mut warm_iters, mut cold_iters) = (0, 0);
            for (p, w) in path.iter().zip(warm) {
                let (w, w_loss, w_it) = w.unwrap();
                let (c, c_loss, c_it) = p.fit_with_stats(&x, &y).unwrap();
                let a = p.params().alpha;
                warm_iters += w_it;
                cold_iters += c_it;
                // Both stop at gradient norm <= 1e-8 per row: the same
                // objective to 1e-8, same predictions, probabilities within
                // 1e-4.
                assert!(
                    (w_loss - c_loss).abs() <= 1e-8 * c_loss,
                    "{a}: {w_loss} vs {c_loss}"
                );
                assert!((objective(&w, &x, &y, a) - w_loss).abs() <= 1e-9 * w_loss);
                assert!(gradient_norm(&w, &x, &y, a) <= 1e-3 * n as f64);
                assert_eq!(predict_rows(&w, &x), predict_rows(&c, &x), "alpha {a}");
                for (pw, pc) in w.proba(&x).iter().zip(c.proba(&x)) {
                    for k in 0..N_CLASSES {
                        assert!((pw[k] - pc[k]).abs() < 1e-4, "alpha {a}: {pw:?} vs {pc:?}");
                    }
                }
                // The table's path gives the same models.
                assert_eq!(
                    ValidLogRegParams::fit_path(&Dataset::new(x.clone(), y.clone()), &[p])[0]
                        .as_ref()
                        .unwrap(),
                    &c
                );
            }
            assert!(warm_iters < cold_iters, "{warm_iters} vs {cold_iters}");
        }
    }

    #[test]
    fn a_failed_point_does_not_stop_the_path() {
        let (x, y) = data(100, 20, 3, 4);
        let good = LogRegParams::default().check().unwrap();
        let bad = LogRegParams::default()
            .alpha(0.01)
            .max_iterations(1)
            .check()
            .unwrap();
        let r = ValidLogRegParams::path_with_stats(&x, &y, &[&good, &bad, &good]);
        assert!(r[0].is_ok() && r[2].is_ok());
        assert!(r[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("did not converge"));
        let one_class = vec![Stance::Favor; 100];
        let r = ValidLogRegParams::path_with_stats(&x, &one_class, &[&good, &good]);
        assert!(r.iter().all(|r| r
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("fewer than two")));
    }

    #[test]
    fn model_files_of_the_dense_logreg_load() {
        // The settings `logreg` wrote when it was linfa-logistic's fit.
        let old = r#"{"kind":"logreg","alpha":0.1,"max_iterations":500,"gradient_tolerance":1e-5,"max_grad_norm":1e-3}"#;
        let p: crate::models::ModelParams = serde_json::from_str(old).unwrap();
        let want = LogRegParams {
            gradient_tolerance: 1e-5,
            ..LogRegParams::default()
        }
        .alpha(0.1)
        .check()
        .unwrap();
        assert_eq!(p, crate::models::ModelParams::Logreg(want));
    }

    #[test]
    fn same_weights_for_any_number_of_threads() {
        let (x, y) = data(3000, 500, 3, 7);
        let p = LogRegParams::default().check().unwrap();
        let fit = |t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
                .install(|| fit_on(&p, &x, &y).unwrap())
        };
        let one = fit(1);
        assert_eq!(fit(2), one);
        assert_eq!(fit(5), one);
    }

    #[test]
    fn refuses_unconverged_fits_and_bad_settings() {
        let (x, y) = data(100, 20, 3, 4);
        let e = fit_on(
            &LogRegParams::default().max_iterations(1).check().unwrap(),
            &x,
            &y,
        )
        .unwrap_err();
        assert!(e.to_string().contains("did not converge"), "{e}");
        assert!(LogRegParams::default().alpha(0.0).check().is_err());
        let one_class = vec![Stance::Favor; 100];
        assert!(fit_on(&LogRegParams::default().check().unwrap(), &x, &one_class).is_err());
    }
}
