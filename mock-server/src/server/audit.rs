//! [`AuditHandle`]: the audit of the app under test on a running server, as `GET` and
//! `DELETE /_mock/audit` read and clear it, grouped behind
//! [`MockServer::audit`](super::MockServer::audit) like `journal()` and `faults()`.

use crate::audit::Report;
use crate::http::Ctx;

/// The audit of one server, borrowed from it by [`MockServer::audit`](super::MockServer::audit).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = ilert_mock::MockServer::start().await;
/// // … run the app's tests against server.base_url() …
/// let report = server.audit().report();
/// let serious = report.at_or_above(ilert_mock::Severity::Warning);
/// assert!(serious.is_empty(), "{}", report.table());
/// server.audit().clear(); // the next test's audit starts afresh
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AuditHandle<'a> {
    ctx: &'a Ctx,
}

impl<'a> AuditHandle<'a> {
    pub(super) fn new(ctx: &'a Ctx) -> Self {
        Self { ctx }
    }

    /// What `GET /_mock/audit` answers: every finding about the requests since the server
    /// started or the audit was cleared, the most severe first.
    pub fn report(&self) -> Report {
        let apps = self.ctx.store.with(|s| s.apps.clone());
        self.ctx.audit.report(&apps)
    }

    /// Forgets what the audit has seen (`DELETE /_mock/audit`): the next
    /// [`report`](Self::report) covers only later requests.
    pub fn clear(&self) {
        self.ctx.audit.clear();
        super::changed(self.ctx, "clear_audit");
    }
}
