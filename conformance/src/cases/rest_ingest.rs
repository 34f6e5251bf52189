//! The resource API's operations beside the plain collections: alert actions run on an alert,
//! the operations authenticated by an integration key instead of a bearer token (Series,
//! Deployment Events, a heartbeat monitor's ping URL), the document's public operations
//! (numbers, integrations), call flow numbers and the alert reports.
//!
//! The cases that write share the alert sources' lane ([`super::rest_crud::ALERT_SOURCES_LANE`]) with
//! the collections' cases; the ping case pings a monitor of its own and deletes it again.

use reqwest::Method;
use serde_json::{Value, json};

use super::rest_collections::{id_text, read_quietly};
use super::rest_crud::ALERT_SOURCES_LANE as LANE;
use crate::case::{Area, Case, CaseResult, Stop, ilert, mock, run, tags};
use crate::ctx::Cx;
use crate::req::Resp;

/// The fixtures' alert on the website source, whose source has manual alert actions.
const ALERT: i64 = 5001;
/// The fixtures' manual Jira action of the website and database sources.
const JIRA_ACTION: &str = "9212";
/// The fixtures' metric fed through the Series API.
const PUSHED_METRIC: i64 = 9312;
/// The fixtures' pipeline of API deployments.
const API_PIPELINE: i64 = 9401;
/// A month of the fixtures' alerts.
const REPORT_RANGE: &str = "from=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z";

