//! A trained pipeline (fitted featurizer + fitted model) and its model
//! file: JSON holding a format tag and version, the class order, the
//! featurizer settings, vocabulary and IDF, the model's settings and
//! weights, and (from version 4) the probability calibrator fitted on
//! the training rows by inner cross-validation
//! ([`crate::eval::calibrated`]).

use std::path::Path;

use crate::error::{Error, Result};
use crate::eval::calibrate::{Calibrator, Method};
use crate::eval::calibrated::fit_calibrator;
use crate::features::{Featurizer, FeaturizerParams, ValidFeaturizerParams};
use crate::label::Stance;
use crate::models::{Dataset, FittedModel, ModelParams, Probs};

/// Value of the `format` field of every model file.
pub const FORMAT: &str = "stance-model";
/// Model file format version written and read by this build. Version 2:
/// every linear model stores `weights`, `intercept` and `present` (naive
/// Bayes included), without `grad_norm`. Version 3: the kind `svm` is the
/// dual coordinate descent SVM (its settings: `c`, `loss`, `bias`, `eps`,
/// `max_iterations`, `shrinking`, `seed`); the linfa-svm model of version 2
/// files is now the kind `svm-smo`. Version 4: an optional `calibrator`
/// (absent or `null`: probabilities are the model's own); version 3 files
/// still load, without a calibrator.
pub const FORMAT_VERSION: u32 = 4;

/// The oldest model file version this build reads.
pub const OLDEST_VERSION: u32 = 3;

/// A featurizer and a model fitted on the same training texts.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The fitted featurizer.
    pub featurizer: Featurizer,
    /// The model's settings.
    pub params: ModelParams,
    /// The fitted model.
    pub model: FittedModel,
    /// Maps the model's probabilities to calibrated ones; `None`: the
    /// model's own probabilities.
    pub calibrator: Option<Calibrator>,
}

impl Pipeline {
    /// Fits the featurizer, then the model, on `texts` and `labels`.
    ///
    /// # Errors
    /// Featurizer or model errors.
    pub fn fit<S: AsRef<str> + Sync>(
        featurizer: &ValidFeaturizerParams,
        params: &ModelParams,
        texts: &[S],
        labels: &[Stance],
    ) -> Result<Pipeline> {
        let featurizer = featurizer.fit(texts)?;
        let x = featurizer.transform(texts);
        let model = params.fit(&Dataset::new(x, labels.to_vec()))?;
        Ok(Pipeline {
            featurizer,
            params: params.clone(),
            model,
            calibrator: None,
        })
    }

    /// [`Pipeline::fit`], then, with a `method`, a calibrator fitted on the
    /// out-of-fold probabilities of an inner cross-validation over the same
    /// rows ([`fit_calibrator`]; `docs` are the rows' documents, `seed`
    /// seeds the inner folds).
    ///
    /// # Errors
    /// As [`Pipeline::fit`] and [`fit_calibrator`].
    #[allow(clippy::too_many_arguments)]
    pub fn fit_calibrated<S: AsRef<str> + Sync>(
        featurizer: &ValidFeaturizerParams,
        params: &ModelParams,
        texts: &[S],
        labels: &[Stance],
        docs: &[Option<&str>],
        method: Option<Method>,
        seed: u64,
    ) -> Result<Pipeline> {
        let mut p = Pipeline::fit(featurizer, params, texts, labels)?;
        if let Some(m) = method {
            p.calibrator = Some(fit_calibrator(
                texts, labels, docs, featurizer, params, m, seed,
            )?);
        }
        Ok(p)
    }

    /// Class probabilities of `texts`, calibrated when the pipeline has a
    /// calibrator.
    ///
    /// # Errors
    /// Model errors.
    pub fn predict_proba<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<Probs>> {
        let raw = self.predict_proba_raw(texts)?;
        Ok(match &self.calibrator {
            Some(c) => c.apply_all(&raw),
            None => raw,
        })
    }

    /// The model's own (uncalibrated) class probabilities of `texts`.
    ///
    /// # Errors
    /// Model errors.
    pub fn predict_proba_raw<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<Probs>> {
        self.model
            .predict_proba(&self.featurizer.transform(texts), texts)
    }

