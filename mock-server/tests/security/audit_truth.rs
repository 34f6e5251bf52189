//! The audit tells the truth and only the truth: a forged token or a bare `client_id` in a URL
//! (which any web page can make a browser send, with an `<img>`) is never blamed on the app it
//! names; values a client sends reach the reader's terminal as escapes and the JUnit file as
//! well-formed XML; a flood of long values stays within the audit's byte bounds.

use super::*;

use base64::Engine as _;

/// An unsigned token whose claims name the sample app (250) and its user: `alg: none`.
fn forged_token() -> String {
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(
            json!({"iss": "ilert", "il_t": "ACCESS", "il_v": 1, "il_a": 250, "il_u": "someUser\u{1b}[2J", "exp": 4_000_000_000i64})
        )
    )
}

const INJECTED: &str = "evil\u{1b}[2J\u{1b}]8;;https://attacker.example\u{7}click\u{1b}]8;;\u{7}\r\nAUDIT PASSED\u{fffe}\u{ffff}";

async fn get(server: &MockServer, path_and_query: &str) {
    let r = fetch(format!("{}{path_and_query}", server.base_url())).await;
    assert!(r.status().is_client_error(), "{}", r.status());
}

#[tokio::test]
async fn a_forged_token_or_a_bare_client_id_is_never_blamed_on_an_app() {
    let server = auto_server().await;
    let q = query(&[("access_token", &forged_token())]);
    get(&server, &format!("/api/users/current?{q}")).await;
    let q = query(&[("client_id", CLIENT_ID), ("client_secret", "not-the-secret")]);
    get(&server, &format!("/api/users/current?{q}")).await;
    let q = query(&[("client_id", INJECTED), ("client_secret", "x")]);
    get(&server, &format!("/api/alerts?{q}")).await;
    let report = server.audit().report();
    assert!(!report.findings.is_empty(), "the requests left no finding");
    for finding in &report.findings {
        assert_eq!(finding.app, None, "blamed on an app: {}", report.table());
        assert_eq!(finding.user, None, "blamed on a user: {}", report.table());
    }
    assert!(!report.apps.iter().any(|a| a == CLIENT_ID), "{:?}", report.apps);
}

#[tokio::test]
async fn an_injected_client_id_at_the_token_endpoint_names_no_app() {
    let server = auto_server().await;
    for grant in ["authorization_code", "refresh_token", "client_credentials"] {
        let (status, _, _) = post_form(
            &server,
            &format!("{TOKEN}?{}", query(&[("client_secret", "x")])),
            &[
                ("grant_type", grant),
                ("client_id", INJECTED),
                ("code", "c"),
                ("refresh_token", "r"),
            ],
        )
        .await;
        assert!(status.is_client_error());
        // The real app's id with a wrong secret proves nothing either.
        let (status, _, _) = post_form(
            &server,
            TOKEN,
            &[
                ("grant_type", grant),
                ("client_id", CLIENT_ID),
                ("client_secret", "wrong"),
                ("code", "c"),
            ],
        )
        .await;
        assert!(status.is_client_error());
    }
    let report = server.audit().report();
    assert!(!report.findings.is_empty(), "no finding for a secret in a URL");
    for finding in &report.findings {
        assert_eq!(finding.app, None, "{}", report.table());
    }
}

/// Whatever reaches a report (a fixture app's id, a registered redirect URI: values no request
/// can plant any more), the table and the JUnit file stay inert and well-formed.
#[test]
fn injected_values_are_inert_in_the_table_and_well_formed_in_junit() {
    use ilert_mock::audit::{Finding, Report};
    let finding = Finding {
        id: "SECRET_IN_QUERY".into(),
        severity: ilert_mock::Severity::Error,
        app: Some(INJECTED.into()),
        user: Some(INJECTED.into()),
        title: format!("client_secret in the URL query of {INJECTED}"),
        advice: "send it in the body".into(),
        source: "RFC 6749 §2.3.1".into(),
        requests: vec![1],
        count: 1,
    };
    let report = Report::new(1, 0, vec![INJECTED.into()], vec![finding]);
    let table = report.table();
    for raw in ['\u{1b}', '\r', '\u{7}', '\u{fffe}'] {
        assert!(!table.contains(raw), "{raw:?} reaches the terminal: {table:?}");
    }
    assert!(
        table.contains("evil\\x1b[2J\\x1b]8;;https://attacker.example\\x07"),
        "{table}"
    );
    assert!(!table.lines().any(|l| l.starts_with("AUDIT PASSED")), "{table}");
    let xml = report.junit(ilert_mock::Severity::Error);
    for c in xml.chars() {
        let ok = matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{d7ff}').contains(&c)
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}';
        assert!(ok, "XML 1.0 forbids {c:?}");
    }
}

#[tokio::test]
async fn a_flood_of_long_client_ids_stays_within_the_audit_bounds() {
    let server = MockServer::builder()
        .auto_approve("someUser")
        .bounds(ilert_mock::Bounds {
            audit_bytes: 256 * 1024,
            ..ilert_mock::Bounds::default()
        })
        .start()
        .await
        .expect("starts");
    let long = "c".repeat(30 * 1024);
    let form = [("grant_type", "client_credentials"), ("client_id", long.as_str())];
    for _ in 0..300 {
        post_form(&server, &format!("{TOKEN}?client_secret=x"), &form).await;
    }
    let r = fetch(format!("{}/_mock/audit", server.base_url())).await;
    let text = r.text().await.expect("body");
    // 300 × 30 KB were sent; each value is kept cut to the default 512 bytes, and the facts
    // together within 256 KiB.
    assert!(text.len() < 64 * 1024, "the audit answers {} bytes", text.len());
    let report: Value = serde_json::from_str(&text).expect("json");
    assert!(
        report["requests_dropped"].as_u64().unwrap_or(0) > 0 || report["requests"] == 300,
        "{report}"
    );
    assert!(!text.contains(&"c".repeat(600)), "a value is kept whole");
}
