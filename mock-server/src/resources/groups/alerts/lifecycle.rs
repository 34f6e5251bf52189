//! The alert lifecycle as plain functions over the state: open an alert (responders paged and
//! notified), accept, resolve, append events, reassign; every step writes a log entry.

use std::borrow::Cow;

use serde_json::{Value, json};

use super::model::{LOG_ENTRIES, NAME, NOTIFICATIONS};
use crate::clock::UnixSeconds;
use crate::resources::error::ResourceError;
use crate::resources::group::{Cx, View, World};
use crate::resources::groups::{alert_sources, escalation_policies, on_calls, support_hours};
use crate::resources::store::{Entity, Entry};
use crate::resources::support::names;
use crate::resources::time::iso8601;

/// Who changes an alert, for log entries and responder bookkeeping.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A user of the tenant, through the REST API.
    User(i64),
    /// An alert source, through the Events API.
    Source(String),
}

/// The parts of a new alert.
#[derive(Debug, Clone, Default)]
pub struct NewAlert {
    /// Its summary.
    pub summary: String,
    /// Its details.
    pub details: Option<String>,
    /// `HIGH` or `LOW`; the source's rule decides when absent.
    pub priority: Option<String>,
    /// Its key (made up when absent).
    pub alert_key: Option<String>,
    /// A policy other than the source's.
    pub policy: Option<i64>,
    /// Optional fields copied as given (`severity`, `labels`, `images`, `links`, `customDetails`).
    pub extra: Entity,
}

pub(super) struct Tenant<'a> {
    pub(super) state: &'a mut dyn World,
    pub(super) tenant: &'a str,
    pub(super) now: UnixSeconds,
}

impl<'a> Tenant<'a> {
    pub(super) fn of(cx: &'a mut Cx<'_>) -> Self {
        Tenant {
            state: cx.state,
            tenant: cx.tenant,
            now: cx.now,
        }
    }

    /// Changes alert `id` with `set`, logs the change and pages `users`.
    pub(super) fn reassign(
        &mut self,
        id: i64,
        set: impl FnOnce(&mut Entity),
        kind: &str,
        text: String,
        users: &[i64],
    ) {
        if let Some(mut a) = self.state.resources_mut().get_mut(self.tenant, NAME, id) {
            set(&mut a);
        }
        self.log(id, kind, "ALERT_UPDATES", text);
        self.page(id, users);
    }

    pub(super) fn actor_name(&self, actor: &Actor) -> String {
        match actor {
            Actor::User(id) => self.state.user(*id).map_or_else(
                || format!("user {id}"),
                |u| format!("{} {}", u.first_name, u.last_name),
            ),
            Actor::Source(name) => format!("alert source {name}"),
        }
    }

    pub(super) fn log(&mut self, alert: i64, kind: &str, filter: &str, text: String) {
        let id = self.state.resources_mut().next_id();
        let entry = json!({
            "timestamp": iso8601(self.now),
            "logEntryType": kind,
            "text": text,
            "alertId": alert,
            "filterTypes": [filter],
        });
        self.attach(LOG_ENTRIES, id, alert, entry);
    }

    /// Stores `body` as entity `id` of the nested collection `name` of alert `alert`.
    fn attach(&mut self, name: &str, id: i64, alert: i64, body: Value) {
        let body = match body {
            Value::Object(map) => map,
            _ => Entity::new(),
        };
        self.state
            .resources_mut()
            .insert(self.tenant, name, id, Some(alert), body);
    }

    pub(super) fn notify(&mut self, alert: i64, user: i64, subject: &str) {
        let Some((email, first, last)) = self
            .state
            .user(user)
            .map(|u| (u.email.clone(), u.first_name.clone(), u.last_name.clone()))
        else {
            return;
        };
        let id = self.state.resources_mut().next_id();
        let note = json!({
            "method": "EMAIL",
            "target": email,
            "subject": subject,
            "alertId": alert,
            "user": {"id": user, "firstname": first, "lastname": last},
            "notificationTime": iso8601(self.now),
            "status": "SUCCESS",
        });
        self.attach(NOTIFICATIONS, id, alert, note);
        self.log(
            alert,
            "NotificationLogEntry",
            "NOTIFICATIONS",
            format!("{first} {last} notified by EMAIL"),
        );
    }

