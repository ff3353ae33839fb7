//! The hand labels are data people audit: every row must be traceable to
//! its article, and actors.csv must follow from quotes.csv by the guide's
//! actor-level rule.

use std::collections::HashSet;

use stance::eval::actors::{actor_counts, actors_csv};
use stance::Stance;

use crate::util::{parse_csv, repo};

#[test]
fn every_quote_is_the_exact_byte_slice_of_its_article() {
    let (h, rows) = parse_csv(&std::fs::read_to_string(repo().join("labels/quotes.csv")).unwrap());
    assert_eq!(h, ["id", "doc", "start", "end", "actor", "text", "stance"]);
    assert!((80..=100).contains(&rows.len()), "{} rows", rows.len());
    let mut ids = HashSet::new();
    for r in &rows {
        let (id, doc, start, end, actor, text, stance) =
            (&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]);
        assert!(ids.insert(id.clone()), "duplicate id {id}");
        let article = std::fs::read(repo().join("seeds").join(doc))
            .unwrap_or_else(|e| panic!("{id}: {doc}: {e}"));
        let (s, e): (usize, usize) = (start.parse().unwrap(), end.parse().unwrap());
        assert!(s < e && e <= article.len(), "{id}: bad span {s}..{e}");
        assert_eq!(
            &article[s..e],
            text.as_bytes(),
            "{id}: text is not seeds/{doc}[{s}..{e}]"
        );
        assert_eq!(text.trim(), text, "{id}: untrimmed text");
        assert!(
            !actor.is_empty()
                && actor
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{id}: actor id '{actor}'"
        );
        assert_eq!(
            stance.parse::<Stance>().unwrap().as_str(),
            stance,
            "{id}: stance '{stance}'"
        );
    }
    // All five articles are labelled.
    let docs: HashSet<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(docs.len(), 5);
}

#[test]
fn actors_csv_follows_from_quotes_by_the_guide_rule() {
    let (_, rows) = parse_csv(&std::fs::read_to_string(repo().join("labels/quotes.csv")).unwrap());
    let counts = actor_counts(
        rows.iter()
            .map(|r| (r[4].as_str(), r[6].parse::<Stance>().unwrap())),
    );
    let derived = actors_csv(&counts).unwrap();
    let stored = std::fs::read_to_string(repo().join("labels/actors.csv")).unwrap();
    assert_eq!(stored.replace("\r\n", "\n"), derived);
    // The case the project is about.
    assert_eq!(counts["claudia_sheinbaum"].stance().to_string(), "against");
    assert_eq!(counts["donald_trump"].stance().to_string(), "favor");
    assert_eq!(counts["marco_rubio"].stance().to_string(), "favor");
}

#[test]
fn seeds_are_the_shared_articles_and_labels_are_embedded() {
    let shared = repo().join("../shared/seeds");
    if shared.is_dir() {
        for e in std::fs::read_dir(&shared).unwrap() {
            let e = e.unwrap();
            let ours = std::fs::read(repo().join("seeds").join(e.file_name())).unwrap();
            assert_eq!(
                ours,
                std::fs::read(e.path()).unwrap(),
                "{:?} differs",
                e.file_name()
            );
        }
    }
    assert_eq!(
        stance::EMBEDDED_QUOTES,
        std::fs::read_to_string(repo().join("labels/quotes.csv")).unwrap()
    );
}
