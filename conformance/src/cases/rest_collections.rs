//! The resource API's collections of heartbeat monitors, connectors, alert actions, metric data
//! sources, metrics, deployment pipelines, event flows and call flows, each held to its OpenAPI
//! operations the same way: list, get, create (the operation's documented status), update,
//! delete (then 404), the scope refusals (no scope → 403, a read-only token posting → 403) and
//! a body the document refuses (400 in the REST shape).
//!
//! One table row per collection (`Collection`); `collection_cases!` turns a row into its
//! cases. The cases that change a collection create what they change and delete it again, so
//! the suite leaves a shared mock's fixtures as it found them. They share the alert sources'
//! lane ([`super::api::ALERT_SOURCES_LANE`]): these resources refer to alert sources, and the
//! ids a mock hands out stay reproducible when the cases that create run one after another.

use reqwest::Method;
use serde_json::{Value, json};

use super::api::ALERT_SOURCES_LANE as LANE;
use crate::case::{Area, Case, CaseResult, RunFn, Stop, Tag, ilert, tags};
use crate::ctx::Cx;
use crate::req::Resp;

/// What the cases of one collection need to know about it.
#[derive(Debug)]
struct Collection {
    /// The collection's path (`/api/heartbeat-monitors`).
    path: &'static str,
    /// Its scope in ilert's scope table, or the mock's choice for the paths the table omits.
    scope: &'static str,
    /// The status of a successful `POST` (ilert documents 200 for some collections).
    created: u16,
    /// A valid body carrying the name.
    body: fn(&str) -> Value,
    /// A body the document refuses.
    invalid: fn() -> Value,
}

const WRITE: &[Tag] = &[Tag::MockOnly, Tag::NeedsToken];

/// The cases of one collection: `$id` names it in the case ids, `$path` is its path under
/// `/api` and `$row` its [`Collection`]. The first two only read.
#[rustfmt::skip]
macro_rules! collection_cases {
    ($row:ident, $id:literal, $path:literal) => {
        collection([
            (concat!("API-", $id, "-LIST-01"), concat!("GET /api", $path, ": 200, an array of the tenant's items, each with id and name"), concat!("ilert-rest-api-openapi GET ", $path), |cx| Box::pin(list(cx, &$row))),
            (concat!("API-", $id, "-GET-01"), concat!("GET /api", $path, "/{id}: 200, the listed item"), concat!("ilert-rest-api-openapi GET ", $path, "/{id}"), |cx| Box::pin(get(cx, &$row))),
            (concat!("API-", $id, "-CREATE-01"), concat!("POST /api", $path, ": the documented status, the item with its id and the name sent"), concat!("ilert-rest-api-openapi POST ", $path), |cx| Box::pin(create(cx, &$row))),
            (concat!("API-", $id, "-UPDATE-01"), concat!("PUT /api", $path, "/{id}: 200 with the new name, then GET answers it"), concat!("ilert-rest-api-openapi PUT ", $path, "/{id}"), |cx| Box::pin(update(cx, &$row))),
            (concat!("API-", $id, "-DELETE-01"), concat!("DELETE /api", $path, "/{id}: 204 with no body, then GET is 404 in the REST shape"), concat!("ilert-rest-api-openapi DELETE ", $path, "/{id}"), |cx| Box::pin(delete(cx, &$row))),
            (concat!("API-", $id, "-SCOPE-01"), concat!("GET /api", $path, " without the scope is 403; POST with the read-only scope is 403"), concat!("ilert-rest-api-openapi POST ", $path), |cx| Box::pin(scope_refusals(cx, &$row))),
            (concat!("API-", $id, "-400-01"), concat!("POST /api", $path, " with a body the document refuses: 400 in the REST shape"), concat!("ilert-rest-api-openapi POST ", $path), |cx| Box::pin(invalid(cx, &$row))),
        ])
    };
}

