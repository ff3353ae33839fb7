//! `stance featurize`: svmlight lines of a text file or a CSV, streamed
//! by the library ([`stance::svmlight::featurize_svmlight`]) to `--out`
//! (atomically) or stdout.

use std::io::Write;

use crate::args::FeaturizeArgs;
use stance::io::{refuse_overwrite, AtomicFile};
use stance::svmlight::{featurize_svmlight, Source, SvmlightOptions};
use stance::Error;

pub(crate) fn featurize(a: FeaturizeArgs) -> anyhow::Result<()> {
    let opts = SvmlightOptions {
        featurizer: a.feat.to_params()?,
        block_size: a.block_size,
        row_memory: a.row_memory,
    };
    if let Some(p) = &a.out {
        refuse_overwrite("--out", p, &[&a.input])?;
    }
    let source = Source::from_path(&a.input);
    let stats = match &a.out {
        Some(p) => {
            let mut file = AtomicFile::new(p);
            let stats = featurize_svmlight(&source, &mut file, &opts)?;
            file.commit()?;
            stats
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let stats = featurize_svmlight(&source, &mut out, &opts)?;
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
