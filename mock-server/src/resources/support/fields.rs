//! Field conventions several groups share: creation and update times, ids ilert writes as
//! strings (connectors, alert actions), integration keys, names that must not be blank, and the
//! `include` query parameter.

use serde_json::Value;

use crate::resources::error::ResourceError;
use crate::resources::group::{Cx, World};
use crate::resources::store::Entity;
use crate::resources::time::iso8601;

/// Sets `createdAt` and `updatedAt` to now.
pub fn stamp(cx: &Cx<'_>, entity: &mut Entity) {
    for key in ["createdAt", "updatedAt"] {
        entity.insert(key.to_owned(), Value::from(iso8601(cx.now)));
    }
}

/// The stored `id` (a number) written as a string, as ilert's string-id resources answer it.
pub fn id_as_string(out: &mut Value) {
    if let Some(id) = out.get("id").and_then(Value::as_i64) {
        out["id"] = Value::from(id.to_string());
    }
}

/// A fresh integration key: `il1` and a three-letter kind (`hbt`, `met`, `dpl`), then 32 hex
/// digits, in the shape of the fixtures' alert source keys.
pub fn integration_key(cx: &mut Cx<'_>, kind: &str) -> String {
    format!("il1{kind}{}", cx.state.random_hex(16))
}

/// An entity's field, `null` when absent (indexing a map by a missing key would panic).
pub fn field<'a>(entity: &'a Entity, key: &str) -> &'a Value {
    entity.get(key).unwrap_or(&Value::Null)
}

/// The tenant and id of the entity of collection `name` whose `integrationKey` is `key`, in any
/// tenant (the key alone authenticates an ingestion request).
pub fn by_integration_key(state: &dyn World, name: &str, key: &str) -> Option<(String, i64)> {
    state
        .resources()
        .find_any(name, |e| {
            e.get("integrationKey").and_then(Value::as_str) == Some(key)
        })
        .map(|(tenant, id, _)| (tenant.to_owned(), id))
}

/// Stores `body` as a new entity of the nested collection `name` under `parent`, and removes
/// the oldest of the parent's entities beyond `kept`.
pub fn append_bounded(
    state: &mut dyn World,
    tenant: &str,
    name: &str,
    parent: i64,
    body: Entity,
    kept: usize,
) {
    let id = state.resources_mut().next_id();
    state.resources_mut().insert(tenant, name, id, Some(parent), body);
    let held = state.resources().children(tenant, name, parent);
    for old in held.iter().take(held.len().saturating_sub(kept)) {
        state.resources_mut().remove(tenant, name, *old);
    }
}

/// The field `name` of a body, which must not be blank (400 naming the field).
pub fn name(body: &Entity) -> Result<String, ResourceError> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ResourceError::BadRequest(
            "field 'name' must not be empty".to_owned(),
        ));
    }
    Ok(name.to_owned())
}

/// `old`'s value of `field` differs from the body's: a 400 saying it cannot be changed (ilert:
/// "type cannot be changed").
pub fn unchanged(old: &Entity, body: &Entity, field: &str) -> Result<(), ResourceError> {
    match (old.get(field), body.get(field)) {
        (Some(before), Some(after)) if before != after => Err(ResourceError::BadRequest(format!(
            "field '{field}' cannot be changed (it is {before}, the body says {after})"
        ))),
        _ => Ok(()),
    }
}

/// Removes the `optional` fields the request's `include` parameter does not name, from an
/// object or from each object of an array.
pub fn keep_included(cx: &Cx<'_>, value: &mut Value, optional: &[&str]) {
    let included = cx.query_all("include");
    let strip = |item: &mut Value| {
        if let Some(map) = item.as_object_mut() {
            for field in optional.iter().filter(|f| !included.iter().any(|i| i == *f)) {
                map.remove(*field);
            }
        }
    };
    match value {
        Value::Array(items) => items.iter_mut().for_each(strip),
        other => strip(other),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn string_ids_and_unchangeable_fields() {
        let mut v = json!({"id": 7, "name": "x"});
        id_as_string(&mut v);
        assert_eq!(v["id"], "7");
        let old = json!({"type": "slack"}).as_object().cloned().expect("object");
        let same = old.clone();
        assert!(unchanged(&old, &same, "type").is_ok());
        let other = json!({"type": "jira"}).as_object().cloned().expect("object");
        let err = unchanged(&old, &other, "type").expect_err("changed");
        assert!(err.to_string().contains("'type' cannot be changed"), "{err}");
        let blank = json!({"name": " "}).as_object().cloned().expect("object");
        assert!(name(&blank).is_err());
    }
}
