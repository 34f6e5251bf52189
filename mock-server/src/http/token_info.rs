//! `POST /api/developers/oauth2/token_info` (SPEC §5): inspects access tokens only.
//!
//! A valid access token answers ilert's documented shape; anything else (expired, malformed,
//! wrongly signed, or a refresh token) answers `{"active": false}` (RFC 7662 §2.2). A request
//! without `token` is `invalid_request`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{SharedCtx, body, no_store, token_error};
use crate::protocol::error::OAuthError;

/// Handles a token info request.
pub async fn handle(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let params = match body::params(&headers, body) {
        Ok(p) => p,
        Err(e) => {
            let mut response = token_error(&e.error, false);
            *response.status_mut() = e.status;
            return response;
        }
    };
    let token = match params.get("token") {
        Ok(Some(token)) => token,
        Ok(None) => return token_error(&OAuthError::invalid_request("token is missing"), false),
        Err(repeated) => return token_error(&repeated.into(), false),
    };
    let now = ctx.clock.now();
    let info = ctx.keys.verify_access(token, now).ok().and_then(|claims| {
        let tenant = ctx
            .store
            .with(|s| s.tenant_by_short_id(&claims.il_n).map(|t| t.id.clone()))?;
        Some(json!({
            "active": true,
            "tenant_id": tenant,
            "username": claims.il_u,
            "scope": claims.il_s,
            "app_id": claims.il_a,
        }))
    });
    let body = info.unwrap_or_else(|| json!({"active": false}));
    no_store((StatusCode::OK, Json(body)).into_response())
}
