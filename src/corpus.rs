//! Reading labelled and unlabelled quote files into a [`Corpus`].
//!
//! Input is CSV with a header (required `text`, and `stance` when labels are
//! needed; optional `id`, `doc`, `actor`, `target`), or the SemEval-2016
//! Task 6 tab-separated format. Every problem is reported with the file, the
//! 1-based line and the column, and what was expected. A UTF-8 byte-order
//! mark and CRLF (or CR) line endings are accepted.
//!
//! [`Corpus::read`] reads a whole file; [`for_each_block`] reads the same
//! rows, with the same checks and errors, in bounded blocks (for streamed
//! featurizing). Both parse through one row parser.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::label::Stance;

/// One quote sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Row id (the `id` column, or `row<line>` when the file has none).
    pub id: String,
    /// Source document, if given.
    pub doc: Option<String>,
    /// Speaker id, if given.
    pub actor: Option<String>,
    /// Stance target (SemEval), if given.
    pub target: Option<String>,
    /// The sentence.
    pub text: String,
    /// Hand label, if the file has a `stance` column.
    pub stance: Option<Stance>,
    /// Byte span of the text in its document (`start`,`end` columns), if given.
    pub span: Option<(usize, usize)>,
    /// 1-based line of the row in its file (the header is line 1).
    pub line: u64,
}

/// A set of examples read from one file.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Where the examples came from.
    pub path: PathBuf,
    /// The examples in file order.
    pub examples: Vec<Example>,
}

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// CSV with a header row.
    #[default]
    Csv,
    /// SemEval-2016 Task 6: `ID<TAB>Target<TAB>Tweet<TAB>Stance` with a header.
    Semeval,
}

/// How to read a file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// The file format.
    pub format: Format,
    /// Require a `stance` value on every row.
    pub require_stance: bool,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    pub lossy: bool,
}

impl Corpus {
    /// Reads a file from disk.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read, [`Error::Data`] naming the
    /// row and column for any malformed content.
    pub fn read(path: &Path, opts: ReadOptions) -> Result<Corpus> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Corpus::from_bytes(path, &bytes, opts)
    }

    /// Parses file content; `path` is used in error messages only.
    ///
    /// # Errors
    /// See [`Corpus::read`].
    pub fn from_bytes(path: &Path, bytes: &[u8], opts: ReadOptions) -> Result<Corpus> {
        crate::io::text::refuse_wide(path, bytes)?;
        let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(empty_file(path));
        }
        let mut rows = RowParser::new(path, opts);
        let mut examples = Vec::new();
        parse_records(path, bytes, opts.format, 1, true, |record, line| {
            examples.extend(rows.parse(record, line)?);
            Ok(())
        })?;
        if examples.is_empty() {
            return Err(no_rows(path));
        }
        check_unique_ids(path, &examples)?;
        Ok(Corpus {
            path: path.to_owned(),
            examples,
        })
    }

    /// Reads a labelled file. With `skip_unlabelled`, rows whose stance is
    /// empty are left out and counted (the second value); without it they
    /// are an error naming the row, as any row without a label.
    /// `opts.require_stance` is ignored (labels are required).
    ///
    /// # Errors
    /// As [`Corpus::read`]; with `skip_unlabelled`, [`Error::Data`] when no
    /// row is labelled (every stance empty, or no `stance` column).
    pub fn read_labelled(
        path: &Path,
        opts: ReadOptions,
        skip_unlabelled: bool,
    ) -> Result<(Corpus, usize)> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Corpus::labelled_from_bytes(path, &bytes, opts, skip_unlabelled)
    }

    /// As [`Corpus::read_labelled`], on file content (`path` names it in
    /// errors).
    ///
    /// # Errors
    /// See [`Corpus::read_labelled`].
    pub fn labelled_from_bytes(
        path: &Path,
        bytes: &[u8],
        opts: ReadOptions,
        skip_unlabelled: bool,
    ) -> Result<(Corpus, usize)> {
        let opts = ReadOptions {
            require_stance: !skip_unlabelled,
            ..opts
        };
        let mut c = Corpus::from_bytes(path, bytes, opts)?;
        let before = c.examples.len();
        c.examples.retain(|e| e.stance.is_some());
        if c.examples.is_empty() {
            return Err(Error::data(
                path,
                None,
                Some("stance"),
                format!(
                    "no labelled rows: all {before} rows have an empty stance (or there is no stance column); expected favor|against|none"
                ),
            ));
        }
        let skipped = before - c.examples.len();
        Ok((c, skipped))
    }

    /// The hand labels, in example order.
    ///
    /// # Errors
    /// [`Error::Data`] naming the first row without a label.
    pub fn labels(&self) -> Result<Vec<Stance>> {
        self.examples
            .iter()
            .map(|e| {
                e.stance.ok_or_else(|| {
                    Error::data(
                        &self.path,
                        Some(e.line),
                        Some("stance"),
                        "missing stance; expected favor|against|none",
                    )
                })
            })
            .collect()
    }

    /// The texts, in example order.
    pub fn texts(&self) -> Vec<&str> {
        self.examples.iter().map(|e| e.text.as_str()).collect()
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.examples.len()
    }

    /// True when there are no examples (never the case for a read corpus).
    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }
}

