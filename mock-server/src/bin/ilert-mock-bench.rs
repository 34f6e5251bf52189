//! `ilert-mock-bench`: puts the mock beside the physical limit of its work.
//!
//! A token grant costs at least one RS256 signature (RSA-2048) and one HS256 signature; an API
//! call at least one RS256 verification. In one run this binary
//!
//! 1. measures the raw RSA-2048 sign and verify rate of aws-lc-rs (the library the mock signs
//!    with), per core and on every core, beside the mock's own `Keys` paths;
//! 2. runs `openssl speed -multi N rsa2048` (N = cores) as the machine's reference;
//! 3. measures cold start: spawn of the release `ilert-mock` to the first 200 on `/_mock/health`;
//! 4. drives one server over loopback HTTP/1.1 keep-alive connections (a small tokio load
//!    generator in this process, on the same cores) for the refresh grant, the
//!    authorization-code grant (authorize with auto-approve, then token), `/api/users/current`
//!    and `token_info`, and reports requests/s, p50/p99 latency and the server's CPU use;
//! 5. issues `--grants` (100,000) grants through authorize + token on a fresh server and reads
//!    its RSS (`VmRSS`) idle and afterwards;
//!
//! then prints a table and, with `--json FILE`, writes every figure as JSON.
//!
//! ```sh
//! cargo run --release -p ilert-mock --bin ilert-mock-bench -- --json bench.json
//! ```
//!
//! The server binary is built first with `cargo build --release -p ilert-mock --bin ilert-mock`
//! (cargo does not build sibling binaries for `cargo run --bin`), unless `--server PATH` names one.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};
use clap::Parser;
use ilert_mock::Fixtures;
use ilert_mock::token::{AccessClaims, Keys};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

/// The guide's app in the default fixtures (development credentials, public test values).
const CLIENT_ID: &str = "0501439fd7dee9af0c25";
const CLIENT_SECRET: &str = "3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad";
const REDIRECT_URI: &str = "http://localhost:4597/authorize-result";
const USER: &str = "someUser";
const SCOPE: &str = "profile";

/// Puts the ilert mock beside the physical limit: raw RSA rates, openssl, cold start, RSS, and
/// loopback HTTP load for both grants, `/api/users/current` and `token_info`.
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
    /// Write every figure as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

// ---------------------------------------------------------------------------------------------
// Report types (serialised to JSON as they are).

#[derive(Debug, Serialize)]
struct Report {
    machine: Machine,
    settings: Settings,
    crypto: Crypto,
    openssl: OpenSsl,
    cold_start_ms: ColdStart,
    rss_kib: Rss,
    scenarios: Vec<Scenario>,
    grants: GrantRun,
    targets: Vec<TargetCheck>,
}

#[derive(Debug, Serialize)]
struct Machine {
    nproc: usize,
    cpu_model: String,
    kernel: String,
    bench_profile: &'static str,
}

#[derive(Debug, Serialize)]
struct Settings {
    connections: usize,
    duration_secs: f64,
    grants: u64,
    server: String,
    server_log: bool,
}

#[derive(Debug, Serialize)]
struct Crypto {
    /// aws-lc-rs, RSA-2048 PKCS#1 v1.5 SHA-256 with the key parsed once, one thread.
    rsa_sign_per_core: f64,
    /// The same on every core (one thread each).
    rsa_sign_all_cores: f64,
    /// aws-lc-rs verification with a pre-parsed public key, one thread.
    rsa_verify_per_core: f64,
    /// The same on every core.
    rsa_verify_all_cores: f64,
    /// `Keys::mint_access` (claims to token), one thread.
    mock_mint_access_per_core: f64,
    /// `Keys::verify_access` (token to checked claims), one thread.
    mock_verify_access_per_core: f64,
    /// `jsonwebtoken::encode` RS256, which parses the key on every call, one thread.
    jsonwebtoken_encode_per_core: f64,
}

