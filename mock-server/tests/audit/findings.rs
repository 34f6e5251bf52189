//! One scripted client per finding: it does ilert's flow right except for exactly one mistake,
//! and the audit reports exactly that finding (nothing else above `info`), with the app, the
//! user and the journal numbers of the requests that show it.

use ilert_mock::ClientSecret;
use ilert_mock::{App, MockServer, Severity};
use reqwest::StatusCode;

use super::common::*;
use super::{
    assert_serious, exchange_right, exchange_with_secret, fresh_state, pkce_authorize, redirect, refresh_ok,
    requests_of, revoke, right_authorize, sign_in_right, signed_in, the,
};

#[tokio::test]
async fn no_state_with_pkce_is_a_warning() {
    let server = auto_server().await;
    let mut pairs = right_authorize("", "profile");
    pairs.retain(|(k, _)| *k != "state");
    let params = redirect(&server, &pairs).await;
    exchange_right(&server, &param(&params, "code").expect("code")).await;
    let report = assert_serious(&server, &["NO_STATE/warning"]);
    let finding = the(&report, "NO_STATE");
    assert_eq!(finding.app.as_deref(), Some(CLIENT_ID));
    assert_eq!(finding.user.as_deref(), Some("someUser"));
    assert_eq!(requests_of(&server, finding), [format!("GET {AUTHORIZE} 302")]);
    assert_eq!(finding.source, "RFC 6749 §10.12, RFC 9700 §4.7");
}

