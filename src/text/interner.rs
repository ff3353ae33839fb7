//! String interning without a heap allocation per string: the strings are
//! stored back to back in one arena and found through [`TagIndex`], an
//! open-addressing table of (hash tag, id) pairs packed in a `u64`.
//!
//! Used for the analyzer's token cache and term list (each distinct term is
//! stored once, not once per map and list) and by the featurizer's merge
//! and fitted term map; freeing an interner is a few frees, not one per
//! string.

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

/// An empty slot of a [`TagIndex`].
const EMPTY: u64 = u64::MAX;

/// The 32-bit hash tag of `s`: the high bits of a mixed Fx hash, so its low
/// bits can pick the home slot.
#[inline]
pub fn tag_of(s: &str) -> u32 {
    let h = FxBuildHasher.hash_one(s.as_bytes());
    (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

/// Ids (`< u32::MAX`) indexed by a 32-bit hash tag of their key; the keys
/// live elsewhere, so every look-up gets an `eq` that compares an id's key
/// with the one sought (called only for ids with the same tag).
#[derive(Debug, Clone)]
pub struct TagIndex {
    /// `tag << 32 | id`, or [`EMPTY`].
    slots: Vec<u64>,
    len: usize,
}

impl Default for TagIndex {
    fn default() -> Self {
        TagIndex::with_capacity(0)
    }
}

impl TagIndex {
    /// An empty index that holds `n` ids without growing.
    pub fn with_capacity(n: usize) -> TagIndex {
        // Load at most 5/8.
        let slots = (n * 8 / 5 + 1).next_power_of_two().max(16);
        TagIndex {
            slots: vec![EMPTY; slots],
            len: 0,
        }
    }

    /// The id with tag `tag` for which `eq` holds, if any.
    #[inline]
    pub fn find(&self, tag: u32, eq: impl Fn(u32) -> bool) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = tag as usize & mask;
        loop {
            let s = self.slots[i];
            if s == EMPTY {
                return None;
            }
            if (s >> 32) as u32 == tag && eq(s as u32) {
                return Some(s as u32);
            }
            i = (i + 1) & mask;
        }
    }

    /// The id with tag `tag` for which `eq` holds, or else inserts `next`
    /// (`< u32::MAX`, not present) and returns `None`.
    #[inline]
    pub fn find_or_insert(&mut self, tag: u32, eq: impl Fn(u32) -> bool, next: u32) -> Option<u32> {
        debug_assert_ne!(next, u32::MAX);
        if (self.len + 1) * 8 > self.slots.len() * 5 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = tag as usize & mask;
        loop {
            let s = self.slots[i];
            if s == EMPTY {
                self.slots[i] = u64::from(tag) << 32 | u64::from(next);
                self.len += 1;
                return None;
            }
            if (s >> 32) as u32 == tag && eq(s as u32) {
                return Some(s as u32);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let bigger = vec![EMPTY; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|&s| s != EMPTY) {
            let mut i = (s >> 32) as usize & mask;
            while self.slots[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

/// Distinct strings with dense ids (`0..len()`, in order of first
/// insertion), stored back to back in one arena.
#[derive(Debug, Clone)]
pub struct Interner {
    bytes: String,
    /// String `i` is `bytes[ends[i]..ends[i + 1]]`.
    ends: Vec<usize>,
    /// The [`tag_of`] of every string.
    tags: Vec<u32>,
    index: TagIndex,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            bytes: String::new(),
            ends: vec![0],
            tags: Vec::new(),
            index: TagIndex::default(),
        }
    }
}

impl Interner {
    /// An empty interner with room for `n` strings in its index.
    pub fn with_capacity(n: usize) -> Interner {
        Interner {
            index: TagIndex::with_capacity(n),
            ..Interner::default()
        }
    }

    /// Number of strings.
    #[inline]
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    /// String `id`.
    ///
    /// # Panics
    /// If `id >= len()`.
    #[inline]
    pub fn get(&self, id: u32) -> &str {
        let i = id as usize;
        &self.bytes[self.ends[i]..self.ends[i + 1]]
    }

    /// The [`tag_of`] string `id`.
    #[inline]
    pub fn tag(&self, id: u32) -> u32 {
        self.tags[id as usize]
    }

    /// The id of `s`, if present.
    #[inline]
    pub fn id(&self, s: &str) -> Option<u32> {
        self.id_tagged(s, tag_of(s))
    }

    /// The id of `s`, whose [`tag_of`] is `tag`, if present.
    #[inline]
    pub fn id_tagged(&self, s: &str, tag: u32) -> Option<u32> {
        self.index.find(tag, |i| self.get(i) == s)
    }

    /// The id of `s`, inserting it if new; also whether it was new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        self.intern_tagged(s, tag_of(s))
    }

    /// [`Interner::intern`] of `s`, whose [`tag_of`] is `tag`.
    pub fn intern_tagged(&mut self, s: &str, tag: u32) -> (u32, bool) {
        // Fewer than u32::MAX distinct strings is an invariant of any corpus that fits in memory.
        let next = u32::try_from(self.len())
            .ok()
            .filter(|&n| n != u32::MAX)
            .expect("fewer than 2^32 - 1 distinct strings");
        let Interner {
            bytes, ends, index, ..
        } = self;
        let eq = |i: u32| &bytes[ends[i as usize]..ends[i as usize + 1]] == s;
        if let Some(id) = index.find_or_insert(tag, eq, next) {
            return (id, false);
        }
        bytes.push_str(s);
        ends.push(bytes.len());
        self.tags.push(tag);
        (next, true)
    }

    /// All strings, in id order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| &self.bytes[self.ends[i]..self.ends[i + 1]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn interner_matches_a_hash_map() {
        let mut t = Interner::with_capacity(3);
        let mut m: HashMap<String, u32> = HashMap::new();
        let words: Vec<String> = (0..20_000u32)
            .map(|i| match i % 4 {
                0 => format!("w{}", i % 3_001),
                1 => "é".repeat((i % 9) as usize),
                2 => format!("{i:x}{i:o}"),
                _ => String::new(),
            })
            .collect();
        for w in &words {
            let next = m.len() as u32;
            let want = *m.entry(w.clone()).or_insert(next);
            let (id, new) = t.intern(w);
            assert_eq!(id, want);
            assert_eq!(new, m.len() as u32 > next);
        }
        assert_eq!(t.len(), m.len());
        for (w, &id) in &m {
            assert_eq!(t.get(id), w);
            assert_eq!(t.id(w), Some(id));
            assert_eq!(t.tag(id), tag_of(w));
        }
        assert_eq!(t.id("absent"), None);
        let all: Vec<&str> = t.iter().collect();
        assert_eq!(all.len(), t.len());
        assert!(all.iter().enumerate().all(|(i, s)| t.get(i as u32) == *s));
    }

    #[test]
    fn tag_index_with_colliding_tags() {
        // Every id has the same tag: only `eq` tells them apart.
        let mut ix = TagIndex::default();
        for i in 0..100u32 {
            assert_eq!(ix.find_or_insert(7, |j| j == i, i), None);
            assert_eq!(ix.find_or_insert(7, |j| j == i, 1000), Some(i));
        }
        assert_eq!(ix.len, 100);
        assert!((0..100u32).all(|i| ix.find(7, |j| j == i) == Some(i)));
        assert_eq!(ix.find(7, |j| j == 100), None);
        assert_eq!(ix.find(8, |_| true), None);
    }
}
