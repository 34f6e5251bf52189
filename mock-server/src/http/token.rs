//! `POST /api/developers/oauth2/token` (SPEC §3): both grants, form or JSON, the secret in the
//! body, by HTTP Basic, or (after PKCE) not at all.
//!
//! One straight road: the body is parsed once into a [`TokenRequest`]
//! (`protocol::token_request`), the state runs it under one lock (`state::MockState::grant`:
//! client authentication, then the code or refresh rules), the keys sign what it issued (off the
//! async workers), and the answer is ilert's JSON or an [`OAuthFailure`].

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::oauth_error::{OAuthFailure, no_store};
use super::{SharedCtx, body};
use crate::protocol::client_auth;
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::token_request::TokenRequest;
use crate::token::{ACCESS_TOKEN_LIFETIME, SignedTokens};

/// ilert's success body, field order as documented.
#[derive(Serialize)]
struct TokenResponse {
    token_type: &'static str,
    access_token: String,
    expires_in: i64,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token_expires_in: Option<i64>,
}

impl From<SignedTokens> for TokenResponse {
    fn from(signed: SignedTokens) -> Self {
        Self {
            token_type: "Bearer",
            access_token: signed.access_token,
            expires_in: ACCESS_TOKEN_LIFETIME,
            scope: signed.scope,
            refresh_token: signed.refresh_token,
            refresh_token_expires_in: signed.refresh_expires_in,
        }
    }
}

fn server_error() -> OAuthError {
    OAuthError::new(ErrorCode::ServerError, "the token could not be signed")
}

async fn grant(ctx: &SharedCtx, headers: &HeaderMap, body: &[u8]) -> Result<TokenResponse, OAuthError> {
    let params = body::parse(headers, body)?;
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let request = TokenRequest::parse(&params, authorization)?;
    let now = ctx.clock.now();
    let policy = ctx.policy;
    let issued = ctx
        .store
        .with(|s| s.grant(&request, &ctx.keys, now, policy.code_use))?;
    // RS256 signing is CPU-bound: keep it off the async workers, one signing per core at a time
    // (requests beyond that wait their turn in order instead of sharing the cores).
    let _turn = ctx.signers.acquire().await.map_err(|_| server_error())?;
    let ctx = ctx.clone();
    let signed = tokio::task::spawn_blocking(move || ctx.keys.sign(&issued, policy.extra_iat_claim))
        .await
        .map_err(|_| server_error())?
        .map_err(|_| server_error())?;
    Ok(signed.into())
}

/// Handles a token request.
pub async fn handle(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, OAuthFailure> {
    // An unreadable body keeps its own status (413); everything else answers by its error code.
    let body = body.map_err(body::rejected)?;
    let basic = client_auth::uses_basic(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()));
    match grant(&ctx, &headers, &body).await {
        Ok(tokens) => Ok(no_store(Json(tokens).into_response())),
        Err(err) => Err(OAuthFailure::from(err).basic(basic)),
    }
}
