//! `stance`: train, score and compare stance classifiers on quotes from
//! news articles.
//!
//! ```text
//! labels/quotes.csv ─▶ corpus ─▶ eval::split (groups of the same quote, folds)
//!                                   │ per fold
//!                                   ▼
//!                text ─▶ features (tokenize, stem, n-grams, TF-IDF, L2) ─▶ CsrMatrix
//!                                   ▼
//!   models (majority, random, lexicon, nb, cnb, logreg, logreg-dense, svm, svm-smo, nbsvm, tree, tree-dense) ─▶ class probabilities
//!                                   ▼
//!                eval::metrics + eval::bootstrap ─▶ eval::report (ReportSet, CSV bodies)
//! ```
//!
//! The library computes; the `stance` binary parses flags, prints and
//! writes files. Every random step takes an explicit seed, and the same
//! inputs give byte-identical reports.
//!
//! The evaluation protocols live under [`eval`]: cross-validated
//! comparison ([`eval::compare`], with nested grid search in
//! [`eval::grid`]), scoring a saved model ([`eval::score`]), actor-level
//! stances ([`eval::actors`]) and SemEval-2016 Task 6
//! ([`eval::semeval`]); [`eval::report`] builds their report files. File
//! helpers live under [`io`]: atomic output, bounded blocks of lines
//! ([`io::lines`]), CSV tables ([`io::table`], the one way the crate
//! writes CSV). [`svmlight`] streams a large file through the featurizer
//! to svmlight lines; [`settings`] names the settings' choices and
//! describes featurizer settings in one line.
#![deny(missing_docs)]

pub mod corpus;
pub mod error;
pub mod eval;
pub mod extract;
pub mod features;
pub mod io;
pub mod label;
pub mod meta;
pub mod models;
pub mod pipeline;
pub mod progress;
pub mod rng;
pub mod settings;
pub mod svmlight;
pub mod synth;
pub mod text;

pub use error::{Error, Result};
pub use label::Stance;

/// The project's hand labels (`labels/quotes.csv`), embedded so that
/// `stance compare` works from any folder.
pub const EMBEDDED_QUOTES: &str = include_str!("../labels/quotes.csv");
