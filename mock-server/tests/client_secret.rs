//! "Public" is a property of the request, not of the app (behaviour.md §3, §7, as ilert's PKCE guide
//! shows): any app may leave its secret out when the authorization used PKCE; a secret that is
//! sent must be right; refresh tokens come with the secret or with `offline_access`; a grant
//! redeemed with the secret keeps needing it; `require_secret` opts out.

use crate::common;

use common::*;
use ilert_mock::{App, ClientSecret};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Authorizes the guide's app with PKCE and redeems the code with the given extra fields.
async fn pkce_exchange(
    server: &ilert_mock::MockServer,
    scope: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, Value) {
    pkce_exchange_for(server, CLIENT_ID, scope, extra).await
}

async fn pkce_exchange_for(
    server: &ilert_mock::MockServer,
    client_id: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, Value) {
    let code = code_for(server, client_id, REDIRECT_URI, scope, Some(CHALLENGE)).await;
    let form = [
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code.as_str()),
            ("code_verifier", VERIFIER),
        ][..],
        extra,
    ]
    .concat();
    let (status, _, body) = post_form(server, TOKEN, &form).await;
    (status, body)
}

async fn refresh_with(
    server: &ilert_mock::MockServer,
    refresh_token: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, Value) {
    let form = [
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("refresh_token", refresh_token),
        ][..],
        extra,
    ]
    .concat();
    let (status, _, body) = post_form(server, TOKEN, &form).await;
    (status, body)
}

#[tokio::test]
async fn any_app_may_redeem_a_pkce_code_without_its_secret() {
    let server = auto_server().await;
    let (st, b) = pkce_exchange(&server, "profile", &[]).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert!(
        b.get("refresh_token").is_none(),
        "no secret, no offline_access: {b}"
    );

    // A secret that is sent must be right, PKCE or not.
    let (st, b) = pkce_exchange(&server, "profile", &[("client_secret", "wrong")]).await;
    assert_token_error(st, &b, 401, "invalid_client");

    // No PKCE and no secret: refused as before, and the refusal leaves the code usable.
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let (st, _, b) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("code", &code),
        ],
    )
    .await;
    assert_token_error(st, &b, 401, "invalid_client");
    assert!(
        b["error"].as_str().is_some_and(|e| e.contains("PKCE")),
        "the message says how to succeed: {b}"
    );
    let (st, _, b) = exchange(&server, &code).await;
    assert_eq!(st, StatusCode::OK, "{b}");
}

#[tokio::test]
async fn refresh_tokens_come_with_the_secret_or_offline_access() {
    let server = auto_server().await;
    let (_, with_secret) = pkce_exchange(&server, "profile", &[("client_secret", CLIENT_SECRET)]).await;
    assert!(with_secret.get("refresh_token").is_some(), "{with_secret}");
    let (_, offline) = pkce_exchange(&server, "profile offline_access", &[]).await;
    assert!(offline.get("refresh_token").is_some(), "{offline}");
    assert_eq!(offline["refresh_token_expires_in"], 31_536_000);
    let (_, neither) = pkce_exchange(&server, "profile", &[]).await;
    assert!(neither.get("refresh_token").is_none(), "{neither}");
}

#[tokio::test]
async fn a_grant_keeps_the_authentication_it_was_redeemed_with() {
    let server = auto_server().await;
    // Redeemed without the secret: refreshes with client_id alone, and with the secret too.
    let (_, public) = pkce_exchange(&server, "profile offline_access", &[]).await;
    let public_refresh = s(&public, "refresh_token");
    let (st, b) = refresh_with(&server, &public_refresh, &[]).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = refresh_with(&server, &public_refresh, &[("client_secret", CLIENT_SECRET)]).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = refresh_with(&server, &public_refresh, &[("client_secret", "wrong")]).await;
    assert_token_error(st, &b, 401, "invalid_client");

    // Redeemed with the secret (PKCE or not): the secret stays required.
    let (_, bound) = pkce_exchange(
        &server,
        "profile offline_access",
        &[("client_secret", CLIENT_SECRET)],
    )
    .await;
    let bound_refresh = s(&bound, "refresh_token");
    let (st, b) = refresh_with(&server, &bound_refresh, &[]).await;
    assert_token_error(st, &b, 401, "invalid_client");
    let (st, _, b) = refresh(&server, &bound_refresh).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let plain = tokens(&server, "profile").await;
    let (st, b) = refresh_with(&server, &s(&plain, "refresh_token"), &[]).await;
    assert_token_error(st, &b, 401, "invalid_client");

    // A revoked secret-less grant answers invalid_grant, as any revoked grant.
    server
        .admin()
        .revoke_grants(CLIENT_ID, "someUser")
        .expect("revoked");
    let (st, b) = refresh_with(&server, &public_refresh, &[]).await;
    assert_token_error(st, &b, 401, "invalid_grant");
}

