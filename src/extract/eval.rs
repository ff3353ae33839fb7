//! Evaluation of extracted quote spans against hand-labelled spans.
//!
//! A predicted span matches a gold span of the same document when their byte
//! spans overlap by at least half of the shorter span; pairs are matched
//! one-to-one, greedily by overlap. Reports precision, recall and F1 of quote
//! sentences and speaker accuracy (exact actor id) over matched pairs.

/// A labelled span of a document: gold or predicted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Document id.
    pub doc: String,
    /// Byte offset of the span start.
    pub start: usize,
    /// Byte offset one past the span end.
    pub end: usize,
    /// Actor id.
    pub actor: String,
}

/// A hand-labelled quote span.
pub type GoldSpan = Span;
/// A predicted quote span.
pub type PredSpan = Span;

/// Scores of an extraction run. Ratios with a zero denominator are 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExtractScores {
    /// Number of gold spans.
    pub gold: usize,
    /// Number of predicted spans.
    pub predicted: usize,
    /// Number of matched pairs.
    pub matched: usize,
    /// Matched pairs whose actor ids are equal.
    pub speaker_correct: usize,
    /// matched / predicted.
    pub precision: f64,
    /// matched / gold.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// speaker_correct / matched.
    pub speaker_accuracy: f64,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Score `predicted` against `gold` (see the module docs for the rules).
