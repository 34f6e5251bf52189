//! `GET /`: what is running here, for a person who opens the base URL the banner printed (a
//! short page) or a script that asks with `Accept: application/json` (the same facts as JSON):
//! version, base URL, how many tenants, apps and users, the guide's ready authorize URL, and
//! where the dashboard and the health probe are.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde_json::{Value, json};

use crate::http::ctx::{ControlAccess, SharedCtx};
use crate::http::host;
use crate::{guide, paths};

/// Whether the client asked for JSON rather than a page: `application/json` accepted and
/// `text/html` not (a browser accepts both, and gets the page).
fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    accept.contains("application/json") && !accept.contains("text/html")
}

/// The facts both forms show.
fn facts(ctx: &SharedCtx, headers: &HeaderMap) -> Value {
    let base = host::base_url(headers, &ctx.options);
    let (tenants, apps, users, app) = ctx.store.with(|s| {
        // The guide's app when it is registered, else the first app with a secret.
        let app = s
            .apps
            .iter()
            .find(|a| a.client_id == guide::CLIENT_ID)
            .or_else(|| s.apps.iter().find(|a| !a.public))
            .map(|a| {
                (
                    a.client_id.clone(),
                    a.name.clone(),
                    a.redirect_uris.first().cloned(),
                )
            });
        (s.tenants.len(), s.apps.len(), s.users.len(), app)
    });
    let authorize = app.and_then(|(client_id, name, redirect)| {
        let redirect = redirect?;
        Some(json!({
            "app": name,
            "client_id": client_id,
            "redirect_uri": redirect,
            "url": guide::authorize_url(&base, &client_id, &redirect),
        }))
    });
    let control = ctx.options.control != ControlAccess::Off;
    json!({
        "service": "ilert-mock",
        "description": env!("CARGO_PKG_DESCRIPTION"),
        "version": env!("CARGO_PKG_VERSION"),
        "base_url": base,
        "tenants": tenants,
        "apps": apps,
        "users": users,
        "authorize": authorize,
        "token_endpoint": format!("{base}{}", paths::TOKEN),
        "dashboard": control.then(|| format!("{base}{}/", paths::CONTROL)),
        "health": control.then(|| format!("{base}{}/health", paths::CONTROL)),
        "control_token_required": matches!(ctx.options.control, ControlAccess::Token(_)),
        "auto_approve": ctx.options.auto_approve,
    })
}

/// `GET /`.
pub async fn landing(State(ctx): State<SharedCtx>, headers: HeaderMap) -> Response {
    let facts = facts(&ctx, &headers);
    if wants_json(&headers) {
        return Json(facts).into_response();
    }
    let s = |key: &str| facts[key].as_str().unwrap_or_default().to_owned();
    let n = |key: &str| facts[key].as_u64().unwrap_or_default();
    let authorize = match facts["authorize"]["url"].as_str() {
        Some(url) => format!(
            "<h2>Sign in as the guide's app</h2><p class=\"lead\">{app} (<code>{client_id}</code>), \
             redirecting to <code>{redirect}</code>:</p><p><a class=\"url\" href=\"{href}\">{shown}</a></p>",
            app = text(facts["authorize"]["app"].as_str().unwrap_or_default()),
            client_id = text(facts["authorize"]["client_id"].as_str().unwrap_or_default()),
            redirect = text(facts["authorize"]["redirect_uri"].as_str().unwrap_or_default()),
            href = attr(url),
            shown = text(url),
        ),
        None => "<p class=\"lead\">No app with a client secret is registered.</p>".to_owned(),
    };
    let dashboard = match facts["dashboard"].as_str() {
        Some(url) => format!(
            "<p><a class=\"button\" href=\"{}\">Open the dashboard</a> requests, tokens, grants, audit, \
             clock, faults and the REST store, live.{}</p>",
            attr(url),
            if facts["control_token_required"] == true {
                " It asks for the control token."
            } else {
                ""
            }
        ),
        None => "<p>The control surface is off (<code>--no-control</code>): no dashboard.</p>".to_owned(),
    };
    let body = format!(
        "<main><h1>ilert mock {version}</h1>\
         <p class=\"lead\">{description}, running at <code>{base}</code>.</p>\
         <dl><dt>Tenants</dt><dd>{tenants}</dd><dt>Apps</dt><dd>{apps}</dd><dt>Users</dt><dd>{users}</dd></dl>\
         {dashboard}{authorize}\
         <p class=\"level\">The same facts as JSON: <code>curl -H 'Accept: application/json' {base}/</code></p></main>",
        version = text(&s("version")),
        description = text(&s("description")),
        base = text(&s("base_url")),
        tenants = n("tenants"),
        apps = n("apps"),
        users = n("users"),
    );
    crate::pages::info_page("ilert mock", &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(value).expect("value"));
        h
    }

    #[test]
    fn json_only_for_who_asks_for_it() {
        assert!(wants_json(&accept("application/json")));
        assert!(wants_json(&accept("application/json, */*;q=0.5")));
        assert!(!wants_json(&accept(
            "text/html,application/xhtml+xml,application/json;q=0.9"
        )));
        assert!(!wants_json(&accept("*/*")));
        assert!(!wants_json(&HeaderMap::new()));
    }
}
