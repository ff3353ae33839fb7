//! Why a linear model gave a quote its label: the n-grams that added most
//! to the predicted class's score (`predict --explain K`).
//!
//! A linear model scores class `c` as `s_c = Σ_j x_j w_cj + b_c` over the
//! quote's feature values `x_j` (the featurizer's weighted, L2-normalised
//! n-grams). The contribution of feature `j` is `x_j w_cj` with the
//! weights of [`crate::models::Classifier::class_weights`] (for naive
//! Bayes, the log-probabilities minus their mean over the classes, so
//! that a feature common to every class contributes nothing). An
//! explanation lists the quote's features with a positive contribution to
//! the predicted class, largest first (ties: feature name), at most `k`.
//! Calibration does not enter: temperature scaling keeps the predicted
//! class, and the explanation is of the model's score.
//!
//! Models without per-feature weights (the baselines, the lexicon, the
//! trees) cannot be explained this way: asking is an error.

use crate::error::{Error, Result};
use crate::features::CsrMatrix;
use crate::models::{argmax, ClassWeights, Probs};
use crate::pipeline::Pipeline;

/// One feature's part in a class score.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// The feature (an n-gram as the featurizer names it).
    pub feature: String,
    /// `x_j w_cj`, positive.
    pub value: f64,
}

/// The top `k` contributions to each quote's predicted class (the argmax
/// of `probs`, which are the pipeline's probabilities of `texts`).
///
/// # Errors
/// [`Error::InvalidParam`] (setting `explain`) for a model without
/// per-feature weights; [`Error::Predict`] when `texts` and `probs`
/// differ in length.
pub fn explain<S: AsRef<str> + Sync>(
    pipeline: &Pipeline,
    texts: &[S],
    probs: &[Probs],
    k: usize,
) -> Result<Vec<Vec<Contribution>>> {
    let name = pipeline.params.name();
    let Some(weights) = pipeline.model.class_weights() else {
        return Err(Error::param(
            "explain",
            format!(
                "cannot explain model '{name}': not a linear model (no per-feature weights); \
                 explanations need nb, cnb, logreg, logreg-dense, svm, svm-smo or nbsvm"
            ),
        ));
    };
    if texts.len() != probs.len() {
        return Err(Error::predict(
            name,
            "one probability vector per text expected",
        ));
    }
    let x = pipeline.featurizer.transform(texts);
    Ok(explain_rows(
        &weights,
        &x,
        pipeline.featurizer.names(),
        probs,
        k,
    ))
}

/// The top `k` contributions to the predicted class (the argmax of
/// `probs[i]`) of each row `i` of `x`, a matrix featurized by the fitted
/// featurizer whose feature names are `names`, under a fitted linear
/// model's `weights`: no refit, so cross-validation can explain each test
/// row with its own fold's model and vocabulary. Rows beyond `probs` (or
/// `probs` beyond the rows) are not explained; a feature index outside
/// `names` or the weights is skipped.
pub fn explain_rows(
    weights: &ClassWeights,
    x: &CsrMatrix,
    names: &[String],
    probs: &[Probs],
    k: usize,
) -> Vec<Vec<Contribution>> {
    explain_rows_by(weights, x, |j| names.get(j).map(String::as_str), probs, k)
}

/// [`explain_rows`] with the feature names given by `name` (column index
/// to name; `None` skips the column), for callers that keep only the
/// names of the columns they need.
pub fn explain_rows_by<'n>(
    weights: &ClassWeights,
    x: &CsrMatrix,
    name: impl Fn(usize) -> Option<&'n str>,
    probs: &[Probs],
    k: usize,
) -> Vec<Vec<Contribution>> {
    probs
        .iter()
        .enumerate()
        .take(x.n_rows())
        .map(|(i, p)| {
            let c = argmax(p).index();
            let Some(w) = &weights[c] else {
                return Vec::new();
            };
            let (cols, vals) = x.row(i);
            let mut parts: Vec<(&str, f64)> = cols
                .iter()
                .zip(vals)
                .filter_map(|(&j, &v)| {
                    let j = j as usize;
                    Some((name(j)?, v * w.get(j)?))
                })
                .filter(|&(_, v)| v > 0.0)
                .collect();
            parts.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            parts.truncate(k);
            parts
                .into_iter()
                .map(|(feature, value)| Contribution {
                    feature: feature.to_owned(),
                    value,
                })
                .collect()
        })
        .collect()
}

/// An explanation as one CSV field: `feature (value)` items joined by
/// `; `, values with 3 decimals.
pub fn format_explanation(parts: &[Contribution]) -> String {
    parts
        .iter()
        .map(|c| format!("{} ({:.3})", c.feature, c.value))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeaturizerParams;
    use crate::label::Stance;
    use crate::models::ModelParams;

    fn fitted(model: &str) -> Pipeline {
        let texts = [
            "strike the cartels now",
            "strike them hard",
            "no invasion ever",
            "no invasion of mexico",
            "tariff talks today",
            "talks on tariff",
        ];
        let labels = [
            Stance::Favor,
            Stance::Favor,
            Stance::Against,
            Stance::Against,
            Stance::None,
            Stance::None,
        ];
        Pipeline::fit(
            &FeaturizerParams::default().check().unwrap(),
            &ModelParams::from_name(model).unwrap(),
            &texts,
            &labels,
        )
        .unwrap()
    }

    #[test]
    fn contributions_are_the_features_pushing_the_predicted_class() {
        for model in ["logreg", "nb", "svm"] {
            let p = fitted(model);
            let texts = [
                "we will strike",
                "there will be no invasion",
                "words unseen",
            ];
            let probs = p.predict_proba(&texts).unwrap();
            let e = explain(&p, &texts, &probs, 2).unwrap();
            assert_eq!(e.len(), 3);
            assert_eq!(argmax(&probs[0]), Stance::Favor, "{model}");
            assert_eq!(e[0][0].feature, "strike", "{model}: {e:?}");
            assert!(e[1].iter().any(|c| c.feature == "invas"), "{model}: {e:?}");
            assert!(e[1].len() <= 2);
            assert!(e[2].is_empty(), "no known feature: {e:?}");
            for parts in &e {
                assert!(parts.windows(2).all(|w| w[0].value >= w[1].value));
            }
            // Known answer: contribution = feature value × class weight.
            let x = p.featurizer.transform(&texts[..1]);
            let (cols, vals) = x.row(0);
            let w = p.model.class_weights().unwrap();
            let j = cols
                .iter()
                .position(|&j| p.featurizer.names()[j as usize] == "strike")
                .unwrap();
            let want = vals[j] * w[0].as_ref().unwrap()[cols[j] as usize];
            assert!((e[0][0].value - want).abs() < 1e-12);
        }
        let s = format_explanation(&[
            Contribution {
                feature: "a b".into(),
                value: 0.5,
            },
            Contribution {
                feature: "c".into(),
                value: 0.25,
            },
        ]);
        assert_eq!(s, "a b (0.500); c (0.250)");
    }

    #[test]
    fn non_linear_models_cannot_be_explained() {
        for model in ["tree", "majority", "lexicon"] {
            let p = fitted(model);
            let probs = p.predict_proba(&["strike"]).unwrap();
            let e = explain(&p, &["strike"], &probs, 3).unwrap_err();
            assert!(
                e.to_string().contains("cannot explain") && e.to_string().contains(model),
                "{e}"
            );
        }
    }
}
