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

/// The store as the state file writes it (version 2's shape, kept by version 3's snapshots).
#[derive(Serialize)]
struct StoreRef<'a> {
    tenants: BTreeMap<&'a str, BTreeMap<&'a str, &'a BTreeMap<i64, Slot>>>,
    floor: i64,
    #[serde(skip_serializing_if = "is_unused")]
    usage: &'a Usage,
}

#[derive(Deserialize)]
struct StoreOwned {
    tenants: BTreeMap<String, BTreeMap<String, BTreeMap<i64, Slot>>>,
    floor: i64,
    #[serde(default)]
    usage: Usage,
}

impl Serialize for EntityStore {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoreRef {
            tenants: self
                .tenants
                .iter()
                .map(|(t, data)| {
                    (
                        t.as_str(),
                        data.collections
                            .iter()
                            .map(|(n, c)| (n.as_str(), &c.items))
                            .collect(),
                    )
                })
                .collect(),
            floor: self.floor,
            usage: &self.usage,
        }
        .serialize(serializer)
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
