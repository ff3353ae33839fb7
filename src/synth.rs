//! Seeded synthetic corpora for benchmarks and scale tests: sentences of
//! pseudo-words drawn from a Zipf-like vocabulary, with a stance label
//! that a few class-specific words make learnable. The same seed gives the
//! same corpus on every platform (the generator is [`crate::rng::Rng`]).

use crate::label::{Stance, N_CLASSES};
use crate::rng::Rng;

/// Settings of a synthetic corpus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthSettings {
    /// Number of texts.
    pub n_docs: usize,
    /// Number of distinct words.
    pub vocabulary: usize,
    /// Zipf exponent (1.0 is classic Zipf).
    pub exponent: f64,
    /// Words per text, uniform in `min..=max`.
    pub words: (usize, usize),
    /// The seed.
    pub seed: u64,
}

impl Default for SynthSettings {
    fn default() -> Self {
        SynthSettings {
            n_docs: 1000,
            vocabulary: 20_000,
            exponent: 1.05,
            words: (8, 40),
            seed: 42,
        }
    }
}

/// The `r`-th pseudo-word: syllables spelling `r` in base 20, so distinct
/// ranks give distinct words.
fn word(mut r: usize, out: &mut String) {
    const SYL: [&str; 20] = [
        "ka", "to", "ri", "ne", "sa", "mu", "lo", "pe", "di", "ga", "vu", "ho", "ze", "bi", "fa",
        "ju", "wo", "ce", "xi", "ly",
    ];
    loop {
        out.push_str(SYL[r % 20]);
        r /= 20;
        if r == 0 {
            break;
        }
    }
}

/// Generates `(texts, labels)`. Each text gets a uniformly drawn class; a
/// quarter of its words come from ten words specific to that class, the
/// rest from the Zipf vocabulary. Some words are capitalised and followed
/// Labels for a real corpus read by the benches: a fixed keyword rule
/// (oil/crude → favor, bank/rate → against, else none), so that models have
/// something learnable to fit. The labels mean nothing about stance.
pub fn keyword_labels<S: AsRef<str>>(texts: &[S]) -> Vec<Stance> {
    texts
        .iter()
        .map(|t| {
            let t = t.as_ref().to_lowercase();
            if t.contains("oil") || t.contains("crude") {
                Stance::Favor
            } else if t.contains("bank") || t.contains("rate") {
                Stance::Against
            } else {
                Stance::None
            }
        })
        .collect()
}

/// by punctuation, as in prose.
pub fn corpus(s: &SynthSettings) -> (Vec<String>, Vec<Stance>) {
    let mut rng = Rng::new(s.seed);
    let v = s.vocabulary.max(1);
    let mut cdf = Vec::with_capacity(v);
    let mut acc = 0.0;
    for r in 0..v {
        acc += 1.0 / ((r + 1) as f64).powf(s.exponent);
        cdf.push(acc);
    }
    let (lo, hi) = (s.words.0.min(s.words.1), s.words.0.max(s.words.1));
    let mut texts = Vec::with_capacity(s.n_docs);
    let mut labels = Vec::with_capacity(s.n_docs);
    for _ in 0..s.n_docs {
        let c = rng.below(N_CLASSES);
        let n = lo + rng.below(hi - lo + 1);
        let mut t = String::with_capacity(n * 8);
        for i in 0..n {
            if i > 0 {
                t.push(' ');
            }
            let start = t.len();
            if rng.below(4) == 0 {
                word(v + c * 10 + rng.below(10), &mut t);
            } else {
                let u = rng.unit() * acc;
                word(cdf.partition_point(|&x| x < u).min(v - 1), &mut t);
            }
            if rng.below(10) == 0 {
                t[start..start + 1].make_ascii_uppercase();
            }
            if rng.below(12) == 0 {
                t.push(',');
            }
        }
        t.push('.');
        texts.push(t);
        labels.push(Stance::ALL[c]);
    }
    (texts, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_seeded_and_zipf_like() {
        let s = SynthSettings {
            n_docs: 500,
            ..Default::default()
        };
        let (a, la) = corpus(&s);
        let (b, lb) = corpus(&s);
        assert_eq!((&a, &la), (&b, &lb));
        assert_ne!(corpus(&SynthSettings { seed: 1, ..s }).0, a);
        // The most frequent word ("ka", rank 0) is far more common than rank 100.
        let count = |w: &str| {
            a.iter()
                .flat_map(|t| t.split(' '))
                .filter(|x| *x == w)
                .count()
        };
        let mut w100 = String::new();
        word(100, &mut w100);
        assert!(count("ka") > 20 * count(&w100).max(1), "{}", count("ka"));
    }
}
