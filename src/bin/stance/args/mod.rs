//! Command-line flags, in two stages (as ripgrep's low and high args):
//! here the clap layer (clap derive: raw values, syntactic checks only;
//! the library's choices are flag values directly), and in [`config`]
//! one validated config per command, built in one place from these
//! flags.

#[cfg(test)]
pub mod argv;
pub mod config;

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, CommandFactory, Parser, Subcommand};

use stance::corpus::Format;
use stance::eval::bootstrap::DEFAULT_RESAMPLES;
use stance::eval::calibrate::Method;
use stance::eval::split::CvScheme;
use stance::features::Weighting;
use stance::meta::By;
use stance::settings::Choice;
use stance::text::TokenizerKind;
use stance::Error;

/// Train, score and compare stance classifiers on quotes from news articles.
#[derive(Debug, Parser)]
#[command(name = "stance", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
    /// No progress bar (it is drawn on stderr only when stderr is a terminal).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Cross-validate models on the same folds and compare them.
    Compare(CompareArgs),
    /// Fit the featurizer and a model on all of a labelled file.
    Train(TrainArgs),
    /// Score a saved model against hand labels.
    Score(ScoreArgs),
    /// Label new quotes with a saved model.
    Predict(PredictArgs),
    /// Featurize a text file (one text a line) or a CSV's text column into svmlight lines.
    Featurize(FeaturizeArgs),
    /// Find quote sentences and their speakers in raw article text.
    Extract(ExtractArgs),
    /// SemEval-2016 Task 6: one tuned model per target, official pooled F_avg.
    ///
    /// Featurizer flags not given default to word 1..3-grams plus char 2..5-grams,
    /// sublinear TF-IDF and the tweet tokenizer.
    Semeval(SemevalArgs),
    /// Agreement between annotators who labelled the same quotes.
    Agree(AgreeArgs),
    /// Learning curves: macro-F1 against the number of labels, and the
    /// active-learning simulation (--strategy margin|entropy).
    Curve(CurveArgs),
    /// The next quotes to label: a pool ranked by the model's uncertainty.
    Suggest(SuggestArgs),
}

/// The command line, with the model flags' help completed from the model
/// table (names, one-line summaries, and the default list of `compare`).
pub fn command() -> clap::Command {
    let known: String = stance::models::MODELS
        .iter()
        .map(|m| format!("\n  {:<14} {}", m.name, m.summary))
        .collect();
    let defaults = stance::models::default_model_names().join(",");
    let with_models = |extra: String| {
        let known = known.clone();
        move |a: clap::Arg| {
            let base = a
                .get_long_help()
                .or(a.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default();
            a.long_help(format!("{base}{extra}\nModels:{known}"))
        }
    };
    Cli::command()
        .mut_subcommand("compare", |c| {
            c.mut_arg("models", with_models(format!(" (default: {defaults}).")))
        })
        .mut_subcommand("curve", |c| {
            c.mut_arg("models", with_models(" (default: nb,logreg,svm).".into()))
        })
        .mut_subcommand("semeval", |c| {
            c.mut_arg("models", with_models(String::new()))
        })
        .mut_subcommand("train", |c| c.mut_arg("model", with_models(String::new())))
        .mut_subcommand("extract", |c| {
            c.mut_arg("model", with_models(String::new()))
        })
}

/// The value parser of a flag whose values are a library [`Choice`]:
/// its names, with their help, are the possible values. (A generic parser
/// rather than `clap::ValueEnum` on the library's enums: the library does
/// not depend on clap, and each choice is listed once, in the library.)
fn choice<T: Choice + Clone + Send + Sync>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(
        T::ALL
            .iter()
            .map(|c| PossibleValue::new(c.name()).help(c.help())),
    )
    .try_map(|name| T::from_name(&name).map_err(message))
}

/// Flags shared by every command that reads data.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Input format.
    #[arg(long, value_parser = choice::<Format>(), default_value_t = Format::Csv)]
    pub format: Format,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    pub lossy: bool,
}

