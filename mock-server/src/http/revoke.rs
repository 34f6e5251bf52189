//! `POST /api/developers/oauth2/revoke` (behaviour.md §5, RFC 7009).
//!
//! Revokes the refresh grant a refresh token names. The answer is `200` with an empty body for
//! known and unknown tokens alike (RFC 7009 §2.2), so the endpoint reveals nothing. Access tokens
//! are self-contained JWTs and stay valid until they expire (ilert: "its current access_token
//! stays intact until it expires"). ilert's example sends only `token`; when a client does
//! authenticate, its credentials are checked and only its own grants are revoked (RFC 7009 §2.1).

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};

use super::body;
use super::ctx::SharedCtx;
use super::oauth_error::OAuthFailure;
use crate::protocol::client_auth;
use crate::protocol::error::OAuthError;
use crate::protocol::params::Params;

fn revoke(ctx: &SharedCtx, authorization: Option<&str>, params: &Params) -> Result<(), OAuthError> {
    if let Some(repeated) = params.first_repeated(&["token", "token_type_hint", "client_id", "client_secret"])
    {
        return Err(repeated.into());
    }
    let token = params
        .get("token")?
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    let client_id = params.get("client_id")?;
    let creds = if authorization.is_some() || client_id.is_some() {
        Some(client_auth::credentials(
            authorization,
            client_id,
            params.get("client_secret")?,
        )?)
    } else {
        None
    };
    let now = ctx.clock.now();
    let app_id = ctx.store.with(|s| s.authenticate_optional(creds.as_ref()))?;
    // An expired refresh token needs no revoking; one that does not verify names nothing.
    if let Ok(claims) = ctx.keys.verify_refresh(token, now) {
        ctx.store.with(|s| s.revoke_refresh(&claims.il_k, app_id, now));
    }
    Ok(())
}

/// Handles a revocation request: `200` with an empty body, or an [`OAuthFailure`].
pub async fn handle(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, OAuthFailure> {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let basic = client_auth::uses_basic(authorization);
    let params = body::params(&headers, body)?;
    revoke(&ctx, authorization, &params).map_err(|e| OAuthFailure::from(e).basic(basic))?;
    Ok(StatusCode::OK)
}
