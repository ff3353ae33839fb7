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
        /// The setting (as the user spells it, e.g. `--min-df`).
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
    /// An error reported by linfa.
    #[error("linfa: {0}")]
    Linfa(#[from] linfa::Error),
    /// The quote extractor's alias table could not be read.
    #[error(transparent)]
    Extract(#[from] crate::extract::ExtractError),
    /// A saved model file is unusable.
    #[error("{path}: {message}")]
    ModelFile {
        /// The model file.
        path: PathBuf,
        /// What was wrong and what was expected.
        message: String,
    },
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
}
