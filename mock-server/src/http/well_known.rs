//! `GET /.well-known/jwks.json` and `GET /.well-known/oauth-authorization-server` (RFC 8414).
//!
//! The JWKS holds only the RSA public key that verifies access tokens, never a private or
//! symmetric key. URLs follow the request's host (or `--public-url`, or trusted forwarded
//! headers), so the documents are right behind proxies and in container networks.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::ctx::SharedCtx;
use super::host;
use crate::paths;
use crate::protocol::scope::{OFFLINE_ACCESS, SCOPES};

/// Routes of the two documents.
pub fn router() -> Router<SharedCtx> {
    Router::new()
        .route(paths::JWKS, get(jwks))
        .route(paths::METADATA, get(metadata))
}

async fn jwks(State(ctx): State<SharedCtx>) -> Response {
    Json(json!({"keys": [ctx.keys.public_jwk()]})).into_response()
}

async fn metadata(State(ctx): State<SharedCtx>, headers: HeaderMap) -> Response {
    let base = host::base_url(&headers, &ctx.options);
    let scopes: Vec<String> = SCOPES
        .iter()
        .flat_map(|s| {
            if s.name == OFFLINE_ACCESS {
                vec![s.name.to_owned()]
            } else {
                vec![
                    s.name.to_owned(),
                    format!("{}:r", s.name),
                    format!("{}:w", s.name),
                    format!("{}:d", s.name),
                ]
            }
        })
        .collect();
    Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}{}", paths::AUTHORIZE),
        "token_endpoint": format!("{base}{}", paths::TOKEN),
        "revocation_endpoint": format!("{base}{}", paths::REVOKE),
        "introspection_endpoint": format!("{base}{}", paths::TOKEN_INFO),
        "jwks_uri": format!("{base}{}", paths::JWKS),
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "none"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
        "introspection_endpoint_auth_methods_supported": ["none"],
    }))
    .into_response()
}
