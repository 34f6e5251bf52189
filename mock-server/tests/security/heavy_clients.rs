//! Heavy clients: oversized headers, a rotated `X-Forwarded-For`.

use super::*;

#[tokio::test]
async fn oversized_headers_are_truncated_in_the_journal() {
    let server = MockServer::start().await;
    // Under the 64 KiB request-head bound (larger heads get 431, `refusal_shapes`), over the
    // journal's 4 KiB cut.
    let big = "x".repeat(40 * 1024);
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
    let server = started(MockServer::builder().trust_forwarded(true).rate_limit(3)).await;
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
