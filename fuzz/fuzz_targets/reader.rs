//! Fuzz target: the labelled-data reader (CSV and SemEval TSV) on arbitrary bytes.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stance::corpus::{Corpus, Format, ReadOptions};

fuzz_target!(|data: &[u8]| {
    for format in [Format::Csv, Format::Semeval] {
        for lossy in [false, true] {
            let opts = ReadOptions { format, require_stance: true, lossy };
            if let Ok(c) = Corpus::from_bytes(Path::new("fuzz.csv"), data, opts) {
                assert!(!c.is_empty());
                assert!(c.labels().is_ok());
            }
        }
    }
});
