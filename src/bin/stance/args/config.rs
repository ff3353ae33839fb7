//! The validated settings of each command, built from the raw flags in
//! one place each (`*Config::from_args`): every cross-flag rule and
//! default path is applied here, library settings are checked here, and
//! every error names the flag (the library names its settings, e.g.
//! `min_df`; [`with_flag_names`] maps them to flags). Outputs are checked
//! here too, before any work is done: every output path can be written
//! (not a folder, no file in the way), names no input (by path or hard
//! link) and no other output, and a report folder holds only reports.
//!
//! Limits (usage errors, exit 2): `--threads` 1 to [`THREADS_PER_CORE`] ×
//! the available cores (not given: all cores); `--resamples` 1 to
//! [`MAX_RESAMPLES`]; `--folds` 2 to the rows (checked when the data is
//! read); `--block-size` up to [`MAX_BLOCK`].

use std::path::{Path, PathBuf};

use clap::ArgMatches;

use super::{
    AgreeArgs, Cli, Command, CompareArgs, CurveArgs, ExtractArgs, FeatArgs, FeaturizeArgs,
    InputArgs, PredictArgs, ScoreArgs, SemevalArgs, SuggestArgs, TrainArgs,
};
use stance::corpus::ReadOptions;
use stance::eval::active::{ActiveParams, Strategy, SuggestParams, ValidSuggestParams};
use stance::eval::annotators::AgreeSettings;
use stance::eval::bootstrap::MAX_RESAMPLES;
use stance::eval::calibrate::Method;
use stance::eval::compare::CompareSettings;
use stance::eval::curve::{CurveParams, CurvePlan, CurveScoring, Sizes, CURVE_REPORT_FILES};
use stance::eval::report::{ReportSet, PREDICT_REPORT_FILES};
use stance::eval::semeval::{self as se, Candidate, Settings};
use stance::eval::split::CvScheme;
use stance::features::{FeaturizerParams, ValidFeaturizerParams};
use stance::io::{check_output, is_inside, refuse_overwrite, ReportDir};
use stance::meta::By;
use stance::models::ModelParams;
use stance::svmlight::{Source, SvmlightOptions};
use stance::{Error, Result};

/// Where `compare` reads its labels when `--data` is not given.
pub const DEFAULT_LABELS: &str = "labels/quotes.csv";

/// Where `compare` writes its CSV when neither `--report` nor
/// `--report-dir` is given.
pub const DEFAULT_COMPARE_REPORT: &str = "reports/compare.csv";

/// `compare --report-dir` explains each out-of-fold prediction of a linear
/// model with this many n-grams unless `--explain` says otherwise.
pub const DEFAULT_COMPARE_EXPLAIN: usize = 3;

/// The most n-grams `compare --explain` lists a quote.
pub const MAX_EXPLAIN: usize = 100;

/// The name under which the embedded labels are reported.
pub const EMBEDDED_LABELS: &str = "<embedded labels/quotes.csv>";

/// The validated settings of the command to run.
#[derive(Debug)]
pub enum Config {
    /// `stance compare`.
    Compare(CompareConfig),
    /// `stance train`.
    Train(TrainConfig),
    /// `stance score`.
    Score(ScoreConfig),
    /// `stance predict`.
    Predict(PredictConfig),
    /// `stance featurize`.
    Featurize(FeaturizeConfig),
    /// `stance extract`.
    Extract(ExtractConfig),
    /// `stance semeval`.
    Semeval(SemevalConfig),
    /// `stance agree`.
    Agree(AgreeConfig),
    /// `stance curve`.
    Curve(CurveConfig),
    /// `stance suggest`.
    Suggest(SuggestConfig),
}

impl Config {
    /// The config of the parsed command line; `matches` tells which flags
    /// were given (for `semeval`'s defaults).
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag of the first bad value or
    /// combination, or an output that is also an input.
    pub fn from_cli(cli: Cli, matches: &ArgMatches) -> Result<Config> {
        Ok(match cli.command {
            Command::Compare(a) => Config::Compare(CompareConfig::from_args(a)?),
            Command::Train(a) => Config::Train(TrainConfig::from_args(a)?),
            Command::Score(a) => Config::Score(ScoreConfig::from_args(a)?),
            Command::Predict(a) => Config::Predict(PredictConfig::from_args(a)?),
            Command::Featurize(a) => Config::Featurize(FeaturizeConfig::from_args(a)?),
            Command::Extract(a) => Config::Extract(ExtractConfig::from_args(a)?),
            Command::Semeval(a) => {
                let given = matches.subcommand_matches("semeval");
                Config::Semeval(SemevalConfig::from_args(a, given)?)
            }
            Command::Agree(a) => Config::Agree(AgreeConfig::from_args(a)?),
            Command::Curve(a) => Config::Curve(CurveConfig::from_args(a)?),
            Command::Suggest(a) => Config::Suggest(SuggestConfig::from_args(a)?),
        })
    }

    /// The worker threads asked for (`None`: all cores).
    pub fn threads(&self) -> Option<usize> {
        match self {
            Config::Compare(c) => c.threads,
            Config::Train(c) => c.threads,
            Config::Featurize(c) => c.threads,
            Config::Extract(c) => c.threads,
            Config::Semeval(c) => c.threads,
            Config::Curve(c) => c.threads,
            Config::Score(_) | Config::Predict(_) | Config::Agree(_) | Config::Suggest(_) => None,
        }
    }
}

