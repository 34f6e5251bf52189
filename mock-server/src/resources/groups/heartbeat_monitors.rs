//! Heartbeat monitors (`/heartbeat-monitors`, scope `monitor` by the mock's choice): a monitor
//! expects a ping at least every `intervalSec` at its `integrationUrl` (`/api/heartbeats/{key}`,
//! served without a bearer token), and its `state` is computed from the last ping and the mock
//! clock: `UNKNOWN` before the first ping, `HEALTHY` while the last one is at most `intervalSec`
//! old, `OVERDUE` after — so `/_mock/clock` makes a monitor overdue.
//!
//! As the document describes: lists page with a `cursor` (the `next-cursor` header names the
//! next page; `start-index` has no effect); `include` adds `integrationKey` and
//! `integrationUrl` to list items and `integrationUrl` to single answers (which always carry
//! `alertSource` and `integrationKey`); creating a monitor with the name of an existing one
//! answers 409 with the existing monitor; changing `intervalSec` makes a new integration key.
//! A monitor's alert source must exist in the tenant; deleting the source deletes its monitors.

use serde_json::{Value, json};

use super::alert_sources;
use crate::clock::UnixSeconds;
use crate::resources::crud;
use crate::resources::error::ResourceError;
use crate::resources::group::{
    Action, Collection, Cx, Group, Keyed, OnDelete, Relation, Reply, Target, View,
};
use crate::resources::kinds::WithKey;
use crate::resources::store::Entity;
use crate::resources::support::fields;
use crate::resources::time::{iso8601, parse};

/// The store name of the collection.
pub const NAME: &str = "heartbeat-monitors";

/// The stored field holding the time of the last ping (never answered).
const LAST_PING: &str = "lastPingAt";

const MONITORS: Collection = Collection::new(
    NAME,
    "/heartbeat-monitors",
    "heartbeat monitor",
    "HeartbeatMonitor",
    &MONITORS_MODEL,
)
.relations(&[Relation::new(
    "alertSource",
    Target::Collection(alert_sources::NAME),
    OnDelete::Cascade,
)]);

/// The group.
pub static GROUP: Group = Group::new(
    "Heartbeat Monitors",
    &[MONITORS],
    &[
        Action::state("GET", "/heartbeat-monitors", list),
        Action::state("POST", "/heartbeat-monitors", create),
        Action::state("GET", "/heartbeat-monitors/{id}", |cx| {
            crud::get(cx, &MONITORS).map(|r| finish(cx, r, false))
        }),
        Action::state("PUT", "/heartbeat-monitors/{id}", |cx| {
            crud::update(cx, &MONITORS).map(|r| finish(cx, r, false))
        }),
    ],
);

/// The fields a client sets (`HeartbeatMonitorRel`).
fn editable(body: &Entity, out: &mut Entity) -> Result<(), ResourceError> {
    out.insert("name".into(), Value::from(fields::name(body)?));
    out.insert("intervalSec".into(), fields::field(body, "intervalSec").clone());
    out.entry("teams").or_insert(json!([]));
    for key in ["alertSummary", "alertSource"] {
        match body.get(key).filter(|v| !v.is_null()) {
            Some(v) if key == "alertSource" => out.insert(key.into(), json!({"id": v["id"]})),
            Some(v) => out.insert(key.into(), v.clone()),
            None => out.remove(key),
        };
    }
    Ok(())
}

/// The heartbeat monitor model. The document: "changing 'intervalSec' will regenerate the
/// 'integrationKey'".
const MONITORS_MODEL: WithKey = WithKey::new(|cx, _| fields::integration_key(cx, "hbt"), editable, render)
    .stamped()
    .new_key_on("intervalSec");

/// A stored entity as answered.
fn render(view: &View<'_>, entity: &Entity, list: bool) -> Value {
    let mut out = Value::Object(entity.clone());
    if let Some(map) = out.as_object_mut() {
        map.remove(LAST_PING);
        let key = entity
            .get("integrationKey")
            .and_then(Value::as_str)
            .unwrap_or_default();
        map.insert("integrationUrl".into(), Value::from(ping_url(view.base, key)));
        if list {
            map.remove("alertSource");
        }
    }
    if !list && let Some(source) = entity.get("alertSource").and_then(|s| s["id"].as_i64()) {
        out["alertSource"] = alert_sources::rendered(view, source);
    }
    out
}

/// Where a monitor is pinged.
pub fn ping_url(base: &str, key: &str) -> String {
    format!("{base}{}/{key}", crate::paths::HEARTBEATS)
}

