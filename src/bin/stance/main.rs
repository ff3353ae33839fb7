//! The `stance` binary: parses flags, runs the library, prints results and
//! writes reports. Exit codes: 0 ok, 1 runtime error, 2 usage error; a
//! closed stdout pipe is not an error.

mod args;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches};

use args::{
    Cli, Command, CompareArgs, ExtractArgs, FeaturizeArgs, InputArgs, PredictArgs, ScoreArgs,
    SemevalArgs, TrainArgs,
};
use stance::actors::{aggregate, read_actor_labels, score_actors};
use stance::corpus::{Corpus, Example, ReadOptions};
use stance::eval::metrics::{ConfusionMatrix, Metric, ZeroDivision};
use stance::eval::split::{self, CvScheme};
use stance::eval::{self, bootstrap, report, svg, BootstrapSettings};
use stance::extract::{self as ex, Aliases};
use stance::features::Weighting;
use stance::io::{refuse_overwrite, write_atomic, write_atomic_with};
use stance::models::{argmax, ModelParams, Probs};
use stance::pipeline::Pipeline;
use stance::{Error, Stance};

fn main() {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let code = match run(cli, &matches) {
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
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(broken)
            || c.downcast_ref::<Error>()
                .is_some_and(|e| matches!(e, Error::Io { cause, .. } if broken(cause)))
    })
}

