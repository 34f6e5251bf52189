//! DNS rebinding: the `Host` allow-list (and `X-Forwarded-Host` behind a trusted proxy).

use super::*;

const REBIND_HOST: &str = "rebind.attacker.example";

async fn get_with_host(server: &MockServer, path: &str, host: &str) -> (StatusCode, Value) {
    let r = http()
        .get(format!("{}{path}", server.base_url()))
        .header("Host", host)
        .send()
        .await
        .expect("answers");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn with_port(server: &MockServer, host: &str) -> String {
    format!("{host}:{}", server.addr().port())
}

// ---- DNS rebinding: the Host allow-list ----

#[tokio::test]
async fn a_rebound_host_cannot_read_the_control_surface_or_the_api() {
    let server = MockServer::start().await;
    for path in [
        "/_mock/apps",
        "/_mock/requests",
        "/.well-known/oauth-authorization-server",
    ] {
        let (status, body) = get_with_host(&server, path, &with_port(&server, REBIND_HOST)).await;
        assert_rest_error(status, &body, 403);
        let message = body["message"].as_str().expect("message");
        assert!(message.contains(REBIND_HOST), "{message}");
        assert!(message.contains("--allowed-host"), "{message}");
        assert!(!body.to_string().contains(CLIENT_SECRET), "{body}");
    }
}

#[tokio::test]
async fn loopback_names_tenant_hosts_and_ip_literals_are_answered() {
    let server = MockServer::start().await;
    for host in [
        with_port(&server, "localhost"),
        with_port(&server, "acme.localhost"),
        with_port(&server, "LOCALHOST."),
        with_port(&server, "127.0.0.1"),
        with_port(&server, "[::1]"),
        "10.1.2.3".to_owned(),
        "[fd00::7]:8080".to_owned(),
    ] {
        let (status, body) = get_with_host(&server, "/_mock/apps", &host).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
    }
    for host in [
        with_port(&server, "localhost.attacker.example"),
        with_port(&server, "127.0.0.1.nip.io"),
        "mock".to_owned(),
    ] {
        let (status, _) = get_with_host(&server, "/_mock/apps", &host).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
    }
}

#[tokio::test]
async fn allowed_hosts_admit_names_their_tenants_and_with_a_dot_their_subdomains() {
    let server = started(
        MockServer::builder()
            .allowed_host("mock")
            .allowed_host(".dev.example")
            .public_url(url::Url::parse("https://ilert.test:8443/").expect("url")),
    )
    .await;
    for host in [
        "mock:4598",
        "acme.mock:4598",
        "dev.example",
        "a.b.dev.example:443",
        "ilert.test:8443",
        "acme.ilert.test:8443",
    ] {
        let (status, body) = get_with_host(&server, "/_mock/health", host).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
    }
    for host in ["a.b.mock", "mock.example", "xdev.example", "other.test"] {
        let (status, _) = get_with_host(&server, "/_mock/health", host).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
    }
    // A tenant of an allowed host is that tenant's host, as `acme.localhost` is.
    let (_, page) = authorize_on_host(&server, "acme.mock:4598", &code_request("profile")).await;
    assert!(page.contains("wile") && !page.contains("someUser"), "{page}");

    let everyone = started(MockServer::builder().allowed_host("*")).await;
    let (status, _) = get_with_host(&everyone, "/_mock/health", REBIND_HOST).await;
    assert_eq!(status, StatusCode::OK);
}

/// `GET /_mock/apps` with one more header.
pub(crate) async fn apps_with(server: &MockServer, name: &str, value: &str) -> reqwest::Response {
    http()
        .get(format!("{}/_mock/apps", server.base_url()))
        .header(name, value)
        .send()
        .await
        .expect("answers")
}

#[tokio::test]
async fn a_trusted_forwarded_host_is_checked_too() {
    let server = started(
        MockServer::builder()
            .trust_forwarded(true)
            .allowed_host("mock.internal"),
    )
    .await;
    let r = apps_with(&server, "X-Forwarded-Host", REBIND_HOST).await;
    let status = r.status();
    let body: Value = r.json().await.expect("json");
    assert_rest_error(status, &body, 403);
    assert!(body["message"].as_str().unwrap_or_default().contains(REBIND_HOST));
    for allowed in ["mock.internal:443", "localhost"] {
        let r = apps_with(&server, "X-Forwarded-Host", allowed).await;
        assert_eq!(r.status(), StatusCode::OK, "{allowed}");
    }
}