    /// Serialises to the model-file JSON.
    pub fn to_json(&self) -> String {
        let file = ModelFile {
            format: FORMAT.to_owned(),
            version: FORMAT_VERSION,
            classes: Stance::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
            featurizer: self.featurizer.params().params().clone(),
            vocabulary: self.featurizer.names().to_vec(),
            idf: self.featurizer.idf().to_vec(),
            params: self.params.clone(),
            model: self.model.clone(),
            calibrator: self.calibrator.clone(),
        };
        // Serialising plain structs of strings, numbers and vectors cannot fail.
        serde_json::to_string(&file).expect("model file serialises")
    }

    /// Reads the model file at `path` (see [`Pipeline::from_json`]).
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; [`Error::ModelFile`]
    /// naming `path` if it is not UTF-8 text or not a usable model file.
    pub fn load(path: &Path) -> Result<Pipeline> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let json = std::str::from_utf8(&bytes).map_err(|_| Error::ModelFile {
            path: path.to_owned(),
            message: "not UTF-8 text; expected the JSON written by `stance train`".into(),
        })?;
        Pipeline::from_json(path, json)
    }

    /// Reads a model file written by [`Pipeline::to_json`].
    ///
    /// # Errors
    /// [`Error::ModelFile`] naming `path` for a file that is not a model
    /// file, has another format version, is truncated or corrupted, or
    /// whose parts do not fit together.
    pub fn from_json(path: &Path, json: &str) -> Result<Pipeline> {
        let err = |m: String| Error::ModelFile {
            path: path.to_owned(),
            message: m,
        };
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            err(format!("corrupted or truncated model file ({e}); expected the JSON written by `stance train`"))
        })?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(err(
                "not a stance model file (no \"format\": \"stance-model\")".into(),
            ));
        }
        let version = value.get("version").and_then(|v| v.as_u64());
        if !version
            .is_some_and(|v| (u64::from(OLDEST_VERSION)..=u64::from(FORMAT_VERSION)).contains(&v))
        {
            let found = version.map_or_else(|| "missing".to_owned(), |v| v.to_string());
            return Err(err(format!(
                "model file format version {found}; this build reads versions {OLDEST_VERSION} to {FORMAT_VERSION} (retrain with `stance train`)"
            )));
        }
        let file: ModelFile =
            serde_json::from_value(value).map_err(|e| err(format!("corrupted model file: {e}")))?;
        let classes: Vec<&str> = Stance::ALL.iter().map(|s| s.as_str()).collect();
        if file.classes != classes {
            return Err(err(format!(
                "class order {:?}; expected {classes:?}",
                file.classes
            )));
        }
        let fp = file
            .featurizer
            .check()
            .map_err(|e| err(format!("bad featurizer settings: {e}")))?;
        let featurizer = Featurizer::from_parts(fp, file.vocabulary, file.idf)
            .map_err(|e| err(format!("bad vocabulary: {e}")))?;
        if file.params.name() != file.model.name() {
            return Err(err(format!(
                "settings of model '{}' but a fitted '{}' model",
                file.params.name(),
                file.model.name()
            )));
        }
        let n = featurizer.n_features();
        file.model.validate(n).map_err(|m| {
            err(format!(
                "{} model does not fit its {n}-feature vocabulary or makes no sense: {m}",
                file.model.name()
            ))
        })?;
        if let Some(c) = &file.calibrator {
            c.check().map_err(|e| err(format!("bad calibrator: {e}")))?;
        }
        Ok(Pipeline {
            featurizer,
            params: file.params,
            model: file.model,
            calibrator: file.calibrator,
        })
    }
}

/// The on-disk layout.
#[derive(serde::Serialize, serde::Deserialize)]
struct ModelFile {
    format: String,
    version: u32,
    classes: Vec<String>,
    featurizer: FeaturizerParams,
    vocabulary: Vec<String>,
    idf: Vec<f64>,
    params: ModelParams,
    model: FittedModel,
    #[serde(default)]
    calibrator: Option<Calibrator>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    const TEXTS: [&str; 6] = [
        "no invasion ever",
        "we will strike them",
        "talks on tariffs",
        "there will be no invasion",
        "strike the cartels",
        "tariff talks",
    ];
    const LABELS: [Stance; 6] = [Against, Favor, None, Against, Favor, None];

