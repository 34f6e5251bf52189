//! `ilert-mock-bench`: puts the mock beside the physical limit of its work.
//!
//! A token grant costs at least one RS256 signature (RSA-2048) and one HS256 signature; an API
//! call at least one RS256 verification. In one run this binary
//!
//! 1. measures the raw RSA-2048 sign and verify rate of aws-lc-rs (the library the mock signs
//!    with), per core and on every core, beside the mock's own `Keys` paths ([`crypto`]);
//! 2. runs `openssl speed -multi N rsa2048` (N = cores) as the machine's reference;
//! 3. measures cold start: spawn of the release `ilert-mock` to the first 200 on `/_mock/health`
//!    ([`server`]);
//! 4. drives one server over loopback HTTP/1.1 keep-alive connections (a small tokio load
//!    generator in this process: pinned, one polling thread on a core of its own; [`load`],
//!    [`http`]) for the refresh grant,
//!    the authorization-code grant (authorize with auto-approve, then token),
//!    `/api/users/current`, `/api/alert-sources` and `token_info` ([`mock`]), and reports
//!    requests/s, p50/p99 latency and the server's CPU use ([`machine`]); with
//!    `--peer-axa URL`, the same generator measures a running axa `oauth2-mock-server`'s
//!    `/userinfo` and token endpoint between the mock's scenarios ([`peers`]);
//! 5. issues `--grants` (100,000) grants through authorize + token on a fresh server and reads
//!    its RSS (`VmRSS`) idle and afterwards;
//!
//! then prints a table ([`report`]), checks the speed targets as ratios against the figures of
//! the same run ([`targets`]) and, with `--json FILE`, writes every figure as JSON.
//!
//! ```sh
//! cargo run --release -p ilert-mock-bench -- --json bench.json
//! cargo run --release -p ilert-mock-bench -- --peer-axa http://127.0.0.1:8080 --json bench.json
//! ```
//!
//! The server binary is built first with `cargo build --release -p ilert-mock --bin ilert-mock`
//! (cargo does not build another package's binaries for `cargo run -p ilert-mock-bench`), unless
//! `--server PATH` names one.

mod crypto;
mod error;
mod figures;
mod http;
mod load;
mod machine;
mod mock;
mod peers;
mod report;
#[cfg(test)]
mod sample;
mod server;
mod store;
mod targets;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;

use crate::error::BenchError;
use crate::figures::{GrantBatch, GrantRun, Report, Rss, Settings};
use crate::load::{RunContext, Until};
use crate::machine::{Machine, clock_ticks, cpu_model, kernel};
use crate::mock::{Plan, Work};
use crate::report::table;
use crate::server::{ServerProcess, cold_starts, server_binary};

// The library items the bench needs beyond a user's surface (the mock's own keys and claims, to
// time its signing and verification paths), imported in this one place.
use ilert_mock::Fixtures;
use ilert_mock::internals::Keys;
use ilert_mock::tokens::AccessClaims;

/// Puts the ilert mock beside the physical limit and its peers: raw RSA rates, openssl, cold
/// start, RSS, and loopback HTTP load for both grants, `/api/users/current`,
/// `/api/alert-sources` and `token_info`, optionally beside axa's oauth2-mock-server.
#[derive(Debug, Parser)]
#[command(name = "ilert-mock-bench", version, about)]
struct Cli {
    /// Concurrent keep-alive connections of the load generator.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds each load scenario runs.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Grants to issue (authorize + token) before reading the server's RSS.
    #[arg(long, default_value_t = 100_000)]
    grants: u64,
    /// Cold starts to time.
    #[arg(long, default_value_t = 10)]
    cold_starts: usize,
    /// Seconds `openssl speed` spends on sign and on verify (0 skips it).
    #[arg(long, default_value_t = 3)]
    openssl_seconds: u32,
    /// Seconds each raw crypto measurement runs.
    #[arg(long, default_value_t = 1.0)]
    crypto_seconds: f64,
    /// The `ilert-mock` binary to run (default: build it in release and use target/release/ilert-mock).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Keep the server's request logging (RUST_LOG=info); by default the bench sets RUST_LOG=warn.
    #[arg(long)]
    server_log: bool,
    /// After the grants, move the mock clock past every lifetime, wait for the purge (up to 65 s)
    /// and read the RSS and grant count again.
    #[arg(long)]
    purge_check: bool,
    /// Also measure a running axa oauth2-mock-server at this base URL (started with
    /// `npx oauth2-mock-server -a 127.0.0.1 -p 8080`): its GET /userinfo and its
    /// client_credentials token endpoint, with the same load generator, beside the mock.
    #[arg(long, value_name = "URL")]
    peer_axa: Option<String>,
    /// Write every figure as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Run only the store suite: events (in memory and with --state-file), alerts-list,
    /// alerts-filter and count at each of --store-levels alerts, restart, RSS per alert.
    #[arg(long)]
    store: bool,
    /// Alert counts the store suite measures at.
    #[arg(long, value_delimiter = ',', default_value = "0,10000,100000")]
    store_levels: Vec<u64>,
    /// Seconds each `events` scenario of the store suite runs (each event adds an alert).
    #[arg(long, default_value_t = 2.0)]
    events_duration: f64,
    /// Seconds a fill to a store level may take before that level is given up.
    #[arg(long, default_value_t = 300.0)]
    fill_budget: f64,
    /// Skip the store suite's --state-file server (events with a state file, restart).
    #[arg(long)]
    memory_only: bool,
    /// Do not pin the server (and a peer) to CPU 0 and the load generator to CPU 1 during the
    /// load scenarios.
    #[arg(long)]
    no_pin: bool,
    /// Store suite: also measure a running Stoplight Prism on ilert's OpenAPI document at this
    /// URL, where ilert's `/api` lies (started with `npx @stoplight/prism-cli mock -h 127.0.0.1
    /// -p 4010 ilert-openapi.yml`): the same reads and events, the same load generator, the
    /// process pinned to the server's core
    #[arg(long, value_name = "URL")]
    peer_prism: Option<String>,
}

