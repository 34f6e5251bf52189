//! `ilert-oauth2`: sign in to ilert from a terminal, keep the tokens in a file, and call the API.
//!
//! `login` runs the authorization code flow with a loopback listener on the redirect URI's host
//! and port (PKCE on by default); the other commands use the stored tokens, refreshing them as
//! the library's [`ApiClient`] does. Results go to stdout (JSON), progress and errors to
//! stderr; a failure exits with status 1 and a sentence that carries ilert's error code and
//! description. Every flag also reads an `ILERT_*` environment variable, so pointing the tool
//! at the mock is `ILERT_APP_URL=http://localhost:4598 ILERT_API_URL=http://localhost:4598`.

use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use clap::{Args, Parser, Subcommand};
use ilert_oauth2_client::{
    ApiClient, ApiRequest, AuthorizeUrl, ClientSecret, Config, CsrfToken, Error, FileStore, ILERT_API_URL,
    ILERT_APP_URL, Method, OAuthClient, Pkce, TokenSet, TokenStore, parse_callback, unix_now,
};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use url::Url;

/// The redirect URI of ilert's sample app, registered for the guide's app in the mock's fixtures.
const DEFAULT_REDIRECT_URI: &str = "http://localhost:4597/authorize-result";
/// The scopes of ilert's guide.
const DEFAULT_SCOPE: &str = "profile source:w";
/// ilert: "do not refresh a token more than once per 5 minutes".
const MIN_REFRESH_INTERVAL_SECS: u64 = 5 * 60;

/// Sign in to ilert with OAuth2 and call its API on your behalf.
#[derive(Debug, Parser)]
#[command(name = "ilert-oauth2", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    app: AppArgs,
    #[command(subcommand)]
    command: Command,
}

/// Which app, which ilert, which token file.
#[derive(Debug, Clone, Args)]
struct AppArgs {
    /// The app's client id.
    #[arg(long, env = "ILERT_CLIENT_ID", global = true)]
    client_id: Option<String>,
    /// The app's client secret. Without it, `login` uses PKCE and adds the offline_access
    /// scope (any app may, as ilert's PKCE guide does). Prefer the environment variable:
    /// arguments are visible to other users of the machine.
    #[arg(long, env = "ILERT_CLIENT_SECRET", global = true, hide_env_values = true)]
    client_secret: Option<String>,
    /// The redirect URI registered with the app; `login` listens on its host and port.
    #[arg(long, env = "ILERT_REDIRECT_URI", global = true, default_value = DEFAULT_REDIRECT_URI)]
    redirect_uri: String,
    /// Space-separated scopes to request at login.
    #[arg(long, env = "ILERT_SCOPE", global = true, default_value = DEFAULT_SCOPE)]
    scope: String,
    /// Base URL of ilert's browser host (the mock's base URL to test against it).
    #[arg(long, env = "ILERT_APP_URL", global = true, default_value = ILERT_APP_URL)]
    app_url: String,
    /// Base URL of ilert's API host (the mock's base URL to test against it).
    #[arg(long, env = "ILERT_API_URL", global = true, default_value = ILERT_API_URL)]
    api_url: String,
    /// Send the browser to this tenant's own host (`https://{tenant}.ilert.com`).
    #[arg(long, env = "ILERT_TENANT", global = true)]
    tenant: Option<String>,
    /// The token file [default: $XDG_CONFIG_HOME/ilert-oauth2/tokens.json].
    #[arg(long, env = "ILERT_STORE", global = true)]
    store: Option<PathBuf>,
    /// Also trust this CA certificate (PEM), e.g. the mock's development CA
    /// (`ilert-mock --tls --tls-ca-out FILE`).
    #[arg(long, env = "ILERT_CA_CERT", global = true, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in: print the authorize URL, wait for the redirect, store the tokens, show the user.
    Login(LoginArgs),
    /// Show the signed-in user (GET /api/users/current).
    Whoami,
    /// Ask ilert what the stored access token is good for.
    TokenInfo,
    /// Refresh the access token now.
    Refresh {
        /// Refresh even if the tokens were refreshed less than 5 minutes ago.
        #[arg(long)]
        force: bool,
    },
    /// Revoke the refresh token at ilert and delete the token file.
    Revoke,
    /// Call the API, e.g. `call GET /api/alert-sources`.
    Call(CallArgs),
}

