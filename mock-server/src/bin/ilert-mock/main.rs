//! `ilert-mock`: run the emulated ilert OAuth2 server from the command line.
//!
//! Defaults to `127.0.0.1:4598` with the embedded fixtures; prints the development credentials
//! and a ready authorize URL, logs each request, and stops gracefully on Ctrl-C or SIGTERM.
//!
//! For other programs that start it (test harnesses in any language), two signals of readiness
//! are stable: the first line on stdout is exactly `ilert-mock listening on <base URL>` (the
//! real address, also with `--bind 127.0.0.1:0`), printed once the server answers, and
//! `--ready-file FILE` writes the base URL to FILE at the same moment (atomically, so a reader
//! never sees half of it). `ilert-mock fixtures` prints the embedded default fixtures.
//!
//! `ilert-mock audit --base-url URL` reads a running mock's audit of the app under test (see
//! [`ilert_mock::audit`]): a table on stdout, `--json` and `--junit` files for CI, exit code 1
//! when a finding at or above `--fail-on` is present and 2 when the audit cannot be read.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{ArgAction, CommandFactory as _, Parser, Subcommand, ValueEnum};
use ilert_mock::{ControlAccess, Fixtures, MockServer, Severity, StartError};
use tracing_subscriber::EnvFilter;

mod commands;

/// The binary's allocator (the library leaves the choice to the program that links it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use commands::{approve, audit, dump_state, print_fixtures};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FixtureFormat {
    Toml,
    Json,
}

/// The least severe finding that fails `ilert-mock audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(fail_on: FailOn) -> Self {
        match fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// An emulated ilert OAuth2 authorization and resource server for offline development and CI.
///
/// Without a subcommand it serves. Boolean environment variables take 1/0, true/false,
/// yes/no or on/off.
#[derive(Debug, Parser)]
#[command(name = "ilert-mock", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Serve,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the embedded default fixtures: a starting point for a file of your own (or one
    /// with `extends = "default"` that adds to them).
    Fixtures {
        /// Output format.
        #[arg(long, value_enum, default_value = "toml")]
        format: FixtureFormat,
    },
    /// Read a running mock's audit of the app under test: its OAuth mistakes, each with the rule
    /// it breaks. Exit code 1 when a finding at or above --fail-on is present, 2 when the audit
    /// cannot be read.
    Audit(AuditArgs),
    /// Approve (or deny) a pending authorization as a named user, as a person at the grant view
    /// would: loads the authorize URL's grant view and submits its form. Prints the redirect to
    /// the app (with the code). For a mock started without --auto-approve. Exit code 2 when it
    /// could not.
    Approve(ApproveArgs),
    /// Read a --state-file.
    State {
        /// What to do with it.
        #[command(subcommand)]
        action: StateAction,
    },
}

