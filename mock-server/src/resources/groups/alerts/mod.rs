//! Alerts (`/alerts`, scope `alert`) and their lifecycle: PENDING → ACCEPTED → RESOLVED, assign,
//! responders added and removed, a log entry for every change and a notification for every
//! responder told. Lists filter by `states`, `sources`, `policies`, `responders`, `from` and
//! `until` (on `reportTime`) and page with the document's limits; `alerts/count` counts with the
//! same filters. The Events API ([`crate::resources::open::events`]) drives the same lifecycle.

mod actions;
mod lifecycle;
mod model;

pub use lifecycle::{Actor, Change, NewAlert, append, apply, log, open_with_key, raise};
pub use model::{ALERT_MODEL, FILTERS, LOG_ENTRIES, NAME, NOTIFICATIONS, reported};

use super::{alert_sources, escalation_policies};
use crate::resources::group::{Action, Collection, Filter, Group, OnDelete, Relation, Target};
use crate::resources::kinds::Plain;
use actions::{add_responder, assign, change, count, create, remove_responder, suggested};

/// The group.
pub static GROUP: Group = Group::new(
    "Alerts",
    &[
        Collection::new(NAME, "/alerts", "alert", "Alert", &ALERT_MODEL)
            .relations(&[
                Relation::new(
                    "alertSource",
                    Target::Collection(alert_sources::NAME),
                    OnDelete::Cascade,
                ),
                Relation::new(
                    "escalationPolicy",
                    Target::Collection(escalation_policies::NAME),
                    OnDelete::Keep,
                ),
                Relation::new("responders[].user", Target::Users, OnDelete::Keep),
            ])
            .filters(FILTERS),
        Collection::new(
            LOG_ENTRIES,
            "/alerts/{id}/log-entries",
            "log entry",
            "LogEntry",
            &Plain,
        )
        .child_of(Target::Collection(NAME))
        .filters(&[Filter {
            param: "filter-types",
            test: |_, e, v| {
                e.get("filterTypes")
                    .and_then(serde_json::Value::as_array)
                    .is_some_and(|t| t.iter().any(|t| v.iter().any(|v| t == v.as_str())))
            },
        }]),
        Collection::new(
            NOTIFICATIONS,
            "/alerts/{id}/notifications",
            "notification",
            "Notification",
            &Plain,
        )
        .child_of(Target::Collection(NAME)),
    ],
    &[
        Action::state("POST", "/alerts", create),
        Action::state("GET", "/alerts/count", count),
        Action::state("PUT", "/alerts/{id}/accept", |cx| change(cx, Change::Accept)),
        Action::state("PUT", "/alerts/{id}/resolve", |cx| change(cx, Change::Resolve)),
        Action::state("PUT", "/alerts/{id}/assign", assign),
        Action::state("POST", "/alerts/{id}/responders", add_responder),
        Action::state("DELETE", "/alerts/{id}/responders/{user-id}", remove_responder),
        Action::state("GET", "/alerts/{id}/suggested-responders", suggested),
    ],
);
