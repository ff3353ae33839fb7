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

    /// Appends a row of `len` entries written by `fill(columns, values)`
    /// into zeroed slices; the columns must be strictly increasing and below
    /// `n_cols` (checked in debug builds only; the featurizer's fast path).
    pub(crate) fn push_row_with(&mut self, len: usize, fill: impl FnOnce(&mut [u32], &mut [f64])) {
        let start = self.indices.len();
        self.indices.resize(start + len, 0);
        self.values.resize(start + len, 0.0);
        fill(&mut self.indices[start..], &mut self.values[start..]);
        debug_assert!(self.indices[start..].windows(2).all(|w| w[0] < w[1]));
        debug_assert!(self.indices[start..]
            .iter()
            .all(|&c| (c as usize) < self.n_cols));
        self.indptr.push(self.indices.len());
    }

    /// A matrix from its CSR arrays (`indptr[0] == 0`, `indptr` ending at
    /// `indices.len() == values.len()`, columns strictly increasing within
    /// each row; checked in debug builds only).
    pub(crate) fn from_raw(
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        values: Vec<f64>,
    ) -> CsrMatrix {
        debug_assert_eq!(indptr.first(), Some(&0));
        debug_assert_eq!(indptr.last(), Some(&indices.len()));
        debug_assert_eq!(indices.len(), values.len());
        debug_assert!(indptr
            .windows(2)
            .all(|w| w[0] <= w[1] && indices[w[0]..w[1]].windows(2).all(|c| c[0] < c[1])));
        CsrMatrix {
            n_cols,
            indptr,
            indices,
            values,
        }
    }

    /// Removes all rows, keeping the allocations (for reuse across blocks).
    pub(crate) fn clear(&mut self) {
        self.indptr.truncate(1);
        self.indices.clear();
        self.values.clear();
    }

    /// Reserves room for `rows` more rows and `nnz` more entries.
    pub fn reserve(&mut self, rows: usize, nnz: usize) {
        self.indptr.reserve(rows);
        self.indices.reserve(nnz);
        self.values.reserve(nnz);
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

    /// Writes the rows as svmlight/libsvm lines: `label col:value ...`
    /// with 1-based columns and the shortest round-trip form of each value
    /// (`ryu`); `label(i)` gives the label of row `i`. Writes through `w`
    /// as it goes (pass a buffered writer).
    ///
    /// # Errors
    /// Any error of `w`.
    pub fn write_svmlight<W: std::io::Write + ?Sized>(
        &self,
        mut label: impl FnMut(usize) -> usize,
        w: &mut W,
    ) -> std::io::Result<()> {
        let mut ints = itoa::Buffer::new();
        let mut floats = ryu::Buffer::new();
        let mut line: Vec<u8> = Vec::with_capacity(256);
        for i in 0..self.n_rows() {
            line.clear();
            line.extend_from_slice(ints.format(label(i)).as_bytes());
            let (c, v) = self.row(i);
            for (&j, &x) in c.iter().zip(v) {
                line.push(b' ');
                line.extend_from_slice(ints.format(j + 1).as_bytes());
                line.push(b':');
                line.extend_from_slice(floats.format(x).as_bytes());
            }
            line.push(b'\n');
            w.write_all(&line)?;
        }
        Ok(())
    }

    /// Dot product of row `i` with a dense vector `w` of length `n_cols`.
    pub fn row_dot(&self, i: usize, w: &[f64]) -> f64 {
        let (c, v) = self.row(i);
        c.iter().zip(v).map(|(&j, &x)| x * w[j as usize]).sum()
    }
}

/// linfa's view of the rows: a [`CsrMatrix`] is the records of a
/// `DatasetBase`, so the sparse learners take linfa datasets as they are.
impl linfa::dataset::Records for CsrMatrix {
    type Elem = f64;

    fn nsamples(&self) -> usize {
        self.n_rows()
    }

    fn nfeatures(&self) -> usize {
        self.n_cols
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
        let mut out = Vec::new();
        m.write_svmlight(|i| i % 2, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0 1:1.0 3:2.0\n1\n0 2:3.0\n"
        );
    }

    #[test]
    #[should_panic(expected = "increase")]
    fn unsorted_row_is_a_bug() {
        CsrMatrix::new(3).push_row([(2, 1.0), (1, 1.0)]);
    }
}
