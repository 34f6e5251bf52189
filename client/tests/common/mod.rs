//! Helpers shared by the client's integration tests: the mock's fixture apps, a client pointed
//! at a mock, the browser's part of the flow (GET the authorize URL, read the redirect), and
//! counting what reached the mock's token endpoint.
#![allow(dead_code)]

pub mod chromium;

use ilert_mock::journal::Entry;
use ilert_mock::paths;
use ilert_mock::{MockServer, MockServerBuilder};
use ilert_oauth2_client::{
    ApiClient, AuthorizationCode, Config, ConfigBuilder, CsrfToken, OAuthClient, Pkce, TokenSet,
    parse_callback,
};
use reqwest::header::LOCATION;
use reqwest::redirect;

/// The guide's example app (behaviour.md §10): confidential, no rotation, every scope.
pub use ilert_mock::guide::{CLIENT_ID as GUIDE_ID, CLIENT_SECRET as GUIDE_SECRET};
pub const GUIDE_REDIRECT: &str = "http://localhost:4597/authorize-result";
/// The PKCE-only public app (no secret; refresh tokens only with `offline_access`).
pub const PUBLIC_ID: &str = "8c1a5c3fb9e04d7a2b61";
pub const PUBLIC_REDIRECT: &str = "http://localhost:4597/webapp";
/// The confidential app that rotates refresh tokens.
pub const ROTATING_ID: &str = "f3b2a1c0d9e8f7a6b5c4";
pub const ROTATING_SECRET: &str = "c0ffee0ddba11defacedbeadfeedc0dec0ffee0ddba11defacedbeadfeed0001";

/// A mock that approves every authorization at once as `someUser` (tenant `someTenant`).
pub async fn auto_server() -> MockServer {
    auto_server_with(|b| b).await
}

/// [`auto_server`] with more settings (`|b| b.freeze_clock(true)`).
pub async fn auto_server_with(settings: impl FnOnce(MockServerBuilder) -> MockServerBuilder) -> MockServer {
    settings(MockServer::builder().auto_approve("someUser"))
        .start()
        .await
        .expect("the mock starts")
}

/// An app's config (`client_id`, `redirect_uri`, no secret) with `scopes`, both base URLs on
/// `server`.
pub fn app(server: &MockServer, client_id: &str, redirect_uri: &str, scopes: &str) -> ConfigBuilder {
    Config::builder(client_id, redirect_uri)
        .scopes(scopes)
        .app_url(server.base_url())
        .api_url(server.base_url())
}

/// The guide app's config with `scopes`, both base URLs on `server`.
pub fn guide(server: &MockServer, scopes: &str) -> ConfigBuilder {
    app(server, GUIDE_ID, GUIDE_REDIRECT, scopes).client_secret(GUIDE_SECRET)
}

/// Builds the config and a client with the default HTTP client.
pub fn client(config: ConfigBuilder) -> OAuthClient {
    OAuthClient::new(config.build().expect("a valid config")).expect("an HTTP client")
}

/// What a browser would do, without following the redirect back to the app.
pub fn browser() -> reqwest::Client {
    browser_with(|b| b)
}

/// [`browser`] with more settings (`|b| b.resolve(host, addr)`).
pub fn browser_with(
    settings: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
) -> reqwest::Client {
    settings(reqwest::Client::builder().redirect(redirect::Policy::none()))
        .build()
        .expect("an HTTP client")
}

/// GETs an authorize URL (redirects off), expects the mock's 302, returns its `Location`.
pub async fn redirect_of(http: &reqwest::Client, url: &url::Url) -> url::Url {
    let response = http.get(url.clone()).send().await.expect("authorize answers");
    let status = response.status();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    let Some(location) = location else {
        let body = response.text().await.unwrap_or_default();
        panic!("authorize answered {status} without a redirect: {body}");
    };
    assert_eq!(status, 302, "authorize redirects with 302 Found");
    url::Url::parse(&location).expect("an absolute Location")
}