    pub(super) fn alert(&self, id: i64) -> Result<Cow<'_, Entity>, ResourceError> {
        self.state
            .resources()
            .entry(self.tenant, NAME, id)
            .map(Entry::body)
            .ok_or_else(|| ResourceError::not_found("alert", id))
    }

    /// The users a new alert on `policy` pages now: the first level with anyone on duty (its
    /// users, its teams' members, its schedules' users on call).
    pub(super) fn first_level(&self, policy: i64) -> Vec<i64> {
        on_calls::paged(&self.view(), policy).1
    }

    pub(super) fn view(&self) -> View<'_> {
        View {
            state: self.state,
            tenant: self.tenant,
            base: "",
            now: self.now,
            memo: None,
        }
    }

    /// Sets the responders to `users`, all pending, and notifies each.
    pub(super) fn page(&mut self, alert: i64, users: &[i64]) {
        let responders = responders(users);
        let summary = self
            .alert(alert)
            .ok()
            .and_then(|a| a["summary"].as_str().map(str::to_owned))
            .unwrap_or_default();
        if let Some(mut a) = self.state.resources_mut().get_mut(self.tenant, NAME, alert) {
            a.insert("responders".into(), responders);
        }
        for user in users {
            self.notify(alert, *user, &summary);
        }
    }
}

/// Opens an alert in the tenant's alert source `source` (PENDING, responders from the first
/// level of its policy, notified), logging who raised it. Returns its id.
pub fn raise(
    state: &mut dyn World,
    tenant: &str,
    now: UnixSeconds,
    source: i64,
    new: NewAlert,
    by: &Actor,
) -> Result<i64, ResourceError> {
    // Only what the alert needs of its source is read (no copy of the source).
    let (source_policy, rule, hours) = {
        let src = &state
            .resources()
            .get(tenant, alert_sources::NAME, source)
            .ok_or_else(|| {
                ResourceError::BadRequest(format!(
                    "field 'alertSource' names alert source {source}, which does not exist"
                ))
            })?
            .body;
        (
            src.get("escalationPolicy").and_then(|p| p["id"].as_i64()),
            src.get("alertPriorityRule")
                .and_then(Value::as_str)
                .unwrap_or("HIGH")
                .to_owned(),
            src.get("supportHours").and_then(|h| h["id"].as_i64()),
        )
    };
    let policy = new.policy.or(source_policy).unwrap_or_default();
    if !state
        .resources()
        .contains(tenant, escalation_policies::NAME, policy)
    {
        return Err(ResourceError::BadRequest(format!(
            "field 'escalationPolicy' names escalation policy {policy}, which does not exist"
        )));
    }
    let view = View {
        state,
        tenant,
        base: "",
        now,
        memo: None,
    };
    // Support hours decide the `*_DURING_SUPPORT_HOURS` rules: the named priority inside them,
    // the other one outside (a source without support hours keeps the named one).
    let outside = hours.is_some_and(|hours| !support_hours::within(&view, hours, now));
    let high = match rule.as_str() {
        "HIGH_DURING_SUPPORT_HOURS" => !outside,
        "LOW_DURING_SUPPORT_HOURS" => outside,
        other => !other.starts_with("LOW"),
    };
    let priority = new
        .priority
        .unwrap_or_else(|| if high { "HIGH" } else { "LOW" }.to_owned());
    // Who the first level pages, known before the alert is stored, so it is stored with its
    // responders once rather than stored and changed.
    let users = on_calls::paged(&view, policy).1;
    let id = state.resources_mut().next_id();
    let key = new.alert_key.unwrap_or_else(|| state.random_hex(12));
    let summary = new.summary.clone();
    let alert = json!({
        "summary": new.summary,
        "details": new.details.unwrap_or_default(),
        "reportTime": iso8601(now),
        "status": "PENDING",
        "alertSource": {"id": source},
        "escalationPolicy": {"id": policy},
        "priority": priority,
        "alertKey": key,
        "responders": responders(&users),
        "images": [],
        "links": [],
        "nextEscalationRuleIndex": 0,
        "mergeState": "NONE",
    });
    let mut map = match alert {
        Value::Object(map) => map,
        _ => Entity::new(),
    };
    map.extend(new.extra);
    state.resources_mut().insert(tenant, NAME, id, None, map);
    let mut t = Tenant { state, tenant, now };
    let (kind, text) = match by {
        Actor::User(_) => (
            "AlertCreatedByUserLogEntry",
            format!("Alert created by {}", t.actor_name(by)),
        ),
        Actor::Source(_) => (
            "AlertReceivedLogEntry",
            format!("Alert received from {}", t.actor_name(by)),
        ),
    };
    t.log(id, kind, "ALERT_SOURCE_EVENTS", text);
    for user in &users {
        t.notify(id, *user, &summary);
    }
    Ok(id)
}

