//! Status pages (`/status-pages`, scope `status_page`): which services the public or a private
//! audience sees. A page's `status` is the worst status of its services, so incidents show on
//! it through the services they affect. Its `structure` arranges its services, alone or in its
//! groups (`/status-pages/{id}/groups`, deleted with the page); services the structure leaves
//! out are added at its end, and services or groups deleted since drop out of it. A subdomain
//! belongs to one page (409 otherwise); an IP allow-list needs a `PRIVATE` page. `GET
//! /status-pages/{id}` always answers the structure, and `include=subscribed`, `uptime` (each
//! service's) and `groups` add ilert's optional fields. Private subscribers (users and teams)
//! are listed, set, added and removed under `/status-pages/{id}/private-subscribers`.

mod actions;
pub mod model;

use crate::resources::group::{Action, Group};
use crate::resources::support::audience;
use model::{NAME, PAGE_GROUPS, PAGES};

const NOUN: &str = "status page";

/// The group.
pub static GROUP: Group = Group::new(
    "Status Pages",
    &[PAGES, PAGE_GROUPS],
    &[
        Action::state("GET", "/status-pages", actions::list),
        Action::state("GET", "/status-pages/{id}", actions::get),
        audience::subscribers!("GET", "/status-pages", list, NAME, NOUN),
        audience::subscribers!("PUT", "/status-pages", replace, NAME, NOUN),
        audience::subscribers!("POST", "/status-pages", add_one, NAME, NOUN),
        audience::subscribers!("DELETE", "/status-pages", remove, NAME, NOUN, "/{subscriber-id}"),
    ],
);
