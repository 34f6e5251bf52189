//! [`MockServer`]: bind, start, address, shutdown; its settings ([`MockServerBuilder`]), why a
//! start was refused ([`StartError`] and its causes), and the handles it lends ([`Admin`],
//! [`AuditHandle`]).
//!
//! A server owns its listener task; dropping the handle stops it, so a test cannot leak a
//! server into the next one. Every server has its own store, clock and keys: tests running in
//! parallel never see each other's state.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::approve::{ApproveError, Choice, Target};
use crate::clock::Clock;
use crate::faults::Faults;
use crate::fixtures::{FixtureError, Fixtures};
use crate::http::{Ctx, SharedCtx};
use crate::journal::Journal;
use crate::token::KeyError;

mod admin;
mod audit;
mod builder;
pub use admin::Admin;
pub use audit::AuditHandle;
pub use builder::MockServerBuilder;

// What a start can be refused for ([`StartError`]'s causes), the HTTPS material
// ([`MockServerBuilder::tls`]) and the state file ([`MockServerBuilder::state_file`]).
pub use crate::http::allowed_hosts::AllowedHostError;
pub use crate::persist::{PersistError, dump_state_file};
pub use crate::tls::{TlsError, TlsMaterial};

/// Why a server did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The fixtures were refused.
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
    /// The keys in the fixtures were refused.
    #[error("fixture keys: {0}")]
    Keys(#[from] KeyError),
    /// The TLS certificate could not be made or read.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The state file could not be loaded or written.
    #[error(transparent)]
    State(#[from] PersistError),
    /// An allowed host is not a host name.
    #[error(transparent)]
    AllowedHost(#[from] crate::http::allowed_hosts::AllowedHostError),
    /// `auto_approve` names a user the fixtures do not have.
    #[error("--auto-approve: no user '{0}' in the fixtures")]
    UnknownAutoApproveUser(String),
    /// The control token is empty: an unset secret would leave the control surface open.
    #[error(
        "--control-token is empty (an unset ILERT_MOCK_CONTROL_TOKEN?); give a token, or leave the flag and the variable out to keep the control surface to loopback callers"
    )]
    EmptyControlToken,
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

/// The largest request head (request line and headers) read: hyper answers a larger one with
/// `431 Request Header Fields Too Large` itself, before any handler or middleware runs, so that
/// answer has no body. Without this bound hyper buffers up to about 400 KB of head per
/// connection, and a thousand keep-alive connections each sending one 300 KB header held
/// 300 MB. ilert's clients send a few hundred bytes (a bearer token is under 1 KB).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Turns off hyper's own header-read timer, which would start with every idle wait and so cut
/// idle connections at the header-read limit; [`crate::timeouts`] times each phase instead.
/// Bounds the request head ([`MAX_HEAD_BYTES`]) over HTTP/1 and HTTP/2.
fn untime_hyper(builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>) {
    builder
        .http1()
        .header_read_timeout(None)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(100);
    builder
        .http2()
        .max_header_list_size(u32::try_from(MAX_HEAD_BYTES).unwrap_or(u32::MAX));
}

/// How long [`MockServer::shutdown`] waits for in-flight requests.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Once a minute drops expired codes and grants and revoked grants past their memory, so a long
/// run does not grow without bound.
async fn purge_loop(ctx: SharedCtx) {
    let period = Duration::from_secs(60);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        tick.tick().await;
        let now = ctx.clock.now();
        ctx.store.with(|s| s.purge(now));
    }
}

/// A running mock ilert server.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = ilert_mock::MockServer::start().await;
/// let app = server.admin().app("0501439fd7dee9af0c25").expect("the guide's example app");
/// assert_eq!(app.id, 250);
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    ca_pem: Option<String>,
    ctx: SharedCtx,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    purger: JoinHandle<()>,
}

impl MockServer {
    /// Starts a server with the embedded fixtures on a random port of 127.0.0.1.
    ///
    /// # Panics
    /// When no port can be bound; use [`MockServer::builder`] to handle that as an error.
    pub async fn start() -> Self {
        match Self::builder().start().await {
            Ok(server) => server,
            Err(err) => panic!("the ilert mock could not start: {err}"),
        }
    }

