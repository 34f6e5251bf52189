//! The resource API under `/api` (behaviour.md §5, §6): bearer authentication and scope checks
//! ([`Authenticated`]), then every operation of ilert's OpenAPI document through one generic
//! handler ([`handler`]).
//!
//! Order of checks, each answered in ilert's REST error shape:
//! 1. `Authorization: Bearer <access token>`, verified (RS256, `exp`, `il_t`; a token this server
//!    verified before is taken from its cache, `http::access`, with `exp` checked again): else 401
//!    with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1).
//! 2. The path must be covered by a scope: else 404.
//! 3. The token's scopes must grant the method's access (`:r`/`:w`/`:d`): else 403 with
//!    `error="insufficient_scope"`.
//! 4. The query and body must fit the operation's documented schema: else 400 naming the field.
//! 5. The operation runs on the store ([`crate::resources`]). Every operation of the document is
//!    served; a path outside it answers 404 after the scope check.
//!
//! The Events API and the other ingestion operations ([`open`]: series, deployment events,
//! heartbeat pings) authenticate with an integration key instead, and the document's public
//! operations (numbers, integrations) need no token at all.

mod drop_required;
pub mod handler;
pub mod open;
mod to_the_letter;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use axum::routing::any;

use super::access::{self, Proof};
use super::cors::cors;
use super::ctx::SharedCtx;
use super::rest_error::rest_error;
use crate::audit::facts::{ApiOutcome, ApiUse, Event, Who};
use crate::model::User;
use crate::paths;
use crate::protocol::scope;
use crate::token::{AccessClaims, TokenError, Verified};
use std::sync::Arc;

/// The authenticated caller of a resource request: the token's verification, which names the
/// user and tenant it acts for ([`Verified::principal`]), shared with the cache.
#[derive(Debug, Clone)]
pub struct Caller(pub Arc<Verified>);

impl Caller {
    /// The user the token acts for.
    pub fn user(&self) -> &User {
        &self.0.principal.user
    }

    /// The user's tenant id.
    pub fn tenant(&self) -> &str {
        &self.0.principal.tenant
    }
}

/// A bearer-authenticated request's checks, passed: its [`Caller`], and how the check went for
/// the audit ([`ApiUse`], which [`Authenticated::answer`] hands the journal on the answer).
///
/// An extractor rather than a middleware layer: every handler of a bearer-authenticated route
/// (and its fallbacks) takes it first, so it runs before the path or the body is read, as a
/// layer would, without a boxed future and a clone of the route's service per request. Its
/// refusal is the answer, in ilert's REST shape, with the audit's facts on it.
#[derive(Debug)]
pub struct Authenticated {
    caller: Caller,
    api_use: ApiUse,
}

impl Authenticated {
    /// The caller.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// `response` as the answer to this request: with the audit's facts of its bearer check.
    pub fn answer(self, mut response: Response) -> Response {
        response.extensions_mut().insert(Event::Api(self.api_use));
        response
    }
}

impl FromRequestParts<SharedCtx> for Authenticated {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, ctx: &SharedCtx) -> Result<Self, Response> {
        let mut api_use = ApiUse::refused(ApiOutcome::Invalid);
        match check(ctx, parts.uri.path(), &parts.method, &parts.headers, &mut api_use) {
            Ok(verified) => Ok(Self {
                caller: Caller(verified),
                api_use,
            }),
            Err(mut refused) => {
                refused.extensions_mut().insert(Event::Api(api_use));
                Err(refused)
            }
        }
    }
}

/// Builds the `/api` routes: every operation of the catalogue, the bearer-authenticated ones
/// taking [`Authenticated`], the integration-key and public ones without it.
///
/// The routes carry their whole paths (`/api/…`) and join the server's router beside the OAuth
/// endpoints rather than nested under it: a nested router strips the prefix from each request's
/// URI and routes it a second time. `/api` and every path below it that no route takes answer
/// as the bearer-authenticated ones do (401 without a token, else 404 after the scope check);
/// `/api/` itself is the server's plain 404.
pub fn router(ctx: &SharedCtx) -> Router<SharedCtx> {
    let authenticated = handler::routes()
        .route(paths::API, any(handler::not_emulated))
        .route(&format!("{}/{{*rest}}", paths::API), any(handler::not_emulated))
        .method_not_allowed_fallback(method_not_allowed);
    open::routes(ctx).merge(authenticated.merge(open::public()).layer(cors()))
}

