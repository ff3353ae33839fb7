//! Streamed featurizing to svmlight lines (`stance featurize`): a text
//! file (one text a line) or a CSV's `text` column, read in bounded blocks
//! in two passes, so that memory holds one block, the vocabulary and the
//! rows kept from the first pass, never the whole file.
//!
//! Pass 1 counts document frequencies block by block and keeps the rows
//! of the first blocks, up to [`SvmlightOptions::row_memory`] bytes; pass 2
//! re-reads only the blocks after them, transforms and writes each. A
//! source that cannot be read twice (a pipe) is first copied to a
//! temporary file in [`SvmlightOptions::spill_dir`] and read from there
//! like any file, so that the row memory holds for it too (the copy is
//! removed at the end); without a spill folder it is read once with every
//! row kept. A file read twice must keep its length, modification time and
//! row counts, or [`featurize_svmlight`] fails. The output is the same for
//! any block size, row memory and thread count.
//!
//! Each line starts with the class: 0 unlabelled, 1 favor, 2 against,
//! 3 none (from a CSV's `stance` column, [`svmlight_label`]), then the
//! `index:value` pairs of the row's non-zero features.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::corpus::{self, ReadOptions};
use crate::error::{Error, Result};
use crate::features::ValidFeaturizerParams;
use crate::io::{cleanup, lines};
use crate::label::Stance;
use crate::progress::{Progress, Silent};

/// The svmlight class of a labelled row: favor 1, against 2, none 3
/// (unlabelled rows are 0).
pub fn svmlight_label(s: Stance) -> usize {
    s.index() + 1
}

/// What kind of file a [`Source`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// One text a line, all unlabelled.
    Lines,
    /// A CSV (or SemEval file read as CSV): its `text` column, labelled by
    /// its `stance` column if any. Rows are checked as by
    /// [`corpus::Corpus::read`], except that ids are not checked for
    /// duplicates (that would hold every id).
    Csv,
}

/// The input of [`featurize_svmlight`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file (a pipe is copied to a spill file first, or read once).
    pub path: PathBuf,
    /// How to read it.
    pub kind: SourceKind,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    pub lossy: bool,
}

impl Source {
    /// A CSV if the path ends in `.csv` (any case), else a text file.
    pub fn from_path(path: impl Into<PathBuf>) -> Source {
        let path = path.into();
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let kind = if is_csv {
            SourceKind::Csv
        } else {
            SourceKind::Lines
        };
        Source {
            path,
            kind,
            lossy: false,
        }
    }

    /// The same source, read with invalid UTF-8 replaced (`lossy`) or
    /// refused.
    pub fn lossy(mut self, lossy: bool) -> Source {
        self.lossy = lossy;
        self
    }

    /// Reads the source once, in blocks of about `block_size` bytes,
    /// calling `f` with each block's texts and stances.
    fn read(&self, block_size: usize, f: &mut OnBlock) -> Result<()> {
        match self.kind {
            SourceKind::Lines => {
                let mut unlabelled = Vec::new();
                lines::for_each_block_with(&self.path, block_size, self.lossy, |lines| {
                    unlabelled.resize(lines.len(), None);
                    f(lines, &unlabelled)
                })
                .map(drop)
            }
            SourceKind::Csv => {
                let opts = ReadOptions {
                    lossy: self.lossy,
                    ..ReadOptions::default()
                };
                corpus::for_each_block(&self.path, block_size, opts, |texts, stances| {
                    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
                    f(&texts, stances)
                })
                .map(drop)
            }
        }
    }
}

/// What the two passes do with each block of the input: its texts and
/// their stances (`None` where unlabelled).
type OnBlock<'a> = dyn FnMut(&[&str], &[Option<Stance>]) -> Result<()> + 'a;

/// Settings of [`featurize_svmlight`].
#[derive(Debug, Clone)]
pub struct SvmlightOptions {
    /// The featurizer settings.
    pub featurizer: ValidFeaturizerParams,
    /// Read the input in blocks of about this many bytes (a line or row
    /// longer than it makes a larger block); at least 1.
    pub block_size: usize,
    /// Keep the rows of the first blocks (their n-gram counts and output
    /// rows, about 20 bytes a non-zero and 16 a row) up to about this many
    /// bytes, so that they are not analysed twice; 0 keeps only the first
    /// block.
    pub row_memory: usize,
    /// Where to copy an input that cannot be read twice (a pipe), so that
    /// `row_memory` holds for it too; the copy is removed at the end (and
    /// by [`crate::io::cleanup`] on a signal). `None`: such an input is
    /// read once with every row kept in memory.
    pub spill_dir: Option<PathBuf>,
}

/// What [`featurize_svmlight`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeaturizeStats {
    /// Texts featurized.
    pub docs: usize,
    /// Tokens read.
    pub tokens: usize,
    /// Rows kept in memory from the first pass (the rest were featurized
    /// in a second read).
    pub kept_docs: usize,
    /// Time spent featurizing alone (not reading, not writing).
    pub busy: Duration,
}