/// Featurizer flags, the same on train, compare and featurize.
#[derive(Debug, Args, Clone)]
pub struct FeatArgs {
    /// Word n-gram range, MIN..MAX (e.g. 1..2).
    #[arg(long, value_name = "MIN..MAX", default_value = "1..1", value_parser = parse_range)]
    pub ngrams: (usize, usize),
    /// Also character n-grams within word boundaries, MIN..MAX (1..8; e.g. 2..5).
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_range)]
    pub char_ngrams: Option<(usize, usize)>,
    /// Feature values.
    #[arg(long, value_parser = choice::<Weighting>(), default_value_t = Weighting::Tfidf)]
    pub weight: Weighting,
    /// Do not stem (Snowball English) the tokens.
    #[arg(long)]
    pub no_stem: bool,
    /// Drop English stopwords (negations are kept).
    #[arg(long)]
    pub stopwords: bool,
    /// Keep n-grams found in at least N training texts.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_df: usize,
    /// Drop n-grams found in more than this fraction of training texts.
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub max_df: f64,
    /// Keep at most N n-grams (the most frequent).
    #[arg(long, value_name = "N")]
    pub max_features: Option<usize>,
    /// Use 1 + ln(tf) instead of tf.
    #[arg(long)]
    pub sublinear_tf: bool,
    /// No character n-grams (switches off the `semeval` default 2..5).
    #[arg(long, conflicts_with = "char_ngrams")]
    pub no_char_ngrams: bool,
    /// Raw tf (switches off the `semeval` default 1 + ln(tf)).
    #[arg(long, conflicts_with = "sublinear_tf")]
    pub no_sublinear_tf: bool,
    /// Do not scale rows to unit L2 norm.
    #[arg(long)]
    pub no_norm: bool,
    /// Tokenizer (tweet keeps #hashtags, @mentions, URLs, emoticons).
    #[arg(long, value_parser = choice::<TokenizerKind>(), default_value_t = TokenizerKind::Words)]
    pub tokenizer: TokenizerKind,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("'{s}' is not a range; expected MIN..MAX, e.g. 1..2");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

impl FeatArgs {
    /// The SemEval defaults, for every featurizer flag the user did not
    /// give: word 1..3-grams plus char_wb 2..5-grams, sublinear TF-IDF, the
    /// tweet tokenizer (the strongest bag-of-words setting of the task).
    pub fn apply_tweet_defaults(&mut self, m: &clap::ArgMatches) {
        let defaulted =
            |id: &str| m.value_source(id) != Some(clap::parser::ValueSource::CommandLine);
        if defaulted("ngrams") {
            self.ngrams = (1, 3);
        }
        if defaulted("char_ngrams") && !self.no_char_ngrams {
            self.char_ngrams = Some((2, 5));
        }
        if defaulted("sublinear_tf") && !self.no_sublinear_tf {
            self.sublinear_tf = true;
        }
        if defaulted("tokenizer") {
            self.tokenizer = TokenizerKind::Tweet;
        }
    }
}

/// The message of a library error, for clap's own `invalid value 'x' for
/// '--flag'` (which names the flag already).
fn message(e: Error) -> String {
    match e {
        Error::InvalidParam { message, .. } => message,
        other => other.to_string(),
    }
}

/// The `--calibration` value: a method, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calibration(pub Option<Method>);

fn parse_calibration(s: &str) -> Result<Calibration, String> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(Calibration(None));
    }
    s.parse::<Method>()
        .map(|m| Calibration(Some(m)))
        .map_err(|_| format!("'{s}': expected temperature|platt|isotonic|none"))
}