/// Column names of one format: (text, stance, id, doc, actor, target).
struct Columns {
    text: &'static str,
    stance: &'static str,
    id: &'static str,
    doc: Option<&'static str>,
    actor: Option<&'static str>,
    target: &'static str,
}

const CSV_COLUMNS: Columns = Columns {
    text: "text",
    stance: "stance",
    id: "id",
    doc: Some("doc"),
    actor: Some("actor"),
    target: "target",
};

const SEMEVAL_COLUMNS: Columns = Columns {
    text: "tweet",
    stance: "stance",
    id: "id",
    doc: None,
    actor: None,
    target: "target",
};

/// Calls `f` with the rows of the file at `path`, about `block_bytes` of
/// the file at a time: their texts and their stances (`None` where the
/// file has no `stance` column or the value is blank). A block always ends
/// at a row end; a row longer than `block_bytes` makes a larger block.
/// Returns the number of rows.
///
/// Every row is read and checked as [`Corpus::read`] does, with the same
/// errors, whatever the block size; only the duplicate-id check of
/// [`Corpus::read`] is not made, as it would hold every id in memory.
///
/// Memory: one block of the file plus its rows' texts.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Data`] naming the
/// row and column of the first malformed content (rows before it have
/// been given to `f`); any error `f` returns (which stops the reading).
pub fn for_each_block(
    path: &Path,
    block_bytes: usize,
    opts: ReadOptions,
    mut f: impl FnMut(&[String], &[Option<Stance>]) -> Result<()>,
) -> Result<u64> {
    let block_bytes = block_bytes.max(1);
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut rows = RowParser::new(path, opts);
    let (mut texts, mut stances) = (Vec::new(), Vec::new());
    let mut buf: Vec<u8> = Vec::new();
    // 1-based line number of the first byte in `buf`.
    let mut line_no = 1u64;
    let (mut eof, mut at_start) = (false, true);
    // Read at least a BOM's length first, to strip one.
    let mut want = block_bytes.max(crate::io::text::WIDE_BOM_BYTES);
    let mut n = 0u64;
    loop {
        eof = eof
            || crate::io::lines::fill(&mut file, &mut buf, want).map_err(|e| Error::io(path, e))?;
        if std::mem::take(&mut at_start) {
            crate::io::text::refuse_wide(path, &buf)?;
            if buf.starts_with(BOM) {
                buf.drain(..BOM.len());
            }
        }
        // Before the header, only a file of white space is "empty".
        let blank = rows.header.is_none() && buf.iter().all(u8::is_ascii_whitespace);
        let used = if blank && eof {
            return Err(empty_file(path));
        } else if blank {
            0
        } else {
            parse_records(path, &buf, opts.format, line_no, eof, |record, line| {
                if let Some(e) = rows.parse(record, line)? {
                    texts.push(e.text);
                    stances.push(e.stance);
                }
                Ok(())
            })?
        };
        if !texts.is_empty() {
            f(&texts, &stances)?;
            n += texts.len() as u64;
            texts.clear();
            stances.clear();
        }
        if eof {
            break;
        }
        line_no += line_breaks(&buf, 0, used);
        buf.drain(..used);
        // A row longer than the block (or a header after white space): read on.
        want = if used == 0 {
            buf.len() + block_bytes.max(buf.len())
        } else {
            block_bytes
        };
    }
    if n == 0 {
        return Err(no_rows(path));
    }
    Ok(n)
}

