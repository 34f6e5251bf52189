//! The mock under test: built in release, spawned per measurement, timed to its first answer.
//!
//! Each server is a child process on a random loopback port (`--bind 127.0.0.1:0`), approving
//! every authorize request for the fixture user (`--auto-approve`), with request logging off
//! (`RUST_LOG=warn`) unless `--server-log`, so that logging is not what is measured. The port is
//! read from the first line the server prints; the child is killed when dropped.

use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::BenchError;
use crate::machine::rss_kib;
use crate::mock::USER;

/// A running `ilert-mock` child; killed on drop.
pub struct ServerProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Spawn to the listening line on stdout.
    spawned: Instant,
}

impl ServerProcess {
    /// Spawns `binary` and reads its port from its first line.
    pub fn start(binary: &Path, log: bool) -> Result<Self, BenchError> {
        Self::start_with(binary, log, &[], None)
    }

    /// [`ServerProcess::start`] with further arguments (`--state-file F`), pinned to CPU `core`
    /// with `taskset` when given.
    pub fn start_with(
        binary: &Path,
        log: bool,
        args: &[&str],
        core: Option<usize>,
    ) -> Result<Self, BenchError> {
        let spawned = Instant::now();
        let mut command = match core {
            Some(core) => {
                let mut c = Command::new("taskset");
                c.args(["-c", &core.to_string()]).arg(binary);
                c
            }
            None => Command::new(binary),
        };
        let mut child = command
            .args(["--bind", "127.0.0.1:0", "--auto-approve", USER])
            .args(args)
            .env("RUST_LOG", if log { "info" } else { "warn" })
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| BenchError::Spawn {
                binary: binary.display().to_string(),
                source,
            })?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Server("no stdout".to_owned()))?;
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader
            .read_line(&mut first)
            .map_err(|e| BenchError::Server(format!("reading the server's first line: {e}")))?;
        let Some(port) = listening_port(&first) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(BenchError::Server(format!(
                "unexpected first line from the server: {first:?}"
            )));
        };
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

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The child's resident set, in KiB (0 when unreadable).
    pub fn rss(&self) -> u64 {
        rss_kib(self.pid()).unwrap_or(0)
    }

    /// Blocking `GET /_mock/health` until 200; the time from spawn.
    pub fn wait_healthy(&self) -> Result<Duration, BenchError> {
        self.wait_healthy_within(Duration::from_secs(10))
    }

    /// [`ServerProcess::wait_healthy`], waiting up to `limit` (a restart on a large state file).
    pub fn wait_healthy_within(&self, limit: Duration) -> Result<Duration, BenchError> {
        let deadline = Instant::now() + limit;
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
                return Err(BenchError::Server(format!(
                    "the server did not answer /_mock/health within {limit:?}"
                )));
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

/// The port of the server's first line, `ilert mock listening on http://localhost:PORT  (…)` or
/// `ilert-mock listening on http://127.0.0.1:PORT`: the port of the first URL on the line.
fn listening_port(first: &str) -> Option<u16> {
    let (_, rest) = first.split_once("://")?;
    let authority = rest.split(|c: char| c == '/' || c.is_whitespace()).next()?;
    let (_, port) = authority.rsplit_once(':')?;
    port.parse().ok()
}

/// Builds the release server (cargo does not build sibling packages' binaries for `cargo run`)
/// and returns its path, unless `explicit` names one.
pub fn server_binary(explicit: Option<&Path>) -> Result<PathBuf, BenchError> {
    if let Some(path) = explicit {
        return Ok(path.to_owned());
    }
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .ok_or_else(|| BenchError::Server("the bench has no directory".to_owned()))?;
    // target/release/ilert-mock-bench → target/release; target/debug/… → target/release.
    let release = if dir.file_name().is_some_and(|n| n == "release") {
        dir.to_owned()
    } else {
        dir.parent()
            .ok_or_else(|| BenchError::Server("no target directory".to_owned()))?
            .join("release")
    };
    // The bench lives in mock-server/bench/; the server's manifest is mock-server/Cargo.toml.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
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
        _ => Err(BenchError::NoServer(binary.display().to_string())),
    }
}

/// Starts of a server, each from spawn to the first 200 on `/_mock/health`, in milliseconds:
/// cold starts, or restarts on a state file.
#[derive(Debug, Serialize)]
pub struct Starts {
    /// Every run, in order.
    pub samples: Vec<f64>,
    /// The fastest.
    pub min: f64,
    /// The middle one (the upper middle for an even count).
    pub median: f64,
    /// The slowest.
    pub max: f64,
}

impl Starts {
    /// Summarises the samples.
    pub fn of(samples: Vec<f64>) -> Self {
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        Self {
            min: sorted.first().copied().unwrap_or(0.0),
            median: sorted.get(sorted.len() / 2).copied().unwrap_or(0.0),
            max: sorted.last().copied().unwrap_or(0.0),
            samples,
        }
    }
}

/// Times `runs` cold starts; also the first server's RSS half a second after it answered.
pub fn cold_starts(binary: &Path, runs: usize, log: bool) -> Result<(Starts, u64), BenchError> {
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
    Ok((Starts::of(samples), idle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_read_from_the_first_line() {
        assert_eq!(
            listening_port("ilert mock listening on http://localhost:43121  (fixtures: embedded)\n"),
            Some(43121)
        );
        assert_eq!(
            listening_port("ilert-mock listening on http://127.0.0.1:4598\n"),
            Some(4598)
        );
        assert_eq!(listening_port("listening on http://[::1]:4599/"), Some(4599));
        assert_eq!(listening_port("error: address in use"), None);
        assert_eq!(listening_port("http://localhost:99999"), None);
    }

    #[test]
    fn cold_start_summary_keeps_the_samples_in_order() {
        let c = Starts::of(vec![3.5, 2.9, 3.1, 4.0]);
        assert_eq!((c.min, c.median, c.max), (2.9, 3.5, 4.0));
        assert_eq!(c.samples, vec![3.5, 2.9, 3.1, 4.0]);
        let empty = Starts::of(Vec::new());
        assert_eq!((empty.min, empty.median, empty.max), (0.0, 0.0, 0.0));
    }
}