/// `stance compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Labelled data (default: labels/quotes.csv, or the embedded copy).
    #[arg(long, value_name = "F")]
    pub data: Option<PathBuf>,
    /// Comma-separated models.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub models: Option<Vec<String>>,
    /// Cross-validation: doc (leave one document out) or kfold:K.
    /// Default: doc when every row has a doc, else kfold:5.
    #[arg(long, value_name = "SCHEME", value_parser = |s: &str| s.parse::<CvScheme>().map_err(message))]
    pub cv: Option<CvScheme>,
    /// Seed for fold shuffles and the bootstrap.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Bootstrap resamples for intervals and paired tests.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RESAMPLES)]
    pub resamples: usize,
    /// Where to write the CSV report (default: reports/compare.csv, or
    /// DIR/compare.csv with --report-dir).
    #[arg(long, value_name = "F")]
    pub report: Option<PathBuf>,
    /// Write every report here: compare.csv, per_class.csv, confusion.csv,
    /// predictions.csv (out-of-fold), features.csv (top weights of nb,
    /// logreg and svm fitted once on all the data), macro_f1.svg,
    /// confusion.svg (best model), and grid.csv with --grid.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Nested cross-validation: pick regularisation, n-gram range and
    /// min_df per outer fold by inner 3-fold macro-F1 (choices in grid.csv).
    #[arg(long)]
    pub grid: bool,
    /// Leave out rows whose stance is empty (an unfilled label template)
    /// instead of failing on the first; says how many were left out.
    #[arg(long)]
    pub skip_unlabelled: bool,
    /// Also score calibrated probabilities: a calibrator fitted by inner
    /// cross-validation inside each outer training part (temperature keeps
    /// every top class; platt, isotonic), or none. The raw Brier, log-loss
    /// and ECE are always reported; calibrating fits every model again on
    /// each inner fold (about 4 times the work), so it is off by default.
    #[arg(long, value_name = "METHOD", default_value = "none", value_parser = parse_calibration)]
    pub calibration: Calibration,
    /// With --report-dir: explain each quote's out-of-fold prediction by a
    /// linear model with the K n-grams that added most to the predicted
    /// class, under the model and featurizer of the fold that tested it
    /// (predictions.csv `MODEL_explanation` columns, index.html); 0: none.
    /// Default 3.
    #[arg(long, value_name = "K", requires = "report_dir")]
    pub explain: Option<usize>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub feat: FeatArgs,
}

/// `stance train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled data.
    #[arg(long, value_name = "F")]
    pub data: PathBuf,
    /// Model name.
    #[arg(long, value_name = "NAME")]
    pub model: String,
    /// Where to write the model file.
    #[arg(long, value_name = "MODEL")]
    pub out: PathBuf,
    /// Leave out rows whose stance is empty (an unfilled label template)
    /// instead of failing on the first; says how many were left out.
    #[arg(long)]
    pub skip_unlabelled: bool,
    /// Probability calibration, fitted by inner cross-validation on the
    /// training rows: temperature (keeps every top class), platt,
    /// isotonic, or none.
    #[arg(long, value_name = "METHOD", default_value = "temperature", value_parser = parse_calibration)]
    pub calibration: Calibration,
    /// Seed of the calibration's inner folds.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub feat: FeatArgs,
}

/// `stance score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// A model file written by `stance train`.
    #[arg(long, value_name = "MODEL")]
    pub model: PathBuf,
    /// Labelled data.
    #[arg(long, value_name = "F")]
    pub data: PathBuf,
    /// Where to write the CSV report.
    #[arg(long, value_name = "F")]
    pub report: Option<PathBuf>,
    /// Also compare per-actor stances (the guide's rule over each actor's
    /// predicted quotes) with an `actor,stance` file.
    #[arg(long)]
    pub by_actor: bool,
    /// Actor-level gold for --by-actor (default: actors.csv beside --data).
    #[arg(long, value_name = "F")]
    pub actors: Option<PathBuf>,
    /// With --by-actor: write DIR/evidence.csv, actor accuracy by evidence
    /// level and accuracy vs coverage (the table printed on stdout).
    #[arg(long, value_name = "DIR", requires = "by_actor")]
    pub report_dir: Option<PathBuf>,
    /// Seed for the bootstrap interval.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    #[command(flatten)]
    pub input: InputArgs,
}

