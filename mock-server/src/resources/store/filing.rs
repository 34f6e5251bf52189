//! Where an entity is filed: the references and secondary keys a collection's [`Spec`] names,
//! read from its values, or from its text in only the fields they need (a packed entity read
//! from a state file), and the indexes they are filed in.

use super::entry::{Entry, Slot, compact_subset};
use super::{Entity, Global, Holder, IdSet, KeysOf, RefsOf};
use crate::resources::field_path;

/// Where an entity is filed: its references and secondary keys.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Filing {
    pub(super) refs: Vec<(Option<&'static str>, i64, u16)>,
    pub(super) keys: Vec<(&'static str, String, bool)>,
}

/// A secondary key of a collection: the index's name and the values an entity files under.
#[derive(Clone, Copy)]
pub struct Key {
    /// The index's name (for alerts, the list filter it serves: `states`, `sources`, …).
    pub name: &'static str,
    /// The values `entity` files under (none: not in the index).
    pub values: fn(&Entity) -> Vec<String>,
    /// The top-level fields `values` reads: a packed entity read from a state file is parsed in
    /// these (and its references' fields) only, to be filed.
    pub fields: &'static [&'static str],
    /// One index over every tenant (integration keys: the Events API finds the tenant by key).
    pub global: bool,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key").field("name", &self.name).finish()
    }
}

/// What the store indexes of one collection.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The collection's name (static, so the indexes can hold it).
    pub name: &'static str,
    /// Its references in declaration order: the target (a collection, or `None` for users) and
    /// the field path; a referrer names one by position.
    pub refs: Vec<(Option<&'static str>, &'static str)>,
    /// Its secondary keys.
    pub keys: Vec<Key>,
    /// Whether its entities are held as JSON text ([`Entry::Text`]) rather than values.
    pub packed: bool,
    /// The top-level fields its references and keys read, sorted: what a packed entity's text
    /// is parsed in to be filed (worked out once, not for each entity a state file holds).
    pub(super) read: Vec<&'static str>,
    /// Where in `read` each reference's first field is.
    pub(super) ref_reads: Vec<usize>,
    /// Where in `read` each key's fields are.
    pub(super) key_reads: Vec<Vec<usize>>,
}

impl Spec {
    /// The spec of collection `name` with these references and keys.
    pub fn new(
        name: &'static str,
        refs: Vec<(Option<&'static str>, &'static str)>,
        keys: Vec<Key>,
        packed: bool,
    ) -> Self {
        let first = |path: &'static str| path.split(['.', '[']).next().unwrap_or(path);
        let mut read: Vec<&'static str> = refs
            .iter()
            .map(|(_, path)| first(path))
            .chain(keys.iter().flat_map(|k| k.fields.iter().copied()))
            .collect();
        read.sort_unstable();
        read.dedup();
        // Every name looked up is in `read`, which was made of them.
        let at = |field: &str| read.binary_search(&field).unwrap_or_default();
        let ref_reads = refs.iter().map(|(_, path)| at(first(path))).collect();
        let key_reads = keys
            .iter()
            .map(|k| k.fields.iter().map(|f| at(f)).collect())
            .collect();
        Self {
            name,
            refs,
            keys,
            packed,
            read,
            ref_reads,
            key_reads,
        }
    }

    /// Whether entities of this collection are filed anywhere beyond their owner.
    pub(super) fn files_anything(&self) -> bool {
        !self.refs.is_empty() || !self.keys.is_empty()
    }
}

/// Where the store finds what to index of a collection (given by its owner,
/// the resources' index table; none for a store that keeps no secondary indexes).
pub type Specs = fn(&str) -> Option<&'static Spec>;

pub(super) fn no_specs(_: &str) -> Option<&'static Spec> {
    None
}

pub(super) fn filing(spec: Option<&'static Spec>, body: &Entity) -> Filing {
    let mut out = Filing::default();
    let Some(spec) = spec else { return out };
    for (i, (target, field)) in spec.refs.iter().enumerate() {
        let position = u16::try_from(i).unwrap_or(u16::MAX);
        for id in field_path::ids_in(body, field) {
            out.refs.push((*target, id, position));
        }
    }
    for key in &spec.keys {
        for value in (key.values)(body) {
            out.keys.push((key.name, value, key.global));
        }
    }
    out
}

/// Where a packed entity is filed: its text is parsed only in the top-level fields the spec's
/// references and keys read, not whole.
pub(super) fn filing_of_text(spec: &'static Spec, text: &str) -> Filing {
    // The store holds packed text compact; text that is not is filed from all its values.
    filing_of_compact(spec, text)
        .unwrap_or_else(|| filing(Some(spec), &serde_json::from_str(text).unwrap_or_default()))
}

/// Where a packed entity is filed, from its text read in one pass; `None` when the text is not
/// compact (as `serde_json` writes it), which the store then holds written anew.
pub(super) fn filing_of_compact(spec: &'static Spec, text: &str) -> Option<Filing> {
    if !spec.files_anything() {
        return super::entry::is_compact(text).then(Filing::default);
    }
    compact_subset(text, &spec.read).map(|partial| filing(Some(spec), &partial))
}

/// Where an entity is being filed: its tenant, its collection's static name (`None` for a
/// collection no spec names), its id and its owner.
pub(super) struct Place<'a> {
    pub(super) tenant: &'a str,
    pub(super) holder: Option<&'static str>,
    pub(super) id: i64,
    pub(super) parent: Option<i64>,
}

/// A collection's children by owner and its keys: what [`index`] files an entity in.
pub(super) type Filed<'a> = (&'a mut foldhash::HashMap<i64, IdSet>, &'a mut KeysOf);

/// Files the entity at `at` in its collection's children by owner and keys, in the tenant's
/// `refs` and in the global keys.
pub(super) fn index(
    global: &mut Global,
    refs: &mut RefsOf,
    (by_parent, keys): Filed<'_>,
    at: &Place<'_>,
    filing: Filing,
) {
    let id = at.id;
    if let Some(holder) = at.holder {
        for (target, target_id, position) in filing.refs {
            refs.entry((target, target_id))
                .or_default()
                .insert((Holder(holder), id, position));
        }
    }
    if let Some(parent) = at.parent {
        by_parent.entry(parent).or_default().insert(id);
    }
    for (key, value, is_global) in filing.keys {
        if is_global {
            global
                .entry(key)
                .or_default()
                .entry(value)
                .or_default()
                .insert((at.tenant.to_owned(), id));
        } else {
            keys.entry(key).or_default().entry(value).or_default().insert(id);
        }
    }
}

/// Where an entity as held is filed (a packed one parsed only in the fields that decide it).
pub(super) fn filing_of_slot(spec: Option<&'static Spec>, slot: &Slot) -> Filing {
    match (spec, slot.entry()) {
        (None, _) => Filing::default(),
        (Some(spec), Entry::Values(stored)) => filing(Some(spec), &stored.body),
        (Some(spec), Entry::Text { .. }) if !spec.files_anything() => Filing::default(),
        (Some(spec), Entry::Text { body, .. }) => filing_of_text(spec, body.get()),
    }
}
