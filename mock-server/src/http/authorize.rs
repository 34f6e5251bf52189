//! `GET/POST /api/developers/oauth2/authorize` (behaviour.md §2).
//!
//! GET validates the request and shows the grant view (or, with auto-approve, approves at once).
//! The view posts the same parameters back with the chosen user and the decision; POST validates
//! everything again (hidden fields are client input like any other) and redirects. A POST that
//! a page of another origin made the browser send is refused before anything else (CSRF: a
//! cross-site page could otherwise grant as any fixture user; see [`super::cross_origin`]).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::cross_origin::{self, CrossOrigin};
use super::ctx::SharedCtx;
use super::{body, host};
use crate::audit::facts::{AuthorizeOutcome, AuthorizeUse, Event};
use crate::audit::rules::authorization::insecure_redirect;
use crate::pages::{self, GrantView};
use crate::protocol::authorize::{self, AuthorizeError, PageError};
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::params::Params;

/// `302 Found` to `location` (behaviour.md §9: redirects use 302).
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
        Err(_) => Page::bad_request("Invalid redirect", "The redirect URI cannot be sent as a header.")
            .into_response(),
    }
}

/// The authorize surface's error: an HTML page shown to the user, never a redirect (RFC 6749
/// §4.1.2.1, RFC 9700 §4.11). Errors that may go back to the client are redirects, not this.
#[derive(Debug)]
pub struct Page {
    status: StatusCode,
    title: String,
    hint: String,
    /// A cross-site submission refused (not a client or redirect URI that cannot be trusted).
    cross_site: bool,
}

impl Page {
    fn new(status: StatusCode, title: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            status,
            title: title.into(),
            hint: hint.into(),
            cross_site: false,
        }
    }

    fn cross_site(why: &CrossOrigin) -> Self {
        Self {
            cross_site: true,
            ..Self::new(
                StatusCode::FORBIDDEN,
                "Cross-site request refused",
                format!(
                    "This request was refused because {why}. The grant form only accepts submissions \
                     from the mock's own page; scripts that post it directly send no Origin or \
                     Sec-Fetch-Site header and are not affected."
                ),
            )
        }
    }

    fn bad_request(title: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, title, hint)
    }
}

impl From<&PageError> for Page {
    fn from(error: &PageError) -> Self {
        let hint = match error {
            PageError::RedirectUriMismatch { registered, .. } => format!(
                "The redirect_uri must equal one of the app's registered redirect URIs byte for byte: {}. Register the exact URI in the app's settings or send one of these.",
                registered.join(", ")
            ),
            PageError::UnknownClient(_) => "Check the client_id in your app's settings.".to_owned(),
            _ => "Send client_id and redirect_uri exactly once each.".to_owned(),
        };
        Self::bad_request(error.to_string(), hint)
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        if self.cross_site {
            pages::refused_page(self.status, &self.title, &self.hint)
        } else {
            pages::error_page(self.status, &self.title, &self.hint)
        }
    }
}

