//! `tree-dense` (extra, cross-check): a CART decision tree (Gini
//! impurity) fitted by `linfa-trees` on the training rows restricted to
//! their best columns by chi², and [`TreeModel`], the fitted type of both
//! trees (this one and `tree`, [`super::sparse_tree`], which grows the
//! same kind of tree on the sparse rows themselves).
//!
//! `tree-dense` was `tree` until the sparse fit replaced it (issue 12: 200
//! s and 1.4 GB for `compare --cv doc` on 30,000 news sentences); it stays
//! to cross-check `tree`. Model files written then, of kind `tree`, load
//! as the new `tree`, whose fitted type is the same.
//!
//! **Bounded memory.** linfa-trees takes a dense matrix, and for every
//! column keeps its rows sorted by value: about 24 bytes a cell (8 for the
//! matrix, 16 for the sorted index). So before the fit we score every
//! column by chi² on the sparse rows ([`super::chi2`], scikit-learn's
//! `chi2`) and keep the best `max_features` (ties to the lower column
//! index); then, if rows × kept columns exceed `max_cells`, we keep fewer
//! columns, `⌊max_cells / rows⌋`, so that the dense block never exceeds
//! `max_cells` cells (with the defaults 32 Mi cells: 256 MiB of `f64` plus
//! linfa's 512 MiB of sorted index, whatever the corpus size). Only with
//! more rows than `max_cells` is the fit refused. The kept columns stay in
//! increasing column order, so with at most `max_features` columns and
//! rows × columns within `max_cells` the tree is the one grown on all the
//! columns.
//!
//! linfa grows and prunes the tree on the dense block; we then copy its
//! structure (split feature, threshold, children) into our own flat node
//! list, mapping each split's column back to the **original** column
//! index, which is what the model file stores (no `serde` feature of
//! linfa-trees needed) and what predicts from the full sparse rows (a row
//! goes left when its feature value is `<` the threshold, as in linfa;
//! absent features are 0). Columns that were not kept are never read.
//!
//! Probabilities are the **class frequencies of the training examples that
//! reach each leaf** (we route the training rows through the copied tree
//! and count), and the prediction is their argmax with ties to the lower
//! class index. We do not use linfa's leaf labels: upstream linfa breaks
//! ties between equally frequent classes by hash-map order (the patched
//! copy below: to the later class).
//!
//! **Determinism.** Upstream linfa-trees 0.8.1 keeps class frequencies in
//! `HashMap`s seeded at random per process, so its Gini sums and modal-class
//! ties followed hash order and the same data could grow a different tree
//! in another run. The project builds a copy with ordered maps
//! (`vendor/linfa-trees`, see its `PATCH.md`), so fits are identical in
//! every run.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `max_depth` | `10` | deepest split level, `1..=64` |
//! | `min_samples_split` | `2` | fewest examples a node needs to be split, `≥ 2` |
//! | `min_samples_leaf` | `1` | fewest examples on each side of a split, `≥ 1` |
//! | `min_impurity_decrease` | `1e-5` | smallest Gini decrease that makes a split, finite and `> 0` |
//! | `max_features` | `2000` ([`MAX_FEATURES`]) | columns kept by chi² before the dense fit, `≥ 1` |
//! | `max_cells` | `2^25` ([`MAX_CELLS`]) | largest dense block (rows × kept columns); fewer columns are kept to fit, `≥ 1` |
//!
//! Memory: `O(nnz + classes × features)` for the chi² scores, plus the
//! dense block of at most `max_cells` cells and linfa's sorted index (about
//! 24 bytes a cell). Time: linfa scans every kept column over every
//! training row at each node, `O(nodes × rows × kept columns)`.

use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality, TreeNode};
use ndarray::{Array1, Array2};

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::chi2::{chi2, top_columns};
use super::{check_distribution, strength_grid, ClassWeights, Classifier, Learner, Probs};

const NAME: &str = "tree-dense";

