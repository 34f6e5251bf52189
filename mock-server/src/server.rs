//! [`MockServer`]: bind, start, address, shutdown.
//!
//! A server owns its listener task; dropping the handle stops it, so a test cannot leak a
//! server into the next one. Every server has its own store, clock and keys: tests running in
//! parallel never see each other's state.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::admin::{AdminError, GrantFilter, GrantInfo};
use crate::approve::{ApproveError, Choice, Target};
use crate::clock::{Clock, UnixSeconds};
use crate::faults::Faults;
use crate::fixtures::{FixtureError, Fixtures};
use crate::http::{self, ControlAccess, Ctx, Options, SharedCtx, Startup};
use crate::journal::Journal;
use crate::model::{App, Tenant, User};
use crate::persist::{PersistError, StateFile};
use crate::state::SharedState;
use crate::timeouts::{TimedAcceptor, Timeouts};
use crate::tls::{TlsError, TlsMaterial};
use crate::token::{KeyError, Keys};

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

/// Builds a [`MockServer`] with non-default settings.
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    fixtures: Option<Fixtures>,
    bind: SocketAddr,
    options: Options,
    clock_start: Option<UnixSeconds>,
    freeze_clock: bool,
    seed: Option<u64>,
    journal_size: usize,
    journal_bytes: usize,
    audit_size: usize,
    rate_limit: Option<u32>,
    state_file: Option<std::path::PathBuf>,
    tls: TlsSource,
    allowed_hosts: Vec<String>,
    timeouts: Timeouts,
}

/// Where the HTTPS certificate comes from.
#[derive(Debug, Clone, Default)]
enum TlsSource {
    #[default]
    Off,
    Generated,
    Files {
        cert: std::path::PathBuf,
        key: std::path::PathBuf,
    },
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            fixtures: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            options: Options::default(),
            clock_start: None,
            freeze_clock: false,
            seed: None,
            journal_size: crate::journal::DEFAULT_CAPACITY,
            journal_bytes: crate::journal::DEFAULT_MAX_BYTES,
            audit_size: crate::audit::DEFAULT_CAPACITY,
            rate_limit: None,
            state_file: None,
            tls: TlsSource::Off,
            allowed_hosts: Vec::new(),
            timeouts: Timeouts::default(),
        }
    }
}

impl MockServerBuilder {
    /// Uses these fixtures instead of the embedded defaults.
    pub fn fixtures(mut self, fixtures: Fixtures) -> Self {
        self.fixtures = Some(fixtures);
        self
    }

    /// Listens on `addr` (default `127.0.0.1:0`, a random free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Approves every authorization at once as `username`, skipping the grant view.
    pub fn auto_approve(mut self, username: impl Into<String>) -> Self {
        self.options.auto_approve = Some(username.into());
        self
    }

    /// The base URL clients reach the server at, when it differs from the `Host` they send.
    pub fn public_url(mut self, url: url::Url) -> Self {
        self.options.public_url = Some(url);
        self
    }

    /// Starts the clock at `at` (Unix seconds).
    pub fn clock_start(mut self, at: UnixSeconds) -> Self {
        self.clock_start = Some(at);
        self
    }

    /// Freezes the clock; with a fixed start and seed, the same requests give the same bytes.
    pub fn freeze_clock(mut self, frozen: bool) -> Self {
        self.freeze_clock = frozen;
        self
    }

    /// Seeds the generator of codes, refresh keys and integration keys.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Believes `X-Forwarded-Host` / `X-Forwarded-Proto` for self-described URLs.
    pub fn trust_forwarded(mut self, trust: bool) -> Self {
        self.options.trust_forwarded = trust;
        self
    }

    /// Also answers requests addressed to `name` (and its tenant hosts `{tenant}.name`):
    /// `.example.test` admits every name below `example.test`, `*` every name. Loopback names,
    /// `*.localhost`, IP literals and the public URL's host are always answered; any other `Host`
    /// gets `403` (DNS rebinding protection, `mock-server/docs/security.md`).
    pub fn allowed_host(mut self, name: impl Into<String>) -> Self {
        self.allowed_hosts.push(name.into());
        self
    }

    /// Who may use `/_mock` (default: anyone).
    pub fn control(mut self, access: ControlAccess) -> Self {
        self.options.control = access;
        self
    }

