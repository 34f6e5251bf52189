//! `GET /_mock/store` and `GET /_mock/store/{tenant}/{collection}`: read-only views of the REST
//! store (alerts, incidents, services, alert sources, … of every tenant), rendered exactly as the
//! API's list operation renders them.
//!
//! Why a control route and not the API itself: the API wants an access token of a user of the
//! tenant, and the dashboard holds none (it would have to sign in through the very flow it is
//! watching, and its calls would fill the journal and the audit of the app under test). Writes
//! stay with the API: the dashboard's test event goes to the real Events API (`POST
//! /api/events`), which needs only the alert source's integration key shown here.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::control_error;
use crate::http::ctx::SharedCtx;
use crate::http::host;
use crate::resources::group::{View, World};
use crate::resources::registry;

/// The header naming how many entities the collection holds in all.
const TOTAL_COUNT: &str = "x-total-count";

/// `GET /_mock/store`: each tenant with the number of entities per non-empty collection.
pub async fn summary(State(ctx): State<SharedCtx>) -> Response {
    let tenants: Vec<Value> = ctx.store.with(|s| {
        s.tenants
            .iter()
            .map(|tenant| {
                let counts: Map<String, Value> = registry::collections()
                    .filter_map(|c| {
                        let n = s.resources().len(&tenant.id, c.name);
                        (n > 0).then(|| (c.name.to_owned(), json!(n)))
                    })
                    .collect();
                json!({"tenant": tenant.id, "name": tenant.name, "collections": counts})
            })
            .collect()
    });
    Json(json!({ "tenants": tenants })).into_response()
}

/// How many entities `GET /_mock/store/{tenant}/{collection}` answers without `limit`: a page
/// that renders in a moment even when the store holds 100,000 alerts (the view holds the state
/// while it renders).
pub const DEFAULT_LIMIT: usize = 1_000;

/// Which entities of a collection to show: `offset` skipped, at most `limit`, by id ascending
/// or (`order=desc`) newest first.
struct Window {
    offset: usize,
    limit: usize,
    newest_first: bool,
}

impl Window {
    fn of(query: &HashMap<String, String>) -> Result<Self, Response> {
        let number = |name: &str, default: usize| match query.get(name).map(|v| v.parse::<usize>()) {
            None => Ok(default),
            Some(Ok(n)) => Ok(n),
            Some(Err(_)) => Err(control_error(
                StatusCode::BAD_REQUEST,
                &format!("{name}: must be a non-negative integer"),
            )),
        };
        let newest_first = match query.get("order").map(String::as_str) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(control_error(
                    StatusCode::BAD_REQUEST,
                    &format!("order: '{other}' is not one of asc, desc"),
                ));
            }
        };
        Ok(Self {
            offset: number("offset", 0)?,
            limit: number("limit", DEFAULT_LIMIT)?,
            newest_first,
        })
    }
}

/// `GET /_mock/store/{tenant}/{collection}?offset=…&limit=…&order=asc|desc`: the tenant's
/// entities of the collection (its store name, as in the fixtures: `alerts`, `alert-sources`,
/// `incidents`, `services`, …), by id (`order=desc`: newest first), at most `limit` (default
/// [`DEFAULT_LIMIT`]) after skipping `offset`; `x-total-count` says how many there are.
pub async fn collection(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    Path((tenant, name)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let window = match Window::of(&query) {
        Ok(window) => window,
        Err(refused) => return refused,
    };
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
        let store = s.resources();
        let entries = store.entries(&tenant, collection.name);
        let entries: Box<dyn Iterator<Item = _>> = if window.newest_first {
            Box::new(entries.rev())
        } else {
            Box::new(entries)
        };
        let items: Vec<Value> = entries
            .skip(window.offset)
            .take(window.limit)
            .map(|(_, entry)| collection.model.render(&view, &entry.body(), true))
            .collect();
        Some((items, store.len(&tenant, collection.name)))
    });
    match rendered {
        Some((items, total)) => ([(TOTAL_COUNT, total.to_string())], Json(items)).into_response(),
        None => control_error(
            StatusCode::NOT_FOUND,
            &format!("tenant: no tenant '{tenant}' (see GET /_mock/tenants)"),
        ),
    }
}
