//! Run-time changes through `/_mock` and their Rust twins: tenants added, apps and users removed
//! (their refresh grants die with a reason), malformed control requests named by field, the
//! journal's JSON bodies, and the eleventh grant's message.

use crate::common;

use common::*;
use ilert_mock::MockServer;
use ilert_mock::Tenant;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Adds a user of `tenant` through `POST /_mock/users`.
async fn add_user(server: &MockServer, id: i64, tenant: &str, username: &str) {
    let user = json!({"id": id, "tenant": tenant, "username": username, "first_name": "Run",
                      "last_name": "Time", "email": format!("{username}@example.com")});
    let (st, body) = control(server, Method::POST, "/users", Some(user)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
}

/// `DELETE /_mock{path}` is refused with `status`, the error saying `words`.
async fn refused(server: &MockServer, path: &str, status: StatusCode, words: &str) {
    let (st, body) = control(server, Method::DELETE, path, None).await;
    assert_control_error(st, &body, status, &[words]);
}

fn app_json(id: i64, client_id: &str) -> Value {
    json!({
        "id": id, "name": "Run-time app", "client_id": client_id, "client_secret": "run-time-secret",
        "redirect_uris": [REDIRECT_URI], "scopes": ["profile", "offline_access"]
    })
}

#[tokio::test]
async fn tenants_can_be_added_at_run_time_and_serve_their_host() {
    let server = MockServer::start().await;
    let (st, body) = control_post(
        &server,
        "/tenants",
        json!({"id": "newco", "short_id": "n3w", "name": "New Co"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (_, list) = control(&server, Method::GET, "/tenants", None).await;
    assert!(list.as_array().expect("array").iter().any(|t| t["id"] == "newco"));
    // Its users can be added, and its host lists them on the grant view.
    add_user(&server, 5001, "newco", "newbie").await;
    let (status, html) = authorize_on_host(
        &server,
        &format!("newco.localhost:{}", server.addr().port()),
        &code_request("profile"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("newbie") && !html.contains("someUser"), "{html}");

    for (body, want, words) in [
        (
            json!({"id": "NEWCO", "short_id": "x1"}),
            StatusCode::CONFLICT,
            "exists",
        ),
        (
            json!({"id": "other", "short_id": "n3w"}),
            StatusCode::CONFLICT,
            "short_id",
        ),
        (
            json!({"id": "not a label", "short_id": "x2"}),
            StatusCode::BAD_REQUEST,
            "DNS label",
        ),
        (
            json!({"id": "api", "short_id": "x3"}),
            StatusCode::BAD_REQUEST,
            "ilert's own",
        ),
        (
            json!({"id": "x", "short_id": 5}),
            StatusCode::BAD_REQUEST,
            "short_id: ",
        ),
    ] {
        let (st, answer) = control(&server, Method::POST, "/tenants", Some(body.clone())).await;
        assert_control_error(st, &answer, want, &[words]);
    }
    // The Rust twin.
    server
        .admin()
        .add_tenant(Tenant {
            id: "twin".into(),
            short_id: "tw1".into(),
            name: None,
        })
        .expect("added");
    assert!(server.admin().tenants().iter().any(|t| t.id == "twin"));
}

#[tokio::test]
async fn tenants_added_at_run_time_survive_a_restart_with_a_state_file() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.json");
    let server = started(MockServer::builder().state_file(&path)).await;
    server
        .admin()
        .add_tenant(Tenant {
            id: "kept".into(),
            short_id: "k1".into(),
            name: Some("Kept".into()),
        })
        .expect("added");
    server.shutdown().await;
    let again = MockServer::builder()
        .state_file(&path)
        .start()
        .await
        .expect("restarts");
    assert!(again.admin().tenants().iter().any(|t| t.id == "kept"));
    assert!(again.admin().tenants().iter().any(|t| t.id == "someTenant"));
}

#[tokio::test]
async fn removing_an_app_or_a_user_revokes_their_grants_and_says_why() {
    let server = auto_server().await;
    let (st, body) = control_post(&server, "/apps", app_json(901, "run-time-app")).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let code = code_for(&server, "run-time-app", REDIRECT_URI, "profile", None).await;
    let (st, _, tokens) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "run-time-app"),
            ("client_secret", "run-time-secret"),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    let (st, body) = control(&server, Method::DELETE, "/apps/run-time-app", None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"removed": "run-time-app", "revoked_grants": 1}));
    let (_, apps) = control(&server, Method::GET, "/apps", None).await;
    assert!(
        !apps
            .as_array()
            .expect("array")
            .iter()
            .any(|a| a["client_id"] == "run-time-app")
    );
    assert!(
        server.admin().grants(&ilert_mock::GrantFilter::all()).is_empty(),
        "a removed app's grants are not listed"
    );
    // Registered again under the same id, the app finds its old refresh token revoked, and why.
    let (st, body) = control_post(&server, "/apps", app_json(901, "run-time-app")).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, _, body) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "run-time-app"),
            ("client_secret", "run-time-secret"),
            ("refresh_token", &s(&tokens, "refresh_token")),
        ],
    )
    .await;
    assert_token_error(st, &body, 401, "invalid_grant");
    assert!(
        body["error"]
            .as_str()
            .expect("text")
            .contains("its app was removed"),
        "{body}"
    );
    assert_eq!(server.admin().remove_app("run-time-app"), Ok(0));
    let (st, body) = control(&server, Method::DELETE, "/apps/run-time-app", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");

    // A user with a grant of the guide app: removed, the refresh token fails with the reason.
    add_user(&server, 5002, "someTenant", "leaver").await;
    let code = grant_code_at(&http(), &server.base_url(), "leaver", "profile", "s").await;
    let (_, _, tokens) = exchange(&server, &code).await;
    let rt = s(&tokens, "refresh_token");
    assert_eq!(server.admin().remove_user("leaver"), Ok(1));
    let (st, _, body) = refresh(&server, &rt).await;
    assert_token_error(st, &body, 401, "invalid_grant");
    assert!(
        body["error"]
            .as_str()
            .expect("text")
            .contains("its user was removed"),
        "{body}"
    );

    // Users the mock still needs are kept, and say why.
    refused(&server, "/users/someUser", StatusCode::CONFLICT, "--auto-approve").await;
    refused(
        &server,
        "/users/krystianity",
        StatusCode::CONFLICT,
        "escalation policy",
    )
    .await;
    let (st, _) = control(&server, Method::DELETE, "/users/nobody", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        server.admin().remove_app("nope"),
        Err(ilert_mock::admin::AdminError::NotFound("no app 'nope'".into()))
    );
}