fn run(cli: Cli, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    match cli.command {
        Command::Compare(a) => with_threads(a.feat.threads, || compare(a)),
        Command::Train(a) => with_threads(a.feat.threads, || train(a)),
        Command::Score(a) => score(a),
        Command::Predict(a) => predict(a),
        Command::Featurize(a) => with_threads(a.feat.threads, || featurize(a)),
        Command::Extract(a) => extract(a),
        Command::Semeval(mut a) => {
            if let Some(m) = matches.subcommand_matches("semeval") {
                a.feat.apply_tweet_defaults(m);
            }
            with_threads(a.feat.threads, || semeval(a))
        }
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
    let models = model_list(&a.models)?;
    if a.resamples == 0 {
        return Err(Error::param("--resamples", "must be at least 1").into());
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
    for s in Stance::ALL {
        let n = gold.iter().filter(|&&g| g == s).count();
        if n < folds.len() {
            eprintln!(
                "stance: note: class {s} has {n} examples, fewer than the {} folds; some test folds have none of it",
                folds.len()
            );
        }
    }
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
                &docs,
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
    let features = if a.grid {
        format!(
            "grid over 1..1/1..2-grams and min_df 1/2 (models without a grid: {}..{}-grams, min_df {}), {}, stem {}",
            p.ngram_range.0,
            p.ngram_range.1,
            p.min_df,
            weight_name(p.weight),
            p.analyzer.stem
        )
    } else {
        format!(
            "{}..{}-grams, {}, stem {}, min_df {}",
            p.ngram_range.0,
            p.ngram_range.1,
            weight_name(p.weight),
            p.analyzer.stem,
            p.min_df
        )
    };
    let head = format!(
        "data: {} ({} quotes, {} distinct-quote groups)\ncv: {scheme} ({} folds), seed {}, {} bootstrap resamples{}\n\
         features: {features}\n\n",
        source.display(),
        corpus.len(),
        n_groups,
        folds.len(),
        a.seed,
        a.resamples,
        if a.grid {
            ", nested grid search (inner: leave one document out, else kfold:3)"
        } else {
            ""
        },
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

fn weight_name(w: Weighting) -> &'static str {
    match w {
        Weighting::Binary => "binary",
        Weighting::Count => "count",
        Weighting::Tfidf => "tfidf",
    }
}

/// The models of a `--models` list; errors name that flag.
fn model_list(names: &[String]) -> anyhow::Result<Vec<ModelParams>> {
    let models = names
        .iter()
        .map(|m| {
            ModelParams::from_name(m.trim()).map_err(|e| match e {
                Error::InvalidParam { message, .. } => Error::param("--models", message),
                other => other,
            })
        })
        .collect::<stance::Result<Vec<_>>>()?;
    if models.is_empty() {
        return Err(Error::param("--models", "expected at least one model").into());
    }
    Ok(models)
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
    let actors_path = a.by_actor.then(|| {
        a.actors
            .clone()
            .unwrap_or_else(|| a.data.parent().unwrap_or(Path::new(".")).join("actors.csv"))
    });
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
    if let Some(path) = &actors_path {
        let gold_actors = read_actor_labels(path)?;
        let actors = quote_actors(&corpus)?;
        let pred = aggregate(&actors, &probs)
            .into_iter()
            .map(|(k, v)| (k, v.stance))
            .collect();
        let sc = score_actors(&gold_actors, &pred);
        out.push_str(&format!(
            "\nactors ({}): {} scored, {} without quotes; accuracy {:.4}  macro_f1 {:.4}\n",
            path.display(),
            sc.n,
            sc.missing,
            sc.accuracy,
            sc.macro_f1
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
        let mut inputs: Vec<&Path> = vec![&a.data, &a.model];
        inputs.extend(actors_path.as_deref());
        write_output(report, csv.as_bytes(), &inputs, "--report")?;
        out.push_str(&format!("\nreport: {}\n", report.display()));
    }
    stdout_write(out.as_bytes())
}

/// The actor of every example; an error names the first row without one.
fn quote_actors(corpus: &Corpus) -> anyhow::Result<Vec<&str>> {
    corpus
        .examples
        .iter()
        .map(|e| {
            e.actor.as_deref().ok_or_else(|| {
                Error::data(
                    &corpus.path,
                    Some(e.line),
                    Some("actor"),
                    "missing actor; --by-actor needs an actor on every row",
                )
                .into()
            })
        })
        .collect()
}

fn predict(a: PredictArgs) -> anyhow::Result<()> {
    let model = load_model(&a.model)?;
    let mut inputs: Vec<&Path> = vec![&a.model];
    inputs.extend(a.aliases.as_deref());
    let examples = match (&a.data, a.articles.is_empty()) {
        (Some(data), _) => {
            inputs.push(data);
            read(data, &a.input, false)?.examples
        }
        (None, false) => {
            let aliases = load_aliases(a.aliases.as_deref())?;
            let mut ex = Vec::new();
            for path in &a.articles {
                inputs.push(path);
                let (doc, text) = read_article(path)?;
                for q in ex::extract(&text, &aliases) {
                    ex.push(Example {
                        id: format!("{doc}:{}", q.start),
                        doc: Some(doc.clone()),
                        actor: Some(q.actor),
                        target: None,
                        text: q.text,
                        stance: None,
                        span: Some((q.start, q.end)),
                        line: 0,
                    });
                }
            }
            ex
        }
        (None, true) => {
            return Err(
                Error::param("--data", "expected --data F or one or more ARTICLE files").into(),
            );
        }
    };
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let probs = model.predict_proba(&texts)?;
    let csv = if a.by_actor {
        by_actor_csv(&examples, &probs)?
    } else {
        quotes_csv(&examples, &probs)?
    };
    match &a.out {
        Some(out) => write_output(out, &csv, &inputs, "--out"),
        None => stdout_write(&csv),
    }
}

fn load_aliases(path: Option<&Path>) -> anyhow::Result<Aliases> {
    Ok(match path {
        Some(p) => Aliases::from_path(p).map_err(Error::from)?,
        None => Aliases::embedded(),
    })
}

/// Reads an article: its document id (file name) and UTF-8 text.
fn read_article(path: &Path) -> anyhow::Result<(String, String)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(
            Error::data(path, None, None, "article is empty; expected article text").into(),
        );
    }
    if bytes.contains(&0) {
        return Err(Error::data(
            path,
            None,
            None,
            "article looks binary (NUL bytes); expected UTF-8 text",
        )
        .into());
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        Error::data(
            path,
            Some(line),
            None,
            format!("invalid UTF-8 at byte {at}; expected UTF-8 text"),
        )
    })?;
    let doc = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((doc, text))
}

/// Every file `extract` reads, so that `--out` never names one of them.
fn extract_inputs<'a>(a: &'a ExtractArgs, articles: &'a [PathBuf]) -> Vec<&'a Path> {
    let mut inputs: Vec<&Path> = articles.iter().map(PathBuf::as_path).collect();
    inputs.extend(a.eval.as_deref());
    inputs.extend(a.aliases.as_deref());
    inputs.extend(a.actors.as_deref());
    inputs
}

fn extract(a: ExtractArgs) -> anyhow::Result<()> {
    let aliases = load_aliases(a.aliases.as_deref())?;
    let mut articles = a.articles.clone();
    let gold = match &a.eval {
        None => None,
        Some(labels) => {
            let corpus = Corpus::read(labels, ReadOptions::default())?;
            let mut gold = Vec::new();
            for e in &corpus.examples {
                let missing = |c: &str| {
                    Error::data(
                        labels,
                        Some(e.line),
                        Some(c),
                        format!("missing '{c}'; --eval needs doc,start,end,actor"),
                    )
                };
                let (start, end) = e.span.ok_or_else(|| missing("start"))?;
                gold.push(ex::Span {
                    doc: e.doc.clone().ok_or_else(|| missing("doc"))?,
                    start,
                    end,
                    actor: e.actor.clone().ok_or_else(|| missing("actor"))?,
                });
            }
            if articles.is_empty() {
                let seeds = a.seeds.clone().unwrap_or_else(|| {
                    labels
                        .parent()
                        .unwrap_or(Path::new("."))
                        .join("..")
                        .join("seeds")
                });
                let docs: std::collections::BTreeSet<&str> =
                    gold.iter().map(|g| g.doc.as_str()).collect();
                articles = docs.into_iter().map(|d| seeds.join(d)).collect();
            }
            Some(gold)
        }
    };
    if articles.is_empty() {
        return Err(Error::param(
            "ARTICLE",
            "expected one or more article files (or --eval LABELS)",
        )
        .into());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["doc", "start", "end", "actor", "text"])?;
    let mut predicted = Vec::new();
    let mut extracted_texts = Vec::new();
    for path in &articles {
        let (doc, text) = read_article(path)?;
        for q in ex::extract(&text, &aliases) {
            extracted_texts.push(q.text.clone());
            w.write_record([
                doc.as_str(),
                &q.start.to_string(),
                &q.end.to_string(),
                &q.actor,
                &q.text,
            ])?;
            predicted.push(ex::Span {
                doc: doc.clone(),
                start: q.start,
                end: q.end,
                actor: q.actor,
            });
        }
    }
    let csv = w.into_inner()?;
    if let Some(gold) = gold {
        let s = ex::evaluate(&gold, &predicted);
        let mut summary = format!(
            "extraction vs {}: {} gold, {} predicted, {} matched\nquote sentences: precision {:.4}  recall {:.4}  f1 {:.4}\nspeaker accuracy on matched: {:.4} ({}/{})\n",
            a.eval.as_ref().map_or(String::new(), |p| p.display().to_string()),
            s.gold, s.predicted, s.matched, s.precision, s.recall, s.f1, s.speaker_accuracy, s.speaker_correct, s.matched
        );
        if let Some(out) = &a.out {
            write_output(out, &csv, &extract_inputs(&a, &articles), "--out")?;
        }
        if let (Some(name), Some(labels)) = (&a.model, &a.eval) {
            summary.push_str(&actor_level_lodo(
                &a,
                name,
                labels,
                &predicted,
                &extracted_texts,
            )?);
        }
        return stdout_write(summary.as_bytes());
    }
    match &a.out {
        Some(out) => write_output(out, &csv, &extract_inputs(&a, &articles), "--out"),
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

/// Per actor: the guide's rule over the predicted labels of the actor's
/// quotes, the count, the mean class probabilities and a confidence (mean
/// probability of the chosen stance). Quotes without an actor are grouped
/// under `unknown`.
fn by_actor_csv(examples: &[Example], probs: &[Probs]) -> anyhow::Result<Vec<u8>> {
    let actors: Vec<&str> = examples
        .iter()
        .map(|e| e.actor.as_deref().unwrap_or("unknown"))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "actor",
        "stance",
        "n",
        "p_favor",
        "p_against",
        "p_none",
        "confidence",
    ])?;
    for (actor, p) in aggregate(&actors, probs) {
        w.write_record([
            actor.as_str(),
            &p.stance.to_string(),
            &p.n.to_string(),
            &format!("{:.4}", p.mean[0]),
            &format!("{:.4}", p.mean[1]),
            &format!("{:.4}", p.mean[2]),
            &format!("{:.4}", p.confidence),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// Actor-level accuracy of leave-one-document-out models, on extracted and
/// on hand-labelled quotes, against the actor-level gold.
fn actor_level_lodo(
    a: &ExtractArgs,
    name: &str,
    labels: &Path,
    extracted: &[ex::Span],
    extracted_texts: &[String],
) -> anyhow::Result<String> {
    let fp = a.feat.to_params()?;
    let mp = ModelParams::from_name(name)?;
    let corpus = Corpus::read(
        labels,
        ReadOptions {
            require_stance: true,
            ..Default::default()
        },
    )?;
    let actors_path = a
        .actors
        .clone()
        .unwrap_or_else(|| labels.parent().unwrap_or(Path::new(".")).join("actors.csv"));
    let gold_actors = read_actor_labels(&actors_path)?;
    let mut from_extracted: std::collections::BTreeMap<String, Vec<(String, String)>> =
        Default::default();
    for (s, t) in extracted.iter().zip(extracted_texts) {
        from_extracted
            .entry(s.doc.clone())
            .or_default()
            .push((s.actor.clone(), t.clone()));
    }
    let mut from_gold: std::collections::BTreeMap<String, Vec<(String, String)>> =
        Default::default();
    for e in &corpus.examples {
        if let (Some(d), Some(actor)) = (&e.doc, &e.actor) {
            from_gold
                .entry(d.clone())
                .or_default()
                .push((actor.clone(), e.text.clone()));
        }
    }
    let mut out = format!(
        "\nactor-level stance, {name} trained leave-one-document-out, vs {}:\n",
        actors_path.display()
    );
    for (what, quotes) in [
        ("extracted quotes", &from_extracted),
        ("hand-labelled quotes", &from_gold),
    ] {
        let pred = stance::actors::leave_one_document_out(&corpus, quotes, &fp, &mp)?;
        let pred = pred.into_iter().map(|(k, v)| (k, v.stance)).collect();
        let s = score_actors(&gold_actors, &pred);
        out.push_str(&format!(
            "  {what:<21} accuracy {:.4}  macro_f1 {:.4}  ({} actors scored, {} not found)\n",
            s.accuracy, s.macro_f1, s.n, s.missing
        ));
    }
    Ok(out)
}

fn semeval(a: SemevalArgs) -> anyhow::Result<()> {
    use stance::semeval::{self as se, Candidate, Settings};
    let opts = ReadOptions {
        format: a.format.into(),
        require_stance: true,
        lossy: a.lossy,
    };
    let test = Corpus::read(&a.test, opts)?;
    if let Some(pred_path) = &a.predictions {
        let pred = Corpus::read(pred_path, opts)?;
        let m = se::score_by_id(&test, &pred)?;
        let zd = ZeroDivision::Zero;
        return stdout_write(
            format!(
                "F1(FAVOR) {:.4}  F1(AGAINST) {:.4}  ({} tweets)\nF_avg: {:.4}\n",
                m.class_scores(Stance::Favor, zd).f1,
                m.class_scores(Stance::Against, zd).f1,
                m.total(),
                m.f_avg(zd)
            )
            .as_bytes(),
        );
    }
    let train_path = a
        .train
        .as_ref()
        .ok_or_else(|| Error::param("--train", "expected --train F"))?;
    let fp = a.feat.to_params()?;
    if a.folds < 2 {
        return Err(Error::param("--folds", "must be at least 2").into());
    }
    let mut grid = Vec::new();
    for m in &model_list(&a.models)? {
        for (name, model) in se::strength_grid(m)? {
            grid.push(Candidate {
                name,
                featurizer: fp.clone(),
                model,
            });
        }
    }
    let train = Corpus::read(train_path, opts)?;
    let started = Instant::now();
    let r = se::run(
        &train,
        &test,
        &Settings {
            grid,
            folds: a.folds,
            seed: a.seed,
            joint: a.joint,
        },
    )?;
    let secs = started.elapsed().as_secs_f64();
    write_output(
        &a.report,
        r.to_csv().as_bytes(),
        &[train_path, &a.test],
        "--report",
    )?;
    let zd = ZeroDivision::Zero;
    let mut out = format!(
        "{:<34} {:>6} {:>6}  {:<26} {:>8} {:>8}\n",
        "target", "train", "test", "chosen (by train CV)", "cv_f_avg", "f_avg"
    );
    for t in &r.targets {
        out.push_str(&format!(
            "{:<34} {:>6} {:>6}  {:<26} {:>8} {:>8.4}\n",
            t.target,
            t.n_train,
            t.n_test,
            t.chosen,
            if t.cv_f_avg.is_nan() {
                "-".to_owned()
            } else {
                format!("{:.4}", t.cv_f_avg)
            },
            t.confusion.f_avg(zd)
        ));
    }
    out.push_str(&format!(
        "\nmean F_avg over targets: {:.4}\nreport: {}  ({:.1} s)\nF_avg: {:.4}\n",
        r.mean_target_f_avg(),
        a.report.display(),
        secs,
        r.f_avg()
    ));
    stdout_write(out.as_bytes())
}

/// The svmlight class of a labelled row: favor 1, against 2, none 3
/// (unlabelled rows are 0).
fn svmlight_label(s: Stance) -> usize {
    s.index() + 1
}

fn featurize(a: FeaturizeArgs) -> anyhow::Result<()> {
    let fp = a.feat.to_params()?;
    let is_csv = a
        .input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if let Some(p) = &a.out {
        refuse_overwrite("--out", p, &[&a.input])?;
    }
    let no_texts = || Error::data(&a.input, None, None, "no texts; expected one text a line");
    // A featurizer that cannot fit is a property of this input: name it.
    let on_input = |e: Error| match e {
        Error::Fit { message, .. } => Error::data(&a.input, None, None, message),
        other => other,
    };
    // `busy` sums the featurizing time alone: not the reading, not the writing.
    let mut busy = std::time::Duration::ZERO;
    let timed = |busy: &mut std::time::Duration, f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        *busy += t.elapsed();
    };
    let (docs, tokens) = if is_csv {
        // A CSV is read whole (its labels go to the svmlight lines).
        let c = Corpus::read(&a.input, ReadOptions::default())?;
        let (texts, labels): (Vec<String>, Vec<Option<Stance>>) =
            c.examples.into_iter().map(|e| (e.text, e.stance)).unzip();
        if texts.is_empty() {
            return Err(no_texts().into());
        }
        let start = Instant::now();
        let (_, x, tokens) = fp.fit_transform(&texts).map_err(on_input)?;
        busy = start.elapsed();
        let label = |i: usize| labels[i].map_or(0, svmlight_label);
        write_svm(&a.out, &mut |w| x.write_svmlight(label, w))?;
        (texts.len(), tokens)
    } else if std::fs::metadata(&a.input).is_ok_and(|m| m.len() <= a.block_size as u64) {
        // The whole file is one block: fit and transform in one pass.
        let mut fitted = None;
        stance::lines::for_each_block(&a.input, a.block_size, |lines| {
            if fitted.is_some() {
                // The file grew since we looked: the result would not be one block.
                return Err(Error::data(
                    &a.input,
                    None,
                    None,
                    "file changed while reading",
                ));
            }
            let start = Instant::now();
            let r = fp.fit_transform(lines).map_err(on_input)?;
            busy += start.elapsed();
            fitted = Some((lines.len(), r.1, r.2));
            Ok(())
        })?;
        let Some((docs, x, tokens)) = fitted else {
            return Err(no_texts().into());
        };
        write_svm(&a.out, &mut |w| x.write_svmlight(|_| 0, w))?;
        (docs, tokens)
    } else {
        // Pass 1: document frequencies, one bounded block at a time.
        let mut fit = fp.stream_fit();
        stance::lines::for_each_block(&a.input, a.block_size, |lines| {
            timed(&mut busy, &mut || fit.update(lines));
            Ok(())
        })?;
        let (docs, tokens) = (fit.n_docs(), fit.tokens());
        if docs == 0 {
            return Err(no_texts().into());
        }
        let start = Instant::now();
        let mut tr = fit.finish().map_err(on_input)?;
        busy += start.elapsed();
        // Pass 2: transform and write each block. Write errors stay
        // `io::Error`s (a broken pipe is not a failure); read errors are
        // kept aside and reported as they are.
        let mut failed: Option<Error> = None;
        write_svm(&a.out, &mut |w| {
            let mut write_err: Option<std::io::Error> = None;
            let r = stance::lines::for_each_block(&a.input, a.block_size, |lines| {
                let mut x = None;
                timed(&mut busy, &mut || x = Some(tr.transform_counted(lines).0));
                let x = x.expect("the timed closure ran");
                x.write_svmlight(|_| 0, w).map_err(|e| {
                    write_err = Some(e);
                    Error::param("--out", "write failed")
                })
            });
            match (r, write_err) {
                (_, Some(e)) => Err(e),
                (Ok(_), None) => Ok(()),
                (Err(e), None) => {
                    let io = std::io::Error::other(e.to_string());
                    failed = Some(e);
                    Err(io)
                }
            }
        })
        .map_err(|e| failed.take().map_or(e, anyhow::Error::from))?;
        (docs, tokens)
    };
    eprintln!(
        "featurize: {} docs, {} tokens, {:.3} s",
        docs,
        tokens,
        busy.as_secs_f64()
    );
    Ok(())
}

/// Writes svmlight lines to `out` (atomically) or to stdout.
fn write_svm(
    out: &Option<PathBuf>,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match out {
        Some(p) => write_atomic_with(p, |w| write(w))?,
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            write(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}
