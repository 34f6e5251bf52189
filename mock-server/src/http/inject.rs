//! The layer that answers from the fault queue (`POST /_mock/faults`): a request outside
//! `/_mock` and `/.well-known/` whose path a queued fault matches is delayed, answered with the
//! fault's status and body instead of being served, or both.

use std::time::Duration;

use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::control::PREFIX;
use super::ctx::SharedCtx;

/// The body a fault answers with when none was given: the endpoint's own error shape.
fn default_body(path: &str, status: u16) -> serde_json::Value {
    if path.starts_with("/api/developers/oauth2/") {
        json!({"code": "server_error", "error": format!("injected fault: HTTP {status}")})
    } else {
        json!({"status": status, "message": format!("injected fault: HTTP {status}"), "code": "INJECTED_FAULT"})
    }
}

/// Answers from a queued fault when one matches the path.
pub async fn inject<F, Fut>(ctx: &SharedCtx, request: Request, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let path = request.uri().path();
    if path.starts_with(PREFIX) || path.starts_with("/.well-known/") {
        return next(request).await;
    }
    let Some(action) = ctx.faults.take(path) else {
        return next(request).await;
    };
    if let Some(ms) = action.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    match action.answer {
        None => next(request).await,
        Some((status, body)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = body.unwrap_or_else(|| default_body(request.uri().path(), status.as_u16()));
            (status, Json(body)).into_response()
        }
    }
}
