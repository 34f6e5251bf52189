//! `GET/POST /api/developers/oauth2/authorize` (SPEC §2).
//!
//! GET validates the request and shows the grant view (or, with auto-approve, approves at once).
//! The view posts the same parameters back with the chosen user and the decision; POST validates
//! everything again (hidden fields are client input like any other) and redirects.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{SharedCtx, body, host};
use crate::breakage::Breakage;
use crate::pages::{self, GrantView};
use crate::protocol::authorize::{self, AuthorizeError, PageError};
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::params::Params;

/// `302 Found` to `location` (SPEC §9: redirects use 302).
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = StatusCode::FOUND.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => pages::error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect",
            "The redirect URI cannot be sent as a header.",
        ),
    }
}

fn page_for(error: &PageError) -> Response {
    let hint = match error {
        PageError::RedirectUriMismatch { registered, .. } => format!(
            "The redirect_uri must equal one of the app's registered redirect URIs byte for byte: {}. Register the exact URI in the app's settings or send one of these.",
            registered.join(", ")
        ),
        PageError::UnknownClient(_) => "Check the client_id in your app's settings.".to_owned(),
        _ => "Send client_id and redirect_uri exactly once each.".to_owned(),
    };
    pages::error_page(StatusCode::BAD_REQUEST, &error.to_string(), &hint)
}

/// Resolves the tenant host; an unknown tenant gets a page.
fn tenant(ctx: &SharedCtx, headers: &HeaderMap) -> Result<Option<String>, Response> {
    match host::tenant_label(headers, &ctx.options) {
        None => Ok(None),
        Some(label) => ctx
            .store
            .with(|s| s.tenant(&label).map(|t| t.id.clone()))
            .map(Some)
            .ok_or_else(|| {
                pages::error_page(
                    StatusCode::NOT_FOUND,
                    &format!("No ilert account '{label}'"),
                    "Use a tenant from the fixtures or app.* / localhost.",
                )
            }),
    }
}

enum Decision<'a> {
    Show,
    Approve(&'a str),
    Deny,
}

fn run(ctx: &SharedCtx, headers: &HeaderMap, params: &Params, decision: Decision<'_>) -> Response {
    let tenant = match tenant(ctx, headers) {
        Ok(t) => t,
        Err(page) => return page,
    };
    let now = ctx.clock.now();
    let breaks = &ctx.options.breakages;
    ctx.store.with(|state| {
        let mut apps = state.apps.clone();
        if breaks.has(Breakage::RedirectToUnregisteredUri)
            && let Ok(Some(uri)) = params.get("redirect_uri")
        {
            apps.iter_mut().for_each(|a| a.redirect_uris.push(uri.to_owned()));
        }
        let mut request = match authorize::validate(params, |id| apps.iter().find(|a| a.client_id == id)) {
            Ok(r) => r,
            Err(AuthorizeError::Page(page)) => return page_for(&page),
            Err(AuthorizeError::Redirect(mut r)) => {
                if breaks.has(Breakage::DropState) {
                    r.state = None;
                }
                return found(&r.location());
            }
        };
        if breaks.has(Breakage::DropState) {
            request.state = None;
        }
        let auto = ctx
            .options
            .auto_approve
            .as_deref()
            .or(request.app.auto_approve.as_deref());
        let decision = match (decision, auto) {
            (Decision::Show, Some(user)) => Decision::Approve(user),
            (d, _) => d,
        };
        match decision {
            Decision::Show => {
                let users = state.users_of(tenant.as_deref());
                let tenant_name = tenant
                    .as_deref()
                    .and_then(|t| state.tenant(t))
                    .map(|t| t.display_name().to_owned());
                pages::grant_view(&GrantView {
                    request: &request,
                    params,
                    users: &users,
                    tenant: tenant_name.as_deref(),
                })
            }
            Decision::Deny => found(
                &request
                    .error(OAuthError::new(
                        ErrorCode::AccessDenied,
                        "The user denied the request",
                    ))
                    .location(),
            ),
            Decision::Approve(username) => match state.issue_code(&request, username, tenant.as_deref(), now)
            {
                Ok(code) => found(&request.success_location(&code)),
                Err(err) => found(
                    &request
                        .error(OAuthError::new(ErrorCode::AccessDenied, err.description))
                        .location(),
                ),
            },
        }
    })
}

/// GET: validate and show the grant view.
pub async fn show(State(ctx): State<SharedCtx>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    match Params::from_urlencoded(query.unwrap_or_default().as_bytes()) {
        Ok(params) => run(&ctx, &headers, &params, Decision::Show),
        Err(err) => pages::error_page(
            StatusCode::BAD_REQUEST,
            "Malformed authorization request",
            &err.description,
        ),
    }
}

/// POST: the grant view's form, with `decision` (`grant` or `deny`) and `user`.
pub async fn decide(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let params = match body::params(&headers, body) {
        Ok(p) => p,
        Err(e) => {
            return pages::error_page(e.status, "Malformed authorization request", &e.error.description);
        }
    };
    let decision = match (params.get("decision"), params.get("user")) {
        (Ok(Some("deny")), _) => Decision::Deny,
        (Ok(Some("grant")), Ok(Some(user))) => Decision::Approve(user),
        (Ok(Some("grant")), _) => {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                "No user chosen",
                "Pick the user to grant access as.",
            );
        }
        _ => return pages::error_page(StatusCode::BAD_REQUEST, "No decision", "Press Grant or Deny."),
    };
    run(&ctx, &headers, &params, decision)
}
