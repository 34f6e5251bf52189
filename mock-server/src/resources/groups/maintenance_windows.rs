//! Maintenance windows (`/maintenance-windows`, scope `maintenance`): the generic collection. A
//! window runs from `start` to `end` over alert sources and services of the tenant; while one is
//! open at the mock clock, its alert sources report the status `IN_MAINTENANCE`. Lists filter by
//! `state` (`OPEN`: upcoming and ongoing, `CLOSED`: past), `sources`, `services` and
//! `from`/`until` (windows overlapping that range). `createdBy` is the creator's username.
//! Deleting an alert source or service takes it out of the windows that name it.
//!
//! ilert's `MaintenanceWindow` schema has no `id`; the mock answers one all the same, as the
//! `Location` of a created window names it.

use serde_json::{Value, json};

use super::alert_sources;

use crate::clock::UnixSeconds;
use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Cx, Filter, Group, OnDelete, Relation, Target, View};
use crate::resources::kinds::Written;
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::support::names;
use crate::resources::time::parse;

/// The store name of the collection.
pub const NAME: &str = names::MAINTENANCE_WINDOWS;

/// The store name of services (served by the Services group).
const SERVICES: &str = "services";

/// The fields of a service a window shows (ilert's `ServiceNoIncludes`).
const SERVICE_FIELDS: [&str; 8] = [
    "id",
    "name",
    "alias",
    "status",
    "description",
    "oneOpenIncidentOnly",
    "showUptimeHistory",
    "teams",
];

/// The group.
pub static GROUP: Group = Group::new(
    "Maintenance Windows",
    &[Collection::new(
        NAME,
        "/maintenance-windows",
        "maintenance window",
        "MaintenanceWindow",
        &Written { write, show },
    )
    .relations(&[
        Relation::new(
            "alertSources[]",
            Target::Collection(alert_sources::NAME),
            OnDelete::Pull,
        ),
        Relation::new("services[]", Target::Collection(SERVICES), OnDelete::Pull),
    ])
    .filters(&[
        Filter {
            param: "state",
            test: |view, w, values| {
                let open = bounds(w).is_some_and(|(_, end)| end > view.now);
                values.iter().any(|v| (v == "OPEN") == open)
            },
        },
        Filter {
            param: "sources",
            test: |_, w, values| names_any(w, "alertSources[]", values),
        },
        Filter {
            param: "services",
            test: |_, w, values| names_any(w, "services[]", values),
        },
        Filter {
            param: "from",
            test: |_, w, values| {
                let from = values.iter().filter_map(|t| parse(t)).max().unwrap_or(i64::MIN);
                bounds(w).is_some_and(|(_, end)| end >= from)
            },
        },
        Filter {
            param: "until",
            test: |_, w, values| {
                let until = values.iter().filter_map(|t| parse(t)).min().unwrap_or(i64::MAX);
                bounds(w).is_some_and(|(start, _)| start <= until)
            },
        },
    ])],
    &[],
);

/// A window's start and end.
fn bounds(w: &Entity) -> Option<(UnixSeconds, UnixSeconds)> {
    let time = |k: &str| w.get(k).and_then(Value::as_str).and_then(parse);
    Some((time("start")?, time("end")?))
}

/// Whether the window's references at `field` name one of the ids in `values`.
fn names_any(w: &Entity, field: &str, values: &[String]) -> bool {
    let ids = relations::ids(&Value::Object(w.clone()), field);
    values
        .iter()
        .any(|v| v.parse::<i64>().is_ok_and(|id| ids.contains(&id)))
}

/// `{"id": …}` references of a body's list `key`.
fn refs(body: &Entity, key: &str) -> Value {
    let ids = body.get(key).map(|v| relations::ids(v, "[]")).unwrap_or_default();
    json!(ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>())
}

fn editable(body: &Entity, out: &mut Entity) -> Result<(), ResourceError> {
    let Some((start, end)) = bounds(body) else {
        return Err(ResourceError::BadRequest(
            "fields 'start' and 'end' are required (ISO-8601 date-times)".to_owned(),
        ));
    };
    if end <= start {
        return Err(ResourceError::BadRequest(
            "field 'end' must be after 'start'".to_owned(),
        ));
    }
    let summary = body.get("summary").and_then(Value::as_str).unwrap_or_default();
    if summary.trim().is_empty() {
        return Err(ResourceError::BadRequest(
            "field 'summary' must not be empty".to_owned(),
        ));
    }
    let (sources, services) = (refs(body, "alertSources"), refs(body, "services"));
    if sources.as_array().is_none_or(Vec::is_empty) && services.as_array().is_none_or(Vec::is_empty) {
        return Err(ResourceError::BadRequest(
            "a maintenance window needs at least one of 'alertSources' or 'services'".to_owned(),
        ));
    }
    for key in ["timezone", "description", "notifications"] {
        match body.get(key).filter(|v| !v.is_null()) {
            Some(v) => out.insert(key.to_owned(), v.clone()),
            None => out.remove(key),
        };
    }
    for (key, value) in [
        ("summary", json!(summary)),
        ("start", json!(crate::resources::time::iso8601(start))),
        ("end", json!(crate::resources::time::iso8601(end))),
        ("alertSources", sources),
        ("services", services),
    ] {
        out.insert(key.to_owned(), value);
    }
    Ok(())
}

/// A window to store; `createdBy` is the creator's username, kept on updates.
fn write(cx: &mut Cx<'_>, old: Option<&Entity>, body: Entity) -> Result<Entity, ResourceError> {
    let mut out = old.cloned().unwrap_or_default();
    editable(&body, &mut out)?;
    out.entry("createdBy")
        .or_insert_with(|| json!(cx.caller.username));
    Ok(out)
}

/// A window as ilert's `MaintenanceWindow`: alert sources and services embedded.
fn show(view: &View<'_>, entity: &Entity, _: bool) -> Value {
    let mut out = Value::Object(entity.clone());
    relations::expand(&mut out, "alertSources[]", &|id| {
        view.state
            .resources()
            .get(view.tenant, alert_sources::NAME, id)
            .map(|_| alert_sources::rendered(view, id))
    });
    relations::expand(&mut out, "services[]", &|id| {
        let service = &view.state.resources().get(view.tenant, SERVICES, id)?.body;
        let fields = SERVICE_FIELDS
            .iter()
            .filter_map(|k| service.get(*k).map(|v| ((*k).to_owned(), v.clone())));
        Some(Value::Object(fields.collect()))
    });
    out
}
