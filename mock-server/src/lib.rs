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
//! # What a test writes
//! The crate root holds the names a test types; everything else sits in the module it belongs to.
//! - [`MockServer`]: start a mock, read its addresses, approve or deny an authorization, reset it.
//! - [`MockServerBuilder`]: a server with non-default settings ([`MockServer::builder`]).
//! - [`StartError`]: why a server did not start.
//! - [`Admin`]: apps, users, tenants and grants of a running server ([`MockServer::admin`]).
//! - [`AuditHandle`]: the audit of the app under test ([`MockServer::audit`]).
//! - [`Journal`]: the requests the server saw ([`MockServer::journal`]).
//! - [`Faults`]: the fault queue ([`MockServer::faults`]).
//! - [`Clock`]: the clock every lifetime reads ([`MockServer::clock`]).
//! - [`Fixtures`]: the tenants, users, apps, resources and keys a server starts from.
//! - [`App`], [`User`], [`Tenant`]: the entities a test adds or looks up.
//! - [`ClientSecret`]: an app's secret, whose `Debug` never shows it.
//! - [`GrantFilter`]: which refresh grants [`Admin::grants`] lists.
//! - [`FaultSpec`]: a fault to queue ([`Faults::push`]).
//! - [`Severity`]: how serious an audit finding is (`report.at_or_above(Severity::Warning)`).
//! - [`Breakage`]: a rule the server breaks on purpose, to prove a contract suite notices.
//! - [`Bounds`]: the limits on what clients can make the mock keep.
//! - [`ControlAccess`]: who may use the `/_mock/*` control surface.
//!
//! The modules: [`server`] (the start errors' causes, TLS material, the state file),
//! [`admin`], [`audit`], [`journal`], [`faults`], [`clock`], [`fixtures`], [`model`],
//! [`tokens`] (decoding and inspecting the JWTs the mock issues), [`approve`], [`guide`] (the
//! guide's example credentials), [`paths`] and [`reconcile`].
//!
//! # Design
//! Inside, the rules stay apart from HTTP:
//! - `protocol`: the rules (redirect matching, scopes, PKCE, client authentication, code
//!   redemption, refresh grants) as plain functions over plain types, each citing the ilert
//!   document or RFC it implements. Nothing there knows about HTTP.
//! - `token`: minting and verifying ilert's two JWTs with keys parsed once ([`tokens`] shows
//!   what a test reads of them).
//! - `state`: the one store behind one lock; flows lock once, never across an `await`.
//! - [`Clock`]: the one clock every lifetime reads, so tests move time instead of sleeping.
//! - `http`: axum handlers, one module per endpoint; they parse, call and render.
//! - [`fixtures`]: tenants, users, apps, resources and dev-only keys, embedded by default.
//! - [`audit`]: the app under test's OAuth mistakes (no `state`, no PKCE, a code redeemed twice,
//!   …), each tied to its rule, from compact facts kept per request.

#![warn(unnameable_types)]

pub mod admin;
pub mod approve;
pub mod audit;
mod bounds;
mod breakage;
mod changes;
pub mod clock;
pub mod faults;
pub mod fixtures;
pub mod guide;
mod http;
pub mod journal;
pub mod model;
mod old_fixture_tables;
mod pages;
pub mod paths;
mod persist;
mod protocol;
mod rate_limit;
mod resources;
pub mod server;
mod state;
mod timeouts;
mod tls;
mod token;
mod transport;

pub use admin::GrantFilter;
pub use audit::Severity;
pub use bounds::Bounds;
pub use breakage::Breakage;
pub use clock::Clock;
pub use faults::{FaultSpec, Faults};
pub use fixtures::Fixtures;
pub use http::ControlAccess;
pub use journal::Journal;
pub use model::{App, ClientSecret, Tenant, User};
pub use server::{Admin, AuditHandle, MockServer, MockServerBuilder, StartError};

/// Where the mock follows ilert's own clients over ilert's OpenAPI document: its tables, each row
/// naming the client line it follows (`mock-server/docs/reconciliation.md`).
pub use resources::reconcile;

/// The JWTs the mock issues, as a test decodes and inspects them: ilert's access token (RS256)
/// and refresh token (HS256), their claims in ilert's order, and what `/_mock/tokens` says of a
/// token. Minting and verifying stay inside the crate.
pub mod tokens {
    pub use crate::token::{
        ACCESS_TOKEN_LIFETIME, AccessClaims, InspectError, Inspection, KeyError, REFRESH_TOKEN_LIFETIME,
        RefreshClaims, TokenKind, decode_unverified,
    };
}

/// Building blocks the fuzz targets and the benchmark drive directly; not a stable API.
#[doc(hidden)]
pub mod internals;
