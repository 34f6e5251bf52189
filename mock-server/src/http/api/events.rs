//! The Events API without a bearer token: `POST /api/events` with the integration key in the
//! body, and `POST /api/v1/events/{type}/{key}` (the `integrationUrl` the mock gives alert
//! sources) with the key in the path. The rules are in [`crate::resources::groups::events`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::handler::{ApiError, reply};
use crate::http::{SharedCtx, host};
use crate::resources::groups::events;

/// The Events API routes (under `/api`).
pub fn routes() -> Router<SharedCtx> {
    Router::new()
        .route(events::PATH, post(by_body))
        .route(&format!("{}/{{kind}}/{{key}}", by_url_path()), post(by_url))
}

/// The `integrationUrl` prefix under `/api` (the router is nested there).
fn by_url_path() -> &'static str {
    crate::paths::EVENTS_BY_URL
        .strip_prefix(crate::paths::API)
        .unwrap_or(crate::paths::EVENTS_BY_URL)
}

fn handle(ctx: &SharedCtx, headers: &HeaderMap, body: &Bytes, key: Option<&str>) -> Response {
    let base = host::base_url(headers, &ctx.options);
    let now = ctx.clock.now();
    match ctx.store.with(|s| events::post(s, &base, now, body, key)) {
        Ok(r) => reply(r, &base),
        Err(e) => ApiError(e).into_response(),
    }
}

async fn by_body(State(ctx): State<SharedCtx>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&ctx, &headers, &body, None)
}

async fn by_url(
    State(ctx): State<SharedCtx>,
    Path((_kind, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(&ctx, &headers, &body, Some(&key))
}
