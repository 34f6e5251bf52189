//! The pages a person sees: the grant view and the error pages of the authorize endpoint, and
//! the page at `/` that says what is running.
//!
//! Plain HTML with an embedded stylesheet: no scripts, no external assets, readable on a phone,
//! labelled for screen readers, and never framed (clickjacking, RFC 9700 §4.16).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::model::User;
use crate::protocol::authorize::{PARAMETERS, ValidRequest};
use crate::protocol::params::Params;

const STYLE: &str = include_str!("style.css");

/// What the grant view shows.
#[derive(Debug)]
pub struct GrantView<'a> {
    /// The validated request.
    pub request: &'a ValidRequest,
    /// The request's parameters, posted back as hidden fields.
    pub params: &'a Params,
    /// Users who may approve.
    pub users: &'a [&'a User],
    /// The tenant's display name, on a tenant host.
    pub tenant: Option<&'a str>,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · ilert (mock)</title><style>{STYLE}</style></head>\
         <body>{body}<footer>ilert OAuth2 mock: a local emulation for development and tests.</footer></body></html>",
        title = text(title),
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // No `Referer` leaves the mock (the redirect to the app carries none), while the grant form's
    // own POST keeps its real `Origin`: under `no-referrer` browsers send `Origin: null`, which
    // the form's cross-origin check must refuse from browsers without `Sec-Fetch-Site`.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// A page of facts (the `/` page): 200, the same headers and stylesheet as the grant view.
pub fn info_page(title: &str, body: &str) -> Response {
    page(StatusCode::OK, title, body)
}

/// An error page: the user is not redirected (RFC 6749 §4.1.2.1).
pub fn error_page(status: StatusCode, title: &str, hint: &str) -> Response {
    let body = format!(
        "<main class=\"error\" role=\"alert\"><h1>{}</h1><p>{}</p><p class=\"lead\">The request was not sent back to the app, \
         because its client or redirect URI could not be trusted.</p></main>",
        text(title),
        text(hint)
    );
    page(status, title, &body)
}

/// A refusal page: the request was not acted on, and nothing was sent back to the app.
pub fn refused_page(status: StatusCode, title: &str, hint: &str) -> Response {
    let body = format!(
        "<main class=\"error\" role=\"alert\"><h1>{}</h1><p>{}</p></main>",
        text(title),
        text(hint)
    );
    page(status, title, &body)
}

/// The grant view: app name, tenant, each scope in words with its access level, a user picker,
/// and Grant / Deny buttons posting back to the authorize path.
pub fn grant_view(view: &GrantView<'_>) -> Response {
    let app = &view.request.app_name;
    let scopes: String = view
        .request
        .scope
        .tokens()
        .iter()
        .map(|t| {
            let level = if t.def.name == crate::protocol::scope::OFFLINE_ACCESS {
                String::new()
            } else {
                format!(" <span class=\"level\">({})</span>", t.access.words())
            };
            format!(
                "<li><strong>{}</strong>{level} <code>{}</code></li>",
                text(t.def.words),
                text(&t.raw)
            )
        })
        .collect();
    let hidden: String = view
        .params
        .pairs()
        .iter()
        .filter(|(k, _)| PARAMETERS.contains(&k.as_str()))
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                attr(k),
                attr(v)
            )
        })
        .collect();
    let users: String = view
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            format!(
                "<label class=\"user\"><input type=\"radio\" name=\"user\" value=\"{}\"{}> {} {} <span class=\"level\">({} · {})</span></label>",
                attr(&u.username),
                if i == 0 { " checked" } else { "" },
                text(&u.first_name),
                text(&u.last_name),
                text(&u.username),
                text(&u.tenant),
            )
        })
        .collect();
    let account = view
        .tenant
        .map(|t| format!(" on the account <strong>{}</strong>", text(t)))
        .unwrap_or_default();
    let body = format!(
        "<main><h1>Authorize {app}</h1>\
         <p class=\"lead\"><strong>{app}</strong> wants to access ilert{account} on your behalf. It asks for:</p>\
         <ul class=\"scopes\" aria-label=\"Requested permissions\">{scopes}</ul>\
         <form method=\"post\" action=\"{action}\">{hidden}\
         <fieldset><legend>Act as</legend>{users}</fieldset>\
         <div class=\"actions\"><button class=\"grant\" type=\"submit\" name=\"decision\" value=\"grant\">Grant</button>\
         <button class=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></div>\
         </form></main>",
        app = text(app),
        action = crate::paths::AUTHORIZE,
    );
    page(StatusCode::OK, &format!("Authorize {app}"), &body)
}