    fn trained() -> Pipeline {
        let (texts, labels) = (TEXTS, LABELS);
        Pipeline::fit(
            &FeaturizerParams::default().check().unwrap(),
            &ModelParams::from_name("logreg").unwrap(),
            &texts,
            &labels,
        )
        .unwrap()
    }

    #[test]
    fn round_trips_through_json() {
        let p = trained();
        let q = Pipeline::from_json(Path::new("m.json"), &p.to_json()).unwrap();
        let t = ["no invasion", "strike", "unseen words"];
        assert_eq!(p.predict_proba(&t).unwrap(), q.predict_proba(&t).unwrap());
        assert_eq!(q.to_json(), p.to_json());
    }

    #[test]
    fn every_model_round_trips_through_json() {
        let (texts, labels) = (TEXTS, LABELS);
        for name in crate::models::model_names() {
            let p = Pipeline::fit(
                &FeaturizerParams::default().check().unwrap(),
                &ModelParams::from_name(name).unwrap(),
                &texts,
                &labels,
            )
            .unwrap();
            let q = Pipeline::from_json(Path::new("m.json"), &p.to_json()).unwrap();
            let t = ["no invasion", "strike", "unseen words"];
            assert_eq!(
                p.predict_proba(&t).unwrap(),
                q.predict_proba(&t).unwrap(),
                "{name}"
            );
            assert_eq!(q.to_json(), p.to_json(), "{name}");
        }
    }

    #[test]
    fn refuses_other_versions_and_broken_files() {
        let json = trained().to_json();
        let p = Path::new("m.json");
        let e = Pipeline::from_json(p, &json.replacen("\"version\":4", "\"version\":2", 1))
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("format version 2; this build reads versions 3 to 4"),
            "{e}"
        );
        let e = Pipeline::from_json(p, &json[..json.len() / 2]).unwrap_err();
        assert!(
            e.to_string().starts_with("m.json: corrupted or truncated"),
            "{e}"
        );
        let e = Pipeline::from_json(p, "{\"a\":1}").unwrap_err();
        assert!(e.to_string().contains("not a stance model file"), "{e}");
    }

    #[test]
    fn a_calibrated_pipeline_round_trips_and_version_3_files_still_load() {
        let texts: Vec<String> = (0..24).map(|i| format!("{} w{i}", TEXTS[i % 6])).collect();
        let labels: Vec<Stance> = (0..24).map(|i| LABELS[i % 6]).collect();
        let docs: Vec<Option<&str>> = (0..24).map(|i| Some(["a", "b", "c", "d"][i % 4])).collect();
        let p = Pipeline::fit_calibrated(
            &FeaturizerParams::default().check().unwrap(),
            &ModelParams::from_name("nb").unwrap(),
            &texts,
            &labels,
            &docs,
            Some(Method::Temperature),
            3,
        )
        .unwrap();
        let Some(Calibrator::Temperature { temperature }) = p.calibrator else {
            panic!("temperature calibrator expected: {:?}", p.calibrator);
        };
        assert!(temperature != 1.0);
        let t = ["no invasion", "strike", "unseen words"];
        let raw = p.predict_proba_raw(&t).unwrap();
        let cal = p.predict_proba(&t).unwrap();
        assert_ne!(raw, cal);
        assert_eq!(cal, p.calibrator.as_ref().unwrap().apply_all(&raw));
        let json = p.to_json();
        assert!(json.contains("\"version\":4"));
        let q = Pipeline::from_json(Path::new("m.json"), &json).unwrap();
        assert_eq!(q.predict_proba(&t).unwrap(), cal);
        // A version 3 file: no calibrator field.
        let plain = trained().to_json();
        let v3 = plain
            .replacen("\"version\":4", "\"version\":3", 1)
            .replacen(",\"calibrator\":null", "", 1);
        assert!(!v3.contains("calibrator"));
        let old = Pipeline::from_json(Path::new("m.json"), &v3).unwrap();
        assert!(old.calibrator.is_none());
        // A broken calibrator is refused.
        let bad = json.replacen(
            &format!("\"temperature\":{temperature}"),
            "\"temperature\":-1.0",
            1,
        );
        let e = Pipeline::from_json(Path::new("m.json"), &bad).unwrap_err();
        assert!(e.to_string().contains("bad calibrator"), "{e}");
    }
}