/// The svmlight class of row `i` of rows with these stances.
fn class(stances: &[Option<Stance>], i: usize) -> usize {
    stances.get(i).copied().flatten().map_or(0, svmlight_label)
}

/// Featurizes `source` (see the module doc) and writes its svmlight lines
/// to `sink`. Nothing is written before the whole input has been read
/// once, so input errors of pass 1 leave `sink` untouched.
///
/// # Errors
/// [`Error::Io`] or [`Error::Data`] (with its line) for input that cannot
/// be read; [`Error::Data`] naming the input when it has no texts, no
/// n-gram survives the settings, or the file changed between the passes;
/// [`Error::Write`] if writing to `sink` fails.
pub fn featurize_svmlight(
    source: &Source,
    sink: &mut dyn Write,
    opts: &SvmlightOptions,
) -> Result<FeaturizeStats> {
    featurize_svmlight_with(source, sink, opts, &Silent)
}

/// [`featurize_svmlight`], telling `progress` of the texts read in pass 1
/// (total unknown) and written in pass 2 (total known).
///
/// # Errors
/// As [`featurize_svmlight`].
pub fn featurize_svmlight_with(
    source: &Source,
    sink: &mut dyn Write,
    opts: &SvmlightOptions,
    progress: &dyn Progress,
) -> Result<FeaturizeStats> {
    let input = &source.path;
    // A featurizer that cannot fit is a property of this input: name it.
    let on_input = |e: Error| match e {
        Error::Fit { message, .. } => Error::data(input, None, None, message),
        other => other,
    };
    let mut busy = Duration::ZERO;
    // A file read twice must be the same file both times: its length and
    // modification time are compared before and after the second read
    // (and the row counts of its blocks below).
    let metadata = std::fs::metadata(input).ok();
    let stamp_of = |m: &std::fs::Metadata| (m.len(), m.modified().ok());
    let stamp = || std::fs::metadata(input).ok().map(|m| stamp_of(&m));
    let first_stamp = metadata.as_ref().map(stamp_of);
    let changed = || Error::data(input, None, None, "file changed while reading");
    let unchanged = || {
        if stamp() == first_stamp {
            Ok(())
        } else {
            Err(changed())
        }
    };
    // Pass 1: document frequencies, one bounded block at a time. The
    // rows of the first blocks are kept, up to the row memory, with their
    // stances; all of them if the input cannot be read twice (a pipe).
    let regular = metadata.as_ref().is_some_and(|m| m.is_file());
    if let (false, Some(dir)) = (regular, &opts.spill_dir) {
        return featurize_spilled(source, dir, sink, opts, progress);
    }
    let mut fit = opts.featurizer.stream_fit();
    fit.keep_rows(if regular { opts.row_memory } else { usize::MAX });
    let mut kept_stances: Vec<Option<Stance>> = Vec::new();
    progress.start("featurize: counting", 0);
    source.read(opts.block_size, &mut |texts, stances| {
        let start = Instant::now();
        fit.update(texts);
        busy += start.elapsed();
        progress.advance(texts.len() as u64, "texts");
        if fit.kept_docs() == fit.n_docs() {
            kept_stances.extend_from_slice(stances);
        }
        Ok(())
    })?;
    progress.finish();
    let (docs, tokens, kept_docs) = (fit.n_docs(), fit.tokens(), fit.kept_docs());
    if docs == 0 {
        return Err(Error::data(
            input,
            None,
            None,
            "no texts; expected one text a line",
        ));
    }
    let start = Instant::now();
    let mut tr = fit.finish().map_err(on_input)?;
    let kept = tr.take_kept_rows();
    busy += start.elapsed();
    // Pass 2: the kept rows, then the blocks after them, transformed and
    // written one at a time.
    progress.start("featurize: writing", docs as u64);
    if let Some(x) = &kept {
        x.write_svmlight(|i| class(&kept_stances, i), sink)
            .map_err(Error::write)?;
        progress.advance(x.n_rows() as u64, "texts");
    }
    if kept_docs < docs {
        let mut seen = 0;
        unchanged()?;
        source.read(opts.block_size, &mut |texts, stances| {
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
            for x in &parts {
                x.write_svmlight(|i| class(stances, row + i), sink)
                    .map_err(Error::write)?;
                row += x.n_rows();
            }
            progress.advance(texts.len() as u64, "texts");
            Ok(())
        })?;
        if seen != docs {
            return Err(changed());
        }
        unchanged()?;
    }
    progress.finish();
    Ok(FeaturizeStats {
        docs,
        tokens,
        kept_docs,
        busy,
    })
}

