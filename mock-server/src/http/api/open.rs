//! The operations without a bearer token. Most are authenticated by an integration key:
//! - the Events API, `POST /api/events` (key in the body) and an alert source's
//!   `integrationUrl` `POST /api/v1/events/{type}/{key}`;
//! - the Deployment Events API, `POST /api/deployment-events` and a pipeline's
//!   `integrationUrl` `POST /api/v1/deployment-events/{type}/{key}`;
//! - the Series API, `POST /api/series/{key}` (a metric's key);
//! - a heartbeat monitor's ping URL, `GET|HEAD|POST /api/heartbeats/{key}`.
//!
//! The document's public operations, `GET /api/numbers` and `GET /api/integrations`, need
//! nothing. Bodies and queries are checked against the document as for every other operation;
//! the rules are in the groups' modules. A JSON body declared as something else is refused as
//! on the bearer-authenticated routes (400); heartbeat pings, whose body nobody reads, take any.
//!
//! No token also means a web page could call the ingestion operations: a `text/plain` POST or
//! an `<img>` needs no CORS preflight. So they refuse what a page of another site made a browser
//! send ([`crate::http::cross_origin::ingest`], the control surface's rule, unless the user
//! allowed the origin with `--allow-origin`), echo only such origins in CORS answers, and take
//! only JSON bodies, as every other operation of the API does.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, get, on, post};

use super::handler::{ApiError, content_is_json, not_json, reply, unreadable};
use crate::http::cors::ingest_cors;
use crate::http::ctx::SharedCtx;
use crate::http::rest_error::rest_error;
use crate::http::{cross_origin, host};
use crate::paths;
use crate::resources::catalogue::catalogue;
use crate::resources::group::{Keyed, Reply};
use crate::resources::groups::{deployment_pipelines, heartbeat_monitors, series};
use crate::resources::open::{events, integrations, numbers};
use crate::resources::{ResourceError, crud, request};

/// An operation authenticated by an integration key.
type Ingest = fn(Keyed<'_>) -> Result<Reply, ResourceError>;

/// The ingestion routes, each refusing cross-site requests first ([`cross_site`]), with their
/// own CORS.
pub fn routes(ctx: &SharedCtx) -> Router<SharedCtx> {
    Router::new()
        .route(&paths::under_api(events::PATH), by_body(events::post))
        // ilert's JavaScript client posts events, key in the body, to `/api/v1/events`
        // (iLert/ilert-js lib/Event.js line 17 at 08a95e4f).
        .route(paths::EVENTS_BY_URL, by_body(events::post))
        .route(&typed(paths::EVENTS_BY_URL), by_url(events::post))
        .route(
            &paths::under_api(deployment_pipelines::EVENTS_PATH),
            by_body(deployment_pipelines::ingest),
        )
        .route(
            &typed(paths::DEPLOYMENT_EVENTS_BY_URL),
            by_url(deployment_pipelines::ingest),
        )
        .route(
            &paths::under_api(series::PATH),
            by_key(series::ingest, MethodFilter::POST, Body::Json),
        )
        // ilert's heartbeat pings are GET (and so HEAD) or POST.
        .route(
            &keyed(paths::HEARTBEATS),
            by_key(
                heartbeat_monitors::ping,
                MethodFilter::GET.or(MethodFilter::POST),
                Body::Ignored,
            ),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .layer(ingest_cors(ctx))
}

/// The document's public read operations (numbers, integrations): nothing to guard; another
/// method is a 405 in ilert's REST shape.
pub fn public() -> Router<SharedCtx> {
    Router::new()
        .route(
            &paths::under_api("/numbers"),
            get(|| async { axum::Json(numbers::list()) }),
        )
        .route(&paths::under_api("/integrations"), get(integration_list))
        .method_not_allowed_fallback(|| async { super::not_allowed() })
}

/// Refuses, in ilert's REST error shape, what a page of another site made a browser send.
/// Every ingestion handler asks first, before it reads the path or the body.
fn cross_site(ctx: &SharedCtx, headers: &HeaderMap) -> Result<(), Response> {
    cross_origin::ingest(headers, &ctx.options).map_err(|why| {
        rest_error(
            StatusCode::FORBIDDEN,
            &format!(
                "refused: {why}; the integration-key endpoints take no requests from pages of other sites (allow an origin with --allow-origin)"
            ),
            "FORBIDDEN",
        )
    })
}

/// An ingestion path's other methods: 405, once the request is not refused as cross-site.
async fn method_not_allowed(State(ctx): State<SharedCtx>, headers: HeaderMap) -> Response {
    match cross_site(&ctx, &headers) {
        Ok(()) => super::not_allowed(),
        Err(refused) => refused,
    }
}

/// `{prefix}/{type}/{key}`.
fn typed(prefix: &'static str) -> String {
    format!("{prefix}/{{kind}}/{{key}}")
}

/// `{prefix}/{key}`.
fn keyed(prefix: &'static str) -> String {
    format!("{prefix}/{{key}}")
}

/// What an ingestion does with the request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// A documented JSON body: another declared `Content-Type` is a 400.
    Json,
    /// Not read (heartbeat pings).
    Ignored,
}

/// What the URL of an ingestion names: the integration key, and an `integrationUrl`'s type.
#[derive(Debug, Clone, Copy, Default)]
struct FromUrl<'a> {
    key: Option<&'a str>,
    kind: Option<&'a str>,
}

