//! Scale check for `svm` (and `nbsvm`): featurizes a corpus and fits the
//! model, printing sizes, timings and how each binary problem ended
//! (measure memory with `/usr/bin/time -v`).
//!
//! ```text
//! cargo run --release --example svm_scale -- FILE 30000 [svm|nbsvm|none] [EPS]
//! ```
//! The first N lines of FILE (one text a line), all 1..2-grams, TF-IDF,
//! labelled by a few topic words (`stance::synth::keyword_labels`:
//! oil/bank/other). `none` stops after featurizing, for the baseline
//! memory; `EPS` is the SVM's stopping tolerance (default: the model's).

use std::time::Instant;

use linfa::traits::Fit;
use stance::features::FeaturizerParams;
use stance::models::linear_svm::LinearSvmParams;
use stance::models::nbsvm::NbSvmParams;
use stance::models::Dataset;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        anyhow::bail!("usage: svm_scale FILE [N] [svm|nbsvm|none] [EPS]");
    };
    let n: usize = args.get(1).map_or(Ok(3000), |s| s.parse())?;
    let model = args.get(2).map_or("svm", String::as_str);
    let eps: f64 = args
        .get(3)
        .map_or(Ok(LinearSvmParams::default().eps), |s| s.parse())?;
    let svm = LinearSvmParams::default().eps(eps);
    let text = std::fs::read_to_string(path)?;
    let texts: Vec<String> = text.lines().take(n).map(str::to_owned).collect();
    drop(text);
    let labels = stance::synth::keyword_labels(&texts);
    let t0 = Instant::now();
    let (f, x, tokens) = FeaturizerParams::default()
        .ngram_range(1, 2)
        .check()?
        .fit_transform(&texts)?;
    println!(
        "featurized {} docs, {tokens} tokens: {} features, {} non-zeros in {:.2} s",
        x.n_rows(),
        f.n_features(),
        x.nnz(),
        t0.elapsed().as_secs_f64()
    );
    let t1 = Instant::now();
    match model {
        "svm" => {
            let (_, stats) = svm.check()?.fit_with_stats(&x, &labels)?;
            println!("svm fit: {:.3} s", t1.elapsed().as_secs_f64());
            for s in stats {
                println!(
                    "  {}: {} passes, spread {:.3e}, {} support vectors, dual objective {:.4}",
                    s.class, s.passes, s.spread, s.support_vectors, s.dual_objective
                );
            }
        }
        "nbsvm" => {
            NbSvmParams::default()
                .svm(svm)
                .check()?
                .fit(&Dataset::new(x, labels))?;
            println!("nbsvm fit: {:.3} s", t1.elapsed().as_secs_f64());
        }
        "none" => {}
        other => anyhow::bail!("unknown model '{other}'; expected svm, nbsvm or none"),
    }
    Ok(())
}
