//! The Events API and alerts as ilert's own clients use them (issue 24): what ilert-go, the
//! `ilert` crate and ilert's guides send where the document says otherwise. Each test names the
//! client line it follows; `mock-server/docs/reconciliation-events.md` has the table.

use crate::common::*;

use ilert_mock::MockServer;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Source 3001, "Website monitoring", integration type API.
const WEB_KEY: &str = "il1api0a5cf3001e0c8d4f5b9a2e7c6d1f";

/// `POST {path}` with a raw body and `Content-Type`, no bearer token; status and JSON answer.
async fn raw_post(
    server: &MockServer,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut req = http()
        .post(format!("{}{path}", server.base_url()))
        .body(body.to_owned());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let r = req.send().await.expect("answers");
    let status = r.status();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `POST /api/events` with a JSON body.
async fn event(server: &MockServer, body: &Value) -> (StatusCode, Value) {
    raw_post(server, "/api/events", Some("application/json"), &body.to_string()).await
}

/// An accepted event's answer (202), else a panic naming the refusal.
async fn accepted(server: &MockServer, body: &Value) -> Value {
    let (st, answer) = event(server, body).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body} → {answer}");
    answer
}

/// A 400 in ilert's REST shape whose message holds every needle.
fn refused(st: StatusCode, err: &Value, needles: &[&str]) {
    assert_rest_error(st, err, 400);
    let message = err["message"].as_str().unwrap_or_default();
    assert!(needles.iter().all(|n| message.contains(n)), "{needles:?}: {err}");
}

async fn alert(server: &MockServer, token: &str, id: i64) -> Value {
    let (st, _, a) = api_get(server, &format!("/api/alerts/{id}"), token).await;
    assert_eq!(st, StatusCode::OK, "{a}");
    a
}

async fn alert_count(server: &MockServer, token: &str) -> usize {
    let (_, _, all) = api_get(server, "/api/alerts?max-results=100", token).await;
    all.as_array().map_or(0, Vec::len)
}

/// ilert-go `event.go` line 31 and the `ilert` crate 3.2.0 `src/ilert_builders.rs` line 597 send
/// the integration key as `apiKey`.
#[tokio::test]
async fn the_integration_key_may_come_as_api_key() {
    let server = frozen_server().await;
    let t = access_token(&server, "alert").await;
    let opened = accepted(
        &server,
        &json!({"apiKey": WEB_KEY, "eventType": "ALERT", "summary": "Disk full", "alertKey": "disk"}),
    )
    .await;
    assert_eq!(opened["responseCode"], "NEW_ALERT_CREATED");
    let id = opened["alertId"].as_i64().expect("id");
    let a = alert(&server, &t, id).await;
    assert_eq!(
        (a["summary"].as_str(), a["alertSource"]["id"].as_i64()),
        (Some("Disk full"), Some(3001))
    );
    // Both names, the same key: fine.
    let same =
        json!({"apiKey": WEB_KEY, "integrationKey": WEB_KEY, "eventType": "ACCEPT", "alertKey": "disk"});
    assert_eq!(accepted(&server, &same).await["responseCode"], "ALERT_ACCEPTED");
    assert_eq!(alert(&server, &t, id).await["status"], "ACCEPTED");
    // Both names, different keys: which one was meant is unknowable.
    let before = alert_count(&server, &t).await;
    let (st, err) = event(
        &server,
        &json!({"apiKey": WEB_KEY, "integrationKey": "il1api0a5cf3003d4e6f8a0b2c4d6e8f0a", "eventType": "ALERT", "summary": "x"}),
    )
    .await;
    refused(st, &err, &["'apiKey'", "'integrationKey'"]);
    let (st, err) = event(
        &server,
        &json!({"apiKey": 7, "eventType": "ALERT", "summary": "x"}),
    )
    .await;
    refused(st, &err, &["'apiKey' must be a string"]);
    // Neither name: the document's required field.
    let (st, err) = event(&server, &json!({"eventType": "ALERT", "summary": "x"})).await;
    refused(st, &err, &["'integrationKey' is required"]);
    assert_eq!(
        alert_count(&server, &t).await,
        before,
        "no refused event opened an alert"
    );
}

