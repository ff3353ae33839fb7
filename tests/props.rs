//! Property tests: no input makes the tokenizer, the CSV reader, the
//! featurizer, the metrics or the fold planner panic or break their
//! invariants.

use std::path::Path;

use proptest::prelude::*;
use stance::corpus::{Corpus, Format, ReadOptions};
use stance::eval::metrics::{ConfusionMatrix, Metric, ZeroDivision};
use stance::eval::split::{group_duplicates, plan, CvScheme};
use stance::features::FeaturizerParams;
use stance::text::{for_each_token, TokenizerKind};
use stance::Stance;

fn stance_strategy() -> impl Strategy<Value = Stance> {
    (0usize..3).prop_map(|i| Stance::ALL[i])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tokens_are_ordered_non_empty_slices(s in any::<String>(), tweet in any::<bool>()) {
        let kind = if tweet { TokenizerKind::Tweet } else { TokenizerKind::Words };
        let mut last = 0;
        for_each_token(&s, kind, |t, a, b| {
            assert!(a >= last && a < b && t == &s[a..b]);
            last = b;
        });
    }

    #[test]
    fn csv_reader_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400), lossy in any::<bool>(), tsv in any::<bool>()) {
        let opts = ReadOptions { format: if tsv { Format::Semeval } else { Format::Csv }, require_stance: true, lossy };
        if let Ok(c) = Corpus::from_bytes(Path::new("fuzz.csv"), &bytes, opts) {
            prop_assert!(!c.is_empty());
            prop_assert!(c.labels().is_ok());
        }
    }

    #[test]
    fn csv_reader_on_csv_shaped_text(rows in proptest::collection::vec(("[a-z ,\"\n]{0,12}", "(favor|AGAINST|none|pro|)"), 0..8)) {
        let mut s = String::from("text,stance\n");
        for (t, l) in &rows {
            s.push_str(&format!("\"{}\",{l}\n", t.replace('"', "\"\"")));
        }
        let _ = Corpus::from_bytes(Path::new("q.csv"), s.as_bytes(), ReadOptions { require_stance: true, ..Default::default() });
    }

    #[test]
    fn csv_blocks_give_the_rows_and_errors_of_the_whole_file(
        header in 0usize..4,
        rows in proptest::collection::vec((
            "[ab][ab ,\t\"\r\n]{0,8}",
            "(favor|AGAINST|none)",
            "(\n|\r\n|\n\n|\r\n\r\n)",
            0usize..100,
        ), 0..12),
        bom in any::<bool>(), block in 1usize..40, lossy in any::<bool>(), require in any::<bool>(),
    ) {
        // Mostly well-formed rows; the last number picks a rare flaw.
        let (names, tsv): (&[&str], bool) = [
            (&["text"][..], false),
            (&["text", "stance"][..], false),
            (&["stance", "text", "doc"][..], false),
            (&["ID", "Target", "Tweet", "Stance"][..], true),
        ][header];
        let opts = ReadOptions { format: if tsv { Format::Semeval } else { Format::Csv }, require_stance: require, lossy };
        let delim = if tsv { b'\t' } else { b',' };
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend_from_slice(names.join(if tsv { "\t" } else { "," }).as_bytes());
        bytes.push(b'\n');
        for (i, (text, stance, end, flaw)) in rows.iter().enumerate() {
            let stance = match flaw {
                3 => "pro",
                4 => " ",
                _ => stance,
            };
            let text = if flaw == &5 { " " } else { text };
            let text = if tsv {
                text.replace(['\t', '\r', '\n'], "_")
            } else {
                format!("\"{}\"", text.replace('"', "\"\""))
            };
            for (j, name) in names.iter().enumerate() {
                if j > 0 {
                    bytes.push(delim);
                }
                match name.to_lowercase().as_str() {
                    "text" | "tweet" => bytes.extend_from_slice(text.as_bytes()),
                    "stance" => bytes.extend_from_slice(stance.as_bytes()),
                    "id" => bytes.extend_from_slice(format!("{i}").as_bytes()),
                    _ => bytes.push(b'x'),
                }
            }
            match flaw {
                0 => bytes.push(delim),
                1 => bytes.extend_from_slice(b"\xff"),
                2 => bytes.push(b'"'),
                6 => bytes.push(b'\r'),
                _ => {}
            }
            bytes.extend_from_slice(end.as_bytes());
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, &bytes).unwrap();
        let mut got = Vec::new();
        let streamed = stance::corpus::for_each_block(&path, block, opts, |texts, stances| {
            got.extend(texts.iter().cloned().zip(stances.iter().copied()));
            Ok(())
        });
        match Corpus::from_bytes(&path, &bytes, opts) {
            Ok(c) => {
                prop_assert_eq!(streamed.unwrap(), c.len() as u64);
                let whole: Vec<_> = c.examples.into_iter().map(|e| (e.text, e.stance)).collect();
                prop_assert_eq!(got, whole);
            }
            // Duplicate ids are the one check the stream skips.
            Err(e) if e.to_string().contains("duplicate id") => {}
            Err(e) => prop_assert_eq!(streamed.unwrap_err().to_string(), e.to_string()),
        }
    }

    #[test]
    fn featurized_rows_have_unit_or_zero_norm(texts in proptest::collection::vec("[a-e ]{0,20}", 1..12), probe in "[a-f ]{0,30}") {
        let f = match FeaturizerParams::default().ngram_range(1, 2).check().unwrap().fit(&texts) {
            Ok(f) => f,
            Err(_) => return Ok(()), // all texts empty: no vocabulary, a clear error
        };
        let x = f.transform(&[probe]);
        let norm: f64 = x.row(0).1.iter().map(|v| v * v).sum::<f64>().sqrt();
        prop_assert!(norm == 0.0 || (norm - 1.0).abs() < 1e-9);
    }

    #[test]
    fn metrics_are_within_unit_interval(pairs in proptest::collection::vec((stance_strategy(), stance_strategy()), 0..50)) {
        let (g, p): (Vec<Stance>, Vec<Stance>) = pairs.into_iter().unzip();
        let m = ConfusionMatrix::new(&g, &p);
        for metric in Metric::ALL {
            for zd in [ZeroDivision::Zero, ZeroDivision::One] {
                let v = metric.of(&m, zd);
                prop_assert!((0.0..=1.0).contains(&v), "{metric:?} {v}");
            }
        }
    }

    #[test]
    fn kfold_partitions_and_keeps_duplicates_together(
        items in proptest::collection::vec(("[a-c]{1,3}( [a-c]{1,3}){0,3}", stance_strategy()), 4..40),
        k in 2usize..5,
        seed in any::<u64>(),
    ) {
        let (texts, labels): (Vec<String>, Vec<Stance>) = items.into_iter().unzip();
        let groups = group_duplicates(&texts);
        let docs = vec![None; texts.len()];
        let Ok(folds) = plan(CvScheme::KFold(k), &docs, &labels, &groups, seed) else { return Ok(()) };
        let mut seen = vec![0; texts.len()];
        for f in &folds {
            for &i in &f.test {
                seen[i] += 1;
                // No member of a test item's group is in training.
                prop_assert!(f.train.iter().all(|&j| groups[j] != groups[i]));
            }
        }
        prop_assert!(seen.iter().all(|&c| c == 1));
    }
}
