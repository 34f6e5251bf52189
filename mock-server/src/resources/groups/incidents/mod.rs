//! Incidents (`/incidents`, scope `incident`): what subscribers of services and status pages are
//! told. An incident affects services, each with an impact; creating or updating it sets those
//! services' status (the worst impact among their open incidents, `OPERATIONAL` once none is
//! open), which status pages showing them reflect. Every create and update is appended to the
//! incident's history (`include=history`); `resolvedOn` is set when it is resolved. `GET
//! /incidents/{id}` answers an `ETag` that `PUT` takes as `If-Match` (412 when the incident or
//! one of its services changed since). `POST /incidents/publish-info` forecasts the status pages
//! and private subscribers an incident would reach; private subscribers (users and teams) are
//! listed and added under `/incidents/{id}/private-subscribers`. Lists filter by `states`,
//! `services`, `from` and `until` (on `createdAt`). ilert's API has no delete for incidents.

mod actions;
pub mod model;

use crate::resources::group::{Action, Group, Run};
use model::{COLLECTION, NAME};

/// The group.
pub static GROUP: Group = Group {
    name: "Incidents",
    collections: &[COLLECTION],
    actions: &[
        Action {
            method: "GET",
            path: "/incidents",
            run: Run::State(actions::list),
        },
        Action {
            method: "POST",
            path: "/incidents",
            run: Run::State(actions::create),
        },
        Action {
            method: "GET",
            path: "/incidents/{id}",
            run: Run::State(actions::get),
        },
        Action {
            method: "PUT",
            path: "/incidents/{id}",
            run: Run::State(actions::update),
        },
        Action {
            method: "POST",
            path: "/incidents/publish-info",
            run: Run::State(actions::publish_info),
        },
        Action {
            method: "GET",
            path: "/incidents/{id}/private-subscribers",
            run: Run::State(|cx| super::audience::list(cx, NAME, "incident")),
        },
        Action {
            method: "POST",
            path: "/incidents/{id}/private-subscribers",
            run: Run::State(|cx| super::audience::add_all(cx, NAME, "incident")),
        },
    ],
};
