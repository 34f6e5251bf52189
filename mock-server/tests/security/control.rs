//! The control surface: codes in the journal, an empty control token, peers on the network, cross-site requests.

use super::hosts::apps_with;
use super::*;

#[tokio::test]
async fn the_full_journal_shows_no_code_and_the_snapshot_keeps_its_identity() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    assert_eq!(exchange(&server, &code).await.0, StatusCode::OK);
    let r = fetch(format!("{}/_mock/requests", server.base_url())).await;
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
    let r = fetch(format!("{}/_mock/apps", open.base_url())).await;
    assert_eq!(r.status(), StatusCode::OK);

    let guarded = started(MockServer::builder().control(ControlAccess::Token("t0ken".into()))).await;
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
    let server = started(MockServer::builder().trust_forwarded(true)).await;
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
            fetch(format!("{}/_mock/users", server.base_url()))
                .await
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
