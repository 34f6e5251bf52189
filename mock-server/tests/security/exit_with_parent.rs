//! `--exit-with-parent`: a mock started by a harness cannot outlive it. The mock stops when the
//! stdin pipe its starter holds closes, and when its parent dies, even by SIGKILL (the case of a
//! pytest run killed by a timeout or a CI runner).

use super::*;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::time::Instant;

/// Whether process `pid` still runs (a zombie counts as gone: it serves nothing).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
    })
}

/// Polls until `pid` is gone; the bound only ends a broken test, it asserts no timing.
fn wait_gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn the_mock_stops_when_its_stdin_pipe_closes() {
    let mut child = binary_command()
        .args(["--bind", "127.0.0.1:0", "--exit-with-parent"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    base_from_stdout(&mut child);
    let pid = child.id();
    drop(child.stdin.take());
    let status = child.wait().expect("waits");
    assert!(status.success(), "{status:?}");
    assert!(!alive(pid));
}

#[test]
fn a_sigkilled_parent_leaves_no_mock_running() {
    // A shell stands in for the test process: it starts the mock (stdin from /dev/null, so only
    // the parent watch can stop it), prints its pid, and waits; then it is killed with SIGKILL.
    let dir = tempfile::tempdir().expect("temp dir");
    let ready = dir.path().join("ready");
    let script = format!(
        "'{BIN}' --bind 127.0.0.1:0 --exit-with-parent --ready-file '{}' </dev/null >/dev/null 2>&1 & echo $!; wait",
        ready.display()
    );
    let mut shell = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawns");
    let stdout = shell.stdout.take().expect("stdout");
    let pid: u32 = BufReader::new(stdout)
        .lines()
        .next()
        .expect("a line")
        .expect("text")
        .trim()
        .parse()
        .expect("a pid");
    // Killed once the mock serves, as a test process would be.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(alive(pid) && ready.exists());
    shell.kill().expect("SIGKILL");
    shell.wait().expect("reaped");
    let gone = wait_gone(pid);
    if !gone {
        let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
    }
    assert!(gone, "the mock {pid} outlived its SIGKILLed parent");
}
