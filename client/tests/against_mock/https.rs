//! The flow over HTTPS: a client that trusts only the mock's development CA works; the
//! default client (public roots) refuses the mock's certificate.

use ilert_mock::MockServer;
use ilert_oauth2_client::{ApiClient, Error, OAuthClient, Pkce};

use crate::common::*;

async fn tls_server() -> MockServer {
    MockServer::builder()
        .tls(true)
        .auto_approve("someUser")
        .start()
        .await
        .expect("the mock starts with HTTPS")
}

/// An HTTP client that trusts the mock's CA and nothing else, and follows no redirects.
fn trusting_only(server: &MockServer) -> reqwest::Client {
    let pem = server.ca_pem().expect("the mock made a CA");
    let ca = reqwest::Certificate::from_pem(pem.as_bytes()).expect("a PEM certificate");
    browser_with(|b| b.tls_certs_only([ca]))
}

#[tokio::test]
async fn the_flow_over_https_trusting_only_the_mock_ca() {
    let server = tls_server().await;
    assert!(
        server.base_url().starts_with("https://127.0.0.1:"),
        "{}",
        server.base_url()
    );
    let http = trusting_only(&server);
    let config = guide(&server, "profile").build().expect("config");
    let oauth = OAuthClient::with_http_client(config, http.clone());

    let tokens = sign_in_with(&oauth, &http, Pkce::S256).await;
    assert!(oauth.token_info(&tokens.access_token).await.expect("info").active);
    let api = ApiClient::with_tokens(oauth.clone(), tokens);
    assert_eq!(
        api.current_user().await.expect("user").username.as_deref(),
        Some("someUser")
    );
    server.clock().advance(3601);
    api.current_user().await.expect("user after a refresh over HTTPS");
    assert_eq!(refreshes(&server), 1);
    assert!(api.revoke().await.expect("revoked over HTTPS"));
    assert_passes_audit(&server);
}

#[tokio::test]
async fn the_default_client_refuses_the_development_ca() {
    let server = tls_server().await;
    let oauth = client(guide(&server, "profile"));
    let err = oauth
        .token_info(&ilert_oauth2_client::AccessToken::new("x"))
        .await
        .expect_err("an unknown CA");
    let Error::Transport { cause, url, .. } = &err else {
        panic!("not a transport error: {err:?}")
    };
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(
        cause.to_lowercase().contains("certificate"),
        "the cause names the certificate: {cause}"
    );
    // The refusal happened in the handshake: the request never reached the mock.
    assert!(server.journal().is_empty());
}
