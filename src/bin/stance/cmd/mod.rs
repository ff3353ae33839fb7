//! One module per subcommand, each running its validated config
//! ([`crate::args::config`]): the library computes, the command prints
//! and writes. `common` holds what they share.

pub(crate) mod agree;
pub(crate) mod common;
pub(crate) mod compare;
pub(crate) mod curve;
pub(crate) mod extract;
pub(crate) mod featurize;
pub(crate) mod predict;
pub(crate) mod score;
pub(crate) mod semeval;
pub(crate) mod suggest;
pub(crate) mod train;

use crate::args::config::Config;
use stance::progress::Progress;

/// Runs the command of `config`, telling `progress` how long work goes.
pub(crate) fn run(config: Config, progress: &dyn Progress) -> anyhow::Result<()> {
    match config {
        Config::Compare(c) => compare::run(c, progress),
        Config::Train(c) => train::run(c),
        Config::Score(c) => score::run(c),
        Config::Predict(c) => predict::run(c, progress),
        Config::Featurize(c) => featurize::run(c, progress),
        Config::Extract(c) => extract::run(c),
        Config::Semeval(c) => semeval::run(c, progress),
        Config::Agree(c) => agree::run(c),
        Config::Curve(c) => curve::run(c, progress),
        Config::Suggest(c) => suggest::run(c),
    }
}
