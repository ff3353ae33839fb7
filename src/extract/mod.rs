//! Quote extraction: finds the quote sentences of a raw news article and
//! their speakers, as byte spans with canonical actor ids.
//!
//! Pipeline: [`split_sentences`] → quotation regions per line → speaker
//! attribution per sentence (speech verbs, subjects, pronouns, roles, the
//! [`Aliases`] table) → continuation sentences of a multi-sentence quotation
//! inherit the speaker named elsewhere in it → [`Quote`] rows, as written by
//! `stance extract`. [`evaluate`] scores predicted spans against hand labels.

mod aliases;
mod countries;
mod error;
mod eval;
mod quotes;
mod sentences;
mod speaker;
mod steps;
mod tokens;
mod words;

pub use aliases::{actor_id, Aliases};
pub use error::ExtractError;
pub use eval::{evaluate, gold_of_docs, ExtractScores, GoldSpan, PredSpan, Span};
pub use sentences::split_sentences;

use std::collections::{BTreeSet, HashMap};

use quotes::quote_regions;
use sentences::line_spans;
use speaker::Attributor;
use steps::step;
use tokens::tokenize;

/// One quote sentence of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Byte offset of the sentence start in the article.
    pub start: usize,
    /// Byte offset one past the sentence end.
    pub end: usize,
    /// Canonical actor id of the speaker.
    pub actor: String,
    /// The sentence text, `&article[start..end]`.
    pub text: String,
}

/// Per-sentence facts gathered before inheritance.
#[derive(Debug, Default)]
struct Facts {
    start: usize,
    end: usize,
    line: usize,
    words: usize,
    quoted_words: usize,
    /// Indices (into the line's regions) of the quotations this sentence touches.
    regions: Vec<usize>,
    own: Option<String>,
    nested: Option<String>,
    whole_line: bool,
}

/// Find the quote sentences of `article` and attribute each to an actor.
///
/// Never panics; every returned span lies on char boundaries and
/// `&article[q.start..q.end] == q.text`. Quotes are in article order.
///
/// ```
/// use stance::extract::{extract, Aliases};
/// let text = "“We will not allow it,” Sheinbaum said. “Never.”\nThe weather was fine.";
/// let quotes = extract(text, &Aliases::embedded());
/// let rows: Vec<(&str, &str)> = quotes.iter().map(|q| (q.actor.as_str(), q.text.as_str())).collect();
/// assert_eq!(rows, [("claudia_sheinbaum", "“We will not allow it,” Sheinbaum said."), ("claudia_sheinbaum", "“Never.”")]);
/// ```
pub fn extract(article: &str, aliases: &Aliases) -> Vec<Quote> {
    let lines = line_spans(article);
    let line_starts: Vec<usize> = lines.iter().map(|l| l.0).collect();
    let mut attributor = Attributor::for_article(aliases, &tokenize(article, 0, article.len()));
    let mut facts: Vec<Facts> = Vec::new();
    // Sentences come in article order, so each line's quotations are found
    // once, when its first sentence comes.
    let mut current: Option<LineQuotes> = None;
    for (s, e) in split_sentences(article) {
        let line = line_starts.partition_point(|&ls| ls <= s).saturating_sub(1);
        let (ls, le) = lines.get(line).copied().unwrap_or((0, article.len()));
        let quotes = match &mut current {
            Some(q) if q.line == line => q,
            slot => slot.insert(LineQuotes::new(article, line, ls, le)),
        };
        let mut toks = tokenize(article, s, e);
        let mut touched = Vec::new();
        for t in &mut toks {
            step(1);
            // Nested marks count as quoted too (they sit inside an outer region).
            if let Some(ri) = quotes.outer_at(t.start) {
                t.quoted = true;
                // Token offsets only grow, so a quotation's tokens are consecutive.
                if touched.last() != Some(&ri) {
                    touched.push(ri);
                }
            }
        }
        let words = toks
            .iter()
            .filter(|t| t.is_word() && t.norm != "'s")
            .count();
        let quoted_words = toks
            .iter()
            .filter(|t| t.is_word() && t.quoted && t.norm != "'s")
            .count();
        let line_text = article.get(quotes.text.0..quotes.text.1).unwrap_or("");
        let whole_line = article.get(s..e).is_some_and(|t| t == line_text);
        let headline = whole_line && is_headline(line_text, &toks);
        let found = attributor.analyse(&toks, headline);
        facts.push(Facts {
            start: s,
            end: e,
            line,
            words,
            quoted_words,
            regions: touched,
            own: found.speaker,
            nested: found.nested,
            whole_line,
        });
    }
    let actors = inherit(&facts);
    let rows: Vec<Option<String>> = facts
        .iter()
        .zip(actors)
        .map(|(f, actor)| f.nested.clone().or(actor))
        .collect();
    let full = full_names(&rows);
    facts
        .iter()
        .zip(rows)
        .filter_map(|(f, actor)| {
            let actor = actor?;
            let actor = full.get(&actor).cloned().unwrap_or(actor);
            let text = article.get(f.start..f.end)?.to_string();
            Some(Quote {
                start: f.start,
                end: f.end,
                actor,
                text,
            })
        })
        .collect()
}

