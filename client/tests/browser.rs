//! The grant view in a real browser: Debian's Chromium, headless, driven through WebDriver
//! (chromedriver) on 127.0.0.1, runs the full backend flow of the example app against the mock —
//! Grant as a chosen user, then Deny — and saves screenshots under `target/browser-artifacts/`.
//!
//! Without `chromium` and `chromedriver` on the machine (`.ci/run` installs them) the test is
//! reported as skipped with the reason; it never passes silently. `CHROMIUM` and `CHROMEDRIVER`
//! override the binaries' paths.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use ilert_mock::{App, MockServer};
use serde_json::json;

/// Kills a child process when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_binary(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        return Some(PathBuf::from(path)).filter(|p| p.exists());
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("address")
        .port()
}

/// `target/` (this test runs as `target/<profile>/deps/browser-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
}

/// The example app, built by `cargo test` next to this test (`target/<profile>/examples/`).
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe.ancestors().nth(2).expect("profile directory");
    profile_dir.join("examples").join("backend_app")
}

async fn wait_until_listening(addr: SocketAddr, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start listening on {addr}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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

fn save(dir: &Path, name: &str, png: &[u8]) {
    std::fs::create_dir_all(dir).expect("artifact directory");
    std::fs::write(dir.join(name), png).expect("screenshot written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_and_deny_through_the_grant_view_in_chromium() {
    let Some(chromium) = find_binary("CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"]) else {
        eprintln!(
            "SKIPPED grant_and_deny_through_the_grant_view_in_chromium: no chromium (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let Some(chromedriver) = find_binary("CHROMEDRIVER", &["/usr/bin/chromedriver"]) else {
        eprintln!(
            "SKIPPED grant_and_deny_through_the_grant_view_in_chromium: no chromedriver (apt-get install chromium-driver)"
        );
        return;
    };
    let artifacts = target_dir().join("browser-artifacts");

    // The mock, with an app whose redirect URI is the example app's random port.
    let app_port = free_port();
    let redirect_uri = format!("http://127.0.0.1:{app_port}/authorize-result");
    let server = MockServer::start().await;
    server
        .add_app(App {
            id: 700,
            name: "Browser Test Backend".into(),
            client_id: "browser-test-app".into(),
            client_secret: Some(ilert_mock::model::ClientSecret::new("browser-test-secret")),
            public: false,
            redirect_uris: vec![redirect_uri.clone()],
            scopes: vec!["profile".into(), "source:w".into()],
            rotate_refresh_tokens: false,
            auto_approve: None,
        })
        .expect("app registered");

    // The example backend app, pointed at the mock for both the browser and the API.
    let example = example_binary();
    assert!(
        example.exists(),
        "the example app was not built at {}",
        example.display()
    );
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

    // chromedriver and a fresh headless Chromium profile.
    let driver_port = free_port();
    let _driver = Killed(
        Command::new(&chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    wait_until_listening(SocketAddr::from(([127, 0, 0, 1], driver_port)), "chromedriver").await;
    let profile = std::env::temp_dir().join(format!("ilert-mock-chromium-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--window-size=1000,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let browser = ClientBuilder::rustls()
        .expect("TLS roots for the WebDriver client")
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session");

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
        browser.find(Locator::Css("input[name=user][value=krystianity]")).await?.click().await?;
        browser.find(Locator::Css("button[value=grant]")).await?.click().await?;
        let shown = text_after_navigation(&browser, "/authorize-result").await?;
        assert!(shown.contains("\"username\":\"krystianity\"") || shown.contains("krystianity"), "the app shows the current user: {shown}");
        save(&artifacts, "authorize-result.png", &browser.screenshot().await?);

        // Deny.
        browser.goto(&format!("{app_base}/authorize")).await?;
        browser.find(Locator::Css("button[value=deny]")).await?.click().await?;
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
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    let _ = browser.close().await;
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(err) = result {
        panic!("browser flow failed: {err}");
    }
    eprintln!("screenshots in {}", artifacts.display());
}
