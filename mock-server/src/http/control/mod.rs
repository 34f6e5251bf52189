//! The mock's own control surface under `/_mock` (SPEC §11): health, clock, request journal,
//! faults and admin, JSON in and out. Off ilert's paths, so it never changes an ilert shape.
//!
//! `--no-control` unmounts it; `--control-token T` demands `Authorization: Bearer T` on every
//! control route but `/_mock/health` (a readiness probe carries no credentials).

pub mod admin;
pub mod clock;
pub mod faults;
pub mod health;
pub mod journal;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::json;
use subtle::ConstantTimeEq;

use super::{ControlAccess, SharedCtx};

/// The path prefix of the control surface.
pub const PREFIX: &str = "/_mock";

/// A control-surface error: `{"error": "<what is wrong>"}`.
pub fn control_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}

/// Builds the `/_mock` router (nested, so paths here omit `/_mock`).
pub fn router(ctx: SharedCtx) -> Router<SharedCtx> {
    let guarded = Router::new()
        .route("/clock", get(clock::read).post(clock::change))
        .route("/requests", get(journal::list).delete(journal::clear))
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
        .layer(middleware::from_fn_with_state(ctx, require_token));
    Router::new()
        .route("/health", get(health::health))
        .merge(guarded)
        .fallback(unknown)
}

async fn unknown() -> Response {
    control_error(StatusCode::NOT_FOUND, "no such control endpoint")
}

async fn require_token(State(ctx): State<SharedCtx>, request: Request, next: Next) -> Response {
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
    next.run(request).await
}

/// Parses a JSON control body, answering 400 with serde's words prefixed by the field they are
/// about (`times: invalid type: string "two", expected u32`).
pub fn parse<T: serde::de::DeserializeOwned>(
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
