//! `GET /_mock/health`: 200 once the listener and fixtures are ready.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::http::ctx::SharedCtx;

/// Readiness and a few facts about the running mock.
pub async fn health(State(ctx): State<SharedCtx>) -> Json<Value> {
    let (apps, users, tenants) = ctx.store.with(|s| (s.apps.len(), s.users.len(), s.tenants.len()));
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_secs": ctx.started.elapsed().as_secs(),
        "clock": ctx.clock.reading(),
        "tenants": tenants,
        "users": users,
        "apps": apps,
        // Who every authorization is approved as (`--auto-approve`), so a harness knows
        // whether the grant view can show.
        "auto_approve": ctx.options.auto_approve,
    }))
}