/// Default number of columns kept by chi² before the dense fit.
pub const MAX_FEATURES: usize = 2000;

/// Default largest dense block handed to linfa-trees (rows × kept
/// columns): 2^25 cells, 256 MiB of `f64` (and about 512 MiB of linfa's
/// per-column sorted index).
pub const MAX_CELLS: usize = 1 << 25;

/// The depths tried by `--grid`.
pub const DEPTHS: [usize; 3] = [3, 10, 30];

/// Unchecked settings (see the module table). Settings missing from a
/// model file take their defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TreeParams {
    /// Deepest split level.
    pub max_depth: usize,
    /// Fewest examples a node needs to be split.
    pub min_samples_split: usize,
    /// Fewest examples on each side of a split.
    pub min_samples_leaf: usize,
    /// Smallest impurity decrease that makes a split.
    pub min_impurity_decrease: f64,
    /// Columns kept by chi² before the dense fit.
    pub max_features: usize,
    /// Largest dense block (rows × kept columns).
    pub max_cells: usize,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            max_depth: 10,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_impurity_decrease: 1e-5,
            max_features: MAX_FEATURES,
            max_cells: MAX_CELLS,
        }
    }
}

/// Checked settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidTreeParams(TreeParams);

/// Deepest tree accepted (keeps recursion shallow).
pub const MAX_DEPTH: usize = 64;

impl TreeParams {
    /// Sets `max_depth`.
    pub fn max_depth(mut self, d: usize) -> Self {
        self.max_depth = d;
        self
    }

    /// Sets `max_features`.
    pub fn max_features(mut self, k: usize) -> Self {
        self.max_features = k;
        self
    }

    /// Sets `max_cells`.
    pub fn max_cells(mut self, cells: usize) -> Self {
        self.max_cells = cells;
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a value outside the ranges of the module
    /// table.
    pub fn check(self) -> Result<ValidTreeParams> {
        check_growth(
            &GrowthNames {
                max_depth: "tree-dense max_depth",
                min_samples_split: "tree-dense min_samples_split",
                min_samples_leaf: "tree-dense min_samples_leaf",
                min_impurity_decrease: "tree-dense min_impurity_decrease",
            },
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.min_impurity_decrease,
        )?;
        if self.max_features < 1 {
            return Err(Error::param(
                "tree-dense max_features",
                "must be at least 1",
            ));
        }
        if self.max_cells < 1 {
            return Err(Error::param("tree-dense max_cells", "must be at least 1"));
        }
        Ok(ValidTreeParams(self))
    }
}

impl ValidTreeParams {
    /// The settings.
    pub fn params(&self) -> &TreeParams {
        &self.0
    }
}

/// The setting names of one tree model, for its error messages.
pub(crate) struct GrowthNames {
    pub(crate) max_depth: &'static str,
    pub(crate) min_samples_split: &'static str,
    pub(crate) min_samples_leaf: &'static str,
    pub(crate) min_impurity_decrease: &'static str,
}

/// Checks the growth settings both trees share (`tree` and `tree-dense`):
/// `max_depth` in `1..=MAX_DEPTH`, `min_samples_split ≥ 2`,
/// `min_samples_leaf ≥ 1`, `min_impurity_decrease` finite and `> 0`.
///
/// # Errors
/// [`Error::InvalidParam`] naming the first bad setting by `names`.
pub(crate) fn check_growth(
    names: &GrowthNames,
    max_depth: usize,
    min_samples_split: usize,
    min_samples_leaf: usize,
    min_impurity_decrease: f64,
) -> Result<()> {
    if !(1..=MAX_DEPTH).contains(&max_depth) {
        return Err(Error::param(
            names.max_depth,
            format!("{max_depth} is out of range; expected 1..={MAX_DEPTH}"),
        ));
    }
    if min_samples_split < 2 {
        return Err(Error::param(names.min_samples_split, "must be at least 2"));
    }
    if min_samples_leaf < 1 {
        return Err(Error::param(names.min_samples_leaf, "must be at least 1"));
    }
    let v = min_impurity_decrease;
    if !(v.is_finite() && v > 0.0) {
        return Err(Error::param(
            names.min_impurity_decrease,
            format!("{v} must be finite and > 0"),
        ));
    }
    Ok(())
}

/// One node of a fitted tree.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "node", rename_all = "lowercase")]
pub enum Node {
    /// Go to `left` when `x[feature] < threshold`, else to `right`
    /// (indices into [`TreeModel::nodes`]).
    Split {
        /// Feature index.
        feature: usize,
        /// Threshold.
        threshold: f64,
        /// Left child.
        left: usize,
        /// Right child.
        right: usize,
    },
    /// A leaf with its training class frequencies.
    Leaf {
        /// Class probabilities in [`Stance::ALL`] order.
        probs: Probs,
    },
}

/// A fitted decision tree, of `tree` or `tree-dense`: the root is node 0,
/// and every split node comes before its children.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TreeModel {
    /// The nodes, root first.
    pub nodes: Vec<Node>,
    /// Number of features the tree was fitted on.
    pub n_features: usize,
}

