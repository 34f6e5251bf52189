//! Debian's Chromium, headless, driven through chromedriver on 127.0.0.1 (WebDriver, fantoccini),
//! for the tests that need a real browser: the grant view's (browser.rs) and the dashboard's
//! (dashboard.rs). Without `chromium` and `chromedriver` (`.ci/run` installs them) a test says
//! SKIPPED with the reason and returns; `CHROMIUM` and `CHROMEDRIVER` override the paths.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Kills a child process when the test ends, however it ends.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `$env`, else the first of `candidates` that exists.
pub fn find_binary(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        return Some(PathBuf::from(path)).filter(|p| p.exists());
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// `target/` (a test runs as `target/<profile>/deps/<name>-…`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
}

/// Where screenshots go: `target/browser-artifacts/`.
pub fn artifacts() -> PathBuf {
    target_dir().join("browser-artifacts")
}

/// Writes a screenshot under `dir`.
pub fn save(dir: &Path, name: &str, png: &[u8]) {
    std::fs::create_dir_all(dir).expect("artifact directory");
    std::fs::write(dir.join(name), png).expect("screenshot written");
}

/// Waits (20 s at most) until something listens on `addr`.
pub async fn wait_until_listening(addr: SocketAddr, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start listening on {addr}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A headless Chromium session: the browser, and the driver and profile it lives on (the
/// driver is killed and the profile removed on drop).
pub struct Session {
    /// The WebDriver client.
    pub browser: Client,
    _driver: Killed,
    profile: PathBuf,
}

impl Session {
    /// Starts chromedriver and a fresh headless Chromium with `window` (`"1280,900"`) and
    /// `extra` arguments; `None` (after printing `SKIPPED {test}: …`) without the binaries.
    pub async fn start(test: &str, window: &str, extra: &[String]) -> Option<Self> {
        let Some(chromium) = find_binary("CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"])
        else {
            eprintln!("SKIPPED {test}: no chromium (apt-get install chromium chromium-driver)");
            return None;
        };
        let Some(chromedriver) = find_binary("CHROMEDRIVER", &["/usr/bin/chromedriver"]) else {
            eprintln!("SKIPPED {test}: no chromedriver (apt-get install chromium-driver)");
            return None;
        };
        let port = super::free_port();
        let driver = Killed(
            Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        wait_until_listening(SocketAddr::from(([127, 0, 0, 1], port)), "chromedriver").await;
        let profile = std::env::temp_dir().join(format!("ilert-mock-chromium-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        // No background connections: a CI machine without network refuses them, many at a time.
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
        args.push(format!("--window-size={window}"));
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(extra.iter().cloned());
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium, "args": args }),
        );
        let browser = ClientBuilder::rustls()
            .expect("TLS roots for the WebDriver client")
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Some(Self {
            browser,
            _driver: driver,
            profile,
        })
    }

    /// Closes the browser and removes its profile.
    pub async fn close(self) {
        let _ = self.browser.clone().close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The text of the first element `css` selects, once `ready` holds for it (20 s at most);
/// an element replaced while being read is read again.
pub async fn text_when(
    browser: &Client,
    css: &str,
    ready: impl Fn(&str) -> bool,
) -> Result<String, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = String::new();
    loop {
        if let Ok(element) = browser.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if ready(&text) {
                return Ok(text);
            }
            last = text;
        }
        if Instant::now() > deadline {
            return Err(format!("{css} never got ready; it read: {last}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (20 s at most) until `css` selects an element, and returns it.
pub async fn element(
    browser: &Client,
    css: &str,
) -> Result<fantoccini::elements::Element, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(element) = browser.find(Locator::Css(css)).await {
            return Ok(element);
        }
        if Instant::now() > deadline {
            return Err(format!("nothing matched {css}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks the first element `css` selects (it must be there already).
pub async fn click(browser: &Client, css: &str) -> Result<(), Box<dyn std::error::Error>> {
    browser.find(Locator::Css(css)).await?.click().await?;
    Ok(())
}
