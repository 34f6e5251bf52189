//! Metric data sources (`/metric-data-sources`, scope `metric_source`): where metrics are
//! queried from (Datadog or Prometheus). The `metadata` must be the kind the `type` names
//! (Prometheus: `url` and `authType`; Datadog: `region`, `apiKey`, `applicationKey`); a data
//! source cannot be deleted while a metric uses it (409).

use serde_json::{Value, json};

use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Group, Model, View};
use crate::resources::kinds::{Written, as_stored};
use crate::resources::store::Entity;
use crate::resources::support::fields;

/// Its path in the document.
const PATH: &str = "/metric-data-sources";

/// The store name of the collection.
pub const NAME: &str = "metric-data-sources";

/// The model.
const SOURCES: Written = Written {
    write: |_, _, body| shape(&body),
    show: as_stored,
};

/// The collection.
const COLLECTION: Collection =
    Collection::new(NAME, PATH, "metric data source", "MetricDataSource", &SOURCES);

/// The group.
pub static GROUP: Group = Group::new("Metric Data Sources", &[COLLECTION], &[]);

/// The `metadata` fields each `type` needs (`MParamsPrometheus`, `MParamsDatadog`).
fn needed(kind: &str) -> &'static [&'static str] {
    match kind {
        "PROMETHEUS" => &["url", "authType"],
        _ => &["region", "apiKey", "applicationKey"],
    }
}

/// The stored data source: its metadata must be the kind its type names.
fn shape(body: &Entity) -> Result<Entity, ResourceError> {
    let name = fields::name(body)?;
    let kind = body.get("type").and_then(Value::as_str).unwrap_or_default();
    let metadata = body.get("metadata").cloned().unwrap_or(Value::Null);
    if let Some(missing) = needed(kind)
        .iter()
        .find(|f| metadata.get(**f).is_none_or(Value::is_null))
    {
        return Err(ResourceError::BadRequest(format!(
            "field 'metadata.{missing}' is required for a {kind} data source"
        )));
    }
    let out = json!({
        "name": name,
        "type": kind,
        "teams": body.get("teams").cloned().unwrap_or(json!([])),
        "metadata": metadata,
    });
    Ok(out.as_object().cloned().unwrap_or_default())
}

/// The tenant's data source `id` as answered (`MetricDataSource`), or without its metadata
/// (`MetricDataSourceNoIncludes`) when `brief`.
pub fn rendered(view: &View<'_>, id: i64, brief: bool) -> Value {
    let Some(stored) = view.state.resources().get(view.tenant, NAME, id) else {
        return json!({"id": id});
    };
    let mut out = SOURCES.render(view, &stored.body, false);
    if brief && let Some(map) = out.as_object_mut() {
        map.remove("metadata");
    }
    out
}
