//! The resource API over HTTP (behaviour.md §5, §6): bearer checks, forged tokens, 401 vs 403 per scope
//! and access level, the emulated resources, and the REST error shape.

use crate::common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use ilert_mock::MockServer;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, LOCATION, WWW_AUTHENTICATE};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use serde_json::{Value, json};

async fn access(server: &MockServer, scope: &str) -> String {
    s(&tokens(server, scope).await, "access_token")
}

async fn send(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    api_request(server, method, path, Some(token), body).await
}

#[tokio::test]
async fn current_user_with_the_profile_scope() {
    let server = auto_server().await;
    let token = access(&server, "profile").await;
    let (st, _, b) = api_get(&server, "/api/users/current", &token).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["username"], "someUser");
    assert_eq!(b["id"], 1001);
    assert_eq!(b["firstName"], "Some");
    assert_eq!(b["lastName"], "User");
    assert_eq!(b["email"], "some.user@example.com");
    assert_eq!(b["role"], "ADMIN");
}

#[tokio::test]
async fn bearer_problems_are_401_in_the_rest_shape() {
    let server = auto_server().await;
    let tokens = tokens(&server, "profile").await;
    let access = s(&tokens, "access_token");
    let url = format!("{}/api/users/current", server.base_url());

    let r = http().get(&url).send().await.expect("answers");
    let (st, h) = (r.status(), r.headers().clone());
    assert_rest_error(st, &r.json().await.expect("json"), 401);
    assert!(h[WWW_AUTHENTICATE].to_str().expect("text").starts_with("Bearer"));

    for header in [
        access.clone(),
        format!("Token {access}"),
        format!("Basic {access}"),
        "Bearer ".to_owned(),
    ] {
        let r = http()
            .get(&url)
            .header(AUTHORIZATION, header.clone())
            .send()
            .await
            .expect("answers");
        let st = r.status();
        assert_rest_error(st, &r.json().await.expect("json"), 401);
    }
    // A refresh token is no bearer token.
    assert_get_refused(&server, "/api/users/current", &s(&tokens, "refresh_token"), 401).await;
    // A 10 KB bearer token.
    assert_get_refused(&server, "/api/users/current", &"a".repeat(10_000), 401).await;
}

#[tokio::test]
async fn expired_access_token_is_401_and_refresh_brings_a_working_one() {
    let server = auto_server().await;
    // Frozen, so that no real second passes between issue and the check one second before expiry.
    server.clock().freeze(true);
    let tokens = tokens(&server, "profile").await;
    let access = s(&tokens, "access_token");
    server.clock().advance(3599);
    assert_eq!(current_user(&server, &access).await, StatusCode::OK);
    server.clock().advance(2);
    let (st, h, b) = api_get(&server, "/api/users/current", &access).await;
    assert_rest_error(st, &b, 401);
    assert!(
        h[WWW_AUTHENTICATE]
            .to_str()
            .expect("text")
            .contains("invalid_token")
    );
    let (st, _, refreshed) = refresh(&server, &s(&tokens, "refresh_token")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        current_user(&server, &s(&refreshed, "access_token")).await,
        StatusCode::OK
    );
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"))
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    let server = auto_server().await;
    let genuine = access(&server, "profile source:d").await;
    let (_, claims) = decode(&genuine);
    let mut parts = genuine.split('.');
    let (head, _body, sig) = (
        parts.next().expect("h"),
        parts.next().expect("c"),
        parts.next().expect("s"),
    );

    // alg: none, with and without a signature.
    let none = format!("{}.{}.", b64(&json!({"typ": "JWT", "alg": "none"})), b64(&claims));
    // HS256 signed with the RSA public key (the classic key-confusion attack).
    let private =
        rsa::RsaPrivateKey::from_pkcs8_pem(&server.fixtures().keys.access_private_key_pem).expect("pem");
    let public_pem = rsa::RsaPublicKey::from(&private)
        .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .expect("pem");
    let confused = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(public_pem.as_bytes()),
    )
    .expect("sign");
    // Tampered claims under the genuine signature.
    let mut wider = claims.clone();
    wider["il_u"] = json!("krystianity");
    let tampered = format!("{head}.{}.{sig}", b64(&wider));
    // A genuine signature under a header with a `kid` / `jku`.
    let kid = format!(
        "{}.{}.{sig}",
        b64(&json!({"typ": "JWT", "alg": "RS256", "kid": "x"})),
        b64(&claims)
    );
    let jku = format!(
        "{}.{}.{sig}",
        b64(&json!({"typ": "JWT", "alg": "RS256", "jku": "http://127.0.0.1:1/jwks"})),
        b64(&claims)
    );
    // Signed by another RSA key with ilert's exact header and claims is caught by the signature.
    let mut other_type = claims.clone();
    other_type["il_t"] = json!("OAUTH");
    let wrong_type = format!("{head}.{}.{sig}", b64(&other_type));

    for (name, token) in [
        ("none", none),
        ("confused", confused),
        ("tampered", tampered),
        ("kid", kid),
        ("jku", jku),
        ("wrong type", wrong_type),
    ] {
        let (st, _, b) = api_get(&server, "/api/users/current", &token).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{name}: {b}");
        assert_rest_error(st, &b, 401);
    }
    assert_eq!(current_user(&server, &genuine).await, StatusCode::OK);
}

