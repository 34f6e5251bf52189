//! Slow clients: half-sent heads and bodies, silent TLS connections, idle keep-alive.

use super::*;

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
    started(
        MockServer::builder()
            .tls(tls)
            .header_read_timeout(Duration::from_millis(300))
            .body_timeout(Duration::from_millis(300))
            .idle_timeout(Duration::from_millis(300)),
    )
    .await
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
