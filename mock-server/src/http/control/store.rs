//! `GET /_mock/store` and `GET /_mock/store/{tenant}/{collection}`: read-only views of the REST
//! store (alerts, incidents, services, alert sources, … of every tenant), rendered exactly as the
//! API's list operation renders them.
//!
//! Why a control route and not the API itself: the API wants an access token of a user of the
//! tenant, and the dashboard holds none (it would have to sign in through the very flow it is
//! watching, and its calls would fill the journal and the audit of the app under test). Writes
//! stay with the API: the dashboard's test event goes to the real Events API (`POST
//! /api/events`), which needs only the alert source's integration key shown here.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::control_error;
use crate::http::ctx::SharedCtx;
use crate::http::host;
use crate::resources::group::{View, World};
use crate::resources::registry;

/// `GET /_mock/store`: each tenant with the number of entities per non-empty collection.
pub async fn summary(State(ctx): State<SharedCtx>) -> Response {
    let tenants: Vec<Value> = ctx.store.with(|s| {
        s.tenants
            .iter()
            .map(|tenant| {
                let counts: Map<String, Value> = registry::collections()
                    .filter_map(|c| {
                        let n = s.resources().iter(&tenant.id, c.name).count();
                        (n > 0).then(|| (c.name.to_owned(), json!(n)))
                    })
                    .collect();
                json!({"tenant": tenant.id, "name": tenant.name, "collections": counts})
            })
            .collect()
    });
    Json(json!({ "tenants": tenants })).into_response()
}

/// `GET /_mock/store/{tenant}/{collection}`: the tenant's entities of the collection (its store
/// name, as in the fixtures: `alerts`, `alert-sources`, `incidents`, `services`, …), by id.
pub async fn collection(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    Path((tenant, name)): Path<(String, String)>,
) -> Response {
    let Some(collection) = registry::collections().find(|c| c.name == name) else {
        let mut known: Vec<&str> = registry::collections().map(|c| c.name).collect();
        known.sort_unstable();
        return control_error(
            StatusCode::NOT_FOUND,
            &format!("collection: no collection '{name}'; known: {}", known.join(", ")),
        );
    };
    let base = host::base_url(&headers, &ctx.options);
    let now = ctx.clock.now();
    let rendered = ctx.store.with(|s| {
        let tenant = s
            .tenants
            .iter()
            .find(|t| t.id == tenant || t.short_id == tenant)
            .map(|t| t.id.clone())?;
        let view = View {
            state: &*s,
            tenant: &tenant,
            base: &base,
            now,
            memo: None,
        };
        Some(
            s.resources()
                .iter(&tenant, collection.name)
                .map(|(_, stored)| collection.model.render(&view, &stored.body, true))
                .collect::<Vec<Value>>(),
        )
    });
    match rendered {
        Some(items) => Json(items).into_response(),
        None => control_error(
            StatusCode::NOT_FOUND,
            &format!("tenant: no tenant '{tenant}' (see GET /_mock/tenants)"),
        ),
    }
}
