//! Per-thread counting, the featurizer's first stage: each thread's
//! [`Worker`] analyses its pieces of the texts into its own interner and
//! [`NgramTable`] (n-gram → slot, with document frequencies), and keeps the
//! per-document (slot, count) rows when asked. [`analyze_balanced`] shares
//! the texts among the workers; the vocabulary merge then combines their
//! tables.

use rayon::prelude::*;
use std::sync::{Mutex, PoisonError};

use super::key::{pack, pack2, Key, PAD};
use super::keymap::{self, KeyMap};
use super::{to_u32, FeaturizerParams, NONE};
use crate::text::Analyzer;

/// Document frequency of one slot, the last document it was counted in
/// and its position in that document's row.
#[derive(Clone, Copy)]
struct SlotStats {
    df: u32,
    last: u32,
    pos: u32,
}

/// Local n-gram table of one chunk: n-gram → slot, with document
/// frequencies; unigrams and character n-grams (single terms) are indexed
/// by term id without hashing.
#[derive(Default)]
pub(super) struct NgramTable {
    index: KeyMap<u32>,
    uni: Vec<u32>,
    keys: Vec<Key>,
    /// Per slot, what [`NgramTable::count`] touches (one cache line, not three).
    stats: Vec<SlotStats>,
}

impl NgramTable {
    /// The n-gram of each slot, in slot order.
    pub(super) fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// Each slot's n-gram and document frequency, in slot order.
    pub(super) fn dfs(&self) -> impl Iterator<Item = (Key, u32)> + '_ {
        self.keys.iter().zip(&self.stats).map(|(&k, st)| (k, st.df))
    }

    #[inline]
    fn new_slot(&mut self, k: Key) -> u32 {
        let s = to_u32(self.keys.len());
        self.keys.push(k);
        self.stats.push(SlotStats {
            df: 0,
            last: NONE,
            pos: 0,
        });
        s
    }

    #[inline]
    fn uni_slot(&mut self, term: u32) -> u32 {
        let t = term as usize;
        if t >= self.uni.len() {
            self.uni.resize(t + 1, NONE);
        }
        if self.uni[t] == NONE {
            self.uni[t] = self.new_slot(pack(&[term]));
        }
        self.uni[t]
    }

    /// [`NgramTable::slot`] of a two-term key given as its low 64 bits.
    #[inline]
    fn slot_short(&mut self, s: u64) -> u32 {
        if let Some(&i) = self.index.get_short(s) {
            return i;
        }
        let i = self.new_slot(keymap::widen(s));
        self.index.insert_short(s, i);
        i
    }

    #[inline]
    fn slot(&mut self, k: Key) -> u32 {
        if let Some(&s) = self.index.get(&k) {
            return s;
        }
        let s = self.new_slot(k);
        self.index.insert(k, s);
        s
    }

    /// Counts slot `s` in document `d`, whose (slot, count) pairs are `row`.
    #[inline]
    fn count(&mut self, s: u32, d: u32, row: &mut Vec<(u32, u32)>) {
        let st = &mut self.stats[s as usize];
        if st.last != d {
            st.last = d;
            st.df += 1;
            st.pos = to_u32(row.len());
            row.push((s, 1));
        } else {
            row[st.pos as usize].1 += 1;
        }
    }
}

/// One thread's share of a fit: an analyzer and an n-gram table that
/// persist across the blocks of a streamed fit (so each worker stems each
/// distinct token once), plus the per-document rows when they are kept.
pub(super) struct Worker {
    pub(super) an: Analyzer,
    pub(super) table: NgramTable,
    /// Documents analysed so far (the running document id of `table`).
    docs: usize,
    /// Tokens read so far.
    pub(super) tokens: usize,
    /// Per-document (slot, count) rows, if kept: row `i` is
    /// `slots[indptr[i]..indptr[i + 1]]`.
    pub(super) indptr: Vec<usize>,
    pub(super) slots: Vec<(u32, u32)>,
}