/// Whether the load scenarios pin the server (and a peer) to CPU 0 and the load generator to
/// CPU 1: unless `--no-pin`, on a machine with two cores or more.
fn pinned(cli: &Cli) -> bool {
    !cli.no_pin && std::thread::available_parallelism().map_or(1, std::num::NonZero::get) > 1
}

async fn store_suite(cli: &Cli) -> Result<String, BenchError> {
    let binary = server_binary(cli.server.as_deref())?;
    let pin = pinned(cli);
    if pin {
        machine::pin_self(1);
    }
    let ctx = RunContext {
        connections: cli.connections.max(1),
        server_pid: None,
        ticks: clock_ticks(),
        sign_per_core: 1.0,
        openssl_sign: None,
        poll: pin,
    };
    let settings = store::StoreSettings {
        levels: cli.store_levels.clone(),
        duration: Duration::from_secs_f64(cli.duration.max(0.1)),
        events_duration: Duration::from_secs_f64(cli.events_duration.max(0.1)),
        fill_budget: Duration::from_secs_f64(cli.fill_budget.max(1.0)),
        pin,
        memory_only: cli.memory_only,
        prism: cli.peer_prism.clone(),
    };
    let report = store::run(&binary, &ctx, &settings).await?;
    if let Some(path) = &cli.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| BenchError::Server(e.to_string()))?;
        std::fs::write(path, text + "\n")?;
    }
    Ok(store::table(&report, &cpu_model()))
}

