//! What the journal observes of an answer: its status, `Location` and headers as recorded, and,
//! for the OAuth endpoints and every error, its JSON body (when small) with the JWTs in it.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;

use super::request::SeenRequest;
use super::tokens::json_tokens;
use crate::audit::facts::Event;
use crate::http::body::MAX_BODY_BYTES;
use crate::http::ctx::SharedCtx;
use crate::journal::redact_header;
use crate::paths;

/// An answer as the journal saw it.
pub(super) struct SeenAnswer {
    /// The audit's event the handler attached.
    pub event: Option<Event>,
    /// `Location`, redacted.
    pub location: Option<String>,
    /// Headers, redacted.
    pub headers: Vec<(String, String)>,
    /// The JSON body, when kept, redacted.
    pub body: Option<serde_json::Value>,
}

/// Observes `response` to the request `seen` (its redactions and tokens are added to `seen`)
/// and hands it back to be sent.
pub(super) async fn observe(
    ctx: &SharedCtx,
    seen: &mut SeenRequest,
    mut response: Response,
) -> (Response, SeenAnswer) {
    let secrets = &mut seen.secrets;
    let observed = &mut seen.observed;
    let carried = &mut seen.carried;
    let path = seen.path.as_str();
    let event = response.extensions_mut().remove::<Event>();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|l| {
            let (shown, location_secrets) = ctx.journal.redact_location(l);
            secrets.extend(location_secrets);
            shown
        });
    observed.status = response.status().as_u16();
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        observed.retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
    }
    let response_headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes());
            let shown = if k == header::LOCATION {
                // As `location` shows it: a code in the redirect is a credential.
                ctx.journal.redact_location(&value).0
            } else {
                redact_header(k.as_str(), &value)
            };
            (k.as_str().to_owned(), shown)
        })
        .collect();
    let (response, answer) = keep_answer(path, response).await;
    let answer = answer.map(|value| {
        carried.extend(json_tokens("response", &value));
        ctx.journal.redact_answer(value)
    });
    (
        response,
        SeenAnswer {
            event,
            location,
            headers: response_headers,
            body: answer,
        },
    )
}

/// The largest answer kept in the journal (a token answer or an error is far smaller).
const MAX_KEPT_ANSWER: u64 = 16 * 1024;

/// Whether the answer to `path` with `status` is kept: the OAuth endpoints' answers (what a
/// developer debugging a flow needs first) and every error.
fn answer_kept(path: &str, status: StatusCode) -> bool {
    status.is_client_error()
        || status.is_server_error()
        || [paths::TOKEN, paths::TOKEN_INFO, paths::REVOKE].contains(&path)
}

/// The response and, when it is kept ([`answer_kept`]) and is JSON of a known, small length,
/// its body parsed. A body of unknown or larger length passes untouched, unread.
async fn keep_answer(path: &str, response: Response) -> (Response, Option<serde_json::Value>) {
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let small = http_body::Body::size_hint(response.body())
        .exact()
        .is_some_and(|n| n <= MAX_KEPT_ANSWER);
    if !(json && small && answer_kept(path, response.status())) {
        return (response, None);
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            let value = serde_json::from_slice(&bytes).ok();
            (Response::from_parts(parts, Body::from(bytes)), value)
        }
        // Only a body whose stream fails gets here: it is answered empty, as it would have been.
        Err(_) => (Response::from_parts(parts, Body::empty()), None),
    }
}
