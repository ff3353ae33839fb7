//! Scale check for `logreg`: featurizes a corpus and fits the model,
//! printing sizes and timings (measure memory with `/usr/bin/time -v`).
//!
//! ```text
//! cargo run --release --example model_scale -- synth 3000 20000
//! cargo run --release --example model_scale -- FILE 100000
//! ```
//! `synth N F`: N synthetic texts, 1..2-grams, the F most frequent kept.
//! `FILE N`: the first N lines of FILE (one text a line), all 1..2-grams,
//! with labels from a few topic words (oil/bank/other).

use std::time::Instant;

use stance::features::FeaturizerParams;
use stance::models::logreg::LogRegParams;
use stance::synth::{corpus, SynthSettings};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let source = args.first().map_or("synth", String::as_str);
    let n: usize = args.get(1).map_or(Ok(3000), |s| s.parse())?;
    let (texts, labels, max_features) = if source == "synth" {
        let f: usize = args.get(2).map_or(Ok(20_000), |s| s.parse())?;
        let (t, l) = corpus(&SynthSettings {
            n_docs: n,
            ..Default::default()
        });
        (t, l, Some(f))
    } else {
        let text = std::fs::read_to_string(source)?;
        let texts: Vec<String> = text.lines().take(n).map(str::to_owned).collect();
        let labels = stance::synth::keyword_labels(&texts);
        (texts, labels, None)
    };
    let t0 = Instant::now();
    let (f, x, tokens) = FeaturizerParams::default()
        .ngram_range(1, 2)
        .max_features(max_features)
        .check()?
        .fit_transform(&texts)?;
    let feat_s = t0.elapsed().as_secs_f64();
    println!(
        "featurized {} docs, {tokens} tokens: {} features, {} non-zeros in {feat_s:.2} s",
        x.n_rows(),
        f.n_features(),
        x.nnz()
    );
    let t1 = Instant::now();
    let (m, loss, iters) = LogRegParams::default()
        .check()?
        .fit_with_stats(&x, &labels)?;
    println!(
        "logreg fit: {:.2} s, {iters} iterations, objective {loss:.6}, gradient norm {:.2e}",
        t1.elapsed().as_secs_f64(),
        stance::models::logreg::gradient_norm(&m, &x, &labels, 1.0)
    );
    Ok(())
}
