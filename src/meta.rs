//! The article manifest (`--meta F`): one row per article with its
//! publication date and outlet, so that quotes and actor estimates can be
//! grouped by week, month or outlet ([`By`]).
//!
//! The manifest is a CSV with the columns `doc,date,outlet,url,title`
//! (`doc` required and unique; the others may be empty). `doc` is the
//! article's id as the other inputs spell it (the file name for raw
//! articles, the `doc` column of a quotes file). `date` is an ISO 8601
//! calendar date, `YYYY-MM-DD`. A malformed row is an error naming the
//! file, row and column; so is a quote whose document is not in the
//! manifest ([`Manifest::check_docs`]).
//!
//! Periods: `week` is the ISO 8601 week (`2025-W09`, weeks start on
//! Monday and belong to the year of their Thursday), `month` is
//! `YYYY-MM`, `outlet` the outlet as written; an article without a date
//! (or an outlet) falls in the period [`UNKNOWN_PERIOD`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{Error, Result};

/// The period of an article without the field a grouping needs.
pub const UNKNOWN_PERIOD: &str = "unknown";

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 1..=9999.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

impl Date {
    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// ISO weekday, Monday 1 to Sunday 7.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        ((self.days() + 3).rem_euclid(7) + 1) as u32
    }

    /// The ISO 8601 week-numbering year and week.
    pub fn iso_week(self) -> (i32, u32) {
        let jan1 = Date {
            year: self.year,
            month: 1,
            day: 1,
        };
        let ordinal = self.days() - jan1.days() + 1;
        let week = (ordinal - i64::from(self.weekday()) + 10) / 7;
        let weeks_in = |y: i32| {
            // A year has 53 weeks when it starts on a Thursday, or on a
            // Wednesday in a leap year.
            let wd = Date {
                year: y,
                month: 1,
                day: 1,
            }
            .weekday();
            if wd == 4 || (wd == 3 && is_leap(y)) {
                53
            } else {
                52
            }
        };
        if week < 1 {
            (self.year - 1, weeks_in(self.year - 1))
        } else if week > i64::from(weeks_in(self.year)) {
            (self.year + 1, 1)
        } else {
            (self.year, week as u32)
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = String;

    /// Parses `YYYY-MM-DD`.
    fn from_str(s: &str) -> std::result::Result<Date, String> {
        let bad = || format!("'{s}' is not an ISO date; expected YYYY-MM-DD, e.g. 2025-08-08");
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> std::result::Result<u32, String> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let year = year as i32;
        if year == 0 || !(1..=12).contains(&month) {
            return Err(bad());
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(format!(
                "'{s}': day {day} does not exist in {year:04}-{month:02}; expected a real calendar date"
            ));
        }
        Ok(Date { year, month, day })
    }
}

/// One article of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleMeta {
    /// Publication date, if stated.
    pub date: Option<Date>,
    /// Outlet, if stated.
    pub outlet: Option<String>,
    /// Address, if known.
    pub url: Option<String>,
    /// Title, if known.
    pub title: Option<String>,
}

/// How to group quotes in time or by source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// ISO week, `YYYY-Www`.
    Week,
    /// Calendar month, `YYYY-MM`.
    Month,
    /// The outlet.
    Outlet,
}

impl FromStr for By {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<By, String> {
        match s.to_ascii_lowercase().as_str() {
            "week" => Ok(By::Week),
            "month" => Ok(By::Month),
            "outlet" => Ok(By::Outlet),
            _ => Err(format!("'{s}': expected week|month|outlet")),
        }
    }
}

impl fmt::Display for By {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            By::Week => "week",
            By::Month => "month",
            By::Outlet => "outlet",
        })
    }
}

/// The articles of a manifest, by `doc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Where it was read from.
    pub path: PathBuf,
    /// The articles, sorted by doc.
    pub articles: BTreeMap<String, ArticleMeta>,
}

