//! The `ilert-mock` binary: start-up banner and its stable first line, the ready file, serving,
//! boolean environment values, a port in use, colour, `ilert-mock fixtures`, fixture files that
//! extend the defaults, and refusing bad fixtures with exit code 2.

use std::process::{Command, Stdio};

use crate::common;

use common::{
    BIN, CLIENT_ID, CLIENT_SECRET, Killed, base_from_stdout, binary_command as command, fetch, get_json,
    http, json_of, spawn_binary_with as spawn_with, spawn_binary_with_banner as spawn,
};

const AUTHORIZE: &str = "/api/developers/oauth2/authorize?client_id=0501439fd7dee9af0c25&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result&scope=profile";

#[tokio::test]
async fn starts_prints_credentials_and_serves() {
    let (_child, base, banner) = spawn(&["--auto-approve", "someUser"]);
    assert!(banner.contains(CLIENT_ID), "{banner}");
    assert!(banner.contains(CLIENT_SECRET));
    let r = fetch(format!("{base}{AUTHORIZE}")).await;
    assert_eq!(r.status(), reqwest::StatusCode::FOUND);
    let health: serde_json::Value = get_json(&format!("{base}/_mock/health"), &[]).await;
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
    let r = fetch(format!("{base}{AUTHORIZE}")).await;
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
        .form(&common::exchange_form(&code))
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
    let r = fetch(format!("{base}/_mock/health")).await;
    assert_eq!(r.status(), reqwest::StatusCode::NOT_FOUND);
}

