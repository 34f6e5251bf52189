//! Heartbeat monitors, reports, API usage, connectors and call flow numbers over HTTP: the
//! behaviour that follows the mock clock and the store, and that it survives a restart with a
//! state file and goes with `/_mock/reset`.

use crate::common;

use common::*;
use ilert_mock::MockServer;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WEB_KEY: &str = "il1api0a5cf3001e0c8d4f5b9a2e7c6d1f";

/// Creates a heartbeat monitor; its id and ping path (under the base URL).
async fn monitor(server: &MockServer, t: &str, name: &str, interval: i64) -> (i64, String) {
    let body = json!({"name": name, "intervalSec": interval, "alertSource": {"id": 3001}});
    let (st, _, created) = api_post(server, "/api/heartbeat-monitors", t, body).await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("id");
    let path = format!("/api/heartbeat-monitors/{id}?include=integrationUrl");
    let (_, _, got) = api_request(server, Method::GET, &path, Some(t), None).await;
    let url = got["integrationUrl"].as_str().expect("integrationUrl");
    let ping = url
        .strip_prefix(&server.base_url())
        .expect("a URL of the mock")
        .to_owned();
    (id, ping)
}

async fn state_of(server: &MockServer, t: &str, id: i64) -> Value {
    api_request(
        server,
        Method::GET,
        &format!("/api/heartbeat-monitors/{id}"),
        Some(t),
        None,
    )
    .await
    .2["state"]
        .clone()
}

