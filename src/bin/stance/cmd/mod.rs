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

/// Runs the command of `config`.
pub(crate) fn run(config: Config) -> anyhow::Result<()> {
    match config {
        Config::Compare(c) => compare::run(c),
        Config::Train(c) => train::run(c),
        Config::Score(c) => score::run(c),
        Config::Predict(c) => predict::run(c),
        Config::Featurize(c) => featurize::run(c),
        Config::Extract(c) => extract::run(c),
        Config::Semeval(c) => semeval::run(c),
        Config::Agree(c) => agree::run(c),
        Config::Curve(c) => curve::run(c),
        Config::Suggest(c) => suggest::run(c),
    }
}
