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
        match value.get("version") {
            Some(v)
                if v.as_u64().is_some_and(|v| {
                    (u64::from(OLDEST_VERSION)..=u64::from(FORMAT_VERSION)).contains(&v)
                }) => {}
            Some(v) if v.is_u64() => {
                return Err(err(format!(
                    "model file format version {v}; this build reads versions {OLDEST_VERSION} to {FORMAT_VERSION} (retrain with `stance train`)"
                )))
            }
            Some(v) => {
                return Err(err(format!(
                    "\"version\" is {v}, {}; expected the number {FORMAT_VERSION}",
                    json_type(v)
                )))
            }
            None => {
                return Err(err(format!(
                    "no \"version\" field; expected the number {FORMAT_VERSION}"
                )))
            }
        }
        // The settings and the fitted model must be of one kind; say so
        // before their fields are read (another kind's fields are missing).
        let kind = |part: &str| {
            value
                .get(part)
                .and_then(|p| p.get("kind"))
                .and_then(|k| k.as_str())
                .map(str::to_owned)
        };
        if let (Some(pk), Some(mk)) = (kind("params"), kind("model")) {
            if pk != mk {
                return Err(err(format!(
                    "settings of model '{pk}' but a fitted '{mk}' model; expected one kind"
                )));
            }
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
        file.params
            .recheck()
            .map_err(|e| err(format!("bad {} settings: {e}", file.params.name())))?;
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

/// "a string", "a number"… for a message about a JSON value.
fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number that is not a whole number ≥ 0",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
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

    /// `json` with `edit` applied to its parsed value.
    fn edited(json: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
        edit(&mut v);
        v.to_string()
    }

    fn trained_as(name: &str) -> String {
        Pipeline::fit(
            &FeaturizerParams::default().check().unwrap(),
            &ModelParams::from_name(name).unwrap(),
            &TEXTS,
            &LABELS,
        )
        .unwrap()
        .to_json()
    }

    fn load_error(json: &str) -> String {
        Pipeline::from_json(Path::new("m.json"), json)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn version_of_the_wrong_type_or_missing_says_so() {
        let json = trained().to_json();
        let e = load_error(&edited(&json, |v| v["version"] = "3".into()));
        assert!(
            e.contains("\"version\" is \"3\", a string; expected the number 4"),
            "{e}"
        );
        let e = load_error(&edited(&json, |v| v["version"] = (-1).into()));
        assert!(e.contains("\"version\" is -1, a number that is not"), "{e}");
        let e = load_error(&edited(&json, |v| {
            v.as_object_mut().unwrap().remove("version");
        }));
        assert!(e.contains("no \"version\" field"), "{e}");
    }

    #[test]
    fn settings_and_model_of_different_kinds_say_so() {
        let json = trained_as("nb");
        let e = load_error(&edited(&json, |v| v["params"]["kind"] = "svm".into()));
        assert!(
            e.contains("settings of model 'svm' but a fitted 'nb' model"),
            "{e}"
        );
    }

    #[test]
    fn settings_read_from_a_file_are_checked_again() {
        let json = trained_as("nb");
        let e = load_error(&edited(&json, |v| v["params"]["alpha"] = (-1.0).into()));
        assert!(e.contains("bad nb settings") && e.contains("> 0"), "{e}");
        let json = trained_as("lexicon");
        let e = load_error(&edited(&json, |v| {
            v["params"]["params"]["smoothing"] = (-1.0).into()
        }));
        assert!(e.contains("bad lexicon settings"), "{e}");
        let e = load_error(&edited(&json, |v| {
            v["params"]["phrases"][0]["terms"][0] = "zzz".into()
        }));
        assert!(e.contains("stemmed phrases do not match"), "{e}");
        let json = trained_as("svm");
        let e = load_error(&edited(&json, |v| v["params"]["c"] = 0.0.into()));
        assert!(e.contains("bad svm settings"), "{e}");
        // Every model's own file passes.
        for name in crate::models::model_names() {
            Pipeline::from_json(Path::new("m.json"), &trained_as(name)).unwrap();
        }
    }

    #[test]
    fn naive_bayes_probabilities_must_sum_to_one() {
        let json = trained_as("nb");
        // Every log-probability of one class lowered: still ≤ 0, no longer a distribution.
        let e = load_error(&edited(&json, |v| {
            for w in v["model"]["weights"][0].as_array_mut().unwrap() {
                *w = (w.as_f64().unwrap() - 1.0).into();
            }
        }));
        assert!(
            e.contains("feature probabilities of class favor sum to"),
            "{e}"
        );
        let e = load_error(&edited(&json, |v| {
            v["model"]["intercept"][0] = (-20.0).into()
        }));
        assert!(e.contains("class priors sum to"), "{e}");
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
