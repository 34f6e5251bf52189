//! Seeding the store from fixtures, and the fixture format a group adds to.
//!
//! Any collection is seeded with `[[resources.<name>]]` tables, in the API's own field names,
//! plus `id`, `tenant` and, for a nested collection, `parent` (the owner's id):
//!
//! ```toml
//! [[resources.alerts]]
//! id = 5001
//! tenant = "someTenant"
//! summary = "Checkout answers 503"
//! status = "PENDING"
//! reportTime = "2026-11-28T09:12:00Z"
//! alertSource = { id = 3001 }
//! escalationPolicy = { id = 1501 }
//!
//! [[resources.alert-log-entries]]
//! id = 5101
//! tenant = "someTenant"
//! parent = 5001
//! logEntryType = "AlertReceivedLogEntry"
//! ```
//!
//! Every seeded entity is rendered as the API would answer it and checked against the document's
//! schema (so fixture values stay inside the documented enums), and its references must name
//! entities of its tenant; a collection's second key (an alert source's `integrationKey`) names
//! one entity in the whole store. This is the one way fixtures seed REST entities: files with the
//! earlier `[[escalation_policies]]` and `[[alert_sources]]` tables are refused when they load,
//! with their entries in this form (`crate::fixtures`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::catalogue::catalogue;
use super::group::{Group, View, World};
use super::registry;
use super::relations;
use super::store::{Entity, EntityStore};
use super::validate::{self, Mode};
use crate::model::{Tenant, User};

/// One seeded entity of `[[resources.<name>]]`.
#[derive(Debug, Clone, Deserialize)]
pub struct Seed {
    /// Its id (unique across the store).
    pub id: i64,
    /// The tenant it belongs to.
    pub tenant: String,
    /// The owner's id, for a nested collection.
    #[serde(default)]
    pub parent: Option<i64>,
    /// Its fields, as the API names them.
    #[serde(flatten)]
    pub body: Entity,
}

/// Why a seed was refused: the fixture table, the entry's position in it, and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} entry {index}: {message}")]
pub struct SeedError {
    /// `resources.<name>`.
    pub table: String,
    /// 0-based position in that table.
    pub index: usize,
    /// What is wrong.
    pub message: String,
}

fn err(table: &str, index: usize, message: impl Into<String>) -> SeedError {
    SeedError {
        table: table.to_owned(),
        index,
        message: message.into(),
    }
}

/// What seeds the store: the fixtures' tenants and their `[[resources.<name>]]` seeds.
#[derive(Debug, Clone, Copy)]
pub struct SeedInput<'a> {
    /// The tenants (seeds must name one).
    pub tenants: &'a [Tenant],
    /// `[[resources.<name>]]`.
    pub resources: &'a Seeds,
}

type Placed = (String, usize, String, &'static str, i64);

/// Puts every fixture resource into `state`'s store. The seeds' references and schemas are
/// checked when fixtures load ([`check_seeds`]), not again.
pub fn populate(state: &mut dyn World, input: SeedInput<'_>) -> Result<(), SeedError> {
    place(state, input).map(drop)
}

/// Places every seed and says where each came from.
fn place(state: &mut dyn World, input: SeedInput<'_>) -> Result<Vec<Placed>, SeedError> {
    if let Some(max) = state.users().iter().map(|u| u.id).max() {
        state.resources_mut().reserve(max);
    }
    let mut placed: Vec<Placed> = Vec::new();
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    // The second-key values (`integrationKey`) seeded so far, by collection: one entity each.
    let mut alt_keys: BTreeSet<(&str, String)> = BTreeSet::new();
    for (name, seeds) in input.resources {
        let table = format!("resources.{name}");
        for (i, seed) in seeds.iter().enumerate() {
            let Some(collection) = state.collection(name) else {
                let known: Vec<&str> = state
                    .groups()
                    .iter()
                    .flat_map(|g| g.collections.iter())
                    .map(|c| c.name)
                    .collect();
                return Err(err(
                    &table,
                    i,
                    format!("unknown collection '{name}' (known: {})", known.join(", ")),
                ));
            };
            if !input.tenants.iter().any(|t| t.id == seed.tenant) {
                return Err(err(&table, i, format!("unknown tenant '{}'", seed.tenant)));
            }
            if !ids.insert(seed.id) || state.users().iter().any(|u| u.id == seed.id) {
                return Err(err(&table, i, format!("id {} is used twice", seed.id)));
            }
            if seed.parent.is_some() != collection.parent.is_some() {
                let need = if collection.parent.is_some() {
                    "needs"
                } else {
                    "takes no"
                };
                return Err(err(&table, i, format!("'{name}' {need} a `parent`")));
            }
            let alt = collection
                .alt_key
                .and_then(|key| seed.body.get(key)?.as_str().map(|v| (key, v)));
            if let Some((key, value)) = alt
                && !alt_keys.insert((collection.name, value.to_owned()))
            {
                return Err(err(&table, i, format!("{key} '{value}' is used twice")));
            }
            state.resources_mut().insert(
                &seed.tenant,
                collection.name,
                seed.id,
                seed.parent,
                seed.body.clone(),
            );
            placed.push((table.clone(), i, seed.tenant.clone(), collection.name, seed.id));
        }
    }
    Ok(placed)
}

/// Every placed entity: its owner and references exist, and it renders valid.
fn check(state: &dyn World, placed: &[Placed]) -> Result<(), SeedError> {
    let c = catalogue();
    for (table, index, tenant, name, id) in placed {
        let Some(collection) = state.collection(name) else {
            continue;
        };
        let Some(stored) = state.resources().get(tenant, name, *id) else {
            continue;
        };
        let view = View {
            state,
            tenant,
            base: "",
            now: 0,
            memo: None,
        };
        if let (Some(target), Some(parent)) = (collection.parent, stored.parent)
            && !relations::exists(state, tenant, target, parent)
        {
            let noun = relations::noun(state, target);
            return Err(err(
                table,
                *index,
                format!("parent {parent} is no {noun} of tenant '{tenant}'"),
            ));
        }
        relations::check(&view, collection, &stored.body).map_err(|e| err(table, *index, e.to_string()))?;
        let rendered = collection.model.render(&view, &stored.body, false);
        let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{}", collection.schema) });
        validate::check(c, &rendered, &schema, Mode::Stored).map_err(|e| err(table, *index, e.message))?;
    }
    Ok(())
}

/// A state of its own for checking fixtures before a server starts.
struct Scratch {
    store: EntityStore,
    users: Vec<User>,
}

impl World for Scratch {
    fn resources(&self) -> &EntityStore {
        &self.store
    }
    fn resources_mut(&mut self) -> &mut EntityStore {
        &mut self.store
    }
    fn users(&self) -> &[User] {
        &self.users
    }
    fn users_mut(&mut self) -> &mut Vec<User> {
        &mut self.users
    }
    fn random_hex(&mut self, n: usize) -> String {
        "0".repeat(n * 2)
    }
    fn groups(&self) -> &'static [&'static Group] {
        registry::GROUPS
    }

    fn collection(&self, name: &str) -> Option<&'static crate::resources::group::Collection> {
        registry::collection(name)
    }
}

/// Checks that the seeds would populate a store for these users.
pub fn check_seeds(users: &[User], input: SeedInput<'_>) -> Result<(), SeedError> {
    let mut scratch = Scratch {
        store: EntityStore::with_specs(super::index::spec),
        users: users.to_vec(),
    };
    let placed = place(&mut scratch, input)?;
    check(&scratch, &placed)
}

/// The seeds grouped by collection, as fixtures hold them.
pub type Seeds = BTreeMap<String, Vec<Seed>>;