/// The UTF-8 byte-order mark, skipped at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn empty_file(path: &Path) -> Error {
    Error::data(path, None, None, "file is empty; expected a header row")
}

fn no_rows(path: &Path) -> Error {
    Error::data(path, None, None, "file has a header but no rows")
}

impl Format {
    /// The field delimiter and the column names of the format.
    fn layout(self) -> (u8, &'static Columns) {
        match self {
            Format::Csv => (b',', &CSV_COLUMNS),
            Format::Semeval => (b'\t', &SEMEVAL_COLUMNS),
        }
    }
}

/// Parses the records of `bytes`, which starts at a record boundary on
/// line `first_line`, calling `f` with each record and its 1-based line.
/// Returns how many bytes were parsed: all of them if `eof`; otherwise a
/// record that reaches the end of `bytes` may be cut short, so it is left
/// for the next call, which starts at the returned offset.
fn parse_records(
    path: &Path,
    bytes: &[u8],
    format: Format,
    first_line: u64,
    eof: bool,
    mut f: impl FnMut(&csv::ByteRecord, u64) -> Result<()>,
) -> Result<usize> {
    let (delimiter, _) = format.layout();
    // Field counts are checked against the header by `RowParser`, so that
    // a call need not start at the header.
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .quoting(delimiter == b',')
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    // The csv crate miscounts lines after CRLF; count newlines ourselves.
    let mut lines = LineCounter {
        byte: 0,
        newlines: first_line - 1,
    };
    loop {
        let more = rdr.read_byte_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| lines.line_at(bytes, p.byte()));
            Error::data(path, line, None, format!("malformed CSV: {e}"))
        })?;
        if !more {
            // A CR that ends the bytes may be half of a CRLF: leave it to the
            // next call, so that the pair is counted as one line break.
            let cut = !eof && bytes.ends_with(b"\r");
            return Ok(bytes.len() - usize::from(cut));
        }
        let start = record.position().map_or(0, |p| p.byte());
        if !eof && rdr.position().byte() >= bytes.len() as u64 {
            return Ok(start as usize);
        }
        f(&record, lines.line_at(bytes, start))?;
    }
}

/// Where each column of a checked header is.
struct Header {
    /// The number of fields, which every row must have.
    width: usize,
    text: usize,
    stance: Option<usize>,
    id: Option<usize>,
    doc: Option<usize>,
    actor: Option<usize>,
    target: Option<usize>,
    span: Option<(usize, usize)>,
}

/// Turns the records of one file, in order, into examples: the first
/// record is the header.
struct RowParser<'a> {
    path: &'a Path,
    opts: ReadOptions,
    cols: &'static Columns,
    header: Option<Header>,
}

impl<'a> RowParser<'a> {
    fn new(path: &'a Path, opts: ReadOptions) -> Self {
        RowParser {
            path,
            opts,
            cols: opts.format.layout().1,
            header: None,
        }
    }

    /// The example of `record` (on line `line`), or `None` for the header.
    fn parse(&mut self, record: &csv::ByteRecord, line: u64) -> Result<Option<Example>> {
        match &self.header {
            Some(h) => self.example(h, record, line).map(Some),
            None => {
                self.header = Some(self.header(record)?);
                Ok(None)
            }
        }
    }

