//! Deployment pipelines (`/deployment-pipelines`, scope `source` by the mock's choice) and the
//! Deployment Events API.
//!
//! A pipeline (`integrationType` `API` or `GITHUB`, the two kinds of `params` the document has)
//! gets an integration key when created. Deployment events are authenticated by that key, not
//! a bearer token: `POST /api/deployment-events` with `integrationKey` in the body, or the
//! pipeline's `integrationUrl` (`/api/v1/deployment-events/{type}/{key}`) with the key in the
//! path. Each accepted event (202) is kept with its pipeline (the last [`KEPT`]; `timestamp`
//! defaults to the mock clock's now, in Unix seconds) and goes when the pipeline is deleted. An
//! unknown key is a 400, as for the Events API.

use serde_json::{Value, json};

use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Group, Keyed, Reply, Target, View};
use crate::resources::kinds::{Plain, WithKey};
use crate::resources::request;
use crate::resources::store::Entity;
use crate::resources::support::fields;

/// The store name of pipelines.
pub const NAME: &str = "deployment-pipelines";
/// The store name of the deployment events kept with their pipeline.
pub const EVENTS: &str = "deployment-events";
/// The document's path of the Deployment Events API.
pub const EVENTS_PATH: &str = "/deployment-events";
/// How many events the mock keeps per pipeline (the oldest go first).
pub const KEPT: usize = 100;

/// The integration types a pipeline may have.
const TYPES: &[&str] = &["API", "GITHUB"];

/// The group: pipelines, and their events (written by [`ingest`] alone).
pub static GROUP: Group = Group::new(
    "Deployment Pipelines",
    &[
        Collection::new(
            NAME,
            "/deployment-pipelines",
            "deployment pipeline",
            "DeploymentPipeline",
            &PIPELINES,
        ),
        Collection::new(EVENTS, EVENTS_PATH, "deployment event", "DeploymentEvent", &Plain)
            .child_of(Target::Collection(NAME)),
    ],
    &[],
);

fn editable(body: &Entity, out: &mut Entity) -> Result<(), ResourceError> {
    out.insert("name".into(), Value::from(fields::name(body)?));
    let kind = body
        .get("integrationType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !TYPES.contains(&kind) {
        return Err(ResourceError::BadRequest(format!(
            "field 'integrationType' must be one of {} (got \"{kind}\")",
            TYPES.join(", ")
        )));
    }
    out.insert("integrationType".into(), Value::from(kind));
    out.insert("teams".into(), body.get("teams").cloned().unwrap_or(json!([])));
    out.insert(
        "params".into(),
        body.get("params")
            .filter(|p| p.is_object())
            .cloned()
            .unwrap_or(json!({})),
    );
    Ok(())
}

/// The pipeline model.
const PIPELINES: WithKey =
    WithKey::new(|cx, _| fields::integration_key(cx, "dpl"), editable, render).stamped();

/// A stored entity as answered.
fn render(view: &View<'_>, entity: &Entity, _: bool) -> Value {
    let mut out = Value::Object(entity.clone());
    let kind = entity
        .get("integrationType")
        .and_then(Value::as_str)
        .unwrap_or("API");
    let key = entity
        .get("integrationKey")
        .and_then(Value::as_str)
        .unwrap_or_default();
    out["integrationUrl"] = Value::from(format!(
        "{}{}/{}/{key}",
        view.base,
        crate::paths::DEPLOYMENT_EVENTS_BY_URL,
        kind.to_ascii_lowercase()
    ));
    out
}

/// Keeps a `DeploymentEvent` with the pipeline its integration key names (`path_key`, for a
/// request to the pipeline's `integrationUrl`, stands in for a missing body key).
pub fn ingest(keyed: Keyed<'_>) -> Result<Reply, ResourceError> {
    let (state, now, path_key) = (keyed.state, keyed.now, keyed.key);
    let event = request::check_post(EVENTS_PATH, keyed.body, path_key)?;
    let body_key = event.get("integrationKey").and_then(Value::as_str);
    if let (Some(path), Some(body)) = (path_key, body_key)
        && path != body
    {
        return Err(ResourceError::BadRequest(
            "the integration key of the body differs from the one in the path".to_owned(),
        ));
    }
    let key = body_key.or(path_key).unwrap_or_default().to_owned();
    let (tenant, pipeline) = fields::by_integration_key(state, NAME, &key).ok_or_else(|| {
        ResourceError::BadRequest(format!("no deployment pipeline has the integration key '{key}'"))
    })?;
    let mut stored = event.as_object().cloned().unwrap_or_default();
    stored.insert("integrationKey".into(), Value::from(key));
    stored.entry("timestamp").or_insert(json!(now));
    fields::append_bounded(state, &tenant, EVENTS, pipeline, stored, KEPT);
    Ok(Reply::empty(202))
}
