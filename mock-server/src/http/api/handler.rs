//! One handler for every operation of the catalogue: it checks the query and body against the
//! document, runs the operation's route ([`registry::dispatch`]) on the locked store and renders
//! the reply; an operation no group serves yet answers 404 after the scope check.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, RawPathParamsRejection};
use axum::extract::{FromRequest, RawPathParams, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use axum::{Json, Router};

use super::{Authenticated, Caller};
use crate::http::ctx::SharedCtx;
use crate::http::host;
use crate::http::rest_error::rest_error;
use crate::resources::catalogue::{self, Operation, catalogue};
use crate::resources::group::{Body, Cx, Reply, Run};
use crate::resources::registry::{self, Route};
use crate::resources::{ResourceError, request};

/// A resource error as an HTTP answer in ilert's REST shape.
#[derive(Debug)]
pub struct ApiError(pub ResourceError);

impl From<ResourceError> for ApiError {
    fn from(err: ResourceError) -> Self {
        Self(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::BAD_REQUEST);
        rest_error(status, &self.0.to_string(), self.0.code())
    }
}

/// A reply as an HTTP answer; `Location` is made absolute with the request's base URL.
pub fn reply(reply: Reply, base: &str) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut response = match reply.body {
        Some(Body::Value(body)) => (status, Json(body)).into_response(),
        Some(Body::Text(text)) => (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            text,
        )
            .into_response(),
        None => status.into_response(),
    };
    if let Some(location) = reply.location
        && let Ok(value) = HeaderValue::from_str(&format!("{base}{location}"))
    {
        response.headers_mut().insert(header::LOCATION, value);
    }
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The axum form of a document path: parameters named by position (`{p0}`, `{p1}`), since the
/// document reuses names (`/teams/{id}/members/{id}`) and routes must agree on them.
pub fn axum_path(template: &str) -> String {
    let mut n = 0;
    template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') && seg.ends_with('}') {
                n += 1;
                format!("{{p{}}}", n - 1)
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn method_filter(method: &str) -> MethodFilter {
    match method {
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "DELETE" => MethodFilter::DELETE,
        "PATCH" => MethodFilter::PATCH,
        _ => MethodFilter::GET,
    }
}

/// Routes for the catalogue's served bearer-authenticated operations, and the name lookups
/// ilert's clients call beyond the document (`GET /services/name/{name}`,
/// [`registry::name_lookups`]). The operations without a bearer token (the Events API, the
/// other integration-key and the public ones) have their own modules.
pub fn routes() -> Router<SharedCtx> {
    let mut paths: BTreeMap<String, MethodRouter<SharedCtx>> = BTreeMap::new();
    let mut add = |op: &'static Operation, route: Route| {
        let at = crate::paths::under_api(&axum_path(&op.path));
        // The scope the usage counts file the operation under, worked out once per route.
        let scope = scope_of(op);
        let method_router = paths.remove(&at).unwrap_or_default();
        let method_router = method_router.on(
            method_filter(&op.method),
            move |State(ctx): State<SharedCtx>,
                  authenticated: Authenticated,
                  params: Result<RawPathParams, RawPathParamsRejection>,
                  mut request: Request| async move {
                // The headers and the URI are taken out, not copied; the body is read after.
                let headers = std::mem::take(request.headers_mut());
                let uri = std::mem::take(request.uri_mut());
                let body = Bytes::from_request(request, &ctx).await;
                let response = match body {
                    Ok(body) => {
                        let caller = authenticated.caller();
                        let served = Served { op, route, scope };
                        serve(&ctx, caller, served, &headers, uri.query(), params, &body)
                            .unwrap_or_else(IntoResponse::into_response)
                    }
                    Err(rejection) => unreadable(&rejection),
                };
                authenticated.answer(response)
            },
        );
        paths.insert(at, method_router);
    };
    for op in &catalogue().operations {
        if registry::without_bearer(&op.path) {
            continue;
        }
        // An operation no group serves yet falls through to the router's fallback (404 after
        // the scope check).
        if let Some(route) = registry::route(op) {
            add(op, route);
        }
    }
    for lookup in registry::name_lookups() {
        add(&lookup.op, Route::ByName(lookup));
    }
    for (op, route) in registry::extras() {
        add(op, *route);
    }
    paths.into_iter().fold(Router::new(), |router, (path, methods)| {
        router.route(&path, methods)
    })
}

/// A documented operation no resource group serves yet (404 after the scope check).
pub async fn not_emulated(authenticated: Authenticated, uri: Uri) -> Response {
    authenticated.answer(rest_error(
        StatusCode::NOT_FOUND,
        &format!("The mock does not emulate {}; the scope check passed", uri.path()),
        "NOT_FOUND",
    ))
}

