//! `/api/escalation-policies` (scope `policy`): list, get, create (201 + `Location`), update
//! (200), delete (204; 409 while an alert source uses the policy).

use std::collections::HashMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::Value;

use super::{Caller, created, json_body, numeric_id, paging, resource_error};
use crate::http::{SharedCtx, host};
use crate::model::EscalationPolicy;
use crate::resources::{EscalationPolicyInput, Resources};
use crate::state::MockState;

fn render(state: &MockState, policy: &EscalationPolicy) -> Value {
    Resources::render_policy(policy, |id| state.user(id))
}

fn user_in(state: &MockState, tenant: &str) -> impl Fn(i64) -> bool + use<> {
    let ids: Vec<i64> = state
        .users
        .iter()
        .filter(|u| u.tenant == tenant)
        .map(|u| u.id)
        .collect();
    move |id| ids.contains(&id)
}

/// `GET /api/escalation-policies`.
pub async fn list(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (start, max) = match paging(&query) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let items: Vec<Value> = ctx.store.with(|s| {
        s.resources
            .policies(&caller.tenant, start, max)
            .into_iter()
            .map(|p| render(s, p))
            .collect()
    });
    Json(items).into_response()
}

/// `GET /api/escalation-policies/{id}`.
pub async fn get_one(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let id = match numeric_id(&id, "escalation policy") {
        Ok(id) => id,
        Err(r) => return r,
    };
    ctx.store.with(|s| match s.resources.policy(&caller.tenant, id) {
        Ok(p) => Json(render(s, p)).into_response(),
        Err(e) => resource_error(&e),
    })
}

/// `POST /api/escalation-policies`.
pub async fn create(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Response {
    let input: EscalationPolicyInput = match json_body(body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let base = host::base_url(&headers, &ctx.options);
    ctx.store.with(|s| {
        let exists = user_in(s, &caller.tenant);
        match s.resources.create_policy(&caller.tenant, input, exists).cloned() {
            Ok(p) => created(render(s, &p), &base, "escalation-policies", p.id),
            Err(e) => resource_error(&e),
        }
    })
}

/// `PUT /api/escalation-policies/{id}`.
pub async fn update(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Response {
    let id = match numeric_id(&id, "escalation policy") {
        Ok(id) => id,
        Err(r) => return r,
    };
    let input: EscalationPolicyInput = match json_body(body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    ctx.store.with(|s| {
        let exists = user_in(s, &caller.tenant);
        match s
            .resources
            .update_policy(&caller.tenant, id, input, exists)
            .cloned()
        {
            Ok(p) => Json(render(s, &p)).into_response(),
            Err(e) => resource_error(&e),
        }
    })
}

/// `DELETE /api/escalation-policies/{id}`.
pub async fn delete(
    State(ctx): State<SharedCtx>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let id = match numeric_id(&id, "escalation policy") {
        Ok(id) => id,
        Err(r) => return r,
    };
    match ctx.store.with(|s| s.resources.delete_policy(&caller.tenant, id)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => resource_error(&e),
    }
}
