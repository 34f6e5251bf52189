//! Alerts (`/alerts`, scope `alert`) and their lifecycle: PENDING → ACCEPTED → RESOLVED, assign,
//! responders added and removed, a log entry for every change and a notification for every
//! responder told. Lists filter by `states`, `sources`, `policies`, `responders`, `from` and
//! `until` (on `reportTime`) and page with the document's limits; `alerts/count` counts with the
//! same filters. The Events API ([`super::events`]) drives the same lifecycle.

mod actions;
mod lifecycle;
mod model;

pub use lifecycle::{Actor, Change, NewAlert, append, apply, log, open_with_key, raise};
pub use model::{Alerts, FILTERS, LOG_ENTRIES, NAME, NOTIFICATIONS};

use super::{alert_sources, escalation_policies};
use crate::resources::group::{Action, Collection, Filter, Group, OnDelete, Plain, Relation, Run, Target};
use actions::{add_responder, assign, change, count, create, remove_responder, suggested};

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