/// Whether the request's `Content-Type` is JSON (`application/json` or a `+json` type, any
/// parameters), or absent.
pub fn content_is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| {
            let media = v
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        })
}

/// A body that could not be read, in ilert's REST shape (axum's own rejection is plain text,
/// which ilert's clients cannot parse): 413 when it is larger than the mock takes, else 400.
pub fn unreadable(rejection: &BytesRejection) -> Response {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let message = format!(
            "the request body is larger than {} bytes",
            crate::http::MAX_BODY_BYTES
        );
        rest_error(status, &message, "PAYLOAD_TOO_LARGE")
    } else {
        rest_error(status, "the request body could not be read", "BAD_REQUEST")
    }
}

/// The 400 for a body that is not declared JSON.
pub fn not_json() -> ResourceError {
    ResourceError::BadRequest("Content-Type must be application/json".to_owned())
}

/// The scope an operation needs, for the usage counts.
fn scope_of(op: &Operation) -> &'static str {
    crate::protocol::scope::requirement(&op.method, &crate::paths::under_api(&op.path))
        .map_or("", |r| r.scope.name)
}

/// What a route serves: the operation, how, and the scope its usage is counted under.
#[derive(Clone, Copy)]
struct Served {
    op: &'static Operation,
    route: Route,
    scope: &'static str,
}

fn serve(
    ctx: &SharedCtx,
    caller: &Caller,
    Served { op, route, scope }: Served,
    headers: &HeaderMap,
    query: Option<&str>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let base = host::base_url(headers, &ctx.options);
    // Hot path (`GET /users/current`): answered from the authenticated caller, no store lock.
    if let Route::Action(action) = route
        && let Run::Caller(run) = action.run
    {
        return Ok(reply(broken(ctx, op, run(caller.user())), &base));
    }
    let letter = ctx.policy.document_to_the_letter;
    // Operations beyond the document (lookups by name, aliases, searches) are not served.
    if letter && catalogue().operation(&op.method, &op.path).is_none() {
        return Err(ResourceError::NotFound("No resource at this path".to_owned()).into());
    }
    let params = params.map_err(|_| ResourceError::NotFound("No resource at this path".to_owned()))?;
    let path: Vec<(String, String)> = op
        .path_params()
        .into_iter()
        .zip(params.iter())
        .map(|(name, (_, value))| (name.to_owned(), value.to_owned()))
        .collect();
    let query: Vec<(String, String)> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    // ilert-go's parameter names, and `include=a,b` as well as repeated `include=` (the
    // document's form).
    let (query, c) = if letter {
        (query, catalogue::as_documented())
    } else {
        let query = crate::resources::reconcile::rename_params(&op.method, &op.path, query);
        (crate::resources::reconcile::split_lists(query), catalogue())
    };
    request::check_query(c, op, &query)?;
    if !body.is_empty() && op.body.is_some() && !content_is_json(headers) {
        return Err(not_json().into());
    }
    let raw_len = body.len();
    let body = request::check_body(c, op, body)?;
    let documented: Vec<(String, String)> = op
        .parameters
        .iter()
        .filter(|p| p.location == "header")
        .filter_map(|p| {
            let value = headers.get(p.name.as_str())?.to_str().ok()?;
            Some((p.name.to_ascii_lowercase(), value.to_owned()))
        })
        .collect();
    let now = ctx.clock.now();
    // Only what can store something counts; a DELETE must pass, or a full store could not be emptied.
    let writes = matches!(op.method.as_str(), "POST" | "PUT" | "PATCH");
    let body_bytes = raw_len;
    let bound = ctx.options.bounds.store_bytes;
    let result = ctx.store.with(|state| {
        if writes {
            state.admit_write(body_bytes, bound)?;
        }
        state
            .resources
            .usage_mut()
            .count(caller.tenant(), caller.user().id, scope, now);
        let mut cx = Cx {
            state,
            tenant: caller.tenant(),
            caller: caller.user(),
            now,
            base: &base,
            op,
            path,
            query,
            headers: documented,
            body,
            bounds: ctx.options.bounds,
        };
        registry::dispatch(&mut cx, route)
    })?;
    Ok(reply(broken(ctx, op, result), &base))
}

/// The reply as a breakage changes it (a healthy mock: unchanged).
fn broken(ctx: &SharedCtx, op: &Operation, mut reply: Reply) -> Reply {
    if ctx.policy.drop_required_field
        && let Some(body) = reply.value_mut()
    {
        super::drop_required::apply(op, body);
    }
    if ctx.policy.document_to_the_letter {
        super::to_the_letter::apply(op, &mut reply);
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axum_paths_name_parameters_by_position() {
        assert_eq!(axum_path("/teams/{id}/members/{id}"), "/teams/{p0}/members/{p1}");
        assert_eq!(axum_path("/users/current"), "/users/current");
    }
}
