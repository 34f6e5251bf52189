//! Alerts (`/alerts`, scope `alert`) and their lifecycle: PENDING → ACCEPTED → RESOLVED, assign,
//! responders added and removed, a log entry for every change and a notification for every
//! responder told. Lists filter by `states`, `sources`, `policies`, `responders`, `from` and
//! `until` (on `reportTime`) and page with the document's limits; `alerts/count` counts with the
//! same filters. The Events API ([`super::events`]) drives the same lifecycle.

use serde_json::{Value, json};

use super::{alert_sources, escalation_policies};
use crate::clock::UnixSeconds;
use crate::resources::error::ResourceError;
use crate::resources::group::{
    Action, Collection, Cx, Filter, Group, Model, OnDelete, Plain, Relation, Reply, Run, Target, View,
};
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::time::{iso8601, parse};
use crate::state::MockState as State;

/// The store name of alerts.
pub const NAME: &str = "alerts";
/// The store name of alert log entries.
pub const LOG_ENTRIES: &str = "alert-log-entries";
/// The store name of alert notifications.
pub const NOTIFICATIONS: &str = "alert-notifications";

const FILTERS: &[Filter] = &[
    Filter {
        param: "states",
        test: |_, a, v| v.iter().any(|s| a["status"] == s.as_str()),
    },
    Filter {
        param: "sources",
        test: |_, a, v| v.iter().any(|s| a["alertSource"]["id"].to_string() == *s),
    },
    Filter {
        param: "policies",
        test: |_, a, v| v.iter().any(|s| a["escalationPolicy"]["id"].to_string() == *s),
    },
    Filter {
        param: "responders",
        test: has_responder,
    },
    Filter {
        param: "from",
        test: |_, a, v| reported(a) >= v.iter().filter_map(|t| parse(t)).max().unwrap_or(i64::MIN),
    },
    Filter {
        param: "until",
        test: |_, a, v| reported(a) <= v.iter().filter_map(|t| parse(t)).min().unwrap_or(i64::MAX),
    },
];

/// The group.
pub static GROUP: Group = Group {
    name: "Alerts",
    collections: &[
        Collection {
            name: NAME,
            path: "/alerts",
            noun: "alert",
            schema: "Alert",
            alt_key: None,
            parent: None,
            relations: &[
                Relation {
                    field: "alertSource",
                    target: Target::Collection(alert_sources::NAME),
                    on_delete: OnDelete::Cascade,
                },
                Relation {
                    field: "escalationPolicy",
                    target: Target::Collection(escalation_policies::NAME),
                    on_delete: OnDelete::Keep,
                },
                Relation {
                    field: "responders[].user",
                    target: Target::Users,
                    on_delete: OnDelete::Keep,
                },
            ],
            filters: FILTERS,
            model: &Alerts,
        },
        Collection {
            name: LOG_ENTRIES,
            path: "/alerts/{id}/log-entries",
            noun: "log entry",
            schema: "LogEntry",
            alt_key: None,
            parent: Some(Target::Collection(NAME)),
            relations: &[],
            filters: &[Filter {
                param: "filter-types",
                test: |_, e, v| {
                    e["filterTypes"]
                        .as_array()
                        .is_some_and(|t| t.iter().any(|t| v.iter().any(|v| t == v.as_str())))
                },
            }],
            model: &Plain,
        },
        Collection {
            name: NOTIFICATIONS,
            path: "/alerts/{id}/notifications",
            noun: "notification",
            schema: "Notification",
            alt_key: None,
            parent: Some(Target::Collection(NAME)),
            relations: &[],
            filters: &[],
            model: &Plain,
        },
    ],
    actions: &[
        Action {
            method: "POST",
            path: "/alerts",
            run: Run::State(create),
        },
        Action {
            method: "GET",
            path: "/alerts/count",
            run: Run::State(count),
        },
        Action {
            method: "PUT",
            path: "/alerts/{id}/accept",
            run: Run::State(|cx| change(cx, Change::Accept)),
        },
        Action {
            method: "PUT",
            path: "/alerts/{id}/resolve",
            run: Run::State(|cx| change(cx, Change::Resolve)),
        },
        Action {
            method: "PUT",
            path: "/alerts/{id}/assign",
            run: Run::State(assign),
        },
        Action {
            method: "POST",
            path: "/alerts/{id}/responders",
            run: Run::State(add_responder),
        },
        Action {
            method: "DELETE",
            path: "/alerts/{id}/responders/{user-id}",
            run: Run::State(remove_responder),
        },
        Action {
            method: "GET",
            path: "/alerts/{id}/suggested-responders",
            run: Run::State(suggested),
        },
    ],
};

