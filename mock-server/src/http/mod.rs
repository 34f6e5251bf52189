//! The HTTP layer: axum handlers, one module per endpoint. Handlers parse the request, call the
//! rules in [`crate::protocol`] and [`crate::state`], and render ilert's shapes; they decide no
//! rule themselves.

pub mod access;
pub mod allowed_hosts;
pub mod api;
pub mod authorize;
pub mod body;
pub mod control;
pub mod cross_origin;
pub mod dashboard;
pub mod durable;
pub mod host;
pub mod oauth_error;
pub mod peer;
pub mod rate_limit;
pub mod refusals;
pub mod revoke;
pub mod token;
pub mod token_info;
pub mod trace;
pub mod well_known;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::clock::Clock;
use crate::fixtures::Fixtures;
use crate::paths;
use crate::state::Store;
use crate::token::Keys;

/// Who may use the `/_mock` control surface.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ControlAccess {
    /// Anyone (the default: the mock listens on loopback).
    #[default]
    Open,
    /// Only requests with `Authorization: Bearer <token>`.
    Token(String),
    /// Nobody: the control routes are not mounted.
    Off,
}

impl std::fmt::Debug for ControlAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Open => "Open",
            Self::Token(_) => "Token([redacted])",
            Self::Off => "Off",
        })
    }
}

/// Server-wide options that are not fixtures.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Approve every authorization as this user, skipping the grant view.
    pub auto_approve: Option<String>,
    /// The externally visible base URL (scheme, host, port), when it differs from the request's.
    pub public_url: Option<url::Url>,
    /// Believe `X-Forwarded-Host` / `X-Forwarded-Proto` (only behind a proxy you run).
    pub trust_forwarded: bool,
    /// Host names answered besides loopback names, IP literals and the public URL's host.
    pub allowed_hosts: allowed_hosts::AllowedHosts,
    /// Access to `/_mock`.
    pub control: ControlAccess,
    /// Whether the listener speaks TLS (the scheme of self-described URLs).
    pub tls: bool,
    /// Rules deliberately broken (tests of contract suites only).
    pub breakages: crate::breakage::Breakages,
    /// Web origins (`scheme://host[:port]`, or `*`) whose pages may use the tokenless ingestion
    /// endpoints (`--allow-origin`); see [`cross_origin::ingest`].
    pub allowed_origins: Vec<String>,
    /// What a client can make the mock keep, and the work one request may ask for.
    pub bounds: crate::bounds::Bounds,
}

impl Options {
    /// `https` with TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls { "https" } else { "http" }
    }
}

/// How the server started, so `/_mock/reset` can return there.
#[derive(Debug, Clone, Copy, Default)]
pub struct Startup {
    /// Clock start, if fixed.
    pub clock_start: Option<crate::clock::UnixSeconds>,
    /// Whether the clock started frozen.
    pub frozen: bool,
    /// Seed of the generator, if fixed.
    pub seed: Option<u64>,
}

/// Everything a handler needs.
#[derive(Debug)]
pub struct Ctx {
    /// The store.
    pub store: Store,
    /// Signing keys.
    pub keys: Keys,
    /// The clock.
    pub clock: Arc<Clock>,
    /// Options.
    pub options: Options,
    /// The fixtures the server started from.
    pub fixtures: Fixtures,
    /// The request journal.
    pub journal: crate::journal::Journal,
    /// Notices for live readers (the dashboard's event stream).
    pub changes: crate::changes::Changes,
    /// The audit's facts about the app under test.
    pub audit: crate::audit::Audit,
    /// Queued faults.
    pub faults: crate::faults::Faults,
    /// Start-up settings.
    pub startup: Startup,
    /// When the server started (monotonic).
    pub started: std::time::Instant,
    /// The API rate limit, when on.
    pub rate_limiter: Option<crate::rate_limit::RateLimiter>,
    /// The rules' switches, derived once from `options.breakages`.
    pub policy: crate::breakage::Policy,
    /// Access tokens this server has verified (`token::VerifiedCache`).
    pub verified: crate::token::VerifiedCache,
    /// RSA signings allowed at once: one per core. More would only time-share the cores with
    /// the async workers that read requests and write answers, and stretch every latency.
    pub signers: tokio::sync::Semaphore,
}

impl Ctx {
    /// Back to the fixtures: state, clock, journal, audit and faults.
    pub fn reset(&self) {
        match self.startup.clock_start {
            Some(start) => {
                self.clock.freeze(false);
                self.clock.set(start);
            }
            None => {
                self.clock.freeze(false);
                self.clock.set(crate::clock::Clock::system().now());
            }
        }
        self.clock.freeze(self.startup.frozen);
        self.verified.clear();
        let now = self.clock.now();
        let mut fresh = crate::state::MockState::new(&self.fixtures, self.startup.seed, now);
        fresh.auto_approve = self.options.auto_approve.clone();
        self.store.replace(fresh);
        self.journal.clear();
        self.audit.clear();
        self.faults.clear();
        if let Some(limiter) = &self.rate_limiter {
            limiter.clear();
        }
    }
}

/// Shared handler state.
pub type SharedCtx = Arc<Ctx>;

/// The largest request body accepted; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

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

/// Builds the router.
pub fn router(ctx: SharedCtx) -> Router {
    let oauth = Router::new()
        .route(paths::TOKEN, post(token::handle))
        .route(paths::TOKEN_INFO, post(token_info::handle))
        .route(paths::REVOKE, post(revoke::handle))
        .layer(middleware::from_fn_with_state(ctx.clone(), token_breakages))
        .layer(cors());
    let mut router = Router::new()
        .route(paths::AUTHORIZE, get(authorize::show).post(authorize::decide))
        .merge(oauth)
        .nest(paths::API, api::router(ctx.clone()))
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
        .layer(middleware::from_fn_with_state(ctx.clone(), durable::answer))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(refusals::shape))
        .layer(middleware::from_fn_with_state(ctx.clone(), rate_limit::limit))
        .layer(middleware::from_fn_with_state(
            ctx.clone(),
            control::faults::inject,
        ))
        .layer(middleware::from_fn_with_state(
            ctx.clone(),
            control::journal::record,
        ))
        .layer(middleware::from_fn_with_state(ctx.clone(), allowed_hosts::check))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(trace::span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(ctx)
}

async fn not_found() -> Response {
    rest_error(StatusCode::NOT_FOUND, "No such endpoint", "NOT_FOUND")
}

/// ilert's REST error shape: `{"status": …, "message": …, "code": …}` (behaviour.md §8).
pub fn rest_error(status: StatusCode, message: &str, code: &str) -> Response {
    (
        status,
        axum::Json(json!({"status": status.as_u16(), "message": message, "code": code})),
    )
        .into_response()
}

/// Applies the token-endpoint breakages ([`crate::Breakage`]), if any, to a finished response.
pub async fn token_breakages(
    axum::extract::State(ctx): axum::extract::State<SharedCtx>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    use crate::breakage::Breakage;
    let b = &ctx.options.breakages;
    if b.is_empty() {
        return next.run(request).await;
    }
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
