//! The resource API's collections of heartbeat monitors, connector, alert actions, metric data
//! sources, metric, deployment pipelines, event flows and call flows: rows of the CRUD table
//! ([`super::rest_crud`]), each held to its OpenAPI operations the same way: list, get, create
//! (the operation's documented status), update, delete (then 404), the scope refusals (no scope
//! → 403, a read-only token posting → 403) and a body the document refuses (400 in the REST
//! shape).
//!
//! The cases that change a collection create what they change and delete it again, so the suite
//! leaves a shared mock's fixtures as it found them. They share the alert sources' lane
//! ([`super::rest_crud::ALERT_SOURCES_LANE`]): these resources refer to alert sources, and the ids a
//! mock hands out stay reproducible when the cases that create run one after another.

use reqwest::Method;
use serde_json::{Value, json};

use super::rest_crud::{Body, Crud, Extras, Scratch, crud_cases};
use crate::case::{Case, Stop};
use crate::ctx::Cx;
use crate::req::Resp;

/// A GET left out of the transcript (a step that prepares the case).
pub(crate) async fn read_quietly(cx: &Cx, path: &str, token: &str) -> Result<Resp, Stop> {
    cx.request(Method::GET, path).bearer(token).quiet().send().await
}

/// An id as it goes into a path: ilert writes some ids as strings (`"9201"`), most as numbers.
pub(crate) fn id_text(id: &Value) -> Option<String> {
    match id {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An item with an id (a number or a string) and a name.
fn named(v: &Value) -> bool {
    id_text(&v["id"]).is_some() && v["name"].is_string()
}

/// A row of this file: `read` and `write` are its scope at `:r` and `:d`; a create answers 201; every
/// item has an id and a name, and the fixtures hold two or more; `body` is a valid body named
/// after the case's label, whose name a create echoes and an update changes (read back after),
/// and `invalid` one the document refuses.
const fn items(
    path: &'static str,
    read: &'static str,
    write: &'static str,
    body: Body,
    invalid: Body,
) -> Crud {
    Crud {
        path,
        noun: "item",
        read,
        write,
        created: 201,
        fields: &["id", "name"],
        create: body,
        update: (body, &["/name"]),
        invalid: (invalid, None),
        extras: Extras {
            shape: Some(named),
            listed: 2,
            echoed: &["/name"],
            reread: true,
            ..Extras::NONE
        },
    }
}

/// Heartbeat monitors (scope `monitor`, the mock's choice) of the fixtures' alert source 3001.
static HEARTBEAT_MONITORS: Crud = items(
    "/api/heartbeat-monitors",
    "monitor:r",
    "monitor:d",
    heartbeat_monitor,
    |_| json!({"name": "No interval", "intervalSec": "five minutes"}),
);

/// A valid body named after the case's label.
fn heartbeat_monitor(s: &Scratch) -> Value {
    json!({"name": s.label, "intervalSec": 300, "alertSource": {"id": 3001}})
}

/// Connectors (scope `connector`).
static CONNECTORS: Crud = items(
    "/api/connectors",
    "connector:r",
    "connector:d",
    connector,
    |_| json!({"type": "discord"}),
);

/// A valid body named after the case's label.
fn connector(s: &Scratch) -> Value {
    json!({"name": s.label, "type": "discord", "params": {"url": "https://discord.example.com/hook"}})
}

/// Alert actions (scope `action`) using the fixtures' Jira connector 9202.
static ALERT_ACTIONS: Crud = items(
    "/api/alert-actions",
    "action:r",
    "action:d",
    alert_action,
    |_| json!({"name": "Unknown trigger", "connectorType": "jira", "alertSources": [{"id": 3001}], "triggerMode": "SOMETIMES"}),
);

/// A valid body named after the case's label.
fn alert_action(s: &Scratch) -> Value {
    json!({"name": s.label, "connectorType": "jira", "connectorId": "9202", "alertSources": [{"id": 3001}], "triggerMode": "MANUAL"})
}

/// Metric data sources (scope `metric_source`).
static METRIC_DATA_SOURCES: Crud = items(
    "/api/metric-data-sources",
    "metric_source:r",
    "metric_source:d",
    metric_data_source,
    |_| json!({"name": "Unknown type", "type": "GRAPHITE", "metadata": {}}),
);

/// A valid body named after the case's label.
fn metric_data_source(s: &Scratch) -> Value {
    json!({"name": s.label, "type": "PROMETHEUS", "metadata": {"url": "https://prometheus.example.com", "authType": "NONE"}})
}

/// Metrics (scope `metric`) queried from the fixtures' data source 9301.
static METRICS: Crud = items(
    "/api/metrics",
    "metric:r",
    "metric:d",
    metric,
    |_| json!({"name": "Unknown aggregation", "aggregationType": "MEDIAN", "displayType": "GRAPH"}),
);

/// A valid body named after the case's label.
fn metric(s: &Scratch) -> Value {
    json!({"name": s.label, "aggregationType": "AVG", "displayType": "GRAPH", "dataSource": {"id": 9301}, "metadata": {"query": "up"}})
}

/// Deployment pipelines (scope `source`, the mock's choice).
static DEPLOYMENT_PIPELINES: Crud = items(
    "/api/deployment-pipelines",
    "source:r",
    "source:d",
    deployment_pipeline,
    |_| json!({"name": "Unknown type", "integrationType": "GITLAB"}),
);

/// A valid body named after the case's label.
fn deployment_pipeline(s: &Scratch) -> Value {
    json!({"name": s.label, "integrationType": "API"})
}

/// Event flows (scope `source`, the mock's choice) routing into alert source 3001.
static EVENT_FLOWS: Crud = items(
    "/api/event-flows",
    "source:r",
    "source:d",
    event_flow,
    |_| json!({"name": "No root"}),
);

/// A valid body named after the case's label.
fn event_flow(s: &Scratch) -> Value {
    json!({"name": s.label, "root": {"nodeType": "ROOT", "branches": [{"branchType": "CATCH_ALL", "target": {"nodeType": "ROUTE_EVENT", "metadata": {"alertSourceId": 3001}}}]}})
}

/// Call flows (scope `source`, the mock's choice) on the fixtures' free number 9602.
static CALL_FLOWS: Crud = items(
    "/api/call-flows",
    "source:r",
    "source:d",
    call_flow,
    |_| json!({"name": "Klingon", "language": "tlh", "root": {"nodeType": "ROOT"}}),
);

/// A valid body named after the case's label.
fn call_flow(s: &Scratch) -> Value {
    json!({"name": s.label, "language": "en", "assignedNumber": {"id": 9602}, "root": {"nodeType": "ROOT", "branches": [{"branchType": "CATCH_ALL", "target": {"nodeType": "CREATE_ALERT", "metadata": {"alertSourceId": 3001}}}]}})
}

/// Every collection's cases, in the document's order.
pub(crate) fn cases() -> Vec<Case> {
    [
        crud_cases!(items HEARTBEAT_MONITORS, "HEARTBEAT-MONITORS", "/heartbeat-monitors"),
        crud_cases!(items CONNECTORS, "CONNECTORS", "/connectors"),
        crud_cases!(items ALERT_ACTIONS, "ALERT-ACTIONS", "/alert-actions"),
        crud_cases!(items METRIC_DATA_SOURCES, "METRIC-DATA-SOURCES", "/metric-data-sources"),
        crud_cases!(items METRICS, "METRICS", "/metrics"),
        crud_cases!(items DEPLOYMENT_PIPELINES, "DEPLOYMENT-PIPELINES",
            "/deployment-pipelines"
        ),
        crud_cases!(items EVENT_FLOWS, "EVENT-FLOWS", "/event-flows"),
        crud_cases!(items CALL_FLOWS, "CALL-FLOWS", "/call-flows"),
    ]
    .concat()
}
