//! Alerts, their lifecycle and the Events API over HTTP; users and policy actions; request
//! validation in the REST error shape.

use crate::common;

use common::*;
use ilert_mock::MockServer;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WEB_KEY: &str = "il1api0a5cf3001e0c8d4f5b9a2e7c6d1f";

async fn token(server: &MockServer, scope: &str) -> String {
    access_token(server, scope).await
}

async fn send(
    server: &MockServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = http().request(method, format!("{}{path}", server.base_url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("answers");
    let status = r.status();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `GET` with a bearer token; the body.
async fn get(server: &MockServer, path: &str, token: &str) -> Value {
    api_get(server, path, token).await.2
}

/// `POST` a JSON body with a bearer token.
async fn post(server: &MockServer, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    send(server, Method::POST, path, Some(token), Some(body)).await
}

/// `PUT` with a bearer token and a JSON body or none.
async fn put(
    server: &MockServer,
    path: &str,
    token: &str,
    body: impl Into<Option<Value>>,
) -> (StatusCode, Value) {
    send(server, Method::PUT, path, Some(token), body.into()).await
}

/// `DELETE` with a bearer token.
async fn delete(server: &MockServer, path: &str, token: &str) -> (StatusCode, Value) {
    send(server, Method::DELETE, path, Some(token), None).await
}

/// `POST /api/events` (no bearer token).
async fn event(server: &MockServer, body: Value) -> (StatusCode, Value) {
    send(server, Method::POST, "/api/events", None, Some(body)).await
}

/// The shifts of the database schedule (8102) around New Year 2030, where it has none of its own.
async fn new_year_2030(server: &MockServer, token: &str) -> Value {
    let range = "from=2029-12-31T00:00:00Z&until=2030-01-03T00:00:00Z";
    get(server, &format!("/api/schedules/8102/shifts?{range}"), token).await
}

/// An alert of the checkout API (source 3003) through the Events API; its id.
async fn checkout_alert(server: &MockServer) -> i64 {
    let body = json!({"integrationKey": "il1api0a5cf3003d4e6f8a0b2c4d6e8f0a", "eventType": "ALERT", "summary": "Checkout slow"});
    let (st, answer) = event(server, body).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{answer}");
    answer["alertId"].as_i64().expect("an alert id")
}

#[tokio::test]
async fn alert_lists_filter_page_and_count() {
    let server = frozen_server().await;
    let t = token(&server, "alert").await;
    let (st, all) = api_get(&server, "/api/alerts", &t).await.into_parts();
    assert_eq!(st, StatusCode::OK);
    assert_eq!(ids(&all), vec![5001, 5002], "only someTenant's alerts");
    assert_eq!(all[0]["alertSource"]["name"], "Website monitoring");
    assert_eq!(all[0]["escalationPolicy"]["name"], "Default");
    assert_eq!(all[0]["responders"][0]["user"]["firstName"], "Some");
    for (query, want) in [
        ("states=PENDING", vec![5001]),
        ("states=PENDING&states=ACCEPTED", vec![5001, 5002]),
        ("sources=3002", vec![5002]),
        ("policies=1501", vec![5001]),
        ("responders=krystianity", vec![5002]),
        ("responders=1001", vec![5001]),
        ("from=2026-11-28T09:00:00Z", vec![5001]),
        ("until=2026-11-28T09:00:00Z", vec![5002]),
        ("start-index=1&max-results=1", vec![5002]),
    ] {
        let (st, list) = api_get(&server, &format!("/api/alerts?{query}"), &t)
            .await
            .into_parts();
        assert_eq!(st, StatusCode::OK, "{query}: {list}");
        assert_eq!(ids(&list), want, "{query}");
    }
    let count = get(&server, "/api/alerts/count?states=ACCEPTED", &t).await;
    assert_eq!(count, json!({"count": 1}));
    let (st, err) = api_get(&server, "/api/alerts?states=OPEN", &t).await.into_parts();
    assert_rest_error(st, &err, 400);
    let message = err["message"].as_str().expect("message");
    assert!(
        message.contains("'states'") && message.contains("PENDING, ACCEPTED, RESOLVED"),
        "{message}"
    );
    let (st, err) = api_get(&server, "/api/alerts?max-results=-1", &t)
        .await
        .into_parts();
    assert_rest_error(st, &err, 400);
}

trait Parts {
    fn into_parts(self) -> (StatusCode, Value);
}

impl Parts for (StatusCode, reqwest::header::HeaderMap, Value) {
    fn into_parts(self) -> (StatusCode, Value) {
        (self.0, self.2)
    }
}

/// A list page is written as text with each alert's source and policy shared across the page;
/// byte for byte, each item is the alert's single answer (which is rendered as a value).
#[tokio::test]
async fn each_listed_alert_is_written_as_its_single_answer() {
    let server = frozen_server().await;
    let token = token(&server, "alert source").await;
    for n in 0..3 {
        let body = json!({"integrationKey": WEB_KEY, "eventType": "ALERT", "summary": format!("listed {n}"), "alertKey": format!("listed-{n}")});
        assert_eq!(event(&server, body).await.0, StatusCode::ACCEPTED);
    }
    checkout_alert(&server).await;
    let text = |path: String| {
        let token = token.clone();
        let url = format!("{}{path}", server.base_url());
        async move {
            let answer = http().get(url).bearer_auth(token).send().await.expect("answers");
            assert_eq!(answer.status(), StatusCode::OK);
            assert_eq!(answer.headers()["content-type"], "application/json");
            answer.text().await.expect("text")
        }
    };
    let page = text("/api/alerts?max-results=50".to_owned()).await;
    let listed: Vec<&serde_json::value::RawValue> = serde_json::from_str(&page).expect("an array");
    assert!(listed.len() >= 6, "fixture alerts and the four sent: {page}");
    for item in &listed {
        let id: Value = serde_json::from_str(item.get()).expect("an alert");
        let single = text(format!("/api/alerts/{}", id["id"])).await;
        assert_eq!(item.get(), single, "item {} of the page", id["id"]);
    }
    // Every alert of the page embeds its source whole, and the ones of one source the same text.
    let items: Vec<Value> = serde_json::from_str(&page).expect("an array");
    let web: Vec<&Value> = items.iter().filter(|a| a["alertSource"]["id"] == 3001).collect();
    assert!(web.len() >= 3);
    assert!(
        web.iter()
            .all(|a| a["alertSource"] == web[0]["alertSource"] && a["alertSource"]["name"].is_string())
    );
}

/// The source embedded in a listed alert, as the page at `path` shows it.
async fn listed_source(server: &MockServer, token: &str, id: i64) -> Value {
    let page = get(server, "/api/alerts?max-results=50&sources=3003", token).await;
    page.as_array()
        .expect("a page")
        .iter()
        .find(|a| a["id"] == id)
        .map(|a| a["alertSource"].clone())
        .expect("the alert is listed")
}

#[tokio::test]
async fn a_listed_alert_embeds_its_source_as_it_is_at_each_request() {
    // List pages keep an embedded source's text across requests while nothing changes; each
    // of a change of the source, of the store, and of the clock alone shows at the next page.
    let server = frozen_server().await;
    server.clock().set(1_801_893_570); // 2027-02-06T05:59:30Z, 30 s before a maintenance window
    let t = token(&server, "alert:w source:w").await;
    let id = checkout_alert(&server).await;
    let single = || get(&server, "/api/alert-sources/3003", &t);
    let first = listed_source(&server, &t, id).await;
    assert_eq!(first, single().await);
    assert_eq!(first["status"], "PENDING");
    assert_eq!(listed_source(&server, &t, id).await, first, "the same page twice");

    let mut renamed = first.clone();
    renamed["name"] = json!("Checkout API (renamed)");
    let (st, answer) = send(
        &server,
        Method::PUT,
        "/api/alert-sources/3003",
        Some(&t),
        Some(renamed),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{answer}");
    let second = listed_source(&server, &t, id).await;
    assert_eq!(second["name"], "Checkout API (renamed)");
    assert_eq!(second, single().await);

    // Accepting the alert changes the source's status (the store changed, the source did not).
    let (st, answer) = send(
        &server,
        Method::PUT,
        &format!("/api/alerts/{id}/accept"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{answer}");
    let third = listed_source(&server, &t, id).await;
    assert_eq!(third, single().await);
    assert_eq!(third["status"], "ALL_ACCEPTED");

    // Only the clock moves (the token stays valid): the window opens.
    server.clock().advance(60);
    let fourth = listed_source(&server, &t, id).await;
    assert_eq!(fourth["status"], "IN_MAINTENANCE");
    assert_eq!(fourth, single().await);
}

#[tokio::test]
async fn the_lifecycle_writes_log_entries_and_notifications() {
    let server = frozen_server().await;
    let t = token(&server, "alert:d").await;
    let (st, created) = post(
        &server,
        "/api/alerts",
        &t,
        json!({"summary": "Disk full on web-1", "alertSource": {"id": 3001}}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["priority"], "HIGH", "the source's rule");
    assert_eq!(
        created["responders"][0]["user"]["id"], 1001,
        "the policy's first level"
    );

    let (st, added) = post(
        &server,
        &format!("/api/alerts/{id}/responders"),
        &t,
        json!({"user": {"id": 1002}}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{added}");
    assert_eq!(added["user"]["lastName"], "Example");
    let (st, _) = delete(&server, &format!("/api/alerts/{id}/responders/1002"), &t).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, err) = delete(&server, &format!("/api/alerts/{id}/responders/1002"), &t).await;
    assert_rest_error(st, &err, 404);

    let (st, accepted) = put(&server, &format!("/api/alerts/{id}/accept"), &t, None).await;
    assert_eq!(st, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["status"], "ACCEPTED");
    assert_eq!(accepted["assignedTo"]["id"], 1001);
    assert_eq!(accepted["responders"][0]["status"], "ACCEPTED");
    let (_, resolved) = put(&server, &format!("/api/alerts/{id}/resolve"), &t, None).await;
    assert_eq!(resolved["status"], "RESOLVED");
    assert!(resolved["resolvedOn"].is_string());
    let (st, err) = put(&server, &format!("/api/alerts/{id}/accept"), &t, None).await;
    assert_rest_error(st, &err, 409);

    let log = get(&server, &format!("/api/alerts/{id}/log-entries"), &t).await;
    let kinds: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|e| e["logEntryType"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "AlertCreatedByUserLogEntry",
            "NotificationLogEntry",
            "AlertAssignedByUserLogEntry",
            "NotificationLogEntry",
            "AlertAssignedByUserLogEntry",
            "UserResponseLogEntry",
            "UserResponseLogEntry"
        ]
    );
    let updates = get(
        &server,
        &format!("/api/alerts/{id}/log-entries?filter-types=ALERT_UPDATES&max-results=2"),
        &t,
    )
    .await;
    assert_eq!(updates.as_array().expect("log").len(), 2);
    let notes = get(&server, &format!("/api/alerts/{id}/notifications"), &t).await;
    let targets: Vec<&str> = notes
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n["target"].as_str())
        .collect();
    assert_eq!(targets, ["some.user@example.com", "chris@example.com"]);

    let (st, assigned) = put(&server, "/api/alerts/5001/assign?policy=1502", &t, None).await;
    assert_eq!(st, StatusCode::OK, "{assigned}");
    assert_eq!(assigned["escalationPolicy"]["id"], 1502);
    assert_eq!(assigned["responders"][0]["user"]["id"], 1002);
    let (st, err) = put(&server, "/api/alerts/5001/assign", &t, None).await;
    assert_rest_error(st, &err, 400);
    let (st, err) = put(&server, "/api/alerts/5001/assign?user=2001", &t, None).await;
    assert_rest_error(st, &err, 400);
    let (st, err) = put(&server, "/api/alerts/6001/accept", &t, None).await;
    assert_rest_error(st, &err, 404);

    // The read scope does not move alerts.
    let read = token(&server, "alert").await;
    let (st, err) = put(&server, "/api/alerts/5001/accept", &read, None).await;
    assert_rest_error(st, &err, 403);
}

#[tokio::test]
async fn the_events_api_opens_appends_accepts_and_resolves_by_alert_key() {
    let server = frozen_server().await;
    let t = token(&server, "alert source").await;
    let ev = |kind: &str, summary: &str| json!({"integrationKey": WEB_KEY, "eventType": kind, "alertKey": "srv/mail01", "summary": summary});
    let (st, first) = event(&server, ev("ALERT", "Host srv/mail01 is CRITICAL")).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{first}");
    assert_eq!(first["responseCode"], "NEW_ALERT_CREATED");
    let id = first["alertId"].as_i64().expect("id");
    let (_, again) = event(&server, ev("ALERT", "Host srv/mail01 is DOWN")).await;
    assert_eq!(
        (again["responseCode"].as_str(), again["alertId"].as_i64()),
        (Some("EVENT_APPENDED"), Some(id))
    );
    let alert = get(&server, &format!("/api/alerts/{id}"), &t).await;
    assert_eq!(
        (alert["status"].as_str(), alert["summary"].as_str()),
        (Some("PENDING"), Some("Host srv/mail01 is CRITICAL"))
    );
    let source = get(&server, "/api/alert-sources/3001", &t).await;
    assert_eq!(source["status"], "PENDING");

    // The source's integrationUrl takes events too, the key in the path.
    let url = source["integrationUrl"].as_str().expect("url").to_owned();
    assert!(url.starts_with(&server.base_url()), "{url}");
    let r = http()
        .post(&url)
        .json(&json!({"eventType": "ACCEPT", "alertKey": "srv/mail01", "summary": "on it"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let alert = get(&server, &format!("/api/alerts/{id}"), &t).await;
    assert_eq!(alert["status"], "ACCEPTED");
    let (_, done) = event(&server, ev("RESOLVE", "fixed")).await;
    assert_eq!(done["responseCode"], "ALERT_RESOLVED");
    let alert = get(&server, &format!("/api/alerts/{id}"), &t).await;
    assert_eq!(alert["status"], "RESOLVED");
    // Resolved: the next ALERT with the key opens a new alert.
    let (_, reopened) = event(&server, ev("ALERT", "again")).await;
    assert_eq!(reopened["responseCode"], "NEW_ALERT_CREATED");
    assert_ne!(reopened["alertId"], json!(id));

    for (body, needle) in [
        (
            json!({"integrationKey": "nope", "eventType": "ALERT", "summary": "x"}),
            "integration key 'nope'",
        ),
        (
            json!({"integrationKey": WEB_KEY, "eventType": "EXPLODE", "summary": "x"}),
            "ALERT, ACCEPT, RESOLVE, COMMENT",
        ),
        (
            json!({"integrationKey": WEB_KEY, "eventType": "ALERT"}),
            "'summary' is required",
        ),
        (
            json!({"integrationKey": WEB_KEY, "eventType": "ACCEPT", "alertKey": "unknown", "summary": "x"}),
            "no open alert",
        ),
        (
            json!({"integrationKey": "il1prom5cf3002b7e4a1c9d8f6e2b3a0c5", "eventType": "ALERT", "summary": "x"}),
            "disabled",
        ),
    ] {
        let (st, err) = event(&server, body).await;
        assert_rest_error(st, &err, 400);
        assert!(
            err["message"].as_str().is_some_and(|m| m.contains(needle)),
            "{needle}: {err}"
        );
    }
}

#[tokio::test]
async fn bodies_are_checked_against_the_document() {
    let server = frozen_server().await;
    let t = token(&server, "source:w").await;
    for (body, needles) in [
        (
            json!({"name": "x", "integrationType": "CARRIER_PIGEON", "escalationPolicy": {"id": 1501}}),
            &["'integrationType'", "PROMETHEUS"][..],
        ),
        (
            json!({"name": 5, "integrationType": "API", "escalationPolicy": {"id": 1501}}),
            &["'name' must be a string"][..],
        ),
    ] {
        let (st, err) = post(&server, "/api/alert-sources", &t, body).await;
        assert_rest_error(st, &err, 400);
        let message = err["message"].as_str().expect("message");
        assert!(needles.iter().all(|n| message.contains(n)), "{message}");
    }
    let r = http()
        .post(format!("{}/api/alert-sources", server.base_url()))
        .bearer_auth(&t)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("answers");
    let st = r.status();
    assert_rest_error(st, &r.json().await.expect("json"), 400);
}

#[tokio::test]
async fn users_profile_and_references() {
    let server = frozen_server().await;
    let profile = token(&server, "profile").await;
    let update = json!({"firstName": "Sam", "lastName": "User", "email": "sam@example.com", "role": "GUEST"});
    let (st, err) = put(&server, "/api/users/current", &profile, update.clone()).await;
    assert_rest_error(st, &err, 403);
    let write = token(&server, "profile:w").await;
    let (st, me) = put(&server, "/api/users/current", &write, update).await;
    assert_eq!(st, StatusCode::OK, "{me}");
    assert_eq!(
        (me["firstName"].as_str(), me["role"].as_str()),
        (Some("Sam"), Some("ADMIN")),
        "the role is not the user's to change"
    );
    let me = get(&server, "/api/users/current", &write).await;
    assert_eq!(me["email"], "sam@example.com");

    let users = token(&server, "user:d").await;
    let list = get(&server, "/api/users", &users).await;
    assert_eq!(ids(&list), vec![1001, 1002]);
    let (st, err) = delete(&server, "/api/users/1002", &users).await;
    assert_rest_error(st, &err, 409);
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("escalation policy")),
        "{err}"
    );
    let emails = get(&server, "/api/users/1001/contacts/emails", &users).await;
    assert_eq!(emails[0]["target"], "some.user@example.com");
    let (st, err) = api_get(&server, "/api/users/2001/contacts/emails", &users)
        .await
        .into_parts();
    assert_rest_error(st, &err, 404);
    let (st, found) = post(
        &server,
        "/api/users/search-email",
        &users,
        json!({"email": "CHRIS@example.com"}),
    )
    .await;
    assert_eq!((st, found["id"].as_i64()), (StatusCode::OK, Some(1002)));
}

#[tokio::test]
async fn policies_resolve_by_routing_key_and_replace_levels() {
    let server = frozen_server().await;
    let t = token(&server, "policy:w").await;
    // The first known key of the list wins.
    let first_known = "/api/escalation-policies/resolve?routing-key=nothing,db";
    assert_eq!(get(&server, first_known, &t).await["id"], 1502);
    let p = get(
        &server,
        "/api/escalation-policies/resolve?routing-key=il:1501",
        &t,
    )
    .await;
    assert_eq!(p["id"], 1501);
    let (st, err) = api_get(
        &server,
        "/api/escalation-policies/resolve?routing-key=nothing",
        &t,
    )
    .await
    .into_parts();
    assert_rest_error(st, &err, 404);
    let level = json!({"escalationTimeout": 10, "users": [{"id": 1001}]});
    let (st, rule) = put(
        &server,
        "/api/escalation-policies/1501/levels/1",
        &t,
        level.clone(),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{rule}");
    assert_eq!(rule["users"][0]["firstName"], "Some");
    let p = get(&server, "/api/escalation-policies/1501", &t).await;
    assert_eq!(p["escalationRules"][1]["escalationTimeout"], 10);
    let (st, err) = put(&server, "/api/escalation-policies/1501/levels/7", &t, level).await;
    assert_rest_error(st, &err, 404);
}

#[tokio::test]
async fn resources_survive_a_restart_with_a_state_file_and_reset_returns_to_the_fixtures() {
    let dir = std::env::temp_dir().join(format!("ilert-mock-resources-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let start = || {
        MockServer::builder()
            .auto_approve("someUser")
            .state_file(file.clone())
            .start()
    };
    let server = start().await.expect("starts");
    let (st, created) = event(
        &server,
        json!({"integrationKey": WEB_KEY, "eventType": "ALERT", "alertKey": "kept", "summary": "Kept across restarts"}),
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{created}");
    let id = created["alertId"].as_i64().expect("id");
    let t = token(&server, "user:w alert schedule:w team:w").await;
    let (st, _) = post(
        &server,
        "/api/users/1002/contacts/emails",
        &t,
        json!({"target": "chris@work.example"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, team) = post(&server, "/api/teams", &t, json!({"name": "Night shift"})).await;
    assert_eq!(st, StatusCode::CREATED, "{team}");
    let cover = json!({"user": {"id": 1002}, "start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z"});
    let (st, _) = put(&server, "/api/schedules/8102/overrides", &t, cover).await;
    assert_eq!(st, StatusCode::OK);
    drop(server);

    let server = start().await.expect("restarts");
    let t = token(&server, "user alert schedule team").await;
    assert_eq!(
        new_year_2030(&server, &t).await[0]["user"]["id"],
        1002,
        "the override is kept"
    );
    assert_eq!(
        get(&server, &format!("/api/teams/{}", team["id"]), &t).await["name"],
        "Night shift"
    );
    let alert = get(&server, &format!("/api/alerts/{id}"), &t).await;
    assert_eq!(alert["summary"], "Kept across restarts");
    let log = get(&server, &format!("/api/alerts/{id}/log-entries"), &t).await;
    assert!(!log.as_array().expect("log").is_empty());
    let emails = get(&server, "/api/users/1002/contacts/emails", &t).await;
    assert_eq!(emails.as_array().expect("emails").len(), 2);

    server.reset();
    let (st, _, _) = api_get(&server, &format!("/api/alerts/{id}"), &t).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let emails = get(&server, "/api/users/1002/contacts/emails", &t).await;
    assert_eq!(emails.as_array().expect("emails").len(), 1);
    assert_eq!(
        new_year_2030(&server, &t).await,
        json!([]),
        "the fixtures have no such override"
    );
    let (st, _, _) = api_get(&server, &format!("/api/teams/{}", team["id"]), &t).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn support_hours_schedules_maintenance_and_teams_act_on_alerts() {
    // 2027-01-15 is a Friday; 08:00 UTC is 09:00 in Berlin, inside the office hours of the
    // checkout API's support hours (Friday 08:00 to 16:00).
    let server = frozen_server().await;
    let scopes = "alert:w source schedule team:d";
    let t = token(&server, scopes).await;
    let id = checkout_alert(&server).await;
    let alert = get(&server, &format!("/api/alerts/{id}"), &t).await;
    assert_eq!(alert["priority"], "HIGH", "inside support hours");

    // Assigned to the platform schedule: whoever is on call at the mock clock.
    let assign = format!("/api/alerts/{id}/assign?schedule=8101");
    let (st, assigned) = put(&server, &assign, &t, None).await;
    assert_eq!(st, StatusCode::OK, "{assigned}");
    assert_eq!(assigned["assignedTo"]["id"], 1001);
    // 13:00 UTC: Chris's override (12:00 to 18:00) is on call.
    server.clock().advance(5 * 3600);
    let t = token(&server, scopes).await;
    let (_, assigned) = put(&server, &assign, &t, None).await;
    assert_eq!(assigned["assignedTo"]["id"], 1002);
    let on_call = get(&server, "/api/schedules/8101/user-on-call", &t).await;
    assert_eq!(on_call["user"]["id"], 1002);

    // 19:00 UTC is 20:00 in Berlin, outside support hours: a new alert is LOW.
    server.clock().advance(6 * 3600);
    let t = token(&server, scopes).await;
    let id = checkout_alert(&server).await;
    let alert = get(&server, &format!("/api/alerts/{id}"), &t).await;
    assert_eq!(alert["priority"], "LOW", "outside support hours");

    // During the shop migration window the checkout API is in maintenance.
    let source = get(&server, "/api/alert-sources/3003", &t).await;
    assert_ne!(source["status"], "IN_MAINTENANCE");
    server.clock().set(1_801_897_200); // 2027-02-06T07:00:00Z, inside 06:00 to 10:00
    let t = token(&server, scopes).await;
    let source = get(&server, "/api/alert-sources/3003", &t).await;
    assert_eq!(source["status"], "IN_MAINTENANCE");

    // A team a policy names cannot be deleted.
    let (st, err) = delete(&server, "/api/teams/8001", &t).await;
    assert_rest_error(st, &err, 409);
}