/// `ilert-mock state …`.
#[derive(Debug, clap::Subcommand)]
enum StateAction {
    /// Print a state file as one JSON document: the state with its log of changes replayed (a
    /// version-2 file as it will be migrated). Safe beside a running mock: it reads what that
    /// mock has made durable. Exit code 2 when the file cannot be read.
    Dump {
        /// The state file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// The flags of `ilert-mock approve`.
#[derive(Debug, clap::Args)]
struct ApproveArgs {
    /// The authorize URL the app sends the user to (quote it in the shell).
    #[arg(value_name = "AUTHORIZE_URL")]
    url: String,
    /// The user to grant access as (one the grant view offers).
    #[arg(long, value_name = "USERNAME", required_unless_present = "deny")]
    user: Option<String>,
    /// Press Deny instead of Grant.
    #[arg(long, conflicts_with = "user")]
    deny: bool,
    /// For an HTTPS mock: trust this CA certificate (PEM), e.g. the file --tls-ca-out wrote.
    #[arg(long, env = "ILERT_CA_CERT", value_name = "FILE")]
    ca_cert: Option<PathBuf>,
}

/// The flags of `ilert-mock audit`.
#[derive(Debug, clap::Args)]
struct AuditArgs {
    /// The running mock's base URL, e.g. http://127.0.0.1:4598.
    #[arg(long, env = "ILERT_MOCK_BASE_URL", value_name = "URL")]
    base_url: String,
    /// Exit 1 when a finding at this severity or above is present.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Only the findings about this app (client id).
    #[arg(long, value_name = "CLIENT_ID")]
    app: Option<String>,
    /// Write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the report as JUnit XML to FILE (a test case per rule and app).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// The mock's --control-token, when it demands one.
    #[arg(long, env = "ILERT_MOCK_CONTROL_TOKEN", hide_env_values = true)]
    control_token: Option<String>,
    /// For an HTTPS mock: trust this CA certificate (PEM), e.g. the file --tls-ca-out wrote.
    #[arg(long, env = "ILERT_CA_CERT", value_name = "FILE")]
    ca_cert: Option<PathBuf>,
}

/// The serving flags.
#[derive(Debug, clap::Args)]
struct Serve {
    /// Address to listen on; port 0 picks a free port (the first line of output names it).
    #[arg(long, env = "ILERT_MOCK_BIND", default_value = "127.0.0.1:4598")]
    bind: SocketAddr,
    /// Fixture file (TOML, or JSON when it ends in .json) to use instead of the embedded
    /// defaults; with `extends = "default"` it adds to them.
    #[arg(long, env = "ILERT_MOCK_FIXTURES")]
    fixtures: Option<PathBuf>,
    /// Once the server answers, write its base URL to FILE (for programs that start the mock).
    #[arg(long, env = "ILERT_MOCK_READY_FILE", value_name = "FILE")]
    ready_file: Option<PathBuf>,
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
    #[arg(long, env = "ILERT_MOCK_FREEZE_CLOCK", action = ArgAction::SetTrue, value_parser = boolish)]
    freeze_clock: bool,
    /// Seed for generated codes and keys.
    #[arg(long, env = "ILERT_MOCK_SEED")]
    seed: Option<u64>,
    /// Believe X-Forwarded-Host / X-Forwarded-Proto (only behind a proxy you run).
    #[arg(long, env = "ILERT_MOCK_TRUST_FORWARDED", action = ArgAction::SetTrue, value_parser = boolish)]
    trust_forwarded: bool,
    /// Also answer requests for this host name and its tenant hosts (repeatable; the variable
    /// takes a comma-separated list). `.example.test` admits every name below example.test, `*`
    /// every name. localhost, *.localhost, IP addresses and the --public-url host are always
    /// answered; any other Host gets 403 (DNS rebinding protection).
    #[arg(
        long = "allowed-host",
        env = "ILERT_MOCK_ALLOWED_HOSTS",
        value_name = "NAME",
        value_delimiter = ',',
        action = ArgAction::Append
    )]
    allowed_hosts: Vec<String>,
    /// Do not serve the /_mock control surface.
    #[arg(long, env = "ILERT_MOCK_NO_CONTROL", action = ArgAction::SetTrue, value_parser = boolish)]
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
    /// Serve HTTPS with a certificate for localhost, every tenant host, 127.0.0.1 and ::1 signed
    /// by a development CA made at start (see --tls-ca-out).
    #[arg(long, env = "ILERT_MOCK_TLS", action = ArgAction::SetTrue, value_parser = boolish)]
    tls: bool,
    /// Write the development CA's certificate (PEM) to FILE, for clients to trust.
    #[arg(long, env = "ILERT_MOCK_TLS_CA_OUT", value_name = "FILE")]
    tls_ca_out: Option<PathBuf>,
    /// Serve HTTPS with this PEM certificate chain instead of a generated one (with --tls-key).
    #[arg(long, env = "ILERT_MOCK_TLS_CERT", value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key for --tls-cert.
    #[arg(long, env = "ILERT_MOCK_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// How many requests the journal keeps.
    #[arg(long, env = "ILERT_MOCK_JOURNAL_SIZE", default_value_t = ilert_mock::journal::DEFAULT_CAPACITY)]
    journal_size: usize,
    /// How many bytes of recorded requests the journal keeps (the oldest go first).
    #[arg(long, env = "ILERT_MOCK_JOURNAL_BYTES", value_name = "BYTES", default_value_t = ilert_mock::journal::DEFAULT_MAX_BYTES)]
    journal_bytes: usize,
    /// How many requests' facts the audit keeps (the oldest go first; successful API calls are
    /// summed up per token and do not count).
    #[arg(long, env = "ILERT_MOCK_AUDIT_SIZE", value_name = "N", default_value_t = ilert_mock::audit::DEFAULT_CAPACITY)]
    audit_size: usize,
    /// Close a connection whose request head (or TLS handshake) is not complete after SECS.
    #[arg(long, env = "ILERT_MOCK_HEADER_READ_TIMEOUT", value_name = "SECS", default_value = "10", value_parser = seconds)]
    header_read_timeout: Duration,
    /// Close a connection whose request body is not complete SECS after its head.
    #[arg(long, env = "ILERT_MOCK_BODY_TIMEOUT", value_name = "SECS", default_value = "30", value_parser = seconds)]
    body_timeout: Duration,
    /// Close a keep-alive connection that sends no new request for SECS.
    #[arg(long, env = "ILERT_MOCK_IDLE_TIMEOUT", value_name = "SECS", default_value = "60", value_parser = seconds)]
    idle_timeout: Duration,
    /// Let pages of this web origin (e.g. http://localhost:3000, or * for all) call the
    /// tokenless Events, Series, deployment-event and heartbeat endpoints (repeatable; the
    /// variable takes a comma-separated list). Other sites' pages are refused.
    #[arg(
        long = "allow-origin",
        env = "ILERT_MOCK_ALLOW_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ',',
        action = ArgAction::Append
    )]
    allow_origins: Vec<String>,
    /// Exit when the process that started the mock exits (its parent changes) or closes the
    /// mock's stdin: a test harness that dies, even by SIGKILL, leaves no mock behind.
    #[arg(long, env = "ILERT_MOCK_EXIT_WITH_PARENT", action = ArgAction::SetTrue, value_parser = boolish)]
    exit_with_parent: bool,
    #[command(flatten)]
    bounds: BoundArgs,
}