#[derive(Debug, Args)]
struct LoginArgs {
    /// Also open the URL in the default browser.
    #[arg(long)]
    open: bool,
    /// Never open a browser, only print the URL (wins over --open).
    #[arg(long)]
    no_browser: bool,
    /// Do not use PKCE (only with a client secret; PKCE is on by default).
    #[arg(long)]
    no_pkce: bool,
    /// Follow the authorize URL without a browser or listener: for a server that approves at
    /// once (ilert-mock --auto-approve USER), in scripts and CI.
    #[arg(long)]
    headless: bool,
    /// How long to wait for the redirect: seconds, or with a unit (90s, 5m).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    timeout: Duration,
}

#[derive(Debug, Args)]
struct CallArgs {
    /// HTTP method: GET, POST, PUT or DELETE.
    method: String,
    /// Path under /api/, e.g. /api/alert-sources.
    path: String,
    /// JSON body; `@FILE` reads a file, `-` reads stdin.
    #[arg(long, short = 'd')]
    data: Option<String>,
    /// Query parameter, repeatable: `-q max-results=10`.
    #[arg(long = "query", short = 'q', value_name = "NAME=VALUE")]
    query: Vec<String>,
}

/// What the tool itself can get wrong, around the library's [`Error`].
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Client(#[from] Error),
    #[error("missing {what}: pass {flag} or set {env}")]
    Missing {
        what: &'static str,
        flag: &'static str,
        env: &'static str,
    },
    #[error("{0}")]
    Usage(String),
    #[error(
        "no redirect arrived within {} s; open the printed URL in a browser, or raise --timeout",
        .0.as_secs()
    )]
    Timeout(Duration),
    #[error("cannot listen on {addr} for the redirect: {source}; is another program using the port?")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "the tokens were refreshed {ago} s ago, and ilert asks not to refresh more than once per 5 \
         minutes; wait {} s or pass --force",
        MIN_REFRESH_INTERVAL_SECS - .ago
    )]
    TooSoon { ago: u64 },
    #[error(
        "the stored access token is not active (expired or revoked); run `ilert-oauth2 refresh` or `login`"
    )]
    Inactive,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ilert-oauth2: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ilert-oauth2: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let app = cli.app;
    match cli.command {
        Command::Login(args) => login(&app, args).await,
        Command::Whoami => {
            let user = api_client(&app)?.current_user().await?;
            print_json(&user);
            Ok(())
        }
        Command::TokenInfo => token_info(&app).await,
        Command::Refresh { force } => refresh(&app, force).await,
        Command::Revoke => revoke(&app).await,
        Command::Call(args) => call(&app, args).await,
    }
}

/// The scopes `login` asks for: without a secret ilert issues a refresh token only when
/// `offline_access` is requested (ilert's PKCE guide), so it is added.
fn login_scope(app: &AppArgs) -> String {
    let has_offline = app.scope.split_whitespace().any(|s| s == "offline_access");
    if app.client_secret.is_some() || has_offline {
        app.scope.clone()
    } else {
        format!("{} offline_access", app.scope.trim())
    }
}

fn oauth_client(app: &AppArgs) -> Result<OAuthClient, CliError> {
    let client_id = app.client_id.clone().ok_or(CliError::Missing {
        what: "the client id",
        flag: "--client-id",
        env: "ILERT_CLIENT_ID",
    })?;
    let config = Config::builder(client_id, app.redirect_uri.clone())
        .client_secret_opt(app.client_secret.clone().map(ClientSecret::new))
        .scopes(&app.scope)
        .app_url(app.app_url.clone())
        .api_url(app.api_url.clone())
        .tenant_opt(app.tenant.clone())
        .build()
        .map_err(Error::from)?;
    let Some(path) = &app.ca_cert else {
        return Ok(OAuthClient::new(config)?);
    };
    let unusable = |e: &dyn std::fmt::Display| CliError::Usage(format!("--ca-cert {}: {e}", path.display()));
    let pem = std::fs::read(path).map_err(|e| unusable(&e))?;
    let ca = reqwest::Certificate::from_pem(&pem).map_err(|e| unusable(&e))?;
    let http = ilert_oauth2_client::http_client_builder()
        .tls_certs_merge([ca])
        .build()
        .map_err(|e| unusable(&e))?;
    Ok(OAuthClient::with_http_client(config, http))
}

