//! `--store`: the REST store under load, as a user load-testing an alerting pipeline drives it.
//!
//! One in-memory server is filled through the Events API (new alert keys, the fixture alert
//! source 3001) to each level of `--store-levels` (0, 10,000, 100,000 alerts); at each level the
//! bench measures `GET /api/alerts?max-results=50` (`alerts-list`),
//! `GET /api/alerts?states=PENDING&sources=3001&max-results=50` (`alerts-filter`),
//! `GET /api/alerts/count` (`count`) and `POST /api/events` (`events`, each event a new alert)
//! and reads the server's RSS. A second server does the same for `events` with `--state-file`,
//! then is killed and restarted on its file three times, each on a fresh copy of what the killed
//! server left (`restart`: spawn to the first 200 on `/_mock/health`, the median).
//!
//! Whether `events` keeps its rate as the store grows is read from a paired measurement
//! ([`Paired`]), not from the rows at each level: those are taken minutes apart, and a shared VM's
//! speed moves by half within minutes, in either direction. The filled server (in memory: the one
//! just measured at the top level; with `--state-file`: one restarted on the file the restarts
//! used) and a fresh server take turns, [`PAIRED_ROUNDS`] rounds of one `events` slice each, the
//! order alternating, and each round gives the filled rate over the fresh rate seconds apart.
//! The fresh server is new each round and, like every peer, gets [`crate::peers::WARM_UP`] of
//! unmeasured events first (a process's first second of events runs at about two thirds of its
//! rate: its heap and tables are still growing), so it holds some thousand alerts when
//! measured. The median of the rounds is the figure; the filled server keeps growing by what it
//! is sent, so its alert count at the end is reported too.
//!
//! By default (`--pin`) the server runs on CPU 0 (`taskset -c 0`) and the load generator on CPU 1
//! (`taskset -a -p`), so the two do not compete for a core. A fill that cannot reach a level
//! within `--fill-budget` seconds stops there, and the level reached is what is reported (a store
//! whose events slow as it grows cannot be filled to 100,000 in minutes).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::BenchError;
use crate::http::{get, once, post};
use crate::load::{Job, RunContext, Scenario, Unit, Until};
use crate::server::{ServerProcess, Starts};

/// The fixture alert source's integration key (public test value of the default fixtures).
const KEY: &str = "il1api0a5cf3001e0c8d4f5b9a2e7c6d1f";
/// The REST store's bound every server of the suite is started with (`--max-store-bytes`, 4 GiB
/// of JSON): the default, 128 MiB, holds about 200,000 alerts with their log entries, which the
/// paired rounds pass. At the bound the mock measures its store once and answers 507, which is
/// not what the suite measures.
const STORE_BOUND: [&str; 2] = ["--max-store-bytes", "4294967296"];
/// Reads and writes alerts.
const SCOPE: &str = "profile alert:d source:d";

/// What the store suite is told.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// Alert counts to measure at, ascending.
    pub levels: Vec<u64>,
    /// Seconds each read scenario runs.
    pub duration: Duration,
    /// Seconds each `events` scenario runs (short: every event adds an alert).
    pub events_duration: Duration,
    /// Seconds a fill may take before the level is given up.
    pub fill_budget: Duration,
    /// Pin the server to CPU 0 and the load to CPU 1.
    pub pin: bool,
    /// Skip the `--state-file` server.
    pub memory_only: bool,
    /// A running Prism on ilert's document to measure the same reads and events against
    /// (`--peer-prism URL`).
    pub prism: Option<String>,
}

/// One measurement at one level.
#[derive(Debug, Serialize)]
pub struct StoreFigure {
    /// `events`, `events (state file)`, `alerts-list`, `alerts-filter`, `count`.
    pub scenario: &'static str,
    /// Alerts held when the scenario started.
    pub alerts: u64,
    /// The load figures.
    pub load: Scenario,
}

/// The store suite's figures.
#[derive(Debug, Serialize)]
pub struct StoreReport {
    /// Whether server and load were pinned to separate cores.
    pub pinned: bool,
    /// Every measurement.
    pub figures: Vec<StoreFigure>,
    /// (alerts, RSS KiB) of the in-memory server at each level reached.
    pub rss: Vec<(u64, u64)>,
    /// RSS growth per 100,000 alerts (MB), from the lowest to the highest level reached.
    pub rss_mb_per_100k: Option<f64>,
    /// Restarts on the state file the killed server left.
    pub restart: Option<Restart>,
    /// Levels a fill could not reach within the budget: (asked, reached).
    pub unreached: Vec<(u64, u64)>,
    /// Prism, when measured (its figures are in `figures`, named `prism …`).
    pub peer: Option<crate::peers::Peer>,
    /// `events` on the filled server paired with a fresh one: in memory, then with a state file.
    pub paired: Vec<Paired>,
}

