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
        // The rows of the first block are built from pass 1's counts.
        fit.keep_first_block();
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
                let mut on_write = |e| {
                    write_err = Some(e);
                    Error::param("--out", "write failed")
                };
                let start = Instant::now();
                if let Some(x) = tr.take_first_block() {
                    busy += start.elapsed();
                    if x.n_rows() != lines.len() {
                        return Err(Error::data(
                            &a.input,
                            None,
                            None,
                            "file changed while reading",
                        ));
                    }
                    return x.write_svmlight(|_| 0, w).map_err(&mut on_write);
                }
                // The block's rows come as one part per thread, in order.
                let (parts, _) = tr.transform_parts(lines);
                busy += start.elapsed();
                parts
                    .iter()
                    .try_for_each(|x| x.write_svmlight(|_| 0, w))
                    .map_err(on_write)
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