/// The server remembers tokens it verified (issue: speed); what it remembers never lets a
/// forged token through, and the clock, directory changes and reset still apply.
#[tokio::test]
async fn remembered_tokens_are_still_checked() {
    let server = auto_server().await;
    let genuine = access(&server, "profile").await;
    assert_eq!(current_user(&server, &genuine).await, StatusCode::OK);
    // The same token with its last signature character changed, and with one claim changed.
    let last = genuine.chars().last().expect("char");
    let flipped = format!(
        "{}{}",
        &genuine[..genuine.len() - 1],
        if last == 'A' { 'B' } else { 'A' }
    );
    let (_, claims) = decode(&genuine);
    let mut wider = claims.clone();
    wider["il_s"] = json!("profile user:d");
    let mut parts = genuine.split('.');
    let (head, _, sig) = (
        parts.next().expect("h"),
        parts.next().expect("c"),
        parts.next().expect("s"),
    );
    let widened = format!("{head}.{}.{sig}", b64(&wider));
    for forged in [flipped, widened] {
        let (st, _, b) = api_get(&server, "/api/users/current", &forged).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{b}");
    }
    // A change of apps sends the token through full verification again; it still verifies.
    let mut app = server.admin().app(CLIENT_ID).expect("guide app");
    app.client_id = "another-app".to_owned();
    app.id = 9_999;
    server.admin().add_app(app).expect("added");
    assert_eq!(current_user(&server, &genuine).await, StatusCode::OK);
    // The mock clock expires a remembered token like any other.
    server.clock().advance(3_600);
    let (st, _, b) = api_get(&server, "/api/users/current", &genuine).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(b["message"], "The access token has expired");
    // After a reset the clock is back where it started and the token verifies afresh.
    server.reset();
    assert_eq!(current_user(&server, &genuine).await, StatusCode::OK);
}

