//! One module per subcommand; `common` holds what they share.

pub(crate) mod common;
pub(crate) mod compare;
pub(crate) mod extract;
pub(crate) mod featurize;
pub(crate) mod predict;
pub(crate) mod score;
pub(crate) mod semeval;
pub(crate) mod train;
