//! The fault middleware, `GET/POST/DELETE /_mock/faults` and `DELETE /_mock/faults/{id}`.

use std::time::Duration;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{PREFIX, control_error, parse};
use crate::faults::FaultSpec;
use crate::http::ctx::SharedCtx;

/// The body a fault answers with when none was given: the endpoint's own error shape.
fn default_body(path: &str, status: u16) -> serde_json::Value {
    if path.starts_with("/api/developers/oauth2/") {
        json!({"code": "server_error", "error": format!("injected fault: HTTP {status}")})
    } else {
        json!({"status": status, "message": format!("injected fault: HTTP {status}"), "code": "INJECTED_FAULT"})
    }
}

/// Answers from a queued fault when one matches the path.
pub async fn inject(State(ctx): State<SharedCtx>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with(PREFIX) || path.starts_with("/.well-known/") {
        return next.run(request).await;
    }
    let Some(action) = ctx.faults.take(path) else {
        return next.run(request).await;
    };
    if let Some(ms) = action.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    match action.answer {
        None => next.run(request).await,
        Some((status, body)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = body.unwrap_or_else(|| default_body(request.uri().path(), status.as_u16()));
            (status, Json(body)).into_response()
        }
    }
}

/// `GET /_mock/faults`.
pub async fn list(State(ctx): State<SharedCtx>) -> Response {
    Json(ctx.faults.list()).into_response()
}

/// `POST /_mock/faults`.
pub async fn push(
    State(ctx): State<SharedCtx>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Response {
    let spec: FaultSpec = match parse(body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match ctx.faults.push(spec) {
        Ok(queued) => (StatusCode::CREATED, Json(queued)).into_response(),
        Err(e) => control_error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// `DELETE /_mock/faults/{id}`: drops one queued fault.
pub async fn remove(
    State(ctx): State<SharedCtx>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return control_error(
            StatusCode::BAD_REQUEST,
            "id: must be a fault id from GET /_mock/faults",
        );
    };
    if ctx.faults.remove(id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        control_error(StatusCode::NOT_FOUND, &format!("no queued fault {id}"))
    }
}

/// `DELETE /_mock/faults`.
pub async fn clear(State(ctx): State<SharedCtx>) -> Response {
    ctx.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}