fn reported(alert: &Entity) -> UnixSeconds {
    alert
        .get("reportTime")
        .and_then(Value::as_str)
        .and_then(parse)
        .unwrap_or_default()
}

fn has_responder(view: &View<'_>, alert: &Entity, values: &[String]) -> bool {
    let ids = relations::ids(&Value::Object(alert.clone()), "responders[].user");
    values.iter().any(|v| {
        ids.iter()
            .any(|id| id.to_string() == *v || view.state.user(*id).is_some_and(|u| u.username == *v))
    })
}

/// The alert model: sources and policies embedded, responders as `UserRel`.
#[derive(Debug)]
pub struct Alerts;

impl Model for Alerts {
    fn render(&self, view: &View<'_>, entity: &Entity, _: bool) -> Value {
        let mut out = Value::Object(entity.clone());
        relations::expand(&mut out, "alertSource", &|id| {
            Some(alert_sources::rendered(view, id))
        });
        relations::expand(&mut out, "escalationPolicy", &|id| {
            Some(escalation_policies::rendered(view, id))
        });
        relations::expand(&mut out, "responders[].user", &|id| relations::user_rel(view, id));
        out
    }
}

/// The `status` of an active alert source, from its open alerts.
pub fn source_status(view: &View<'_>, source: i64) -> &'static str {
    let open: Vec<&str> = view
        .state
        .resources
        .iter(view.tenant, NAME)
        .filter(|(_, a)| a.body["alertSource"]["id"] == source)
        .filter_map(|(_, a)| a.body["status"].as_str())
        .filter(|s| *s != "RESOLVED")
        .collect();
    match () {
        () if open.contains(&"PENDING") => "PENDING",
        () if !open.is_empty() => "ALL_ACCEPTED",
        () => "ALL_RESOLVED",
    }
}

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

struct Tenant<'a> {
    state: &'a mut State,
    tenant: &'a str,
    now: UnixSeconds,
}

impl<'a> Tenant<'a> {
    fn of(cx: &'a mut Cx<'_>) -> Self {
        Tenant {
            state: cx.state,
            tenant: cx.tenant,
            now: cx.now,
        }
    }

    /// Changes alert `id` with `set`, logs the change and pages `users`.
    fn reassign(&mut self, id: i64, set: impl FnOnce(&mut Entity), kind: &str, text: String, users: &[i64]) {
        if let Some(a) = self.state.resources.get_mut(self.tenant, NAME, id) {
            set(a);
        }
        self.log(id, kind, "ALERT_UPDATES", text);
        self.page(id, users);
    }

    fn actor_name(&self, actor: &Actor) -> String {
        match actor {
            Actor::User(id) => self.state.user(*id).map_or_else(
                || format!("user {id}"),
                |u| format!("{} {}", u.first_name, u.last_name),
            ),
            Actor::Source(name) => format!("alert source {name}"),
        }
    }

    fn log(&mut self, alert: i64, kind: &str, filter: &str, text: String) {
        let id = self.state.resources.next_id();
        let entry = json!({
            "timestamp": iso8601(self.now),
            "logEntryType": kind,
            "text": text,
            "alertId": alert,
            "filterTypes": [filter],
        });
        self.state.resources.insert(
            self.tenant,
            LOG_ENTRIES,
            id,
            Some(alert),
            entry.as_object().cloned().unwrap_or_default(),
        );
    }

    fn notify(&mut self, alert: i64, user: i64, subject: &str) {
        let Some(u) = self.state.user(user).cloned() else {
            return;
        };
        let id = self.state.resources.next_id();
        let note = json!({
            "method": "EMAIL",
            "target": u.email,
            "subject": subject,
            "alertId": alert,
            "user": {"id": u.id, "firstname": u.first_name, "lastname": u.last_name},
            "notificationTime": iso8601(self.now),
            "status": "SUCCESS",
        });
        self.state.resources.insert(
            self.tenant,
            NOTIFICATIONS,
            id,
            Some(alert),
            note.as_object().cloned().unwrap_or_default(),
        );
        self.log(
            alert,
            "NotificationLogEntry",
            "NOTIFICATIONS",
            format!("{} {} notified by EMAIL", u.first_name, u.last_name),
        );
    }