/// `summary` is required for ALERT only: ilert-go `event.go` line 37 sends `""`, the crate
/// `ilert_builders.rs` line 599 `null` and lines 637-642 (COMMENT) nothing.
#[tokio::test]
async fn only_alert_events_need_a_summary() {
    let server = frozen_server().await;
    let t = access_token(&server, "alert").await;
    // The crate's shape for ALERT without a summary: the field present, `null`.
    let (st, err) = event(
        &server,
        &json!({"apiKey": WEB_KEY, "eventType": "ALERT", "summary": null}),
    )
    .await;
    refused(st, &err, &["'summary' is required"]);
    let (st, err) = event(&server, &json!({"apiKey": WEB_KEY, "eventType": "ALERT"})).await;
    refused(st, &err, &["'summary' is required"]);

    let id = accepted(
        &server,
        &json!({"apiKey": WEB_KEY, "eventType": "ALERT", "summary": "Queue backlog", "alertKey": "queue"}),
    )
    .await["alertId"]
        .as_i64()
        .expect("id");
    // COMMENT without summary (the crate's `event_with_comment`).
    let comment = json!({"apiKey": WEB_KEY, "eventType": "COMMENT", "alertKey": "queue", "comments": [{"creator": "ops", "content": "draining now"}]});
    assert_eq!(accepted(&server, &comment).await["responseCode"], "COMMENT_ADDED");
    // ACCEPT with `"summary": ""` (ilert-go).
    let accept = json!({"apiKey": WEB_KEY, "eventType": "ACCEPT", "alertKey": "queue", "summary": ""});
    assert_eq!(accepted(&server, &accept).await["responseCode"], "ALERT_ACCEPTED");
    // RESOLVE with `"summary": null` (the crate's `event`).
    let resolve = json!({"apiKey": WEB_KEY, "eventType": "RESOLVE", "alertKey": "queue", "summary": null});
    assert_eq!(
        accepted(&server, &resolve).await["responseCode"],
        "ALERT_RESOLVED"
    );

    let a = alert(&server, &t, id).await;
    assert_eq!(
        (a["status"].as_str(), a["summary"].as_str()),
        (Some("RESOLVED"), Some("Queue backlog"))
    );
    let (_, _, log) = api_get(&server, &format!("/api/alerts/{id}/log-entries"), &t).await;
    let texts: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(texts.contains(&"draining now"), "{texts:?}");
}

/// ilert's document, schema `Event`, field `alertKey`: "Upper casing is allowed, however
/// comparison is case insensitive."
#[tokio::test]
async fn alert_keys_compare_without_regard_to_case() {
    let server = frozen_server().await;
    let t = access_token(&server, "alert").await;
    let ev = |kind: &str, key: &str| json!({"integrationKey": WEB_KEY, "eventType": kind, "alertKey": key, "summary": "Mail host"});
    let first = accepted(&server, &ev("ALERT", "Srv/Mail01")).await;
    let id = first["alertId"].as_i64().expect("id");
    assert_eq!(first["alertKey"], "Srv/Mail01", "the key keeps its casing");
    let again = accepted(&server, &ev("ALERT", "SRV/MAIL01")).await;
    assert_eq!(
        (again["responseCode"].as_str(), again["alertId"].as_i64()),
        (Some("EVENT_APPENDED"), Some(id))
    );
    assert_eq!(
        accepted(&server, &ev("ACCEPT", "srv/mail01")).await["alertId"],
        id
    );
    assert_eq!(alert(&server, &t, id).await["status"], "ACCEPTED");
    assert_eq!(
        accepted(&server, &ev("RESOLVE", "sRv/mAiL01")).await["alertId"],
        id
    );
    assert_eq!(alert(&server, &t, id).await["status"], "RESOLVED");
    // Another key is another alert.
    let other = accepted(&server, &ev("ALERT", "srv/mail02")).await;
    assert_ne!(other["alertId"], id);
}

