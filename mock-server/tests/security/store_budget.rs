//! The REST store's budget: an event flood (no token, through the Events API) and a flood of
//! large resources end at `--max-store-bytes` with ilert's error shape naming the flag; what was
//! stored stays, deleting makes room again.

use super::*;

const WEB_KEY: &str = "il1api0a5cf3003d4e6f8a0b2c4d6e8f0a";

#[tokio::test]
async fn an_event_flood_ends_at_the_budget_and_nothing_stored_is_lost() {
    let server = MockServer::builder()
        .auto_approve("someUser")
        .bounds(ilert_mock::Bounds {
            store_bytes: 2 * 1024 * 1024,
            ..ilert_mock::Bounds::default()
        })
        .start()
        .await
        .expect("starts");
    let details = "d".repeat(50 * 1024);
    let mut accepted = 0;
    let mut refused = None;
    for n in 0..200 {
        let (status, _, body) = api_request(
            &server,
            Method::POST,
            "/api/events",
            None,
            Some(json!({"integrationKey": WEB_KEY, "eventType": "ALERT", "summary": format!("flood {n}"), "details": details, "alertKey": format!("k{n}")})),
        )
        .await;
        if status == StatusCode::ACCEPTED {
            accepted += 1;
        } else {
            refused = Some((status, body));
            break;
        }
    }
    let (status, body) = refused.expect("the flood was never refused");
    assert_rest_error(status, &body, 507);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("--max-store-bytes"),
        "{body}"
    );
    assert!(
        (10..60).contains(&accepted),
        "{accepted} events of 50 KB under a 2 MiB budget"
    );
    // Every accepted alert is still there.
    let token = access_token(&server, "alert:d").await;
    let (status, _, alerts) = api_get(&server, "/api/alerts?max-results=100", &token).await;
    assert_eq!(status, StatusCode::OK);
    let flood: Vec<&Value> = alerts
        .as_array()
        .expect("list")
        .iter()
        .filter(|a| a["summary"].as_str().is_some_and(|s| s.starts_with("flood")))
        .collect();
    assert_eq!(flood.len(), accepted, "an accepted alert is gone");
    // A bearer create is refused the same way; reads still answer.
    let (status, _, body) = api_post(
        &server,
        "/api/services",
        &access_token(&server, "service:w").await,
        json!({"name": "big", "description": "x".repeat(60 * 1024)}),
    )
    .await;
    assert_rest_error(status, &body, 507);
    // Deleting makes room: the store is measured again.
    let (status, _) = control(&server, Method::POST, "/reset", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = api_request(
        &server,
        Method::POST,
        "/api/events",
        None,
        Some(
            json!({"integrationKey": WEB_KEY, "eventType": "ALERT", "summary": "after", "details": details}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}
