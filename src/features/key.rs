//! Packed n-gram keys, the featurizer's one n-gram representation from
//! counting to the fitted vocabulary: up to [`MAX_NGRAM`] term ids in the
//! 32-bit lanes of a `u128`. Also the one place where a key becomes its
//! feature name ([`key_name`]).

use super::MAX_NGRAM;

/// An n-gram: up to [`MAX_NGRAM`] term ids packed in 32-bit lanes (first
/// term in the low lane), unused lanes [`PAD`]. A character n-gram is a
/// single term (its `c:` string).
pub(super) type Key = u128;

/// An unused lane of a [`Key`]; also "no term" where a term id is looked up.
pub(super) const PAD: u32 = u32::MAX;
/// The key of no n-gram (every lane [`PAD`]).
pub(super) const PAD_KEY: Key = u128::MAX;

/// Packs a window of term ids (at most [`MAX_NGRAM`]).
#[inline]
pub(super) fn pack(w: &[u32]) -> Key {
    let mut k = u128::MAX;
    for (i, &id) in w.iter().enumerate() {
        k &= !(u128::from(u32::MAX) << (32 * i));
        k |= u128::from(id) << (32 * i);
    }
    k
}

/// The low 64 bits of the key of the bigram `(a, b)` (see
/// [`super::keymap::KeyMap`]).
#[inline]
pub(super) fn pack2(a: u32, b: u32) -> u64 {
    u64::from(a) | (u64::from(b) << 32)
}

/// The term ids of `k`, in order.
#[inline]
pub(super) fn key_parts(k: Key) -> impl Iterator<Item = u32> {
    (0..MAX_NGRAM)
        .map(move |i| (k >> (32 * i)) as u32)
        .take_while(|&id| id != PAD)
}

/// `k` with each term id `id` replaced by `r[id]`.
#[inline]
pub(super) fn remap_key(k: Key, r: &[u32]) -> Key {
    let mut w = [PAD; MAX_NGRAM];
    let mut n = 0;
    for id in key_parts(k) {
        w[n] = r[id as usize];
        n += 1;
    }
    pack(&w[..n])
}

/// The feature name of `k`: its terms (`term(id)`) joined by a space.
pub(super) fn key_name<'a>(k: Key, term: impl Fn(u32) -> &'a str) -> String {
    let len = key_parts(k).map(|id| term(id).len() + 1).sum::<usize>();
    let mut s = String::with_capacity(len.saturating_sub(1));
    for id in key_parts(k) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(term(id));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_pack_remap_and_name() {
        let terms = ["a", "bb", "c"];
        let k = pack(&[2, 0, 1]);
        assert_eq!(key_parts(k).collect::<Vec<_>>(), [2, 0, 1]);
        assert_eq!(key_name(k, |id| terms[id as usize]), "c a bb");
        assert_eq!(pack(&[]), PAD_KEY);
        assert_eq!(key_name(PAD_KEY, |id| terms[id as usize]), "");
        // The low 64 bits of a bigram key are `pack2`; its upper lanes are PAD.
        let b = pack(&[7, 9]);
        assert_eq!(b as u64, pack2(7, 9));
        assert_eq!((b >> 64) as u64, u64::MAX);
        assert_eq!(remap_key(k, &[5, 6, 4]), pack(&[4, 5, 6]));
        let full = pack(&[1, 2, 3, 4]);
        assert_eq!(key_parts(full).count(), MAX_NGRAM);
    }
}
