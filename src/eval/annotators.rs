//! `stance agree`: reads the label files of several annotators, matches
//! their rows to the same quotes, and reports how far they agree
//! ([`crate::eval::agree`] computes the coefficients).
//!
//! # Matching
//!
//! Rows are matched by the first key every row of every file has:
//! 1. `id`, when every file has an `id` column with a value on every row;
//! 2. `(doc, start, end)`, when every row has a `doc` and a span;
//! 3. `(doc, text)`, the text with runs of white space made one space and
//!    trimmed (`doc` empty when a file has none).
//!
//! A key that appears twice in one file is an error naming both rows.
//! A quote that is not in every file is **unmatched**: it is counted and
//! listed ([`Matched::unmatched`]), and it still counts where the
//! coefficient allows missing values (Krippendorff's α, percent
//! agreement and Cohen's κ of the pairs that have it), never silently
//! dropped. A row with an empty stance is a missing value of its
//! annotator (counted in [`Matched::empty`]).
//!
//! # Label sets
//!
//! Every file uses the stance labels favor/against/none (any case); any
//! other value is an error naming the file, row and value. When files
//! carry a `target` column, a quote must have the same target in every
//! file that gives one: files of different targets are an error.
//!
//! # Outputs
//!
//! [`AgreeReport::summary`] (the lines `stance agree` prints),
//! `agreement.csv` ([`AgreeReport::agreement_csv`]), `pairs.csv`
//! ([`AgreeReport::pairs_csv`]), `disagreements.csv`
//! ([`AgreeReport::disagreements_csv`]) and `unmatched.csv`
//! ([`AgreeReport::unmatched_csv`]). Intervals are the seeded item
//! bootstrap of [`crate::eval::agree::bootstrap`], so the same files and
//! seed give byte-identical reports.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::corpus::{Corpus, Example, ReadOptions};
use crate::error::{Error, Result};
use crate::eval::agree::{
    self, BootstrapEstimate, PairConfusion, ReliabilityData, Statistic, SummaryRow,
};
use crate::io::table::{Fixed, Table};
use crate::label::Stance;

/// The report files of `stance agree --report-dir`.
pub const REPORT_FILES: [&str; 4] = [
    "agreement.csv",
    "pairs.csv",
    "disagreements.csv",
    "unmatched.csv",
];

/// How rows were matched across files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchBy {
    /// The `id` column.
    Id,
    /// `(doc, start, end)`.
    Span,
    /// `(doc, text)` after white-space normalisation.
    Text,
}

impl MatchBy {
    /// How the key is named in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchBy::Id => "id",
            MatchBy::Span => "doc,start,end",
            MatchBy::Text => "doc,text",
        }
    }
}

/// One quote of the matched files.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The quote's id in the first file that has it.
    pub id: String,
    /// Its document, if given.
    pub doc: Option<String>,
    /// Its span, if given.
    pub span: Option<(usize, usize)>,
    /// Its text (as the first file that has it writes it).
    pub text: String,
    /// Per annotator: the line of the row in that file (`None`: not in it).
    pub lines: Vec<Option<u64>>,
    /// Per annotator: the stance given (`None`: not in the file or empty).
    pub labels: Vec<Option<Stance>>,
}

/// The annotators' files matched to common quotes.
#[derive(Debug, Clone)]
pub struct Matched {
    /// Annotator names (file stems, or file names when stems repeat).
    pub names: Vec<String>,
    /// The files, as given.
    pub paths: Vec<PathBuf>,
    /// The key used.
    pub by: MatchBy,
    /// The quotes, in the order of the first file, then the quotes new in
    /// each later file in its order.
    pub items: Vec<Item>,
    /// The items not in every file (indices into `items`).
    pub unmatched: Vec<usize>,
    /// Rows present with an empty stance, per annotator.
    pub empty: Vec<usize>,
    /// The codes, one row per annotator ([`Stance::index`] order).
    pub data: ReliabilityData,
}

