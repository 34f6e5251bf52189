//! ilert's official Rust crate (`ilert` 3.2.0 from crates.io, a dev-dependency; its code is not
//! copied) against the mock, unchanged: the crate pointed at the mock's base URL with an OAuth2
//! access token as its bearer (`ILert::auth_via_token`). Every step asserts on state read back,
//! not only on the status; `body_json` is filled only when the answer's `Content-Type` is exactly
//! `application/json` (`src/ilert_builders.rs` lines 401-403), so reading it proves that too.
//!
//! The crate's HTTP client is reqwest's blocking one, which runs its own runtime: each test runs
//! the crate on a blocking thread (`spawn_blocking`) while the mock serves on the test's runtime.
//! Not driven: `ILert::delete()`, which sends `GET` (`src/ilert_builders.rs` lines 821-824), so
//! it cannot delete anything anywhere.

use crate::common::*;

use ilert::ilert::ILert;
use ilert::ilert_builders::{
    AlertGetApiResource, AlertPutApiResource, BaseRequestResult, EventApiResource, EventComment, EventImage,
    EventLink, ILertEventType, ILertPriority, IncidentGetApiResource, IncidentPostApiResource,
    IncidentPutApiResource, ScheduleGetApiResource, ServiceGetApiResource, ServicePostApiResource,
    ServicePutApiResource, UserGetApiResource,
};
use serde_json::{Value, json};

/// Source 3001, "Website monitoring" (integration type API).
const WEB_KEY: &str = "il1api0a5cf3001e0c8d4f5b9a2e7c6d1f";

/// The crate's client for the mock at `base`, authenticated with `token`.
fn client(base: &str, token: &str) -> ILert {
    let mut client = ILert::new_with_opts(Some(base), Some(10)).expect("the crate builds its client");
    client.auth_via_token(token).expect("token set");
    client
}

/// Runs `f` (the crate's blocking calls) off the async runtime the mock serves on.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("the crate's thread finishes")
}

/// A crate result's status and its parsed JSON body (which the crate must have parsed).
fn answer(result: Result<BaseRequestResult, ilert::ilert_error::ILertError>, what: &str) -> (u16, Value) {
    let result = result.unwrap_or_else(|e| panic!("{what}: the crate failed: {e}"));
    let status = result.status.as_u16();
    let body = result.body_json.unwrap_or_else(|| {
        panic!(
            "{what}: {status}: the crate parsed no JSON from {:?}",
            result.body_raw
        )
    });
    (status, body)
}

/// A GET through the crate's own HTTP client (for what the crate has no method for, such as an
/// alert's log entries): the JSON answer.
fn get_json(client: &ILert, base: &str, token: &str, path: &str) -> Value {
    let r = client
        .http_client
        .get(format!("{base}{path}"))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .expect("answers");
    assert!(r.status().is_success(), "{path}: {}", r.status());
    serde_json::from_str(&r.text().expect("body")).expect("JSON")
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["id"].as_i64())
        .collect()
}

