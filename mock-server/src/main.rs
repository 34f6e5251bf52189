//! `ilert-mock`: run the emulated ilert OAuth2 server from the command line.
//!
//! Defaults to `127.0.0.1:4598` with the embedded fixtures; prints the development credentials
//! and a ready authorize URL, logs each request, and stops gracefully on Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use ilert_mock::{ControlAccess, Fixtures, MockServer, StartError};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// An emulated ilert OAuth2 authorization and resource server for offline development and CI.
#[derive(Debug, Parser)]
#[command(name = "ilert-mock", version, about)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "ILERT_MOCK_BIND", default_value = "127.0.0.1:4598")]
    bind: SocketAddr,
    /// Fixture file (TOML) to use instead of the embedded defaults.
    #[arg(long, env = "ILERT_MOCK_FIXTURES")]
    fixtures: Option<PathBuf>,
    /// Approve every authorization at once as this user (no grant view), for headless tests.
    #[arg(long, env = "ILERT_MOCK_AUTO_APPROVE", value_name = "USERNAME")]
    auto_approve: Option<String>,
    /// Log format.
    #[arg(long, env = "ILERT_MOCK_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
    /// The base URL clients reach the mock at (behind a proxy or in a container network).
    #[arg(long, env = "ILERT_MOCK_PUBLIC_URL")]
    public_url: Option<url::Url>,
    /// Start the clock at this Unix time (seconds).
    #[arg(long, env = "ILERT_MOCK_CLOCK_START")]
    clock_start: Option<i64>,
    /// Freeze the clock (it then moves only when told); makes token bytes reproducible.
    #[arg(long, env = "ILERT_MOCK_FREEZE_CLOCK")]
    freeze_clock: bool,
    /// Seed for generated codes and keys.
    #[arg(long, env = "ILERT_MOCK_SEED")]
    seed: Option<u64>,
    /// Believe X-Forwarded-Host / X-Forwarded-Proto (only behind a proxy you run).
    #[arg(long, env = "ILERT_MOCK_TRUST_FORWARDED")]
    trust_forwarded: bool,
    /// Do not serve the /_mock control surface.
    #[arg(long, env = "ILERT_MOCK_NO_CONTROL", conflicts_with = "control_token")]
    no_control: bool,
    /// Demand `Authorization: Bearer TOKEN` on the /_mock control surface (health excepted).
    #[arg(long, env = "ILERT_MOCK_CONTROL_TOKEN", hide_env_values = true)]
    control_token: Option<String>,
    /// Limit /api/... to N requests per client IP and minute, 429 beyond (ilert: 700, the
    /// value when the flag has none).
    #[arg(long, env = "ILERT_MOCK_RATE_LIMIT", value_name = "N", num_args = 0..=1, default_missing_value = "700")]
    rate_limit: Option<u32>,
    /// Persist grants, revocations, alert sources and run-time changes to FILE (and load them
    /// from it at start).
    #[arg(long, env = "ILERT_MOCK_STATE_FILE", value_name = "FILE")]
    state_file: Option<PathBuf>,
    /// Serve HTTPS with a certificate for localhost, *.localhost, 127.0.0.1 and ::1 signed by a
    /// development CA made at start (see --tls-ca-out).
    #[arg(long, env = "ILERT_MOCK_TLS")]
    tls: bool,
    /// Write the development CA's certificate (PEM) to FILE, for clients to trust.
    #[arg(long, env = "ILERT_MOCK_TLS_CA_OUT", value_name = "FILE", requires = "tls")]
    tls_ca_out: Option<PathBuf>,
    /// Serve HTTPS with this PEM certificate chain instead of a generated one (with --tls-key).
    #[arg(
        long,
        env = "ILERT_MOCK_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "tls"
    )]
    tls_cert: Option<PathBuf>,
    /// The PEM private key for --tls-cert.
    #[arg(long, env = "ILERT_MOCK_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// How many requests the journal keeps.
    #[arg(long, env = "ILERT_MOCK_JOURNAL_SIZE", default_value_t = ilert_mock::journal::DEFAULT_CAPACITY)]
    journal_size: usize,
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Prints the base URL, the development credentials and a ready authorize URL. Write errors
/// (a closed stdout) are ignored: the server keeps serving.
fn banner(server: &MockServer, bind: SocketAddr) {
    let mut out = std::io::stdout().lock();
    // Show `localhost` for loopback so the printed URLs match the fixtures' redirect URIs' style.
    let base = if bind.ip().is_loopback() {
        let scheme = server.base_url().split("://").next().unwrap_or("http").to_owned();
        format!("{scheme}://localhost:{}", server.addr().port())
    } else {
        server.base_url()
    };
    let _ = writeln!(
        out,
        "ilert mock listening on {base}  (development credentials below; never use them for real)"
    );
    let _ = writeln!(out);
    for app in server.apps() {
        let secret = app
            .client_secret
            .as_ref()
            .map_or("(public PKCE app, no secret)", |s| s.expose());
        let _ = writeln!(
            out,
            "  app {:>4}  {:<28} client_id {}  client_secret {}",
            app.id, app.name, app.client_id, secret
        );
        let _ = writeln!(out, "            redirect URIs: {}", app.redirect_uris.join(", "));
    }
    if let Some(app) = server.apps().into_iter().find(|a| !a.public) {
        let redirect = app.redirect_uris.first().cloned().unwrap_or_default();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &app.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &redirect)
            .append_pair("scope", "profile source:w")
            .append_pair("state", "optional-state")
            .finish();
        let _ = writeln!(out);
        let _ = writeln!(out, "  authorize: {base}/api/developers/oauth2/authorize?{query}");
        let _ = writeln!(out, "  token:     POST {base}/api/developers/oauth2/token");
        let _ = writeln!(
            out,
            "  controls:  {base}/_mock/health, /_mock/clock, /_mock/requests, /_mock/faults, /_mock/grants"
        );
    }
    let _ = writeln!(out);
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let fixtures = match cli
        .fixtures
        .as_deref()
        .map_or_else(Fixtures::embedded, Fixtures::load)
    {
        Ok(f) => f,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let control = match (cli.no_control, cli.control_token) {
        (true, _) => ControlAccess::Off,
        (false, Some(token)) => ControlAccess::Token(token),
        (false, None) => ControlAccess::Open,
    };
    let mut builder = MockServer::builder()
        .fixtures(fixtures)
        .bind(cli.bind)
        .freeze_clock(cli.freeze_clock)
        .trust_forwarded(cli.trust_forwarded)
        .control(control)
        .journal_size(cli.journal_size);
    if let Some(user) = cli.auto_approve {
        builder = builder.auto_approve(user);
    }
    if let Some(url) = cli.public_url {
        builder = builder.public_url(url);
    }
    if let Some(start) = cli.clock_start {
        builder = builder.clock_start(start);
    }
    if let Some(per_minute) = cli.rate_limit {
        builder = builder.rate_limit(per_minute);
    }
    if cli.tls {
        builder = builder.tls(true);
    }
    if let (Some(cert), Some(key)) = (cli.tls_cert, cli.tls_key) {
        builder = builder.tls_files(cert, key);
    }
    if let Some(path) = cli.state_file {
        builder = builder.state_file(path);
    }
    if let Some(seed) = cli.seed {
        builder = builder.seed(seed);
    }
    let server = match builder.start().await {
        Ok(server) => server,
        Err(
            err @ (StartError::Fixtures(_)
            | StartError::Keys(_)
            | StartError::State(_)
            | StartError::Tls(_)
            | StartError::UnknownAutoApproveUser(_)),
        ) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let (Some(path), Some(pem)) = (&cli.tls_ca_out, server.ca_pem())
        && let Err(err) = std::fs::write(path, pem)
    {
        eprintln!(
            "error: cannot write the CA certificate to {}: {err}",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    banner(&server, cli.bind);
    let signal = stop_signal().await;
    tracing::info!("{signal}: shutting down; in-flight requests finish");
    server.shutdown().await;
    tracing::info!("stopped");
    ExitCode::SUCCESS
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `docker stop` and CI runners send), and
/// names the one that came.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => "SIGINT",
                    _ = term.recv() => "SIGTERM",
                }
            }
            Err(err) => {
                eprintln!("error: cannot listen for SIGTERM ({err}); stop with Ctrl-C");
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            eprintln!("error: cannot listen for Ctrl-C");
        }
        "Ctrl-C"
    }
}
