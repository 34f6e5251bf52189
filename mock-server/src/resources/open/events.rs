//! The Events API (`POST /api/events`, and the alert source's `integrationUrl`
//! `POST /api/v1/events/{type}/{key}`): authenticated by the alert source's integration key,
//! not a bearer token. `ALERT` opens a PENDING alert in the key's source, or appends to the open
//! alert with the same `alertKey` (compared case-insensitively); `ACCEPT` and `RESOLVE` move the
//! open alert with that key; `COMMENT` adds a log entry to it. Every refusal is ilert's
//! documented 400.
//!
//! Where ilert's own clients send what the document does not name, the mock follows the clients
//! (they run against production every day; `mock-server/docs/reconciliation-events.md`):
//! - the integration key may come as `apiKey` (ilert-go `event.go` line 31, the `ilert` crate
//!   3.2.0 `src/ilert_builders.rs` lines 597, 618, 638); with both names they must agree;
//! - `summary` is required for `ALERT` alone: ilert-go sends `""` for the other types
//!   (`event.go` line 37, no `omitempty`), the crate `null` or nothing (`ilert_builders.rs`
//!   lines 599, 637-642);
//! - an `integrationUrl`'s `{type}` is the source's integration type, as ilert's integration
//!   guides write it (iLert/docs `integrations/inbound-integrations/prometheus.md` line 49,
//!   `netdata.md` line 46): another type is a 400.

use serde_json::{Map, Value, json};

use crate::resources::error::ResourceError;
use crate::resources::group::{Keyed, Reply};
use crate::resources::groups::alert_sources;
use crate::resources::groups::alerts::{self, Actor, Change, NewAlert};
use crate::resources::request;
use crate::resources::store::Entity;

/// The document's path of the Events API.
pub const PATH: &str = "/events";

fn bad(message: impl Into<String>) -> ResourceError {
    ResourceError::BadRequest(message.into())
}

/// The event as the document names its fields: `apiKey` becomes `integrationKey` (400 when both
/// are given and differ), the path's key stands in for a missing one, and an event other than
/// `ALERT` without a `summary` gets an empty one.
fn normalized(body: &[u8], path_key: Option<&str>, letter: bool) -> Result<Value, ResourceError> {
    let mut event = request::parse_json(body)?;
    if letter {
        // As the document names the fields: `integrationKey` and `summary` required.
        if let (Some(map), Some(key)) = (event.as_object_mut(), path_key) {
            map.entry("integrationKey").or_insert_with(|| Value::from(key));
        }
        return request::check_post_value(PATH, event);
    }
    let Some(map) = event.as_object_mut() else {
        // Not an object: the schema check names what is wrong.
        return request::check_post_value(PATH, event);
    };
    // ilert-go `event.go` line 31 (`json:"apiKey"`, commit 549c4ad); the `ilert` crate 3.2.0
    // `src/ilert_builders.rs` line 597 (`"apiKey": api_key`).
    match (map.get("apiKey"), map.get("integrationKey")) {
        (None | Some(Value::Null), _) => {}
        (Some(Value::String(api)), None | Some(Value::Null)) => {
            let api = Value::from(api.as_str());
            map.insert("integrationKey".into(), api);
        }
        (Some(Value::String(api)), Some(Value::String(key))) if api == key => {}
        (Some(Value::String(_)), Some(_)) => {
            return Err(bad(
                "fields 'apiKey' and 'integrationKey' name different integration keys; send one",
            ));
        }
        (Some(other), _) => {
            return Err(bad(format!("field 'apiKey' must be a string (got {other})")));
        }
    }
    if let Some(key) = path_key {
        map.entry("integrationKey").or_insert_with(|| Value::from(key));
    }
    // ilert-go `event.go` line 37 sends `"summary": ""` with ACCEPT and RESOLVE; the crate
    // `ilert_builders.rs` line 599 sends `null`, line 637-642 (COMMENT) nothing at all.
    let kind = map.get("eventType").and_then(Value::as_str).unwrap_or_default();
    if kind != "ALERT" && map.get("summary").is_none_or(Value::is_null) {
        map.insert("summary".into(), Value::from(""));
    }
    request::check_post_value(PATH, event)
}

/// Whether an `integrationUrl`'s `{type}` segment names the source's integration type (as the
/// mock writes it, lowercase; compared without regard to case).
fn type_fits(segment: &str, integration_type: &str) -> bool {
    segment.eq_ignore_ascii_case(integration_type)
}

