//! Runs cases against a target: concurrently where they share nothing, in lanes where they share
//! a resource, alone where they change the whole server.
//!
//! # Why three kinds of isolation
//!
//! The mock has one store and one clock, and may be shared with other clients. The suite
//! registers apps of its own for the run and removes them afterwards (`src/sandbox.rs`), so
//! nothing it does touches another client's grants. Most cases touch only what they create — a
//! user of their own (`POST /_mock/users`), their own codes and grants — so they run
//! concurrently, up to [`RunOptions::concurrency`] at a time. Three kinds of shared state need more care:
//!
//! - **Refresh grants per app and user** are capped at ten; the eleventh revokes the oldest
//!   (behaviour.md §7). A case that keeps a refresh token therefore authorizes a user of its own, so
//!   that other cases' grants can never push its grant out. Cases that only need an access
//!   token may share the default user: access tokens are stateless and survive the cap.
//! - **A tenant's resources** (alert sources) are listed by some cases and changed by others: those
//!   cases form a [`Isolation::Lane`] and run one after another in declaration order, so a
//!   listing never sees another case's half-finished change and created ids are reproducible.
//! - **The clock and the fault queue** are server-wide: a case that moves the clock would expire
//!   every other case's codes. Such cases are [`Isolation::Alone`]: they run after the concurrent
//!   phase, one at a time, and the runner moves the clock back by what the case moved it (and
//!   clears the fault queue), so each starts from the same server time. While a lone case runs
//!   the runner holds a running clock still, so that a check one second before a lifetime ends
//!   ("a code 119 s old still trades") cannot see a real second pass; it lets the clock run on
//!   afterwards.
//!
//! A case that panics or exceeds [`RunOptions::timeout`] fails; it never takes the run down.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use crate::case::{Case, Isolation, Severity, Stop, Tag};
use crate::ctx::{CaseLog, Cx, Shared};
use crate::report::{CaseReport, Report, Verdict};
use crate::sandbox::Sandbox;
use crate::target::Target;

/// The progress callback: called after each case, in completion order.
pub type ProgressFn = Arc<dyn Fn(&Progress<'_>) + Send + Sync>;

/// How to run.
#[derive(Clone)]
pub struct RunOptions {
    /// Run only cases whose id matches one of these patterns (`*` matches any run of
    /// characters; a pattern without `*` matches as a substring; case-insensitive).
    pub only: Vec<String>,
    /// Most cases in flight at once.
    pub concurrency: usize,
    /// Longest one case may take.
    pub timeout: Duration,
    /// Called after each case, in completion order.
    pub on_progress: Option<ProgressFn>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("only", &self.only)
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            only: Vec::new(),
            concurrency: 8,
            timeout: Duration::from_secs(60),
            on_progress: None,
        }
    }
}

/// One finished case, for progress output.
#[derive(Debug)]
pub struct Progress<'a> {
    /// Cases finished so far.
    pub done: usize,
    /// Cases selected.
    pub total: usize,
    /// The case that just finished.
    pub case: &'a CaseReport,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
    /// The base URL is not an http(s) URL.
    #[error("the base URL '{0}' is not an http(s) URL")]
    BaseUrl(String),
    /// Nothing answers at the base URL.
    #[error("nothing answers at {url}: {cause}")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// Why.
        cause: String,
    },
    /// The mock's control surface refused the control token.
    #[error("the mock at {0} refuses the control token on /_mock/ (pass --control-token)")]
    ControlToken(String),
    /// The suite's own apps could not be registered on the mock.
    #[error("cannot register the suite's own apps on the mock at {url}: {cause}")]
    Sandbox {
        /// The mock.
        url: String,
        /// Why.
        cause: String,
    },
    /// `--only` matched no case.
    #[error("no case id matches {0:?}")]
    NoCases(Vec<String>),
}

/// Whether `id` matches `pattern` (see [`RunOptions::only`]).
pub fn matches(pattern: &str, id: &str) -> bool {
    let (p, id) = (pattern.to_ascii_uppercase(), id.to_ascii_uppercase());
    if !p.contains('*') {
        return id.contains(&p);
    }
    let parts: Vec<&str> = p.split('*').collect();
    let mut rest = id.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return part.is_empty() || rest.ends_with(part);
        } else if let Some(pos) = rest.find(part) {
            rest = &rest[pos + part.len()..];
        } else {
            return false;
        }
    }
    rest.is_empty()
}

