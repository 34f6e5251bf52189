//! The contract suite for ilert's OAuth2 backend-app flow, runnable against the mock or any
//! server that claims to behave like ilert.
//!
//! It drives the whole backend flow — authorize, code exchange, refresh, the resource API,
//! token info, revoke — with raw HTTP where the exact wire shape is the rule, and through the
//! reference client [`ilert_oauth2_client`] for whole flows, and checks every rule of
//! `mock-server/docs/behaviour.md` §1–§10. Like the OpenID Foundation's conformance suite,
//! every check is a named [`Case`] with an id (`AUTHZ-REDIRECT-EXACT-03`), a title, the
//! rule's [`Source`] (`ilert-doc …`, `rfc6749 §4.1.2.1`, or `mock …` for the mock's own
//! choices), a [`Severity`], and on failure a [`Failure`] saying what was sent, what was
//! expected and what came back.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ilert_conformance::RunError> {
//! use ilert_conformance::{RunOptions, Target};
//! let report = ilert_conformance::run_all(Target::new("http://127.0.0.1:4598"), RunOptions::default()).await?;
//! println!("{}", report.table());
//! println!("{}", report.closing_line()); // "152 passed, 0 failed, 0 skipped"
//! # Ok(()) }
//! ```
//!
//! # Design
//! - [`case`]: what a case is. Cases are plain `async fn(Cx) -> CaseResult` that stop at the
//!   first check that does not hold; [`Stop::Skip`] says why a case cannot run against a target.
//!   How a case ends ([`Stop`], [`Failure`], [`CaseResult`]) is part of it.
//! - [`cases`]: the catalogue, one module per part of the contract; [`cases::all`] lists it.
//! - [`Cx`]: the case's context (the run's target and client, the case's transcript). Inside the
//!   crate, requests are built and sent recording a transcript entry ([`report::Entry`]: secrets
//!   redacted, JWTs decoded, HTML summarised), so a failure can show the exchange and the
//!   snapshot tests can pin every response; the flow steps most cases need (consent, code
//!   exchange, refresh, an access token) and the mock's `/_mock` surface (a user of the case's
//!   own, the clock) are methods of the context.
//! - The checks on a response: one rule, one case. The status and shape of each error code
//!   belong to the `TOKEN-ERR-*` rows, so a server that gets one of them wrong fails that row,
//!   not every case that happens to meet the error.
//! - [`runner`]: concurrency. Cases that touch only their own users and grants run in
//!   parallel; cases sharing a tenant's resources run in a lane; cases that move the server's
//!   clock or queue faults run alone afterwards and undo their change. Against a server without
//!   `/_mock/`, cases tagged [`Tag::MockOnly`] or [`Tag::NeedsBrowser`] are skipped, not failed,
//!   and token cases run with a token given on the command line.
//! - [`report`]: the table, JSON and JUnit XML, and the exit status (only failure-severity
//!   cases fail a run).
//! - [`target`]: the server under test and the app the suite signs in as.
//! - On a mock, the suite registers its own apps and users under a tag unique to the run and
//!   removes them afterwards, so a shared mock's other clients keep their grants.
//!
//! The crate exposes what its binary and a user running the suite call: the case model
//! ([`case`], [`Cx`]), the catalogue ([`cases::all`]), the [`runner`] and [`run_all`], the
//! [`report`] and the [`target`]; the root re-exports the names of each.

pub mod case;
pub mod cases;
pub mod report;
pub mod runner;
pub mod target;

mod apps;
mod controls;
mod ctx;
mod expect;
mod jwt;
mod outcome;
mod req;
mod sandbox;
mod steps;
mod view;

pub use case::{Area, Case, CaseResult, Failure, Isolation, RunFn, Severity, Source, SourceKind, Stop, Tag};
pub use ctx::Cx;
pub use report::{CaseReport, Counts, Report, Verdict};
pub use runner::{Progress, ProgressFn, RunError, RunOptions};
pub use target::{App, Target};

/// Runs the whole catalogue against `target`.
pub async fn run_all(target: Target, options: RunOptions) -> Result<Report, RunError> {
    runner::run(target, cases::all(), options).await
}