#[tokio::test]
async fn no_state_and_no_pkce_is_an_error() {
    let server = auto_server().await;
    let code = code_for_without_state(&server).await;
    let (status, _, body) = exchange(&server, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report = assert_serious(&server, &["NO_STATE/error", "NO_PKCE/warning"]);
    assert!(
        the(&report, "NO_STATE").title.contains("without PKCE"),
        "{}",
        report.table()
    );
}

async fn code_for_without_state(server: &MockServer) -> String {
    let (status, headers, body) = authorize(server, &code_request("profile")).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    param(&location_params(&headers), "code").expect("code")
}

#[tokio::test]
async fn the_same_state_twice() {
    let server = auto_server().await;
    for _ in 0..2 {
        let params = redirect(&server, &right_authorize("optional-state", "profile")).await;
        let tokens = exchange_right(&server, &param(&params, "code").expect("code")).await;
        revoke(&server, &s(&tokens, "refresh_token")).await;
    }
    let report = assert_serious(&server, &["STATE_REUSED/warning"]);
    let finding = the(&report, "STATE_REUSED");
    assert_eq!(finding.count, 2);
    assert!(
        requests_of(&server, finding)
            .iter()
            .all(|r| r.starts_with("GET /api/developers/oauth2/authorize")),
        "{finding:?}"
    );
}

#[tokio::test]
async fn no_pkce_for_an_app_that_sends_its_secret_is_a_warning() {
    let server = auto_server().await;
    let mut pairs = right_authorize(&fresh_state(), "profile");
    pairs.retain(|(k, _)| !k.starts_with("code_challenge"));
    let params = redirect(&server, &pairs).await;
    let (status, _, body) = exchange(&server, &param(&params, "code").expect("code")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report = assert_serious(&server, &["NO_PKCE/warning"]);
    assert_eq!(the(&report, "NO_PKCE").user.as_deref(), Some("someUser"));
}

#[tokio::test]
async fn no_pkce_for_a_public_app_is_an_error() {
    let server = auto_server().await;
    let params = redirect(
        &server,
        &[
            ("client_id", PUBLIC_ID.to_owned()),
            ("response_type", "code".to_owned()),
            ("redirect_uri", PUBLIC_REDIRECT.to_owned()),
            ("scope", "profile".to_owned()),
            ("state", fresh_state()),
        ],
    )
    .await;
    assert_eq!(param(&params, "error").as_deref(), Some("invalid_request"));
    let report = assert_serious(&server, &["NO_PKCE/error"]);
    assert_eq!(the(&report, "NO_PKCE").app.as_deref(), Some(PUBLIC_ID));
}

#[tokio::test]
async fn credentials_in_the_url_query() {
    let server = auto_server().await;
    let params = redirect(&server, &right_authorize(&fresh_state(), "profile")).await;
    let code = param(&params, "code").expect("code");
    // The classic slip: the token request's fields as URL parameters instead of the body.
    let url = format!(
        "{}{TOKEN}?{}",
        server.base_url(),
        query(&[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ])
    );
    let refused = http().post(url).send().await.expect("answers");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    exchange_right(&server, &code).await;
    let report = assert_serious(&server, &["SECRET_IN_QUERY/error"]);
    let finding = the(&report, "SECRET_IN_QUERY");
    assert_eq!(finding.app.as_deref(), Some(CLIENT_ID));
    assert!(
        finding
            .title
            .starts_with("client_secret, code_verifier in the URL query of 1 request"),
        "{}",
        finding.title
    );
    assert_eq!(requests_of(&server, finding), [format!("POST {TOKEN} 400")]);
}

#[tokio::test]
async fn an_access_token_in_the_url_query() {
    let server = auto_server().await;
    let tokens = sign_in_right(&server, "profile").await;
    let url = format!(
        "{}/api/users/current?access_token={}",
        server.base_url(),
        s(&tokens, "access_token")
    );
    assert_eq!(http().get(url).send().await.expect("answers").status(), 401);
    let report = assert_serious(&server, &["TOKEN_IN_QUERY/error"]);
    let finding = the(&report, "TOKEN_IN_QUERY");
    assert_eq!(
        (finding.app.as_deref(), finding.user.as_deref()),
        (Some(CLIENT_ID), Some("someUser"))
    );
}

#[tokio::test]
async fn a_code_redeemed_twice() {
    let server = auto_server().await;
    let params = redirect(&server, &right_authorize(&fresh_state(), "profile")).await;
    let code = param(&params, "code").expect("code");
    exchange_right(&server, &code).await;
    let (status, _) = exchange_with_secret(&server, &code, CLIENT_SECRET).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let report = assert_serious(&server, &["CODE_REUSED/error"]);
    let finding = the(&report, "CODE_REUSED");
    assert_eq!(finding.user.as_deref(), Some("someUser"));
    assert_eq!(
        requests_of(&server, finding),
        [format!("POST {TOKEN} 200"), format!("POST {TOKEN} 401")]
    );
}

#[tokio::test]
async fn a_retry_after_a_wrong_secret_is_not_a_reused_code() {
    let server = auto_server().await;
    let params = redirect(&server, &right_authorize(&fresh_state(), "profile")).await;
    let code = param(&params, "code").expect("code");
    let (status, _) = exchange_with_secret(&server, &code, "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    exchange_right(&server, &code).await;
    assert_serious(&server, &[]);
}

#[tokio::test]
async fn refreshed_twice_within_five_minutes() {
    // A frozen clock: 299 s must stay 299 s however long the requests take.
    let server = MockServer::builder()
        .auto_approve("someUser")
        .freeze_clock(true)
        .start()
        .await
        .expect("server starts");
    let tokens = sign_in_right(&server, "profile").await;
    let refresh_token = s(&tokens, "refresh_token");
    server.clock().advance(3601);
    assert_eq!(refresh(&server, &refresh_token).await.0, StatusCode::OK);
    server.clock().advance(299);
    assert_eq!(refresh(&server, &refresh_token).await.0, StatusCode::OK);
    let report = assert_serious(&server, &["REFRESH_TOO_OFTEN/warning"]);
    let finding = the(&report, "REFRESH_TOO_OFTEN");
    assert!(finding.title.contains("299 s apart"), "{}", finding.title);
    assert_eq!(finding.requests.len(), 2);
    // Five minutes later is fine: `/_mock/clock` moves the audit's time too.
    server.audit().clear();
    server.clock().advance(300);
    assert_eq!(refresh(&server, &refresh_token).await.0, StatusCode::OK);
    assert_serious(&server, &[]);
}

#[tokio::test]
async fn rotation_keeps_the_grant_so_refreshing_it_too_often_still_counts() {
    let server = auto_server().await;
    let params = redirect(
        &server,
        &pkce_authorize(ROTATING_ID, REDIRECT_URI, "profile", &fresh_state()),
    )
    .await;
    let rotating = |refresh_token: String| {
        let server = &server;
        async move {
            let (status, _, body) = post_form(
                server,
                TOKEN,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", ROTATING_ID),
                    ("client_secret", ROTATING_SECRET),
                    ("refresh_token", &refresh_token),
                ],
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            s(&body, "refresh_token")
        }
    };
    let (status, _, tokens) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", ROTATING_ID),
            ("client_secret", ROTATING_SECRET),
            ("code", &param(&params, "code").expect("code")),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let second = rotating(s(&tokens, "refresh_token")).await;
    rotating(second).await;
    let report = assert_serious(&server, &["REFRESH_TOO_OFTEN/warning"]);
    assert_eq!(
        the(&report, "REFRESH_TOO_OFTEN").app.as_deref(),
        Some(ROTATING_ID)
    );
}

#[tokio::test]
async fn signing_in_again_instead_of_refreshing() {
    let server = auto_server().await;
    sign_in_right(&server, "profile").await;
    sign_in_right(&server, "profile").await;
    let report = assert_serious(&server, &["REAUTHORIZED_INSTEAD_OF_REFRESH/warning"]);
    let finding = the(&report, "REAUTHORIZED_INSTEAD_OF_REFRESH");
    assert_eq!(finding.user.as_deref(), Some("someUser"));
    assert_eq!(finding.count, 1, "only the second authorization: {finding:?}");
    assert!(
        finding.title.contains("1 valid refresh token"),
        "{}",
        finding.title
    );
}

#[tokio::test]
async fn an_eleventh_grant_revokes_the_oldest() {
    let server = auto_server().await;
    for _ in 0..11 {
        sign_in_right(&server, "profile").await;
    }
    // Eleven grants cannot happen without signing in again while refresh tokens still work.
    let report = assert_serious(
        &server,
        &[
            "GRANT_LIMIT_REACHED/warning",
            "REAUTHORIZED_INSTEAD_OF_REFRESH/warning",
        ],
    );
    let finding = the(&report, "GRANT_LIMIT_REACHED");
    assert_eq!(requests_of(&server, finding), [format!("POST {TOKEN} 200")]);
    assert!(
        finding.title.contains("1 older refresh token"),
        "{}",
        finding.title
    );
    assert_eq!(the(&report, "REAUTHORIZED_INSTEAD_OF_REFRESH").count, 10);
}

#[tokio::test]
async fn an_expired_access_token_sent_again() {
    let server = auto_server().await;
    let (_, access) = signed_in(&server).await;
    assert_eq!(current_user(&server, &access).await, 200);
    server.clock().advance(3601);
    for _ in 0..2 {
        assert_eq!(current_user(&server, &access).await, 401);
    }
    let report = assert_serious(&server, &["EXPIRED_TOKEN_RETRIED/warning"]);
    let finding = the(&report, "EXPIRED_TOKEN_RETRIED");
    assert_eq!(
        (finding.app.as_deref(), finding.user.as_deref()),
        (Some(CLIENT_ID), Some("someUser"))
    );
    assert!(finding.title.contains("without a refresh"), "{}", finding.title);
    assert_eq!(finding.count, 2);
}

#[tokio::test]
async fn the_expired_access_token_sent_after_the_refresh_came_back() {
    let server = auto_server().await;
    let (tokens, access) = signed_in(&server).await;
    server.clock().advance(3601);
    assert_eq!(current_user(&server, &access).await, 401);
    refresh_ok(&server, &tokens).await;
    // The app holds a new token, yet a minute later sends the old one again.
    server.clock().advance(60);
    assert_eq!(current_user(&server, &access).await, 401);
    let report = assert_serious(&server, &["EXPIRED_TOKEN_RETRIED/warning"]);
    let finding = the(&report, "EXPIRED_TOKEN_RETRIED");
    assert!(finding.title.contains("after the refresh"), "{}", finding.title);
    assert_eq!(
        requests_of(&server, finding),
        ["GET /api/users/current 401", "GET /api/users/current 401"]
    );
}

#[tokio::test]
async fn a_refused_refresh_token_sent_again() {
    let server = auto_server().await;
    let tokens = sign_in_right(&server, "profile").await;
    let refresh_token = s(&tokens, "refresh_token");
    revoke(&server, &refresh_token).await;
    for _ in 0..2 {
        assert_eq!(refresh(&server, &refresh_token).await.0, StatusCode::UNAUTHORIZED);
    }
    let report = assert_serious(&server, &["REVOKED_REFRESH_RETRIED/warning"]);
    let finding = the(&report, "REVOKED_REFRESH_RETRIED");
    assert_eq!(finding.user.as_deref(), Some("someUser"));
    assert_eq!(
        requests_of(&server, finding),
        [format!("POST {TOKEN} 401"), format!("POST {TOKEN} 401")]
    );
}

async fn limited_server() -> MockServer {
    MockServer::builder()
        .auto_approve("someUser")
        .rate_limit(3)
        // A window boundary, frozen: the window ends only when the test moves the clock.
        .clock_start(1_800_000_000)
        .freeze_clock(true)
        .start()
        .await
        .expect("starts")
}

#[tokio::test]
async fn requests_before_retry_after_has_passed() {
    let server = limited_server().await;
    let (_, access) = signed_in(&server).await;
    // The sign-in's token request counted too: two calls reach the limit.
    let statuses = [
        current_user(&server, &access).await,
        current_user(&server, &access).await,
        current_user(&server, &access).await,
    ];
    assert_eq!(statuses.map(|s| s.as_u16()), [200, 200, 429]);
    assert_eq!(current_user(&server, &access).await, 429);
    let report = assert_serious(&server, &["RATE_LIMIT_IGNORED/warning"]);
    let finding = the(&report, "RATE_LIMIT_IGNORED");
    assert_eq!(finding.user.as_deref(), Some("someUser"));
    assert!(finding.title.contains("within the 60 s"), "{}", finding.title);
    assert_eq!(finding.count, 2);
}

#[tokio::test]
async fn waiting_for_retry_after_is_right() {
    let server = limited_server().await;
    let (_, access) = signed_in(&server).await;
    for _ in 0..2 {
        api_get(&server, "/api/users/current", &access).await;
    }
    let (status, headers, _) = api_get(&server, "/api/users/current", &access).await;
    assert_eq!(status, 429);
    let wait: i64 = headers["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    server.clock().advance(wait);
    assert_eq!(current_user(&server, &access).await, 200);
    assert_serious(&server, &[]);
}

#[tokio::test]
async fn scopes_the_calls_never_needed_are_info() {
    let server = auto_server().await;
    let tokens = sign_in_right(&server, "profile:w source:w offline_access").await;
    assert_eq!(current_user(&server, &s(&tokens, "access_token")).await, 200);
    let report = assert_serious(&server, &[]);
    let mut titles: Vec<&str> = report
        .with_id("SCOPE_UNUSED")
        .iter()
        .map(|f| f.title.as_str())
        .collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            "scope 'profile:w' granted, but the API calls needed only read access ('profile')",
            "scope 'source:w' granted, but no API call needed it",
        ],
        "offline_access grants no API access and is never reported"
    );
    assert!(
        report
            .with_id("SCOPE_UNUSED")
            .iter()
            .all(|f| f.severity == Severity::Info)
    );
}

#[tokio::test]
async fn a_redirect_uri_on_plain_http_to_another_host() {
    let server = auto_server().await;
    server
        .admin()
        .add_app(App {
            id: 901,
            name: "Plain".into(),
            client_id: "plain-app".into(),
            client_secret: Some(ClientSecret::new("plain-secret")),
            redirect_uris: vec![
                "http://app.example.test/cb".into(),
                "http://10.1.2.3/cb".into(),
                "http://127.0.0.1:9/cb".into(),
            ],
            scopes: vec!["profile".into()],
            ..App::default()
        })
        .expect("added");
    let pairs = pkce_authorize(
        "plain-app",
        "http://app.example.test/cb",
        "profile",
        &fresh_state(),
    );
    let params = redirect(&server, &pairs).await;
    assert!(param(&params, "code").is_some());
    let report = assert_serious(
        &server,
        &["INSECURE_REDIRECT_URI/error", "INSECURE_REDIRECT_URI/warning"],
    );
    let at = |severity: Severity, uri: &str| {
        let found = report
            .with_id("INSECURE_REDIRECT_URI")
            .into_iter()
            .find(|f| f.severity == severity)
            .unwrap_or_else(|| panic!("the {severity} one: {}", report.table()));
        assert!(found.title.contains(uri), "{}", found.title);
        found
    };
    // The one used, an error; the one only registered, a warning.
    assert_eq!(at(Severity::Error, "http://app.example.test/cb").count, 1);
    assert!(at(Severity::Warning, "http://10.1.2.3/cb").requests.is_empty());
}

#[tokio::test]
async fn a_call_refused_for_its_method_still_counts_as_needing_its_scope() {
    let server = auto_server().await;
    let tokens = sign_in_right(&server, "profile alert:w").await;
    let access = s(&tokens, "access_token");
    assert_eq!(current_user(&server, &access).await, 200);
    // `/api/alerts/count` serves GET only: a PATCH passes the bearer checks (it needs
    // `alert:w`), then is a 405. The audit hears of the call as of any other.
    let (st, _, _) = api_request(
        &server,
        reqwest::Method::PATCH,
        "/api/alerts/count",
        Some(&access),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    let report = assert_serious(&server, &[]);
    assert!(report.with_id("SCOPE_UNUSED").is_empty(), "{}", report.table());
}