/// The flag that sets each library setting. The featurizer's check
/// (src/features) still names its flags itself; those pass through.
const SETTING_FLAGS: &[(&str, &str)] = &[
    ("ngram_range", "--ngrams"),
    ("char_ngrams", "--char-ngrams"),
    ("min_df", "--min-df"),
    ("max_df", "--max-df"),
    ("max_features", "--max-features"),
    ("weight", "--weight"),
    ("tokenizer", "--tokenizer"),
    ("format", "--format"),
    ("cv", "--cv"),
    ("resamples", "--resamples"),
    ("grid", "--models"),
    ("explain", "--explain"),
];

/// `e` naming the flag of its setting, if it is a setting error.
pub fn with_flag_names(e: Error) -> Error {
    match e {
        Error::InvalidParam { name, message } => {
            let flag = SETTING_FLAGS
                .iter()
                .find(|(setting, _)| *setting == name)
                .map_or(name, |&(_, flag)| flag);
            Error::InvalidParam {
                name: flag,
                message,
            }
        }
        other => other,
    }
}

/// `--threads` may ask for at most this many threads per available core.
pub const THREADS_PER_CORE: usize = 4;

/// Largest `--block-size` (a block is held in memory whole).
pub const MAX_BLOCK: usize = 1 << 30;

/// `--threads`: at least 1 and at most [`THREADS_PER_CORE`] × the
/// available cores when given.
fn threads(n: Option<usize>) -> Result<Option<usize>> {
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let most = cores.saturating_mul(THREADS_PER_CORE);
    match n {
        Some(0) => Err(Error::param(
            "--threads",
            "must be at least 1 (leave it out to use all cores)",
        )),
        Some(n) if n > most => Err(Error::param(
            "--threads",
            format!("{n} is too many; expected at most {most} ({THREADS_PER_CORE} per available core, {cores} cores)"),
        )),
        n => Ok(n),
    }
}

/// The path of `--out F`, unless it is `-` (stdout).
fn out_file(out: Option<PathBuf>) -> Option<PathBuf> {
    out.filter(|p| p.as_os_str() != "-")
}

/// Checks an output file before any work: writable ([`check_output`])
/// and none of `inputs`.
fn output(flag: &'static str, out: &Path, inputs: &[&Path]) -> Result<()> {
    check_output(flag, out)?;
    refuse_overwrite(flag, out, inputs)
}

/// The folder of `--report-dir DIR`, which may hold the files `known`,
/// checked before any work ([`ReportDir::check`]): a folder or a new
/// path, holding only report files, with none of `inputs` inside it.
fn report_dir(dir: PathBuf, known: &'static [&'static str], inputs: &[&Path]) -> Result<ReportDir> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::param(
            "--report-dir",
            format!(
                "{} exists and is not a folder; expected a folder (or a path that does not exist yet)",
                dir.display()
            ),
        ));
    }
    let dir = ReportDir::new("--report-dir", dir, known);
    dir.check(inputs)?;
    Ok(dir)
}

/// Refuses an output file (of `flag`) inside the report folder, which is
/// replaced whole and would lose it.
fn outside_report_dir(flag: &'static str, out: &Path, dir: Option<&ReportDir>) -> Result<()> {
    match dir.filter(|d| is_inside(out, d.path())) {
        Some(dir) => Err(Error::param(
            flag,
            format!(
                "{} is inside --report-dir {}, which is replaced whole; \
                 write it elsewhere or leave {flag} out",
                out.display(),
                dir.path().display()
            ),
        )),
        None => Ok(()),
    }
}

/// The checked featurizer settings of the featurizer flags.
fn featurizer(f: &FeatArgs) -> Result<ValidFeaturizerParams> {
    let mut p = FeaturizerParams::default()
        .ngram_range(f.ngrams.0, f.ngrams.1)
        .weight(f.weight)
        .stem(!f.no_stem)
        .stopwords(f.stopwords)
        .min_df(f.min_df)
        .max_df(f.max_df)
        .max_features(f.max_features)
        .sublinear_tf(f.sublinear_tf)
        .norm(!f.no_norm)
        .char_ngrams(f.char_ngrams);
    p.analyzer.tokenizer = f.tokenizer;
    p.check().map_err(with_flag_names)
}

/// The model called `name`, errors naming `flag`.
fn model(name: &str, flag: &'static str) -> Result<ModelParams> {
    ModelParams::from_name(name.trim()).map_err(|e| match e {
        Error::InvalidParam { message, .. } => Error::param(flag, message),
        other => other,
    })
}

/// The models of a `--models` list (the table's default list when not
/// given).
fn model_list(names: Option<&[String]>) -> Result<Vec<ModelParams>> {
    // A model listed twice would give two identical report rows: refused.
    let mut seen = std::collections::HashSet::new();
    for n in names.unwrap_or_default() {
        if !seen.insert(n.trim()) {
            return Err(Error::param(
                "--models",
                format!(
                    "model '{}' is listed twice; expected each model once",
                    n.trim()
                ),
            ));
        }
    }
    let models = match names {
        Some(n) => n.iter().map(|m| model(m, "--models")).collect(),
        None => stance::models::default_model_names()
            .into_iter()
            .map(|m| model(m, "--models"))
            .collect::<Result<Vec<_>>>(),
    }?;
    if models.is_empty() {
        return Err(Error::param("--models", "expected at least one model"));
    }
    Ok(models)
}

