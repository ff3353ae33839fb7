//! The pictures of the compare report, written as plain SVG text (no
//! drawing dependency, no fonts needed at build time; viewers pick a
//! sans-serif font): the macro-F1 of every model with its bootstrap
//! interval, the confusion matrix of one model as a heat map, and one
//! model's reliability diagram before and after calibration.
//! Numbers are printed with fixed decimals, so the same summaries give
//! byte-identical files.

use std::fmt::Write;

use crate::eval::calibrate::{Method, ReliabilityDiagram};
use crate::eval::Summary;
use crate::label::Stance;

/// Escapes `s` for SVG text and attribute values.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The font attribute of every chart.
pub(crate) const FONT: &str = "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\"";

/// Horizontal dot-and-error-bar chart of macro-F1 per model, best at the
/// top (ties keep the input order); `majority` is drawn in grey and
/// labelled as the baseline, with a dashed line at its score. `level` is
/// the interval level (e.g. 0.95) for the title.
pub fn macro_f1_chart(summaries: &[Summary], level: f64) -> String {
    let mut order: Vec<&Summary> = summaries.iter().collect();
    order.sort_by(|a, b| b.point[1].total_cmp(&a.point[1]));
    let (left, right, top, row_h) = (150.0, 140.0, 70.0, 34.0);
    let plot_w = 460.0;
    let width = left + plot_w + right;
    let plot_h = row_h * order.len().max(1) as f64;
    let height = top + plot_h + 60.0;
    let x = |v: f64| left + v.clamp(0.0, 1.0) * plot_w;
    let n = summaries.first().map_or(0, |s| s.confusion.total());
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" {FONT}>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{:.1}\" y=\"28\" font-size=\"17\" text-anchor=\"middle\" font-weight=\"bold\">\
         Macro-F1 by model, {:.0}% bootstrap interval</text>\n\
         <text x=\"{:.1}\" y=\"48\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">\
         out-of-fold predictions on {n} quotes; best first; dashed line: majority baseline</text>\n",
        width / 2.0,
        level * 100.0,
        width / 2.0,
    );
    // Grid and x axis.
    unit_grid(&mut s, &x, top, plot_h, 12, 18.0);
    let _ = writeln!(
        s,
        "<line x1=\"{left:.1}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\" stroke=\"#333\"/>\n\
         <text x=\"{2:.1}\" y=\"{3:.1}\" font-size=\"13\" text-anchor=\"middle\">macro-F1</text>",
        top + plot_h,
        left + plot_w,
        left + plot_w / 2.0,
        top + plot_h + 42.0
    );
    if let Some(m) = order.iter().find(|r| r.model == "majority") {
        let _ = writeln!(
            s,
            "<line x1=\"{0:.1}\" y1=\"{top:.1}\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#999\" \
             stroke-dasharray=\"4 3\"/>",
            x(m.point[1]),
            top + plot_h
        );
    }
    for (i, r) in order.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        let base = r.model == "majority";
        let color = if base { "#8a8a8a" } else { "#1f5fa8" };
        let label = if base {
            format!("{} (baseline)", esc(&r.model))
        } else {
            esc(&r.model)
        };
        let (lo, hi, p) = (r.interval[1].lo, r.interval[1].hi, r.point[1]);
        let _ = write!(
            s,
            "<text x=\"{0:.1}\" y=\"{1:.1}\" font-size=\"13\" text-anchor=\"end\" fill=\"{color}\">{label}</text>\n\
             <line x1=\"{2:.1}\" y1=\"{y:.1}\" x2=\"{3:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"2\"/>\n\
             <line x1=\"{2:.1}\" y1=\"{4:.1}\" x2=\"{2:.1}\" y2=\"{5:.1}\" stroke=\"{color}\" stroke-width=\"2\"/>\n\
             <line x1=\"{3:.1}\" y1=\"{4:.1}\" x2=\"{3:.1}\" y2=\"{5:.1}\" stroke=\"{color}\" stroke-width=\"2\"/>\n\
             <circle cx=\"{6:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{color}\"/>\n\
             <text x=\"{7:.1}\" y=\"{1:.1}\" font-size=\"12\" fill=\"#333\">{p:.3} [{lo:.2}, {hi:.2}]</text>\n",
            left - 10.0,
            y + 4.5,
            x(lo),
            x(hi),
            y - 6.0,
            y + 6.0,
            x(p),
            left + plot_w + 8.0,
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Heat map of one model's confusion matrix: rows are gold classes,
/// columns predicted classes, cell shade by count (white to dark blue,
/// scaled to the largest cell), count and row share written in each cell,
/// with a colour legend.
pub fn confusion_heatmap(summary: &Summary) -> String {
    let counts = summary.confusion.counts;
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    let (left, top, cell) = (130.0, 115.0, 100.0);
    let grid = cell * 3.0;
    let width = left + grid + 130.0;
    let height = top + grid + 70.0;
    let shade = |c: u64| {
        let t = c as f64 / max as f64;
        // White (247, 251, 255) to dark blue (8, 48, 107).
        let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
        (
            format!(
                "#{:02x}{:02x}{:02x}",
                mix(247.0, 8.0),
                mix(251.0, 48.0),
                mix(255.0, 107.0)
            ),
            t > 0.5,
        )
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" {FONT}>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{0:.1}\" y=\"28\" font-size=\"17\" text-anchor=\"middle\" font-weight=\"bold\">\
         Confusion matrix: {1}</text>\n\
         <text x=\"{0:.1}\" y=\"48\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">\
         out-of-fold predictions on {2} quotes</text>\n\
         <text x=\"{3:.1}\" y=\"{4:.1}\" font-size=\"14\" text-anchor=\"middle\" font-weight=\"bold\">predicted</text>\n\
         <text x=\"24\" y=\"{5:.1}\" font-size=\"14\" text-anchor=\"middle\" font-weight=\"bold\" \
         transform=\"rotate(-90 24 {5:.1})\">gold</text>\n",
        width / 2.0,
        esc(&summary.model),
        summary.confusion.total(),
        left + grid / 2.0,
        top - 34.0,
        top + grid / 2.0,
    );
    for (k, c) in Stance::ALL.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\">{c}</text>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"end\">{c}</text>\n",
            left + cell * (k as f64 + 0.5),
            top - 8.0,
            left - 10.0,
            top + cell * (k as f64 + 0.5) + 4.5,
        );
    }
    for (g, row) in counts.iter().enumerate() {
        let row_total: u64 = row.iter().sum();
        for (p, &c) in row.iter().enumerate() {
            let (fill, dark) = shade(c);
            let ink = if dark { "white" } else { "#111" };
            let (cx, cy) = (left + cell * p as f64, top + cell * g as f64);
            let share = if row_total == 0 {
                String::from("-")
            } else {
                format!("{:.0}% of row", 100.0 * c as f64 / row_total as f64)
            };
            let _ = write!(
                s,
                "<rect x=\"{cx:.1}\" y=\"{cy:.1}\" width=\"{cell:.1}\" height=\"{cell:.1}\" fill=\"{fill}\" \
                 stroke=\"#666\"/>\n\
                 <text x=\"{0:.1}\" y=\"{1:.1}\" font-size=\"24\" text-anchor=\"middle\" fill=\"{ink}\">{c}</text>\n\
                 <text x=\"{0:.1}\" y=\"{2:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{ink}\">{share}</text>\n",
                cx + cell / 2.0,
                cy + cell / 2.0 + 6.0,
                cy + cell / 2.0 + 26.0,
            );
        }
    }
    // Legend: a vertical bar from 0 (bottom) to max (top).
    let lx = left + grid + 40.0;
    let steps = 10;
    for k in 0..steps {
        let v = (max as f64 * (steps - k) as f64 / steps as f64).round() as u64;
        let (fill, _) = shade(v);
        let _ = writeln!(
            s,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"20\" height=\"{:.1}\" fill=\"{fill}\"/>",
            top + grid * k as f64 / steps as f64,
            grid / steps as f64 + 0.5
        );
    }
    let _ = write!(
        s,
        "<rect x=\"{lx:.1}\" y=\"{top:.1}\" width=\"20\" height=\"{grid:.1}\" fill=\"none\" stroke=\"#666\"/>\n\
         <text x=\"{0:.1}\" y=\"{1:.1}\" font-size=\"12\">{max}</text>\n\
         <text x=\"{0:.1}\" y=\"{2:.1}\" font-size=\"12\">0</text>\n\
         <text x=\"{3:.1}\" y=\"{4:.1}\" font-size=\"12\" text-anchor=\"middle\">count</text>\n</svg>\n",
        lx + 26.0,
        top + 10.0,
        top + grid,
        lx + 10.0,
        top - 8.0,
    );
    s
}

