//! The per-tenant store of JSON entities: every emulated collection of every tenant, ordered by
//! id, with the indexes the API's access paths need ([`super::index`]): children by parent,
//! referrers by target (cascades and reference checks), and secondary keys (alert state, source,
//! policy, responder, open alert key, integration key). A new entity gets the next id above
//! every id held (above [`FIRST_ID`] and the users' ids; the held ids are kept ordered, so this is
//! O(log n)), so a fresh mock answers the same ids to the same requests.
//!
//! Every change goes through [`EntityStore::insert`], [`EntityStore::remove`] or the guard
//! [`EntityStore::get_mut`] returns, which re-files the entity when it is dropped; so the indexes never
//! disagree with the entities. With [`EntityStore::record`] on, each change is also kept as a
//! [`Change`] for the state file's log, which [`EntityStore::take_touched`] hands over.
//!
//! A collection whose [`Spec::packed`] is set (the ones that grow with traffic: alerts and what
//! each alert writes) holds its entities as their JSON text ([`Entry::Text`]), about an eighth
//! of the memory of a `serde_json` map and written to a list page or the state file as they
//! are; reading one parses it ([`Entry::stored`]). The configuration collections every request
//! reads (sources, policies, schedules, …) stay values, read by reference. The indexes hold
//! their ids in [`IdSet`]s, a sorted vector while a set is small (most are: an alert's log
//! entries, its open alert key) and a B-tree once it grows.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod change;
mod entry;
mod filing;
mod ids;
mod reindex;
mod shape;
pub use change::{Change, ChangeRef, Touched};
use entry::Slot;
pub use entry::{Entry, compact_each, compact_field, compact_items};
use filing::{Filing, Place, filing, filing_of_slot, index, no_specs};
pub use filing::{Key, Spec, Specs};
pub(crate) use ids::IdSet;
use reindex::{FilingMemo, Gathered};
pub use shape::StoreCapture;

use super::usage::Usage;

/// An entity in the API's own field names (`camelCase`); it always holds its `id`.
pub type Entity = Map<String, Value>;

/// Ids handed out by the store start above this, clear of the fixtures' hand-picked ids.
pub const FIRST_ID: i64 = 10_000;

/// One stored entity and, for a nested collection, the id of the entity it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    /// The owning entity's id (`/users/{user-id}/contacts/emails` → the user's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<i64>,
    /// The entity.
    pub body: Entity,
}

/// A collection: its entities by id, its children by parent and its secondary keys.
#[derive(Debug, Clone, Default)]
struct Collection {
    items: BTreeMap<i64, Slot>,
    by_parent: foldhash::HashMap<i64, IdSet>,
    /// index name → value → ids.
    keys: KeysOf,
}

/// A collection's secondary keys: index name → value → ids. The values are ordered, so a key
/// whose values sort as they compare (report times) also answers a range.
///
/// This map, [`RefsOf`] and the children by owner are hashed with `foldhash`, not SipHash: they
/// are looked up several times for every entity filed, under static names and ids.
type KeysOf = foldhash::HashMap<&'static str, BTreeMap<String, IdSet>>;

/// One that refers to an entity: (holder collection, holder id, position of the relation).
type Referrer = (Holder, i64, u16);

/// Who refers to an entity.
type Referrers = BTreeSet<Referrer>;

/// An entity referred to: its collection (`None` for users) and its id.
type Target = (Option<&'static str>, i64);

/// Target → referrers.
type RefsOf = foldhash::HashMap<Target, Referrers>;

/// A referring collection's static name. Ordered as its text (referrers sort by collection
/// name), but two that are the one static name, as nearly every pair a set of referrers
/// compares is, are equal without reading the text.
#[derive(Debug, Clone, Copy, Eq)]
struct Holder(&'static str);

impl Ord for Holder {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if std::ptr::eq(self.0, other.0) {
            std::cmp::Ordering::Equal
        } else {
            self.0.cmp(other.0)
        }
    }
}

impl PartialOrd for Holder {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Holder {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

/// One tenant's collections and the references between its entities.
#[derive(Debug, Clone, Default)]
struct Tenant {
    collections: BTreeMap<String, Collection>,
    /// Who refers to each entity.
    refs: RefsOf,
}

/// Every tenant's entities under a global key: index name → value → (tenant, id).
type Global = HashMap<&'static str, HashMap<String, BTreeSet<(String, i64)>>>;

/// Which store this is: a number no other store of the process had, also for a clone (which
/// changes apart from its original), so (instance, changes) names one content.
#[derive(Debug)]
struct Instance(u64);

impl Instance {
    fn fresh() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Instance(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Clone for Instance {
    fn clone(&self) -> Self {
        Instance::fresh()
    }
}

/// Every collection of every tenant.
#[derive(Debug, Clone)]
pub struct EntityStore {
    instance: Instance,
    tenants: BTreeMap<String, Tenant>,
    global: Global,
    /// Ids at or below this are taken outside the store (users).
    floor: i64,
    /// Every id held, with how many entities hold it (fixtures may repeat one across tenants):
    /// the highest names the next id in O(log n).
    held: BTreeMap<i64, u32>,
    /// API requests per tenant, day, user and scope (the API key usage report).
    usage: Usage,
    /// Bumped on every change, so the state file knows when to write.
    changes: u64,
    /// What to index of each collection.
    specs: Specs,
    /// Whether changes are kept for the state file's log.
    recording: bool,
    /// What changed since the state file's log last took it: entities by key (their state is
    /// read when the record is written) and reserved ids.
    recorded: Vec<Touched>,
}

impl Default for EntityStore {
    fn default() -> Self {
        Self {
            instance: Instance::fresh(),
            tenants: BTreeMap::new(),
            global: Global::new(),
            floor: FIRST_ID,
            held: BTreeMap::new(),
            usage: Usage::default(),
            changes: 0,
            specs: no_specs,
            recording: false,
            recorded: Vec::new(),
        }
    }
}

impl PartialEq for EntityStore {
    fn eq(&self, other: &Self) -> bool {
        self.floor == other.floor
            && self.usage == other.usage
            && self.tenants.len() == other.tenants.len()
            && self.tenants.iter().zip(&other.tenants).all(|((a, ta), (b, tb))| {
                a == b
                    && ta.collections.len() == tb.collections.len()
                    && ta
                        .collections
                        .iter()
                        .zip(&tb.collections)
                        .all(|((x, cx), (y, cy))| x == y && cx.items == cy.items)
            })
    }
}

/// A stored entity being changed in place: derefs to the entity; when dropped, the entity is
/// filed again under its (possibly changed) references and keys, and the change recorded.
pub struct EntityMut<'a> {
    store: &'a mut EntityStore,
    tenant: String,
    name: String,
    id: i64,
    stored: Option<Stored>,
}

impl std::fmt::Debug for EntityMut<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntityMut")
            .field("name", &self.name)
            .field("id", &self.id)
            .finish()
    }
}

impl Deref for EntityMut<'_> {
    type Target = Entity;
    fn deref(&self) -> &Entity {
        // Present from creation until drop.
        self.stored.as_ref().map_or(&EMPTY, |s| &s.body)
    }
}

static EMPTY: std::sync::LazyLock<Entity> = std::sync::LazyLock::new(Entity::new);

impl DerefMut for EntityMut<'_> {
    fn deref_mut(&mut self) -> &mut Entity {
        &mut self
            .stored
            .get_or_insert_with(|| Stored {
                parent: None,
                body: Entity::new(),
            })
            .body
    }
}