/// Events (ALERT with details, COMMENT, RESOLVE by alert key) as the crate's README shows them,
/// and accepting and resolving alerts through the REST API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_alert_actions_through_the_crate() {
    let server = frozen_server().await;
    let (base, token) = (server.base_url(), access_token(&server, "alert:w").await);
    blocking(move || {
        let ilert = client(&base, &token);
        // ALERT with details (the crate's `event_with_details`, `apiKey` and `null`s included).
        let (status, opened) = answer(
            ilert
                .create()
                .event_with_details(
                    WEB_KEY,
                    ILertEventType::ALERT,
                    Some("Host srv/mail01 is CRITICAL".to_owned()),
                    Some("bratwurst".to_owned()),
                    Some("some detail message".to_owned()),
                    Some(ILertPriority::LOW),
                    Some(vec![EventImage::new("https://example.com/graph.png")]),
                    Some(vec![EventLink::new("https://example.com/runbook")]),
                    Some(json!({"region": "eu-central"})),
                    None,
                )
                .execute(),
            "ALERT",
        );
        assert_eq!(status, 202, "{opened}");
        assert_eq!(opened["responseCode"], "NEW_ALERT_CREATED");
        let id = opened["alertId"].as_i64().expect("alert id");
        let (status, alert) = answer(ilert.get().alert(id).execute(), "GET alert");
        assert_eq!(status, 200);
        assert_eq!(alert["summary"], "Host srv/mail01 is CRITICAL");
        assert_eq!(alert["details"], "some detail message");
        assert_eq!(alert["alertKey"], "bratwurst");
        assert_eq!(alert["priority"], "LOW");
        assert_eq!(alert["status"], "PENDING");
        assert_eq!(alert["alertSource"]["id"], 3001);
        assert_eq!(alert["images"], json!([{"src": "https://example.com/graph.png"}]));
        assert_eq!(alert["links"], json!([{"href": "https://example.com/runbook"}]));
        assert_eq!(alert["customDetails"]["region"], "eu-central");

        // COMMENT by alert key (`event_with_comment`, no summary).
        let (status, commented) = answer(
            ilert
                .create()
                .event_with_comment(
                    WEB_KEY,
                    Some("bratwurst".to_owned()),
                    Some(vec![EventComment::new("Peter Parker", "rebooting the host")]),
                )
                .execute(),
            "COMMENT",
        );
        assert_eq!(
            (status, commented["alertId"].as_i64()),
            (202, Some(id)),
            "{commented}"
        );
        let log = get_json(&ilert, &base, &token, &format!("/api/alerts/{id}/log-entries"));
        assert!(
            log.as_array()
                .expect("log")
                .iter()
                .any(|e| e["text"] == "rebooting the host"),
            "the comment is in the alert's log: {log}"
        );

        // Accept through the REST API (PUT, JSON Content-Type, no body).
        let (status, accepted) = answer(ilert.update().accept_alert(id).execute(), "accept");
        assert_eq!((status, accepted["status"].as_str()), (200, Some("ACCEPTED")));
        let (_, alert) = answer(ilert.get().alert(id).execute(), "GET alert");
        assert_eq!(alert["status"], "ACCEPTED");

        // RESOLVE by alert key (`event`, `"summary": null`).
        let (status, resolved) = answer(
            ilert
                .create()
                .event(
                    WEB_KEY,
                    ILertEventType::RESOLVE,
                    None,
                    Some("bratwurst".to_owned()),
                )
                .execute(),
            "RESOLVE",
        );
        assert_eq!(
            (status, resolved["responseCode"].as_str()),
            (202, Some("ALERT_RESOLVED"))
        );
        let (_, alert) = answer(ilert.get().alert(id).execute(), "GET alert");
        assert_eq!(alert["status"], "RESOLVED");

        // A second alert, resolved through the REST API.
        let (_, second) = answer(
            ilert
                .create()
                .event(
                    WEB_KEY,
                    ILertEventType::ALERT,
                    Some("Disk almost full".to_owned()),
                    None,
                )
                .execute(),
            "ALERT",
        );
        let second = second["alertId"].as_i64().expect("id");
        assert_ne!(second, id);
        let (status, done) = answer(ilert.update().resolve_alert(second).execute(), "resolve");
        assert_eq!((status, done["status"].as_str()), (200, Some("RESOLVED")));
        let (_, listed) = answer(
            ilert.get().filter("states", "RESOLVED").alerts().execute(),
            "GET alerts",
        );
        let resolved = ids(&listed);
        assert!(
            resolved.contains(&id) && resolved.contains(&second),
            "{resolved:?}"
        );
    })
    .await;
}

/// Users with paging (`skip`/`limit` send `start-index`/`max-results`), schedules and shifts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_schedules_through_the_crate() {
    let server = frozen_server().await;
    let (base, token) = (server.base_url(), access_token(&server, "user schedule").await);
    blocking(move || {
        let ilert = client(&base, &token);
        let (status, all) = answer(ilert.get().users().execute(), "GET users");
        assert_eq!(status, 200);
        assert_eq!(ids(&all), vec![1001, 1002], "someTenant's users");
        let (_, page) = answer(ilert.get().skip(1).limit(1).users().execute(), "page 2");
        assert_eq!(ids(&page), vec![1002]);
        let (_, first) = answer(ilert.get().skip(0).limit(1).users().execute(), "page 1");
        assert_eq!(ids(&first), vec![1001]);
        let (_, past) = answer(ilert.get().skip(2).limit(1).users().execute(), "past the end");
        assert_eq!(past, json!([]));
        let (_, user) = answer(ilert.get().user(1001).execute(), "GET user");
        assert_eq!(user["firstName"], "Some");

        let (_, schedules) = answer(ilert.get().schedules().execute(), "GET schedules");
        assert_eq!(ids(&schedules), vec![8101, 8102], "someTenant's schedules");
        let (_, schedule) = answer(ilert.get().schedule(8102).execute(), "GET schedule");
        assert_eq!(
            (schedule["name"].as_str(), schedule["type"].as_str()),
            (Some("Database January"), Some("STATIC"))
        );
        let (status, shifts) = answer(
            ilert
                .get()
                .filter("from", "2027-01-11T00:00:00Z")
                .filter("until", "2027-01-26T00:00:00Z")
                .schedule_shifts(8102)
                .execute(),
            "GET shifts",
        );
        assert_eq!(status, 200);
        let people: Vec<(i64, &str)> = shifts
            .as_array()
            .expect("shifts")
            .iter()
            .filter_map(|s| Some((s["user"]["id"].as_i64()?, s["start"].as_str()?)))
            .collect();
        assert_eq!(
            people,
            vec![(1002, "2027-01-11T08:00:00Z"), (1001, "2027-01-18T08:00:00Z")],
            "{shifts}"
        );
    })
    .await;
}