/// `stance predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A model file written by `stance train`.
    #[arg(long, value_name = "MODEL")]
    pub model: PathBuf,
    /// Quotes to label (CSV with a `text` column).
    #[arg(long, value_name = "F", conflicts_with = "articles")]
    pub data: Option<PathBuf>,
    /// Raw articles: their quotes are extracted, attributed and labelled.
    #[arg(value_name = "ARTICLE")]
    pub articles: Vec<PathBuf>,
    /// Alias table for speaker ids (CSV `alias,actor`; default: the built-in one).
    #[arg(long, value_name = "F")]
    pub aliases: Option<PathBuf>,
    /// Aggregate per actor: `actor,stance,n,...` with bootstrap intervals
    /// of the mean probabilities, `n_articles` and `evidence`.
    #[arg(long)]
    pub by_actor: bool,
    /// Seed of the per-actor bootstrap intervals.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Article manifest (CSV `doc,date,outlet,url,title`, ISO dates): adds
    /// `date` and `outlet` to the quote CSV; with --by-actor and --by,
    /// estimates per period.
    #[arg(long, value_name = "F")]
    pub meta: Option<PathBuf>,
    /// Also write DIR/predictions.csv, DIR/actors.csv and DIR/index.html
    /// (one self-contained page: actor table and charts, low-confidence
    /// quotes explained when the model is linear).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Explain each quote's label: its K n-grams that added most to the
    /// predicted class's score (linear models only), in an `explanation`
    /// column.
    #[arg(long, value_name = "K", conflicts_with = "by_actor")]
    pub explain: Option<usize>,
    /// With --by-actor and --meta: one estimate per actor and period
    /// (ISO week, month, or outlet), in a `period` column.
    #[arg(long, value_name = "PERIOD", value_parser = |s: &str| s.parse::<By>())]
    pub by: Option<By>,
    /// Write the CSV here instead of stdout.
    #[arg(long, value_name = "F")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// `stance featurize`.
#[derive(Debug, Args)]
pub struct FeaturizeArgs {
    /// A text file (one text a line) or a CSV (its `text` column; by .csv
    /// extension), both streamed in blocks (see --block-size). Each svmlight
    /// line starts with the class: 0 unlabelled, 1 favor, 2 against, 3 none
    /// (from a CSV's `stance` column). A CSV's rows are checked as
    /// everywhere else, except that ids are not checked for duplicates
    /// (featurize does not use them). A pipe or other non-regular file is
    /// first copied to a temporary file in $TMPDIR (or /tmp), so that
    /// --row-memory holds for it too; the copy is removed at the end.
    #[arg(long, value_name = "F")]
    pub input: PathBuf,
    /// Write svmlight lines here instead of stdout.
    #[arg(long, value_name = "F.svm")]
    pub out: Option<PathBuf>,
    /// Read the input (text file or CSV) in blocks of about this many bytes
    /// (suffix K, M or G): memory holds one block of text or CSV rows at a
    /// time, plus the rows kept (--row-memory). The output does not depend
    /// on it.
    #[arg(long, value_name = "BYTES", default_value = "8M", value_parser = parse_bytes)]
    pub block_size: usize,
    /// Keep the rows of the first blocks read (their n-gram counts and the
    /// output rows built from them, about 20 bytes per non-zero and 16 per
    /// row), up to about this many bytes, so that they are not analysed
    /// twice. Blocks past it are featurized in a second read of the file;
    /// a file whose rows fit is read once. 0 keeps only the first block.
    /// The output does not depend on it.
    #[arg(long, value_name = "BYTES", default_value = "256M", value_parser = parse_bytes_or_zero)]
    pub row_memory: usize,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    pub lossy: bool,
    #[command(flatten)]
    pub feat: FeatArgs,
}

/// Parses a byte count with an optional K, M or G (binary) suffix.
fn parse_bytes(s: &str) -> Result<usize, String> {
    match parse_bytes_or_zero(s)? {
        0 => Err(format!("'{s}' is out of range; expected 1 byte to a few G")),
        n => Ok(n),
    }
}

