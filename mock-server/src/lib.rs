//! An emulated ilert OAuth2 authorization and resource server, for offline development and CI.
//!
//! ilert lets third-party "backend apps" act for a user: the app sends the user to ilert's
//! authorize page, receives a `code` on its exact `redirect_uri`, trades it (with its secret) for
//! an RS256 access JWT and an HS256 refresh JWT, calls the API with `Authorization: Bearer …`,
//! refreshes on 401, inspects tokens at `token_info` and revokes them. This crate answers all of
//! that like ilert does — same paths, same claims, same error shapes — on a local port.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = ilert_mock::MockServer::start().await; // embedded fixtures, random port
//! println!("authorize at {}/api/developers/oauth2/authorize", server.base_url());
//! # }
//! ```
//!
//! # Design
//! The modules are private; this page lists what a user needs (below). Inside:
//! - `protocol`: the rules (redirect matching, scopes, PKCE, client authentication, code
//!   redemption, refresh grants) as plain functions over plain types, each citing the ilert
//!   document or RFC it implements. Nothing there knows about HTTP.
//! - `token`: minting and verifying ilert's two JWTs with keys parsed once.
//! - `state`: the one store behind one lock; flows lock once, never across an `await`.
//! - [`Clock`]: the one clock every lifetime reads, so tests move time instead of sleeping.
//! - `http`: axum handlers, one module per endpoint; they parse, call and render.
//! - `fixtures` ([`Fixtures`]): tenants, users, apps, resources and dev-only keys, embedded by default.
//! - [`audit`]: the app under test's OAuth mistakes (no `state`, no PKCE, a code redeemed twice,
//!   …), each tied to its rule, from compact facts kept per request.

#![warn(unnameable_types)]

mod admin;
pub mod approve;
pub mod audit;
mod bounds;
mod breakage;
mod changes;
mod clock;
mod faults;
mod fixtures;
pub mod guide;
mod http;
mod journal;
mod model;
mod pages;
pub mod paths;
mod persist;
mod protocol;
mod rate_limit;
mod resources;
mod server;
mod state;
mod timeouts;
mod tls;
mod token;
mod transport;

// Starting a mock and steering it.
pub use audit::{Finding, Severity};
pub use bounds::Bounds;
pub use breakage::Breakage;
pub use clock::{Clock, ClockReading, UnixSeconds};
pub use faults::{Action as FaultAction, FaultError, FaultSpec, Faults, Queued as QueuedFault};
pub use http::ControlAccess;
pub use http::allowed_hosts::AllowedHostError;
pub use persist::{PersistError, dump_state_file};
pub use server::{Admin, AuditHandle, MockServer, MockServerBuilder, SHUTDOWN_GRACE, StartError};
pub use tls::{TlsError, TlsMaterial};

// What the mock holds: fixtures, the people and apps in them, grants.
pub use admin::{AdminError, GrantFilter, GrantInfo};
pub use approve::ApproveError;
pub use fixtures::{
    DEFAULT_TOML as DEFAULT_FIXTURES_TOML, FixtureError, Fixtures, KeyFixture, ServerFixture,
};
pub use model::{AlertSource, App, ClientSecret, EscalationPolicy, EscalationRule, Tenant, User};
pub use resources::seed::{Seed, Seeds};

// Where the mock follows ilert's own clients over ilert's OpenAPI document: its tables, each row
// naming the client line it follows (mock-server/docs/reconciliation.md).
pub use resources::reconcile;

// What the mock recorded.
pub use journal::{
    DEFAULT_CAPACITY as JOURNAL_CAPACITY, DEFAULT_MAX_BYTES as JOURNAL_MAX_BYTES, Entry as JournalEntry,
    Filter as JournalFilter, Journal, Secret as JournalSecret, Section as JournalSection,
    SeenToken as JournalToken, SnapshotEntry,
};

// The tokens it issues.
pub use protocol::scope::ScopeSet;
pub use token::{
    AccessClaims, InspectError, Inspection, KeyError, RefreshClaims, TokenKind, decode_unverified,
};

/// Building blocks the fuzz targets and the benchmark drive directly; not a stable API.
#[doc(hidden)]
pub mod internals;
