//! `GET /_mock/audit` and `DELETE /_mock/audit`, their filters and errors; the audit outlives the
//! journal's bounds, has its own, and keeps no secret; reset and the control token cover it.

use ilert_mock::{ControlAccess, MockServer, Severity};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::common::*;
use super::{exchange_right, fresh_state, redirect, right_authorize, sign_in_right};

/// An authorization without PKCE (a warning) and a reused code (an error) by the guide app, and
/// an access token in a query (an error) for the public app.
async fn mistakes(server: &MockServer) -> Value {
    let mut pairs = right_authorize(&fresh_state(), "profile");
    pairs.retain(|(k, _)| !k.starts_with("code_challenge"));
    let code = param(&redirect(server, &pairs).await, "code").expect("code");
    let (_, _, tokens) = exchange(server, &code).await;
    exchange(server, &code).await;
    tokens
}

#[tokio::test]
async fn the_report_as_json_filtered_by_app_and_severity() {
    let server = auto_server().await;
    mistakes(&server).await;
    let (status, all) = control(&server, Method::GET, "/audit", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["requests"], 3);
    assert_eq!(all["requests_dropped"], 0);
    assert_eq!(all["apps"], serde_json::json!([CLIENT_ID]));
    assert_eq!(
        all["counts"],
        serde_json::json!({"error": 1, "warning": 1, "info": 0})
    );
    let first = &all["findings"][0];
    assert_eq!(first["id"], "CODE_REUSED");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["app"], CLIENT_ID);
    assert_eq!(first["user"], "someUser");
    assert_eq!(first["source"], "RFC 6749 §4.1.2");
    assert_eq!(first["requests"], serde_json::json!([2, 3]));
    assert_eq!(first["count"], 2);
    for key in ["title", "advice"] {
        assert!(first[key].as_str().is_some_and(|t| !t.is_empty()), "{first}");
    }
    assert_eq!(all["findings"][1]["id"], "NO_PKCE");

    let (_, errors) = control(&server, Method::GET, "/audit?severity=error", None).await;
    assert_eq!(errors["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(errors["counts"]["warning"], 0);
    let (_, warnings) = control(&server, Method::GET, "/audit?severity=warning", None).await;
    assert_eq!(warnings["findings"].as_array().map(Vec::len), Some(2));
    let (_, other) = control(&server, Method::GET, "/audit?app=someone-else", None).await;
    assert_eq!(other["findings"], serde_json::json!([]));
    let (_, mine) = control(&server, Method::GET, &format!("/audit?app={CLIENT_ID}"), None).await;
    assert_eq!(mine["findings"].as_array().map(Vec::len), Some(2));

    let (status, bad) = control(&server, Method::GET, "/audit?severity=fatal", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad["error"],
        "severity: 'fatal' is not one of error, warning, info"
    );
}

#[tokio::test]
async fn delete_and_reset_start_afresh_and_the_journal_is_apart() {
    let server = auto_server().await;
    mistakes(&server).await;
    let (status, _) = control(&server, Method::DELETE, "/requests", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        server.audit().report().findings.len(),
        2,
        "clearing the journal keeps the audit"
    );
    let (status, _) = control(&server, Method::DELETE, "/audit", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let report = server.audit().report();
    assert!(report.findings.is_empty() && report.requests == 0, "{report:?}");
    mistakes(&server).await;
    assert_eq!(server.audit().report().findings.len(), 2);
    control(&server, Method::POST, "/reset", None).await;
    assert_eq!(server.audit().report(), ilert_mock::audit::Report::default());
}

#[tokio::test]
async fn findings_outlive_the_journals_bounds() {
    let server = started(MockServer::builder().auto_approve("someUser").journal_size(2)).await;
    let tokens = mistakes(&server).await;
    for _ in 0..5 {
        api_get(&server, "/api/users/current", &s(&tokens, "access_token")).await;
    }
    assert_eq!(server.journal().len(), 2);
    let report = server.audit().report();
    assert_eq!(report.requests, 8);
    let reused = super::the(&report, "CODE_REUSED");
    assert_eq!(reused.requests, [2, 3], "numbered as the journal numbered them");
}

#[tokio::test]
async fn the_audits_own_bound_says_what_it_dropped() {
    let server = started(MockServer::builder().auto_approve("someUser").audit_size(2)).await;
    let tokens = sign_in_right(&server, "profile").await;
    // Successful API calls are summed up per token: they take no place in the bound.
    for _ in 0..20 {
        api_get(&server, "/api/users/current", &s(&tokens, "access_token")).await;
    }
    assert_eq!(server.audit().report().requests_dropped, 0);
    for _ in 0..3 {
        api_get(&server, "/api/users/current", "not-a-token").await;
    }
    let report = server.audit().report();
    assert_eq!((report.requests, report.requests_dropped), (25, 3));
    assert!(
        report.table().contains("3 dropped by the audit's bound"),
        "{}",
        report.table()
    );
}

#[tokio::test]
async fn the_report_keeps_no_secret() {
    let server = auto_server().await;
    let state = "state-value-that-must-not-leak";
    let params = redirect(&server, &right_authorize(state, "profile")).await;
    let code = param(&params, "code").expect("code");
    let tokens = exchange_right(&server, &code).await;
    exchange_right_again(&server, &code).await;
    let url = format!(
        "{}/api/users/current?access_token={}&client_secret={CLIENT_SECRET}",
        server.base_url(),
        s(&tokens, "access_token")
    );
    http().get(url).send().await.expect("answers");
    let (_, report) = control(&server, Method::GET, "/audit", None).await;
    let text = report.to_string();
    assert!(
        report["findings"].as_array().is_some_and(|f| f.len() >= 3),
        "{text}"
    );
    for secret in [
        state,
        code.as_str(),
        CLIENT_SECRET,
        &s(&tokens, "access_token"),
        &s(&tokens, "refresh_token"),
        VERIFIER,
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

async fn exchange_right_again(server: &MockServer, code: &str) {
    let (status, _) = super::exchange_with_secret(server, code, CLIENT_SECRET).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_control_token_guards_the_audit() {
    let server = started(MockServer::builder().control(ControlAccess::Token("t0ken".into()))).await;
    let url = format!("{}/_mock/audit", server.base_url());
    let refused = http().get(&url).send().await.expect("answers");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let deleted = http().delete(&url).send().await.expect("answers");
    assert_eq!(deleted.status(), StatusCode::UNAUTHORIZED);
    let allowed = http()
        .get(&url)
        .bearer_auth("t0ken")
        .send()
        .await
        .expect("answers");
    assert_eq!(allowed.status(), StatusCode::OK);
    // Control requests are not audited.
    assert_eq!(server.audit().report().requests, 0);
    assert_eq!(server.audit().report().worst(), None::<Severity>);
}

/// A response as the app sees it: status, the headers an app reads, and the body (also
/// returned alone).
async fn seen(response: reqwest::Response) -> (String, String) {
    let headers: Vec<String> = ["location", "www-authenticate", "retry-after", "content-type"]
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(*name)?.to_str().ok()?;
            Some(format!("{name}: {value}"))
        })
        .collect();
    let status = response.status();
    let body = response.text().await.expect("a body");
    (format!("{status} {headers:?} {body}"), body)
}

/// A run of mistakes (no state, no PKCE, a code twice, a token in a query, an expired token
/// twice, refresh tokens of a grant the reused code revoked, then revoked again): every answer
/// as the app saw it. With `read`, the audit is read before each request.
async fn answers_to_mistakes(read: bool) -> Vec<String> {
    let server = MockServer::builder()
        .auto_approve("someUser")
        .clock_start(1_800_000_000)
        .freeze_clock(true)
        .seed(7)
        .start()
        .await
        .expect("server starts");
    let (client, base) = (http(), server.base_url());
    let form = |pairs: &[(&str, &str)]| client.post(format!("{base}{TOKEN}")).form(pairs);
    let mut answers = Vec::new();
    let mut step = async |request: reqwest::RequestBuilder| {
        if read {
            assert!(server.audit().report().requests < 100);
            let (status, _) = control(&server, Method::GET, "/audit", None).await;
            assert_eq!(status, StatusCode::OK);
        }
        let (answer, body) = seen(request.send().await.expect("an answer")).await;
        answers.push(answer.clone());
        (answer, body)
    };
    let authorize = format!("{base}{AUTHORIZE}?{}", query(&code_request("profile")));
    let (redirected, _) = step(client.get(&authorize)).await;
    let code = redirected
        .split("code=")
        .nth(1)
        .and_then(|rest| rest.split(['&', '"']).next())
        .expect("a code")
        .to_owned();
    let exchange = [
        ("grant_type", "authorization_code"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("code", code.as_str()),
    ];
    let (_, issued) = step(form(&exchange)).await;
    // The code again: refused, and (RFC 6749 §4.1.2) the tokens it brought are revoked.
    step(form(&exchange)).await;
    let tokens: Value = serde_json::from_str(&issued).expect("the token answer");
    let (access, refresh_token) = (s(&tokens, "access_token"), s(&tokens, "refresh_token"));
    let current = format!("{base}/api/users/current");
    step(client.get(format!("{current}?access_token={access}"))).await;
    server.clock().advance(3601);
    for _ in 0..2 {
        step(client.get(&current).bearer_auth(&access)).await;
    }
    let refresh = [
        ("grant_type", "refresh_token"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("refresh_token", refresh_token.as_str()),
    ];
    step(form(&refresh)).await;
    step(form(&refresh)).await;
    step(
        client
            .post(format!("{base}{REVOKE}"))
            .form(&[("token", refresh_token.as_str())]),
    )
    .await;
    step(form(&refresh)).await;
    step(form(&refresh)).await;
    let report = server.audit().report();
    let mut serious = super::serious(&report);
    serious.sort();
    assert_eq!(
        serious,
        [
            "CODE_REUSED/error",
            "NO_PKCE/warning",
            "NO_STATE/error",
            "REVOKED_REFRESH_RETRIED/warning",
            "TOKEN_IN_QUERY/error"
        ],
        "{}",
        report.table()
    );
    answers
}

#[tokio::test]
async fn the_audit_never_changes_an_answer() {
    // Two mocks with the same clock and seed answer the same bytes; reading the audit before
    // every request of one of them changes none of its answers.
    let (quiet, read) = tokio::join!(answers_to_mistakes(false), answers_to_mistakes(true));
    assert_eq!(quiet.len(), 11);
    assert_eq!(quiet, read);
}
