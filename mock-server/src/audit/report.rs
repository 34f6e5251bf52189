//! What the audit answers: findings, their severities, the report that holds them, and the
//! filters `GET /_mock/audit?app=&severity=` takes.
//!
//! The types serialise to the JSON of `GET /_mock/audit` and deserialise from it, so the
//! `ilert-mock audit` command renders a running mock's report with the same code that made it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How much a finding matters.
///
/// - `error`: a MUST of an RFC broken, or a credential exposed: fix before shipping.
/// - `warning`: ilert's advice or an RFC's SHOULD not followed, or a request that cannot succeed
///   sent anyway: fix, it will hurt in production.
/// - `info`: worth knowing (a scope the app never needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Fix it; it will hurt in production.
    Warning,
    /// Fix it before shipping.
    Error,
}

impl Severity {
    /// Every severity, the most severe first.
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

    /// The lowercase word (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity word that is not one of `error`, `warning`, `info`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not one of error, warning, info")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "error" => Ok(Self::Error),
            "warning" => Ok(Self::Warning),
            "info" => Ok(Self::Info),
            other => Err(UnknownSeverity(other.to_owned())),
        }
    }
}

/// One thing the app under test does against ilert's rules or the RFCs'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id, e.g. `NO_PKCE`.
    pub id: String,
    /// How much it matters.
    pub severity: Severity,
    /// The app's client id, when known.
    pub app: Option<String>,
    /// The user, when known.
    pub user: Option<String>,
    /// What happened, in one line.
    pub title: String,
    /// What to change.
    pub advice: String,
    /// The rule: an ilert documentation page or an RFC section.
    pub source: String,
    /// Journal numbers of the requests that show it (the first [`MAX_REQUESTS_LISTED`]).
    pub requests: Vec<u64>,
    /// How many requests show it (more than `requests` lists when that was cut).
    pub count: usize,
}

/// At most this many request numbers are listed per finding; `count` says how many there were.
pub const MAX_REQUESTS_LISTED: usize = 50;

/// Findings counted by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Errors.
    pub error: usize,
    /// Warnings.
    pub warning: usize,
    /// Infos.
    pub info: usize,
}

/// The audit's answer: what was looked at and what was found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Requests the audit saw since it was started or cleared.
    pub requests: u64,
    /// Requests whose facts the bound pushed out before this report (findings that needed them
    /// may be missing; `--audit-size` keeps more).
    pub requests_dropped: u64,
    /// Client ids of the apps whose requests were seen.
    pub apps: Vec<String>,
    /// Findings by severity (after filtering).
    pub counts: Counts,
    /// The findings, the most severe first.
    pub findings: Vec<Finding>,
}

/// Which findings to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this app's (client id).
    pub app: Option<String>,
    /// Only findings at this severity or above.
    pub severity: Option<Severity>,
}

impl Report {
    /// A report of `findings` (sorted here: severity, then id, app, user and first request).
    pub fn new(requests: u64, requests_dropped: u64, apps: Vec<String>, mut findings: Vec<Finding>) -> Self {
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| a.app.cmp(&b.app))
                .then_with(|| a.user.cmp(&b.user))
                .then_with(|| a.requests.first().cmp(&b.requests.first()))
        });
        let mut report = Self {
            requests,
            requests_dropped,
            apps,
            counts: Counts::default(),
            findings,
        };
        report.count();
        report
    }

    fn count(&mut self) {
        let mut counts = Counts::default();
        for finding in &self.findings {
            match finding.severity {
                Severity::Error => counts.error += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
        }
        self.counts = counts;
    }

    /// The report with only the findings `filter` selects.
    #[must_use]
    pub fn filtered(mut self, filter: &Filter) -> Self {
        self.findings.retain(|f| {
            filter.app.as_ref().is_none_or(|app| f.app.as_ref() == Some(app))
                && filter.severity.is_none_or(|s| f.severity >= s)
        });
        self.count();
        self
    }

    /// The findings at `severity` or above.
    pub fn at_or_above(&self, severity: Severity) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.severity >= severity).collect()
    }

    /// The findings with this id.
    pub fn with_id(&self, id: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.id == id).collect()
    }

    /// The most severe finding's severity, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, severity: Severity, app: &str) -> Finding {
        Finding {
            id: id.into(),
            severity,
            app: Some(app.into()),
            user: None,
            title: String::new(),
            advice: String::new(),
            source: String::new(),
            requests: vec![1],
            count: 1,
        }
    }

    #[test]
    fn sorted_counted_and_filtered() {
        let report = Report::new(
            9,
            0,
            vec!["a".into(), "b".into()],
            vec![
                finding("SCOPE_UNUSED", Severity::Info, "a"),
                finding("NO_STATE", Severity::Error, "b"),
                finding("NO_PKCE", Severity::Warning, "a"),
                finding("CODE_REUSED", Severity::Error, "a"),
            ],
        );
        let ids: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["CODE_REUSED", "NO_STATE", "NO_PKCE", "SCOPE_UNUSED"]);
        assert_eq!(
            report.counts,
            Counts {
                error: 2,
                warning: 1,
                info: 1
            }
        );
        assert_eq!(report.worst(), Some(Severity::Error));
        assert_eq!(report.at_or_above(Severity::Warning).len(), 3);
        let only_a = report.clone().filtered(&Filter {
            app: Some("a".into()),
            severity: Some(Severity::Warning),
        });
        let ids: Vec<&str> = only_a.findings.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["CODE_REUSED", "NO_PKCE"]);
        assert_eq!(only_a.counts.info, 0);
        let json = serde_json::to_string(&report).expect("json");
        let back: Report = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, report);
    }

    #[test]
    fn severities_parse_and_order() {
        assert_eq!("warning".parse::<Severity>(), Ok(Severity::Warning));
        assert!("fatal".parse::<Severity>().is_err());
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Info);
    }
}
