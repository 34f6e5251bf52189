//! The command line: the flags every command shares (which app, which ilert, which token file),
//! the commands and their own flags. Every flag also reads an `ILERT_*` environment variable.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ilert_oauth2_client::{ILERT_API_URL, ILERT_APP_URL};

/// The redirect URI of ilert's sample app, registered for the guide's app in the mock's fixtures.
pub(crate) const DEFAULT_REDIRECT_URI: &str = "http://localhost:4597/authorize-result";
/// The scopes of ilert's guide.
pub(crate) const DEFAULT_SCOPE: &str = "profile source:w";

/// Sign in to ilert with OAuth2 and call its API on your behalf.
#[derive(Debug, Parser)]
#[command(name = "ilert-oauth2", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) app: AppArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Which app, which ilert, which token file.
#[derive(Debug, Clone, Args)]
pub(crate) struct AppArgs {
    /// The app's client id.
    #[arg(long, env = "ILERT_CLIENT_ID", global = true)]
    pub(crate) client_id: Option<String>,
    /// The app's client secret. Without it, `login` uses PKCE and adds the offline_access
    /// scope (any app may, as ilert's PKCE guide does). Prefer the environment variable:
    /// arguments are visible to other users of the machine.
    #[arg(long, env = "ILERT_CLIENT_SECRET", global = true, hide_env_values = true)]
    pub(crate) client_secret: Option<String>,
    /// The redirect URI registered with the app; `login` listens on its host and port.
    #[arg(long, env = "ILERT_REDIRECT_URI", global = true, default_value = DEFAULT_REDIRECT_URI)]
    pub(crate) redirect_uri: String,
    /// Space-separated scopes to request at login.
    #[arg(long, env = "ILERT_SCOPE", global = true, default_value = DEFAULT_SCOPE)]
    pub(crate) scope: String,
    /// Base URL of ilert's browser host (the mock's base URL to test against it).
    #[arg(long, env = "ILERT_APP_URL", global = true, default_value = ILERT_APP_URL)]
    pub(crate) app_url: String,
    /// Base URL of ilert's API host (the mock's base URL to test against it).
    #[arg(long, env = "ILERT_API_URL", global = true, default_value = ILERT_API_URL)]
    pub(crate) api_url: String,
    /// Send the browser to this tenant's own host (`https://{tenant}.ilert.com`).
    #[arg(long, env = "ILERT_TENANT", global = true)]
    pub(crate) tenant: Option<String>,
    /// The token file [default: $XDG_CONFIG_HOME/ilert-oauth2/tokens.json].
    #[arg(long, env = "ILERT_STORE", global = true)]
    pub(crate) store: Option<PathBuf>,
    /// Also trust this CA certificate (PEM), e.g. the mock's development CA
    /// (`ilert-mock --tls --tls-ca-out FILE`).
    #[arg(long, env = "ILERT_CA_CERT", global = true, value_name = "FILE")]
    pub(crate) ca_cert: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
pub(crate) struct LoginArgs {
    /// Also open the URL in the default browser.
    #[arg(long)]
    pub(crate) open: bool,
    /// Never open a browser, only print the URL (wins over --open).
    #[arg(long)]
    pub(crate) no_browser: bool,
    /// Do not use PKCE (only with a client secret; PKCE is on by default).
    #[arg(long)]
    pub(crate) no_pkce: bool,
    /// Follow the authorize URL without a browser or listener: for a server that approves at
    /// once (ilert-mock --auto-approve USER), in scripts and CI.
    #[arg(long)]
    pub(crate) headless: bool,
    /// How long to wait for the redirect: seconds, or with a unit (90s, 5m).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub(crate) timeout: Duration,
}

#[derive(Debug, Args)]
pub(crate) struct CallArgs {
    /// HTTP method: GET, POST, PUT or DELETE.
    pub(crate) method: String,
    /// Path under /api/, e.g. /api/alert-sources.
    pub(crate) path: String,
    /// JSON body; `@FILE` reads a file, `-` reads stdin.
    #[arg(long, short = 'd')]
    pub(crate) data: Option<String>,
    /// Query parameter, repeatable: `-q max-results=10`.
    #[arg(long = "query", short = 'q', value_name = "NAME=VALUE")]
    pub(crate) query: Vec<String>,
    /// Request header, repeatable: `-H 'If-Match: "…"'` with an incident's ETag.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub(crate) header: Vec<String>,
}

/// Seconds (`300`) or a number with `s`, `m` or `h`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
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
}