    /// Keeps at most `entries` requests in the journal (default 1,000).
    pub fn journal_size(mut self, entries: usize) -> Self {
        self.journal_size = entries;
        self
    }

    /// Keeps at most `bytes` of recorded requests in the journal (default 4 MiB), dropping the
    /// oldest beyond; header values and fields longer than 4 KiB are cut with a marker.
    pub fn journal_bytes(mut self, bytes: usize) -> Self {
        self.journal_bytes = bytes;
        self
    }

    /// Keeps the audit facts of at most `requests` requests (default 10,000; successful API calls
    /// are summed up per access token and do not count), dropping the oldest beyond; see
    /// [`crate::audit`].
    pub fn audit_size(mut self, requests: usize) -> Self {
        self.audit_size = requests;
        self
    }

    /// Limits `/api/...` to `per_minute` requests per client IP and minute (ilert: 700), answering
    /// 429 beyond. Overrides the fixtures' `rate_limit_per_minute`.
    pub fn rate_limit(mut self, per_minute: u32) -> Self {
        self.rate_limit = Some(per_minute);
        self
    }

    /// Persists grants, revocations, resources and run-time apps and users to `path` after every
    /// change, and loads them from there at start (`mock-server/docs/security.md`).
    pub fn state_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Deliberately breaks one rule of the contract (see [`crate::Breakage`]), to prove that a
    /// contract suite notices. Never use it for anything but such a test.
    pub fn breakage(mut self, breakage: crate::Breakage) -> Self {
        self.options.breakages.add(breakage);
        self
    }

