//! `ilert-mock audit --base-url URL [--fail-on …] [--json FILE] [--junit FILE]`: the table, the
//! CI files and the exit codes (0 clean, 1 a finding at or above `--fail-on`, 2 cannot run),
//! also against a mock that demands a control token and one that speaks HTTPS.

use std::process::Output;

use ilert_mock::{ControlAccess, MockServer};
use serde_json::Value;

use super::common::*;
use super::sign_in_right;

fn audit(args: &[&str]) -> Output {
    binary_command()
        .arg("audit")
        .args(args)
        .output()
        .expect("the command runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The guide app signs in without PKCE: a warning, nothing worse.
async fn warned_server() -> MockServer {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let (status, _, _) = exchange(&server, &code).await;
    assert_eq!(status, 200);
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_sets_the_exit_code_and_the_files_are_written() {
    let server = warned_server().await;
    let base = server.base_url();
    let dir = tempfile::tempdir().expect("temp dir");
    let (json, junit) = (dir.path().join("audit.json"), dir.path().join("audit.xml"));
    let out = tokio::task::spawn_blocking({
        let (base, json, junit) = (base.clone(), json.clone(), junit.clone());
        move || {
            audit(&[
                "--base-url",
                &base,
                "--fail-on",
                "warning",
                "--json",
                json.to_str().expect("utf-8"),
                "--junit",
                junit.to_str().expect("utf-8"),
            ])
        }
    })
    .await
    .expect("ran");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("severity  id"), "{stdout}");
    assert!(
        stdout.contains("WARNING NO_PKCE — 1 authorization without PKCE"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 errors, 1 warning, 0 info in 2 requests of 1 app"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAILED: 1 finding(s) at --fail-on warning or above"),
        "{stdout}"
    );

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json written")).expect("JSON");
    assert_eq!(report["base_url"], base);
    assert_eq!(report["fail_on"], "warning");
    assert_eq!(report["passed"], false);
    assert_eq!(report["findings"][0]["id"], "NO_PKCE");
    assert!(
        report["tool"]
            .as_str()
            .is_some_and(|t| t.starts_with("ilert-mock audit "))
    );
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(
        xml.contains("<testsuites name=\"ilert-mock audit\" tests=\"14\" failures=\"1\">"),
        "{xml}"
    );
    assert!(
        xml.contains(&format!(
            "<testsuite name=\"{CLIENT_ID}\" tests=\"14\" failures=\"1\""
        )),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"NO_PKCE\"><failure message=\"1 authorization without PKCE"),
        "{xml}"
    );

    let lenient = tokio::task::spawn_blocking(move || audit(&["--base-url", &base, "--fail-on", "error"]))
        .await
        .expect("ran");
    let stdout = text(&lenient.stdout);
    assert_eq!(lenient.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("passed: no finding at --fail-on error or above"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_run_passes_and_an_unreachable_mock_exits_2() {
    let server = auto_server().await;
    sign_in_right(&server, "profile").await;
    let base = server.base_url();
    let out = tokio::task::spawn_blocking(move || audit(&["--base-url", &base, "--fail-on", "warning"]))
        .await
        .expect("ran");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).starts_with("no findings"),
        "{}",
        text(&out.stdout)
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let out =
        tokio::task::spawn_blocking(move || audit(&["--base-url", &format!("http://127.0.0.1:{port}")]))
            .await
            .expect("ran");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot reach"),
        "{}",
        text(&out.stderr)
    );
    let out = audit(&["--base-url", "localhost:4598"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("give the mock's base URL"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_control_token_and_https() {
    let server = started(
        MockServer::builder()
            .tls(true)
            .control(ControlAccess::Token("t0ken".into())),
    )
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, server.ca_pem().expect("a CA")).expect("written");
    let (base, ca) = (server.base_url(), ca.to_str().expect("utf-8").to_owned());
    let out = tokio::task::spawn_blocking(move || {
        let without_ca = audit(&["--base-url", &base, "--control-token", "t0ken"]);
        let without_token = audit(&["--base-url", &base, "--ca-cert", &ca]);
        let with_both = audit(&["--base-url", &base, "--ca-cert", &ca, "--control-token", "t0ken"]);
        [without_ca, without_token, with_both]
    })
    .await
    .expect("ran");
    let [without_ca, without_token, with_both] = out;
    assert_eq!(without_ca.status.code(), Some(2));
    assert!(
        text(&without_ca.stderr).contains("--ca-cert"),
        "{}",
        text(&without_ca.stderr)
    );
    assert_eq!(without_token.status.code(), Some(2));
    assert!(
        text(&without_token.stderr).contains("answered 401: the control surface needs Authorization"),
        "{}",
        text(&without_token.stderr)
    );
    assert_eq!(with_both.status.code(), Some(0), "{}", text(&with_both.stderr));
    assert!(text(&with_both.stdout).contains("did the tests run against this mock?"));
}

/// The `--audit-size` flag reaches the server (and `cargo run -p ilert-mock` still serves).
#[test]
fn the_server_takes_audit_size() {
    let (_child, base) = spawn_binary(&["--audit-size", "5"]);
    assert!(base.starts_with("http://127.0.0.1:"));
}