/// How to read a labelled or unlabelled input.
fn read_options(input: &InputArgs, require_stance: bool) -> ReadOptions {
    ReadOptions {
        format: input.format,
        require_stance,
        lossy: input.lossy,
    }
}

/// `actors.csv` beside `file`: the default actor-level gold.
fn actors_beside(file: &Path) -> PathBuf {
    file.parent().unwrap_or(Path::new(".")).join("actors.csv")
}

/// Where `compare` reads its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Labels {
    /// A labelled file (read with the input flags).
    File(PathBuf),
    /// The copy of `labels/quotes.csv` embedded in the binary (read as
    /// CSV), when `--data` is not given and there is no such file here.
    Embedded,
}

/// `stance compare`.
#[derive(Debug)]
pub struct CompareConfig {
    /// Worker threads.
    pub threads: Option<usize>,
    /// The labelled data.
    pub labels: Labels,
    /// How to read a labels file.
    pub read: ReadOptions,
    /// What to compare.
    pub settings: CompareSettings,
    /// Where to write `compare.csv` (default: [`DEFAULT_COMPARE_REPORT`]
    /// unless `--report-dir` is given).
    pub report: Option<PathBuf>,
    /// Where to write every report (checked: see [`ReportDir::check`]).
    pub report_dir: Option<ReportDir>,
    /// Leave out rows with an empty stance (and count them).
    pub skip_unlabelled: bool,
}

impl CompareConfig {
    /// Checks the flags of `compare`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag.
    pub fn from_args(a: CompareArgs) -> Result<CompareConfig> {
        let threads = threads(a.feat.threads)?;
        let featurizer = featurizer(&a.feat)?;
        let models = model_list(a.models.as_deref())?;
        if a.resamples == 0 {
            return Err(Error::param("--resamples", "must be at least 1"));
        }
        if a.resamples > MAX_RESAMPLES {
            return Err(Error::param(
                "--resamples",
                format!(
                    "{} is too many; expected at most {MAX_RESAMPLES}",
                    a.resamples
                ),
            ));
        }
        if a.explain.is_some_and(|k| k > MAX_EXPLAIN) {
            return Err(Error::param(
                "--explain",
                format!("expected at most {MAX_EXPLAIN} n-grams a quote (0: none)"),
            ));
        }
        let labels = match a.data {
            Some(p) => Labels::File(p),
            None if Path::new(DEFAULT_LABELS).exists() => Labels::File(DEFAULT_LABELS.into()),
            None => Labels::Embedded,
        };
        let report = match (a.report, &a.report_dir) {
            (Some(r), _) => Some(r),
            (None, None) => Some(PathBuf::from(DEFAULT_COMPARE_REPORT)),
            (None, Some(_)) => None,
        };
        let inputs: Vec<&Path> = match &labels {
            Labels::File(data) => vec![data],
            Labels::Embedded => Vec::new(),
        };
        let report_dir = a
            .report_dir
            .map(|d| report_dir(d, &ReportSet::NAMES, &inputs))
            .transpose()?;
        if let Some(r) = &report {
            output("--report", r, &inputs)?;
            outside_report_dir("--report", r, report_dir.as_ref())?;
        }
        Ok(CompareConfig {
            threads,
            labels,
            read: read_options(&a.input, true),
            settings: CompareSettings {
                featurizer,
                models,
                cv: a.cv,
                seed: a.seed,
                resamples: a.resamples,
                grid: a.grid,
                calibration: a.calibration.0,
                explain: match &report_dir {
                    Some(_) => a.explain.unwrap_or(DEFAULT_COMPARE_EXPLAIN),
                    None => 0,
                },
            },
            report,
            report_dir,
            skip_unlabelled: a.skip_unlabelled,
        })
    }
}

/// `stance train`.
#[derive(Debug)]
pub struct TrainConfig {
    /// Worker threads.
    pub threads: Option<usize>,
    /// The labelled data.
    pub data: PathBuf,
    /// How to read it.
    pub read: ReadOptions,
    /// The featurizer settings.
    pub featurizer: ValidFeaturizerParams,
    /// The model.
    pub model: ModelParams,
    /// The model file to write.
    pub out: PathBuf,
    /// Leave out rows with an empty stance (and count them).
    pub skip_unlabelled: bool,
    /// The calibration method (`None`: none).
    pub calibration: Option<Method>,
    /// Seed of the calibration's inner folds.
    pub seed: u64,
}

impl TrainConfig {
    /// Checks the flags of `train`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag.
    pub fn from_args(a: TrainArgs) -> Result<TrainConfig> {
        let threads = threads(a.feat.threads)?;
        let featurizer = featurizer(&a.feat)?;
        let model = model(&a.model, "--model")?;
        output("--out", &a.out, &[&a.data])?;
        Ok(TrainConfig {
            threads,
            read: read_options(&a.input, true),
            data: a.data,
            featurizer,
            model,
            out: a.out,
            skip_unlabelled: a.skip_unlabelled,
            calibration: a.calibration.0,
            seed: a.seed,
        })
    }
}

