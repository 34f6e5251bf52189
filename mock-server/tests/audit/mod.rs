//! The audit of the app under test (`GET /_mock/audit`, `server.audit().report()`, `ilert-mock audit`):
//! a scripted client per finding that makes exactly that mistake gets that finding and nothing
//! above `info` else (`findings.rs`); flows done right get nothing above `info`, concurrency is
//! not mistaken for retries (`clean.rs`); the HTTP surface, the bounds, the secrets kept out and
//! the command (`surfaces.rs`, `command.rs`).
//!
//! One test binary with a module per theme. Nothing sleeps: time is the mock's clock.

use crate::common;

mod clean;
mod command;
mod findings;
mod surfaces;

use ilert_mock::audit::{Finding, Report};
use ilert_mock::{MockServer, Severity};
use reqwest::StatusCode;
use serde_json::Value;

use common::*;

/// A fresh random-looking `state` per call (distinct within a test run).
pub fn fresh_state() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "st-{:016x}",
        NEXT.fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
    )
}

/// The authorize parameters of the guide app done right: a fresh state and PKCE (S256).
pub fn right_authorize(state: &str, scope: &'static str) -> Vec<(&'static str, String)> {
    pkce_authorize(CLIENT_ID, REDIRECT_URI, scope, state)
}

/// The authorize parameters of `client_id` at `redirect_uri` with `state` and PKCE (S256).
pub fn pkce_authorize(
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    state: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", client_id.to_owned()),
        ("response_type", "code".to_owned()),
        ("redirect_uri", redirect_uri.to_owned()),
        ("scope", scope.to_owned()),
        ("state", state.to_owned()),
        ("code_challenge", CHALLENGE.to_owned()),
        ("code_challenge_method", "S256".to_owned()),
    ]
}

/// GET authorize with `pairs` (owned values); asserts the 302 and returns its parameters.
pub async fn redirect(server: &MockServer, pairs: &[(&str, String)]) -> Vec<(String, String)> {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, headers, body) = authorize(server, &pairs).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    location_params(&headers)
}

/// The code exchange done right: the secret and the PKCE verifier in the body.
pub async fn exchange_right(server: &MockServer, code: &str) -> Value {
    let (status, body) = exchange_with_secret(server, code, CLIENT_SECRET).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The guide app's code exchange with PKCE and `secret` in the body; status and answer.
pub async fn exchange_with_secret(server: &MockServer, code: &str, secret: &str) -> (StatusCode, Value) {
    let (status, _, body) = exchange_pkce(server, secret, code, VERIFIER).await;
    (status, body)
}

/// Authorize (fresh state, PKCE) and exchange, as ilert's guide does it right.
pub async fn sign_in_right(server: &MockServer, scope: &'static str) -> Value {
    let params = redirect(server, &right_authorize(&fresh_state(), scope)).await;
    let code = param(&params, "code").expect("a code");
    exchange_right(server, &code).await
}

/// [`sign_in_right`] with `profile`: the token answer and its access token.
pub async fn signed_in(server: &MockServer) -> (Value, String) {
    let tokens = sign_in_right(server, "profile").await;
    let access = s(&tokens, "access_token");
    (tokens, access)
}

/// Refreshes with the refresh token of `tokens`; asserts the 200 and returns the new tokens.
pub async fn refresh_ok(server: &MockServer, tokens: &Value) -> Value {
    let (status, _, refreshed) = refresh(server, &s(tokens, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    refreshed
}

/// Revokes a refresh token, as an app does at sign-out.
pub async fn revoke(server: &MockServer, refresh_token: &str) {
    let (status, _, body) = post_form(server, REVOKE, &[("token", refresh_token)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The findings above `info`, as `ID/severity` words (for messages and comparisons).
pub fn serious(report: &Report) -> Vec<String> {
    report
        .at_or_above(Severity::Warning)
        .iter()
        .map(|f| format!("{}/{}", f.id, f.severity))
        .collect()
}

/// Asserts that the findings above `info` are exactly `expected` (`ID/severity`, any order) and
/// returns the report.
pub fn assert_serious(server: &MockServer, expected: &[&str]) -> Report {
    let report = server.audit().report();
    let mut got = serious(&report);
    got.sort();
    let mut want: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    assert_eq!(got, want, "{}", report.table());
    report
}

/// The one finding with `id`.
pub fn the<'r>(report: &'r Report, id: &str) -> &'r Finding {
    let found = report.with_id(id);
    assert_eq!(found.len(), 1, "{}", report.table());
    found[0]
}

/// The journal entries with these numbers, as `METHOD path status`.
pub fn requests_of(server: &MockServer, finding: &Finding) -> Vec<String> {
    let journal = server.journal().all();
    finding
        .requests
        .iter()
        .map(|seq| {
            journal.iter().find(|e| e.seq == *seq).map_or_else(
                || format!("#{seq} (gone)"),
                |e| format!("{} {} {}", e.method, e.path, e.status),
            )
        })
        .collect()
}