fn run_with_fixtures(contents: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!("ilert-mock-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(format!("f{}.toml", contents.len()));
    std::fs::write(&path, contents).expect("write");
    let out = command()
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
    let out = command()
        .args(["--bind", "127.0.0.1:0", "--auto-approve", "nobody"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody"));
}

/// Runs the binary with `args` and `env` expecting it to refuse to start; returns stderr.
fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = command()
        .args(["--bind", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    stderr
}

#[test]
fn an_empty_control_token_exits_2() {
    // An unset CI secret arrives as an empty flag value or an empty variable.
    assert!(refused(&["--control-token", ""], &[]).contains("--control-token is empty"));
    assert!(refused(&[], &[("ILERT_MOCK_CONTROL_TOKEN", "")]).contains("--control-token is empty"));
}

#[test]
fn bad_allowed_hosts_and_timeouts_exit_2() {
    assert!(refused(&["--allowed-host", "http://mock:4598"], &[]).contains("--allowed-host"));
    assert!(refused(&[], &[("ILERT_MOCK_ALLOWED_HOSTS", "mock,a b")]).contains("'a b'"));
    assert!(refused(&["--header-read-timeout", "0"], &[]).contains("seconds"));
    assert!(refused(&["--idle-timeout", "soon"], &[]).contains("seconds"));
}

async fn status_for_host(base: &str, host: &str) -> reqwest::StatusCode {
    http()
        .get(format!("{base}/_mock/health"))
        .header("Host", host)
        .send()
        .await
        .expect("answers")
        .status()
}

#[tokio::test]
async fn allowed_hosts_come_from_flags_and_the_variable() {
    use reqwest::StatusCode;
    let (_flag, base, _) = spawn_with(
        &["--allowed-host", "mock", "--header-read-timeout", "2.5"],
        &[("ILERT_MOCK_ALLOWED_HOSTS", "ignored-when-the-flag-is-given")],
    );
    assert_eq!(status_for_host(&base, "mock:4598").await, StatusCode::OK);
    assert_eq!(status_for_host(&base, "acme.mock").await, StatusCode::OK);
    assert_eq!(
        status_for_host(&base, "rebind.attacker.example").await,
        StatusCode::FORBIDDEN
    );

    let (_variable, base, _) = spawn_with(&[], &[("ILERT_MOCK_ALLOWED_HOSTS", "mock, .dev.example")]);
    assert_eq!(status_for_host(&base, "mock").await, StatusCode::OK);
    assert_eq!(status_for_host(&base, "a.b.dev.example").await, StatusCode::OK);
    assert_eq!(
        status_for_host(&base, "other.example").await,
        StatusCode::FORBIDDEN
    );
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

/// The README's first command, `cargo run --release -p ilert-mock`, needs no `--bin` only while
/// the package has one binary (the bench is the separate package `ilert-mock-bench`): asked by
/// cargo itself, which reads the manifest and the `src/bin/` folder as `cargo run` does.
#[test]
fn cargo_run_starts_the_mock() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{output:?}");
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let package = metadata["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "ilert-mock"))
        .expect("the ilert-mock package");
    let binaries: Vec<&str> = package["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter(|t| t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin")))
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(binaries, ["ilert-mock"]);
    assert!(
        package["default_run"].is_null() || package["default_run"] == "ilert-mock",
        "{}",
        package["default_run"]
    );
}

#[tokio::test]
async fn the_ready_file_names_the_base_url_once_the_server_answers() {
    let dir = tempfile::tempdir().expect("dir");
    let ready = dir.path().join("ready");
    let mut child = Killed(
        command()
            .args(["--bind", "127.0.0.1:0", "--ready-file"])
            .arg(&ready)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns"),
    );
    // The first stdout line comes when the server answers; the ready file at the same moment.
    let base = base_from_stdout(&mut child.0);
    let mut written = String::new();
    for _ in 0..500 {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            written = text;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(written, format!("{base}\n"));
    let r = fetch(format!("{}/_mock/health", written.trim())).await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn boolean_environment_values_take_1_0_yes_no_on_off() {
    let (_child, base, _) = spawn_with(
        &[],
        &[("ILERT_MOCK_TLS", "1"), ("ILERT_MOCK_FREEZE_CLOCK", "yes")],
    );
    assert!(base.starts_with("https://"), "{base}");
    let insecure = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .expect("client");
    let health = json_of(insecure.get(format!("{base}/_mock/health"))).await;
    assert_eq!(health["clock"]["frozen"], true);

    let (_child, base, _) = spawn_with(&[], &[("ILERT_MOCK_TLS", "off"), ("ILERT_MOCK_NO_CONTROL", "0")]);
    assert!(base.starts_with("http://"), "{base}");
    let r = fetch(format!("{base}/_mock/health")).await;
    assert_eq!(
        r.status(),
        reqwest::StatusCode::OK,
        "NO_CONTROL=0 keeps the controls"
    );

    // Off by environment, so this combination is fine; on, it is refused.
    let (_child, base, _) = spawn_with(&["--control-token", "t"], &[("ILERT_MOCK_NO_CONTROL", "false")]);
    let r = http()
        .get(format!("{base}/_mock/clock"))
        .bearer_auth("t")
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let out = command()
        .args(["--bind", "127.0.0.1:0", "--control-token", "t"])
        .env("ILERT_MOCK_NO_CONTROL", "on")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-control"));

    let out = command()
        .args(["--bind", "127.0.0.1:0"])
        .env("ILERT_MOCK_TLS", "maybe")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("'maybe'") && stderr.contains("--tls") && stderr.contains("1/0"),
        "{stderr}"
    );
}

#[test]
fn a_port_in_use_suggests_another_port_or_port_zero() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = taken.local_addr().expect("addr");
    let out = command()
        .args(["--bind", &addr.to_string()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--bind 127.0.0.1:0"), "{stderr}");
    assert!(
        stderr.contains(&format!("--bind 127.0.0.1:{}", addr.port() + 1)),
        "{stderr}"
    );
}

/// Runs the mock with stderr sent to a pipe (or, through `script`, a terminal), lets it log one
/// request and returns what it logged.
async fn logs(through_terminal: bool, no_color: Option<&str>) -> Option<String> {
    let dir = tempfile::tempdir().expect("dir");
    let ready = dir.path().join("ready");
    let log = dir.path().join("log");
    let mut cmd = if through_terminal {
        // util-linux `script` gives the mock a terminal and copies what it writes to `log`.
        if Command::new("script").arg("--version").output().is_err() {
            return None;
        }
        // `script` runs the mock as its own child, which killing `script` would leave running:
        // `--exit-with-parent` ends the mock with it.
        let mut cmd = Command::new("script");
        cmd.args(["-qefc"])
            .arg(format!(
                "{BIN} --bind 127.0.0.1:0 --exit-with-parent --ready-file {}",
                ready.display()
            ))
            .arg(&log);
        cmd
    } else {
        let mut cmd = command();
        cmd.args(["--bind", "127.0.0.1:0", "--ready-file"])
            .arg(&ready)
            .stderr(std::fs::File::create(&log).expect("log file"));
        cmd
    };
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ILERT_MOCK_") {
            cmd.env_remove(name);
        }
    }
    cmd.env_remove("RUST_LOG").env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let child = Killed(
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawns"),
    );
    let mut base = String::new();
    for _ in 0..1000 {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            base = text.trim().to_owned();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!base.is_empty(), "the mock became ready");
    fetch(format!("{base}/_mock/health")).await;
    fetch(format!("{base}/api/users/current")).await;
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(child);
    Some(std::fs::read_to_string(&log).unwrap_or_default())
}

#[tokio::test]
async fn colour_only_on_a_terminal_and_never_with_no_color() {
    let piped = logs(false, None).await.expect("runs");
    assert!(piped.contains("/api/users/current"), "{piped}");
    assert!(!piped.contains('\u{1b}'), "colour codes in a pipe: {piped:?}");
    match logs(true, None).await {
        None => println!("SKIPPED the terminal half: util-linux `script` is not installed"),
        Some(tty) => {
            assert!(tty.contains('\u{1b}'), "no colour on a terminal: {tty:?}");
            let no_color = logs(true, Some("1")).await.expect("runs");
            assert!(no_color.contains("/api/users/current"), "{no_color}");
            assert!(
                !no_color.contains('\u{1b}'),
                "colour despite NO_COLOR: {no_color:?}"
            );
        }
    }
}

#[test]
fn the_fixtures_subcommand_prints_the_defaults() {
    let out = command().arg("fixtures").output().expect("runs");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ilert_mock::fixtures::DEFAULT_TOML
    );
    let out = command()
        .args(["fixtures", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let json = String::from_utf8_lossy(&out.stdout);
    let fixtures = ilert_mock::Fixtures::from_json(&json, "stdout").expect("the JSON loads");
    assert_eq!(
        fixtures.apps.len(),
        ilert_mock::Fixtures::embedded().expect("defaults").apps.len()
    );
}

#[tokio::test]
async fn a_json_fixtures_file_can_add_one_app_to_the_defaults() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mine.json");
    std::fs::write(
        &path,
        r#"{"extends": "default", "apps": [{"id": 900, "name": "Mine", "client_id": "mine",
            "client_secret": "s", "redirect_uris": ["http://localhost:3000/cb"], "scopes": ["profile"]}]}"#,
    )
    .expect("write");
    let (_child, base, banner) = spawn(&["--fixtures", path.to_str().expect("utf-8")]);
    assert!(banner.contains(CLIENT_ID), "{banner}");
    let apps: serde_json::Value = get_json(&format!("{base}/_mock/apps"), &[]).await;
    let ids: Vec<&str> = apps
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|a| a["client_id"].as_str())
        .collect();
    assert!(ids.contains(&"mine") && ids.contains(&CLIENT_ID), "{ids:?}");
}
