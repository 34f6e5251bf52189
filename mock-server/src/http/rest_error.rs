//! ilert's REST error shape, which every API refusal answers in.

use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use serde_json::json;

/// ilert's REST error shape: `{"status": …, "message": …, "code": …}` (behaviour.md §8).
pub fn rest_error(status: StatusCode, message: &str, code: &str) -> Response {
    (
        status,
        axum::Json(json!({"status": status.as_u16(), "message": message, "code": code})),
    )
        .into_response()
}