/// The quotations of one line that are not nested in another, for the
/// tokens of its sentences, visited in order.
#[derive(Debug)]
struct LineQuotes {
    /// The line's index.
    line: usize,
    /// The line's trimmed text, as a byte span.
    text: (usize, usize),
    /// (index among the line's regions, content start, content end) of each
    /// region not nested in another: they never overlap, and are in order.
    outer: Vec<(usize, usize, usize)>,
    /// The first of `outer` that does not end before the last offset asked.
    next: usize,
    /// The last offset asked.
    last: usize,
}

impl LineQuotes {
    fn new(article: &str, line: usize, ls: usize, le: usize) -> Self {
        let raw = article.get(ls..le).unwrap_or("");
        let lead = raw.len() - raw.trim_start().len();
        let text = (ls + lead, ls + lead + raw.trim().len());
        let outer: Vec<(usize, usize, usize)> = quote_regions(article, ls, le)
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.nested)
            .map(|(i, r)| (i, r.start, r.end))
            .collect();
        debug_assert!(
            outer.windows(2).all(|w| w[0].2 <= w[1].1),
            "regions that are not nested do not overlap"
        );
        LineQuotes {
            line,
            text,
            outer,
            next: 0,
            last: 0,
        }
    }

    /// The index (among the line's regions) of the region not nested in
    /// another whose content holds byte `at`. Amortised O(1) when `at`
    /// never decreases between calls, as token offsets do.
    fn outer_at(&mut self, at: usize) -> Option<usize> {
        if at < self.last {
            self.next = self.outer.partition_point(|r| r.2 <= at);
        }
        self.last = at;
        while self.outer.get(self.next).is_some_and(|r| r.2 <= at) {
            step(1);
            self.next += 1;
        }
        let &(i, start, _) = self.outer.get(self.next)?;
        (start <= at).then_some(i)
    }
}

/// A surname-only id ("okafor", from a headline before the full name is
/// given) → the one full-name id of the article that ends with it.
fn full_names(rows: &[Option<String>]) -> HashMap<String, String> {
    // The distinct full-name ids by their last part: an id ends with
    // `_{short}` for a `short` without `_` exactly when its last part is `short`.
    let mut by_last: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for id in rows.iter().flatten().filter(|a| a.contains('_')) {
        step(1);
        let last = id.rsplit('_').next().unwrap_or_default();
        by_last.entry(last).or_default().insert(id);
    }
    let mut out = HashMap::new();
    for short in rows.iter().flatten().filter(|a| !a.contains('_')) {
        step(1);
        if let Some(longer) = by_last.get(short.as_str()) {
            if let (1, Some(one)) = (longer.len(), longer.first()) {
                out.insert(short.clone(), (*one).to_string());
            }
        }
    }
    out
}