impl Drop for EntityMut<'_> {
    fn drop(&mut self) {
        if let Some(stored) = self.stored.take() {
            self.store.file(&self.tenant, &self.name, self.id, stored);
            if self.store.recording {
                let touched = Touched::Entity(
                    std::mem::take(&mut self.tenant),
                    std::mem::take(&mut self.name),
                    self.id,
                );
                self.store.recorded.push(touched);
            }
        }
    }
}

impl EntityStore {
    /// How many changes were made (a counter, for persistence).
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// This store's content: equal for two readings exactly when nothing changed between them
    /// (a number of this store, not of any other or of a clone, and its changes).
    pub fn version(&self) -> (u64, u64) {
        (self.instance.0, self.changes)
    }

    /// The API request counts (not counted as a change: a read adds to them).
    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    /// The API request counts, to count one.
    pub fn usage_mut(&mut self) -> &mut Usage {
        &mut self.usage
    }

    /// An empty store that indexes what `specs` names.
    pub fn with_specs(specs: Specs) -> Self {
        Self {
            specs,
            ..Self::default()
        }
    }

    /// The same entities, filed again under what `specs` names (a store read from a state
    /// file, which keeps no indexes). Each collection's entities stay in the map they were read
    /// into (kept as text where the collection is packed, parsed otherwise); only the indexes
    /// are built, a packed entity parsed in the fields they read ([`Key::fields`]).
    pub fn indexed(mut self, specs: Specs) -> Self {
        let mut out = EntityStore {
            floor: self.floor,
            usage: std::mem::take(&mut self.usage),
            specs,
            ..EntityStore::default()
        };
        let mut ids = Vec::new();
        let mut memo = FilingMemo::default();
        let mut gathered = Gathered::default();
        for (tenant, data) in std::mem::take(&mut self.tenants) {
            let held = out.tenants.entry(tenant.clone()).or_default();
            let (refs, collections) = (&mut held.refs, &mut held.collections);
            for (name, mut collection) in data.collections {
                let spec = specs(&name);
                let packed = spec.is_some_and(|s| s.packed);
                // The map stays as read (in id order); only slots held the other way are changed.
                for (id, slot) in &mut collection.items {
                    // Compact text of a packed collection, as the store writes it, is filed from
                    // the one scan that also finds it compact.
                    let compact = match (&*slot, spec) {
                        (Slot::Text { body, .. }, Some(spec)) if packed => memo.of_compact(spec, body.get()),
                        _ => None,
                    };
                    // Held anew: values of a packed collection, text of another, and packed
                    // text the scan found not compact.
                    let convert = compact.is_none() && (packed || matches!(slot, Slot::Text { .. }));
                    if convert {
                        let placeholder = Slot::Values(std::sync::Arc::new(Stored {
                            parent: None,
                            body: Entity::new(),
                        }));
                        let taken = std::mem::replace(slot, placeholder);
                        // Text of a collection that is not packed is parsed; a packed one is held
                        // as `serde_json` writes it (a hand-edited file may have spaces).
                        *slot = Slot::new(taken.into_stored(), packed);
                    }
                    let mut filing = compact.unwrap_or_else(|| filing_of_slot(spec, slot));
                    ids.push(*id);
                    let at = Place {
                        tenant: &tenant,
                        holder: spec.map(|s| s.name),
                        id: *id,
                        parent: slot.parent(),
                    };
                    gathered.take(&at, &mut filing);
                    let filed = (&mut collection.by_parent, &mut collection.keys);
                    index(&mut out.global, refs, filed, &at, filing);
                }
                gathered.build_keys(&mut collection.keys);
                collections.insert(name, collection);
            }
            gathered.build_refs(refs);
        }
        ids.sort_unstable();
        out.held = ids
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], u32::try_from(run.len()).unwrap_or(u32::MAX)))
            .collect();
        out
    }

    /// Keeps every later change for [`EntityStore::take_touched`] (the state file's log).
    pub fn record(&mut self, on: bool) {
        self.recording = on;
        if !on {
            self.recorded.clear();
        }
    }

    /// What changed since the last call, in order, each entity once (where it last changed).
    pub fn take_touched(&mut self) -> Vec<Touched> {
        let recorded = std::mem::take(&mut self.recorded);
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<Touched> = recorded
            .into_iter()
            .rev()
            .filter(|t| seen.insert(t.clone()))
            .collect();
        out.reverse();
        out
    }

    /// `touched` as the log writes it: the entity as it is now (or its removal), borrowed.
    pub fn change_ref<'a>(&'a self, touched: &'a Touched) -> ChangeRef<'a> {
        match touched {
            Touched::Entity(tenant, name, id) => match self.entry(tenant, name, *id) {
                Some(entry) => ChangeRef::Put {
                    tenant,
                    name,
                    id: *id,
                    entry,
                },
                None => ChangeRef::Remove {
                    tenant,
                    name,
                    id: *id,
                },
            },
            Touched::Reserve(id) => ChangeRef::Reserve { id: *id },
        }
    }

    /// Applies a change read back from the state file's log (before [`EntityStore::indexed`],
    /// which files what it put; with specs, it is filed at once).
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::Put {
                tenant,
                name,
                id,
                parent,
                body,
            } => {
                self.unfile(&tenant, &name, id);
                let slot = Slot::text(parent, body);
                // Without specs (a log replayed before indexing) the text is kept as read.
                match (self.specs)(&name) {
                    None => self.put(&tenant, &name, id, slot, Filing::default()),
                    Some(_) => self.file(&tenant, &name, id, slot.into_stored()),
                }
            }
            Change::Remove { tenant, name, id } => {
                self.unfile(&tenant, &name, id);
            }
            Change::Reserve { id } => self.floor = self.floor.max(id),
        }
        self.changes += 1;
    }

    /// Makes sure later ids are above `id`, taken outside the store (a user's).
    pub fn reserve(&mut self, id: i64) {
        if id > self.floor {
            self.floor = id;
            if self.recording {
                self.recorded.push(Touched::Reserve(id));
            }
        }
    }

    /// A fresh id: one above every id held.
    pub fn next_id(&mut self) -> i64 {
        let top = self.held.keys().next_back().copied().unwrap_or(0);
        top.max(self.floor) + 1
    }

    fn collection(&self, tenant: &str, name: &str) -> Option<&Collection> {
        self.tenants.get(tenant)?.collections.get(name)
    }

    /// The tenant's entity `id` of collection `name` (borrowed, or parsed from its text when
    /// the collection is packed).
    pub fn get(&self, tenant: &str, name: &str, id: i64) -> Option<Cow<'_, Stored>> {
        self.entry(tenant, name, id).map(Entry::stored)
    }

    /// The tenant's entity `id` of collection `name` as it is held (no parsing).
    pub fn entry(&self, tenant: &str, name: &str, id: i64) -> Option<Entry<'_>> {
        self.collection(tenant, name)?.items.get(&id).map(Slot::entry)
    }

    /// Whether the tenant holds entity `id` of collection `name`.
    pub fn contains(&self, tenant: &str, name: &str, id: i64) -> bool {
        self.collection(tenant, name)
            .is_some_and(|c| c.items.contains_key(&id))
    }

    /// The tenant's entity `id`, for changing it in place (counted as a change; filed again
    /// when the guard is dropped).
    pub fn get_mut(&mut self, tenant: &str, name: &str, id: i64) -> Option<EntityMut<'_>> {
        let stored = self.unfile(tenant, name, id)?.into_stored();
        self.changes += 1;
        Some(EntityMut {
            store: self,
            tenant: tenant.to_owned(),
            name: name.to_owned(),
            id,
            stored: Some(stored),
        })
    }

    /// The tenant's entities of collection `name`, by id (parsed where packed).
    pub fn iter<'a>(&'a self, tenant: &str, name: &str) -> impl Iterator<Item = (i64, Cow<'a, Stored>)> + 'a {
        self.entries(tenant, name).map(|(id, e)| (id, e.stored()))
    }

    /// The tenant's entities of collection `name` as they are held, by id.
    pub fn entries<'a>(
        &'a self,
        tenant: &str,
        name: &str,
    ) -> impl DoubleEndedIterator<Item = (i64, Entry<'a>)> + 'a {
        self.collection(tenant, name)
            .into_iter()
            .flat_map(|c| c.items.iter().map(|(id, s)| (*id, s.entry())))
    }

    /// How many entities the tenant's collection `name` holds.
    pub fn len(&self, tenant: &str, name: &str) -> usize {
        self.collection(tenant, name).map_or(0, |c| c.items.len())
    }

    /// The ids of the tenant's entities of `name` filed under `value` of index `key` (for
    /// alerts: `states`, `sources`, `policies`, `responders`, `open-key`, `source-state`), by
    /// id; `None` when the collection has no such index.
    pub fn keyed(&self, tenant: &str, name: &str, key: &str, value: &str) -> Option<&IdSet> {
        static NONE: IdSet = IdSet::new();
        let spec = (self.specs)(name)?;
        spec.keys.iter().find(|k| k.name == key && !k.global)?;
        Some(
            self.collection(tenant, name)
                .and_then(|c| c.keys.get(key))
                .and_then(|values| values.get(value))
                .unwrap_or(&NONE),
        )
    }

    /// The ids filed under the values of the tenant's index `key` of `name` from `low` to `high`
    /// (both included), a set per value in value order; none when there is no such index.
    pub fn keyed_range<'a>(
        &'a self,
        tenant: &str,
        name: &str,
        key: &str,
        low: &str,
        high: &str,
    ) -> impl Iterator<Item = &'a IdSet> + 'a {
        self.collection(tenant, name)
            .and_then(|c| c.keys.get(key))
            .filter(|_| low <= high)
            .map(|values| values.range::<str, _>((Bound::Included(low), Bound::Included(high))))
            .into_iter()
            .flatten()
            .map(|(_, ids)| ids)
    }

    /// Whether the collection `name` has the (per-tenant) index `key`.
    pub fn has_key(&self, name: &str, key: &str) -> bool {
        (self.specs)(name).is_some_and(|s| s.keys.iter().any(|k| k.name == key && !k.global))
    }

    /// Whether the collection `name` has the global index `key`.
    pub fn has_global_key(&self, name: &str, key: &str) -> bool {
        (self.specs)(name).is_some_and(|s| s.keys.iter().any(|k| k.name == key && k.global))
    }

    /// The entities of `name` in any tenant filed under `value` of the global index `key`
    /// (alert sources by integration key), with their tenants.
    pub fn find_keyed(&self, name: &str, key: &str, value: &str) -> Vec<(&str, i64, Cow<'_, Stored>)> {
        self.global
            .get(key)
            .and_then(|values| values.get(value))
            .into_iter()
            .flatten()
            .filter_map(|(tenant, id)| self.get(tenant, name, *id).map(|s| (tenant.as_str(), *id, s)))
            .collect()
    }

    /// The first entity of `name` in any tenant that satisfies `test`, with its tenant (a scan:
    /// for lookups without an index).
    pub fn find_any(
        &self,
        name: &str,
        test: impl Fn(&Entity) -> bool,
    ) -> Option<(&str, i64, Cow<'_, Stored>)> {
        self.tenants.iter().find_map(|(tenant, data)| {
            data.collections
                .get(name)?
                .items
                .iter()
                .map(|(id, s)| (*id, s.entry().stored()))
                .find(|(_, s)| test(&s.body))
                .map(|(id, s)| (tenant.as_str(), id, s))
        })
    }

    /// The entities of the tenant that refer to its entity `id` of `target`: (holder collection,
    /// holder id, position of the relation in the holder's declaration).
    pub fn referrers(
        &self,
        tenant: &str,
        target: Option<&'static str>,
        id: i64,
    ) -> Vec<(&'static str, i64, u16)> {
        self.tenants
            .get(tenant)
            .and_then(|t| t.refs.get(&(target, id)))
            .map(|r| r.iter().map(|(holder, id, at)| (holder.0, *id, *at)).collect())
            .unwrap_or_default()
    }

    /// Stores (or replaces) an entity; its `id` field is set to `id` and comes first.
    pub fn insert(&mut self, tenant: &str, name: &str, id: i64, parent: Option<i64>, body: Entity) {
        // `id` first, as ilert answers it; moved in place (the body is not copied into a new map).
        let mut entity = body;
        entity.shift_insert(0, "id".to_owned(), Value::from(id));
        let stored = Stored { parent, body: entity };
        if self.recording {
            self.recorded
                .push(Touched::Entity(tenant.to_owned(), name.to_owned(), id));
        }
        self.unfile(tenant, name, id);
        self.file(tenant, name, id, stored);
        self.changes += 1;
    }

    /// Removes an entity.
    pub fn remove(&mut self, tenant: &str, name: &str, id: i64) -> Option<Stored> {
        let removed = self.unfile(tenant, name, id).map(Slot::into_stored);
        if removed.is_some() {
            self.changes += 1;
            if self.recording {
                self.recorded
                    .push(Touched::Entity(tenant.to_owned(), name.to_owned(), id));
            }
        }
        removed
    }

    /// The ids of the tenant's entities of `name` that belong to `parent`.
    pub fn children(&self, tenant: &str, name: &str, parent: i64) -> Vec<i64> {
        self.child_set(tenant, name, parent).iter().copied().collect()
    }

    /// The ids of the tenant's entities of `name` that belong to `parent`, as the index holds
    /// them (empty when there are none).
    pub fn child_set(&self, tenant: &str, name: &str, parent: i64) -> &IdSet {
        static NONE: IdSet = IdSet::new();
        self.collection(tenant, name)
            .and_then(|c| c.by_parent.get(&parent))
            .unwrap_or(&NONE)
    }

    /// Puts `stored` in place (as text where the collection is packed) and files it under its
    /// references and keys (nothing held there).
    fn file(&mut self, tenant: &str, name: &str, id: i64, stored: Stored) {
        let spec = (self.specs)(name);
        let filing = filing(spec, &stored.body);
        let slot = Slot::new(stored, spec.is_some_and(|s| s.packed));
        self.put(tenant, name, id, slot, filing);
    }

    fn put(&mut self, tenant: &str, name: &str, id: i64, slot: Slot, filing: Filing) {
        *self.held.entry(id).or_default() += 1;
        let holder = (self.specs)(name).map(|s| s.name);
        if !self.tenants.contains_key(tenant) {
            self.tenants.insert(tenant.to_owned(), Tenant::default());
        }
        let Some(data) = self.tenants.get_mut(tenant) else {
            return;
        };
        if !data.collections.contains_key(name) {
            data.collections.insert(name.to_owned(), Collection::default());
        }
        let Some(collection) = data.collections.get_mut(name) else {
            return;
        };
        let at = Place {
            tenant,
            holder,
            id,
            parent: slot.parent(),
        };
        let filed = (&mut collection.by_parent, &mut collection.keys);
        index(&mut self.global, &mut data.refs, filed, &at, filing);
        collection.items.insert(id, slot);
    }

    /// Takes the entity out and out of every index.
    fn unfile(&mut self, tenant: &str, name: &str, id: i64) -> Option<Slot> {
        let data = self.tenants.get_mut(tenant)?;
        let collection = data.collections.get_mut(name)?;
        let slot = collection.items.remove(&id)?;
        if let Some(count) = self.held.get_mut(&id) {
            *count -= 1;
            if *count == 0 {
                self.held.remove(&id);
            }
        }
        let spec = (self.specs)(name);
        let filing = filing_of_slot(spec, &slot);
        if let Some(parent) = slot.parent()
            && let Some(ids) = collection.by_parent.get_mut(&parent)
        {
            ids.remove(&id);
            if ids.is_empty() {
                collection.by_parent.remove(&parent);
            }
        }
        for (key, value, global) in filing.keys {
            if global {
                if let Some(values) = self.global.get_mut(key)
                    && let Some(ids) = values.get_mut(&value)
                {
                    ids.remove(&(tenant.to_owned(), id));
                    if ids.is_empty() {
                        values.remove(&value);
                    }
                }
            } else if let Some(values) = collection.keys.get_mut(key)
                && let Some(ids) = values.get_mut(&value)
            {
                ids.remove(&id);
                if ids.is_empty() {
                    values.remove(&value);
                }
            }
        }
        if let Some(holder) = spec.map(|s| s.name) {
            for (target, target_id, position) in filing.refs {
                if let Some(held) = data.refs.get_mut(&(target, target_id)) {
                    held.remove(&(Holder(holder), id, position));
                    if held.is_empty() {
                        data.refs.remove(&(target, target_id));
                    }
                }
            }
        }
        Some(slot)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::filing::{filing_of_compact, filing_of_text};
    use super::*;

    /// The fields [`compact_each`] finds, collected.
    fn compact_fields(text: &str) -> Option<Vec<(&str, &str)>> {
        let mut out = Vec::new();
        compact_each(text, |name, value| out.push((name, value)))?;
        Some(out)
    }

    fn entity(v: Value) -> Entity {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn tenants_are_apart_and_ids_are_above_every_held_id() {
        let mut s = EntityStore::default();
        let a = s.next_id();
        assert_eq!(a, FIRST_ID + 1);
        s.insert("t1", "teams", a, None, entity(json!({"name": "a"})));
        let b = s.next_id();
        s.insert("t2", "teams", b, None, entity(json!({"name": "b", "id": 3})));
        assert_ne!(a, b);
        assert_eq!(
            s.get("t2", "teams", b)
                .expect("b")
                .body
                .keys()
                .next()
                .map(String::as_str),
            Some("id")
        );
        assert!(s.get("t1", "teams", b).is_none());
        assert_eq!(s.get("t1", "teams", a).expect("a").body["id"], json!(a));
        assert_eq!(s.iter("t2", "teams").count(), 1);
        s.reserve(50_000);
        assert_eq!(s.next_id(), 50_001);
        s.insert("t1", "teams", 60_000, None, Entity::new());
        assert_eq!(s.next_id(), 60_001);
        assert!(s.remove("t1", "teams", a).is_some());
        assert!(s.remove("t1", "teams", a).is_none());
    }

    #[test]
    fn children_and_lookups_across_tenants() {
        let mut s = EntityStore::default();
        s.insert("t1", "notes", 1, Some(7), entity(json!({"k": "x"})));
        s.insert("t1", "notes", 2, Some(8), entity(json!({"k": "y"})));
        assert_eq!(s.children("t1", "notes", 7), vec![1]);
        let (tenant, id, _) = s.find_any("notes", |e| e["k"] == "y").expect("found");
        assert_eq!((tenant, id), ("t1", 2));
        let changes = s.changes();
        assert!(s.get_mut("t1", "notes", 1).is_some());
        assert!(s.changes() > changes);
        let round: EntityStore =
            serde_json::from_value(serde_json::to_value(&s).expect("json")).expect("back");
        assert_eq!(round.get("t1", "notes", 2), s.get("t1", "notes", 2));
    }

    fn packed_notes(name: &str) -> Option<&'static Spec> {
        static SPEC: std::sync::LazyLock<Spec> = std::sync::LazyLock::new(|| {
            Spec::new(
                "notes",
                vec![(Some("teams"), "team")],
                vec![Key {
                    name: "kinds",
                    values: |e| {
                        e.get("k")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .into_iter()
                            .collect()
                    },
                    fields: &["k"],
                    global: false,
                }],
                true,
            )
        });
        (name == "notes").then(|| &*SPEC)
    }

    #[test]
    fn an_entity_s_json_length_is_its_text_s_whether_held_as_text_or_as_values() {
        let mut s = EntityStore::with_specs(packed_notes);
        let body =
            json!({"k": "x", "team": {"id": 7}, "n": 1.5, "deep": {"b": [1, {"z": null}], "a": "é\"q"}});
        s.insert("t1", "notes", 1, None, entity(body.clone()));
        s.insert("t1", "teams", 2, None, entity(body));
        let held = |id: i64, name: &str| s.entry("t1", name, id).expect("held");
        assert!(matches!(held(1, "notes"), Entry::Text { .. }));
        assert!(matches!(held(2, "teams"), Entry::Values(_)));
        for (id, name) in [(1, "notes"), (2, "teams")] {
            let written = serde_json::to_vec(&held(id, name).body()).expect("written");
            assert_eq!(held(id, name).json_len(), written.len(), "{name}");
        }
    }

    #[test]
    fn a_packed_collection_holds_text_and_reads_back_the_same_values() {
        let mut s = EntityStore::with_specs(packed_notes);
        let body = entity(
            json!({"k": "x", "team": {"id": 7}, "n": 1.5, "deep": {"b": [1, {"z": null}], "a": "é\"q"}}),
        );
        s.insert("t1", "notes", 1, Some(9), body.clone());
        s.insert("t1", "teams", 7, None, entity(json!({"name": "t"})));
        let Some(Entry::Text { parent, body: text }) = s.entry("t1", "notes", 1) else {
            panic!("notes are held as text");
        };
        assert_eq!(parent, Some(9));
        assert!(text.get().starts_with(r#"{"id":1,"k":"x""#), "{}", text.get());
        assert!(matches!(s.entry("t1", "teams", 7), Some(Entry::Values(_))));
        let read = s.get("t1", "notes", 1).expect("stored");
        let mut expected = body;
        expected.shift_insert(0, "id".to_owned(), json!(1));
        assert_eq!(read.body, expected);
        assert_eq!(
            read.body.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>()
        );
        // Indexed and referenced as a value-held entity is.
        assert_eq!(s.keyed("t1", "notes", "kinds", "x").map(IdSet::len), Some(1));
        assert_eq!(s.referrers("t1", Some("teams"), 7), vec![("notes", 1, 0)]);
        // Changed in place: re-filed under its new key, still text.
        if let Some(mut n) = s.get_mut("t1", "notes", 1) {
            n.insert("k".into(), json!("y"));
        }
        assert_eq!(s.keyed("t1", "notes", "kinds", "x").map(IdSet::len), Some(0));
        assert_eq!(s.keyed("t1", "notes", "kinds", "y").map(IdSet::len), Some(1));
        assert!(matches!(s.entry("t1", "notes", 1), Some(Entry::Text { .. })));
        // Through the state file's shape and back: the same entities, indexes and holding.
        let text = serde_json::to_string(&s).expect("json");
        let back: EntityStore = serde_json::from_str::<EntityStore>(&text)
            .expect("back")
            .indexed(packed_notes);
        assert!(back == s);
        assert_eq!(back.keyed("t1", "notes", "kinds", "y").map(IdSet::len), Some(1));
        assert!(matches!(back.entry("t1", "notes", 1), Some(Entry::Text { .. })));
        assert!(matches!(back.entry("t1", "teams", 7), Some(Entry::Values(_))));
        // A log record borrows the text as it is held.
        let touched = Touched::Entity("t1".into(), "notes".into(), 1);
        let record = serde_json::to_value(s.change_ref(&touched)).expect("record");
        assert_eq!(record["parent"], json!(9));
        assert_eq!(record["body"]["k"], json!("y"));
        let change: Change = serde_json::from_value(record).expect("read back");
        assert!(
            matches!(change, Change::Put { ref body, parent: Some(9), .. } if body.get().contains(r#""a":"é\"q""#))
        );
    }

    #[test]
    fn a_state_whose_entity_is_not_an_object_is_refused() {
        for body in ["[1]", "\"x\"", "3", "null", "true"] {
            let text =
                format!(r#"{{"tenants":{{"t":{{"notes":{{"1":{{"body":{body}}}}}}}}},"floor":10000}}"#);
            let error = serde_json::from_str::<EntityStore>(&text).expect_err("refused");
            assert!(error.to_string().contains("expected a JSON object"), "{error}");
        }
    }

    #[test]
    fn a_packed_entity_read_from_a_state_file_is_filed_as_its_whole_values_are() {
        use crate::resources::index::spec;
        let alert = entity(json!({
            "id": 10_001, "summary": "s", "details": "d", "reportTime": "2026-11-02T10:00:00Z",
            "status": "ACCEPTED", "alertSource": {"id": 3001}, "escalationPolicy": {"id": 1501},
            "priority": "HIGH", "alertKey": "Disk-Full", "assignedTo": {"id": 1001},
            "responders": [{"user": {"id": 1001}, "status": "ACCEPTED"}, {"user": {"id": 1002}, "status": "PENDING"}],
            "images": [], "links": [], "labels": {"a": "b"}, "nextEscalationRuleIndex": 0, "mergeState": "NONE"
        }));
        let source = entity(
            json!({"id": 3001, "name": "n", "integrationKey": "il1key", "escalationPolicy": {"id": 1501}, "teams": [{"id": 5}]}),
        );
        for (name, body) in [
            (crate::resources::support::names::ALERTS, alert),
            ("alert-sources", source),
        ] {
            let spec = spec(name).expect("declared");
            let whole = filing(Some(spec), &body);
            assert!(!whole.keys.is_empty(), "{name} has keys");
            let text = serde_json::to_string(&body).expect("json");
            assert_eq!(
                filing_of_text(spec, &text),
                whole,
                "{name}: every field a key or reference reads is named in Key::fields or its path"
            );
        }
    }

    #[test]
    fn a_memo_files_packed_text_as_each_text_read_on_its_own_is_filed() {
        use crate::resources::index::spec;
        let spec = spec(crate::resources::support::names::ALERTS).expect("declared");
        let mut memo = FilingMemo::default();
        let statuses = ["PENDING", "ACCEPTED", "RESOLVED"];
        // More alert keys and report times than the memo keeps, so it also files past its bound.
        for i in 0..2_500_i64 {
            let status = statuses[(i % 3) as usize];
            let mut alert = json!({
                "id": 10_000 + i, "summary": "s", "reportTime": format!("2026-11-02T10:{:02}:{:02}Z", i / 60 % 60, i % 60),
                "status": status, "alertSource": {"id": 3001 + i % 4}, "escalationPolicy": {"id": 1501},
                "alertKey": format!("key-{}", i % 1_500),
                "responders": [{"user": {"id": 1001 + i % 2}, "status": status}],
            });
            match i % 7 {
                0 => drop(alert.as_object_mut().map(|a| a.remove("alertKey"))),
                1 => alert["alertSource"] = json!("3001"),
                2 => alert["responders"] = json!([]),
                3 => drop(alert.as_object_mut().map(|a| a.remove("escalationPolicy"))),
                _ => {}
            }
            let text = serde_json::to_string(&alert).expect("json");
            assert_eq!(
                memo.of_compact(spec, &text),
                filing_of_compact(spec, &text),
                "{text}"
            );
        }
        // A name written twice files under the last, as a parse keeps it.
        let twice = r#"{"id":1,"status":"PENDING","alertSource":{"id":3001},"status":"RESOLVED"}"#;
        let filed = memo.of_compact(spec, twice).expect("compact");
        assert_eq!(Some(&filed), filing_of_compact(spec, twice).as_ref());
        assert!(
            filed.keys.contains(&("states", "RESOLVED".to_owned(), false)),
            "{filed:?}"
        );
        for not_compact in [r#"{"id": 1}"#, r#"{"id":1,"status":"PENDING" }"#, "[]"] {
            assert_eq!(memo.of_compact(spec, not_compact), None, "{not_compact}");
        }
    }

    /// Every index of `s` as plain values (a set of ids as a vector: how a set is held does not
    /// change what it holds).
    fn indexes(s: &EntityStore) -> Value {
        let ids = |set: &IdSet| set.iter().copied().collect::<Vec<_>>();
        let mut out = serde_json::Map::new();
        for (tenant, data) in &s.tenants {
            for (name, c) in &data.collections {
                let parents: BTreeMap<_, _> = c.by_parent.iter().map(|(p, i)| (*p, ids(i))).collect();
                let keys: BTreeMap<_, BTreeMap<_, _>> = c
                    .keys
                    .iter()
                    .map(|(k, v)| (*k, v.iter().map(|(v, i)| (v.clone(), ids(i))).collect()))
                    .collect();
                out.insert(
                    format!("{tenant}/{name}"),
                    json!({"parents": format!("{parents:?}"), "keys": keys}),
                );
            }
            let refs: BTreeMap<_, _> = data
                .refs
                .iter()
                .map(|(t, r)| {
                    (
                        format!("{t:?}"),
                        r.iter().map(|(h, i, p)| (h.0, *i, *p)).collect::<Vec<_>>(),
                    )
                })
                .collect();
            out.insert(format!("{tenant} refs"), json!(refs));
        }
        let global: BTreeMap<_, BTreeMap<_, _>> =
            s.global.iter().map(|(k, v)| (*k, v.iter().collect())).collect();
        out.insert("global".into(), json!(format!("{global:?}")));
        Value::Object(out)
    }

    #[test]
    fn a_store_read_from_its_state_file_is_indexed_as_the_one_that_wrote_it() {
        use crate::resources::index::spec;
        use crate::resources::support::names::ALERTS;
        let mut s = EntityStore::with_specs(spec);
        for (tenant, id, key) in [("t1", 3001, "il1a"), ("t1", 3002, "il1b"), ("t2", 3001, "il1c")] {
            let source = json!({"name": "n", "integrationKey": key, "escalationPolicy": {"id": 1501}});
            s.insert(tenant, "alert-sources", id, None, entity(source));
        }
        // Sets held both ways: most keys hold more ids than a small set does, some fewer.
        let statuses = ["PENDING", "ACCEPTED", "RESOLVED"];
        for i in 0..120_i64 {
            let (tenant, id) = (if i % 10 == 0 { "t2" } else { "t1" }, 20_000 + 10 * i);
            let alert = json!({
                "summary": "s", "reportTime": format!("2026-11-02T10:00:{:02}Z", i % 7),
                "status": statuses[(i % 3) as usize], "alertSource": {"id": 3001 + i % 2},
                "escalationPolicy": {"id": 1501}, "alertKey": format!("k{}", i % 50),
                "responders": [{"user": {"id": 1001 + i % 5}, "status": "PENDING"}],
            });
            s.insert(tenant, ALERTS, id, None, entity(alert));
            s.insert(
                tenant,
                "alert-log-entries",
                id + 1,
                Some(id),
                entity(json!({"alertId": id})),
            );
        }
        // Changed and removed after they were first filed.
        if let Some(mut a) = s.get_mut("t1", ALERTS, 20_010) {
            a.insert("status".into(), json!("RESOLVED"));
        }
        assert!(s.remove("t1", ALERTS, 20_020).is_some());
        let text = serde_json::to_string(&s).expect("json");
        let back = serde_json::from_str::<EntityStore>(&text)
            .expect("read")
            .indexed(spec);
        assert!(back == s);
        let (written, read) = (indexes(&s), indexes(&back));
        for (part, held) in written.as_object().into_iter().flatten() {
            assert!(
                read.get(part) == Some(held),
                "{part}: {held} against {:?}",
                read.get(part)
            );
        }
        assert_eq!(
            read.as_object().map(|o| o.len()),
            written.as_object().map(|o| o.len())
        );
        assert!(
            written["t1/alerts"]["keys"]["states"]["PENDING"]
                .as_array()
                .is_some_and(|a| a.len() > 32)
        );
        assert_eq!(
            back.find_keyed("alert-sources", "integrationKey", "il1c").len(),
            1
        );
    }

    #[test]
    fn compact_fields_splits_what_serde_json_writes_and_nothing_else() {
        let text = r#"{"a":1,"b\"q":"x,}\"]","c":{"d":[1,{"e":"}"}]},"f":[],"g":null,"h":-1.5e3}"#;
        let fields = compact_fields(text).expect("compact");
        assert_eq!(
            fields,
            [
                (r#""a""#, "1"),
                (r#""b\"q""#, r#""x,}\"]""#),
                (r#""c""#, r#"{"d":[1,{"e":"}"}]}"#),
                (r#""f""#, "[]"),
                (r#""g""#, "null"),
                (r#""h""#, "-1.5e3"),
            ]
        );
        assert_eq!(compact_fields("{}"), Some(vec![]));
        assert_eq!(
            compact_items(r#"[1,"a]",{"b":[2]},[],null]"#),
            Some(vec!["1", r#""a]""#, r#"{"b":[2]}"#, "[]", "null"])
        );
        assert_eq!(compact_items("[]"), Some(vec![]));
        for not in ["[1, 2]", "{}", "[1", "[1,]", "[,1]"] {
            assert_eq!(compact_items(not), None, "{not}");
        }
        for not in [
            r#"{"a": 1}"#,
            r#"{ "a":1}"#,
            r#"{"a":[1, 2]}"#,
            "[1]",
            r#"{"a":1"#,
            r#"{"a"}"#,
            r#"{"a":}"#,
            "",
        ] {
            assert_eq!(compact_fields(not), None, "{not}");
        }
    }

    #[test]
    fn a_packed_entity_read_with_spaces_is_held_compact() {
        let text = r#"{"tenants":{"t1":{"notes":{"1":{"body":{ "id": 1, "k" : "x" }}}}},"floor":10000}"#;
        let store = serde_json::from_str::<EntityStore>(text)
            .expect("read")
            .indexed(packed_notes);
        let Some(Entry::Text { body, .. }) = store.entry("t1", "notes", 1) else {
            panic!("held as text");
        };
        assert_eq!(body.get(), r#"{"id":1,"k":"x"}"#);
        assert_eq!(store.keyed("t1", "notes", "kinds", "x").map(IdSet::len), Some(1));
    }

    #[test]
    fn log_changes_replayed_before_indexing_are_held_as_their_collection_holds_them() {
        let read = |line: &str| serde_json::from_str::<Change>(line).expect("a change");
        let mut s = EntityStore::default();
        s.apply(read(
            r#"{"op":"put","tenant":"t1","name":"notes","id":1,"parent":9,"body":{"id":1,"k":"x"}}"#,
        ));
        s.apply(read(
            r#"{"body":{"id":1,"k":"y"},"id":1,"name":"notes","tenant":"t1","op":"put","parent":9}"#,
        ));
        s.apply(read(
            r#"{"op":"put","tenant":"t1","name":"teams","id":7,"body":{"id":7}}"#,
        ));
        s.apply(read(r#"{"op":"reserve","id":50000}"#));
        let s = s.indexed(packed_notes);
        assert!(
            matches!(s.entry("t1", "notes", 1), Some(Entry::Text { parent: Some(9), body }) if body.get() == r#"{"id":1,"k":"y"}"#)
        );
        assert!(matches!(s.entry("t1", "teams", 7), Some(Entry::Values(_))));
        assert_eq!(s.keyed("t1", "notes", "kinds", "y").map(IdSet::len), Some(1));
        assert_eq!(s.keyed("t1", "notes", "kinds", "x").map(IdSet::len), Some(0));
        for bad in [
            r#"{"op":"put","tenant":"t1","name":"notes","id":1,"body":[1]}"#,
            r#"{"op":"put","tenant":"t1","name":"notes","id":1}"#,
            r#"{"op":"move","id":1}"#,
            r#"{"tenant":"t1","id":1}"#,
        ] {
            assert!(serde_json::from_str::<Change>(bad).is_err(), "{bad}");
        }
    }
}
