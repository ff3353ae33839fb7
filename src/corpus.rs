//! Reading labelled and unlabelled quote files into a [`Corpus`].
//!
//! Input is CSV with a header (required `text`, and `stance` when labels are
//! needed; optional `id`, `doc`, `actor`, `target`), or the SemEval-2016
//! Task 6 tab-separated format. Every problem is reported with the file, the
//! 1-based line and the column, and what was expected. A UTF-8 byte-order
//! mark and CRLF line endings are accepted.

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
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::data(
                path,
                None,
                None,
                "file is empty; expected a header row",
            ));
        }
        let examples = match opts.format {
            Format::Csv => read_rows(path, bytes, b',', opts, &CSV_COLUMNS)?,
            Format::Semeval => read_rows(path, bytes, b'\t', opts, &SEMEVAL_COLUMNS)?,
        };
        if examples.is_empty() {
            return Err(Error::data(
                path,
                None,
                None,
                "file has a header but no rows",
            ));
        }
        check_unique_ids(path, &examples)?;
        Ok(Corpus {
            path: path.to_owned(),
            examples,
        })
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

fn read_rows(
    path: &Path,
    bytes: &[u8],
    delimiter: u8,
    opts: ReadOptions,
    cols: &Columns,
) -> Result<Vec<Example>> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .quoting(delimiter == b',')
        .from_reader(bytes);
    let headers = rdr
        .byte_headers()
        .map_err(|e| csv_error(path, bytes, e))?
        .clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_lowercase())
        .collect();
    for (i, n) in names.iter().enumerate() {
        if !n.is_empty() && names[..i].contains(n) {
            return Err(Error::data(
                path,
                Some(1),
                Some(n),
                "column appears twice in the header; expected unique column names",
            ));
        }
    }
    let find = |name: &str| names.iter().position(|h| h.eq_ignore_ascii_case(name));
    let text_col = find(cols.text).ok_or_else(|| {
        Error::data(
            path,
            Some(1),
            None,
            format!("missing '{}' column in the header", cols.text),
        )
    })?;
    let stance_col = find(cols.stance);
    if opts.require_stance && stance_col.is_none() {
        return Err(Error::data(
            path,
            Some(1),
            None,
            format!("missing '{}' column in the header", cols.stance),
        ));
    }
    let id_col = find(cols.id);
    if opts.format == Format::Semeval && id_col.is_none() {
        // SemEval predictions are matched by ID, never by line position.
        return Err(Error::data(
            path,
            Some(1),
            None,
            "missing 'ID' column in the header",
        ));
    }
    let doc_col = cols.doc.and_then(find);
    let actor_col = cols.actor.and_then(find);
    let target_col = find(cols.target);
    let span_cols = find("start").zip(find("end"));

    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    // The csv crate miscounts lines after CRLF; count newlines ourselves.
    let mut lines = LineCounter::default();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(path, bytes, e)),
        }
        let line = lines.line_at(bytes, record.position().map_or(0, |p| p.byte()));
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
        let text = field(text_col, cols.text)?;
        if text.trim().is_empty() {
            return Err(Error::data(
                path,
                Some(line),
                Some(cols.text),
                "empty text; expected a sentence",
            ));
        }
        let stance = match stance_col {
            None => None,
            Some(c) => {
                let raw = field(c, cols.stance)?;
                if raw.trim().is_empty() && !opts.require_stance {
                    None
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
        let id = optional(id_col, cols.id)?.unwrap_or_else(|| format!("row{line}"));
        let span = match span_cols {
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
        out.push(Example {
            id,
            doc: optional(doc_col, "doc")?,
            actor: optional(actor_col, "actor")?,
            target: optional(target_col, cols.target)?,
            text,
            stance,
            span,
            line,
        });
    }
    Ok(out)
}

/// 1-based line numbers of byte offsets, for offsets visited in order.
#[derive(Default)]
struct LineCounter {
    byte: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], byte: u64) -> u64 {
        let mut byte = (byte as usize).min(bytes.len());
        // A record's position can point at the line break before it.
        while byte < bytes.len() && (bytes[byte] == b'\n' || bytes[byte] == b'\r') {
            byte += 1;
        }
        if byte < self.byte {
            *self = LineCounter::default();
        }
        self.newlines += bytes[self.byte..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.byte = byte;
        self.newlines + 1
    }
}

fn csv_error(path: &Path, bytes: &[u8], e: csv::Error) -> Error {
    let line = e
        .position()
        .map(|p| LineCounter::default().line_at(bytes, p.byte()));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields; expected {expected_len} like the header"),
        _ => format!("malformed CSV: {e}"),
    };
    Error::data(path, line, None, message)
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

    #[test]
    fn unlabelled_rows_are_allowed_when_not_required() {
        let c = read("text\nhello\n", false).unwrap();
        assert_eq!(c.examples[0].stance, None);
        assert!(c.labels().is_err());
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
}
