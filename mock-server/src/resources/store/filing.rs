//! Where an entity is filed: the references and secondary keys a collection's [`Spec`] names,
//! read from its values, or from its text in only the fields they need (a packed entity read
//! from a state file), and the indexes they are filed in.

use std::borrow::Cow;
use std::collections::btree_map;
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::entry::{Entry, Slot, compact_each, compact_subset};
use super::{Entity, Global, Holder, IdSet, KeysOf, Referrer, RefsOf, Target};
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
    read: Vec<&'static str>,
    /// Where in `read` each reference's first field is.
    ref_reads: Vec<usize>,
    /// Where in `read` each key's fields are.
    key_reads: Vec<Vec<usize>>,
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
    fn files_anything(&self) -> bool {
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

/// The most distinct texts [`FilingMemo`] keeps for one reference or key: past it, a field
/// whose text keeps differing (an alert key, a report time) is worked out for each entity.
const MEMO_MOST: usize = 1024;

/// Where packed entities are filed, each reference and key worked out once for each distinct
/// text of the fields it reads ([`Key::fields`], a reference's first field). A reference or key
/// depends only on those fields, and while a state file's entities are indexed most alerts
/// repeat them (the same source, policy, status and responders), so each is parsed once rather
/// than once an alert. Lives for one indexing; holds at most [`MEMO_MOST`] texts a reference or
/// key.
#[derive(Default)]
pub(super) struct FilingMemo {
    /// Each collection's references and keys, by position.
    of: HashMap<&'static str, SpecMemo>,
    /// The texts of the fields one reference or key reads, joined.
    joined: String,
}

/// One collection's remembered filings: for each reference and each key, by position, its
/// fields' texts → what it files.
struct SpecMemo {
    refs: Vec<Remembered<Vec<i64>>>,
    keys: Vec<Remembered<Vec<String>>>,
}

/// Texts (joined) → what they file. Bounded ([`MEMO_MOST`]), so hashed fast: its texts come from
/// the state file.
type Remembered<T> = foldhash::HashMap<String, T>;

/// The most top-level fields a spec reads for [`FilingMemo`] (more: filed the plain way).
const MEMO_FIELDS: usize = 16;

impl FilingMemo {
    /// Where the packed entity `text` is filed, as [`filing_of_compact`] has it.
    pub(super) fn of_compact(&mut self, spec: &'static Spec, text: &str) -> Option<Filing> {
        if !spec.files_anything() {
            return super::entry::is_compact(text).then(Filing::default);
        }
        if spec.read.len() > MEMO_FIELDS {
            return filing_of_compact(spec, text);
        }
        // The text of each field the spec reads, the last where a name repeats (as a parse).
        let mut raws: [Option<&str>; MEMO_FIELDS] = [None; MEMO_FIELDS];
        compact_each(text, |quoted, raw| {
            // A field the spec reads has no escapes in its name (see `compact_subset`); most
            // fields differ in length from every field read, so are passed over unread.
            let name = quoted.trim_matches('"');
            if let Some(at) = spec.read.iter().position(|r| r.len() == name.len() && *r == name) {
                raws[at] = Some(raw);
            }
        })?;
        let fields = Fields {
            names: &spec.read,
            raws: &raws,
        };
        let memo = self.of.entry(spec.name).or_insert_with(|| SpecMemo {
            refs: spec.refs.iter().map(|_| Remembered::default()).collect(),
            keys: spec.keys.iter().map(|_| Remembered::default()).collect(),
        });
        let mut out = Filing::default();
        let refs = spec.refs.iter().zip(&spec.ref_reads).zip(&mut memo.refs);
        for (i, (((target, path), read), known)) in refs.enumerate() {
            let ids = remember(
                known,
                &mut self.joined,
                &fields,
                std::slice::from_ref(read),
                |partial| field_path::ids_in(partial, path),
            );
            let position = u16::try_from(i).unwrap_or(u16::MAX);
            out.refs.extend(ids.iter().map(|id| (*target, *id, position)));
        }
        for ((key, reads), known) in spec.keys.iter().zip(&spec.key_reads).zip(&mut memo.keys) {
            let values = remember(known, &mut self.joined, &fields, reads, key.values);
            out.keys
                .extend(values.iter().map(|v| (key.name, v.clone(), key.global)));
        }
        Some(out)
    }
}

/// The fields a spec reads ([`Spec::read`]) and their texts in one entity (`None`: absent).
struct Fields<'a, 't> {
    names: &'a [&'static str],
    raws: &'a [Option<&'t str>],
}

