//! The `ilert-mock` binary: start-up banner, serving, and refusing bad fixtures with exit code 2.

use std::process::Command;

mod common;

use common::{BIN, spawn_binary_with_banner as spawn};

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

const AUTHORIZE: &str = "/api/developers/oauth2/authorize?client_id=0501439fd7dee9af0c25&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result&scope=profile";

#[tokio::test]
async fn starts_prints_credentials_and_serves() {
    let (_child, base, banner) = spawn(&["--auto-approve", "someUser"]);
    assert!(banner.contains("0501439fd7dee9af0c25"), "{banner}");
    assert!(banner.contains("3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad"));
    let r = http()
        .get(format!("{base}{AUTHORIZE}"))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), reqwest::StatusCode::FOUND);
    let health: serde_json::Value = http()
        .get(format!("{base}/_mock/health"))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
}

async fn frozen_run() -> String {
    let (_child, base, _) = spawn(&[
        "--auto-approve",
        "someUser",
        "--clock-start",
        "1800000000",
        "--freeze-clock",
    ]);
    let r = http()
        .get(format!("{base}{AUTHORIZE}"))
        .send()
        .await
        .expect("answers");
    let location = r.headers()["location"].to_str().expect("text").to_owned();
    let code = location
        .split("code=")
        .nth(1)
        .expect("code")
        .split('&')
        .next()
        .expect("code")
        .to_owned();
    let r = http()
        .post(format!("{base}/api/developers/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "0501439fd7dee9af0c25"),
            (
                "client_secret",
                "3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad",
            ),
            ("code", &code),
        ])
        .send()
        .await
        .expect("answers");
    r.text().await.expect("body")
}

#[tokio::test]
async fn clock_flags_make_two_processes_answer_byte_identical_tokens() {
    let first = frozen_run().await;
    let second = frozen_run().await;
    assert!(first.contains("access_token"), "{first}");
    assert_eq!(first, second);
}

#[tokio::test]
async fn no_control_hides_the_control_surface() {
    let (_child, base, _) = spawn(&["--no-control"]);
    let r = http()
        .get(format!("{base}/_mock/health"))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), reqwest::StatusCode::NOT_FOUND);
}

fn run_with_fixtures(contents: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!("ilert-mock-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(format!("f{}.toml", contents.len()));
    std::fs::write(&path, contents).expect("write");
    let out = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--fixtures"])
        .arg(&path)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn malformed_fixtures_exit_2_naming_file_line_and_reason() {
    let defaults = ilert_mock::fixtures::DEFAULT_TOML;
    let broken = defaults.replacen("id = 250", "id = \"x\"", 1);
    let line = defaults
        .lines()
        .position(|l| l.contains("id = 250"))
        .expect("present")
        + 1;
    let (code, stderr) = run_with_fixtures(&broken);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&format!(".toml:{line}:")), "{stderr}");

    let bad_redirect = defaults.replacen(
        "\"http://localhost:4597/webapp\", \"http://127.0.0.1:8765/callback\"",
        "\"javascript:alert(1)\"",
        1,
    );
    let (code, stderr) = run_with_fixtures(&bad_redirect);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("runs code in the browser"), "{stderr}");

    let (code, stderr) = run_with_fixtures("not toml [");
    assert_eq!(code, Some(2), "{stderr}");
}

#[test]
fn unknown_auto_approve_user_exits_2() {
    let out = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--auto-approve", "nobody"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody"));
}

#[tokio::test]
async fn tls_flag_serves_https_and_writes_the_ca() {
    let ca = std::env::temp_dir().join(format!("ilert-mock-cli-ca-{}.pem", std::process::id()));
    let _ = std::fs::remove_file(&ca);
    let (_child, base, _) = spawn(&["--tls", "--tls-ca-out", ca.to_str().expect("utf-8 path")]);
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let pem = std::fs::read(&ca).expect("CA written");
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).expect("PEM")])
        .build()
        .expect("client");
    let r = client
        .get(format!("{base}/_mock/health"))
        .send()
        .await
        .expect("TLS with the written CA");
    assert_eq!(r.status(), reqwest::StatusCode::OK);
}

/// The README's first command, `cargo run --release -p ilert-mock`, works only while the package
/// names which of its binaries (the mock, the bench) `cargo run` starts.
#[test]
fn cargo_run_starts_the_mock_not_the_bench() {
    let manifest: toml::Table = include_str!("../Cargo.toml").parse().expect("manifest");
    assert_eq!(
        manifest["package"]
            .get("default-run")
            .and_then(toml::Value::as_str),
        Some("ilert-mock")
    );
}