/// As [`parse_bytes`], also accepting 0.
fn parse_bytes_or_zero(s: &str) -> Result<usize, String> {
    let (num, shift) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 10),
        Some('m' | 'M') => (&s[..s.len() - 1], 20),
        Some('g' | 'G') => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    let n: usize = num
        .parse()
        .map_err(|_| format!("'{s}' is not a byte count; expected e.g. 65536, 64K, 8M"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("'{s}' is too large; expected at most a few G"))
}

/// `stance extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Article text files.
    #[arg(value_name = "ARTICLE")]
    pub articles: Vec<PathBuf>,
    /// Write the CSV here instead of stdout.
    #[arg(long, value_name = "F")]
    pub out: Option<PathBuf>,
    /// Alias table for speaker ids (CSV `alias,actor`; default: the built-in one).
    #[arg(long, value_name = "F")]
    pub aliases: Option<PathBuf>,
    /// Score extraction against hand labels (`doc,start,end,actor` columns);
    /// without ARTICLEs, reads every labelled doc from --seeds.
    #[arg(long, value_name = "LABELS")]
    pub eval: Option<PathBuf>,
    /// Folder of the labelled articles for --eval (default: seeds/ beside the labels' folder).
    #[arg(long, value_name = "DIR")]
    pub seeds: Option<PathBuf>,
    /// With --eval: also score actor-level stances end to end, with this
    /// model trained leave-one-document-out on the labels and applied to
    /// the extracted quotes (and, for reference, to the hand-labelled ones),
    /// next to two baselines that read no text (actor-level majority and the
    /// speakers' track record) on the same folds.
    #[arg(long, value_name = "NAME", requires = "eval")]
    pub model: Option<String>,
    /// Actor-level gold for --model (default: actors.csv beside the labels).
    #[arg(long, value_name = "F", requires = "model")]
    pub actors: Option<PathBuf>,
    /// Replace invalid UTF-8 with U+FFFD instead of failing (in the
    /// articles and the labels; offsets are then into the repaired text).
    #[arg(long)]
    pub lossy: bool,
    /// Also write a label file to fill in: `id,doc,start,end,actor,text,stance`
    /// with `stance` empty and ids `DOC:START-END` (the same on every run).
    #[arg(long, value_name = "OUT.csv", conflicts_with = "eval")]
    pub template: Option<PathBuf>,
    /// Put the template's rows in a seeded random order (see --seed), so
    /// that the articles' order does not bias the labels.
    #[arg(long, requires = "template")]
    pub shuffle: bool,
    /// Seed of --shuffle.
    #[arg(long, value_name = "N", default_value_t = 42, requires = "shuffle")]
    pub seed: u64,
    /// Article manifest (CSV `doc,date,outlet,url,title`): adds `date` and
    /// `outlet` columns.
    #[arg(long, value_name = "F")]
    pub meta: Option<PathBuf>,
    #[command(flatten)]
    pub feat: FeatArgs,
}

/// `stance semeval`.
#[derive(Debug, Args)]
pub struct SemevalArgs {
    /// Training file (SemEval TSV, or CSV with `id,target,text,stance` via --format csv).
    #[arg(long, value_name = "F", required_unless_present = "predictions")]
    pub train: Option<PathBuf>,
    /// Test file with gold labels.
    #[arg(long, value_name = "F")]
    pub test: PathBuf,
    /// Only score this prediction file (same format as --test) against --test, matched by ID.
    #[arg(long, value_name = "F", conflicts_with = "train")]
    pub predictions: Option<PathBuf>,
    /// Comma-separated models; each is tuned over its regularisation strength.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "logreg",
        value_delimiter = ','
    )]
    pub models: Vec<String>,
    /// One joint model with the target as a feature instead of one per target.
    #[arg(long)]
    pub joint: bool,
    /// Inner cross-validation folds for tuning on the training file.
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub folds: usize,
    /// Seed of the inner folds.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Where to write the per-target CSV.
    #[arg(long, value_name = "F", default_value = "reports/semeval.csv")]
    pub report: PathBuf,
    /// Input format of the files.
    #[arg(long, value_parser = choice::<Format>(), default_value_t = Format::Semeval)]
    pub format: Format,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    pub lossy: bool,
    #[command(flatten)]
    pub feat: FeatArgs,
}

