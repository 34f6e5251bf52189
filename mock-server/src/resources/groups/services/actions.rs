//! The service reads that take `include`: the generic list and get, plus ilert's optional
//! fields `subscribed`, `uptime` and `incidents`.

use std::borrow::Cow;
use std::cmp::Reverse;

use serde_json::{Map, Value};

use super::super::incidents::model as incidents;
use super::super::service_outages::timeline;
use super::model::{COLLECTION, impacts, is_open};
use crate::resources::error::ResourceError;
use crate::resources::group::{Cx, Reply, View};
use crate::resources::store::Entity;
use crate::resources::support::include::{self, CAPPED_MAX};
use crate::resources::support::{audience, names};

/// How many open incidents `include=incidents` shows ("the latest 10 unresolved incidents").
const LATEST_INCIDENTS: usize = 10;

/// The service's latest open incidents, newest first, as `IncidentNoIncludes`.
fn open_incidents(view: &View<'_>, service: i64) -> Value {
    let mut open: Vec<Cow<'_, Entity>> = view
        .state
        .resources()
        .entries(view.tenant, names::INCIDENTS)
        .map(|(_, i)| i.body())
        .filter(|i| is_open(i))
        .filter(|i| {
            impacts(i.get("affectedServices").unwrap_or(&Value::Null))
                .iter()
                .any(|(id, _)| *id == service)
        })
        .collect();
    open.sort_by_key(|i| Reverse(incidents::created(i)));
    Value::Array(
        open.into_iter()
            .take(LATEST_INCIDENTS)
            .map(|i| incidents::render(view, &i))
            .collect(),
    )
}

/// What the request's `include` adds to each service.
fn extras(cx: &Cx<'_>) -> impl Fn(&View<'_>, &Entity, &mut Map<String, Value>) + 'static {
    let (caller, now) = (cx.caller.id, cx.now);
    let wants = ["subscribed", "uptime", "incidents"].map(|name| include::wants(cx, name));
    move |view, service, out| {
        let id = service.get("id").and_then(Value::as_i64).unwrap_or_default();
        if wants[0] {
            audience::add_subscribed(view, service, caller, out);
        }
        if wants[1] {
            out.insert("uptime".into(), timeline::uptime(view, id, now));
        }
        if wants[2] {
            out.insert("incidents".into(), open_incidents(view, id));
        }
    }
}

/// `GET /services`.
pub(super) fn list(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    include::list(cx, &COLLECTION, Some(CAPPED_MAX), &extras(cx))
}

/// `GET /services/{id}`.
pub(super) fn get(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    Ok(Reply::ok(include::get(cx, &COLLECTION, &extras(cx))?.1))
}