/// What clients can make the mock keep (see mock-server/docs/security-bounds.md).
#[derive(Debug, clap::Args)]
struct BoundArgs {
    /// Bytes of REST resources over all tenants (alerts from events and their log entries
    /// included); past it, creates and updates answer 507.
    #[arg(long, env = "ILERT_MOCK_MAX_STORE_BYTES", value_name = "BYTES", default_value_t = ilert_mock::Bounds::default().store_bytes)]
    max_store_bytes: usize,
    /// Bytes of one value kept in an audit fact (longer ones are cut with a marker).
    #[arg(long, env = "ILERT_MOCK_MAX_AUDIT_VALUE_BYTES", value_name = "BYTES", default_value_t = ilert_mock::Bounds::default().audit_value_bytes)]
    max_audit_value_bytes: usize,
    /// Bytes of all audit facts (the oldest go first).
    #[arg(long, env = "ILERT_MOCK_MAX_AUDIT_BYTES", value_name = "BYTES", default_value_t = ilert_mock::Bounds::default().audit_bytes)]
    max_audit_bytes: usize,
    /// Tenants, fixtures included.
    #[arg(long, env = "ILERT_MOCK_MAX_TENANTS", value_name = "N", default_value_t = ilert_mock::Bounds::default().tenants)]
    max_tenants: usize,
    /// Apps, fixtures included.
    #[arg(long, env = "ILERT_MOCK_MAX_APPS", value_name = "N", default_value_t = ilert_mock::Bounds::default().apps)]
    max_apps: usize,
    /// Users, fixtures included.
    #[arg(long, env = "ILERT_MOCK_MAX_USERS", value_name = "N", default_value_t = ilert_mock::Bounds::default().users)]
    max_users: usize,
    /// Bytes of a name, username, client id or redirect URI added at run time.
    #[arg(long, env = "ILERT_MOCK_MAX_NAME_BYTES", value_name = "BYTES", default_value_t = ilert_mock::Bounds::default().name_bytes)]
    max_name_bytes: usize,
    /// Client addresses the rate limiter tracks at once.
    #[arg(long, env = "ILERT_MOCK_MAX_RATE_LIMIT_CLIENTS", value_name = "N", default_value_t = ilert_mock::Bounds::default().rate_limit_clients)]
    max_rate_limit_clients: usize,
    /// Authorization codes issued and not yet redeemed or expired.
    #[arg(long, env = "ILERT_MOCK_MAX_PENDING_CODES", value_name = "N", default_value_t = ilert_mock::Bounds::default().pending_codes)]
    max_pending_codes: usize,
    /// Layers of one schedule.
    #[arg(long, env = "ILERT_MOCK_MAX_SCHEDULE_LAYERS", value_name = "N", default_value_t = ilert_mock::Bounds::default().schedule_layers)]
    max_schedule_layers: usize,
    /// Shifts one answer may compute or list.
    #[arg(long, env = "ILERT_MOCK_MAX_SHIFTS", value_name = "N", default_value_t = ilert_mock::Bounds::default().shifts)]
    max_shifts: usize,
}