/// `stance score`.
#[derive(Debug)]
pub struct ScoreConfig {
    /// The model file.
    pub model: PathBuf,
    /// The labelled data.
    pub data: PathBuf,
    /// How to read it.
    pub read: ReadOptions,
    /// Where to write the one-row CSV.
    pub report: Option<PathBuf>,
    /// With `--by-actor`: the actor-level gold (default: `actors.csv`
    /// beside `--data`).
    pub actors: Option<PathBuf>,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// With `--by-actor`: the folder of `evidence.csv`.
    pub report_dir: Option<ReportDir>,
}

/// The files of `score --report-dir`.
pub const SCORE_REPORT_FILES: &[&str] = &["evidence.csv"];

impl ScoreConfig {
    /// Checks the flags of `score`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] if `--report` names an input.
    pub fn from_args(a: ScoreArgs) -> Result<ScoreConfig> {
        let actors = a
            .by_actor
            .then(|| a.actors.unwrap_or_else(|| actors_beside(&a.data)));
        let mut inputs: Vec<&Path> = vec![&a.data, &a.model];
        inputs.extend(actors.as_deref());
        let report_dir = a
            .report_dir
            .map(|d| report_dir(d, SCORE_REPORT_FILES, &inputs))
            .transpose()?;
        if let Some(report) = &a.report {
            output("--report", report, &inputs)?;
            outside_report_dir("--report", report, report_dir.as_ref())?;
        }
        Ok(ScoreConfig {
            read: read_options(&a.input, true),
            model: a.model,
            data: a.data,
            report: a.report,
            actors,
            seed: a.seed,
            report_dir,
        })
    }
}

/// The quotes `predict` labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quotes {
    /// A CSV (or SemEval file) of quotes.
    Data(PathBuf),
    /// Raw articles, whose quotes are extracted and attributed.
    Articles(Vec<PathBuf>),
}

/// `stance predict`.
#[derive(Debug)]
pub struct PredictConfig {
    /// The model file.
    pub model: PathBuf,
    /// The quotes to label.
    pub quotes: Quotes,
    /// How to read `--data`.
    pub read: ReadOptions,
    /// The alias table (default: the built-in one).
    pub aliases: Option<PathBuf>,
    /// Aggregate per actor.
    pub by_actor: bool,
    /// Seed of the per-actor intervals.
    pub seed: u64,
    /// The article manifest.
    pub meta: Option<PathBuf>,
    /// Per-period estimates (with `by_actor` and `meta`).
    pub by: Option<By>,
    /// Explain each quote by its top K features.
    pub explain: Option<usize>,
    /// Where to write the report files (checked: see [`ReportDir::check`]).
    pub report_dir: Option<ReportDir>,
    /// Where to write the CSV (default: stdout).
    pub out: Option<PathBuf>,
}

impl PredictConfig {
    /// Checks the flags of `predict`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] without `--data` or ARTICLEs, or if `--out`
    /// names an input.
    pub fn from_args(a: PredictArgs) -> Result<PredictConfig> {
        let quotes = match (a.data, a.articles.is_empty()) {
            (Some(data), _) => Quotes::Data(data),
            (None, false) => Quotes::Articles(a.articles),
            (None, true) => {
                return Err(Error::param(
                    "--data",
                    "expected --data F or one or more ARTICLE files",
                ))
            }
        };
        let out = out_file(a.out);
        let mut inputs: Vec<&Path> = vec![&a.model];
        inputs.extend(a.aliases.as_deref());
        inputs.extend(a.meta.as_deref());
        match &quotes {
            Quotes::Data(d) => inputs.push(d),
            Quotes::Articles(list) => inputs.extend(list.iter().map(PathBuf::as_path)),
        }
        let report_dir = a
            .report_dir
            .map(|d| report_dir(d, &PREDICT_REPORT_FILES, &inputs))
            .transpose()?;
        if let Some(out) = &out {
            output("--out", out, &inputs)?;
            outside_report_dir("--out", out, report_dir.as_ref())?;
        }
        if a.by.is_some() && a.meta.is_none() {
            return Err(Error::param(
                "--by",
                "needs --meta F (the articles' dates and outlets)",
            ));
        }
        if a.by.is_some() && !a.by_actor {
            return Err(Error::param("--by", "needs --by-actor"));
        }
        if a.explain == Some(0) {
            return Err(Error::param("--explain", "must be at least 1"));
        }
        Ok(PredictConfig {
            report_dir,
            explain: a.explain,
            meta: a.meta,
            by: a.by,
            read: read_options(&a.input, false),
            model: a.model,
            quotes,
            aliases: a.aliases,
            by_actor: a.by_actor,
            seed: a.seed,
            out,
        })
    }
}

/// `stance featurize`.
#[derive(Debug)]
pub struct FeaturizeConfig {
    /// Worker threads.
    pub threads: Option<usize>,
    /// The text file or CSV.
    pub source: Source,
    /// Where to write the svmlight lines (default: stdout).
    pub out: Option<PathBuf>,
    /// Featurizer, block size and row memory.
    pub options: SvmlightOptions,
}