/// White space runs made one space, trimmed.
pub fn normalise_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Distinct names for the files: stems, else file names, else the paths.
fn names(paths: &[PathBuf]) -> Result<Vec<String>> {
    let distinct = |v: &[String]| {
        let mut s = v.to_vec();
        s.sort();
        s.dedup();
        s.len() == v.len()
    };
    let by = |f: &dyn Fn(&Path) -> Option<String>| -> Vec<String> {
        paths
            .iter()
            .map(|p| f(p).unwrap_or_else(|| p.display().to_string()))
            .collect()
    };
    for v in [
        by(&|p| p.file_stem().map(|s| s.to_string_lossy().into_owned())),
        by(&|p| p.file_name().map(|s| s.to_string_lossy().into_owned())),
        by(&|p| Some(p.display().to_string())),
    ] {
        if distinct(&v) {
            return Ok(v);
        }
    }
    Err(Error::param(
        "FILES",
        "the same file is given twice; expected one file per annotator",
    ))
}

/// The header names of a CSV file's first line, lowercased.
fn header(path: &Path, bytes: &[u8]) -> Result<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rec = csv::ByteRecord::new();
    r.read_byte_record(&mut rec)
        .map_err(|e| Error::data(path, Some(1), None, format!("malformed CSV: {e}")))?;
    Ok(rec
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
        .collect())
}

/// The key of `e` under `by`.
fn key(by: MatchBy, e: &Example) -> String {
    match by {
        MatchBy::Id => e.id.clone(),
        MatchBy::Span => {
            let (s, t) = e.span.unwrap_or_default();
            format!("{}\u{1f}{s}\u{1f}{t}", e.doc.as_deref().unwrap_or_default())
        }
        MatchBy::Text => format!(
            "{}\u{1f}{}",
            e.doc.as_deref().unwrap_or_default(),
            normalise_space(&e.text)
        ),
    }
}