impl From<&BoundArgs> for ilert_mock::Bounds {
    fn from(a: &BoundArgs) -> Self {
        Self {
            store_bytes: a.max_store_bytes,
            audit_value_bytes: a.max_audit_value_bytes,
            audit_bytes: a.max_audit_bytes,
            tenants: a.max_tenants,
            apps: a.max_apps,
            users: a.max_users,
            name_bytes: a.max_name_bytes,
            rate_limit_clients: a.max_rate_limit_clients,
            pending_codes: a.max_pending_codes,
            schedule_layers: a.max_schedule_layers,
            shifts: a.max_shifts,
        }
    }
}

/// A positive number of seconds (fractions allowed, at most a day).
fn seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 86_400.0 => Ok(Duration::from_secs_f64(secs)),
        _ => Err(format!(
            "'{text}' is not a number of seconds above 0 and at most 86400 (e.g. 10 or 0.5)"
        )),
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let colour = colour_wanted(
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Colour codes only for a terminal, and never when `NO_COLOR` is set to anything but the empty
/// string (no-color.org).
fn colour_wanted(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(std::ffi::OsStr::is_empty)
}

/// Prints the base URL, the development credentials and a ready authorize URL. The first line
/// is the stable `ilert-mock listening on <base URL>` that harnesses read. Write errors (a
/// closed stdout) are ignored: the server keeps serving.
fn banner(server: &MockServer, bind: SocketAddr, control: bool) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ilert-mock listening on {}", server.base_url());
    // Show `localhost` for loopback so the printed URLs match the fixtures' redirect URIs' style.
    let base = if bind.ip().is_loopback() {
        let scheme = server.base_url().split("://").next().unwrap_or("http").to_owned();
        format!("{scheme}://localhost:{}", server.addr().port())
    } else {
        server.base_url()
    };
    let _ = writeln!(
        out,
        "  (the development credentials below are public test values; never use them for real)"
    );
    let _ = writeln!(out);
    for app in server.admin().apps() {
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
    if let Some(app) = server.admin().apps().into_iter().find(|a| !a.public) {
        let redirect = app.redirect_uris.first().cloned().unwrap_or_default();
        let authorize = ilert_mock::guide::authorize_url(&base, &app.client_id, &redirect);
        let _ = writeln!(out);
        let _ = writeln!(out, "  authorize: {authorize}");
        let _ = writeln!(out, "  token:     POST {base}/api/developers/oauth2/token");
        if control {
            let _ = writeln!(
                out,
                "  controls:  {base}/_mock/health, /_mock/clock, /_mock/requests, /_mock/faults, /_mock/grants"
            );
            let _ = writeln!(out, "  dashboard: {base}/_mock/");
        }
    }
    let _ = writeln!(out);
}

/// A boolean as environment variables say it: `1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`
/// (any case; also `y`/`n`, `t`/`f`).
fn boolish(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "t" | "yes" | "y" | "on" => Ok(true),
        "0" | "false" | "f" | "no" | "n" | "off" | "" => Ok(false),
        _ => Err("not a boolean: use 1/0, true/false, yes/no or on/off".to_owned()),
    }
}

