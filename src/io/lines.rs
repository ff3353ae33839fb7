//! Reading a text file (one text a line) in bounded blocks of whole lines,
//! so that streamed featurizing holds one block in memory, never the file.
//!
//! The lines of the blocks, concatenated, are exactly `str::lines` of the
//! whole file (a final line without a newline counts; `\r\n` ends a line
//! like `\n`), whatever the block size.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Default block size of streamed featurizing: 8 MiB.
pub const DEFAULT_BLOCK_BYTES: usize = 8 << 20;

/// Calls `f` with the lines of the file at `path`, about `block_bytes` of
/// them at a time (a block always ends at a line end; a line longer than
/// `block_bytes` makes a larger block). Returns the number of lines.
///
/// Memory: one block plus its line slices.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Data`] naming the
/// line and byte offset of the first invalid UTF-8 sequence; any error `f`
/// returns (which stops the reading).
pub fn for_each_block(
    path: &Path,
    block_bytes: usize,
    f: impl FnMut(&[&str]) -> Result<()>,
) -> Result<u64> {
    for_each_block_with(path, block_bytes, false, f)
}

/// [`for_each_block`], or with `lossy` every invalid UTF-8 sequence
/// replaced by U+FFFD (a block ends at a `\n`, which never falls inside a
/// UTF-8 sequence, so the replacement is the same for any block size).
///
/// # Errors
/// As [`for_each_block`] (with `lossy`, no UTF-8 error); also
/// [`Error::Data`] for a file that starts with a UTF-16 or UTF-32
/// byte-order mark.
pub fn for_each_block_with(
    path: &Path,
    block_bytes: usize,
    lossy: bool,
    mut f: impl FnMut(&[&str]) -> Result<()>,
) -> Result<u64> {
    let block_bytes = block_bytes.max(super::text::WIDE_BOM_BYTES);
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf: Vec<u8> = Vec::new();
    // 1-based line number of the first line in `buf`, and its byte offset.
    let (mut line_no, mut offset) = (1u64, 0u64);
    let mut eof = false;
    let mut want = block_bytes;
    loop {
        eof = eof || fill(&mut file, &mut buf, want).map_err(|e| Error::io(path, e))?;
        let cut = if eof {
            buf.len()
        } else {
            match buf.iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => {
                    // A line longer than the block: read on.
                    want = buf.len() + block_bytes;
                    continue;
                }
            }
        };
        want = block_bytes;
        if offset == 0 {
            super::text::refuse_wide(path, &buf)?;
        }
        if cut == 0 {
            return Ok(line_no - 1);
        }
        let repaired;
        let text = match std::str::from_utf8(&buf[..cut]) {
            Err(_) if lossy => {
                repaired = String::from_utf8_lossy(&buf[..cut]).into_owned();
                Ok(repaired.as_str())
            }
            other => other,
        };
        let text = text.map_err(|e| {
            let ok = &buf[..e.valid_up_to()];
            let line = line_no + ok.iter().filter(|&&b| b == b'\n').count() as u64;
            Error::data(
                path,
                Some(line),
                None,
                format!(
                    "invalid UTF-8 at byte {}; expected UTF-8 text (or pass --lossy)",
                    offset + e.valid_up_to() as u64
                ),
            )
        })?;
        let ls: Vec<&str> = text.lines().collect();
        f(&ls)?;
        line_no += ls.len() as u64;
        offset += cut as u64;
        buf.drain(..cut);
    }
}

/// Reads from `src` until `buf` holds `want` bytes or `src` ends; returns
/// whether it ended. `buf` grows by doubling (at least 64 KiB), never past
/// `want`.
pub(crate) fn fill(src: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buf.len() < want {
        let old = buf.len();
        let target = want.min(old.saturating_mul(2).max(old + (64 << 10)));
        buf.resize(target, 0);
        let n = loop {
            match src.read(&mut buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    buf.truncate(old);
                    return Err(e);
                }
            }
        };
        buf.truncate(old + n);
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(content: &[u8], block: usize) -> Result<Vec<Vec<String>>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        std::fs::write(&path, content).unwrap();
        let mut out = Vec::new();
        let n = for_each_block(&path, block, |ls| {
            out.push(ls.iter().map(|s| s.to_string()).collect());
            Ok(())
        })?;
        assert_eq!(n, out.iter().map(Vec::len).sum::<usize>() as u64);
        Ok(out)
    }

    #[test]
    fn blocks_concatenate_to_the_lines_of_the_file() {
        let text = "a b\n\nccc ddd eee\r\nf\nlast without newline";
        let all: Vec<&str> = text.lines().collect();
        for block in [1, 2, 3, 5, 8, 13, 100, 1 << 20] {
            let b = blocks(text.as_bytes(), block).unwrap();
            assert!(b.iter().all(|ls| !ls.is_empty()), "{block}: {b:?}");
            let flat: Vec<String> = b.into_iter().flatten().collect();
            assert_eq!(flat, all, "block {block}");
        }
        assert!(blocks(b"", 4).unwrap().is_empty());
        assert_eq!(blocks(b"x\n", 4).unwrap(), [["x"]]);
    }

    #[test]
    fn invalid_utf8_names_the_line_and_byte() {
        for block in [1, 4, 64] {
            let e = blocks(b"ok\nfine\nbad \xff here\nok\n", block).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains("t.txt row 3: invalid UTF-8 at byte 12"),
                "{msg}"
            );
        }
    }
}
