//! The incident operations beyond the generic layer: reads with `include` and an `ETag`,
//! create and update that move the affected services' status, and `publish-info`.

use std::borrow::Cow;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::super::services::model as services;
use super::model::{COLLECTION, NAME, affected, affected_teams, history};
use crate::resources::crud;
use crate::resources::error::ResourceError;
use crate::resources::group::{Cx, Reply, View};
use crate::resources::relations;
use crate::resources::store::{Entity, Entry};
use crate::resources::support::include::{self, CAPPED_MAX};
use crate::resources::support::{audience, names};

/// What the request's `include` adds to each incident.
fn extras(cx: &Cx<'_>) -> impl Fn(&View<'_>, &Entity, &mut Map<String, Value>) + 'static {
    let caller = cx.caller.id;
    let wants = ["subscribed", "affectedTeams", "history"].map(|name| include::wants(cx, name));
    move |view, incident, out| {
        if wants[0] {
            audience::add_subscribed(view, incident, caller, out);
        }
        if wants[1] {
            out.insert("affectedTeams".into(), affected_teams(view, incident));
        }
        if wants[2] {
            out.insert("history".into(), history(view, incident));
        }
    }
}

/// The incident's version: a hash of it and of the services it affects, so that a change to
/// either makes an `If-Match` of an earlier read fail.
fn etag(view: &View<'_>, id: i64) -> String {
    let store = view.state.resources();
    let mut hasher = Sha256::new();
    if let Some(incident) = store.get(view.tenant, NAME, id) {
        hasher.update(Value::Object(incident.body.clone()).to_string());
        let affected = incident.body.get("affectedServices").unwrap_or(&Value::Null);
        for (service, _) in services::impacts(affected) {
            if let Some(s) = store.get(view.tenant, services::NAME, service) {
                hasher.update(Value::Object(s.body.clone()).to_string());
            }
        }
    }
    format!("\"{}\"", hex::encode(&hasher.finalize()[..12]))
}

/// Whether an `If-Match` value admits the current `etag`. RFC 9110 §13.1.1: `*` matches any
/// current representation; otherwise one of the listed entity tags must match by the strong
/// comparison, so a weak tag (`W/"…"`) never matches.
fn if_match(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == etag)
}

/// The ids of the services an incident body affects (or, when it names none, `fallback`'s);
/// a malformed list is refused (400) before anything else is looked at.
fn affected_ids(body: &Entity, fallback: Option<&Entity>) -> Result<Vec<i64>, ResourceError> {
    let list = match body.get("affectedServices").filter(|v| !v.is_null()) {
        Some(given) => affected(given)?,
        None => fallback
            .and_then(|f| f.get("affectedServices"))
            .cloned()
            .unwrap_or_default(),
    };
    Ok(services::impacts(&list).into_iter().map(|(id, _)| id).collect())
}

/// Refuses (409) an incident that would be the second open one of a service that allows one
/// open incident only. `incident` is the incident being updated, if any.
fn one_open_only(
    cx: &Cx<'_>,
    incident: Option<i64>,
    open: bool,
    affected: &[i64],
) -> Result<(), ResourceError> {
    if !open {
        return Ok(());
    }
    let store = cx.state.resources();
    for service in affected {
        let only_one = store
            .get(cx.tenant, services::NAME, *service)
            .is_some_and(|s| s.body.get("oneOpenIncidentOnly") == Some(&json!(true)));
        if !only_one {
            continue;
        }
        let other = store.iter(cx.tenant, NAME).find(|(id, i)| {
            Some(*id) != incident
                && services::is_open(&i.body)
                && services::impacts(i.body.get("affectedServices").unwrap_or(&Value::Null))
                    .iter()
                    .any(|(id, _)| id == service)
        });
        if let Some((other, _)) = other {
            return Err(ResourceError::Conflict(format!(
                "service {service} allows one open incident only, and incident {other} is open"
            )));
        }
    }
    Ok(())
}

/// `GET /incidents`.
pub(super) fn list(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    include::list(cx, &COLLECTION, Some(CAPPED_MAX), &extras(cx))
}

/// `GET /incidents/{id}`, with its `ETag`.
pub(super) fn get(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let (id, incident) = include::get(cx, &COLLECTION, &extras(cx))?;
    Ok(Reply::ok(incident).with_header("etag", etag(&cx.view(), id)))
}

