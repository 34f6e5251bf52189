//! Metrics (`/metrics`, scope `metric`): a metric has an `integrationKey` to ingest time points
//! through the Series API ([`super::series`]), or a `dataSource` it is queried from, in which
//! case its `metadata.query` is required. Its data source must exist in the tenant (and cannot be
//! deleted while the metric uses it); deleting a metric deletes its time points. Lists embed the
//! data source without its metadata (`MetricDataSourceNoIncludes`), single metrics with it.

use serde_json::{Value, json};

use super::metric_data_sources;
use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Group, OnDelete, Relation, Target, View};
use crate::resources::kinds::WithKey;
use crate::resources::store::Entity;
use crate::resources::support::fields;

/// The store name of the collection.
pub const NAME: &str = "metrics";

/// The collection.
const COLLECTION: Collection =
    Collection::new(NAME, "/metrics", "metric", "Metric", &METRICS).relations(&[Relation::new(
        "dataSource",
        Target::Collection(metric_data_sources::NAME),
        OnDelete::Restrict,
    )]);

/// The group.
pub static GROUP: Group = Group::new("Metrics", &[COLLECTION], &[]);

/// The `MetricPost` fields with ilert's defaults; a queried metric needs its query.
fn editable(body: &Entity, out: &mut Entity) -> Result<(), ResourceError> {
    out.insert("name".into(), Value::from(fields::name(body)?));
    for (key, default) in [
        ("interpolateGaps", json!(false)),
        ("showValuesOnMouseOver", json!(false)),
        ("teams", json!([])),
    ] {
        out.insert(
            key.into(),
            body.get(key).filter(|v| !v.is_null()).cloned().unwrap_or(default),
        );
    }
    for key in [
        "description",
        "aggregationType",
        "displayType",
        "lockYAxisMax",
        "lockYAxisMin",
        "mouseOverDecimal",
        "unitLabel",
        "metadata",
    ] {
        match body.get(key).filter(|v| !v.is_null()) {
            Some(v) => out.insert(key.into(), v.clone()),
            None => out.remove(key),
        };
    }
    match body
        .get("dataSource")
        .and_then(|d| d.get("id"))
        .filter(|id| !id.is_null())
    {
        Some(id) => {
            if out
                .get("metadata")
                .and_then(|m| m.get("query"))
                .is_none_or(Value::is_null)
            {
                return Err(ResourceError::BadRequest(
                    "field 'metadata.query' is required for a metric with a data source".to_owned(),
                ));
            }
            out.insert("dataSource".into(), json!({"id": id}));
        }
        None => {
            out.remove("dataSource");
        }
    }
    Ok(())
}

/// The metric model.
const METRICS: WithKey = WithKey::new(|cx, _| fields::integration_key(cx, "met"), editable, render);

/// A stored entity as answered.
fn render(view: &View<'_>, entity: &Entity, list: bool) -> Value {
    let mut out = Value::Object(entity.clone());
    if let Some(source) = entity.get("dataSource").and_then(|d| d["id"].as_i64()) {
        out["dataSource"] = metric_data_sources::rendered(view, source, list);
    }
    if list && let Some(map) = out.as_object_mut() {
        map.remove("metadata");
    }
    out
}
