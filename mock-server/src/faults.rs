//! Fault injection: queue the next N answers of an endpoint as a given status and body, or a
//! delay (behaviour.md §11), so a client's retry and error paths can be tested.
//!
//! Faults are consumed in the order queued; each matching request takes one use of the oldest
//! fault for its endpoint. A fault with a status answers in place of the endpoint; a fault with
//! only a delay lets the real answer through after the delay.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::paths;

/// The named endpoints a fault can target (or any path starting with `/`).
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("authorize", paths::AUTHORIZE),
    ("token", paths::TOKEN),
    ("token_info", paths::TOKEN_INFO),
    ("revoke", paths::REVOKE),
    ("users_current", paths::USERS_CURRENT),
    ("alert_sources", paths::ALERT_SOURCES),
    ("escalation_policies", paths::ESCALATION_POLICIES),
];

/// Longest delay accepted, so a fault can never hang a test run.
pub const MAX_DELAY_MS: u64 = 60_000;
/// Most uses one fault may queue.
pub const MAX_TIMES: u32 = 10_000;

/// A fault as requested over HTTP or from Rust.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// An endpoint name (`authorize`, `token`, `token_info`, `revoke`, `users_current`,
    /// `alert_sources`, `escalation_policies`) or a path (`/api/...`; a trailing `*` matches a prefix).
    pub endpoint: String,
    /// How many answers to replace (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// The status to answer with; absent for a pure delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The JSON body to answer with (default: the endpoint's error shape for the status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Delay before answering, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    /// A fault on `endpoint` answering `status` once.
    pub fn status(endpoint: impl Into<String>, status: u16) -> Self {
        Self {
            endpoint: endpoint.into(),
            times: 1,
            status: Some(status),
            body: None,
            delay_ms: None,
        }
    }

    /// A fault on `endpoint` delaying the real answer once.
    pub fn delay(endpoint: impl Into<String>, delay_ms: u64) -> Self {
        Self {
            endpoint: endpoint.into(),
            times: 1,
            status: None,
            body: None,
            delay_ms: Some(delay_ms),
        }
    }

    /// Replaces the next `times` answers.
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    /// Answers with this JSON body.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Adds a delay.
    pub fn delay_ms(mut self, delay_ms: u64) -> Self {
        self.delay_ms = Some(delay_ms);
        self
    }
}

/// Why a fault was refused; names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// `endpoint` is neither a known name nor a path.
    #[error(
        "endpoint: '{0}' is not one of authorize, token, token_info, revoke, users_current, alert_sources, escalation_policies, or a path starting with '/'"
    )]
    Endpoint(String),
    /// `times` out of range.
    #[error("times: must be between 1 and {MAX_TIMES}")]
    Times,
    /// `status` out of range.
    #[error("status: must be an HTTP status between 100 and 599")]
    Status,
    /// `delay_ms` too long.
    #[error("delay_ms: must be at most {MAX_DELAY_MS}")]
    Delay,
    /// Neither status nor delay.
    #[error("status or delay_ms: a fault needs at least one of them")]
    Nothing,
}

/// A queued fault with its remaining uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Queued {
    /// Id, for listing.
    pub id: u64,
    /// What was asked for.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// The path prefix it matches.
    pub path: String,
    /// Uses left.
    pub remaining: u32,
}

/// What a matching request must do.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Sleep first.
    pub delay_ms: Option<u64>,
    /// Then answer with this status and body instead of the endpoint.
    pub answer: Option<(u16, Option<Value>)>,
}

/// The queue of faults.
#[derive(Debug, Default)]
pub struct Faults {
    queue: Mutex<(VecDeque<Queued>, u64)>,
}

fn resolve(endpoint: &str) -> Option<String> {
    if endpoint.starts_with('/') {
        return Some(endpoint.to_owned());
    }
    ENDPOINTS
        .iter()
        .find(|(name, _)| *name == endpoint)
        .map(|(_, path)| (*path).to_owned())
}

fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        // A resource name covers its items: `/api/alert-sources` matches `/api/alert-sources/7`.
        None => {
            path == pattern
                || path
                    .strip_prefix(pattern)
                    .is_some_and(|rest| rest.starts_with('/'))
        }
    }
}