/// Consecutive documents whose rows a worker kept: `docs` rows from its
/// kept row `start`. The rows of the texts are the segments in order.
pub(super) struct Segment {
    pub(super) worker: usize,
    pub(super) start: usize,
    pub(super) docs: usize,
}

impl Worker {
    fn new(p: &FeaturizerParams) -> Worker {
        Worker {
            an: Analyzer::with_char_ngrams(p.analyzer, p.char_ngrams),
            table: NgramTable::default(),
            docs: 0,
            tokens: 0,
            indptr: vec![0],
            slots: Vec::new(),
        }
    }

    fn analyze<S: AsRef<str>>(&mut self, p: &FeaturizerParams, texts: &[S], keep_rows: bool) {
        let Worker {
            an,
            table,
            docs,
            tokens,
            indptr,
            slots,
        } = self;
        let (lo, hi) = p.ngram_range;
        let (mut words, mut chars, mut row) = (Vec::new(), Vec::new(), Vec::new());
        for t in texts {
            let d = to_u32(*docs);
            *docs += 1;
            words.clear();
            chars.clear();
            row.clear();
            *tokens += an.analyze_into(t.as_ref(), &mut words, &mut chars);
            if lo == 1 {
                for &w in &words {
                    let s = table.uni_slot(w);
                    table.count(s, d, &mut row);
                }
            }
            let mut counter = SlotCounter {
                table,
                d,
                row: &mut row,
            };
            for_each_ngram::<false, _>(&words, (lo, hi), &mut counter);
            for &c in &chars {
                let s = table.uni_slot(c);
                table.count(s, d, &mut row);
            }
            if keep_rows {
                slots.extend_from_slice(&row);
                indptr.push(slots.len());
            }
        }
    }
}

/// What [`for_each_ngram`] gives each word n-gram to. Implementations
/// mark both methods `#[inline(always)]`, so that the shared loop compiles
/// to the loop each caller would write by hand (a closure there was not
/// inlined, and counting slowed down by a tenth).
pub(super) trait NgramSink {
    /// A bigram, as the low 64 bits of its key ([`pack2`]).
    fn bigram(&mut self, b: u64);
    /// An n-gram of three or more terms.
    fn longer(&mut self, k: Key);
}

/// Counts the n-grams of document `d` into a worker's table and row.
struct SlotCounter<'a> {
    table: &'a mut NgramTable,
    d: u32,
    row: &'a mut Vec<(u32, u32)>,
}

impl NgramSink for SlotCounter<'_> {
    #[inline(always)]
    fn bigram(&mut self, b: u64) {
        let s = self.table.slot_short(b);
        self.table.count(s, self.d, self.row);
    }

    #[inline(always)]
    fn longer(&mut self, k: Key) {
        let s = self.table.slot(k);
        self.table.count(s, self.d, self.row);
    }
}

/// The one n-gram window loop, of fitting ([`Worker`]) and of
/// transforming: gives `sink` each word n-gram of `words` whose length is
/// in `lo.max(2)..=hi`, by length, then position (unigrams are single
/// terms, which each caller looks up directly). With `SKIP_PAD`, windows
/// holding a [`PAD`] (a term outside the vocabulary) are skipped.
#[inline(always)]
pub(super) fn for_each_ngram<const SKIP_PAD: bool, K: NgramSink>(
    words: &[u32],
    (lo, hi): (usize, usize),
    sink: &mut K,
) {
    for n in lo.max(2)..=hi {
        if n == 2 {
            for w in words.windows(2) {
                if SKIP_PAD && (w[0] == PAD || w[1] == PAD) {
                    continue;
                }
                sink.bigram(pack2(w[0], w[1]));
            }
            continue;
        }
        for w in words.windows(n) {
            if SKIP_PAD && w.contains(&PAD) {
                continue;
            }
            sink.longer(pack(w));
        }
    }
}

