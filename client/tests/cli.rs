//! The `ilert-oauth2` CLI end to end against the embedded mock: `login --no-browser` through its
//! loopback listener, then `whoami`, `token-info`, `call`, `refresh` and `revoke` on the stored
//! tokens; failures print ilert's code and description and exit non-zero.
//!
//! The binary is the one cargo built for this test (`CARGO_BIN_EXE_ilert-oauth2`); it talks to
//! the mock on 127.0.0.1 only, and every `ILERT_*` variable of the surrounding environment is
//! removed so that only the flags given here count.
#![cfg(feature = "cli")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use ilert_mock::MockServer;
use ilert_oauth2_client::{ApiClient, FileStore, Pkce, TokenStore};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
use tokio::process::Command;

use common::*;

/// A guard against a hung process, not a timing assertion.
const PATIENCE: Duration = Duration::from_secs(30);

/// What a finished command left.
#[derive(Debug)]
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    fn assert_ok(&self) -> &Self {
        assert!(self.status.success(), "the command failed: {self:?}");
        self
    }

    fn assert_failed(&self) -> &Self {
        assert_eq!(self.status.code(), Some(1), "the command should exit 1: {self:?}");
        self
    }
}

/// `ilert-oauth2` with the app's flags; the secret goes through the environment, as the CLI
/// recommends (an empty secret: none at all).
fn cli(server: &MockServer, app: (&str, &str, &str), store: &Path) -> Command {
    let (client_id, secret, redirect_uri) = app;
    let mut command = Command::new(env!("CARGO_BIN_EXE_ilert-oauth2"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ILERT_") {
            command.env_remove(name);
        }
    }
    if !secret.is_empty() {
        command.env("ILERT_CLIENT_SECRET", secret);
    }
    command
        .env_remove("RUST_LOG")
        .args(["--client-id", client_id, "--redirect-uri", redirect_uri])
        .args(["--app-url", &server.base_url(), "--api-url", &server.base_url()])
        .arg("--store")
        .arg(store)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs one command to its end.
async fn ilert_oauth2(server: &MockServer, app: (&str, &str, &str), store: &Path, args: &[&str]) -> Run {
    let mut command = cli(server, app, store);
    command.args(args);
    let output = tokio::time::timeout(PATIENCE, command.output())
        .await
        .expect("the command finished")
        .expect("the command ran");
    Run {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `login --no-browser`, plays the browser on the URL it prints (the mock approves at once
/// and redirects to the CLI's loopback listener), and waits for the command to finish.
async fn login(server: &MockServer, app: (&str, &str, &str), store: &Path) -> Run {
    let mut command = cli(server, app, store);
    command.args(["login", "--no-browser", "--timeout", "30s"]);
    let mut child = command.spawn().expect("ilert-oauth2 starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut stderr = child.stderr.take().expect("stderr");
    let stderr_task = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });

    // The first stdout line is the authorize URL; the listener is up before it is printed.
    let mut first = String::new();
    tokio::time::timeout(PATIENCE, stdout.read_line(&mut first))
        .await
        .expect("the URL is printed")
        .expect("stdout reads");
    let authorize = url::Url::parse(first.trim()).unwrap_or_else(|e| panic!("not a URL ({e}): {first:?}"));
    assert!(
        authorize
            .as_str()
            .starts_with(&format!("{}/api/developers/oauth2/authorize?", server.base_url())),
        "{authorize}"
    );
    assert!(
        authorize
            .query_pairs()
            .any(|(k, v)| k == "code_challenge_method" && v == "S256"),
        "PKCE is on by default: {authorize}"
    );

    // The browser: the mock's 302, then the redirect to the CLI's listener.
    let http = browser();
    let back = redirect_of(&http, &authorize).await;
    assert!(back.as_str().starts_with(app.2), "{back}");
    let page = http.get(back).send().await.expect("the loopback answers");
    let page_status = page.status();

    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.expect("stdout reads");
    let status = tokio::time::timeout(PATIENCE, child.wait())
        .await
        .expect("login finished")
        .expect("waits");
    let stderr = stderr_task.await.expect("stderr joins");
    assert_eq!(page_status, 200, "the loopback page: {stderr}");
    Run {
        status,
        stdout: rest,
        stderr,
    }
}

/// Registers an app whose redirect URI is a free loopback port, as a developer registers one
/// for a CLI. Returns (client id, secret, redirect URI).
fn register_cli_app(server: &MockServer) -> (&'static str, &'static str, String) {
    let redirect = format!("http://127.0.0.1:{}/cb", free_port());
    add_confidential_app(
        server,
        (900, "CLI test app"),
        ("cli-test-app", "cli-test-secret"),
        &redirect,
    );
    ("cli-test-app", "cli-test-secret", redirect)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[tokio::test]
async fn login_then_every_command_on_the_stored_tokens() {
    let server = auto_server().await;
    let (id, secret, redirect) = register_cli_app(&server);
    let app = (id, secret, redirect.as_str());
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json");

    // login: exit 0, the user as JSON on stdout, the tokens in a private file.
    let run = login(&server, app, &store).await;
    run.assert_ok();
    assert_eq!(run.json()["username"], "someUser", "{run:?}");
    assert!(run.stderr.contains("Signed in"), "{run:?}");
    let code_posts = token_posts(&server, "authorization_code");
    assert_eq!(code_posts.len(), 1);
    assert_eq!(form(&code_posts[0], "redirect_uri"), Some(redirect.as_str()));
    assert_eq!(form(&code_posts[0], "code_verifier"), Some("[redacted]"));
    #[cfg(unix)]
    assert_eq!(mode(&store), 0o600);
    let tokens = FileStore::new(&store).load().expect("loads").expect("tokens");
    assert_eq!(tokens.scope, "profile source:w");

    // whoami
    let run = ilert_oauth2(&server, app, &store, &["whoami"]).await;
    run.assert_ok();
    assert_eq!(run.json()["username"], "someUser");
    assert_eq!(run.json()["id"], 1001);

    // token-info
    let run = ilert_oauth2(&server, app, &store, &["token-info"]).await;
    run.assert_ok();
    let info = run.json();
    assert_eq!(info["active"], true);
    assert_eq!(info["app_id"], 900);
    assert_eq!(info["username"], "someUser");

    // call GET
    let run = ilert_oauth2(&server, app, &store, &["call", "GET", "/api/users/current"]).await;
    run.assert_ok();
    assert_eq!(run.json()["username"], "someUser");
    assert!(run.stderr.contains("HTTP 200"), "{run:?}");

    // call POST: 201 and its Location on stderr, the created source on stdout.
    let run = ilert_oauth2(
        &server,
        app,
        &store,
        &[
            "call",
            "POST",
            "/api/alert-sources",
            "-d",
            r#"{"name":"From the CLI","integrationType":"API","escalationPolicy":{"id":1501}}"#,
        ],
    )
    .await;
    run.assert_ok();
    let created = run.json();
    assert_eq!(created["name"], "From the CLI");
    assert!(
        run.stderr.contains("HTTP 201, Location: ")
            && run
                .stderr
                .contains(&format!("/api/alert-sources/{}", created["id"])),
        "{run:?}"
    );

    // refresh: the login's tokens came from a code, so one refresh is fine; a second within
    // 5 minutes is refused (ilert's advice) unless forced.
    let run = ilert_oauth2(&server, app, &store, &["refresh"]).await;
    run.assert_ok();
    assert_eq!(
        run.json()["refresh_token"],
        true,
        "the summary says a refresh token is kept"
    );
    assert!(!run.stdout.contains("eyJ"), "no token is printed: {run:?}");
    assert_eq!(refreshes(&server), 1);
    let run = ilert_oauth2(&server, app, &store, &["refresh"]).await;
    run.assert_failed();
    assert!(
        run.stderr.contains("5 minutes") && run.stderr.contains("--force"),
        "{run:?}"
    );
    assert_eq!(refreshes(&server), 1, "the refused refresh sent nothing");
    assert_passes_audit(&server);
    ilert_oauth2(&server, app, &store, &["refresh", "--force"])
        .await
        .assert_ok();
    assert_eq!(refreshes(&server), 2);
    // Forced, it goes against ilert's advice, and the audit says so.
    let (found, table) = serious_findings(&server);
    assert_eq!(found, ["REFRESH_TOO_OFTEN/warning"], "{table}");
    server.audit().clear();

    // revoke: the file goes; afterwards the CLI says to sign in.
    let run = ilert_oauth2(&server, app, &store, &["revoke"]).await;
    run.assert_ok();
    assert!(run.stderr.contains("Revoked"), "{run:?}");
    assert!(!store.exists());
    let grants = server
        .admin()
        .grants(&ilert_mock::GrantFilter::app(id).user("someUser"));
    assert!(
        !grants.is_empty() && grants.iter().all(|g| g.revoked.is_some()),
        "the grant is revoked at the mock: {grants:?}"
    );
    let run = ilert_oauth2(&server, app, &store, &["whoami"]).await;
    run.assert_failed();
    assert!(run.stderr.contains("not signed in"), "{run:?}");
    assert_passes_audit(&server);
}

#[tokio::test]
async fn login_without_a_secret_uses_pkce_and_offline_access() {
    let server = auto_server().await;
    // The app has a secret, as the guide's app does; the CLI is not given it.
    let (id, _, redirect) = register_cli_app(&server);
    let app = (id, "", redirect.as_str());
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json");

    let run = login(&server, app, &store).await;
    run.assert_ok();
    assert_eq!(run.json()["username"], "someUser", "{run:?}");
    let code_posts = token_posts(&server, "authorization_code");
    assert_eq!(code_posts[0].status, 200);
    assert_eq!(form(&code_posts[0], "client_secret"), None);
    assert_eq!(form(&code_posts[0], "code_verifier"), Some("[redacted]"));
    let tokens = FileStore::new(&store).load().expect("loads").expect("tokens");
    assert_eq!(tokens.scope, "profile source:w offline_access");
    assert!(
        tokens.refresh_token.is_some(),
        "offline_access brings a refresh token"
    );

    ilert_oauth2(&server, app, &store, &["refresh"]).await.assert_ok();
    let refreshes = token_posts(&server, "refresh_token");
    assert_eq!(refreshes[0].status, 200);
    assert_eq!(form(&refreshes[0], "client_secret"), None);

    let run = ilert_oauth2(&server, app, &store, &["login", "--no-pkce"]).await;
    run.assert_failed();
    assert!(run.stderr.contains("PKCE"), "{run:?}");
    assert_passes_audit(&server);
}

/// A mock with the guide app signed in through the library (for `scopes`), its tokens written
/// to `tokens.json` in a fresh temporary folder, where the CLI reads them.
async fn guide_signed_in(
    scopes: &str,
) -> (
    MockServer,
    tempfile::TempDir,
    PathBuf,
    ilert_oauth2_client::TokenSet,
) {
    let server = auto_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json");
    let oauth = client(guide(&server, scopes));
    let tokens = sign_in(&oauth, Pkce::S256).await;
    ApiClient::new(oauth, Arc::new(FileStore::new(&store)))
        .set_tokens(tokens.clone())
        .await
        .expect("stored");
    (server, dir, store, tokens)
}

#[tokio::test]
async fn failing_commands_print_ilerts_code_and_description() {
    let (server, dir, store, tokens) = guide_signed_in("profile").await;
    let guide_app = (GUIDE_ID, GUIDE_SECRET, GUIDE_REDIRECT);

    // A REST error: status, ilert's code and message.
    let run = ilert_oauth2(&server, guide_app, &store, &["call", "GET", "/api/alert-sources"]).await;
    run.assert_failed();
    let rest = first_request_to(&server, "/api/alert-sources").expect("the call reached the mock");
    assert_eq!(rest.status, 403);
    // What ilert said, as the library reads it: the CLI shows the same code and message.
    let api = ApiClient::new(
        client(guide(&server, "profile")),
        Arc::new(FileStore::new(&store)),
    );
    let said = match api.alert_sources(Default::default()).await {
        Err(ilert_oauth2_client::Error::Api(e)) => e,
        other => panic!("not an API error: {other:?}"),
    };
    let (code, message) = (said.code.expect("a code"), said.message.expect("a message"));
    assert!(run.stderr.contains("HTTP 403"), "{run:?}");
    assert!(
        run.stderr.contains(&code) && run.stderr.contains(&message),
        "'{code}' and '{message}' shown: {run:?}"
    );
    assert!(run.stdout.is_empty(), "nothing on stdout: {run:?}");

    // A token endpoint error: the user revoked the app; ilert's code and description.
    server
        .admin()
        .revoke_grants(GUIDE_ID, "someUser")
        .expect("revoked");
    let run = ilert_oauth2(&server, guide_app, &store, &["refresh", "--force"]).await;
    run.assert_failed();
    let oauth = client(guide(&server, "profile"));
    let expected = oauth
        .refresh(tokens.refresh_token.as_ref().expect("refresh token"))
        .await
        .expect_err("revoked");
    let ilert_says = match &expected {
        ilert_oauth2_client::Error::Token(e) => e.description.clone().expect("a description"),
        other => panic!("not a token error: {other:?}"),
    };
    assert!(run.stderr.contains("invalid_grant"), "{run:?}");
    assert!(
        run.stderr.contains(&ilert_says),
        "ilert's description '{ilert_says}' is shown: {run:?}"
    );
    assert!(run.stderr.contains("sign in again"), "{run:?}");

    // A login whose exchange fails (wrong secret): invalid_client, exit 1, nothing stored.
    let (id, _, redirect) = register_cli_app(&server);
    let fresh = dir.path().join("other.json");
    let run = login(&server, (id, "wrong-secret", &redirect), &fresh).await;
    run.assert_failed();
    assert!(run.stderr.contains("invalid_client"), "{run:?}");
    assert!(!fresh.exists());
}

#[tokio::test]
async fn call_works_on_services_and_incidents() {
    let (server, _dir, store, _) = guide_signed_in("profile service:w incident:w").await;
    let guide_app = (GUIDE_ID, GUIDE_SECRET, GUIDE_REDIRECT);
    let call = async |args: &[&str]| {
        let mut all = vec!["call"];
        all.extend_from_slice(args);
        ilert_oauth2(&server, guide_app, &store, &all).await
    };

    // A list with a repeated query parameter.
    let run = call(&[
        "GET",
        "/api/services",
        "-q",
        "include=subscribed",
        "-q",
        "max-results=2",
    ])
    .await;
    run.assert_ok();
    let services = run.json();
    assert_eq!(services.as_array().map(Vec::len), Some(2), "{run:?}");
    assert_eq!(services[0]["subscribed"], false);

    // An incident on the public website: 200 (as ilert documents), the service follows.
    let body =
        r#"{"summary":"Website down","affectedServices":[{"impact":"MAJOR_OUTAGE","service":{"id":8403}}]}"#;
    let run = call(&["POST", "/api/incidents", "-d", body]).await;
    run.assert_ok();
    assert!(run.stderr.contains("HTTP 200"), "{run:?}");
    let id = run.json()["id"].as_i64().expect("an id");
    let run = call(&["GET", "/api/services/8403"]).await;
    assert_eq!(run.json()["status"], "MAJOR_OUTAGE");

    // Its ETag on stderr, sent back with -H: a stale one is refused with 412.
    let path = format!("/api/incidents/{id}");
    let run = call(&["GET", &path]).await;
    run.assert_ok();
    let etag = run
        .stderr
        .split("ETag: ")
        .nth(1)
        .map(|rest| rest.trim().to_owned())
        .unwrap_or_else(|| panic!("an ETag on stderr: {run:?}"));
    let if_match = format!("If-Match: {etag}");
    let resolve = r#"{"status":"RESOLVED","message":"Back up"}"#;
    let run = call(&["PUT", &path, "-H", &if_match, "-d", resolve]).await;
    run.assert_ok();
    assert_eq!(run.json()["status"], "RESOLVED");
    let run = call(&["PUT", &path, "-H", &if_match, "-d", resolve]).await;
    run.assert_failed();
    assert!(run.stderr.contains("412"), "{run:?}");
    let run = call(&["GET", "/api/services/8403"]).await;
    assert_eq!(run.json()["status"], "OPERATIONAL");
    let run = call(&["GET", "/api/incidents", "-H", "no colon"]).await;
    run.assert_failed();
    assert!(run.stderr.contains("NAME: VALUE"), "{run:?}");
}
