//! `sparse-logreg`: multinomial logistic regression fitted on the sparse
//! rows directly, by our own L-BFGS, for training at scale.
//!
//! It minimises the same objective as `logreg` (linfa-logistic):
//! `Σᵢ −log softmax(xᵢW + b)[yᵢ] + α/2 ‖W‖²`, intercept unpenalised, over
//! the classes present in training, and applies the same convergence rule:
//! the L2 norm of the gradient at the returned parameters must be at most
//! `max_grad_norm`, else the fit is an error rather than a model.
//!
//! Each function evaluation is two parallel passes: rows (`xᵢW + b`, the
//! loss and the residuals `pᵢ − onehot(yᵢ)`) and columns (`Xᵀ residuals`,
//! through a transposed copy of `X`). Every sum is reduced over fixed-size
//! blocks in a fixed order, so the fitted weights do not depend on the
//! number of threads. Memory: two copies of the non-zeros, plus
//! `2 × memory + 6` vectors of `n_features × n_classes` floats.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `alpha` | `1.0` | L2 penalty on the weights (not the intercept), `> 0` |
//! | `max_iterations` | `500` | L-BFGS iterations, `≥ 1` |
//! | `gradient_tolerance` | `1e-5` | stop when the gradient norm is at most this, `> 0` |
//! | `max_grad_norm` | `1e-3` | largest gradient norm accepted after the fit, `≥ gradient_tolerance` |
//! | `memory` | `10` | L-BFGS correction pairs, `≥ 1` |

use std::collections::VecDeque;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use linfa::traits::Fit;

use super::logistic::ALPHAS;
use super::{present_classes, strength_grid, Dataset, Learner, LinearModel, Scoring};

const NAME: &str = "sparse-logreg";
/// Rows per block of the row pass.
const ROW_BLOCK: usize = 1024;
/// Entries per block of vector reductions and updates.
const VEC_BLOCK: usize = 1 << 14;

/// Unchecked settings (see the module table).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SparseLogRegParams {
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

impl Default for SparseLogRegParams {
    fn default() -> Self {
        SparseLogRegParams {
            alpha: 1.0,
            max_iterations: 500,
            gradient_tolerance: 1e-5,
            max_grad_norm: 1e-3,
            memory: 10,
        }
    }
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidSparseLogRegParams(SparseLogRegParams);

impl SparseLogRegParams {
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
    pub fn check(self) -> Result<ValidSparseLogRegParams> {
        let pos = |v: f64| v.is_finite() && v > 0.0;
        if !pos(self.alpha) {
            return Err(Error::param(
                "sparse-logreg alpha",
                format!("{} must be finite and > 0", self.alpha),
            ));
        }
        if self.max_iterations == 0 {
            return Err(Error::param(
                "sparse-logreg max_iterations",
                "must be at least 1",
            ));
        }
        if self.memory == 0 {
            return Err(Error::param("sparse-logreg memory", "must be at least 1"));
        }
        if !pos(self.gradient_tolerance)
            || !pos(self.max_grad_norm)
            || self.max_grad_norm < self.gradient_tolerance
        {
            return Err(Error::param(
                "sparse-logreg tolerances",
                "expected 0 < gradient_tolerance <= max_grad_norm",
            ));
        }
        Ok(ValidSparseLogRegParams(self))
    }
}

impl ValidSparseLogRegParams {
    /// The settings.
    pub fn params(&self) -> &SparseLogRegParams {
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

/// The objective over the `k` present classes; parameters are laid out
/// feature-major (`w[j * k + c]`), then the `k` intercepts.
///
/// L-BFGS runs on `u` with `theta = scale ⊙ u`, where `scale` is
/// `1 / sqrt(α + ¼ Σᵢ xᵢⱼ²)` (a diagonal preconditioner from the Hessian's
/// diagonal bound); the minimiser is the same, the convergence test uses
/// the gradient in `theta`.
struct Objective<'a> {
    x: &'a CsrMatrix,
    xt: Csc,
    /// Class of each row, as an index among the present classes.
    y: Vec<usize>,
    k: usize,
    alpha: f64,
    scale: Vec<f64>,
}

impl<'a> Objective<'a> {
    fn n_params(&self) -> usize {
        self.x.n_cols() * self.k + self.k
    }

