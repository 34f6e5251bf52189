//! Cross-origin rules as CORS layers: browsers may call the token, token info, revoke and API
//! endpoints from any origin; the tokenless ingestion endpoints only from pages
//! [`super::cross_origin::ingest`] admits.

use axum::http::{Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::cross_origin;
use super::ctx::SharedCtx;

/// Browsers may call the token, token info, revoke and resource endpoints cross-origin (ilert's
/// PKCE web app does); the authorize endpoint sends no CORS headers (behaviour.md §9, RFC 9700 §4.16).
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::LOCATION, header::WWW_AUTHENTICATE])
        .max_age(std::time::Duration::from_secs(600))
}

/// CORS of the tokenless ingestion endpoints: the origin is echoed only when the request would
/// pass [`cross_origin::ingest`] (a related or loopback page, or an origin the user allowed with
/// `--allow-origin`); any other page gets no `Access-Control-Allow-Origin`, so it can neither
/// read an answer nor pass a preflight.
pub fn ingest_cors(ctx: &SharedCtx) -> CorsLayer {
    let options = ctx.options.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |_, parts| {
            cross_origin::ingest(&parts.headers, &options).is_ok()
        }))
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT])
        .max_age(std::time::Duration::from_secs(600))
}
