//! Attacks from the ground around the OAuth core, each reproduced against a running mock: DNS
//! rebinding (`Host`), the control surface reached from another site or another machine, the grant
//! form posted cross-site, codes read from the journal, oversized requests, slow clients, a
//! rotated `X-Forwarded-For`, a planted temp file and a second instance on one state file, and
//! tokens of users who are gone.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use common::*;
use ilert_mock::{ControlAccess, GrantFilter, MockServer, StartError};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

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
    let server = MockServer::builder()
        .allowed_host("mock")
        .allowed_host(".dev.example")
        .public_url(url::Url::parse("https://ilert.test:8443/").expect("url"))
        .start()
        .await
        .expect("starts");
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
    let r = http()
        .get(format!(
            "{}{AUTHORIZE}?{}",
            server.base_url(),
            query(&[
                ("client_id", CLIENT_ID),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT_URI),
                ("scope", "profile"),
            ])
        ))
        .header("Host", "acme.mock:4598")
        .send()
        .await
        .expect("answers");
    let page = r.text().await.expect("page");
    assert!(page.contains("wile") && !page.contains("someUser"), "{page}");

    let everyone = MockServer::builder()
        .allowed_host("*")
        .start()
        .await
        .expect("starts");
    let (status, _) = get_with_host(&everyone, "/_mock/health", REBIND_HOST).await;
    assert_eq!(status, StatusCode::OK);
}

/// `GET /_mock/apps` with one more header.
async fn apps_with(server: &MockServer, name: &str, value: &str) -> reqwest::Response {
    http()
        .get(format!("{}/_mock/apps", server.base_url()))
        .header(name, value)
        .send()
        .await
        .expect("answers")
}

#[tokio::test]
async fn a_trusted_forwarded_host_is_checked_too() {
    let server = MockServer::builder()
        .trust_forwarded(true)
        .allowed_host("mock.internal")
        .start()
        .await
        .expect("starts");
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

// ---- The control surface ----

#[tokio::test]
async fn the_full_journal_shows_no_code_and_the_snapshot_keeps_its_identity() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    assert_eq!(exchange(&server, &code).await.0, StatusCode::OK);
    let r = http()
        .get(format!("{}/_mock/requests", server.base_url()))
        .send()
        .await
        .expect("answers");
    let text = r.text().await.expect("body");
    assert!(
        !text.contains(&code),
        "the code is readable in the journal: {text}"
    );
    let entries: Value = serde_json::from_str(&text).expect("json");
    let location = entries[0]["location"].as_str().expect("location");
    assert!(location.contains("code=[redacted]"), "{location}");
    assert!(location.contains("state=s"), "{location}");
    let form = entries[1]["form"].as_array().expect("form");
    assert!(form.contains(&json!(["code", "[redacted]"])), "{form:?}");

    let snapshot = server.journal().snapshot(&Default::default());
    assert_eq!(
        snapshot[0].location.as_deref(),
        Some("http://localhost:<port#1>/authorize-result?code=<code#1>&state=<state#1>")
    );
    assert!(
        snapshot[1]
            .form
            .contains(&("code".to_owned(), "<code#1>".to_owned()))
    );
}

#[tokio::test]
async fn an_empty_control_token_is_refused_at_start() {
    for token in ["", "  "] {
        let result = MockServer::builder()
            .control(ControlAccess::Token(token.to_owned()))
            .start()
            .await;
        match result {
            Err(err @ StartError::EmptyControlToken) => {
                assert!(err.to_string().contains("--control-token"), "{err}");
            }
            Err(other) => panic!("another error: {other}"),
            Ok(_) => panic!("the mock started with an empty control token '{token}'"),
        }
    }
}

/// An address of this machine that is not loopback, if it has one (the test then connects from
/// it to 127.0.0.1, so the mock sees a non-loopback peer without leaving the machine).
fn non_loopback_address() -> Option<IpAddr> {
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    // A UDP "connect" sends nothing; it only picks the source address of the route.
    probe.connect("192.0.2.1:9").ok()?;
    let ip = probe.local_addr().ok()?.ip();
    let bindable = std::net::TcpListener::bind(SocketAddr::new(ip, 0)).is_ok();
    (!ip.is_loopback() && !ip.is_unspecified() && bindable).then_some(ip)
}

