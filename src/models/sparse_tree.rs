//! `tree`: a CART decision tree (Gini impurity) grown on the sparse rows
//! themselves, level by level: nothing is densified and no column is left
//! out. It follows linfa-trees 0.8.1's rules (`tree-dense`,
//! [`super::tree`]), so on small data without repeated values the two grow
//! the same tree (tested), and it returns the same fitted type,
//! [`TreeModel`]: the same model file, prediction and sense check.
//!
//! # The tree
//!
//! A split node sends a row to its left child when `x[feature] <
//! threshold`, else to its right child; a column a row has no entry for
//! has the value 0. A node of `n` training rows with class counts `p`:
//!
//! - is a **leaf** when its depth is `max_depth` (the root has depth 0),
//!   when `n < min_samples_split`, or when no candidate split below
//!   qualifies (a pure node never does);
//! - **candidate splits**, for every column: the node's values sorted,
//!   the rows without an entry (value 0) in their place between the
//!   negative and the positive values, and one candidate between every
//!   two consecutive *distinct* values (equal values are never separated);
//!   a candidate leaving fewer than `min_samples_leaf` rows on one side is
//!   skipped;
//! - **quality**: the weighted Gini impurity of the children,
//!   `G = (n_l/n) gini(l) + (n_r/n) gini(r)` with
//!   `gini(c) = 1 − Σ_k (c_k/|c|)²`; the best candidate has the lowest
//!   `G`, i.e. the highest `Σ_k l_k²/n_l + Σ_k r_k²/n_r`, which is
//!   computed and compared **exactly** in 128-bit integers; among equally
//!   good candidates the lower column wins, then the lower threshold;
//! - the best candidate is made a split when the impurity decrease
//!   `gini(p) − G ≥ min_impurity_decrease`. This is linfa's rule: the
//!   decrease is the node's own, not weighted by `n / N` as scikit-learn's
//!   `min_impurity_decrease` is;
//! - **threshold**: `(a + c) / 2`, where `a` is the largest value sent
//!   left and `c` the next larger value of the column among **all**
//!   training rows (0 included when some row has no entry), linfa's rule.
//!   `c` is at most the node's own next value, so the threshold separates
//!   the node's rows as the candidate does; scikit-learn takes the
//!   midpoint of the node's two values instead, which differs only for
//!   unseen values between the two. If rounding makes the midpoint equal
//!   `a` (two adjacent floats), the threshold is `c`.
//!
//! The grown tree is then **pruned as linfa prunes it**: bottom-up, a split
//! whose two children are leaves with the same modal class (the class of
//! most training rows, ties to the later class in [`Stance::ALL`] order, as
//! linfa's) becomes a leaf. A leaf's probabilities are the class
//! frequencies of the training rows that reach it; the prediction is their
//! argmax, ties to the lower class.
//!
//! **Where linfa-trees differs.** linfa (a) treats values less than `1e-5`
//! apart as equal, (b) compares each value with the next one in the
//! column's order over *all* training rows, so in a child node it skips
//! the gap after a value whose equal successor belongs to another node
//! (for sparse data typically the split between the zeros and the
//! smallest positive value, whenever the last row with a zero is not in
//! the node), and (c) computes the qualities in `f32`, so candidates of
//! (nearly) equal quality may be ordered otherwise. We consider every gap
//! of the node and compare exactly. On data with distinct values more than
//! `1e-5` apart and no zeros the trees are equal; with zeros, the root
//! split is linfa's (tests).
//!
//! # Algorithm
//!
//! The training rows are copied once into columns (CSC), each column's
//! entries sorted by value (ties by row). The tree grows one depth level
//! at a time; every row knows its node at the current level. For a level,
//! each column is scanned once (rayon over the columns): its entries are
//! bucketed by the node of their row (nodes that may split only), which
//! keeps them sorted; each node's bucket is swept from the smallest value
//! with running class counts, its rows without an entry entering as one
//! group of value 0 between the negative and positive entries (their class
//! counts are the node's counts minus those of the bucket). Each node keeps
//! its best candidate under the total order above (quality, then column,
//! then threshold), so the result does not depend on how columns are
//! shared out: **the tree is the same bytes for any number of threads**.
//! The rows of the nodes that split then move to the children: to the side
//! of 0 by default, then by their entry in the split column.
//!
//! **Cost.** Sorting the columns once: `O(nnz log nnz)`. Each level:
//! `O(nnz + rows)` (each entry is visited a few times; rows in leaves are
//! skipped). Memory: 16 bytes per non-zero for the sorted columns, 8 bytes
//! per row for the row-to-node maps, and per column scan in flight the
//! longest column plus `O(nodes in the level)` for counts and the best
//! candidates: `O(nnz + rows + nodes × classes)`. At most [`MAX_ROWS`]
//! training rows (the exact qualities fit in 128 bits).
//!
//! | setting | default | meaning | valid range |
//! |---|---|---|---|
//! | `max_depth` | `10` | deepest split level (a tree of depth `max_depth`) | `1..=64` |
//! | `min_samples_split` | `2` | fewest training rows a node needs to be split | `≥ 2` |
//! | `min_samples_leaf` | `1` | fewest training rows on each side of a split | `≥ 1` |
//! | `min_impurity_decrease` | `1e-5` | smallest Gini decrease of the node (unweighted) that makes a split | finite, `> 0` |
//!
//! The defaults and the `--grid` depths (3, 10, 30) are those of
//! `tree-dense`. Model files of the former `tree` (linfa-trees on chi²
//! columns) still load as `tree`: their extra settings (`max_features`,
//! `max_cells`) are ignored and the fitted [`TreeModel`] is the same type.

use linfa::traits::Fit;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::tree::{check_growth, GrowthNames, Node, TreeModel, DEPTHS};
use super::{strength_grid, Dataset, FittedOf, Learner};

const NAME: &str = "tree";

/// Most training rows accepted (`2^24`): the exact split qualities then
/// fit in 128-bit integers.
pub const MAX_ROWS: usize = 1 << 24;

/// Columns per piece of the parallel column scan, at least.
const MIN_COLUMNS_PER_TASK: usize = 64;

/// A row that is in no node of the current level (it reached a leaf).
const NO_NODE: u32 = u32::MAX;

