//! [`MockServerBuilder`]: the settings of a [`MockServer`] (fixtures, address, clock, seed,
//! approval, control access, TLS, state file, bounds, timeouts) and how it starts with them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::clock::{Clock, UnixSeconds};
use crate::faults::Faults;
use crate::fixtures::Fixtures;
use crate::http::{self, ControlAccess, Ctx, Options, SharedCtx, Startup};
use crate::journal::Journal;
use crate::persist::StateFile;
use crate::state::SharedState;
use crate::timeouts::{TimedAcceptor, Timeouts};
use crate::tls::TlsMaterial;
use crate::token::Keys;

use super::{MockServer, SHUTDOWN_GRACE, StartError, purge_loop, untime_hyper};

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
            Some(path) => SharedState::with_file(&fixtures, seed, StateFile::open(path)?)?,
            None => SharedState::new(&fixtures, seed),
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
