//! When [`ApiClient`] refreshes, proved against the mock by counting the refresh requests in its
//! journal.
//!
//! # How the 5-minute advice is proved
//!
//! ilert asks clients not to refresh one token more than once per 5 minutes (behaviour.md §7). The
//! client cannot move its own clock, so each rule is shown by two runs that differ only in the
//! one fact the rule depends on, with the count of refresh requests the mock received as the
//! observable:
//!
//! - *early refresh*: a token 30 s from expiry whose last refresh was 4 minutes ago is used as
//!   is (0 refreshes, however many calls), while the same token refreshed 301 s ago is
//!   refreshed (exactly 1) — the boundary is the 5 minutes, not the 60 s margin;
//! - *a token ilert keeps rejecting*: with the mock answering 401 to every API call, ten calls
//!   cost one refresh under the default policy, and ten refreshes with `min_interval` zero —
//!   the interval, nothing else, is what holds the client back;
//! - *necessary refreshes still happen*: after the mock's clock passes expiry twice within a
//!   few seconds, the client refreshes twice (`an_expired_token_is_refreshed_once_per_401`),
//!   because a token that worked and then expired is renewed at once.

use std::sync::Arc;
use std::time::Duration;

use ilert_mock::FaultSpec;
use ilert_mock::paths;
use ilert_oauth2_client::refresh::RefreshPolicy;
use ilert_oauth2_client::{ApiClient, Error, Grant, MemoryStore, Pkce, TokenSet, TokenStore, unix_now};

use crate::common::*;

async fn signed_in(server: &ilert_mock::MockServer) -> (ilert_oauth2_client::OAuthClient, TokenSet) {
    let oauth = client(guide(server, "profile source:w"));
    let tokens = sign_in(&oauth, Pkce::S256).await;
    (oauth, tokens)
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_per_401() {
    let server = auto_server().await;
    let (oauth, tokens) = signed_in(&server).await;
    let store = Arc::new(MemoryStore::with_tokens(tokens.clone()));
    let api = ApiClient::new(oauth, store.clone());
    api.current_user().await.expect("user");
    assert_eq!(refreshes(&server), 0);

    // The mock's clock passes the access token's expiry; the client's clock does not.
    server.clock().advance(3601);
    api.current_user().await.expect("user after one refresh");
    assert_eq!(refreshes(&server), 1);
    assert_eq!(statuses(&server, paths::USERS_CURRENT), [200, 401, 200]);
    let stored = store.load().expect("loads").expect("tokens");
    assert_ne!(
        stored.access_token, tokens.access_token,
        "the new token is stored"
    );
    assert_eq!(
        stored.refresh_token, tokens.refresh_token,
        "no rotation: same refresh token"
    );
    assert_eq!(stored.obtained_by, Grant::RefreshToken);

    // Valid again: no more refreshes.
    api.current_user().await.expect("user");
    assert_eq!(refreshes(&server), 1);

    // Seconds later the clock passes expiry again: the token had worked, so it is renewed
    // at once although the last refresh was moments ago.
    server.clock().advance(3601);
    api.current_user().await.expect("user after a second refresh");
    assert_eq!(refreshes(&server), 2);
    assert_eq!(
        statuses(&server, paths::USERS_CURRENT),
        [200, 401, 200, 200, 401, 200]
    );
    assert_passes_audit(&server);
}

async fn sixteen_calls(api: &ApiClient) {
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move { api.current_user().await })
        })
        .collect();
    for call in calls {
        let user = call.await.expect("the task joins").expect("user");
        assert_eq!(user.username.as_deref(), Some("someUser"));
    }
}

/// All sixteen get a 401 for the token the mock's clock expired; one refresh serves them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_concurrent_401s_share_one_refresh() {
    let server = auto_server().await;
    let (oauth, tokens) = signed_in(&server).await;
    let api = ApiClient::with_tokens(oauth, tokens);
    server.clock().advance(3601);
    sixteen_calls(&api).await;
    assert_eq!(refreshes(&server), 1, "exactly one POST to the token endpoint");
    let users = statuses(&server, paths::USERS_CURRENT);
    assert_eq!(users.iter().filter(|s| **s == 200).count(), 16, "{users:?}");
    assert_passes_audit(&server);
}

