//! `index.html` of `compare --report-dir` and `predict --report-dir`: one
//! self-contained page (inline CSS and SVG, no scripts, no outside
//! resources; printable) with the tables, the charts and the quotes a
//! reader should look at.
//!
//! The pages are rendered with minijinja from the templates in
//! `src/eval/templates/` (embedded at build time); every value is
//! HTML-escaped by the template engine except the SVG charts and the
//! style sheet, which this crate writes itself (their text parts are
//! escaped by [`crate::eval::svg`]). Numbers are formatted before they
//! reach the template, so the same inputs give the same bytes.

use minijinja::{context, Environment};
use serde::Serialize;

use crate::corpus::Example;
use crate::error::{Error, Result};
use crate::eval::estimates::ActorEstimate;
use crate::eval::{CvPredictions, Summary};
use crate::label::Stance;
use crate::models::{argmax, Probs};

const CSS: &str = include_str!("templates/report.css");
const COMPARE: &str = include_str!("templates/compare.html");
const PREDICT: &str = include_str!("templates/predict.html");

/// Most quotes listed in a page.
pub const MAX_QUOTES: usize = 30;

/// Below this top-class probability a predicted quote is low-confidence.
pub const LOW_CONFIDENCE: f64 = 0.5;

/// A chart of a page: its SVG text.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// The SVG element (trusted: written by [`crate::eval::svg`]).
    pub svg: String,
}

fn render(name: &'static str, source: &'static str, ctx: minijinja::Value) -> Result<String> {
    let mut env = Environment::new();
    env.add_template(name, source)
        .map_err(|e| Error::report("index.html", format!("bad template {name}: {e}")))?;
    let t = env
        .get_template(name)
        .map_err(|e| Error::report("index.html", e.to_string()))?;
    t.render(ctx)
        .map_err(|e| Error::report("index.html", format!("cannot render {name}: {e}")))
}

fn f4(v: f64) -> String {
    format!("{v:.4}")
}

/// What the compare page shows.
#[derive(Debug)]
pub struct ComparePage<'a> {
    /// Lines under the title (data, folds, features).
    pub meta: Vec<String>,
    /// Every model's scores.
    pub summaries: &'a [Summary],
    /// Every model's out-of-fold predictions.
    pub runs: &'a [CvPredictions],
    /// The index of the best model.
    pub best: Option<usize>,
    /// The quotes.
    pub examples: &'a [Example],
    /// Their gold classes.
    pub gold: &'a [Stance],
    /// The charts, in order.
    pub charts: Vec<Chart>,
    /// The interval level.
    pub level: f64,
    /// The calibration, as the page names it.
    pub calibration: String,
}