/// Restarts on the state file the killed server left, each on a fresh copy of it.
#[derive(Debug, Serialize)]
pub struct Restart {
    /// Alerts the file holds.
    pub alerts: u64,
    /// The file's bytes (its snapshot line and the records after it).
    pub bytes: u64,
    /// Spawn to the first health answer, each restart.
    pub ms: Starts,
}

/// Rounds of the paired `events` measurement.
const PAIRED_ROUNDS: usize = 3;

/// `events` on a filled server against a fresh one, measured in alternating slices.
#[derive(Debug, Serialize)]
pub struct Paired {
    /// `events` or `events (state file)`.
    pub scenario: &'static str,
    /// Alerts the filled server held when the first round started.
    pub alerts_from: u64,
    /// Alerts it held after the last.
    pub alerts_to: u64,
    /// Alerts each round's fresh server held when measured (after its warm-up).
    pub fresh_alerts: Vec<u64>,
    /// Each round: the fresh server's slice, then the filled server's.
    pub rounds: Vec<(Scenario, Scenario)>,
    /// The median over the rounds of filled ÷ fresh.
    pub ratio: f64,
}

impl Paired {
    /// The median of each round's filled ÷ fresh rate (0 when a round has no fresh rate).
    fn median_ratio(rounds: &[(Scenario, Scenario)]) -> f64 {
        let mut ratios: Vec<f64> = rounds
            .iter()
            .map(|(fresh, filled)| {
                let (fresh, filled) = (fresh.requests_per_sec, filled.requests_per_sec);
                if fresh > 0.0 { filled / fresh } else { 0.0 }
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios.get(ratios.len() / 2).copied().unwrap_or(0.0)
    }
}

/// Restarts measured on the state file: one start on a shared VM moves by a third from run to
/// run, so the suite reports their median.
const RESTARTS: usize = 3;

/// The read scenarios: name and path (under `/api`).
const READS: [(&str, &str); 3] = [
    ("alerts-list", "/alerts?max-results=50"),
    (
        "alerts-filter",
        "/alerts?states=PENDING&sources=3001&max-results=50",
    ),
    ("count", "/alerts/count"),
];

/// Each scenario measured on Prism too, and Prism's name for it: [`READS`] in order, then `events`.
const PEERED: [(&str, &str); 4] = [
    ("alerts-list", "prism alerts-list"),
    ("alerts-filter", "prism alerts-filter"),
    ("count", "prism count"),
    ("events", "prism events"),
];

/// The number of the next event the suite sends, over every server it starts: a server
/// restarted on a file holds the keys the bench sent before, and an event with one of those keys
/// would append to that open alert instead of raising a new one.
static NEXT_EVENT: AtomicU64 = AtomicU64::new(0);

struct Target {
    addr: SocketAddr,
    host: String,
    bearer: String,
}

impl Target {
    async fn prepare(addr: SocketAddr) -> Result<Self, BenchError> {
        let host = addr.to_string();
        let (access, _) = crate::mock::tokens_for(addr, &host, SCOPE).await?;
        Ok(Self {
            addr,
            bearer: format!("Authorization: Bearer {access}\r\n"),
            host,
        })
    }

    fn read(&self, name: &'static str, path: &str) -> Job {
        Job {
            name,
            addr: self.addr,
            unit: Unit::Request(get(&self.host, path, &self.bearer)),
            signs: false,
        }
    }

    fn events(&self, name: &'static str) -> Job {
        let host = self.host.clone();
        Job {
            name,
            addr: self.addr,
            unit: Unit::Made {
                make: Box::new(move || event(&host, NEXT_EVENT.fetch_add(1, Ordering::Relaxed))),
                status: 202,
            },
            signs: false,
        }
    }

    async fn count(&self) -> Result<u64, BenchError> {
        let answer = once(
            self.addr,
            &get(&self.host, "/api/alerts/count", &self.bearer),
            false,
        )
        .await?;
        let json: serde_json::Value =
            serde_json::from_slice(&answer.body).map_err(|e| BenchError::Server(e.to_string()))?;
        json.get("count")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| BenchError::Server(format!("count answered {}: {json}", answer.status)))
    }

    /// Sends events until the store holds `level` alerts or the budget is spent; the count.
    async fn fill(&self, ctx: &RunContext, level: u64, budget: Duration) -> Result<u64, BenchError> {
        let started = Instant::now();
        loop {
            let held = self.count().await?;
            if held >= level || started.elapsed() > budget {
                return Ok(held);
            }
            let batch = (level - held).min(5_000);
            let job = Arc::new(self.events("fill"));
            load::run(ctx, job, Until::count(batch), None).await;
        }
    }
}

use crate::load;

/// An ALERT event with a fresh alert key.
fn event(host: &str, n: u64) -> Vec<u8> {
    post(
        host,
        "/api/events",
        "application/json",
        &String::from_utf8_lossy(&event_body(n)),
    )
}

/// The body of event `n`: an ALERT with alert key `bench-{n}-{pid}`.
fn event_body(n: u64) -> Vec<u8> {
    format!(
        r#"{{"integrationKey":"{KEY}","eventType":"ALERT","summary":"bench alert {n}","details":"load test","alertKey":"bench-{n}-{}"}}"#,
        std::process::id()
    )
    .into_bytes()
}

/// Runs the store suite with `binary`.
pub async fn run(
    binary: &Path,
    ctx: &RunContext,
    settings: &StoreSettings,
) -> Result<StoreReport, BenchError> {
    let core = settings.pin.then_some(0);
    let mut report = StoreReport {
        pinned: settings.pin,
        figures: Vec::new(),
        rss: Vec::new(),
        rss_mb_per_100k: None,
        restart: None,
        unreached: Vec::new(),
        peer: None,
        paired: Vec::new(),
    };

    // In memory.
    let server = ServerProcess::start_with(binary, false, &STORE_BOUND, core)?;
    server.wait_healthy()?;
    let target = Target::prepare(server.addr).await?;
    let ctx_mem = RunContext {
        server_pid: Some(server.pid()),
        ..ctx.clone()
    };
    for &level in &settings.levels {
        eprintln!("memory: filling to {level} alerts …");
        let held = target.fill(&ctx_mem, level, settings.fill_budget).await?;
        if held < level {
            report.unreached.push((level, held));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        report.rss.push((held, server.rss()));
        for (name, path) in READS {
            eprintln!("  {name} at {held} …");
            let job = Arc::new(target.read(name, &format!("/api{path}")));
            let load = load::run(&ctx_mem, job, Until::flag(), Some(settings.duration)).await;
            report.figures.push(StoreFigure {
                scenario: name,
                alerts: held,
                load,
            });
        }
        eprintln!("  events at {held} …");
        let job = Arc::new(target.events("events"));
        let load = load::run(&ctx_mem, job, Until::flag(), Some(settings.events_duration)).await;
        report.figures.push(StoreFigure {
            scenario: "events",
            alerts: held,
            load,
        });
        if held < level {
            break;
        }
    }
    if let (Some(first), Some(last)) = (report.rss.first(), report.rss.last())
        && last.0 > first.0
    {
        let per_alert_kib = (last.1.saturating_sub(first.1)) as f64 / (last.0 - first.0) as f64;
        report.rss_mb_per_100k = Some(per_alert_kib * 100_000.0 / 1024.0);
    }
    if report.rss.last().is_some_and(|&(held, _)| held > 0) {
        eprintln!("memory: events paired with a fresh server …");
        let fresh = |_: usize| Vec::new();
        let pair = paired("events", binary, core, ctx, settings, (&server, &target), fresh).await?;
        report.paired.push(pair);
    }
    drop(server);
    if let Some(url) = &settings.prism {
        prism(url, ctx, settings, &mut report).await?;
    }
    if settings.memory_only {
        return Ok(report);
    }

    // With a state file.
    let dir = std::env::temp_dir().join(format!("ilert-mock-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("state.json");
    let file_arg = file.display().to_string();
    let args = ["--state-file", file_arg.as_str(), STORE_BOUND[0], STORE_BOUND[1]];
    let server = ServerProcess::start_with(binary, false, &args, core)?;
    server.wait_healthy()?;
    let target = Target::prepare(server.addr).await?;
    let ctx_file = RunContext {
        server_pid: Some(server.pid()),
        ..ctx.clone()
    };
    let mut held = 0;
    for &level in &settings.levels {
        eprintln!("state file: filling to {level} alerts …");
        held = target.fill(&ctx_file, level, settings.fill_budget).await?;
        eprintln!("  events (state file) at {held} …");
        let job = Arc::new(target.events("events (state file)"));
        let load = load::run(&ctx_file, job, Until::flag(), Some(settings.events_duration)).await;
        report.figures.push(StoreFigure {
            scenario: "events (state file)",
            alerts: held,
            load,
        });
        if held < level {
            report.unreached.push((level, held));
            break;
        }
    }
    held = target.count().await.unwrap_or(held);
    drop(server);
    // The file as the killed server left it (its snapshot line and the records after it), put
    // back before each restart: a restart must not start on what the one before it wrote.
    let kept = dir.join("kept.json");
    let bytes = std::fs::copy(&file, &kept)?;
    let mut samples = Vec::with_capacity(RESTARTS);
    for n in 1..=RESTARTS {
        std::fs::copy(&kept, &file)?;
        eprintln!("restart {n} of {RESTARTS} with {held} alerts in the state file …");
        let server = ServerProcess::start_with(binary, false, &args, core)?;
        let took = server.wait_healthy_within(Duration::from_secs(600))?;
        samples.push(took.as_secs_f64() * 1000.0);
        drop(server);
    }
    report.restart = Some(Restart {
        alerts: held,
        bytes,
        ms: Starts::of(samples),
    });
    if held > 0 {
        eprintln!("state file: events paired with a fresh server …");
        std::fs::copy(&kept, &file)?;
        let server = ServerProcess::start_with(binary, false, &args, core)?;
        server.wait_healthy_within(Duration::from_secs(600))?;
        let target = Target::prepare(server.addr).await?;
        let fresh = |round: usize| {
            let path = dir.join(format!("fresh-{round}.json")).display().to_string();
            vec!["--state-file".to_owned(), path]
        };
        let pair = paired(
            "events (state file)",
            binary,
            core,
            ctx,
            settings,
            (&server, &target),
            fresh,
        )
        .await?;
        report.paired.push(pair);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(report)
}

/// `events` on the `filled` server and on a fresh server started with `fresh(round)`'s
/// arguments, [`PAIRED_ROUNDS`] rounds of one slice each, the order alternating (see the module's
/// doc).
async fn paired(
    scenario: &'static str,
    binary: &Path,
    core: Option<usize>,
    ctx: &RunContext,
    settings: &StoreSettings,
    (filled, filled_target): (&ServerProcess, &Target),
    fresh: impl Fn(usize) -> Vec<String>,
) -> Result<Paired, BenchError> {
    let slice = |server: &ServerProcess, target: &Target, duration: Duration| {
        let ctx = RunContext {
            server_pid: Some(server.pid()),
            ..ctx.clone()
        };
        let job = Arc::new(target.events(scenario));
        async move { load::run(&ctx, job, Until::flag(), Some(duration)).await }
    };
    let measured = settings.events_duration;
    let alerts_from = filled_target.count().await?;
    let mut rounds = Vec::with_capacity(PAIRED_ROUNDS);
    let mut fresh_alerts = Vec::with_capacity(PAIRED_ROUNDS);
    for round in 0..PAIRED_ROUNDS {
        let args = fresh(round);
        let args: Vec<&str> = args.iter().map(String::as_str).chain(STORE_BOUND).collect();
        let new = ServerProcess::start_with(binary, false, &args, core)?;
        new.wait_healthy()?;
        let new_target = Target::prepare(new.addr).await?;
        slice(&new, &new_target, crate::peers::WARM_UP).await;
        fresh_alerts.push(new_target.count().await?);
        let (fresh_slice, filled_slice) = if round % 2 == 0 {
            let f = slice(&new, &new_target, measured).await;
            (f, slice(filled, filled_target, measured).await)
        } else {
            let filled_slice = slice(filled, filled_target, measured).await;
            (slice(&new, &new_target, measured).await, filled_slice)
        };
        eprintln!(
            "  round {}: fresh {:.0}/s, filled {:.0}/s",
            round + 1,
            fresh_slice.requests_per_sec,
            filled_slice.requests_per_sec
        );
        rounds.push((fresh_slice, filled_slice));
    }
    Ok(Paired {
        scenario,
        alerts_from,
        alerts_to: filled_target.count().await?,
        fresh_alerts,
        ratio: Paired::median_ratio(&rounds),
        rounds,
    })
}

/// Measures Prism at `url` on the same reads and events, with the same load generator and, when
/// pinned, on the mock's core; each scenario after [`crate::peers::WARM_UP`] of unmeasured load.
async fn prism(
    url: &str,
    ctx: &RunContext,
    settings: &StoreSettings,
    report: &mut StoreReport,
) -> Result<(), BenchError> {
    let prism = crate::peers::Prism::prepare(url, settings.pin.then_some(0)).await?;
    let ctx = RunContext {
        server_pid: prism.peer.pid,
        ..ctx.clone()
    };
    let jobs = READS
        .iter()
        .zip(PEERED)
        .map(|((_, path), (_, name))| prism.read(name, path))
        .chain([prism.events(PEERED[3].1, event_body)]);
    for job in jobs {
        eprintln!("  {} …", job.name);
        let job = Arc::new(job);
        load::run(&ctx, job.clone(), Until::flag(), Some(crate::peers::WARM_UP)).await;
        let load = load::run(&ctx, job.clone(), Until::flag(), Some(settings.duration)).await;
        report.figures.push(StoreFigure {
            scenario: job.name,
            alerts: 0,
            load,
        });
    }
    report.peer = Some(prism.finish());
    Ok(())
}

/// The mock's rate over Prism's for each operation, at the highest level the mock reached
/// (`None` when either is missing).
fn ratios(report: &StoreReport) -> Vec<(&'static str, u64, f64)> {
    PEERED
        .iter()
        .filter_map(|&(name, peer)| {
            let ours = report
                .figures
                .iter()
                .filter(|f| f.scenario == name)
                .max_by_key(|f| f.alerts)?;
            let theirs = report.figures.iter().find(|f| f.scenario == peer)?;
            (theirs.load.requests_per_sec > 0.0).then(|| {
                (
                    name,
                    ours.alerts,
                    ours.load.requests_per_sec / theirs.load.requests_per_sec,
                )
            })
        })
        .collect()
}

/// The suite as a table.
pub fn table(report: &StoreReport, cpu: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nstore suite on {cpu}; server {} (pinned: {})",
        if report.pinned {
            "CPU 0, load CPU 1"
        } else {
            "unpinned"
        },
        report.pinned
    );
    let _ = writeln!(
        out,
        "{:<22} {:>8} {:>11} {:>9} {:>9} {:>7} {:>7}",
        "scenario", "alerts", "req/s", "p50 ms", "p99 ms", "srv", "errors"
    );
    for f in &report.figures {
        let _ = writeln!(
            out,
            "{:<22} {:>8} {:>11.0} {:>9.2} {:>9.2} {:>7.2} {:>7}",
            f.scenario,
            f.alerts,
            f.load.requests_per_sec,
            f.load.p50_ms,
            f.load.p99_ms,
            f.load.server_cores.unwrap_or(0.0),
            f.load.errors
        );
        if let Some(e) = &f.load.first_error {
            let _ = writeln!(
                out,
                "    first error: {}",
                e.chars().take(160).collect::<String>()
            );
        }
    }
    for (alerts, kib) in &report.rss {
        let _ = writeln!(out, "RSS at {alerts} alerts: {:.1} MB", *kib as f64 / 1024.0);
    }
    if let Some(mb) = report.rss_mb_per_100k {
        let _ = writeln!(out, "RSS per 100,000 alerts: {mb:.1} MB");
    }
    if let Some(r) = &report.restart {
        let _ = writeln!(
            out,
            "restart with {} alerts ({:.1} MB on disk), {} starts: median {:.0} ms to the first health answer (min {:.0}, max {:.0})",
            r.alerts,
            r.bytes as f64 / 1_048_576.0,
            r.ms.samples.len(),
            r.ms.median,
            r.ms.min,
            r.ms.max
        );
    }
    for p in &report.paired {
        let _ = writeln!(
            out,
            "{} at {}–{} alerts ÷ on a fresh server, paired: {:.2} (median of {} rounds)",
            p.scenario,
            p.alerts_from,
            p.alerts_to,
            p.ratio,
            p.rounds.len(),
        );
        for (n, ((fresh, filled), held)) in p.rounds.iter().zip(&p.fresh_alerts).enumerate() {
            let _ = writeln!(
                out,
                "    round {}: filled {:.0}/s (srv {:.2}), fresh at {held} alerts {:.0}/s (srv {:.2})",
                n + 1,
                filled.requests_per_sec,
                filled.server_cores.unwrap_or(0.0),
                fresh.requests_per_sec,
                fresh.server_cores.unwrap_or(0.0),
            );
        }
    }
    for (asked, reached) in &report.unreached {
        let _ = writeln!(out, "fill to {asked} stopped at {reached} (--fill-budget spent)");
    }
    if let Some(peer) = &report.peer {
        let mb =
            |kib: Option<u64>| kib.map_or_else(|| "?".to_owned(), |k| format!("{:.1} MB", k as f64 / 1024.0));
        let _ = writeln!(
            out,
            "peer: {} {} ({}) at {}, pid {}, RSS {} before its scenarios, {} after",
            peer.name,
            peer.version.as_deref().unwrap_or("(version unknown)"),
            peer.runtime.as_deref().unwrap_or("runtime unknown"),
            peer.url,
            peer.pid.map_or_else(|| "?".to_owned(), |p| p.to_string()),
            mb(peer.rss_kib_before),
            mb(peer.rss_kib_after),
        );
        for (name, alerts, ratio) in ratios(report) {
            let _ = writeln!(out, "{name} at {alerts} alerts: {ratio:.1}x Prism's rate");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_are_reported_by_their_median_with_their_spread() {
        let report = StoreReport {
            pinned: true,
            figures: Vec::new(),
            rss: Vec::new(),
            rss_mb_per_100k: None,
            restart: Some(Restart {
                alerts: 113_000,
                bytes: 132 * 1_048_576,
                ms: Starts::of(vec![2_233.0, 1_568.0, 1_810.0]),
            }),
            unreached: Vec::new(),
            peer: None,
            paired: Vec::new(),
        };
        let table = table(&report, "a CPU");
        assert!(
            table.contains(
                "restart with 113000 alerts (132.0 MB on disk), 3 starts: median 1810 ms to the first health answer (min 1568, max 2233)\n"
            ),
            "{table}"
        );
        let json = serde_json::to_value(&report).expect("serialised");
        assert_eq!(
            json["restart"]["ms"]["samples"],
            serde_json::json!([2233.0, 1568.0, 1810.0])
        );
        assert_eq!(json["restart"]["ms"]["median"], 1810.0);
    }

    #[test]
    fn a_paired_measurement_is_the_median_of_its_rounds_ratios() {
        let at = |rate: f64, srv: f64| Scenario {
            server_cores: Some(srv),
            ..crate::sample::scenario("events", rate)
        };
        let rounds = vec![
            (at(10_000.0, 1.0), at(9_000.0, 0.99)),
            (at(12_000.0, 1.0), at(12_600.0, 1.0)),
            (at(8_000.0, 0.97), at(7_600.0, 1.0)),
        ];
        assert_eq!(Paired::median_ratio(&rounds), 0.95, "0.9, 1.05 and 0.95");
        let none = [(at(0.0, 0.0), at(5.0, 1.0))];
        assert_eq!(Paired::median_ratio(&none), 0.0, "no fresh rate, no ratio");
        let report = StoreReport {
            pinned: true,
            figures: Vec::new(),
            rss: Vec::new(),
            rss_mb_per_100k: None,
            restart: None,
            unreached: Vec::new(),
            peer: None,
            paired: vec![Paired {
                scenario: "events",
                alerts_from: 100_000,
                alerts_to: 130_000,
                fresh_alerts: vec![15_000, 14_000, 16_000],
                ratio: Paired::median_ratio(&rounds),
                rounds,
            }],
        };
        let table = table(&report, "a CPU");
        assert!(
            table.contains(concat!(
                "events at 100000–130000 alerts ÷ on a fresh server, paired: 0.95 (median of 3 rounds)\n",
                "    round 1: filled 9000/s (srv 0.99), fresh at 15000 alerts 10000/s (srv 1.00)\n",
                "    round 2: filled 12600/s (srv 1.00), fresh at 14000 alerts 12000/s (srv 1.00)\n",
                "    round 3: filled 7600/s (srv 1.00), fresh at 16000 alerts 8000/s (srv 0.97)\n",
            )),
            "{table}"
        );
        let json = serde_json::to_value(&report).expect("serialised");
        assert_eq!(json["paired"][0]["ratio"], 0.95);
        assert_eq!(json["paired"][0]["rounds"][2][1]["requests_per_sec"], 7600.0);
    }
}
