//! The audit of the app under test: its OAuth mistakes, each tied to the rule it breaks.
//!
//! The mock sees every request an app makes, so besides answering it can tell the app where it
//! does not use OAuth2 the way ilert and RFC 9700 ask: an authorization without `state` or PKCE,
//! a secret in a URL, a code redeemed twice, a refresh every minute, an expired token sent again,
//! a 429 ignored. `GET /_mock/audit`, [`crate::MockServer::audit`] and the `ilert-mock audit`
//! command report them; a CI job fails on them.
//!
//! # Design
//! - `facts`: per request, a few compact facts are kept apart from the journal (whose bounds
//!   drop bodies and old entries): what the journal middleware saw (`facts::Observed`) and what
//!   the handler said the request meant (`facts::Event`, handed back as a response extension).
//!   No secret is kept, only the journal's keyed fingerprints of codes, tokens and `state`
//!   values. Recording is a few field copies and one short lock; successful API calls, the hot
//!   path, are summed up per access token instead of kept one by one. Nothing is rendered until
//!   the audit is read, and recording never changes a response.
//! - `rules`: one small function per finding id, each citing its source, run over the facts
//!   and the mock's apps when the audit is read. Times are the mock's clock (so moving
//!   `/_mock/clock` by 5 minutes counts as 5 minutes); "sent after the answer" is judged on a
//!   monotonic clock, so concurrent requests are not mistaken for retries.
//! - [`report`]: findings, severities, filters; [`render`]: the table a person reads and the
//!   JUnit XML a CI dashboard reads; [`remote`]: reading a running mock's audit over HTTP.
//!
//! # Severities
//! - `error`: an RFC's MUST broken or a credential exposed: `NO_STATE` and `STATE_REUSED` without
//!   PKCE (nothing else protects the redirect from CSRF), `NO_PKCE` by an app that does not send
//!   a secret (RFC 9700 §2.1.1: public clients MUST), `SECRET_IN_QUERY`, `TOKEN_IN_QUERY`,
//!   `CODE_REUSED`, and `INSECURE_REDIRECT_URI` for a code actually sent over plain http.
//! - `warning`: ilert's advice or an RFC's SHOULD not followed, or a request that cannot succeed
//!   sent anyway: `NO_STATE`/`STATE_REUSED` with PKCE (RFC 9700 §2.1 lets PKCE carry the CSRF
//!   protection), `NO_PKCE` by an app that sends its secret (ilert: "using PKCE additionally is
//!   suggested"), `REFRESH_TOO_OFTEN`, `REAUTHORIZED_INSTEAD_OF_REFRESH`, `GRANT_LIMIT_REACHED`
//!   (a user's older session is cut off, the consequence of re-authorizing),
//!   `EXPIRED_TOKEN_RETRIED`, `REVOKED_REFRESH_RETRIED`, `RATE_LIMIT_IGNORED`, and
//!   `INSECURE_REDIRECT_URI` for a URI only registered.
//! - `info`: `SCOPE_UNUSED` (least privilege is a SHOULD, and a test run may not exercise every
//!   feature that needs a scope).
//!
//! # Bounds
//! At most [`DEFAULT_CAPACITY`] request facts (`--audit-size`, the oldest dropped first;
//! the report says how many were dropped) and the summed-up API calls of at most
//! `facts::MAX_TOKENS` access tokens; every text a fact keeps (a client id, a username, a
//! redirect URI) is cut to `--max-audit-value-bytes`, and the facts together weigh at most
//! `--max-audit-bytes` (the oldest dropped first), so a flood of 30 KB client ids costs no more
//! than a flood of short ones. `DELETE /_mock/audit` (or `Audit::clear`) starts afresh;
//! `/_mock/reset` does too. Clearing the journal does not clear the audit.

pub(crate) mod facts;
pub mod remote;
pub mod render;
pub mod report;
pub(crate) mod rules;

use parking_lot::Mutex;

pub use facts::DEFAULT_CAPACITY;
use facts::Fact;
pub use report::{Filter, Finding, Report, Severity};

use crate::model::App;

/// The audit's facts, shared by the server and the embedded API.
pub(crate) struct Audit {
    book: Mutex<facts::FactBook>,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Audit").finish_non_exhaustive()
    }
}

impl Audit {
    /// An audit keeping at most `capacity` request facts.
    pub fn new(capacity: usize) -> Self {
        Self {
            book: Mutex::new(facts::FactBook::new(capacity)),
        }
    }

    /// An audit keeping at most `capacity` request facts weighing at most `max_bytes`, each
    /// text cut to `value_bytes` ([`crate::Bounds`]).
    pub fn bounded(capacity: usize, value_bytes: usize, max_bytes: usize) -> Self {
        Self {
            book: Mutex::new(facts::FactBook::bounded(capacity, value_bytes, max_bytes)),
        }
    }

    /// Records one request's facts.
    pub fn record(&self, fact: Fact) {
        self.book.lock().record(fact);
    }

    /// Forgets every fact: the next report covers only what comes after.
    pub fn clear(&self) {
        self.book.lock().clear();
    }

    /// The findings about everything seen since the audit started or was cleared, judged
    /// against the mock's `apps`.
    pub fn report(&self, apps: &[App]) -> Report {
        let snapshot = self.book.lock().snapshot();
        let cx = rules::Context::new(&snapshot, apps);
        Report::new(
            snapshot.seen,
            snapshot.dropped,
            cx.apps_seen(),
            rules::evaluate(&cx),
        )
    }
}

impl Default for Audit {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}
