//! The mock's own page at `/_mock/` (mock-server/docs/dashboard.md), and the short page at `/`
//! that says what is running.
//!
//! The page is a client of the control surface and nothing more: every panel reads the
//! `/_mock/*` endpoints a test reads (journal, grants, audit, clock, faults, tenants, apps,
//! users) and acts through the ones a test calls, so what it shows is what a test would see.
//! Three endpoints exist for it where nothing answered before, each useful from `curl` too:
//! `POST /_mock/tokens/decode` (the token box), `GET /_mock/store[/{tenant}/{collection}]`
//! (the REST store, since the API wants an access token the page does not hold, see
//! [`crate::http::control::store`]) and `GET /_mock/events/stream` (live updates, [`events`]).
//! The test event goes to the real Events API with the alert source's integration key.
//!
//! Served from the binary: `index.html`, `app.js` and `app.css` are embedded with
//! `include_str!`; nothing is built, nothing is fetched from the network, no framework.
//!
//! Protections, those of the control surface, kept when the page is the caller:
//! - The page and its two assets are static and hold no data, so they load for anyone who can
//!   reach `/_mock/`; every fact they show comes from the guarded endpoints: loopback callers
//!   only without a control token, `Authorization: Bearer <control token>` with one.
//! - The token is asked for on the page and sent by `fetch()` in the `Authorization` header,
//!   never in a URL. The live stream is read with `fetch()` too (a streamed body parsed as
//!   server-sent events), because `EventSource` cannot send a header. The other way, a cookie
//!   set by a POST, was refused: cookies are not isolated by port, so the app under test on
//!   `localhost:3000` would receive (and could log or leak) a cookie the mock set on
//!   `localhost:4598`, and a cookie rides along with cross-site requests, which the token in a
//!   header never does. The page keeps the token in `sessionStorage`: that tab only, until it
//!   closes or "Forget" is pressed.
//! - A state-changing request that another site made a browser send is refused by the control
//!   guard ([`crate::http::cross_origin::same_site`]); the page's own `fetch()` calls are
//!   same-origin and pass.
//! - A strict Content-Security-Policy ([`CSP`]): scripts, styles and connections from the
//!   mock's own origin only, no inline script or style, no framing, no `<base>`, no form
//!   submission anywhere.

pub mod events;
pub mod landing;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::http::ctx::SharedCtx;

/// The page's Content-Security-Policy: its own origin for everything, nothing inline, no
/// framing (clickjacking), no `<base>` and no form posting anywhere (the page's forms are
/// handled by its script).
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; \
                       frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const INDEX: &str = include_str!("index.html");
const APP_JS: &str = include_str!("app.js");
const APP_CSS: &str = include_str!("app.css");

/// The page's path.
pub const PAGE: &str = "/_mock/";

/// The redirect to the page and its assets, under the control prefix (unguarded: they hold no
/// data); the page itself is mounted at [`PAGE`] beside the prefix.
pub fn router() -> Router<SharedCtx> {
    Router::new()
        .route("/", get(to_page))
        .route("/assets/app.js", get(script))
        .route("/assets/app.css", get(style))
}

/// A static text answer with the headers every dashboard file carries.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Revalidated each time, so a newer mock's page is never mixed with an older script.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /_mock/`: the page.
pub async fn page() -> Response {
    let mut response = asset("text/html; charset=utf-8", INDEX);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: under `no-referrer` a browser may send `Origin: null`
    // with the page's POSTs, which the control guard must refuse.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /_mock/assets/app.js`.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

/// `GET /_mock/assets/app.css`.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

/// `GET /_mock` (no slash): the page's address is `/_mock/`, where its relative links resolve.
pub async fn to_page() -> Response {
    let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(PAGE));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_its_own_assets() {
        // No inline script or style: the CSP would block them.
        assert!(
            !INDEX.contains("<script>") && !INDEX.contains("<style"),
            "inline code"
        );
        assert!(
            !INDEX.contains(" style=") && !INDEX.contains(" onclick="),
            "inline attributes"
        );
        assert!(INDEX.contains("src=\"assets/app.js\"") && INDEX.contains("href=\"assets/app.css\""));
        // Nothing from the network: no absolute URL in the markup or the style, and the script
        // fetches paths of the mock only.
        for text in [INDEX, APP_CSS] {
            assert!(!text.contains("://"), "an absolute URL");
        }
        assert!(!APP_JS.contains("import ") && !APP_JS.contains("importScripts"));
        for call in APP_JS.split("fetch(").skip(1) {
            // `fetch()` in a comment, `fetch(path, …)` in the one helper, `fetch('/_mock/…')`.
            let ok = [")", "path,", "'/_mock/"].iter().any(|p| call.starts_with(p));
            assert!(ok, "fetch({call:.40}");
        }
        assert!(
            !APP_JS.contains("innerHTML"),
            "text goes in as text, never as markup"
        );
        assert!(!APP_JS.contains("eval(") && !APP_JS.contains("new Function"));
    }
}
