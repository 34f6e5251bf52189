//! `--state-file`: a process killed with SIGKILL in the middle of a load restarts with every
//! grant it had answered, every revocation it had answered, every event it had acknowledged, and
//! its run-time changes; a corrupt or truncated file is refused, never silently reset; a
//! version-2 file is migrated; `ilert-mock state dump` prints a file's state; SIGTERM lets
//! in-flight requests finish.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use parking_lot::Mutex;
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::{BIN, base_from_stdout, code_request, exchange_at, grant_code_at, json_of, refresh_at, started};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ilert-mock-state-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn spawn(state: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--state-file"])
        .arg(state)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let base = base_from_stdout(&mut child);
    (child, base)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

#[derive(Default)]
struct Answered {
    live: Vec<String>,
    revoked: Vec<String>,
    sources: Vec<i64>,
}

/// One worker's loop: a new user, a grant for them, sometimes a revocation or an alert source.
/// Records only what the server answered with success.
async fn worker(base: String, id: usize, answered: Arc<Mutex<Answered>>) {
    let client = http();
    for n in 0.. {
        let username = format!("crash-{id}-{n}");
        let user = json!({"id": 500_000 + id * 100_000 + n, "tenant": "someTenant", "username": username,
            "first_name": "C", "last_name": "U", "email": format!("{username}@example.com")});
        let Ok(r) = client
            .post(format!("{base}/_mock/users"))
            .json(&user)
            .send()
            .await
        else {
            return;
        };
        if r.status() != StatusCode::CREATED {
            return;
        }
        let Ok(r) = client
            .post(format!("{base}/api/developers/oauth2/authorize"))
            .form(
                &[
                    &code_request("profile source:w")[..],
                    &[("user", username.as_str()), ("decision", "grant")],
                ]
                .concat(),
            )
            .send()
            .await
        else {
            return;
        };
        let Some(location) = r
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned)
        else {
            return;
        };
        let Some(code) = url::Url::parse(&location).ok().and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
        }) else {
            return;
        };
        let Ok(r) = client
            .post(format!("{base}/api/developers/oauth2/token"))
            .form(&common::exchange_form(&code))
            .send()
            .await
        else {
            return;
        };
        if r.status() != StatusCode::OK {
            return;
        }
        let Ok(tokens) = r.json::<Value>().await else {
            return;
        };
        let refresh = tokens["refresh_token"].as_str().unwrap_or_default().to_owned();
        let access = tokens["access_token"].as_str().unwrap_or_default().to_owned();
        if n % 3 == 0 {
            // A revocation in flight when the kill comes may or may not have been saved: its
            // token counts as neither live nor revoked until the answer says which.
            let Ok(r) = client
                .post(format!("{base}/api/developers/oauth2/revoke"))
                .form(&[("token", &refresh)])
                .send()
                .await
            else {
                return;
            };
            let mut a = answered.lock();
            if r.status() == StatusCode::OK {
                a.revoked.push(refresh);
            } else {
                a.live.push(refresh);
            }
        } else {
            answered.lock().live.push(refresh);
        }
        if n % 4 == 0 {
            let body = json!({"name": format!("src-{id}-{n}"), "integrationType": "API", "escalationPolicy": {"id": 1501}});
            let Ok(r) = client
                .post(format!("{base}/api/alert-sources"))
                .bearer_auth(&access)
                .json(&body)
                .send()
                .await
            else {
                return;
            };
            if r.status() == StatusCode::CREATED
                && let Ok(created) = r.json::<Value>().await
            {
                answered
                    .lock()
                    .sources
                    .push(created["id"].as_i64().unwrap_or_default());
            }
        }
    }
}

