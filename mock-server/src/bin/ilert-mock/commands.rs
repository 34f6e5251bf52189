//! The `ilert-mock` subcommands besides serving: `fixtures` (print the embedded fixtures),
//! `audit` (read a running mock's audit), `approve` (play the grant view), `state dump` (print
//! a state file).

use std::io::Write as _;
use std::process::ExitCode;

use ilert_mock::Severity;
use ilert_mock::audit::remote;

use crate::{ApproveArgs, AuditArgs, FixtureFormat};

/// `ilert-mock state dump FILE`: prints the state file as JSON (exit 2 when it cannot be read).
pub(crate) fn dump_state(file: &std::path::Path) -> ExitCode {
    match ilert_mock::server::dump_state_file(file) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

/// `ilert-mock fixtures`: prints the embedded default fixtures.
pub(crate) fn print_fixtures(format: FixtureFormat) -> ExitCode {
    let text = match format {
        FixtureFormat::Toml => Ok(ilert_mock::fixtures::DEFAULT_TOML.to_owned()),
        FixtureFormat::Json => ilert_mock::fixtures::DEFAULT_TOML
            .parse::<toml::Table>()
            .map_err(|e| e.to_string())
            .and_then(|table| serde_json::to_string_pretty(&table).map_err(|e| e.to_string()))
            .map(|json| json + "\n"),
    };
    match text {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: cannot render the default fixtures: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `ilert-mock audit`: reads the report, writes the files, prints the table, and exits 1 when a
/// finding at or above `--fail-on` is present (2 when it could not run).
pub(crate) async fn audit(args: AuditArgs) -> ExitCode {
    let ca_pem = match args.ca_cert.as_deref().map(std::fs::read).transpose() {
        Ok(pem) => pem,
        Err(err) => {
            eprintln!("error: cannot read --ca-cert: {err}");
            return ExitCode::from(2);
        }
    };
    let target = remote::Target {
        base_url: args.base_url.clone(),
        control_token: args.control_token,
        ca_pem,
    };
    let filter = ilert_mock::audit::Filter {
        app: args.app,
        severity: None,
    };
    let report = match remote::fetch(&target, &filter).await {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let fail_on = Severity::from(args.fail_on);
    let files = [
        (
            args.json,
            serde_json::to_string_pretty(&report.ci_json(&args.base_url, fail_on)).map(|j| j + "\n"),
        ),
        (args.junit, Ok(report.junit(fail_on))),
    ];
    for (path, text) in files {
        let Some(path) = path else { continue };
        if let Err(err) = text
            .map_err(std::io::Error::other)
            .and_then(|text| std::fs::write(&path, text))
        {
            eprintln!("error: cannot write {}: {err}", path.display());
            return ExitCode::from(2);
        }
    }
    let failing = report.at_or_above(fail_on).len();
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{}", report.table());
    if failing > 0 {
        let _ = writeln!(
            out,
            "FAILED: {failing} finding(s) at --fail-on {fail_on} or above"
        );
        return ExitCode::FAILURE;
    }
    let _ = writeln!(out, "passed: no finding at --fail-on {fail_on} or above");
    ExitCode::SUCCESS
}

/// `ilert-mock approve`: submits the grant view's form and prints the redirect (exit 2 when the
/// mock refused or could not be reached).
pub(crate) async fn approve(args: ApproveArgs) -> ExitCode {
    let ca_pem = match args.ca_cert.as_deref().map(std::fs::read).transpose() {
        Ok(pem) => pem,
        Err(err) => {
            eprintln!("error: cannot read --ca-cert: {err}");
            return ExitCode::from(2);
        }
    };
    let target = ilert_mock::approve::Target {
        connect: None,
        ca_pem,
    };
    let choice = match args.user {
        Some(user) if !args.deny => ilert_mock::approve::Choice::Grant(user),
        _ => ilert_mock::approve::Choice::Deny,
    };
    match ilert_mock::approve::submit(&target, &args.url, &choice).await {
        Ok(redirect) => {
            println!("{redirect}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}
