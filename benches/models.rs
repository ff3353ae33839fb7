//! Fit and predict time of every model on TF-IDF unigram features of a
//! seeded synthetic corpus, or of a real corpus (one text a line) named by
//! `STANCE_BENCH_CORPUS` (its first 2000 lines, labelled by topic words,
//! so that the dense linfa models stay within memory). Throughput is rows/s;
//! each iteration asserts the number of predictions.
//!
//! ```text
//! cargo bench --bench models
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use stance::features::{CsrMatrix, FeaturizerParams};
use stance::models::{model_names, Dataset, ModelParams};
use stance::synth::{corpus, SynthSettings};
use stance::Stance;

fn data() -> (String, CsrMatrix, Vec<Stance>) {
    let (name, texts, labels) = match std::env::var_os("STANCE_BENCH_CORPUS") {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("STANCE_BENCH_CORPUS={path:?}: {e}"));
            let texts: Vec<String> = text.lines().take(2000).map(str::to_owned).collect();
            let labels = stance::synth::keyword_labels(&texts);
            (format!("corpus-{}", texts.len()), texts, labels)
        }
        None => {
            let (t, l) = corpus(&SynthSettings {
                n_docs: 600,
                ..Default::default()
            });
            ("synth-600".to_owned(), t, l)
        }
    };
    let f = FeaturizerParams::default()
        .max_features(Some(3000))
        .check()
        .expect("valid settings")
        .fit(&texts)
        .expect("fits");
    (name, f.transform(&texts), labels)
}

fn models(c: &mut Criterion) {
    let (name, x, y) = data();
    let mut g = c.benchmark_group("models");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(x.n_rows() as u64));
    let texts = vec![""; x.n_rows()];
    let data = Dataset::new(x, y);
    for model in model_names() {
        let p = ModelParams::from_name(model).expect("known model");
        g.bench_with_input(
            BenchmarkId::new(format!("fit/{model}"), &name),
            &data,
            |b, d| b.iter(|| p.fit(black_box(d)).expect("fits")),
        );
        let m = p.fit(&data).expect("fits");
        g.bench_with_input(
            BenchmarkId::new(format!("predict/{model}"), &name),
            &data.records,
            |b, x| {
                b.iter(|| {
                    let p = m.predict_proba(black_box(x), &texts).expect("predicts");
                    assert_eq!(p.len(), texts.len())
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, models);
criterion_main!(benches);