/// `POST /incidents`: the affected services take the incident's impacts.
pub(super) fn create(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let body = cx.body_object();
    let affected = affected_ids(&body, None)?;
    let open = body.get("status").and_then(Value::as_str) != Some("RESOLVED");
    one_open_only(cx, None, open, &affected)?;
    let mut reply = crud::create(cx, &COLLECTION)?;
    let id = reply
        .value_mut()
        .and_then(|b| b["id"].as_i64())
        .unwrap_or_default();
    services::follow_incidents(cx.state, cx.tenant, &affected);
    reply.set_value(crud::render(cx, &COLLECTION, id, false));
    Ok(reply)
}

/// `PUT /incidents/{id}` (`If-Match` honoured): the services it affected before and after
/// follow their open incidents.
pub(super) fn update(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let (id, stored) = crud::find(cx, &COLLECTION)?;
    let old = stored.body.clone();
    if let Some(wanted) = cx.header("if-match") {
        let current = etag(&cx.view(), id);
        if !if_match(wanted, &current) {
            return Err(ResourceError::PreconditionFailed(format!(
                "incident {id} or one of its services changed since the version in If-Match; \
                 read it again for its current ETag"
            )));
        }
    }
    let body = cx.body_object();
    let status = body
        .get("status")
        .filter(|v| !v.is_null())
        .or(old.get("status"))
        .and_then(Value::as_str);
    let after = affected_ids(&body, Some(&old))?;
    one_open_only(cx, Some(id), status != Some("RESOLVED"), &after)?;
    let mut reply = crud::update(cx, &COLLECTION)?;
    let mut touched = affected_ids(&Entity::new(), Some(&old))?;
    touched.extend(after);
    services::follow_incidents(cx.state, cx.tenant, &touched);
    reply.set_value(crud::render(cx, &COLLECTION, id, false));
    Ok(reply.with_header("etag", etag(&cx.view(), id)))
}

/// `POST /incidents/publish-info`: the status pages that show an affected service, and how many
/// users the private subscribers of those services and pages (and of the incident itself, when
/// the body names an existing one) would be told, unless `sendNotification` is `false`. The mock
/// keeps no public (email) subscribers, so `publicSubscribers` is 0.
pub(super) fn publish_info(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let body = cx.body_object();
    let view = cx.view();
    let affected = affected_ids(&body, None)?;
    if let Some(missing) = affected
        .iter()
        .find(|id| services::rendered(&view, **id).is_none())
    {
        return Err(ResourceError::BadRequest(format!(
            "field 'affectedServices' names service {missing}, which does not exist"
        )));
    }
    let store = view.state.resources();
    let pages: Vec<Cow<'_, Entity>> = store
        .entries(cx.tenant, names::STATUS_PAGES)
        .map(|(_, p)| p.body())
        .filter(|p| {
            relations::ids(&Value::Object((**p).clone()), "services[]")
                .iter()
                .any(|s| affected.contains(s))
        })
        .collect();
    let private = pages.iter().filter(|p| p["visibility"] == "PRIVATE").count();
    let mut subscribers = Vec::new();
    if body.get("sendNotification") != Some(&json!(false)) {
        let holders = affected
            .iter()
            .filter_map(|id| store.entry(cx.tenant, services::NAME, *id))
            .chain(
                body.get("id")
                    .and_then(Value::as_i64)
                    .and_then(|id| store.entry(cx.tenant, NAME, id)),
            )
            .map(Entry::body)
            .chain(pages.iter().cloned());
        for holder in holders {
            subscribers.extend(audience::stored(&holder));
        }
    }
    let mut out = json!({
        "privateStatusPages": private,
        "publicStatusPages": pages.len() - private,
        "privateSubscribers": audience::users(&view, &subscribers).len(),
        "publicSubscribers": 0,
    });
    if let Some(first) = pages.first() {
        out["statusPagesInfo"] = json!({"id": first["id"], "label": first["name"]});
    }
    Ok(Reply::ok(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_follows_rfc_9110() {
        let tag = "\"abc\"";
        assert!(if_match("\"abc\"", tag));
        assert!(if_match("\"x\", \"abc\"", tag));
        assert!(if_match("*", tag));
        assert!(!if_match("W/\"abc\"", tag));
        assert!(!if_match("\"abd\"", tag));
    }

    #[test]
    fn affected_ids_fall_back_to_the_stored_incident() {
        let stored = json!({"affectedServices": [{"impact": "DEGRADED", "service": {"id": 7}}]});
        let stored = stored.as_object().cloned().unwrap_or_default();
        assert_eq!(affected_ids(&Entity::new(), Some(&stored)), Ok(vec![7]));
        assert_eq!(affected_ids(&Entity::new(), None), Ok(vec![]));
        let bad = json!({"affectedServices": [{"service": {"id": 7}}]});
        assert!(affected_ids(bad.as_object().unwrap_or(&Entity::new()), None).is_err());
    }
}