/// Analyses `texts` in parallel with one worker per thread (added to
/// `workers` as needed): the texts are cut into pieces, a few per thread,
/// that the threads take as they go (rayon's work stealing, which keeps
/// each thread on mostly consecutive pieces, so that its cache sees
/// related texts), and each piece is analysed by the worker of the thread
/// that took it. Which worker analyses which piece varies from run to run;
/// nothing the merge produces depends on it. Returns, in text order, where
/// each piece's rows are (meaningful if `keep_rows`).
pub(super) fn analyze_balanced<S: AsRef<str> + Sync>(
    p: &FeaturizerParams,
    workers: &mut Vec<Worker>,
    texts: &[S],
    keep_rows: bool,
) -> Vec<Segment> {
    let threads = rayon::current_num_threads().max(1);
    while workers.len() < threads {
        workers.push(Worker::new(p));
    }
    let cells: Vec<Mutex<&mut Worker>> = workers.iter_mut().map(Mutex::new).collect();
    split_pieces(texts, threads * PIECES_PER_THREAD)
        .into_par_iter()
        .map(|piece| {
            // Each thread has its own worker, so the lock is never
            // contended (it only proves that to the compiler).
            let worker = rayon::current_thread_index().unwrap_or(0) % cells.len();
            let mut w = cells[worker].lock().unwrap_or_else(PoisonError::into_inner);
            let start = w.indptr.len() - 1;
            w.analyze(p, piece, keep_rows);
            Segment {
                worker,
                start,
                docs: piece.len(),
            }
        })
        .collect()
}

/// Pieces per thread of a parallel fit: enough to even out texts that
/// take longer than others, few enough that each worker's cache still
/// sees long runs of consecutive texts.
const PIECES_PER_THREAD: usize = 8;

/// Splits `texts` into contiguous chunks of about equal byte size: one
/// chunk per thread (more chunks would repeat the per-chunk stemming).
pub(super) fn split_chunks<S: AsRef<str>>(texts: &[S]) -> Vec<&[S]> {
    split_pieces(texts, rayon::current_num_threads())
}

/// Splits `texts` into consecutive pieces of about equal bytes: `k` of
/// them, or fewer so that there are at least 64 texts a piece on average.
fn split_pieces<S: AsRef<str>>(texts: &[S], k: usize) -> Vec<&[S]> {
    let k = k.max(1).min(texts.len().div_ceil(64)).max(1);
    if k == 1 {
        return vec![texts];
    }
    let total: usize = texts.iter().map(|t| t.as_ref().len() + 1).sum();
    let per = total.div_ceil(k);
    let mut out = Vec::with_capacity(k);
    let (mut start, mut acc) = (0, 0);
    for (i, t) in texts.iter().enumerate() {
        acc += t.as_ref().len() + 1;
        if acc >= per {
            out.push(&texts[start..=i]);
            start = i + 1;
            acc = 0;
        }
    }
    if start < texts.len() {
        out.push(&texts[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    impl NgramSink for Vec<Key> {
        fn bigram(&mut self, b: u64) {
            self.push(keymap::widen(b));
        }
        fn longer(&mut self, k: Key) {
            self.push(k);
        }
    }

    fn grams<const SKIP_PAD: bool>(words: &[u32], range: (usize, usize)) -> Vec<Key> {
        let mut out = Vec::new();
        for_each_ngram::<SKIP_PAD, _>(words, range, &mut out);
        out
    }

    #[test]
    fn window_loop_gives_ngrams_by_length_then_position() {
        let words = [1, 2, PAD, 3, 4];
        assert_eq!(grams::<true>(&words, (1, 1)), []);
        assert_eq!(
            grams::<true>(&words, (1, 3)),
            [pack(&[1, 2]), pack(&[3, 4])]
        );
        assert_eq!(
            grams::<false>(&[1, 2, 3, 4], (2, 4)),
            [
                pack(&[1, 2]),
                pack(&[2, 3]),
                pack(&[3, 4]),
                pack(&[1, 2, 3]),
                pack(&[2, 3, 4]),
                pack(&[1, 2, 3, 4]),
            ]
        );
        assert_eq!(grams::<false>(&[5, 6, 7], (3, 3)), [pack(&[5, 6, 7])]);
        // Without skipping, a window holding PAD is given like any other.
        assert_eq!(grams::<false>(&words, (2, 2)).len(), 4);
    }
}
