//! `GET/POST /_mock/clock`: read, set, advance and freeze the clock every lifetime reads.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{ControlJson, control_error};
use crate::http::ctx::SharedCtx;

/// A clock change; applied in the order set, advance, freeze.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockChange {
    /// Set the clock to this Unix time.
    #[serde(default)]
    pub set: Option<i64>,
    /// Move the clock by this many seconds (negative moves back).
    #[serde(default)]
    pub advance_secs: Option<i64>,
    /// Freeze (true) or let run (false).
    #[serde(default)]
    pub freeze: Option<bool>,
}

/// `GET /_mock/clock`.
pub async fn read(State(ctx): State<SharedCtx>) -> Response {
    Json(ctx.clock.reading()).into_response()
}

/// `POST /_mock/clock`.
pub async fn change(State(ctx): State<SharedCtx>, ControlJson(change): ControlJson<ClockChange>) -> Response {
    if change.set.is_none() && change.advance_secs.is_none() && change.freeze.is_none() {
        return control_error(
            StatusCode::BAD_REQUEST,
            "send at least one of set, advance_secs, freeze",
        );
    }
    if change.set.is_some_and(|s| !(0..=253_402_300_799).contains(&s)) {
        return control_error(
            StatusCode::BAD_REQUEST,
            "set: must be a Unix time between 0 and 253402300799",
        );
    }
    if change
        .advance_secs
        .is_some_and(|a| a.unsigned_abs() > 100 * 31_536_000)
    {
        return control_error(StatusCode::BAD_REQUEST, "advance_secs: must be within ±100 years");
    }
    if let Some(at) = change.set {
        ctx.clock.set(at);
    }
    if let Some(secs) = change.advance_secs {
        ctx.clock.advance(secs);
    }
    if let Some(frozen) = change.freeze {
        ctx.clock.freeze(frozen);
    }
    Json(ctx.clock.reading()).into_response()
}
