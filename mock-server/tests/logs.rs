//! Secrets and tokens never reach the logs: a full flow at TRACE level, every crate included,
//! leaves no client secret, token, code, PKCE verifier or refresh key in the output, also when a
//! client puts them in the query string.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use reqwest::StatusCode;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_full_flow_logs_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let server = auto_server().await;
    let code = code_for(
        &server,
        CLIENT_ID,
        REDIRECT_URI,
        "profile source:w",
        Some(CHALLENGE),
    )
    .await;
    let (st, _, tokens) = exchange_pkce(&server, CLIENT_SECRET, &code, VERIFIER).await;
    assert_eq!(st, StatusCode::OK);
    let access = s(&tokens, "access_token");
    let refresh_token = s(&tokens, "refresh_token");
    let basic = http()
        .post(format!("{}{TOKEN}", server.base_url()))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
        ])
        .send()
        .await
        .expect("answers");
    assert_eq!(basic.status(), StatusCode::OK);
    assert_eq!(current_user(&server, &access).await, StatusCode::OK);
    assert_eq!(
        post_form(&server, TOKEN_INFO, &[("token", &access)]).await.0,
        StatusCode::OK
    );
    assert_eq!(
        post_form(&server, REVOKE, &[("token", &refresh_token)]).await.0,
        StatusCode::OK
    );
    assert_eq!(refresh(&server, &refresh_token).await.0, StatusCode::UNAUTHORIZED);
    let (st, _, _) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong-secret-value"),
            ("code", "x"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Clients that put credentials in the query string (RFC 6750 §2.3 allows `access_token`
    // there; careless ones send the secret or the code too).
    let in_query = format!(
        "{}/api/users/current?access_token={access}&client_secret={CLIENT_SECRET}&code={code}&Refresh%5Ftoken={refresh_token}&code_verifier={VERIFIER}&page=2",
        server.base_url()
    );
    assert_eq!(
        http().get(in_query).send().await.expect("answers").status(),
        StatusCode::UNAUTHORIZED
    );
    let token_in_query = format!(
        "{}{TOKEN}?client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&password=hunter2-password",
        server.base_url()
    );
    http()
        .post(token_in_query)
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .expect("answers");
    drop(server);

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(
        logs.contains("finished processing request"),
        "the flow was logged at all"
    );
    assert!(
        logs.contains("/api/users/current?access_token=[redacted]"),
        "the query's path and names stay readable"
    );
    assert!(logs.contains("page=2"), "harmless query values stay readable");
    let (_, refresh_claims) = decode(&refresh_token);
    let il_k = refresh_claims["il_k"].as_str().expect("il_k").to_owned();
    let access_signature = access.rsplit('.').next().expect("signature").to_owned();
    let refresh_signature = refresh_token.rsplit('.').next().expect("signature").to_owned();
    for (name, secret) in [
        ("client secret", CLIENT_SECRET),
        ("wrong client secret", "wrong-secret-value"),
        ("access token", access.as_str()),
        ("access token signature", access_signature.as_str()),
        ("refresh token", refresh_token.as_str()),
        ("refresh token signature", refresh_signature.as_str()),
        ("refresh grant key", il_k.as_str()),
        ("PKCE verifier", VERIFIER),
        ("authorization code", code.as_str()),
        ("password", "hunter2-password"),
        ("private key", "PRIVATE KEY"),
    ] {
        assert!(!logs.contains(secret), "{name} appears in the logs");
    }
}