/// Starts the binary on a fresh state file in `temp_dir(name)`, lets `workers` copies of `worker`
/// load it (each with its number and the shared record) until `enough` holds of the record (or
/// 30 s), then SIGKILLs it while requests are in flight and waits for the workers to see it gone.
/// Returns the state file and what the workers recorded as answered.
async fn kill_mid_load<T, W, F>(
    name: &str,
    workers: usize,
    worker: W,
    enough: impl Fn(&T) -> bool,
) -> (PathBuf, T)
where
    T: Default + Send + 'static,
    W: Fn(String, usize, Arc<Mutex<T>>) -> F,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let state = temp_dir(name).join("state.json");
    let (mut child, base) = spawn(&state);
    let record = Arc::new(Mutex::new(T::default()));
    let workers: Vec<_> = (0..workers)
        .map(|id| tokio::spawn(worker(base.clone(), id, record.clone())))
        .collect();
    let started = Instant::now();
    while !enough(&record.lock()) && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    for w in workers {
        let _ = w.await;
    }
    let answered = std::mem::take(&mut *record.lock());
    (state, answered)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_load_loses_nothing_that_was_answered() {
    let (state, answered) = kill_mid_load("kill", 4, worker, |a: &Answered| a.live.len() >= 40).await;
    assert!(
        answered.live.len() >= 20,
        "the load ran: {} grants",
        answered.live.len()
    );
    assert!(!answered.revoked.is_empty());

    let (mut restarted, base) = spawn(&state);
    let client = http();
    for rt in &answered.live {
        assert_eq!(
            refresh_at(&client, &base, rt).await.0,
            StatusCode::OK,
            "a grant answered 200 before the kill was lost"
        );
    }
    for rt in &answered.revoked {
        assert_eq!(
            refresh_at(&client, &base, rt).await.0,
            StatusCode::UNAUTHORIZED,
            "a revocation answered 200 was lost"
        );
    }
    // Run-time users and alert sources survived too.
    let (access, _) = grant(&client, &base, "crash-0-0", "source").await;
    for id in &answered.sources {
        let r = client
            .get(format!("{base}/api/alert-sources/{id}"))
            .bearer_auth(&access)
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), StatusCode::OK, "alert source {id} lost");
    }
    let _ = restarted.kill();
    let _ = restarted.wait();
}

