//! `/api/alert-sources` (scope `source`): list (`start-index`, `max-results`), get by id or
//! integration key, create (201 + `Location`), update (200), delete (204).

use std::collections::HashMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::Value;

use super::{Caller, created, json_body, numeric_id, paging, resource_error};
use crate::http::{SharedCtx, host};
use crate::model::AlertSource;
use crate::resources::{AlertSourceInput, SourceView};
use crate::state::MockState;

fn render(state: &MockState, source: &AlertSource, view: SourceView, base: &str) -> Value {
    state
        .resources
        .render_source(source, view, base, |id| state.user(id))
}

/// `GET /api/alert-sources`.
pub async fn list(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (start, max) = match paging(&query) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let base = host::base_url(&headers, &ctx.options);
    let items: Vec<Value> = ctx.store.with(|s| {
        s.resources
            .sources(&caller.tenant, start, max)
            .into_iter()
            .map(|src| render(s, src, SourceView::List, &base))
            .collect()
    });
    Json(items).into_response()
}

/// `GET /api/alert-sources/{id}`: numeric id or integration key.
pub async fn get_one(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let base = host::base_url(&headers, &ctx.options);
    ctx.store.with(|s| match s.resources.source(&caller.tenant, &id) {
        Ok(src) => Json(render(s, src, SourceView::Full, &base)).into_response(),
        Err(e) => resource_error(&e),
    })
}

/// `POST /api/alert-sources`.
pub async fn create(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Response {
    let input: AlertSourceInput = match json_body(body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let base = host::base_url(&headers, &ctx.options);
    let now = ctx.clock.now();
    ctx.store.with(|s| {
        let key = s.random_hex(16);
        let result = s
            .resources
            .create_source(&caller.tenant, input, key, now)
            .cloned();
        match result {
            Ok(src) => created(
                render(s, &src, SourceView::Full, &base),
                &base,
                "alert-sources",
                src.id,
            ),
            Err(e) => resource_error(&e),
        }
    })
}

/// `PUT /api/alert-sources/{id}`.
pub async fn update(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Response {
    let id = match numeric_id(&id, "alert source") {
        Ok(id) => id,
        Err(r) => return r,
    };
    let input: AlertSourceInput = match json_body(body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let base = host::base_url(&headers, &ctx.options);
    let now = ctx.clock.now();
    ctx.store.with(
        |s| match s.resources.update_source(&caller.tenant, id, input, now).cloned() {
            Ok(src) => Json(render(s, &src, SourceView::Full, &base)).into_response(),
            Err(e) => resource_error(&e),
        },
    )
}

/// `DELETE /api/alert-sources/{id}`.
pub async fn delete(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let id = match numeric_id(&id, "alert source") {
        Ok(id) => id,
        Err(r) => return r,
    };
    match ctx.store.with(|s| s.resources.delete_source(&caller.tenant, id)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => resource_error(&e),
    }
}
