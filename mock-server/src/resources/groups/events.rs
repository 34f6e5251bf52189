//! The Events API (`POST /api/events`, and the alert source's `integrationUrl`
//! `POST /api/v1/events/{type}/{key}`): authenticated by the alert source's integration key,
//! not a bearer token. `ALERT` opens a PENDING alert in the key's source, or appends to the open
//! alert with the same `alertKey`; `ACCEPT` and `RESOLVE` move the open alert with that key;
//! `COMMENT` adds a log entry to it. Every refusal is ilert's documented 400.

use serde_json::{Value, json};

use super::alert_sources;
use super::alerts::{self, Actor, Change, NewAlert};
use crate::resources::error::ResourceError;
use crate::resources::group::{Keyed, Reply};
use crate::resources::request;
use crate::resources::store::Entity;

/// The document's path of the Events API.
pub const PATH: &str = "/events";

fn bad(message: impl Into<String>) -> ResourceError {
    ResourceError::BadRequest(message.into())
}

/// Handles one event. The key of an `integrationUrl` request stands in when the body names
/// none.
pub fn post(keyed: Keyed<'_>) -> Result<Reply, ResourceError> {
    let Keyed {
        state,
        base,
        now,
        body,
        key: path_key,
    } = keyed;
    let event = request::check_post(PATH, body, path_key)?;
    let text = |k: &str| event.get(k).and_then(Value::as_str).map(str::to_owned);
    let key = text("integrationKey").unwrap_or_default();
    if path_key.is_some_and(|p| p != key) {
        return Err(bad(
            "the integration key of the body differs from the one in the path",
        ));
    }
    let (tenant, source, stored) = state
        .resources()
        .find_any(alert_sources::NAME, |s| s["integrationKey"] == key.as_str())
        .map(|(t, id, s)| (t.to_owned(), id, s.body.clone()))
        .ok_or_else(|| bad(format!("no alert source has the integration key '{key}'")))?;
    if stored.get("active").and_then(Value::as_bool) == Some(false) {
        return Err(bad(format!(
            "alert source {source} is disabled and accepts no events"
        )));
    }
    let by = Actor::Source(stored["name"].as_str().unwrap_or_default().to_owned());
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
                    extra.insert(k.to_owned(), v.clone());
                }
            }
            let policy = text("routingKey").and_then(|r| {
                let view = crate::resources::group::View {
                    state,
                    tenant: &tenant,
                    base,
                    now,
                };
                super::escalation_policies::resolve_key(&view, &r)
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
    let key = state
        .resources()
        .get(&tenant, alerts::NAME, id)
        .map(|a| a.body["alertKey"].clone())
        .unwrap_or(Value::Null);
    Ok(Reply::with_status(
        202,
        json!({"responseCode": code, "alertId": id, "alertKey": key, "alertUrl": format!("{base}/api/alerts/{id}")}),
    ))
}
