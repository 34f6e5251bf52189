//! `POST /api/developers/oauth2/token_info` (behaviour.md §5): inspects access tokens only.
//!
//! A valid access token answers ilert's documented shape; anything else (expired, malformed,
//! wrongly signed, a refresh token, or a token whose user is gone or no longer of its tenant, as
//! the API's 401 says too) answers `{"active": false}` (RFC 7662 §2.2). A request without
//! `token` is `invalid_request`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::ctx::SharedCtx;
use super::oauth_error::{OAuthFailure, no_store};
use super::{access, body};
use crate::protocol::error::OAuthError;

/// Handles a token info request.
pub async fn handle(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, OAuthFailure> {
    let params = body::params(&headers, body)?;
    let token = params
        .get("token")
        .map_err(OAuthError::from)?
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    let now = ctx.clock.now();
    let info = access::prove(&ctx, token, now).ok().and_then(|proof| {
        let verified = access::verified(&ctx, token, now, proof).ok()??;
        let claims = &verified.claims;
        Some(json!({
            "active": true,
            "tenant_id": verified.principal.tenant,
            "username": claims.il_u,
            "scope": claims.il_s,
            "app_id": claims.il_a,
        }))
    });
    let body = info.unwrap_or_else(|| json!({"active": false}));
    Ok(no_store((StatusCode::OK, Json(body)).into_response()))
}