/// `stance agree`.
#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// Two or more label files (CSV with `stance` and `text`; rows matched
    /// by `id` when every file has ids, else by `doc,start,end`, else by
    /// `doc,text` after white-space normalisation). An empty stance is a
    /// missing value.
    #[arg(value_name = "FILE", num_args = 2.., required = true)]
    pub files: Vec<PathBuf>,
    /// Write agreement.csv, pairs.csv, disagreements.csv and unmatched.csv here.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Seed of the bootstrap intervals.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Bootstrap resamples.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RESAMPLES)]
    pub resamples: usize,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    pub lossy: bool,
}

/// `stance curve`.
#[derive(Debug, Args)]
pub struct CurveArgs {
    /// Labelled data (default: labels/quotes.csv, or the embedded copy).
    #[arg(long, value_name = "F")]
    pub data: Option<PathBuf>,
    /// Comma-separated models.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub models: Option<Vec<String>>,
    /// Training sizes: auto (10, 20, 40, ... and the whole training part)
    /// or a list such as 10,20,40. Learning curve only (the simulation
    /// grows by --batch from --start).
    #[arg(long, value_name = "LIST|auto")]
    pub sizes: Option<String>,
    /// Subsamples per size and fold; with 2 or more the interval is
    /// Student's t across repeats, with 1 a bootstrap over the quotes.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub repeats: usize,
    /// Cross-validation: doc (leave one document out) or kfold:K.
    /// Default: doc when every row has a doc, else kfold:5.
    #[arg(long, value_name = "SCHEME", value_parser = |s: &str| s.parse::<CvScheme>().map_err(message))]
    pub cv: Option<CvScheme>,
    /// random: the learning curve (labels drawn at random, stratified).
    /// margin or entropy: simulate active learning on the training folds
    /// (start from --start labels, add the --batch most uncertain per
    /// round) next to random sampling from the same start.
    #[arg(long, value_name = "STRATEGY", default_value = "random")]
    pub strategy: String,
    /// Simulation: the seed set's size.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub start: usize,
    /// Simulation: labels added per round.
    #[arg(long, value_name = "K", default_value_t = 10)]
    pub batch: usize,
    /// Simulation: the last labelled size (default: the largest training part).
    #[arg(long, value_name = "N")]
    pub max_size: Option<usize>,
    /// Seed of the folds, subsamples and bootstrap.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Bootstrap resamples (with --repeats 1).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RESAMPLES)]
    pub resamples: usize,
    /// Write curve.csv and curve.svg here (default: reports/).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Leave out rows whose stance is empty instead of failing.
    #[arg(long)]
    pub skip_unlabelled: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub feat: FeatArgs,
}

/// `stance suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// A model file written by `stance train`.
    #[arg(long, value_name = "MODEL")]
    pub model: PathBuf,
    /// The pool: a CSV with a `text` column (e.g. an `extract --template`
    /// file). Rows that already have a stance are not suggested, and their
    /// near-duplicates neither.
    #[arg(long, value_name = "POOL.csv")]
    pub data: PathBuf,
    /// How many quotes to suggest.
    #[arg(long, value_name = "K")]
    pub n: usize,
    /// margin: smallest gap between the two likeliest classes first;
    /// entropy: most spread-out probabilities first; random: a seeded shuffle.
    #[arg(long, value_name = "STRATEGY", default_value = "margin")]
    pub strategy: String,
    /// Seed of --strategy random.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// The labelled file the model was trained on: near-duplicates of its
    /// quotes are not suggested (without it they are not checked).
    #[arg(long, value_name = "F")]
    pub train: Option<PathBuf>,
    /// Write the CSV here instead of stdout.
    #[arg(long, value_name = "F")]
    pub out: Option<PathBuf>,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    pub lossy: bool,
}