impl Faults {
    /// Validates and queues a fault.
    pub fn push(&self, spec: FaultSpec) -> Result<Queued, FaultError> {
        let path = resolve(&spec.endpoint).ok_or_else(|| FaultError::Endpoint(spec.endpoint.clone()))?;
        if spec.times == 0 || spec.times > MAX_TIMES {
            return Err(FaultError::Times);
        }
        if spec.status.is_some_and(|s| !(100..=599).contains(&s)) {
            return Err(FaultError::Status);
        }
        if spec.delay_ms.is_some_and(|d| d > MAX_DELAY_MS) {
            return Err(FaultError::Delay);
        }
        if spec.status.is_none() && spec.delay_ms.is_none() {
            return Err(FaultError::Nothing);
        }
        let mut guard = self.queue.lock();
        guard.1 += 1;
        let queued = Queued {
            id: guard.1,
            remaining: spec.times,
            path,
            spec,
        };
        guard.0.push_back(queued.clone());
        Ok(queued)
    }

    /// Takes one use of the oldest fault matching `path`.
    pub fn take(&self, path: &str) -> Option<Action> {
        let mut guard = self.queue.lock();
        let queue = &mut guard.0;
        let index = queue.iter().position(|q| matches(&q.path, path))?;
        let fault = queue.get_mut(index)?;
        fault.remaining -= 1;
        let action = Action {
            delay_ms: fault.spec.delay_ms,
            answer: fault.spec.status.map(|s| (s, fault.spec.body.clone())),
        };
        if fault.remaining == 0 {
            queue.remove(index);
        }
        Some(action)
    }

    /// The queued faults.
    pub fn list(&self) -> Vec<Queued> {
        self.queue.lock().0.iter().cloned().collect()
    }

    /// Drops the queued fault `id`; whether it was queued.
    pub fn remove(&self, id: u64) -> bool {
        let mut guard = self.queue.lock();
        let before = guard.0.len();
        guard.0.retain(|q| q.id != id);
        guard.0.len() != before
    }

    /// Drops every queued fault.
    pub fn clear(&self) {
        self.queue.lock().0.clear();
    }

    /// Queues `status` for the next answer of `endpoint`: the shortest way to inject one error.
    pub fn next(&self, endpoint: &str, status: u16) -> Result<Queued, FaultError> {
        self.push(FaultSpec::status(endpoint, status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_exactly_n_times_then_stops() {
        let f = Faults::default();
        f.push(FaultSpec::status("token", 503).times(2)).expect("valid");
        let token = "/api/developers/oauth2/token";
        assert_eq!(f.take(token).and_then(|a| a.answer).map(|a| a.0), Some(503));
        assert!(f.take("/api/users/current").is_none());
        assert!(f.take(token).is_some());
        assert!(f.take(token).is_none());
        assert!(f.list().is_empty());
    }

    #[test]
    fn one_fault_can_be_removed() {
        let f = Faults::default();
        let first = f.push(FaultSpec::status("token", 503)).expect("valid");
        let second = f.push(FaultSpec::status("token", 500)).expect("valid");
        assert!(f.remove(first.id));
        assert!(!f.remove(first.id), "gone already");
        assert_eq!(f.list(), vec![second]);
        let token = "/api/developers/oauth2/token";
        assert_eq!(f.take(token).and_then(|a| a.answer).map(|a| a.0), Some(500));
    }

    #[test]
    fn paths_and_prefixes() {
        let f = Faults::default();
        f.push(FaultSpec::status("alert_sources", 500)).expect("valid");
        assert!(f.take("/api/alert-sources-x").is_none());
        assert!(f.take("/api/alert-sources/7").is_some());
        f.push(FaultSpec::delay("/api/*", 5)).expect("valid");
        let a = f.take("/api/teams").expect("matches");
        assert_eq!((a.delay_ms, a.answer), (Some(5), None));
    }

    #[test]
    fn refuses_bad_specs_naming_the_field() {
        let f = Faults::default();
        assert_eq!(
            f.push(FaultSpec::status("nope", 500)),
            Err(FaultError::Endpoint("nope".into()))
        );
        assert_eq!(f.push(FaultSpec::status("token", 700)), Err(FaultError::Status));
        assert_eq!(
            f.push(FaultSpec::status("token", 500).times(0)),
            Err(FaultError::Times)
        );
        assert_eq!(
            f.push(FaultSpec::delay("token", MAX_DELAY_MS + 1)),
            Err(FaultError::Delay)
        );
        let mut none = FaultSpec::status("token", 500);
        none.status = None;
        assert_eq!(f.push(none), Err(FaultError::Nothing));
        assert!(
            f.push(FaultSpec::status("token", 500))
                .expect("ok")
                .spec
                .status
                .is_some()
        );
    }
}
