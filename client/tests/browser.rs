//! The grant view in a real browser: Debian's Chromium, headless, driven through WebDriver
//! (chromedriver) on 127.0.0.1, runs the full backend flow of the example app against the mock —
//! Grant as a chosen user, then Deny — and ilert's sample web app flow (PKCE guide) with the
//! guide's own client id and no secret: the page on `http://localhost:4597/webapp` authorizes
//! with PKCE, then exchanges the code, fetches the user, refreshes and revokes by cross-origin
//! `fetch`. Screenshots land under `target/browser-artifacts/`.
//!
//! `http://localhost:4597` is the redirect URI the fixtures register for the guide's app; the
//! test serves the example app on a random port and maps that origin to it with Chromium's
//! `--host-resolver-rules`, so the page keeps its real origin and no fixed port is taken.
//!
//! Without `chromium` and `chromedriver` on the machine (`.ci/run` installs them) the test is
//! reported as skipped with the reason; it never passes silently. `CHROMIUM` and `CHROMEDRIVER`
//! override the binaries' paths.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::chromium::{Killed, Session, artifacts, click, save, wait_until_listening};
use common::{add_confidential_app, free_port};
use fantoccini::Locator;
use ilert_mock::MockServer;

/// The example app, built by `cargo test` next to this test (`target/<profile>/examples/`).
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe.ancestors().nth(2).expect("profile directory");
    profile_dir.join("examples").join("backend_app")
}