/// Unchecked settings (see the module table). Settings missing from a
/// model file take their defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SparseTreeParams {
    /// Deepest split level.
    pub max_depth: usize,
    /// Fewest training rows a node needs to be split.
    pub min_samples_split: usize,
    /// Fewest training rows on each side of a split.
    pub min_samples_leaf: usize,
    /// Smallest (unweighted) Gini decrease that makes a split.
    pub min_impurity_decrease: f64,
}

impl Default for SparseTreeParams {
    fn default() -> Self {
        SparseTreeParams {
            max_depth: 10,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_impurity_decrease: 1e-5,
        }
    }
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidSparseTreeParams(SparseTreeParams);

impl SparseTreeParams {
    /// Sets `max_depth`.
    pub fn max_depth(mut self, d: usize) -> Self {
        self.max_depth = d;
        self
    }

    /// Sets `min_samples_split`.
    pub fn min_samples_split(mut self, n: usize) -> Self {
        self.min_samples_split = n;
        self
    }

    /// Sets `min_samples_leaf`.
    pub fn min_samples_leaf(mut self, n: usize) -> Self {
        self.min_samples_leaf = n;
        self
    }

    /// Sets `min_impurity_decrease`.
    pub fn min_impurity_decrease(mut self, v: f64) -> Self {
        self.min_impurity_decrease = v;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a value outside the ranges of the module
    /// table.
    pub fn check(self) -> Result<ValidSparseTreeParams> {
        check_growth(
            &GrowthNames {
                max_depth: "tree max_depth",
                min_samples_split: "tree min_samples_split",
                min_samples_leaf: "tree min_samples_leaf",
                min_impurity_decrease: "tree min_impurity_decrease",
            },
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.min_impurity_decrease,
        )?;
        Ok(ValidSparseTreeParams(self))
    }
}

impl ValidSparseTreeParams {
    /// The settings.
    pub fn params(&self) -> &SparseTreeParams {
        &self.0
    }
}

impl Learner for ValidSparseTreeParams {
    fn default_checked() -> Result<Self> {
        SparseTreeParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("max_depth", &DEPTHS, |d| {
            self.0.clone().max_depth(d).check()
        })
    }

    /// No warm start: each depth grows its own tree.
    fn fit_path(data: &Dataset, path: &[&Self]) -> Vec<Result<FittedOf<Self>>> {
        super::fit_each(data, path)
    }

    fn recheck(&self) -> Result<()> {
        self.0.clone().check().map(|_| ())
    }
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidSparseTreeParams {
    type Object = TreeModel;

    /// Grows, prunes and returns the tree (see the module doc).
    ///
    /// # Errors
    /// [`Error::Fit`] with no training rows, rows and labels of different
    /// counts, more than [`MAX_ROWS`] rows, or a value that is not finite.
    fn fit(&self, data: &Dataset) -> Result<TreeModel> {
        let (x, y) = (&data.records, &data.targets);
        if y.is_empty() {
            return Err(Error::fit(NAME, "no training examples"));
        }
        if x.n_rows() != y.len() {
            return Err(Error::fit(
                NAME,
                format!("{} rows but {} labels", x.n_rows(), y.len()),
            ));
        }
        if y.len() > MAX_ROWS {
            return Err(Error::fit(
                NAME,
                format!(
                    "{} training rows; at most {MAX_ROWS} are supported",
                    y.len()
                ),
            ));
        }
        let columns = Columns::new(x)?;
        let labels: Vec<u8> = y.iter().map(|s| s.index() as u8).collect();
        let mut nodes = grow(&self.0, &columns, &labels);
        prune(&mut nodes, 0);
        let mut out = Vec::with_capacity(nodes.len());
        emit(&nodes, 0, &mut out);
        Ok(TreeModel {
            nodes: out,
            n_features: x.n_cols(),
        })
    }
}

/// Class counts of a set of training rows.
type Counts = [u32; N_CLASSES];

/// One stored entry of a column.
#[derive(Debug, Clone, Copy)]
struct Entry {
    value: f64,
    row: u32,
}

/// The training rows by column (CSC), each column's non-zero entries
/// sorted by value, then row.
struct Columns {
    n_rows: usize,
    ptr: Vec<usize>,
    entries: Vec<Entry>,
}

impl Columns {
    /// The columns of `x`; stored zeros are dropped (they read as absent).
    ///
    /// # Errors
    /// [`Error::Fit`] for a value that is not finite.
    fn new(x: &CsrMatrix) -> Result<Columns> {
        let d = x.n_cols();
        let mut ptr = vec![0usize; d + 1];
        for i in 0..x.n_rows() {
            let (cols, vals) = x.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                if !v.is_finite() {
                    return Err(Error::fit(
                        NAME,
                        format!("row {i}, column {j}: value {v} is not finite"),
                    ));
                }
                if v != 0.0 {
                    ptr[j as usize + 1] += 1;
                }
            }
        }
        for j in 0..d {
            ptr[j + 1] += ptr[j];
        }
        let mut fill = ptr.clone();
        let mut entries = vec![Entry { value: 0.0, row: 0 }; ptr[d]];
        for i in 0..x.n_rows() {
            let (cols, vals) = x.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                if v != 0.0 {
                    let at = &mut fill[j as usize];
                    entries[*at] = Entry {
                        value: v,
                        row: i as u32,
                    };
                    *at += 1;
                }
            }
        }
        let mut slices = Vec::with_capacity(d);
        let mut rest = entries.as_mut_slice();
        for j in 0..d {
            let (col, tail) = rest.split_at_mut(ptr[j + 1] - ptr[j]);
            slices.push(col);
            rest = tail;
        }
        slices.par_iter_mut().for_each(|col| {
            col.sort_unstable_by(|a, b| a.value.total_cmp(&b.value).then(a.row.cmp(&b.row)))
        });
        Ok(Columns {
            n_rows: x.n_rows(),
            ptr,
            entries,
        })
    }

    fn n_cols(&self) -> usize {
        self.ptr.len() - 1
    }

    fn col(&self, j: usize) -> &[Entry] {
        &self.entries[self.ptr[j]..self.ptr[j + 1]]
    }

