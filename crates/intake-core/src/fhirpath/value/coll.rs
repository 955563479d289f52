//! `Coll`: a collection of values that stores zero or one item inline (no allocation).

use super::Value;
use std::ops::Deref;

/// A FHIRPath collection. Empty and single-item collections do not allocate.
#[derive(Debug, Clone, Default)]
pub enum Coll<'a> {
    /// No items.
    #[default]
    Empty,
    /// Exactly one item.
    One(Value<'a>),
    /// Two or more items (or a vector being built).
    Many(Vec<Value<'a>>),
}

/// Builds a [`Coll`] from items, like `vec!` (crate-internal).
macro_rules! coll {
    () => { $crate::fhirpath::value::Coll::Empty };
    ($x:expr $(,)?) => { $crate::fhirpath::value::Coll::One($x) };
    ($($x:expr),+ $(,)?) => { $crate::fhirpath::value::Coll::Many(vec![$($x),+]) };
}
pub(crate) use coll;

impl<'a> Coll<'a> {
    /// An empty collection.
    pub fn new() -> Self {
        Coll::Empty
    }

    /// An empty collection with room for `n` items.
    pub fn with_capacity(n: usize) -> Self {
        if n > 1 {
            Coll::Many(Vec::with_capacity(n))
        } else {
            Coll::Empty
        }
    }

    /// Appends an item.
    #[inline]
    pub fn push(&mut self, v: Value<'a>) {
        match self {
            Coll::Many(vec) => vec.push(v),
            Coll::Empty => *self = Coll::One(v),
            Coll::One(_) => {
                if let Coll::One(a) = std::mem::take(self) {
                    *self = Coll::Many(vec![a, v]);
                }
            }
        }
    }

    /// Reserves room for `n` more items.
    pub fn reserve(&mut self, n: usize) {
        match self {
            Coll::Many(v) => v.reserve(n),
            Coll::Empty if n > 1 => *self = Coll::Many(Vec::with_capacity(n)),
            Coll::One(_) if n > 0 => {
                if let Coll::One(a) = std::mem::take(self) {
                    let mut v = Vec::with_capacity(n + 1);
                    v.push(a);
                    *self = Coll::Many(v);
                }
            }
            _ => {}
        }
    }

    /// Keeps the items in `start..start + len` (clamped), without iterator overhead.
    pub fn slice_range(self, start: usize, len: usize) -> Self {
        match self {
            Coll::Empty => Coll::Empty,
            Coll::One(v) => {
                if start == 0 && len > 0 {
                    Coll::One(v)
                } else {
                    Coll::Empty
                }
            }
            Coll::Many(mut v) => {
                let end = start.saturating_add(len).min(v.len());
                if start >= end {
                    return Coll::Empty;
                }
                if end - start == 1 {
                    return Coll::One(v.swap_remove(start));
                }
                v.truncate(end);
                v.drain(..start);
                Coll::Many(v)
            }
        }
    }

    /// Copies a slice into a collection.
    pub fn from_slice(s: &[Value<'a>]) -> Self {
        match s {
            [] => Coll::Empty,
            [a] => Coll::One(a.clone()),
            s => Coll::Many(s.to_vec()),
        }
    }

    /// The items as a vector.
    pub fn into_vec(self) -> Vec<Value<'a>> {
        match self {
            Coll::Empty => Vec::new(),
            Coll::One(v) => vec![v],
            Coll::Many(v) => v,
        }
    }
}

impl<'a> Deref for Coll<'a> {
    type Target = [Value<'a>];
    #[inline]
    fn deref(&self) -> &[Value<'a>] {
        match self {
            Coll::Empty => &[],
            Coll::One(v) => std::slice::from_ref(v),
            Coll::Many(v) => v,
        }
    }
}

impl<'a> From<Vec<Value<'a>>> for Coll<'a> {
    fn from(mut v: Vec<Value<'a>>) -> Self {
        match v.len() {
            0 => Coll::Empty,
            1 => v.pop().map_or(Coll::Empty, Coll::One),
            _ => Coll::Many(v),
        }
    }
}

impl<'a> Extend<Value<'a>> for Coll<'a> {
    fn extend<I: IntoIterator<Item = Value<'a>>>(&mut self, iter: I) {
        let it = iter.into_iter();
        let (lo, _) = it.size_hint();
        if lo > 1 {
            self.reserve(lo);
        }
        for v in it {
            self.push(v);
        }
    }
}

impl<'a> FromIterator<Value<'a>> for Coll<'a> {
    fn from_iter<I: IntoIterator<Item = Value<'a>>>(iter: I) -> Self {
        let mut c = Coll::Empty;
        c.extend(iter);
        c
    }
}

/// Owning iterator over a [`Coll`].
#[derive(Debug)]
pub enum IntoIter<'a> {
    /// Zero or one remaining item.
    One(Option<Value<'a>>),
    /// Several items.
    Many(std::vec::IntoIter<Value<'a>>),
}

impl<'a> Iterator for IntoIter<'a> {
    type Item = Value<'a>;
    fn next(&mut self) -> Option<Value<'a>> {
        match self {
            IntoIter::One(v) => v.take(),
            IntoIter::Many(it) => it.next(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            IntoIter::One(v) => (usize::from(v.is_some()), Some(usize::from(v.is_some()))),
            IntoIter::Many(it) => it.size_hint(),
        }
    }
}

impl<'a> DoubleEndedIterator for IntoIter<'a> {
    fn next_back(&mut self) -> Option<Value<'a>> {
        match self {
            IntoIter::One(v) => v.take(),
            IntoIter::Many(it) => it.next_back(),
        }
    }
}

impl<'a> IntoIterator for Coll<'a> {
    type Item = Value<'a>;
    type IntoIter = IntoIter<'a>;
    fn into_iter(self) -> IntoIter<'a> {
        match self {
            Coll::Empty => IntoIter::One(None),
            Coll::One(v) => IntoIter::One(Some(v)),
            Coll::Many(v) => IntoIter::Many(v.into_iter()),
        }
    }
}

impl<'c, 'a> IntoIterator for &'c Coll<'a> {
    type Item = &'c Value<'a>;
    type IntoIter = std::slice::Iter<'c, Value<'a>>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
