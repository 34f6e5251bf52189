//! `ilert-conformance`: run the contract suite against a base URL (or an in-process mock with
//! `--spawn`), print a table and the closing line `N passed, N failed, N skipped`, and write
//! JSON and JUnit reports for CI. Exit code 0 only when no failure-severity case failed; 1 when
//! one did; 2 when the run could not start.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use ilert_conformance::runner::ProgressFn;
use ilert_conformance::{Progress, Report, RunOptions, Target, Verdict, cases};

/// Check a server against ilert's OAuth2 contract (behaviour.md §1–§10).
#[derive(Debug, Parser)]
#[command(name = "ilert-conformance", version, about, long_about = None)]
struct Cli {
    /// Base URL of the server under test (both the app and the api host).
    #[arg(long, env = "ILERT_CONFORMANCE_BASE_URL", required_unless_present_any = ["spawn", "list"], conflicts_with = "spawn")]
    base_url: Option<String>,
    /// Start an in-process mock on 127.0.0.1 and test it.
    #[arg(long)]
    spawn: bool,
    /// The app's client id (default: the guide's app of the mock's fixtures).
    #[arg(long, env = "ILERT_CLIENT_ID")]
    client_id: Option<String>,
    /// The app's client secret.
    #[arg(long, env = "ILERT_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// A redirect URI registered for the app, byte for byte.
    #[arg(long, env = "ILERT_REDIRECT_URI")]
    redirect_uri: Option<String>,
    /// The user who consents (headless, on the mock) and whose tokens are checked.
    #[arg(long, env = "ILERT_USER")]
    user: Option<String>,
    /// An access token for the cases that need one (against a server without /_mock/).
    #[arg(long, env = "ILERT_ACCESS_TOKEN", hide_env_values = true)]
    access_token: Option<String>,
    /// A refresh token for the cases that need one (against a server without /_mock/).
    #[arg(long, env = "ILERT_REFRESH_TOKEN", hide_env_values = true)]
    refresh_token: Option<String>,
    /// The mock's --control-token, when /_mock/ demands one.
    #[arg(long, env = "ILERT_MOCK_CONTROL_TOKEN", hide_env_values = true)]
    control_token: Option<String>,
    /// For an HTTPS target: trust only this CA certificate (PEM), e.g. the file written by
    /// `ilert-mock --tls --tls-ca-out FILE`.
    #[arg(long, env = "ILERT_CA_CERT", value_name = "FILE")]
    ca_cert: Option<std::path::PathBuf>,
    /// Run only cases whose id matches (`TOKEN-ERR-*`, or a substring); repeat or comma-separate.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the report as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Most cases in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Longest one case may take, in seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// No progress line.
    #[arg(long)]
    quiet: bool,
    /// List the cases (id, severity, tags, source, title) and exit.
    #[arg(long)]
    list: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.list {
        list();
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ilert-conformance: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(run(cli))
}

fn list() {
    for c in cases::all() {
        let tags: Vec<String> = c.tags.iter().map(ToString::to_string).collect();
        println!(
            "{:<32} {:<8} {:<28} {} — {}",
            c.id,
            format!("{:?}", c.severity).to_lowercase(),
            tags.join(","),
            c.source,
            c.title
        );
    }
}

async fn run(cli: Cli) -> ExitCode {
    // Keeps the spawned mock alive for the whole run.
    let mut _mock = None;
    let base_url = if cli.spawn {
        match ilert_mock::MockServer::builder().start().await {
            Ok(server) => {
                let url = server.base_url();
                _mock = Some(server);
                url
            }
            Err(e) => {
                eprintln!("ilert-conformance: the in-process mock did not start: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        cli.base_url.clone().unwrap_or_default()
    };
    let mut target = Target::new(base_url);
    if let Some(id) = cli.client_id {
        target.app.client_id = id;
        target.app.client_secret = None;
    }
    if let Some(secret) = cli.client_secret {
        target.app.client_secret = Some(secret).filter(|s| !s.is_empty());
    }
    if let Some(uri) = cli.redirect_uri {
        target.app.redirect_uri = uri;
    }
    if let Some(user) = cli.user {
        target.user = user;
    }
    target.access_token = cli.access_token;
    target.refresh_token = cli.refresh_token;
    target.control_token = cli.control_token;
    if let Some(path) = &cli.ca_cert {
        match std::fs::read_to_string(path) {
            Ok(pem) => target.ca_pem = Some(pem),
            Err(err) => {
                eprintln!("ilert-conformance: cannot read {}: {err}", path.display());
                return ExitCode::from(2);
            }
        }
    }

    let interactive = std::io::stderr().is_terminal();
    let on_progress: Option<ProgressFn> = if cli.quiet {
        None
    } else {
        Some(Arc::new(move |p: &Progress<'_>| progress(p, interactive)))
    };
    let options = RunOptions {
        only: cli.only,
        concurrency: cli.concurrency,
        timeout: Duration::from_secs(cli.timeout.max(1)),
        on_progress,
    };
    eprintln!("ilert-conformance: testing {}", target.base_url);
    let report = match ilert_conformance::run_all(target, options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ilert-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    if interactive && !cli.quiet {
        eprint!("\r\x1b[2K");
    }
    if let Some(path) = &cli.json {
        let text = serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("ilert-conformance: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if let Some(path) = &cli.junit
        && let Err(e) = std::fs::write(path, report.junit())
    {
        eprintln!("ilert-conformance: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    print_report(&report);
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn progress(p: &Progress<'_>, interactive: bool) {
    let line = format!(
        "[{:>3}/{}] {:<4} {}",
        p.done,
        p.total,
        p.case.verdict.word(),
        p.case.id
    );
    let mut err = std::io::stderr().lock();
    if interactive {
        let _ = write!(err, "\r\x1b[2K{line}");
    } else {
        let _ = writeln!(err, "{line}");
    }
    let _ = err.flush();
}

fn print_report(report: &Report) {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{}", report.table());
    let warned: Vec<&str> = report.with_verdict(Verdict::Warned).map(|c| c.id).collect();
    let _ = writeln!(out);
    if !report.control {
        let _ = writeln!(
            out,
            "note: {} has no /_mock/ controls; mock-only and browser cases were skipped",
            report.base_url
        );
    }
    if !warned.is_empty() {
        let _ = writeln!(out, "{} warning(s): {}", warned.len(), warned.join(", "));
    }
    if let Some(left) = report.leftovers_text() {
        let _ = writeln!(out, "{left}");
    }
    let _ = writeln!(out, "finished in {:.1} s", report.duration.as_secs_f64());
    let _ = writeln!(out, "{}", report.closing_line());
}
