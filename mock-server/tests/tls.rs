//! HTTPS: the mock serves TLS with a development CA made at start, and a client that trusts only
//! that CA runs the whole flow.

use crate::common;

use common::*;
use ilert_mock::MockServer;
use reqwest::{Certificate, StatusCode};

fn trusting(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([Certificate::from_pem(ca_pem.as_bytes()).expect("CA PEM")])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Asserts that `/_mock/health` answers 200 over HTTPS to a client trusting only `ca_pem`.
async fn assert_healthy_trusting(server: &MockServer, ca_pem: &str) {
    let r = trusting(ca_pem)
        .get(format!("{}/_mock/health", server.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_full_flow_over_https_trusting_only_the_dev_ca() {
    let server = started(MockServer::builder().tls(true).auto_approve("someUser")).await;
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
    let metadata = json_of(client.get(format!("{base}/.well-known/oauth-authorization-server"))).await;
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
    let generated = ilert_mock::server::TlsMaterial::generate().expect("generates");
    let dir = std::env::temp_dir().join(format!("ilert-mock-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, &generated.cert_pem).expect("write");
    std::fs::write(&key, generated.key_pem()).expect("write");
    let server = started(MockServer::builder().tls_files(&cert, &key)).await;
    assert!(server.ca_pem().is_none());
    assert_healthy_trusting(&server, generated.ca_pem.as_deref().expect("CA")).await;
    let missing = MockServer::builder()
        .tls_files(dir.join("nope.pem"), &key)
        .start()
        .await;
    assert!(matches!(missing, Err(ilert_mock::StartError::Tls(_))));
}

#[tokio::test]
async fn tenant_hosts_are_served_over_https() {
    let server = MockServer::builder().tls(true).start().await.expect("starts");
    let client = reqwest::Client::builder()
        .tls_certs_only([Certificate::from_pem(server.ca_pem().expect("CA").as_bytes()).expect("CA PEM")])
        .resolve("sometenant.localhost", server.addr())
        .resolve("latecomer.localhost", server.addr())
        .build()
        .expect("client");
    let port = server.addr().port();
    let r = client
        .get(format!("https://sometenant.localhost:{port}/_mock/health"))
        .send()
        .await
        .expect("the certificate names the fixture tenant's host");
    assert_eq!(r.status(), StatusCode::OK);
    server
        .admin()
        .add_tenant(ilert_mock::Tenant {
            id: "latecomer".into(),
            short_id: "l8r".into(),
            name: None,
        })
        .expect("added");
    let r = client
        .get(format!("https://latecomer.localhost:{port}/_mock/health"))
        .send()
        .await
        .expect("a certificate is minted for the run-time tenant's host");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn plain_http_to_the_https_port_gets_a_clear_400() {
    let server = MockServer::builder().tls(true).start().await.expect("starts");
    let r = http()
        .get(format!("http://{}/_mock/health", server.addr()))
        .send()
        .await
        .expect("an answer, not a broken connection");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = r.text().await.expect("text");
    assert!(
        text.contains("speaks HTTPS") && text.contains("https://"),
        "{text}"
    );
    // The port still speaks TLS afterwards.
    assert_healthy_trusting(&server, server.ca_pem().expect("CA")).await;
}

/// `curl` (OpenSSL, like Python's and Node's TLS) with the dev CA, pinning `host` to the mock.
fn curl(ca: &std::path::Path, host: &str, port: u16, scheme: &str) -> Option<(bool, String)> {
    let out = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "20", "--cacert"])
        .arg(ca)
        .args(["--resolve", &format!("{host}:{port}:127.0.0.1")])
        .arg(format!("{scheme}://{host}:{port}/_mock/health"))
        .output()
        .ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text))
}

// Multi-threaded: curl runs as a blocking child process while the server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_clients_trust_tenant_hosts_too() {
    let server = MockServer::builder().tls(true).start().await.expect("starts");
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, server.ca_pem().expect("CA")).expect("write");
    let port = server.addr().port();
    let Some((ok, text)) = curl(&ca, "sometenant.localhost", port, "https") else {
        println!("SKIPPED openssl_clients_trust_tenant_hosts_too: curl is not installed");
        return;
    };
    assert!(ok && text.contains("\"status\":\"ok\""), "{text}");
    let (ok, text) = curl(&ca, "acme.localhost", port, "https").expect("curl runs");
    assert!(ok, "{text}");
    server
        .admin()
        .add_tenant(ilert_mock::Tenant {
            id: "NewTenant".into(),
            short_id: "n7t".into(),
            name: None,
        })
        .expect("added");
    let (ok, text) = curl(&ca, "newtenant.localhost", port, "https").expect("curl runs");
    assert!(ok && text.contains("\"status\":\"ok\""), "{text}");
    // A host that is no tenant gets no certificate of its own.
    let (ok, _) = curl(&ca, "stranger.localhost", port, "https").expect("curl runs");
    assert!(!ok, "a certificate for a host the mock does not serve");
    // Plain http to the port: curl shows the mock's message, not "Received HTTP/0.9".
    let (_, text) = curl(&ca, "localhost", port, "http").expect("curl runs");
    assert!(text.contains("speaks HTTPS"), "{text}");
}
