//! Each deliberate breakage breaks its rule and only that: the switches a contract suite uses to
//! prove that it can fail.

use crate::common;

use common::*;
use ilert_mock::{Breakage, MockServer};
use reqwest::StatusCode;
use reqwest::header::CACHE_CONTROL;
use serde_json::json;

async fn broken(b: Breakage) -> MockServer {
    started(MockServer::builder().auto_approve("someUser").breakage(b)).await
}

#[tokio::test]
async fn wrong_error_shape() {
    let server = broken(Breakage::WrongErrorShape).await;
    let (st, _, b) = exchange(&server, "nope").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(
        b,
        json!({"error": "invalid_grant", "error_description": "Provided code is unknown"})
    );
}

#[tokio::test]
async fn missing_no_store() {
    let server = broken(Breakage::MissingNoStore).await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let (st, h, _) = exchange(&server, &code).await;
    assert_eq!(st, StatusCode::OK);
    assert!(h.get(CACHE_CONTROL).is_none());
}

#[tokio::test]
async fn accept_code_twice() {
    let server = broken(Breakage::AcceptCodeTwice).await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    assert_eq!(exchange(&server, &code).await.0, StatusCode::OK);
    assert_eq!(exchange(&server, &code).await.0, StatusCode::OK);
}

#[tokio::test]
async fn redirect_to_unregistered_uri() {
    let server = broken(Breakage::RedirectToUnregisteredUri).await;
    let (st, h, _) = authorize(
        &server,
        &[
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", "https://evil.example/cb"),
            ("scope", "profile"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::FOUND);
    assert!(
        h["location"]
            .to_str()
            .expect("text")
            .starts_with("https://evil.example/cb?code=")
    );
}

#[tokio::test]
async fn invalid_grant_status_400() {
    let server = broken(Breakage::InvalidGrantStatus400).await;
    let (st, _, b) = exchange(&server, "nope").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(b["code"], "invalid_grant");
    // Other errors keep their status.
    let (st, _, _) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("client_secret", "x"),
            ("code", "c"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_token_as_bearer() {
    let server = broken(Breakage::RefreshTokenAsBearer).await;
    let tokens = tokens(&server, "profile").await;
    let (st, _, b) = api_get(&server, "/api/users/current", &s(&tokens, "refresh_token")).await;
    assert_eq!(st, StatusCode::OK, "{b}");
}

#[tokio::test]
async fn drop_state() {
    let server = broken(Breakage::DropState).await;
    let (st, h, _) = authorize(
        &server,
        &[&code_request("profile")[..], &[("state", "keep-me")]].concat(),
    )
    .await;
    assert_eq!(st, StatusCode::FOUND);
    assert!(param(&location_params(&h), "state").is_none());
    assert!(param(&location_params(&h), "code").is_some());
}

#[tokio::test]
async fn no_breakage_by_default() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let (_, h, _) = exchange(&server, &code).await;
    assert_eq!(h[CACHE_CONTROL], "no-store");
    assert_eq!(exchange(&server, &code).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn extra_jwt_claim() {
    let server = broken(Breakage::ExtraJwtClaim).await;
    let tokens = tokens(&server, "profile").await;
    let (_, claims) = decode(&s(&tokens, "access_token"));
    assert!(claims.get("iat").is_some(), "{claims}");
}

#[tokio::test]
async fn drop_required_field() {
    let server = broken(Breakage::DropRequiredField).await;
    let access = s(&tokens(&server, "profile source").await, "access_token");
    // ilert's `User` schema requires email, firstName and lastName; the first goes.
    let (st, _, user) = api_get(&server, "/api/users/current", &access).await;
    assert_eq!(st, StatusCode::OK);
    assert!(user.get("email").is_none(), "{user}");
    assert_eq!(user["firstName"], "Some");
    // Lists lose it in every item (an alert source requires escalationPolicy first).
    let (_, _, sources) = api_get(&server, "/api/alert-sources", &access).await;
    let sources = sources.as_array().expect("a list");
    assert!(!sources.is_empty());
    assert!(
        sources
            .iter()
            .all(|s| s.get("escalationPolicy").is_none() && s.get("name").is_some())
    );
}

#[tokio::test]
async fn document_to_the_letter() {
    let server = broken(Breakage::DocumentToTheLetter).await;
    let token = s(
        &tokens(&server, "profile service:d status_page:d user:d schedule:d").await,
        "access_token",
    );
    let call = |method: reqwest::Method, path: &'static str, body: serde_json::Value| {
        let (server, token) = (&server, token.clone());
        async move { api_call(server, method, path, &token, Some(&body), &[]).await }
    };
    // The document's 200 for a create and 204 for a subscriber addition, not ilert-go's.
    let (st, _, made) = call(
        reqwest::Method::POST,
        "/api/services",
        json!({"name": "Lettered"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{made}");
    let (st, _, body) = call(
        reqwest::Method::PUT,
        "/api/services/8402/private-subscribers",
        json!([{"id": 1002, "type": "USER"}]),
    )
    .await;
    assert_eq!((st, body), (StatusCode::NO_CONTENT, serde_json::Value::Null));
    // No lookups by name, `include` only repeated, uptime nested as documented.
    assert_get_refused(&server, "/api/services/name/Lettered", &token, 404).await;
    assert_get_refused(
        &server,
        "/api/services/8403?include=uptime,subscribed",
        &token,
        400,
    )
    .await;
    let (_, _, b) = api_get(&server, "/api/services/8403?include=uptime", &token).await;
    assert!(
        b["uptime"]["uptimePercentage"]["uptimePercentage"]["p90"].is_number(),
        "{b}"
    );
    // The document's enums and formats.
    let viewer = json!({"firstName": "V", "lastName": "V", "email": "v@example.com", "role": "VIEWER"});
    let (st, _, b) = call(reqwest::Method::POST, "/api/users", viewer).await;
    assert_rest_error(st, &b, 400);
    let loose = json!({"firstName": "L", "lastName": "L", "email": "not-an-address"});
    let (st, _, b) = call(reqwest::Method::POST, "/api/users", loose).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
}
