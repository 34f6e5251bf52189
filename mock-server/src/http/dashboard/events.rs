//! `GET /_mock/events/stream`: what changes in the mock, as server-sent events (the HTML
//! standard's `text/event-stream`), for the dashboard and for `curl -N`.
//!
//! Events:
//! - `hello` first, `{"next_seq": N}`: the journal's next number, so a reader that loads
//!   `GET /_mock/requests` after subscribing knows which entries the stream will bring;
//! - `request` with `id: <seq>`: a journaled request, the entry as `GET /_mock/requests` shows
//!   it;
//! - `control`, `{"what": "POST /_mock/clock"}`: the control surface (or the embedded API)
//!   changed the mock; read the panels again;
//! - `lagged`, `{"missed": N}`: the reader fell behind and missed notices; read everything
//!   again;
//! - a `: keep-alive` comment every [`KEEP_ALIVE`], so proxies and the reader's own timers see
//!   a live stream.
//!
//! The stream is guarded like every control read (loopback, or the control token in
//! `Authorization`), which is why the page reads it with `fetch()` and not `EventSource`.
//! At most [`MAX_STREAMS`] are open at once; each ends when its reader goes, and all end when
//! the server shuts down.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use serde_json::json;
use tokio::sync::{broadcast, mpsc};

use crate::changes::Change;
use crate::http::control::error::control_error;
use crate::http::ctx::SharedCtx;

/// How often an idle stream says it is alive.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Most streams open at once: a page or two per developer; more is a leak or a flood.
pub const MAX_STREAMS: usize = 32;

/// One server-sent event: `event:`, `id:` if any, one `data:` line per line of `data`, and the
/// blank line that ends it. Line breaks in the name or the id would end the field early, so
/// they are dropped.
pub fn frame(event: &str, id: Option<u64>, data: &str) -> String {
    let clean = |s: &str| s.replace(['\r', '\n'], "");
    let mut out = format!("event: {}\n", clean(event));
    if let Some(id) = id {
        out.push_str(&format!("id: {id}\n"));
    }
    // `\r\n`, `\r` and `\n` all end a line in an event stream.
    for line in data.split("\r\n").flat_map(|l| l.split(['\r', '\n'])) {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out
}

/// The event a change becomes, if it still has one (an entry already dropped from the journal
/// has none).
fn event_of(ctx: &SharedCtx, change: Result<Change, broadcast::error::RecvError>) -> Option<String> {
    match change {
        Ok(Change::Request(seq)) => {
            let entry = ctx.journal.get(seq)?;
            let data = serde_json::to_string(&entry).ok()?;
            Some(frame("request", Some(seq), &data))
        }
        Ok(Change::Control(what)) => Some(frame("control", None, &json!({"what": what}).to_string())),
        Err(broadcast::error::RecvError::Lagged(missed)) => {
            Some(frame("lagged", None, &json!({"missed": missed}).to_string()))
        }
        Err(broadcast::error::RecvError::Closed) => None,
    }
}

/// A response body fed by a channel.
struct Stream(mpsc::Receiver<Bytes>);

impl http_body::Body for Stream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|b| Ok(Frame::data(b))))
    }
}

/// `GET /_mock/events/stream`.
pub async fn stream(State(ctx): State<SharedCtx>) -> Response {
    if ctx.changes.readers() >= MAX_STREAMS {
        return control_error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("{MAX_STREAMS} event streams are open already; close a dashboard tab"),
        );
    }
    let (mut notices, mut closing) = ctx.changes.subscribe();
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let hello = format!(
        "retry: 2000\n\n{}",
        frame(
            "hello",
            None,
            &json!({"next_seq": ctx.journal.next_seq()}).to_string()
        )
    );
    let feeder = ctx.clone();
    tokio::spawn(async move {
        if tx.send(Bytes::from(hello)).await.is_err() {
            return;
        }
        let start = tokio::time::Instant::now() + KEEP_ALIVE;
        let mut alive = tokio::time::interval_at(start, KEEP_ALIVE);
        loop {
            let chunk = tokio::select! {
                _ = closing.wait_for(|closed| *closed) => break,
                () = tx.closed() => break,
                _ = alive.tick() => ": keep-alive\n\n".to_owned(),
                change = notices.recv() => {
                    if matches!(change, Err(broadcast::error::RecvError::Closed)) {
                        break;
                    }
                    match event_of(&feeder, change) {
                        Some(event) => event,
                        None => continue,
                    }
                }
            };
            if tx.send(Bytes::from(chunk)).await.is_err() {
                break;
            }
        }
    });
    let mut response = Response::new(Body::new(Stream(rx)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Tells a buffering proxy (nginx) to pass each event on at once.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_named_numbered_and_ended_by_a_blank_line() {
        assert_eq!(
            frame("request", Some(7), "{\"seq\":7}"),
            "event: request\nid: 7\ndata: {\"seq\":7}\n\n"
        );
        assert_eq!(frame("control", None, "{}"), "event: control\ndata: {}\n\n");
    }

    #[test]
    fn every_line_of_data_gets_its_own_field() {
        assert_eq!(
            frame("x", None, "one\ntwo\r\nthree\rfour"),
            "event: x\ndata: one\ndata: two\ndata: three\ndata: four\n\n"
        );
        assert_eq!(frame("x", None, ""), "event: x\ndata: \n\n");
    }

    #[test]
    fn a_name_cannot_smuggle_a_field() {
        assert_eq!(
            frame("x\ndata: forged", None, "real"),
            "event: xdata: forged\ndata: real\n\n"
        );
    }

    #[test]
    fn json_data_stays_on_one_line() {
        let data = json!({"text": "a\nb"}).to_string();
        let framed = frame("request", Some(1), &data);
        assert_eq!(framed.matches("data: ").count(), 1, "{framed}");
    }
}
