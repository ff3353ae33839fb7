//! Crate-wide error type: every fallible step of the pipeline returns
//! [`Error`], and each variant says where the problem is (file, row,
//! column, flag) and what was expected.

use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input file could not be opened or read.
    #[error("{path}: {cause}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying I/O error (shown in the message, so not chained
        /// as a `source`: `stance: a.csv: No such file…` is printed once).
        cause: std::io::Error,
    },
    /// A data file is malformed at a known place.
    #[error("{path}{}: {message}", location(*row, column.as_deref()))]
    Data {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number in the file (the header is line 1), when known.
        row: Option<u64>,
        /// The column involved, when known.
        column: Option<String>,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A hyper-parameter or setting is out of range.
    #[error("invalid setting {name}: {message}")]
    InvalidParam {
        /// The setting as the library names it (e.g. `min_df`, `resamples`);
        /// the binary replaces it with the flag that sets it (`--min-df`).
        name: &'static str,
        /// What was wrong and what was expected.
        message: String,
    },
    /// Cross-validation cannot be planned on this data.
    #[error("cannot split the data: {0}")]
    Split(String),
    /// A model could not be fitted (or its fit cannot be trusted).
    #[error("model {model}: {message}")]
    Fit {
        /// The model name.
        model: String,
        /// What went wrong.
        message: String,
    },
    /// A fitted model cannot predict these inputs (another feature count,
    /// rows and texts that do not match).
    #[error("model {model}: cannot predict: {message}")]
    Predict {
        /// The model name.
        model: String,
        /// What does not match.
        message: String,
    },
    /// An error reported by linfa (shown in the message, so not chained
    /// as a `source`: printed once).
    #[error("linfa: {0}")]
    Linfa(linfa::Error),
    /// The quote extractor's alias table could not be read.
    #[error(transparent)]
    Extract(#[from] crate::extract::ExtractError),
    /// A calibration score or calibrator cannot be computed.
    #[error("calibration: {0}")]
    Calibrate(#[from] crate::eval::calibrate::CalibrateError),
    /// A saved model file is unusable.
    #[error("{path}: {message}")]
    ModelFile {
        /// The model file.
        path: PathBuf,
        /// What was wrong and what was expected.
        message: String,
    },
    /// Writing an output (svmlight lines, a report) failed. The cause is
    /// shown (it names the file when it has one) and not chained.
    #[error("{cause}")]
    Write {
        /// The underlying I/O error.
        cause: std::io::Error,
    },
    /// An agreement coefficient cannot be computed (see
    /// [`crate::eval::agree`]).
    #[error("agreement: {0}")]
    Agree(#[from] crate::eval::agree::AgreeError),
    /// A report cannot be built from its inputs (they do not fit
    /// together, a caller's bug).
    #[error("report {name}: {message}")]
    Report {
        /// The report, e.g. `predictions.csv`.
        name: &'static str,
        /// What does not fit.
        message: String,
    },
}

impl From<linfa::Error> for Error {
    fn from(e: linfa::Error) -> Self {
        Error::Linfa(e)
    }
}

fn location(row: Option<u64>, column: Option<&str>) -> String {
    match (row, column) {
        (Some(r), Some(c)) => format!(" row {r}, column '{c}'"),
        (Some(r), None) => format!(" row {r}"),
        (None, Some(c)) => format!(" column '{c}'"),
        (None, None) => String::new(),
    }
}

impl Error {
    /// Builds an [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause: source,
        }
    }

    /// Builds an [`Error::Data`] at an optional row and column of `path`.
    pub fn data(
        path: impl Into<PathBuf>,
        row: Option<u64>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error::Data {
            path: path.into(),
            row,
            column: column.map(str::to_owned),
            message: message.into(),
        }
    }

    /// Builds an [`Error::InvalidParam`].
    pub fn param(name: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidParam {
            name,
            message: message.into(),
        }
    }

    /// Builds an [`Error::Predict`].
    pub fn predict(model: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Predict {
            model: model.into(),
            message: message.into(),
        }
    }

    /// Builds an [`Error::Fit`].
    pub fn fit(model: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Fit {
            model: model.into(),
            message: message.into(),
        }
    }

    /// Builds an [`Error::Write`].
    pub fn write(cause: std::io::Error) -> Self {
        Error::Write { cause }
    }

    /// Builds an [`Error::Report`].
    pub fn report(name: &'static str, message: impl Into<String>) -> Self {
        Error::Report {
            name,
            message: message.into(),
        }
    }

    /// The same error with `context` (e.g. `fold d1`) in front of its
    /// message; the kind is kept, so a prediction error stays one. Errors
    /// without a message of their own (I/O, linfa, extractor) are
    /// returned as they are.
    pub fn within(self, context: &str) -> Self {
        let at = |m: String| format!("{context}: {m}");
        match self {
            Error::Data {
                path,
                row,
                column,
                message,
            } => Error::Data {
                path,
                row,
                column,
                message: at(message),
            },
            Error::InvalidParam { name, message } => Error::InvalidParam {
                name,
                message: at(message),
            },
            Error::Split(m) => Error::Split(at(m)),
            Error::Fit { model, message } => Error::Fit {
                model,
                message: at(message),
            },
            Error::Predict { model, message } => Error::Predict {
                model,
                message: at(message),
            },
            Error::ModelFile { path, message } => Error::ModelFile {
                path,
                message: at(message),
            },
            Error::Report { name, message } => Error::Report {
                name,
                message: at(message),
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_error_names_file_row_and_column() {
        let e = Error::data("q.csv", Some(17), Some("stance"), "unknown stance 'pro'");
        assert_eq!(
            e.to_string(),
            "q.csv row 17, column 'stance': unknown stance 'pro'"
        );
        let e = Error::data("q.csv", None, None, "empty file");
        assert_eq!(e.to_string(), "q.csv: empty file");
    }

    #[test]
    fn context_keeps_the_kind_and_each_cause_is_printed_once() {
        let e = Error::predict("nb", "input has 3 features; the model has 4").within("fold d1");
        assert!(matches!(e, Error::Predict { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            "model nb: cannot predict: fold d1: input has 3 features; the model has 4"
        );
        let e = Error::from(linfa::Error::Parameters("bad".into()));
        assert!(std::error::Error::source(&e).is_none());
        assert_eq!(e.to_string(), "linfa: invalid parameter bad");
    }
}
