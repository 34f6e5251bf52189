//! One delete must not freeze the mock: deleting an alert source with thousands of alerts (and
//! their log entries) cascades in a few passes over the store, and `/_mock/health` keeps
//! answering while it runs.

use std::time::{Duration, Instant};

use ilert_mock::{Fixtures, MockServer};
use reqwest::{Method, StatusCode};

use super::common::*;

/// Alerts of the fixture source 3001 ("Website monitoring").
const ALERTS: usize = 3_000;

fn fixtures_with_alerts() -> Fixtures {
    let details = "x".repeat(100);
    let mut toml = String::from("extends = \"default\"\n");
    for i in 0..ALERTS {
        toml.push_str(&format!(
            "[[resources.alerts]]\nid = {}\ntenant = \"someTenant\"\nsummary = \"flood {i}\"\ndetails = \"{details}\"\nreportTime = \"2026-11-28T09:12:00Z\"\nstatus = \"PENDING\"\nalertSource = {{ id = 3001 }}\nescalationPolicy = {{ id = 1501 }}\npriority = \"LOW\"\nalertKey = \"flood/{i}\"\nresponders = []\nimages = []\nlinks = []\n\n",
            20_000 + i
        ));
    }
    Fixtures::from_toml(&toml, "cascade.toml").expect("the flood fixtures load")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_source_with_thousands_of_alerts_keeps_the_mock_answering() {
    let fixtures = fixtures_with_alerts();
    let server = started(MockServer::builder().fixtures(fixtures).auto_approve("someUser")).await;
    let token = access_token(&server, "alert source:d").await;
    let (st, headers, _) = api_request(&server, Method::GET, "/api/alerts/count", Some(&token), None).await;
    assert_eq!(st, StatusCode::OK, "{headers:?}");

    let health = format!("{}/_mock/health", server.base_url());
    let probe = tokio::spawn(async move {
        let client = http();
        let mut slowest = Duration::ZERO;
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(1_500) {
            let at = Instant::now();
            let r = client.get(&health).send().await.expect("health answers");
            assert_eq!(r.status(), StatusCode::OK);
            slowest = slowest.max(at.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        slowest
    });
    let deleting = Instant::now();
    let (st, _, body) = api_request(
        &server,
        Method::DELETE,
        "/api/alert-sources/3001",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let took = deleting.elapsed();
    let slowest = probe.await.expect("the probe ran");

    let (_, _, left) = api_get(&server, "/api/alerts?sources=3001&max-results=100", &token).await;
    assert_eq!(
        left,
        serde_json::json!([]),
        "every alert of the source went with it"
    );
    let (_, _, count) = api_get(&server, "/api/alerts/count", &token).await;
    assert_eq!(count["count"], 1, "the other source's alert stays: {count}");
    // Generous for a debug build on a shared machine: before the cascade read each collection
    // once per level, this delete held the lock (and every probe) for tens of seconds.
    assert!(
        slowest < Duration::from_secs(2),
        "a health probe waited {slowest:?}"
    );
    assert!(took < Duration::from_secs(5), "the delete took {took:?}");
}
