//! The control surface's error shape, `{"error": "<what is wrong>"}`: one module of its own, so
//! the dashboard's event stream answers in it without importing the control router.

use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use serde_json::json;

/// A control-surface error: `{"error": "<what is wrong>"}`.
pub fn control_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}
