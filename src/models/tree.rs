//! `tree`: a CART decision tree (Gini impurity) fitted by `linfa-trees`.
//!
//! linfa grows and prunes the tree on the dense training matrix; we then
//! copy its structure (split feature, threshold, children) into our own
//! flat node list, which is what the model file stores (no `serde`
//! feature of linfa-trees needed) and what predicts from sparse rows
//! (a row goes left when its feature value is `<` the threshold, as in
//! linfa; absent features are 0).
//!
//! Probabilities are the **class frequencies of the training examples that
//! reach each leaf** (we route the training rows through the copied tree
//! and count), and the prediction is their argmax with ties to the lower
//! class index. We do not use linfa's leaf labels: linfa breaks ties
//! between equally frequent classes by hash-map order.
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
//!
//! Memory: the fit densifies the training rows (`N × features × 8` bytes)
//! and refuses more than [`super::svm::MAX_DENSE_CELLS`] cells.

use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality, TreeNode};
use ndarray::Array1;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::label::{Stance, N_CLASSES};

use super::svm::MAX_DENSE_CELLS;
use super::{check_distribution, strength_grid, ClassWeights, Classifier, Learner, Probs};

/// The depths tried by `--grid`.
pub const DEPTHS: [usize; 3] = [3, 10, 30];

/// Unchecked settings (see the module table).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TreeParams {
    /// Deepest split level.
    pub max_depth: usize,
    /// Fewest examples a node needs to be split.
    pub min_samples_split: usize,
    /// Fewest examples on each side of a split.
    pub min_samples_leaf: usize,
    /// Smallest impurity decrease that makes a split.
    pub min_impurity_decrease: f64,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            max_depth: 10,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_impurity_decrease: 1e-5,
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

    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a value outside the ranges of the module
    /// table.
    pub fn check(self) -> Result<ValidTreeParams> {
        if !(1..=MAX_DEPTH).contains(&self.max_depth) {
            return Err(Error::param(
                "tree max_depth",
                format!(
                    "{} is out of range; expected 1..={MAX_DEPTH}",
                    self.max_depth
                ),
            ));
        }
        if self.min_samples_split < 2 {
            return Err(Error::param("tree min_samples_split", "must be at least 2"));
        }
        if self.min_samples_leaf < 1 {
            return Err(Error::param("tree min_samples_leaf", "must be at least 1"));
        }
        let v = self.min_impurity_decrease;
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::param(
                "tree min_impurity_decrease",
                format!("{v} must be finite and > 0"),
            ));
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

/// A fitted decision tree (root is node 0).
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
}

impl Fit<CsrMatrix, Vec<Stance>, Error> for ValidTreeParams {
    type Object = TreeModel;

    fn fit(&self, data: &super::Dataset) -> Result<TreeModel> {
        let (x, y) = (&data.records, &data.targets);
        let p = &self.0;
        let n = y.len();
        if n == 0 {
            return Err(Error::fit("tree", "no training examples"));
        }
        if n.saturating_mul(x.n_cols()) > MAX_DENSE_CELLS {
            return Err(Error::fit(
                "tree",
                format!(
                    "{n} x {} dense training matrix exceeds {MAX_DENSE_CELLS} cells \
                     (lower --max-features)",
                    x.n_cols()
                ),
            ));
        }
        let ds = Dataset::new(x.to_dense(), Array1::from_iter(y.iter().map(|s| s.index())));
        let fitted = DecisionTree::params()
            .split_quality(SplitQuality::Gini)
            .max_depth(Some(p.max_depth))
            .min_weight_split(p.min_samples_split as f32)
            .min_weight_leaf(p.min_samples_leaf as f32)
            .min_impurity_decrease(p.min_impurity_decrease)
            .fit(&ds)
            .map_err(|e| Error::fit("tree", format!("linfa-trees: {e}")))?;
        let mut nodes = Vec::new();
        copy_node(fitted.root_node(), &mut nodes)?;
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

/// Appends `node` and its subtree to `out` (pre-order); returns its index.
fn copy_node(node: &TreeNode<f64, usize>, out: &mut Vec<Node>) -> Result<usize> {
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
            "tree",
            "linfa-trees split node without two children",
        ));
    };
    out.push(Node::Leaf {
        probs: [0.0; N_CLASSES],
    });
    let left = copy_node(l, out)?;
    let right = copy_node(r, out)?;
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
