//! The tokenless ingestion endpoints (Events, Series, deployment events, heartbeat pings) are not
//! a web page's to use: a page of another site cannot fill the mock through the developer's
//! browser with a `text/plain` POST or an `<img>`, and gets no `Access-Control-Allow-Origin`.

use super::*;

const WEB_KEY: &str = "il1api0a5cf3003d4e6f8a0b2c4d6e8f0a";
const HEARTBEAT_KEY: &str = "il1hbt5cf91017c2e4a9b0d3f6e8a1c5b2d";
const METRIC_KEY: &str = "il1met5cf93114b8e2d6a0c9f3e7b1d5a24";
const PIPELINE_KEY: &str = "il1dpl5cf9401c3b7e1a5d9f2c6b0e4a8d1";

async fn alert_count(server: &MockServer) -> usize {
    let token = access_token(server, "alert").await;
    let (status, _, list) = api_get(server, "/api/alerts?max-results=100", &token).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().expect("a list").len()
}

fn event(summary: &str) -> String {
    json!({"integrationKey": WEB_KEY, "eventType": "ALERT", "summary": summary}).to_string()
}

/// What a browser sends for `fetch(url, {method: "POST", mode: "no-cors", body: "..."})` from
/// another site: `text/plain`, an `Origin`, `Sec-Fetch-Site: cross-site`; no preflight.
fn cross_site(req: reqwest::RequestBuilder, origin: &str) -> reqwest::RequestBuilder {
    req.header("origin", origin)
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "text/plain;charset=UTF-8")
}

#[tokio::test]
async fn a_cross_site_text_plain_event_is_refused_and_stores_nothing() {
    let server = auto_server().await;
    let before = alert_count(&server).await;
    let base = server.base_url();
    let targets = [
        (Method::POST, format!("{base}/api/events"), event("from a page")),
        (
            Method::POST,
            format!("{base}/api/v1/events/api/{WEB_KEY}"),
            event("from a page"),
        ),
        (
            Method::POST,
            format!("{base}/api/series/{METRIC_KEY}"),
            json!({"timestamp": 1_800_000_000, "value": 1.0}).to_string(),
        ),
        (
            Method::POST,
            format!("{base}/api/deployment-events"),
            json!({"integrationKey": PIPELINE_KEY, "summary": "x"}).to_string(),
        ),
        (
            Method::GET,
            format!("{base}/api/heartbeats/{HEARTBEAT_KEY}"),
            String::new(),
        ),
    ];
    for (method, url, body) in targets {
        let r = cross_site(http().request(method.clone(), &url), "https://attacker.example")
            .body(body)
            .send()
            .await
            .expect("answers");
        let status = r.status();
        assert!(
            r.headers().get("access-control-allow-origin").is_none(),
            "{method} {url} lets the page read the answer"
        );
        let body: Value = r.json().await.expect("json");
        assert_rest_error(status, &body, 403);
        assert!(
            body["message"]
                .as_str()
                .expect("message")
                .contains("--allow-origin"),
            "{body}"
        );
    }
    // An `<img>` sends no Origin, only Sec-Fetch-Site.
    let r = http()
        .get(format!("{base}/api/heartbeats/{HEARTBEAT_KEY}"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        alert_count(&server).await,
        before,
        "a refused event left an alert"
    );
}

#[tokio::test]
async fn non_json_bodies_are_refused_like_every_other_api_operation() {
    let server = auto_server().await;
    let before = alert_count(&server).await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let r = http()
            .post(format!("{}/api/events", server.base_url()))
            .header("content-type", content_type)
            .body(event("plain"))
            .send()
            .await
            .expect("answers");
        let status = r.status();
        let body: Value = r.json().await.expect("json");
        assert_rest_error(status, &body, 400);
        assert_eq!(body["message"], "Content-Type must be application/json", "{body}");
    }
    assert_eq!(alert_count(&server).await, before);
    // JSON from a script (no Origin, no Sec-Fetch-Site) still works.
    let r = http()
        .post(format!("{}/api/events", server.base_url()))
        .header("content-type", "application/json")
        .body(event("json"))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(alert_count(&server).await, before + 1);
}

#[tokio::test]
async fn arbitrary_origins_are_not_reflected_but_an_allowed_one_is() {
    let server = started(
        MockServer::builder()
            .auto_approve("someUser")
            .allow_origin("http://dashboard.example:8080"),
    )
    .await;
    let preflight = |origin: &str| {
        http()
            .request(Method::OPTIONS, format!("{}/api/events", server.base_url()))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let r = preflight("https://attacker.example").await.expect("answers");
    assert!(
        r.headers().get("access-control-allow-origin").is_none(),
        "{:?}",
        r.headers()
    );
    let r = preflight("http://dashboard.example:8080").await.expect("answers");
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://dashboard.example:8080"
    );
    // A loopback page (a local test UI on another port) passes, as for the control surface.
    let r = preflight("http://localhost:3000").await.expect("answers");
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );

    let r = http()
        .post(format!("{}/api/events", server.base_url()))
        .header("origin", "http://dashboard.example:8080")
        .header("sec-fetch-site", "cross-site")
        .json(&serde_json::from_str::<Value>(&event("allowed")).expect("json"))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://dashboard.example:8080"
    );
}