/// Refuses flag combinations whose meaning depends on a boolean's value, not its presence (an
/// environment variable set to `0` is present but off), the way clap refuses the others.
fn check_combinations(serve: &Serve) -> Result<(), clap::Error> {
    let mut cmd = Cli::command();
    if serve.no_control && serve.control_token.is_some() {
        return Err(cmd.error(
            ErrorKind::ArgumentConflict,
            "--no-control and --control-token exclude each other: without the control surface there is nothing to guard",
        ));
    }
    if serve.tls_ca_out.is_some() && !serve.tls {
        return Err(cmd.error(
            ErrorKind::MissingRequiredArgument,
            "--tls-ca-out needs --tls (the development CA exists only when the mock makes its own certificate)",
        ));
    }
    if serve.tls && serve.tls_cert.is_some() {
        return Err(cmd.error(
            ErrorKind::ArgumentConflict,
            "--tls (a generated certificate) and --tls-cert (your own) exclude each other",
        ));
    }
    Ok(())
}

/// Writes `contents` to `path` through a temporary file in the same folder and a rename, so a
/// program polling for the file never reads half of it.
fn write_atomically(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".{}.tmp", std::process::id()));
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, contents)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// The hint for an address in use: another port, or port 0 for any free one.
fn bind_hint(addr: SocketAddr) -> String {
    let other = SocketAddr::new(addr.ip(), addr.port().wrapping_add(1).max(1));
    let any = SocketAddr::new(addr.ip(), 0);
    format!(
        "another program (perhaps another ilert-mock) uses port {}; pass --bind {other} for another port, \
         or --bind {any} for any free one (the first line of output names it)",
        addr.port()
    )
}

#[tokio::main]
async fn main() -> ExitCode {
    // Read first: a parent that dies while the mock starts must still count as gone.
    #[cfg(unix)]
    let parent = std::os::unix::process::parent_id();
    #[cfg(not(unix))]
    let parent = 0;
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Fixtures { format }) => return print_fixtures(format),
        Some(Command::Audit(args)) => return audit(args).await,
        Some(Command::Approve(args)) => return approve(args).await,
        Some(Command::State {
            action: StateAction::Dump { file },
        }) => return dump_state(&file),
        None => {}
    }
    let cli = cli.serve;
    let exit_with_parent = cli.exit_with_parent;
    if let Err(err) = check_combinations(&cli) {
        err.exit();
    }
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
    // An empty variable may not reach clap as a value; an unset CI secret must not open the surface.
    let control_token = cli.control_token.or_else(|| {
        std::env::var_os("ILERT_MOCK_CONTROL_TOKEN")
            .filter(|v| v.is_empty() && !cli.no_control)
            .map(|_| String::new())
    });
    let control = match (cli.no_control, control_token) {
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
        .journal_size(cli.journal_size)
        .journal_bytes(cli.journal_bytes)
        .audit_size(cli.audit_size)
        .header_read_timeout(cli.header_read_timeout)
        .body_timeout(cli.body_timeout)
        .idle_timeout(cli.idle_timeout)
        .bounds((&cli.bounds).into());
    for origin in cli.allow_origins {
        builder = builder.allow_origin(origin);
    }
    for host in cli.allowed_hosts {
        builder = builder.allowed_host(host);
    }
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
            | StartError::UnknownAutoApproveUser(_)
            | StartError::EmptyControlToken
            | StartError::AllowedHost(_)),
        ) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
        Err(StartError::Bind { addr, source }) if source.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!("error: cannot listen on {addr}: {source}");
            eprintln!("hint: {}", bind_hint(addr));
            return ExitCode::FAILURE;
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
    banner(&server, cli.bind, !cli.no_control);
    if let Some(path) = &cli.ready_file
        && let Err(err) = write_atomically(path, &format!("{}\n", server.base_url()))
    {
        eprintln!("error: cannot write the ready file {}: {err}", path.display());
        return ExitCode::FAILURE;
    }
    let signal = if exit_with_parent {
        tokio::select! {
            signal = stop_signal() => signal,
            gone = parent_gone(parent) => gone,
        }
    } else {
        stop_signal().await
    };
    tracing::info!("{signal}: shutting down; in-flight requests finish");
    server.shutdown().await;
    tracing::info!("stopped");
    ExitCode::SUCCESS
}