/// The compare `index.html`.
///
/// # Errors
/// [`Error::Report`] if the page cannot be rendered (a bug).
pub fn compare_page(p: &ComparePage<'_>) -> Result<String> {
    #[derive(Serialize)]
    struct Model {
        name: String,
        n: u64,
        accuracy: String,
        macro_f1: String,
        lo: String,
        hi: String,
        f_avg: String,
        brier: String,
        ece: String,
        brier_raw: String,
        ece_raw: String,
        p_vs_majority: String,
        best: bool,
    }
    #[derive(Serialize)]
    struct Quote<'a> {
        doc: &'a str,
        actor: &'a str,
        text: &'a str,
        gold: Stance,
        predicted: Stance,
        confidence: String,
        explanation: &'a str,
    }
    let opt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), f4);
    let models: Vec<Model> = p
        .summaries
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let cal = s.calibration.as_ref();
            Model {
                name: s.model.clone(),
                n: s.confusion.total(),
                accuracy: f4(s.point[0]),
                macro_f1: f4(s.point[1]),
                lo: f4(s.interval[1].lo),
                hi: f4(s.interval[1].hi),
                f_avg: f4(s.point[2]),
                brier: opt(cal.map(|c| c.calibrated[0].point)),
                ece: opt(cal.map(|c| c.calibrated[2].point)),
                brier_raw: opt(cal.map(|c| c.raw[0].point)),
                ece_raw: opt(cal.map(|c| c.raw[2].point)),
                p_vs_majority: opt(s.p_vs_majority),
                best: Some(i) == p.best,
            }
        })
        .collect();
    let mut quotes: Vec<Quote<'_>> = Vec::new();
    if let Some(b) = p.best {
        let run = &p.runs[b];
        let mut wrong: Vec<usize> = (0..p.gold.len())
            .filter(|&i| run.predicted[i] != p.gold[i])
            .collect();
        let conf = |i: usize| run.probs[i][run.predicted[i].index()];
        wrong.sort_by(|&a, &b| conf(b).total_cmp(&conf(a)).then(a.cmp(&b)));
        quotes = wrong
            .into_iter()
            .take(MAX_QUOTES)
            .map(|i| {
                let e = &p.examples[i];
                Quote {
                    doc: e.doc.as_deref().unwrap_or(""),
                    actor: e.actor.as_deref().unwrap_or(""),
                    text: &e.text,
                    gold: p.gold[i],
                    predicted: run.predicted[i],
                    confidence: f4(conf(i)),
                    explanation: run
                        .explanations
                        .as_ref()
                        .and_then(|x| x.get(i))
                        .map_or("", String::as_str),
                }
            })
            .collect();
    }
    render(
        "compare.html",
        COMPARE,
        context! {
            title => "stance compare report",
            meta => &p.meta,
            css => CSS,
            pct => format!("{:.0}", p.level * 100.0),
            models => models,
            charts => &p.charts,
            best => p.best.map_or("-", |b| p.summaries[b].model.as_str()),
            quotes => quotes,
            max_quotes => MAX_QUOTES,
            calibration => &p.calibration,
            explained => p.best.is_some_and(|b| p.runs[b].explanations.is_some()),
        },
    )
}

/// What the predict page shows.
#[derive(Debug)]
pub struct PredictPage<'a> {
    /// Lines under the title (model, inputs).
    pub meta: Vec<String>,
    /// Actor estimates, each with its period (`None` without `--by`).
    pub actors: Vec<(Option<&'a str>, &'a ActorEstimate)>,
    /// The grouping's name (`week`, `month`, `outlet`), if any.
    pub by: Option<String>,
    /// The quotes.
    pub examples: &'a [Example],
    /// Their probabilities.
    pub probs: &'a [Probs],
    /// Their explanations, for a linear model.
    pub explanations: Option<&'a [String]>,
    /// The charts, in order.
    pub charts: Vec<Chart>,
    /// The interval level.
    pub level: f64,
}

