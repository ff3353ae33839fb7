//! CSV tables built in memory, the one way the crate writes CSV: an
//! explicit header, then one serde row a line, through [`csv::Writer`]
//! (fields with a comma, a quote or a line break are quoted).
//!
//! Numbers that reports show with a fixed number of decimals are written
//! through [`Fixed`], so that a row struct says how each column looks.

use serde::Serialize;

use crate::error::{Error, Result};

/// A float written with `D` decimals (`Fixed::<4>(0.5)` is `0.5000`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed<const D: usize>(pub f64);

impl<const D: usize> Serialize for Fixed<D> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:.*}", D, self.0))
    }
}

/// A CSV table being built: the header is written first, so a table
/// without rows still has it.
#[derive(Debug)]
pub struct Table {
    name: &'static str,
    writer: csv::Writer<Vec<u8>>,
}

impl Table {
    /// Starts the table `name` (the report's file name, for errors) with
    /// its header.
    ///
    /// # Errors
    /// [`Error::Report`] if the header cannot be written.
    pub fn new<H: AsRef<[u8]>>(
        name: &'static str,
        header: impl IntoIterator<Item = H>,
    ) -> Result<Table> {
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        writer
            .write_record(header)
            .map_err(|e| report_error(name, e))?;
        Ok(Table { name, writer })
    }

    /// Appends one row: a struct (its fields in header order), a tuple or
    /// a sequence, flattened into fields.
    ///
    /// # Errors
    /// [`Error::Report`] if the row does not serialise as CSV fields.
    pub fn row(&mut self, row: &impl Serialize) -> Result<()> {
        let name = self.name;
        self.writer
            .serialize(row)
            .map_err(|e| report_error(name, e))
    }

    /// The CSV text.
    ///
    /// # Errors
    /// [`Error::Report`] if the rows do not make UTF-8 text.
    pub fn finish(self) -> Result<String> {
        let name = self.name;
        let bytes = self
            .writer
            .into_inner()
            .map_err(|e| report_error(name, e.error()))?;
        String::from_utf8(bytes).map_err(|e| report_error(name, e))
    }
}

fn report_error(name: &'static str, e: impl std::fmt::Display) -> Error {
    Error::report(name, format!("cannot write CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row<'a> {
        name: &'a str,
        n: usize,
        score: Fixed<4>,
        p: Option<Fixed<2>>,
    }

    #[test]
    fn quotes_only_what_needs_it_and_keeps_the_header() {
        let mut t = Table::new("t.csv", ["name", "n", "score", "p"]).unwrap();
        t.row(&Row {
            name: "a",
            n: 1,
            score: Fixed(0.5),
            p: None,
        })
        .unwrap();
        t.row(&Row {
            name: "b, \"c\"\nd",
            n: 2,
            score: Fixed(1.0 / 3.0),
            p: Some(Fixed(0.126)),
        })
        .unwrap();
        assert_eq!(
            t.finish().unwrap(),
            "name,n,score,p\na,1,0.5000,\n\"b, \"\"c\"\"\nd\",2,0.3333,0.13\n"
        );
        let empty = Table::new("e.csv", ["x", "y"]).unwrap();
        assert_eq!(empty.finish().unwrap(), "x,y\n");
    }
}