#[tokio::test]
async fn a_peer_on_the_network_cannot_use_the_control_surface_without_a_token() {
    let Some(ip) = non_loopback_address() else {
        println!("SKIPPED a_peer_on_the_network… (this machine has no non-loopback address)");
        return;
    };
    let neighbour = reqwest::Client::builder()
        .local_address(ip)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let open = auto_server().await;
    for (method, path) in [
        (Method::GET, "/_mock/apps"),
        (Method::GET, "/_mock/requests"),
        (Method::POST, "/_mock/reset"),
    ] {
        let r = neighbour
            .request(method, format!("{}{path}", open.base_url()))
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = r.json().await.expect("json");
        assert!(
            body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("--control-token"),
            "{body}"
        );
    }
    // Health stays a readiness probe; ilert's own paths stay open to the network.
    let r = neighbour
        .get(format!("{}/_mock/health", open.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    let r = neighbour
        .get(format!("{}/.well-known/jwks.json", open.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    // Loopback callers keep the open surface.
    let r = http()
        .get(format!("{}/_mock/apps", open.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);

    let guarded = MockServer::builder()
        .control(ControlAccess::Token("t0ken".into()))
        .start()
        .await
        .expect("starts");
    let r = neighbour
        .get(format!("{}/_mock/apps", guarded.base_url()))
        .bearer_auth("t0ken")
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_the_peer() {
    let server = MockServer::builder()
        .trust_forwarded(true)
        .start()
        .await
        .expect("starts");
    // The client writes the first entries; the proxy appends the address it saw, last.
    for (forwarded, want) in [
        ("203.0.113.9", StatusCode::FORBIDDEN),
        ("127.0.0.1, 203.0.113.9", StatusCode::FORBIDDEN),
        ("203.0.113.9, 127.0.0.1", StatusCode::OK),
    ] {
        let r = apps_with(&server, "X-Forwarded-For", forwarded).await;
        assert_eq!(r.status(), want, "{forwarded}");
    }
}

async fn users_named(server: &MockServer, username: &str) -> usize {
    server
        .fixtures()
        .users
        .iter()
        .filter(|u| u.username == username)
        .count()
        + usize::from(
            http()
                .get(format!("{}/_mock/users", server.base_url()))
                .send()
                .await
                .expect("answers")
                .json::<Value>()
                .await
                .expect("json")
                .as_array()
                .expect("array")
                .iter()
                .any(|u| u["username"] == username),
        )
}

#[tokio::test]
async fn a_web_page_cannot_reset_the_mock() {
    let server = MockServer::start().await;
    let newbie = json!({"id": 1999, "tenant": "someTenant", "username": "newbie", "first_name": "New", "last_name": "Bie", "email": "n@example.com"});
    let r = http()
        .post(format!("{}/_mock/users", server.base_url()))
        .json(&newbie)
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::CREATED);
    for (name, value) in [
        ("Origin", "https://attacker.example"),
        ("Origin", "null"),
        ("Sec-Fetch-Site", "cross-site"),
    ] {
        // A form or `text/plain` POST is a "simple" request: browsers send it without asking.
        let r = http()
            .post(format!("{}/_mock/reset", server.base_url()))
            .header("Content-Type", "text/plain")
            .header(name, value)
            .body("{}")
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        let body: Value = r.json().await.expect("json");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
        assert_eq!(
            users_named(&server, "newbie").await,
            1,
            "reset by {name}: {value}"
        );
    }
    // Reading stays possible (a cross-site page cannot read the answer anyway), and the mock's
    // own origin and local tools may still change state.
    let r = http()
        .get(format!("{}/_mock/clock", server.base_url()))
        .header("Origin", "https://attacker.example")
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    for origin in [server.base_url(), "http://localhost:3000".to_owned()] {
        let r = http()
            .post(format!("{}/_mock/clock", server.base_url()))
            .header("Origin", origin.as_str())
            .header("Sec-Fetch-Site", "same-site")
            .json(&json!({"advance_secs": 1}))
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), StatusCode::OK, "{origin}");
    }
    let r = http()
        .post(format!("{}/_mock/reset", server.base_url()))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(users_named(&server, "newbie").await, 0);
}

// ---- The grant form ----

fn grant_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "profile"),
        ("state", "csrf"),
        ("user", "someUser"),
        ("decision", "grant"),
    ]
}

async fn post_grant(base: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = http().post(format!("{base}{AUTHORIZE}")).form(&grant_form());
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.expect("answers")
}