fn store_path(app: &AppArgs) -> Result<PathBuf, CliError> {
    if let Some(path) = &app.store {
        return Ok(path.clone());
    }
    let non_empty = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    non_empty("XDG_CONFIG_HOME")
        .or_else(|| non_empty("HOME").map(|h| h.join(".config")))
        .or_else(|| non_empty("APPDATA"))
        .map(|dir| dir.join("ilert-oauth2").join("tokens.json"))
        .ok_or(CliError::Missing {
            what: "the token file",
            flag: "--store",
            env: "ILERT_STORE",
        })
}

fn api_client(app: &AppArgs) -> Result<ApiClient, CliError> {
    let store = FileStore::new(store_path(app)?);
    Ok(ApiClient::new(oauth_client(app)?, Arc::new(store)))
}

/// Writes a line to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn print_line(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => print_line(&text),
        Err(e) => eprintln!("ilert-oauth2: cannot print the answer: {e}"),
    }
}

fn rfc3339(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// What the tool prints about tokens: never the tokens themselves.
fn summary(tokens: &TokenSet) -> serde_json::Value {
    serde_json::json!({
        "token_type": tokens.token_type,
        "scope": tokens.scope,
        "expires_at": rfc3339(tokens.expires_at),
        "refresh_token": tokens.refresh_token.is_some(),
        "refresh_token_expires_at": tokens.refresh_expires_at.map(rfc3339),
    })
}

async fn login(app: &AppArgs, args: LoginArgs) -> Result<(), CliError> {
    let oauth = oauth_client(&AppArgs {
        scope: login_scope(app),
        ..app.clone()
    })?;
    let pkce = if args.no_pkce {
        if oauth.config().client_secret().is_none() {
            return Err(CliError::Usage(
                "without a client secret the sign-in must use PKCE: drop --no-pkce or pass --client-secret"
                    .to_owned(),
            ));
        }
        Pkce::Disabled
    } else {
        Pkce::S256
    };
    let store_path = store_path(app)?;
    let state = CsrfToken::new_random();
    if args.headless {
        let authorize = oauth.authorize_url(&state, pkce);
        eprintln!(
            "Signing in without a browser (--headless): following {}",
            authorize.url
        );
        let query = oauth.follow_authorize(&authorize.url).await?;
        let (api, tokens) = exchange_and_store(oauth, &authorize, &query, &store_path).await?;
        return report_login(&api, &tokens, &store_path).await;
    }
    let redirect = Url::parse(oauth.config().redirect_uri()).map_err(|e| CliError::Usage(e.to_string()))?;
    // Listen before printing the URL, so a fast browser (or test) cannot arrive too early.
    let mut loopback = Loopback::start(&redirect, state.clone()).await?;
    let authorize = oauth.authorize_url(&state, pkce);
    eprintln!(
        "Open this URL in a browser to sign in to ilert; waiting up to {} s for the redirect to {}:",
        args.timeout.as_secs(),
        oauth.config().redirect_uri()
    );
    print_line(authorize.url.as_str());
    if args.open && !args.no_browser {
        open_browser(authorize.url.as_str());
    }
    let query = tokio::time::timeout(args.timeout, loopback.callback())
        .await
        .map_err(|_| CliError::Timeout(args.timeout))?;
    let result = exchange_and_store(oauth, &authorize, &query, &store_path).await;
    loopback.stop().await;
    let (api, tokens) = result?;
    report_login(&api, &tokens, &store_path).await
}

/// Checks the callback, trades the code and stores the tokens.
async fn exchange_and_store(
    oauth: OAuthClient,
    authorize: &AuthorizeUrl,
    query: &str,
    store_path: &std::path::Path,
) -> Result<(ApiClient, TokenSet), Error> {
    let code = parse_callback(query, Some(&authorize.state))?;
    let tokens = oauth
        .exchange_code(&code, authorize.pkce_verifier.as_ref())
        .await?;
    let api = ApiClient::new(oauth, Arc::new(FileStore::new(store_path)));
    api.set_tokens(tokens.clone()).await?;
    Ok((api, tokens))
}

/// Says where the tokens are and shows the signed-in user.
async fn report_login(
    api: &ApiClient,
    tokens: &TokenSet,
    store_path: &std::path::Path,
) -> Result<(), CliError> {
    eprintln!(
        "Signed in; tokens stored in {} (access token valid until {}, scope '{}').",
        store_path.display(),
        rfc3339(tokens.expires_at),
        tokens.scope
    );
    if tokens.refresh_token.is_none() {
        eprintln!(
            "note: ilert issued no refresh token, so you must sign in again when the access token \
             expires; without the client secret ilert issues one only with the offline_access scope"
        );
    }
    if !tokens.has_scope("profile") {
        eprintln!("note: the token has no 'profile' scope, so the user cannot be shown");
        print_json(&summary(tokens));
        return Ok(());
    }
    let user = api.current_user().await?;
    print_json(&user);
    Ok(())
}

async fn token_info(app: &AppArgs) -> Result<(), CliError> {
    let store = FileStore::new(store_path(app)?);
    let tokens = store.load().map_err(Error::from)?.ok_or(Error::NotSignedIn)?;
    let info = oauth_client(app)?.token_info(&tokens.access_token).await?;
    print_json(&info);
    if info.active {
        Ok(())
    } else {
        Err(CliError::Inactive)
    }
}

async fn refresh(app: &AppArgs, force: bool) -> Result<(), CliError> {
    let api = api_client(app)?;
    let tokens = api.tokens().await?.ok_or(Error::NotSignedIn)?;
    if let Some(at) = tokens.refreshed_at() {
        let ago = unix_now().saturating_sub(at);
        if ago < MIN_REFRESH_INTERVAL_SECS && !force {
            return Err(CliError::TooSoon { ago });
        }
    }
    let fresh = api.refresh_now().await?;
    eprintln!(
        "Refreshed; access token valid until {}.",
        rfc3339(fresh.expires_at)
    );
    print_json(&summary(&fresh));
    Ok(())
}

async fn revoke(app: &AppArgs) -> Result<(), CliError> {
    let path = store_path(app)?;
    let revoked = api_client(app)?.revoke().await?;
    if revoked {
        eprintln!(
            "Revoked the refresh token at ilert and removed {}; an access token already issued \
             stays valid until it expires.",
            path.display()
        );
    } else {
        eprintln!(
            "There was no refresh token to revoke; removed {}.",
            path.display()
        );
    }
    Ok(())
}

async fn call(app: &AppArgs, args: CallArgs) -> Result<(), CliError> {
    let method = Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| CliError::Usage(format!("'{}' is not an HTTP method", args.method)))?;
    let mut request = ApiRequest::new(method, args.path);
    for pair in &args.query {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("--query '{pair}' is not NAME=VALUE")))?;
        request = request.query(name, value);
    }
    if let Some(data) = args.data {
        let text = match data.as_str() {
            "-" => {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .map_err(|e| CliError::Usage(format!("cannot read the body from stdin: {e}")))?;
                text
            }
            d => match d.strip_prefix('@') {
                Some(file) => std::fs::read_to_string(file)
                    .map_err(|e| CliError::Usage(format!("cannot read the body from {file}: {e}")))?,
                None => data,
            },
        };
        let body =
            serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("--data is not JSON: {e}")))?;
        request = request.json(body);
    }
    let response = api_client(app)?.send(request).await?;
    match response.location() {
        Some(location) => eprintln!("HTTP {}, Location: {location}", response.status()),
        None => eprintln!("HTTP {}", response.status()),
    }
    if response.body().is_empty() {
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(response.body()) {
        Ok(json) => print_json(&json),
        Err(_) => print_line(&response.text()),
    }
    Ok(())
}

fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("rundll32", vec!["url.dll,FileProtocolHandler", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("note: could not open a browser ({program}: {e}); open the URL yourself");
    }
}

/// Seconds (`300`) or a number with `s`, `m` or `h`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration such as 90, 90s or 5m"))?;
    let secs = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("'{text}' has an unknown unit; use s, m or h")),
    };
    Ok(Duration::from_secs(secs))
}

/// Where `login` listens: the redirect URI's port on loopback only, never on all interfaces.
fn loopback_addrs(redirect: &Url) -> Result<Vec<SocketAddr>, CliError> {
    if redirect.scheme() != "http" {
        return Err(CliError::Usage(format!(
            "login listens for the redirect itself, so the redirect URI must be plain http on this \
             machine (e.g. {DEFAULT_REDIRECT_URI}), not '{redirect}'"
        )));
    }
    let port = redirect.port_or_known_default().unwrap_or(80);
    let ips: Vec<IpAddr> = match redirect.host() {
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
            vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()]
        }
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => vec![ip.into()],
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => vec![ip.into()],
        _ => {
            return Err(CliError::Usage(format!(
                "login needs a redirect URI on this machine (localhost, 127.0.0.1 or [::1]), not \
                 '{redirect}'; register one with the app and pass it with --redirect-uri"
            )));
        }
    };
    Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect())
}

