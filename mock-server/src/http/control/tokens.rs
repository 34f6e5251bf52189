//! `POST /_mock/tokens/decode`: any JWT, decoded, and judged by the mock's keys at the mock
//! clock's now (the dashboard's token box; `curl` works as well).
//!
//! A POST with the token in a JSON body, never a query: a URL ends up in logs, histories and
//! `Referer` headers. The answer is [`crate::Inspection`]: `kind`, `header`, `claims`,
//! `signed_by_mock`, `valid`, `problem`, `exp`, `expires_in`. A pasted refresh token shows its
//! grant key: whoever pasted it holds the token anyway.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{ControlJson, control_error};
use crate::http::ctx::SharedCtx;

/// The body of `POST /_mock/tokens/decode`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decode {
    /// The token (a leading `Bearer ` is allowed, as pasted from a header).
    pub token: String,
}

/// `POST /_mock/tokens/decode`.
pub async fn decode(State(ctx): State<SharedCtx>, ControlJson(request): ControlJson<Decode>) -> Response {
    let text = request.token.trim();
    let token = text
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or(text, |(_, rest)| rest.trim());
    match ctx.keys.inspect(token, ctx.clock.now()) {
        Ok(inspection) => Json(inspection).into_response(),
        Err(e) => control_error(StatusCode::BAD_REQUEST, &format!("token: {e}")),
    }
}
