//! What the store indexes, per collection: the references each collection declares (for
//! cascades and reference checks), which collections nest under it (for children), and the
//! secondary keys the API looks entities up by (alert state, source, policy, responder, open
//! alert key per source, report time, integration keys). The store keeps these up to date on
//! every insert, change and removal, so a list, count, report, lookup or cascade costs
//! O(answer + log n), not a scan.
//!
//! The table is built once from the groups' declarations ([`super::registry::GROUPS`]) plus the
//! keys below, which name fields the way the groups store them.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::groups::{alert_sources, alerts};
use super::store::{Entity, Key, Spec};
use super::support::names::{
    self, INTEGRATION_KEY, OPEN_KEY, REPORTED, SOURCE_STATE, open_key, reported_key,
};

/// The collections that grow with traffic, one or more entities per event: held as JSON text
/// (a list page or the state file writes them as they are; a read parses one). Everything else
/// is configuration that each event reads, held as values.
const PACKED: &[&str] = &[alerts::NAME, alerts::LOG_ENTRIES, alerts::NOTIFICATIONS];

fn reference(entity: &Entity, field: &str) -> Option<i64> {
    entity.get(field)?.get("id")?.as_i64()
}

fn alert_keys() -> Vec<Key> {
    vec![
        Key {
            name: "states",

            fields: &["status"],
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

            fields: &["alertSource"],
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

            fields: &["escalationPolicy"],
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

            fields: &["responders"],
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

            fields: &["alertSource", "status"],
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
            name: REPORTED,

            fields: &["reportTime"],
            values: |a| vec![reported_key(alerts::reported(a))],
            global: false,
        },
        Key {
            name: OPEN_KEY,

            fields: &["status", "alertKey", "alertSource"],
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

                    fields: &[INTEGRATION_KEY],
                    values: |e| text(e, INTEGRATION_KEY),
                    global: true,
                });
            }
            out.insert(
                c.name,
                Spec::new(
                    c.name,
                    c.relations.iter().map(|r| (r.target.key(), r.field)).collect(),
                    keys,
                    PACKED.contains(&c.name),
                ),
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
