//! Every [`Error`] variant, produced by the mock (or, for the local ones, by the client before
//! anything is sent), with ilert's fields kept and the right `is_transient` /
//! `requires_sign_in` answers.

use std::sync::Arc;

use ilert_mock::paths;
use ilert_mock::{FaultSpec, MockServer};
use ilert_oauth2_client::{
    ApiClient, AuthorizationCode, Config, ConfigError, CsrfToken, Endpoint, Error, FileStore, MemoryStore,
    OAuthClient, Page, Pkce, TokenErrorCode, parse_callback,
};
use serde_json::json;

use crate::common::*;

fn token_error(err: &Error) -> &ilert_oauth2_client::TokenError {
    match err {
        Error::Token(e) => e,
        other => panic!("not Error::Token: {other:?}"),
    }
}

fn api_error(err: &Error) -> &ilert_oauth2_client::ApiError {
    match err {
        Error::Api(e) => e,
        other => panic!("not Error::Api: {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client() {
    let server = auto_server().await;
    let oauth = client(guide(&server, "profile").client_secret("0".repeat(64)));
    let (code, verifier) = authorize(&oauth, &browser(), Pkce::Disabled).await;
    let err = oauth
        .exchange_code(&code, verifier.as_ref())
        .await
        .expect_err("wrong secret");
    let e = token_error(&err);
    assert_eq!(
        (e.endpoint, e.status, &e.code),
        (Endpoint::Token, 401, &TokenErrorCode::InvalidClient)
    );
    assert!(e.description.as_deref().is_some_and(|d| !d.is_empty()));
    assert!(!err.is_transient() && !err.requires_sign_in());
    let text = err.to_string();
    assert!(
        text.contains("invalid_client") && text.contains("client secret"),
        "{text}"
    );
}

/// The guide app's client and a fresh authorization code for it (no PKCE, scope `profile`).
async fn guide_code(server: &MockServer) -> (OAuthClient, AuthorizationCode) {
    let oauth = client(guide(server, "profile"));
    let (code, _) = authorize(&oauth, &browser(), Pkce::Disabled).await;
    (oauth, code)
}

#[tokio::test]
async fn a_reused_code_is_invalid_grant_and_ends_the_grant() {
    let server = auto_server().await;
    let (oauth, code) = guide_code(&server).await;
    let tokens = oauth.exchange_code(&code, None).await.expect("first use");
    let err = oauth.exchange_code(&code, None).await.expect_err("second use");
    let e = token_error(&err);
    assert_eq!((e.status, &e.code), (401, &TokenErrorCode::InvalidGrant));
    assert!(err.requires_sign_in());
    // RFC 6749 §4.1.2: reuse revokes what the code produced.
    let refresh = tokens.refresh_token.expect("refresh token");
    let err = oauth.refresh(&refresh).await.expect_err("revoked by the reuse");
    assert_eq!(err.token_error_code(), Some(&TokenErrorCode::InvalidGrant));
}

#[tokio::test]
async fn an_unknown_code_is_ilerts_documented_invalid_grant() {
    let server = auto_server().await;
    let oauth = client(guide(&server, "profile"));
    let code = AuthorizationCode::new("c82ec4eca4c0ac90061fdd4225d1");
    let err = oauth.exchange_code(&code, None).await.expect_err("unknown");
    let e = token_error(&err);
    assert_eq!((e.status, &e.code), (401, &TokenErrorCode::InvalidGrant));
    assert_eq!(e.description.as_deref(), Some("Provided code is unknown"));
    assert!(err.to_string().contains("\"Provided code is unknown\""), "{err}");
}

#[tokio::test]
async fn a_pkce_code_without_its_verifier_is_invalid_grant() {
    let server = auto_server().await;
    let oauth = client(guide(&server, "profile"));
    let (code, verifier) = authorize(&oauth, &browser(), Pkce::S256).await;
    assert!(verifier.is_some());
    let err = oauth.exchange_code(&code, None).await.expect_err("no verifier");
    assert_eq!(err.token_error_code(), Some(&TokenErrorCode::InvalidGrant));
}

/// A 403 means a missing scope: a refresh would bring the same scopes, so none is attempted
/// and the request is not retried.
#[tokio::test]
async fn a_missing_scope_is_a_403_without_refresh() {
    let server = auto_server().await;
    let (_, api) = guide_api(&server, "profile").await;
    let err = api
        .alert_sources(Page::default())
        .await
        .expect_err("no source scope");
    let e = api_error(&err);
    assert_eq!(
        (e.method.as_str(), e.path.as_str(), e.status),
        ("GET", paths::ALERT_SOURCES, 403)
    );
    assert!(e.message.is_some() && e.code.is_some(), "{e:?}");
    assert!(!err.requires_sign_in() && !err.is_transient());
    assert!(err.to_string().contains("scope"), "{err}");
    assert_eq!(refreshes(&server), 0);
    assert_eq!(
        statuses(&server, paths::ALERT_SOURCES),
        [403],
        "sent once, not retried"
    );
}

/// A 503 from the token endpoint is transient; the code was not used up, so the retry works.
#[tokio::test]
async fn a_503_from_the_token_endpoint_is_transient() {
    let server = auto_server().await;
    let (oauth, code) = guide_code(&server).await;
    server.faults().next("token", 503).expect("fault queued");
    let err = oauth.exchange_code(&code, None).await.expect_err("503");
    assert_eq!(err.status(), Some(503));
    assert!(err.is_transient() && !err.requires_sign_in(), "{err:?}");
    assert!(err.to_string().contains("503"), "{err}");
    oauth
        .exchange_code(&code, None)
        .await
        .expect("the retry succeeds");
}

#[tokio::test]
async fn a_rest_404_keeps_status_message_and_code() {
    let server = auto_server().await;
    let (_, api) = guide_api(&server, "profile source:r").await;
    let err = api.alert_source("999999").await.expect_err("no such source");
    let e = api_error(&err);
    assert_eq!(
        (e.method.as_str(), e.path.as_str(), e.status),
        ("GET", "/api/alert-sources/999999", 404)
    );
    assert!(e.message.as_deref().is_some_and(|m| !m.is_empty()), "{e:?}");
    assert!(e.code.as_deref().is_some_and(|c| !c.is_empty()), "{e:?}");
    assert_eq!(e.retry_after, None);
    assert!(!err.is_transient() && !err.requires_sign_in());
    // A scope-checked path the mock does not emulate: 404 in the same shape.
    let err = api
        .get::<serde_json::Value>("/api/alert-sources/999999/heartbeat")
        .await
        .expect_err("404");
    assert_eq!(api_error(&err).status, 404);
}

/// ilert's limit is per IP and minute; the mock's window is its clock's minute, so the
/// `Retry-After` is at most 60 s. A 429 is transient and triggers no refresh.
#[tokio::test]
async fn a_429_carries_retry_after() {
    let server = auto_server_with(|b| b.rate_limit(4).freeze_clock(true)).await;
    // The code exchange is the first /api/ request of the window.
    let (oauth, api) = guide_api(&server, "profile").await;
    for _ in 0..3 {
        api.current_user().await.expect("within the limit");
    }
    let err = api.current_user().await.expect_err("over the limit");
    let e = api_error(&err);
    assert_eq!(e.status, 429);
    assert!(e.retry_after.is_some_and(|s| (1..=60).contains(&s)), "{e:?}");
    assert!(e.message.is_some() && e.code.is_some(), "{e:?}");
    assert!(err.is_transient() && !err.requires_sign_in());
    assert!(err.to_string().contains("retry after"), "{err}");
    assert_eq!(refreshes(&server), 0);

    // The token endpoint is an /api/ path too: its 429 is in the REST shape, and keeps the
    // Retry-After as well.
    let refresh = api
        .tokens()
        .await
        .expect("store")
        .and_then(|t| t.refresh_token)
        .expect("refresh token");
    let err = oauth.refresh(&refresh).await.expect_err("over the limit");
    let e = api_error(&err);
    assert_eq!(
        (e.method.as_str(), e.path.as_str(), e.status),
        ("POST", "/api/developers/oauth2/token", 429)
    );
    assert!(e.retry_after.is_some_and(|s| (1..=60).contains(&s)), "{e:?}");
    assert!(err.is_transient());
}

/// Errors on the redirect back: ilert's `error` parameter, a foreign `state`, no code.
#[tokio::test]
async fn authorization_errors_come_back_on_the_redirect() {
    let server = auto_server().await;
    // The public app may not ask for `team`: the mock redirects back with invalid_scope.
    let oauth = client(app(&server, PUBLIC_ID, PUBLIC_REDIRECT, "profile team"));
    let authorize = oauth.authorize_url(&CsrfToken::new_random(), Pkce::S256);
    let back = redirect_of(&browser(), &authorize.url).await;
    let query = back.query().unwrap_or_default().to_owned();
    let err = parse_callback(&query, Some(&authorize.state)).expect_err("an error comes back");
    let Error::Authorization { error, description } = &err else {
        panic!("not Error::Authorization: {err:?}")
    };
    assert_eq!(error, "invalid_scope");
    assert!(description.as_deref().is_some_and(|d| !d.is_empty()));
    assert!(err.to_string().contains("invalid_scope"), "{err}");

    // The user presses Deny on the grant view: access_denied, with our state.
    let oauth = client(guide(&server, "profile"));
    let authorize = oauth.authorize_url(&CsrfToken::new_random(), Pkce::S256);
    let mut deny: Vec<(String, String)> = authorize.url.query_pairs().into_owned().collect();
    deny.push(("decision".into(), "deny".into()));
    let denied = browser()
        .post(format!("{}/api/developers/oauth2/authorize", server.base_url()))
        .form(&deny)
        .send()
        .await
        .expect("the grant view answers");
    assert_eq!(denied.status(), 302);
    let location = denied
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| url::Url::parse(l).ok())
        .expect("a redirect back");
    let err =
        parse_callback(location.query().unwrap_or_default(), Some(&authorize.state)).expect_err("denied");
    assert!(
        matches!(&err, Error::Authorization { error, .. } if error == "access_denied"),
        "{err:?}"
    );
    assert!(err.to_string().contains("the user refused"), "{err}");

    // Someone else's redirect (another state) is refused before its content is believed.
    let err = parse_callback(&query, Some(&CsrfToken::new("mine"))).expect_err("foreign state");
    assert!(matches!(err, Error::StateMismatch), "{err:?}");
    assert!(err.requires_sign_in());
    let err = parse_callback("state=mine", Some(&CsrfToken::new("mine"))).expect_err("no code");
    assert!(matches!(err, Error::MissingCode), "{err:?}");
}

#[tokio::test]
async fn transport_and_unexpected_answers() {
    let server = auto_server().await;

    // Nothing listens there: a transport error, transient, naming the URL.
    let port = free_port();
    let nowhere = client(
        Config::builder(GUIDE_ID, GUIDE_REDIRECT)
            .client_secret(GUIDE_SECRET)
            .api_url(format!("http://127.0.0.1:{port}")),
    );
    let err = nowhere
        .token_info(&ilert_oauth2_client::AccessToken::new("x"))
        .await
        .expect_err("no server");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_transient() && err.status().is_none());
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")), "{err}");

    // An answer in neither of ilert's shapes (a proxy's page, say).
    let oauth = client(guide(&server, "profile"));
    server
        .faults()
        .push(FaultSpec::status("token", 502).body(json!({"unexpected": true})))
        .expect("fault queued");
    let err = oauth
        .refresh(&ilert_oauth2_client::RefreshToken::new("r"))
        .await
        .expect_err("502");
    assert!(
        matches!(
            err,
            Error::UnexpectedResponse {
                endpoint: Endpoint::Token,
                status: 502,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());

    // A 2xx API answer that is not the JSON the helper expects.
    let api = ApiClient::with_tokens(oauth.clone(), sign_in(&oauth, Pkce::S256).await);
    server
        .faults()
        .push(FaultSpec::status("users_current", 200).body(json!(["not", "a", "user"])))
        .expect("fault queued");
    let err = api.current_user().await.expect_err("not a user");
    assert!(
        matches!(
            err,
            Error::UnexpectedResponse {
                endpoint: Endpoint::Api,
                status: 200,
                ..
            }
        ),
        "{err:?}"
    );
}

/// The variants the client raises itself, before or without asking ilert.
#[tokio::test]
async fn local_errors() {
    let server = auto_server().await;
    let oauth = client(guide(&server, "profile"));

    let err = Error::from(Config::builder("", GUIDE_REDIRECT).build().expect_err("empty id"));
    assert!(
        matches!(err, Error::Config(ConfigError::EmptyClientId)),
        "{err:?}"
    );

    let nobody = ApiClient::new(oauth.clone(), Arc::new(MemoryStore::new()));
    let err = nobody.current_user().await.expect_err("nothing stored");
    assert!(
        matches!(err, Error::NotSignedIn) && err.requires_sign_in(),
        "{err:?}"
    );

    let api = ApiClient::with_tokens(oauth.clone(), sign_in(&oauth, Pkce::S256).await);
    for path in [
        "https://evil.example/api/users/current",
        "/api/../_mock/grants",
        "/_mock/grants",
    ] {
        let err = api.get::<serde_json::Value>(path).await.expect_err("refused");
        assert!(matches!(err, Error::InvalidApiPath(_)), "{path}: {err:?}");
    }

    // A body serde cannot write as JSON (map keys must be strings).
    let body: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
    let err = api
        .post::<_, serde_json::Value>(paths::ALERT_SOURCES, &body)
        .await
        .expect_err("not JSON");
    assert!(matches!(err, Error::RequestBody(_)), "{err:?}");

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tokens.json");
    std::fs::write(&path, "not json").expect("written");
    let broken = ApiClient::new(oauth, Arc::new(FileStore::new(&path)));
    let err = broken.current_user().await.expect_err("unreadable store");
    assert!(matches!(err, Error::Store(_)), "{err:?}");
    assert!(err.to_string().contains("sign in again"), "{err}");

    // Nothing of the above reached the mock's API.
    assert_eq!(statuses(&server, "/api/users/current"), Vec::<u16>::new());
    assert_eq!(statuses(&server, paths::ALERT_SOURCES), Vec::<u16>::new());
}