/// Copies the non-regular `source` (a pipe) to a temporary file in `dir`
/// and featurizes that; errors name `source`, not the copy.
fn featurize_spilled(
    source: &Source,
    dir: &Path,
    sink: &mut dyn Write,
    opts: &SvmlightOptions,
    progress: &dyn Progress,
) -> Result<FeaturizeStats> {
    let input = &source.path;
    let (mut tmp, registered) = cleanup::create_registered(
        false,
        || {
            tempfile::Builder::new()
                .prefix(".stance-spill.")
                .suffix(".tmp")
                .tempfile_in(dir)
        },
        |t| t.path(),
    )
    .map_err(|e| Error::io(dir, e))?;
    let copied = std::fs::File::open(input)
        .map_err(|e| Error::io(input, e))
        .and_then(|mut from| {
            std::io::copy(&mut from, tmp.as_file_mut()).map_err(|e| {
                let msg = format!(
                    "copying {} to {}: {e}",
                    input.display(),
                    tmp.path().display()
                );
                Error::io(dir, std::io::Error::new(e.kind(), msg))
            })
        });
    let result = copied.and_then(|_| {
        let spilled = Source {
            path: tmp.path().to_owned(),
            kind: source.kind,
            lossy: source.lossy,
        };
        let once = SvmlightOptions {
            spill_dir: None,
            ..opts.clone()
        };
        featurize_svmlight_with(&spilled, sink, &once, progress)
            .map_err(|e| renamed(e, tmp.path(), input))
    });
    drop(tmp);
    drop(registered);
    result
}

/// `e`, naming `to` where it named `from`.
fn renamed(e: Error, from: &Path, to: &Path) -> Error {
    match e {
        Error::Io { path, cause } if path == from => Error::io(to, cause),
        Error::Data {
            path,
            row,
            column,
            message,
        } if path == from => Error::Data {
            path: to.to_owned(),
            row,
            column,
            message,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeaturizerParams;

    fn run(path: &std::path::Path, block_size: usize, row_memory: usize) -> Result<String> {
        let opts = SvmlightOptions {
            featurizer: FeaturizerParams::default().check().unwrap(),
            block_size,
            row_memory,
            spill_dir: None,
        };
        let mut out = Vec::new();
        let rec = crate::progress::testing::Recorder::default();
        let stats = featurize_svmlight_with(&Source::from_path(path), &mut out, &opts, &rec)?;
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), stats.docs);
        // Progress: every text counted once in each pass.
        let stages = rec.stages.lock().unwrap().clone();
        assert_eq!(
            stages,
            [
                ("featurize: counting".to_owned(), 0),
                ("featurize: writing".to_owned(), stats.docs as u64)
            ]
        );
        assert_eq!(*rec.done.lock().unwrap(), 2 * stats.docs as u64);
        assert_eq!(*rec.finished.lock().unwrap(), 2);
        Ok(text)
    }

    #[test]
    fn same_lines_for_any_blocks_and_classes_from_a_csv() {
        let dir = tempfile::tempdir().unwrap();
        let txt = dir.path().join("t.txt");
        std::fs::write(
            &txt,
            "we will strike\nno invasion ever\ntalks on tariffs\nwe strike\n",
        )
        .unwrap();
        let whole = run(&txt, 1 << 20, usize::MAX).unwrap();
        assert!(whole.lines().all(|l| l.starts_with("0 ")), "{whole}");
        for (block, memory) in [(1, 0), (8, 0), (16, 64), (1 << 20, 0)] {
            assert_eq!(run(&txt, block, memory).unwrap(), whole, "{block} {memory}");
        }
        let csv = dir.path().join("l.CSV");
        std::fs::write(
            &csv,
            "text,stance\nwe will strike,favor\n\"no, never\",against\nmaybe,\n",
        )
        .unwrap();
        let classes: Vec<String> = run(&csv, 4, 0)
            .unwrap()
            .lines()
            .map(|l| l.split(' ').next().unwrap().to_owned())
            .collect();
        assert_eq!(classes, ["1", "2", "0"]);
        let empty = dir.path().join("e.txt");
        std::fs::write(&empty, "").unwrap();
        let e = run(&empty, 8, 0).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("e.txt: no texts; expected one text a line"),
            "{e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_spilled_so_the_row_memory_holds_and_the_copy_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let spill = dir.path().join("spill");
        std::fs::create_dir(&spill).unwrap();
        let text: String = (0..400)
            .map(|i| format!("text number {i} on strikes\n"))
            .collect();
        let file = dir.path().join("t.txt");
        std::fs::write(&file, &text).unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let writer = {
            let (fifo, text) = (fifo.clone(), text.clone());
            std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
        };
        let mut opts = SvmlightOptions {
            featurizer: FeaturizerParams::default().check().unwrap(),
            block_size: 256,
            row_memory: 0,
            spill_dir: Some(spill.clone()),
        };
        let mut piped = Vec::new();
        let stats = featurize_svmlight(&Source::from_path(&fifo), &mut piped, &opts).unwrap();
        writer.join().unwrap();
        assert_eq!(stats.docs, 400);
        assert!(
            stats.kept_docs < 400,
            "rows past the row memory are not kept: {stats:?}"
        );
        assert_eq!(
            std::fs::read_dir(&spill).unwrap().count(),
            0,
            "spill file removed"
        );
        opts.spill_dir = None;
        let mut direct = Vec::new();
        featurize_svmlight(&Source::from_path(&file), &mut direct, &opts).unwrap();
        assert_eq!(piped, direct);
    }
}
