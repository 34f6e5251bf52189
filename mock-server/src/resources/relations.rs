//! References between entities (`{"id": …}` objects at declared fields): checked on create and
//! update, followed on delete (refused with 409 while a [`OnDelete::Restrict`] reference holds,
//! cascading to holders declared [`OnDelete::Cascade`] and to nested children), and expanded for
//! rendering.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::error::ResourceError;
pub use super::field_path::ids;
use super::field_path::ids_in;
use super::field_path::step;
use super::group::{Collection, OnDelete, Target, View};
use super::store::Entity;
use crate::resources::group::World;

/// Whether the tenant has entity `id` of `target`.
pub fn exists(state: &dyn World, tenant: &str, target: Target, id: i64) -> bool {
    match target {
        Target::Users => state.users().iter().any(|u| u.id == id && u.tenant == tenant),
        Target::Collection(name) => state.resources().contains(tenant, name, id),
    }
}

/// `target` in words.
pub fn noun(state: &dyn World, target: Target) -> &'static str {
    match target {
        Target::Users => "user",
        Target::Collection(name) => state.collection(name).map_or("entity", |c| c.noun),
    }
}

/// Every reference of `entity` must name an entity of the tenant (400 naming the field).
pub fn check(view: &View<'_>, collection: &Collection, entity: &Entity) -> Result<(), ResourceError> {
    for relation in collection.relations {
        for id in ids_in(entity, relation.field) {
            if !exists(view.state, view.tenant, relation.target, id) {
                return Err(ResourceError::BadRequest(format!(
                    "field '{}' names {} {id}, which does not exist",
                    relation.field,
                    noun(view.state, relation.target)
                )));
            }
        }
    }
    Ok(())
}

/// Deletes what goes with the tenant's entity `id` of `target`: refused (409) while a
/// restricting reference holds; else holders declared `Cascade` and nested children go too, and
/// references declared `Pull` are taken out of their holders (the entity itself is removed by
/// the caller). The store's indexes name the children and the referrers, so this costs
/// O(affected), not a scan of the tenant per cascaded entity.
pub fn release(state: &mut dyn World, tenant: &str, target: Target, id: i64) -> Result<(), ResourceError> {
    release_all(state, tenant, target, &BTreeSet::from([id]))
}

/// [`release`] for every id of `released` at once. The store's indexes name the children and
/// the referrers of each released entity, so a cascade costs O(affected), not a scan of the
/// tenant; each level of the cascade is released as one batch. Nothing changes until every
/// restricting reference is known absent.
fn release_all(
    state: &mut dyn World,
    tenant: &str,
    target: Target,
    released: &BTreeSet<i64>,
) -> Result<(), ResourceError> {
    if released.is_empty() {
        return Ok(());
    }
    let mut doomed: BTreeMap<&'static str, BTreeSet<i64>> = BTreeMap::new();
    let mut pulled: BTreeMap<(&'static str, i64), (&'static str, Vec<i64>)> = BTreeMap::new();
    let nested: Vec<&'static str> = state
        .groups()
        .iter()
        .flat_map(|g| g.collections.iter())
        .filter(|c| c.parent == Some(target))
        .map(|c| c.name)
        .collect();
    for &id in released {
        for &name in &nested {
            let children = state.resources().children(tenant, name, id);
            if !children.is_empty() {
                doomed.entry(name).or_default().extend(children);
            }
        }
        let mut referrers = state.resources().referrers(tenant, target.key(), id);
        // Declaration order first, then ids: the first restricting holder is the one named.
        // Each holder's rank is looked up once, not at every comparison.
        referrers.sort_by_cached_key(|(name, holder, _)| (collection_rank(state, name), *holder));
        for (name, holder, position) in referrers {
            let Some(collection) = state.collection(name) else {
                continue;
            };
            let Some(relation) = collection.relations.get(usize::from(position)) else {
                continue;
            };
            match relation.on_delete {
                OnDelete::Restrict => {
                    return Err(ResourceError::Conflict(format!(
                        "{} {id} is still used by {} {holder}",
                        noun(state, target),
                        collection.noun
                    )));
                }
                OnDelete::Cascade => {
                    doomed.entry(collection.name).or_default().insert(holder);
                }
                OnDelete::Pull => pulled
                    .entry((collection.name, holder))
                    .or_insert_with(|| (relation.field, Vec::new()))
                    .1
                    .push(id),
                OnDelete::Keep => {}
            }
        }
    }
    for (name, holders) in &doomed {
        release_all(state, tenant, Target::Collection(name), holders)?;
        for holder in holders {
            state.resources_mut().remove(tenant, name, *holder);
        }
    }
    for ((name, holder), (field, named)) in pulled {
        if let Some(mut entity) = state.resources_mut().get_mut(tenant, name, holder) {
            let mut value = Value::Object(std::mem::take(&mut *entity));
            for id in named {
                pull(&mut value, field, id);
            }
            if let Value::Object(map) = value {
                *entity = map;
            }
        }
    }
    Ok(())
}

/// Where collection `name` comes in the groups' declarations (the order a scan met them).
fn collection_rank(state: &dyn World, name: &str) -> usize {
    state
        .groups()
        .iter()
        .flat_map(|g| g.collections.iter())
        .position(|c| c.name == name)
        .unwrap_or(usize::MAX)
}

