//! Alert actions (`/alert-actions`, scope `action`) and their use on alerts
//! (`/alerts/{id}/actions`, scope `alert`, under the alerts path).
//!
//! An action belongs to one or more alert sources and, for the types that need one, uses a
//! connector of the same type; the list filters by `source` and `connector`. ilert writes the
//! ids of actions, connectors and results as strings. The `connectorType` cannot be changed.
//!
//! `GET /alerts/{id}/actions` answers one `AlertActionTrigger`, as the document's schema says:
//! the first manual action of the alert's source, with the results of its earlier uses on this
//! alert as `history` (404 when the source has none). `POST /alerts/{id}/actions` invokes an
//! action of the alert's source: the mock reaches no other tool, so every invocation succeeds;
//! it is kept as an `AlertActionResult` of the alert and logged on the alert
//! (`AlertActionSuccessLogEntry`).

use serde_json::{Value, json};

use super::{alert_sources, alerts, connectors, users};

use crate::resources::error::ResourceError;
use crate::resources::group::{
    Action, Collection, Cx, Filter, Group, Model, OnDelete, Relation, Reply, Target, View,
};
use crate::resources::kinds::{Plain, Written};
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::support::{fields, names};

/// The store name of alert actions.
pub const NAME: &str = "alert-actions";
/// The store name of the results of actions invoked on alerts.
pub const RESULTS: &str = "alert-action-results";

/// The documented list filters: `source` (an alert source id) and `connector` (a connector id).
const FILTERS: &[Filter] = &[
    Filter {
        param: "source",
        test: |_, a, v| {
            let sources = relations::ids(fields::field(a, "alertSources"), "[]");
            v.iter().any(|s| {
                s.parse::<f64>()
                    .is_ok_and(|s| sources.iter().any(|id| *id as f64 == s))
            })
        },
    },
    Filter {
        param: "connector",
        test: |_, a, v| v.iter().any(|c| fields::field(a, "connectorId") == c.as_str()),
    },
];

/// The group.
pub static GROUP: Group = Group::new(
    "Alert Actions",
    &[
        Collection::new(NAME, "/alert-actions", "alert action", "AlertAction", &Actions)
            .relations(&[
                Relation::new(
                    "alertSources[]",
                    Target::Collection(alert_sources::NAME),
                    OnDelete::Keep,
                ),
                Relation::new(
                    "connectorId",
                    Target::Collection(connectors::NAME),
                    OnDelete::Restrict,
                ),
            ])
            .filters(FILTERS),
        Collection::new(
            RESULTS,
            "/alerts/{id}/actions",
            "alert action result",
            "AlertActionResult",
            &RESULT_MODEL,
        )
        .child_of(Target::Collection(names::ALERTS))
        .relations(&[Relation::new("actor", Target::Users, OnDelete::Keep)]),
    ],
    &[
        Action::state("GET", "/alerts/{id}/actions", available),
        Action::state("POST", "/alerts/{id}/actions", invoke),
    ],
);

/// The fields a client sets, checked: a name, at least one alert source, and a connector (if
/// any) of the action's type.
fn editable(cx: &Cx<'_>, mut body: Entity) -> Result<Entity, ResourceError> {
    fields::name(&body)?;
    let sources = relations::ids(body.get("alertSources").unwrap_or(&Value::Null), "[]");
    if sources.is_empty() {
        return Err(ResourceError::BadRequest(
            "field 'alertSources' must name at least one alert source".to_owned(),
        ));
    }
    let refs: Vec<Value> = sources.iter().map(|id| json!({"id": id})).collect();
    body.insert("alertSources".into(), Value::Array(refs));
    if let Some(raw) = body.get("connectorId").filter(|c| !c.is_null()) {
        let connector = relations::ids(raw, "")
            .first()
            .and_then(|id| cx.state.resources().get(cx.tenant, connectors::NAME, *id))
            .ok_or_else(|| {
                ResourceError::BadRequest(format!(
                    "field 'connectorId' names connector {raw}, which does not exist"
                ))
            })?;
        let (kind, wanted) = (
            fields::field(&connector.body, "type"),
            fields::field(&body, "connectorType"),
        );
        if kind != wanted {
            return Err(ResourceError::BadRequest(format!(
                "field 'connectorId' names a {kind} connector, but 'connectorType' is {wanted}"
            )));
        }
        let id = relations::ids(raw, "").first().copied().unwrap_or_default();
        body.insert("connectorId".into(), Value::from(id.to_string()));
    }
    body.entry("triggerMode").or_insert(json!("AUTOMATIC"));
    body.insert("bidirectional".into(), json!(false));
    body.remove("id");
    Ok(body)
}

/// The alert action model.
#[derive(Debug)]
pub struct Actions;

// Not a kind: create stamps both times, update refuses a changed `connectorType` then takes the default update.
impl Model for Actions {
    fn create(&self, cx: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        let mut out = editable(cx, body)?;
        fields::stamp(cx, &mut out);
        Ok(out)
    }

    fn update(&self, cx: &mut Cx<'_>, old: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        // The document: "type cannot be changed".
        fields::unchanged(old, &body, "connectorType")?;
        let body = editable(cx, body)?;
        // The default: `id` and `createdAt` kept, `updatedAt` now.
        Plain.update(cx, old, body)
    }

