//! Streaming, for inputs too large to hold: [`StreamFit`] fits block by
//! block (each thread's [`Worker`], with its analyzer cache and n-gram
//! table, persists across blocks, and the rows of the first blocks may be
//! kept), and [`StreamTransformer`] transforms block by block, reusing the
//! fit's analyzer caches. Memory is proportional to the vocabulary × threads
//! plus one block; the vocabulary, IDF and rows are those of fitting all the
//! texts at once.

use rayon::prelude::*;

use super::count::{analyze_balanced, split_chunks, Segment, Worker};
use super::weigh::TransformState;
use super::{CsrMatrix, Featurizer, ValidFeaturizerParams};
use crate::error::Result;

/// Memory of one kept non-zero of a streamed fit: its (slot, count) pair
/// (8 bytes) and its entry in the rows built from them (a `u32` index and
/// an `f64` value).
pub const KEPT_BYTES_PER_NONZERO: usize = 20;

/// Memory of one kept row of a streamed fit besides its non-zeros: where it
/// ends among the counts, and among the built rows (a `usize` each).
pub const KEPT_BYTES_PER_ROW: usize = 16;

/// A streamed fit in progress (see [`ValidFeaturizerParams::stream_fit`]).
///
/// Each block is analysed as [`ValidFeaturizerParams::fit`] analyses its
/// texts, by one worker per thread whose analyzer cache and n-gram table
/// persist across blocks, so memory grows with the vocabulary only.
pub struct StreamFit {
    params: ValidFeaturizerParams,
    workers: Vec<Worker>,
    n_docs: usize,
    tokens: usize,
    /// Keep the per-document counts of the blocks while they take less than
    /// this many bytes (see [`StreamFit::keep_rows`]); `None`: not keeping
    /// (never asked to, or the budget was reached).
    keep_budget: Option<usize>,
    /// The kept rows, in order (those of the first
    /// [`StreamFit::kept_docs`] texts).
    kept: Vec<Segment>,
}

impl StreamFit {
    /// A streamed fit with `params` that has seen no text.
    pub(super) fn new(params: ValidFeaturizerParams) -> StreamFit {
        StreamFit {
            params,
            workers: Vec::new(),
            n_docs: 0,
            tokens: 0,
            keep_budget: None,
            kept: Vec::new(),
        }
    }

    /// Counts the n-grams of the next block of texts (in parallel).
    pub fn update<S: AsRef<str> + Sync>(&mut self, texts: &[S]) {
        let p = &self.params.0;
        let keep = self.keep_budget.is_some();
        let before: usize = self.workers.iter().map(|w| w.tokens).sum();
        let segments = analyze_balanced(p, &mut self.workers, texts, keep);
        if keep {
            self.kept.extend(segments);
        }
        self.n_docs += texts.len();
        self.tokens += self.workers.iter().map(|w| w.tokens).sum::<usize>() - before;
        if let Some(budget) = self.keep_budget {
            let bytes: usize = self
                .workers
                .iter()
                .map(|w| w.slots.len() * KEPT_BYTES_PER_NONZERO)
                .sum::<usize>()
                + self.kept_docs() * KEPT_BYTES_PER_ROW;
            if bytes >= budget {
                self.keep_budget = None;
            }
        }
    }

    /// Keeps the per-document n-gram counts of the blocks given to
    /// [`StreamFit::update`], from the first, until they and the rows
    /// built from them take `budget` bytes ([`KEPT_BYTES_PER_NONZERO`]
    /// per non-zero and [`KEPT_BYTES_PER_ROW`] per row; the block that
    /// reaches the budget is still kept whole). [`StreamFit::finish`] then also builds their rows, which
    /// [`StreamTransformer::take_kept_rows`] hands out: a second pass need
    /// only featurize the blocks after them, and none if all were kept.
    /// Call before the first update.
    pub fn keep_rows(&mut self, budget: usize) {
        if self.n_docs == 0 {
            self.keep_budget = Some(budget);
        }
    }

    /// Number of texts, from the first, whose rows are kept.
    pub fn kept_docs(&self) -> usize {
        self.kept.iter().map(|g| g.docs).sum()
    }

    /// Number of texts seen so far.
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    /// Number of tokens read so far.
    pub fn tokens(&self) -> usize {
        self.tokens
    }

    /// Freezes the vocabulary and IDF. The returned transformer keeps the
    /// workers' analyzer caches, so transforming the same blocks again (the
    /// second pass of a streamed featurize) does not stem again.
    ///
    /// # Errors
    /// As [`ValidFeaturizerParams::fit`].
    pub fn finish(self) -> Result<StreamTransformer> {
        let (featurizer, remaps) = self.params.merge(&self.workers, self.n_docs)?;
        let first =
            (self.kept_docs() > 0).then(|| featurizer.rows_of(&self.workers, &remaps, &self.kept));
        let states = self
            .workers
            .into_iter()
            .map(|w| TransformState::with_analyzer(w.an, &featurizer))
            .collect();
        Ok(StreamTransformer {
            featurizer,
            states,
            first,
        })
    }
}

/// Featurizes texts block by block with a fitted featurizer, keeping one
/// analyzer cache per thread across blocks. The rows are those of
/// [`Featurizer::transform`], whatever the blocks.
pub struct StreamTransformer {
    featurizer: Featurizer,
    states: Vec<TransformState>,
    /// The rows of the first texts, if the fit kept them.
    first: Option<CsrMatrix>,
}

