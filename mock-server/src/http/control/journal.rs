//! `GET/DELETE /_mock/requests`: the journal read and cleared (the layer that records it is
//! [`crate::http::record`]).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::control_error;
use crate::http::ctx::SharedCtx;
use crate::journal::Filter;

/// `GET /_mock/requests?path=…&limit=…[&format=snapshot]`.
pub async fn list(State(ctx): State<SharedCtx>, Query(query): Query<HashMap<String, String>>) -> Response {
    let limit = match query.get("limit").map(|l| l.parse::<usize>()) {
        None => None,
        Some(Ok(l)) => Some(l),
        Some(Err(_)) => {
            return control_error(StatusCode::BAD_REQUEST, "limit: must be a non-negative integer");
        }
    };
    let filter = Filter {
        path: query.get("path").cloned(),
        limit,
    };
    match query.get("format").map(String::as_str) {
        None | Some("full") => Json(ctx.journal.entries(&filter)).into_response(),
        Some("snapshot") => Json(ctx.journal.snapshot(&filter)).into_response(),
        Some(other) => control_error(
            StatusCode::BAD_REQUEST,
            &format!("format: '{other}' is not one of full, snapshot"),
        ),
    }
}

/// `DELETE /_mock/requests`.
pub async fn clear(State(ctx): State<SharedCtx>) -> Response {
    ctx.journal.clear();
    StatusCode::NO_CONTENT.into_response()
}
