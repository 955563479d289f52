//! What a process keeps in memory between a patient's requests (drafts, chart reads, sessions):
//! a map of bounded size, the least recently used entry out first, behind one lock.

use std::{
    hash::Hash,
    num::NonZeroUsize,
    sync::{Mutex, MutexGuard, PoisonError},
};

use lru::LruCache;

/// A bounded map shared by requests. Its `Debug` shows only how many entries it holds: they
/// are patient data.
pub struct Kept<K, V> {
    entries: Mutex<LruCache<K, V>>,
}

impl<K: Hash + Eq, V> Kept<K, V> {
    /// An empty map keeping at most `capacity` entries.
    pub fn new(capacity: NonZeroUsize) -> Self {
        Self {
            entries: Mutex::new(LruCache::new(capacity)),
        }
    }

    /// The entries. A panic while the lock was held leaves at worst an entry missing or
    /// stale, which every user of a kept value checks against the database: go on with it.
    pub fn lock(&self) -> MutexGuard<'_, LruCache<K, V>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }
}

impl<K: Hash + Eq, V> std::fmt::Debug for Kept<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept").field("len", &self.len()).finish()
    }
}