    fn new(x: &'a CsrMatrix, y: Vec<usize>, k: usize, alpha: f64) -> Objective<'a> {
        let xt = Csc::of(x);
        let mut scale = Vec::with_capacity(x.n_cols() * k + k);
        for j in 0..x.n_cols() {
            let sq: f64 = xt.values[xt.indptr[j]..xt.indptr[j + 1]]
                .iter()
                .map(|v| v * v)
                .sum();
            let sc = 1.0 / (alpha + 0.25 * sq).sqrt();
            scale.extend(std::iter::repeat_n(sc, k));
        }
        let sc = 1.0 / (0.25 * x.n_rows() as f64).max(1.0).sqrt();
        scale.extend(std::iter::repeat_n(sc, k));
        Objective {
            x,
            xt,
            y,
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
        let xt = &self.xt;
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
/// without positive curvature.
fn lbfgs(obj: &Objective, p: &SparseLogRegParams) -> Minimum {
    let n = obj.n_params();
    let mut resid = vec![0.0; obj.x.n_rows() * obj.k];
    let mut scratch = vec![0.0; n];
    let mut theta = vec![0.0; n];
    let mut grad = vec![0.0; n];
    let (mut loss, mut tnorm) = obj.eval(&theta, &mut grad, &mut scratch, &mut resid);
    let mut hist: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::new();
    let mut dir = vec![0.0; n];
    let mut trial = vec![0.0; n];
    let mut trial_grad = vec![0.0; n];
    let mut coef = Vec::with_capacity(p.memory);
    let mut iterations = 0;
    let mut gnorm = dot(&grad, &grad).sqrt();
    while iterations < p.max_iterations && tnorm > p.gradient_tolerance && tnorm.is_finite() {
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

impl ValidSparseLogRegParams {
    /// Fits and also returns the objective value and the number of L-BFGS
    /// iterations (for benchmarks and tests).
    ///
    /// # Errors
    /// As [`Fit::fit`].
    pub fn fit_with_stats(&self, x: &CsrMatrix, y: &[Stance]) -> Result<(LinearModel, f64, u64)> {
        let p = &self.0;
        if x.n_rows() != y.len() {
            return Err(Error::fit(
                NAME,
                format!("{} rows but {} labels", x.n_rows(), y.len()),
            ));
        }
        let present = present_classes(y);
        let classes: Vec<usize> = (0..N_CLASSES).filter(|&c| present[c]).collect();
        if classes.len() < 2 {
            return Err(Error::fit(NAME, "training data has fewer than two classes"));
        }
        let mut local = [0; N_CLASSES];
        for (j, &c) in classes.iter().enumerate() {
            local[c] = j;
        }
        let k = classes.len();
        let obj = Objective::new(x, y.iter().map(|s| local[s.index()]).collect(), k, p.alpha);
        let m = lbfgs(&obj, p);
        let d = x.n_cols();
        let mut model = LinearModel::zeros(d, present, Scoring::Softmax);
        for (jc, &c) in classes.iter().enumerate() {
            for (j, w) in model.weights[c].iter_mut().enumerate() {
                *w = m.theta[j * k + jc];
            }
            model.intercept[c] = m.theta[d * k + jc];
        }
        if m.grad_norm.is_nan() || m.grad_norm > p.max_grad_norm {
            return Err(Error::fit(
                NAME,
                format!(
                    "did not converge: gradient norm {:.3e} > {:.0e} after {} iterations \
                     (raise alpha or max_iterations)",
                    m.grad_norm, p.max_grad_norm, m.iterations
                ),
            ));
        }
        Ok((model, m.loss, m.iterations))
    }
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidSparseLogRegParams {
    type Object = LinearModel;

    fn fit(&self, data: &Dataset) -> Result<LinearModel> {
        Ok(self.fit_with_stats(&data.records, &data.targets)?.0)
    }
}

impl Learner for ValidSparseLogRegParams {
    fn default_checked() -> Result<Self> {
        SparseLogRegParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("alpha", &ALPHAS, |a| self.0.clone().alpha(a).check())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::logistic::{gradient_norm, LogRegParams};
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
            let ours = SparseLogRegParams::default().check().unwrap();
            let (m, loss, _) = ours.fit_with_stats(&x, &y).unwrap();
            let g = gradient_norm(&m, &x, &y, 1.0);
            assert!(g <= 1e-5, "{g}");
            let linfa = fit_on(&LogRegParams::default().check().unwrap(), &x, &y).unwrap();
            assert_eq!(predict_rows(&m, &x), predict_rows(&linfa, &x));
            let theirs = objective(&linfa, &x, &y, 1.0);
            assert!((objective(&m, &x, &y, 1.0) - loss).abs() < 1e-9 * loss);
            assert!((loss - theirs).abs() <= 1e-4 * theirs, "{loss} vs {theirs}");
        }
    }

    #[test]
    fn same_weights_for_any_number_of_threads() {
        let (x, y) = data(3000, 500, 3, 7);
        let p = SparseLogRegParams::default().check().unwrap();
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
            &SparseLogRegParams::default()
                .max_iterations(1)
                .check()
                .unwrap(),
            &x,
            &y,
        )
        .unwrap_err();
        assert!(e.to_string().contains("did not converge"), "{e}");
        assert!(SparseLogRegParams::default().alpha(0.0).check().is_err());
        let one_class = vec![Stance::Favor; 100];
        assert!(fit_on(
            &SparseLogRegParams::default().check().unwrap(),
            &x,
            &one_class
        )
        .is_err());
    }
}
