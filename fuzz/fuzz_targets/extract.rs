//! Fuzz target: the quote extractor and sentence splitter on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stance::extract::{extract, split_sentences, Aliases};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for (a, b) in split_sentences(text) {
        assert!(a < b && b <= text.len());
        assert!(text.is_char_boundary(a) && text.is_char_boundary(b));
    }
    thread_local! { static ALIASES: Aliases = Aliases::embedded(); }
    ALIASES.with(|al| {
        for q in extract(text, al) {
            assert_eq!(&text[q.start..q.end], q.text);
        }
    });
});
