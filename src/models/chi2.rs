//! Chi-squared column scores on the sparse rows, and the top columns by
//! score: how `tree` picks the columns it densifies.
//!
//! [`chi2`] is scikit-learn's `sklearn.feature_selection.chi2` for
//! non-negative features: with `O_cj` the sum of column `j` over the rows
//! of class `c`, `F_j = Σ_c O_cj`, `p_c` the share of rows in class `c` and
//! `E_cj = p_c F_j`, the score is `Σ_c (O_cj − E_cj)² / E_cj` over the
//! classes present. One pass over the non-zeros; memory
//! `classes × columns` floats.
//!
//! | function | result | cost |
//! |---|---|---|
//! | [`chi2`] | one score per column; NaN for a column that is 0 in every row | `O(nnz + classes × columns)` |
//! | [`top_columns`] | the `k` best columns in increasing column order | `O(columns log columns)` |

use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

/// The chi² score of every column of `x` against the classes `y` (see the
/// module doc): NaN for a column whose values sum to 0 (scikit-learn gives
/// NaN there too).
///
/// Precondition: the values are non-negative (the featurizer's are), and
/// `y` has one class per row of `x`.
///
/// # Panics
/// If `y.len() != x.n_rows()` (a caller bug).
pub fn chi2(x: &CsrMatrix, y: &[Stance]) -> Vec<f64> {
    assert_eq!(x.n_rows(), y.len(), "one class per row");
    let d = x.n_cols();
    let mut observed: [Vec<f64>; N_CLASSES] = std::array::from_fn(|_| vec![0.0; d]);
    let mut rows = [0usize; N_CLASSES];
    for (i, s) in y.iter().enumerate() {
        let c = s.index();
        rows[c] += 1;
        let (cols, vals) = x.row(i);
        for (&j, &v) in cols.iter().zip(vals) {
            observed[c][j as usize] += v;
        }
    }
    let n = y.len().max(1) as f64;
    let present: Vec<usize> = (0..N_CLASSES).filter(|&c| rows[c] > 0).collect();
    (0..d)
        .map(|j| {
            let total: f64 = present.iter().map(|&c| observed[c][j]).sum();
            present
                .iter()
                .map(|&c| {
                    let expected = rows[c] as f64 / n * total;
                    let diff = observed[c][j] - expected;
                    diff * diff / expected
                })
                .sum()
        })
        .collect()
}

/// The `k` columns with the highest `scores` (all of them when there are
/// at most `k`), in increasing column order. Ties go to the lower column
/// index (the featurizer numbers columns by document frequency, most
/// frequent first); NaN scores rank below every number.
pub fn top_columns(scores: &[f64], k: usize) -> Vec<usize> {
    let mut cols: Vec<usize> = (0..scores.len()).collect();
    if k < scores.len() {
        let key = |j: usize| {
            if scores[j].is_nan() {
                f64::NEG_INFINITY
            } else {
                scores[j]
            }
        };
        cols.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
        cols.truncate(k);
        cols.sort_unstable();
    }
    cols
}

/// Six rows, five columns, two rows per class; column 4 is the same in
/// every row (tests of this module and of `tree`).
#[cfg(test)]
pub(crate) fn toy() -> (CsrMatrix, Vec<Stance>) {
    use Stance::*;
    let mut x = CsrMatrix::new(5);
    for r in [
        vec![(0, 1.0), (2, 2.0), (4, 1.0)],
        vec![(1, 1.0), (4, 1.0)],
        vec![(0, 3.0), (3, 1.0), (4, 1.0)],
        vec![(1, 2.0), (2, 1.0), (4, 1.0)],
        vec![(4, 1.0)],
        vec![(0, 1.0), (3, 3.0), (4, 1.0)],
    ] {
        x.push_row(r);
    }
    (x, vec![Favor, Favor, Against, Against, None, None])
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    #[test]
    fn chi2_by_hand_and_as_scikit_learn() {
        let (x, y) = toy();
        // Classes have 2 rows each (p = 1/3). Column 0 sums per class to
        // (1, 3, 1), total 5, expected 5/3 each:
        // ((1 - 5/3)² + (3 - 5/3)² + (1 - 5/3)²) / (5/3) = 1.6.
        // Column 3: (0, 1, 3), expected 4/3: (16 + 1 + 25) / 9 * 3/4 = 3.5.
        // scikit-learn 1.9.1 chi2 on the same data: [1.6, 2.0, 2.0, 3.5, 0.0].
        let s = chi2(&x, &y);
        for (got, want) in s.iter().zip([1.6, 2.0, 2.0, 3.5, 0.0]) {
            assert!((got - want).abs() < 1e-12, "{s:?}");
        }
        // Only the classes present count.
        let two = chi2(&x.select_rows(&[0, 1, 2, 3]), &y[..4]);
        // Column 0: (1, 3), expected 2 each: (1 + 1) / 2 = 1.
        assert!((two[0] - 1.0).abs() < 1e-12, "{two:?}");
        // A column that is 0 everywhere has no score.
        let mut z = CsrMatrix::new(2);
        z.push_row([(0, 1.0)]);
        z.push_row([(0, 2.0)]);
        assert!(chi2(&z, &[Favor, None])[1].is_nan());
    }

    #[test]
    fn top_columns_ties_to_the_lower_index_nan_last() {
        let s = [1.6, 2.0, 2.0, 3.5, 0.0];
        assert_eq!(top_columns(&s, 1), vec![3]);
        assert_eq!(top_columns(&s, 2), vec![1, 3]);
        assert_eq!(top_columns(&s, 3), vec![1, 2, 3]);
        assert_eq!(top_columns(&s, 9), vec![0, 1, 2, 3, 4]);
        assert_eq!(top_columns(&[f64::NAN, 0.0, 1.0], 2), vec![1, 2]);
    }
}