    /// Lets pages of `origin` (`scheme://host[:port]`, or `*` for every origin) use the
    /// tokenless ingestion endpoints (Events, Series, deployment events, heartbeats), which
    /// otherwise refuse what a page of another site made a browser send.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.options.allowed_origins.push(origin.into());
        self
    }

    /// Sets every bound on what clients can make the mock keep ([`crate::Bounds`]).
    pub fn bounds(mut self, bounds: crate::Bounds) -> Self {
        self.options.bounds = bounds;
        self
    }

    /// Serves HTTPS with a certificate for `localhost`, `127.0.0.1`, `::1` and every tenant host
    /// (`{tenant}.localhost`, also for tenants added later) signed by a development CA made at
    /// start; [`MockServer::ca_pem`] gives the CA to trust. Plain HTTP sent to the port gets a
    /// `400` saying to use `https://`.
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = if on { TlsSource::Generated } else { TlsSource::Off };
        self.options.tls = on;
        self
    }

    /// Serves HTTPS with the given PEM certificate chain and key.
    pub fn tls_files(
        mut self,
        cert: impl Into<std::path::PathBuf>,
        key: impl Into<std::path::PathBuf>,
    ) -> Self {
        self.tls = TlsSource::Files {
            cert: cert.into(),
            key: key.into(),
        };
        self.options.tls = true;
        self
    }

    /// Closes a connection whose request head (or TLS handshake) is not complete `limit` after
    /// it began (default 10 s; `mock-server/docs/security.md`).
    pub fn header_read_timeout(mut self, limit: Duration) -> Self {
        self.timeouts.header_read = limit;
        self
    }

    /// Closes a connection whose request body is not complete `limit` after its head
    /// (default 30 s).
    pub fn body_timeout(mut self, limit: Duration) -> Self {
        self.timeouts.body = limit;
        self
    }

    /// Closes a keep-alive connection that sends no new request for `limit` after an answer
    /// (default 60 s).
    pub fn idle_timeout(mut self, limit: Duration) -> Self {
        self.timeouts.idle = limit;
        self
    }

    /// Binds and starts serving.
    pub async fn start(mut self) -> Result<MockServer, StartError> {
        self.options.allowed_hosts = crate::http::allowed_hosts::AllowedHosts::parse(&self.allowed_hosts)?;
        let fixtures = match self.fixtures {
            Some(f) => f,
            None => Fixtures::embedded()?,
        };
        let keys = Keys::new(
            &fixtures.keys.access_private_key_pem,
            &fixtures.keys.refresh_secret,
            &fixtures.keys.key_id,
        )?;
        let clock = Arc::new(match (self.clock_start, self.freeze_clock) {
            (Some(start), frozen) => Clock::starting_at(start, frozen),
            (None, frozen) => {
                let clock = Clock::system();
                clock.freeze(frozen);
                clock
            }
        });
        // A frozen clock asks for reproducible runs: derive the seed from the start time unless given.
        let seed = self
            .seed
            .or_else(|| self.freeze_clock.then(|| clock.now().unsigned_abs()));
        if let Some(user) = &self.options.auto_approve
            && !fixtures.users.iter().any(|u| &u.username == user)
        {
            return Err(StartError::UnknownAutoApproveUser(user.clone()));
        }
        if let ControlAccess::Token(token) = &self.options.control
            && token.trim().is_empty()
        {
            return Err(StartError::EmptyControlToken);
        }
        let rate_limit_fixture = fixtures.server.rate_limit_per_minute;
        let store = match self.state_file {
            Some(path) => SharedState::with_file(&fixtures, seed, clock.now(), StateFile::open(path)?)?,
            None => SharedState::new(&fixtures, seed, clock.now()),
        };
        let auto_approve = self.options.auto_approve.clone();
        store.with(|s| s.auto_approve = auto_approve);
        let policy = self.options.breakages.policy();
        let bounds = self.options.bounds;
        let ctx: SharedCtx = Arc::new(Ctx {
            store,
            keys,
            clock,
            options: self.options,
            fixtures,
            journal: Journal::with_limits(self.journal_size, self.journal_bytes),
            changes: crate::changes::Changes::default(),
            audit: crate::audit::Audit::bounded(
                self.audit_size,
                bounds.audit_value_bytes,
                bounds.audit_bytes,
            ),
            faults: Faults::default(),
            startup: Startup {
                clock_start: self.clock_start,
                frozen: self.freeze_clock,
                seed,
            },
            started: std::time::Instant::now(),
            policy,
            rate_limiter: self.rate_limit.or(rate_limit_fixture).map(|per_minute| {
                crate::rate_limit::RateLimiter::bounded(per_minute, bounds.rate_limit_clients)
            }),
            verified: crate::token::VerifiedCache::default(),
            signers: tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
        });
        let tls = match self.tls {
            TlsSource::Off => None,
            TlsSource::Generated => {
                let tenants: Vec<&str> = ctx.fixtures.tenants.iter().map(|t| t.id.as_str()).collect();
                Some(TlsMaterial::generate_for(&tenants)?)
            }
            TlsSource::Files { cert, key } => Some(TlsMaterial::from_files(&cert, &key)?),
        };
        let listener = TcpListener::bind(self.bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.bind,
            source,
        })?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = http::router(ctx.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let handle = axum_server::Handle::new();
        let stopper = handle.clone();
        tokio::spawn(async move {
            let _ = rx.await;
            stopper.graceful_shutdown(Some(SHUTDOWN_GRACE));
        });
        let std_listener = listener
            .into_std()
            .map_err(|source| StartError::Bind { addr, source })?;
        let timed = TimedAcceptor::new(self.timeouts);
        let server = match &tls {
            None => {
                let mut server = axum_server::from_tcp(std_listener)
                    .map_err(|source| StartError::Bind { addr, source })?
                    .acceptor(timed)
                    .handle(handle);
                untime_hyper(server.http_builder());
                tokio::spawn(async move { server.serve(app).await })
            }
            Some(material) => {
                let tenants = ctx.clone();
                let config = material
                    .rustls_config(move |label| tenants.store.with(|s| s.tenant(label).is_some()))
                    .await?;
                // Timed from the accept: the plain-HTTP check waits for the first byte within the
                // header-read limit, and the handshake runs on the timed socket.
                let guard = crate::tls::plain_http::PlainHttpGuard::within(self.timeouts.header_read);
                let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(config)
                    .handshake_timeout(self.timeouts.header_read)
                    .acceptor(timed.acceptor(guard));
                let mut server = axum_server::from_tcp(std_listener)
                    .map_err(|source| StartError::Bind { addr, source })?
                    .acceptor(acceptor)
                    .handle(handle);
                untime_hyper(server.http_builder());
                tokio::spawn(async move { server.serve(app).await })
            }
        };
        let purger = tokio::spawn(purge_loop(ctx.clone()));
        Ok(MockServer {
            addr,
            ca_pem: tls.and_then(|t| t.ca_pem),
            ctx,
            shutdown: Some(tx),
            server: Some(server),
            purger,
        })
    }
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
/// let app = server.app("0501439fd7dee9af0c25").expect("the guide's example app");
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

    /// The app registered under `client_id`, with its secret (development credentials).
    pub fn app(&self, client_id: &str) -> Option<App> {
        self.ctx.store.with(|s| s.app(client_id).cloned())
    }

    /// Every registered app.
    pub fn apps(&self) -> Vec<App> {
        self.ctx.store.with(|s| s.apps.clone())
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

    /// The audit of the app under test (what `GET /_mock/audit` answers): every finding about
    /// the requests since the server started or the audit was cleared, the most severe first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = ilert_mock::MockServer::start().await;
    /// // … run the app's tests against server.base_url() …
    /// let report = server.audit();
    /// let serious = report.at_or_above(ilert_mock::Severity::Warning);
    /// assert!(serious.is_empty(), "{}", report.table());
    /// # }
    /// ```
    pub fn audit(&self) -> crate::audit::Report {
        let apps = self.apps();
        self.ctx.audit.report(&apps)
    }

    /// Forgets what the audit has seen (`DELETE /_mock/audit`): the next [`MockServer::audit`]
    /// covers only later requests.
    pub fn clear_audit(&self) {
        self.ctx.audit.clear();
        self.changed("clear_audit");
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

    /// The refresh grants `filter` selects (`GrantFilter::all()`,
    /// `GrantFilter::app(client_id).user(username)`), in order of issue.
    pub fn grants(&self, filter: &GrantFilter) -> Vec<GrantInfo> {
        self.ctx.store.with(|s| s.grant_infos(filter))
    }

    /// Revokes every grant of `app` (client id) for `user`, as the user would in ilert's UI.
    pub fn revoke_grants(&self, app: &str, user: &str) -> Result<usize, AdminError> {
        let now = self.ctx.clock.now();
        let revoked = self.ctx.store.with(|s| s.revoke_app_for_user(app, user, now));
        self.changed("revoke_grants");
        revoked
    }

    /// Registers an app at run time.
    pub fn add_app(&self, app: App) -> Result<(), AdminError> {
        let added = self.ctx.store.with(|s| s.add_app(app, &self.ctx.options.bounds));
        self.changed("add_app");
        added
    }

    /// Adds a user at run time.
    pub fn add_user(&self, user: User) -> Result<(), AdminError> {
        let added = self
            .ctx
            .store
            .with(|s| s.add_user(user, &self.ctx.options.bounds));
        self.changed("add_user");
        added
    }

    /// Removes an app (`DELETE /_mock/apps/{client_id}`); returns how many of its refresh
    /// grants were revoked.
    pub fn remove_app(&self, client_id: &str) -> Result<usize, AdminError> {
        let now = self.ctx.clock.now();
        let removed = self.ctx.store.with(|s| s.remove_app(client_id, now));
        self.changed("remove_app");
        removed
    }

    /// Removes a user (`DELETE /_mock/users/{username}`); returns how many of their refresh
    /// grants were revoked.
    pub fn remove_user(&self, username: &str) -> Result<usize, AdminError> {
        let now = self.ctx.clock.now();
        let protected = self.ctx.options.auto_approve.as_deref();
        let removed = self.ctx.store.with(|s| s.remove_user(username, protected, now));
        self.changed("remove_user");
        removed
    }

    /// Adds a tenant at run time (`POST /_mock/tenants`); `{id}.localhost` serves it at once.
    pub fn add_tenant(&self, tenant: Tenant) -> Result<(), AdminError> {
        let added = self
            .ctx
            .store
            .with(|s| s.add_tenant(tenant, &self.ctx.options.bounds));
        self.changed("add_tenant");
        added
    }

    /// Every user (`GET /_mock/users`).
    pub fn users(&self) -> Vec<User> {
        self.ctx.store.with(|s| s.users.clone())
    }

    /// Every tenant (`GET /_mock/tenants`).
    pub fn tenants(&self) -> Vec<Tenant> {
        self.ctx.store.with(|s| s.tenants.clone())
    }

    /// Back to the fixtures: state, clock, journal, audit and faults.
    pub fn reset(&self) {
        self.ctx.reset();
        self.changed("reset");
    }

    /// Tells the dashboard's live readers that an embedded-API call (`what`) changed the mock.
    fn changed(&self, what: &str) {
        self.ctx
            .changes
            .send(crate::changes::Change::Control(format!("MockServer::{what}")));
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