    /// The threshold between `a`, the largest value a split of column `j`
    /// sends left, and the next larger value of the column over all rows
    /// (see the module doc). The caller guarantees such a value exists.
    fn threshold(&self, j: usize, a: f64) -> f64 {
        let col = self.col(j);
        let k = col.partition_point(|e| e.value <= a);
        let mut c = col.get(k).map_or(f64::INFINITY, |e| e.value);
        if col.len() < self.n_rows && a < 0.0 && 0.0 < c {
            c = 0.0;
        }
        debug_assert!(c.is_finite(), "a larger value follows a split's left side");
        let mid = (a + c) / 2.0;
        let mid = if mid.is_finite() {
            mid
        } else {
            a / 2.0 + c / 2.0
        };
        if mid > a {
            mid
        } else {
            c
        }
    }
}

/// A node while the tree grows.
#[derive(Debug, Clone)]
struct Grown {
    counts: Counts,
    depth: usize,
    split: Option<GrownSplit>,
}

#[derive(Debug, Clone, Copy)]
struct GrownSplit {
    feature: usize,
    threshold: f64,
    left: usize,
    right: usize,
}

/// The best split of a node found so far.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// `Σ l_k² · n_r + Σ r_k² · n_l`: the quality `Σ l_k²/n_l + Σ r_k²/n_r`
    /// is `num / den`.
    num: u128,
    /// `n_l · n_r`.
    den: u64,
    col: u32,
    /// The largest value sent left.
    left_value: f64,
    /// Class counts sent left.
    left: Counts,
}

impl Candidate {
    /// Whether a candidate of quality `num / den` on column `col` with
    /// largest left value `left_value` comes before `self`: higher
    /// quality, then lower column, then lower threshold.
    fn beaten_by(&self, num: u128, den: u64, col: u32, left_value: f64) -> bool {
        let theirs = num * u128::from(self.den);
        let ours = self.num * u128::from(den);
        theirs > ours
            || (theirs == ours
                && (col < self.col || (col == self.col && left_value < self.left_value)))
    }

    /// The impurity decrease `gini(parent) − G` of the split of a node
    /// with class counts `parent`.
    fn decrease(&self, parent: &Counts) -> f64 {
        let n = u128::from(total(parent));
        let sq: u128 = parent.iter().map(|&c| u128::from(c) * u128::from(c)).sum();
        // gini(parent) − G = (num/den)/n − sq/n² = (n·num − sq·den) / (n²·den) ≥ 0.
        let top = (n * self.num).saturating_sub(sq * u128::from(self.den));
        top as f64 / ((n * n) as f64 * self.den as f64)
    }
}

fn total(c: &Counts) -> u32 {
    c.iter().sum()
}

/// Grows the tree breadth-first; node 0 is the root, children after
/// their parents.
fn grow(p: &SparseTreeParams, columns: &Columns, labels: &[u8]) -> Vec<Grown> {
    let mut root = [0u32; N_CLASSES];
    labels.iter().for_each(|&c| root[c as usize] += 1);
    let mut nodes = vec![Grown {
        counts: root,
        depth: 0,
        split: None,
    }];
    // The nodes of the current level, and each row's index among them.
    let mut level: Vec<usize> = vec![0];
    let mut node_of: Vec<u32> = vec![0; labels.len()];
    loop {
        let open: Vec<bool> = level.iter().map(|&id| may_split(p, &nodes[id])).collect();
        if !open.iter().any(|&o| o) {
            break;
        }
        node_of.iter_mut().for_each(|s| {
            if *s != NO_NODE && !open[*s as usize] {
                *s = NO_NODE;
            }
        });
        let counts: Vec<Counts> = level.iter().map(|&id| nodes[id].counts).collect();
        let best = best_splits(columns, labels, &node_of, &counts, p.min_samples_leaf);
        let mut next_level = Vec::new();
        let mut routes: Vec<Option<Route>> = vec![None; level.len()];
        for (s, cand) in best.iter().enumerate() {
            let Some(c) = cand else { continue };
            let id = level[s];
            let parent = nodes[id].counts;
            if c.decrease(&parent) < p.min_impurity_decrease {
                continue;
            }
            let threshold = columns.threshold(c.col as usize, c.left_value);
            let mut right = parent;
            right.iter_mut().zip(&c.left).for_each(|(r, l)| *r -= l);
            let depth = nodes[id].depth + 1;
            let (l, r) = (nodes.len(), nodes.len() + 1);
            for counts in [c.left, right] {
                nodes.push(Grown {
                    counts,
                    depth,
                    split: None,
                });
            }
            nodes[id].split = Some(GrownSplit {
                feature: c.col as usize,
                threshold,
                left: l,
                right: r,
            });
            routes[s] = Some(Route {
                col: c.col,
                threshold,
                left: next_level.len() as u32,
                right: next_level.len() as u32 + 1,
            });
            next_level.extend([l, r]);
        }
        if next_level.is_empty() {
            break;
        }
        node_of = route_rows(columns, &node_of, &routes);
        level = next_level;
    }
    nodes
}

/// Whether a node may split at all: below the depth limit, enough rows for
/// a split and two leaves, and more than one class.
fn may_split(p: &SparseTreeParams, node: &Grown) -> bool {
    let n = total(&node.counts) as usize;
    node.depth < p.max_depth
        && n >= p.min_samples_split
        && n >= 2 * p.min_samples_leaf
        && node.counts.iter().filter(|&&c| c > 0).count() > 1
}

/// Where the rows of a splitting node go (indices in the next level).
#[derive(Debug, Clone, Copy)]
struct Route {
    col: u32,
    threshold: f64,
    left: u32,
    right: u32,
}

/// Each row's node in the next level: the child of its node's split, or
/// [`NO_NODE`] when its node did not split.
fn route_rows(columns: &Columns, node_of: &[u32], routes: &[Option<Route>]) -> Vec<u32> {
    let side = |r: &Route, v: f64| if v < r.threshold { r.left } else { r.right };
    let mut next: Vec<u32> = node_of
        .iter()
        .map(|&s| match routes.get(s as usize) {
            Some(Some(r)) => side(r, 0.0),
            _ => NO_NODE,
        })
        .collect();
    let mut cols: Vec<u32> = routes.iter().flatten().map(|r| r.col).collect();
    cols.sort_unstable();
    cols.dedup();
    for j in cols {
        for e in columns.col(j as usize) {
            if let Some(Some(r)) = routes.get(node_of[e.row as usize] as usize) {
                if r.col == j {
                    next[e.row as usize] = side(r, e.value);
                }
            }
        }
    }
    next
}