/// With `--exit-with-parent`: waits until the process that started the mock is gone (on Unix,
/// the parent pid changes when it dies, even by SIGKILL, as the mock is handed to init or a
/// subreaper) or, when stdin is a pipe, until that pipe closes (every process holding its write
/// end has exited). Either works from any language: a harness starts the mock with a piped
/// stdin and keeps it open; the mock then cannot outlive the harness.
async fn parent_gone(parent: u32) -> &'static str {
    let (closed_tx, mut closed_rx) = tokio::sync::oneshot::channel::<()>();
    if stdin_is_pipe() {
        std::thread::spawn(move || {
            use std::io::Read as _;
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 512];
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
            let _ = closed_tx.send(());
        });
    } else {
        drop(closed_tx);
    }
    let mut stdin_watched = stdin_is_pipe();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            closed = &mut closed_rx, if stdin_watched => {
                if closed.is_ok() {
                    return "stdin closed (--exit-with-parent)";
                }
                stdin_watched = false;
            }
            _ = tick.tick() => {
                #[cfg(unix)]
                if std::os::unix::process::parent_id() != parent {
                    return "parent process gone (--exit-with-parent)";
                }
                #[cfg(not(unix))]
                let _ = parent;
            }
        }
    }
}

/// Whether stdin is a pipe (Linux: `/proc/self/fd/0` links to `pipe:[…]`); a closed or null
/// stdin is not watched, or a mock started with `stdin=/dev/null` would stop at once.
fn stdin_is_pipe() -> bool {
    std::fs::read_link("/proc/self/fd/0").is_ok_and(|target| target.to_string_lossy().starts_with("pipe:"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn booleans_in_the_words_environment_variables_use() {
        for yes in ["1", "true", "TRUE", "yes", "on", "Y"] {
            assert_eq!(boolish(yes), Ok(true), "{yes}");
        }
        for no in ["0", "false", "no", "Off", ""] {
            assert_eq!(boolish(no), Ok(false), "{no}");
        }
        assert!(boolish("maybe").is_err());
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        let set = |v: &str| Some(std::ffi::OsString::from(v));
        assert!(colour_wanted(true, None));
        assert!(!colour_wanted(false, None));
        assert!(!colour_wanted(true, set("1").as_deref()));
        // no-color.org: an empty NO_COLOR does not count.
        assert!(colour_wanted(true, set("").as_deref()));
    }

    #[test]
    fn the_bind_hint_offers_another_port_and_port_zero() {
        let hint = bind_hint("127.0.0.1:4598".parse().expect("addr"));
        assert!(hint.contains("--bind 127.0.0.1:4599"), "{hint}");
        assert!(hint.contains("--bind 127.0.0.1:0"), "{hint}");
    }

    #[test]
    fn no_subcommand_serves_and_fixtures_prints() {
        let cli = Cli::try_parse_from(["ilert-mock", "--bind", "127.0.0.1:0"]).expect("parses");
        assert!(cli.command.is_none());
        let cli = Cli::try_parse_from(["ilert-mock", "fixtures", "--format", "json"]).expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Fixtures {
                format: FixtureFormat::Json
            })
        ));
        let cli = Cli::try_parse_from([
            "ilert-mock",
            "audit",
            "--base-url",
            "http://127.0.0.1:4598",
            "--fail-on",
            "warning",
        ])
        .expect("parses");
        let Some(Command::Audit(args)) = cli.command else {
            panic!("not the audit command");
        };
        assert_eq!(args.fail_on, FailOn::Warning);
        assert!(
            Cli::try_parse_from(["ilert-mock", "audit", "--base-url", "x", "--fail-on", "never"]).is_err()
        );
    }
}