/// The cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Api;
    vec![
        Case::new(a, "API-ALERT-ACTIONS-RUN-01", "GET /api/alerts/{id}/actions: 200, a manual action of the alert's source with the history of its runs", ilert("ilert-rest-api-openapi GET /alerts/{id}/actions"), run!(alert_action_trigger)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-ALERT-ACTIONS-RUN-02", "POST /api/alerts/{id}/actions with an action of the alert's source: 201, the run's result, logged on the alert", ilert("ilert-rest-api-openapi POST /alerts/{id}/actions"), run!(alert_action_run)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-ALERT-ACTIONS-RUN-03", "POST /api/alerts/{id}/actions with an unknown action: an error in the REST shape, nothing run", ilert("ilert-rest-api-openapi POST /alerts/{id}/actions"), run!(alert_action_unknown)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-SERIES-01", "POST /api/series/{key} with a metric's integration key and no bearer token: 202", ilert("ilert-rest-api-openapi POST /series/{key}"), run!(series_point)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-SERIES-02", "POST /api/series/{key} with an unknown key: 404 in the REST shape", ilert("ilert-rest-api-openapi POST /series/{key}"), run!(series_unknown)).tags(tags::MOCK),
        Case::new(a, "API-DEPLOYMENT-EVENTS-01", "POST /api/deployment-events with a pipeline's integration key and no bearer token: 202; its integrationUrl takes the key in the path", ilert("ilert-rest-api-openapi POST /deployment-events"), run!(deployment_event)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-DEPLOYMENT-EVENTS-02", "POST /api/deployment-events with an unknown key: 400 in the REST shape", ilert("ilert-rest-api-openapi POST /deployment-events"), run!(deployment_unknown)).tags(tags::MOCK),
        Case::new(a, "API-HEARTBEAT-PING-01", "A heartbeat monitor is UNKNOWN until its integrationUrl is pinged (no bearer token, 202), then HEALTHY", mock("behaviour.md §6 heartbeat monitors"), run!(heartbeat_ping)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-NUMBERS-01", "GET /api/numbers without a token: 200, the numbers ilert offers", ilert("ilert-rest-api-openapi GET /numbers"), run!(numbers)),
        Case::new(a, "API-INTEGRATIONS-01", "GET /api/integrations without a token: 200, paged by max-results", ilert("ilert-rest-api-openapi GET /integrations"), run!(integrations)),
        Case::new(a, "API-CALL-FLOW-NUMBERS-LIST-01", "GET /api/call-flow-numbers: 200, the tenant's numbers", ilert("ilert-rest-api-openapi GET /call-flow-numbers"), run!(call_flow_numbers)).tags(tags::TOKEN),
        Case::new(a, "API-CALL-FLOW-NUMBERS-GET-01", "GET /api/call-flow-numbers/{id}: 200, the listed number; an unknown id is 404", ilert("ilert-rest-api-openapi GET /call-flow-numbers/{id}"), run!(call_flow_number)).tags(tags::TOKEN),
        Case::new(a, "API-REPORTS-ALERTS-01", "GET /api/reports/alerts with report: 200, rows per source, policy and day", ilert("ilert-rest-api-openapi GET /reports/alerts"), run!(report_alerts)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-REPORTS-SUMMARY-01", "GET /api/reports/alerts/summary: 200, count, mtta and mttr per source and policy", ilert("ilert-rest-api-openapi GET /reports/alerts/summary"), run!(report_summary)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-REPORTS-400-01", "GET /api/reports/alerts with until before from: 400 in the REST shape; without report: 403", ilert("ilert-rest-api-openapi GET /reports/alerts"), run!(report_refusals)).tags(tags::TOKEN),
    ]
}

async fn alert_action_trigger(cx: Cx) -> CaseResult {
    let token = cx.access_token("alert:r").await?;
    let r = cx
        .api_get(&format!("/api/alerts/{ALERT}/actions"), &token)
        .await?;
    r.status_is(200)?;
    r.ensure(
        id_text(&r.json["alertActionId"]).is_some() && r.json["history"].is_array(),
        "an alert action trigger with alertActionId and history",
    )?;
    Ok(())
}

/// Runs alert action `action` on the fixture alert; the token and the answer.
async fn run_action(cx: &Cx, action: &str) -> Result<(String, Resp), Stop> {
    let token = cx.access_token("alert:w").await?;
    let body = json!({"alertActionId": action});
    let path = format!("/api/alerts/{ALERT}/actions");
    let r = cx.api(Method::POST, &path, &token, Some(body)).await?;
    Ok((token, r))
}

async fn alert_action_run(cx: Cx) -> CaseResult {
    let (token, r) = run_action(&cx, JIRA_ACTION).await?;
    let path = format!("/api/alerts/{ALERT}/actions");
    r.status_is(201)?;
    r.ensure(
        r.json["alertActionId"] == JIRA_ACTION && r.json["alertId"] == ALERT,
        format!("a result of action {JIRA_ACTION} on alert {ALERT}"),
    )?;
    let trigger = cx.api_get(&path, &token).await?;
    let ran = trigger.json["history"]
        .as_array()
        .is_some_and(|h| h.iter().any(|x| x["id"] == r.json["id"]));
    trigger.ensure(ran, "the run in the trigger's history")?;
    Ok(())
}

async fn alert_action_unknown(cx: Cx) -> CaseResult {
    let (_, r) = run_action(&cx, "999999999").await?;
    r.ensure(
        matches!(r.status, 400 | 404) && r.json["message"].is_string(),
        "400 or 404 in the REST shape",
    )?;
    Ok(())
}

/// A field of an item read quietly with `scope`.
async fn field_of(cx: &Cx, scope: &str, path: &str, field: &str) -> Result<String, Stop> {
    let token = cx.access_token(scope).await?;
    let r = read_quietly(cx, path, &token).await?;
    r.json[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| r.fail(format!("200 with {field}")))
}

/// An ingestion with a key nobody has: refused with `status` in the REST shape.
async fn unknown_key(cx: Cx, path: &str, body: Value, status: u16) -> CaseResult {
    let r = cx.request(Method::POST, path).json(body).send().await?;
    r.rest_error(status)?;
    Ok(())
}

async fn series_point(cx: Cx) -> CaseResult {
    let path = format!("/api/metrics/{PUSHED_METRIC}");
    let key = field_of(&cx, "metric:r", &path, "integrationKey").await?;
    let r = cx
        .request(Method::POST, &format!("/api/series/{key}"))
        .json(json!({"series": [{"timestamp": 1_799_999_940, "value": 41}, {"timestamp": 1_800_000_000, "value": 44.5}]}))
        .send()
        .await?;
    r.status_is(202)?;
    Ok(())
}

async fn series_unknown(cx: Cx) -> CaseResult {
    unknown_key(cx, "/api/series/il1met-not-a-key", json!({"value": 1}), 404).await
}

async fn deployment_event(cx: Cx) -> CaseResult {
    let path = format!("/api/deployment-pipelines/{API_PIPELINE}");
    let key = field_of(&cx, "source:r", &path, "integrationKey").await?;
    let url = field_of(&cx, "source:r", &path, "integrationUrl").await?;
    let r = cx
        .request(Method::POST, "/api/deployment-events")
        .json(json!({"integrationKey": key, "summary": "Shop web 2.14.0", "timestamp": 1_800_000_000}))
        .send()
        .await?;
    r.status_is(202)?;
    let local = url
        .strip_prefix(cx.base())
        .ok_or_else(|| r.fail(format!("an integrationUrl under {}", cx.base())))?;
    cx.request(Method::POST, local)
        .json(json!({"summary": "Shop web 2.14.1", "timestamp": 1_800_000_000}))
        .send()
        .await?
        .status_is(202)?;
    Ok(())
}

async fn deployment_unknown(cx: Cx) -> CaseResult {
    let body = json!({"integrationKey": "il1dpl-not-a-key", "summary": "Nobody's deploy"});
    unknown_key(cx, "/api/deployment-events", body, 400).await
}

async fn heartbeat_ping(cx: Cx) -> CaseResult {
    let token = cx.access_token("monitor:d").await?;
    let created = cx
        .request(Method::POST, "/api/heartbeat-monitors")
        .bearer(&token)
        .json(json!({"name": "Conformance ping", "intervalSec": 60, "alertSource": {"id": 3001}}))
        .quiet()
        .send()
        .await?;
    let id = id_text(&created.json["id"]).ok_or_else(|| created.fail("201 with a monitor"))?;
    let path = format!("/api/heartbeat-monitors/{id}");
    // A single monitor carries its integrationUrl when asked to (`include`).
    let before = cx
        .api_get(&format!("{path}?include=integrationUrl"), &token)
        .await?;
    let url = before.json["integrationUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let ping = match url.strip_prefix(cx.base()) {
        Some(local) => Some(cx.request(Method::GET, local).send().await?),
        None => None,
    };
    let after = cx.api_get(&path, &token).await?;
    let _ = cx
        .request(Method::DELETE, &path)
        .bearer(&token)
        .quiet()
        .send()
        .await;
    before.ensure(
        before.json["state"] == "UNKNOWN",
        "state UNKNOWN before the first ping",
    )?;
    let ping = ping.ok_or_else(|| before.fail(format!("an integrationUrl under {}", cx.base())))?;
    ping.status_is(202)?;
    after.ensure(after.json["state"] == "HEALTHY", "state HEALTHY after the ping")?;
    Ok(())
}

/// A public list (no token): 200 and `ok` of its items.
async fn public_list(cx: Cx, path: &str, ok: fn(&[Value]) -> bool, expected: &str) -> CaseResult {
    let r = cx.get(path).send().await?;
    r.status_is(200)?;
    r.ensure(r.json.as_array().is_some_and(|l| ok(l)), expected)?;
    Ok(())
}

async fn numbers(cx: Cx) -> CaseResult {
    let ok = |l: &[Value]| !l.is_empty() && l.iter().all(|n| n["phoneNumber"].is_string());
    public_list(
        cx,
        "/api/numbers",
        ok,
        "a non-empty array of numbers with phoneNumber",
    )
    .await
}

async fn integrations(cx: Cx) -> CaseResult {
    let ok = |l: &[Value]| (1..=3).contains(&l.len()) && l.iter().all(|i| i["name"].is_string());
    let expected = "one to three integrations, each with a name";
    public_list(cx, "/api/integrations?max-results=3", ok, expected).await
}

async fn call_flow_numbers(cx: Cx) -> CaseResult {
    let token = cx.access_token("source:r").await?;
    let r = cx.api_get("/api/call-flow-numbers", &token).await?;
    r.status_is(200)?;
    let ok = r
        .json
        .as_array()
        .is_some_and(|l| l.iter().all(|n| n["id"].is_i64()));
    r.ensure(ok, "an array of numbers, each with an id")?;
    Ok(())
}

async fn call_flow_number(cx: Cx) -> CaseResult {
    let token = cx.access_token("source:r").await?;
    let listed = read_quietly(&cx, "/api/call-flow-numbers", &token).await?;
    let Some(first) = listed.json.as_array().and_then(|l| l.first()).cloned() else {
        return Err(Stop::skip("needs one call flow number"));
    };
    let r = cx
        .api_get(&format!("/api/call-flow-numbers/{}", first["id"]), &token)
        .await?;
    r.ensure(
        r.status == 200 && r.json == first,
        "200 with the number as listed",
    )?;
    cx.api_get("/api/call-flow-numbers/999999999", &token)
        .await?
        .rest_error(404)?;
    Ok(())
}

/// A report of the fixtures' month: 200 and every row as `row_ok` wants.
async fn report(cx: Cx, path: &str, row_ok: fn(&Value) -> bool, expected: &str) -> CaseResult {
    let token = cx.access_token("report:r").await?;
    let sep = if path.contains('?') { '&' } else { '?' };
    let r = cx.api_get(&format!("{path}{sep}{REPORT_RANGE}"), &token).await?;
    r.status_is(200)?;
    let ok = r.json.as_array().is_some_and(|rows| rows.iter().all(row_ok));
    r.ensure(ok, expected)?;
    Ok(())
}

async fn report_alerts(cx: Cx) -> CaseResult {
    // Each row: alert source id, escalation policy id, call routing number, period, value.
    let row_ok = |row: &Value| {
        row.as_array()
            .is_some_and(|c| c.len() == 5 && c[0].is_i64() && c[3].is_string() && c[4].is_number())
    };
    let expected = "an array of rows [alertSourceId, escalationPolicyId, number, period, value]";
    report(cx, "/api/reports/alerts?group-by=DAY", row_ok, expected).await
}

async fn report_summary(cx: Cx) -> CaseResult {
    let row_ok = |row: &Value| row["alertSourceId"].is_i64() && row["count"].is_i64();
    let expected = "an array of summaries, each with alertSourceId and count";
    report(cx, "/api/reports/alerts/summary", row_ok, expected).await
}

async fn report_refusals(cx: Cx) -> CaseResult {
    let token = cx.access_token("report:r").await?;
    let backwards = "from=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z&group-by=DAY";
    cx.api_get(&format!("/api/reports/alerts?{backwards}"), &token)
        .await?
        .rest_error(400)?;
    let profile = cx.access_token("profile").await?;
    let path = format!("/api/reports/alerts?{REPORT_RANGE}&group-by=DAY");
    cx.api_get(&path, &profile).await?.rest_error(403)?;
    Ok(())
}
