//! Refusals made before a handler runs come in the surface's own shape: an oversized body is
//! ilert's REST error on `/api`, the OAuth error on the token endpoint, the control error on
//! `/_mock`; an oversized request head is refused (431) before it is buffered.

use super::*;

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let r = req.send().await.expect("answers");
    let status = r.status();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text:?}")),
    )
}

#[tokio::test]
async fn an_oversized_body_is_refused_in_each_surfaces_shape() {
    let server = auto_server().await;
    let base = server.base_url();
    let big = "x".repeat(100 * 1024);
    let (status, body) = send(
        http()
            .post(format!("{base}/api/events"))
            .header("content-type", "application/json")
            .body(format!("{{\"summary\":\"{big}\"}}")),
    )
    .await;
    assert_rest_error(status, &body, 413);
    assert_eq!(body["code"], "PAYLOAD_TOO_LARGE");
    assert!(
        body["message"].as_str().expect("message").contains("65536 bytes"),
        "{body}"
    );

    let token = access_token(&server, "service:w").await;
    let (status, body) = send(
        http()
            .post(format!("{base}/api/services"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(format!("{{\"name\":\"{big}\"}}")),
    )
    .await;
    assert_rest_error(status, &body, 413);

    let (status, body) = send(
        http()
            .post(format!("{base}{TOKEN}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("grant_type=refresh_token&x={big}")),
    )
    .await;
    assert_token_error(status, &body, 413, "invalid_request");

    let (status, body) = send(
        http()
            .post(format!("{base}/_mock/faults"))
            .header("content-type", "application/json")
            .body(format!("{{\"x\":\"{big}\"}}")),
    )
    .await;
    // The control surface reads its JSON itself and answers in its own shape.
    assert!(status.is_client_error(), "{body}");
    assert_eq!(
        body.as_object().expect("object").keys().collect::<Vec<_>>(),
        ["error"],
        "{body}"
    );
}

#[tokio::test]
async fn an_oversized_header_is_refused_before_it_is_buffered() {
    let server = auto_server().await;
    let r = http()
        .get(format!("{}/api/users/current", server.base_url()))
        .header("x-big", "h".repeat(300 * 1024))
        .send()
        .await;
    // hyper answers 431 itself (no body) and closes the connection; a client may also see the
    // connection closed while it still writes the head.
    if let Ok(r) = r {
        assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
    // The mock still answers, and the journal did not keep the header.
    let (status, _) = control(&server, Method::GET, "/health", None).await;
    assert_eq!(status, StatusCode::OK);
    let journal = server.journal().all();
    assert!(
        journal
            .iter()
            .all(|e| e.headers.iter().all(|(_, v)| v.len() < 8 * 1024)),
        "a header of 300 KB was kept"
    );
}