#[tokio::test]
async fn a_cross_site_page_cannot_submit_the_grant_form() {
    let server = MockServer::start().await;
    let base = server.base_url();
    for headers in [
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Sec-Fetch-Site", "same-site")],
        vec![("Sec-Fetch-Site", "cross-site"), ("Origin", base.as_str())],
        vec![("Origin", "https://attacker.example")],
        vec![("Origin", "null")],
        vec![("Origin", "http://localhost:1")],
    ] {
        let r = post_grant(&base, &headers).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(r.headers().get("location").is_none(), "{headers:?}");
        let page = r.text().await.expect("page");
        assert!(
            page.contains("cross-site") || page.contains("another site"),
            "{page}"
        );
    }
    assert!(server.grants(&GrantFilter::all()).is_empty());
    assert!(
        server
            .journal()
            .all()
            .iter()
            .all(|e| e.status == 403 && e.location.is_none())
    );

    // What a browser sends from the mock's own page, however the mock was addressed; and what a
    // script sends (no Origin, no Sec-Fetch-Site).
    let port = server.addr().port();
    let localhost = format!("http://localhost:{port}");
    for (host, headers) in [
        (
            None,
            vec![("Origin", base.as_str()), ("Sec-Fetch-Site", "same-origin")],
        ),
        (None, vec![("Origin", base.as_str())]),
        (None, vec![("Sec-Fetch-Site", "none")]),
        (None, vec![]),
        (
            Some(format!("localhost:{port}")),
            vec![("Origin", localhost.as_str()), ("Sec-Fetch-Site", "same-origin")],
        ),
        (
            Some(format!("localhost:{port}")),
            vec![("Origin", localhost.as_str())],
        ),
    ] {
        let mut req = http().post(format!("{base}{AUTHORIZE}")).form(&grant_form());
        for (name, value) in &headers {
            req = req.header(*name, *value);
        }
        if let Some(h) = &host {
            req = req.header("Host", h.as_str());
        }
        let r = req.send().await.expect("answers");
        assert_eq!(r.status(), StatusCode::FOUND, "{host:?} {headers:?}");
        let params = location_params(r.headers());
        assert!(param(&params, "code").is_some());
    }
}

