//! What every handler shares: the store, keys, clock, journal, audit, faults and options
//! ([`Ctx`], behind an `Arc` as [`SharedCtx`]), and how a reset returns to the start.

use std::sync::Arc;

use crate::clock::Clock;
use crate::fixtures::Fixtures;
use crate::state::SharedState;
use crate::token::Keys;

use super::allowed_names::AllowedHosts;

/// Who may use the `/_mock` control surface.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ControlAccess {
    /// Anyone (the default: the mock listens on loopback).
    #[default]
    Open,
    /// Only requests with `Authorization: Bearer <token>`.
    Token(String),
    /// Nobody: the control routes are not mounted.
    Off,
}

impl std::fmt::Debug for ControlAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Open => "Open",
            Self::Token(_) => "Token([redacted])",
            Self::Off => "Off",
        })
    }
}

/// Server-wide options that are not fixtures.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Approve every authorization as this user, skipping the grant view.
    pub auto_approve: Option<String>,
    /// The externally visible base URL (scheme, host, port), when it differs from the request's.
    pub public_url: Option<url::Url>,
    /// Believe `X-Forwarded-Host` / `X-Forwarded-Proto` (only behind a proxy you run).
    pub trust_forwarded: bool,
    /// Host names answered besides loopback names, IP literals and the public URL's host.
    pub allowed_hosts: AllowedHosts,
    /// Access to `/_mock`.
    pub control: ControlAccess,
    /// Whether the listener speaks TLS (the scheme of self-described URLs).
    pub tls: bool,
    /// Rules deliberately broken (tests of contract suites only).
    pub breakages: crate::breakage::Breakages,
    /// Web origins (`scheme://host[:port]`, or `*`) whose pages may use the tokenless ingestion
    /// endpoints (`--allow-origin`); see [`cross_origin::ingest`].
    pub allowed_origins: Vec<String>,
    /// What a client can make the mock keep, and the work one request may ask for.
    pub bounds: crate::bounds::Bounds,
}

impl Options {
    /// `https` with TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls { "https" } else { "http" }
    }
}

/// How the server started, so `/_mock/reset` can return there.
#[derive(Debug, Clone, Copy, Default)]
pub struct Startup {
    /// Clock start, if fixed.
    pub clock_start: Option<crate::clock::UnixSeconds>,
    /// Whether the clock started frozen.
    pub frozen: bool,
    /// Seed of the generator, if fixed.
    pub seed: Option<u64>,
}

/// Everything a handler needs.
#[derive(Debug)]
pub struct Ctx {
    /// The store.
    pub store: SharedState,
    /// Signing keys.
    pub keys: Keys,
    /// The clock.
    pub clock: Arc<Clock>,
    /// Options.
    pub options: Options,
    /// The fixtures the server started from.
    pub fixtures: Fixtures,
    /// The request journal.
    pub journal: crate::journal::Journal,
    /// Notices for live readers (the dashboard's event stream).
    pub changes: crate::changes::Changes,
    /// The audit's facts about the app under test.
    pub audit: crate::audit::Audit,
    /// Queued faults.
    pub faults: crate::faults::Faults,
    /// Start-up settings.
    pub startup: Startup,
    /// When the server started (monotonic).
    pub started: std::time::Instant,
    /// The API rate limit, when on.
    pub rate_limiter: Option<crate::rate_limit::RateLimiter>,
    /// The rules' switches, derived once from `options.breakages`.
    pub policy: crate::breakage::Policy,
    /// Access tokens this server has verified (`token::VerifiedCache`).
    pub verified: crate::token::VerifiedCache,
    /// RSA signings allowed at once: one per core. More would only time-share the cores with
    /// the async workers that read requests and write answers, and stretch every latency.
    pub signers: tokio::sync::Semaphore,
}

impl Ctx {
    /// Back to the fixtures: state, clock, journal, audit and faults.
    pub fn reset(&self) {
        match self.startup.clock_start {
            Some(start) => {
                self.clock.freeze(false);
                self.clock.set(start);
            }
            None => {
                self.clock.freeze(false);
                self.clock.set(crate::clock::Clock::system().now());
            }
        }
        self.clock.freeze(self.startup.frozen);
        self.verified.clear();
        let mut fresh = crate::state::MockState::new(&self.fixtures, self.startup.seed);
        fresh.auto_approve = self.options.auto_approve.clone();
        self.store.replace(fresh);
        self.journal.clear();
        self.audit.clear();
        self.faults.clear();
        if let Some(limiter) = &self.rate_limiter {
            limiter.clear();
        }
    }
}

/// Shared handler state.
pub type SharedCtx = Arc<Ctx>;