    /// A builder for non-default settings.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (`https://` with TLS; no trailing slash).
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.ctx.options.scheme(), self.addr)
    }

    /// The base URL of a tenant host, e.g. `http://acme.localhost:41234`.
    pub fn tenant_url(&self, tenant: &str) -> String {
        format!(
            "{}://{tenant}.localhost:{}",
            self.ctx.options.scheme(),
            self.addr.port()
        )
    }

    /// The development CA's certificate (PEM) when the server made its own HTTPS certificate:
    /// the one certificate a test's client should trust.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The server's clock.
    pub fn clock(&self) -> &Clock {
        &self.ctx.clock
    }

    /// The fixtures the server started from.
    pub fn fixtures(&self) -> &Fixtures {
        &self.ctx.fixtures
    }

    /// The request journal (what `GET /_mock/requests` reads).
    pub fn journal(&self) -> &Journal {
        &self.ctx.journal
    }

    /// The audit of the app under test (what `GET` and `DELETE /_mock/audit` read and clear):
    /// `server.audit().report()`, `server.audit().clear()`.
    pub fn audit(&self) -> AuditHandle<'_> {
        AuditHandle::new(&self.ctx)
    }

    /// The directory and grants (what `/_mock/apps`, `/_mock/users`, `/_mock/tenants` and
    /// `/_mock/grants` read and change): `server.admin().add_app(..)`, `server.admin().grants(..)`.
    pub fn admin(&self) -> Admin<'_> {
        Admin::new(&self.ctx)
    }

    /// The fault queue (what `POST /_mock/faults` fills).
    pub fn faults(&self) -> &Faults {
        &self.ctx.faults
    }

    /// Approves the pending authorization at `authorize_url` as `username`, as a person at the
    /// grant view would: loads the view over loopback HTTP, checks that it offers `username`,
    /// and submits its form with `decision=grant`. Returns the redirect to the app, with `code`
    /// and `state`. For a server started without `auto_approve` (the view is shown).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = ilert_mock::MockServer::start().await;
    /// let url = format!(
    ///     "{}/api/developers/oauth2/authorize?client_id={}&response_type=code&redirect_uri={}&scope=profile&state=s",
    ///     server.base_url(), ilert_mock::guide::CLIENT_ID, "http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result",
    /// );
    /// let redirect = server.approve(&url, "someUser").await?;
    /// assert!(redirect.query_pairs().any(|(k, _)| k == "code"));
    /// # Ok(()) }
    /// ```
    pub async fn approve(&self, authorize_url: &str, username: &str) -> Result<url::Url, ApproveError> {
        self.decide(authorize_url, &Choice::Grant(username.to_owned()))
            .await
    }

    /// Denies the pending authorization at `authorize_url`, as a person pressing Deny would;
    /// returns the redirect to the app (`error=access_denied`).
    pub async fn deny(&self, authorize_url: &str) -> Result<url::Url, ApproveError> {
        self.decide(authorize_url, &Choice::Deny).await
    }

    async fn decide(&self, authorize_url: &str, choice: &Choice) -> Result<url::Url, ApproveError> {
        let url = crate::approve::authorize(authorize_url)?;
        if url.port_or_known_default() != Some(self.addr.port()) {
            return Err(ApproveError::OtherServer {
                url: authorize_url.to_owned(),
                base_url: self.base_url(),
            });
        }
        let target = Target {
            connect: Some(self.addr),
            ca_pem: self.ca_pem.as_ref().map(|pem| pem.as_bytes().to_vec()),
        };
        crate::approve::submit(&target, authorize_url, choice).await
    }

    /// Back to the fixtures: state, clock, journal, audit and faults.
    pub fn reset(&self) {
        self.ctx.reset();
        changed(&self.ctx, "reset");
    }

    /// Stops accepting connections, lets in-flight requests finish (for at most
    /// [`SHUTDOWN_GRACE`]; a connection still busy then is closed), and, with a state file,
    /// writes the state once more and releases the file (another server may then take it)
    /// before returning.
    pub async fn shutdown(mut self) {
        self.ctx.changes.close();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await.is_err()
        {
            tracing::warn!(
                "requests still running {} s after the shutdown began; closing their connections",
                SHUTDOWN_GRACE.as_secs()
            );
            server.abort();
        }
        self.purger.abort();
        self.ctx.store.close();
    }
}

/// Tells the dashboard's live readers that an embedded-API call (`what`) changed the mock.
fn changed(ctx: &Ctx, what: &str) {
    ctx.changes
        .send(crate::changes::Change::Control(format!("MockServer::{what}")));
}

impl Drop for MockServer {
    /// Stops the server without waiting, and releases its state file at once (written as it
    /// is), so a test may start another server on the file right away; a request still running
    /// on the old server then changes nothing on disk.
    fn drop(&mut self) {
        self.ctx.changes.close();
        self.purger.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.ctx.store.close();
    }
}