fn start_expecting_refusal(state: &Path) -> String {
    let out = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--state-file"])
        .arg(state)
        .stdout(Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn corrupt_and_truncated_state_files_are_refused() {
    let dir = temp_dir("corrupt");
    let state = dir.join("state.json");
    let (mut child, _) = spawn(&state);
    let _ = child.kill();
    let _ = child.wait();
    let good = std::fs::read_to_string(&state).expect("written at start");
    assert!(good.contains("ilert-mock-state"));

    std::fs::write(&state, &good[..good.len() / 3]).expect("truncate");
    let stderr = start_expecting_refusal(&state);
    assert!(stderr.contains("corrupt or truncated"), "{stderr}");
    // Refused, not replaced.
    assert_eq!(
        std::fs::read_to_string(&state).expect("still there").len(),
        good.len() / 3
    );

    std::fs::write(&state, "{\"hello\": 1}").expect("write");
    assert!(start_expecting_refusal(&state).contains("corrupt"));
    std::fs::write(&state, good.replace("ilert-mock-state", "something-else")).expect("write");
    assert!(start_expecting_refusal(&state).contains("not an ilert-mock state file"));
}

/// A grant of `scope` for the guide's app and `user`: (access token, refresh token).
async fn grant(client: &reqwest::Client, base: &str, user: &str, scope: &str) -> (String, String) {
    let code = grant_code_at(client, base, user, scope, "s").await;
    let (status, _, tokens) = exchange_at(client, base, &code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    (
        tokens["access_token"].as_str().expect("access").to_owned(),
        tokens["refresh_token"].as_str().expect("refresh").to_owned(),
    )
}

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish_and_keeps_the_state() {
    let dir = temp_dir("term");
    let state = dir.join("state.json");
    let (mut child, base) = spawn(&state);
    let client = http();
    let (access, refresh) = grant(&client, &base, "someUser", "profile").await;
    // The next /api/users/current answer is held back for 1.5 s: a request in flight.
    let fault = client
        .post(format!("{base}/_mock/faults"))
        .json(&json!({"endpoint": "users_current", "times": 1, "delay_ms": 1500}))
        .send()
        .await
        .expect("answers");
    assert!(fault.status().is_success(), "{}", fault.status());
    let in_flight = tokio::spawn({
        let (client, base) = (client.clone(), base.clone());
        async move {
            client
                .get(format!("{base}/api/users/current"))
                .bearer_auth(access)
                .send()
                .await
        }
    });
    // Once the fault is taken from the queue, the request is inside the server.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let queued = json_of(client.get(format!("{base}/_mock/faults"))).await;
        if queued.as_array().is_some_and(Vec::is_empty) {
            break;
        }
        assert!(Instant::now() < deadline, "the request never reached the server");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    kill(pid, Signal::SIGTERM).expect("SIGTERM sent");

    let answer = in_flight
        .await
        .expect("joined")
        .expect("the in-flight request is answered");
    assert_eq!(answer.status(), StatusCode::OK);
    let user: Value = answer.json().await.expect("json");
    assert_eq!(user["username"], "someUser");

    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");

    // The state file holds the grant: after a restart its refresh token still works.
    let (mut restarted, base) = spawn(&state);
    assert_eq!(refresh_at(&client, &base, &refresh).await.0, StatusCode::OK);
    let _ = restarted.kill();
    let _ = restarted.wait();
}

/// The temp file the old writer used, at a fixed name.
fn old_temp_name(state: &Path) -> PathBuf {
    state.with_file_name(".state.json.tmp")
}

/// An in-process mock on `state` that issues one grant (a write) and stops.
async fn one_grant_on(state: &Path) {
    let server = started(ilert_mock::MockServer::builder().state_file(state)).await;
    grant(&http(), &server.base_url(), "someUser", "profile").await;
    server.shutdown().await;
}

#[cfg(unix)]
#[tokio::test]
async fn a_planted_symlink_or_world_readable_temp_file_is_never_written_through() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = temp_dir("planted");
    let state = dir.join("state.json");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me").expect("write");
    std::os::unix::fs::symlink(&victim, old_temp_name(&state)).expect("symlink");
    one_grant_on(&state).await;
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
    assert!(
        std::fs::read_to_string(&state)
            .expect("state")
            .contains("ilert-mock-state")
    );

    // A temp file someone created beforehand, readable by everyone, is not where secrets go.
    let dir = temp_dir("precreated");
    let state = dir.join("state.json");
    let planted = old_temp_name(&state);
    std::fs::write(&planted, "").expect("write");
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    one_grant_on(&state).await;
    let mode = std::fs::metadata(&state).expect("state").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "state file mode {mode:o}");
    assert_eq!(std::fs::read_to_string(&planted).expect("planted"), "");
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") && n != ".state.json.tmp")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn a_second_mock_on_the_same_state_file_is_refused() {
    let dir = temp_dir("locked");
    let state = dir.join("state.json");
    let first = started(ilert_mock::MockServer::builder().state_file(&state)).await;
    let second = ilert_mock::MockServer::builder().state_file(&state).start().await;
    let err = second.expect_err("the second mock is refused");
    let message = err.to_string();
    assert!(message.contains(&state.display().to_string()), "{message}");
    assert!(message.contains("another ilert-mock"), "{message}");

    // The binary says the same and exits 2, leaving the file alone.
    let before = std::fs::read_to_string(&state).expect("state");
    let stderr = start_expecting_refusal(&state);
    assert!(stderr.contains("another ilert-mock"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&state).expect("state"), before);

    // Once the first has stopped (or was dropped), the file is free again.
    first.shutdown().await;
    let again = ilert_mock::MockServer::builder()
        .state_file(&state)
        .start()
        .await
        .expect("starts after the first stopped");
    drop(again);
    ilert_mock::MockServer::builder()
        .state_file(&state)
        .start()
        .await
        .expect("starts right after the last one was dropped");
}

/// The default fixtures' alert source 3001's integration key (a public test value).
const SOURCE_KEY: &str = "il1api0a5cf3001e0c8d4f5b9a2e7c6d1f";

/// Posts events with new alert keys (`{prefix}-{id}-{n}`, `details` as given) until the server
/// stops answering; records the keys whose event was acknowledged.
async fn post_events(
    base: String,
    id: usize,
    acknowledged: Arc<Mutex<Vec<String>>>,
    prefix: &str,
    details: &str,
) {
    let client = http();
    for n in 0.. {
        let key = format!("{prefix}-{id}-{n}");
        let body = json!({"integrationKey": SOURCE_KEY, "eventType": "ALERT", "summary": prefix,
            "details": details, "alertKey": key});
        let Ok(r) = client.post(format!("{base}/api/events")).json(&body).send().await else {
            return;
        };
        if !r.status().is_success() {
            return;
        }
        acknowledged.lock().push(key);
    }
}

/// Small events, as fast as they are answered.
async fn event_worker(base: String, id: usize, acknowledged: Arc<Mutex<Vec<String>>>) {
    post_events(base, id, acknowledged, "burst", "").await;
}

/// Events with a 32 KiB `details` each, so the log outgrows the 8 MiB floor every 250 or so
/// events and compactions run while events keep coming.
async fn big_event_worker(base: String, id: usize, acknowledged: Arc<Mutex<Vec<String>>>) {
    post_events(base, id, acknowledged, "big", &"d".repeat(32 << 10)).await;
}

/// Every alert key of the tenant's alerts, read through the API page by page.
async fn alert_keys(
    client: &reqwest::Client,
    base: &str,
    access: &str,
) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    for start in (0..).step_by(100) {
        let page: Vec<Value> = client
            .get(format!("{base}/api/alerts?start-index={start}&max-results=100"))
            .bearer_auth(access)
            .send()
            .await
            .expect("answers")
            .json()
            .await
            .expect("a page");
        if page.is_empty() {
            break;
        }
        keys.extend(
            page.iter()
                .filter_map(|a| a["alertKey"].as_str().map(str::to_owned)),
        );
    }
    keys
}

