//! The router: every endpoint and the layers every request passes (host check, journal, faults,
//! rate limit, refusal shapes, durability: [`every_request`]; the body limit), outermost last.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::cors::cors;
use super::ctx::{ControlAccess, SharedCtx};
use super::{
    MAX_BODY_BYTES, allowed_hosts, api, api_rate_limit, authorize, control, durable, inject, record,
    refusals, rest_error, revoke, token_endpoint, token_info, trace, well_known,
};
use crate::paths;

/// Builds the router.
pub fn router(ctx: SharedCtx) -> Router {
    let mut oauth = Router::new()
        .route(paths::TOKEN, post(token_endpoint::handle))
        .route(paths::TOKEN_INFO, post(token_info::handle))
        .route(paths::REVOKE, post(revoke::handle));
    // The breakages are fixed at start: without any, no layer (and no per-request cost) at all.
    if !ctx.options.breakages.is_empty() {
        oauth = oauth.layer(middleware::from_fn_with_state(ctx.clone(), token_breakages));
    }
    let oauth = oauth.layer(cors());
    let mut router = Router::new()
        .route(paths::AUTHORIZE, get(authorize::show).post(authorize::decide))
        .merge(oauth)
        .merge(api::router(&ctx))
        .merge(well_known::router());
    if ctx.options.control != ControlAccess::Off {
        // The page is `/_mock/` (its assets' relative paths resolve there); a nested route
        // cannot end in the slash, so it is mounted beside the nest, and `/_mock` redirects.
        router = router
            .route(crate::http::dashboard::PAGE, get(crate::http::dashboard::page))
            .nest(paths::CONTROL, control::router(ctx.clone()));
    }
    router = router.route("/", get(crate::http::dashboard::landing::landing));
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(ctx.clone(), every_request))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(trace::span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(ctx)
}

/// The layers every request passes, outermost first: the host check, the journal, the fault
/// queue, the rate limit, the refusal shapes, durability.
///
/// One `from_fn` layer calls the six in turn rather than six layers wrapping each other: each
/// `from_fn` layer clones the service inside it and boxes a future per request, so six cost six
/// service clones and six boxed futures on every request, the cheapest ones included
/// (`ilert-mock-bench`'s `GET /api/users/current`, pinned). Each step is a plain async function
/// given the rest of the chain as `next`, so its order and behaviour are those of the layers it
/// replaces.
async fn every_request(State(ctx): State<SharedCtx>, request: Request, next: Next) -> Response {
    let ctx = &ctx;
    allowed_hosts::check(ctx, request, |request| {
        record::record(ctx, request, |request| {
            inject::inject(ctx, request, |request| {
                api_rate_limit::limit(ctx, request, |request| {
                    refusals::shape(request, |request| {
                        durable::answer(ctx, request, |request| next.run(request))
                    })
                })
            })
        })
    })
    .await
}

async fn not_found() -> Response {
    rest_error(StatusCode::NOT_FOUND, "No such endpoint", "NOT_FOUND")
}

/// Applies the token-endpoint breakages ([`crate::Breakage`]), if any, to a finished response.
pub async fn token_breakages(
    axum::extract::State(ctx): axum::extract::State<SharedCtx>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    use crate::breakage::Breakage;
    let b = &ctx.options.breakages;
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    if b.has(Breakage::MissingNoStore) {
        parts.headers.remove(header::CACHE_CONTROL);
        parts.headers.remove(header::PRAGMA);
    }
    let is_error = parts.status.is_client_error() || parts.status.is_server_error();
    if !is_error || !(b.has(Breakage::WrongErrorShape) || b.has(Breakage::InvalidGrantStatus400)) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if b.has(Breakage::InvalidGrantStatus400) && value["code"] == "invalid_grant" {
        parts.status = StatusCode::BAD_REQUEST;
    }
    if b.has(Breakage::WrongErrorShape) {
        value = json!({"error": value["code"], "error_description": value["error"]});
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(value.to_string()))
}
