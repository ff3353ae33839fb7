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
//!                eval::metrics + eval::bootstrap ─▶ reports
//! ```
//!
//! The library computes; the `stance` binary parses flags, prints and
//! writes files. Every random step takes an explicit seed, and the same
//! inputs give byte-identical reports.
#![deny(missing_docs)]

pub mod actors;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod extract;
pub mod features;
pub mod io;
pub mod label;
pub mod lines;
pub mod models;
pub mod pipeline;
pub mod rng;
pub mod semeval;
pub mod synth;
pub mod text;

pub use error::{Error, Result};
pub use label::Stance;

/// The project's hand labels (`labels/quotes.csv`), embedded so that
/// `stance compare` works from any folder.
pub const EMBEDDED_QUOTES: &str = include_str!("../labels/quotes.csv");