#[tokio::test]
async fn heartbeats_follow_pings_and_the_mock_clock_and_page_by_cursor() {
    let server = frozen_server().await;
    let t = access_token(&server, "monitor:d").await;
    let (id, ping) = monitor(&server, &t, "Cron", 60).await;
    assert_eq!(state_of(&server, &t, id).await, "UNKNOWN");
    for method in [Method::GET, Method::HEAD, Method::POST] {
        let (st, _, _) = api_request(&server, method, &ping, None, None).await;
        assert_eq!(st, StatusCode::ACCEPTED);
    }
    assert_eq!(state_of(&server, &t, id).await, "HEALTHY");
    server.clock().advance(61);
    assert_eq!(state_of(&server, &t, id).await, "OVERDUE");
    let (st, _, _) = api_request(&server, Method::GET, "/api/heartbeats/il1hbt-unknown", None, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The same name again: 409 with the existing monitor.
    let body = json!({"name": "Cron", "intervalSec": 60, "alertSource": {"id": 3001}});
    let (st, _, existing) = api_post(&server, "/api/heartbeat-monitors", &t, body).await;
    assert_eq!((st, existing["id"].as_i64()), (StatusCode::CONFLICT, Some(id)));

    // Three monitors (two fixtures and "Cron"), two a page: the cursor leads to the third.
    let (_, headers, first) = api_request(
        &server,
        Method::GET,
        "/api/heartbeat-monitors?max-results=2",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(first.as_array().map(Vec::len), Some(2));
    let cursor = headers["next-cursor"].to_str().expect("a cursor").to_owned();
    let path = format!("/api/heartbeat-monitors?max-results=2&cursor={cursor}");
    let (_, headers, rest) = api_request(&server, Method::GET, &path, Some(&t), None).await;
    assert_eq!(rest[0]["id"].as_i64(), Some(id));
    assert!(headers.get("next-cursor").is_none());
}

#[tokio::test]
async fn reports_are_computed_from_the_alert_store_and_usage_counts_api_calls() {
    let server = frozen_server().await;
    let t = access_token(&server, "report alert:w").await;
    let range = "from=2027-01-15T00:00:00Z&until=2027-01-15T07:59:00Z";
    let path = format!("/api/reports/alerts/summary?{range}");
    let (_, _, before) = api_request(&server, Method::GET, &path, Some(&t), None).await;
    assert_eq!(before, json!([]));
    let event = json!({"integrationKey": WEB_KEY, "eventType": "ALERT", "alertKey": "r", "summary": "Down"});
    let (st, _, opened) = api_request(&server, Method::POST, "/api/events", None, Some(event)).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{opened}");
    server.clock().advance(90);
    let accept = format!("/api/alerts/{}/accept", opened["alertId"]);
    let (st, _, _) = api_request(&server, Method::PUT, &accept, Some(&t), None).await;
    assert_eq!(st, StatusCode::OK);
    server.clock().advance(60);
    let range = "from=2027-01-15T00:00:00Z&until=2027-01-15T08:02:00Z";
    let path = format!("/api/reports/alerts/summary?{range}");
    let (_, _, rows) = api_request(&server, Method::GET, &path, Some(&t), None).await;
    assert_eq!(
        rows,
        json!([{"alertSourceId": 3001, "escalationPolicyId": 1501, "count": 1, "mtta": 90}])
    );

    // The calls above needing `alert` and `report` were counted; `/users/current` is not.
    let profile = access_token(&server, "profile").await;
    let _ = api_request(&server, Method::GET, "/api/users/current", Some(&profile), None).await;
    let path = "/api/reports/api-keys/usage?from=2027-01-15T00:00:00Z&until=2027-01-15T08:02:00Z";
    let (st, _, usage) = api_request(&server, Method::GET, path, Some(&t), None).await;
    assert_eq!(st, StatusCode::OK, "{usage}");
    let requests = |scope: &str| {
        usage
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r[1] == scope)
            .map(|r| r[3].clone())
    };
    assert_eq!(requests("alert"), Some(json!(1)), "{usage}");
    assert_eq!(requests("report"), Some(json!(3)), "{usage}");
    assert_eq!(requests("profile"), None, "{usage}");
}

#[tokio::test]
async fn references_between_connectors_actions_flows_and_numbers_hold() {
    let server = frozen_server().await;
    let t = access_token(&server, "connector:d action:d source:d").await;
    // The Jira connector is used by an alert action: 409 until the action goes.
    let (st, _, err) = api_request(&server, Method::DELETE, "/api/connectors/9202", Some(&t), None).await;
    assert_rest_error(st, &err, 409);
    // A connector's type cannot change.
    let body = json!({"name": "Jira", "type": "slack", "params": {}});
    let (st, _, err) = api_request(&server, Method::PUT, "/api/connectors/9202", Some(&t), Some(body)).await;
    assert_rest_error(st, &err, 400);
    let (st, _, _) = api_request(&server, Method::DELETE, "/api/alert-actions/9212", Some(&t), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = api_request(&server, Method::DELETE, "/api/connectors/9202", Some(&t), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    // Number 9601 is used by call flow 9611; 9602 is free until a flow takes it.
    let number = |id: i64| format!("/api/call-flow-numbers/{id}");
    let (_, _, used) = api_request(&server, Method::GET, &number(9601), Some(&t), None).await;
    assert_eq!(
        (used["state"].clone(), used["assignedTo"]["id"].clone()),
        (json!("USED"), json!(9611))
    );
    let flow = |n: i64| json!({"name": "Second line", "language": "en", "assignedNumber": {"id": n}, "root": {"nodeType": "ROOT"}});
    let post_flow = |n: i64| api_request(&server, Method::POST, "/api/call-flows", Some(&t), Some(flow(n)));
    let (st, _, err) = post_flow(9601).await;
    assert_rest_error(st, &err, 409);
    let (st, _, created) = post_flow(9602).await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let (_, _, taken) = api_request(&server, Method::GET, &number(9602), Some(&t), None).await;
    assert_eq!(taken["state"], "USED");
    let path = format!("/api/call-flows/{}", created["id"]);
    let (st, _, _) = api_request(&server, Method::DELETE, &path, Some(&t), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, _, free) = api_request(&server, Method::GET, &number(9602), Some(&t), None).await;
    assert_eq!(free["state"], "AVAILABLE");
}

#[tokio::test]
async fn monitors_and_pings_survive_a_restart_and_reset_returns_to_the_fixtures() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("state.json");
    let start = || frozen_builder().state_file(file.clone()).start();
    let server = start().await.expect("starts");
    let t = access_token(&server, "monitor:d").await;
    let (id, ping) = monitor(&server, &t, "Kept", 600).await;
    let (st, _, _) = api_request(&server, Method::POST, &ping, None, None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    drop(server);

    let server = start().await.expect("restarts");
    let t = access_token(&server, "monitor").await;
    assert_eq!(state_of(&server, &t, id).await, "HEALTHY");
    server.reset();
    let path = format!("/api/heartbeat-monitors/{id}");
    let (st, _, err) = api_request(&server, Method::GET, &path, Some(&t), None).await;
    assert_rest_error(st, &err, 404);
}