#[derive(serde::Deserialize)]
struct Row {
    doc: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    outlet: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl Manifest {
    /// Reads the manifest at `path`.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read; [`Error::Data`] naming the row
    /// and column for a missing `doc` column, an empty or repeated `doc`,
    /// or a date that is not `YYYY-MM-DD`.
    pub fn read(path: &Path) -> Result<Manifest> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Manifest::from_bytes(path, &bytes)
    }

    /// Parses a manifest; `path` names it in errors.
    ///
    /// # Errors
    /// As [`Manifest::read`].
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Manifest> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut rdr = csv::Reader::from_reader(bytes);
        let headers = rdr
            .headers()
            .map_err(|e| Error::data(path, Some(1), None, e.to_string()))?
            .clone();
        if !headers.iter().any(|h| h == "doc") {
            return Err(Error::data(
                path,
                Some(1),
                Some("doc"),
                "no 'doc' column; expected the header doc,date,outlet,url,title",
            ));
        }
        let mut articles = BTreeMap::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line());
                Error::data(path, line, None, format!("malformed row: {e}"))
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            let row: Row = rec
                .deserialize(Some(&headers))
                .map_err(|e| Error::data(path, Some(line), None, format!("malformed row: {e}")))?;
            let doc = row.doc.trim().to_owned();
            if doc.is_empty() {
                return Err(Error::data(
                    path,
                    Some(line),
                    Some("doc"),
                    "empty doc; expected the article's id",
                ));
            }
            let date = match non_empty(row.date) {
                Some(d) => Some(
                    d.parse::<Date>()
                        .map_err(|m| Error::data(path, Some(line), Some("date"), m))?,
                ),
                None => None,
            };
            let meta = ArticleMeta {
                date,
                outlet: non_empty(row.outlet),
                url: non_empty(row.url),
                title: non_empty(row.title),
            };
            if articles.insert(doc.clone(), meta).is_some() {
                return Err(Error::data(
                    path,
                    Some(line),
                    Some("doc"),
                    format!("doc '{doc}' is listed twice; expected one row per article"),
                ));
            }
        }
        Ok(Manifest {
            path: path.to_owned(),
            articles,
        })
    }

    /// The article `doc`, if listed.
    pub fn get(&self, doc: &str) -> Option<&ArticleMeta> {
        self.articles.get(doc)
    }

    /// Checks that every quote's document is listed: `docs` gives each
    /// quote's document and where it came from (file and row, for the
    /// error).
    ///
    /// # Errors
    /// [`Error::Data`] naming the first quote whose document is missing
    /// or not in the manifest.
    pub fn check_docs<'a>(
        &self,
        docs: impl IntoIterator<Item = (Option<&'a str>, &'a Path, Option<u64>)>,
    ) -> Result<()> {
        for (doc, source, row) in docs {
            match doc {
                None => {
                    return Err(Error::data(
                        source,
                        row,
                        Some("doc"),
                        format!(
                            "no doc; --meta {} needs the article of every quote",
                            self.path.display()
                        ),
                    ))
                }
                Some(d) if !self.articles.contains_key(d) => {
                    return Err(Error::data(
                        source,
                        row,
                        Some("doc"),
                        format!(
                            "unknown doc '{d}': not in the manifest {}",
                            self.path.display()
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The period of article `doc` under `by` ([`UNKNOWN_PERIOD`] when
    /// the article or its field is missing).
    pub fn period(&self, doc: Option<&str>, by: By) -> String {
        let meta = doc.and_then(|d| self.get(d));
        let period = match by {
            By::Week => meta.and_then(|m| m.date).map(|d| {
                let (y, w) = d.iso_week();
                format!("{y:04}-W{w:02}")
            }),
            By::Month => meta
                .and_then(|m| m.date)
                .map(|d| format!("{:04}-{:02}", d.year, d.month)),
            By::Outlet => meta.and_then(|m| m.outlet.clone()),
        };
        period.unwrap_or_else(|| UNKNOWN_PERIOD.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn dates_parse_strictly_and_know_their_iso_week() {
        assert_eq!(d("2025-08-08").to_string(), "2025-08-08");
        assert_eq!(d("1970-01-01").days(), 0);
        assert_eq!(d("2000-03-01").days(), 11_017);
        assert_eq!(d("2025-08-08").weekday(), 5, "a Friday");
        // ISO weeks at year ends (known answers).
        assert_eq!(d("2025-08-08").iso_week(), (2025, 32));
        assert_eq!(d("2021-01-03").iso_week(), (2020, 53));
        assert_eq!(d("2024-12-30").iso_week(), (2025, 1));
        assert_eq!(d("2026-12-31").iso_week(), (2026, 53));
        assert_eq!(d("2027-01-01").iso_week(), (2026, 53));
        assert_eq!(d("2024-02-29").month, 2);
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-8-8",
            "08/08/2025",
            "2025-00-10",
            "abcd-ef-gh",
            "",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        let e = "2025-02-30".parse::<Date>().unwrap_err();
        assert!(e.contains("day 30 does not exist in 2025-02"), "{e}");
    }

    #[test]
    fn a_manifest_reads_and_gives_periods() {
        let csv = "doc,date,outlet,url,title\na.txt,2025-08-08,Wire,,\nb.txt,,\"Daily, The\",http://x,\"T\"\n";
        let m = Manifest::from_bytes(Path::new("m.csv"), csv.as_bytes()).unwrap();
        assert_eq!(m.articles.len(), 2);
        assert_eq!(m.period(Some("a.txt"), By::Week), "2025-W32");
        assert_eq!(m.period(Some("a.txt"), By::Month), "2025-08");
        assert_eq!(m.period(Some("a.txt"), By::Outlet), "Wire");
        assert_eq!(m.period(Some("b.txt"), By::Month), UNKNOWN_PERIOD);
        assert_eq!(m.period(Some("b.txt"), By::Outlet), "Daily, The");
        assert_eq!(m.period(None, By::Outlet), UNKNOWN_PERIOD);
        assert_eq!(m.get("b.txt").unwrap().url.as_deref(), Some("http://x"));
        let src = Path::new("q.csv");
        m.check_docs([(Some("a.txt"), src, Some(2))]).unwrap();
        let e = m
            .check_docs([(Some("a.txt"), src, Some(2)), (Some("c.txt"), src, Some(3))])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "q.csv row 3, column 'doc': unknown doc 'c.txt': not in the manifest m.csv"
        );
        let e = m.check_docs([(None, src, Some(4))]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("q.csv row 4, column 'doc': no doc"),
            "{e}"
        );
        assert_eq!("Month".parse::<By>(), Ok(By::Month));
        assert!("year".parse::<By>().is_err());
    }

    #[test]
    fn bad_manifests_name_the_row() {
        let read = |s: &str| {
            Manifest::from_bytes(Path::new("m.csv"), s.as_bytes())
                .unwrap_err()
                .to_string()
        };
        let e = read("doc,date\na.txt,2025-08-08\nb.txt,2025-8-9\n");
        assert!(
            e.starts_with("m.csv row 3, column 'date': '2025-8-9' is not an ISO date"),
            "{e}"
        );
        let e = read("doc,date\na.txt,2025-02-30\n");
        assert!(
            e.starts_with("m.csv row 2, column 'date': '2025-02-30': day 30"),
            "{e}"
        );
        let e = read("doc,date\na.txt,\na.txt,\n");
        assert!(
            e.starts_with("m.csv row 3, column 'doc': doc 'a.txt' is listed twice"),
            "{e}"
        );
        let e = read("doc,date\n,2025-01-01\n");
        assert!(e.starts_with("m.csv row 2, column 'doc': empty doc"), "{e}");
        let e = read("name,date\na,2025-01-01\n");
        assert!(
            e.starts_with("m.csv row 1, column 'doc': no 'doc' column"),
            "{e}"
        );
    }
}