    fn header(&self, headers: &csv::ByteRecord) -> Result<Header> {
        let (path, opts, cols) = (self.path, self.opts, self.cols);
        if !opts.lossy {
            for (i, h) in headers.iter().enumerate() {
                if let Err(e) = std::str::from_utf8(h) {
                    return Err(Error::data(
                        path,
                        Some(1),
                        None,
                        format!(
                            "invalid UTF-8 in the header, column {} at byte {}; expected UTF-8 column names (or pass --lossy)",
                            i + 1,
                            e.valid_up_to()
                        ),
                    ));
                }
            }
        }
        let names: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_lowercase())
            .collect();
        // One pass with a set: a header may have a great many columns.
        let mut seen = std::collections::HashSet::with_capacity(names.len());
        for n in &names {
            if !n.is_empty() && !seen.insert(n.as_str()) {
                return Err(Error::data(
                    path,
                    Some(1),
                    Some(n),
                    "column appears twice in the header; expected unique column names",
                ));
            }
        }
        let find = |name: &str| names.iter().position(|h| h.eq_ignore_ascii_case(name));
        let text = find(cols.text).ok_or_else(|| {
            Error::data(
                path,
                Some(1),
                None,
                format!("missing '{}' column in the header", cols.text),
            )
        })?;
        let stance = find(cols.stance);
        if opts.require_stance && stance.is_none() {
            return Err(Error::data(
                path,
                Some(1),
                None,
                format!("missing '{}' column in the header", cols.stance),
            ));
        }
        let id = find(cols.id);
        if opts.format == Format::Semeval && id.is_none() {
            // SemEval predictions are matched by ID, never by line position.
            return Err(Error::data(
                path,
                Some(1),
                None,
                "missing 'ID' column in the header",
            ));
        }
        Ok(Header {
            width: names.len(),
            text,
            stance,
            id,
            doc: cols.doc.and_then(find),
            actor: cols.actor.and_then(find),
            target: find(cols.target),
            span: find("start").zip(find("end")),
        })
    }

    fn example(&self, h: &Header, record: &csv::ByteRecord, line: u64) -> Result<Example> {
        let (path, opts, cols) = (self.path, self.opts, self.cols);
        if record.len() != h.width {
            // Only a quoted field holds a line break: one that runs over
            // many lines, in a row that is short of fields, is most likely
            // a quote never closed.
            let spanned = record
                .iter()
                .map(|f| f.iter().filter(|&&b| b == b'\n').count())
                .max()
                .unwrap_or(0);
            let hint = if spanned > 0 && record.len() < h.width {
                format!(
                    "; a quoted field of the row that starts on line {line} runs over {} lines: is its closing quote missing?",
                    spanned + 1
                )
            } else {
                String::new()
            };
            return Err(Error::data(
                path,
                Some(line),
                None,
                format!(
                    "row has {} fields; expected {} like the header{hint}",
                    record.len(),
                    h.width
                ),
            ));
        }
        let field = |i: usize, name: &str| -> Result<String> {
            let raw = record.get(i).unwrap_or_default();
            match std::str::from_utf8(raw) {
                Ok(s) => Ok(s.to_owned()),
                Err(_) if opts.lossy => Ok(String::from_utf8_lossy(raw).into_owned()),
                Err(e) => Err(Error::data(
                    path,
                    Some(line),
                    Some(name),
                    format!(
                        "invalid UTF-8 at byte {} of the field; expected UTF-8 text (or pass --lossy)",
                        e.valid_up_to()
                    ),
                )),
            }
        };
        let text = field(h.text, cols.text)?;
        if text.trim().is_empty() {
            return Err(Error::data(
                path,
                Some(line),
                Some(cols.text),
                "empty text; expected a sentence",
            ));
        }
        let stance = match h.stance {
            None => None,
            Some(c) => {
                let raw = field(c, cols.stance)?;
                if raw.trim().is_empty() && !opts.require_stance {
                    None
                } else if raw.trim().is_empty() {
                    return Err(Error::data(
                        path,
                        Some(line),
                        Some(cols.stance),
                        format!(
                            "empty stance (row id '{}' is not labelled yet); expected favor|against|none, or --skip-unlabelled to leave such rows out",
                            h.id
                                .and_then(|i| record.get(i))
                                .map(|v| String::from_utf8_lossy(v).trim().to_owned())
                                .filter(|v| !v.is_empty())
                                .unwrap_or_else(|| format!("row{line}"))
                        ),
                    ));
                } else {
                    Some(raw.parse::<Stance>().map_err(|e| {
                        Error::data(path, Some(line), Some(cols.stance), e.to_string())
                    })?)
                }
            }
        };
        let optional = |c: Option<usize>, name: &str| -> Result<Option<String>> {
            match c {
                None => Ok(None),
                Some(i) => {
                    let v = field(i, name)?;
                    Ok((!v.trim().is_empty()).then(|| v.trim().to_owned()))
                }
            }
        };
        let id = optional(h.id, cols.id)?.unwrap_or_else(|| format!("row{line}"));
        let span = match h.span {
            None => None,
            Some((a, b)) => {
                let num = |c: usize, name: &str| -> Result<usize> {
                    let v = field(c, name)?;
                    v.trim().parse().map_err(|_| {
                        Error::data(
                            path,
                            Some(line),
                            Some(name),
                            format!("'{v}' is not a byte offset; expected a whole number"),
                        )
                    })
                };
                let (s, e) = (num(a, "start")?, num(b, "end")?);
                if s >= e {
                    return Err(Error::data(
                        path,
                        Some(line),
                        Some("end"),
                        format!("end {e} is not after start {s}"),
                    ));
                }
                Some((s, e))
            }
        };
        Ok(Example {
            id,
            doc: optional(h.doc, "doc")?,
            actor: optional(h.actor, "actor")?,
            target: optional(h.target, cols.target)?,
            text,
            stance,
            span,
            line,
        })
    }
}