/// The predict `index.html`.
///
/// # Errors
/// [`Error::Report`] if the page cannot be rendered or the quotes,
/// probabilities and explanations differ in number.
pub fn predict_page(p: &PredictPage<'_>) -> Result<String> {
    #[derive(Serialize)]
    struct Actor<'a> {
        actor: &'a str,
        period: &'a str,
        stance: Stance,
        n: usize,
        n_articles: usize,
        probs: Vec<String>,
        evidence: String,
    }
    #[derive(Serialize)]
    struct Quote<'a> {
        doc: &'a str,
        actor: &'a str,
        text: &'a str,
        predicted: Stance,
        confidence: String,
        explanation: &'a str,
    }
    if p.examples.len() != p.probs.len() || p.explanations.is_some_and(|e| e.len() != p.probs.len())
    {
        return Err(Error::report(
            "index.html",
            "one probability vector and explanation per quote expected",
        ));
    }
    let actors: Vec<Actor<'_>> = p
        .actors
        .iter()
        .map(|(period, e)| Actor {
            actor: &e.actor,
            period: period.unwrap_or(""),
            stance: e.stance,
            n: e.n,
            n_articles: e.n_articles,
            probs: (0..3)
                .map(|c| format!("{:.3} [{:.3}, {:.3}]", e.mean[c], e.lo[c], e.hi[c]))
                .collect(),
            evidence: e.evidence.to_string(),
        })
        .collect();
    let conf = |i: usize| p.probs[i][argmax(&p.probs[i]).index()];
    let mut low: Vec<usize> = (0..p.probs.len())
        .filter(|&i| conf(i) < LOW_CONFIDENCE)
        .collect();
    low.sort_by(|&a, &b| conf(a).total_cmp(&conf(b)).then(a.cmp(&b)));
    let quotes: Vec<Quote<'_>> = low
        .into_iter()
        .take(MAX_QUOTES)
        .map(|i| {
            let e = &p.examples[i];
            Quote {
                doc: e.doc.as_deref().unwrap_or(""),
                actor: e.actor.as_deref().unwrap_or(""),
                text: &e.text,
                predicted: argmax(&p.probs[i]),
                confidence: f4(conf(i)),
                explanation: p.explanations.map_or("", |x| x[i].as_str()),
            }
        })
        .collect();
    render(
        "predict.html",
        PREDICT,
        context! {
            title => "stance predict report",
            meta => &p.meta,
            css => CSS,
            pct => format!("{:.0}", p.level * 100.0),
            by => &p.by,
            actors => actors,
            charts => &p.charts,
            quotes => quotes,
            explained => p.explanations.is_some(),
            threshold => LOW_CONFIDENCE,
            max_quotes => MAX_QUOTES,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::estimates::{estimate_actors, EstimateSettings};

    fn example(doc: &str, actor: &str, text: &str) -> Example {
        Example {
            id: text.into(),
            doc: Some(doc.into()),
            actor: Some(actor.into()),
            target: None,
            text: text.into(),
            stance: None,
            span: None,
            line: 0,
        }
    }

    /// Parses `html` and returns the DOM (the test fails on a parse error).
    fn dom(html: &str) -> tl::VDom<'_> {
        tl::parse(html, tl::ParserOptions::default()).expect("parses as HTML")
    }

    fn count(d: &tl::VDom<'_>, selector: &str) -> usize {
        d.query_selector(selector).map_or(0, |q| q.count())
    }

    /// The texts of the cells of class `class` in the body rows of the
    /// table with id `id` (tl's selectors have no descendant combinator).
    fn cells(d: &tl::VDom<'_>, id: &str, class: &str) -> Vec<String> {
        let p = d.parser();
        let table = d
            .get_element_by_id(id)
            .and_then(|h| h.get(p))
            .and_then(|n| n.as_tag())
            .unwrap_or_else(|| panic!("no table #{id}"));
        table
            .query_selector(p, &format!("td.{class}"))
            .map(|q| {
                q.filter_map(|h| h.get(p))
                    .map(|n| n.inner_text(p).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A compare page of two quotes, both misclassified by `logreg`
    /// (explained when `why`) and by `majority` (never explained).
    fn compare_html(why: bool) -> String {
        use crate::eval::{metrics::ZeroDivision, summarize, BootstrapSettings};
        let examples = vec![
            example("a.txt", "x", "we will strike"),
            example("b.txt", "y", "no <invasion>"),
        ];
        let gold = vec![Stance::Against, Stance::Favor];
        let runs = vec![
            CvPredictions {
                model: "majority".into(),
                probs: vec![[0.0, 0.0, 1.0]; 2],
                predicted: vec![Stance::None; 2],
                explanations: Option::None,
            },
            CvPredictions {
                model: "logreg".into(),
                probs: vec![[0.9, 0.05, 0.05], [0.1, 0.6, 0.3]],
                predicted: vec![Stance::Favor, Stance::Against],
                explanations: why
                    .then(|| vec!["strike (0.412)".into(), "invas (0.300); no (0.100)".into()]),
            },
        ];
        let summaries = summarize(
            &gold,
            &runs,
            ZeroDivision::Zero,
            BootstrapSettings {
                resamples: 20,
                ..Default::default()
            },
        )
        .unwrap();
        compare_page(&ComparePage {
            meta: vec!["two quotes".into()],
            summaries: &summaries,
            runs: &runs,
            best: Some(1),
            examples: &examples,
            gold: &gold,
            charts: Vec::new(),
            level: 0.95,
            calibration: "none".into(),
        })
        .unwrap()
    }

    #[test]
    fn the_compare_page_explains_the_best_models_errors() {
        let html = compare_html(true);
        let d = dom(&html);
        // Most confident error first, each with its own fold's explanation.
        assert_eq!(
            cells(&d, "errors", "quote"),
            ["we will strike", "no &lt;invasion&gt;"]
        );
        assert_eq!(
            cells(&d, "errors", "why"),
            ["strike (0.412)", "invas (0.300); no (0.100)"]
        );
        assert!(html.contains("why (top n-grams)"));
        let html = compare_html(false);
        let d = dom(&html);
        assert_eq!(cells(&d, "errors", "quote").len(), 2);
        assert!(cells(&d, "errors", "why").is_empty());
        assert!(!html.contains("why (top n-grams)"));
    }

    #[test]
    fn the_predict_page_is_one_self_contained_document_with_escaped_text() {
        let examples = vec![
            example("a.txt", "x", "we <b>will</b> strike & win"),
            example("a.txt", "x", "no invasion"),
            example("b.txt", "y", "talks"),
        ];
        let probs = vec![[0.45, 0.3, 0.25], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4]];
        let actors: Vec<&str> = examples
            .iter()
            .map(|e| e.actor.as_deref().unwrap())
            .collect();
        let docs: Vec<Option<&str>> = examples.iter().map(|e| e.doc.as_deref()).collect();
        let est = estimate_actors(&actors, &docs, &probs, EstimateSettings::default()).unwrap();
        let why = vec![
            "strike (0.400)".to_owned(),
            String::new(),
            "talks (0.100)".to_owned(),
        ];
        let page = PredictPage {
            meta: vec!["model: m.json <logreg>".into()],
            actors: est.iter().map(|e| (None, e)).collect(),
            by: None,
            examples: &examples,
            probs: &probs,
            explanations: Some(&why),
            charts: vec![Chart {
                svg: crate::eval::svg::actor_chart(&est, 0.95),
            }],
            level: 0.95,
        };
        let html = predict_page(&page).unwrap();
        assert_eq!(predict_page(&page).unwrap(), html, "deterministic");
        let d = dom(&html);
        assert_eq!(count(&d, "script"), 0);
        assert_eq!(count(&d, "link"), 0, "no outside style sheet");
        assert_eq!(count(&d, "style"), 1);
        assert_eq!(count(&d, "svg"), 1);
        assert_eq!(cells(&d, "actor-table", "text").len(), 2 * 3, "2 actors");
        // Two low-confidence quotes (0.45 and 0.40), least confident first.
        assert_eq!(cells(&d, "low-confidence", "quote").len(), 2);
        assert_eq!(cells(&d, "low-confidence", "quote")[0], "talks");
        // Quote text is escaped, not markup.
        assert!(
            html.contains("we &lt;b&gt;will&lt;&#x2f;b&gt; strike &amp; win"),
            "{html}"
        );
        assert!(html.contains("model: m.json &lt;logreg&gt;"));
        assert!(html.contains("strike (0.400)"));
        // Nothing is loaded from elsewhere.
        for forbidden in ["src=", "href=", "@import", "url("] {
            assert!(!html.contains(forbidden), "{forbidden}");
        }
    }

    #[test]
    fn a_mismatch_of_quotes_and_probabilities_is_an_error() {
        let page = PredictPage {
            meta: vec![],
            actors: vec![],
            by: None,
            examples: &[],
            probs: &[[1.0, 0.0, 0.0]],
            explanations: None,
            charts: vec![],
            level: 0.95,
        };
        assert!(predict_page(&page).is_err());
    }
}
