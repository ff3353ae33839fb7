//! Weighting and row building, the featurizer's last stage: n-gram
//! counts become rows of feature values (binary, count or TF-IDF, with
//! sublinear tf and L2 normalisation as set) in one place,
//! [`Featurizer::weigh`]. The rows come from the workers' kept counts of a
//! fit ([`Featurizer::rows_of`]) or from analysing new texts with a fitted
//! featurizer ([`Featurizer::transform_chunk`]).

use rayon::prelude::*;

use super::count::{for_each_ngram, NgramSink, Segment, Worker};
use super::key::{pack, remap_key, Key, PAD};
use super::keymap::FeatureMap;
use super::{to_u32, CsrMatrix, Featurizer, Weighting, NONE};
use crate::text::Analyzer;

/// One thread's transform state: an analyzer and, per analyzer term id,
/// the featurizer's term id (or [`PAD`]) and its single-term feature (or
/// [`NONE`]).
pub(super) struct TransformState {
    an: Analyzer,
    local: Vec<(u32, u32)>,
    /// The rows of the last chunk transformed (buffers reused).
    pub(super) out: CsrMatrix,
}

impl TransformState {
    /// A state with a cold analyzer.
    pub(super) fn new(f: &Featurizer) -> TransformState {
        let p = &f.params.0;
        TransformState::with_analyzer(Analyzer::with_char_ngrams(p.analyzer, p.char_ngrams), f)
    }

    /// A state that reuses `an` (and its cache) from a fit with the same
    /// settings.
    pub(super) fn with_analyzer(an: Analyzer, f: &Featurizer) -> TransformState {
        TransformState {
            an,
            local: Vec::new(),
            out: CsrMatrix::new(f.n_features()),
        }
    }
}

/// Collects the features of the n-grams of a text being transformed.
struct FeatureHits<'a> {
    features: &'a FeatureMap,
    feats: &'a mut Vec<u32>,
}

impl NgramSink for FeatureHits<'_> {
    #[inline(always)]
    fn bigram(&mut self, b: u64) {
        if let Some(&f) = self.features.get_short(b) {
            self.feats.push(f);
        }
    }

    #[inline(always)]
    fn longer(&mut self, k: Key) {
        if let Some(&f) = self.features.get(&k) {
            self.feats.push(f);
        }
    }
}

/// The rows of `parts`, in order, in one matrix of `n_cols` columns.
pub(super) fn concat(n_cols: usize, mut parts: Vec<CsrMatrix>) -> CsrMatrix {
    if parts.len() == 1 {
        if let Some(m) = parts.pop() {
            return m;
        }
    }
    let mut out = CsrMatrix::new(n_cols);
    out.reserve(
        parts.iter().map(CsrMatrix::n_rows).sum(),
        parts.iter().map(CsrMatrix::nnz).sum(),
    );
    for m in &parts {
        out.append(m);
    }
    out
}

impl Featurizer {
    /// Transforms `texts` into `st.out` (cleared first); returns the number
    /// of tokens read.
    pub(super) fn transform_chunk<S: AsRef<str>>(
        &self,
        st: &mut TransformState,
        texts: &[S],
    ) -> usize {
        let p = &self.params.0;
        let (lo, hi) = p.ngram_range;
        let TransformState { an, local, out } = st;
        out.clear();
        let (mut words, mut chars) = (Vec::new(), Vec::new());
        let mut feats: Vec<u32> = Vec::new();
        let mut counts: Vec<(u32, u32)> = Vec::new();
        let mut tokens = 0;
        for t in texts {
            words.clear();
            chars.clear();
            feats.clear();
            tokens += an.analyze_into(t.as_ref(), &mut words, &mut chars);
            while local.len() < an.n_terms() {
                let term = an.term(to_u32(local.len()));
                let tid = self.term_ids.get(term).unwrap_or(PAD);
                let f = if tid == PAD {
                    NONE
                } else {
                    self.features.get(&pack(&[tid])).copied().unwrap_or(NONE)
                };
                local.push((tid, f));
            }
            let single = |id: &u32| local[*id as usize].1;
            if lo == 1 {
                feats.extend(words.iter().map(single).filter(|&f| f != NONE));
            }
            feats.extend(chars.iter().map(single).filter(|&f| f != NONE));
            if hi >= 2 {
                words.iter_mut().for_each(|w| *w = local[*w as usize].0);
                let mut hits = FeatureHits {
                    features: &self.features,
                    feats: &mut feats,
                };
                for_each_ngram::<true, _>(&words, (lo, hi), &mut hits);
            }
            feats.sort_unstable();
            counts.clear();
            counts.extend(
                feats
                    .chunk_by(|a, b| a == b)
                    .map(|run| (run[0], to_u32(run.len()))),
            );
            out.push_row_with(counts.len(), |ix, vs| self.weigh(&counts, ix, vs));
        }
        tokens
    }