#[tokio::test]
async fn scopes_decide_403_per_access_level() {
    let server = auto_server().await;
    let profile = access(&server, "profile").await;
    let (st, h, b) = api_get(&server, "/api/alert-sources", &profile).await;
    assert_rest_error(st, &b, 403);
    assert!(
        h[WWW_AUTHENTICATE]
            .to_str()
            .expect("text")
            .contains("insufficient_scope")
    );

    let read = access(&server, "source").await;
    assert_eq!(
        api_get(&server, "/api/alert-sources", &read).await.0,
        StatusCode::OK
    );
    assert_get_refused(&server, "/api/users/current", &read, 403).await;
    let create = json!({"name": "From test", "integrationType": "API", "escalationPolicy": {"id": 1501}});
    let (st, _, b) = api_post(&server, "/api/alert-sources", &read, create.clone()).await;
    assert_rest_error(st, &b, 403);

    let write = access(&server, "source:w").await;
    let (st, h, created) = api_post(&server, "/api/alert-sources", &write, create.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(
        h[LOCATION].to_str().expect("text"),
        format!("{}/api/alert-sources/{id}", server.base_url())
    );
    let (st, _, b) = api_delete(&server, &format!("/api/alert-sources/{id}"), &write).await;
    assert_rest_error(st, &b, 403);

    let delete = access(&server, "source:d").await;
    let (st, _, b) = api_delete(&server, &format!("/api/alert-sources/{id}"), &delete).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(b, Value::Null);
}

#[tokio::test]
async fn scope_table_paths_are_checked_even_when_not_emulated() {
    let server = auto_server().await;
    // Uptime monitors are in ilert's scope table but not in its OpenAPI document.
    let token = access(&server, "profile monitor").await;
    assert_get_refused(&server, "/api/uptime-monitors", &token, 404).await;
    for path in [
        "/api/incidents",
        "/api/users/7/contacts",
        "/api/metric-data-sources",
        "/api/support-hours",
        "/api/alert-actions",
    ] {
        assert_get_refused(&server, path, &token, 403).await;
    }
    assert_get_refused(&server, "/api/not-a-resource", &token, 404).await;
}

#[tokio::test]
async fn alert_sources_crud_with_ilerts_fields() {
    let server = auto_server().await;
    let token = access(&server, "source:d policy").await;
    let (st, _, list) = api_get(&server, "/api/alert-sources", &token).await;
    assert_eq!(st, StatusCode::OK);
    let list = list.as_array().expect("array").clone();
    assert_eq!(list.len(), 3, "someTenant's sources");
    let first = &list[0];
    for field in [
        "id",
        "name",
        "escalationPolicy",
        "integrationType",
        "integrationKey",
        "integrationUrl",
        "alertCreation",
        "status",
        "active",
        "alertPriorityRule",
        "teams",
        "createdAt",
        "updatedAt",
    ] {
        assert!(first.get(field).is_some(), "{field} missing in {first}");
    }
    assert_eq!(first["escalationPolicy"]["id"], 1501);

    let (_, _, page) = api_get(&server, "/api/alert-sources?start-index=1&max-results=1", &token).await;
    assert_eq!(page.as_array().expect("array").len(), 1);
    assert_eq!(page[0]["id"], list[1]["id"]);
    assert_get_refused(&server, "/api/alert-sources?max-results=x", &token, 400).await;

    let key = first["integrationKey"].as_str().expect("key");
    let (st, _, by_key) = api_get(&server, &format!("/api/alert-sources/{key}"), &token).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(by_key["id"], first["id"]);

    let update = json!({"name": "Renamed", "integrationType": "API", "escalationPolicy": {"id": 1502}, "alertPriorityRule": "LOW"});
    let (st, _, updated) = send(
        &server,
        reqwest::Method::PUT,
        "/api/alert-sources/3001",
        &token,
        Some(update),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{updated}");
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(updated["escalationPolicy"]["id"], 1502);
    assert_eq!(updated["integrationKey"], first["integrationKey"]);

    let (st, _, b) = api_post(&server, "/api/alert-sources", &token, json!({"name": "x"})).await;
    assert_rest_error(st, &b, 400);
    let bad_policy = json!({"name": "x", "integrationType": "API", "escalationPolicy": {"id": 2501}});
    let (st, _, b) = api_post(&server, "/api/alert-sources", &token, bad_policy).await;
    assert_rest_error(st, &b, 400);

    assert_get_refused(&server, "/api/alert-sources/999999", &token, 404).await;
    // Another tenant's source is invisible.
    assert_get_refused(&server, "/api/alert-sources/4001", &token, 404).await;

    assert_eq!(
        api_delete(&server, "/api/alert-sources/3002", &token).await.0,
        StatusCode::NO_CONTENT
    );
    assert_get_refused(&server, "/api/alert-sources/3002", &token, 404).await;
    let (st, _, b) = send(
        &server,
        reqwest::Method::PATCH,
        "/api/alert-sources/3001",
        &token,
        None,
    )
    .await;
    assert_rest_error(st, &b, 405);
}

#[tokio::test]
async fn escalation_policies_crud() {
    let server = auto_server().await;
    let token = access(&server, "policy:d").await;
    let (st, _, list) = api_get(&server, "/api/escalation-policies", &token).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().expect("array").len(), 4, "someTenant's policies");
    assert_eq!(list[0]["escalationRules"][0]["users"][0]["id"], 1001);
    let body = json!({"name": "Night", "escalationRules": [{"escalationTimeout": 5, "users": [{"id": 1002}]}], "repeating": true, "frequency": 2});
    let (st, h, created) = api_post(&server, "/api/escalation-policies", &token, body).await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    assert!(h.get(LOCATION).is_some());
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["frequency"], 2);
    let bad = json!({"name": "x", "escalationRules": [{"escalationTimeout": 5, "users": [{"id": 2001}]}]});
    let (st, _, b) = api_post(&server, "/api/escalation-policies", &token, bad).await;
    assert_rest_error(st, &b, 400);
    let (st, _, b) = api_delete(&server, "/api/escalation-policies/1501", &token).await;
    assert_rest_error(st, &b, 409);
    assert_eq!(
        api_delete(&server, &format!("/api/escalation-policies/{id}"), &token)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn api_answers_cors_preflights() {
    let server = MockServer::start().await;
    assert_preflight_allowed(&server, "/api/users/current", "GET", "authorization").await;
}

/// Every path under `/api` that no route takes, and every method a path does not serve, is
/// authenticated before it is found (401 without a token, then the scope check); `/api/` itself
/// is the server's own 404. The integration-key paths refuse a cross-site request before they
/// say which methods they take, and the public ones answer a wrong method in the REST shape.
#[tokio::test]
async fn paths_and_methods_no_route_takes_are_authenticated_first() {
    use reqwest::Method;
    let server = auto_server().await;
    let token = access(&server, "alert").await;
    for (path, message) in [
        ("/api", "No resource at /api".to_owned()),
        (
            "/api/not-a-resource/deeper",
            "No resource at /api/not-a-resource/deeper".to_owned(),
        ),
        // Within the alert scope's paths: past the scope check, then not found.
        (
            "/api/alerts/",
            "The mock does not emulate /api/alerts/; the scope check passed".to_owned(),
        ),
    ] {
        let (st, _, b) = api_request(&server, Method::GET, path, None, None).await;
        assert_rest_error(st, &b, 401);
        let (st, _, b) = api_request(&server, Method::GET, path, Some(&token), None).await;
        assert_rest_error(st, &b, 404);
        assert_eq!(b["message"], message);
    }
    let (st, _, b) = api_request(&server, Method::GET, "/api/", None, None).await;
    assert_rest_error(st, &b, 404);
    assert_eq!(b["message"], "No such endpoint");

    // A method `/api/alerts/count` does not serve: 401, then the scope, then 405.
    let (st, _, b) = api_request(&server, Method::PATCH, "/api/alerts/count", None, None).await;
    assert_rest_error(st, &b, 401);
    let (st, _, b) = api_request(&server, Method::PATCH, "/api/alerts/count", Some(&token), None).await;
    assert_rest_error(st, &b, 403);
    let writer = access(&server, "alert:w").await;
    let (st, h, b) = api_request(&server, Method::PATCH, "/api/alerts/count", Some(&writer), None).await;
    assert_rest_error(st, &b, 405);
    assert_eq!(h["allow"], "GET,HEAD");

    // The Events API: a wrong method is 405, unless a page of another site sent it.
    let (st, _, b) = api_request(&server, Method::GET, "/api/events", None, None).await;
    assert_rest_error(st, &b, 405);
    let r = http()
        .get(format!("{}/api/events", server.base_url()))
        .header("origin", "https://attacker.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("answers");
    assert_rest_error(r.status(), &r.json().await.expect("json"), 403);

    // A public operation needs no token; another method is a 405 in the REST shape.
    let (st, _, b) = api_request(&server, Method::GET, "/api/numbers", None, None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = api_request(&server, Method::POST, "/api/numbers", None, None).await;
    assert_rest_error(st, &b, 405);
}
