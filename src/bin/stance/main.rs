//! The `stance` binary: parses flags, runs the library, prints results and
//! writes reports. Exit codes: 0 ok, 1 runtime error, 2 usage error; a
//! closed stdout pipe is not an error.

mod args;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Parser;

use args::{
    Cli, Command, CompareArgs, FeaturizeArgs, InputArgs, PredictArgs, ScoreArgs, TrainArgs,
};
use stance::corpus::{Corpus, Example, ReadOptions};
use stance::eval::metrics::{ConfusionMatrix, Metric, ZeroDivision};
use stance::eval::split::{self, CvScheme};
use stance::eval::{self, bootstrap, BootstrapSettings};
use stance::io::{refuse_overwrite, write_atomic, write_atomic_with};
use stance::models::{argmax, ModelParams, Probs};
use stance::pipeline::Pipeline;
use stance::{Error, Stance};

fn main() {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(()) => 0,
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            let usage = e
                .downcast_ref::<Error>()
                .is_some_and(|e| matches!(e, Error::InvalidParam { .. }));
            eprintln!("stance: {e:#}");
            if usage {
                2
            } else {
                1
            }
        }
    };
    std::process::exit(code);
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Compare(a) => with_threads(a.feat.threads, || compare(a)),
        Command::Train(a) => with_threads(a.feat.threads, || train(a)),
        Command::Score(a) => score(a),
        Command::Predict(a) => predict(a),
        Command::Featurize(a) => with_threads(a.feat.threads, || featurize(a)),
    }
}

/// Runs `f` on a rayon pool of `threads` workers (default: all cores).
fn with_threads(
    threads: Option<usize>,
    f: impl FnOnce() -> anyhow::Result<()> + Send,
) -> anyhow::Result<()> {
    match threads {
        None => f(),
        Some(0) => Err(Error::param("--threads", "must be at least 1").into()),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("cannot start the thread pool")?
            .install(f),
    }
}

fn read(path: &Path, input: &InputArgs, require_stance: bool) -> anyhow::Result<Corpus> {
    Ok(Corpus::read(
        path,
        ReadOptions {
            format: input.format.into(),
            require_stance,
            lossy: input.lossy,
        },
    )?)
}

