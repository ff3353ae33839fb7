//! The analyzer's hot cache: an open-addressing hash table from raw token
//! keys (`u128`, never 0; see `raw_key` in the parent module) to values,
//! with the key and value in one slot (one cache line per probe) and a
//! [`RawTable::prefetch`] so that the look-ups of a whole text can have
//! their cache misses in flight at once.

/// Raw token key → `V`; key 0 is reserved (it marks an empty slot).
#[derive(Debug, Clone)]
pub(crate) struct RawTable<V> {
    slots: Vec<(u128, V)>,
    len: usize,
}

/// Slot of `k` in a table of `mask + 1` slots (a power of two).
#[inline]
fn home(k: u128, mask: usize) -> usize {
    let h = ((k as u64) ^ ((k >> 64) as u64).rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 32) as usize & mask
}

impl<V: Copy + Default> RawTable<V> {
    /// An empty table.
    pub(crate) fn new() -> RawTable<V> {
        RawTable {
            slots: vec![(0, V::default()); 64],
            len: 0,
        }
    }

    /// The value of `k` (not 0), if present.
    #[inline]
    pub(crate) fn get(&self, k: u128) -> Option<V> {
        let mask = self.slots.len() - 1;
        let mut i = home(k, mask);
        loop {
            let (sk, v) = self.slots[i];
            if sk == k {
                return Some(v);
            }
            if sk == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Hints the CPU to load the home slot of `k` into the cache.
    #[inline]
    pub(crate) fn prefetch(&self, k: u128) {
        let i = home(k, self.slots.len() - 1);
        prefetch_read(&self.slots[i]);
    }

    /// Inserts or replaces the value of `k` (not 0).
    pub(crate) fn insert(&mut self, k: u128, v: V) {
        debug_assert_ne!(k, 0);
        // Load at most 5/8: short probe sequences for the misses.
        if (self.len + 1) * 8 > self.slots.len() * 5 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = home(k, mask);
        loop {
            let sk = self.slots[i].0;
            if sk == k {
                self.slots[i].1 = v;
                return;
            }
            if sk == 0 {
                self.slots[i] = (k, v);
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let bigger = vec![(0, V::default()); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        for (k, v) in old.into_iter().filter(|s| s.0 != 0) {
            let mut i = home(k, mask);
            while self.slots[i].0 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (k, v);
        }
    }
}

/// A prefetch of the cache line of `p` (no effect on the program's result).
#[inline]
fn prefetch_read<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` only hints the cache; it never faults and reads
    // nothing the program sees, and SSE is part of the x86_64 baseline.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn matches_a_hash_map() {
        let mut t: RawTable<u32> = RawTable::new();
        let mut m: HashMap<u128, u32> = HashMap::new();
        // Keys that share home slots and low bits, and large ones.
        let keys: Vec<u128> = (1..5000u128)
            .map(|i| match i % 3 {
                0 => i,
                1 => i << 64,
                _ => (i * 0x9E37_79B9) | (7u128 << 120),
            })
            .collect();
        for (j, &k) in keys.iter().enumerate() {
            let v = j as u32;
            t.insert(k, v);
            m.insert(k, v);
            if j % 7 == 0 {
                t.insert(k, v + 1);
                m.insert(k, v + 1);
            }
            t.prefetch(k);
        }
        for &k in &keys {
            assert_eq!(t.get(k), m.get(&k).copied());
        }
        assert_eq!(t.len, m.len());
        for k in [5001u128, 1 << 100, u128::MAX] {
            assert_eq!(t.get(k), None);
        }
    }
}
