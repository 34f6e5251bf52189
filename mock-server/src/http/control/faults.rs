//! `GET/POST/DELETE /_mock/faults` and `DELETE /_mock/faults/{id}`: the fault queue managed
//! (the layer that answers from it is [`crate::http::inject`]).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{ControlJson, control_error, delete_numbered};
use crate::faults::FaultSpec;
use crate::http::ctx::SharedCtx;

/// `GET /_mock/faults`.
pub async fn list(State(ctx): State<SharedCtx>) -> Response {
    Json(ctx.faults.list()).into_response()
}

/// `POST /_mock/faults`.
pub async fn push(State(ctx): State<SharedCtx>, ControlJson(spec): ControlJson<FaultSpec>) -> Response {
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
    delete_numbered(
        &id,
        "a fault id from GET /_mock/faults",
        |id| ctx.faults.remove(id),
        |id| format!("no queued fault {id}"),
    )
}

/// `DELETE /_mock/faults`.
pub async fn clear(State(ctx): State<SharedCtx>) -> Response {
    ctx.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}
