//! Alerts (`/alerts`, scope `alert`) and their lifecycle: PENDING → ACCEPTED → RESOLVED, assign,
//! responders added and removed, a log entry for every change and a notification for every
//! responder told. Lists filter by `states`, `sources`, `policies`, `responders`, `from` and
//! `until` (on `reportTime`) and page with the document's limits; `alerts/count` counts with the
//! same filters. The Events API ([`super::events`]) drives the same lifecycle.

mod actions;
mod lifecycle;

pub use lifecycle::{Actor, Change, NewAlert, append, apply, open_with_key, raise};

use serde_json::Value;

use super::{alert_sources, escalation_policies};
use crate::clock::UnixSeconds;
use crate::resources::group::{
    Action, Collection, Filter, Group, Model, OnDelete, Plain, Relation, Run, Target, View,
};
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::time::parse;
use actions::{add_responder, assign, change, count, create, remove_responder, suggested};

/// The store name of alerts.
pub const NAME: &str = "alerts";
/// The store name of alert log entries.
pub const LOG_ENTRIES: &str = "alert-log-entries";
/// The store name of alert notifications.
pub const NOTIFICATIONS: &str = "alert-notifications";

/// The documented filters of `GET /alerts` (and `alerts/count`).
pub(super) const FILTERS: &[Filter] = &[
    Filter {
        param: "states",
        test: |_, a, v| v.iter().any(|s| a["status"] == s.as_str()),
    },
    Filter {
        param: "sources",
        test: |_, a, v| v.iter().any(|s| ref_is(a, "alertSource", s)),
    },
    Filter {
        param: "policies",
        test: |_, a, v| v.iter().any(|s| ref_is(a, "escalationPolicy", s)),
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

/// Whether the reference at `field` names the id written in `id`.
fn ref_is(alert: &Entity, field: &str, id: &str) -> bool {
    id.parse::<i64>().is_ok_and(|id| alert[field]["id"] == id)
}

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