/// Restarts a mock on `state` and checks that it holds an alert for every acknowledged key.
async fn every_acknowledged_event_is_kept(state: &Path, acknowledged: &[String]) {
    let (mut restarted, base) = spawn(state);
    let client = http();
    let (access, _) = grant(&client, &base, "someUser", "alert").await;
    let held = alert_keys(&client, &base, &access).await;
    let lost: Vec<&String> = acknowledged.iter().filter(|k| !held.contains(*k)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged events lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    let _ = restarted.kill();
    let _ = restarted.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_a_burst_of_events_loses_no_acknowledged_event() {
    let (state, acknowledged) =
        kill_mid_load("events", 8, event_worker, |a: &Vec<String>| a.len() >= 300).await;
    assert!(acknowledged.len() >= 300, "the burst ran: {}", acknowledged.len());

    every_acknowledged_event_is_kept(&state, &acknowledged).await;
}

/// Compactions captured and written while events keep being appended: killed after several,
/// the restarted mock holds every acknowledged event, and the file starts with a snapshot that
/// a compaction wrote during the load.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_across_compactions_loses_no_acknowledged_event() {
    let (state, acknowledged) = kill_mid_load("compacting", 8, big_event_worker, |a: &Vec<String>| {
        a.len() >= 1_000
    })
    .await;
    assert!(
        acknowledged.len() >= 1_000,
        "the load ran: {}",
        acknowledged.len()
    );
    let text = std::fs::read_to_string(&state).expect("the state file");
    let snapshot = text.lines().next().expect("a first line");
    let marker = "\"alertKey\":\"";
    let keys_in_snapshot: std::collections::HashSet<&str> = snapshot
        .match_indices(marker)
        .filter_map(|(at, _)| snapshot[at + marker.len()..].split('"').next())
        .collect();
    let in_snapshot = acknowledged
        .iter()
        .filter(|k| keys_in_snapshot.contains(k.as_str()))
        .count();
    assert!(
        in_snapshot >= 250,
        "a compaction during the load wrote the snapshot ({in_snapshot} acknowledged events in it)"
    );

    every_acknowledged_event_is_kept(&state, &acknowledged).await;
}

#[tokio::test]
async fn a_version_2_file_is_migrated_and_dump_prints_the_state() {
    let dir = temp_dir("v2");
    let state = dir.join("state.json");
    let (mut child, base) = spawn(&state);
    let client = http();
    let (access, _) = grant(&client, &base, "someUser", "profile source:w").await;
    let body =
        json!({"name": "Kept across versions", "integrationType": "API", "escalationPolicy": {"id": 1501}});
    let created: Value = client
        .post(format!("{base}/api/alert-sources"))
        .bearer_auth(&access)
        .json(&body)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    let _ = child.kill();
    let _ = child.wait();

    // `state dump` prints the snapshot with the log replayed: a version-2 file is that state as
    // one document.
    let dump = Command::new(BIN)
        .args(["state", "dump"])
        .arg(&state)
        .output()
        .expect("runs");
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let mut document: Value = serde_json::from_slice(&dump.stdout).expect("JSON");
    assert_eq!(document["format"], "ilert-mock-state");
    let sources = &document["state"]["resources"]["tenants"]["someTenant"]["alert-sources"];
    let id = created["id"].as_i64().expect("id").to_string();
    assert_eq!(sources[&id]["body"]["name"], "Kept across versions", "{sources}");
    document["version"] = json!(2);
    std::fs::write(&state, serde_json::to_vec(&document).expect("bytes")).expect("v2 written");

    let (mut restarted, base) = spawn(&state);
    let (access, _) = grant(&client, &base, "someUser", "source").await;
    let r = client
        .get(format!("{base}/api/alert-sources/{id}"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    let _ = restarted.kill();
    let _ = restarted.wait();
    let migrated = std::fs::read_to_string(&state).expect("read");
    assert!(
        migrated.starts_with("{\"format\":\"ilert-mock-state\",\"version\":3"),
        "rewritten as version 3"
    );

    let missing = Command::new(BIN)
        .args(["state", "dump"])
        .arg(dir.join("absent.json"))
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("absent.json"));
}

/// A state file edited by hand may hold entities without fields the API always writes. The
/// filters, reports, source states, suggestions and level replacements that read those fields
/// answer without them (never a panic, never a 5xx).
#[tokio::test]
async fn entities_missing_fields_in_a_hand_edited_file_answer_without_a_5xx() {
    let dir = temp_dir("sparse");
    let state = dir.join("state.json");
    let server = started(ilert_mock::MockServer::builder().state_file(&state)).await;
    server.shutdown().await;
    let text = std::fs::read_to_string(&state).expect("read");
    let mut snapshot: Value = serde_json::from_str(text.lines().next().expect("a snapshot")).expect("json");
    let collections = &mut snapshot["state"]["resources"]["tenants"]["someTenant"];
    let strip = |collection: &mut Value, fields: &[&str]| {
        for item in collection.as_object_mut().expect("a collection").values_mut() {
            let body = item["body"].as_object_mut().expect("a body");
            for field in fields {
                body.remove(*field);
            }
        }
    };
    strip(
        &mut collections["alerts"],
        &[
            "status",
            "alertSource",
            "escalationPolicy",
            "reportTime",
            "responders",
        ],
    );
    strip(&mut collections["alert-log-entries"], &["filterTypes"]);
    strip(&mut collections["incidents"], &["status", "affectedServices"]);
    strip(
        &mut collections["escalation-policies"],
        &["name", "escalationRules"],
    );
    strip(&mut collections["maintenance-windows"], &["alertSources"]);
    strip(&mut collections["service-outage-overrides"], &["service"]);
    std::fs::write(&state, format!("{snapshot}\n")).expect("write");

    let server = started(
        ilert_mock::MockServer::builder()
            .state_file(&state)
            .auto_approve("someUser"),
    )
    .await;
    let token = common::access_token(&server, "alert:w incident policy:w source report service").await;
    let week = "from=2026-11-01T00:00:00Z&until=2026-11-30T00:00:00Z";
    for (method, path, body) in [
        (
            "GET",
            "/api/alerts?states=PENDING&sources=3001&policies=1501".to_owned(),
            None,
        ),
        ("GET", format!("/api/alerts?{week}"), None),
        ("GET", "/api/alerts/count?states=PENDING".to_owned(), None),
        (
            "GET",
            "/api/alerts/5001/log-entries?filter-types=NOTIFICATIONS".to_owned(),
            None,
        ),
        ("GET", "/api/alerts/5001/suggested-responders".to_owned(), None),
        (
            "GET",
            "/api/incidents?states=INVESTIGATING&services=1".to_owned(),
            None,
        ),
        ("GET", format!("/api/reports/alerts?{week}"), None),
        ("GET", format!("/api/reports/alerts/summary?{week}"), None),
        ("GET", "/api/alert-sources".to_owned(), None),
        ("GET", format!("/api/service-outages?service=8401&{week}"), None),
        (
            "PUT",
            "/api/escalation-policies/1501/levels/0".to_owned(),
            Some(json!({"escalationTimeout": 0, "users": [{"id": 1001}]})),
        ),
        (
            "POST",
            "/api/alerts".to_owned(),
            Some(json!({"summary": "no source"})),
        ),
    ] {
        let mut request = http()
            .request(
                method.parse().expect("a method"),
                format!("{}{path}", server.base_url()),
            )
            .bearer_auth(&token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await.expect("answers");
        let status = answer.status();
        let text = answer.text().await.expect("a body");
        assert!(status.as_u16() < 500, "{method} {path}: {status} {text}");
        if path.contains("/levels/") {
            assert!(text.contains("it has no levels"), "{text}");
        }
    }
    server.shutdown().await;
}