/// The token has expired by the client's own clock: the first caller refreshes before sending,
/// the fifteen others wait for that refresh and use its token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_concurrent_callers_with_an_expired_token_share_one_refresh() {
    let server = auto_server().await;
    let (oauth, mut tokens) = signed_in(&server).await;
    tokens.expires_at = unix_now() - 5;
    let api = ApiClient::with_tokens(oauth, tokens);
    sixteen_calls(&api).await;
    assert_eq!(refreshes(&server), 1, "exactly one POST to the token endpoint");
    assert_eq!(
        statuses(&server, paths::USERS_CURRENT),
        [200; 16],
        "no request went out with the old token"
    );
    assert_passes_audit(&server);
}

/// A token 30 s from expiry (inside the 60 s margin) that was last refreshed `ago` seconds ago.
fn near_expiry(mut tokens: TokenSet, refreshed_ago: u64) -> TokenSet {
    let now = unix_now();
    tokens.expires_at = now + 30;
    tokens.obtained_at = now - refreshed_ago;
    tokens.obtained_by = Grant::RefreshToken;
    tokens
}

#[tokio::test]
async fn no_early_refresh_within_five_minutes_of_the_last() {
    let server = auto_server().await;
    let (oauth, tokens) = signed_in(&server).await;

    let api = ApiClient::with_tokens(oauth.clone(), near_expiry(tokens.clone(), 240));
    for _ in 0..5 {
        api.current_user().await.expect("user with the current token");
    }
    assert_eq!(
        refreshes(&server),
        0,
        "refreshed 4 minutes ago: the early refresh waits"
    );

    let api = ApiClient::with_tokens(oauth, near_expiry(tokens, 301));
    for _ in 0..5 {
        api.current_user().await.expect("user");
    }
    assert_eq!(
        refreshes(&server),
        1,
        "refreshed 301 s ago: one early refresh, then none"
    );
    assert_passes_audit(&server);
}

/// The mock rejects every API call with 401 (a fault), so refreshing never helps.
async fn rejected_ten_times(policy: RefreshPolicy) -> usize {
    let server = auto_server().await;
    let (oauth, tokens) = signed_in(&server).await;
    server
        .faults()
        .push(FaultSpec::status("users_current", 401).times(100))
        .expect("fault queued");
    let api = ApiClient::with_refresh_policy(oauth, Arc::new(MemoryStore::with_tokens(tokens)), policy);
    for _ in 0..10 {
        let err = api.current_user().await.expect_err("rejected");
        assert!(matches!(&err, Error::Api(e) if e.status == 401), "{err:?}");
        assert!(err.requires_sign_in());
    }
    refreshes(&server)
}

#[tokio::test]
async fn a_token_ilert_keeps_rejecting_costs_one_refresh_per_five_minutes() {
    assert_eq!(rejected_ten_times(RefreshPolicy::default()).await, 1);
    let no_interval = RefreshPolicy {
        min_interval: Duration::ZERO,
        ..RefreshPolicy::default()
    };
    assert_eq!(
        rejected_ten_times(no_interval).await,
        10,
        "the interval is what holds back"
    );
}

/// A transient failure of the refresh is not remembered: the next call refreshes again, even
/// though the rejected token was never accepted and a refresh was attempted moments ago (the
/// "given up" rule is for a token a refresh *issued*, not for one whose refresh failed). Only
/// `invalid_grant` marks a grant as dead.
#[tokio::test]
async fn a_failed_refresh_is_retried_but_a_dead_grant_is_not() {
    let server = auto_server().await;
    let (oauth, tokens) = signed_in(&server).await;
    let api = ApiClient::with_tokens(oauth, tokens);
    server.clock().advance(3601);
    server.faults().next("token", 503).expect("fault queued");
    let err = api.current_user().await.expect_err("the refresh failed");
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(err.status(), Some(503));
    api.current_user()
        .await
        .expect("the next call refreshes and succeeds");
    assert_eq!(refreshes(&server), 2);

    // The user revokes the app in ilert: the refresh answers invalid_grant once, then the
    // client stops asking.
    server
        .admin()
        .revoke_grants(GUIDE_ID, "someUser")
        .expect("grants revoked");
    server.clock().advance(3601);
    for _ in 0..3 {
        let err = api.current_user().await.expect_err("the grant is gone");
        assert_eq!(
            err.token_error_code(),
            Some(&ilert_oauth2_client::TokenErrorCode::InvalidGrant)
        );
        assert!(err.requires_sign_in());
    }
    assert_eq!(refreshes(&server), 3, "one refused refresh, then none");
    assert_passes_audit(&server);
}
