//! HTTPS: the mock serves TLS with a development CA made at start, and a client that trusts only
//! that CA runs the whole flow.

mod common;

use common::*;
use ilert_mock::MockServer;
use reqwest::{Certificate, StatusCode};
use serde_json::Value;

fn trusting(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([Certificate::from_pem(ca_pem.as_bytes()).expect("CA PEM")])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_full_flow_over_https_trusting_only_the_dev_ca() {
    let server = MockServer::builder()
        .tls(true)
        .auto_approve("someUser")
        .start()
        .await
        .expect("starts");
    let base = server.base_url();
    assert!(base.starts_with("https://127.0.0.1:"));
    let client = trusting(server.ca_pem().expect("generated CA"));

    let url = format!(
        "{base}{AUTHORIZE}?{}",
        query(&[
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "profile")
        ])
    );
    let r = client
        .get(url)
        .send()
        .await
        .expect("TLS handshake with the dev CA");
    assert_eq!(r.status(), StatusCode::FOUND);
    let code = param(&location_params(r.headers()), "code").expect("code");
    let (status, _, tokens) = exchange_at(&client, &base, &code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let (_, _, me) = api_get_at(&client, &base, "/api/users/current", &s(&tokens, "access_token")).await;
    assert_eq!(me["username"], "someUser");
    let metadata: Value = client
        .get(format!("{base}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    assert!(
        metadata["token_endpoint"]
            .as_str()
            .expect("url")
            .starts_with("https://")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_client_without_the_dev_ca_refuses_the_certificate() {
    let server = MockServer::builder().tls(true).start().await.expect("starts");
    let other = MockServer::builder().tls(true).start().await.expect("starts");
    // Trusting another run's CA is not enough: each start makes its own.
    let client = trusting(other.ca_pem().expect("CA"));
    assert!(
        client
            .get(format!("{}/_mock/health", server.base_url()))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn given_certificate_files_are_served() {
    let generated = ilert_mock::tls::TlsMaterial::generate().expect("generates");
    let dir = std::env::temp_dir().join(format!("ilert-mock-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, &generated.cert_pem).expect("write");
    std::fs::write(&key, generated.key_pem()).expect("write");
    let server = MockServer::builder()
        .tls_files(&cert, &key)
        .start()
        .await
        .expect("starts");
    assert!(server.ca_pem().is_none());
    let client = trusting(generated.ca_pem.as_deref().expect("CA"));
    let r = client
        .get(format!("{}/_mock/health", server.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    let missing = MockServer::builder()
        .tls_files(dir.join("nope.pem"), &key)
        .start()
        .await;
    assert!(matches!(missing, Err(ilert_mock::StartError::Tls(_))));
}