fn stdout_write(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

fn write_output(
    path: &Path,
    bytes: &[u8],
    inputs: &[&Path],
    flag: &'static str,
) -> anyhow::Result<()> {
    refuse_overwrite(flag, path, inputs)?;
    write_atomic(path, bytes)?;
    Ok(())
}

fn compare(a: CompareArgs) -> anyhow::Result<()> {
    let fp = a.feat.to_params()?;
    let models = a
        .models
        .iter()
        .map(|m| ModelParams::from_name(m.trim()))
        .collect::<stance::Result<Vec<_>>>()?;
    if models.is_empty() {
        return Err(Error::param("--models", "expected at least one model").into());
    }
    let (corpus, source) = match &a.data {
        Some(p) => (read(p, &a.input, true)?, p.clone()),
        None => default_corpus(&a.input)?,
    };
    let gold = corpus.labels()?;
    let texts = corpus.texts();
    let docs: Vec<Option<&str>> = corpus.examples.iter().map(|e| e.doc.as_deref()).collect();
    let scheme = a.cv.unwrap_or(if docs.iter().all(Option::is_some) {
        CvScheme::Doc
    } else {
        CvScheme::KFold(5)
    });
    let groups = split::group_duplicates(&texts);
    let folds = split::plan(scheme, &docs, &gold, &groups, a.seed)?;
    let n_groups = {
        let mut g = groups.clone();
        g.sort_unstable();
        g.dedup();
        g.len()
    };
    let runs = models
        .iter()
        .map(|m| eval::cross_validate(&texts, &gold, &folds, &fp, m))
        .collect::<stance::Result<Vec<_>>>()?;
    let boot = BootstrapSettings {
        resamples: a.resamples,
        level: 0.95,
        seed: a.seed,
    };
    let summaries = eval::summarize(&gold, &runs, ZeroDivision::Zero, boot)?;
    write_output(
        &a.report,
        eval::compare_csv(&summaries).as_bytes(),
        &[&source],
        "--report",
    )?;
    let p = fp.params();
    let head = format!(
        "data: {} ({} quotes, {} distinct-quote groups)\ncv: {scheme} ({} folds), seed {}, {} bootstrap resamples\n\
         features: {}..{}-grams, {:?}, stem {}, min_df {}\n\n",
        source.display(),
        corpus.len(),
        n_groups,
        folds.len(),
        a.seed,
        a.resamples,
        p.ngram_range.0,
        p.ngram_range.1,
        p.weight,
        p.analyzer.stem,
        p.min_df,
    );
    let table = eval::compare_table(&summaries, boot.level);
    stdout_write(format!("{head}{table}\nreport: {}\n", a.report.display()).as_bytes())
}

/// labels/quotes.csv in the working folder, else the embedded copy.
fn default_corpus(input: &InputArgs) -> anyhow::Result<(Corpus, PathBuf)> {
    let path = PathBuf::from("labels/quotes.csv");
    if path.exists() {
        return Ok((read(&path, input, true)?, path));
    }
    let name = PathBuf::from("<embedded labels/quotes.csv>");
    let c = Corpus::from_bytes(
        &name,
        stance::EMBEDDED_QUOTES.as_bytes(),
        ReadOptions {
            require_stance: true,
            ..Default::default()
        },
    )?;
    Ok((c, name))
}

fn train(a: TrainArgs) -> anyhow::Result<()> {
    let fp = a.feat.to_params()?;
    let mp = ModelParams::from_name(&a.model)?;
    refuse_overwrite("--out", &a.out, &[&a.data])?;
    let corpus = read(&a.data, &a.input, true)?;
    let gold = corpus.labels()?;
    let p = Pipeline::fit(&fp, &mp, &corpus.texts(), &gold)?;
    write_atomic(&a.out, p.to_json().as_bytes())?;
    stdout_write(
        format!(
            "trained {} on {} quotes ({} features) -> {}\n",
            mp.name(),
            corpus.len(),
            p.featurizer.n_features(),
            a.out.display()
        )
        .as_bytes(),
    )
}

fn load_model(path: &Path) -> anyhow::Result<Pipeline> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let json = std::str::from_utf8(&bytes).map_err(|_| Error::ModelFile {
        path: path.to_owned(),
        message: "not UTF-8 text; expected the JSON written by `stance train`".into(),
    })?;
    Ok(Pipeline::from_json(path, json)?)
}

fn score(a: ScoreArgs) -> anyhow::Result<()> {
    let model = load_model(&a.model)?;
    let corpus = read(&a.data, &a.input, true)?;
    let gold = corpus.labels()?;
    let probs = model.predict_proba(&corpus.texts())?;
    let predicted: Vec<Stance> = probs.iter().map(argmax).collect();
    let zd = ZeroDivision::Zero;
    let m = ConfusionMatrix::new(&gold, &predicted);
    let ci = bootstrap::interval(&gold, &predicted, Metric::MacroF1, zd, 1000, 0.95, a.seed);
    let mut out = format!(
        "model: {} ({})\ndata: {} ({} quotes)\naccuracy {:.4}  macro_f1 {:.4} [95% {:.4}, {:.4}]  f_avg {:.4}\n\n\
         class      precision  recall      f1  support\n",
        a.model.display(),
        model.params.name(),
        a.data.display(),
        corpus.len(),
        m.accuracy(),
        m.macro_f1(zd),
        ci.lo,
        ci.hi,
        m.f_avg(zd)
    );
    for s in Stance::ALL {
        let c = m.class_scores(s, zd);
        out.push_str(&format!(
            "{:<9} {:>10.4} {:>7.4} {:>7.4} {:>8}\n",
            s.as_str(),
            c.precision,
            c.recall,
            c.f1,
            c.support
        ));
    }
    if let Some(report) = &a.report {
        let csv = format!(
            "model,n,accuracy,macro_f1,macro_f1_lo,macro_f1_hi,f_avg\n{},{},{:.4},{:.4},{:.4},{:.4},{:.4}\n",
            model.params.name(),
            corpus.len(),
            m.accuracy(),
            m.macro_f1(zd),
            ci.lo,
            ci.hi,
            m.f_avg(zd)
        );
        write_output(report, csv.as_bytes(), &[&a.data, &a.model], "--report")?;
        out.push_str(&format!("\nreport: {}\n", report.display()));
    }
    stdout_write(out.as_bytes())
}

