//! Reading text: what a file's first bytes say about its encoding, and
//! articles read strictly or with `--lossy` (invalid UTF-8 replaced).
//!
//! Every reader of text ([`super::read_article`], [`super::lines`], the
//! CSV readers of [`crate::corpus`]) refuses a UTF-16 or UTF-32 file by
//! its byte-order mark, naming the encoding, rather than failing later on
//! a missing column or "binary" NUL bytes.

use std::path::Path;

use crate::error::{Error, Result};

/// The encoding a UTF-16 or UTF-32 byte-order mark at the start of
/// `bytes` names (`UTF-16LE`, `UTF-16BE`, `UTF-32LE`, `UTF-32BE`), if any.
/// A UTF-32LE mark starts like a UTF-16LE one, so it is tested first.
pub fn wide_bom(bytes: &[u8]) -> Option<&'static str> {
    const MARKS: [(&[u8], &str); 4] = [
        (b"\xFF\xFE\x00\x00", "UTF-32LE"),
        (b"\x00\x00\xFE\xFF", "UTF-32BE"),
        (b"\xFF\xFE", "UTF-16LE"),
        (b"\xFE\xFF", "UTF-16BE"),
    ];
    MARKS
        .iter()
        .find(|(mark, _)| bytes.starts_with(mark))
        .map(|&(_, name)| name)
}

/// The longest byte-order mark [`wide_bom`] looks for.
pub const WIDE_BOM_BYTES: usize = 4;

/// Fails if `bytes`, the start of the file at `path`, begins with a UTF-16
/// or UTF-32 byte-order mark (`--lossy` cannot help: every other byte
/// would be replaced).
///
/// # Errors
/// [`Error::Data`] naming the encoding and how to convert the file.
pub fn refuse_wide(path: &Path, bytes: &[u8]) -> Result<()> {
    match wide_bom(bytes) {
        None => Ok(()),
        Some(enc) => {
            let family = &enc[..6];
            Err(Error::data(
                path,
                None,
                None,
                format!(
                    "file is {enc} text (it starts with a {family} byte-order mark); expected UTF-8: convert it first, e.g. `iconv -f {family} -t UTF-8`"
                ),
            ))
        }
    }
}

/// Reads an article: its document id (the file name) and its text, UTF-8,
/// or with `lossy` any invalid UTF-8 sequence replaced by U+FFFD (so the
/// byte offsets of extracted quotes are offsets into the repaired text).
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Data`] if it is
/// empty, UTF-16 or UTF-32 (by its byte-order mark), binary (NUL bytes),
/// or, without `lossy`, not UTF-8 (naming the line and byte).
pub fn read_article_with(path: &Path, lossy: bool) -> Result<(String, String)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::data(
            path,
            None,
            None,
            "article is empty; expected article text",
        ));
    }
    refuse_wide(path, &bytes)?;
    if bytes.contains(&0) {
        return Err(Error::data(
            path,
            None,
            None,
            "article looks binary (NUL bytes); expected UTF-8 text",
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) if lossy => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            return Err(Error::data(
                path,
                Some(line),
                None,
                format!("invalid UTF-8 at byte {at}; expected UTF-8 text (or pass --lossy)"),
            ));
        }
    };
    let doc = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((doc, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_name_their_encoding() {
        assert_eq!(wide_bom(b"\xFF\xFEa\x00"), Some("UTF-16LE"));
        assert_eq!(wide_bom(b"\xFE\xFF\x00a"), Some("UTF-16BE"));
        assert_eq!(wide_bom(b"\xFF\xFE\x00\x00a\x00\x00\x00"), Some("UTF-32LE"));
        assert_eq!(wide_bom(b"\x00\x00\xFE\xFF"), Some("UTF-32BE"));
        assert_eq!(wide_bom(b"\xEF\xBB\xBFtext"), None);
        assert_eq!(wide_bom(b"text"), None);
        let e = refuse_wide(Path::new("a.csv"), b"\xFF\xFEt\x00").unwrap_err();
        assert!(
            e.to_string().contains("a.csv: file is UTF-16LE text")
                && e.to_string().contains("iconv -f UTF-16 -t UTF-8"),
            "{e}"
        );
    }

    #[test]
    fn lossy_articles_replace_bad_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"Se\xf1or Ruiz said no.\n").unwrap();
        let e = read_article_with(&p, false).unwrap_err();
        assert!(e.to_string().contains("invalid UTF-8 at byte 2"), "{e}");
        let (doc, text) = read_article_with(&p, true).unwrap();
        assert_eq!(
            (doc.as_str(), text.as_str()),
            ("a.txt", "Se\u{FFFD}or Ruiz said no.\n")
        );
        std::fs::write(&p, b"\xFF\xFEa\x00b\x00").unwrap();
        let e = read_article_with(&p, true).unwrap_err();
        assert!(e.to_string().contains("UTF-16LE"), "{e}");
    }
}