async fn bench(cli: Cli) -> Result<Report, BenchError> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let pin = pinned(&cli);
    let core = pin.then_some(0);
    // The peer first: a peer that is not running stops the run before minutes of measuring. It
    // is moved to the server's core now; it idles until its scenarios.
    let axa = match &cli.peer_axa {
        Some(url) => Some(peers::Axa::prepare(url, core).await?),
        None => None,
    };
    let binary = server_binary(cli.server.as_deref())?;
    let ticks = clock_ticks();
    let profile = if cfg!(debug_assertions) {
        "debug (use --release)"
    } else {
        "release"
    };
    if cfg!(debug_assertions) {
        eprintln!("warning: the bench is a debug build; its load generator will be the bottleneck");
    }

    eprintln!("raw crypto …");
    let crypto = tokio::task::spawn_blocking({
        let secs = cli.crypto_seconds;
        move || crypto::crypto(cores, secs)
    })
    .await??;
    eprintln!("openssl speed …");
    let openssl = tokio::task::spawn_blocking({
        let secs = cli.openssl_seconds;
        move || crypto::openssl(cores, secs)
    })
    .await?;

    eprintln!("cold starts …");
    let (cold, idle) = tokio::task::spawn_blocking({
        let binary = binary.clone();
        let (runs, log) = (cli.cold_starts, cli.server_log);
        move || cold_starts(&binary, runs, log)
    })
    .await??;

    // Load scenarios, one server: on CPU 0 with the load generator on CPU 1 (the peer is on CPU 0
    // already), unless --no-pin; the measurements above use every core on purpose.
    if pin {
        machine::pin_self(1);
    }
    let server = ServerProcess::start_with(&binary, cli.server_log, &[], core)?;
    server.wait_healthy()?;
    let plan = Plan::prepare(server.addr).await?;
    let ctx = RunContext {
        connections: cli.connections.max(1),
        server_pid: Some(server.pid()),
        ticks,
        sign_per_core: crypto.rsa_sign_per_core,
        openssl_sign: openssl.sign_per_sec,
        poll: pin,
    };
    let duration = Duration::from_secs_f64(cli.duration.max(0.1));
    let mut scenarios = Vec::new();
    // Each peer scenario right after the mock's scenario it is compared with. A peer scenario
    // is preceded by unmeasured load (`peers::WARM_UP`) so that Node's JIT has optimised its
    // paths; the mock is compiled ahead of time and gets none.
    let mine = |work| (plan.job(work), ctx.server_pid, None);
    let mut jobs = vec![mine(Work::UsersCurrent)];
    if let Some(axa) = &axa {
        jobs.push((axa.userinfo(), axa.peer.pid, Some(peers::WARM_UP)));
    }
    jobs.extend([Work::AlertSources, Work::TokenInfo, Work::Refresh].map(mine));
    if let Some(axa) = &axa {
        jobs.push((axa.token(), axa.peer.pid, Some(peers::WARM_UP)));
    }
    jobs.push(mine(Work::AuthorizationCode));
    for (job, server_pid, warm_up) in jobs {
        let job = Arc::new(job);
        let ctx = RunContext {
            server_pid,
            ..ctx.clone()
        };
        if let Some(warm_up) = warm_up {
            eprintln!("{} (warming up) …", job.name);
            load::run(&ctx, job.clone(), Until::flag(), Some(warm_up)).await;
        }
        eprintln!("{} …", job.name);
        scenarios.push(load::run(&ctx, job, Until::flag(), Some(duration)).await);
    }
    let peer = axa.map(peers::Axa::finish);
    let after_scenarios = server.rss();
    drop(server);

    // Grants, on a fresh server.
    eprintln!("{} grants …", cli.grants);
    let server = ServerProcess::start_with(&binary, cli.server_log, &[], core)?;
    server.wait_healthy()?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let grants_idle = server.rss();
    let plan = Plan::prepare(server.addr).await?;
    let job = Arc::new(plan.job(Work::AuthorizationCode));
    let ctx = RunContext {
        server_pid: Some(server.pid()),
        ..ctx
    };
    // Ten batches, to see the rate and the RSS as the store fills. The plan issued one grant.
    let mut issued = 1u64;
    let (mut units, mut errors, mut elapsed, mut first_error) = (0u64, 0u64, 0.0f64, None);
    let mut batches = Vec::new();
    for batch in 0..10u64 {
        let target = cli.grants * (batch + 1) / 10;
        let count = target.saturating_sub(issued);
        if count == 0 {
            continue;
        }
        let r = load::run(&ctx, job.clone(), Until::count(count), None).await;
        issued += r.units;
        units += r.units;
        errors += r.errors;
        elapsed += r.elapsed_secs;
        first_error = first_error.or(r.first_error);
        batches.push(GrantBatch {
            issued,
            grants_per_sec: r.units_per_sec,
            server_cores: r.server_cores.unwrap_or(0.0),
            rss_kib: server.rss(),
        });
    }
    let after_grants = server.rss();
    let held = mock::grants_held(server.addr).await;
    let (mut after_purge, mut held_after_purge) = (None, None);
    if cli.purge_check {
        eprintln!("purge check: moving the clock 366 days on, waiting for the purge …");
        mock::advance_clock(server.addr, 31_626_000).await?;
        let deadline = Instant::now() + Duration::from_secs(65);
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let held = mock::grants_held(server.addr).await;
            if held.is_some_and(|(n, _)| n == 0) || Instant::now() > deadline {
                held_after_purge = held.map(|(n, _)| n);
                break;
            }
        }
        after_purge = Some(server.rss());
    }
    drop(server);

    let mut report = Report {
        machine: Machine {
            nproc: cores,
            cpu_model: cpu_model(),
            kernel: kernel(),
            bench_profile: profile,
        },
        settings: Settings {
            connections: ctx.connections,
            duration_secs: duration.as_secs_f64(),
            grants: cli.grants,
            server: binary.display().to_string(),
            server_log: cli.server_log,
            pinned: pin,
        },
        peer,
        openssl,
        cold_start_ms: cold,
        rss_kib: Rss {
            idle,
            after_scenarios,
            after_grants,
            after_purge,
        },
        scenarios,
        grants: GrantRun {
            issued,
            errors,
            first_error,
            elapsed_secs: elapsed,
            grants_per_sec: units as f64 / elapsed.max(f64::MIN_POSITIVE),
            rss_idle_kib: grants_idle,
            rss_after_kib: after_grants,
            grants_held: held.map(|(n, _)| n),
            grants_revoked: held.map(|(_, r)| r),
            grants_held_after_purge: held_after_purge,
            batches,
        },
        crypto,
        targets: Vec::new(),
    };
    report.targets = targets::targets(&report);
    Ok(report)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Pinned, the generator is one thread on the load core that polls its sockets between
    // units (`load`'s doc); unpinned, it shares the cores with the server and sleeps when idle,
    // on a thread per core.
    let mut runtime = if pinned(&cli) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    match runtime.enable_all().build() {
        Ok(runtime) => runtime.block_on(run(cli)),
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> ExitCode {
    if cli.store {
        return match store_suite(&cli).await {
            Ok(table) => {
                println!("{table}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let json = cli.json.clone();
    let report = match bench(cli).await {
        Ok(r) => r,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", table(&report));
    if let Some(path) = json {
        let text = match serde_json::to_string_pretty(&report) {
            Ok(t) => t,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(err) = std::fs::write(&path, text + "\n") {
            eprintln!("error: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
