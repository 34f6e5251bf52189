//! A set of entity ids as the indexes hold one: a sorted vector while it is small, a B-tree once
//! it grows.
//!
//! Most sets an index holds are small: an alert's log entries and notifications (the children
//! by owner), the one open alert under an alert key. A `BTreeSet` allocates a whole node (eleven
//! slots, about 100 bytes) for its first id, so at 100,000 alerts those nodes alone came to
//! about a tenth of the mock's memory and an allocation per set on every new alert. A sorted
//! vector holds a few ids in the bytes they need and answers in O(log n) by binary search; past
//! [`FEW`] ids, inserting into it would shift O(n) ids, so the set becomes a `BTreeSet` (and
//! turns back when it shrinks to half of that).

use std::collections::BTreeSet;
use std::collections::btree_set;

/// The most ids a set holds as a sorted vector.
const FEW: usize = 32;

/// A set of ids, iterated in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdSet(Repr);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    /// Sorted, without repeats, at most [`FEW`].
    Few(Vec<i64>),
    Many(BTreeSet<i64>),
}

impl Default for IdSet {
    fn default() -> Self {
        Self::new()
    }
}

impl IdSet {
    /// An empty set (no allocation).
    pub const fn new() -> Self {
        IdSet(Repr::Few(Vec::new()))
    }

    /// A set of `ids` (in any order, repeats allowed), built at once: a B-tree built from
    /// sorted ids fills its nodes in one pass, where inserting them one by one descends the
    /// tree for each.
    pub fn from_ids(mut ids: Vec<i64>) -> Self {
        ids.sort_unstable();
        ids.dedup();
        if ids.len() <= FEW {
            ids.shrink_to_fit();
            IdSet(Repr::Few(ids))
        } else {
            IdSet(Repr::Many(ids.into_iter().collect()))
        }
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Few(ids) => ids.len(),
            Repr::Many(ids) => ids.len(),
        }
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether it holds `id`.
    pub fn contains(&self, id: &i64) -> bool {
        match &self.0 {
            Repr::Few(ids) => ids.binary_search(id).is_ok(),
            Repr::Many(ids) => ids.contains(id),
        }
    }

    /// Adds `id`; whether it was new.
    pub fn insert(&mut self, id: i64) -> bool {
        match &mut self.0 {
            Repr::Few(ids) => match ids.binary_search(&id) {
                Ok(_) => false,
                Err(at) if ids.len() < FEW => {
                    ids.insert(at, id);
                    true
                }
                Err(_) => {
                    let mut grown: BTreeSet<i64> = ids.drain(..).collect();
                    grown.insert(id);
                    self.0 = Repr::Many(grown);
                    true
                }
            },
            Repr::Many(ids) => ids.insert(id),
        }
    }

    /// Takes `id` out; whether it was there.
    pub fn remove(&mut self, id: &i64) -> bool {
        match &mut self.0 {
            Repr::Few(ids) => match ids.binary_search(id) {
                Ok(at) => {
                    ids.remove(at);
                    true
                }
                Err(_) => false,
            },
            Repr::Many(ids) => {
                let removed = ids.remove(id);
                if ids.len() <= FEW / 2 {
                    self.0 = Repr::Few(std::mem::take(ids).into_iter().collect());
                }
                removed
            }
        }
    }

    /// The ids in ascending order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(match &self.0 {
            Repr::Few(ids) => IterRepr::Few(ids.iter()),
            Repr::Many(ids) => IterRepr::Many(ids.iter()),
        })
    }

    /// The highest id.
    pub fn last(&self) -> Option<&i64> {
        match &self.0 {
            Repr::Few(ids) => ids.last(),
            Repr::Many(ids) => ids.last(),
        }
    }
}

impl From<BTreeSet<i64>> for IdSet {
    fn from(ids: BTreeSet<i64>) -> Self {
        if ids.len() <= FEW {
            IdSet(Repr::Few(ids.into_iter().collect()))
        } else {
            IdSet(Repr::Many(ids))
        }
    }
}

/// The ids of a set, borrowed, in ascending order.
#[derive(Debug, Clone)]
pub(crate) struct Iter<'a>(IterRepr<'a>);

#[derive(Debug, Clone)]
enum IterRepr<'a> {
    Few(std::slice::Iter<'a, i64>),
    Many(btree_set::Iter<'a, i64>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a i64;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Few(ids) => ids.next(),
            IterRepr::Many(ids) => ids.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Few(ids) => ids.size_hint(),
            IterRepr::Many(ids) => ids.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Few(ids) => ids.next_back(),
            IterRepr::Many(ids) => ids.next_back(),
        }
    }
}

impl<'a> IntoIterator for &'a IdSet {
    type Item = &'a i64;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The ids of a set, owned, in ascending order.
#[derive(Debug)]
pub(crate) struct IntoIter(IntoIterRepr);

#[derive(Debug)]
enum IntoIterRepr {
    Few(std::vec::IntoIter<i64>),
    Many(btree_set::IntoIter<i64>),
}

impl Iterator for IntoIter {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        match &mut self.0 {
            IntoIterRepr::Few(ids) => ids.next(),
            IntoIterRepr::Many(ids) => ids.next(),
        }
    }
}

impl IntoIterator for IdSet {
    type Item = i64;
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter(match self.0 {
            Repr::Few(ids) => IntoIterRepr::Few(ids.into_iter()),
            Repr::Many(ids) => IntoIterRepr::Many(ids.into_iter()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation agrees with a `BTreeSet` given the same ids, across the growth to a
    /// B-tree and the shrink back.
    #[test]
    fn answers_as_a_btree_set_does_across_growth_and_shrink() {
        let mut set = IdSet::new();
        let mut model = BTreeSet::new();
        // Inserted out of order, with repeats, to past twice the bound.
        let ids: Vec<i64> = (0..(3 * FEW as i64)).map(|i| (i * 37) % 101 - 50).collect();
        let check = |set: &IdSet, model: &BTreeSet<i64>| {
            assert_eq!(set.len(), model.len());
            assert_eq!(set.is_empty(), model.is_empty());
            assert!(set.iter().eq(model.iter()));
            assert!(set.iter().rev().eq(model.iter().rev()));
            assert_eq!(set.last(), model.last());
            for probe in [-60, -50, -1, 0, 7, 50, 60] {
                assert_eq!(set.contains(&probe), model.contains(&probe), "{probe}");
            }
        };
        for id in ids.iter().chain(&ids) {
            assert_eq!(set.insert(*id), model.insert(*id));
            check(&set, &model);
        }
        assert!(matches!(set.0, Repr::Many(_)));
        for id in ids.iter().chain([&1_000]) {
            assert_eq!(set.remove(id), model.remove(id));
            check(&set, &model);
        }
        assert!(matches!(set.0, Repr::Few(_)));
        assert_eq!(set, IdSet::new());
    }

    #[test]
    fn converts_from_a_btree_set_and_iterates_owned_in_order() {
        let small = IdSet::from(BTreeSet::from([5, 1, 3, 1]));
        assert!(matches!(small.0, Repr::Few(_)));
        assert_eq!(small.clone().into_iter().collect::<Vec<_>>(), vec![1, 3, 5]);
        let large = IdSet::from((0..100).rev().collect::<BTreeSet<i64>>());
        assert!(matches!(large.0, Repr::Many(_)));
        assert!(large.into_iter().eq(0..100));
        assert!(small.iter().copied().eq([1, 3, 5]));
    }
}
