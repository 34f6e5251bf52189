//! Service outages (`/service-outages`, scope `service`, the mock's choice: outages are the
//! history of services). `GET /service-outages?service=` answers a service's outages as
//! [`timeline`] derives them from its incidents, with the overrides applied unless
//! `ignore-overrides=true`; `from` and `until` clip them. Overrides are a generic collection
//! (`/service-outages/overrides`): a service, a status and a span, deleted with their service,
//! listed by `service`, `from` and `until` (overlapping the span); ilert's schema gives their id
//! as a string.

pub mod timeline;

use serde_json::{Value, json};

use super::services::model as services;
use crate::resources::error::ResourceError;
use crate::resources::group::{
    Action, Collection, Cx, Filter, Group, OnDelete, Relation, Reply, Target, View,
};
use crate::resources::kinds::Written;
use crate::resources::store::Entity;
use crate::resources::support::names;
use crate::resources::time::parse;

/// The store name of overrides.
pub const OVERRIDES: &str = names::OUTAGE_OVERRIDES;

fn span(o: &Entity) -> (i64, i64) {
    let time = |key: &str| o.get(key).and_then(Value::as_str).and_then(parse);
    (
        time("from").unwrap_or(i64::MIN),
        time("until").unwrap_or(i64::MAX),
    )
}

/// The group.
pub static GROUP: Group = Group::new(
    "Service Outages",
    &[Collection::new(
        OVERRIDES,
        "/service-outages/overrides",
        "service outage override",
        "ServiceOutageOverride",
        &OVERRIDE_MODEL,
    )
    .relations(&[Relation::new(
        "service",
        Target::Collection(services::NAME),
        OnDelete::Cascade,
    )])
    .filters(&[
        Filter {
            param: "service",
            test: |_, o, v| {
                v.iter()
                    .any(|s| s.parse::<f64>().ok() == o.get("service").and_then(|v| v["id"].as_f64()))
            },
        },
        Filter {
            param: "from",
            test: |_, o, v| v.iter().filter_map(|t| parse(t)).all(|from| span(o).1 > from),
        },
        Filter {
            param: "until",
            test: |_, o, v| v.iter().filter_map(|t| parse(t)).all(|until| span(o).0 < until),
        },
    ])],
    &[Action::state("GET", "/service-outages", list_outages)],
);

/// An override as stored: a service, a status and a span whose `from` is before its `until`.
fn editable(body: &Entity) -> Result<Entity, ResourceError> {
    let required = |key: &str| {
        body.get(key)
            .filter(|v| !v.is_null())
            .ok_or_else(|| ResourceError::BadRequest(format!("field '{key}' is required")))
    };
    let service = required("service")?["id"]
        .as_i64()
        .ok_or_else(|| ResourceError::BadRequest("field 'service.id' is required".to_owned()))?;
    let out = json!({
        "service": {"id": service},
        "status": required("status")?,
        "from": required("from")?,
        "until": required("until")?,
    });
    let out = out.as_object().cloned().unwrap_or_default();
    let (from, until) = span(&out);
    if from >= until {
        return Err(ResourceError::BadRequest(
            "field 'until' must be after 'from'".to_owned(),
        ));
    }
    Ok(out)
}

/// The override model: checked spans; the service embedded, the id a string, on read.
const OVERRIDE_MODEL: Written = Written {
    write: |_, _, body| editable(&body),
    show,
};

/// A stored override as answered: the service embedded, the id a string.
fn show(view: &View<'_>, o: &Entity, _: bool) -> Value {
    let id = o.get("id").and_then(Value::as_i64).unwrap_or_default();
    // A seed may lack `service` (the schema check that follows names it): read, never index.
    let service = o
        .get("service")
        .and_then(|s| s["id"].as_i64())
        .unwrap_or_default();
    json!({
        "id": id.to_string(),
        "service": services::rendered(view, service).unwrap_or_else(|| json!({"id": service})),
        "status": o.get("status").cloned().unwrap_or_default(),
        "from": o.get("from").cloned().unwrap_or_default(),
        "until": o.get("until").cloned().unwrap_or_default(),
    })
}

/// `GET /service-outages?service=…[&from=…][&until=…][&ignore-overrides=true]`. ilert answers
/// "the outages of a specific service", so the mock requires `service` (400 without it).
fn list_outages(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let raw = cx
        .query_one("service")
        .ok_or_else(|| ResourceError::BadRequest("query parameter 'service' is required".to_owned()))?
        .to_owned();
    let view = cx.view();
    let service = raw
        .parse::<f64>()
        .ok()
        .filter(|f| f.fract() == 0.0)
        .map(|f| f as i64)
        .filter(|id| services::rendered(&view, *id).is_some())
        .ok_or_else(|| ResourceError::not_found("service", &raw))?;
    let time = |key: &str| cx.query_one(key).and_then(parse);
    let ignore = cx.query_one("ignore-overrides") == Some("true");
    let outages = timeline::outages(&view, service, ignore, (time("from"), time("until")));
    Ok(Reply::ok(Value::Array(
        outages.iter().map(timeline::Outage::render).collect(),
    )))
}