    fn alert(&self, id: i64) -> Result<&Entity, ResourceError> {
        self.state
            .resources
            .get(self.tenant, NAME, id)
            .map(|s| &s.body)
            .ok_or_else(|| ResourceError::not_found("alert", id))
    }

    fn first_level(&self, policy: i64) -> Vec<i64> {
        self.state
            .resources
            .get(self.tenant, escalation_policies::NAME, policy)
            .map(|p| relations::ids(&p.body["escalationRules"][0], "users[]"))
            .unwrap_or_default()
    }

    /// Sets the responders to `users`, all pending, and notifies each.
    fn page(&mut self, alert: i64, users: &[i64]) {
        let responders: Vec<Value> = users
            .iter()
            .map(|u| json!({"user": {"id": u}, "status": "PENDING"}))
            .collect();
        let summary = self
            .alert(alert)
            .ok()
            .and_then(|a| a["summary"].as_str())
            .unwrap_or_default()
            .to_owned();
        if let Some(a) = self.state.resources.get_mut(self.tenant, NAME, alert) {
            a.insert("responders".into(), Value::Array(responders));
        }
        for user in users {
            self.notify(alert, *user, &summary);
        }
    }
}

/// Opens an alert in the tenant's alert source `source` (PENDING, responders from the first
/// level of its policy, notified), logging who raised it. Returns its id.
pub fn raise(
    state: &mut State,
    tenant: &str,
    now: UnixSeconds,
    source: i64,
    new: NewAlert,
    by: &Actor,
) -> Result<i64, ResourceError> {
    let src = state
        .resources
        .get(tenant, alert_sources::NAME, source)
        .ok_or_else(|| {
            ResourceError::BadRequest(format!(
                "field 'alertSource' names alert source {source}, which does not exist"
            ))
        })?
        .body
        .clone();
    let policy = new
        .policy
        .or_else(|| src["escalationPolicy"]["id"].as_i64())
        .unwrap_or_default();
    if state
        .resources
        .get(tenant, escalation_policies::NAME, policy)
        .is_none()
    {
        return Err(ResourceError::BadRequest(format!(
            "field 'escalationPolicy' names escalation policy {policy}, which does not exist"
        )));
    }
    let rule = src["alertPriorityRule"].as_str().unwrap_or("HIGH");
    let priority = new
        .priority
        .unwrap_or_else(|| if rule.starts_with("LOW") { "LOW" } else { "HIGH" }.to_owned());
    let id = state.resources.next_id();
    let key = new.alert_key.unwrap_or_else(|| state.random_hex(12));
    let mut alert = json!({
        "summary": new.summary,
        "details": new.details.unwrap_or_default(),
        "reportTime": iso8601(now),
        "status": "PENDING",
        "alertSource": {"id": source},
        "escalationPolicy": {"id": policy},
        "priority": priority,
        "alertKey": key,
        "responders": [],
        "images": [],
        "links": [],
        "nextEscalationRuleIndex": 0,
        "mergeState": "NONE",
    });
    if let Some(map) = alert.as_object_mut() {
        map.extend(new.extra);
    }
    state.resources.insert(
        tenant,
        NAME,
        id,
        None,
        alert.as_object().cloned().unwrap_or_default(),
    );
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
    let users = t.first_level(policy);
    t.page(id, &users);
    Ok(id)
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
    state: &mut State,
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
    if let Some(a) = t.state.resources.get_mut(tenant, NAME, id) {
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
pub fn append(state: &mut State, tenant: &str, now: UnixSeconds, id: i64, kind: &str, text: String) {
    Tenant { state, tenant, now }.log(id, kind, "ALERT_SOURCE_EVENTS", text);
}

/// The tenant's open alert of source `source` with key `key`, if any.
pub fn open_with_key(state: &State, tenant: &str, source: i64, key: &str) -> Option<i64> {
    state
        .resources
        .iter(tenant, NAME)
        .find(|(_, a)| {
            a.body["alertSource"]["id"] == source
                && a.body["alertKey"] == key
                && a.body["status"] != "RESOLVED"
        })
        .map(|(id, _)| id)
}

fn render(cx: &Cx<'_>, id: i64) -> Value {
    let view = cx.view();
    cx.state
        .resources
        .get(cx.tenant, NAME, id)
        .map_or(Value::Null, |a| Alerts.render(&view, &a.body, false))
}

fn create(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let body = cx.body_object();
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut extra = Entity::new();
    for key in ["images", "links", "severity", "labels", "customDetails"] {
        if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
            extra.insert(key.to_owned(), v.clone());
        }
    }
    let new = NewAlert {
        summary: text("summary").unwrap_or_default(),
        details: text("details"),
        priority: text("priority"),
        alert_key: None,
        policy: body.get("escalationPolicy").and_then(|p| p["id"].as_i64()),
        extra,
    };
    let source = body["alertSource"]["id"].as_i64().unwrap_or_default();
    let by = Actor::User(cx.caller.id);
    let id = raise(cx.state, cx.tenant, cx.now, source, new, &by)?;
    let extra_responders = relations::ids(&body.get("responders").cloned().unwrap_or(json!([])), "[].user");
    for user in extra_responders {
        add(cx, id, user)?;
    }
    Ok(Reply::created(render(cx, id), format!("/api/alerts/{id}")))
}

fn count(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let view = cx.view();
    let filters: Vec<_> = FILTERS
        .iter()
        .map(|f| (f, cx.query_all(f.param)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let n = cx
        .state
        .resources
        .iter(cx.tenant, NAME)
        .filter(|(_, a)| filters.iter().all(|(f, v)| (f.test)(&view, &a.body, v)))
        .count();
    Ok(Reply::ok(json!({"count": n})))
}

fn change(cx: &mut Cx<'_>, change: Change) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    apply(
        cx.state,
        cx.tenant,
        cx.now,
        id,
        change,
        &Actor::User(cx.caller.id),
    )?;
    Ok(Reply::ok(render(cx, id)))
}

fn user_of_tenant(cx: &Cx<'_>, raw: &str, field: &str) -> Result<i64, ResourceError> {
    raw.parse::<i64>()
        .ok()
        .or_else(|| cx.state.user_by_name(raw).map(|u| u.id))
        .filter(|id| relations::exists(cx.state, cx.tenant, Target::Users, *id))
        .ok_or_else(|| ResourceError::BadRequest(format!("{field} names user '{raw}', which does not exist")))
}

fn assign(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    let by = Actor::User(cx.caller.id);
    let who = Tenant::of(cx).actor_name(&by);
    Tenant::of(cx).alert(id)?;
    let (user, policy, schedule) = (
        cx.query_one("user").map(str::to_owned),
        cx.query_one("policy").map(str::to_owned),
        cx.query_one("schedule").map(str::to_owned),
    );
    match (user, policy, schedule) {
        (Some(user), None, None) => {
            let user = user_of_tenant(cx, &user, "query parameter 'user'")?;
            let mut t = Tenant::of(cx);
            let whom = t.actor_name(&Actor::User(user));
            let set = |a: &mut Entity| {
                a.insert("assignedTo".into(), json!({"id": user}));
            };
            t.reassign(
                id,
                set,
                "AlertAssignedByUserLogEntry",
                format!("Alert assigned to {whom} by {who}"),
                &[user],
            );
        }
        (None, Some(raw), None) => {
            let target = Target::Collection(escalation_policies::NAME);
            let policy = raw
                .parse::<i64>()
                .ok()
                .filter(|p| relations::exists(cx.state, cx.tenant, target, *p))
                .ok_or_else(|| {
                    ResourceError::BadRequest(format!(
                        "query parameter 'policy' names escalation policy '{raw}', which does not exist"
                    ))
                })?;
            let mut t = Tenant::of(cx);
            let users = t.first_level(policy);
            let set = |a: &mut Entity| {
                a.insert("escalationPolicy".into(), json!({"id": policy}));
                a.remove("assignedTo");
            };
            let text = format!("Alert assigned to escalation policy {policy} by {who}");
            t.reassign(id, set, "AlertAssignedToPolicyLogEntry", text, &users);
        }
        (None, None, Some(schedule)) => {
            return Err(ResourceError::BadRequest(format!(
                "query parameter 'schedule' names schedule '{schedule}', which does not exist"
            )));
        }
        _ => {
            return Err(ResourceError::BadRequest(
                "give exactly one of the query parameters 'user', 'policy' or 'schedule'".to_owned(),
            ));
        }
    }
    Ok(Reply::ok(render(cx, id)))
}

fn add(cx: &mut Cx<'_>, id: i64, user: i64) -> Result<Value, ResourceError> {
    if !relations::exists(cx.state, cx.tenant, Target::Users, user) {
        return Err(ResourceError::BadRequest(format!(
            "field 'user' names user {user}, which does not exist"
        )));
    }
    let caller = cx.caller.id;
    let mut t = Tenant::of(cx);
    let status = t.alert(id)?["status"].as_str().unwrap_or_default().to_owned();
    if status == "RESOLVED" {
        return Err(ResourceError::Conflict(format!("alert {id} is resolved")));
    }
    let responder = json!({"user": {"id": user}, "status": "PENDING"});
    let known = relations::ids(&t.alert(id)?["responders"], "[].user").contains(&user);
    if !known {
        if let Some(list) = t
            .state
            .resources
            .get_mut(t.tenant, NAME, id)
            .and_then(|a| a.entry("responders").or_insert(json!([])).as_array_mut())
        {
            list.push(responder.clone());
        }
        let (who, whom) = (
            t.actor_name(&Actor::User(caller)),
            t.actor_name(&Actor::User(user)),
        );
        t.log(
            id,
            "AlertAssignedByUserLogEntry",
            "ALERT_UPDATES",
            format!("{whom} added as responder by {who}"),
        );
        let summary = t.alert(id)?["summary"].as_str().unwrap_or_default().to_owned();
        t.notify(id, user, &summary);
    }
    let mut out = responder;
    let view = cx.view();
    relations::expand(&mut out, "user", &|u| relations::user_rel(&view, u));
    Ok(out)
}

/// `POST /alerts/{id}/responders` with `{"user": {"id": …}}` (the document gives no body
/// schema; the mock takes the `AlertResponder` shape it answers with).
fn add_responder(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    let body = cx.body.clone().unwrap_or(Value::Null);
    let user = body["user"]["id"].as_i64().ok_or_else(|| {
        ResourceError::BadRequest("field 'user.id' is required (body {\"user\": {\"id\": …}})".to_owned())
    })?;
    let responder = add(cx, id, user)?;
    Ok(Reply::created(
        responder,
        format!("/api/alerts/{id}/responders/{user}"),
    ))
}

fn remove_responder(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    let raw = cx.path_param("user-id").unwrap_or_default().to_owned();
    let user = raw
        .parse::<i64>()
        .ok()
        .or_else(|| cx.state.user_by_name(&raw).map(|u| u.id));
    let caller = cx.caller.id;
    let mut t = Tenant::of(cx);
    t.alert(id)?;
    let removed = user.is_some_and(|user| {
        t.state
            .resources
            .get_mut(t.tenant, NAME, id)
            .and_then(|a| a.get_mut("responders"))
            .and_then(Value::as_array_mut)
            .is_some_and(|list| {
                let before = list.len();
                list.retain(|r| r["user"]["id"] != user);
                list.len() != before
            })
    });
    if !removed {
        return Err(ResourceError::NotFound(format!(
            "user '{raw}' is no responder of alert {id}"
        )));
    }
    let (who, whom) = (
        t.actor_name(&Actor::User(caller)),
        t.actor_name(&Actor::User(user.unwrap_or_default())),
    );
    t.log(
        id,
        "AlertAssignedByUserLogEntry",
        "ALERT_UPDATES",
        format!("{whom} removed as responder by {who}"),
    );
    Ok(Reply::empty(204))
}

fn suggested(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    Tenant::of(cx).alert(id)?;
    let mut out: Vec<Value> = cx
        .state
        .users_of(Some(cx.tenant))
        .iter()
        .map(|u| json!({"group": "USER", "id": u.id, "name": format!("{} {}", u.first_name, u.last_name), "disabled": false}))
        .collect();
    out.extend(cx.state.resources.iter(cx.tenant, escalation_policies::NAME).map(|(pid, p)| {
        json!({"group": "ESCALATION_POLICY", "id": pid, "name": p.body["name"], "disabled": false})
    }));
    Ok(Reply::ok(Value::Array(out)))
}
