//! Indexing a store read from a state file, which keeps no indexes: every entity is filed at
//! once, so what each one files is worked out from a memo of its fields' texts
//! ([`FilingMemo`]) and each set of ids is built from all its ids at once ([`Gathered`]), rather
//! than each entity parsed and filed as a change files it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, btree_map, hash_map};

use serde_json::Value;

use super::entry::compact_each;
use super::filing::{Filing, Place, Spec, filing_of_compact};
use super::{Entity, Holder, IdSet, KeysOf, Referrer, RefsOf, Target};
use crate::resources::field_path;

/// The most distinct texts [`FilingMemo`] keeps for one reference or key: past it, a field
/// whose text keeps differing (an alert key, a report time) is worked out for each entity.
const MEMO_MOST: usize = 1024;

/// Where packed entities are filed, each reference and key worked out once for each distinct
/// text of the fields it reads ([`Key::fields`](super::Key::fields), a reference's first field). A reference or key
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
        // A collection that files nothing only has its text checked; one that reads more fields
        // than the memo holds is filed the plain way.
        if !spec.files_anything() || spec.read.len() > MEMO_FIELDS {
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
    /// `at`; what is left ([`super::filing::index`] files it) are the global keys and its owner.
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
                hash_map::Entry::Vacant(vacant) => {
                    vacant.insert(referrers.into_iter().collect());
                }
                hash_map::Entry::Occupied(mut held) => held.get_mut().extend(referrers),
            }
        }
    }
}