/// Services and incidents: create, read, update through the crate; an incident moves its
/// service, and resolving it moves the service back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_and_incidents_through_the_crate() {
    let server = frozen_server().await;
    let (base, token) = (
        server.base_url(),
        access_token(&server, "service:w incident:w").await,
    );
    blocking(move || {
        let ilert = client(&base, &token);
        let (status, created) = answer(
            ilert
                .create()
                .service_raw(&json!({"name": "Search API", "description": "Full-text search"}))
                .execute(),
            "POST service",
        );
        // 201 as ilert-go expects (mock-server/docs/reconciliation-resources.md); the crate
        // takes any status.
        assert_eq!(status, 201, "{created}");
        let service = created["id"].as_i64().expect("service id");
        let (_, read) = answer(ilert.get().service(service).execute(), "GET service");
        assert_eq!(
            (read["name"].as_str(), read["status"].as_str()),
            (Some("Search API"), Some("OPERATIONAL"))
        );
        let (status, _) = answer(
            ilert
                .update()
                .service_raw(
                    service,
                    &json!({"name": "Search API v2", "description": "Full-text search"}),
                )
                .execute(),
            "PUT service",
        );
        assert_eq!(status, 200);
        let (_, listed) = answer(ilert.get().services().execute(), "GET services");
        let renamed = listed
            .as_array()
            .expect("services")
            .iter()
            .find(|s| s["id"] == service)
            .unwrap_or_else(|| panic!("the new service is listed: {listed}"));
        assert_eq!(renamed["name"], "Search API v2");

        let (status, incident) = answer(
            ilert
                .create()
                .incident_raw(&json!({
                    "summary": "Search is down",
                    "status": "INVESTIGATING",
                    "message": "Looking into it",
                    "affectedServices": [{"impact": "MAJOR_OUTAGE", "service": {"id": service}}]
                }))
                .execute(),
            "POST incident",
        );
        assert_eq!(status, 200, "ilert documents 200 for POST /incidents: {incident}");
        let id = incident["id"].as_i64().expect("incident id");
        let (_, read) = answer(ilert.get().incident(id).execute(), "GET incident");
        assert_eq!(
            (read["summary"].as_str(), read["status"].as_str()),
            (Some("Search is down"), Some("INVESTIGATING"))
        );
        let (_, moved) = answer(ilert.get().service(service).execute(), "GET service");
        assert_eq!(moved["status"], "MAJOR_OUTAGE");
        let (_, listed) = answer(ilert.get().incidents().execute(), "GET incidents");
        assert!(ids(&listed).contains(&id), "{listed}");

        let (status, resolved) = answer(
            ilert
                .update()
                .incident_raw(id, &json!({"status": "RESOLVED", "message": "Back up"}))
                .execute(),
            "PUT incident",
        );
        assert_eq!((status, resolved["status"].as_str()), (200, Some("RESOLVED")));
        let (_, read) = answer(ilert.get().incident(id).execute(), "GET incident");
        assert_eq!(
            (read["status"].as_str(), read["summary"].as_str()),
            (Some("RESOLVED"), Some("Search is down"))
        );
        let (_, back) = answer(ilert.get().service(service).execute(), "GET service");
        assert_eq!(back["status"], "OPERATIONAL");
    })
    .await;
}
