//! `stance featurize`: svmlight lines of a text file or a CSV, streamed
//! by the library ([`stance::svmlight::featurize_svmlight`]) to `--out`
//! (atomically) or stdout.

use std::io::Write;

use crate::args::config::FeaturizeConfig;
use stance::io::AtomicFile;
use stance::progress::Progress;
use stance::svmlight::featurize_svmlight_with;
use stance::Error;

pub(crate) fn run(c: FeaturizeConfig, progress: &dyn Progress) -> anyhow::Result<()> {
    let stats = match &c.out {
        Some(p) => {
            let mut file = AtomicFile::new(p);
            let stats = featurize_svmlight_with(&c.source, &mut file, &c.options, progress)?;
            file.commit()?;
            stats
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let stats = featurize_svmlight_with(&c.source, &mut out, &c.options, progress)?;
            out.flush().map_err(Error::write)?;
            stats
        }
    };
    eprintln!(
        "featurize: {} docs, {} tokens, {:.3} s",
        stats.docs,
        stats.tokens,
        stats.busy.as_secs_f64()
    );
    Ok(())
}