#[derive(Debug, Serialize)]
struct OpenSsl {
    command: String,
    /// Signs/s on all cores, `None` when openssl is missing or its output was not understood.
    sign_per_sec: Option<f64>,
    verify_per_sec: Option<f64>,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct ColdStart {
    samples: Vec<f64>,
    min: f64,
    median: f64,
    max: f64,
}

#[derive(Debug, Serialize)]
struct Rss {
    /// A fresh server, half a second after its first 200 on /_mock/health.
    idle: u64,
    /// The load server after all scenarios.
    after_scenarios: u64,
    /// The grants server after `--grants` grants.
    after_grants: u64,
    /// After `--purge-check`, when asked for.
    after_purge: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
struct Scenario {
    name: &'static str,
    /// HTTP requests per unit (2 for the authorization-code grant: authorize + token).
    requests_per_unit: u32,
    units: u64,
    requests: u64,
    errors: u64,
    first_error: Option<String>,
    elapsed_secs: f64,
    requests_per_sec: f64,
    units_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// CPU seconds the server used per wall second.
    server_cores: f64,
    /// CPU seconds the load generator used per wall second.
    loadgen_cores: f64,
    /// CPU seconds everything else on the machine used per wall second (other processes).
    other_cores: f64,
    /// Grants/s ÷ (raw sign rate per core × server cores), for the grant scenarios.
    of_raw_sign_x_server_cores: Option<f64>,
    /// Grants/s ÷ `openssl speed -multi N` signs/s, for the grant scenarios.
    of_openssl_multi: Option<f64>,
}

#[derive(Debug, Serialize)]
struct GrantRun {
    issued: u64,
    errors: u64,
    first_error: Option<String>,
    elapsed_secs: f64,
    grants_per_sec: f64,
    rss_idle_kib: u64,
    rss_after_kib: u64,
    /// Grants the server still holds for the app and user (live and revoked).
    grants_held: Option<u64>,
    /// Of those, revoked (the ten-per-app-and-user limit revokes the oldest).
    grants_revoked: Option<u64>,
    grants_held_after_purge: Option<u64>,
    /// The run in ten batches: grants issued so far, that batch's rate, RSS after it.
    batches: Vec<GrantBatch>,
}

#[derive(Debug, Serialize)]
struct GrantBatch {
    issued: u64,
    grants_per_sec: f64,
    server_cores: f64,
    rss_kib: u64,
}

#[derive(Debug, Serialize)]
struct TargetCheck {
    target: String,
    measured: String,
    met: bool,
}

// ---------------------------------------------------------------------------------------------
// Machine facts and /proc readings.

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn kernel() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// `VmRSS` of a process, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Clock ticks per second of `/proc/*/stat` times.
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

/// Busy CPU seconds of the whole machine (all cores), from the first line of `/proc/stat`.
fn machine_busy_secs(ticks: f64) -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<f64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    let total: f64 = fields.iter().sum();
    Some((total - fields.get(3)? - fields.get(4)?) / ticks)
}

/// User + system CPU seconds of a process (all its threads).
fn cpu_secs(pid: &str, ticks: f64) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; fields after it are space separated.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / ticks)
}

// ---------------------------------------------------------------------------------------------
// Raw crypto.

/// Runs `op` on `threads` threads for `secs` seconds; operations per second in total.
fn rate(threads: usize, secs: f64, op: impl Fn() + Sync) -> f64 {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        for _ in 0..8 {
                            op();
                        }
                        n += 8;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

fn crypto(cores: usize, secs: f64) -> Result<Crypto, String> {
    let fixtures = Fixtures::embedded().map_err(|e| e.to_string())?;
    let k = &fixtures.keys;
    let keys =
        Keys::new(&k.access_private_key_pem, &k.refresh_secret, &k.key_id).map_err(|e| e.to_string())?;
    let pem = EncodingKey::from_rsa_pem(k.access_private_key_pem.as_bytes()).map_err(|e| e.to_string())?;
    let pair = RsaKeyPair::from_der(pem.as_bytes()).map_err(|e| e.to_string())?;
    let jwk = keys.public_jwk();
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s)
    };
    let n = b64(&jwk.n).map_err(|e| e.to_string())?;
    let e = b64(&jwk.e).map_err(|e| e.to_string())?;
    let public = RsaPublicKeyComponents { n: &n, e: &e }
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .map_err(|e| e.to_string())?;
    let claims = AccessClaims::new("5cf", 250, "profile source:w", USER, 1_800_000_000);
    let token = keys.mint_access(&claims).map_err(|e| e.to_string())?;
    let (message, _) = token.rsplit_once('.').ok_or("token without signature")?;
    let rng = SystemRandom::new();
    let mut signature = vec![0u8; pair.public_modulus_len()];
    pair.sign(&RSA_PKCS1_SHA256, &rng, message.as_bytes(), &mut signature)
        .map_err(|e| e.to_string())?;

    let sign = || {
        let mut out = [0u8; 256];
        let ok = pair
            .sign(&RSA_PKCS1_SHA256, &rng, message.as_bytes(), &mut out)
            .is_ok();
        std::hint::black_box(ok);
    };
    let verify = || {
        std::hint::black_box(public.verify_sig(message.as_bytes(), &signature).is_ok());
    };
    let header = Header::new(Algorithm::RS256);
    Ok(Crypto {
        rsa_sign_per_core: rate(1, secs, sign),
        rsa_sign_all_cores: rate(cores, secs, sign),
        rsa_verify_per_core: rate(1, secs, verify),
        rsa_verify_all_cores: rate(cores, secs, verify),
        mock_mint_access_per_core: rate(1, secs, || {
            std::hint::black_box(keys.mint_access(&claims).is_ok());
        }),
        mock_verify_access_per_core: rate(1, secs, || {
            std::hint::black_box(keys.verify_access(&token, 1_800_000_000).is_ok());
        }),
        jsonwebtoken_encode_per_core: rate(1, secs / 2.0, || {
            std::hint::black_box(jsonwebtoken::encode(&header, &claims, &pem).is_ok());
        }),
    })
}