impl FeaturizeConfig {
    /// Checks the flags of `featurize`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag.
    pub fn from_args(a: FeaturizeArgs) -> Result<FeaturizeConfig> {
        let threads = threads(a.feat.threads)?;
        let options = SvmlightOptions {
            featurizer: featurizer(&a.feat)?,
            block_size: a.block_size,
            row_memory: a.row_memory,
            spill_dir: Some(std::env::temp_dir()),
        };
        if a.block_size > MAX_BLOCK {
            return Err(Error::param(
                "--block-size",
                format!("{} is too large; expected at most 1G", a.block_size),
            ));
        }
        let out = out_file(a.out);
        if let Some(p) = &out {
            output("--out", p, &[&a.input])?;
        }
        Ok(FeaturizeConfig {
            threads,
            source: Source::from_path(a.input).lossy(a.lossy),
            out,
            options,
        })
    }
}

/// `extract --eval`: score the extraction against hand labels.
#[derive(Debug)]
pub struct ExtractEval {
    /// The labels (`doc,start,end,actor` columns).
    pub labels: PathBuf,
    /// The folder of the labelled articles, read when no ARTICLE is given
    /// (default: `seeds/` beside the labels' folder).
    pub seeds: PathBuf,
    /// With `--model`: the actor-level scores.
    pub actor_level: Option<ActorLevel>,
}

/// `extract --eval --model`: actor-level stances end to end.
#[derive(Debug)]
pub struct ActorLevel {
    /// The model's name.
    pub name: String,
    /// The model.
    pub model: ModelParams,
    /// The featurizer settings.
    pub featurizer: ValidFeaturizerParams,
    /// The actor-level gold (default: `actors.csv` beside the labels).
    pub actors: PathBuf,
}

/// `stance extract`.
#[derive(Debug)]
pub struct ExtractConfig {
    /// Worker threads.
    pub threads: Option<usize>,
    /// The articles given (with `--eval` and none given, the labelled ones
    /// are read from [`ExtractEval::seeds`]).
    pub articles: Vec<PathBuf>,
    /// Where to write the CSV (default: stdout).
    pub out: Option<PathBuf>,
    /// The alias table (default: the built-in one).
    pub aliases: Option<PathBuf>,
    /// With `--eval`.
    pub eval: Option<ExtractEval>,
    /// `--actors` as given, an input `--out` must not name.
    pub actors_given: Option<PathBuf>,
    /// Replace invalid UTF-8 in the articles and labels (`--lossy`).
    pub lossy: bool,
    /// `--template`: where to write a label file to fill in.
    pub template: Option<PathBuf>,
    /// `--shuffle --seed N`: the template's rows in a seeded order.
    pub shuffle: Option<u64>,
    /// The article manifest.
    pub meta: Option<PathBuf>,
}

impl ExtractConfig {
    /// Checks the flags of `extract`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] without ARTICLEs or `--eval`, for a bad
    /// `--model` or featurizer flag (with `--model`), or if `--out` names
    /// an input.
    pub fn from_args(a: ExtractArgs) -> Result<ExtractConfig> {
        let threads = threads(a.feat.threads)?;
        if a.articles.is_empty() && a.eval.is_none() {
            return Err(Error::param(
                "ARTICLE",
                "expected one or more article files (or --eval LABELS)",
            ));
        }
        let eval = match &a.eval {
            None => None,
            Some(labels) => {
                let seeds = a.seeds.clone().unwrap_or_else(|| {
                    labels
                        .parent()
                        .unwrap_or(Path::new("."))
                        .join("..")
                        .join("seeds")
                });
                let actor_level = match &a.model {
                    None => None,
                    Some(name) => Some(ActorLevel {
                        featurizer: featurizer(&a.feat)?,
                        model: model(name, "--model")?,
                        name: name.clone(),
                        actors: a.actors.clone().unwrap_or_else(|| actors_beside(labels)),
                    }),
                };
                Some(ExtractEval {
                    labels: labels.clone(),
                    seeds,
                    actor_level,
                })
            }
        };
        let config = ExtractConfig {
            threads,
            articles: a.articles,
            out: out_file(a.out),
            aliases: a.aliases,
            eval,
            actors_given: a.actors,
            lossy: a.lossy,
            shuffle: a.shuffle.then_some(a.seed),
            template: a.template,
            meta: a.meta,
        };
        config.refuse_overwrite(&config.articles)?;
        Ok(config)
    }

    /// Fails if `--out` or `--template` names one of `articles` or another
    /// input, or if they name the same file.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming `--out`.
    pub fn refuse_overwrite(&self, articles: &[PathBuf]) -> Result<()> {
        let mut inputs: Vec<&Path> = articles.iter().map(PathBuf::as_path).collect();
        inputs.extend(self.eval.as_ref().map(|e| e.labels.as_path()));
        inputs.extend(self.aliases.as_deref());
        inputs.extend(self.actors_given.as_deref());
        inputs.extend(self.meta.as_deref());
        if let Some(t) = &self.template {
            output("--template", t, &inputs)?;
            if let Some(out) = &self.out {
                refuse_overwrite("--template", t, &[out.as_path()])?;
            }
        }
        let Some(out) = &self.out else {
            return Ok(());
        };
        output("--out", out, &inputs)
    }
}