/// Why `case` cannot run against a target, if it cannot.
fn pre_skip(case: &Case, target: &Target, control: bool) -> Option<String> {
    if control {
        return None;
    }
    if case.has(Tag::NeedsBrowser) {
        return Some("needs a browser (a user's consent); runs against the mock only".to_owned());
    }
    if case.has(Tag::MockOnly) {
        return Some("mock-only: the server has no /_mock/ controls".to_owned());
    }
    if case.has(Tag::NeedsRefreshToken) && target.refresh_token.is_none() {
        return Some("needs a refresh token: pass --refresh-token".to_owned());
    }
    if case.has(Tag::NeedsToken) && target.access_token.is_none() && target.refresh_token.is_none() {
        return Some("needs a token: pass --access-token or --refresh-token".to_owned());
    }
    None
}

/// Runs `cases` against `target`.
pub async fn run(target: Target, cases: Vec<Case>, options: RunOptions) -> Result<Report, RunError> {
    let started = Instant::now();
    if url::Url::parse(&target.base_url)
        .ok()
        .is_none_or(|u| !matches!(u.scheme(), "http" | "https"))
    {
        return Err(RunError::BaseUrl(target.base_url.clone()));
    }
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("ilert-conformance/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10));
    if let Some(pem) = &target.ca_pem {
        let ca = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(RunError::Http)?;
        builder = builder.tls_certs_only([ca]);
    }
    let http = builder.build().map_err(RunError::Http)?;
    let control = probe_control(&http, &target).await?;

    let selected: Vec<Case> = cases
        .into_iter()
        .filter(|c| options.only.is_empty() || options.only.iter().any(|p| matches(p, c.id)))
        .collect();
    if selected.is_empty() {
        return Err(RunError::NoCases(options.only.clone()));
    }
    let total = selected.len();
    // On a mock the suite works with apps and users of its own (see `sandbox`).
    let sandbox = if control {
        let set_up = Sandbox::set_up(&http, &target).await;
        Some(set_up.map_err(|cause| RunError::Sandbox {
            url: target.base_url.clone(),
            cause,
        })?)
    } else {
        None
    };
    let mut target = target;
    if let Some(sandbox) = &sandbox {
        target.app = sandbox.backend.clone();
    }
    let shared = Arc::new(Shared::new(target.clone(), http, control, sandbox));

    let mut results: Vec<Option<CaseReport>> = vec![None; total];
    let mut done = 0usize;
    let mut report_one = |index: usize, report: CaseReport, results: &mut Vec<Option<CaseReport>>| {
        done += 1;
        if let Some(cb) = &options.on_progress {
            cb(&Progress {
                done,
                total,
                case: &report,
            });
        }
        if let Some(slot) = results.get_mut(index) {
            *slot = Some(report);
        }
    };

    // Plan: skipped at once; parallel cases and lanes concurrently; alone cases afterwards.
    let mut lanes: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut lane_of: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut alone = Vec::new();
    for (i, case) in selected.iter().enumerate() {
        if let Some(reason) = pre_skip(case, &target, control) {
            report_one(i, CaseReport::skipped(case, reason), &mut results);
            continue;
        }
        match case.isolation {
            Isolation::Parallel => {
                lanes.insert(i, vec![i]);
            }
            Isolation::Lane(name) => {
                let first = *lane_of.entry(name).or_insert(i);
                lanes.entry(first).or_default().push(i);
            }
            Isolation::Alone => alone.push(i),
        }
    }

    let semaphore = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, CaseReport)>();
    let mut set = JoinSet::new();
    for (_, lane) in lanes {
        let lane_cases: Vec<(usize, Case)> = lane
            .into_iter()
            .filter_map(|i| selected.get(i).map(|c| (i, c.clone())))
            .collect();
        let (shared, semaphore, tx) = (shared.clone(), semaphore.clone(), tx.clone());
        let timeout = options.timeout;
        set.spawn(async move {
            for (i, case) in lane_cases {
                let Ok(_permit) = semaphore.acquire().await else {
                    return;
                };
                let report = run_case(&shared, &case, timeout).await;
                let _ = tx.send((i, report));
            }
        });
    }
    drop(tx);
    while let Some((i, report)) = rx.recv().await {
        report_one(i, report, &mut results);
    }
    while set.join_next().await.is_some() {}

    for i in alone {
        if let Some(case) = selected.get(i) {
            let report = run_case(&shared, case, options.timeout).await;
            report_one(i, report, &mut results);
        }
    }

    let leftovers = match &shared.sandbox {
        Some(sandbox) => sandbox.tear_down(&shared.http, &target).await,
        None => Vec::new(),
    };
    let cases = results
        .into_iter()
        .zip(&selected)
        .map(|(r, case)| r.unwrap_or_else(|| CaseReport::skipped(case, "not run".to_owned())))
        .collect();
    Ok(Report {
        base_url: target.base_url,
        control,
        duration: started.elapsed(),
        cases,
        run_tag: shared.sandbox.as_ref().map(|s| s.tag.clone()),
        leftovers,
    })
}

