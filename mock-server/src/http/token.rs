//! `POST /api/developers/oauth2/token` (SPEC §3): both grants, form or JSON, secret in the body
//! or HTTP Basic, public PKCE apps.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{SharedCtx, body, no_store, token_error};
use crate::breakage::Breakage;
use crate::protocol::client_auth;
use crate::protocol::code::CodeUse;
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::params::Params;
use crate::state::Issued;
use crate::token::{ACCESS_TOKEN_LIFETIME, TokenError};

/// Parameters the token endpoint reads; none may be repeated (RFC 6749 §3.2).
const PARAMETERS: &[&str] = &[
    "grant_type",
    "client_id",
    "client_secret",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "scope",
];

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

fn server_error() -> OAuthError {
    OAuthError::new(ErrorCode::ServerError, "the token could not be signed")
}

async fn sign(ctx: &SharedCtx, issued: Issued) -> Result<TokenResponse, OAuthError> {
    let ctx2 = ctx.clone();
    let access_claims = issued.access.clone();
    // RS256 signing is CPU-bound: keep it off the async workers.
    let extra_claim = ctx.options.breakages.has(Breakage::ExtraJwtClaim);
    let access_token = tokio::task::spawn_blocking(move || {
        if extra_claim {
            // Breakage::ExtraJwtClaim: an `iat` ilert's tokens do not have.
            let mut claims = serde_json::to_value(&access_claims)?;
            claims["iat"] = serde_json::json!(access_claims.exp - ACCESS_TOKEN_LIFETIME);
            ctx2.keys.mint_access_claims(&claims)
        } else {
            ctx2.keys.mint_access(&access_claims)
        }
    })
    .await
    .map_err(|_| server_error())?
    .map_err(|_| server_error())?;
    let refresh_token = match &issued.refresh {
        Some(claims) => Some(ctx.keys.mint_refresh(claims).map_err(|_| server_error())?),
        None => None,
    };
    Ok(TokenResponse {
        token_type: "Bearer",
        access_token,
        expires_in: ACCESS_TOKEN_LIFETIME,
        scope: issued.access.il_s,
        refresh_token,
        refresh_token_expires_in: issued.refresh_expires_in,
    })
}

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, OAuthError> {
    params
        .get(name)?
        .ok_or_else(|| OAuthError::invalid_request(format!("{name} is missing")))
}

async fn grant(ctx: &SharedCtx, headers: &HeaderMap, params: &Params) -> Result<TokenResponse, OAuthError> {
    if let Some(repeated) = params.first_repeated(PARAMETERS) {
        return Err(repeated.into());
    }
    let grant_type = required(params, "grant_type")?;
    if !matches!(grant_type, "authorization_code" | "refresh_token") {
        return Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            format!("grant_type '{grant_type}' is not supported; use authorization_code or refresh_token"),
        ));
    }
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let creds = client_auth::credentials(
        authorization,
        params.get("client_id")?,
        params.get("client_secret")?,
    )?;
    let now = ctx.clock.now();
    let issued = if grant_type == "authorization_code" {
        let code = required(params, "code")?;
        let (redirect_uri, verifier) = (params.get("redirect_uri")?, params.get("code_verifier")?);
        let accept_twice = ctx.options.breakages.has(Breakage::AcceptCodeTwice);
        let usage = if accept_twice {
            CodeUse::Reusable
        } else {
            CodeUse::SingleUse
        };
        ctx.store
            .with(|s| s.exchange_code(&creds, code, redirect_uri, verifier, now, usage))?
    } else {
        let token = required(params, "refresh_token")?;
        let scope = params.get("scope")?;
        // Authenticate first so a bad client learns nothing about the token.
        ctx.store.with(|s| s.authenticate_optional(Some(&creds)))?;
        let claims = ctx.keys.verify_refresh(token, now).map_err(|e| {
            OAuthError::invalid_grant(match e {
                TokenError::Expired => "Provided refresh token has expired",
                TokenError::WrongType => "Provided token is not a refresh token",
                _ => "Provided refresh token is invalid",
            })
        })?;
        ctx.store.with(|s| s.refresh(&creds, &claims, scope, now))?
    };
    sign(ctx, issued).await
}

/// Handles a token request.
pub async fn handle(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() >= 6 && v[..6].eq_ignore_ascii_case("basic "));
    let params = match body::params(&headers, body) {
        Ok(p) => p,
        Err(e) => {
            let mut response = token_error(&e.error, false);
            if e.status == StatusCode::PAYLOAD_TOO_LARGE {
                *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            }
            return response;
        }
    };
    match grant(&ctx, &headers, &params).await {
        Ok(body) => no_store(Json(body).into_response()),
        Err(err) => token_error(&err, basic),
    }
}