/// `openssl speed -seconds S -multi N rsa2048`, parsed from its summary line
/// `rsa 2048 bits 0.000216s 0.000013s   4628.0  78291.0`.
fn openssl(cores: usize, secs: u32) -> OpenSsl {
    let command = format!("openssl speed -seconds {secs} -multi {cores} rsa2048");
    let mut result = OpenSsl {
        command: command.clone(),
        sign_per_sec: None,
        verify_per_sec: None,
        note: None,
    };
    if secs == 0 {
        result.note = Some("skipped (--openssl-seconds 0)".to_owned());
        return result;
    }
    let output = Command::new("openssl")
        .args([
            "speed",
            "-seconds",
            &secs.to_string(),
            "-multi",
            &cores.to_string(),
            "rsa2048",
        ])
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(o) => o,
        Err(err) => {
            result.note = Some(format!("openssl could not be run ({err}): is it installed?"));
            return result;
        }
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().rev().find(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words.len() >= 6 && words[0] == "rsa" && words[1] == "2048" && words[2] == "bits"
    });
    match line {
        Some(line) => {
            let words: Vec<&str> = line.split_whitespace().collect();
            result.sign_per_sec = words.get(5).and_then(|w| w.parse().ok());
            result.verify_per_sec = words.get(6).and_then(|w| w.parse().ok());
            if result.sign_per_sec.is_none() {
                result.note = Some(format!("unexpected openssl line: {line}"));
            }
        }
        None => {
            result.note = Some(format!(
                "no 'rsa 2048 bits' line in openssl's output (exit {})",
                output.status
            ));
        }
    }
    result
}

// ---------------------------------------------------------------------------------------------
// The server process.

/// A running `ilert-mock` child; killed on drop.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    /// Spawn to the listening line on stdout.
    spawned: Instant,
}