/// `images` and `links` entries as stored: without the `null` fields the crate sends for what
/// was not set (`ilert_builders.rs` lines 27-32, `href: None`).
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// Handles one event. The key of an `integrationUrl` request stands in when the body names
/// none, and its `{type}` must be the source's integration type.
pub fn post(keyed: Keyed<'_>) -> Result<Reply, ResourceError> {
    let Keyed {
        state,
        base,
        now,
        body,
        key: path_key,
        kind: path_kind,
        letter,
    } = keyed;
    let event = normalized(body, path_key, letter)?;
    let text = |k: &str| event.get(k).and_then(Value::as_str).map(str::to_owned);
    let key = text("integrationKey").unwrap_or_default();
    if path_key.is_some_and(|p| p != key) {
        return Err(bad(
            "the integration key of the body differs from the one in the path",
        ));
    }
    // Only what an event needs of its source is read (no copy of the source).
    let (tenant, source, integration_type, active, source_name) = state
        .resources()
        .find_keyed(
            alert_sources::NAME,
            crate::resources::support::names::INTEGRATION_KEY,
            &key,
        )
        .first()
        .map(|(t, id, s)| {
            let text = |k: &str| s.body.get(k).and_then(Value::as_str).map(str::to_owned);
            (
                (*t).to_owned(),
                *id,
                text("integrationType").unwrap_or_else(|| "API".to_owned()),
                s.body.get("active").and_then(Value::as_bool),
                text("name").unwrap_or_default(),
            )
        })
        .ok_or_else(|| bad(format!("no alert source has the integration key '{key}'")))?;
    let integration_type = integration_type.as_str();
    if let Some(segment) = path_kind
        && !type_fits(segment, integration_type)
    {
        return Err(bad(format!(
            "the integration URL names type '{segment}', but alert source {source} has integration type {integration_type}: post to /api/v1/events/{}/<key> or /api/events",
            integration_type.to_ascii_lowercase()
        )));
    }
    if active == Some(false) {
        return Err(bad(format!(
            "alert source {source} is disabled and accepts no events"
        )));
    }
    let by = Actor::Source(source_name);
    let kind = text("eventType").unwrap_or_default();
    let alert_key = text("alertKey");
    let open = alert_key
        .as_deref()
        .and_then(|k| alerts::open_with_key(state, &tenant, source, k));
    let summary = text("summary").unwrap_or_default();
    let (code, id) = match (kind.as_str(), open) {
        ("ALERT", Some(id)) => {
            alerts::append(
                state,
                &tenant,
                now,
                id,
                "AlertReceivedLogEntry",
                format!("Event received: {summary}"),
            );
            ("EVENT_APPENDED", id)
        }
        ("ALERT", None) => {
            let mut extra = Entity::new();
            for k in ["images", "links", "severity", "labels", "customDetails"] {
                if let Some(v) = event.get(k).filter(|v| !v.is_null()) {
                    extra.insert(k.to_owned(), without_nulls(v));
                }
            }
            let policy = text("routingKey").and_then(|r| {
                let view = crate::resources::group::View {
                    state,
                    tenant: &tenant,
                    base,
                    now,
                    memo: None,
                };
                crate::resources::groups::escalation_policies::resolve_key(&view, &r)
            });
            let new = NewAlert {
                summary,
                details: text("details"),
                priority: text("priority"),
                alert_key,
                policy,
                extra,
            };
            (
                "NEW_ALERT_CREATED",
                alerts::raise(state, &tenant, now, source, new, &by)?,
            )
        }
        (_, None) => {
            return Err(bad(match alert_key {
                Some(k) => format!("no open alert with alertKey '{k}' in alert source {source}"),
                None => format!("field 'alertKey' is required for {kind} events"),
            }));
        }
        ("ACCEPT", Some(id)) => {
            alerts::apply(state, &tenant, now, id, Change::Accept, &by).map_err(|e| bad(e.to_string()))?;
            ("ALERT_ACCEPTED", id)
        }
        ("RESOLVE", Some(id)) => {
            alerts::apply(state, &tenant, now, id, Change::Resolve, &by)?;
            ("ALERT_RESOLVED", id)
        }
        (_, Some(id)) => {
            let comments: Vec<String> = event["comments"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["content"].as_str().map(str::to_owned))
                .collect();
            let text = if comments.is_empty() {
                summary
            } else {
                comments.join("\n")
            };
            alerts::append(state, &tenant, now, id, "AlertCommentAddedBySystemLogEntry", text);
            ("COMMENT_ADDED", id)
        }
    };
    // Read from the alert's text field by field: the one field, not the whole alert, is parsed.
    let key = state
        .resources()
        .entry(&tenant, alerts::NAME, id)
        .and_then(|a| {
            let text = a.text();
            let key = crate::resources::store::compact_field(&text, r#""alertKey""#)?;
            serde_json::from_str::<Value>(key).ok()
        })
        .unwrap_or(Value::Null);
    Ok(Reply::with_status(
        202,
        json!({"responseCode": code, "alertId": id, "alertKey": key, "alertUrl": format!("{base}/api/alerts/{id}")}),
    ))
}
