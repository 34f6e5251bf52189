//! The `ilert-oauth2` CLI without a browser: `login --headless` against an auto-approving mock,
//! `--ca-cert` for an HTTPS mock, and the CLI snippet of `client/README.md` run line by line as written.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use ilert_mock::MockServer;
use tokio::process::Command;

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_ilert-oauth2");

/// A guard against a hung process, not a timing assertion.
const PATIENCE: Duration = Duration::from_secs(60);

/// `program` with no `ILERT_*` variable of the surrounding environment.
fn clean(program: &str) -> Command {
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ILERT_") {
            command.env_remove(name);
        }
    }
    command
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs to the end; returns (success, stdout, stderr).
async fn run(mut command: Command) -> (bool, String, String) {
    let out = tokio::time::timeout(PATIENCE, command.output())
        .await
        .expect("the command finished")
        .expect("the command ran");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `ilert-oauth2` for the guide's app on `base`, storing tokens in `store`.
fn guide_cli(base: &str, store: &Path, args: &[&str]) -> Command {
    let mut command = clean(BIN);
    command
        .env("ILERT_CLIENT_ID", GUIDE_ID)
        .env("ILERT_CLIENT_SECRET", GUIDE_SECRET)
        .env("ILERT_APP_URL", base)
        .env("ILERT_API_URL", base)
        .env("ILERT_STORE", store)
        .args(args);
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_cli_snippet_works_as_written() {
    let readme = include_str!("../README.md");
    let block = readme
        .split("```sh")
        .find(|b| b.contains("ilert-oauth2 login --headless"))
        .expect("README has the CLI snippet");
    let block = &block[..block.find("```").expect("the block ends")];
    let mock = block
        .lines()
        .find(|l| l.contains("-p ilert-mock"))
        .expect("the snippet starts the mock");
    assert!(mock.contains("--auto-approve someUser"), "{mock}");
    let server = auto_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json");
    // Every `export` and `ilert-oauth2` line as written; only the mock's address (a free port
    // here) and the token file differ.
    let lines: Vec<String> = block
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("export ") || l.starts_with("ilert-oauth2 "))
        .map(|l| {
            l.replace("http://127.0.0.1:4598", &server.base_url())
                .replace("/tmp/ilert-tokens.json", &store.display().to_string())
        })
        .collect();
    assert!(
        lines.iter().any(|l| l.starts_with("export ILERT_CLIENT_ID=")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("export ILERT_CLIENT_SECRET=")),
        "{lines:?}"
    );
    let bin_dir = Path::new(BIN).parent().expect("the binary's folder");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut bash = clean("bash");
    bash.env("PATH", path)
        .args(["-euo", "pipefail", "-c"])
        .arg(lines.join("\n"));
    let (ok, stdout, stderr) = run(bash).await;
    assert!(
        ok,
        "the snippet failed:\n{}\n{stdout}\n{stderr}",
        lines.join("\n")
    );
    assert!(stdout.contains("\"username\": \"someUser\""), "{stdout}");
    assert!(stderr.contains("Revoked"), "{stderr}");
    assert!(!store.exists(), "revoke removes the token file");
    assert_passes_audit(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_login_needs_a_server_that_approves_at_once() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json");
    let (ok, stdout, stderr) = run(guide_cli(&server.base_url(), &store, &["login", "--headless"])).await;
    assert!(!ok && stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("HTTP 200")
            && stderr.contains("needs a browser")
            && stderr.contains("--auto-approve"),
        "{stderr}"
    );
    assert!(!store.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ca_cert_trusts_the_mocks_development_ca() {
    let server = auto_server_with(|b| b.tls(true)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, server.ca_pem().expect("CA")).expect("write");
    let base = server.base_url();

    let (ok, _, stderr) = run(guide_cli(&base, &store, &["login", "--headless"])).await;
    assert!(!ok, "the public roots do not trust the development CA");
    assert!(stderr.contains("could not reach"), "{stderr}");

    let ca_arg = ca.to_str().expect("utf-8 path");
    let (ok, stdout, stderr) = run(guide_cli(
        &base,
        &store,
        &["login", "--headless", "--ca-cert", ca_arg],
    ))
    .await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("someUser"), "{stdout}");
    let mut whoami = guide_cli(&base, &store, &["whoami"]);
    whoami.env("ILERT_CA_CERT", &ca);
    let (ok, stdout, stderr) = run(whoami).await;
    assert!(ok && stdout.contains("someUser"), "{stderr}");

    let (ok, _, stderr) = run(guide_cli(
        &base,
        &store,
        &["whoami", "--ca-cert", "/nonexistent/ca.pem"],
    ))
    .await;
    assert!(
        !ok && stderr.contains("--ca-cert /nonexistent/ca.pem"),
        "{stderr}"
    );
    assert_passes_audit(&server);
}