/// 1-based line numbers of byte offsets, for offsets visited in order.
struct LineCounter {
    byte: usize,
    /// Newlines before `byte` (plus those before the counted bytes).
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], byte: u64) -> u64 {
        let mut byte = (byte as usize).clamp(self.byte, bytes.len());
        // A record's position can point at the line break before it.
        while byte < bytes.len() && (bytes[byte] == b'\n' || bytes[byte] == b'\r') {
            byte += 1;
        }
        self.newlines += line_breaks(bytes, self.byte, byte);
        self.byte = byte;
        self.newlines + 1
    }
}

/// The line breaks in `bytes[from..to]`: `\n`, `\r\n` and a lone `\r`
/// (as the csv crate ends records), each counted once; a `\r` at `to - 1`
/// followed by `\n` is left to the `\n`.
fn line_breaks(bytes: &[u8], from: usize, to: usize) -> u64 {
    let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    (from..to)
        .filter(|&i| bytes[i] == b'\n' || lone_cr(i))
        .count() as u64
}

fn check_unique_ids(path: &Path, examples: &[Example]) -> Result<()> {
    let mut seen: HashMap<&str, u64> = HashMap::with_capacity(examples.len());
    for e in examples {
        if let Some(first) = seen.insert(&e.id, e.line) {
            return Err(Error::data(
                path,
                Some(e.line),
                Some("id"),
                format!(
                    "duplicate id '{}' (first on row {first}); expected unique ids",
                    e.id
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str, require: bool) -> Result<Corpus> {
        Corpus::from_bytes(
            Path::new("t.csv"),
            s.as_bytes(),
            ReadOptions {
                require_stance: require,
                ..Default::default()
            },
        )
    }

    #[test]
    fn reads_bom_crlf_and_quoted_fields() {
        let c = read(
            "\u{feff}id,text,stance\r\na,\"Hi, there\",FAVOR\r\nb,No.,none\r\n",
            true,
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.examples[0].text, "Hi, there");
        assert_eq!(c.labels().unwrap(), vec![Stance::Favor, Stance::None]);
        assert_eq!(c.examples[1].line, 3);
    }

    #[test]
    fn cr_only_line_endings_count_as_lines() {
        // Old Mac files end lines with a lone CR: each row is its own line
        // (the ids `row<line>` are distinct), and errors name the right one.
        let c = read(
            "text,stance\r\"a b\",favor\r\"c\rd\",against\re,none\r",
            true,
        )
        .unwrap();
        let lines: Vec<u64> = c.examples.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 5]);
        assert_eq!(c.examples[1].id, "row3");
        let e = read("text,stance\rok,favor\r\nbad,pro\r", true).unwrap_err();
        assert!(
            e.to_string().starts_with("t.csv row 3, column 'stance'"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_row_and_column() {
        let e = read("text,stance\nok,favor\nbad,pro\n", true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv row 3, column 'stance': unknown stance 'pro'; expected favor|against|none"
        );
        let e = read("text,label\nok,favor\n", true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv row 1: missing 'stance' column in the header"
        );
        let e = read("text,stance\n  ,favor\n", true).unwrap_err();
        assert!(
            e.to_string().contains("row 2, column 'text': empty text"),
            "{e}"
        );
        let e = read("text,stance\na,favor,x\n", true).unwrap_err();
        assert!(
            e.to_string()
                .contains("row 2: row has 3 fields; expected 2"),
            "{e}"
        );
        let e = read("id,text,stance\n1,a,favor\n1,b,none\n", true).unwrap_err();
        assert!(
            e.to_string()
                .contains("row 3, column 'id': duplicate id '1'"),
            "{e}"
        );
        let e = read("text,stance\n", true).unwrap_err();
        assert_eq!(e.to_string(), "t.csv: file has a header but no rows");
        let e = read("text,stance,Text\na,favor,b\n", true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv row 1, column 'text': column appears twice in the header; expected unique column names"
        );
        let e = read("", true).unwrap_err();
        assert!(e.to_string().contains("file is empty"), "{e}");
    }

    #[test]
    fn invalid_utf8_fails_or_is_replaced() {
        let bytes = b"text,stance\nab\xffc,favor\n";
        let e = Corpus::from_bytes(
            Path::new("t.csv"),
            bytes,
            ReadOptions {
                require_stance: true,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("row 2, column 'text': invalid UTF-8"),
            "{e}"
        );
        let c = Corpus::from_bytes(
            Path::new("t.csv"),
            bytes,
            ReadOptions {
                require_stance: true,
                lossy: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.examples[0].text, "ab\u{fffd}c");
    }

    /// Issue 16 row 13: UTF-16 files, bad UTF-8 in the header and an
    /// unterminated quote say what is wrong.
    #[test]
    fn encodings_header_bytes_and_open_quotes_are_named() {
        let opts = ReadOptions::default();
        let utf16: Vec<u8> = "\u{feff}text,stance\na,favor\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let e = Corpus::from_bytes(Path::new("t.csv"), &utf16, opts).unwrap_err();
        assert!(
            e.to_string().starts_with("t.csv: file is UTF-16LE text"),
            "{e}"
        );
        let e = Corpus::from_bytes(Path::new("t.csv"), b"te\xffxt,stance\na,favor\n", opts)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("row 1: invalid UTF-8 in the header, column 1 at byte 2"),
            "{e}"
        );
        let e = read(
            "id,text,stance\n1,\"open quote,favor\n2,b,none\n3,c,none\n",
            true,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains(
                "row 2: row has 2 fields; expected 3 like the header; a quoted field of the row that starts on line 2 runs over 4 lines"
            ),
            "{e}"
        );
    }

    /// Issue 16 row 14: a header of 200,000 columns is read in one pass
    /// (the duplicate check was quadratic: 36 s).
    #[test]
    fn a_very_wide_header_is_read() {
        let n = 200_000;
        let mut s = String::from("text,stance");
        for i in 0..n {
            s.push_str(&format!(",c{i}"));
        }
        s.push_str("\na,favor");
        s.push_str(&",".repeat(n));
        s.push('\n');
        let c = read(&s, true).unwrap();
        assert_eq!(c.examples[0].text, "a");
        let dup = s.replacen(",c199999", ",c0", 1);
        let e = read(&dup, true).unwrap_err();
        assert!(
            e.to_string().contains("column 'c0': column appears twice"),
            "{e}"
        );
    }

    #[test]
    fn unlabelled_rows_are_allowed_when_not_required() {
        let c = read("text\nhello\n", false).unwrap();
        assert_eq!(c.examples[0].stance, None);
        assert!(c.labels().is_err());
    }

    /// A block of rows: (text, stance).
    type Block = Vec<(String, Option<Stance>)>;

    /// The rows of `for_each_block` on `content`, one vec per block.
    fn blocks(content: &[u8], block: usize, opts: ReadOptions) -> Result<Vec<Block>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, content).unwrap();
        let mut out = Vec::new();
        let n = for_each_block(&path, block, opts, |texts, stances| {
            assert_eq!(texts.len(), stances.len());
            out.push(texts.iter().cloned().zip(stances.iter().copied()).collect());
            Ok(())
        })
        .map_err(|e| match e {
            Error::Data {
                row,
                column,
                message,
                ..
            } => Error::data("t.csv", row, column.as_deref(), message),
            e => e,
        })?;
        assert_eq!(n, out.iter().map(Vec::len).sum::<usize>() as u64);
        Ok(out)
    }

    #[test]
    fn blocks_read_the_rows_and_errors_of_the_whole_file() {
        let good: &[&[u8]] = &[
            b"\xEF\xBB\xBFid,text,stance\r\na,\"Hi, there\",FAVOR\r\nb,\"two\r\nlines, \"\"q\"\"\",none\r\n\r\nc,x,\r\n",
            b"\n\ntext\none\n\n\"multi\nline\ntext\"\nlast without newline",
            b"text,stance,start,end\nab,against,0,2\ncd,,3,5\n",
            b"stance,text\r\nnone,\"\r\n\"\"quoted\"\" start\"\r\nfavor,end\r",
        ];
        let bad: &[&[u8]] = &[
            b"",
            b" \r\n \n",
            b"\xEF\xBB\xBF\n",
            b"text,stance\n",
            b"text,label\nx,y\n",
            b"text,stance,Text\na,favor,b\n",
            b"text,stance\nok,favor\n\"long\nquoted\",none\nbad,pro\n",
            b"text,stance\r\nok,favor\r\nfine,none\r\na,favor,x\r\n",
            b"text,stance\nok,favor\nfine,none\nab\xffc,favor\n",
            b"text,stance\nok,favor\n  ,none\n",
            b"text,start,end\na,0,1\nb,2,x\n",
            // CRLF blank lines and lone CRs, cut at every offset by some
            // block size: the error's line must not depend on the cut.
            b"text,stance\r\nok,none\r\n\r\nold\rmac,favor\r\r\nbad,pro\r\n",
        ];
        let opts = ReadOptions::default();
        for content in good.iter().chain(bad) {
            let whole = Corpus::from_bytes(Path::new("t.csv"), content, opts);
            for block in (1..=content.len()).chain([64, 1 << 20]) {
                let got = blocks(content, block, opts);
                match (&whole, got) {
                    (Ok(c), Ok(b)) => {
                        assert!(b.iter().all(|r| !r.is_empty()), "{block}: {b:?}");
                        let rows: Vec<_> = c
                            .examples
                            .iter()
                            .map(|e| (e.text.clone(), e.stance))
                            .collect();
                        assert_eq!(b.concat(), rows, "block {block}");
                    }
                    (Err(w), Err(b)) => assert_eq!(b.to_string(), w.to_string(), "block {block}"),
                    (w, b) => panic!("block {block}: whole {w:?}, blocks {b:?}"),
                }
            }
        }
        assert_eq!(blocks(good[0], 1 << 20, opts).unwrap().len(), 1);
        assert!(blocks(good[0], 1, opts).unwrap().len() > 1);
    }

    #[test]
    fn reads_semeval_tsv() {
        let s = "ID\tTarget\tTweet\tStance\n101\tAtheism\tGod is good \"really\"\tAGAINST\n";
        let c = Corpus::from_bytes(
            Path::new("s.txt"),
            s.as_bytes(),
            ReadOptions {
                format: Format::Semeval,
                require_stance: true,
                lossy: false,
            },
        )
        .unwrap();
        assert_eq!(c.examples[0].id, "101");
        assert_eq!(c.examples[0].target.as_deref(), Some("Atheism"));
        assert_eq!(c.examples[0].text, "God is good \"really\"");
        assert_eq!(c.examples[0].stance, Some(Stance::Against));
    }

    #[test]
    fn unlabelled_rows_are_named_or_skipped_and_counted() {
        let csv = "id,text,stance\nq1,one,favor\nq2,two,\nq3,three,none\nq4,four, \n";
        let path = Path::new("t.csv");
        let e = Corpus::labelled_from_bytes(path, csv.as_bytes(), ReadOptions::default(), false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.csv")
                && e.contains("row 3")
                && e.contains("'q2' is not labelled")
                && e.contains("--skip-unlabelled"),
            "{e}"
        );
        let (c, skipped) =
            Corpus::labelled_from_bytes(path, csv.as_bytes(), ReadOptions::default(), true)
                .unwrap();
        assert_eq!(skipped, 2);
        let ids: Vec<&str> = c.examples.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["q1", "q3"]);
        let none = "id,text,stance\nq1,one,\n";
        let e = Corpus::labelled_from_bytes(path, none.as_bytes(), ReadOptions::default(), true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no labelled rows"), "{e}");
        // A bad label is still an error when skipping.
        let bad = "id,text,stance\nq1,one,pro\n";
        assert!(
            Corpus::labelled_from_bytes(path, bad.as_bytes(), ReadOptions::default(), true)
                .is_err()
        );
    }
}