/// Runs an ingestion on the locked state and renders its reply or error.
fn run(
    ctx: &SharedCtx,
    headers: &HeaderMap,
    body: &[u8],
    url: FromUrl<'_>,
    kind: Body,
    ingest: Ingest,
) -> Response {
    if kind == Body::Json && !body.is_empty() && !content_is_json(headers) {
        return ApiError(not_json()).into_response();
    }
    let base = host::base_url(headers, &ctx.options);
    let now = ctx.clock.now();
    let bound = ctx.options.bounds.store_bytes;
    let keyed = |state: &mut crate::state::MockState| {
        state.admit_write(body.len(), bound)?;
        ingest(Keyed {
            state,
            base: &base,
            now,
            body,
            key: url.key,
            kind: url.kind,
            letter: ctx.policy.document_to_the_letter,
        })
    };
    match ctx.store.with(keyed) {
        Ok(r) => reply(r, &base),
        Err(e) => ApiError(e).into_response(),
    }
}

/// The body, or the REST error for one that could not be read.
type ReadBody = Result<Bytes, BytesRejection>;

/// A path whose segments are not text (invalid percent-encoding): 404 in ilert's REST shape,
/// not axum's plain-text rejection.
fn bad_path(rejection: &PathRejection) -> Response {
    ApiError(ResourceError::NotFound(format!(
        "No resource at this path ({rejection})"
    )))
    .into_response()
}

/// A keyed route's path segments and body, or the refusal of the first that cannot be read
/// (the path before the body).
fn unpack<P>(path: Result<Path<P>, PathRejection>, body: ReadBody) -> Result<(P, Bytes), Response> {
    let Path(path) = path.map_err(|rejection| bad_path(&rejection))?;
    let body = body.map_err(|rejection| unreadable(&rejection))?;
    Ok((path, body))
}

/// The request's headers (taken out, not copied) and its body as read; the cross-site refusal
/// instead, checked before the body is read, for what a page of another site sent.
async fn headers_and_body(ctx: &SharedCtx, mut request: Request) -> Result<(HeaderMap, ReadBody), Response> {
    let headers = std::mem::take(request.headers_mut());
    cross_site(ctx, &headers)?;
    Ok((headers, Bytes::from_request(request, ctx).await))
}

/// `POST` with the key in the body.
fn by_body(ingest: Ingest) -> MethodRouter<SharedCtx> {
    post(move |State(ctx): State<SharedCtx>, request: Request| async move {
        match headers_and_body(&ctx, request).await {
            Ok((headers, Ok(body))) => run(&ctx, &headers, &body, FromUrl::default(), Body::Json, ingest),
            Ok((_, Err(rejection))) => unreadable(&rejection),
            Err(refused) => refused,
        }
    })
}

/// `POST` to an `integrationUrl` `{prefix}/{type}/{key}`.
fn by_url(ingest: Ingest) -> MethodRouter<SharedCtx> {
    post(
        move |State(ctx): State<SharedCtx>,
              path: Result<Path<(String, String)>, PathRejection>,
              request: Request| async move {
            let (headers, body) = match headers_and_body(&ctx, request).await {
                Ok(read) => read,
                Err(refused) => return refused,
            };
            let ((kind, key), body) = match unpack(path, body) {
                Ok(unpacked) => unpacked,
                Err(refused) => return refused,
            };
            let url = FromUrl {
                key: Some(&key),
                kind: Some(&kind),
            };
            run(&ctx, &headers, &body, url, Body::Json, ingest)
        },
    )
}

/// `methods` with the key as the path's last segment.
fn by_key(ingest: Ingest, methods: MethodFilter, kind: Body) -> MethodRouter<SharedCtx> {
    on(
        methods,
        move |State(ctx): State<SharedCtx>, path: Result<Path<String>, PathRejection>, request: Request| async move {
            let (headers, body) = match headers_and_body(&ctx, request).await {
                Ok(read) => read,
                Err(refused) => return refused,
            };
            let (key, body) = match unpack(path, body) {
                Ok(unpacked) => unpacked,
                Err(refused) => return refused,
            };
            let url = FromUrl {
                key: Some(&key),
                kind: None,
            };
            run(&ctx, &headers, &body, url, kind, ingest)
        },
    )
}

async fn integration_list(RawQuery(query): RawQuery) -> Response {
    let c = catalogue();
    let query: Vec<(String, String)> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let page = c
        .operation("GET", "/integrations")
        .ok_or_else(|| ResourceError::NotFound("GET /integrations is not in the catalogue".to_owned()))
        .and_then(|op| request::check_query(c, op, &query).map(|()| crud::page(op, &query)));
    match page {
        Ok((start, max)) => axum::Json(integrations::list(start, max)).into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}