/// `stance semeval`.
#[derive(Debug)]
pub struct SemevalConfig {
    /// Worker threads.
    pub threads: Option<usize>,
    /// The test file with gold labels.
    pub test: PathBuf,
    /// How to read the files.
    pub read: ReadOptions,
    /// What to do.
    pub task: SemevalTask,
}

/// What `semeval` does.
#[derive(Debug)]
pub enum SemevalTask {
    /// Score a prediction file against the test file, by ID.
    Score {
        /// The predictions.
        predictions: PathBuf,
        /// Where to write the pooled score as CSV, when `--report` is
        /// given.
        report: Option<PathBuf>,
    },
    /// Tune on the training file, then score on the test file.
    Run {
        /// The training file.
        train: PathBuf,
        /// The featurizer settings (with the tweet defaults).
        featurizer: ValidFeaturizerParams,
        /// The candidates, folds, seed and joint flag.
        settings: Settings,
        /// Where to write the per-target CSV.
        report: PathBuf,
    },
}

impl SemevalConfig {
    /// Checks the flags of `semeval`; featurizer flags not given on the
    /// command line (`given`) take the tweet defaults.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag.
    pub fn from_args(mut a: SemevalArgs, given: Option<&ArgMatches>) -> Result<SemevalConfig> {
        if let Some(m) = given {
            a.feat.apply_tweet_defaults(m);
        }
        let threads = threads(a.feat.threads)?;
        let read = ReadOptions {
            format: a.format,
            require_stance: true,
            lossy: a.lossy,
        };
        let task = match (a.predictions, a.train) {
            (Some(predictions), _) => {
                // The default report is for a run; a scoring writes one
                // only when asked.
                let asked = given.is_some_and(|m| {
                    m.value_source("report") == Some(clap::parser::ValueSource::CommandLine)
                });
                let report = asked.then_some(a.report);
                if let Some(r) = &report {
                    refuse_overwrite("--report", r, &[&predictions, &a.test])?;
                }
                SemevalTask::Score {
                    predictions,
                    report,
                }
            }
            (None, None) => return Err(Error::param("--train", "expected --train F")),
            (None, Some(train)) => {
                let featurizer = featurizer(&a.feat)?;
                if a.folds < 2 {
                    return Err(Error::param("--folds", "must be at least 2"));
                }
                let mut grid = Vec::new();
                for m in &model_list(Some(&a.models))? {
                    for (name, model) in se::strength_grid(m).map_err(with_flag_names)? {
                        grid.push(Candidate {
                            name,
                            featurizer: featurizer.clone(),
                            model,
                        });
                    }
                }
                output("--report", &a.report, &[&train, &a.test])?;
                SemevalTask::Run {
                    train,
                    featurizer,
                    settings: Settings {
                        grid,
                        folds: a.folds,
                        seed: a.seed,
                        joint: a.joint,
                    },
                    report: a.report,
                }
            }
        };
        Ok(SemevalConfig {
            threads,
            test: a.test,
            read,
            task,
        })
    }
}

/// `stance agree`.
#[derive(Debug)]
pub struct AgreeConfig {
    /// The annotators' files.
    pub files: Vec<PathBuf>,
    /// Where to write the reports (checked: see [`ReportDir::check`]).
    pub report_dir: Option<ReportDir>,
    /// Interval settings.
    pub settings: AgreeSettings,
    /// Replace invalid UTF-8.
    pub lossy: bool,
}

impl AgreeConfig {
    /// Checks the flags of `agree`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for 0 resamples or a report that would
    /// overwrite an input.
    pub fn from_args(a: AgreeArgs) -> Result<AgreeConfig> {
        if a.resamples == 0 {
            return Err(Error::param("--resamples", "must be at least 1"));
        }
        let inputs: Vec<&Path> = a.files.iter().map(PathBuf::as_path).collect();
        let report_dir = a
            .report_dir
            .map(|d| report_dir(d, &stance::eval::annotators::REPORT_FILES, &inputs))
            .transpose()?;
        Ok(AgreeConfig {
            files: a.files,
            report_dir,
            settings: AgreeSettings {
                resamples: a.resamples,
                level: 0.95,
                seed: a.seed,
            },
            lossy: a.lossy,
        })
    }
}

/// The models `curve` runs when `--models` is not given.
pub const DEFAULT_CURVE_MODELS: [&str; 3] = ["nb", "logreg", "svm"];

/// Where `curve` writes without `--report-dir`.
pub const DEFAULT_CURVE_DIR: &str = "reports";

/// `stance curve`.
#[derive(Debug)]
pub struct CurveConfig {
    /// Worker threads.
    pub threads: Option<usize>,
    /// The labelled data.
    pub labels: Labels,
    /// How to read it.
    pub read: ReadOptions,
    /// Leave out unlabelled rows.
    pub skip_unlabelled: bool,
    /// The featurizer settings.
    pub featurizer: ValidFeaturizerParams,
    /// The models.
    pub models: Vec<ModelParams>,
    /// The outer scheme (`None`: as compare).
    pub cv: Option<CvScheme>,
    /// Seed of the folds.
    pub seed: u64,
    /// Curve or simulation.
    pub plan: CurvePlan,
    /// Where to write curve.csv and curve.svg.
    pub reports: CurveReports,
}

