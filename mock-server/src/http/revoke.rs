//! `POST /api/developers/oauth2/revoke` (SPEC §5, RFC 7009).
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
use axum::response::{IntoResponse, Response};

use super::{SharedCtx, body, token_error};
use crate::protocol::client_auth;
use crate::protocol::error::OAuthError;
use crate::protocol::params::Params;

fn revoke(ctx: &SharedCtx, headers: &HeaderMap, params: &Params) -> Result<(), OAuthError> {
    if let Some(repeated) = params.first_repeated(&["token", "token_type_hint", "client_id", "client_secret"])
    {
        return Err(repeated.into());
    }
    let token = params
        .get("token")?
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
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

/// Handles a revocation request.
pub async fn handle(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let basic = headers.get(header::AUTHORIZATION).is_some();
    let result = body::params(&headers, body)
        .map_err(|e| (e.status, e.error))
        .and_then(|params| revoke(&ctx, &headers, &params).map_err(|e| (StatusCode::BAD_REQUEST, e)));
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err((status, err)) => {
            let mut response = token_error(&err, basic);
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                *response.status_mut() = status;
            }
            response
        }
    }
}
