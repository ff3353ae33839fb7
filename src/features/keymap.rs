//! A map from n-gram keys ([`super::key::Key`]) that stores keys of at most two
//! terms (upper two lanes [`super::key::PAD`]: unigrams, bigrams and character
//! n-grams) as `u64` in their own table: one multiply to hash instead of
//! two, and 16-byte instead of 32-byte entries (an `(u128, u32)` pair is
//! 16-aligned), so half the cache traffic on the hot look-ups. A
//! [`FeatureMap`] is such maps sharded, to build a vocabulary in parallel.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::key::Key;

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

/// Number of shards of a [`FeatureMap`].
const FEATURE_SHARDS: usize = 32;

/// N-gram key → feature index, as [`FeatureMap::from_keys`] builds it: the
/// keys are split by a hash into [`FEATURE_SHARDS`] [`KeyMap`]s, so that
/// the shards are filled in parallel, each small enough to stay in a core's
/// cache while it is filled (one map of a million features would take a
/// cache miss per insert). A look-up costs one more multiply.
#[derive(Debug, Clone)]
pub(crate) struct FeatureMap {
    shards: Vec<KeyMap<u32>>,
}

impl Default for FeatureMap {
    fn default() -> Self {
        FeatureMap {
            shards: (0..FEATURE_SHARDS).map(|_| KeyMap::default()).collect(),
        }
    }
}

/// The shard of a key of at most two terms (given as its low 64 bits).
#[inline]
fn shard_short(s: u64) -> usize {
    (s.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59) as usize
}

/// The shard of any key.
#[inline]
fn shard_of(k: Key) -> usize {
    match short(k) {
        Some(s) => shard_short(s),
        None => shard_short((k as u64) ^ ((k >> 64) as u64).rotate_left(29)),
    }
}

impl FeatureMap {
    /// Maps `key(&items[i])` to `i`, in parallel. Returns the index of a
    /// key that is there twice, if any.
    pub(crate) fn from_keys<T: Sync>(
        items: &[T],
        key: impl Fn(&T) -> Key + Sync,
    ) -> Result<FeatureMap, usize> {
        // Each piece of the items lists its indices by shard (4 bytes an
        // item); then each shard is filled from every piece, in order.
        let piece = items
            .len()
            .div_ceil(rayon::current_num_threads().max(1))
            .max(1 << 14);
        let split: Vec<Vec<Vec<u32>>> = items
            .par_chunks(piece)
            .enumerate()
            .map(|(c, part)| {
                let mut out: Vec<Vec<u32>> = (0..FEATURE_SHARDS)
                    .map(|_| Vec::with_capacity(part.len() / FEATURE_SHARDS * 5 / 4))
                    .collect();
                for (i, t) in part.iter().enumerate() {
                    out[shard_of(key(t))].push(super::to_u32(c * piece + i));
                }
                out
            })
            .collect();
        let shards: Vec<Result<KeyMap<u32>, usize>> = (0..FEATURE_SHARDS)
            .into_par_iter()
            .map(|s| {
                let mut m = KeyMap::default();
                m.reserve_short(split.iter().map(|p| p[s].len()).sum());
                for &i in split.iter().flat_map(|p| &p[s]) {
                    if m.insert(key(&items[i as usize]), i).is_some() {
                        return Err(i as usize);
                    }
                }
                Ok(m)
            })
            .collect();
        Ok(FeatureMap {
            shards: shards.into_iter().collect::<Result<_, _>>()?,
        })
    }

    #[inline]
    pub(crate) fn get(&self, k: &Key) -> Option<&u32> {
        self.shards[shard_of(*k)].get(k)
    }

    /// The feature of a key of at most two terms, given as its low 64 bits.
    #[inline]
    pub(crate) fn get_short(&self, s: u64) -> Option<&u32> {
        self.shards[shard_short(s)].get_short(s)
    }

    /// All entries, in no particular order, borrowed.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Key, &u32)> + '_ {
        self.shards.iter().flat_map(KeyMap::iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_map_finds_every_key_and_names_a_duplicate() {
        // Short keys (one or two terms) and long ones (three or four).
        let keys: Vec<Key> = (0..5000u32)
            .map(|i| match i % 3 {
                0 => widen(u64::from(i) | (u64::from(u32::MAX) << 32)),
                1 => widen(u64::from(i) | (u64::from(i + 7) << 32)),
                _ => (u128::from(u32::MAX) << 96) | (u128::from(i) << 64) | u128::from(i),
            })
            .collect();
        let m = FeatureMap::from_keys(&keys, |&k| k).unwrap();
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(m.get(&k), Some(&(i as u32)));
            if let Some(s) = short(k) {
                assert_eq!(m.get_short(s), Some(&(i as u32)));
            }
        }
        assert_eq!(m.get(&widen(u64::MAX - 1)), None);
        let mut all: Vec<(Key, u32)> = m.iter().map(|(k, &i)| (k, i)).collect();
        all.sort_unstable_by_key(|e| e.1);
        assert!(all
            .iter()
            .enumerate()
            .all(|(i, e)| e == &(keys[i], i as u32)));
        let mut dup = keys.clone();
        dup.push(keys[42]);
        assert_eq!(FeatureMap::from_keys(&dup, |&k| k).err(), Some(keys.len()));
    }
}