impl ServerProcess {
    fn start(binary: &Path, log: bool) -> Result<Self, String> {
        let spawned = Instant::now();
        let mut child = Command::new(binary)
            .args(["--bind", "127.0.0.1:0", "--auto-approve", USER])
            .env("RUST_LOG", if log { "info" } else { "warn" })
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader
            .read_line(&mut first)
            .map_err(|e| format!("reading the server's first line: {e}"))?;
        // "ilert mock listening on http://localhost:PORT  (…)"
        let port: u16 = first
            .split_once("http://localhost:")
            .and_then(|(_, rest)| {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .ok_or_else(|| {
                let _ = child.kill();
                format!("unexpected first line from the server: {first:?}")
            })?;
        // Keep draining stdout so a later print never blocks or fails.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        Ok(Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            spawned,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn rss(&self) -> u64 {
        rss_kib(self.pid()).unwrap_or(0)
    }

    /// Blocking `GET /_mock/health` until 200; the time from spawn.
    fn wait_healthy(&self) -> Result<Duration, String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut s) = std::net::TcpStream::connect(self.addr) {
                let _ = s.set_nodelay(true);
                let req = format!(
                    "GET /_mock/health HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                    self.addr
                );
                let mut answer = Vec::new();
                if s.write_all(req.as_bytes()).is_ok()
                    && s.read_to_end(&mut answer).is_ok()
                    && answer.starts_with(b"HTTP/1.1 200")
                {
                    return Ok(self.spawned.elapsed());
                }
            }
            if Instant::now() > deadline {
                return Err("the server did not answer /_mock/health within 10 s".to_owned());
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds the release server (cargo does not build sibling binaries for `cargo run --bin`) and
/// returns its path.
fn server_binary(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = explicit {
        return Ok(path.to_owned());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = exe.parent().ok_or("the bench has no directory")?;
    // target/release/ilert-mock-bench → target/release; target/debug/… → target/release.
    let release = if dir.file_name().is_some_and(|n| n == "release") {
        dir.to_owned()
    } else {
        dir.parent().ok_or("no target directory")?.join("release")
    };
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building: cargo build --release -p ilert-mock --bin ilert-mock");
    let built = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "ilert-mock",
            "--bin",
            "ilert-mock",
            "--manifest-path",
        ])
        .arg(&manifest)
        .stdout(Stdio::null())
        .status();
    let binary = release.join("ilert-mock");
    match built {
        Ok(status) if status.success() => Ok(binary),
        _ if binary.exists() => {
            eprintln!(
                "warning: the build failed; using the existing {}",
                binary.display()
            );
            Ok(binary)
        }
        _ => Err(format!(
            "no server binary at {}: build it with `cargo build --release -p ilert-mock` or pass --server",
            binary.display()
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// The load generator: one tokio task per keep-alive HTTP/1.1 connection, requests written from
// prepared bytes, answers parsed with httparse (Content-Length bodies, which is all axum sends
// for these endpoints).

/// One keep-alive connection.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Bytes of `buf` already consumed by the previous answer.
    consumed: usize,
}

/// An answer: status, `Location` when asked for, and the body's range in the connection buffer.
struct Answer {
    status: u16,
    location: Option<String>,
    body: std::ops::Range<usize>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(16 * 1024),
            consumed: 0,
        })
    }

    async fn call(&mut self, request: &[u8], want_location: bool) -> std::io::Result<Answer> {
        use std::io::{Error, ErrorKind};
        self.buf.drain(..self.consumed);
        self.consumed = 0;
        self.stream.write_all(request).await?;
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(head) = response
                .parse(&self.buf)
                .map_err(|e| Error::new(ErrorKind::InvalidData, e))?
            {
                let mut length = None;
                let mut location = None;
                for h in response.headers.iter() {
                    if h.name.eq_ignore_ascii_case("content-length") {
                        length = std::str::from_utf8(h.value)
                            .ok()
                            .and_then(|v| v.trim().parse::<usize>().ok());
                    } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                        return Err(Error::new(
                            ErrorKind::InvalidData,
                            "chunked answers are not supported",
                        ));
                    } else if want_location && h.name.eq_ignore_ascii_case("location") {
                        location = Some(String::from_utf8_lossy(h.value).into_owned());
                    }
                }
                let status = response.code.unwrap_or(0);
                let end = head + length.unwrap_or(0);
                if self.buf.len() >= end {
                    self.consumed = end;
                    return Ok(Answer {
                        status,
                        location,
                        body: head..end,
                    });
                }
                self.buf.reserve(end - self.buf.len());
            }
            if self.buf.capacity() - self.buf.len() < 4096 {
                self.buf.reserve(16 * 1024);
            }
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                return Err(Error::new(
                    ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ));
            }
        }
    }
}

fn get(host: &str, path_and_query: &str, extra: &str) -> Vec<u8> {
    format!("GET {path_and_query} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n").into_bytes()
}

fn post_form(host: &str, path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn authorize_path() -> String {
    format!(
        "/api/developers/oauth2/authorize?{}",
        form(&[
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", SCOPE),
            ("state", "bench"),
        ])
    )
}

fn code_exchange(host: &str, code: &str) -> Vec<u8> {
    post_form(
        host,
        "/api/developers/oauth2/token",
        &form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("code", code),
            ("grant_type", "authorization_code"),
        ]),
    )
}

fn code_of(location: &str) -> Option<&str> {
    let query = location.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix("code="))
}

/// What each scenario sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    UsersCurrent,
    TokenInfo,
    Refresh,
    AuthorizationCode,
}

impl Work {
    fn name(self) -> &'static str {
        match self {
            Self::UsersCurrent => "GET /api/users/current",
            Self::TokenInfo => "POST token_info",
            Self::Refresh => "refresh grant",
            Self::AuthorizationCode => "authorization-code grant",
        }
    }

    fn requests_per_unit(self) -> u32 {
        if self == Self::AuthorizationCode { 2 } else { 1 }
    }

    fn is_grant(self) -> bool {
        matches!(self, Self::Refresh | Self::AuthorizationCode)
    }
}

/// Prepared requests for a server.
struct Plan {
    addr: SocketAddr,
    host: String,
    users_current: Vec<u8>,
    token_info: Vec<u8>,
    refresh: Vec<u8>,
    authorize: Vec<u8>,
}

/// When workers stop.
#[derive(Clone)]
enum Until {
    /// When the flag is raised.
    Flag(Arc<AtomicBool>),
    /// When this many units have been claimed.
    Count(Arc<AtomicU64>),
}

