//! Integration tests: one crate, one module per area, a shared `util`
//! harness that runs the built `stance` binary in a temporary folder.

mod util;

mod annotate;
mod cli;
mod compare_reports;
mod csv_fields;
mod errors;
mod featurize_stream;
mod labels;
mod limits;
mod props;
mod report_dirs;
mod robust_input;
mod safe_output;
mod semeval;
