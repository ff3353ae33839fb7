//! Scoring one model's predictions against hand labels (`stance score`):
//! accuracy, macro-F1 with its seeded percentile-bootstrap interval
//! ([`bootstrap::DEFAULT_RESAMPLES`] resamples, [`bootstrap::DEFAULT_LEVEL`]),
//! F_avg and per-class scores, computed once for the terminal and the
//! one-row CSV report. Zero divisions count as 0.

use crate::error::{Error, Result};
use crate::eval::bootstrap::{self, Interval};
use crate::eval::metrics::{ConfusionMatrix, Metric, ZeroDivision};
use crate::io::table::{Fixed, Table};
use crate::label::Stance;

/// Zero divisions in precision, recall and F1 count as 0.
const ZD: ZeroDivision = ZeroDivision::Zero;

/// The scores of one model on one labelled file.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The model's name.
    pub model: String,
    /// The confusion matrix of gold against predicted labels.
    pub confusion: ConfusionMatrix,
    /// Accuracy.
    pub accuracy: f64,
    /// Macro-F1 over the three classes.
    pub macro_f1: f64,
    /// Bootstrap interval of the macro-F1.
    pub macro_f1_interval: Interval,
    /// The interval's level (e.g. 0.95).
    pub level: f64,
    /// SemEval F_avg: the mean F1 of favor and against.
    pub f_avg: f64,
}

impl Score {
    /// Scores `predicted` against `gold`; `seed` seeds the bootstrap.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] (`gold`) if there are no labels or the
    /// predictions do not pair with them.
    pub fn new(model: &str, gold: &[Stance], predicted: &[Stance], seed: u64) -> Result<Score> {
        if gold.is_empty() || gold.len() != predicted.len() {
            return Err(Error::param(
                "gold",
                format!(
                    "{} labels for {} predictions; expected one each, at least one",
                    gold.len(),
                    predicted.len()
                ),
            ));
        }
        let confusion = ConfusionMatrix::new(gold, predicted);
        let level = bootstrap::DEFAULT_LEVEL;
        Ok(Score {
            model: model.to_owned(),
            accuracy: confusion.accuracy(),
            macro_f1: confusion.macro_f1(ZD),
            f_avg: confusion.f_avg(ZD),
            macro_f1_interval: bootstrap::interval(
                gold,
                predicted,
                Metric::MacroF1,
                ZD,
                bootstrap::DEFAULT_RESAMPLES,
                level,
                seed,
            ),
            level,
            confusion,
        })
    }

    /// The scores for the terminal: one line of accuracy, macro-F1 with
    /// its interval and F_avg, a blank line, then a table of precision,
    /// recall, F1 and support per class.
    pub fn table(&self) -> String {
        let pct = (self.level * 100.0).round();
        let mut out = format!(
            "accuracy {:.4}  macro_f1 {:.4} [{pct}% {:.4}, {:.4}]  f_avg {:.4}\n\n\
             class      precision  recall      f1  support\n",
            self.accuracy,
            self.macro_f1,
            self.macro_f1_interval.lo,
            self.macro_f1_interval.hi,
            self.f_avg
        );
        for s in Stance::ALL {
            let c = self.confusion.class_scores(s, ZD);
            out.push_str(&format!(
                "{:<9} {:>10.4} {:>7.4} {:>7.4} {:>8}\n",
                s.as_str(),
                c.precision,
                c.recall,
                c.f1,
                c.support
            ));
        }
        out
    }

    /// The report of `stance score --report`:
    /// `model,n,accuracy,macro_f1,macro_f1_lo,macro_f1_hi,f_avg`, one row
    /// (4 decimals).
    ///
    /// # Errors
    /// [`Error::Report`] if the row cannot be written (a bug).
    pub fn to_csv(&self) -> Result<String> {
        #[derive(serde::Serialize)]
        struct Row<'a> {
            model: &'a str,
            n: u64,
            accuracy: Fixed<4>,
            macro_f1: Fixed<4>,
            macro_f1_lo: Fixed<4>,
            macro_f1_hi: Fixed<4>,
            f_avg: Fixed<4>,
        }
        let mut t = Table::new(
            "score report",
            [
                "model",
                "n",
                "accuracy",
                "macro_f1",
                "macro_f1_lo",
                "macro_f1_hi",
                "f_avg",
            ],
        )?;
        t.row(&Row {
            model: &self.model,
            n: self.confusion.total(),
            accuracy: Fixed(self.accuracy),
            macro_f1: Fixed(self.macro_f1),
            macro_f1_lo: Fixed(self.macro_f1_interval.lo),
            macro_f1_hi: Fixed(self.macro_f1_interval.hi),
            f_avg: Fixed(self.f_avg),
        })?;
        t.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stance::*;

    #[test]
    fn one_score_for_the_table_and_the_report() {
        let gold = [Favor, Against, None, Favor];
        let s = Score::new("nb", &gold, &[Favor, None, None, Favor], 1).unwrap();
        assert_eq!(s.accuracy, 0.75);
        let csv = s.to_csv().unwrap();
        assert!(
            csv.starts_with(
                "model,n,accuracy,macro_f1,macro_f1_lo,macro_f1_hi,f_avg\nnb,4,0.7500,"
            ),
            "{csv}"
        );
        let t = s.table();
        assert!(t.starts_with("accuracy 0.7500  macro_f1 "), "{t}");
        assert!(t.contains(" [95% "), "{t}");
        assert!(
            t.contains("\nfavor         1.0000  1.0000  1.0000        2\n"),
            "{t}"
        );
        assert!(Score::new("nb", &gold, &[Favor], 1).is_err());
    }
}
