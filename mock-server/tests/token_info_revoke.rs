//! `token_info` and `revoke` over HTTP (behaviour.md §5, §9; RFC 7662, RFC 7009).

use crate::common;

use common::*;
use ilert_mock::MockServer;
use reqwest::StatusCode;
use reqwest::header::CACHE_CONTROL;
use serde_json::json;

#[tokio::test]
async fn token_info_answers_the_documented_shape_for_access_tokens() {
    let server = auto_server().await;
    let tokens = tokens(&server, "profile source:w").await;
    let (st, h, b) = post_form(&server, TOKEN_INFO, &[("token", &s(&tokens, "access_token"))]).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h[CACHE_CONTROL], "no-store");
    assert_eq!(
        serde_json::to_string(&b).expect("json"),
        r#"{"active":true,"tenant_id":"someTenant","username":"someUser","scope":"profile source:w","app_id":250}"#
    );
}

#[tokio::test]
async fn token_info_is_inactive_for_everything_else() {
    let server = auto_server().await;
    let tokens = tokens(&server, "profile").await;
    for token in [
        s(&tokens, "refresh_token"),
        "garbage".to_owned(),
        "a.b.c".to_owned(),
    ] {
        let (st, _, b) = post_form(&server, TOKEN_INFO, &[("token", &token)]).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(b, json!({"active": false}));
    }
    server.clock().advance(3600);
    let (_, _, b) = post_form(&server, TOKEN_INFO, &[("token", &s(&tokens, "access_token"))]).await;
    assert_eq!(b, json!({"active": false}));
    let (st, _, b) = post_form(&server, TOKEN_INFO, &[]).await;
    assert_token_error(st, &b, 400, "invalid_request");
}

#[tokio::test]
async fn token_info_accepts_json_like_the_guides_node_snippet() {
    let server = auto_server().await;
    let tokens = tokens(&server, "profile").await;
    let r = http()
        .post(format!("{}{TOKEN_INFO}", server.base_url()))
        .json(&json!({"token": s(&tokens, "access_token")}))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<serde_json::Value>().await.expect("json")["active"], true);
}

#[tokio::test]
async fn revoke_kills_the_refresh_token_but_not_the_access_token() {
    let server = auto_server().await;
    let tokens = tokens(&server, "profile").await;
    let (st, _, b) = post_form(&server, REVOKE, &[("token", &s(&tokens, "refresh_token"))]).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b, serde_json::Value::Null);
    let (st, _, b) = refresh(&server, &s(&tokens, "refresh_token")).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    // ilert: "its current access_token stays intact until it expires".
    assert_eq!(
        current_user(&server, &s(&tokens, "access_token")).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn revoke_answers_200_for_unknown_tokens_and_400_without_token() {
    let server = auto_server().await;
    for token in ["unknown", "a.b.c"] {
        let (st, _, b) = post_form(&server, REVOKE, &[("token", token)]).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(b, serde_json::Value::Null);
    }
    let (st, _, b) = post_form(&server, REVOKE, &[]).await;
    assert_token_error(st, &b, 400, "invalid_request");
}

/// Revokes `token` authenticating as `client_id` with `secret` in the body.
async fn revoke_as(
    server: &MockServer,
    token: &str,
    client_id: &str,
    secret: &str,
) -> (StatusCode, reqwest::header::HeaderMap, serde_json::Value) {
    post_form(
        server,
        REVOKE,
        &[
            ("token", token),
            ("client_id", client_id),
            ("client_secret", secret),
        ],
    )
    .await
}

#[tokio::test]
async fn revoke_with_client_credentials_checks_them_and_ownership() {
    let server = auto_server().await;
    let tokens = tokens(&server, "profile").await;
    let rt = s(&tokens, "refresh_token");
    let (st, _, b) = revoke_as(&server, &rt, CLIENT_ID, "wrong").await;
    assert_token_error(st, &b, 401, "invalid_client");
    // Another app cannot revoke this grant; the answer does not tell.
    let (st, _, _) = revoke_as(&server, &rt, ROTATING_ID, ROTATING_SECRET).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(refresh(&server, &rt).await.0, StatusCode::OK);
    let (st, _, _) = revoke_as(&server, &rt, CLIENT_ID, CLIENT_SECRET).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(refresh(&server, &rt).await.0, StatusCode::UNAUTHORIZED);
}
