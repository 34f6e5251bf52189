//! `GET /_mock/audit[?app=CLIENT_ID&severity=warning]` and `DELETE /_mock/audit`: the audit of the
//! app under test (see [`crate::audit`]). `severity` keeps findings at that severity or above.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::control_error;
use crate::audit::{Filter, Severity};
use crate::http::ctx::SharedCtx;

/// `GET /_mock/audit`: the report as JSON, filtered.
pub async fn report(State(ctx): State<SharedCtx>, Query(query): Query<HashMap<String, String>>) -> Response {
    let severity = match query.get("severity").map(|s| s.parse::<Severity>()) {
        None => None,
        Some(Ok(severity)) => Some(severity),
        Some(Err(err)) => return control_error(StatusCode::BAD_REQUEST, &format!("severity: {err}")),
    };
    let filter = Filter {
        app: query.get("app").cloned(),
        severity,
    };
    let apps = ctx.store.with(|s| s.apps.clone());
    Json(ctx.audit.report(&apps).filtered(&filter)).into_response()
}

/// `DELETE /_mock/audit`: start afresh.
pub async fn clear(State(ctx): State<SharedCtx>) -> Response {
    ctx.audit.clear();
    StatusCode::NO_CONTENT.into_response()
}