impl Learner for ValidTreeParams {
    fn default_checked() -> Result<Self> {
        TreeParams::default().check()
    }

    fn strengths(&self) -> Result<Option<Vec<(String, Self)>>> {
        strength_grid("max_depth", &DEPTHS, |d| {
            self.0.clone().max_depth(d).check()
        })
    }

    /// No warm start: each depth grows its own tree.
    fn fit_path(data: &super::Dataset, path: &[&Self]) -> Vec<Result<super::FittedOf<Self>>> {
        super::fit_each(data, path)
    }

    fn recheck(&self) -> Result<()> {
        self.0.clone().check().map(|_| ())
    }
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidTreeParams {
    type Object = TreeModel;

    fn fit(&self, data: &super::Dataset) -> Result<TreeModel> {
        let (x, y) = (&data.records, &data.targets);
        let p = &self.0;
        let n = y.len();
        if n == 0 {
            return Err(Error::fit(NAME, "no training examples"));
        }
        let kept = p.columns_for(x, y)?;
        let dense = dense_columns(x, &kept);
        let ds = Dataset::new(dense, Array1::from_iter(y.iter().map(|s| s.index())));
        let fitted = DecisionTree::params()
            .split_quality(SplitQuality::Gini)
            .max_depth(Some(p.max_depth))
            .min_weight_split(p.min_samples_split as f32)
            .min_weight_leaf(p.min_samples_leaf as f32)
            .min_impurity_decrease(p.min_impurity_decrease)
            .fit(&ds)
            .map_err(|e| Error::fit(NAME, format!("linfa-trees: {e}")))?;
        let mut nodes = Vec::new();
        copy_node(fitted.root_node(), &kept, &mut nodes)?;
        let mut model = TreeModel {
            nodes,
            n_features: x.n_cols(),
        };
        // Leaf class frequencies from the training rows.
        let mut counts = vec![[0usize; N_CLASSES]; model.nodes.len()];
        for (i, s) in y.iter().enumerate() {
            counts[model.leaf_of(x, i)][s.index()] += 1;
        }
        let mut priors = [0.0; N_CLASSES];
        y.iter().for_each(|s| priors[s.index()] += 1.0 / n as f64);
        for (node, c) in model.nodes.iter_mut().zip(&counts) {
            if let Node::Leaf { probs } = node {
                let total: usize = c.iter().sum();
                *probs = if total == 0 {
                    priors
                } else {
                    c.map(|k| k as f64 / total as f64)
                };
            }
        }
        Ok(model)
    }
}

impl TreeParams {
    /// The columns of `x` the fit densifies, in increasing order: the best
    /// `max_features` by chi², fewer if rows × columns would exceed
    /// `max_cells` (see the module doc).
    ///
    /// # Errors
    /// [`Error::Fit`] when even one column per row exceeds `max_cells`.
    pub fn columns_for(&self, x: &CsrMatrix, y: &[Stance]) -> Result<Vec<usize>> {
        let n = x.n_rows().max(1);
        let fit = self.max_cells / n;
        if fit == 0 && x.n_cols() > 0 {
            return Err(Error::fit(
                NAME,
                format!(
                    "{} training rows exceed the dense cap of {} cells even with one column \
                     (train on fewer rows or raise max_cells)",
                    x.n_rows(),
                    self.max_cells
                ),
            ));
        }
        let k = self.max_features.min(fit);
        if k >= x.n_cols() {
            return Ok((0..x.n_cols()).collect());
        }
        Ok(top_columns(&chi2(x, y), k))
    }
}

/// The dense `rows × kept.len()` block of the columns `kept` of `x`.
fn dense_columns(x: &CsrMatrix, kept: &[usize]) -> Array2<f64> {
    let mut at = vec![usize::MAX; x.n_cols()];
    for (k, &j) in kept.iter().enumerate() {
        at[j] = k;
    }
    let mut a = Array2::zeros((x.n_rows(), kept.len()));
    for i in 0..x.n_rows() {
        let (cols, vals) = x.row(i);
        for (&j, &v) in cols.iter().zip(vals) {
            let k = at[j as usize];
            if k != usize::MAX {
                a[(i, k)] = v;
            }
        }
    }
    a
}

/// Appends `node` and its subtree to `out` (pre-order), its split columns
/// mapped through `kept` to the original columns; returns its index.
fn copy_node(node: &TreeNode<f64, usize>, kept: &[usize], out: &mut Vec<Node>) -> Result<usize> {
    let at = out.len();
    if node.is_leaf() {
        out.push(Node::Leaf {
            probs: [0.0; N_CLASSES],
        });
        return Ok(at);
    }
    let (feature, threshold, _) = node.split();
    let children = node.children();
    let (Some(l), Some(r)) = (children[0].as_deref(), children[1].as_deref()) else {
        return Err(Error::fit(
            NAME,
            "linfa-trees split node without two children",
        ));
    };
    out.push(Node::Leaf {
        probs: [0.0; N_CLASSES],
    });
    let left = copy_node(l, kept, out)?;
    let right = copy_node(r, kept, out)?;
    let Some(&feature) = kept.get(feature) else {
        return Err(Error::fit(
            NAME,
            format!("linfa-trees split on column {feature} of {}", kept.len()),
        ));
    };
    out[at] = Node::Split {
        feature,
        threshold,
        left,
        right,
    };
    Ok(at)
}

impl TreeModel {
    /// Index of the leaf that row `i` of `x` reaches.
    fn leaf_of(&self, x: &CsrMatrix, i: usize) -> usize {
        let (cols, vals) = x.row(i);
        let mut at = 0;
        while let Node::Split {
            feature,
            threshold,
            left,
            right,
        } = self.nodes[at]
        {
            let v = match cols.binary_search(&(feature as u32)) {
                Ok(k) => vals[k],
                Err(_) => 0.0,
            };
            at = if v < threshold { left } else { right };
        }
        at
    }