/// Where `curve` writes [`CURVE_REPORT_FILES`].
#[derive(Debug)]
pub enum CurveReports {
    /// `--report-dir DIR`: the set, swapped in whole (checked: see
    /// [`ReportDir::check`]).
    Dir(ReportDir),
    /// No `--report-dir`: the files in [`DEFAULT_CURVE_DIR`], a folder
    /// shared with other reports, each checked and replaced alone.
    Files(PathBuf),
}

impl CurveConfig {
    /// Checks the flags of `curve`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag.
    pub fn from_args(a: CurveArgs) -> Result<CurveConfig> {
        let threads = threads(a.feat.threads)?;
        let featurizer = featurizer(&a.feat)?;
        let names: Vec<String> = a
            .models
            .clone()
            .unwrap_or_else(|| DEFAULT_CURVE_MODELS.map(String::from).to_vec());
        let models = model_list(Some(&names))?;
        let strategy: Strategy = a.strategy.parse()?;
        let scoring = CurveScoring {
            repeats: a.repeats,
            seed: a.seed,
            resamples: a.resamples,
            ..CurveScoring::default()
        };
        let plan = if strategy == Strategy::Random {
            let sizes: Sizes = match &a.sizes {
                Some(s) => s.parse()?,
                None => Sizes::Auto,
            };
            let p = CurveParams::default()
                .sizes(sizes)
                .repeats(scoring.repeats)
                .seed(scoring.seed)
                .resamples(scoring.resamples)
                .level(scoring.level);
            CurvePlan::Curve(p.check()?)
        } else {
            if a.sizes.is_some() {
                return Err(Error::param(
                    "--sizes",
                    format!(
                        "the {strategy} simulation grows from --start by --batch; drop --sizes"
                    ),
                ));
            }
            CurvePlan::Active(
                ActiveParams::default()
                    .start(a.start)
                    .batch(a.batch)
                    .max_size(a.max_size)
                    .strategies(vec![Strategy::Random, strategy])
                    .scoring(scoring)
                    .check()?,
            )
        };
        let labels = match a.data {
            Some(p) => Labels::File(p),
            None if Path::new(DEFAULT_LABELS).exists() => Labels::File(DEFAULT_LABELS.into()),
            None => Labels::Embedded,
        };
        let inputs: Vec<&Path> = match &labels {
            Labels::File(data) => vec![data],
            Labels::Embedded => Vec::new(),
        };
        let reports = match a.report_dir {
            Some(d) => CurveReports::Dir(report_dir(d, &CURVE_REPORT_FILES, &inputs)?),
            None => {
                // The default folder is shared with other commands' reports:
                // the two files are checked and replaced one by one.
                let dir = PathBuf::from(DEFAULT_CURVE_DIR);
                for name in CURVE_REPORT_FILES {
                    output("--report-dir", &dir.join(name), &inputs)?;
                }
                CurveReports::Files(dir)
            }
        };
        Ok(CurveConfig {
            threads,
            labels,
            read: read_options(&a.input, true),
            skip_unlabelled: a.skip_unlabelled,
            featurizer,
            models,
            cv: a.cv,
            seed: a.seed,
            plan,
            reports,
        })
    }
}

/// `stance suggest`.
#[derive(Debug)]
pub struct SuggestConfig {
    /// The model file.
    pub model: PathBuf,
    /// The pool.
    pub data: PathBuf,
    /// The model's training file, if given.
    pub train: Option<PathBuf>,
    /// Checked settings.
    pub params: ValidSuggestParams,
    /// Where to write (default: stdout).
    pub out: Option<PathBuf>,
    /// Replace invalid UTF-8.
    pub lossy: bool,
}