#[derive(Clone)]
struct CallbackState {
    path: String,
    state: CsrfToken,
    sender: mpsc::Sender<String>,
}

/// The loopback listener that receives the redirect.
struct Loopback {
    receiver: mpsc::Receiver<String>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Loopback {
    async fn start(redirect: &Url, state: CsrfToken) -> Result<Self, CliError> {
        let addrs = loopback_addrs(redirect)?;
        let (sender, receiver) = mpsc::channel(1);
        let (shutdown, _) = watch::channel(false);
        let router = axum::Router::new()
            .fallback(on_request)
            .with_state(CallbackState {
                path: redirect.path().to_owned(),
                state,
                sender,
            });
        let mut tasks = Vec::new();
        for (i, addr) in addrs.iter().enumerate() {
            let listener = match TcpListener::bind(addr).await {
                Ok(l) => l,
                // `localhost` may be IPv4 only; the first address is required, the rest optional.
                Err(e) if i > 0 => {
                    tracing::debug!(%addr, error = %e, "not listening on this address");
                    continue;
                }
                Err(source) => return Err(CliError::Listen { addr: *addr, source }),
            };
            let mut stop = shutdown.subscribe();
            let server = axum::serve(listener, router.clone()).with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            });
            tasks.push(tokio::spawn(async move {
                if let Err(e) = server.await {
                    tracing::warn!(error = %e, "the redirect listener failed");
                }
            }));
        }
        Ok(Self {
            receiver,
            shutdown,
            tasks,
        })
    }

    /// The query string of the first request to the redirect path.
    async fn callback(&mut self) -> String {
        self.receiver.recv().await.unwrap_or_default()
    }

    /// Stops listening, giving the browser's page a moment to be delivered.
    async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }
}