/// The state of a monitor at `now`, from its last ping.
fn state(entity: &Entity, now: UnixSeconds) -> &'static str {
    let interval = entity
        .get("intervalSec")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    match entity.get(LAST_PING).and_then(Value::as_str).and_then(parse) {
        None => "UNKNOWN",
        Some(at) if now - at <= interval => "HEALTHY",
        Some(_) => "OVERDUE",
    }
}

/// Sets each answered monitor's `state` at the mock clock's now and keeps the optional fields
/// the request includes (single answers always carry `alertSource` and `integrationKey`).
fn finish(cx: &Cx<'_>, mut reply: Reply, list: bool) -> Reply {
    if let Some(body) = reply.value_mut() {
        let items: Vec<&mut Value> = match &mut *body {
            Value::Array(items) => items.iter_mut().collect(),
            other => vec![other],
        };
        for item in items {
            let stored = item["id"]
                .as_i64()
                .and_then(|id| cx.state.resources().get(cx.tenant, NAME, id));
            if let Some(stored) = stored {
                item["state"] = Value::from(state(&stored.body, cx.now));
            }
        }
        let optional: &[&str] = if list {
            &["integrationKey", "integrationUrl"]
        } else {
            &["integrationUrl"]
        };
        fields::keep_included(cx, body, optional);
    }
    reply
}

/// `GET /heartbeat-monitors`: paged by `cursor` (the id after which the page starts, handed out
/// in the `next-cursor` header), not by `start-index`.
fn list(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let (_, max) = crud::paging(cx);
    let after = match cx.query_one("cursor").filter(|c| !c.is_empty()) {
        None => i64::MIN,
        Some(raw) => raw.parse::<i64>().map_err(|_| {
            ResourceError::BadRequest(format!(
                "query parameter 'cursor' is '{raw}', which is no cursor the mock handed out (pass the next-cursor header as is)"
            ))
        })?,
    };
    let view = cx.view();
    let ids: Vec<i64> = cx
        .state
        .resources()
        .iter(cx.tenant, NAME)
        .map(|(id, _)| id)
        .filter(|id| *id > after)
        .collect();
    let page: Vec<Value> = ids
        .iter()
        .take(max)
        .filter_map(|id| cx.state.resources().get(cx.tenant, NAME, *id))
        .map(|s| render(&view, &s.body, true))
        .collect();
    let mut reply = finish(cx, Reply::ok(Value::Array(page)), true);
    if ids.len() > max
        && let Some(last) = ids.get(max.saturating_sub(1))
    {
        reply = reply.with_header("next-cursor", last.to_string());
    }
    Ok(reply)
}

/// `POST /heartbeat-monitors`: a name already taken answers 409 with that monitor, so an
/// installation script can create-or-read in one request.
fn create(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let name = fields::name(&cx.body_object())?;
    let existing = cx
        .state
        .resources()
        .iter(cx.tenant, NAME)
        .find(|(_, s)| s.body.get("name").and_then(Value::as_str) == Some(name.as_str()))
        .map(|(id, _)| id);
    if let Some(id) = existing {
        let body = crud::render(cx, &MONITORS, id, false);
        return Ok(finish(cx, Reply::with_status(409, body), false));
    }
    crud::create(cx, &MONITORS).map(|r| finish(cx, r, false))
}

/// A ping at a monitor's `integrationUrl` (no bearer token; any body is ignored): 202, or 404
/// for an unknown key.
pub fn ping(keyed: Keyed<'_>) -> Result<Reply, ResourceError> {
    let (state, now, key) = (keyed.state, keyed.now, keyed.key.unwrap_or_default());
    let (tenant, id) = fields::by_integration_key(state, NAME, key).ok_or_else(|| {
        ResourceError::NotFound(format!("no heartbeat monitor has the integration key '{key}'"))
    })?;
    if let Some(mut monitor) = state.resources_mut().get_mut(&tenant, NAME, id) {
        monitor.insert(LAST_PING.into(), Value::from(iso8601(now)));
    }
    Ok(Reply::empty(202))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_follows_the_last_ping_and_the_interval() {
        let mut m = json!({"intervalSec": 60}).as_object().cloned().expect("object");
        assert_eq!(state(&m, 1_000), "UNKNOWN");
        m.insert(LAST_PING.into(), Value::from(iso8601(1_000)));
        assert_eq!(state(&m, 1_060), "HEALTHY");
        assert_eq!(state(&m, 1_061), "OVERDUE");
    }
}
