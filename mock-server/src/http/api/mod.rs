//! The resource API under `/api` (SPEC §5, §6): bearer authentication and scope checks for every
//! path in ilert's scope table, and the emulated resources.
//!
//! Order of checks, each answered in ilert's REST error shape:
//! 1. `Authorization: Bearer <access token>`, verified (RS256, `exp`, `il_t`): else 401 with
//!    `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1).
//! 2. The path must be covered by a scope: else 404.
//! 3. The token's scopes must grant the method's access (`:r`/`:w`/`:d`): else 403 with
//!    `error="insufficient_scope"`.
//! 4. Resources the mock does not emulate answer 404 after the scope check.

pub mod alert_sources;
pub mod escalation_policies;
pub mod users;

use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::{SharedCtx, cors, rest_error};
use crate::model::User;
use crate::protocol::scope::{self, ScopeSet};
use crate::token::{AccessClaims, TokenError};

/// The authenticated caller of a resource request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user the token acts for.
    pub user: User,
    /// The tenant id.
    pub tenant: String,
    /// The token's claims.
    pub claims: AccessClaims,
}

/// Builds the `/api` router (nested, so paths here omit `/api`).
pub fn router(ctx: SharedCtx) -> Router<SharedCtx> {
    Router::new()
        .route("/users/current", get(users::current))
        .route(
            "/alert-sources",
            get(alert_sources::list).post(alert_sources::create),
        )
        .route(
            "/alert-sources/{id}",
            get(alert_sources::get_one)
                .put(alert_sources::update)
                .delete(alert_sources::delete),
        )
        .route(
            "/escalation-policies",
            get(escalation_policies::list).post(escalation_policies::create),
        )
        .route(
            "/escalation-policies/{id}",
            get(escalation_policies::get_one)
                .put(escalation_policies::update)
                .delete(escalation_policies::delete),
        )
        .fallback(not_emulated)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(ctx, authenticate))
        .layer(cors())
}

fn unauthorized(message: &str) -> Response {
    let mut response = rest_error(StatusCode::UNAUTHORIZED, message, "UNAUTHORIZED");
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"ilert\", error=\"invalid_token\""),
    );
    response
}

fn bearer(request: &Request) -> Result<&str, Response> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| {
            let mut r = rest_error(
                StatusCode::UNAUTHORIZED,
                "Authorization header is missing",
                "UNAUTHORIZED",
            );
            // RFC 6750 §3.1: no error code when the request carried no authentication.
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ilert\""),
            );
            r
        })?
        .to_str()
        .map_err(|_| unauthorized("Authorization header is not valid text"))?;
    // SPEC §5: the `Bearer ` prefix is required (the scheme name is case-insensitive, RFC 7235 §2.1).
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
            Ok(token.trim())
        }
        _ => Err(unauthorized("Authorization must be 'Bearer <access_token>'")),
    }
}