/// The best candidate split of every node of the level (`None` where
/// there is none), scanning the columns in parallel.
fn best_splits(
    columns: &Columns,
    labels: &[u8],
    node_of: &[u32],
    counts: &[Counts],
    min_leaf: usize,
) -> Vec<Option<Candidate>> {
    let k = counts.len();
    let ctx = ScanContext {
        labels,
        node_of,
        counts,
        min_leaf: min_leaf as u32,
    };
    (0..columns.n_cols())
        .into_par_iter()
        .with_min_len(MIN_COLUMNS_PER_TASK)
        .fold(
            || Scan::new(k),
            |mut scan, j| {
                scan.column(&ctx, j as u32, columns.col(j));
                scan
            },
        )
        .map(|scan| scan.best)
        .reduce(
            || vec![None; k],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    merge(x, y);
                }
                a
            },
        )
}

/// Keeps in `into` the better of the two candidates.
fn merge(into: &mut Option<Candidate>, other: Option<Candidate>) {
    if let Some(o) = other {
        match into {
            Some(c) if !c.beaten_by(o.num, o.den, o.col, o.left_value) => {}
            _ => *into = Some(o),
        }
    }
}

/// What every column scan of a level reads.
struct ScanContext<'a> {
    labels: &'a [u8],
    node_of: &'a [u32],
    counts: &'a [Counts],
    min_leaf: u32,
}

/// One worker's scratch space and best candidates for a level.
struct Scan {
    best: Vec<Option<Candidate>>,
    /// Per node: entries in the current column, then the write position.
    fill: Vec<u32>,
    /// Per node: where its bucket starts in `buf`.
    start: Vec<u32>,
    /// Per node: class counts of its entries in the current column.
    present: Vec<Counts>,
    /// Nodes with entries in the current column, in order of appearance.
    touched: Vec<u32>,
    /// Node of each entry of the current column.
    entry_node: Vec<u32>,
    /// The current column's entries bucketed by node: (value, class).
    buf: Vec<(f64, u8)>,
}

impl Scan {
    fn new(k: usize) -> Scan {
        Scan {
            best: vec![None; k],
            fill: vec![0; k],
            start: vec![0; k],
            present: vec![[0; N_CLASSES]; k],
            touched: Vec::new(),
            entry_node: Vec::new(),
            buf: Vec::new(),
        }
    }

    /// Updates the best candidates with those of column `j`.
    fn column(&mut self, ctx: &ScanContext, j: u32, col: &[Entry]) {
        self.touched.clear();
        self.entry_node.clear();
        for e in col {
            let s = ctx.node_of[e.row as usize];
            self.entry_node.push(s);
            if s != NO_NODE {
                let f = &mut self.fill[s as usize];
                if *f == 0 {
                    self.touched.push(s);
                }
                *f += 1;
            }
        }
        if self.touched.is_empty() {
            return;
        }
        let mut at = 0u32;
        for &s in &self.touched {
            let s = s as usize;
            self.start[s] = at;
            at += self.fill[s];
            self.fill[s] = self.start[s];
        }
        self.buf.clear();
        self.buf.resize(at as usize, (0.0, 0));
        for (e, &s) in col.iter().zip(&self.entry_node) {
            if s != NO_NODE {
                let s = s as usize;
                let class = ctx.labels[e.row as usize];
                self.buf[self.fill[s] as usize] = (e.value, class);
                self.fill[s] += 1;
                self.present[s][class as usize] += 1;
            }
        }
        for &s in &self.touched {
            let s = s as usize;
            let bucket = &self.buf[self.start[s] as usize..self.fill[s] as usize];
            sweep(
                bucket,
                &self.present[s],
                &ctx.counts[s],
                ctx.min_leaf,
                j,
                &mut self.best[s],
            );
            self.fill[s] = 0;
            self.present[s] = [0; N_CLASSES];
        }
    }
}

/// Sweeps one node's entries of column `col` (`bucket`, sorted by value,
/// none zero) from the smallest value, the node's rows without an entry
/// entering as one group of value 0 in their place, and keeps in `best`
/// the better of it and every candidate between two distinct values.
/// `present` are the class counts of `bucket`, `node` those of the node.
fn sweep(
    bucket: &[(f64, u8)],
    present: &Counts,
    node: &Counts,
    min_leaf: u32,
    col: u32,
    best: &mut Option<Candidate>,
) {
    let n = total(node);
    let mut zeros = *node;
    zeros.iter_mut().zip(present).for_each(|(z, p)| *z -= p);
    let n_zeros = total(&zeros);
    let mut left = [0u32; N_CLASSES];
    let mut n_left = 0u32;
    let mut prev = 0.0f64;
    // Consider the candidate "values up to `prev` go left"; false once the
    // right side is too small for every later candidate as well.
    let mut consider = |left: &Counts, n_left: u32, prev: f64| -> bool {
        let n_right = n - n_left;
        if n_right < min_leaf {
            return false;
        }
        if n_left < min_leaf {
            return true;
        }
        let (mut sl, mut sr) = (0u64, 0u64);
        for (&l, &t) in left.iter().zip(node) {
            sl += u64::from(l) * u64::from(l);
            sr += u64::from(t - l) * u64::from(t - l);
        }
        let num = u128::from(sl) * u128::from(n_right) + u128::from(sr) * u128::from(n_left);
        let den = u64::from(n_left) * u64::from(n_right);
        let better = match best {
            None => true,
            Some(b) => b.beaten_by(num, den, col, prev),
        };
        if better {
            *best = Some(Candidate {
                num,
                den,
                col,
                left_value: prev,
                left: *left,
            });
        }
        true
    };
    let negatives = bucket.partition_point(|e| e.0 < 0.0);
    for &(v, c) in &bucket[..negatives] {
        if n_left > 0 && v != prev && !consider(&left, n_left, prev) {
            return;
        }
        left[c as usize] += 1;
        n_left += 1;
        prev = v;
    }
    if n_zeros > 0 {
        if n_left > 0 && !consider(&left, n_left, prev) {
            return;
        }
        left.iter_mut().zip(&zeros).for_each(|(l, z)| *l += z);
        n_left += n_zeros;
        prev = 0.0;
    }
    for &(v, c) in &bucket[negatives..] {
        if n_left > 0 && v != prev && !consider(&left, n_left, prev) {
            return;
        }
        left[c as usize] += 1;
        n_left += 1;
        prev = v;
    }
}

