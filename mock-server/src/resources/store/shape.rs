//! The store as the state file writes and reads it: every tenant's collections by name, each
//! entity by id (version 2's shape, kept by version 3's snapshots), the id floor and the API
//! usage; the indexes are not written, and are built once when a store is read
//! ([`EntityStore::indexed`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::EntityStore;
use super::entry::Slot;
use crate::resources::usage::Usage;

fn is_unused(usage: &Usage) -> bool {
    *usage == Usage::default()
}

/// The store as the state file reads it.
#[derive(Deserialize)]
struct StoreOwned {
    tenants: BTreeMap<String, BTreeMap<String, BTreeMap<i64, Slot>>>,
    floor: i64,
    #[serde(default)]
    usage: Usage,
}

/// Pairs in key order, written as the JSON object a `BTreeMap` of them writes (a vector is
/// filled in one pass where a map would allocate its nodes).
struct Pairs<K, V>(Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Pairs<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The store's entities, id floor and usage as they were at one moment, written as the store
/// writes itself ([`EntityStore::capture`]). It shares the entities with the store (each is
/// held in an `Arc` and never changed in place), so it is taken under the store's lock at the
/// cost of a count per entity, and written without it, on the state file's writer thread.
#[derive(Serialize)]
pub struct StoreCapture {
    tenants: Pairs<String, Pairs<String, Pairs<i64, Slot>>>,
    floor: i64,
    #[serde(skip_serializing_if = "is_unused")]
    usage: Usage,
}

impl EntityStore {
    /// The store as it is now, to be written later ([`StoreCapture`]); the indexes are not in it.
    pub fn capture(&self) -> StoreCapture {
        let items = |c: &super::Collection| {
            let mut pairs = Vec::with_capacity(c.items.len());
            pairs.extend(c.items.iter().map(|(id, slot)| (*id, slot.clone())));
            Pairs(pairs)
        };
        let collections = |data: &super::Tenant| {
            Pairs(
                data.collections
                    .iter()
                    .map(|(n, c)| (n.clone(), items(c)))
                    .collect(),
            )
        };
        StoreCapture {
            tenants: Pairs(
                self.tenants
                    .iter()
                    .map(|(t, data)| (t.clone(), collections(data)))
                    .collect(),
            ),
            floor: self.floor,
            usage: self.usage.clone(),
        }
    }
}

/// The store as the state file writes it (version 2's shape, kept by version 3's snapshots),
/// written from a capture: one way for the state file and `state dump` alike.
impl Serialize for EntityStore {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.capture().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for EntityStore {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let owned = StoreOwned::deserialize(deserializer)?;
        // Only the entities, as read (text): the indexes are built, and the collections that
        // are not packed parsed, once, by [`EntityStore::indexed`].
        let mut store = EntityStore {
            floor: owned.floor,
            usage: owned.usage,
            ..EntityStore::default()
        };
        for (tenant, collections) in owned.tenants {
            let data = store.tenants.entry(tenant).or_default();
            for (name, items) in collections {
                for id in items.keys() {
                    *store.held.entry(*id).or_default() += 1;
                }
                data.collections.entry(name).or_default().items = items;
            }
        }
        store.changes = 0;
        Ok(store)
    }
}