/// Authenticates and scope-checks every `/api` request.
async fn authenticate(
    State(ctx): State<SharedCtx>,
    OriginalUri(uri): OriginalUri,
    mut request: Request,
    next: Next,
) -> Response {
    let token = match bearer(&request) {
        Ok(token) => token,
        Err(response) => return response,
    };
    let now = ctx.clock.now();
    let claims = match ctx.keys.verify_access(token, now) {
        Ok(claims) => claims,
        Err(TokenError::WrongType) if ctx.policy.refresh_token_as_bearer => {
            match refresh_as_bearer(&ctx, token, now) {
                Some(claims) => claims,
                None => return unauthorized("The access token is invalid"),
            }
        }
        Err(TokenError::Expired) => return unauthorized("The access token has expired"),
        Err(TokenError::WrongType) => {
            return unauthorized("This is not an access token (refresh tokens cannot call the API)");
        }
        Err(_) => return unauthorized("The access token is invalid"),
    };
    let caller = ctx.store.with(|s| {
        let tenant = s.tenant_by_short_id(&claims.il_n)?.id.clone();
        let user = s
            .user_by_name(&claims.il_u)
            .filter(|u| u.tenant == tenant)?
            .clone();
        Some(Caller {
            user,
            tenant,
            claims: claims.clone(),
        })
    });
    let Some(caller) = caller else {
        return unauthorized("The user of this access token no longer exists");
    };
    let path = uri.path();
    let Some(requirement) = scope::requirement(request.method().as_str(), path) else {
        return rest_error(
            StatusCode::NOT_FOUND,
            &format!("No resource at {path}"),
            "NOT_FOUND",
        );
    };
    let granted = ScopeSet::parse(&claims.il_s).unwrap_or_default();
    if !granted.grants(requirement.scope.name, requirement.access) {
        let message = format!(
            "The access token lacks the scope {}{} needed for {} {path}",
            requirement.scope.name,
            match requirement.access {
                scope::Access::Read => "",
                scope::Access::Write => ":w",
                scope::Access::Delete => ":d",
            },
            request.method(),
        );
        let mut response = rest_error(StatusCode::FORBIDDEN, &message, "FORBIDDEN");
        if let Ok(value) = HeaderValue::from_str(&format!(
            "Bearer realm=\"ilert\", error=\"insufficient_scope\", scope=\"{}\"",
            requirement.scope.name
        )) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        return response;
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// [`crate::Breakage::RefreshTokenAsBearer`]: the claims a refresh token's grant would give.
fn refresh_as_bearer(ctx: &SharedCtx, token: &str, now: crate::clock::UnixSeconds) -> Option<AccessClaims> {
    let refresh = ctx.keys.verify_refresh(token, now).ok()?;
    ctx.store.with(|s| {
        let grant = s.grants.get(&refresh.il_k)?;
        let user = s.user(grant.user_id)?;
        let tenant = s.tenant(&grant.tenant)?;
        Some(AccessClaims::new(
            &tenant.short_id,
            grant.app_id,
            &grant.scope,
            &user.username,
            now,
        ))
    })
}

async fn not_emulated(OriginalUri(uri): OriginalUri) -> Response {
    rest_error(
        StatusCode::NOT_FOUND,
        &format!("The mock does not emulate {}; the scope check passed", uri.path()),
        "NOT_FOUND",
    )
}

async fn method_not_allowed() -> Response {
    rest_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed on this resource",
        "METHOD_NOT_ALLOWED",
    )
}

/// A path id that must be numeric; anything else names no entity (404, as ilert answers).
pub fn numeric_id(id: &str, what: &str) -> Result<i64, Response> {
    id.parse().map_err(|_| {
        resource_error(&crate::resources::ResourceError::NotFound(format!(
            "{what} '{id}' not found"
        )))
    })
}

/// `201 Created` with the entity and its `Location` (`{base}/api/{collection}/{id}`).
pub fn created(body: serde_json::Value, base: &str, collection: &str, id: i64) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("{base}/api/{collection}/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Renders a resource error in ilert's REST shape.
pub fn resource_error(err: &crate::resources::ResourceError) -> Response {
    rest_error(
        StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST),
        &err.to_string(),
        err.code(),
    )
}

/// Parses a JSON request body into `T`, answering 400 in the REST shape when it does not fit.
pub fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
) -> Result<T, Response> {
    let Json(value) = body.map_err(|e| rest_error(StatusCode::BAD_REQUEST, &e.body_text(), "BAD_REQUEST"))?;
    serde_json::from_value(value).map_err(|e| {
        rest_error(
            StatusCode::BAD_REQUEST,
            &format!("Invalid body: {e}"),
            "BAD_REQUEST",
        )
    })
}

/// Parses `start-index` and `max-results` (OpenAPI: defaults 0 and 50, at most 50).
pub fn paging(query: &std::collections::HashMap<String, String>) -> Result<(usize, usize), Response> {
    let number = |name: &str, default: usize| -> Result<usize, Response> {
        match query.get(name) {
            None => Ok(default),
            Some(v) => v.parse::<usize>().map_err(|_| {
                rest_error(
                    StatusCode::BAD_REQUEST,
                    &format!("{name} must be a non-negative integer"),
                    "BAD_REQUEST",
                )
            }),
        }
    };
    let max = number("max-results", crate::resources::MAX_RESULTS)?;
    Ok((number("start-index", 0)?, max.min(crate::resources::MAX_RESULTS)))
}
