//! The whole suite against a fresh mock with a frozen clock, and every endpoint's response pinned
//! with insta: status, headers of note, body (JWTs as decoded header and claims, HTML pages as
//! their words). A behaviour change of the mock shows up as a snapshot diff, case by case.
//!
//! A frozen clock and a fixed seed make almost every byte reproducible. What still varies is
//! redacted, and only that:
//! - the port of the mock (`[base]`, `[port]`);
//! - authorization codes and refresh keys (`il_k`), drawn from one generator by cases running
//!   concurrently, so which case draws which value depends on scheduling;
//! - integration keys of alert sources, from the same generator (also where a URL path carries
//!   one: a heartbeat monitor's ping URL);
//! - the reference client's random PKCE challenge;
//! - on the grant view, the users created by other cases running at the same time (only the
//!   fixture users are kept);
//! - the run's tag in the names of the apps and users the suite registers for itself (`[run]`);
//! - incident `ETag`s (and the `If-Match` that sends one back), hashes of entities named with
//!   the run's tag.

use std::sync::{Arc, Mutex, PoisonError};

use ilert_conformance::runner::ProgressFn;
use ilert_conformance::{Area, RunOptions, Target};
use ilert_mock::{App, MockServer};
use serde_json::{Map, Value, json};

const FIXTURE_USERS: [&str; 4] = ["someUser", "krystianity", "wile", "roadrunner"];

struct Redactor {
    base: String,
    port: String,
    tag: String,
}

impl Redactor {
    fn string(&self, s: &str) -> Value {
        if s.len() == 28
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return json!("[code]");
        }
        let s = redact_path_keys(s);
        let s = s
            .replace(&self.base, "[base]")
            .replace(&self.tag, "[run]")
            .replace(&format!("localhost:{}", self.port), "localhost:[port]");
        Value::String(s)
    }

    fn value(&self, key: Option<&str>, v: &Value) -> Value {
        match (key, v) {
            (Some("il_k"), Value::String(_)) => json!("[il_k]"),
            (Some("integrationKey" | "integrationUrl"), Value::String(_)) => json!("[integration-key]"),
            (Some("code_challenge"), Value::String(_)) => json!("[challenge]"),
            (Some("etag" | "if-match"), Value::String(_)) => json!("[etag]"),
            (Some("controls"), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .filter(|c| {
                        c.as_str().is_none_or(|c| {
                            c.strip_prefix("user=").is_none_or(|u| FIXTURE_USERS.contains(&u))
                        })
                    })
                    .map(|c| self.value(None, c))
                    .collect(),
            ),
            (_, Value::String(s)) => self.string(s),
            (_, Value::Array(items)) => Value::Array(items.iter().map(|i| self.value(None, i)).collect()),
            (_, Value::Object(map)) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.value(Some(k), v)))
                    .collect::<Map<String, Value>>(),
            ),
            (_, other) => other.clone(),
        }
    }
}

/// A path whose segments include an integration key (`il1` and the kind, then hex) with that
/// segment redacted: `/api/heartbeats/il1hbt61…` → `/api/heartbeats/[integration-key]`.
fn redact_path_keys(s: &str) -> String {
    if !s.starts_with('/') {
        return s.to_owned();
    }
    s.split('/')
        .map(|segment| {
            let key = segment.len() > 20
                && segment.starts_with("il1")
                && segment.bytes().all(|b| b.is_ascii_alphanumeric());
            if key { "[integration-key]" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_is_pinned() {
    let server = MockServer::builder()
        .clock_start(1_800_000_000)
        .freeze_clock(true)
        .seed(7)
        .start()
        .await
        .expect("the mock starts");
    let server = Arc::new(server);
    let base = server.base_url();
    // The apps as they were during the run: the suite's own are removed at its end.
    let apps_seen: Arc<Mutex<Vec<App>>> = Arc::default();
    let on_progress: ProgressFn = {
        let (server, apps_seen) = (server.clone(), apps_seen.clone());
        Arc::new(move |_| {
            let mut seen = apps_seen.lock().unwrap_or_else(PoisonError::into_inner);
            for app in server.admin().apps() {
                if !seen.iter().any(|a| a.client_id == app.client_id) {
                    seen.push(app);
                }
            }
        })
    };
    let options = RunOptions {
        on_progress: Some(on_progress),
        ..RunOptions::default()
    };
    let report = ilert_conformance::run_all(Target::new(base.clone()), options)
        .await
        .expect("the suite runs");
    let not_passed = report.not_passed_text();
    assert!(not_passed.is_empty(), "{not_passed}");

    // No client secret reaches a transcript (they are what the JSON report and failures show),
    // the suite's own apps' included.
    let everything = serde_json::to_string(&report.to_json()).expect("serialisable")
        + &serde_json::to_string(&report.cases.iter().map(|c| &c.transcript).collect::<Vec<_>>())
            .expect("serialisable");
    let apps = apps_seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert!(
        apps.len() > server.admin().apps().len(),
        "the suite's own apps were seen"
    );
    for app in apps {
        if let Some(secret) = &app.client_secret {
            assert!(
                !everything.contains(secret.expose()),
                "the secret of {} leaked",
                app.client_id
            );
        }
    }

    let redactor = Redactor {
        port: server.addr().port().to_string(),
        base,
        tag: report.run_tag.clone().expect("a run tag on the mock"),
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    for area in Area::ALL {
        let mut cases = Map::new();
        for case in report.cases.iter().filter(|c| c.area == area) {
            let transcript = serde_json::to_value(&case.transcript).expect("serialisable");
            cases.insert(
                case.id.to_owned(),
                json!({
                    "title": case.title,
                    "source": case.source.to_string(),
                    "transcript": redactor.value(None, &transcript),
                }),
            );
        }
        insta::assert_yaml_snapshot!(area.name(), Value::Object(cases));
    }
}
