//! A small bounded cache shared between threads.
//!
//! Two generations: lookups check the young one, then the old one (promoting hits);
//! when the young one is full it becomes the old one and the previous old one is
//! dropped. Memory is bounded by `capacity` entries, every operation is O(1), and a
//! client that keeps coming back stays cached.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

pub(crate) struct BoundedCache<K, V> {
    half: usize,
    inner: Mutex<Generations<K, V>>,
}

struct Generations<K, V> {
    young: HashMap<K, V>,
    old: HashMap<K, V>,
}

impl<K: Eq + Hash + Clone, V: Clone> BoundedCache<K, V> {
    /// A cache of at most `capacity` entries; 0 disables it.
    pub(crate) fn new(capacity: usize) -> Self {
        BoundedCache {
            half: capacity / 2 + capacity % 2,
            inner: Mutex::new(Generations {
                young: HashMap::new(),
                old: HashMap::new(),
            }),
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<V> {
        if self.half == 0 {
            return None;
        }
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = g.young.get(key) {
            return Some(v.clone());
        }
        let v = g.old.remove(key)?;
        Self::insert_young(&mut g, self.half, key.clone(), v.clone());
        Some(v)
    }

    pub(crate) fn insert(&self, key: K, value: V) {
        if self.half == 0 {
            return;
        }
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        Self::insert_young(&mut g, self.half, key, value);
    }

    fn insert_young(g: &mut Generations<K, V>, half: usize, key: K, value: V) {
        if g.young.len() >= half && !g.young.contains_key(&key) {
            g.old = std::mem::take(&mut g.young);
        }
        g.young.insert(key, value);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.young.len() + g.old.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_bounded_and_keeps_recent_entries() {
        let c = BoundedCache::new(10);
        for i in 0..1000u32 {
            c.insert(i, i);
            assert!(c.len() <= 10);
        }
        assert_eq!(c.get(&999), Some(999));
        assert_eq!(c.get(&0), None);
    }

    #[test]
    fn fewer_entries_than_its_capacity_are_all_kept() {
        let c = BoundedCache::new(4);
        for k in ["a", "b", "c"] {
            c.insert(k, k.len());
        }
        for k in ["a", "b", "c"] {
            assert_eq!(c.get(&k), Some(1), "{k}");
        }
    }

    #[test]
    fn updating_a_present_key_forgets_nothing() {
        let c = BoundedCache::new(4);
        for k in ["a", "b", "c", "d"] {
            c.insert(k, 1);
        }
        // The newest generation is full and holds "d": a new value for it is no
        // reason to drop the older generation.
        c.insert("d", 2);
        assert_eq!(c.get(&"d"), Some(2));
        assert_eq!(c.get(&"a"), Some(1));
    }

    #[test]
    fn zero_capacity_disables() {
        let c = BoundedCache::new(0);
        c.insert(1, 1);
        assert_eq!(c.get(&1), None);
    }
}
