//! Errors of the quote extractor (loading alias and known-actor tables).

/// An error while loading extractor data such as an alias table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// A file could not be opened or read.
    #[error("{path}: cannot read alias table: {source}")]
    Io {
        /// The file at fault.
        path: String,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The CSV itself is malformed.
    #[error("{source_name} line {line}: malformed CSV: {source}")]
    Csv {
        /// The file (or other input) at fault.
        source_name: String,
        /// 1-based line number (0 when unknown).
        line: u64,
        /// The underlying CSV error.
        source: csv::Error,
    },
    /// A row is well-formed CSV but its content is invalid.
    #[error("{source_name} line {line}: {reason}")]
    BadRow {
        /// The file (or other input) at fault.
        source_name: String,
        /// 1-based line number.
        line: u64,
        /// What was wrong and what was expected.
        reason: String,
    },
}