/// A JSON body declared as something else is a 400 on the Events API, as on the REST routes;
/// ilert's guide: "dont forget to set the `Content-Type: application/json` header" (iLert/docs
/// `developer-docs/rest-api/api-samples/creating-alerts-through-events.md` line 9).
#[tokio::test]
async fn events_must_be_declared_json() {
    let server = frozen_server().await;
    let t = access_token(&server, "alert").await;
    let before = alert_count(&server, &t).await;
    let body = json!({"integrationKey": WEB_KEY, "eventType": "ALERT", "summary": "typed wrong"}).to_string();
    for path in ["/api/events", &format!("/api/v1/events/api/{WEB_KEY}")] {
        for ct in ["text/plain", "application/x-www-form-urlencoded"] {
            let (st, err) = raw_post(&server, path, Some(ct), &body).await;
            refused(st, &err, &["Content-Type must be application/json"]);
        }
    }
    assert_eq!(alert_count(&server, &t).await, before, "nothing was opened");
    // JSON with parameters, and a `+json` type, are JSON.
    let (st, answer) = raw_post(
        &server,
        "/api/events",
        Some("application/json; charset=utf-8"),
        &body,
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{answer}");
    assert_eq!(alert_count(&server, &t).await, before + 1);
    // The Series API takes JSON too.
    let (st, err) = raw_post(
        &server,
        "/api/series/any-key",
        Some("text/plain"),
        r#"{"value": 1}"#,
    )
    .await;
    refused(st, &err, &["Content-Type must be application/json"]);
}

/// An `integrationUrl`'s `{type}` is the source's integration type (ilert's guides:
/// iLert/docs `integrations/inbound-integrations/prometheus.md` line 49,
/// `/api/v1/events/prometheus/<key>`); another type is a 400 in ilert's REST shape.
#[tokio::test]
async fn the_integration_url_type_must_fit_the_source() {
    let server = frozen_server().await;
    let t = access_token(&server, "alert").await;
    let body = json!({"eventType": "ALERT", "summary": "via URL"}).to_string();
    let before = alert_count(&server, &t).await;
    let (st, err) = raw_post(
        &server,
        &format!("/api/v1/events/prometheus/{WEB_KEY}"),
        Some("application/json"),
        &body,
    )
    .await;
    refused(
        st,
        &err,
        &["'prometheus'", "integration type API", "/api/v1/events/api/"],
    );
    assert_eq!(alert_count(&server, &t).await, before);
    // The source's own type, in the case the mock writes it or another.
    for kind in ["api", "API"] {
        let path = format!("/api/v1/events/{kind}/{WEB_KEY}");
        let (st, answer) = raw_post(&server, &path, Some("application/json"), &body).await;
        assert_eq!(st, StatusCode::ACCEPTED, "{kind}: {answer}");
    }
    assert_eq!(alert_count(&server, &t).await, before + 2);
    // The integrationUrl the source itself advertises works as given.
    let (_, _, source) = api_get(
        &server,
        "/api/alert-sources/3001",
        &access_token(&server, "alert source").await,
    )
    .await;
    let url = source["integrationUrl"].as_str().expect("url").to_owned();
    let r = http()
        .post(&url)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

/// Every JSON answer of `/api/*` says exactly `application/json`: the `ilert` crate 3.2.0 parses
/// a body only when `content-type` equals that string (`src/ilert_builders.rs` lines 401-403,
/// 564-566, 725-727), and keeps `body_json` empty otherwise.
#[tokio::test]
async fn json_answers_say_exactly_application_json() {
    let server = frozen_server().await;
    let t = access_token(&server, "alert:w user").await;
    let big = "x".repeat(128 * 1024);
    let client = http();
    let base = server.base_url();
    // Each request with the bearer token, or (`anon`) without it.
    let with =
        |method: reqwest::Method, path: &str| client.request(method, format!("{base}{path}")).bearer_auth(&t);
    let anon = |method: reqwest::Method, path: &str| client.request(method, format!("{base}{path}"));
    let (get, post) = (reqwest::Method::GET, reqwest::Method::POST);
    let requests = [
        ("list", 200, with(get.clone(), "/api/alerts")),
        ("single", 200, with(get.clone(), "/api/users/1001")),
        ("404", 404, with(get.clone(), "/api/alerts/999999")),
        ("401", 401, anon(get.clone(), "/api/alerts")),
        ("403", 403, with(get.clone(), "/api/schedules")),
        ("400 query", 400, with(get.clone(), "/api/alerts?states=OPEN")),
        ("405", 405, with(reqwest::Method::PATCH, "/api/alerts")),
        ("unknown path", 404, with(get.clone(), "/api/nothing-here")),
        (
            "event 202",
            202,
            anon(post.clone(), "/api/events")
                .json(&json!({"integrationKey": WEB_KEY, "eventType": "ALERT", "summary": "ct"})),
        ),
        (
            "event 400",
            400,
            anon(post.clone(), "/api/events").json(&json!({"eventType": "ALERT"})),
        ),
        (
            "event too large",
            413,
            anon(post.clone(), "/api/events")
                .header("content-type", "application/json")
                .body(big.clone()),
        ),
        (
            "REST body too large",
            413,
            with(post.clone(), "/api/alerts")
                .header("content-type", "application/json")
                .body(big),
        ),
        ("GET on the Events API", 405, anon(get.clone(), "/api/events")),
        (
            "key not text",
            404,
            anon(post, "/api/v1/events/api/%FF%FE").json(&json!({})),
        ),
        (
            "heartbeat key not text",
            404,
            anon(get.clone(), "/api/heartbeats/%FF"),
        ),
        ("public", 200, anon(get, "/api/numbers")),
        (
            "accept",
            200,
            with(reqwest::Method::PUT, "/api/alerts/5001/accept"),
        ),
    ];
    for (what, want, req) in requests {
        let r = req.send().await.expect("answers");
        let status = r.status();
        assert_eq!(status.as_u16(), want, "{what}");
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = r.text().await.expect("body");
        assert!(!text.is_empty(), "{what}: {status} has a body");
        assert_eq!(ct.as_deref(), Some("application/json"), "{what}: {status} {text}");
        serde_json::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"));
    }
}

/// `PUT /api/alerts/{id}/accept` and `/resolve` as the `ilert` crate 3.2.0 sends them: its
/// default `Content-Type: application/json` (`src/ilert.rs` line 59) and no body
/// (`src/ilert_builders.rs` lines 761-769 set no body); ilert-go does the same (`alert.go` lines
/// 509 and 547, `client.go` line 93).
#[tokio::test]
async fn accept_and_resolve_take_a_json_content_type_without_a_body() {
    let server = frozen_server().await;
    let t = access_token(&server, "alert:w").await;
    let base = server.base_url();
    for (action, want) in [("accept", "ACCEPTED"), ("resolve", "RESOLVED")] {
        let r = http()
            .put(format!("{base}/api/alerts/5001/{action}"))
            .bearer_auth(&t)
            .header("accept", "application/json")
            .header("content-type", "application/json")
            .header("user-agent", "ilert-rust/3.2.0")
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), StatusCode::OK, "{action}");
        let answer: Value = r.json().await.expect("JSON");
        assert_eq!(answer["status"], want, "{action}: {answer}");
        assert_eq!(alert(&server, &t, 5001).await["status"], want, "{action} stuck");
    }
}

