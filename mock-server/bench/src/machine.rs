//! What the machine is and what its processes use, read from `/proc`.
//!
//! The bench shares its cores with the server it measures and with whatever else runs on the
//! machine, so every load figure comes with three CPU readings: the server's, the load
//! generator's (this process) and everything else's (the machine's busy time minus those two).
//! A figure taken while the third is not near 0 is not comparable with another run's.
//!
//! A peer the user started is found by its listening port: `/proc/net/tcp{,6}` names the
//! listening socket's inode, and the process holding that inode among its file descriptors is
//! the peer.

use std::process::Command;

use serde::Serialize;

/// The machine a report was taken on.
#[derive(Debug, Serialize)]
pub struct Machine {
    /// Cores available to the bench.
    pub nproc: usize,
    /// The first `model name` of `/proc/cpuinfo`.
    pub cpu_model: String,
    /// The kernel release.
    pub kernel: String,
    /// How the bench itself was built (a debug load generator is the bottleneck).
    pub bench_profile: &'static str,
}

/// The first `model name` of `/proc/cpuinfo`.
pub fn cpu_model() -> String {
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

/// The kernel release.
pub fn kernel() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// `VmRSS` of a process, in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Clock ticks per second of `/proc/*/stat` times.
pub fn clock_ticks() -> f64 {
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
pub fn machine_busy_secs(ticks: f64) -> Option<f64> {
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

/// User + system CPU seconds of a process (all its threads); `pid` may be `self`.
pub fn cpu_secs(pid: &str, ticks: f64) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; fields after it are space separated.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / ticks)
}

/// The process listening on TCP `port` (any address), found through `/proc/net/tcp{,6}` and the
/// processes' file descriptors; `None` when it is not visible to this user.
pub fn listening_pid(port: u16) -> Option<u32> {
    let inodes: Vec<u64> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|table| listening_inodes(&table, port))
        .collect();
    if inodes.is_empty() {
        return None;
    }
    let wanted: Vec<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let holds = std::fs::read_dir(entry.path().join("fd"))
            .ok()?
            .flatten()
            .filter_map(|fd| std::fs::read_link(fd.path()).ok())
            .any(|target| wanted.iter().any(|w| target.as_os_str() == w.as_str()));
        holds.then_some(pid)
    })
}

/// The inodes of the sockets listening (state `0A`) on `port` in a `/proc/net/tcp` table, whose
/// rows read `sl local_address rem_address st tx_queue:rx_queue tr:when retrnsmt uid timeout
/// inode …`, addresses as hexadecimal `ADDRESS:PORT`.
fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
    table
        .lines()
        .skip(1)
        .filter_map(|row| {
            let fields: Vec<&str> = row.split_whitespace().collect();
            let (_, local_port) = fields.get(1)?.rsplit_once(':')?;
            let listening = *fields.get(3)? == "0A";
            (listening && u16::from_str_radix(local_port, 16).ok()? == port)
                .then(|| fields.get(9)?.parse().ok())?
        })
        .collect()
}

/// Pins every thread of this process to `core` (the load generator).
pub fn pin_self(core: usize) {
    pin_process(std::process::id(), core);
}

/// Pins every thread of process `pid` to `core` (`taskset -a -p`).
pub fn pin_process(pid: u32, core: usize) {
    let _ = Command::new("taskset")
        .args(["-a", "-p", "-c", &core.to_string(), &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:46A0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 219357 1 000000002e146dfb 100 0 0 10 0
   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 219688 1 00000000576efc9f 100 0 0 10 0
   2: 0100007F:1F90 0100007F:D5A2 01 00000000:00000000 00:00000000 00000000     0        0 220001 1 0000000000000000 20 4 30 10 -1
";

    #[test]
    fn the_listening_socket_of_a_port_is_found_not_its_connections() {
        // 0x1F90 = 8080: the listening row, not the established connection (state 01).
        assert_eq!(listening_inodes(TCP, 8080), [219_688]);
        assert_eq!(listening_inodes(TCP, 0x46A0), [219_357]);
        assert!(listening_inodes(TCP, 9).is_empty());
        assert!(listening_inodes("", 8080).is_empty());
    }

    #[test]
    fn this_process_is_found_by_its_own_listening_port() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        assert_eq!(listening_pid(port), Some(std::process::id()));
    }
}