/// linfa's modal class: the most frequent, ties to the later class.
fn modal(c: &Counts) -> usize {
    let mut best = 0;
    for k in 1..N_CLASSES {
        if c[k] >= c[best] {
            best = k;
        }
    }
    best
}

/// Prunes the subtree of `id` as linfa does (see the module doc); returns
/// whether `id` is a leaf afterwards.
fn prune(nodes: &mut [Grown], id: usize) -> bool {
    let Some(s) = nodes[id].split else {
        return true;
    };
    let left = prune(nodes, s.left);
    let right = prune(nodes, s.right);
    if left && right && modal(&nodes[s.left].counts) == modal(&nodes[s.right].counts) {
        nodes[id].split = None;
        return true;
    }
    false
}

/// Appends the subtree of `id` to `out` in pre-order (node, left subtree,
/// right subtree; the layout of the trees copied from linfa); returns its
/// index.
fn emit(nodes: &[Grown], id: usize, out: &mut Vec<Node>) -> usize {
    let at = out.len();
    let counts = nodes[id].counts;
    let n = f64::from(total(&counts));
    out.push(Node::Leaf {
        probs: counts.map(|c| f64::from(c) / n),
    });
    if let Some(s) = nodes[id].split {
        let left = emit(nodes, s.left, out);
        let right = emit(nodes, s.right, out);
        out[at] = Node::Split {
            feature: s.feature,
            threshold: s.threshold,
            left,
            right,
        };
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::tree::TreeParams;
    use crate::models::{fit_on, predict_rows, Classifier, FittedModel, ModelParams};
    use crate::rng::Rng;
    use Stance::{Against, Favor};

    /// `Stance::None`, short.
    const NONE: Stance = Stance::None;

    /// `n` rows of `d` columns: each entry present with probability
    /// `density` (1: every entry), a share `zero_rows` of rows with no
    /// entry at all; magnitudes in [0.01, 1), negative with probability
    /// `negative`, distinct within a column and more than 1e-4 apart (so
    /// linfa's 1e-5 tie rule never applies). Classes from a noisy rule on
    /// the first three columns.
    fn problem(
        n: usize,
        d: usize,
        density: f64,
        zero_rows: f64,
        negative: f64,
        seed: u64,
    ) -> (CsrMatrix, Vec<Stance>) {
        let mut rng = Rng::new(seed);
        let mut used: Vec<Vec<f64>> = vec![Vec::new(); d];
        let mut x = CsrMatrix::new(d);
        let mut y = Vec::new();
        for _ in 0..n {
            let mut row = Vec::new();
            if rng.unit() >= zero_rows {
                for (j, seen) in used.iter_mut().enumerate() {
                    if rng.unit() < density {
                        let v = loop {
                            let sign = if rng.unit() < negative { -1.0 } else { 1.0 };
                            let v = sign * (0.01 + 0.99 * rng.unit());
                            if seen.iter().all(|u: &f64| (u - v).abs() > 1e-4) {
                                break v;
                            }
                        };
                        seen.push(v);
                        row.push((j as u32, v));
                    }
                }
            }
            let at = |j: u32| row.iter().find(|e| e.0 == j).map_or(0.0, |e| e.1);
            let score = at(0) - at(1) + 0.5 * at(2);
            let class = if rng.unit() < 0.2 {
                rng.below(3)
            } else if score > 0.2 {
                0
            } else if score < -0.2 {
                1
            } else {
                2
            };
            x.push_row(row);
            y.push(Stance::ALL[class]);
        }
        (x, y)
    }

    fn check(p: SparseTreeParams) -> ValidSparseTreeParams {
        p.check().unwrap()
    }

    /// The settings variations the comparisons run.
    fn settings() -> Vec<SparseTreeParams> {
        let d = SparseTreeParams::default();
        vec![
            d.clone(),
            d.clone().max_depth(2),
            d.clone().min_samples_leaf(3),
            d.clone().min_samples_split(12),
            d.clone().min_impurity_decrease(0.02),
            d.max_depth(30).min_samples_leaf(2).min_samples_split(5),
        ]
    }

    /// `tree-dense` with the same settings, every column kept: linfa-trees.
    fn linfa_tree(x: &CsrMatrix, y: &[Stance], p: &SparseTreeParams) -> TreeModel {
        let q = TreeParams {
            max_depth: p.max_depth,
            min_samples_split: p.min_samples_split,
            min_samples_leaf: p.min_samples_leaf,
            min_impurity_decrease: p.min_impurity_decrease,
            ..TreeParams::default()
        }
        .check()
        .unwrap();
        assert_eq!(q.params().columns_for(x, y).unwrap().len(), x.n_cols());
        fit_on(&q, x, y).unwrap()
    }

    /// A plain recursive CART on the dense rows, written from the module
    /// doc's rules: every node tries every gap between the distinct values
    /// of its rows (zeros included), in column then value order, keeping
    /// only a strictly better quality; the decrease in plain `f64`.
    fn reference(x: &CsrMatrix, y: &[Stance], p: &SparseTreeParams) -> TreeModel {
        struct R {
            counts: Counts,
            split: Option<(usize, f64, Box<R>, Box<R>)>,
        }
        let a = x.to_dense();
        let counts_of = |rows: &[usize]| {
            let mut c = [0u32; N_CLASSES];
            rows.iter().for_each(|&r| c[y[r].index()] += 1);
            c
        };
        let gini = |c: &Counts| {
            let n = f64::from(total(c));
            1.0 - c.iter().map(|&k| (f64::from(k) / n).powi(2)).sum::<f64>()
        };
        fn go(
            rows: Vec<usize>,
            depth: usize,
            a: &ndarray::Array2<f64>,
            p: &SparseTreeParams,
            counts_of: &dyn Fn(&[usize]) -> Counts,
            gini: &dyn Fn(&Counts) -> f64,
        ) -> R {
            let counts = counts_of(&rows);
            let n = rows.len();
            if depth >= p.max_depth || n < p.min_samples_split {
                return R {
                    counts,
                    split: None,
                };
            }
            let mut best: Option<(u128, u128, usize, f64)> = None;
            for j in 0..a.ncols() {
                let mut values: Vec<f64> = rows.iter().map(|&r| a[[r, j]]).collect();
                values.sort_by(f64::total_cmp);
                values.dedup();
                for &v in values.iter().take(values.len().saturating_sub(1)) {
                    let left: Vec<usize> =
                        rows.iter().copied().filter(|&r| a[[r, j]] <= v).collect();
                    let (nl, nr) = (left.len(), n - left.len());
                    if nl < p.min_samples_leaf || nr < p.min_samples_leaf {
                        continue;
                    }
                    let lc = counts_of(&left);
                    let sq = |c: &mut dyn Iterator<Item = u32>| {
                        c.map(|k| u128::from(k).pow(2)).sum::<u128>()
                    };
                    let sl = sq(&mut lc.iter().copied());
                    let sr = sq(&mut lc.iter().zip(&counts).map(|(l, t)| t - l));
                    let num = sl * nr as u128 + sr * nl as u128;
                    let den = (nl * nr) as u128;
                    if best.is_none_or(|(bn, bd, _, _)| num * bd > bn * den) {
                        best = Some((num, den, j, v));
                    }
                }
            }
            let Some((_, _, j, v)) = best else {
                return R {
                    counts,
                    split: None,
                };
            };
            let c = (0..a.nrows())
                .map(|r| a[[r, j]])
                .filter(|&u| u > v)
                .fold(f64::INFINITY, f64::min);
            let t = (v + c) / 2.0;
            let t = if t > v { t } else { c };
            let (left, right): (Vec<usize>, Vec<usize>) =
                rows.iter().partition(|&&r| a[[r, j]] < t);
            let (lc, rc) = (counts_of(&left), counts_of(&right));
            let g = (left.len() as f64 * gini(&lc) + right.len() as f64 * gini(&rc)) / n as f64;
            if gini(&counts) - g < p.min_impurity_decrease {
                return R {
                    counts,
                    split: None,
                };
            }
            let l = go(left, depth + 1, a, p, counts_of, gini);
            let r = go(right, depth + 1, a, p, counts_of, gini);
            // linfa's pruning: two leaf children with the same modal class
            // (ties to the later class) make a leaf.
            let modal = |c: &Counts| (0..N_CLASSES).rev().max_by_key(|&k| (c[k], k)).unwrap();
            if l.split.is_none() && r.split.is_none() && modal(&l.counts) == modal(&r.counts) {
                return R {
                    counts,
                    split: None,
                };
            }
            R {
                counts,
                split: Some((j, t, Box::new(l), Box::new(r))),
            }
        }
        fn flatten(r: &R, out: &mut Vec<Node>) -> usize {
            let at = out.len();
            let n = f64::from(total(&r.counts));
            out.push(Node::Leaf {
                probs: r.counts.map(|c| f64::from(c) / n),
            });
            if let Some((feature, threshold, l, rr)) = &r.split {
                let left = flatten(l, out);
                let right = flatten(rr, out);
                out[at] = Node::Split {
                    feature: *feature,
                    threshold: *threshold,
                    left,
                    right,
                };
            }
            at
        }
        let root = go((0..a.nrows()).collect(), 0, &a, p, &counts_of, &gini);
        let mut nodes = Vec::new();
        flatten(&root, &mut nodes);
        TreeModel {
            nodes,
            n_features: x.n_cols(),
        }
    }

    fn splits(m: &TreeModel) -> usize {
        m.nodes
            .iter()
            .filter(|n| matches!(n, Node::Split { .. }))
            .count()
    }

    /// Whether `ours` equals `theirs` (linfa's); if not, checks that they
    /// part at an exact tie: the first node where they differ (pre-order,
    /// so both trees send it the same training rows) splits in both, on
    /// two different splits of exactly equal quality. linfa computes the
    /// qualities in `f32`, so its choice among tied candidates (typically
    /// mirrored partitions, `a | b` against `b | a`) follows rounding.
    fn equal_or_parted_at_a_tie(
        ours: &TreeModel,
        theirs: &TreeModel,
        x: &CsrMatrix,
        y: &[Stance],
    ) -> bool {
        if ours == theirs {
            return true;
        }
        let k = ours
            .nodes
            .iter()
            .zip(&theirs.nodes)
            .position(|(a, b)| a != b)
            .expect("trees of different sizes differ at some node");
        let a = x.to_dense();
        let reaches = |i: usize| {
            let mut at = 0;
            while at != k {
                match ours.nodes[at] {
                    Node::Leaf { .. } => return false,
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => {
                        at = if a[[i, feature]] < threshold {
                            left
                        } else {
                            right
                        }
                    }
                }
            }
            true
        };
        let rows: Vec<usize> = (0..x.n_rows()).filter(|&i| reaches(i)).collect();
        // The quality Σ l²/n_l + Σ r²/n_r as an exact fraction.
        let quality = |m: &TreeModel| match m.nodes[k] {
            Node::Split {
                feature, threshold, ..
            } => {
                let (mut l, mut r) = ([0u128; N_CLASSES], [0u128; N_CLASSES]);
                for &i in &rows {
                    let side = if a[[i, feature]] < threshold {
                        &mut l
                    } else {
                        &mut r
                    };
                    side[y[i].index()] += 1;
                }
                let (nl, nr): (u128, u128) = (l.iter().sum(), r.iter().sum());
                let sq = |c: &[u128]| c.iter().map(|v| v * v).sum::<u128>();
                (sq(&l) * nr + sq(&r) * nl, nl * nr)
            }
            Node::Leaf { .. } => {
                panic!("node {k} is a leaf in one tree only:\n{ours:?}\n{theirs:?}")
            }
        };
        let ((n1, d1), (n2, d2)) = (quality(ours), quality(theirs));
        assert_eq!(
            n1 * d2,
            n2 * d1,
            "node {k}: not a tie\n{ours:?}\n{theirs:?}"
        );
        false
    }

    #[test]
    fn equals_linfa_trees_on_dense_data_without_ties() {
        let (mut equal, mut cases, mut grown) = (0, 0, 0);
        for seed in 0..8 {
            for (n, d) in [(30, 4), (60, 5), (120, 6)] {
                let (x, y) = problem(n, d, 1.0, 0.0, 0.5, seed);
                for p in settings() {
                    let ours = fit_on(&check(p.clone()), &x, &y).unwrap();
                    let theirs = linfa_tree(&x, &y, &p);
                    cases += 1;
                    equal += usize::from(equal_or_parted_at_a_tie(&ours, &theirs, &x, &y));
                    assert_eq!(ours, reference(&x, &y, &p), "seed {seed}, {n} x {d}, {p:?}");
                    grown += splits(&ours);
                }
            }
        }
        assert!(grown > 1000, "the trees split: {grown}");
        // 117 of the 144 trees are equal; the others part at a tie.
        assert!(equal * 10 >= cases * 8, "{equal} of {cases} equal");
    }

    #[test]
    fn equals_a_plain_cart_on_sparse_data_and_linfa_at_the_root() {
        let mut grown = 0;
        for seed in 0..8 {
            for (n, d, negative) in [(40, 5, 0.0), (80, 6, 0.4), (150, 8, 0.5)] {
                let (x, y) = problem(n, d, 0.35, 0.15, negative, 100 + seed);
                for p in settings() {
                    let ours = fit_on(&check(p.clone()), &x, &y).unwrap();
                    assert_eq!(ours, reference(&x, &y, &p), "seed {seed}, {n} x {d}, {p:?}");
                    assert_eq!(predict_rows(&ours, &x).len(), n);
                    grown += splits(&ours);
                }
                // The root sees every row: linfa's skipped gaps (module doc)
                // cannot happen there.
                let p = SparseTreeParams::default().max_depth(1);
                let ours = fit_on(&check(p.clone()), &x, &y).unwrap();
                assert_eq!(ours, linfa_tree(&x, &y, &p), "seed {seed}, {n} x {d}");
            }
        }
        assert!(grown > 1000, "the trees split: {grown}");
    }

    #[test]
    fn rows_without_an_entry_sit_between_negative_and_positive_values() {
        // One column: three favor rows below zero, two against rows (and
        // an all-zero row) without an entry, two none rows above zero.
        let mut x = CsrMatrix::new(2);
        let rows: [&[(u32, f64)]; 8] = [
            &[(0, -0.9)],
            &[(0, -0.85)],
            &[(0, -0.8)],
            &[(1, 0.3)],
            &[(1, 0.6)],
            &[],
            &[(0, 0.5)],
            &[(0, 0.7)],
        ];
        for r in rows {
            x.push_row(r.iter().copied());
        }
        let y = vec![Favor, Favor, Favor, Against, Against, Against, NONE, NONE];
        let m = fit_on(&SparseTreeParams::default().check().unwrap(), &x, &y).unwrap();
        let leaf = |probs| Node::Leaf { probs };
        assert_eq!(
            m.nodes,
            vec![
                Node::Split {
                    feature: 0,
                    threshold: -0.4,
                    left: 1,
                    right: 2
                },
                leaf([1.0, 0.0, 0.0]),
                Node::Split {
                    feature: 0,
                    threshold: 0.25,
                    left: 3,
                    right: 4
                },
                leaf([0.0, 1.0, 0.0]),
                leaf([0.0, 0.0, 1.0]),
            ]
        );
        let mut probe = CsrMatrix::new(2);
        for v in [-0.5, -0.3, 0.1, 0.2, 0.3] {
            probe.push_row([(0, v)]);
        }
        probe.push_row([]);
        assert_eq!(
            predict_rows(&m, &probe),
            vec![Favor, Against, Against, Against, NONE, Against]
        );
        assert_eq!(m, reference(&x, &y, &SparseTreeParams::default()));
        // Mirrored (values negated): the zeros still sit in the middle.
        let mut neg = CsrMatrix::new(2);
        for i in 0..x.n_rows() {
            let (c, v) = x.row(i);
            neg.push_row(c.iter().zip(v).map(|(&j, &v)| (j, -v)));
        }
        let m = fit_on(&SparseTreeParams::default().check().unwrap(), &neg, &y).unwrap();
        assert_eq!(predict_rows(&m, &neg), y);
        assert_eq!(m, reference(&neg, &y, &SparseTreeParams::default()));
    }

    /// Training rows reaching each node.
    fn rows_per_node(m: &TreeModel, x: &CsrMatrix) -> Vec<usize> {
        let mut reach = vec![0; m.nodes.len()];
        for i in 0..x.n_rows() {
            let (c, v) = x.row(i);
            let mut at = 0;
            loop {
                reach[at] += 1;
                match m.nodes[at] {
                    Node::Leaf { .. } => break,
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => {
                        let value = c.binary_search(&(feature as u32)).map_or(0.0, |k| v[k]);
                        at = if value < threshold { left } else { right };
                    }
                }
            }
        }
        reach
    }

    #[test]
    fn respects_depth_and_sample_limits() {
        let (x, y) = problem(400, 12, 0.3, 0.1, 0.3, 7);
        for (depth, split, leaf) in [(1, 2, 1), (3, 2, 1), (10, 2, 10), (10, 40, 1), (30, 8, 4)] {
            let p = SparseTreeParams::default()
                .max_depth(depth)
                .min_samples_split(split)
                .min_samples_leaf(leaf);
            let m = fit_on(&check(p), &x, &y).unwrap();
            assert!(m.depth() <= depth, "{depth}");
            assert!(splits(&m) > 0);
            let reach = rows_per_node(&m, &x);
            for (node, &r) in m.nodes.iter().zip(&reach) {
                match node {
                    Node::Leaf { .. } => assert!(r >= leaf, "leaf of {r} rows, {leaf}"),
                    Node::Split { .. } => assert!(r >= split, "split of {r} rows, {split}"),
                }
            }
        }
        // Depth 1 is one split; deeper trees are refused past 64.
        let m = fit_on(&check(SparseTreeParams::default().max_depth(1)), &x, &y).unwrap();
        assert_eq!((m.depth(), splits(&m)), (1, 1));
    }

    #[test]
    fn same_bytes_for_any_number_of_threads_and_run() {
        let (x, y) = problem(3000, 300, 0.02, 0.05, 0.2, 11);
        for p in [
            SparseTreeParams::default(),
            SparseTreeParams::default().max_depth(30),
        ] {
            let p = check(p);
            let fit = |t| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(t)
                    .build()
                    .unwrap()
                    .install(|| fit_on(&p, &x, &y).unwrap())
            };
            let one = fit(1);
            assert!(splits(&one) > 20);
            let bytes = serde_json::to_string(&one).unwrap();
            for t in [2, 5, 1] {
                assert_eq!(
                    serde_json::to_string(&fit(t)).unwrap(),
                    bytes,
                    "{t} threads"
                );
            }
        }
    }

    #[test]
    fn one_class_empty_columns_and_no_entries() {
        let (x, _) = problem(50, 4, 0.5, 0.1, 0.3, 3);
        let p = check(SparseTreeParams::default());
        let m = fit_on(&p, &x, &[Against; 50]).unwrap();
        assert_eq!(
            m.nodes,
            vec![Node::Leaf {
                probs: [0.0, 1.0, 0.0]
            }]
        );
        // Columns 4..10 have no entry: never split on, and the tree is the
        // one grown without them.
        let (x, y) = problem(80, 4, 0.5, 0.1, 0.3, 4);
        let mut wide = CsrMatrix::new(10);
        for i in 0..x.n_rows() {
            let (c, v) = x.row(i);
            wide.push_row(c.iter().copied().zip(v.iter().copied()));
        }
        let narrow = fit_on(&p, &x, &y).unwrap();
        let m = fit_on(&p, &wide, &y).unwrap();
        assert_eq!(m.nodes, narrow.nodes);
        assert_eq!(m.n_features, 10);
        assert_eq!(m.validate(10), Ok(()));
        // No entries at all, or no columns: one leaf of the class frequencies.
        for n_cols in [0, 3] {
            let mut empty = CsrMatrix::new(n_cols);
            for _ in 0..4 {
                empty.push_row([]);
            }
            let m = fit_on(&p, &empty, &[Favor, NONE, NONE, NONE]).unwrap();
            assert_eq!(
                m.nodes,
                vec![Node::Leaf {
                    probs: [0.25, 0.0, 0.75]
                }]
            );
        }
        // Stored zeros read as absent entries.
        let mut stored = CsrMatrix::new(1);
        for v in [0.0, -0.0, 0.5, 0.0] {
            stored.push_row([(0, v)]);
        }
        let m = fit_on(&p, &stored, &[Favor, Favor, NONE, Favor]).unwrap();
        assert_eq!(
            m.nodes[0],
            Node::Split {
                feature: 0,
                threshold: 0.25,
                left: 1,
                right: 2
            }
        );
    }

    #[test]
    fn model_file_round_trip_and_former_tree_files() {
        let (x, y) = problem(200, 6, 0.4, 0.1, 0.3, 5);
        let p = ModelParams::from_name("tree").unwrap();
        let m = p.fit(&Dataset::new(x.clone(), y)).unwrap();
        assert!(matches!(&m, FittedModel::Tree(t) if splits(t) > 3));
        let json = serde_json::to_string(&m).unwrap();
        let back: FittedModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        assert_eq!(back.validate(6), Ok(()));
        let texts = vec![""; x.n_rows()];
        assert_eq!(
            back.predict_proba(&x, &texts).unwrap(),
            m.predict_proba(&x, &texts).unwrap()
        );
        // The settings of the former `tree` (linfa-trees on chi² columns)
        // load as this one's; their extra settings are ignored.
        let old = r#"{"kind":"tree","max_depth":30,"min_samples_split":2,"min_samples_leaf":1,"min_impurity_decrease":1e-5,"max_features":2000,"max_cells":33554432}"#;
        let loaded: ModelParams = serde_json::from_str(old).unwrap();
        assert_eq!(
            loaded,
            ModelParams::Tree(check(SparseTreeParams::default().max_depth(30)))
        );
    }

    #[test]
    fn bad_settings_and_values_are_refused() {
        let d = SparseTreeParams::default;
        assert!(d().max_depth(0).check().is_err());
        assert!(d().max_depth(65).check().is_err());
        assert!(d().max_depth(64).check().is_ok());
        assert!(d().min_samples_split(1).check().is_err());
        assert!(d().min_samples_leaf(0).check().is_err());
        for v in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = d().min_impurity_decrease(v).check().unwrap_err();
            assert!(e.to_string().contains("tree min_impurity_decrease"), "{e}");
        }
        let mut x = CsrMatrix::new(2);
        x.push_row([(0, 1.0)]);
        x.push_row([(1, f64::NAN)]);
        let e = fit_on(&check(d()), &x, &[Favor, NONE]).unwrap_err();
        assert!(
            e.to_string()
                .contains("row 1, column 1: value NaN is not finite"),
            "{e}"
        );
        let e = fit_on(&check(d()), &x, &[Favor]).unwrap_err();
        assert!(e.to_string().contains("2 rows but 1 labels"), "{e}");
        let grid = check(d()).strengths().unwrap().unwrap();
        let labels: Vec<&str> = grid.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["max_depth=3", "max_depth=10", "max_depth=30"]);
    }

    #[test]
    fn exact_qualities_break_ties_by_column_then_threshold() {
        // Columns 0 and 1 give the same partition; column 1 also has a
        // second, equally good split at a lower threshold on column 2's
        // mirror. The lower column wins, then the lower threshold.
        let mut x = CsrMatrix::new(3);
        let rows: [&[(u32, f64)]; 4] = [
            &[(1, 0.1), (2, 0.1)],
            &[(1, 0.2), (2, 0.2)],
            &[(0, 0.5), (1, 0.8), (2, 0.9)],
            &[(0, 0.6), (1, 0.9), (2, 0.95)],
        ];
        for r in rows {
            x.push_row(r.iter().copied());
        }
        let y = vec![Favor, Favor, NONE, NONE];
        let m = fit_on(&check(SparseTreeParams::default()), &x, &y).unwrap();
        assert_eq!(
            m.nodes[0],
            Node::Split {
                feature: 0,
                threshold: 0.25,
                left: 1,
                right: 2
            }
        );
        // Without column 0, column 1 wins over column 2.
        let mut x12 = CsrMatrix::new(3);
        for i in 0..4 {
            let (c, v) = x.row(i);
            x12.push_row(c.iter().zip(v).filter(|e| *e.0 != 0).map(|(&j, &v)| (j, v)));
        }
        let m = fit_on(&check(SparseTreeParams::default()), &x12, &y).unwrap();
        assert!(
            matches!(m.nodes[0], Node::Split { feature: 1, .. }),
            "{:?}",
            m.nodes[0]
        );
    }
}
