//! The REST API keeps the mock's own invariants: the `--auto-approve` user survives a REST
//! delete (so no other tenant can take over the name and the tokens it would issue), and a role
//! changes only when an ADMIN asks, as ilert answers otherwise.

use super::*;

#[tokio::test]
async fn the_auto_approve_user_survives_a_rest_delete() {
    let server = auto_server().await;
    let token = access_token(&server, "user:d").await;
    let (status, _, body) = api_call(&server, Method::DELETE, "/api/users/1001", &token, None, &[]).await;
    assert_rest_error(status, &body, 409);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("--auto-approve"),
        "{body}"
    );
    assert!(
        server
            .admin()
            .users()
            .iter()
            .any(|u| u.username == "someUser" && u.tenant == "someTenant")
    );
    // Auto-approve still issues tokens for the same user of the same tenant.
    let (claims_header, claims) = decode(&access_token(&server, "profile").await);
    assert_eq!(claims_header["alg"], "RS256");
    assert_eq!(claims["il_u"], "someUser");
}

#[tokio::test]
async fn a_responder_cannot_promote_himself() {
    let server = started(MockServer::builder().auto_approve("roadrunner")).await;
    let token = access_token(&server, "user:w").await;
    let (status, _, me) = api_get(&server, "/api/users/2002", &token).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_ne!(me["role"], "ADMIN", "{me}");
    let before = me["role"].clone();
    let (status, _, body) = api_put(
        &server,
        "/api/users/2002",
        &token,
        json!({"email": me["email"], "firstName": "Road", "lastName": "Runner", "role": "ADMIN"}),
    )
    .await;
    assert_rest_error(status, &body, 403);
    let (_, _, me) = api_get(&server, "/api/users/2002", &token).await;
    assert_eq!(me["role"], before, "the role changed: {me}");
    // Creating an ADMIN is refused too; the same body without a role passes.
    let (status, _, body) = api_post(
        &server,
        "/api/users",
        &token,
        json!({"email": "new@acme.example", "firstName": "N", "lastName": "U", "role": "ADMIN"}),
    )
    .await;
    assert_rest_error(status, &body, 403);
    // Other fields a RESPONDER may change still change, with the role left as it is.
    let (status, _, body) = api_put(
        &server,
        "/api/users/2002",
        &token,
        json!({"email": me["email"], "firstName": "Roadie", "lastName": "Runner", "role": before}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["firstName"], "Roadie");
}

#[tokio::test]
async fn an_admin_may_change_a_role() {
    let server = auto_server().await;
    let token = access_token(&server, "user:w").await;
    let (_, _, user) = api_get(&server, "/api/users/1002", &token).await;
    let (status, _, body) = api_put(
        &server,
        "/api/users/1002",
        &token,
        json!({"email": user["email"], "firstName": "K", "lastName": "R", "role": "ADMIN"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "ADMIN");
}

#[tokio::test]
async fn on_calls_refuse_negative_paging() {
    let server = auto_server().await;
    let token = access_token(&server, "schedule").await;
    for q in ["start-index=-1", "max-results=-5", "start-index=1.5"] {
        let (status, _, body) = api_get(&server, &format!("/api/on-calls?{q}"), &token).await;
        assert_rest_error(status, &body, 400);
    }
    let (status, _, body) = api_get(&server, "/api/on-calls?start-index=0&max-results=5", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn run_time_tenants_are_host_labels_and_bounded() {
    let server = MockServer::builder()
        .bounds(ilert_mock::Bounds {
            tenants: 4,
            ..ilert_mock::Bounds::default()
        })
        .start()
        .await
        .expect("starts");
    let held = server.admin().tenants().len();
    let post = |id: &str, name: String| {
        control_post(
            &server,
            "/tenants",
            json!({"id": id, "short_id": format!("s-{id}"), "name": name}),
        )
    };
    for id in [
        "has space",
        "nul\u{0}",
        "new\nline",
        "quo\"te",
        "localhost",
        "127",
        "LOCALHOST",
        "-x",
    ] {
        let (status, body) = post(id, "ok".to_owned()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{id:?}: {body}");
        assert!(!body["error"].as_str().expect("error").contains('\n'), "{body}");
    }
    let (status, body) = post("longname", "n".repeat(60 * 1024)).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    assert!(
        body["error"]
            .as_str()
            .expect("error")
            .contains("--max-name-bytes"),
        "{body}"
    );
    assert_eq!(server.admin().tenants().len(), held);
    for n in held..4 {
        let (status, body) = post(&format!("t{n}"), "fine".to_owned()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = post("onemore", "fine".to_owned()).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    assert!(
        body["error"].as_str().expect("error").contains("--max-tenants 4"),
        "{body}"
    );
    assert_eq!(server.admin().tenants().len(), 4);
}

#[tokio::test]
async fn pending_codes_are_bounded() {
    let server = MockServer::builder()
        .auto_approve("someUser")
        .bounds(ilert_mock::Bounds {
            pending_codes: 3,
            ..ilert_mock::Bounds::default()
        })
        .start()
        .await
        .expect("starts");
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await);
    }
    let (status, headers, _) = authorize(
        &server,
        &[&code_request("profile")[..], &[("state", "s4")]].concat(),
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    let params = location_params(&headers);
    assert_eq!(param(&params, "code"), None, "{params:?}");
    assert!(
        param(&params, "error_description").is_some_and(|d| d.contains("--max-pending-codes 3")),
        "{params:?}"
    );
    // Redeeming one makes room; the codes issued before still work.
    assert_eq!(exchange(&server, &codes[0]).await.0, StatusCode::OK);
    let fourth = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    assert_eq!(exchange(&server, &fourth).await.0, StatusCode::OK);
    assert_eq!(exchange(&server, &codes[1]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn notification_preferences_keep_documented_fields_and_real_contacts() {
    let server = auto_server().await;
    let token = access_token(&server, "user:w").await;
    let (status, _, contact) = api_post(
        &server,
        "/api/users/1001/contacts/emails",
        &token,
        json!({"target": "pager@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    let path = "/api/users/1001/notification-preferences/alerts";
    let (status, _, body) = api_post(&server, path, &token, json!({"method": "EMAIL", "contact": {"id": 999_999, "target": "x@attacker.example"}, "delayMin": 0, "type": "HIGH_PRIORITY"}))
    .await;
    assert_rest_error(status, &body, 400);
    let (status, _, body) = api_post(&server, path, &token, json!({"method": "EMAIL", "contact": {"id": contact["id"], "target": "changed@attacker.example"}, "delayMin": 0, "type": "HIGH_PRIORITY", "blob": "x".repeat(1000)}))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body.get("blob").is_none(), "{body}");
    assert_eq!(body["contact"]["target"], "pager@example.com", "{body}");
}

#[tokio::test]
async fn bounds_and_allowed_origins_come_from_flags_and_environment() {
    let (_mock, base, _) = spawn_binary_with(
        &["--max-tenants", "2"],
        &[(
            "ILERT_MOCK_ALLOW_ORIGINS",
            "http://dash.example:8080,http://other.example",
        )],
    );
    let r = http()
        .post(format!("{base}/_mock/tenants"))
        .json(&json!({"id": "extra", "short_id": "extra"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::INSUFFICIENT_STORAGE);
    let body: Value = r.json().await.expect("json");
    assert!(
        body["error"].as_str().expect("error").contains("--max-tenants 2"),
        "{body}"
    );
    let r = http()
        .request(Method::OPTIONS, format!("{base}/api/events"))
        .header("origin", "http://other.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("answers");
    assert_eq!(r.headers()["access-control-allow-origin"], "http://other.example");
}

#[tokio::test]
async fn an_incident_is_created_at_the_mock_clock_whatever_the_client_says() {
    let server = started(
        MockServer::builder()
            .clock_start(1_800_000_000)
            .freeze_clock(true)
            .auto_approve("someUser"),
    )
    .await;
    let token = access_token(&server, "incident:w").await;
    let body = json!({
        "summary": "Backdated",
        "createdAt": "2001-01-01T00:00:00Z",
        "updatedAt": "2001-01-01T00:00:00Z",
        "affectedServices": [],
    });
    let (st, _, incident) = api_post(&server, "/api/incidents", &token, body).await;
    assert!(st.is_success(), "{st} {incident}");
    let now = "2027-01-15T08:00:00Z";
    assert_eq!(incident["createdAt"], now, "{incident}");
    assert_eq!(incident["updatedAt"], now, "{incident}");
}
