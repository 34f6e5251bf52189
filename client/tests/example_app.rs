//! Snapshot test of the example backend app (`examples/backend_app.rs`): its full flow, with and
//! without PKCE, run in-process against the embedded mock, and what the app sent to ilert
//! recorded by the mock's journal as an insta snapshot (`snapshots/example_app__*.snap`).
//!
//! # Doing the same for your own app
//!
//! 1. Build your app's router from settings that include ilert's two base URLs and the redirect
//!    URI, so a test can point it at the mock (here: `backend_app::app(&Settings)`; `main` only
//!    parses the settings and serves).
//! 2. Start `ilert_mock::MockServer::builder().auto_approve("someUser")` with a fixed, frozen
//!    clock (`clock_start(..)`, `freeze_clock(true)`): tokens issued for the same grant are
//!    then the same bytes, so the record does not depend on how fast the test ran.
//! 3. Bind your app to `127.0.0.1:0`, and register an app with that port in its redirect URI
//!    (`server.admin().add_app(App { redirect_uris: vec![..], .. })`).
//! 4. Play the browser with an HTTP client that does not follow redirects: your sign-in route,
//!    the mock's authorize URL (it approves at once with a 302), your callback.
//! 5. `insta::assert_json_snapshot!(server.journal().snapshot(&Default::default()))`. The record
//!    replaces codes, states, tokens, secrets, PKCE values and loopback ports with `<kind#n>`
//!    placeholders that keep identity (`<code#1>` in the redirect is the `<code#1>` your app
//!    redeemed), so two runs give the same bytes. The first run writes a `.snap.new` file:
//!    review it (`cargo insta review`, or rerun with `INSTA_UPDATE=always` and read the
//!    `.snap`), then commit it; from then on any change in what your app sends fails the test.
#![cfg(feature = "cli")]

#[path = "../examples/backend_app.rs"]
#[allow(dead_code)] // the example's `main` is not used here
mod backend_app;

mod common;

use std::future::IntoFuture as _;
use std::net::SocketAddr;

use ilert_mock::MockServer;
use ilert_mock::paths;
use serde_json::Value;

use common::{
    add_confidential_app, assert_passes_audit, auto_server_with, browser, redirect_of, serious_findings,
    token_posts,
};

const CLIENT_ID: &str = "example-backend-app";
const CLIENT_SECRET: &str = "example-backend-secret";

/// A frozen, auto-approving mock, and the example app served on a random port with an app
/// registered for its redirect URI. Returns the mock and the example app's base URL.
async fn start() -> (MockServer, String) {
    let server = auto_server_with(|b| b.clock_start(1_800_000_000).freeze_clock(true)).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port for the example app");
    let addr: SocketAddr = listener.local_addr().expect("its address");
    let redirect_uri = format!("http://127.0.0.1:{}/authorize-result", addr.port());
    add_confidential_app(
        &server,
        (800, "Example backend app"),
        (CLIENT_ID, CLIENT_SECRET),
        &redirect_uri,
    );
    let settings = backend_app::Settings {
        port: addr.port(),
        bind: addr.ip(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uri: Some(redirect_uri),
        app_url: server.base_url(),
        api_url: server.base_url(),
        ..backend_app::Settings::guide_app()
    };
    let router = backend_app::app(&settings).expect("the example app builds");
    tokio::spawn(axum::serve(listener, router).into_future());
    (server, format!("http://{addr}"))
}

/// `/authorize[?pkce=1]` → the mock → `/authorize-result`: returns the JSON the app shows.
async fn sign_in(http: &reqwest::Client, server: &MockServer, app: &str, start: &str) -> Value {
    let to_mock = redirect_of(http, &url::Url::parse(&format!("{app}{start}")).expect("url")).await;
    assert!(
        to_mock
            .as_str()
            .starts_with(&format!("{}{}?", server.base_url(), paths::AUTHORIZE)),
        "the app sends the browser to the mock: {to_mock}"
    );
    let back = redirect_of(http, &to_mock).await;
    assert!(
        back.as_str().starts_with(&format!("{app}/authorize-result?")),
        "the mock sends the browser back: {back}"
    );
    let page = http.get(back).send().await.expect("the app answers");
    assert_eq!(page.status(), 200);
    page.json().await.expect("the current user as JSON")
}

#[tokio::test]
async fn the_example_apps_full_flow_snapshot() {
    let (server, app) = start().await;
    let http = browser();

    let index = http.get(format!("{app}/")).send().await.expect("index");
    assert_eq!(index.status(), 200);
    let html = index.text().await.expect("html");
    assert!(
        html.contains("href=\"/authorize\"") && html.contains("href=\"/authorize?pkce=1\""),
        "{html}"
    );

    for start in ["/authorize", "/authorize?pkce=1"] {
        let user = sign_in(&http, &server, &app, start).await;
        assert_eq!(user["username"], "someUser", "{user}");
        assert_eq!(user["id"], 1001, "{user}");
    }
    assert_eq!(token_posts(&server, "authorization_code").len(), 2);

    insta::assert_json_snapshot!(server.journal().snapshot(&Default::default()));

    // The audit: the guide's classic link sends no PKCE (ilert suggests it on top of the
    // secret), and signing the same user in twice while the first grant's refresh token still
    // works is what ilert's ten-grant limit is about.
    let (found, table) = serious_findings(&server);
    assert_eq!(
        found,
        ["NO_PKCE/warning", "REAUTHORIZED_INSTEAD_OF_REFRESH/warning"],
        "{table}"
    );
}

/// The example app's sign-in with PKCE, once per user, passes the mock's audit.
#[tokio::test]
async fn the_example_apps_pkce_flow_passes_the_audit() {
    let (server, app) = start().await;
    let user = sign_in(&browser(), &server, &app, "/authorize?pkce=1").await;
    assert_eq!(user["username"], "someUser", "{user}");
    assert_passes_audit(&server);
}

/// A callback the app did not start is refused before anything reaches ilert.
#[tokio::test]
async fn the_example_app_refuses_a_foreign_callback() {
    let (server, app) = start().await;
    let page = browser()
        .get(format!("{app}/authorize-result?code=abc&state=not-ours"))
        .send()
        .await
        .expect("the app answers");
    assert_eq!(page.status(), 400);
    let body: Value = page.json().await.expect("JSON");
    assert_eq!(body["error"], "unknown_state");
    assert!(server.journal().all().iter().all(|e| e.path != paths::TOKEN));
}
