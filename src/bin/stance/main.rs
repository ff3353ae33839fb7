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
use stance::eval::{self, bootstrap, report, svg, BootstrapSettings};
use stance::io::{refuse_overwrite, write_atomic};
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
    let mut choices = Vec::new();
    let mut runs = Vec::with_capacity(models.len());
    for m in &models {
        if a.grid {
            let (run, c) = eval::grid::nested_cross_validate(
                &texts,
                &gold,
                &groups,
                &folds,
                fp.params(),
                m,
                a.seed,
            )?;
            runs.push(run);
            choices.extend(c);
        } else {
            runs.push(eval::cross_validate(&texts, &gold, &folds, &fp, m)?);
        }
    }
    let boot = BootstrapSettings {
        resamples: a.resamples,
        level: 0.95,
        seed: a.seed,
    };
    let zd = ZeroDivision::Zero;
    let summaries = eval::summarize(&gold, &runs, zd, boot)?;
    let compare_csv = eval::compare_csv(&summaries);
    let mut written: Vec<PathBuf> = Vec::new();
    let report = match (&a.report, &a.report_dir) {
        (Some(r), _) => Some(r.clone()),
        (None, None) => Some(PathBuf::from("reports/compare.csv")),
        (None, Some(_)) => None,
    };
    if let Some(r) = &report {
        write_output(r, compare_csv.as_bytes(), &[&source], "--report")?;
        written.push(r.clone());
    }
    if let Some(dir) = &a.report_dir {
        // Linear models refitted on all the data, for features.csv.
        let mut fitted = Vec::new();
        for m in &models {
            if matches!(m.name(), "nb" | "logreg" | "svm") {
                fitted.push(Pipeline::fit(&fp, m, &texts, &gold)?);
            }
        }
        let feats: Vec<(&str, &stance::models::FittedModel, &[String])> = fitted
            .iter()
            .map(|p| (p.params.name(), &p.model, p.featurizer.names()))
            .collect();
        // Best by macro-F1, ties to the earlier model (as in summarize).
        let best = (0..summaries.len()).reduce(|b, i| {
            if summaries[i].point[1] > summaries[b].point[1] {
                i
            } else {
                b
            }
        });
        let mut files: Vec<(&str, String)> = vec![
            ("compare.csv", compare_csv.clone()),
            ("per_class.csv", report::per_class_csv(&summaries, zd)),
            ("confusion.csv", report::confusion_csv(&summaries)),
            (
                "predictions.csv",
                report::predictions_csv(&corpus.examples, &gold, &runs)?,
            ),
            ("features.csv", report::features_csv(&feats)?),
            ("macro_f1.svg", svg::macro_f1_chart(&summaries, boot.level)),
        ];
        if let Some(b) = best {
            files.push(("confusion.svg", svg::confusion_heatmap(&summaries[b])));
        }
        if a.grid {
            files.push(("grid.csv", eval::grid::grid_csv(&choices)));
        }
        for (name, body) in files {
            let path = dir.join(name);
            write_output(&path, body.as_bytes(), &[&source], "--report-dir")?;
            written.push(path);
        }
    }
    let p = fp.params();
    let head = format!(
        "data: {} ({} quotes, {} distinct-quote groups)\ncv: {scheme} ({} folds), seed {}, {} bootstrap resamples{}\n\
         features: {}..{}-grams, {:?}, stem {}, min_df {}\n\n",
        source.display(),
        corpus.len(),
        n_groups,
        folds.len(),
        a.seed,
        a.resamples,
        if a.grid {
            ", nested grid search (inner kfold:3)"
        } else {
            ""
        },
        p.ngram_range.0,
        p.ngram_range.1,
        p.weight,
        p.analyzer.stem,
        p.min_df,
    );
    let table = eval::compare_table(&summaries, boot.level);
    let mut out = format!("{head}{table}");
    if a.grid {
        out.push_str("\ngrid choices (model, outer fold: settings, inner macro-F1):\n");
        for c in &choices {
            out.push_str(&format!(
                "  {:<7} {:<28} {:<34} {:.4}\n",
                c.model, c.fold, c.settings, c.inner_macro_f1
            ));
        }
    }
    out.push_str("\np-values: approximate randomisation test of macro-F1 differences\n");
    for w in &written {
        out.push_str(&format!("report: {}\n", w.display()));
    }
    stdout_write(out.as_bytes())
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
    let (texts, labels): (Vec<String>, Vec<Option<Stance>>) = if is_csv {
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
        text.lines().map(|l| (l.to_owned(), None)).unzip()
    };
    if texts.is_empty() {
        return Err(Error::data(&a.input, None, None, "no texts; expected one text a line").into());
    }
    let start = Instant::now();
    let f = fp.fit(&texts)?;
    let (x, tokens) = f.transform_counted(&texts);
    let secs = start.elapsed().as_secs_f64();
    let mut out = Vec::with_capacity(x.nnz() * 12);
    for (i, label) in labels.iter().enumerate() {
        let (cols, vals) = x.row(i);
        write!(out, "{}", label.map_or(0, |s| s.index()))?;
        for (c, v) in cols.iter().zip(vals) {
            write!(out, " {}:{}", c + 1, v)?;
        }
        out.push(b'\n');
    }
    match &a.out {
        Some(p) => write_output(p, &out, &[&a.input], "--out")?,
        None => stdout_write(&out)?,
    }
    eprintln!(
        "featurize: {} docs, {} tokens, {:.3} s",
        texts.len(),
        tokens,
        secs
    );
    Ok(())
}