/// Takes every item that references `id` at `field` out of the last array on the field's path
/// (`members[].user`: the member whose user is `id`).
pub fn pull(entity: &mut Value, field: &str, id: i64) {
    let segments: Vec<&str> = field.split('.').filter(|s| !s.is_empty()).collect();
    pull_at(entity, &segments, id);
}

fn pull_at(v: &mut Value, segments: &[&str], id: i64) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    let (name, many) = step(first);
    let Some(child) = (if name.is_empty() { Some(v) } else { v.get_mut(name) }) else {
        return;
    };
    let deeper = rest.iter().any(|s| s.ends_with("[]"));
    match (many, child.as_array_mut()) {
        (true, Some(items)) if !deeper => {
            let path = rest.join(".");
            items.retain(|item| !ids(item, &path).contains(&id));
        }
        (true, Some(items)) => {
            for item in items {
                pull_at(item, rest, id);
            }
        }
        _ => pull_at(child, rest, id),
    }
}

/// Replaces each reference at `field` by what `render` makes of its id (references it cannot
/// render stay `{"id": …}`).
pub fn expand(entity: &mut Value, field: &str, render: &dyn Fn(i64) -> Option<Value>) {
    let segments: Vec<&str> = field.split('.').collect();
    expand_at(entity, &segments, render);
}

fn expand_at(v: &mut Value, segments: &[&str], render: &dyn Fn(i64) -> Option<Value>) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    let (name, many) = step(first);
    let Some(child) = (if name.is_empty() { Some(v) } else { v.get_mut(name) }) else {
        return;
    };
    let items: Vec<&mut Value> = if many {
        child
            .as_array_mut()
            .map(|a| a.iter_mut().collect())
            .unwrap_or_default()
    } else {
        vec![child]
    };
    for item in items {
        if rest.is_empty() {
            let id = ids(item, "");
            if let Some(rendered) = id.first().and_then(|id| render(*id)) {
                *item = rendered;
            }
        } else {
            expand_at(item, rest, render);
        }
    }
}

/// A user as ilert's `UserRel` (`id`, `firstName`, `lastName`), if the tenant has them.
pub fn user_rel(view: &View<'_>, id: i64) -> Option<Value> {
    view.state
        .users()
        .iter()
        .find(|u| u.id == id && u.tenant == view.tenant)
        .map(|u| serde_json::json!({"id": u.id, "firstName": u.first_name, "lastName": u.last_name}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn entity_ids_read_what_ids_reads() {
        let entities = [
            json!({"escalationRules": [{"users": [{"id": 1}, {"id": 2}]}, {"users": [{"id": 3.0}]}]}),
            json!({"escalationPolicy": {"id": 9}, "members": [{"user": {"id": 4}}, {"user": {"id": 5}}]}),
            json!({"connectorId": "7001", "alertSources": [{"id": 3001}], "id": 12}),
            json!({}),
        ];
        let fields = [
            "escalationRules[].users[]",
            "escalationPolicy",
            "members[].user",
            "connectorId",
            "alertSources[]",
            "",
            "missing[].x",
        ];
        for entity in &entities {
            let map = entity.as_object().expect("an object");
            for field in fields {
                assert_eq!(ids_in(map, field), ids(entity, field), "{field} of {entity}");
            }
        }
    }

    #[test]
    fn ids_follow_arrays_and_objects() {
        let policy = json!({"escalationRules": [{"users": [{"id": 1}, {"id": 2}]}, {"users": [{"id": 3.0}]}], "routingKey": "x"});
        assert_eq!(ids(&policy, "escalationRules[].users[]"), vec![1, 2, 3]);
        assert_eq!(
            ids(&json!({"escalationPolicy": {"id": 9}}), "escalationPolicy"),
            vec![9]
        );
        assert!(ids(&json!({}), "escalationPolicy").is_empty());
        assert_eq!(ids(&json!([{"user": {"id": 4}}]), "[].user"), vec![4]);
        assert_eq!(ids(&json!({"id": 5}), ""), vec![5]);
        assert_eq!(ids(&json!({"connectorId": "7001"}), "connectorId"), vec![7001]);
        assert!(ids(&json!({"connectorId": "slack"}), "connectorId").is_empty());
    }

    #[test]
    fn pull_takes_the_referencing_items_out() {
        let mut team = json!({"members": [{"user": {"id": 1}, "role": "ADMIN"}, {"user": {"id": 2}}]});
        pull(&mut team, "members[].user", 1);
        assert_eq!(team, json!({"members": [{"user": {"id": 2}}]}));
        let mut policy = json!({"rules": [{"teams": [{"id": 7}, {"id": 8}]}, {"teams": [{"id": 7}]}]});
        pull(&mut policy, "rules[].teams[]", 7);
        assert_eq!(policy, json!({"rules": [{"teams": [{"id": 8}]}, {"teams": []}]}));
        let mut window = json!({"alertSources": [{"id": 3}], "services": []});
        pull(&mut window, "alertSources[]", 3);
        assert_eq!(window, json!({"alertSources": [], "services": []}));
        pull(&mut window, "missing[]", 3);
    }

    #[test]
    fn expand_replaces_known_references() {
        let mut v = json!({"rules": [{"users": [{"id": 1}, {"id": 2}]}]});
        expand(&mut v, "rules[].users[]", &|id| {
            (id == 1).then(|| json!({"id": 1, "name": "one"}))
        });
        assert_eq!(
            v,
            json!({"rules": [{"users": [{"id": 1, "name": "one"}, {"id": 2}]}]})
        );
    }
}