pub fn evaluate(gold: &[GoldSpan], predicted: &[PredSpan]) -> ExtractScores {
    let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (pi, p) in predicted.iter().enumerate() {
            if g.doc != p.doc {
                continue;
            }
            let overlap = g.end.min(p.end).saturating_sub(g.start.max(p.start));
            let shorter = g
                .end
                .saturating_sub(g.start)
                .min(p.end.saturating_sub(p.start));
            if overlap > 0 && overlap * 2 >= shorter {
                candidates.push((overlap, gi, pi));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut gold_used = vec![false; gold.len()];
    let mut pred_used = vec![false; predicted.len()];
    let (mut matched, mut speaker_correct) = (0, 0);
    for (_, gi, pi) in candidates {
        if gold_used[gi] || pred_used[pi] {
            continue;
        }
        gold_used[gi] = true;
        pred_used[pi] = true;
        matched += 1;
        if gold[gi].actor == predicted[pi].actor {
            speaker_correct += 1;
        }
    }
    let precision = ratio(matched, predicted.len());
    let recall = ratio(matched, gold.len());
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    ExtractScores {
        gold: gold.len(),
        predicted: predicted.len(),
        matched,
        speaker_correct,
        precision,
        recall,
        f1,
        speaker_accuracy: ratio(speaker_correct, matched),
    }
}

/// The gold spans of the documents `docs` only (so that scoring some
/// articles does not count every other labelled article's quotes as
/// missed), and the documents of `docs` that have no gold span, in the
/// order given.
pub fn gold_of_docs(gold: &[GoldSpan], docs: &[&str]) -> (Vec<GoldSpan>, Vec<String>) {
    let wanted: std::collections::HashSet<&str> = docs.iter().copied().collect();
    let labelled: std::collections::HashSet<&str> = gold.iter().map(|g| g.doc.as_str()).collect();
    let kept = gold
        .iter()
        .filter(|g| wanted.contains(g.doc.as_str()))
        .cloned()
        .collect();
    let mut absent: Vec<String> = Vec::new();
    for d in docs {
        if !labelled.contains(d) && !absent.iter().any(|a| a == d) {
            absent.push((*d).to_string());
        }
    }
    (kept, absent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{extract, Aliases};

    #[test]
    fn gold_is_restricted_to_the_documents_given() {
        let gold = [sp("a", 0, 5, "x"), sp("b", 0, 5, "y"), sp("a", 9, 12, "z")];
        let (kept, absent) = gold_of_docs(&gold, &["a", "c", "c"]);
        assert_eq!(kept, [sp("a", 0, 5, "x"), sp("a", 9, 12, "z")]);
        assert_eq!(absent, ["c"]);
        // A perfect extraction of one article scores 1, whatever else is labelled.
        let s = evaluate(&kept, &[sp("a", 0, 5, "x"), sp("a", 9, 12, "z")]);
        assert_eq!((s.precision, s.recall), (1.0, 1.0));
    }

    fn sp(doc: &str, start: usize, end: usize, actor: &str) -> Span {
        Span {
            doc: doc.into(),
            start,
            end,
            actor: actor.into(),
        }
    }

    #[test]
    fn overlap_rule_and_one_to_one_matching() {
        let gold = [
            sp("a", 0, 10, "x"),
            sp("a", 20, 30, "y"),
            sp("b", 0, 10, "z"),
        ];
        let pred = [
            sp("a", 0, 10, "x"),
            sp("a", 0, 4, "x"),
            sp("a", 24, 40, "q"),
            sp("b", 9, 30, "z"),
        ];
        let s = evaluate(&gold, &pred);
        // (a,0,10) matches exactly; (a,0,4) is left over; (a,24,40) overlaps 6 of shorter 10.
        assert_eq!(
            (s.matched, s.speaker_correct, s.gold, s.predicted),
            (2, 1, 3, 4)
        );
        assert!((s.precision - 0.5).abs() < 1e-12 && (s.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.speaker_accuracy - 0.5).abs() < 1e-12);
    }

    #[test]
    fn empty_inputs_score_zero() {
        let s = evaluate(&[], &[]);
        assert_eq!(
            (s.precision, s.recall, s.f1, s.speaker_accuracy),
            (0.0, 0.0, 0.0, 0.0)
        );
    }

    /// Runs the extractor over the seed articles; with the hand labels
    /// present (`labels/quotes.csv` in the crate, or the path in
    /// `STANCE_QUOTE_LABELS`) prints scores and asserts a floor.
    #[test]
    fn seed_articles_sanity() {
        let root = env!("CARGO_MANIFEST_DIR");
        let Ok(dir) = std::fs::read_dir(format!("{root}/seeds")) else {
            return;
        };
        let aliases = Aliases::embedded();
        let mut paths: Vec<_> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut pred = Vec::new();
        let mut texts = std::collections::BTreeMap::new();
        for p in &paths {
            let Ok(text) = std::fs::read_to_string(p) else {
                continue;
            };
            let doc = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let quotes = extract(&text, &aliases);
            assert!(!quotes.is_empty(), "no quotes found in {doc}");
            for q in quotes {
                pred.push(sp(&doc, q.start, q.end, &q.actor));
            }
            texts.insert(doc, text);
        }
        let labels = std::env::var("STANCE_QUOTE_LABELS")
            .unwrap_or_else(|_| format!("{root}/labels/quotes.csv"));
        let Ok(mut rdr) = csv::Reader::from_path(&labels) else {
            eprintln!(
                "seed sanity: {} predicted quotes; no labels at {labels}",
                pred.len()
            );
            return;
        };
        let headers = rdr.headers().cloned().unwrap_or_default();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(d), Some(s), Some(e), Some(a)) =
            (col("doc"), col("start"), col("end"), col("actor"))
        else {
            panic!("labels lack doc,start,end,actor columns");
        };
        let mut gold = Vec::new();
        for rec in rdr.records().flatten() {
            let doc = rec
                .get(d)
                .unwrap_or("")
                .trim_end_matches(".txt")
                .to_string();
            let start = rec.get(s).and_then(|v| v.parse().ok()).unwrap_or(0);
            let end = rec.get(e).and_then(|v| v.parse().ok()).unwrap_or(0);
            if texts.contains_key(&doc) {
                gold.push(sp(&doc, start, end, rec.get(a).unwrap_or("")));
            }
        }
        let scores = evaluate(&gold, &pred);
        eprintln!("seed sanity: {scores:?}");
        if std::env::var("STANCE_SEED_DEBUG").is_ok() {
            print_diff(&gold, &pred, &texts);
        }
        assert!(
            scores.recall >= 0.8 && scores.precision >= 0.75 && scores.speaker_accuracy >= 0.8,
            "{scores:?}"
        );
    }

    fn print_diff(
        gold: &[Span],
        pred: &[Span],
        texts: &std::collections::BTreeMap<String, String>,
    ) {
        let ov = |a: &Span, b: &Span| {
            a.doc == b.doc && {
                let o = a.end.min(b.end).saturating_sub(a.start.max(b.start));
                o > 0 && o * 2 >= (a.end - a.start).min(b.end - b.start)
            }
        };
        let txt = |s: &Span| {
            texts
                .get(&s.doc)
                .and_then(|t| t.get(s.start..s.end))
                .unwrap_or("?")
                .to_string()
        };
        for g in gold {
            match pred.iter().find(|p| ov(g, p)) {
                None => eprintln!("MISS  {} [{}] {}", g.doc, g.actor, txt(g)),
                Some(p) if p.actor != g.actor => eprintln!(
                    "ACTOR {} gold={} pred={} {}",
                    g.doc,
                    g.actor,
                    p.actor,
                    txt(g)
                ),
                _ => {}
            }
        }
        for p in pred {
            if !gold.iter().any(|g| ov(g, p)) {
                eprintln!("EXTRA {} [{}] {}", p.doc, p.actor, txt(p));
            }
        }
    }
}