/// The document types paging parameters as `int32`: a value past it is a 400 naming the
/// parameter, never wrapped or clamped into another page.
#[tokio::test]
async fn integer_parameters_stay_within_their_documented_type() {
    let server = auto_server().await;
    let token = access_token(&server, "alert user").await;
    let (st, _, err) = api_get(&server, "/api/alerts?start-index=2147483648", &token).await;
    refused(st, &err, &["start-index", "2147483647"]);
    let (st, _, err) = api_get(&server, "/api/users?max-results=99999999999999999999", &token).await;
    refused(st, &err, &["max-results", "integer"]);
    let (st, _, page) = api_get(&server, "/api/alerts?start-index=2147483647", &token).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert_eq!(page, json!([]));
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_i64())
        .collect()
}

/// ilert-go filters alert lists and counts with `state`, `alert-source` and `assigned-to`
/// (alert.go lines 271-283 and 347-359 at 549c4adb), the document with `states`, `sources` and
/// `responders`: both filter, as documented.
#[tokio::test]
async fn ilert_go_list_filters_filter() {
    let server = auto_server().await;
    let token = access_token(&server, "alert").await;
    let list = |q: &'static str| {
        let (server, token) = (&server, &token);
        async move {
            let (st, _, body) = api_get(server, &format!("/api/alerts?{q}"), token).await;
            assert_eq!(st, StatusCode::OK, "{q}: {body}");
            ids(&body)
        }
    };
    assert_eq!(list("start-index=0&max-results=50").await, vec![5001, 5002]);
    assert_eq!(
        list("start-index=0&max-results=50&state=ACCEPTED").await,
        vec![5002]
    );
    assert_eq!(list("states=ACCEPTED").await, vec![5002]);
    assert_eq!(list("alert-source=3001").await, vec![5001]);
    assert_eq!(list("assigned-to=1002").await, vec![5002]);
    assert_eq!(list("state=PENDING&alert-source=3002").await, Vec::<i64>::new());
    let (st, _, count) = api_get(&server, "/api/alerts/count?state=PENDING", &token).await;
    assert_eq!(st, StatusCode::OK, "{count}");
    assert_eq!(count["count"], 1, "{count}");
    let (st, _, err) = api_get(&server, "/api/alerts?state=OPEN", &token).await;
    refused(st, &err, &["states", "PENDING"]);
}