/// `users` as an alert's responders, each pending.
fn responders(users: &[i64]) -> Value {
    users
        .iter()
        .map(|u| json!({"user": {"id": u}, "status": "PENDING"}))
        .collect()
}

/// A lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// PENDING → ACCEPTED (an accepted alert stays accepted).
    Accept,
    /// PENDING or ACCEPTED → RESOLVED (a resolved alert stays resolved).
    Resolve,
}

/// Moves alert `id` one step, logging who did it. Accepting a resolved alert is a 409.
pub fn apply(
    state: &mut dyn World,
    tenant: &str,
    now: UnixSeconds,
    id: i64,
    change: Change,
    by: &Actor,
) -> Result<(), ResourceError> {
    let mut t = Tenant { state, tenant, now };
    let status = t.alert(id)?["status"].as_str().unwrap_or_default().to_owned();
    let (target, verb) = match change {
        Change::Accept => ("ACCEPTED", "accepted"),
        Change::Resolve => ("RESOLVED", "resolved"),
    };
    if status == target {
        return Ok(());
    }
    if status == "RESOLVED" {
        return Err(ResourceError::Conflict(format!(
            "alert {id} is resolved and cannot be accepted"
        )));
    }
    let name = t.actor_name(by);
    if let Some(mut a) = t.state.resources_mut().get_mut(tenant, NAME, id) {
        a.insert("status".into(), json!(target));
        if change == Change::Resolve {
            a.insert("resolvedOn".into(), json!(iso8601(now)));
        }
        if let (Change::Accept, Actor::User(user)) = (change, by) {
            a.insert("assignedTo".into(), json!({"id": user}));
            let responders = a.entry("responders").or_insert(json!([]));
            let mut found = false;
            for r in responders.as_array_mut().into_iter().flatten() {
                if r["user"]["id"] == *user {
                    r["status"] = json!("ACCEPTED");
                    r["acceptedAt"] = json!(iso8601(now));
                    found = true;
                }
            }
            if !found && let Some(list) = responders.as_array_mut() {
                list.push(json!({"user": {"id": user}, "status": "ACCEPTED", "acceptedAt": iso8601(now)}));
            }
        }
    }
    let kind = match by {
        Actor::User(_) => "UserResponseLogEntry",
        Actor::Source(_) => "AlertSourceResponseLogEntry",
    };
    t.log(id, kind, "ALERT_UPDATES", format!("Alert {verb} by {name}"));
    Ok(())
}

/// Appends a log entry to alert `id` (an event for an alert already open).
pub fn append(state: &mut dyn World, tenant: &str, now: UnixSeconds, id: i64, kind: &str, text: String) {
    log(state, tenant, now, id, kind, "ALERT_SOURCE_EVENTS", text);
}

/// Writes a log entry of type `kind` under filter type `filter` to alert `id` (an alert action
/// run on it: `AlertActionSuccessLogEntry`, `CONNECTOR_EVENTS`).
pub fn log(
    state: &mut dyn World,
    tenant: &str,
    now: UnixSeconds,
    id: i64,
    kind: &str,
    filter: &str,
    text: String,
) {
    Tenant { state, tenant, now }.log(id, kind, filter, text);
}

/// The tenant's open alert of source `source` with key `key`, if any: the latest one, the
/// key compared case-insensitively, looked up in the store's open-key index. ilert's document
/// (schema `Event`, field `alertKey`, https://api.ilert.com/api-docs/): "Upper casing is allowed,
/// however comparison is case insensitive"; ilert's guide "Creating alerts through events"
/// (iLert/docs, `developer-docs/rest-api/api-samples/creating-alerts-through-events.md` line 40,
/// commit 185bdf9): "The platform will always search for the last open matching alert with
/// alertKey".
pub fn open_with_key(state: &dyn World, tenant: &str, source: i64, key: &str) -> Option<i64> {
    state
        .resources()
        .keyed(tenant, NAME, names::OPEN_KEY, &names::open_key(source, key))
        .and_then(|ids| ids.last().copied())
}
