//! Scale check for the models: featurizes a corpus and fits one model,
//! printing sizes and timings (measure memory with `/usr/bin/time -v`;
//! model `none` only featurizes, for the featurizer's share of the peak).
//!
//! ```text
//! cargo run --release --example model_scale -- MODEL synth 3000 20000
//! cargo run --release --example model_scale -- MODEL FILE 100000
//! cargo run --release --example model_scale -- logreg-path FILE 3000
//! ```
//! `MODEL` is a model of the table (`logreg`, `nb`, `cnb`, `tree`, ...),
//! `none`, or `logreg-path`: the four `logreg` strengths fitted cold, one
//! by one, then as one warm-started path, with L-BFGS iterations and times.
//! `synth N F`: N synthetic texts, 1..2-grams, the F most frequent kept.
//! `FILE N`: the first N lines of FILE (one text a line), all 1..2-grams,
//! with labels from a few topic words (`stance::synth::keyword_labels`).

use std::time::Instant;

use stance::models::logreg::{LogRegParams, ValidLogRegParams};
use stance::models::{argmax, Dataset, Learner, ModelParams};
use stance::synth::{corpus, SynthSettings};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = args.first().map_or("logreg", String::as_str);
    let source = args.get(1).map_or("synth", String::as_str);
    let n: usize = args.get(2).map_or(Ok(3000), |s| s.parse())?;
    let (texts, labels, max_features) = if source == "synth" {
        let f: usize = args.get(3).map_or(Ok(20_000), |s| s.parse())?;
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
    let (f, x, tokens) = stance::features::FeaturizerParams::default()
        .ngram_range(1, 2)
        .max_features(max_features)
        .check()?
        .fit_transform(&texts)?;
    drop(texts);
    println!(
        "featurized {} docs, {tokens} tokens: {} features, {} non-zeros in {:.2} s",
        x.n_rows(),
        f.n_features(),
        x.nnz(),
        t0.elapsed().as_secs_f64()
    );
    drop(f);
    match model {
        "none" => {}
        "logreg-path" => {
            let path: Vec<ValidLogRegParams> = LogRegParams::default()
                .check()?
                .strengths()?
                .unwrap_or_default()
                .into_iter()
                .map(|(_, p)| p)
                .collect();
            let t = Instant::now();
            let mut iters = 0;
            for p in &path {
                let r = p.fit_with_stats(&x, &labels);
                iters += report("cold", p.params().alpha, r.map(|(_, l, it)| (l, it)));
            }
            println!(
                "cold: {iters} iterations (converged fits) in {:.2} s",
                t.elapsed().as_secs_f64()
            );
            let t = Instant::now();
            let refs: Vec<&ValidLogRegParams> = path.iter().collect();
            let mut iters = 0;
            for (p, r) in path
                .iter()
                .zip(ValidLogRegParams::path_with_stats(&x, &labels, &refs))
            {
                iters += report("warm", p.params().alpha, r.map(|(_, l, it)| (l, it)));
            }
            println!(
                "warm path: {iters} iterations (converged fits) in {:.2} s",
                t.elapsed().as_secs_f64()
            );
        }
        name => {
            let p = ModelParams::from_name(name)?;
            let t1 = Instant::now();
            let data = Dataset::new(x, labels);
            let m = p.fit(&data)?;
            let fit_s = t1.elapsed().as_secs_f64();
            let texts = vec![""; data.records.n_rows()];
            let probs = m.predict_proba(&data.records, &texts)?;
            let right = probs
                .iter()
                .zip(&data.targets)
                .filter(|(p, y)| argmax(p) == **y)
                .count();
            println!(
                "{name} fit: {fit_s:.2} s; training accuracy {:.4}",
                right as f64 / data.targets.len() as f64
            );
        }
    }
    Ok(())
}

/// Prints one fit of a path; returns its iterations (0 for a fit that did
/// not converge).
fn report(how: &str, alpha: f64, r: stance::Result<(f64, u64)>) -> u64 {
    match r {
        Ok((loss, it)) => {
            println!("  {how} alpha={alpha}: {it} iterations, objective {loss:.6}");
            it
        }
        Err(e) => {
            println!("  {how} alpha={alpha}: {e}");
            0
        }
    }
}
