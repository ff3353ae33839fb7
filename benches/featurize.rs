//! Featurizer throughput: tokenize, stem (Analyzer with its cache),
//! unigram counts (fit + transform) and TF-IDF (1,2)-grams, on a seeded
//! synthetic corpus, or on a real one (one text a line) named by the
//! environment variable `STANCE_BENCH_CORPUS`. Each stage reports bytes/s
//! and tokens/s, and asserts the token count inside the timed loop so a
//! broken pipeline cannot look fast.
//!
//! ```text
//! cargo bench --bench featurize
//! STANCE_BENCH_CORPUS=/work/shared/bench/news_sentences.txt cargo bench --bench featurize
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use stance::features::{FeaturizerParams, Weighting};
use stance::synth::{corpus, SynthSettings};
use stance::text::{for_each_token, Analyzer, AnalyzerSettings, TokenizerKind};

/// Synthetic corpus sizes (texts) run by default.
const SIZES: [usize; 2] = [500, 5000];

fn inputs() -> Vec<(String, Vec<String>)> {
    match std::env::var_os("STANCE_BENCH_CORPUS") {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("STANCE_BENCH_CORPUS={path:?}: {e}"));
            let lines: Vec<String> = text.lines().map(str::to_owned).collect();
            vec![(format!("corpus-{}", lines.len()), lines)]
        }
        None => SIZES
            .iter()
            .map(|&n| {
                let (t, _) = corpus(&SynthSettings {
                    n_docs: n,
                    ..Default::default()
                });
                (format!("synth-{n}"), t)
            })
            .collect(),
    }
}

fn count_tokens(texts: &[String]) -> usize {
    let mut n = 0;
    for t in texts {
        for_each_token(t, TokenizerKind::Words, |_, _, _| n += 1);
    }
    n
}

fn stages(c: &mut Criterion) {
    for (name, texts) in inputs() {
        let bytes: u64 = texts.iter().map(|t| t.len() as u64 + 1).sum();
        let tokens = count_tokens(&texts);
        assert!(tokens > 0, "{name}: no tokens");
        let unigrams = FeaturizerParams::default()
            .weight(Weighting::Count)
            .norm(false)
            .check()
            .expect("valid settings");
        let tfidf12 = FeaturizerParams::default()
            .ngram_range(1, 2)
            .stem(false)
            .check()
            .expect("valid settings");
        for (unit, tp) in [
            ("bytes", Throughput::Bytes(bytes)),
            ("tokens", Throughput::Elements(tokens as u64)),
        ] {
            let mut g = c.benchmark_group(format!("featurize-{unit}"));
            g.sample_size(10)
                .warm_up_time(Duration::from_millis(300))
                .measurement_time(Duration::from_secs(1))
                .throughput(tp);
            g.bench_with_input(BenchmarkId::new("tokenize", &name), &texts, |b, t| {
                b.iter(|| assert_eq!(count_tokens(black_box(t)), tokens))
            });
            g.bench_with_input(BenchmarkId::new("stem", &name), &texts, |b, t| {
                b.iter(|| {
                    let mut a = Analyzer::new(AnalyzerSettings::default());
                    let mut ids = Vec::new();
                    let mut n = 0;
                    for s in t {
                        ids.clear();
                        n += a.terms_into(black_box(s), &mut ids);
                    }
                    assert_eq!(n, tokens);
                    a.n_terms()
                })
            });
            g.bench_with_input(BenchmarkId::new("unigram-count", &name), &texts, |b, t| {
                b.iter(|| {
                    let (f, x, n) = unigrams.fit_transform(black_box(t)).expect("fits");
                    assert_eq!(n, tokens);
                    (f.n_features(), x.nnz())
                })
            });
            g.bench_with_input(BenchmarkId::new("tfidf-1-2", &name), &texts, |b, t| {
                b.iter(|| {
                    let (f, x, n) = tfidf12.fit_transform(black_box(t)).expect("fits");
                    assert_eq!(n, tokens);
                    (f.n_features(), x.nnz())
                })
            });
            g.bench_with_input(
                BenchmarkId::new("tfidf-1-2-transform", &name),
                &texts,
                |b, t| {
                    let f = tfidf12.fit(t).expect("fits");
                    b.iter(|| {
                        let (x, n) = f.transform_counted(black_box(t));
                        assert_eq!(n, tokens);
                        x.nnz()
                    })
                },
            );
            g.finish();
        }
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