/// What `work_out` gives for the texts of the fields at `reads`: remembered in `known`
/// (borrowed), or worked out from those fields alone, and remembered while `known` holds fewer
/// than [`MEMO_MOST`] texts.
fn remember<'m, T: Clone>(
    known: &'m mut Remembered<T>,
    joined: &mut String,
    fields: &Fields<'_, '_>,
    reads: &[usize],
    work_out: impl FnOnce(&Entity) -> T,
) -> Cow<'m, T> {
    let raw = |at: usize| fields.raws.get(at).copied().flatten();
    // A field's text is JSON, never empty and never holding a NUL: joined with NULs after
    // each (none for an absent field), two sets of texts join alike only when they are alike.
    joined.clear();
    for &at in reads {
        joined.push_str(raw(at).unwrap_or_default());
        joined.push('\0');
    }
    if known.contains_key(joined.as_str()) {
        return Cow::Borrowed(&known[joined.as_str()]);
    }
    let mut partial = Entity::new();
    for &at in reads {
        let (Some(name), Some(text)) = (fields.names.get(at), raw(at)) else {
            continue;
        };
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            partial.insert((*name).to_owned(), value);
        }
    }
    let worked_out = work_out(&partial);
    if known.len() < MEMO_MOST {
        known.insert(joined.clone(), worked_out.clone());
        return Cow::Borrowed(&known[joined.as_str()]);
    }
    Cow::Owned(worked_out)
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

/// What the entities of a store read from a state file file in their tenant's references and
/// their collection's keys, gathered as they are read and built once all are: each set is then
/// built from its ids at once ([`IdSet::from_ids`], `BTreeSet::from_iter`) rather than by an
/// insert that descends the tree for each entity. The store reads a state file's entities by
/// id, so the ids come mostly in order.
#[derive(Default)]
pub(super) struct Gathered {
    /// (target, target id) → referrers, of the tenant being read.
    refs: foldhash::HashMap<Target, Vec<Referrer>>,
    /// Key name → value → ids, of the collection being read.
    keys: foldhash::HashMap<&'static str, BTreeMap<String, Vec<i64>>>,
}

impl Gathered {
    /// Takes the references and the collection's own keys out of `filing`, for the entity at
    /// `at`; what is left ([`index`] files it) are the global keys and its owner.
    pub(super) fn take(&mut self, at: &Place<'_>, filing: &mut Filing) {
        if let Some(holder) = at.holder {
            for (target, target_id, position) in filing.refs.drain(..) {
                let referrer = (Holder(holder), at.id, position);
                self.refs.entry((target, target_id)).or_default().push(referrer);
            }
        } else {
            filing.refs.clear();
        }
        filing.keys.retain_mut(|(key, value, global)| {
            if !*global {
                let ids = self.keys.entry(*key).or_default().entry(std::mem::take(value));
                ids.or_default().push(at.id);
            }
            *global
        });
    }

    /// Files the keys gathered since the last call in `keys` (a collection's, once it is read).
    pub(super) fn build_keys(&mut self, keys: &mut KeysOf) {
        for (key, values) in self.keys.drain() {
            let into = keys.entry(key).or_default();
            for (value, ids) in values {
                match into.entry(value) {
                    btree_map::Entry::Vacant(vacant) => {
                        vacant.insert(IdSet::from_ids(ids));
                    }
                    btree_map::Entry::Occupied(mut held) => {
                        for id in ids {
                            held.get_mut().insert(id);
                        }
                    }
                }
            }
        }
    }

    /// Files the references gathered since the last call in `refs` (a tenant's, once it is
    /// read).
    pub(super) fn build_refs(&mut self, refs: &mut RefsOf) {
        for (target, referrers) in self.refs.drain() {
            match refs.entry(target) {
                std::collections::hash_map::Entry::Vacant(vacant) => {
                    vacant.insert(referrers.into_iter().collect());
                }
                std::collections::hash_map::Entry::Occupied(mut held) => held.get_mut().extend(referrers),
            }
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
