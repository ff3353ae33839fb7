//! `stance featurize`: svmlight lines of a text file or a CSV, both
//! streamed in bounded blocks through one two-pass path.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::args::FeaturizeArgs;
use stance::corpus::ReadOptions;
use stance::features::ValidFeaturizerParams;
use stance::io::{refuse_overwrite, write_atomic_with};
use stance::{Error, Stance};

/// The svmlight class of a labelled row: favor 1, against 2, none 3
/// (unlabelled rows are 0).
pub(crate) fn svmlight_label(s: Stance) -> usize {
    s.index() + 1
}

/// What the streamed path does with each block of the input: its texts
/// and their stances (`None` where unlabelled).
type OnBlock<'a> = dyn FnMut(&[&str], &[Option<Stance>]) -> stance::Result<()> + 'a;

/// Reads the input at a path once, in blocks of about a number of bytes.
type ReadBlocks = fn(&Path, usize, &mut OnBlock) -> stance::Result<()>;

/// A text file: one text a line, all unlabelled.
fn read_lines(path: &Path, block_size: usize, f: &mut OnBlock) -> stance::Result<()> {
    let mut unlabelled = Vec::new();
    stance::io::lines::for_each_block(path, block_size, |lines| {
        unlabelled.resize(lines.len(), None);
        f(lines, &unlabelled)
    })
    .map(drop)
}

/// A CSV: its `text` column, labelled by its `stance` column if any.
fn read_csv(path: &Path, block_size: usize, f: &mut OnBlock) -> stance::Result<()> {
    let opts = ReadOptions::default();
    stance::corpus::for_each_block(path, block_size, opts, |texts, stances| {
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        f(&texts, stances)
    })
    .map(drop)
}

/// The svmlight class of row `i` of rows with these stances.
fn class(stances: &[Option<Stance>], i: usize) -> usize {
    stances.get(i).copied().flatten().map_or(0, svmlight_label)
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
    let read: ReadBlocks = if is_csv { read_csv } else { read_lines };
    let (docs, tokens, busy) = stream(&a, &fp, read)?;
    eprintln!(
        "featurize: {} docs, {} tokens, {:.3} s",
        docs,
        tokens,
        busy.as_secs_f64()
    );
    Ok(())
}

/// Featurizes the input in two passes over bounded blocks and writes the
/// svmlight lines. Pass 1 counts document frequencies and keeps the rows
/// of the first blocks, up to --row-memory; pass 2 re-reads only the
/// blocks after them. Returns the number of texts, of tokens, and the
/// time spent featurizing alone (not reading, not writing).
fn stream(
    a: &FeaturizeArgs,
    fp: &ValidFeaturizerParams,
    read: ReadBlocks,
) -> anyhow::Result<(usize, usize, Duration)> {
    let no_texts = || Error::data(&a.input, None, None, "no texts; expected one text a line");
    // A featurizer that cannot fit is a property of this input: name it.
    let on_input = |e: Error| match e {
        Error::Fit { message, .. } => Error::data(&a.input, None, None, message),
        other => other,
    };
    let mut busy = Duration::ZERO;
    // A file read twice must be the same file both times: its length and
    // modification time are compared before and after the second read
    // (and the row counts of its blocks below).
    let metadata = std::fs::metadata(&a.input).ok();
    let stamp_of = |m: &std::fs::Metadata| (m.len(), m.modified().ok());
    let stamp = || std::fs::metadata(&a.input).ok().map(|m| stamp_of(&m));
    let first_stamp = metadata.as_ref().map(stamp_of);
    let changed = || Error::data(&a.input, None, None, "file changed while reading");
    let unchanged = || {
        if stamp() == first_stamp {
            Ok(())
        } else {
            Err(changed())
        }
    };
    // Pass 1: document frequencies, one bounded block at a time. The
    // rows of the first blocks are kept, up to --row-memory, with their
    // stances; all of them if the input cannot be read twice (a pipe).
    let mut fit = fp.stream_fit();
    let regular = metadata.is_some_and(|m| m.is_file());
    fit.keep_rows(if regular { a.row_memory } else { usize::MAX });
    let mut kept_stances: Vec<Option<Stance>> = Vec::new();
    read(&a.input, a.block_size, &mut |texts, stances| {
        let start = Instant::now();
        fit.update(texts);
        busy += start.elapsed();
        if fit.kept_docs() == fit.n_docs() {
            kept_stances.extend_from_slice(stances);
        }
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
    // Pass 2, for the blocks after the kept rows: transform and write
    // each. Write errors stay `io::Error`s (a broken pipe is not a
    // failure); read errors are kept aside and reported as they are.
    let mut failed: Option<Error> = None;
    write_svm(&a.out, &mut |w| {
        if let Some(x) = &kept {
            x.write_svmlight(|i| class(&kept_stances, i), w)?;
        }
        if kept_docs == docs {
            return Ok(());
        }
        let mut write_err: Option<std::io::Error> = None;
        let mut seen = 0;
        let mut pass2 = |texts: &[&str], stances: &[Option<Stance>]| {
            seen += texts.len();
            if seen <= kept_docs {
                return Ok(());
            }
            if seen - texts.len() < kept_docs || seen > docs {
                return Err(changed());
            }
            let start = Instant::now();
            // The block's rows come as one part per thread, in order.
            let (parts, _) = tr.transform_parts(texts);
            busy += start.elapsed();
            let mut row = 0;
            parts
                .iter()
                .try_for_each(|x| {
                    x.write_svmlight(|i| class(stances, row + i), w)?;
                    row += x.n_rows();
                    Ok(())
                })
                .map_err(|e| {
                    write_err = Some(e);
                    Error::param("--out", "write failed")
                })
        };
        let r = unchanged()
            .and_then(|()| read(&a.input, a.block_size, &mut pass2))
            .and_then(|()| {
                if seen == docs {
                    unchanged()
                } else {
                    Err(changed())
                }
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
    Ok((docs, tokens, busy))
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