fn predict(a: PredictArgs) -> anyhow::Result<()> {
    let model = load_model(&a.model)?;
    let data = a
        .data
        .as_ref()
        .ok_or_else(|| Error::param("--data", "expected --data F with the quotes to label"))?;
    let corpus = read(data, &a.input, false)?;
    let probs = model.predict_proba(&corpus.texts())?;
    let csv = if a.by_actor {
        by_actor_csv(&corpus.examples, &probs)?
    } else {
        quotes_csv(&corpus.examples, &probs)?
    };
    match &a.out {
        Some(out) => write_output(out, &csv, &[data, &a.model], "--out"),
        None => stdout_write(&csv),
    }
}

fn quotes_csv(examples: &[Example], probs: &[Probs]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "doc",
        "actor",
        "text",
        "stance",
        "p_favor",
        "p_against",
        "p_none",
    ])?;
    for (e, p) in examples.iter().zip(probs) {
        w.write_record([
            e.doc.as_deref().unwrap_or(""),
            e.actor.as_deref().unwrap_or(""),
            &e.text,
            argmax(p).as_str(),
            &format!("{:.4}", p[0]),
            &format!("{:.4}", p[1]),
            &format!("{:.4}", p[2]),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// Mean class probability over each actor's quotes; the stance is its
/// argmax. Quotes without an actor are grouped under `unknown`.
fn by_actor_csv(examples: &[Example], probs: &[Probs]) -> anyhow::Result<Vec<u8>> {
    let mut sums: std::collections::BTreeMap<&str, (Probs, usize)> = Default::default();
    for (e, p) in examples.iter().zip(probs) {
        let s = sums
            .entry(e.actor.as_deref().unwrap_or("unknown"))
            .or_insert(([0.0; 3], 0));
        s.0.iter_mut().zip(p).for_each(|(a, b)| *a += b);
        s.1 += 1;
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["actor", "stance", "n", "p_favor", "p_against", "p_none"])?;
    for (actor, (sum, n)) in sums {
        let mean = sum.map(|v| v / n as f64);
        w.write_record([
            actor,
            argmax(&mean).as_str(),
            &n.to_string(),
            &format!("{:.4}", mean[0]),
            &format!("{:.4}", mean[1]),
            &format!("{:.4}", mean[2]),
        ])?;
    }
    Ok(w.into_inner()?)
}

fn featurize(a: FeaturizeArgs) -> anyhow::Result<()> {
    let fp = a.feat.to_params()?;
    let is_csv = a
        .input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    // One owned buffer (CSV: one String per row); the texts borrow from it.
    let (owned, labels): (Vec<String>, Vec<Option<Stance>>) = if is_csv {
        let c = Corpus::read(&a.input, ReadOptions::default())?;
        c.examples.into_iter().map(|e| (e.text, e.stance)).unzip()
    } else {
        let bytes = std::fs::read(&a.input).map_err(|e| Error::io(&a.input, e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::data(
                &a.input,
                None,
                None,
                format!(
                    "invalid UTF-8 at byte {}; expected UTF-8 text",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        (vec![text], Vec::new())
    };
    let texts: Vec<&str> = if is_csv {
        owned.iter().map(String::as_str).collect()
    } else {
        owned[0].lines().collect()
    };
    if texts.is_empty() {
        return Err(Error::data(&a.input, None, None, "no texts; expected one text a line").into());
    }
    let start = Instant::now();
    let (_, x, tokens) = fp.fit_transform(&texts)?;
    let secs = start.elapsed().as_secs_f64();
    let label = |i: usize| labels.get(i).copied().flatten().map_or(0, |s| s.index());
    match &a.out {
        Some(p) => {
            refuse_overwrite("--out", p, &[&a.input])?;
            write_atomic_with(p, |w| x.write_svmlight(label, w))?;
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            x.write_svmlight(label, &mut out)?;
            out.flush()?;
        }
    }
    eprintln!(
        "featurize: {} docs, {} tokens, {:.3} s",
        texts.len(),
        tokens,
        secs
    );
    Ok(())
}