/// A title-case line without final punctuation (a headline or subhead).
fn is_headline(line: &str, toks: &[tokens::Token]) -> bool {
    if line.ends_with(['.', '?', '!', '"', '\u{201D}']) {
        return false;
    }
    let long: Vec<_> = toks
        .iter()
        .filter(|t| t.is_word() && t.norm.chars().count() > 3)
        .collect();
    !long.is_empty() && long.iter().filter(|t| t.cap).count() * 10 >= long.len() * 7
}

/// Decide each sentence's actor: its own speaker, else that of the
/// quotation it continues (same quotation, then same line, then the
/// previous line's trailing quote), else for a short quoted headline the
/// next speaker within a few sentences.
fn inherit(facts: &[Facts]) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = facts.iter().map(|f| f.own.clone()).collect();
    // The sentences with their own speaker that touch each quotation
    // (line, region), in article order.
    let mut speakers_of: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (j, f) in facts.iter().enumerate().filter(|(_, f)| f.own.is_some()) {
        for &r in &f.regions {
            step(1);
            speakers_of.entry((f.line, r)).or_default().push(j);
        }
    }
    // The next sentence on the same line with its own speaker.
    let mut next_own: Vec<Option<usize>> = vec![None; facts.len()];
    for i in (0..facts.len().saturating_sub(1)).rev() {
        if facts[i + 1].line == facts[i].line {
            next_own[i] = if facts[i + 1].own.is_some() {
                Some(i + 1)
            } else {
                next_own[i + 1]
            };
        }
    }
    // The last sentence before `i` on its line with an actor in `out`.
    let mut prev_out: Option<usize> = None;
    for i in 0..facts.len() {
        step(1);
        if i > 0 {
            if facts[i - 1].line != facts[i].line {
                prev_out = None;
            } else if out[i - 1].is_some() {
                prev_out = Some(i - 1);
            }
        }
        if out[i].is_some() {
            continue;
        }
        let f = &facts[i];
        let dominant = f.quoted_words > 0 && f.quoted_words * 2 >= f.words;
        let significant = f.quoted_words >= 3;
        if !(dominant || significant) {
            continue;
        }
        // Same quotation first: the first sentence after this one that
        // shares a quotation with it and has its own speaker, else the last
        // such sentence before it.
        let (mut after, mut before) = (None::<usize>, None::<usize>);
        for r in &f.regions {
            step(1);
            let Some(list) = speakers_of.get(&(f.line, *r)) else {
                continue;
            };
            let p = list.partition_point(|&j| j <= i);
            if let Some(&j) = list.get(p) {
                after = Some(after.map_or(j, |a| a.min(j)));
            }
            if let Some(&j) = p.checked_sub(1).and_then(|k| list.get(k)) {
                before = Some(before.map_or(j, |b| b.max(j)));
            }
        }
        let mut pick = after.or(before).and_then(|j| facts[j].own.clone());
        // Then the nearest previous, then following, attributed sentence on the line.
        if pick.is_none() {
            pick = prev_out.and_then(|j| out[j].clone());
        }
        if pick.is_none() {
            pick = next_own[i].and_then(|j| facts[j].own.clone());
        }
        // A paragraph that is all quotation continues the previous paragraph's quote.
        if pick.is_none() && dominant {
            let first_on_line = i == 0 || facts[i - 1].line != f.line;
            let prev_quote = i > 0 && facts[i - 1].quoted_words > 0;
            if first_on_line && prev_quote {
                pick = out[i - 1].clone();
            }
        }
        // A short quoted headline takes the next speaker.
        if pick.is_none() && f.whole_line && f.quoted_words == f.words && f.words <= 8 {
            pick = (i + 1..facts.len().min(i + 4)).find_map(|j| facts[j].own.clone());
        }
        out[i] = pick;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`inherit`] as it was before it was made linear (it scanned every
    /// sentence of the article for each quote sentence), kept as the
    /// reference.
    fn inherit_reference(facts: &[Facts]) -> Vec<Option<String>> {
        let mut out: Vec<Option<String>> = facts.iter().map(|f| f.own.clone()).collect();
        for i in 0..facts.len() {
            if out[i].is_some() {
                continue;
            }
            let f = &facts[i];
            let dominant = f.quoted_words > 0 && f.quoted_words * 2 >= f.words;
            let significant = f.quoted_words >= 3;
            if !(dominant || significant) {
                continue;
            }
            let same_line = |j: usize| facts[j].line == f.line;
            // Same quotation first.
            let shares =
                |j: usize| same_line(j) && facts[j].regions.iter().any(|r| f.regions.contains(r));
            let mut pick = None;
            for j in (0..facts.len()).filter(|&j| j != i) {
                if shares(j) && facts[j].own.is_some() {
                    pick = facts[j].own.clone();
                    if j > i {
                        break;
                    }
                }
            }
            // Then the nearest previous, then following, attributed sentence on the line.
            if pick.is_none() {
                pick = (0..i)
                    .rev()
                    .take_while(|&j| same_line(j))
                    .find_map(|j| out[j].clone());
            }
            if pick.is_none() {
                pick = (i + 1..facts.len())
                    .take_while(|&j| same_line(j))
                    .find_map(|j| facts[j].own.clone());
            }
            // A paragraph that is all quotation continues the previous paragraph's quote.
            if pick.is_none() && dominant {
                let first_on_line = i == 0 || facts[i - 1].line != f.line;
                let prev_quote = i > 0 && facts[i - 1].quoted_words > 0;
                if first_on_line && prev_quote {
                    pick = out[i - 1].clone();
                }
            }
            // A short quoted headline takes the next speaker.
            if pick.is_none() && f.whole_line && f.quoted_words == f.words && f.words <= 8 {
                pick = (i + 1..facts.len().min(i + 4)).find_map(|j| facts[j].own.clone());
            }
            out[i] = pick;
        }
        out
    }

    fn rows(text: &str) -> Vec<(String, String)> {
        let a = Aliases::embedded();
        extract(text, &a)
            .into_iter()
            .map(|q| (q.actor, q.text))
            .collect()
    }

    fn actors(text: &str) -> Vec<String> {
        rows(text).into_iter().map(|r| r.0).collect()
    }

    #[test]
    fn multi_sentence_quote_with_trailing_attribution() {
        let t = "“The plan is reckless. It will fail,” said Maria Lopez, a professor at Acme University.";
        assert_eq!(actors(t), ["maria_lopez", "maria_lopez"]);
        let t = "“It is done,” Rubio said. “We move on.”";
        assert_eq!(actors(t), ["marco_rubio", "marco_rubio"]);
    }

    #[test]
    fn pronouns_resolve_to_the_last_fitting_person() {
        let t = "Spokeswoman Jane Whitaker met Mr. Tom Ruiz on Monday.\n“We disagree,” she said.\n“I never agreed,” he added.";
        assert_eq!(actors(t), ["jane_whitaker", "tom_ruiz"]);
    }

    #[test]
    fn according_to_and_reported_speech() {
        let t = "The strikes will continue, according to two US officials.\nThe Pentagon declined to comment.\nThe navy moved a carrier.";
        let r = rows(t);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].0, "pentagon");
        let t = "The boats sank at 3 p.m. Tuesday, according to a Defense Department statement.";
        assert_eq!(actors(t), ["pentagon"]);
        let t = "Analysts at the Council on Foreign Relations said the campaign was an escalation.";
        assert_eq!(actors(t), ["analysts"]);
        let t =
            "Colombian President Gustavo Petro warned that strikes would be an act of aggression.";
        assert_eq!(actors(t), ["gustavo_petro"]);
    }

    #[test]
    fn sentence_initial_according_to_with_country_scoped_body() {
        let t = "According to Colombia's foreign ministry, two fishermen were killed.";
        assert_eq!(actors(t), ["colombia_foreign_ministry"]);
        let t = "The Colombian Foreign Ministry said the strike was illegal.";
        assert_eq!(actors(t), ["colombia_foreign_ministry"]);
        let t = "The foreign ministry of Ecuador said it had not been consulted.";
        assert_eq!(actors(t), ["ecuador_foreign_ministry"]);
        // A bare body belongs to the article's dominant country, else none.
        let t = "Peru protested. Peruvian fishermen were hurt.\nThe foreign ministry said it would seek answers.";
        assert_eq!(actors(t), ["peru_foreign_ministry"]);
        let t = "The defense ministry said the border was calm.";
        assert_eq!(actors(t), ["defense_ministry"]);
    }

    #[test]
    fn pronoun_prefers_the_previous_sentence_subject() {
        let t = "“We will hunt them down,” Defense Secretary Pete Hegseth said.\nSen. Tim Kaine, a Democrat from Virginia, introduced a resolution to block the strikes. “Congress has not authorized war,” he said.";
        assert_eq!(actors(t), ["pete_hegseth", "tim_kaine"]);
        // Gender-incompatible subjects are skipped; first names give gender.
        let t = "“It is over,” Trump said.\nMaria Gomez met Carlos Ruiz on Monday.\n“We are not done,” he said.";
        assert_eq!(actors(t), ["donald_trump", "carlos_ruiz"]);
    }

    #[test]
    fn appositions_and_relative_clauses_are_not_subjects() {
        let t = "Rep. Elise Stefanik, a New York Republican, praised the tariffs.";
        assert_eq!(actors(t), ["elise_stefanik"]);
        let t = "Gov. Greg Abbott spoke.\nA senior Pentagon official, who spoke on condition of anonymity because he was not authorized to speak, said 400 troops had arrived.";
        assert_eq!(actors(t), ["us_officials"]);
        let t = "A Commerce Department official, speaking on condition of anonymity, said talks would continue.";
        assert_eq!(actors(t), ["us_officials"]);
    }

    #[test]
    fn inverted_speaker_after_titles_and_group_subjects() {
        let t = "“It was orderly,” said Lt. Gen. (ret.) Eduardo Stein, who led the mission.";
        assert_eq!(actors(t), ["eduardo_stein"]);
        let t = "“People are afraid,” said Dr. Linda Chavez, a physician.";
        assert_eq!(actors(t), ["linda_chavez"]);
        let t = "Lawyers for the city argued that the deployment was illegal.\nObservers from the Organization of American States said the vote was clean.";
        assert_eq!(actors(t), ["lawyers", "observers"]);
        let t = "Canadian officials said the list would include bourbon.";
        assert_eq!(actors(t), ["canadian_officials"]);
    }

    #[test]
    fn titles_are_stripped_but_organisations_keep_their_words() {
        let t = "U.S. District Judge Maria Elena Vasquez wrote that the order was unlawful.";
        assert_eq!(actors(t), ["maria_elena_vasquez"]);
        let t = "The National Electoral Council said 87 percent of ballots had been counted.";
        assert_eq!(actors(t), ["national_electoral_council"]);
    }

    #[test]
    fn titles_and_descriptions() {
        let t = "Secretary of State Marco Rubio arrived.\nThe Mexican president insisted the country would not be subordinated.";
        assert_eq!(actors(t), ["claudia_sheinbaum"]);
        let t = "Defense Minister Rafael Ortega Diaz told reporters the army was ready.";
        assert_eq!(actors(t), ["rafael_ortega_diaz"]);
    }

    #[test]
    fn outlet_is_speaker_only_as_sole_source() {
        let t = "President Donald Trump spoke at noon.\nThe Washington Post reported that the president ordered new strikes.";
        assert_eq!(actors(t), ["donald_trump"]);
        let t = "The Washington Post reported that new strikes were planned.";
        assert_eq!(actors(t), ["washington_post"]);
    }

    #[test]
    fn quote_inside_quote_goes_to_the_quoted_person() {
        let t = "Trump spoke.\n“He has told me, ‘we will send troops tomorrow,’” Sheinbaum said.";
        assert_eq!(actors(t), ["donald_trump"]);
    }

    #[test]
    fn narration_and_scare_quotes_are_not_quotes() {
        let t = "The group is known as the “Cartel of the Suns” in Venezuela.\nTroops arrived on Monday.";
        assert!(rows(t).is_empty());
    }

    #[test]
    fn standalone_quote_paragraph_continues_previous_speaker() {
        let t = "“We are ready,” Hegseth said.\n“Nobody will stop us.”";
        assert_eq!(actors(t), ["pete_hegseth", "pete_hegseth"]);
    }

    #[test]
    fn quoted_headline_takes_following_speaker() {
        let t = "‘No Surrender’\nIn Caracas, Maduro vowed to resist any attack.";
        assert_eq!(actors(t), ["nicolas_maduro", "nicolas_maduro"]);
    }

    #[test]
    fn descriptors_before_an_inner_title_are_not_part_of_the_name() {
        let t = "Finance Minister Jan Novak said the budget would hold.";
        assert_eq!(actors(t), ["jan_novak"]);
        let t = "Federal Reserve Chair Ann Roe said rates would stay high.";
        assert_eq!(actors(t), ["ann_roe"]);
        let t = "Harris County Judge-Executive Lina Ortiz said crews were out.";
        assert_eq!(actors(t), ["lina_ortiz"]);
        let t = "“We pray,” said Rev. John Dunn, a local pastor.";
        assert_eq!(actors(t), ["john_dunn"]);
    }

    #[test]
    fn bodies_by_description_staff_and_statements() {
        let t = "The Swiss National Bank held rates on Thursday.\nThe decision was unanimous, the bank said.";
        assert_eq!(actors(t), ["swiss_national_bank"]);
        let t = "A spokesperson for Shell declined to comment.";
        assert_eq!(actors(t), ["shell"]);
        let t = "Two people died, according to a statement from Acme Health.";
        assert_eq!(actors(t), ["acme_health"]);
        // The listener of "told" is not the speaker.
        let t = "Two sources told Reuters the deal was close.";
        assert!(!actors(t).contains(&"reuters".to_string()));
    }

    #[test]
    fn pronoun_in_a_fronted_clause_is_the_main_subject() {
        let t = "Mary Cole met Ana Ruiz on Monday.\nAsked whether she would run, Ruiz smiled. “Not yet,” she said.";
        assert_eq!(actors(t), ["ana_ruiz"]);
    }

    #[test]
    fn nested_speaker_may_sit_further_back_in_the_quotation() {
        let t = "“Mayor Tom Reyes phoned me at dawn and said, ‘Leave now,’” Smith said.";
        assert_eq!(actors(t), ["tom_reyes"]);
    }

    #[test]
    fn surname_headline_takes_the_full_name_given_later() {
        let t = "Reyes vows to rebuild the town\nMayor Tom Reyes said the town would recover.";
        assert_eq!(actors(t), ["tom_reyes", "tom_reyes"]);
    }

    #[test]
    fn offsets_round_trip_and_odd_input() {
        for t in [
            "",
            "\"",
            "“",
            "’’’",
            "said said.",
            "\u{0}\u{1}“é’”",
            "He said.",
            "“a\n b” c said",
            "according to",
        ] {
            for q in extract(t, &Aliases::embedded()) {
                assert_eq!(&t[q.start..q.end], q.text);
            }
        }
    }

    /// Hand-written wire articles (not seen while writing the rules that
    /// they test) with their expected quote sentences and speakers.
    const FIXTURES: &[(&str, &str, &str)] = &[
        (
            "court",
            include_str!("testdata/court.txt"),
            include_str!("testdata/court.expected"),
        ),
        (
            "trade",
            include_str!("testdata/trade.txt"),
            include_str!("testdata/trade.expected"),
        ),
        (
            "election",
            include_str!("testdata/election.txt"),
            include_str!("testdata/election.expected"),
        ),
    ];

    /// (gold, predicted, matched, matched with the right speaker, report).
    fn score_fixture(text: &str, expected: &str) -> (usize, usize, usize, usize, String) {
        let gold: Vec<(&str, &str)> = expected
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .collect();
        let pred = rows(text);
        let mut report = String::new();
        let (mut matched, mut right) = (0, 0);
        for (actor, sent) in &gold {
            match pred.iter().find(|p| p.1 == *sent) {
                Some(p) => {
                    matched += 1;
                    if p.0 == *actor {
                        right += 1;
                    } else {
                        report += &format!("  speaker {} != {actor}: {sent}\n", p.0);
                    }
                }
                None => report += &format!("  missed ({actor}): {sent}\n"),
            }
        }
        for p in &pred {
            if !gold.iter().any(|g| g.1 == p.1) {
                report += &format!("  extra ({}): {}\n", p.0, p.1);
            }
        }
        (gold.len(), pred.len(), matched, right, report)
    }

    /// Precision, recall and speaker accuracy over a set of fixture
    /// articles, and the per-article report (printed with `--nocapture`).
    fn score_set(set: &[(&str, &str, &str)]) -> (f64, f64, f64, String) {
        let (mut g, mut p, mut m, mut r) = (0, 0, 0, 0);
        let mut report = String::new();
        for (name, text, expected) in set {
            let (fg, fp, fm, fr, rep) = score_fixture(text, expected);
            report += &format!("{name}: gold {fg} pred {fp} matched {fm} speaker {fr}\n{rep}");
            (g, p, m, r) = (g + fg, p + fp, m + fm, r + fr);
        }
        let precision = m as f64 / p.max(1) as f64;
        let recall = m as f64 / g.max(1) as f64;
        let speaker = r as f64 / m.max(1) as f64;
        report += &format!(
            "P {precision:.3} R {recall:.3} speaker {speaker:.3} ({r}/{m}) gold {g} pred {p}\n"
        );
        eprint!("{report}");
        (precision, recall, speaker, report)
    }

    #[test]
    fn fixture_articles() {
        let (precision, recall, speaker, report) = score_set(FIXTURES);
        assert!(
            precision >= 0.95 && recall >= 0.85 && speaker >= 0.95,
            "{report}"
        );
    }

    /// Articles written and annotated from the annotation guide alone, before
    /// their author read any rule here (see testdata/heldout_NOTES.md).
    /// The first score on them (P 0.968 = 60/62, R 0.857 = 60/70, speaker
    /// 0.717 = 43/60) is the held-out figure. The rules were then fixed for
    /// the general patterns those errors showed (state abbreviations, titles
    /// inside names, "the bank said", "a spokesperson for X", quotes inside
    /// quotes), each with its own unit test, giving P 1.000, R 0.943,
    /// speaker 0.924: no longer a held-out score. The thresholds guard that.
    const HELDOUT: &[(&str, &str, &str)] = &[
        (
            "heldout_a",
            include_str!("testdata/heldout_a.txt"),
            include_str!("testdata/heldout_a.expected"),
        ),
        (
            "heldout_b",
            include_str!("testdata/heldout_b.txt"),
            include_str!("testdata/heldout_b.expected"),
        ),
        (
            "heldout_c",
            include_str!("testdata/heldout_c.txt"),
            include_str!("testdata/heldout_c.expected"),
        ),
    ];

    #[test]
    fn heldout_articles() {
        let (precision, recall, speaker, report) = score_set(HELDOUT);
        assert!(
            precision >= 0.97 && recall >= 0.92 && speaker >= 0.90,
            "{report}"
        );
    }

    /// The steps [`extract`] takes on `text`.
    fn steps_of(text: &str) -> u64 {
        steps::take();
        let _ = extract(text, &Aliases::embedded());
        steps::take()
    }

    /// One-line articles of about `n` bytes: the fixture articles joined,
    /// one adversarial pattern per kind of former quadratic cost.
    fn long_lines(n: usize) -> Vec<(&'static str, String)> {
        let mut seeds = String::new();
        for (_, doc, _) in FIXTURES.iter().chain(HELDOUT) {
            seeds.push_str(&doc.replace('\n', " "));
            seeds.push(' ');
        }
        let fill = |unit: &str| unit.repeat(n.div_ceil(unit.len()));
        vec![
            ("fixtures", fill(&seeds)),
            // Many quotations on one line (quote pairing).
            ("curly quotes", fill("“ab” ")),
            // A growing mention history with pronoun lookups.
            (
                "history",
                fill("The Defense Ministry said it would act. He said “we act now.” "),
            ),
            // One sentence with no end (speaker pairing within a sentence).
            ("no sentence end", fill("Ana Ruiz told “x” and Bob Lee ")),
            // Short-name rows to complete (`full_names`).
            (
                "surnames",
                fill("“Go,” Lopez said. “Stop,” Ana Lopez said. "),
            ),
        ]
    }

    #[test]
    fn extraction_steps_grow_linearly_with_the_line() {
        let small = long_lines(40_000);
        let large = long_lines(80_000);
        for ((name, a), (_, b)) in small.iter().zip(&large) {
            let (sa, sb) = (steps_of(a), steps_of(b));
            assert!(sa > 1_000, "{name}: {sa} steps counted");
            let ratio = sb as f64 / sa as f64;
            // Linear: about 2; a quadratic loop would give about 4.
            assert!(
                (1.6..2.5).contains(&ratio),
                "{name}: {sa} steps for {} bytes, {sb} for {}: ratio {ratio:.2}",
                a.len(),
                b.len()
            );
        }
    }

    /// A 2 MB paragraph of each kind: not timed, but a quadratic extractor
    /// would not finish it in any reasonable test time (≈ 10¹² steps).
    #[test]
    fn two_megabyte_paragraphs_are_extracted() {
        for (name, text) in long_lines(2_000_000) {
            let quotes = extract(&text, &Aliases::embedded());
            for q in &quotes {
                assert_eq!(&text[q.start..q.end], q.text, "{name}");
            }
            if name == "fixtures" || name == "history" {
                assert!(quotes.len() > 1_000, "{name}: {} quotes", quotes.len());
            }
        }
    }

    mod props {
        use super::super::*;
        use super::inherit_reference;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn never_panics_and_spans_are_valid(s in "(?s)[a-zA-Z .,!?\"'“”‘’()\n:;é—-]{0,200}") {
                for (a, b) in split_sentences(&s) {
                    prop_assert!(a < b && s.is_char_boundary(a) && s.is_char_boundary(b));
                    prop_assert!(!s[a..b].contains('\n'));
                }
                for q in extract(&s, &Aliases::embedded()) {
                    prop_assert_eq!(&s[q.start..q.end], q.text.as_str());
                }
            }

            /// The linear [`inherit`] picks what the former quadratic one did.
            #[test]
            fn inherit_matches_the_reference(rows in proptest::collection::vec(
                (0usize..2, 0usize..8, 0usize..8, proptest::collection::vec(0usize..3, 0..3),
                 proptest::option::of(0usize..3), any::<bool>()),
                0..40,
            )) {
                let mut line = 0;
                let facts: Vec<Facts> = rows
                    .into_iter()
                    .map(|(dl, words, quoted, mut regions, own, whole_line)| {
                        line += dl;
                        regions.sort_unstable();
                        regions.dedup();
                        Facts {
                            line,
                            words,
                            quoted_words: quoted.min(words),
                            regions,
                            own: own.map(|a| ["ana", "bo", "cy"][a].to_string()),
                            whole_line,
                            ..Facts::default()
                        }
                    })
                    .collect();
                prop_assert_eq!(inherit(&facts), inherit_reference(&facts));
            }

            #[test]
            fn arbitrary_unicode_never_panics(s in any::<String>()) {
                let _ = split_sentences(&s);
                for q in extract(&s, &Aliases::embedded()) {
                    prop_assert_eq!(&s[q.start..q.end], q.text.as_str());
                }
            }
        }
    }
}
