//! A map from n-gram keys ([`super::Key`]) that stores keys of at most two
//! terms (upper two lanes [`super::PAD`]: unigrams, bigrams and character
//! n-grams) as `u64` in their own table: one multiply to hash instead of
//! two, and 16-byte instead of 32-byte entries (an `(u128, u32)` pair is
//! 16-aligned), so half the cache traffic on the hot look-ups.

use rustc_hash::FxHashMap;

use super::Key;

/// N-gram key → `V`; see the module documentation.
#[derive(Debug, Clone)]
pub(crate) struct KeyMap<V> {
    short: FxHashMap<u64, V>,
    long: FxHashMap<Key, V>,
}

impl<V> Default for KeyMap<V> {
    fn default() -> Self {
        KeyMap {
            short: FxHashMap::default(),
            long: FxHashMap::default(),
        }
    }
}

/// The low two lanes of `k` if its upper two lanes are unused.
#[inline]
fn short(k: Key) -> Option<u64> {
    ((k >> 64) as u64 == u64::MAX).then_some(k as u64)
}

/// A key of at most two terms from its low 64 bits.
#[inline]
pub(crate) fn widen(s: u64) -> Key {
    (u128::from(u64::MAX) << 64) | u128::from(s)
}

impl<V> KeyMap<V> {
    #[inline]
    pub(crate) fn get(&self, k: &Key) -> Option<&V> {
        match short(*k) {
            Some(s) => self.short.get(&s),
            None => self.long.get(k),
        }
    }

    /// The value of a key of at most two terms, given as its low 64 bits.
    #[inline]
    pub(crate) fn get_short(&self, s: u64) -> Option<&V> {
        self.short.get(&s)
    }

    /// [`KeyMap::insert`] of a key of at most two terms given as its low 64 bits.
    #[inline]
    pub(crate) fn insert_short(&mut self, s: u64, v: V) -> Option<V> {
        self.short.insert(s, v)
    }

    #[inline]
    pub(crate) fn insert(&mut self, k: Key, v: V) -> Option<V> {
        match short(k) {
            Some(s) => self.short.insert(s, v),
            None => self.long.insert(k, v),
        }
    }

    /// The value of `k`, inserting `make()` first if absent.
    #[inline]
    pub(crate) fn get_or_insert_with(&mut self, k: Key, make: impl FnOnce() -> V) -> &mut V {
        match short(k) {
            Some(s) => self.short.entry(s).or_insert_with(make),
            None => self.long.entry(k).or_insert_with(make),
        }
    }

    pub(crate) fn reserve_short(&mut self, n: usize) {
        self.short.reserve(n);
    }

    /// All entries, in no particular order, borrowed.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Key, &V)> + '_ {
        self.short
            .iter()
            .map(|(&s, v)| (widen(s), v))
            .chain(self.long.iter().map(|(&k, v)| (k, v)))
    }

    /// All entries, in no particular order.
    pub(crate) fn into_entries(self) -> impl Iterator<Item = (Key, V)> {
        self.short
            .into_iter()
            .map(|(s, v)| (widen(s), v))
            .chain(self.long)
    }
}
