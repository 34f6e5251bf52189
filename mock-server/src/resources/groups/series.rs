//! The Series API (`POST /api/series/{key}`): time points for a metric, authenticated by the
//! metric's integration key in the path, not a bearer token (the document: "User authorization
//! is not required instead provide the integration key of your metric"). One point
//! (`{"timestamp", "value"}`) or many (`{"series": [...]}`) are kept with the metric (the last
//! [`KEPT`] of each; a point without `timestamp` is taken at the mock clock's now, in Unix
//! seconds), and go when the metric is deleted. An unknown key is a 404.

use serde_json::{Value, json};

use crate::resources::support::fields;

use super::metrics;
use crate::resources::catalogue::catalogue;
use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Group, Keyed, Reply, Target};
use crate::resources::kinds::Plain;
use crate::resources::request;
use crate::resources::validate::{self, Mode};

/// The document's path of the Series API.
pub const PATH: &str = "/series/{key}";

/// The store name of the time points.
pub const NAME: &str = "metric-series";

/// How many time points the mock keeps per metric (the oldest go first).
pub const KEPT: usize = 1_000;

/// The time points, kept under their metric and written by [`ingest`] alone.
const POINTS: Collection = Collection::new(NAME, PATH, "time point", "SingleTimePoint", &Plain)
    .child_of(Target::Collection(metrics::NAME));

/// The group.
pub static GROUP: Group = Group::new("Series", &[POINTS], &[]);

/// Stores the points of a `SeriesOption` body for the metric whose integration key is `key`
/// (the path's): 202, 404 for an unknown key, 400 for a body without points.
pub fn ingest(keyed: Keyed<'_>) -> Result<Reply, ResourceError> {
    let (state, now, key) = (keyed.state, keyed.now, keyed.key.unwrap_or_default());
    let body = request::check_post(PATH, keyed.body, None)?;
    let (tenant, metric) = fields::by_integration_key(state, metrics::NAME, key)
        .ok_or_else(|| ResourceError::NotFound(format!("no metric has the integration key '{key}'")))?;
    let points: Vec<&Value> = match body.get("series") {
        Some(series) => series.as_array().map(|s| s.iter().collect()).unwrap_or_default(),
        None if body.get("value").is_some() => {
            // The document's SeriesOption is oneOf a single point or a series; a series object
            // has no required field, so any object matches it: a single point is checked as the
            // SingleTimePoint it is (a `value` that is no number is a 400 naming it).
            let single = json!({"$ref": "#/components/schemas/SingleTimePoint"});
            validate::check(catalogue(), &body, &single, Mode::Request)
                .map_err(|e| ResourceError::BadRequest(e.message))?;
            vec![&body]
        }
        None => Vec::new(),
    };
    if points.is_empty() {
        return Err(ResourceError::BadRequest(
            "the body has no time point: send {\"value\": …} or {\"series\": [{\"value\": …}, …]}".to_owned(),
        ));
    }
    if let Some(i) = points
        .iter()
        .position(|p| p.get("value").is_none_or(Value::is_null))
    {
        return Err(ResourceError::BadRequest(format!(
            "field 'series[{i}].value' is required"
        )));
    }
    for point in points {
        let timestamp = point.get("timestamp").filter(|t| t.is_number()).cloned();
        let stored = json!({"timestamp": timestamp.unwrap_or(json!(now)), "value": point["value"]});
        let body = stored.as_object().cloned().unwrap_or_default();
        fields::append_bounded(state, &tenant, NAME, metric, body, KEPT);
    }
    Ok(Reply::empty(202))
}