    /// The kept training rows, segment by segment, written in parallel
    /// straight into one matrix (`remaps[i]`: worker `i`'s local → global
    /// term ids). Each segment first counts the non-zeros it keeps, so that
    /// every segment writes its own slice of the final arrays: no
    /// per-segment matrices and no serial concatenation.
    pub(super) fn rows_of(
        &self,
        workers: &[Worker],
        remaps: &[Vec<u32>],
        segments: &[Segment],
    ) -> CsrMatrix {
        // Per worker, slot → feature (or NONE).
        let slot_features: Vec<Vec<u32>> = workers
            .par_iter()
            .zip(remaps)
            .map(|(c, r)| {
                c.table
                    .keys()
                    .iter()
                    .map(|&k| self.features.get(&remap_key(k, r)).copied().unwrap_or(NONE))
                    .collect()
            })
            .collect();
        let seg_slots = |g: &Segment| {
            let ip = &workers[g.worker].indptr;
            &workers[g.worker].slots[ip[g.start]..ip[g.start + g.docs]]
        };
        let nnz_of: Vec<usize> = segments
            .par_iter()
            .map(|g| {
                let sf = &slot_features[g.worker];
                seg_slots(g)
                    .iter()
                    .filter(|s| sf[s.0 as usize] != NONE)
                    .count()
            })
            .collect();
        let n_rows: usize = segments.iter().map(|g| g.docs).sum();
        let nnz: usize = nnz_of.iter().sum();
        // Zeroed allocations are mapped lazily: the pages are first touched
        // (and faulted in) by the threads that fill them.
        let mut indptr = vec![0usize; n_rows + 1];
        let mut indices = vec![0u32; nnz];
        let mut values = vec![0f64; nnz];
        let mut jobs = Vec::with_capacity(segments.len());
        {
            let (mut ip, mut ix, mut vs) = (&mut indptr[1..], &mut indices[..], &mut values[..]);
            let mut base = 0;
            for (g, &n) in segments.iter().zip(&nnz_of) {
                let (a, rest) = std::mem::take(&mut ip).split_at_mut(g.docs);
                ip = rest;
                let (b, rest) = std::mem::take(&mut ix).split_at_mut(n);
                ix = rest;
                let (v, rest) = std::mem::take(&mut vs).split_at_mut(n);
                vs = rest;
                jobs.push((g, a, b, v, base));
                base += n;
            }
        }
        jobs.into_par_iter().for_each(|(g, ip, ix, vs, base)| {
            let c = &workers[g.worker];
            let rows = &c.indptr[g.start..=g.start + g.docs];
            self.fill_rows(&c.slots, rows, &slot_features[g.worker], ip, ix, vs);
            ip.iter_mut().for_each(|e| *e += base);
        });
        CsrMatrix::from_raw(self.n_features(), indptr, indices, values)
    }

