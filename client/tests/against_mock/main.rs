//! The reference client against the embedded mock over real HTTP on 127.0.0.1 (the acceptance
//! tests of the "Reference client" issue): the full flow with and without PKCE, the public and
//! the rotating app, a tenant host, HTTPS, refresh on 401 after the mock's clock moves, one
//! refresh shared by concurrent callers, ilert's "once per 5 minutes" advice, every error
//! variant, the typed alert-source helpers and the file store.
//!
//! One test binary with a module per theme, so the suite links once and stays fast. Nothing
//! sleeps: expiry is the mock's clock moving (`server.clock().advance(3601)`), and what reached
//! the mock is read from its journal.

#[path = "../common/mod.rs"]
mod common;

mod errors;
mod flow;
mod https;
mod incidents;
mod refresh;
mod resources;
