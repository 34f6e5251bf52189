//! Services (`/services`, scope `service`): the generic collection, shown on status pages and
//! affected by incidents. A service's `status` follows its open incidents (the worst impact
//! among them, `OPERATIONAL` once none is open) and can be set by hand in between;
//! `oneOpenIncidentOnly` refuses a second open incident (409). `include=subscribed`, `uptime`
//! (from its outages) and `incidents` (its latest ten open ones) add ilert's optional fields; with
//! any of them a page holds at most 25 services. Private subscribers (users and teams) are set
//! in place with `PUT /services/{id}/private-subscribers`. A team named in `teams` cannot be
//! deleted while the service names it.

mod actions;
pub mod model;

use crate::resources::group::{Action, Group};
use model::{COLLECTION, NAME};

/// The group.
pub static GROUP: Group = Group::new(
    "Services",
    &[COLLECTION],
    &[
        Action::state("GET", "/services", actions::list),
        Action::state("GET", "/services/{id}", actions::get),
        crate::resources::support::audience::subscribers!("GET", "/services", list, NAME, "service"),
        crate::resources::support::audience::subscribers!("PUT", "/services", replace, NAME, "service"),
    ],
);