async fn on_request(State(cb): State<CallbackState>, uri: Uri) -> Response {
    if uri.path() != cb.path {
        return (StatusCode::NOT_FOUND, "This is not the redirect URI.").into_response();
    }
    let query = uri.query().unwrap_or_default().to_owned();
    let outcome = parse_callback(&query, Some(&cb.state));
    // Only the first callback counts; later ones (a reload) find the channel full or closed.
    let _ = cb.sender.try_send(query);
    let (status, title, text) = match outcome {
        Ok(_) => (
            StatusCode::OK,
            "Signed in",
            "ilert sent the authorization back. You can close this tab and return to the terminal."
                .to_owned(),
        ),
        Err(e) => (StatusCode::BAD_REQUEST, "Sign-in failed", e.to_string()),
    };
    let page = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>ilert-oauth2: {title}</title>\
         <h1>{title}</h1><p>{}</p>",
        escape_html(&text)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_parse_after_the_subcommand_too() {
        let cli = Cli::try_parse_from([
            "ilert-oauth2",
            "login",
            "--no-browser",
            "--timeout",
            "90s",
            "--client-id",
            "abc",
            "--app-url",
            "http://localhost:4598",
            "--api-url",
            "http://localhost:4598",
            "--store",
            "/tmp/t.json",
        ])
        .expect("parses");
        assert_eq!(cli.app.client_id.as_deref(), Some("abc"));
        assert_eq!(cli.app.app_url, "http://localhost:4598");
        assert_eq!(cli.app.redirect_uri, DEFAULT_REDIRECT_URI);
        let Command::Login(args) = cli.command else {
            panic!("not login")
        };
        assert!(args.no_browser && !args.no_pkce);
        assert_eq!(args.timeout, Duration::from_secs(90));
        let cli = Cli::try_parse_from([
            "ilert-oauth2",
            "call",
            "get",
            "/api/alert-sources",
            "-q",
            "max-results=5",
        ])
        .expect("parses");
        assert!(matches!(cli.command, Command::Call(ref c) if c.query == ["max-results=5"]));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("300"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("5 minutes").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn listens_on_loopback_only() {
        let url = |s: &str| Url::parse(s).expect("url");
        let addrs = loopback_addrs(&url("http://localhost:4597/authorize-result")).expect("loopback");
        assert_eq!(
            addrs,
            vec![
                "127.0.0.1:4597".parse().expect("addr"),
                "[::1]:4597".parse().expect("addr")
            ]
        );
        assert_eq!(
            loopback_addrs(&url("http://127.0.0.1/cb")).expect("loopback"),
            vec!["127.0.0.1:80".parse().expect("addr")]
        );
        assert!(loopback_addrs(&url("https://localhost:4597/cb")).is_err());
        assert!(loopback_addrs(&url("http://example.com:4597/cb")).is_err());
        assert!(loopback_addrs(&url("http://0.0.0.0:4597/cb")).is_err());
    }

    #[tokio::test]
    async fn the_loopback_listener_hands_over_the_first_callback() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let redirect = Url::parse(&format!("http://127.0.0.1:{port}/cb")).expect("url");
        let state = CsrfToken::new("st");
        let mut loopback = Loopback::start(&redirect, state).await.expect("listens");
        let http = reqwest::Client::new();
        let other = http
            .get(format!("http://127.0.0.1:{port}/favicon.ico"))
            .send()
            .await
            .expect("answers");
        assert_eq!(other.status(), 404);
        let page = http
            .get(format!("http://127.0.0.1:{port}/cb?code=abc&state=st"))
            .send()
            .await
            .expect("answers");
        assert_eq!(page.status(), 200);
        assert!(
            page.text()
                .await
                .expect("text")
                .contains("return to the terminal")
        );
        assert_eq!(loopback.callback().await, "code=abc&state=st");
        let forged = http
            .get(format!("http://127.0.0.1:{port}/cb?code=x&state=<b>"))
            .send()
            .await
            .expect("answers");
        assert_eq!(forged.status(), 400);
        assert!(!forged.text().await.expect("text").contains("<b>"));
        loopback.stop().await;
    }

    #[test]
    fn summaries_hold_no_tokens() {
        let tokens = TokenSet {
            access_token: ilert_oauth2_client::AccessToken::new("access-secret"),
            token_type: "Bearer".into(),
            expires_at: 1_800_000_000,
            scope: "profile".into(),
            refresh_token: Some(ilert_oauth2_client::RefreshToken::new("refresh-secret")),
            refresh_expires_at: None,
            obtained_at: 1_799_996_400,
            obtained_by: ilert_oauth2_client::Grant::AuthorizationCode,
        };
        let text = summary(&tokens).to_string();
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("2027-01-15T08:00:00Z"), "{text}");
    }
}