#[tokio::test]
async fn malformed_control_requests_name_the_field() {
    let server = MockServer::start().await;
    for (body, field) in [
        (json!({"endpoint": "token", "times": "two"}), "times: "),
        (json!({"endpoint": "token", "status": "503"}), "status: "),
        (json!({"endpoint": 5, "status": 503}), "endpoint: "),
        (json!({"endpoint": "token", "status": 503, "delay": 5}), "delay"),
    ] {
        let (st, answer) = control(&server, Method::POST, "/faults", Some(body.clone())).await;
        assert_control_error(st, &answer, StatusCode::BAD_REQUEST, &[field]);
    }
    let (st, answer) = control_post(&server, "/clock", json!({"advance_secs": "1h"})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]
            .as_str()
            .expect("error")
            .starts_with("advance_secs: "),
        "{answer}"
    );
}

#[tokio::test]
async fn the_journal_records_json_bodies_as_json() {
    let server = auto_server().await;
    let write = s(&tokens(&server, "source:w").await, "access_token");
    server.journal().clear();
    let create = json!({"name": "Checkout", "integrationType": "API", "escalationPolicy": {"id": 1501},
                        "teams": [{"id": 7}], "client_secret": "not-to-be-kept"});
    let r = http()
        .post(format!("{}/api/alert-sources", server.base_url()))
        .bearer_auth(&write)
        .json(&create)
        .send()
        .await
        .expect("answers");
    assert!(
        r.status().is_success() || r.status() == StatusCode::BAD_REQUEST,
        "{}",
        r.status()
    );
    let (_, full) = control(&server, Method::GET, "/requests", None).await;
    let entry = &full[0];
    assert_eq!(entry["form"], json!([]));
    assert_eq!(entry["json"]["escalationPolicy"], json!({"id": 1501}));
    assert_eq!(entry["json"]["teams"], json!([{"id": 7}]));
    assert_eq!(entry["json"]["client_secret"], "[redacted]");
    let (_, snapshot) = control(&server, Method::GET, "/requests?format=snapshot", None).await;
    assert_eq!(snapshot[0]["json"]["escalationPolicy"], json!({"id": 1501}));
    assert_eq!(snapshot[0]["json"]["client_secret"], "<client_secret#1>");
    assert!(!snapshot.to_string().contains("not-to-be-kept"));
    // A JSON token request (ilert's guide's Node snippets) is recorded as JSON as well.
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    http()
        .post(format!("{}{TOKEN}", server.base_url()))
        .json(
            &json!({"grant_type": "authorization_code", "client_id": CLIENT_ID,
                      "client_secret": CLIENT_SECRET, "code": code}),
        )
        .send()
        .await
        .expect("answers");
    let (_, snapshot) = control(
        &server,
        Method::GET,
        &format!("/requests?format=snapshot&path={TOKEN}"),
        None,
    )
    .await;
    assert_eq!(snapshot[0]["json"]["code"], "<code#1>");
    assert_eq!(snapshot[0]["json"]["client_secret"], "<client_secret#1>");
}

#[tokio::test]
async fn the_eleventh_grant_says_why_the_first_stopped_working() {
    let server = auto_server().await;
    let first = s(&tokens(&server, "profile").await, "refresh_token");
    for _ in 0..10 {
        tokens(&server, "profile").await;
    }
    let (st, _, body) = refresh(&server, &first).await;
    assert_token_error(st, &body, 401, "invalid_grant");
    let error = body["error"].as_str().expect("text");
    assert!(
        error.contains("at most 10 refresh tokens per app and user") && error.contains("oldest"),
        "{error}"
    );
}
