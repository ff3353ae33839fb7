#![deny(missing_docs)]
//! Stance harness: find, attribute and classify the stance of quotes in news articles.

pub mod extract;
