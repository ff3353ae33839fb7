//! Compressed sparse row (CSR) matrices: the featurizer's output and the
//! input of every model. [`CsrMatrix::to_dense`] is the one place that
//! densifies, at the boundary to linfa models that only take dense arrays.

use ndarray::Array2;

/// A row-major sparse matrix of `f64` with `u32` column indices, sorted
/// within each row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsrMatrix {
    n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
}

impl CsrMatrix {
    /// An empty matrix with `n_cols` columns and no rows.
    pub fn new(n_cols: usize) -> CsrMatrix {
        CsrMatrix {
            n_cols,
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Appends a row given as `(column, value)` pairs with strictly
    /// increasing columns below `n_cols`.
    ///
    /// # Panics
    /// If the columns are not strictly increasing or out of range (a caller
    /// bug, not a data error).
    pub fn push_row(&mut self, row: impl IntoIterator<Item = (u32, f64)>) {
        let mut last: Option<u32> = None;
        for (c, v) in row {
            assert!((c as usize) < self.n_cols, "column {c} out of range");
            assert!(
                last.is_none_or(|l| l < c),
                "columns must increase within a row"
            );
            last = Some(c);
            self.indices.push(c);
            self.values.push(v);
        }
        self.indptr.push(self.indices.len());
    }

    /// Appends all rows of `other` (same column count).
    ///
    /// # Panics
    /// If the column counts differ.
    pub fn append(&mut self, other: &CsrMatrix) {
        assert_eq!(self.n_cols, other.n_cols, "column counts differ");
        let base = self.indices.len();
        self.indices.extend_from_slice(&other.indices);
        self.values.extend_from_slice(&other.values);
        self.indptr
            .extend(other.indptr[1..].iter().map(|&p| p + base));
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Columns and values of row `i`.
    ///
    /// # Panics
    /// If `i >= n_rows()`.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }

    /// A new matrix made of the given rows, in the given order.
    pub fn select_rows(&self, rows: &[usize]) -> CsrMatrix {
        let mut m = CsrMatrix::new(self.n_cols);
        for &r in rows {
            let (c, v) = self.row(r);
            m.indices.extend_from_slice(c);
            m.values.extend_from_slice(v);
            m.indptr.push(m.indices.len());
        }
        m
    }

    /// Dense copy, `n_rows × n_cols`. Costs `8 × n_rows × n_cols` bytes.
    pub fn to_dense(&self) -> Array2<f64> {
        let mut a = Array2::zeros((self.n_rows(), self.n_cols));
        for i in 0..self.n_rows() {
            let (c, v) = self.row(i);
            for (&j, &x) in c.iter().zip(v) {
                a[(i, j as usize)] = x;
            }
        }
        a
    }

    /// Dot product of row `i` with a dense vector `w` of length `n_cols`.
    pub fn row_dot(&self, i: usize, w: &[f64]) -> f64 {
        let (c, v) = self.row(i);
        c.iter().zip(v).map(|(&j, &x)| x * w[j as usize]).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_select_append_and_densify() {
        let mut m = CsrMatrix::new(3);
        m.push_row([(0, 1.0), (2, 2.0)]);
        m.push_row([]);
        m.push_row([(1, 3.0)]);
        assert_eq!((m.n_rows(), m.nnz()), (3, 3));
        assert_eq!(m.row(1), (&[][..], &[][..]));
        let s = m.select_rows(&[2, 0]);
        assert_eq!(
            s.to_dense(),
            ndarray::array![[0.0, 3.0, 0.0], [1.0, 0.0, 2.0]]
        );
        let mut a = s.clone();
        a.append(&m);
        assert_eq!(a.n_rows(), 5);
        assert_eq!(a.row(2), m.row(0));
        assert_eq!(m.row_dot(0, &[1.0, 1.0, 0.5]), 2.0);
    }

    #[test]
    #[should_panic(expected = "increase")]
    fn unsorted_row_is_a_bug() {
        CsrMatrix::new(3).push_row([(2, 1.0), (1, 1.0)]);
    }
}