    /// Depth of the tree (a single leaf has depth 0).
    pub fn depth(&self) -> usize {
        fn go(nodes: &[Node], at: usize) -> usize {
            match nodes[at] {
                Node::Leaf { .. } => 0,
                Node::Split { left, right, .. } => 1 + go(nodes, left).max(go(nodes, right)),
            }
        }
        go(&self.nodes, 0)
    }
}

impl Classifier for TreeModel {
    fn n_features(&self) -> Option<usize> {
        Some(self.n_features)
    }

    fn probs(&self, x: &CsrMatrix, _texts: &[&str]) -> Vec<Probs> {
        (0..x.n_rows())
            .map(|i| match self.nodes[self.leaf_of(x, i)] {
                Node::Leaf { probs } => probs,
                Node::Split { .. } => unreachable!("leaf_of returns a leaf"),
            })
            .collect()
    }

    fn class_weights(&self) -> Option<ClassWeights> {
        None
    }

    /// A well-formed tree over `n_features` features: children after their
    /// parent and in range (so it is acyclic and every walk ends at a
    /// leaf), split features in range, finite thresholds, leaf
    /// probabilities that are distributions.
    fn validate(&self, n_features: usize) -> std::result::Result<(), String> {
        if self.nodes.is_empty() {
            return Err("the tree has no nodes".into());
        }
        if self.n_features != n_features {
            return Err(format!(
                "the tree reads {} features; the vocabulary has {n_features}",
                self.n_features
            ));
        }
        let n = self.nodes.len();
        for (i, node) in self.nodes.iter().enumerate() {
            match *node {
                Node::Leaf { probs } => check_distribution(&format!("leaf {i}"), &probs)?,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    if feature >= n_features || !threshold.is_finite() {
                        return Err(format!(
                            "node {i} splits on feature {feature} at {threshold}; expected a feature below {n_features} and a finite threshold"
                        ));
                    }
                    if !(i < left && left < n && i < right && right < n) {
                        return Err(format!(
                            "node {i} has children {left} and {right}; expected nodes after it and below {n}"
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{fit_on, predict_rows};
    use Stance::*;

    fn toy() -> (CsrMatrix, Vec<Stance>) {
        let mut x = CsrMatrix::new(3);
        let rows: [&[(u32, f64)]; 8] = [
            &[(0, 1.0)],
            &[(0, 0.8), (2, 0.2)],
            &[(1, 1.0)],
            &[(1, 0.9), (2, 0.1)],
            &[(2, 1.0)],
            &[(2, 0.7)],
            &[(2, 0.7)],
            &[(2, 0.7)],
        ];
        for r in rows {
            x.push_row(r.iter().copied());
        }
        (
            x,
            vec![Favor, Favor, Against, Against, None, None, None, Favor],
        )
    }

    #[test]
    fn fits_predicts_leaf_frequencies_and_matches_linfa() {
        let (x, y) = toy();
        let m = fit_on(&TreeParams::default().check().unwrap(), &x, &y).unwrap();
        assert_eq!(m.validate(3), Ok(()));
        let p = m.probs(&x, &[""; 8]);
        // Rows 5-7 are identical (none, none, favor); linfa splits off row 4
        // and prunes the split again (both sides predict none): one leaf
        // with 1 favor and 3 none. (No exact class ties here: linfa breaks
        // those by hash-map order, see the module doc.)
        assert_eq!(p[5], [0.25, 0.0, 0.75]);
        assert_eq!(predict_rows(&m, &x)[..5], y[..5]);
        assert!(p
            .iter()
            .all(|r| (r.iter().sum::<f64>() - 1.0).abs() < 1e-12));
        let shallow = fit_on(&TreeParams::default().max_depth(1).check().unwrap(), &x, &y).unwrap();
        assert_eq!(shallow.depth(), 1);
        // Hand-edited trees that make no sense are refused.
        let mut bad = m.clone();
        bad.nodes[0] = Node::Leaf {
            probs: [-1.0, 5.0, 0.0],
        };
        assert!(bad.validate(3).unwrap_err().contains("leaf 0"));
        let mut cyclic = m.clone();
        if let Node::Split { left, .. } = &mut cyclic.nodes[0] {
            *left = 0;
        }
        assert!(cyclic.validate(3).unwrap_err().contains("children"));
        assert!(m.validate(4).is_err());
    }

    #[test]
    fn fits_on_the_top_chi2_columns_and_predicts_on_the_original_ones() {
        let (x, y) = crate::models::chi2::toy();
        // chi² = [1.6, 2, 2, 3.5, 0] (hand-computed in chi2.rs): the best
        // two are columns 3 and 1 (1 before 2 on the tie).
        let p = TreeParams::default().max_features(2).check().unwrap();
        assert_eq!(p.params().columns_for(&x, &y).unwrap(), vec![1, 3]);
        let m = fit_on(&p, &x, &y).unwrap();
        assert_eq!(m.n_features, 5);
        assert!(m.nodes.iter().any(|n| matches!(n, Node::Split { .. })));
        for n in &m.nodes {
            if let Node::Split { feature, .. } = n {
                assert!([1, 3].contains(feature), "{n:?}");
            }
        }
        // The same tree as one fitted on the reduced matrix, whose columns
        // 0 and 1 are the original 1 and 3.
        let mut reduced = CsrMatrix::new(2);
        for i in 0..x.n_rows() {
            let (c, v) = x.row(i);
            reduced.push_row(c.iter().zip(v).filter_map(|(&j, &v)| match j {
                1 => Some((0, v)),
                3 => Some((1, v)),
                _ => Option::None,
            }));
        }
        let r = fit_on(&TreeParams::default().check().unwrap(), &reduced, &y).unwrap();
        assert_eq!(m.probs(&x, &[""; 6]), r.probs(&reduced, &[""; 6]));
        assert_eq!(m.nodes.len(), r.nodes.len());
        for (a, b) in m.nodes.iter().zip(&r.nodes) {
            match (a, b) {
                (
                    Node::Split {
                        feature: fa,
                        threshold: ta,
                        left: la,
                        right: ra,
                    },
                    Node::Split {
                        feature: fb,
                        threshold: tb,
                        left: lb,
                        right: rb,
                    },
                ) => {
                    assert_eq!([1, 3][*fb], *fa);
                    assert_eq!((ta, la, ra), (tb, lb, rb));
                }
                _ => assert_eq!(a, b),
            }
        }
        // Deterministic, and the model file sense check reads original columns.
        assert_eq!(fit_on(&p, &x, &y).unwrap(), m);
        assert_eq!(m.validate(5), Ok(()));
        // With at most max_features columns, every column is kept in order.
        let all = TreeParams::default().check().unwrap();
        assert_eq!(
            all.params().columns_for(&x, &y).unwrap(),
            vec![0, 1, 2, 3, 4]
        );
    }

    #[test]
    fn the_dense_cap_lowers_the_column_count_then_refuses() {
        let (x, y) = crate::models::chi2::toy();
        // 6 rows: 13 cells leave room for 2 columns, the top two by chi².
        let p = TreeParams::default().max_cells(13).check().unwrap();
        assert_eq!(p.params().columns_for(&x, &y).unwrap(), vec![1, 3]);
        assert!(fit_on(&p, &x, &y).is_ok());
        let p = TreeParams::default().max_cells(6).check().unwrap();
        assert_eq!(p.params().columns_for(&x, &y).unwrap(), vec![3]);
        let p = TreeParams::default().max_cells(5).check().unwrap();
        let e = fit_on(&p, &x, &y).unwrap_err();
        assert!(
            e.to_string()
                .contains("6 training rows exceed the dense cap of 5 cells"),
            "{e}"
        );
        assert!(TreeParams::default().max_features(0).check().is_err());
        assert!(TreeParams::default().max_cells(0).check().is_err());
    }

    #[test]
    fn old_model_files_without_the_new_settings_load() {
        let old = r#"{"max_depth":10,"min_samples_split":2,"min_samples_leaf":1,"min_impurity_decrease":1e-5}"#;
        let p: TreeParams = serde_json::from_str(old).unwrap();
        assert_eq!(p, TreeParams::default());
    }

    #[test]
    fn bad_params_are_refused() {
        assert!(TreeParams::default().max_depth(0).check().is_err());
        assert!(TreeParams::default().max_depth(65).check().is_err());
        let p = TreeParams {
            min_samples_split: 1,
            ..Default::default()
        };
        assert!(p.check().is_err());
    }
}