impl StreamTransformer {
    /// A transformer with cold caches.
    pub fn new(featurizer: Featurizer) -> StreamTransformer {
        StreamTransformer {
            featurizer,
            states: Vec::new(),
            first: None,
        }
    }

    /// The fitted featurizer.
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// The rows of the first texts of the fit, once, if it kept them
    /// ([`StreamFit::keep_rows`], [`StreamFit::kept_docs`] of them): the
    /// same rows as transforming those texts.
    pub fn take_kept_rows(&mut self) -> Option<CsrMatrix> {
        self.first.take()
    }

    /// Consumes the transformer, returning the fitted featurizer.
    pub fn into_featurizer(self) -> Featurizer {
        self.featurizer
    }

    /// Featurizes the next block (in parallel); also returns the number of
    /// tokens read.
    pub fn transform_counted<S: AsRef<str> + Sync>(&mut self, texts: &[S]) -> (CsrMatrix, usize) {
        let n_cols = self.featurizer.n_features();
        let (parts, tokens) = self.transform_parts(texts);
        let mut out = CsrMatrix::new(n_cols);
        out.reserve(
            parts.iter().map(|m| m.n_rows()).sum(),
            parts.iter().map(|m| m.nnz()).sum(),
        );
        parts.iter().for_each(|m| out.append(m));
        (out, tokens)
    }

    /// As [`StreamTransformer::transform_counted`], but returns the rows
    /// of the block as consecutive parts (one per thread), which the
    /// transformer keeps and reuses for the next block: no concatenation,
    /// and after the first block no fresh memory to fault in.
    pub fn transform_parts<S: AsRef<str> + Sync>(
        &mut self,
        texts: &[S],
    ) -> (Vec<&CsrMatrix>, usize) {
        let f = &self.featurizer;
        let chunks = split_chunks(texts);
        while self.states.len() < chunks.len() {
            self.states.push(TransformState::new(f));
        }
        let tokens = self
            .states
            .par_iter_mut()
            .zip(chunks.par_iter())
            .map(|(st, c)| f.transform_chunk(st, c))
            .sum();
        let parts = self.states[..chunks.len()]
            .iter()
            .map(|st| &st.out)
            .collect();
        (parts, tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{corpus, pool};
    use super::*;
    use crate::features::FeaturizerParams;

    #[test]
    fn streamed_fit_matches_fit_transform_for_any_blocks() {
        let texts = corpus();
        for p in [
            FeaturizerParams::default().ngram_range(1, 3).min_df(2),
            FeaturizerParams::default()
                .char_ngrams(Some((2, 4)))
                .max_df(0.5)
                .max_features(Some(300)),
        ] {
            let p = p.check().unwrap();
            let (f1, x1, t1) = pool(1).install(|| p.fit_transform(&texts)).unwrap();
            for (threads, block) in [(1, 1), (2, 7), (3, 500), (2, 3000), (7, 64), (3, 2950)] {
                pool(threads).install(|| {
                    let mut fit = p.stream_fit();
                    texts.chunks(block).for_each(|b| fit.update(b));
                    assert_eq!((fit.n_docs(), fit.tokens()), (texts.len(), t1));
                    let mut tr = fit.finish().unwrap();
                    assert_eq!(tr.featurizer().names(), f1.names());
                    assert_eq!(tr.featurizer().idf(), f1.idf());
                    let mut x = CsrMatrix::new(f1.n_features());
                    for b in texts.chunks(block) {
                        x.append(&tr.transform_counted(b).0);
                    }
                    assert_eq!(x, x1, "{threads} threads, blocks of {block}");
                    // The rows kept from pass 1 are the transformed rows, for
                    // no budget (first block only), a budget reached after
                    // some blocks, and one that keeps every block.
                    for budget in [0, 2000, usize::MAX] {
                        let mut fit = p.stream_fit();
                        fit.keep_rows(budget);
                        texts.chunks(block).for_each(|b| fit.update(b));
                        let kept = fit.kept_docs();
                        let mut tr = fit.finish().unwrap();
                        let mut z = tr.take_kept_rows().unwrap();
                        assert!(tr.take_kept_rows().is_none());
                        assert_eq!(z.n_rows(), kept);
                        assert!(kept == texts.len() || kept % block == 0, "whole blocks");
                        if budget == 0 {
                            assert_eq!(kept, block.min(texts.len()));
                        }
                        if budget == usize::MAX {
                            assert_eq!(kept, texts.len());
                        }
                        for b in texts.chunks(block).skip(kept.div_ceil(block)) {
                            let (parts, _) = tr.transform_parts(b);
                            parts.iter().for_each(|m| z.append(m));
                        }
                        assert_eq!(z, x1, "{threads} threads, blocks of {block}, {kept} kept");
                    }
                    // Cold caches and other blocks give the same rows.
                    let mut cold = StreamTransformer::new(tr.into_featurizer());
                    let mut y = CsrMatrix::new(f1.n_features());
                    for b in texts.chunks(block + 1) {
                        y.append(&cold.transform_counted(b).0);
                    }
                    assert_eq!(y, x1);
                });
            }
        }
        let e = FeaturizerParams::default()
            .check()
            .unwrap()
            .stream_fit()
            .finish();
        assert!(e.is_err());
    }
}
