//! `ilert-oauth2`: sign in to ilert from a terminal, keep the tokens in a file, and call the API.
//!
//! `login` runs the authorization code flow with a loopback listener on the redirect URI's host
//! and port (PKCE on by default); the other commands use the stored tokens, refreshing them as
//! the library's [`ApiClient`](ilert_oauth2_client::ApiClient) does. Results go to stdout
//! (JSON), progress and errors to stderr; a failure exits with status 1 and a sentence that
//! carries ilert's error code and description. Every flag also reads an `ILERT_*` environment
//! variable, so pointing the tool at the mock is
//! `ILERT_APP_URL=http://localhost:4598 ILERT_API_URL=http://localhost:4598`.
//!
//! One module per job: [`args`] the command line, [`clients`] the clients built from it,
//! [`login`] the sign-in with its [`loopback`] listener, [`commands`] the commands on stored
//! tokens, [`output`] what is printed, [`error`] what the tool itself reports.

mod args;
mod clients;
mod commands;
mod error;
mod login;
mod loopback;
mod output;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};
use crate::error::CliError;

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
        Command::Login(args) => login::login(&app, args).await,
        Command::Whoami => commands::whoami(&app).await,
        Command::TokenInfo => commands::token_info(&app).await,
        Command::Refresh { force } => commands::refresh(&app, force).await,
        Command::Revoke => commands::revoke(&app).await,
        Command::Call(args) => commands::call(&app, args).await,
    }
}