#[tokio::test]
async fn rotation_keeps_the_grants_authentication() {
    let server = auto_server().await;
    server
        .admin()
        .add_app(App {
            id: 900,
            name: "Rotating SPA".into(),
            client_id: "rotating-spa".into(),
            client_secret: Some(ClientSecret::new("spa-secret")),
            redirect_uris: vec![REDIRECT_URI.into()],
            scopes: vec!["profile".into()],
            rotate_refresh_tokens: true,
            ..App::default()
        })
        .expect("registered");
    let refresh_as = |token: String, secret: Option<&'static str>| {
        let server = &server;
        async move {
            let mut form = vec![
                ("grant_type", "refresh_token"),
                ("client_id", "rotating-spa"),
                ("refresh_token", token.as_str()),
            ];
            form.extend(secret.map(|s| ("client_secret", s)));
            let (st, _, b) = post_form(server, TOKEN, &form).await;
            (st, b)
        }
    };
    let (_, first) = pkce_exchange_for(&server, "rotating-spa", "profile offline_access", &[]).await;
    let (st, second) = refresh_as(s(&first, "refresh_token"), None).await;
    assert_eq!(st, StatusCode::OK, "{second}");
    let (st, third) = refresh_as(s(&second, "refresh_token"), None).await;
    assert_eq!(
        st,
        StatusCode::OK,
        "the rotated grant refreshes without the secret: {third}"
    );

    let (_, bound) = pkce_exchange_for(
        &server,
        "rotating-spa",
        "profile",
        &[("client_secret", "spa-secret")],
    )
    .await;
    let (st, rotated) = refresh_as(s(&bound, "refresh_token"), Some("spa-secret")).await;
    assert_eq!(st, StatusCode::OK, "{rotated}");
    let (st, b) = refresh_as(s(&rotated, "refresh_token"), None).await;
    assert_token_error(st, &b, 401, "invalid_client");
}

#[tokio::test]
async fn require_secret_refuses_secret_less_requests() {
    let server = auto_server().await;
    // The fixtures' rotating app opts in.
    let (st, b) = pkce_exchange_for(&server, ROTATING_ID, "profile offline_access", &[]).await;
    assert_token_error(st, &b, 401, "invalid_client");
    assert!(
        b["error"].as_str().is_some_and(|e| e.contains("require_secret")),
        "{b}"
    );
    let (st, b) = pkce_exchange_for(
        &server,
        ROTATING_ID,
        "profile offline_access",
        &[("client_secret", ROTATING_SECRET)],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = refresh_without_secret(&server, ROTATING_ID, &s(&b, "refresh_token")).await;
    assert_token_error(st, &b, 401, "invalid_client");

    // Run-time apps opt in through /_mock/apps with the fixture field name.
    let r = http()
        .post(format!("{}/_mock/apps", server.base_url()))
        .json(&json!({
            "id": 901, "name": "Strict", "client_id": "strict-app", "client_secret": "s3cret",
            "redirect_uris": [REDIRECT_URI], "scopes": ["profile"], "require_secret": true
        }))
        .send()
        .await
        .expect("answers");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    assert!(
        server
            .admin()
            .app("strict-app")
            .expect("registered")
            .require_secret
    );
    let (st, b) = pkce_exchange_for(&server, "strict-app", "profile", &[]).await;
    assert_token_error(st, &b, 401, "invalid_client");

    // A public app cannot require a secret it does not have.
    let err = server
        .admin()
        .add_app(App {
            id: 902,
            name: "Confused".into(),
            client_id: "confused".into(),
            public: true,
            require_secret: true,
            redirect_uris: vec![REDIRECT_URI.into()],
            scopes: vec!["profile".into()],
            ..App::default()
        })
        .expect_err("refused");
    assert!(err.to_string().contains("require_secret"), "{err}");
}

#[tokio::test]
async fn every_app_may_ask_for_offline_access() {
    let server = auto_server().await;
    server
        .admin()
        .add_app(App {
            id: 903,
            name: "Profile only".into(),
            client_id: "profile-only".into(),
            client_secret: Some(ClientSecret::new("p")),
            redirect_uris: vec![REDIRECT_URI.into()],
            scopes: vec!["profile".into()],
            ..App::default()
        })
        .expect("registered");
    let (st, b) = pkce_exchange_for(&server, "profile-only", "profile offline_access", &[]).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["scope"], "profile offline_access");
    assert!(b.get("refresh_token").is_some(), "{b}");
    // offline_access grants no API access of its own.
    let code = code_for(
        &server,
        "profile-only",
        REDIRECT_URI,
        "offline_access",
        Some(CHALLENGE),
    )
    .await;
    let (_, _, b) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "profile-only"),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    let (st, _, body) = api_get(&server, "/api/users/current", &s(&b, "access_token")).await;
    assert_rest_error(st, &body, 403);
}