/// Waits until the browser has navigated to `path`, then returns the page's text.
async fn text_after_navigation(
    browser: &fantoccini::Client,
    path: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if browser.current_url().await?.path() == path {
            // The element may still belong to the page being replaced; ask again if it went stale.
            if let Ok(text) = browser.find(Locator::Css("body")).await?.text().await {
                return Ok(text);
            }
        }
        if Instant::now() > deadline {
            return Err(format!("the browser did not reach {path}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The web app's log: one JSON object per answer the page received.
async fn webapp_log(
    browser: &fantoccini::Client,
    lines: usize,
) -> Result<Vec<serde_json::Value>, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // Until the browser is back on the page (and under load that takes a while), there is
        // no log to read yet: keep asking until the deadline.
        let text = match browser.find(Locator::Id("log")).await {
            Ok(log) => log.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        let log: Vec<serde_json::Value> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?;
        if log.len() >= lines {
            return Ok(log);
        }
        if Instant::now() > deadline {
            return Err(format!("the web app logged {} of {lines} answers: {text}", log.len()).into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// ilert's sample web app: PKCE in the browser with the guide's client id and no secret.
async fn webapp_flow(
    browser: &fantoccini::Client,
    server: &MockServer,
    artifacts: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    browser.goto("http://localhost:4597/webapp").await?;
    // The page sends the browser on to the mock's grant view with its challenge.
    let deadline = Instant::now() + Duration::from_secs(20);
    while browser.current_url().await?.path() != "/api/developers/oauth2/authorize" {
        if Instant::now() > deadline {
            return Err("the web app did not send the browser to the grant view".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let grant_view = browser.current_url().await?;
    let sent: Vec<(String, String)> = grant_view.query_pairs().into_owned().collect();
    let param = |name: &str| sent.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(
        param("client_id"),
        Some(ilert_mock::guide::CLIENT_ID),
        "the guide's own client id"
    );
    assert_eq!(param("redirect_uri"), Some("http://localhost:4597/webapp"));
    assert_eq!(param("code_challenge_method"), Some("S256"));
    assert_eq!(param("scope"), Some("profile source:w offline_access"));
    click(browser, "input[name=user][value=someUser]").await?;
    click(browser, "button[value=grant]").await?;

    // Back on the page: the code exchange (client_id + code_verifier) runs by itself.
    let first = webapp_log(browser, 1).await?;
    assert_eq!(first[0]["step"], "token", "{first:?}");
    assert_eq!(
        first[0]["status"], 200,
        "the code exchange without a secret: {first:?}"
    );
    assert!(
        first[0]["body"]["refresh_token"].is_string(),
        "offline_access brings a refresh token: {first:?}"
    );
    assert_eq!(
        browser.current_url().await?.origin().ascii_serialization(),
        "http://localhost:4597"
    );

    // The sample's buttons: fetch the user, refresh, fetch again, revoke, refresh once more.
    let mut expected = 1;
    for button in ["fetch", "refresh", "fetch", "revoke", "refresh"] {
        browser.find(Locator::Id(button)).await?.click().await?;
        expected += 1;
        webapp_log(browser, expected).await?;
    }
    let log = webapp_log(browser, expected).await?;
    save(artifacts, "webapp.png", &browser.screenshot().await?);
    let steps: Vec<(&str, i64)> = log
        .iter()
        .map(|l| {
            (
                l["step"].as_str().unwrap_or_default(),
                l["status"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("token", 200),
            ("user", 200),
            ("refresh", 200),
            ("user", 200),
            ("revoke", 200),
            ("refresh", 401)
        ],
        "CORS, the secret rule and the refresh rule as the web app sees them: {log:?}"
    );
    assert_eq!(log[1]["body"]["username"], "someUser");
    assert_eq!(log[5]["body"]["code"], "invalid_grant");

    // What reached the mock: cross-origin requests from the page, never a secret.
    let token_requests: Vec<_> = server
        .journal()
        .all()
        .into_iter()
        .filter(|e| e.path == "/api/developers/oauth2/token" && e.method == "POST")
        .filter(|e| {
            e.form
                .iter()
                .any(|(k, v)| k == "client_id" && v == ilert_mock::guide::CLIENT_ID)
        })
        .collect();
    assert_eq!(token_requests.len(), 3, "{token_requests:?}");
    for entry in &token_requests {
        assert!(entry.form.iter().all(|(k, _)| k != "client_secret"), "{entry:?}");
        assert!(
            entry
                .headers
                .iter()
                .any(|(k, v)| k == "origin" && v == "http://localhost:4597"),
            "{entry:?}"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_and_deny_through_the_grant_view_in_chromium() {
    let artifacts = artifacts();

    // The mock, with an app whose redirect URI is the example app's random port.
    let app_port = free_port();
    let redirect_uri = format!("http://127.0.0.1:{app_port}/authorize-result");
    let server = MockServer::start().await;
    add_confidential_app(
        &server,
        (700, "Browser Test Backend"),
        ("browser-test-app", "browser-test-secret"),
        &redirect_uri,
    );

    // The example backend app, pointed at the mock for both the browser and the API.
    let example = example_binary();
    assert!(
        example.exists(),
        "the example app was not built at {}",
        example.display()
    );
    // A second instance with its defaults (the guide's app) serves the web app page.
    let webapp_port = free_port();
    let _webapp = Killed(
        Command::new(&example)
            .args(["--port", &webapp_port.to_string(), "--bind", "127.0.0.1"])
            .args(["--app-url", &server.base_url(), "--api-url", &server.base_url()])
            .env_remove("ILERT_CLIENT_ID")
            .env_remove("ILERT_CLIENT_SECRET")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("example app starts"),
    );
    wait_until_listening(SocketAddr::from(([127, 0, 0, 1], webapp_port)), "the web app").await;
    let _app = Killed(
        Command::new(&example)
            .args(["--port", &app_port.to_string(), "--bind", "127.0.0.1"])
            .args(["--app-url", &server.base_url(), "--api-url", &server.base_url()])
            .args([
                "--client-id",
                "browser-test-app",
                "--client-secret",
                "browser-test-secret",
            ])
            .args(["--redirect-uri", &redirect_uri, "--scope", "profile source:w"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("example app starts"),
    );
    wait_until_listening(SocketAddr::from(([127, 0, 0, 1], app_port)), "the example app").await;

    // A fresh headless Chromium, `localhost:4597` mapped to the web app's port.
    let Some(session) = Session::start(
        "grant_and_deny_through_the_grant_view_in_chromium",
        "1000,900",
        &[format!(
            "--host-resolver-rules=MAP localhost:4597 127.0.0.1:{webapp_port}"
        )],
    )
    .await
    else {
        return;
    };
    let browser = session.browser.clone();

    let app_base = format!("http://127.0.0.1:{app_port}");
    let result = async {
        // Grant as a chosen user.
        browser.goto(&format!("{app_base}/authorize")).await?;
        let grant_view = browser.current_url().await?;
        assert_eq!(grant_view.path(), "/api/developers/oauth2/authorize", "landed on the mock's grant view");
        let page = browser.source().await?;
        assert!(page.contains("Browser Test Backend"), "the grant view names the app");
        assert!(page.contains("your user profile") && page.contains("alert sources"), "the scopes in words");
        save(&artifacts, "grant-view.png", &browser.screenshot().await?);
        click(&browser, "input[name=user][value=krystianity]").await?;
        click(&browser, "button[value=grant]").await?;
        let shown = text_after_navigation(&browser, "/authorize-result").await?;
        assert!(shown.contains("\"username\":\"krystianity\"") || shown.contains("krystianity"), "the app shows the current user: {shown}");
        save(&artifacts, "authorize-result.png", &browser.screenshot().await?);

        // Deny.
        browser.goto(&format!("{app_base}/authorize")).await?;
        click(&browser, "button[value=deny]").await?;
        let shown = text_after_navigation(&browser, "/authorize-result").await?;
        assert!(shown.contains("access_denied"), "the app shows the error: {shown}");
        save(&artifacts, "denied.png", &browser.screenshot().await?);

        // The mock's own error page: an unregistered redirect URI is shown, never followed.
        browser
            .goto(&format!(
                "{}/api/developers/oauth2/authorize?client_id=browser-test-app&response_type=code&scope=profile&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
                server.base_url()
            ))
            .await?;
        let page = browser.source().await?;
        assert!(page.contains("not registered"), "the error page says what is wrong");
        assert!(page.contains(&redirect_uri), "and what to register");
        save(&artifacts, "error-page.png", &browser.screenshot().await?);

        webapp_flow(&browser, &server, &artifacts).await
    }
    .await;
    session.close().await;
    if let Err(err) = result {
        panic!("browser flow failed: {err}");
    }
    // Grant and Deny passed the grant form's cross-origin check with what Chromium really sends.
    let posts: Vec<_> = server
        .journal()
        .all()
        .into_iter()
        .filter(|e| e.method == "POST" && e.path == "/api/developers/oauth2/authorize")
        .collect();
    assert_eq!(
        posts.len(),
        3,
        "Grant and Deny for the backend app, Grant for the web app"
    );
    for post in &posts {
        let header = |name: &str| {
            post.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("sec-fetch-site").as_deref(), Some("same-origin"));
        assert_eq!(header("origin"), Some(server.base_url()));
        assert_eq!(post.status, 302);
    }
    eprintln!("screenshots in {}", artifacts.display());
}