/// Resolves the tenant host; an unknown tenant gets a page.
fn tenant(ctx: &SharedCtx, headers: &HeaderMap) -> Result<Option<String>, Page> {
    match host::tenant_label(headers, &ctx.options) {
        None => Ok(None),
        Some(label) => ctx
            .store
            .with(|s| s.tenant(&label).map(|t| t.id.clone()))
            .map(Some)
            .ok_or_else(|| {
                Page::new(
                    StatusCode::NOT_FOUND,
                    format!("No ilert account '{label}'"),
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

/// What the audit learns of an authorization request whose client and redirect URI were
/// recognised (`app_id`), given how it ended.
fn authorize_use(
    ctx: &SharedCtx,
    params: &Params,
    app_id: i64,
    redirect_uri: &str,
    form: bool,
    outcome: AuthorizeOutcome,
) -> Event {
    let print = |name: &str| {
        params
            .get(name)
            .ok()
            .flatten()
            .map(|v| ctx.journal.fingerprint(v))
    };
    Event::Authorize(Box::new(AuthorizeUse {
        app_id,
        form,
        state: print("state"),
        challenge: print("code_challenge"),
        insecure_redirect: insecure_redirect(redirect_uri).then(|| redirect_uri.to_owned()),
        outcome,
    }))
}

fn run(
    ctx: &SharedCtx,
    headers: &HeaderMap,
    params: &Params,
    decision: Decision<'_>,
) -> Result<Response, Page> {
    let tenant = tenant(ctx, headers)?;
    let now = ctx.clock.now();
    let policy = ctx.policy.authorize;
    let form = !matches!(decision, Decision::Show);
    let (mut response, event) = ctx.store.with(|state| {
        let request = match authorize::validate(params, |id| state.app(id), policy) {
            Ok(r) => r,
            Err(AuthorizeError::Page(page)) => return Err(Page::from(&page)),
            Err(AuthorizeError::Redirect(r)) => {
                // Past the client and redirect checks, so the app is known.
                let app_id = params
                    .get("client_id")
                    .ok()
                    .flatten()
                    .and_then(|id| state.app(id))
                    .map(|a| a.id);
                let event = app_id.map(|id| {
                    authorize_use(
                        ctx,
                        params,
                        id,
                        &r.redirect_uri,
                        form,
                        AuthorizeOutcome::Refused(r.error.code),
                    )
                });
                return Ok((found(&r.location()), event));
            }
        };
        let auto = ctx
            .options
            .auto_approve
            .as_deref()
            .or(request.auto_approve.as_deref());
        let decision = match (decision, auto) {
            (Decision::Show, Some(user)) => Decision::Approve(user),
            (d, _) => d,
        };
        let (response, outcome) = match decision {
            Decision::Show => {
                let users = state.users_of(tenant.as_deref());
                let tenant_name = tenant
                    .as_deref()
                    .and_then(|t| state.tenant(t))
                    .map(|t| t.display_name().to_owned());
                let page = pages::grant_view(&GrantView {
                    request: &request,
                    params,
                    users: &users,
                    tenant: tenant_name.as_deref(),
                });
                (page, AuthorizeOutcome::Shown)
            }
            Decision::Deny => (
                found(
                    &request
                        .error(OAuthError::new(
                            ErrorCode::AccessDenied,
                            "The user denied the request",
                        ))
                        .location(),
                ),
                AuthorizeOutcome::Denied,
            ),
            Decision::Approve(username) => match pending_bound(state, &ctx.options.bounds)
                .and_then(|()| state.issue_code(&request, username, tenant.as_deref(), now))
            {
                Ok(code) => {
                    // How many refresh tokens the app already holds for this user (ilert: at
                    // most 10 per app and user); the audit judges re-authorizations by it.
                    let live_refresh_tokens = state
                        .user_by_name(username)
                        .map_or(0, |u| state.grants.live_count(request.app_id, u.id, now));
                    let outcome = AuthorizeOutcome::Code {
                        code: ctx.journal.fingerprint(&code),
                        user: username.to_owned(),
                        live_refresh_tokens,
                    };
                    (found(&request.success_location(&code)), outcome)
                }
                Err(err) => (
                    found(
                        &request
                            .error(OAuthError::new(ErrorCode::AccessDenied, err.description))
                            .location(),
                    ),
                    AuthorizeOutcome::Refused(ErrorCode::AccessDenied),
                ),
            },
        };
        let event = authorize_use(ctx, params, request.app_id, &request.redirect_uri, form, outcome);
        Ok((response, Some(event)))
    })?;
    if let Some(event) = event {
        response.extensions_mut().insert(event);
    }
    Ok(response)
}

/// Refuses a new code while `--max-pending-codes` codes wait to be redeemed (they expire
/// after a few minutes and are purged): each costs memory until then.
fn pending_bound(state: &crate::state::MockState, bounds: &crate::Bounds) -> Result<(), OAuthError> {
    let pending = state.codes.unused();
    if pending >= bounds.pending_codes {
        return Err(OAuthError::invalid_request(format!(
            "{pending} authorization codes wait to be redeemed, the mock's bound (--max-pending-codes {}); redeem them or let them expire",
            bounds.pending_codes
        )));
    }
    Ok(())
}

/// GET: validate and show the grant view.
pub async fn show(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Page> {
    let params = Params::from_urlencoded(query.unwrap_or_default().as_bytes())
        .map_err(|err| Page::bad_request("Malformed authorization request", err.description))?;
    run(&ctx, &headers, &params, Decision::Show)
}

/// POST: the grant view's form, with `decision` (`grant` or `deny`) and `user`.
pub async fn decide(
    State(ctx): State<SharedCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Page> {
    // RFC 6749 §10.12: "The authorization server MUST implement CSRF protection for its
    // authorization endpoint", so a page of another site cannot grant as a user.
    cross_origin::same_origin(&headers, &ctx.options).map_err(|why| Page::cross_site(&why))?;
    let params = body::params(&headers, body)
        .map_err(|e| Page::new(e.status, "Malformed authorization request", e.error.description))?;
    let decision = match (params.get("decision"), params.get("user")) {
        (Ok(Some("deny")), _) => Decision::Deny,
        (Ok(Some("grant")), Ok(Some(user))) => Decision::Approve(user),
        (Ok(Some("grant")), _) => {
            return Err(Page::bad_request(
                "No user chosen",
                "Pick the user to grant access as.",
            ));
        }
        _ => return Err(Page::bad_request("No decision", "Press Grant or Deny.")),
    };
    run(&ctx, &headers, &params, decision)
}