    /// Writes the rows `slots[rows[i]..rows[i + 1]]` (slot → feature `sf`)
    /// into `indices` and `values` (exactly their kept non-zeros) and their
    /// ends (from 0) into `ends`.
    fn fill_rows(
        &self,
        slots: &[(u32, u32)],
        rows: &[usize],
        sf: &[u32],
        ends: &mut [usize],
        indices: &mut [u32],
        values: &mut [f64],
    ) {
        let mut packed: Vec<u64> = Vec::new();
        let mut counts: Vec<(u32, u32)> = Vec::new();
        let mut at = 0;
        for (w, end) in rows.windows(2).zip(ends) {
            // (feature, count) packed in a `u64`, so the sort compares
            // integers (features are distinct within a row).
            packed.clear();
            packed.extend(
                slots[w[0]..w[1]]
                    .iter()
                    .map(|&(s, n)| (u64::from(sf[s as usize]) << 32) | u64::from(n))
                    .filter(|&k| (k >> 32) as u32 != NONE),
            );
            packed.sort_unstable();
            counts.clear();
            counts.extend(packed.iter().map(|&k| ((k >> 32) as u32, k as u32)));
            let next = at + counts.len();
            self.weigh(&counts, &mut indices[at..next], &mut values[at..next]);
            at = next;
            *end = at;
        }
    }

    /// Writes the row of `(feature, count)` pairs (features increasing),
    /// weighted and normalised as the settings say, into `indices` and
    /// `values` (both `counts.len()` long).
    #[inline]
    fn weigh(&self, counts: &[(u32, u32)], indices: &mut [u32], values: &mut [f64]) {
        let p = &self.params.0;
        for ((i, v), &(f, n)) in indices.iter_mut().zip(values.iter_mut()).zip(counts) {
            let tf = f64::from(n);
            let tf = if p.sublinear_tf { 1.0 + tf.ln() } else { tf };
            *i = f;
            *v = match p.weight {
                Weighting::Binary => 1.0,
                Weighting::Count => tf,
                Weighting::Tfidf => tf * self.idf[f as usize],
            };
        }
        if p.norm {
            let norm = values.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 0.0 {
                values.iter_mut().for_each(|v| *v /= norm);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeaturizerParams;

    fn fit(p: FeaturizerParams, texts: &[&str]) -> Featurizer {
        p.check().unwrap().fit(texts).unwrap()
    }

    #[test]
    fn tfidf_matches_hand_computed_values() {
        // n = 2 docs; "a" in both: idf = ln(3/3)+1 = 1; "b" in one: ln(3/2)+1.
        let f = fit(FeaturizerParams::default().stem(false), &["a b b", "a"]);
        let idf_b = (1.5f64).ln() + 1.0;
        assert_eq!(f.names(), ["a", "b"]);
        assert!((f.idf()[1] - idf_b).abs() < 1e-12);
        let x = f.transform(&["a b b", "b unseen"]);
        let (c, v) = x.row(0);
        let norm = (1.0 + (2.0 * idf_b).powi(2)).sqrt();
        assert_eq!(c, [0, 1]);
        assert!((v[0] - 1.0 / norm).abs() < 1e-12 && (v[1] - 2.0 * idf_b / norm).abs() < 1e-12);
        // Unseen words are ignored; a single feature normalises to 1.
        assert_eq!(x.row(1), (&[1u32][..], &[1.0][..]));
    }

    #[test]
    fn counts_binary_and_sublinear() {
        let texts = ["a a a b", "a c", "a d"];
        let f = fit(
            FeaturizerParams::default()
                .stem(false)
                .weight(Weighting::Count)
                .norm(false),
            &texts,
        );
        assert_eq!(f.transform(&["a a a b"]).row(0).1, [3.0, 1.0]);
        let f = fit(
            FeaturizerParams::default()
                .stem(false)
                .weight(Weighting::Binary)
                .norm(false),
            &texts,
        );
        assert_eq!(f.transform(&["a a a b"]).row(0).1, [1.0, 1.0]);
        let f = fit(
            FeaturizerParams::default()
                .stem(false)
                .weight(Weighting::Count)
                .sublinear_tf(true)
                .norm(false),
            &texts,
        );
        assert!((f.transform(&["a a a"]).row(0).1[0] - (1.0 + 3f64.ln())).abs() < 1e-12);
    }
}
