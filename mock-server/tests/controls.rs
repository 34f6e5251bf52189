//! The `/_mock` control surface and the well-known documents over HTTP (behaviour.md §11), and their
//! embedded-API mirrors.

use crate::common;

use std::time::{Duration, Instant};

use base64::Engine as _;
use common::*;
use ilert_mock::{ControlAccess, FaultSpec, GrantFilter, MockServer};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::header::AUTHORIZATION;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn health_is_ok() {
    let server = MockServer::start().await;
    let (st, b) = control(&server, Method::GET, "/health", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["status"], "ok");
    assert_eq!(b["apps"], 3);
}

#[tokio::test]
async fn clock_expires_access_tokens_and_codes() {
    let server = auto_server().await;
    let tokens = tokens(&server, "profile").await;
    let access = s(&tokens, "access_token");
    assert_eq!(current_user(&server, &access).await, StatusCode::OK);
    let (st, reading) = control_post(&server, "/clock", json!({"advance_secs": 3601})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(reading["frozen"], false);
    assert_eq!(current_user(&server, &access).await, StatusCode::UNAUTHORIZED);

    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    control_post(&server, "/clock", json!({"advance_secs": 121})).await;
    let (st, _, b) = exchange(&server, &code).await;
    assert_token_error(st, &b, 401, "invalid_grant");
}

#[tokio::test]
async fn clock_set_freeze_and_errors() {
    let server = MockServer::start().await;
    let (st, b) = control_post(&server, "/clock", json!({"set": 1_700_000_000, "freeze": true})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["now"], 1_700_000_000);
    assert_eq!(b["frozen"], true);
    // A frozen clock holds its reading as a value (clock.rs's unit tests), so it reads the same
    // after other requests, however much wall time passed.
    let (_, _) = control(&server, Method::GET, "/health", None).await;
    let (_, b) = control(&server, Method::GET, "/clock", None).await;
    assert_eq!(b["now"], 1_700_000_000);
    assert_eq!(b["frozen"], true);
    let (st, b) = control(&server, Method::POST, "/clock", Some(json!({"advance": 5}))).await;
    assert_control_error(st, &b, StatusCode::BAD_REQUEST, &["advance"]);
    let (st, _) = control(&server, Method::POST, "/clock", Some(json!({}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, b) = control(&server, Method::POST, "/clock", Some(json!({"set": "soon"}))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
}

#[tokio::test]
async fn frozen_runs_give_byte_identical_tokens() {
    async fn run() -> (Value, String) {
        let server = frozen_server().await;
        let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile source:w", None).await;
        let (_, _, b) = exchange(&server, &code).await;
        (b, code)
    }
    let (a, code_a) = run().await;
    let (b, code_b) = run().await;
    assert_eq!(code_a, code_b);
    assert_eq!(a, b);
    let (_, claims) = decode(&s(&a, "access_token"));
    assert_eq!(claims["exp"], 1_800_003_600);
}

#[tokio::test]
async fn journal_records_with_secrets_redacted_and_can_be_filtered_and_cleared() {
    let server = auto_server().await;
    let tokens = tokens(&server, "profile").await;
    api_get(&server, "/api/users/current", &s(&tokens, "access_token")).await;
    let (st, entries) = control(&server, Method::GET, "/requests", None).await;
    assert_eq!(st, StatusCode::OK);
    let entries = entries.as_array().expect("array").clone();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[0]["path"], AUTHORIZE);
    assert_eq!(entries[0]["status"], 302);
    assert!(
        entries[0]["location"]
            .as_str()
            .expect("location")
            .contains("code=")
    );
    assert_eq!(entries[1]["path"], TOKEN);
    assert_eq!(entries[1]["method"], "POST");
    let text = serde_json::to_string(&entries).expect("json");
    assert!(!text.contains(CLIENT_SECRET), "client secret leaked");
    assert!(!text.contains(&s(&tokens, "access_token")), "access token leaked");
    assert!(
        !text.contains(&s(&tokens, "refresh_token")),
        "refresh token leaked"
    );
    assert!(text.contains("Bearer [redacted]"));
    let form = entries[1]["form"].as_array().expect("form");
    assert!(form.contains(&json!(["client_secret", "[redacted]"])));
    assert!(form.contains(&json!(["grant_type", "authorization_code"])));

    let (_, only) = control(&server, Method::GET, &format!("/requests?path={TOKEN}"), None).await;
    assert_eq!(only.as_array().expect("array").len(), 1);
    let (_, last) = control(&server, Method::GET, "/requests?limit=1", None).await;
    assert_eq!(last[0]["path"], "/api/users/current");
    let (st, _) = control(&server, Method::GET, "/requests?limit=x", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(server.journal().all().len(), 3);
    let (st, _) = control(&server, Method::DELETE, "/requests", None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert!(server.journal().is_empty());
}

#[tokio::test]
async fn journal_is_bounded() {
    let server = started(MockServer::builder().journal_size(5)).await;
    for _ in 0..12 {
        post_form(&server, TOKEN_INFO, &[("token", "x")]).await;
    }
    let all = server.journal().all();
    assert_eq!(all.len(), 5);
    assert_eq!(all[4].seq, 12);
}

#[tokio::test]
async fn a_queued_fault_answers_exactly_n_times() {
    let server = auto_server().await;
    let (st, queued) = control_post(&server, "/faults", json!({"endpoint": "token", "times": 2, "status": 503, "body": {"code": "server_error", "error": "down"}}))
    .await;
    assert_eq!(st, StatusCode::CREATED, "{queued}");
    let (_, list) = control(&server, Method::GET, "/faults", None).await;
    assert_eq!(list[0]["remaining"], 2);
    for _ in 0..2 {
        let (st, _, b) = exchange(&server, "whatever").await;
        assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(b, json!({"code": "server_error", "error": "down"}));
    }
    let (st, _, b) = exchange(&server, "whatever").await;
    assert_token_error(st, &b, 401, "invalid_grant");
    let (_, list) = control(&server, Method::GET, "/faults", None).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn faults_default_to_the_endpoints_error_shape_and_can_delay() {
    let server = auto_server().await;
    let token = s(&tokens(&server, "profile").await, "access_token");
    server.faults().next("users_current", 500).expect("valid");
    assert_get_refused(&server, "/api/users/current", &token, 500).await;
    server
        .faults()
        .push(FaultSpec::delay("users_current", 300))
        .expect("valid");
    let started = Instant::now();
    let (st, _, _) = api_get(&server, "/api/users/current", &token).await;
    assert_eq!(st, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    server
        .faults()
        .push(FaultSpec::status("/api/alert-sources", 429))
        .expect("valid");
    server.faults().clear();
    assert!(server.faults().list().is_empty());
    let (st, _) = control(&server, Method::DELETE, "/faults", None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn malformed_fault_requests_name_the_field() {
    let server = MockServer::start().await;
    for (body, field) in [
        (json!({"endpoint": "nowhere", "status": 500}), "endpoint"),
        (json!({"endpoint": "token", "status": 900}), "status"),
        (json!({"endpoint": "token", "status": 500, "times": 0}), "times"),
        (json!({"endpoint": "token", "delay_ms": 999_999}), "delay_ms"),
        (json!({"endpoint": "token"}), "status"),
        (
            json!({"endpoint": "token", "status": 500, "colour": "red"}),
            "colour",
        ),
        (json!({"status": 500}), "endpoint"),
        (json!({"endpoint": "token", "status": "500"}), "invalid type"),
    ] {
        let (st, b) = control(&server, Method::POST, "/faults", Some(body.clone())).await;
        assert_control_error(st, &b, StatusCode::BAD_REQUEST, &[field]);
    }
}

#[tokio::test]
async fn admin_lists_and_revokes_grants_as_the_user() {
    let server = auto_server().await;
    let a = tokens(&server, "profile").await;
    let b = tokens(&server, "profile").await;
    let (_, grants) = control(
        &server,
        Method::GET,
        &format!("/grants?app={CLIENT_ID}&user=someUser"),
        None,
    )
    .await;
    let grants = grants.as_array().expect("array").clone();
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[0]["username"], "someUser");
    assert!(grants[0]["revoked"].is_null());
    let text = serde_json::to_string(&grants).expect("json");
    let (_, rt_claims) = decode(&s(&a, "refresh_token"));
    assert!(
        !text.contains(rt_claims["il_k"].as_str().expect("il_k")),
        "grant keys must not be listed"
    );

    let id = grants[0]["id"].as_u64().expect("id");
    let (st, _) = control(&server, Method::DELETE, &format!("/grants/{id}"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        refresh(&server, &s(&a, "refresh_token")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(refresh(&server, &s(&b, "refresh_token")).await.0, StatusCode::OK);

    let (st, r) = control_post(
        &server,
        "/grants/revoke",
        json!({"app": CLIENT_ID, "user": "someUser"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(r["revoked"], 1);
    assert_eq!(
        refresh(&server, &s(&b, "refresh_token")).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Access tokens live on (behaviour.md §5).
    assert_eq!(
        current_user(&server, &s(&b, "access_token")).await,
        StatusCode::OK
    );
    let (st, _) = control_post(
        &server,
        "/grants/revoke",
        json!({"app": "nope", "user": "someUser"}),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        server
            .admin()
            .grants(&GrantFilter::app(CLIENT_ID))
            .iter()
            .filter(|g| g.revoked.is_some())
            .count(),
        2
    );
}

#[tokio::test]
async fn admin_adds_apps_and_users_at_run_time() {
    let server = started(MockServer::builder().auto_approve("someUser")).await;
    let app = json!({
        "id": 900, "name": "Added", "client_id": "added-app", "client_secret": "s3cret",
        "redirect_uris": ["http://127.0.0.1:9999/cb"], "scopes": ["profile"]
    });
    let (st, _) = control(&server, Method::POST, "/apps", Some(app.clone())).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = control(&server, Method::POST, "/apps", Some(app)).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let bad = json!({"id": 901, "name": "Bad", "client_id": "bad", "client_secret": "s", "redirect_uris": ["javascript:x"], "scopes": ["profile"]});
    let (st, b) = control(&server, Method::POST, "/apps", Some(bad)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    let code = code_for(&server, "added-app", "http://127.0.0.1:9999/cb", "profile", None).await;
    let (st, _, _) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "added-app"),
            ("client_secret", "s3cret"),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK);

    let user = json!({"id": 1999, "tenant": "someTenant", "username": "newbie", "first_name": "New", "last_name": "Bie", "email": "n@example.com"});
    let (st, _) = control(&server, Method::POST, "/users", Some(user)).await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, users) = control(&server, Method::GET, "/users", None).await;
    assert!(
        users
            .as_array()
            .expect("array")
            .iter()
            .any(|u| u["username"] == "newbie")
    );
    let orphan = json!({"id": 1998, "tenant": "nowhere", "username": "o", "first_name": "O", "last_name": "O", "email": "o@x"});
    assert_eq!(
        control(&server, Method::POST, "/users", Some(orphan)).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn reset_returns_to_the_fixtures() {
    let server = started(
        MockServer::builder()
            .auto_approve("someUser")
            .clock_start(1_700_000_000)
            .freeze_clock(true),
    )
    .await;
    let rt = s(&tokens(&server, "profile").await, "refresh_token");
    server.clock().advance(50);
    server.faults().next("token", 500).expect("valid");
    let (st, _) = control(&server, Method::POST, "/reset", None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(server.clock().now(), 1_700_000_000);
    assert!(server.faults().list().is_empty());
    assert!(server.journal().is_empty());
    assert!(server.admin().grants(&GrantFilter::all()).is_empty());
    assert_eq!(refresh(&server, &rt).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn control_token_and_no_control() {
    let server = started(MockServer::builder().control(ControlAccess::Token("t0ken".into()))).await;
    assert_eq!(
        control_status(&server, Method::GET, "/health").await,
        StatusCode::OK
    );
    assert_eq!(
        control_status(&server, Method::GET, "/clock").await,
        StatusCode::UNAUTHORIZED
    );
    let r = http()
        .get(format!("{}/_mock/clock", server.base_url()))
        .header(AUTHORIZATION, "Bearer t0ken")
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);

    let off = started(MockServer::builder().control(ControlAccess::Off)).await;
    assert_eq!(
        control_status(&off, Method::GET, "/health").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        control_status(&off, Method::POST, "/reset").await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn jwks_verifies_access_tokens_and_holds_no_private_material() {
    let server = auto_server().await;
    let r = fetch(format!("{}/.well-known/jwks.json", server.base_url())).await;
    assert_eq!(r.status(), StatusCode::OK);
    let jwks: Value = r.json().await.expect("json");
    let keys = jwks["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["alg"], "RS256");
    assert!(key["kid"].is_string());
    for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
        assert!(key.get(private).is_none(), "{private} published");
    }
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key["n"].as_str().expect("n"))
        .expect("b64");
    assert_eq!(n.len(), 256, "RSA-2048");

    let access = s(&tokens(&server, "profile").await, "access_token");
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().expect("n"), key["e"].as_str().expect("e"))
            .expect("key");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&["ilert"]);
    let data =
        jsonwebtoken::decode::<Value>(&access, &decoding, &validation).expect("verifies with the JWKS key");
    assert_eq!(data.claims["il_u"], "someUser");
}

#[tokio::test]
async fn metadata_follows_host_forwarded_headers_and_public_url() {
    // `mock` is a name the mock answers only when told (DNS rebinding protection).
    let server = started(MockServer::builder().allowed_host("mock")).await;
    let url = format!("{}/.well-known/oauth-authorization-server", server.base_url());
    let m = get_json(&url, &[]).await;
    assert_eq!(m["issuer"], server.base_url());
    assert_eq!(m["token_endpoint"], format!("{}{TOKEN}", server.base_url()));
    assert_eq!(
        m["authorization_endpoint"],
        format!("{}{AUTHORIZE}", server.base_url())
    );
    assert_eq!(m["revocation_endpoint"], format!("{}{REVOKE}", server.base_url()));
    assert_eq!(
        m["introspection_endpoint"],
        format!("{}{TOKEN_INFO}", server.base_url())
    );
    assert_eq!(m["response_types_supported"], json!(["code"]));
    assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        m["grant_types_supported"],
        json!(["authorization_code", "refresh_token"])
    );
    assert!(
        m["scopes_supported"]
            .as_array()
            .expect("scopes")
            .contains(&json!("source:w"))
    );
    assert!(
        m["token_endpoint_auth_methods_supported"]
            .as_array()
            .expect("methods")
            .contains(&json!("client_secret_basic"))
    );

    let with_host = get_json(&url, &[("Host", "mock:4598")]).await;
    assert_eq!(with_host["issuer"], "http://mock:4598");
    // Forwarded headers are ignored unless trusted.
    let ignored = get_json(&url, &[("X-Forwarded-Host", "evil.example")]).await;
    assert_eq!(ignored["issuer"], server.base_url());

    let trusting = started(
        MockServer::builder()
            .trust_forwarded(true)
            .allowed_host("ilert-mock.internal"),
    )
    .await;
    let url = format!("{}/.well-known/oauth-authorization-server", trusting.base_url());
    let fwd = get_json(
        &url,
        &[
            ("X-Forwarded-Host", "ilert-mock.internal"),
            ("X-Forwarded-Proto", "https"),
        ],
    )
    .await;
    assert_eq!(
        fwd["token_endpoint"],
        format!("https://ilert-mock.internal{TOKEN}")
    );

    let public =
        started(MockServer::builder().public_url(url::Url::parse("https://ilert.test:8443/").expect("url")))
            .await;
    let url = format!("{}/.well-known/oauth-authorization-server", public.base_url());
    let p = get_json(&url, &[]).await;
    assert_eq!(p["issuer"], "https://ilert.test:8443");
    assert_eq!(p["jwks_uri"], "https://ilert.test:8443/.well-known/jwks.json");
}

async fn recorded_flow() -> Value {
    let server = auto_server().await;
    let verifier: String = (0..64)
        .map(|_| char::from(b'a' + rand::random::<u8>() % 26))
        .collect();
    let challenge = ilert_mock::internals::pkce::challenge_for(&verifier);
    let state = format!("s-{}", rand::random::<u64>());
    let (st, h, _) = authorize(
        &server,
        &[
            &code_request("profile")[..],
            &[
                ("state", &state),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        ]
        .concat(),
    )
    .await;
    assert_eq!(st, StatusCode::FOUND);
    let code = param(&location_params(&h), "code").expect("code");
    let (_, _, tokens) = exchange_pkce(&server, CLIENT_SECRET, &code, &verifier).await;
    let rt = s(&tokens, "refresh_token");
    let (_, _, refreshed) = refresh(&server, &rt).await;
    refresh(&server, &rt).await;
    api_get(&server, "/api/users/current", &s(&refreshed, "access_token")).await;
    post_form(&server, TOKEN_INFO, &[("token", &s(&tokens, "access_token"))]).await;
    post_form(&server, REVOKE, &[("token", &rt)]).await;
    let r = fetch(format!("{}/_mock/requests?format=snapshot", server.base_url())).await;
    let snapshot: Value = r.json().await.expect("json");
    assert_eq!(
        serde_json::to_value(server.journal().snapshot(&Default::default())).expect("json"),
        snapshot
    );
    let text = snapshot.to_string();
    for secret in [
        CLIENT_SECRET,
        rt.as_str(),
        code.as_str(),
        state.as_str(),
        verifier.as_str(),
        challenge.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the snapshot");
    }
    snapshot
}

#[tokio::test]
async fn snapshot_record_is_byte_identical_across_runs_and_keeps_identity() {
    let first = recorded_flow().await;
    let second = recorded_flow().await;
    assert_eq!(
        serde_json::to_string_pretty(&first).expect("json"),
        serde_json::to_string_pretty(&second).expect("json")
    );
    let entries = first.as_array().expect("array");
    assert_eq!(entries.len(), 7);
    // The code in the authorize redirect is the code sent to the token endpoint.
    assert!(
        entries[0]["location"]
            .as_str()
            .expect("location")
            .contains("code=<code#1>&state=<state#1>")
    );
    assert!(
        entries[1]["form"]
            .as_array()
            .expect("form")
            .contains(&json!(["code", "<code#1>"]))
    );
    assert!(
        entries[1]["form"]
            .as_array()
            .expect("form")
            .contains(&json!(["code_verifier", "<code_verifier#1>"]))
    );
    // The same refresh token reads the same in both refreshes and in the revocation.
    for i in [2, 3] {
        assert!(
            entries[i]["form"]
                .as_array()
                .expect("form")
                .contains(&json!(["refresh_token", "<refresh_token#1>"]))
        );
    }
    assert!(
        entries[6]["form"]
            .as_array()
            .expect("form")
            .contains(&json!(["token", "<refresh_token#1>"]))
    );
    assert_eq!(
        entries[4]["headers"],
        json!([["authorization", "Bearer <access_token#1>"]])
    );
    let (st, _) = control(&auto_server().await, Method::GET, "/requests?format=xml", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}
