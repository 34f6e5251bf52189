//! The `ilert-conformance` binary: exit codes, the closing line, and the JSON and JUnit files a
//! CI job keeps.

use std::process::Command;

use ilert_mock::{Breakage, MockServer};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ilert-conformance"))
}

#[test]
fn spawn_runs_the_suite_and_writes_reports() {
    let dir = std::env::temp_dir().join(format!("ilert-conformance-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (json, junit) = (dir.join("report.json"), dir.join("report.xml"));
    let out = bin()
        .args(["--spawn", "--only", "TOKEN-ERR-*,AUTHZ-STATE-01", "--json"])
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert_eq!(last, "29 passed, 0 failed, 0 skipped", "{stdout}");
    assert!(stdout.contains("TOKEN-ERR-INVALID-GRANT-01") && stdout.contains("pass"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json written")).expect("valid JSON");
    assert_eq!(report["summary"]["passed"], 29);
    assert_eq!(report["cases"][0]["id"], "AUTHZ-STATE-01");
    assert_eq!(report["cases"][0]["source_kind"], "rfc");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(
        xml.starts_with("<?xml") && xml.contains("<testsuite name=\"token\" tests=\"28\" failures=\"0\"")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_server_exits_1_and_says_what_was_sent_expected_and_got() {
    let server = MockServer::builder()
        .breakage(Breakage::InvalidGrantStatus400)
        .start()
        .await
        .expect("the mock starts");
    let base = server.base_url();
    let out = tokio::task::spawn_blocking(move || {
        bin()
            .args([
                "--base-url",
                &base,
                "--only",
                "TOKEN-ERR-INVALID-GRANT-01,TOKEN-ERR-INVALID-CLIENT-01",
                "--quiet",
            ])
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("joined");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.ends_with("1 passed, 1 failed, 0 skipped\n"), "{stdout}");
    let failure = stdout
        .split("FAILED TOKEN-ERR-INVALID-GRANT-01")
        .nth(1)
        .expect("the failure is described");
    assert!(failure.contains("source:   ilert-doc"), "{failure}");
    assert!(failure.contains("sent:     {\"method\":\"POST\""), "{failure}");
    assert!(failure.contains("\"client_secret\":\"[redacted]\""), "{failure}");
    assert!(failure.contains("expected: HTTP 401"), "{failure}");
    assert!(
        failure.contains("got:      {") && failure.contains("\"status\":400"),
        "{failure}"
    );
}

#[test]
fn an_unreachable_server_exits_2() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a port")
        .port();
    let out = bin()
        .args(["--base-url", &format!("http://127.0.0.1:{port}"), "--quiet"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing answers"));
}
