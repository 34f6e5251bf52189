//! The load generator: one tokio task per keep-alive connection, all started together behind a
//! barrier, each sending its scenario's unit of work until a flag is raised (a timed scenario)
//! or a shared count runs out (a fixed number of grants).
//!
//! The generator runs in the bench process on the same cores as the server, so each scenario
//! also reads how much CPU the server, the generator and every other process used while it ran
//! (`machine`): a rate is only as good as the quiet it was taken in.
//!
//! Pinned (`RunContext::poll`), the generator has a core of its own and does not sleep while a
//! scenario runs: one task yields in a loop, so the runtime's one thread polls its sockets
//! (`epoll_wait` with no timeout) between units instead of waiting in the kernel for the next
//! answer. On loopback the server's `write` runs the receiving side's TCP, and waking a sleeping
//! receiver on another (virtual) CPU is part of it: 15 to 19 µs of the server's core per answer
//! on the 2-core VM the figures come from (`perf record -C 0`, `sock_def_readable`), a cost of
//! the machine rather than of the server, and one a server answering a client across a network
//! does not pay. The server's work per request is the same either way; its rate no longer
//! carries the wake-up.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Barrier;

use crate::http::{Answer, Conn, code_of};
use crate::machine::{cpu_secs, machine_busy_secs};

/// Builds the request that redeems a code the authorize redirect gave.
pub type Exchange = Box<dyn Fn(&str) -> Vec<u8> + Send + Sync>;

/// What one unit of a scenario sends.
pub enum Unit {
    /// One prepared request, answered 200.
    Request(Vec<u8>),
    /// A request made fresh for each unit (an event with a new alert key), answered `status`.
    Made {
        /// Makes the next request.
        make: Box<dyn Fn() -> Vec<u8> + Send + Sync>,
        /// The expected status.
        status: u16,
    },
    /// An authorization-code grant: the authorize request (answered 302 with a `code` in its
    /// `Location`), then the exchange of that code (answered 200).
    CodeGrant {
        /// The authorize request.
        authorize: Vec<u8>,
        /// The token request for a code.
        exchange: Exchange,
    },
}

impl Unit {
    /// HTTP requests per unit.
    pub fn requests(&self) -> u32 {
        match self {
            Self::Request(_) | Self::Made { .. } => 1,
            Self::CodeGrant { .. } => 2,
        }
    }
}

/// A scenario: a name, a server and the unit its connections repeat.
pub struct Job {
    /// The name in the table and the JSON report.
    pub name: &'static str,
    /// Where the server listens.
    pub addr: SocketAddr,
    /// What each unit sends.
    pub unit: Unit,
    /// A unit issues a signed token (its rate is read against the raw sign rates).
    pub signs: bool,
}

/// When workers stop.
#[derive(Clone)]
pub enum Until {
    /// When the flag is raised.
    Flag(Arc<AtomicBool>),
    /// When this many units have been claimed.
    Count(Arc<AtomicU64>),
}

impl Until {
    /// A flag, raised after the scenario's duration.
    pub fn flag() -> Self {
        Self::Flag(Arc::new(AtomicBool::new(false)))
    }

    /// `units` units in all, shared by every connection.
    pub fn count(units: u64) -> Self {
        Self::Count(Arc::new(AtomicU64::new(units)))
    }