/// Reliability diagram of `model`: for each non-empty confidence bin, the
/// accuracy of its top-class predictions (y) at the bin's mean top-class
/// confidence (x), a dot sized by the bin's count, joined by a line; the
/// diagonal is perfect calibration. `raw` is drawn in orange, `after`
/// (method and diagram) in blue. The legend gives each curve's ECE.
pub fn reliability_chart(
    model: &str,
    raw: &ReliabilityDiagram,
    after: Option<(Method, &ReliabilityDiagram)>,
) -> String {
    let (left, top, side) = (70.0, 70.0, 360.0);
    let width = left + side + 200.0;
    let height = top + side + 60.0;
    let x = |v: f64| left + v.clamp(0.0, 1.0) * side;
    let y = |v: f64| top + side - v.clamp(0.0, 1.0) * side;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" {FONT}>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{0:.1}\" y=\"28\" font-size=\"17\" text-anchor=\"middle\" font-weight=\"bold\">\
         Reliability: {1}</text>\n\
         <text x=\"{0:.1}\" y=\"48\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">\
         out-of-fold top-class confidence vs accuracy, {2} quotes, {3} bins</text>\n",
        width / 2.0,
        esc(model),
        raw.items,
        raw.bins.len(),
    );
    for k in 0..=5 {
        let v = k as f64 / 5.0;
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" y1=\"{top:.1}\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#e3e3e3\"/>\n\
             <line x1=\"{left:.1}\" y1=\"{2:.1}\" x2=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"#e3e3e3\"/>\n\
             <text x=\"{0:.1}\" y=\"{3:.1}\" font-size=\"11\" text-anchor=\"middle\">{v:.1}</text>\n\
             <text x=\"{4:.1}\" y=\"{5:.1}\" font-size=\"11\" text-anchor=\"end\">{v:.1}</text>\n",
            x(v),
            top + side,
            y(v),
            top + side + 16.0,
            left - 6.0,
            y(v) + 4.0,
        );
    }
    let _ = write!(
        s,
        "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{side:.1}\" height=\"{side:.1}\" fill=\"none\" stroke=\"#666\"/>\n\
         <line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{2:.1}\" y2=\"{3:.1}\" stroke=\"#999\" stroke-dasharray=\"5,4\"/>\n\
         <text x=\"{4:.1}\" y=\"{5:.1}\" font-size=\"13\" text-anchor=\"middle\">confidence</text>\n\
         <text x=\"20\" y=\"{6:.1}\" font-size=\"13\" text-anchor=\"middle\" \
         transform=\"rotate(-90 20 {6:.1})\">accuracy</text>\n",
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0),
        left + side / 2.0,
        top + side + 40.0,
        top + side / 2.0,
    );
    let mut curves = vec![("#e66101", "uncalibrated".to_owned(), raw)];
    if let Some((m, d)) = after {
        curves.push(("#0571b0", format!("{m}"), d));
    }
    for (k, (colour, label, d)) in curves.iter().enumerate() {
        let points: Vec<(f64, f64, usize)> = d
            .bins
            .iter()
            .filter_map(|b| Some((b.mean_confidence?, b.accuracy?, b.count)))
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|&(c, a, _)| format!("{:.1},{:.1}", x(c), y(a)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            path.join(" ")
        );
        for &(c, a, n) in &points {
            let r = 3.0 + (n as f64 / d.items.max(1) as f64).sqrt() * 12.0;
            let _ = writeln!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r:.1}\" fill=\"{colour}\" fill-opacity=\"0.6\"><title>{label}: {n} quotes, confidence {c:.3}, accuracy {a:.3}</title></circle>",
                x(c),
                y(a),
            );
        }
        let ly = top + 20.0 + 22.0 * k as f64;
        let _ = write!(
            s,
            "<rect x=\"{0:.1}\" y=\"{1:.1}\" width=\"14\" height=\"14\" fill=\"{colour}\"/>\n\
             <text x=\"{2:.1}\" y=\"{3:.1}\" font-size=\"12\">{4} (ECE {5:.3})</text>\n",
            left + side + 20.0,
            ly - 11.0,
            left + side + 40.0,
            ly,
            esc(label),
            d.ece(),
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Dot-and-whisker chart of actor estimates: one row per actor (input
/// order), the mean probability of each class as a dot (favor green,
/// against red, none grey) with its interval as a whisker; the row label
/// gives the stance, quote count and evidence.
pub fn actor_chart(estimates: &[crate::eval::estimates::ActorEstimate], level: f64) -> String {
    const COLOURS: [&str; 3] = ["#1a9641", "#d7191c", "#777777"];
    let (left, right, top, row_h) = (330.0, 40.0, 80.0, 26.0);
    let plot_w = 420.0;
    let width = left + plot_w + right;
    let plot_h = row_h * estimates.len().max(1) as f64;
    let height = top + plot_h + 50.0;
    let x = |v: f64| left + v.clamp(0.0, 1.0) * plot_w;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" {FONT}>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{0:.1}\" y=\"26\" font-size=\"17\" text-anchor=\"middle\" font-weight=\"bold\">\
         Actor stance: mean class probability, {1:.0}% interval</text>\n\
         <text x=\"{0:.1}\" y=\"46\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">\
         <tspan fill=\"{2}\">● favor</tspan>  <tspan fill=\"{3}\">● against</tspan>  <tspan fill=\"{4}\">● none</tspan></text>\n",
        width / 2.0,
        level * 100.0,
        COLOURS[0],
        COLOURS[1],
        COLOURS[2],
    );
    unit_grid(&mut s, &x, top, plot_h, 11, 16.0);
    for (r, e) in estimates.iter().enumerate() {
        let y = top + row_h * (r as f64 + 0.5);
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{} ({}, n={}, {})</text>",
            left - 10.0,
            y + 4.0,
            esc(&e.actor),
            e.stance,
            e.n,
            e.evidence
        );
        for (c, colour) in COLOURS.iter().enumerate() {
            let dy = (c as f64 - 1.0) * 6.0;
            let _ = writeln!(
                s,
                "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{2:.1}\" y2=\"{1:.1}\" stroke=\"{3}\" stroke-width=\"2\"/>\
                 <circle cx=\"{4:.1}\" cy=\"{1:.1}\" r=\"4\" fill=\"{3}\"/>",
                x(e.lo[c]),
                y + dy,
                x(e.hi[c]),
                colour,
                x(e.mean[c]),
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Heat map of net stance `p(favor) − p(against)` per actor (rows, input
/// order of first appearance) and period (columns, sorted): green for
/// favor, red for against, white at 0, blank where the actor has no quote
/// in the period; each cell shows the value and the quote count.
pub fn period_heatmap(
    estimates: &[(String, crate::eval::estimates::ActorEstimate)],
    by: &str,
) -> String {
    let mut actors: Vec<&str> = Vec::new();
    let mut periods: Vec<&str> = Vec::new();
    for (p, e) in estimates {
        if !actors.contains(&e.actor.as_str()) {
            actors.push(&e.actor);
        }
        if !periods.contains(&p.as_str()) {
            periods.push(p);
        }
    }
    periods.sort_unstable();
    let (left, top, cw, ch) = (210.0, 110.0, 110.0, 26.0);
    let width = left + cw * periods.len().max(1) as f64 + 30.0;
    let height = top + ch * actors.len().max(1) as f64 + 40.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" {FONT}>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{0:.1}\" y=\"26\" font-size=\"17\" text-anchor=\"middle\" font-weight=\"bold\">\
         Net stance p(favor) − p(against) by actor and {1}</text>\n\
         <text x=\"{0:.1}\" y=\"46\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\">\
         green: favor, red: against; cell: net stance (quotes)</text>\n",
        width / 2.0,
        esc(by),
    );
    for (k, p) in periods.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            left + cw * (k as f64 + 0.5),
            top - 10.0,
            esc(p)
        );
    }
    for (r, a) in actors.iter().enumerate() {
        let y = top + ch * r as f64;
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            left - 8.0,
            y + ch / 2.0 + 4.0,
            esc(a)
        );
        for (k, p) in periods.iter().enumerate() {
            let xx = left + cw * k as f64;
            let Some((_, e)) = estimates
                .iter()
                .find(|(q, e)| q.as_str() == *p && e.actor.as_str() == *a)
            else {
                let _ = writeln!(
                    s,
                    "<rect x=\"{xx:.1}\" y=\"{y:.1}\" width=\"{cw:.1}\" height=\"{ch:.1}\" fill=\"#fafafa\" stroke=\"#ddd\"/>"
                );
                continue;
            };
            let net = e.mean[0] - e.mean[1];
            let t = net.abs().clamp(0.0, 1.0);
            let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
            let fill = if net >= 0.0 {
                format!(
                    "#{:02x}{:02x}{:02x}",
                    mix(255.0, 26.0),
                    mix(255.0, 150.0),
                    mix(255.0, 65.0)
                )
            } else {
                format!(
                    "#{:02x}{:02x}{:02x}",
                    mix(255.0, 215.0),
                    mix(255.0, 25.0),
                    mix(255.0, 28.0)
                )
            };
            let _ = writeln!(
                s,
                "<rect x=\"{xx:.1}\" y=\"{y:.1}\" width=\"{cw:.1}\" height=\"{ch:.1}\" fill=\"{fill}\" stroke=\"#999\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{net:+.2} ({})</text>",
                xx + cw / 2.0,
                y + ch / 2.0 + 4.0,
                e.n
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// The vertical grid of a 0–1 x axis: a line every 0.1 from `top` down
/// `plot_h`, labelled every 0.2 (`font_size`, `label_dy` below the plot);
/// `x` maps a value to its x coordinate.
fn unit_grid(
    s: &mut String,
    x: &dyn Fn(f64) -> f64,
    top: f64,
    plot_h: f64,
    font_size: u32,
    label_dy: f64,
) {
    for k in 0..=10 {
        let v = k as f64 / 10.0;
        let _ = writeln!(
            s,
            "<line x1=\"{0:.1}\" y1=\"{top:.1}\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#e3e3e3\"/>",
            x(v),
            top + plot_h
        );
        if k % 2 == 0 {
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{font_size}\" text-anchor=\"middle\">{v:.1}</text>",
                x(v),
                top + plot_h + label_dy
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::ZeroDivision;
    use crate::eval::{summarize, BootstrapSettings, CvPredictions};
    use Stance::*;

    #[test]
    fn charts_are_svg_and_name_every_model() {
        let gold = vec![Favor, Against, None, None];
        let runs: Vec<CvPredictions> = [
            ("majority", [None; 4]),
            ("a<b", [Favor, Against, None, Favor]),
        ]
        .into_iter()
        .map(|(m, p)| CvPredictions {
            model: m.into(),
            probs: vec![[1.0, 0.0, 0.0]; 4],
            predicted: p.to_vec(),
            explanations: Option::None,
        })
        .collect();
        let s = summarize(
            &gold,
            &runs,
            ZeroDivision::Zero,
            BootstrapSettings::default(),
        )
        .unwrap();
        let c = macro_f1_chart(&s, 0.95);
        assert!(c.starts_with("<svg") && c.ends_with("</svg>\n"));
        assert!(c.contains("majority (baseline)") && c.contains("a&lt;b"));
        // Best first.
        assert!(c.find("a&lt;b").unwrap() < c.find("majority (baseline)").unwrap());
        let h = confusion_heatmap(&s[1]);
        assert!(h.contains(">predicted</text>") && h.contains(">gold</text>"));
        assert!(h.contains(">50% of row</text>"), "{h}");
    }

    #[test]
    fn the_reliability_chart_draws_both_curves_with_their_ece() {
        use crate::eval::calibrate::{reliability_diagram, ECE_BINS};
        let probs = [[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.5, 0.3, 0.2]];
        let gold = [Favor, Favor, None];
        let raw = reliability_diagram(&probs, &gold, ECE_BINS).unwrap();
        let svg = reliability_chart("a<b", &raw, Some((Method::Platt, &raw)));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert!(svg.contains("Reliability: a&lt;b"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 6);
        assert!(svg.contains(&format!("uncalibrated (ECE {:.3})", raw.ece())));
        assert!(svg.contains("platt (ECE"));
        assert_eq!(
            reliability_chart("m", &raw, Option::None)
                .matches("<polyline")
                .count(),
            1
        );
    }

    #[test]
    fn the_heat_map_shows_net_stance_per_actor_and_period() {
        use crate::eval::estimates::{estimate_by_period, EstimateSettings};
        let periods: Vec<String> = ["2025-09", "2025-08", "2025-08"].map(String::from).to_vec();
        let e = estimate_by_period(
            &["a<", "a<", "b"],
            &[Option::None; 3],
            &periods,
            &[[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]],
            EstimateSettings::default(),
        )
        .unwrap();
        let svg = period_heatmap(&e, "month");
        assert!(svg.contains("a&lt;") && !svg.contains("a<<"));
        // a< in 2025-08: 0.1 - 0.6; in 2025-09: 0.7 - 0.2; b only in 2025-08.
        assert!(
            svg.contains(">-0.50 (1)<") && svg.contains(">+0.50 (1)<"),
            "{svg}"
        );
        assert!(svg.contains(">+0.00 (1)<"), "{svg}");
        assert_eq!(
            svg.matches("fill=\"#fafafa\"").count(),
            1,
            "b has no 2025-09 cell"
        );
        let first = svg.find(">2025-08<").unwrap();
        assert!(first < svg.find(">2025-09<").unwrap(), "periods sorted");
        let dots = actor_chart(&e.iter().map(|(_, a)| a.clone()).collect::<Vec<_>>(), 0.95);
        assert_eq!(dots.matches("<circle").count(), 3 * 3);
    }
}
