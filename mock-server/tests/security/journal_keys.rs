//! Integration keys and third-party API keys are credentials: the journal shows them redacted,
//! in paths (`integrationUrl`s, heartbeat pings) and in bodies (`integrationKey`, a Datadog
//! `apiKey`), as it does tokens and secrets.

use super::*;

const WEB_KEY: &str = "il1api0a5cf3003d4e6f8a0b2c4d6e8f0a";
const HEARTBEAT_KEY: &str = "il1hbt5cf91017c2e4a9b0d3f6e8a1c5b2d";

#[tokio::test]
async fn the_journal_never_shows_an_integration_or_api_key() {
    let server = auto_server().await;
    let base = server.base_url();
    let event = json!({"integrationKey": WEB_KEY, "eventType": "ALERT", "summary": "s"});
    let (status, _, _) = api_request(&server, Method::POST, "/api/events", None, Some(event.clone())).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _, _) = api_request(
        &server,
        Method::POST,
        &format!("/api/v1/events/api/{WEB_KEY}"),
        None,
        Some(event),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let r = fetch(format!("{base}/api/heartbeats/{HEARTBEAT_KEY}")).await;
    assert!(r.status().is_success(), "{}", r.status());
    let token = access_token(&server, "alert:w").await;
    let datadog = "0123456789abcdef0123456789abcdef";
    api_post(
        &server,
        "/api/connectors",
        &token,
        json!({"name": "dd", "type": "datadog", "params": {"apiKey": datadog}}),
    )
    .await;
    let (status, journal) = control(&server, Method::GET, "/requests", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = journal.to_string();
    for secret in [WEB_KEY, HEARTBEAT_KEY, datadog] {
        assert!(
            !text.contains(secret),
            "{secret} is readable in the journal: {text}"
        );
    }
    assert!(text.contains("/api/v1/events/api/[redacted]"), "{text}");
    assert!(text.contains("/api/heartbeats/[redacted]"), "{text}");
    // The snapshot names equal keys alike, so a test can still tell the two events' keys match.
    let snapshot = server.journal().snapshot(&Default::default());
    let shown: Vec<String> = snapshot.iter().map(|e| format!("{:?}", e)).collect();
    assert!(shown.iter().all(|e| !e.contains(WEB_KEY)), "{shown:?}");
}
