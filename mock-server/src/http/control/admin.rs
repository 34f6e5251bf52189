//! Admin: `GET /_mock/grants`, `POST /_mock/grants/revoke`, `DELETE /_mock/grants/{id}`,
//! `GET/POST /_mock/apps`, `DELETE /_mock/apps/{client_id}`, `GET/POST /_mock/users`,
//! `DELETE /_mock/users/{username}`, `GET/POST /_mock/tenants`, `POST /_mock/reset`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{ControlJson, control_error, delete_numbered};
use crate::admin::{AdminError, GrantFilter};
use crate::http::ctx::SharedCtx;
use crate::model::{App, Tenant, User};

fn admin_error(e: &AdminError) -> Response {
    let status = match e {
        AdminError::Invalid(_) => StatusCode::BAD_REQUEST,
        AdminError::Conflict(_) => StatusCode::CONFLICT,
        AdminError::NotFound(_) => StatusCode::NOT_FOUND,
        AdminError::Bound(_) => StatusCode::INSUFFICIENT_STORAGE,
    };
    control_error(status, &e.to_string())
}

/// A `POST` that adds a fixture item: 201 with the item as added, or the store's refusal.
fn created<T: serde::Serialize>(item: T, added: Result<(), AdminError>) -> Response {
    match added {
        Ok(()) => (StatusCode::CREATED, Json(item)).into_response(),
        Err(e) => admin_error(&e),
    }
}

/// A `DELETE` of an app or a user: what went and how many refresh grants went with it.
fn removed(name: &str, revoked: Result<usize, AdminError>) -> Response {
    match revoked {
        Ok(revoked) => Json(json!({"removed": name, "revoked_grants": revoked})).into_response(),
        Err(e) => admin_error(&e),
    }
}

/// `GET /_mock/grants?app=<client id or id>&user=<username>`.
pub async fn grants(State(ctx): State<SharedCtx>, Query(q): Query<HashMap<String, String>>) -> Response {
    let filter = GrantFilter {
        app: q.get("app").cloned(),
        user: q.get("user").cloned(),
    };
    let list = ctx.store.with(|s| s.grant_infos(&filter));
    Json(list).into_response()
}

/// Body of `POST /_mock/grants/revoke`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeAppUser {
    /// Client id (or numeric app id).
    pub app: String,
    /// Username.
    pub user: String,
}

/// `POST /_mock/grants/revoke`: the user revokes the app in ilert's UI.
pub async fn revoke_app_user(
    State(ctx): State<SharedCtx>,
    ControlJson(req): ControlJson<RevokeAppUser>,
) -> Response {
    let now = ctx.clock.now();
    match ctx
        .store
        .with(|s| s.revoke_app_for_user(&req.app, &req.user, now))
    {
        Ok(n) => Json(json!({"revoked": n})).into_response(),
        Err(e) => admin_error(&e),
    }
}

/// `DELETE /_mock/grants/{id}`.
pub async fn revoke_one(State(ctx): State<SharedCtx>, Path(id): Path<String>) -> Response {
    let now = ctx.clock.now();
    delete_numbered(
        &id,
        "a grant id from GET /_mock/grants",
        |id| ctx.store.with(|s| s.revoke_grant_id(id, now)),
        |id| format!("no live grant {id}"),
    )
}

/// `GET /_mock/apps` (secrets included: these are development credentials).
pub async fn apps(State(ctx): State<SharedCtx>) -> Response {
    Json(ctx.store.with(|s| s.apps.clone())).into_response()
}

/// `POST /_mock/apps`: the fixture fields of one app.
pub async fn add_app(State(ctx): State<SharedCtx>, ControlJson(app): ControlJson<App>) -> Response {
    let added = ctx.store.with(|s| s.add_app(app.clone(), &ctx.options.bounds));
    created(app, added)
}

/// `GET /_mock/users`.
pub async fn users(State(ctx): State<SharedCtx>) -> Response {
    Json(ctx.store.with(|s| s.users.clone())).into_response()
}

/// `POST /_mock/users`: the fixture fields of one user.
pub async fn add_user(State(ctx): State<SharedCtx>, ControlJson(user): ControlJson<User>) -> Response {
    let added = ctx.store.with(|s| s.add_user(user.clone(), &ctx.options.bounds));
    created(user, added)
}

/// `DELETE /_mock/apps/{client_id}`: the app goes, its refresh grants are revoked.
pub async fn remove_app(State(ctx): State<SharedCtx>, Path(client_id): Path<String>) -> Response {
    let now = ctx.clock.now();
    let revoked = ctx.store.with(|s| s.remove_app(&client_id, now));
    removed(&client_id, revoked)
}

/// `DELETE /_mock/users/{username}`: the user goes, their refresh grants are revoked.
pub async fn remove_user(State(ctx): State<SharedCtx>, Path(username): Path<String>) -> Response {
    let now = ctx.clock.now();
    let protected = ctx.options.auto_approve.as_deref();
    let revoked = ctx.store.with(|s| s.remove_user(&username, protected, now));
    removed(&username, revoked)
}

/// `GET /_mock/tenants`.
pub async fn tenants(State(ctx): State<SharedCtx>) -> Response {
    Json(ctx.store.with(|s| s.tenants.clone())).into_response()
}

/// `POST /_mock/tenants`: the fixture fields of one tenant (`id`, `short_id`, `name`).
pub async fn add_tenant(State(ctx): State<SharedCtx>, ControlJson(tenant): ControlJson<Tenant>) -> Response {
    let added = ctx
        .store
        .with(|s| s.add_tenant(tenant.clone(), &ctx.options.bounds));
    created(tenant, added)
}

/// `POST /_mock/reset`: back to the fixtures (state, clock, journal, audit, faults).
pub async fn reset(State(ctx): State<SharedCtx>) -> Response {
    ctx.reset();
    Json(json!({"status": "reset"})).into_response()
}
