//! `stance featurize`: svmlight lines, streamed for large text files.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crate::args::FeaturizeArgs;
use stance::corpus::{Corpus, ReadOptions};
use stance::io::{refuse_overwrite, write_atomic_with};
use stance::{Error, Stance};

/// The svmlight class of a labelled row: favor 1, against 2, none 3
/// (unlabelled rows are 0).
pub(crate) fn svmlight_label(s: Stance) -> usize {
    s.index() + 1
}

pub(crate) fn featurize(a: FeaturizeArgs) -> anyhow::Result<()> {
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
    } else {
        // Pass 1: document frequencies, one bounded block at a time. The
        // rows of the first blocks are kept, up to --row-memory.
        let mut fit = fp.stream_fit();
        fit.keep_rows(a.row_memory);
        stance::lines::for_each_block(&a.input, a.block_size, |lines| {
            timed(&mut busy, &mut || fit.update(lines));
            Ok(())
        })?;
        let (docs, tokens, kept_docs) = (fit.n_docs(), fit.tokens(), fit.kept_docs());
        if docs == 0 {
            return Err(no_texts().into());
        }
        let start = Instant::now();
        let mut tr = fit.finish().map_err(on_input)?;
        let kept = tr.take_kept_rows();
        busy += start.elapsed();
        let changed = || Error::data(&a.input, None, None, "file changed while reading");
        // Pass 2, for the blocks after the kept rows: transform and write
        // each. Write errors stay `io::Error`s (a broken pipe is not a
        // failure); read errors are kept aside and reported as they are.
        let mut failed: Option<Error> = None;
        write_svm(&a.out, &mut |w| {
            if let Some(x) = &kept {
                x.write_svmlight(|_| 0, w)?;
            }
            if kept_docs == docs {
                return Ok(());
            }
            let mut write_err: Option<std::io::Error> = None;
            let mut seen = 0;
            let r = stance::lines::for_each_block(&a.input, a.block_size, |lines| {
                seen += lines.len();
                if seen <= kept_docs {
                    return Ok(());
                }
                if seen - lines.len() < kept_docs || seen > docs {
                    return Err(changed());
                }
                let start = Instant::now();
                // The block's rows come as one part per thread, in order.
                let (parts, _) = tr.transform_parts(lines);
                busy += start.elapsed();
                parts
                    .iter()
                    .try_for_each(|x| x.write_svmlight(|_| 0, w))
                    .map_err(|e| {
                        write_err = Some(e);
                        Error::param("--out", "write failed")
                    })
            })
            .and_then(|_| if seen == docs { Ok(()) } else { Err(changed()) });
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
pub(crate) fn write_svm(
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