impl Until {
    fn next(&self) -> bool {
        match self {
            Self::Flag(stop) => !stop.load(Ordering::Relaxed),
            Self::Count(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
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
async fn unit(conn: &mut Conn, plan: &Plan, work: Work, requests: &mut u64) -> Result<(), String> {
    let expect = |answer: &Answer, status: u16, conn: &Conn| {
        if answer.status == status {
            Ok(())
        } else {
            Err(format!(
                "{} answered {}: {}",
                work.name(),
                answer.status,
                String::from_utf8_lossy(&conn.buf[answer.body.clone()])
            ))
        }
    };
    match work {
        Work::UsersCurrent | Work::TokenInfo | Work::Refresh => {
            let request = match work {
                Work::UsersCurrent => &plan.users_current,
                Work::TokenInfo => &plan.token_info,
                _ => &plan.refresh,
            };
            *requests += 1;
            let answer = conn.call(request, false).await.map_err(|e| e.to_string())?;
            expect(&answer, 200, conn)
        }
        Work::AuthorizationCode => {
            *requests += 1;
            let answer = conn
                .call(&plan.authorize, true)
                .await
                .map_err(|e| e.to_string())?;
            expect(&answer, 302, conn)?;
            let location = answer.location.unwrap_or_default();
            let code = code_of(&location).ok_or_else(|| format!("no code in {location}"))?;
            let exchange = code_exchange(&plan.host, code);
            *requests += 1;
            let answer = conn.call(&exchange, false).await.map_err(|e| e.to_string())?;
            expect(&answer, 200, conn)
        }
    }
}

async fn worker(plan: Arc<Plan>, work: Work, until: Until, barrier: Arc<Barrier>) -> WorkerStats {
    let mut stats = WorkerStats::default();
    let mut conn = Conn::open(plan.addr).await;
    barrier.wait().await;
    while until.next() {
        let c = match &mut conn {
            Ok(c) => c,
            Err(e) => {
                stats.error(format!("connect: {e}"));
                conn = Conn::open(plan.addr).await;
                continue;
            }
        };
        let started = Instant::now();
        match unit(c, &plan, work, &mut stats.requests).await {
            Ok(()) => {
                stats.units += 1;
                stats
                    .latencies_us
                    .push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
            }
            Err(e) => {
                stats.error(e);
                // Start over on a fresh connection: the old one may be out of step.
                conn = Conn::open(plan.addr).await;
            }
        }
    }
    stats
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

struct RunContext<'a> {
    plan: Arc<Plan>,
    connections: usize,
    server_pid: u32,
    ticks: f64,
    crypto: &'a Crypto,
    openssl_sign: Option<f64>,
}

async fn run(ctx: &RunContext<'_>, work: Work, until: Until, duration: Option<Duration>) -> Scenario {
    let barrier = Arc::new(Barrier::new(ctx.connections + 1));
    let handles: Vec<_> = (0..ctx.connections)
        .map(|_| tokio::spawn(worker(ctx.plan.clone(), work, until.clone(), barrier.clone())))
        .collect();
    barrier.wait().await;
    let pid = ctx.server_pid.to_string();
    let server_cpu0 = cpu_secs(&pid, ctx.ticks).unwrap_or(0.0);
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
    let server_cores = (cpu_secs(&pid, ctx.ticks).unwrap_or(0.0) - server_cpu0) / elapsed;
    let loadgen_cores = (cpu_secs("self", ctx.ticks).unwrap_or(0.0) - own_cpu0) / elapsed;
    let machine_cores = (machine_busy_secs(ctx.ticks).unwrap_or(0.0) - machine0) / elapsed;
    all.latencies_us.sort_unstable();
    let units_per_sec = all.units as f64 / elapsed;
    Scenario {
        name: work.name(),
        requests_per_unit: work.requests_per_unit(),
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
        other_cores: (machine_cores - server_cores - loadgen_cores).max(0.0),
        of_raw_sign_x_server_cores: (work.is_grant() && server_cores > 0.0)
            .then(|| units_per_sec / (ctx.crypto.rsa_sign_per_core * server_cores)),
        of_openssl_multi: ctx
            .openssl_sign
            .filter(|_| work.is_grant())
            .map(|s| units_per_sec / s),
    }
}

/// One-off request on a fresh connection, for setup.
async fn once(
    addr: SocketAddr,
    request: &[u8],
    want_location: bool,
) -> Result<(u16, Option<String>, Vec<u8>), String> {
    let mut conn = Conn::open(addr).await.map_err(|e| e.to_string())?;
    let answer = conn
        .call(request, want_location)
        .await
        .map_err(|e| e.to_string())?;
    Ok((answer.status, answer.location, conn.buf[answer.body].to_vec()))
}

/// Authorize + token once; the access and refresh tokens.
async fn tokens(addr: SocketAddr, host: &str) -> Result<(String, String), String> {
    let (status, location, _) = once(addr, &get(host, &authorize_path(), ""), true).await?;
    let location = location
        .filter(|_| status == 302)
        .ok_or(format!("authorize answered {status}"))?;
    let code = code_of(&location).ok_or_else(|| format!("no code in {location}"))?;
    let (status, _, body) = once(addr, &code_exchange(host, code), false).await?;
    let json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("token answered {status}: {json}"));
    }
    let field = |name: &str| {
        json.get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or(format!("no {name} in the token answer"))
    };
    Ok((field("access_token")?, field("refresh_token")?))
}

async fn prepare(addr: SocketAddr) -> Result<Plan, String> {
    let host = addr.to_string();
    let (access, refresh) = tokens(addr, &host).await?;
    Ok(Plan {
        addr,
        users_current: get(
            &host,
            "/api/users/current",
            &format!("Authorization: Bearer {access}\r\n"),
        ),
        token_info: post_form(
            &host,
            "/api/developers/oauth2/token_info",
            &form(&[("token", &access)]),
        ),
        refresh: post_form(
            &host,
            "/api/developers/oauth2/token",
            &form(&[
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("refresh_token", &refresh),
                ("grant_type", "refresh_token"),
            ]),
        ),
        authorize: get(&host, &authorize_path(), ""),
        host,
    })
}

/// Grants the server holds for the guide's app and `someUser`: (all, revoked).
async fn grants_held(addr: SocketAddr) -> Option<(u64, u64)> {
    let host = addr.to_string();
    let path = format!("/_mock/grants?{}", form(&[("app", CLIENT_ID), ("user", USER)]));
    let (status, _, body) = once(addr, &get(&host, &path, ""), false).await.ok()?;
    if status != 200 {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&body).ok()?;
    let list = json
        .as_array()
        .or_else(|| json.get("grants").and_then(|g| g.as_array()))?;
    let revoked = list
        .iter()
        .filter(|g| g.get("revoked").is_some_and(|r| !r.is_null()))
        .count();
    Some((list.len() as u64, revoked as u64))
}

// ---------------------------------------------------------------------------------------------
// Output.

fn targets(report: &Report) -> Vec<TargetCheck> {
    let mut checks = Vec::new();
    let scenario = |name: &str| report.scenarios.iter().find(|s| s.name == name);
    match (scenario(Work::Refresh.name()), report.openssl.sign_per_sec) {
        (Some(s), Some(openssl)) => checks.push(TargetCheck {
            target: format!(
                "refresh grant ≥ 60 % of openssl -multi {} signs/s",
                report.machine.nproc
            ),
            measured: format!(
                "{:.0}/s = {:.0} % of {:.0}/s",
                s.units_per_sec,
                100.0 * s.units_per_sec / openssl,
                openssl
            ),
            met: s.units_per_sec >= 0.6 * openssl && s.errors == 0,
        }),
        (Some(s), None) => checks.push(TargetCheck {
            target: "refresh grant ≥ 60 % of openssl signs/s".to_owned(),
            measured: format!("{:.0}/s; openssl figure missing", s.units_per_sec),
            met: false,
        }),
        _ => {}
    }
    if let Some(s) = scenario(Work::UsersCurrent.name()) {
        checks.push(TargetCheck {
            target: "/api/users/current ≥ 30,000 requests/s".to_owned(),
            measured: format!("{:.0}/s", s.requests_per_sec),
            met: s.requests_per_sec >= 30_000.0 && s.errors == 0,
        });
    }
    checks.push(TargetCheck {
        target: "cold start ≤ 20 ms".to_owned(),
        measured: format!("median {:.1} ms", report.cold_start_ms.median),
        met: report.cold_start_ms.median <= 20.0,
    });
    if let Some(half) = rss_at_half(&report.grants) {
        // Bounded: once the remembered revocations and redemptions reach their caps, issuing
        // more grants costs no more memory; the second half may add a little (allocator slack).
        let after = report.grants.rss_after_kib;
        let growth = after.saturating_sub(half);
        let allowed = (half / 10).max(4 * 1024);
        checks.push(TargetCheck {
            target: format!("RSS after {} grants bounded", report.grants.issued),
            measured: format!(
                "{:.1} MB at half, {:.1} MB at the end (+{:.1} MB, allowed +{:.1} MB)",
                half as f64 / 1024.0,
                after as f64 / 1024.0,
                growth as f64 / 1024.0,
                allowed as f64 / 1024.0
            ),
            met: after > 0 && growth <= allowed,
        });
    }
    checks.push(TargetCheck {
        target: "idle RSS ≤ 15 MB".to_owned(),
        measured: format!("{:.1} MB", report.rss_kib.idle as f64 / 1024.0),
        met: report.rss_kib.idle > 0 && report.rss_kib.idle as f64 <= 15.0 * 1024.0,
    });
    checks
}

/// The server's RSS after the batch that brought the grants to half the total.
fn rss_at_half(g: &GrantRun) -> Option<u64> {
    let half = g.issued / 2;
    g.batches.iter().find(|b| b.issued >= half).map(|b| b.rss_kib)
}

fn table(report: &Report) -> String {
    let mut out = String::new();
    let m = &report.machine;
    let _ = writeln!(
        out,
        "\nmachine: {} cores, {}, Linux {} (bench built {})",
        m.nproc, m.cpu_model, m.kernel, m.bench_profile
    );
    let _ = writeln!(
        out,
        "load: {} keep-alive connections, {:.1} s per scenario, server RUST_LOG={}",
        report.settings.connections,
        report.settings.duration_secs,
        if report.settings.server_log {
            "info"
        } else {
            "warn"
        }
    );
    let c = &report.crypto;
    let _ = writeln!(
        out,
        "\nraw crypto (aws-lc-rs, RSA-2048)            1 core      all cores"
    );
    let _ = writeln!(
        out,
        "  RS256 sign, key parsed once          {:>10.0}/s {:>10.0}/s",
        c.rsa_sign_per_core, c.rsa_sign_all_cores
    );
    let _ = writeln!(
        out,
        "  RS256 verify, key parsed once        {:>10.0}/s {:>10.0}/s",
        c.rsa_verify_per_core, c.rsa_verify_all_cores
    );
    let _ = writeln!(
        out,
        "  mock Keys::mint_access               {:>10.0}/s",
        c.mock_mint_access_per_core
    );
    let _ = writeln!(
        out,
        "  mock Keys::verify_access             {:>10.0}/s",
        c.mock_verify_access_per_core
    );
    let _ = writeln!(
        out,
        "  jsonwebtoken::encode (re-parses key) {:>10.0}/s",
        c.jsonwebtoken_encode_per_core
    );
    match (report.openssl.sign_per_sec, report.openssl.verify_per_sec) {
        (Some(s), v) => {
            let _ = writeln!(
                out,
                "  {:<36} {:>10.0}/s sign, {:.0}/s verify",
                report.openssl.command,
                s,
                v.unwrap_or(0.0)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "  {}: {}",
                report.openssl.command,
                report.openssl.note.as_deref().unwrap_or("no figure")
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{:<26} {:>9} {:>9} {:>8} {:>8} {:>7} {:>7} {:>7} {:>9} {:>9} {:>6}",
        "scenario",
        "req/s",
        "grants/s",
        "p50 ms",
        "p99 ms",
        "srv cpu",
        "gen cpu",
        "others",
        "of sign×c",
        "of openssl",
        "errors"
    );
    for s in &report.scenarios {
        let pct = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{:.0} %", 100.0 * v));
        let grants = if s.name.contains("grant") {
            format!("{:.0}", s.units_per_sec)
        } else {
            "-".to_owned()
        };
        let _ = writeln!(
            out,
            "{:<26} {:>9.0} {:>9} {:>8.2} {:>8.2} {:>7.2} {:>7.2} {:>7.2} {:>9} {:>9} {:>6}",
            s.name,
            s.requests_per_sec,
            grants,
            s.p50_ms,
            s.p99_ms,
            s.server_cores,
            s.loadgen_cores,
            s.other_cores,
            pct(s.of_raw_sign_x_server_cores),
            pct(s.of_openssl_multi),
            s.errors
        );
        if let Some(e) = &s.first_error {
            let _ = writeln!(out, "    first error: {e}");
        }
    }
    let cs = &report.cold_start_ms;
    let _ = writeln!(
        out,
        "\ncold start (spawn → first 200 on /_mock/health), {} runs: min {:.1} ms, median {:.1} ms, max {:.1} ms",
        cs.samples.len(),
        cs.min,
        cs.median,
        cs.max
    );
    let g = &report.grants;
    let _ = writeln!(
        out,
        "{} grants (authorize + token, one user): {:.1} s, {:.0} grants/s, {} errors",
        g.issued, g.elapsed_secs, g.grants_per_sec, g.errors
    );
    if let Some(e) = &g.first_error {
        let _ = writeln!(out, "    first error: {e}");
    }
    let curve: Vec<String> = g
        .batches
        .iter()
        .map(|b| {
            format!(
                "{} {:.0}/s {:.0} MB",
                b.issued,
                b.grants_per_sec,
                b.rss_kib as f64 / 1024.0
            )
        })
        .collect();
    let _ = writeln!(out, "  by batch (issued, rate, RSS): {}", curve.join(" | "));
    if let (Some(held), Some(revoked)) = (g.grants_held, g.grants_revoked) {
        let _ = writeln!(
            out,
            "  grants held by the server afterwards: {held} ({revoked} revoked by the ten-per-user limit)"
        );
    }
    let r = &report.rss_kib;
    let mb = |k: u64| k as f64 / 1024.0;
    let _ = writeln!(
        out,
        "RSS: idle {:.1} MB, after the scenarios {:.1} MB, after {} grants {:.1} MB (half-way {:.1} MB)",
        mb(r.idle),
        mb(r.after_scenarios),
        g.issued,
        mb(r.after_grants),
        mb(rss_at_half(g).unwrap_or(0))
    );
    if let Some(p) = r.after_purge {
        let _ = writeln!(
            out,
            "  after moving the clock past every lifetime and the purge: {:.1} MB, {} grants held",
            mb(p),
            g.grants_held_after_purge
                .map_or_else(|| "?".to_owned(), |n| n.to_string())
        );
    }
    let _ = writeln!(out, "\ntargets:");
    for t in &report.targets {
        let _ = writeln!(
            out,
            "  [{}] {}: {}",
            if t.met { "met" } else { "NOT met" },
            t.target,
            t.measured
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------

fn cold_starts(binary: &Path, runs: usize, log: bool) -> Result<(ColdStart, u64), String> {
    let mut samples = Vec::with_capacity(runs);
    let mut idle = 0;
    for i in 0..runs.max(1) {
        let server = ServerProcess::start(binary, log)?;
        samples.push(server.wait_healthy()?.as_secs_f64() * 1000.0);
        if i == 0 {
            std::thread::sleep(Duration::from_millis(500));
            idle = server.rss();
        }
    }
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    Ok((
        ColdStart {
            min: sorted.first().copied().unwrap_or(0.0),
            median: sorted.get(sorted.len() / 2).copied().unwrap_or(0.0),
            max: sorted.last().copied().unwrap_or(0.0),
            samples,
        },
        idle,
    ))
}

async fn bench(cli: Cli) -> Result<Report, String> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
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
        move || crypto(cores, secs)
    })
    .await
    .map_err(|e| e.to_string())??;
    eprintln!("openssl speed …");
    let openssl = tokio::task::spawn_blocking({
        let secs = cli.openssl_seconds;
        move || openssl(cores, secs)
    })
    .await
    .map_err(|e| e.to_string())?;

    eprintln!("cold starts …");
    let (cold, idle) = tokio::task::spawn_blocking({
        let binary = binary.clone();
        let (runs, log) = (cli.cold_starts, cli.server_log);
        move || cold_starts(&binary, runs, log)
    })
    .await
    .map_err(|e| e.to_string())??;

    // Load scenarios, one server.
    let server = ServerProcess::start(&binary, cli.server_log)?;
    server.wait_healthy()?;
    let plan = Arc::new(prepare(server.addr).await?);
    let ctx = RunContext {
        plan,
        connections: cli.connections.max(1),
        server_pid: server.pid(),
        ticks,
        crypto: &crypto,
        openssl_sign: openssl.sign_per_sec,
    };
    let duration = Duration::from_secs_f64(cli.duration.max(0.1));
    let mut scenarios = Vec::new();
    for work in [
        Work::UsersCurrent,
        Work::TokenInfo,
        Work::Refresh,
        Work::AuthorizationCode,
    ] {
        eprintln!("{} …", work.name());
        let stop = Arc::new(AtomicBool::new(false));
        scenarios.push(run(&ctx, work, Until::Flag(stop), Some(duration)).await);
    }
    let after_scenarios = server.rss();
    drop(server);

    // Grants, on a fresh server.
    eprintln!("{} grants …", cli.grants);
    let server = ServerProcess::start(&binary, cli.server_log)?;
    server.wait_healthy()?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let grants_idle = server.rss();
    let plan = Arc::new(prepare(server.addr).await?);
    let ctx = RunContext {
        plan,
        server_pid: server.pid(),
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
        let r = run(
            &ctx,
            Work::AuthorizationCode,
            Until::Count(Arc::new(AtomicU64::new(count))),
            None,
        )
        .await;
        issued += r.units;
        units += r.units;
        errors += r.errors;
        elapsed += r.elapsed_secs;
        first_error = first_error.or(r.first_error);
        batches.push(GrantBatch {
            issued,
            grants_per_sec: r.units_per_sec,
            server_cores: r.server_cores,
            rss_kib: server.rss(),
        });
    }
    let after_grants = server.rss();
    let held = grants_held(server.addr).await;
    let (mut after_purge, mut held_after_purge) = (None, None);
    if cli.purge_check {
        eprintln!("purge check: moving the clock 366 days on, waiting for the purge …");
        let host = server.addr.to_string();
        let body = r#"{"advance_secs": 31626000}"#;
        let request = format!(
            "POST /_mock/clock HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        once(server.addr, request.as_bytes(), false).await?;
        let deadline = Instant::now() + Duration::from_secs(65);
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let held = grants_held(server.addr).await;
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
        },
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
    report.targets = targets(&report);
    Ok(report)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
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