/// Whether `/_mock/` answers (and accepts the control token, when one is needed).
async fn probe_control(http: &reqwest::Client, target: &Target) -> Result<bool, RunError> {
    let url = format!("{}/_mock/health", target.base_url);
    let response = http
        .get(&url)
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .map_err(|e| RunError::Unreachable {
            url: url.clone(),
            cause: e.to_string(),
        })?;
    if response.status().as_u16() != 200 {
        return Ok(false);
    }
    let healthy = response
        .json::<serde_json::Value>()
        .await
        .is_ok_and(|v| v["status"] == "ok");
    if !healthy {
        return Ok(false);
    }
    let mut probe = http.get(format!("{}/_mock/clock", target.base_url));
    if let Some(token) = &target.control_token {
        probe = probe.bearer_auth(token);
    }
    match probe.send().await {
        Ok(r) if r.status().as_u16() == 401 => Err(RunError::ControlToken(target.base_url.clone())),
        _ => Ok(true),
    }
}

/// Runs one case in its own task (a panic fails the case, not the run) and cleans up after it.
async fn run_case(shared: &Arc<Shared>, case: &Case, timeout: Duration) -> CaseReport {
    let log = Arc::new(CaseLog::default());
    let cx = Cx::new(shared.clone(), case.id, log.clone());
    let alone = case.isolation == Isolation::Alone && shared.control;
    let held = alone && hold_clock(&cx).await;
    let started = Instant::now();
    let task = tokio::spawn((case.run)(cx.clone()));
    let abort = task.abort_handle();
    let outcome = match tokio::time::timeout(timeout, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(Stop::fail(
            "the case to finish",
            json!({"panic": join.to_string()}),
        )),
        Err(_) => {
            // A dropped JoinHandle would leave the task running against the server.
            abort.abort();
            Err(Stop::fail(
                format!("the case to finish within {} s", timeout.as_secs()),
                json!({"timeout": true}),
            ))
        }
    };
    let duration = started.elapsed();
    if alone {
        cleanup_alone(&cx, log.clock_moved(), held).await;
    }
    let (verdict, reason, failure) = match outcome {
        Ok(()) => (Verdict::Passed, None, None),
        Err(Stop::Skip(reason)) => (Verdict::Skipped, Some(reason), None),
        Err(Stop::Fail(f)) => {
            let verdict = match case.severity {
                Severity::Failure => Verdict::Failed,
                Severity::Warning => Verdict::Warned,
            };
            (verdict, Some(f.expected.clone()), Some(*f))
        }
    };
    CaseReport::new(case, verdict, reason, failure, duration, log.take_entries())
}

/// Freezes the mock's clock if it runs; true when it did (and the clock must run on after).
async fn hold_clock(cx: &Cx) -> bool {
    let Ok(reading) = cx.control(Method::GET, "/_mock/clock").send().await else {
        return false;
    };
    if reading.json["frozen"].as_bool() != Some(false) {
        return false;
    }
    cx.control(Method::POST, "/_mock/clock")
        .json(json!({"freeze": true}))
        .send()
        .await
        .is_ok_and(|r| r.status == 200)
}

/// Undoes a lone case's server-wide changes: the clock (moved back, and running again if the
/// runner held it) and the fault queue.
async fn cleanup_alone(cx: &Cx, clock_moved: i64, held: bool) {
    if clock_moved != 0 || held {
        let mut change = json!({"advance_secs": -clock_moved});
        if held {
            change["freeze"] = json!(false);
        }
        let _ = cx.control(Method::POST, "/_mock/clock").json(change).send().await;
    }
    let _ = cx.control(Method::DELETE, "/_mock/faults").send().await;
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns() {
        assert!(matches("TOKEN-ERR-*", "TOKEN-ERR-INVALID-GRANT-01"));
        assert!(matches("token-err", "TOKEN-ERR-INVALID-GRANT-01"));
        assert!(matches("*-01", "AUTHZ-STATE-01"));
        assert!(matches("AUTHZ-*-EXACT-*", "AUTHZ-REDIRECT-EXACT-03"));
        assert!(!matches("AUTHZ-*", "TOKEN-ERR-01"));
        assert!(!matches("*-02", "AUTHZ-STATE-01"));
        assert!(matches("AUTHZ-STATE-01", "AUTHZ-STATE-01"));
    }
}