/// Id, title, OpenAPI operation and check of one case.
type Row = (&'static str, &'static str, &'static str, RunFn);

/// The seven cases of a collection, in the alert sources' lane; the first two only read.
fn collection(rows: [Row; 7]) -> Vec<Case> {
    rows.into_iter()
        .enumerate()
        .map(|(i, (id, title, operation, run))| {
            let needs = if i < 2 { tags::TOKEN } else { WRITE };
            Case::new(Area::Api, id, title, ilert(operation), run)
                .tags(needs)
                .lane(LANE)
        })
        .collect()
}

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

fn read(row: &Collection) -> String {
    format!("{}:r", row.scope)
}

fn delete_scope(row: &Collection) -> String {
    format!("{}:d", row.scope)
}

/// Creates an item named `name` quietly with the `:d` scope; the token and the item's id.
async fn scratch(cx: &Cx, row: &Collection, name: &str) -> Result<(String, String), Stop> {
    let token = cx.access_token(&delete_scope(row)).await?;
    let r = cx
        .request(Method::POST, row.path)
        .bearer(&token)
        .json((row.body)(name))
        .quiet()
        .send()
        .await?;
    let id = id_text(&r.json["id"])
        .filter(|_| r.status == row.created)
        .ok_or_else(|| r.fail(format!("{} with the created item", row.created)))?;
    Ok((token, id))
}

/// Deletes an item quietly (clean-up after a case).
async fn remove(cx: &Cx, token: &str, row: &Collection, id: &str) {
    let _ = cx
        .request(Method::DELETE, &format!("{}/{id}", row.path))
        .bearer(token)
        .quiet()
        .send()
        .await;
}

/// Deletes what a refused request created after all.
async fn undo(cx: &Cx, row: &Collection, created: &Value) -> CaseResult {
    if let Some(id) = id_text(&created["id"]) {
        let token = cx.access_token(&delete_scope(row)).await?;
        remove(cx, &token, row, &id).await;
    }
    Ok(())
}

fn named(v: &Value) -> bool {
    id_text(&v["id"]).is_some() && v["name"].is_string()
}

async fn list(cx: Cx, row: &'static Collection) -> CaseResult {
    let token = cx.access_token(&read(row)).await?;
    let r = cx.api(Method::GET, row.path, &token, None).await?;
    r.status_is(200)?;
    let items = r.json.as_array().cloned().unwrap_or_default();
    r.ensure(
        r.json.is_array() && items.iter().all(named),
        "a JSON array of items, each with id and name",
    )?;
    if cx.has_control() {
        r.ensure(items.len() >= 2, "the fixtures' two items or more")?;
    }
    Ok(())
}

async fn get(cx: Cx, row: &'static Collection) -> CaseResult {
    let token = cx.access_token(&read(row)).await?;
    let listed = read_quietly(&cx, row.path, &token).await?;
    let Some(first) = listed.json.as_array().and_then(|l| l.first()).cloned() else {
        return Err(Stop::skip("needs one listed item"));
    };
    let id = id_text(&first["id"]).ok_or_else(|| listed.fail("items with an id"))?;
    let r = cx
        .api(Method::GET, &format!("{}/{id}", row.path), &token, None)
        .await?;
    r.ensure(
        r.status == 200 && r.json["id"] == first["id"] && r.json["name"] == first["name"],
        format!("200 with item {id} as listed"),
    )?;
    Ok(())
}

async fn create(cx: Cx, row: &'static Collection) -> CaseResult {
    let token = cx.access_token(&delete_scope(row)).await?;
    let name = "Conformance item";
    let r = cx
        .api(Method::POST, row.path, &token, Some((row.body)(name)))
        .await?;
    let id = id_text(&r.json["id"]);
    if let Some(id) = &id {
        remove(&cx, &token, row, id).await;
    }
    r.ensure(
        r.status == row.created && id.is_some() && r.json["name"] == name,
        format!("{} with an id and name \"{name}\"", row.created),
    )?;
    Ok(())
}

async fn update(cx: Cx, row: &'static Collection) -> CaseResult {
    let (token, id) = scratch(&cx, row, "Before update").await?;
    let path = format!("{}/{id}", row.path);
    let r = cx
        .api(Method::PUT, &path, &token, Some((row.body)("After update")))
        .await?;
    let read = cx.api(Method::GET, &path, &token, None).await?;
    remove(&cx, &token, row, &id).await;
    r.ensure(
        r.status == 200 && r.json["name"] == "After update",
        "200 with name \"After update\"",
    )?;
    read.ensure(
        read.status == 200 && read.json["name"] == "After update",
        "GET answers the new name",
    )?;
    Ok(())
}

async fn delete(cx: Cx, row: &'static Collection) -> CaseResult {
    let (token, id) = scratch(&cx, row, "To delete").await?;
    let path = format!("{}/{id}", row.path);
    let r = cx.api(Method::DELETE, &path, &token, None).await?;
    r.status_is(204)?;
    r.body_empty()?;
    cx.api(Method::GET, &path, &token, None).await?.rest_error(404)?;
    Ok(())
}

async fn scope_refusals(cx: Cx, row: &'static Collection) -> CaseResult {
    let profile = cx.access_token("profile").await?;
    cx.api(Method::GET, row.path, &profile, None)
        .await?
        .rest_error(403)?;
    let token = cx.access_token(&read(row)).await?;
    let r = cx
        .api(Method::POST, row.path, &token, Some((row.body)("Read only")))
        .await?;
    if r.status == row.created {
        undo(&cx, row, &r.json).await?;
    }
    r.rest_error(403)?;
    Ok(())
}

async fn invalid(cx: Cx, row: &'static Collection) -> CaseResult {
    let token = cx.access_token(&delete_scope(row)).await?;
    let r = cx
        .api(Method::POST, row.path, &token, Some((row.invalid)()))
        .await?;
    if r.status == row.created {
        undo(&cx, row, &r.json).await?;
    }
    r.rest_error(400)?;
    Ok(())
}

/// Heartbeat monitors (scope `monitor`, the mock's choice) of the fixtures' alert source 3001.
const HEARTBEAT_MONITORS: Collection = Collection {
    path: "/api/heartbeat-monitors",
    scope: "monitor",
    created: 201,
    body: |name| json!({"name": name, "intervalSec": 300, "alertSource": {"id": 3001}}),
    invalid: || json!({"name": "No interval", "intervalSec": "five minutes"}),
};

/// Connectors (scope `connector`).
const CONNECTORS: Collection = Collection {
    path: "/api/connectors",
    scope: "connector",
    created: 201,
    body: |name| json!({"name": name, "type": "discord", "params": {"url": "https://discord.example.com/hook"}}),
    invalid: || json!({"type": "discord"}),
};

/// Alert actions (scope `action`) using the fixtures' Jira connector 9202.
const ALERT_ACTIONS: Collection = Collection {
    path: "/api/alert-actions",
    scope: "action",
    created: 201,
    body: |name| json!({"name": name, "connectorType": "jira", "connectorId": "9202", "alertSources": [{"id": 3001}], "triggerMode": "MANUAL"}),
    invalid: || json!({"name": "Unknown trigger", "connectorType": "jira", "alertSources": [{"id": 3001}], "triggerMode": "SOMETIMES"}),
};

/// Metric data sources (scope `metric_source`).
const METRIC_DATA_SOURCES: Collection = Collection {
    path: "/api/metric-data-sources",
    scope: "metric_source",
    created: 201,
    body: |name| json!({"name": name, "type": "PROMETHEUS", "metadata": {"url": "https://prometheus.example.com", "authType": "NONE"}}),
    invalid: || json!({"name": "Unknown type", "type": "GRAPHITE", "metadata": {}}),
};

/// Metrics (scope `metric`) queried from the fixtures' data source 9301.
const METRICS: Collection = Collection {
    path: "/api/metrics",
    scope: "metric",
    created: 201,
    body: |name| json!({"name": name, "aggregationType": "AVG", "displayType": "GRAPH", "dataSource": {"id": 9301}, "metadata": {"query": "up"}}),
    invalid: || json!({"name": "Unknown aggregation", "aggregationType": "MEDIAN", "displayType": "GRAPH"}),
};

/// Deployment pipelines (scope `source`, the mock's choice).
const DEPLOYMENT_PIPELINES: Collection = Collection {
    path: "/api/deployment-pipelines",
    scope: "source",
    created: 201,
    body: |name| json!({"name": name, "integrationType": "API"}),
    invalid: || json!({"name": "Unknown type", "integrationType": "GITLAB"}),
};

/// Event flows (scope `source`, the mock's choice) routing into alert source 3001.
const EVENT_FLOWS: Collection = Collection {
    path: "/api/event-flows",
    scope: "source",
    created: 201,
    body: |name| json!({"name": name, "root": {"nodeType": "ROOT", "branches": [{"branchType": "CATCH_ALL", "target": {"nodeType": "ROUTE_EVENT", "metadata": {"alertSourceId": 3001}}}]}}),
    invalid: || json!({"name": "No root"}),
};

/// Call flows (scope `source`, the mock's choice) on the fixtures' free number 9602.
const CALL_FLOWS: Collection = Collection {
    path: "/api/call-flows",
    scope: "source",
    created: 201,
    body: |name| json!({"name": name, "language": "en", "assignedNumber": {"id": 9602}, "root": {"nodeType": "ROOT", "branches": [{"branchType": "CATCH_ALL", "target": {"nodeType": "CREATE_ALERT", "metadata": {"alertSourceId": 3001}}}]}}),
    invalid: || json!({"name": "Klingon", "language": "tlh", "root": {"nodeType": "ROOT"}}),
};

/// Every collection's cases, in the document's order.
pub fn cases() -> Vec<Case> {
    [
        collection_cases!(HEARTBEAT_MONITORS, "HEARTBEAT-MONITORS", "/heartbeat-monitors"),
        collection_cases!(CONNECTORS, "CONNECTORS", "/connectors"),
        collection_cases!(ALERT_ACTIONS, "ALERT-ACTIONS", "/alert-actions"),
        collection_cases!(METRIC_DATA_SOURCES, "METRIC-DATA-SOURCES", "/metric-data-sources"),
        collection_cases!(METRICS, "METRICS", "/metrics"),
        collection_cases!(
            DEPLOYMENT_PIPELINES,
            "DEPLOYMENT-PIPELINES",
            "/deployment-pipelines"
        ),
        collection_cases!(EVENT_FLOWS, "EVENT-FLOWS", "/event-flows"),
        collection_cases!(CALL_FLOWS, "CALL-FLOWS", "/call-flows"),
    ]
    .concat()
}