/// The browser's part of the flow: authorize URL → 302 → the code read back from the redirect
/// (with the state checked). Returns the code and the PKCE verifier to exchange it with.
pub async fn authorize(
    oauth: &OAuthClient,
    http: &reqwest::Client,
    pkce: Pkce,
) -> (AuthorizationCode, Option<ilert_oauth2_client::PkceCodeVerifier>) {
    let authorize = oauth.authorize_url(&CsrfToken::new_random(), pkce);
    let back = redirect_of(http, &authorize.url).await;
    let redirect = oauth.config().redirect_uri();
    assert!(
        back.as_str().starts_with(&format!("{redirect}?")),
        "the redirect goes back to {redirect}: {back}"
    );
    let code = parse_callback(back.query().unwrap_or_default(), Some(&authorize.state))
        .expect("the redirect carries a code and our state");
    (code, authorize.pkce_verifier)
}

/// Authorize and exchange: a signed-in token set.
pub async fn sign_in(oauth: &OAuthClient, pkce: Pkce) -> TokenSet {
    sign_in_with(oauth, &browser(), pkce).await
}

/// [`sign_in`] with the browser's part done by `http` (a client for HTTPS or a tenant host).
pub async fn sign_in_with(oauth: &OAuthClient, http: &reqwest::Client, pkce: Pkce) -> TokenSet {
    let (code, verifier) = authorize(oauth, http, pkce).await;
    oauth
        .exchange_code(&code, verifier.as_ref())
        .await
        .expect("the code exchanges for tokens")
}

/// The guide app signed in (PKCE) on `server` with `scopes`: its OAuth client and an API client
/// holding its tokens in memory.
pub async fn guide_api(server: &MockServer, scopes: &str) -> (OAuthClient, ApiClient) {
    let oauth = client(guide(server, scopes));
    let api = ApiClient::with_tokens(oauth.clone(), sign_in(&oauth, Pkce::S256).await);
    (oauth, api)
}

/// Registers a confidential app on `server` with scopes `profile source:w` (what the example
/// backend app and the CLI ask for): id and name, client id and secret, one redirect URI.
pub fn add_confidential_app(
    server: &MockServer,
    (id, name): (i64, &str),
    (client_id, secret): (&str, &str),
    redirect_uri: &str,
) {
    server
        .admin()
        .add_app(ilert_mock::App {
            id,
            name: name.into(),
            client_id: client_id.into(),
            client_secret: Some(ilert_mock::ClientSecret::new(secret)),
            redirect_uris: vec![redirect_uri.to_owned()],
            scopes: vec!["profile".into(), "source:w".into()],
            ..ilert_mock::App::default()
        })
        .expect("the app is registered");
}

/// The value of form field `name` in a journal entry.
pub fn form<'e>(entry: &'e Entry, name: &str) -> Option<&'e str> {
    entry
        .form
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The first request to `path` in the mock's journal, if any reached it.
pub fn first_request_to(server: &MockServer, path: &str) -> Option<Entry> {
    server.journal().all().into_iter().find(|e| e.path == path)
}

/// Requests that reached the token endpoint with `grant_type` (answered, whatever the status).
pub fn token_posts(server: &MockServer, grant_type: &str) -> Vec<Entry> {
    server
        .journal()
        .all()
        .into_iter()
        .filter(|e| e.method == "POST" && e.path == paths::TOKEN && form(e, "grant_type") == Some(grant_type))
        .collect()
}

/// How many refresh requests reached the mock.
pub fn refreshes(server: &MockServer) -> usize {
    token_posts(server, "refresh_token").len()
}

/// Requests to `path` and the statuses they got, in order.
pub fn statuses(server: &MockServer, path: &str) -> Vec<u16> {
    server
        .journal()
        .all()
        .into_iter()
        .filter(|e| e.path == path)
        .map(|e| e.status)
        .collect()
}

/// A port no one listens on right now (bound, read, released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The mock's audit of everything sent to it: its findings above `info`, as `ID/severity`,
/// sorted, and the table to show when they are not what was expected.
pub fn serious_findings(server: &MockServer) -> (Vec<String>, String) {
    let report = server.audit().report();
    let mut found: Vec<String> = report
        .at_or_above(ilert_mock::Severity::Warning)
        .iter()
        .map(|f| format!("{}/{}", f.id, f.severity))
        .collect();
    found.sort();
    (found, report.table())
}

/// The client passes its own audit: nothing it sent is worth a warning (ilert's rules and RFC
/// 9700's, as `ilert-mock audit --fail-on warning` judges them in a CI job).
pub fn assert_passes_audit(server: &MockServer) {
    let (found, table) = serious_findings(server);
    assert!(found.is_empty(), "the audit found:\n{table}");
}
