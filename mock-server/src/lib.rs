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
//! - [`protocol`]: the rules (redirect matching, scopes, PKCE, client authentication, code
//!   redemption, refresh grants) as plain functions over plain types, each citing the ilert
//!   document or RFC it implements. Nothing there knows about HTTP.
//! - [`token`]: minting and verifying ilert's two JWTs with keys parsed once.
//! - [`state`]: the one store behind one lock; flows lock once, never across an `await`.
//! - [`clock`]: the one clock every lifetime reads, so tests move time instead of sleeping.
//! - [`http`]: axum handlers, one module per endpoint; they parse, call and render.
//! - [`fixtures`]: tenants, users, apps, resources and dev-only keys, embedded by default.

pub mod admin;
pub mod breakage;
pub mod clock;
pub mod faults;
pub mod fixtures;
pub mod http;
pub mod journal;
pub mod model;
pub mod pages;
pub mod paths;
pub mod persist;
pub mod protocol;
pub mod rate_limit;
pub mod resources;
pub mod server;
pub mod state;
pub mod timeouts;
pub mod tls;
pub mod token;

pub use admin::{AdminError, GrantFilter, GrantInfo};
pub use breakage::Breakage;
pub use clock::Clock;
pub use faults::{FaultSpec, Faults};
pub use fixtures::{FixtureError, Fixtures};
pub use http::ControlAccess;
pub use journal::Journal;
pub use model::App;
pub use server::{MockServer, MockServerBuilder, SHUTDOWN_GRACE, StartError};