    fn render(&self, view: &View<'_>, entity: &Entity, _: bool) -> Value {
        let mut out = Value::Object(entity.clone());
        fields::id_as_string(&mut out);
        let sources: Vec<Value> = relations::ids(&out["alertSources"], "[]")
            .into_iter()
            .filter(|id| {
                relations::exists(
                    view.state,
                    view.tenant,
                    Target::Collection(alert_sources::NAME),
                    *id,
                )
            })
            .map(|id| alert_sources::rendered(view, id))
            .collect();
        out["alertSources"] = Value::Array(sources);
        out
    }
}

/// The model of an action's result on an alert: ids as strings, the actor as a `User`.
pub const RESULT_MODEL: Written = Written::shown(show_result);

/// A stored entity of [`RESULT_MODEL`] as answered.
pub fn show_result(view: &View<'_>, entity: &Entity, _: bool) -> Value {
    let mut out = Value::Object(entity.clone());
    fields::id_as_string(&mut out);
    let actor = out["actor"]["id"].as_i64().and_then(|id| view.state.user(id));
    if let Some(user) = actor {
        out["actor"] = users::render(user);
    }
    out
}

/// The tenant's alert `id` (404 otherwise) and its alert source's id.
fn alert_source(cx: &Cx<'_>) -> Result<(i64, i64), ResourceError> {
    let id = cx.path_id("id", "alert")?;
    let alert = cx
        .state
        .resources()
        .get(cx.tenant, alerts::NAME, id)
        .ok_or_else(|| ResourceError::not_found("alert", id))?;
    Ok((
        id,
        fields::field(&alert.body, "alertSource")["id"]
            .as_i64()
            .unwrap_or_default(),
    ))
}

/// Whether the stored action belongs to alert source `source`.
fn serves(action: &Entity, source: i64) -> bool {
    relations::ids(fields::field(action, "alertSources"), "[]").contains(&source)
}

/// `GET /alerts/{id}/actions`.
fn available(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let (alert, source) = alert_source(cx)?;
    let (action_id, action) = cx
        .state
        .resources()
        .iter(cx.tenant, NAME)
        .find(|(_, a)| serves(&a.body, source) && fields::field(&a.body, "triggerMode") == "MANUAL")
        .ok_or_else(|| {
            ResourceError::NotFound(format!(
                "no manual alert action serves alert {alert} (alert source {source})"
            ))
        })?;
    let view = cx.view();
    let history: Vec<Value> = cx
        .state
        .resources()
        .iter(cx.tenant, RESULTS)
        .filter(|(_, r)| {
            r.parent == Some(alert)
                && fields::field(&r.body, "alertActionId") == action_id.to_string().as_str()
        })
        .map(|(_, r)| show_result(&view, &r.body, true))
        .collect();
    let mut out = json!({
        "alertActionId": action_id.to_string(),
        "type": fields::field(&action.body, "connectorType"),
        "name": fields::field(&action.body, "name"),
        "history": history,
    });
    if let Some(connector) = action.body.get("connectorId") {
        out["connectorId"] = connector.clone();
    }
    Ok(Reply::ok(out))
}

/// `POST /alerts/{id}/actions` with `{"alertActionId": …}`.
fn invoke(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let (alert, source) = alert_source(cx)?;
    let raw = cx
        .body_object()
        .get("alertActionId")
        .cloned()
        .unwrap_or(Value::Null);
    if raw.is_null() {
        return Err(ResourceError::BadRequest(
            "field 'alertActionId' is required".to_owned(),
        ));
    }
    let (action_id, action) = relations::ids(&raw, "")
        .first()
        .and_then(|id| {
            cx.state
                .resources()
                .get(cx.tenant, NAME, *id)
                .map(|a| (*id, a.body.clone()))
        })
        .ok_or_else(|| {
            ResourceError::BadRequest(format!(
                "field 'alertActionId' names alert action {raw}, which does not exist"
            ))
        })?;
    if !serves(&action, source) {
        return Err(ResourceError::BadRequest(format!(
            "alert action {action_id} does not serve alert {alert}: alert source {source} is not one of its alert sources"
        )));
    }
    let mut result = json!({
        "alertActionId": action_id.to_string(),
        "alertId": alert,
        "success": true,
        "actor": {"id": cx.caller.id},
    });
    if let Some(connector) = action.get("connectorId") {
        result["connectorId"] = connector.clone();
    }
    let id = cx.state.resources_mut().next_id();
    let body = result.as_object().cloned().unwrap_or_default();
    cx.state
        .resources_mut()
        .insert(cx.tenant, RESULTS, id, Some(alert), body);
    let text = format!(
        "Alert action '{}' run by {} {}",
        fields::field(&action, "name").as_str().unwrap_or_default(),
        cx.caller.first_name,
        cx.caller.last_name
    );
    alerts::log(
        cx.state,
        cx.tenant,
        cx.now,
        alert,
        "AlertActionSuccessLogEntry",
        "CONNECTOR_EVENTS",
        text,
    );
    let view = cx.view();
    let rendered = cx
        .state
        .resources()
        .get(cx.tenant, RESULTS, id)
        .map_or(Value::Null, |r| show_result(&view, &r.body, false));
    Ok(Reply::with_status(201, rendered))
}