    fn next(&self) -> bool {
        match self {
            Self::Flag(stop) => !stop.load(Ordering::Relaxed),
            Self::Count(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

/// One scenario's figures (serialised to JSON as they are).
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    /// What was measured.
    pub name: &'static str,
    /// HTTP requests per unit (2 for the authorization-code grant: authorize + token).
    pub requests_per_unit: u32,
    /// Units completed.
    pub units: u64,
    /// Requests sent.
    pub requests: u64,
    /// Units that failed (wrong status, broken connection).
    pub errors: u64,
    /// The first failure, as it was answered.
    pub first_error: Option<String>,
    /// Wall seconds from the barrier to the last worker's end.
    pub elapsed_secs: f64,
    /// Requests per second.
    pub requests_per_sec: f64,
    /// Units per second.
    pub units_per_sec: f64,
    /// Median latency of a unit, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency of a unit, in milliseconds.
    pub p99_ms: f64,
    /// CPU seconds the server used per wall second (`None` for a peer whose process was not
    /// found; its CPU then counts in `other_cores`).
    pub server_cores: Option<f64>,
    /// CPU seconds the load generator used per wall second.
    pub loadgen_cores: f64,
    /// CPU seconds everything else on the machine used per wall second (other processes).
    pub other_cores: f64,
    /// Grants/s ÷ (raw sign rate per core × server cores), for the grant scenarios.
    pub of_raw_sign_x_server_cores: Option<f64>,
    /// Grants/s ÷ `openssl speed -multi N` signs/s, for the grant scenarios.
    pub of_openssl_multi: Option<f64>,
}

/// What every scenario of a run shares.
#[derive(Clone)]
pub struct RunContext {
    /// Keep-alive connections per scenario.
    pub connections: usize,
    /// The server process whose CPU is read, when known.
    pub server_pid: Option<u32>,
    /// Clock ticks per second of `/proc` times.
    pub ticks: f64,
    /// aws-lc-rs RSA-2048 signs/s on one core.
    pub sign_per_core: f64,
    /// `openssl speed -multi N` signs/s, when measured.
    pub openssl_sign: Option<f64>,
    /// Poll the sockets between units instead of sleeping (the generator has a core of its own
    /// and a runtime of one thread: see the module's doc).
    pub poll: bool,
}

/// Keeps the runtime's thread polling while it is alive: a task that yields until dropped.
/// Yielding puts the task behind every task that is ready, and a runtime with a yielded task
/// polls its sockets without a timeout, so the thread never waits in the kernel.
struct Poller(Option<tokio::task::JoinHandle<()>>);

impl Poller {
    fn start(poll: bool) -> Self {
        Self(poll.then(|| {
            tokio::spawn(async {
                loop {
                    tokio::task::yield_now().await;
                }
            })
        }))
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}

#[derive(Debug, Default)]
struct WorkerStats {
    units: u64,
    requests: u64,
    errors: u64,
    first_error: Option<String>,
    latencies_us: Vec<u32>,
}

impl WorkerStats {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(what);
        }
    }
}

/// One unit of work; `Err` describes what went wrong.
async fn unit(conn: &mut Conn, job: &Job, requests: &mut u64) -> Result<(), String> {
    let expect = |answer: &Answer, status: u16, conn: &Conn| {
        if answer.status == status {
            Ok(())
        } else {
            Err(format!(
                "{} answered {}: {}",
                job.name,
                answer.status,
                String::from_utf8_lossy(&conn.buf[answer.body.clone()])
            ))
        }
    };
    match &job.unit {
        Unit::Request(request) => {
            *requests += 1;
            let answer = conn.call(request, false).await.map_err(|e| e.to_string())?;
            expect(&answer, 200, conn)
        }
        Unit::Made { make, status } => {
            *requests += 1;
            let answer = conn.call(&make(), false).await.map_err(|e| e.to_string())?;
            expect(&answer, *status, conn)
        }
        Unit::CodeGrant { authorize, exchange } => {
            *requests += 1;
            let answer = conn.call(authorize, true).await.map_err(|e| e.to_string())?;
            expect(&answer, 302, conn)?;
            let location = answer.location.unwrap_or_default();
            let code = code_of(&location).ok_or_else(|| format!("no code in {location}"))?;
            let exchange = exchange(code);
            *requests += 1;
            let answer = conn.call(&exchange, false).await.map_err(|e| e.to_string())?;
            expect(&answer, 200, conn)
        }
    }
}

async fn worker(job: Arc<Job>, until: Until, barrier: Arc<Barrier>) -> WorkerStats {
    let mut stats = WorkerStats::default();
    let mut conn = Conn::open(job.addr).await;
    barrier.wait().await;
    while until.next() {
        let c = match &mut conn {
            Ok(c) => c,
            Err(e) => {
                stats.error(format!("connect: {e}"));
                conn = Conn::open(job.addr).await;
                continue;
            }
        };
        let started = Instant::now();
        match unit(c, &job, &mut stats.requests).await {
            Ok(()) => {
                stats.units += 1;
                stats
                    .latencies_us
                    .push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
            }
            Err(e) => {
                stats.error(e);
                // Start over on a fresh connection: the old one may be out of step.
                conn = Conn::open(job.addr).await;
            }
        }
    }
    stats
}

/// The `p`th percentile of sorted microsecond latencies, in milliseconds (nearest rank).
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

/// Runs `job` on every connection until `until` says stop (raised after `duration` for a flag).
pub async fn run(ctx: &RunContext, job: Arc<Job>, until: Until, duration: Option<Duration>) -> Scenario {
    let barrier = Arc::new(Barrier::new(ctx.connections + 1));
    let handles: Vec<_> = (0..ctx.connections)
        .map(|_| tokio::spawn(worker(job.clone(), until.clone(), barrier.clone())))
        .collect();
    let poller = Poller::start(ctx.poll);
    barrier.wait().await;
    let pid = ctx.server_pid.map(|p| p.to_string());
    let server_cpu = || pid.as_deref().and_then(|p| cpu_secs(p, ctx.ticks));
    let server_cpu0 = server_cpu();
    let own_cpu0 = cpu_secs("self", ctx.ticks).unwrap_or(0.0);
    let machine0 = machine_busy_secs(ctx.ticks).unwrap_or(0.0);
    let started = Instant::now();
    if let (Some(d), Until::Flag(stop)) = (duration, &until) {
        tokio::time::sleep(d).await;
        stop.store(true, Ordering::Relaxed);
    }
    let mut all = WorkerStats::default();
    for h in handles {
        if let Ok(s) = h.await {
            all.units += s.units;
            all.requests += s.requests;
            all.errors += s.errors;
            if all.first_error.is_none() {
                all.first_error = s.first_error;
            }
            all.latencies_us.extend(s.latencies_us);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    drop(poller);
    let server_cores = server_cpu()
        .zip(server_cpu0)
        .map(|(end, start)| (end - start) / elapsed);
    let loadgen_cores = (cpu_secs("self", ctx.ticks).unwrap_or(0.0) - own_cpu0) / elapsed;
    let machine_cores = (machine_busy_secs(ctx.ticks).unwrap_or(0.0) - machine0) / elapsed;
    all.latencies_us.sort_unstable();
    let units_per_sec = all.units as f64 / elapsed;
    Scenario {
        name: job.name,
        requests_per_unit: job.unit.requests(),
        units: all.units,
        requests: all.requests,
        errors: all.errors,
        first_error: all.first_error,
        elapsed_secs: elapsed,
        requests_per_sec: all.requests as f64 / elapsed,
        units_per_sec,
        p50_ms: percentile(&all.latencies_us, 50.0),
        p99_ms: percentile(&all.latencies_us, 99.0),
        server_cores,
        loadgen_cores,
        other_cores: (machine_cores - server_cores.unwrap_or(0.0) - loadgen_cores).max(0.0),
        of_raw_sign_x_server_cores: server_cores
            .filter(|c| job.signs && *c > 0.0)
            .map(|c| units_per_sec / (ctx.sign_per_core * c)),
        of_openssl_multi: ctx.openssl_sign.filter(|_| job.signs).map(|s| units_per_sec / s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let sorted: Vec<u32> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(percentile(&sorted, 50.0), 50.0);
        assert_eq!(percentile(&sorted, 99.0), 99.0);
        assert_eq!(percentile(&sorted, 100.0), 100.0);
        assert_eq!(percentile(&[1500], 99.0), 1.5);
        assert_eq!(percentile(&[], 99.0), 0.0);
        assert_eq!(percentile(&[700, 900], 0.0), 0.7);
    }

    #[test]
    fn a_count_hands_out_exactly_that_many_units() {
        let until = Until::count(3);
        let claimed = std::iter::from_fn(|| until.next().then_some(())).count();
        assert_eq!(claimed, 3);
        assert!(!until.next());
    }

    /// This thread's voluntary context switches (each a wait in the kernel).
    fn waits() -> u64 {
        std::fs::read_to_string("/proc/thread-self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                    .and_then(|v| v.trim().parse().ok())
            })
            .unwrap_or(0)
    }

    /// Awaits 20 answers a peer thread sends 10 ms apart; the runtime thread's waits meanwhile.
    fn waits_for_slow_answers(poll: bool) -> u64 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let addr = listener.local_addr().expect("addr");
            let peer = std::thread::spawn(move || {
                use std::io::Write as _;
                let (mut stream, _) = listener.accept().expect("accept");
                for _ in 0..20 {
                    std::thread::sleep(Duration::from_millis(10));
                    stream.write_all(b"x").expect("write");
                }
            });
            let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
            let poller = Poller::start(poll);
            let before = waits();
            let mut byte = [0u8; 1];
            for _ in 0..20 {
                tokio::io::AsyncReadExt::read_exact(&mut stream, &mut byte)
                    .await
                    .expect("read");
            }
            let after = waits();
            drop(poller);
            peer.join().expect("peer");
            after - before
        })
    }

    #[test]
    fn a_poller_keeps_the_thread_out_of_the_kernel_and_other_tasks_running() {
        // Without it, the thread sleeps for each answer; with it, every answer still arrives
        // (the poller yields to the reading task) and the thread does not wait for one. Half
        // the answers is the bound without it: a busy machine may let two arrive in one wait.
        assert!(waits_for_slow_answers(false) >= 10);
        assert!(waits_for_slow_answers(true) <= 3);
    }

    #[test]
    fn a_flag_runs_until_raised() {
        let until = Until::flag();
        assert!(until.next());
        if let Until::Flag(stop) = &until {
            stop.store(true, Ordering::Relaxed);
        }
        assert!(!until.next());
    }
}