impl SuggestConfig {
    /// Checks the flags of `suggest`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag.
    pub fn from_args(a: SuggestArgs) -> Result<SuggestConfig> {
        let strategy: Strategy = a.strategy.parse()?;
        let params = SuggestParams::new(a.n)
            .strategy(strategy)
            .seed(a.seed)
            .check()?;
        if let Some(out) = &a.out {
            let mut inputs: Vec<&Path> = vec![&a.model, &a.data];
            inputs.extend(a.train.as_deref());
            refuse_overwrite("--out", out, &inputs)?;
        }
        Ok(SuggestConfig {
            model: a.model,
            data: a.data,
            train: a.train,
            params,
            out: a.out,
            lossy: a.lossy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{FromArgMatches, Parser};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The generator of the fuzz target (`fuzz/`), run in CI: any
        /// command line of real flags and boundary values parses to a
        /// config or a clean error, never a panic.
        #[test]
        fn any_command_line_of_real_flags_is_a_config_or_an_error(
            choices in proptest::collection::vec(any::<usize>(), 1..48),
            junk in proptest::collection::vec(any::<String>(), 0..6),
        ) {
            let cmd = super::super::command();
            let mut i = 0;
            let mut pick = |n: usize| {
                i += 1;
                choices[i % choices.len()] % n
            };
            let mut j = 0;
            let mut junk_f = || {
                j += 1;
                junk.get(j - 1).cloned().unwrap_or_default()
            };
            let argv = super::super::argv::argv(&cmd, &mut pick, &mut junk_f);
            prop_assert!(argv.len() >= 2);
            if let Ok(m) = cmd.try_get_matches_from(&argv) {
                if let Ok(cli) = Cli::from_arg_matches(&m) {
                    let _ = Config::from_cli(cli, &m);
                }
            }
        }
    }

    fn config(args: &[&str]) -> Result<Config> {
        let matches = super::super::command().get_matches_from(args);
        let cli = Cli::from_arg_matches(&matches).unwrap();
        Config::from_cli(cli, &matches)
    }

    #[test]
    fn featurize_flags_reach_the_settings() {
        let cli = Cli::try_parse_from([
            "stance",
            "featurize",
            "--input",
            "x.txt",
            "--char-ngrams",
            "2..5",
            "--ngrams",
            "1..2",
            "--threads",
            "2",
        ])
        .unwrap();
        let Command::Featurize(a) = cli.command else {
            panic!("not featurize")
        };
        let feat = a.feat.clone();
        let c = FeaturizeConfig::from_args(a).unwrap();
        let p = c.options.featurizer.params();
        assert_eq!(p.char_ngrams, Some((2, 5)));
        assert_eq!(p.ngram_range, (1, 2));
        assert_eq!(c.threads, Some(2));
        assert_eq!(c.source, Source::from_path("x.txt"));
        let e = featurizer(&FeatArgs {
            char_ngrams: Some((3, 9)),
            ..feat
        })
        .unwrap_err();
        assert!(e.to_string().contains("--char-ngrams"), "{e}");
    }

    #[test]
    fn errors_name_flags() {
        let e = with_flag_names(Error::param("min_df", "must be at least 1"));
        assert_eq!(
            e.to_string(),
            "invalid setting --min-df: must be at least 1"
        );
        let e = with_flag_names(Error::param("grid", "empty"));
        assert_eq!(e.to_string(), "invalid setting --models: empty");
        for (args, flag) in [
            (&["stance", "compare", "--threads", "0"][..], "--threads"),
            (&["stance", "compare", "--resamples", "0"], "--resamples"),
            (&["stance", "compare", "--models", "nb,bert"], "--models"),
            (
                &[
                    "stance", "train", "--data", "d.csv", "--model", "bert", "--out", "m.json",
                ],
                "--model",
            ),
            (
                &["stance", "featurize", "--input", "t.txt", "--min-df", "0"],
                "--min-df",
            ),
            (&["stance", "predict", "--model", "m.json"], "--data"),
            (&["stance", "extract"], "ARTICLE"),
            (
                &[
                    "stance", "semeval", "--train", "a", "--test", "b", "--folds", "1",
                ],
                "--folds",
            ),
            (
                &[
                    "stance", "train", "--data", "d.csv", "--model", "nb", "--out", "d.csv",
                ],
                "--out",
            ),
        ] {
            let e = config(args).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with(&format!("invalid setting {flag}: ")),
                "{args:?}: {e}"
            );
        }
    }

    #[test]
    fn default_paths_and_cross_flag_rules() {
        let Config::Compare(c) = config(&["stance", "compare", "--data", "q.csv"]).unwrap() else {
            panic!("not compare")
        };
        assert_eq!(c.report, Some(PathBuf::from(DEFAULT_COMPARE_REPORT)));
        assert_eq!(c.labels, Labels::File("q.csv".into()));
        assert_eq!(c.settings.resamples, 1000);
        let Config::Compare(c) =
            config(&["stance", "compare", "--data", "q.csv", "--report-dir", "r"]).unwrap()
        else {
            panic!("not compare")
        };
        assert_eq!(c.report, None);
        let Config::Score(c) = config(&[
            "stance",
            "score",
            "--model",
            "m",
            "--data",
            "d/q.csv",
            "--by-actor",
        ])
        .unwrap() else {
            panic!("not score")
        };
        assert_eq!(c.actors, Some(PathBuf::from("d/actors.csv")));
        let Config::Extract(c) =
            config(&["stance", "extract", "--eval", "l/q.csv", "--model", "nb"]).unwrap()
        else {
            panic!("not extract")
        };
        let eval = c.eval.unwrap();
        assert_eq!(eval.seeds, PathBuf::from("l/../seeds"));
        assert_eq!(
            eval.actor_level.unwrap().actors,
            PathBuf::from("l/actors.csv")
        );
        let Config::Semeval(c) =
            config(&["stance", "semeval", "--train", "a", "--test", "b"]).unwrap()
        else {
            panic!("not semeval")
        };
        let SemevalTask::Run { featurizer, .. } = c.task else {
            panic!("not a run")
        };
        assert_eq!(
            featurizer.to_string(),
            "word 1..3 + char 2..5, tfidf (sublinear), stemmed, tweet tokenizer"
        );
        let Config::Semeval(c) = config(&[
            "stance",
            "semeval",
            "--train",
            "a",
            "--test",
            "b",
            "--ngrams",
            "1..2",
            "--no-char-ngrams",
        ])
        .unwrap() else {
            panic!("not semeval")
        };
        let SemevalTask::Run { featurizer, .. } = c.task else {
            panic!("not a run")
        };
        assert_eq!(
            featurizer.to_string(),
            "word 1..2, tfidf (sublinear), stemmed, tweet tokenizer"
        );
    }
}
