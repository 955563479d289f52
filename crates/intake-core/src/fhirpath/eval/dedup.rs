//! Duplicate detection for `union`, `distinct`, `repeat`: linear for small collections,
//! hashed for plain strings once the collection grows (other values stay linear).

use crate::fhirpath::value::Value;
use crate::fhirpath::value::compare::equal;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Switch to hashing past this many kept items.
const LINEAR_LIMIT: usize = 32;

/// Tracks which values were already kept.
#[derive(Debug, Default)]
pub struct Dedup {
    /// Hash of each kept plain string -> its indices in the kept collection.
    strs: HashMap<u64, Vec<usize>, BuildHasherDefault<crate::fhirpath::model::Fnv>>,
    /// Indices (into the kept collection) of values that are not plain strings.
    others: Vec<usize>,
    hashed: bool,
}

fn hash_str(s: &str) -> u64 {
    let mut h = crate::fhirpath::model::Fnv::default();
    s.hash(&mut h);
    h.finish()
}

impl Dedup {
    /// Whether `v` equals an item of `kept` (which holds exactly the values inserted so far).
    pub fn contains(&self, kept: &[Value<'_>], v: &Value<'_>) -> bool {
        if !self.hashed {
            return kept.iter().any(|k| equal(v, k) == Some(true));
        }
        match v.plain_str() {
            Some(s) => self
                .strs
                .get(&hash_str(s))
                .is_some_and(|ix| ix.iter().any(|i| kept[*i].plain_str() == Some(s))),
            None => self
                .others
                .iter()
                .any(|i| equal(v, &kept[*i]) == Some(true)),
        }
    }

    /// Records that `v` was appended to `kept` at index `kept.len() - 1`.
    pub fn inserted(&mut self, kept: &[Value<'_>]) {
        let n = kept.len();
        if !self.hashed {
            if n <= LINEAR_LIMIT {
                return;
            }
            self.hashed = true;
            for i in 0..n {
                self.index(kept, i);
            }
            return;
        }
        self.index(kept, n - 1);
    }

    fn index(&mut self, kept: &[Value<'_>], i: usize) {
        match kept[i].plain_str() {
            Some(s) => {
                self.strs.entry(hash_str(s)).or_default().push(i);
            }
            None => self.others.push(i),
        }
    }
}
