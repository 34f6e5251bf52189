//! Flows done right get nothing above `info`: ilert's backend guide with state, PKCE, one
//! refresh after expiry and a revoke; ilert's PKCE guide without a secret; the grant view's round
//! trip (one authorization, not two with the same state); and concurrent requests, which are
//! not retries of each other.

use ilert_mock::{FaultSpec, MockServer};
use reqwest::StatusCode;

use super::common::*;
use super::{
    assert_serious, fresh_state, pkce_authorize, redirect, refresh_ok, right_authorize, sign_in_right,
    signed_in,
};

#[tokio::test]
async fn ilerts_guide_done_right_has_no_finding_above_info() {
    let server = auto_server().await;
    let tokens = sign_in_right(&server, "profile source:w").await;
    let access = s(&tokens, "access_token");
    assert_eq!(current_user(&server, &access).await, 200);
    assert_eq!(api_get(&server, "/api/alert-sources", &access).await.0, 200);
    // An hour later the access token has expired: one 401, one refresh, the call again.
    server.clock().advance(3601);
    assert_eq!(current_user(&server, &access).await, 401);
    let refreshed = refresh_ok(&server, &tokens).await;
    assert_eq!(current_user(&server, &s(&refreshed, "access_token")).await, 200);
    let (status, _, _) = post_form(&server, REVOKE, &[("token", &s(&tokens, "refresh_token"))]).await;
    assert_eq!(status, StatusCode::OK);
    let report = assert_serious(&server, &[]);
    assert_eq!(report.apps, [CLIENT_ID]);
    assert_eq!(report.requests, 8);
    // `source:w` was granted but only read: worth knowing, not a warning.
    assert_eq!(report.with_id("SCOPE_UNUSED").len(), 1, "{}", report.table());
}

#[tokio::test]
async fn ilerts_pkce_guide_without_a_secret_has_no_finding_above_info() {
    let server = auto_server().await;
    for (client_id, redirect_uri) in [(CLIENT_ID, PUBLIC_REDIRECT), (PUBLIC_ID, PUBLIC_REDIRECT)] {
        let pairs = pkce_authorize(client_id, redirect_uri, "profile offline_access", &fresh_state());
        let params = redirect(&server, &pairs).await;
        let code = param(&params, "code").expect("code");
        let (status, _, tokens) = post_form(
            &server,
            TOKEN,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", client_id),
                ("code", &code),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert_eq!(current_user(&server, &s(&tokens, "access_token")).await, 200);
        server.clock().advance(3601);
        let (status, _, refreshed) =
            refresh_without_secret(&server, client_id, &s(&tokens, "refresh_token")).await;
        assert_eq!(status, StatusCode::OK, "{refreshed}");
        let (status, _, _) = post_form(&server, REVOKE, &[("token", &s(&refreshed, "refresh_token"))]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let report = assert_serious(&server, &[]);
    assert_eq!(report.apps, [CLIENT_ID, PUBLIC_ID]);
}

#[tokio::test]
async fn the_grant_views_round_trip_is_one_authorization() {
    let server = MockServer::start().await;
    let state = fresh_state();
    let pairs = right_authorize(&state, "profile");
    let get_pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, page) = authorize(&server, &get_pairs).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Grant"));
    // The browser reloads the page once, then the user presses Grant.
    assert_eq!(authorize(&server, &get_pairs).await.0, StatusCode::OK);
    let mut form = get_pairs.clone();
    form.extend([("user", "someUser"), ("decision", "grant")]);
    let (status, headers, _) = post_form(&server, AUTHORIZE, &form).await;
    assert_eq!(status, StatusCode::FOUND);
    let code = param(&location_params(&headers), "code").expect("code");
    super::exchange_right(&server, &code).await;
    let report = assert_serious(&server, &[]);
    assert_eq!(report.requests, 4);
}

#[tokio::test]
async fn concurrent_calls_with_an_expired_token_are_not_retries() {
    let server = auto_server().await;
    let (tokens, access) = signed_in(&server).await;
    server.clock().advance(3601);
    // Eight callers find the token expired at once (each answer held back, so all eight are in
    // flight before the first 401 is answered), then one refresh serves them all.
    server
        .faults()
        .push(FaultSpec::delay("users_current", 1_500).times(8))
        .expect("queued");
    let mut calls = tokio::task::JoinSet::new();
    for client in (0..8).map(|_| http()) {
        let (base, access) = (server.base_url(), access.clone());
        calls.spawn(async move { api_get_at(&client, &base, "/api/users/current", &access).await.0 });
    }
    while let Some(status) = calls.join_next().await {
        assert_eq!(status.expect("the call ran"), StatusCode::UNAUTHORIZED);
    }
    let refreshed = refresh_ok(&server, &tokens).await;
    assert_eq!(current_user(&server, &s(&refreshed, "access_token")).await, 200);
    assert_serious(&server, &[]);
}

#[tokio::test]
async fn a_call_that_crosses_the_401_while_the_refresh_is_in_flight_is_not_a_retry() {
    let server = auto_server().await;
    let (tokens, access) = signed_in(&server).await;
    server.clock().advance(3601);
    assert_eq!(current_user(&server, &access).await, 401);
    // One caller refreshes (its answer held back); another caller, which had not heard of the
    // 401 yet, sends the old token meanwhile. Once the refresh is back, both use the new token.
    server
        .faults()
        .push(FaultSpec::delay("token", 1_500))
        .expect("queued");
    let (base, refresh_token) = (server.base_url(), s(&tokens, "refresh_token"));
    let refreshing = tokio::spawn(async move { refresh_at(&http(), &base, &refresh_token).await });
    assert_eq!(current_user(&server, &access).await, 401);
    let (status, _, refreshed) = refreshing.await.expect("the refresh ran");
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_eq!(current_user(&server, &s(&refreshed, "access_token")).await, 200);
    assert_serious(&server, &[]);
}

#[tokio::test]
async fn a_caller_held_up_with_the_old_token_just_after_the_refresh_is_not_a_retry() {
    let server = auto_server().await;
    let (tokens, access) = signed_in(&server).await;
    server.clock().advance(3601);
    assert_eq!(current_user(&server, &access).await, 401);
    let refreshed = refresh_ok(&server, &tokens).await;
    // A second caller read the token before the refresh came back and sends it only now; it
    // gets its 401 and uses the new token from then on.
    assert_eq!(current_user(&server, &access).await, 401);
    assert_eq!(current_user(&server, &s(&refreshed, "access_token")).await, 200);
    assert_serious(&server, &[]);
}