/// ilert-go assigns with `user-id` (an id or a username), `policy-id` and `schedule-id`
/// (alert.go lines 456-467), the names the document's own description of the operation uses.
#[tokio::test]
async fn ilert_go_assigns_with_its_parameter_names() {
    let server = auto_server().await;
    let token = access_token(&server, "alert:w").await;
    let assign = |q: &'static str| {
        let (server, token) = (&server, &token);
        async move {
            api_request(
                server,
                reqwest::Method::PUT,
                &format!("/api/alerts/5001/assign?{q}"),
                Some(token),
                None,
            )
            .await
        }
    };
    let (st, _, a) = assign("user-id=1002").await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(alert(&server, &token, 5001).await["assignedTo"]["id"], 1002);
    let (st, _, a) = assign("policy-id=1502").await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(alert(&server, &token, 5001).await["escalationPolicy"]["id"], 1502);
    let (st, _, err) = assign("user-id=1001&policy-id=1501").await;
    refused(st, &err, &["exactly one", "user-id"]);
}

/// A new alert source's key looks like ilert's (`il1api…`, 34 characters, as in ilert's examples
/// and the fixtures), and the Events API takes it.
#[tokio::test]
async fn new_integration_keys_look_like_ilerts() {
    let server = auto_server().await;
    let token = access_token(&server, "source:w").await;
    let body = json!({"name": "Key shape", "integrationType": "API", "escalationPolicy": {"id": 1501}});
    let (st, _, source) = api_post(&server, "/api/alert-sources", &token, body).await;
    assert_eq!(st, StatusCode::CREATED, "{source}");
    let key = source["integrationKey"].as_str().expect("a key");
    assert!(key.starts_with("il1api") && key.len() == 34, "{key}");
    assert!(
        key[6..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{key}"
    );
    let (st, _) = event(
        &server,
        &json!({"apiKey": key, "eventType": "ALERT", "summary": "new key"}),
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED);
}

/// The Series API's single time point is checked as the document's SingleTimePoint: a series
/// object has no required field, so without this any object would pass as one.
#[tokio::test]
async fn a_single_series_point_is_checked_against_its_schema() {
    let server = auto_server().await;
    let url = format!(
        "{}/api/series/il1met5cf93114b8e2d6a0c9f3e7b1d5a24",
        server.base_url()
    );
    let post = |body: Value| http().post(&url).json(&body).send();
    let r = post(json!({"value": "high"})).await.expect("answers");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let err: Value = r.json().await.expect("json");
    refused(StatusCode::BAD_REQUEST, &err, &["value", "number"]);
    let r = post(json!({"value": 3.5, "timestamp": 1_800_000_000}))
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = post(json!({"series": [{"value": 1}, {"value": 2}]}))
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

/// ilert-go marshals unset strings as `""` (incident `status`, `createdAt`, `updatedAt`:
/// incident.go lines 15, 18-19; team `visibility`: team.go line 15): optional fields that no
/// empty string can satisfy are taken as not sent; a required one is still refused.
#[tokio::test]
async fn ilert_go_unset_strings_count_as_not_sent() {
    let server = auto_server().await;
    let token = access_token(&server, "incident:w team:w").await;
    let incident = json!({"id": 0, "summary": "From Go", "status": "", "message": "", "sendNotification": false,
                          "createdAt": "", "updatedAt": "", "affectedServices": []});
    let (st, _, created) = api_post(&server, "/api/incidents", &token, incident).await;
    assert!(st.is_success(), "{st} {created}");
    assert_eq!(created["status"], "INVESTIGATING", "{created}");
    assert!(
        created["createdAt"].as_str().is_some_and(|t| !t.is_empty()),
        "{created}"
    );
    let team = json!({"id": 0, "name": "Go team", "visibility": "", "members": []});
    let (st, _, team) = api_post(&server, "/api/teams", &token, team).await;
    assert!(st.is_success(), "{st} {team}");
    let (st, _, err) = api_post(
        &server,
        "/api/incidents",
        &token,
        json!({"summary": "", "affectedServices": []}),
    )
    .await;
    refused(st, &err, &["summary"]);
}

/// Values ilert-go offers that the document lacks are accepted and kept as sent: the
/// deprecated alert creation names (alert_source.go lines 177-180) and integration types such as
/// CRN (alert_source.go line 393).
#[tokio::test]
async fn ilert_go_enum_values_are_accepted() {
    let server = auto_server().await;
    let token = access_token(&server, "source:w").await;
    let body = json!({"name": "Go values", "integrationType": "CRN", "alertCreation": "ONE_OPEN_INCIDENT_ALLOWED",
                      "escalationPolicy": {"id": 1501}});
    let (st, _, source) = api_post(&server, "/api/alert-sources", &token, body).await;
    assert_eq!(st, StatusCode::CREATED, "{source}");
    assert_eq!(source["integrationType"], "CRN");
    assert_eq!(source["alertCreation"], "ONE_OPEN_INCIDENT_ALLOWED");
    let body = json!({"name": "Bad", "integrationType": "NOT_A_TYPE", "escalationPolicy": {"id": 1501}});
    let (st, _, err) = api_post(&server, "/api/alert-sources", &token, body).await;
    refused(st, &err, &["integrationType"]);
}

/// ilert's JavaScript client posts `{apiKey, eventType, summary}` to `/api/v1/events`
/// (iLert/ilert-js lib/Event.js line 17 at 08a95e4f): it is the Events API there too.
#[tokio::test]
async fn ilert_js_posts_events_to_v1_events() {
    let server = auto_server().await;
    let r = http()
        .post(format!("{}/api/v1/events", server.base_url()))
        .json(&json!({"apiKey": WEB_KEY, "eventType": "ALERT", "summary": "From ilert-js"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["responseCode"], "NEW_ALERT_CREATED", "{body}");
}
