//! What the store indexes, per collection: the references each collection declares (for
//! cascades and reference checks), which collections nest under it (for children), and the
//! secondary keys the API looks entities up by (alert state, source, policy, responder, open
//! alert key per source, integration keys). The store keeps these up to date on every insert,
//! change and removal, so a list, count, lookup or cascade costs O(answer + log n), not a scan.
//!
//! The table is built once from the groups' declarations ([`super::registry::GROUPS`]) plus the
//! keys below, which name fields the way the groups store them.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::group::{Relation, Target};
use super::groups::{alert_sources, alerts, names};
use super::store::Entity;

/// A secondary key of a collection: the index's name and the values an entity files under.
#[derive(Clone, Copy)]
pub struct Key {
    /// The index's name (for alerts, the list filter it serves: `states`, `sources`, …).
    pub name: &'static str,
    /// The values `entity` files under (none: not in the index).
    pub values: fn(&Entity) -> Vec<String>,
    /// One index over every tenant (integration keys: the Events API finds the tenant by key).
    pub global: bool,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key").field("name", &self.name).finish()
    }
}

/// What the store keeps about one collection.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The collection's name (static, so the indexes can hold it).
    pub name: &'static str,
    /// Its references, in declaration order (a reference index names one by position).
    pub relations: &'static [Relation],
    /// Its secondary keys.
    pub keys: Vec<Key>,
}

/// The index of open alerts by source and lowercased alert key.
pub const OPEN_KEY: &str = "open-key";
/// The index of alerts by source and state (`3001:PENDING`), for a source's status.
pub const SOURCE_STATE: &str = "source-state";
/// The index of alert sources by integration key (every tenant).
pub const INTEGRATION_KEY: &str = "integrationKey";

fn reference(entity: &Entity, field: &str) -> Option<i64> {
    entity.get(field)?.get("id")?.as_i64()
}

/// `{source}:{lowercased key}`: how an open alert is found by its key (ilert matches alert keys
/// case-insensitively within a source; see <https://docs.ilert.com/alerting/alert-sources>).
pub fn open_key(source: i64, key: &str) -> String {
    format!("{source}:{}", key.to_lowercase())
}

fn alert_keys() -> Vec<Key> {
    vec![
        Key {
            name: "states",
            values: |a| {
                a.get("status")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .into_iter()
                    .collect()
            },
            global: false,
        },
        Key {
            name: "sources",
            values: |a| {
                reference(a, "alertSource")
                    .map(|id| id.to_string())
                    .into_iter()
                    .collect()
            },
            global: false,
        },
        Key {
            name: "policies",
            values: |a| {
                reference(a, "escalationPolicy")
                    .map(|id| id.to_string())
                    .into_iter()
                    .collect()
            },
            global: false,
        },
        Key {
            name: "responders",
            values: |a| {
                let mut ids: Vec<String> = a
                    .get("responders")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.get("user")?.get("id")?.as_i64())
                    .map(|id| id.to_string())
                    .collect();
                ids.sort();
                ids.dedup();
                ids
            },
            global: false,
        },
        Key {
            name: SOURCE_STATE,
            values: |a| {
                let status = a.get("status").and_then(Value::as_str);
                reference(a, "alertSource")
                    .zip(status)
                    .map(|(s, st)| format!("{s}:{st}"))
                    .into_iter()
                    .collect()
            },
            global: false,
        },
        Key {
            name: OPEN_KEY,
            values: |a| {
                let open = a.get("status").and_then(Value::as_str) != Some("RESOLVED");
                let key = a.get("alertKey").and_then(Value::as_str);
                reference(a, "alertSource")
                    .zip(key)
                    .filter(|_| open)
                    .map(|(s, k)| open_key(s, k))
                    .into_iter()
                    .collect()
            },
            global: false,
        },
    ]
}

fn text(entity: &Entity, field: &str) -> Vec<String> {
    entity
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .into_iter()
        .collect()
}

fn build() -> HashMap<&'static str, Spec> {
    let mut out = HashMap::new();
    for group in super::registry::GROUPS {
        for c in group.collections {
            let mut keys = Vec::new();
            if c.name == alerts::NAME {
                keys.extend(alert_keys());
            }
            if c.name == alert_sources::NAME {
                keys.push(Key {
                    name: INTEGRATION_KEY,
                    values: |e| text(e, INTEGRATION_KEY),
                    global: true,
                });
            }
            out.insert(
                c.name,
                Spec {
                    name: c.name,
                    relations: c.relations,
                    keys,
                },
            );
        }
    }
    debug_assert!(out.contains_key(names::ALERTS));
    out
}

/// The spec of collection `name` (`None` for a name no group declares).
pub fn spec(name: &str) -> Option<&'static Spec> {
    static SPECS: OnceLock<HashMap<&'static str, Spec>> = OnceLock::new();
    SPECS.get_or_init(build).get(name)
}

/// The collections nested under `target` (an alert's log entries and notifications).
pub fn nested(target: Target) -> &'static [&'static str] {
    static NESTED: OnceLock<HashMap<Option<&'static str>, Vec<&'static str>>> = OnceLock::new();
    let map = NESTED.get_or_init(|| {
        let mut map: HashMap<Option<&'static str>, Vec<&'static str>> = HashMap::new();
        for group in super::registry::GROUPS {
            for c in group.collections {
                if let Some(parent) = c.parent {
                    map.entry(target_key(parent)).or_default().push(c.name);
                }
            }
        }
        map
    });
    map.get(&target_key(target)).map_or(&[], Vec::as_slice)
}

/// How a reference index names a target: the collection, or `None` for users.
pub fn target_key(target: Target) -> Option<&'static str> {
    match target {
        Target::Collection(name) => Some(name),
        Target::Users => None,
    }
}
