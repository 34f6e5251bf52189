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

use crate::resources::group::{Action, Group};
use model::{COLLECTION, NAME};

/// The group.
pub static GROUP: Group = Group::new(
    "Incidents",
    &[COLLECTION],
    &[
        Action::state("GET", "/incidents", actions::list),
        Action::state("POST", "/incidents", actions::create),
        Action::state("GET", "/incidents/{id}", actions::get),
        Action::state("PUT", "/incidents/{id}", actions::update),
        Action::state("POST", "/incidents/publish-info", actions::publish_info),
        crate::resources::support::audience::subscribers!("GET", "/incidents", list, NAME, "incident"),
        crate::resources::support::audience::subscribers!("POST", "/incidents", add_all, NAME, "incident"),
    ],
);
