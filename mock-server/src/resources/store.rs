//! The per-tenant store of JSON entities: every emulated collection of every tenant, ordered by
//! id. A new entity gets the next id above every id held (across tenants and collections, and
//! above [`FIRST_ID`] and the users' ids), so a fresh mock answers the same ids to the same
//! requests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

type Collection = BTreeMap<i64, Stored>;

fn is_unused(usage: &Usage) -> bool {
    *usage == Usage::default()
}

/// Every collection of every tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Store {
    /// tenant → collection name → id → entity.
    tenants: BTreeMap<String, BTreeMap<String, Collection>>,
    /// Ids at or below this are taken outside the store (users).
    floor: i64,
    /// API requests per tenant, day, user and scope (the API key usage report).
    #[serde(default, skip_serializing_if = "is_unused")]
    usage: Usage,
    /// Bumped on every change, so the state file knows when to write.
    #[serde(skip)]
    changes: u64,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            tenants: BTreeMap::new(),
            floor: FIRST_ID,
            usage: Usage::default(),
            changes: 0,
        }
    }
}

impl Store {
    /// How many changes were made (a counter, for persistence).
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// The API request counts (not counted as a change: a read adds to them).
    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    /// The API request counts, to count one.
    pub fn usage_mut(&mut self) -> &mut Usage {
        &mut self.usage
    }

    /// Makes sure later ids are above `id`, taken outside the store (a user's).
    pub fn reserve(&mut self, id: i64) {
        self.floor = self.floor.max(id);
    }

    /// A fresh id: one above every id held.
    pub fn next_id(&mut self) -> i64 {
        let held = self
            .tenants
            .values()
            .flat_map(|collections| collections.values())
            .filter_map(|c| c.keys().next_back().copied())
            .max()
            .unwrap_or(0);
        held.max(self.floor) + 1
    }

    fn collection(&self, tenant: &str, name: &str) -> Option<&Collection> {
        self.tenants.get(tenant)?.get(name)
    }

    /// The tenant's entity `id` of collection `name`.
    pub fn get(&self, tenant: &str, name: &str, id: i64) -> Option<&Stored> {
        self.collection(tenant, name)?.get(&id)
    }

    /// The tenant's entity `id`, for changing it in place (counted as a change).
    pub fn get_mut(&mut self, tenant: &str, name: &str, id: i64) -> Option<&mut Entity> {
        let entity = self.tenants.get_mut(tenant)?.get_mut(name)?.get_mut(&id)?;
        self.changes += 1;
        Some(&mut entity.body)
    }

    /// The tenant's entities of collection `name`, by id.
    pub fn iter<'a>(&'a self, tenant: &str, name: &str) -> impl Iterator<Item = (i64, &'a Stored)> + 'a {
        self.collection(tenant, name)
            .into_iter()
            .flat_map(|c| c.iter().map(|(id, s)| (*id, s)))
    }

    /// The first entity of `name` in any tenant that satisfies `test`, with its tenant.
    pub fn find_any(&self, name: &str, test: impl Fn(&Entity) -> bool) -> Option<(&str, i64, &Stored)> {
        self.tenants.iter().find_map(|(tenant, collections)| {
            collections
                .get(name)?
                .iter()
                .find(|(_, s)| test(&s.body))
                .map(|(id, s)| (tenant.as_str(), *id, s))
        })
    }

    /// Stores (or replaces) an entity; its `id` field is set to `id` and comes first.
    pub fn insert(&mut self, tenant: &str, name: &str, id: i64, parent: Option<i64>, body: Entity) {
        let mut entity = Entity::new();
        entity.insert("id".to_owned(), Value::from(id));
        entity.extend(body.into_iter().filter(|(k, _)| k != "id"));
        let body = entity;
        self.tenants
            .entry(tenant.to_owned())
            .or_default()
            .entry(name.to_owned())
            .or_default()
            .insert(id, Stored { parent, body });
        self.changes += 1;
    }

    /// Removes an entity.
    pub fn remove(&mut self, tenant: &str, name: &str, id: i64) -> Option<Stored> {
        let removed = self.tenants.get_mut(tenant)?.get_mut(name)?.remove(&id);
        if removed.is_some() {
            self.changes += 1;
        }
        removed
    }

    /// The ids of the tenant's entities of `name` that belong to `parent`.
    pub fn children(&self, tenant: &str, name: &str, parent: i64) -> Vec<i64> {
        self.iter(tenant, name)
            .filter(|(_, s)| s.parent == Some(parent))
            .map(|(id, _)| id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entity(v: Value) -> Entity {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn tenants_are_apart_and_ids_are_above_every_held_id() {
        let mut s = Store::default();
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
        let mut s = Store::default();
        s.insert("t1", "notes", 1, Some(7), entity(json!({"k": "x"})));
        s.insert("t1", "notes", 2, Some(8), entity(json!({"k": "y"})));
        assert_eq!(s.children("t1", "notes", 7), vec![1]);
        let (tenant, id, _) = s.find_any("notes", |e| e["k"] == "y").expect("found");
        assert_eq!((tenant, id), ("t1", 2));
        let changes = s.changes();
        assert!(s.get_mut("t1", "notes", 1).is_some());
        assert!(s.changes() > changes);
        let round: Store = serde_json::from_value(serde_json::to_value(&s).expect("json")).expect("back");
        assert_eq!(round.get("t1", "notes", 2), s.get("t1", "notes", 2));
    }
}