fn unauthorized(message: &str) -> Response {
    let mut response = rest_error(StatusCode::UNAUTHORIZED, message, "UNAUTHORIZED");
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"ilert\", error=\"invalid_token\""),
    );
    response
}

fn bearer(headers: &HeaderMap) -> Result<&str, Response> {
    let value = headers
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
    // behaviour.md §5: the `Bearer ` prefix is required (the scheme name is case-insensitive, RFC 7235 §2.1).
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
            Ok(token.trim())
        }
        _ => Err(unauthorized("Authorization must be 'Bearer <access_token>'")),
    }
}

/// The checks of [`Authenticated`], in order: the bearer token, its user, the path's scope and
/// the method's access; the token's verification when all pass.
fn check(
    ctx: &SharedCtx,
    path: &str,
    method: &Method,
    headers: &HeaderMap,
    api_use: &mut ApiUse,
) -> Result<Arc<Verified>, Response> {
    let token = bearer(headers)?;
    let now = ctx.clock.now();
    let proof = match access::prove(ctx, token, now) {
        Ok(proof) => proof,
        Err(TokenError::WrongType) if ctx.policy.refresh_token_as_bearer => {
            match refresh_as_bearer(ctx, token, now) {
                Some(claims) => Proof::Fresh { claims, cache: false },
                None => return Err(unauthorized("The access token is invalid")),
            }
        }
        Err(err) => return Err(refused(err, token, api_use)),
    };
    // One state lock: the directory generation the proof is checked against, and the token's
    // user unless a cached proof of this generation already names them.
    let verified = match access::verified(ctx, token, now, proof) {
        Ok(Some(verified)) => verified,
        Ok(None) => {
            api_use.outcome = ApiOutcome::UserGone;
            return Err(unauthorized("The user of this access token no longer exists"));
        }
        Err(err) => return Err(refused(err, token, api_use)),
    };
    let Some(requirement) = scope::requirement(method.as_str(), path) else {
        api_use.outcome = ApiOutcome::NoSuchPath;
        return Err(rest_error(
            StatusCode::NOT_FOUND,
            &format!("No resource at {path}"),
            "NOT_FOUND",
        ));
    };
    let allowed = verified.scopes.grants(requirement.scope.name, requirement.access);
    // The audit and the handler share the cached verification: no copy per request.
    *api_use = ApiUse::verified(
        if allowed {
            ApiOutcome::Allowed
        } else {
            ApiOutcome::MissingScope
        },
        Arc::clone(&verified),
        requirement,
    );
    if !allowed {
        let message = format!(
            "The access token lacks the scope {}{} needed for {} {path}",
            requirement.scope.name,
            match requirement.access {
                scope::Access::Read => "",
                scope::Access::Write => ":w",
                scope::Access::Delete => ":d",
            },
            method,
        );
        let mut response = rest_error(StatusCode::FORBIDDEN, &message, "FORBIDDEN");
        if let Ok(value) = HeaderValue::from_str(&format!(
            "Bearer realm=\"ilert\", error=\"insufficient_scope\", scope=\"{}\"",
            requirement.scope.name
        )) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        return Err(response);
    }
    Ok(verified)
}

/// The 401 for a token that did not verify; for an expired one, the audit learns whose it was.
fn refused(err: TokenError, token: &str, api_use: &mut ApiUse) -> Response {
    match err {
        TokenError::Expired => {
            *api_use = ApiUse::expired(Who::of_token(token));
            unauthorized("The access token has expired")
        }
        TokenError::WrongType => {
            unauthorized("This is not an access token (refresh tokens cannot call the API)")
        }
        _ => unauthorized("The access token is invalid"),
    }
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

/// A bearer-authenticated path's other methods: 405 once the bearer checks pass.
async fn method_not_allowed(authenticated: Authenticated) -> Response {
    authenticated.answer(not_allowed())
}

/// The 405 in ilert's REST shape.
fn not_allowed() -> Response {
    rest_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed on this resource",
        "METHOD_NOT_ALLOWED",
    )
}
