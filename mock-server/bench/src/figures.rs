//! Every figure of a run ([`Report`]), and each target's verdict on them ([`TargetCheck`]):
//! the data the checks in [`crate::targets`] read and the table in [`crate::report`] prints.

use serde::Serialize;

use crate::crypto::{Crypto, OpenSsl};
use crate::load::Scenario;
use crate::machine::Machine;
use crate::peers::Peer;
use crate::server::Starts;

/// Every figure of a run.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The machine.
    pub machine: Machine,
    /// How the run was set up.
    pub settings: Settings,
    /// The peer measured beside the mock (`--peer-axa`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<Peer>,
    /// Raw crypto rates.
    pub crypto: Crypto,
    /// `openssl speed -multi N rsa2048`.
    pub openssl: OpenSsl,
    /// Spawn to the first 200 on `/_mock/health`.
    pub cold_start_ms: Starts,
    /// The server's resident set at the moments that matter.
    pub rss_kib: Rss,
    /// The load scenarios, in the order run.
    pub scenarios: Vec<Scenario>,
    /// The `--grants` run.
    pub grants: GrantRun,
    /// Each target, met or not.
    pub targets: Vec<TargetCheck>,
}

/// How the run was set up.
#[derive(Debug, Serialize)]
pub struct Settings {
    /// Keep-alive connections per scenario.
    pub connections: usize,
    /// Seconds per scenario.
    pub duration_secs: f64,
    /// Grants issued before reading the RSS.
    pub grants: u64,
    /// The server binary.
    pub server: String,
    /// Whether the server logged every request.
    pub server_log: bool,
    /// Whether the load scenarios ran with the server (and a peer) on CPU 0 and the load
    /// generator on CPU 1.
    pub pinned: bool,
}

/// The server's resident set, in KiB.
#[derive(Debug, Serialize)]
pub struct Rss {
    /// A fresh server, half a second after its first 200 on /_mock/health.
    pub idle: u64,
    /// The load server after all scenarios.
    pub after_scenarios: u64,
    /// The grants server after `--grants` grants.
    pub after_grants: u64,
    /// After `--purge-check`, when asked for.
    pub after_purge: Option<u64>,
}

/// The `--grants` run, on a fresh server.
#[derive(Debug, Serialize)]
pub struct GrantRun {
    /// Grants issued (the setup grant included).
    pub issued: u64,
    /// Grants that failed.
    pub errors: u64,
    /// The first failure.
    pub first_error: Option<String>,
    /// Seconds spent issuing.
    pub elapsed_secs: f64,
    /// Grants per second over the whole run.
    pub grants_per_sec: f64,
    /// The server's RSS before the first grant.
    pub rss_idle_kib: u64,
    /// The server's RSS after the last.
    pub rss_after_kib: u64,
    /// Grants the server still holds for the app and user (live and revoked).
    pub grants_held: Option<u64>,
    /// Of those, revoked (the ten-per-app-and-user limit revokes the oldest).
    pub grants_revoked: Option<u64>,
    /// Grants held after `--purge-check`.
    pub grants_held_after_purge: Option<u64>,
    /// The run in ten batches: grants issued so far, that batch's rate, RSS after it.
    pub batches: Vec<GrantBatch>,
}

/// One tenth of the grants run.
#[derive(Debug, Serialize)]
pub struct GrantBatch {
    /// Grants issued so far.
    pub issued: u64,
    /// This batch's rate.
    pub grants_per_sec: f64,
    /// The server's CPU use during the batch.
    pub server_cores: f64,
    /// The server's RSS after the batch.
    pub rss_kib: u64,
}

/// The server's RSS after the batch that brought the grants to half the total.
pub fn rss_at_half(g: &GrantRun) -> Option<u64> {
    let half = g.issued / 2;
    g.batches.iter().find(|b| b.issued >= half).map(|b| b.rss_kib)
}

/// Whether a target holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// It holds.
    Met,
    /// It does not (or a figure it needs came with errors).
    NotMet,
    /// A reference it needs was not measured in this run.
    NotMeasured,
}

impl Verdict {
    /// The word in the table.
    pub fn label(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::NotMet => "NOT met",
            Self::NotMeasured => "not measured",
        }
    }
}

/// One target and what the run showed.
#[derive(Debug, Serialize)]
pub struct TargetCheck {
    /// What is required.
    pub target: String,
    /// What was measured, with the figures the check compared.
    pub measured: String,
    /// The measured figure over its reference or limit.
    pub ratio: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// `verdict == Met`.
    pub met: bool,
}

impl TargetCheck {
    pub(crate) fn new(target: String, measured: String, ratio: Option<f64>, verdict: Verdict) -> Self {
        Self {
            target,
            measured,
            ratio,
            verdict,
            met: verdict == Verdict::Met,
        }
    }
}