/// Reads and matches the files of `paths` (see the module doc).
///
/// # Errors
/// [`Error::Io`] / [`Error::Data`] for a file that cannot be read, an
/// unknown stance, a key repeated in one file, a quote with different
/// targets in two files, or when no quote is in two files;
/// [`Error::InvalidParam`] (`FILES`) for fewer than two files or the same
/// file twice.
pub fn match_files(paths: &[PathBuf], lossy: bool) -> Result<Matched> {
    if paths.len() < 2 {
        return Err(Error::param(
            "FILES",
            format!(
                "{} annotation file given; expected two or more",
                paths.len()
            ),
        ));
    }
    let names = names(paths)?;
    let opts = ReadOptions {
        lossy,
        ..ReadOptions::default()
    };
    let mut corpora = Vec::with_capacity(paths.len());
    let mut all_ids = true;
    for path in paths {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let cols = header(path, &bytes)?;
        if !cols.iter().any(|c| c == "stance") {
            return Err(Error::data(
                path,
                Some(1),
                None,
                "missing 'stance' column in the header; expected an annotated label file",
            ));
        }
        let corpus = Corpus::from_bytes(path, &bytes, opts)?;
        let has_ids = cols.iter().any(|c| c == "id")
            && corpus
                .examples
                .iter()
                .all(|e| e.id != format!("row{}", e.line));
        all_ids &= has_ids;
        corpora.push(corpus);
    }
    let all_rows = || corpora.iter().flat_map(|c| c.examples.iter());
    let by = if all_ids {
        MatchBy::Id
    } else if all_rows().all(|e| e.doc.is_some() && e.span.is_some()) {
        MatchBy::Span
    } else {
        MatchBy::Text
    };
    let m = paths.len();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut items: Vec<Item> = Vec::new();
    let mut targets: Vec<Option<(String, usize, u64)>> = Vec::new();
    let mut empty = vec![0usize; m];
    for (a, corpus) in corpora.iter().enumerate() {
        for e in &corpus.examples {
            let k = key(by, e);
            let u = *index.entry(k).or_insert_with(|| {
                items.push(Item {
                    id: e.id.clone(),
                    doc: e.doc.clone(),
                    span: e.span,
                    text: e.text.clone(),
                    lines: vec![None; m],
                    labels: vec![None; m],
                });
                targets.push(None);
                items.len() - 1
            });
            let item = &mut items[u];
            if let Some(first) = item.lines[a] {
                return Err(Error::data(
                    &corpus.path,
                    Some(e.line),
                    None,
                    format!(
                        "the same quote as row {first} (matched by {}); expected each quote once per file",
                        by.as_str()
                    ),
                ));
            }
            item.lines[a] = Some(e.line);
            item.labels[a] = e.stance;
            if e.stance.is_none() {
                empty[a] += 1;
            }
            if let Some(t) = &e.target {
                match &targets[u] {
                    None => targets[u] = Some((t.clone(), a, e.line)),
                    Some((t0, a0, l0)) if !t0.eq_ignore_ascii_case(t) => {
                        return Err(Error::data(
                            &corpus.path,
                            Some(e.line),
                            Some("target"),
                            format!(
                                "target '{t}', but {} row {l0} gives the same quote target '{t0}'; expected annotations of the same target",
                                paths[*a0].display()
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
    }
    let unmatched: Vec<usize> = (0..items.len())
        .filter(|&u| items[u].lines.iter().any(Option::is_none))
        .collect();
    let rows: Vec<Vec<Option<Stance>>> = (0..m)
        .map(|a| items.iter().map(|it| it.labels[a]).collect())
        .collect();
    if !items
        .iter()
        .any(|it| it.labels.iter().filter(|l| l.is_some()).count() >= 2)
    {
        let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::data(
            &paths[0],
            None,
            None,
            format!(
                "no quote is labelled in two of the files {} (matched by {}); expected files that label the same quotes",
                files.join(", "),
                by.as_str()
            ),
        ));
    }
    let data = ReliabilityData::from_stances(&rows).map_err(Error::from)?;
    Ok(Matched {
        names,
        paths: paths.to_vec(),
        by,
        items,
        unmatched,
        empty,
        data,
    })
}

/// Settings of the intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgreeSettings {
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Interval level.
    pub level: f64,
    /// Seed of the resamples.
    pub seed: u64,
}

/// Everything `stance agree` reports.
#[derive(Debug, Clone)]
pub struct AgreeReport {
    /// The matched files.
    pub matched: Matched,
    /// Every statistic with its interval ([`agree::summary`] order).
    pub rows: Vec<SummaryRow>,
    /// The confusion of every annotator pair `a < b`.
    pub confusions: Vec<PairConfusion>,
    /// The settings.
    pub settings: AgreeSettings,
}

/// `value` with 4 decimals, or empty.
fn est_fields(e: &agree::Result<BootstrapEstimate>) -> (String, String, String, usize, String) {
    match e {
        Ok(b) => (
            format!("{:.4}", b.point),
            format!("{:.4}", b.interval.lo),
            format!("{:.4}", b.interval.hi),
            b.units,
            if b.skipped > 0 {
                format!(
                    "{} of {} resamples undefined and left out",
                    b.skipped, b.resamples
                )
            } else {
                String::new()
            },
        ),
        Err(e) => (
            String::new(),
            String::new(),
            String::new(),
            0,
            e.to_string(),
        ),
    }
}

impl AgreeReport {
    /// Computes every statistic of `matched`.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] (`--resamples`) for 0 resamples.
    pub fn new(matched: Matched, settings: AgreeSettings) -> Result<AgreeReport> {
        if settings.resamples == 0 {
            return Err(Error::param("--resamples", "must be at least 1"));
        }
        let rows = agree::summary(
            &matched.data,
            settings.resamples,
            settings.level,
            settings.seed,
        );
        let confusions = agree::pair_confusions(&matched.data);
        Ok(AgreeReport {
            matched,
            rows,
            confusions,
            settings,
        })
    }

    /// The estimate of `stat`.
    pub fn estimate(&self, stat: Statistic) -> Option<&agree::Result<BootstrapEstimate>> {
        self.rows
            .iter()
            .find(|r| r.statistic == stat)
            .map(|r| &r.estimate)
    }

    /// The lines `stance agree` prints.
    pub fn summary(&self) -> String {
        let m = &self.matched;
        let n = m.data.annotators();
        let pct = (self.settings.level * 100.0).round();
        let complete = m.items.len() - m.unmatched.len();
        let mut s = format!(
            "agreement of {n} annotators on {} quotes (matched by {}): {complete} in every file, {} unmatched",
            m.items.len(),
            m.by.as_str(),
            m.unmatched.len()
        );
        let empty: usize = m.empty.iter().sum();
        if empty > 0 {
            let _ = write!(s, ", {empty} rows with an empty stance (missing values)");
        }
        s.push('\n');
        for (name, path) in m.names.iter().zip(&m.paths) {
            let _ = writeln!(s, "  {name}: {}", path.display());
        }
        let line = |s: &mut String,
                    label: &str,
                    e: Option<&agree::Result<BootstrapEstimate>>,
                    over: &str| {
            match e {
                Some(Ok(b)) => {
                    let _ = writeln!(
                        s,
                        "{label:<34} {:.4}  {pct}% CI [{:.4}, {:.4}]  ({} {} {over})",
                        b.point,
                        b.interval.lo,
                        b.interval.hi,
                        b.units,
                        if b.units == 1 { "quote" } else { "quotes" }
                    );
                }
                Some(Err(e)) => {
                    let _ = writeln!(s, "{label:<34} undefined: {e}");
                }
                None => {}
            }
        };
        line(
            &mut s,
            "percent agreement (mean pairwise)",
            self.estimate(Statistic::MeanPairwiseAgreement),
            "labelled by two or more",
        );
        if n > 2 {
            line(
                &mut s,
                "percent agreement (all agree)",
                self.estimate(Statistic::UnanimousAgreement),
                "labelled by all",
            );
        }
        for a in 0..n {
            for b in a + 1..n {
                line(
                    &mut s,
                    &format!("Cohen's kappa {} vs {}", m.names[a], m.names[b]),
                    self.estimate(Statistic::CohenKappa { a, b }),
                    "labelled by both",
                );
            }
        }
        line(
            &mut s,
            "Fleiss' kappa",
            self.estimate(Statistic::FleissKappa),
            "labelled by all",
        );
        line(
            &mut s,
            "Krippendorff's alpha (nominal)",
            self.estimate(Statistic::KrippendorffAlpha),
            "labelled by two or more",
        );
        s.push_str("per-class (specific) agreement:\n");
        for c in Stance::ALL {
            line(
                &mut s,
                &format!("  {c}"),
                self.estimate(Statistic::SpecificAgreement {
                    category: c.index(),
                }),
                "labelled by two or more",
            );
        }
        for pc in &self.confusions {
            let _ = writeln!(
                s,
                "confusion {} (rows) x {} (columns), {} quotes labelled by both:",
                m.names[pc.a],
                m.names[pc.b],
                pc.total()
            );
            let _ = writeln!(s, "  {:<9}{:>9}{:>9}{:>9}", "", "favor", "against", "none");
            for c in Stance::ALL {
                let r = &pc.counts[c.index()];
                let _ = writeln!(s, "  {:<9}{:>9}{:>9}{:>9}", c.as_str(), r[0], r[1], r[2]);
            }
        }
        if !m.unmatched.is_empty() {
            let _ = writeln!(s, "unmatched quotes (not in every file):");
            for &u in &m.unmatched {
                let _ = writeln!(s, "  {}", self.unmatched_line(u));
            }
        }
        s
    }

    /// `id …: in a (row 3); missing from b`.
    fn unmatched_line(&self, u: usize) -> String {
        let m = &self.matched;
        let it = &m.items[u];
        let mut inf = Vec::new();
        let mut missing = Vec::new();
        for (a, l) in it.lines.iter().enumerate() {
            match l {
                Some(l) => inf.push(format!("{} row {l}", m.names[a])),
                None => missing.push(m.names[a].clone()),
            }
        }
        format!(
            "{}: in {}; missing from {}",
            self.item_label(it),
            inf.join(", "),
            missing.join(", ")
        )
    }

    fn item_label(&self, it: &Item) -> String {
        match self.matched.by {
            MatchBy::Id => format!("id {}", it.id),
            MatchBy::Span => {
                let (a, b) = it.span.unwrap_or_default();
                format!("{} {a}-{b}", it.doc.as_deref().unwrap_or_default())
            }
            MatchBy::Text => {
                let t: String = it.text.chars().take(60).collect();
                format!("{} \"{t}\"", it.doc.as_deref().unwrap_or_default())
            }
        }
    }

    /// `agreement.csv`: `statistic,class,value,lo,hi,level,items,note`, one
    /// row per overall statistic and per class.
    ///
    /// # Errors
    /// [`Error::Report`] if a row cannot be written.
    pub fn agreement_csv(&self) -> Result<String> {
        let mut t = Table::new(
            "agreement.csv",
            [
                "statistic",
                "class",
                "value",
                "lo",
                "hi",
                "level",
                "items",
                "note",
            ],
        )?;
        for r in &self.rows {
            let (name, class) = match r.statistic {
                Statistic::MeanPairwiseAgreement => ("percent_agreement", ""),
                Statistic::UnanimousAgreement => ("unanimous_agreement", ""),
                Statistic::FleissKappa => ("fleiss_kappa", ""),
                Statistic::KrippendorffAlpha => ("krippendorff_alpha", ""),
                Statistic::SpecificAgreement { category } => (
                    "specific_agreement",
                    Stance::from_index(category).map_or("", Stance::as_str),
                ),
                _ => continue,
            };
            let (v, lo, hi, items, note) = est_fields(&r.estimate);
            t.row(&(
                name,
                class,
                v,
                lo,
                hi,
                Fixed::<2>(self.settings.level),
                items,
                note,
            ))?;
        }
        t.finish()
    }

    /// `pairs.csv`: per annotator pair `a < b`, the items both labelled,
    /// percent agreement and Cohen's κ with intervals, and the confusion
    /// counts `<a's label>_<b's label>`.
    ///
    /// # Errors
    /// [`Error::Report`] if a row cannot be written.
    pub fn pairs_csv(&self) -> Result<String> {
        let mut header: Vec<String> = [
            "annotator_a",
            "annotator_b",
            "items",
            "percent_agreement",
            "percent_agreement_lo",
            "percent_agreement_hi",
            "cohen_kappa",
            "cohen_kappa_lo",
            "cohen_kappa_hi",
            "note",
        ]
        .map(String::from)
        .to_vec();
        for c in Stance::ALL {
            for d in Stance::ALL {
                header.push(format!("{c}_{d}"));
            }
        }
        let mut t = Table::new("pairs.csv", &header)?;
        let names = &self.matched.names;
        for pc in &self.confusions {
            let (a, b) = (pc.a, pc.b);
            let none = Err(agree::AgreeError::NoCategories);
            let pa = est_fields(
                self.estimate(Statistic::PercentAgreement { a, b })
                    .unwrap_or(&none),
            );
            let k = est_fields(
                self.estimate(Statistic::CohenKappa { a, b })
                    .unwrap_or(&none),
            );
            let note = [pa.4.as_str(), k.4.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("; ");
            let mut row = vec![
                names[a].clone(),
                names[b].clone(),
                pc.total().to_string(),
                pa.0,
                pa.1,
                pa.2,
                k.0,
                k.1,
                k.2,
                note,
            ];
            row.extend(pc.counts.iter().flatten().map(ToString::to_string));
            t.row(&row)?;
        }
        t.finish()
    }

    /// `disagreements.csv`: every quote on which the labels given differ,
    /// `id,doc,start,end,text`, then each annotator's label (empty when
    /// missing), for adjudication.
    ///
    /// # Errors
    /// [`Error::Report`] if a row cannot be written.
    pub fn disagreements_csv(&self) -> Result<String> {
        let m = &self.matched;
        let fixed = ["id", "doc", "start", "end", "text"];
        let mut header: Vec<String> = fixed.map(String::from).to_vec();
        header.extend(m.names.iter().map(|n| {
            if fixed.contains(&n.as_str()) {
                format!("{n}_label")
            } else {
                n.clone()
            }
        }));
        let mut t = Table::new("disagreements.csv", &header)?;
        for d in agree::disagreements(&m.data) {
            let it = &m.items[d.item];
            let (s, e) = it.span.map_or((String::new(), String::new()), |(s, e)| {
                (s.to_string(), e.to_string())
            });
            let mut row = vec![
                it.id.clone(),
                it.doc.clone().unwrap_or_default(),
                s,
                e,
                it.text.clone(),
            ];
            row.extend(
                d.stances()
                    .iter()
                    .map(|s| s.map_or(String::new(), |s| s.as_str().to_owned())),
            );
            t.row(&row)?;
        }
        t.finish()
    }

    /// `unmatched.csv`: `id,doc,start,end,text,present_in,missing_from`
    /// (annotator names separated by `;`).
    ///
    /// # Errors
    /// [`Error::Report`] if a row cannot be written.
    pub fn unmatched_csv(&self) -> Result<String> {
        let m = &self.matched;
        let mut t = Table::new(
            "unmatched.csv",
            [
                "id",
                "doc",
                "start",
                "end",
                "text",
                "present_in",
                "missing_from",
            ],
        )?;
        for &u in &m.unmatched {
            let it = &m.items[u];
            let pick = |present: bool| {
                it.lines
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.is_some() == present)
                    .map(|(a, _)| m.names[a].as_str())
                    .collect::<Vec<_>>()
                    .join(";")
            };
            let (s, e) = it.span.map_or((None, None), |(s, e)| (Some(s), Some(e)));
            t.row(&(
                &it.id,
                it.doc.as_deref().unwrap_or_default(),
                s,
                e,
                &it.text,
                pick(true),
                pick(false),
            ))?;
        }
        t.finish()
    }

    /// The report files, named as [`REPORT_FILES`].
    ///
    /// # Errors
    /// [`Error::Report`] if a table cannot be written.
    pub fn files(&self) -> Result<Vec<(&'static str, String)>> {
        Ok(vec![
            (REPORT_FILES[0], self.agreement_csv()?),
            (REPORT_FILES[1], self.pairs_csv()?),
            (REPORT_FILES[2], self.disagreements_csv()?),
            (REPORT_FILES[3], self.unmatched_csv()?),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    const SETTINGS: AgreeSettings = AgreeSettings {
        resamples: 200,
        level: 0.95,
        seed: 1,
    };

    fn point(r: &AgreeReport, s: Statistic) -> f64 {
        r.estimate(s).unwrap().as_ref().unwrap().point
    }

    #[test]
    fn cohen_by_hand_through_files_matched_by_id() {
        // a vs b on 10 quotes: table rows a, columns b (favor, against, none)
        // [[3,1,0],[0,3,1],[0,0,2]]: p_o = 8/10, row sums 4,4,2, column
        // sums 3,4,3: p_e = (12+16+6)/100 = 0.34, κ = 0.46/0.66.
        let d = tempfile::tempdir().unwrap();
        let pairs = [
            ("favor", "favor"),
            ("favor", "favor"),
            ("favor", "favor"),
            ("favor", "against"),
            ("against", "against"),
            ("against", "against"),
            ("against", "against"),
            ("against", "none"),
            ("none", "none"),
            ("none", "none"),
        ];
        let mut a = String::from("id,text,stance\n");
        let mut b = String::from("stance,text,id\n");
        for (i, (x, _)) in pairs.iter().enumerate() {
            a.push_str(&format!("q{i},quote {i},{x}\n"));
        }
        // b in another order, another column order, other spacing in text.
        for (i, (_, y)) in pairs.iter().enumerate().rev() {
            b.push_str(&format!("{},quote  {i} ,q{i}\n", y.to_uppercase()));
        }
        let pa = write(d.path(), "ann.csv", &a);
        let pb = write(d.path(), "bob.csv", &b);
        let m = match_files(&[pa, pb], false).unwrap();
        assert_eq!(m.by, MatchBy::Id);
        assert_eq!(m.names, ["ann", "bob"]);
        assert!(m.unmatched.is_empty());
        let r = AgreeReport::new(m, SETTINGS).unwrap();
        let k = point(&r, Statistic::CohenKappa { a: 0, b: 1 });
        assert!((k - 0.46 / 0.66).abs() < 1e-12, "{k}");
        assert!((point(&r, Statistic::MeanPairwiseAgreement) - 0.8).abs() < 1e-12);
        let pairs_csv = r.pairs_csv().unwrap();
        assert!(pairs_csv.ends_with(",3,1,0,0,3,1,0,0,2\n"), "{pairs_csv}");
        assert!(pairs_csv.starts_with("annotator_a,annotator_b,items,percent_agreement,"));
        let dis = r.disagreements_csv().unwrap();
        assert_eq!(
            dis,
            "id,doc,start,end,text,ann,bob\nq3,,,,quote 3,favor,against\nq7,,,,quote 7,against,none\n"
        );
        let s = r.summary();
        for needle in [
            "percent agreement",
            "Cohen's kappa ann vs bob",
            "Fleiss' kappa",
            "Krippendorff's alpha",
            "95% CI [",
            "confusion ann (rows) x bob (columns)",
        ] {
            assert!(s.contains(needle), "{needle}: {s}");
        }
        // Same seed, same bytes.
        let again = AgreeReport::new(r.matched.clone(), SETTINGS).unwrap();
        assert_eq!(again.files().unwrap(), r.files().unwrap());
    }

    #[test]
    fn falls_back_to_spans_then_text_and_lists_unmatched_rows() {
        let d = tempfile::tempdir().unwrap();
        let a = write(
            d.path(),
            "a.csv",
            "doc,start,end,text,stance\nx.txt,0,5,One.,favor\nx.txt,6,10,Two.,none\nx.txt,11,20,Three.,against\n",
        );
        let b = write(
            d.path(),
            "b.csv",
            "id,doc,start,end,text,stance\nb1,x.txt,6,10,Two.,none\nb2,x.txt,0,5,One.,against\nb3,y.txt,0,4,Four.,none\n",
        );
        let m = match_files(&[a.clone(), b.clone()], false).unwrap();
        assert_eq!(m.by, MatchBy::Span);
        assert_eq!(m.items.len(), 4);
        assert_eq!(m.unmatched, [2, 3]);
        let r = AgreeReport::new(m, SETTINGS).unwrap();
        assert_eq!(
            r.unmatched_csv().unwrap(),
            "id,doc,start,end,text,present_in,missing_from\nrow4,x.txt,11,20,Three.,a,b\nb3,y.txt,0,4,Four.,b,a\n"
        );
        assert!(r
            .summary()
            .contains("x.txt 11-20: in a row 4; missing from b"));
        let c = write(d.path(), "c.csv", "doc,text,stance\nx.txt,  Two. ,favor\n");
        let m = match_files(&[a, b, c], false).unwrap();
        assert_eq!(m.by, MatchBy::Text);
        let two = m.items.iter().position(|i| i.text == "Two.").unwrap();
        assert_eq!(
            m.items[two].labels,
            [Some(Stance::None), Some(Stance::None), Some(Stance::Favor)]
        );
    }

    #[test]
    fn identical_files_give_one_and_file_order_does_not_matter() {
        let d = tempfile::tempdir().unwrap();
        let body = "id,text,stance\n1,a,favor\n2,b,against\n3,c,none\n4,d,favor\n";
        let a = write(d.path(), "a.csv", body);
        let b = write(d.path(), "b.csv", body);
        let r = AgreeReport::new(
            match_files(&[a.clone(), b.clone()], false).unwrap(),
            SETTINGS,
        )
        .unwrap();
        for s in [
            Statistic::KrippendorffAlpha,
            Statistic::FleissKappa,
            Statistic::CohenKappa { a: 0, b: 1 },
        ] {
            assert_eq!(point(&r, s), 1.0);
        }
        let c = write(
            d.path(),
            "c.csv",
            "id,text,stance\n1,a,against\n2,b,against\n4,d,none\n3,c,none\n",
        );
        let fwd = AgreeReport::new(
            match_files(&[a.clone(), b.clone(), c.clone()], false).unwrap(),
            SETTINGS,
        )
        .unwrap();
        let rev = AgreeReport::new(match_files(&[c, b, a], false).unwrap(), SETTINGS).unwrap();
        for s in [Statistic::KrippendorffAlpha, Statistic::FleissKappa] {
            assert!((point(&fwd, s) - point(&rev, s)).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_inputs_are_clear_errors() {
        let d = tempfile::tempdir().unwrap();
        let a = write(d.path(), "a.csv", "id,text,stance\n1,a,favor\n2,b,none\n");
        let unknown = write(d.path(), "u.csv", "id,text,stance\n1,a,pro\n");
        let e = match_files(&[a.clone(), unknown], false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("u.csv row 2") && e.contains("'pro'"), "{e}");
        let other = write(d.path(), "o.csv", "id,text,stance\n7,x,favor\n8,y,none\n");
        let e = match_files(&[a.clone(), other], false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no quote is labelled in two"), "{e}");
        let dup = write(d.path(), "d.csv", "id,text,stance\n1,a,favor\n1,a,none\n");
        let e = match_files(&[a.clone(), dup], false)
            .unwrap_err()
            .to_string();
        // Repeated ids are the reader's error; a repeated span is ours.
        assert!(
            e.contains("d.csv row 3") && e.contains("duplicate id"),
            "{e}"
        );
        let s1 = write(
            d.path(),
            "s1.csv",
            "doc,start,end,text,stance\nx,0,3,a,favor\n",
        );
        let s2 = write(
            d.path(),
            "s2.csv",
            "doc,start,end,text,stance\nx,0,3,a,favor\nx,0,3,a again,none\n",
        );
        let e = match_files(&[s1, s2], false).unwrap_err().to_string();
        assert!(
            e.contains("s2.csv row 3") && e.contains("same quote as row 2"),
            "{e}"
        );
        let t1 = write(
            d.path(),
            "t1.csv",
            "id,target,text,stance\n1,cartels,a,favor\n",
        );
        let t2 = write(
            d.path(),
            "t2.csv",
            "id,target,text,stance\n1,tariffs,a,favor\n",
        );
        let e = match_files(&[t1, t2], false).unwrap_err().to_string();
        assert!(
            e.contains("t2.csv row 2, column 'target'") && e.contains("'cartels'"),
            "{e}"
        );
        let nost = write(d.path(), "n.csv", "id,text\n1,a\n");
        let e = match_files(&[a.clone(), nost], false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing 'stance' column"), "{e}");
        assert!(matches!(
            match_files(std::slice::from_ref(&a), false),
            Err(Error::InvalidParam { .. })
        ));
        assert!(matches!(
            match_files(&[a.clone(), a], false),
            Err(Error::InvalidParam { .. })
        ));
    }
}