#[tokio::test]
async fn the_grant_forms_own_origin_follows_the_public_url_and_trusted_forwarding() {
    let public = MockServer::builder()
        .public_url(url::Url::parse("https://ilert.test:8443/").expect("url"))
        .start()
        .await
        .expect("starts");
    let r = post_grant(&public.base_url(), &[("Origin", "https://ilert.test:8443")]).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let proxied = MockServer::builder()
        .trust_forwarded(true)
        .allowed_host("mock.internal")
        .start()
        .await
        .expect("starts");
    let r = post_grant(
        &proxied.base_url(),
        &[
            ("Origin", "https://mock.internal"),
            ("X-Forwarded-Host", "mock.internal"),
            ("X-Forwarded-Proto", "https"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FOUND);
}

// ---- Heavy clients ----

#[tokio::test]
async fn oversized_headers_are_truncated_in_the_journal() {
    let server = MockServer::start().await;
    let big = "x".repeat(300 * 1024);
    let r = http()
        .get(format!("{}/.well-known/jwks.json", server.base_url()))
        .header("X-Big", big.as_str())
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    let entry = server.journal().all().pop().expect("recorded");
    let (_, shown) = entry
        .headers
        .iter()
        .find(|(k, _)| k == "x-big")
        .expect("the header is recorded");
    assert!(shown.len() < 8 * 1024, "{} bytes kept", shown.len());
    assert!(shown.starts_with("xxxx"), "{shown}");
    assert!(
        shown.contains("[truncated"),
        "no marker: {}",
        &shown[shown.len() - 40..]
    );
    assert!(
        shown.contains(&big.len().to_string()),
        "the marker names the size"
    );
}

// ---- Rate limit behind a proxy ----

#[tokio::test]
async fn a_rotated_forwarded_for_does_not_dodge_the_rate_limit() {
    let server = MockServer::builder()
        .trust_forwarded(true)
        .rate_limit(3)
        .start()
        .await
        .expect("starts");
    let mut statuses = Vec::new();
    for i in 0..6 {
        // The client writes any first entry it likes; the proxy appends the address it saw.
        let r = http()
            .get(format!("{}/api/users/current", server.base_url()))
            .header("X-Forwarded-For", format!("198.51.100.{i}, 203.0.113.7"))
            .send()
            .await
            .expect("answers");
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429, 429]);
    // Another client of the same proxy has its own count.
    let r = http()
        .get(format!("{}/api/users/current", server.base_url()))
        .header("X-Forwarded-For", "203.0.113.8")
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

// ---- Tokens of users who are gone ----

async fn active(server: &MockServer, token: &str) -> Value {
    post_form(server, TOKEN_INFO, &[("token", token)]).await.2["active"].clone()
}

async fn add_user(server: &MockServer, tenant: &str) {
    let r = http()
        .post(format!("{}/_mock/users", server.base_url()))
        .json(&json!({"id": 4242, "tenant": tenant, "username": "visitor", "first_name": "V", "last_name": "V", "email": "v@example.com"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn visitor_token(server: &MockServer) -> String {
    let code = grant_code_at(&http(), &server.base_url(), "visitor", "profile", "v").await;
    let (status, _, body) = exchange(server, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s(&body, "access_token")
}

#[tokio::test]
async fn token_info_and_the_api_agree_on_a_removed_user() {
    let server = MockServer::start().await;
    add_user(&server, "someTenant").await;
    let token = visitor_token(&server).await;
    assert_eq!(active(&server, &token).await, json!(true));
    server.reset();
    let (status, _, body) = api_get(&server, "/api/users/current", &token).await;
    assert_rest_error(status, &body, 401);
    assert_eq!(active(&server, &token).await, json!(false));
}

#[tokio::test]
async fn token_info_and_the_api_agree_on_a_user_now_in_another_tenant() {
    let server = MockServer::start().await;
    add_user(&server, "someTenant").await;
    let token = visitor_token(&server).await;
    server.reset();
    add_user(&server, "acme").await;
    let (status, _, body) = api_get(&server, "/api/users/current", &token).await;
    assert_rest_error(status, &body, 401);
    assert_eq!(active(&server, &token).await, json!(false));
}

// ---- Slow clients ----

/// Reads until the server closes the connection; `None` if it is still open after `patience`
/// (a bound so a regression fails instead of hanging, not a speed check).
async fn closed_within(stream: &mut tokio::net::TcpStream, patience: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(patience, read_all).await.ok()?;
    Some(seen)
}

const PATIENCE: Duration = Duration::from_secs(20);

async fn timed_server(tls: bool) -> MockServer {
    MockServer::builder()
        .tls(tls)
        .header_read_timeout(Duration::from_millis(300))
        .body_timeout(Duration::from_millis(300))
        .idle_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("starts")
}

/// Connects to the server and sends `bytes` (a request, or the start of one).
async fn send_raw(server: &MockServer, bytes: &[u8]) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connects");
    stream.write_all(bytes).await.expect("writes");
    stream
}

/// A token info request whose head announces `length` body bytes, followed by 9 of them.
fn token_info_announcing(length: usize) -> Vec<u8> {
    format!(
        "POST /api/developers/oauth2/token_info HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\ntoken=abc"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_half_sent_request_head_is_dropped() {
    let server = timed_server(false).await;
    let mut half = send_raw(
        &server,
        b"GET /_mock/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
    )
    .await;
    assert!(
        closed_within(&mut half, PATIENCE).await.is_some(),
        "a half-sent head is held open"
    );
    // A silent connection is dropped the same way.
    let mut silent = send_raw(&server, b"").await;
    assert!(closed_within(&mut silent, PATIENCE).await.is_some());
}

#[tokio::test]
async fn a_silent_connection_to_the_tls_listener_is_dropped() {
    let server = timed_server(true).await;
    // The first bytes of a TLS record, then nothing: the handshake never completes.
    let mut stream = send_raw(&server, &[0x16, 0x03, 0x01]).await;
    assert!(closed_within(&mut stream, PATIENCE).await.is_some());
}

#[tokio::test]
async fn a_half_sent_body_is_dropped() {
    let server = timed_server(false).await;
    let mut stream = send_raw(&server, &token_info_announcing(100)).await;
    let answer = closed_within(&mut stream, PATIENCE)
        .await
        .expect("a half-sent body is held open");
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_and_a_slow_answer_is_not() {
    let server = timed_server(false).await;
    // A delay longer than every timeout: the mock is busy, the client is not idle.
    let r = http()
        .post(format!("{}/_mock/faults", server.base_url()))
        .json(&json!({"endpoint": "token_info", "times": 1, "delay_ms": 1000}))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut stream = send_raw(&server, &token_info_announcing(9)).await;
    let answer = closed_within(&mut stream, PATIENCE)
        .await
        .expect("closed when idle");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"active\":false"), "{text}");
}
