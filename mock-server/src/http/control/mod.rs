//! The mock's own control surface under `/_mock` (behaviour.md §11): health, clock, request journal,
//! audit, faults and admin, JSON in and out. Off ilert's paths, so it never changes an ilert shape.
//!
//! `--no-control` unmounts it; `--control-token T` demands `Authorization: Bearer T` on every
//! control route but `/_mock/health` (a readiness probe carries no credentials). Without a token
//! only loopback callers may use it (behind a trusted proxy: the address the proxy appended), so
//! a mock bound to a shared network does not hand its secrets to every neighbour. Whatever the
//! access, a request that changes state and that a page of another site made a browser send is
//! refused (see [`crate::http::cross_origin`]): a plain form or `text/plain` POST needs no CORS
//! preflight, so without this any web page could reset the mock.

pub mod admin;
pub mod audit;
pub mod clock;
pub mod error;
pub mod faults;
pub mod health;
pub mod journal;
pub mod store;
pub mod tokens;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post};
use subtle::ConstantTimeEq;

use super::ctx::{ControlAccess, SharedCtx};
use super::{cross_origin, peer};
use crate::changes::Change;

/// The path prefix of the control surface.
pub const PREFIX: &str = "/_mock";

pub use error::control_error;

/// Builds the `/_mock` router (nested, so paths here omit `/_mock`).
pub fn router(ctx: SharedCtx) -> Router<SharedCtx> {
    let guarded = Router::new()
        .route("/clock", get(clock::read).post(clock::change))
        .route("/requests", get(journal::list).delete(journal::clear))
        .route("/audit", get(audit::report).delete(audit::clear))
        .route(
            "/faults",
            get(faults::list).post(faults::push).delete(faults::clear),
        )
        .route("/grants", get(admin::grants))
        .route("/grants/revoke", post(admin::revoke_app_user))
        .route("/grants/{id}", delete(admin::revoke_one))
        .route("/apps", get(admin::apps).post(admin::add_app))
        .route("/apps/{client_id}", delete(admin::remove_app))
        .route("/users", get(admin::users).post(admin::add_user))
        .route("/users/{username}", delete(admin::remove_user))
        .route("/tenants", get(admin::tenants).post(admin::add_tenant))
        .route("/reset", post(admin::reset))
        .route("/faults/{id}", delete(faults::remove))
        .route("/tokens/decode", post(tokens::decode))
        .route("/store", get(store::summary))
        .route("/store/{tenant}/{collection}", get(store::collection))
        .route("/events/stream", get(crate::http::dashboard::events::stream))
        .layer(middleware::from_fn_with_state(ctx, guard));
    Router::new()
        .route("/health", get(health::health))
        .merge(crate::http::dashboard::router())
        .merge(guarded)
        .fallback(unknown)
        .method_not_allowed_fallback(not_allowed)
}

/// The one answer of every path under `/_mock/` that names no control endpoint.
pub async fn unknown() -> Response {
    control_error(
        StatusCode::NOT_FOUND,
        "no such control endpoint; the dashboard is at /_mock/ and the endpoints are listed in mock-server/docs/controls.md",
    )
}

async fn not_allowed(request: Request) -> Response {
    control_error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{} is not answered here", request.method()),
    )
}

async fn guard(State(ctx): State<SharedCtx>, request: Request, next: Next) -> Response {
    let reads = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads && let Err(why) = cross_origin::same_site(request.headers(), &ctx.options) {
        return control_error(
            StatusCode::FORBIDDEN,
            &format!("refused: {why}; the control surface takes no state-changing requests from other sites"),
        );
    }
    if ctx.options.control == ControlAccess::Open {
        let peer = peer::client_ip(&request, ctx.options.trust_forwarded);
        if !peer.is_some_and(|ip| ip.is_loopback()) {
            let from = peer.map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string());
            return control_error(
                StatusCode::FORBIDDEN,
                &format!(
                    "the control surface answers only loopback callers without a control token (this request came from {from}); \
                     start the mock with --control-token TOKEN (or ILERT_MOCK_CONTROL_TOKEN) and send Authorization: Bearer TOKEN"
                ),
            );
        }
    }
    if let ControlAccess::Token(expected) = &ctx.options.control {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            return control_error(
                StatusCode::UNAUTHORIZED,
                "the control surface needs Authorization: Bearer <control token>",
            );
        }
    }
    let what = format!(
        "{} {}",
        request.method(),
        request
            .extensions()
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| request.uri().path().to_owned(), |u| u.path().to_owned())
    );
    // Decoding a token is a POST (the token stays out of the URL) but changes nothing.
    let changes = !reads && !what.ends_with("/tokens/decode");
    let response = next.run(request).await;
    if changes && response.status().is_success() {
        ctx.changes.send(Change::Control(what));
    }
    response
}

/// A JSON control body parsed into `T`: the one extractor every `/_mock/*` handler that takes a
/// body uses, so a body that is not JSON, or not a `T`, is refused the same way everywhere: 400 in
/// the control surface's shape with serde's words prefixed by the field they are about
/// (`times: invalid type: string "two", expected u32`).
pub struct ControlJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ControlJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let body = axum::Json::<serde_json::Value>::from_request(request, state).await;
        parse(body).map(ControlJson)
    }
}

/// `DELETE …/{id}` of one numbered item: 400 when `id` is not a number (`listed` says which ids
/// and where they are listed), 204 when `remove` found the item, 404 with `missing`'s words when not.
fn delete_numbered(
    id: &str,
    listed: &str,
    remove: impl FnOnce(u64) -> bool,
    missing: impl FnOnce(u64) -> String,
) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return control_error(StatusCode::BAD_REQUEST, &format!("id: must be {listed}"));
    };
    if remove(id) {
        axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT)
    } else {
        control_error(StatusCode::NOT_FOUND, &missing(id))
    }
}

/// Parses a JSON control body (see [`ControlJson`]).
fn parse<T: serde::de::DeserializeOwned>(
    body: Result<axum::Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
) -> Result<T, Response> {
    let axum::Json(value) = body.map_err(|e| control_error(StatusCode::BAD_REQUEST, &e.body_text()))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = if path == "." {
            e.inner().to_string()
        } else {
            format!("{path}: {}", e.inner())
        };
        control_error(StatusCode::BAD_REQUEST, &message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(response: Response) -> (StatusCode, String) {
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_numbered_delete_refuses_a_non_number_and_names_a_missing_item() {
        let listed = "a fault id from GET /_mock/faults";
        let missing = |id| format!("no queued fault {id}");
        assert_eq!(
            answer(delete_numbered("x", listed, |_| true, missing)).await,
            (
                StatusCode::BAD_REQUEST,
                r#"{"error":"id: must be a fault id from GET /_mock/faults"}"#.to_owned()
            )
        );
        assert_eq!(
            answer(delete_numbered("7", listed, |id| id == 7, missing)).await,
            (StatusCode::NO_CONTENT, String::new())
        );
        assert_eq!(
            answer(delete_numbered("8", listed, |id| id == 7, missing)).await,
            (
                StatusCode::NOT_FOUND,
                r#"{"error":"no queued fault 8"}"#.to_owned()
            )
        );
    }
}
