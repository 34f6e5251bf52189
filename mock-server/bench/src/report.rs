//! The report as a table: every figure of a run ([`Report`]) printed for a person.
//!
//! The JSON document (`--json FILE`) is the serialised [`Report`] as it is, so a figure in the
//! table is always one a script can read. The table is built as a `String` by pure functions of
//! the report, so its layout is tested without running a measurement.

use std::fmt::Write as _;

use crate::crypto::{Crypto, OpenSsl};
use crate::figures::{Report, rss_at_half};
use crate::load::Scenario;

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The whole report as the bench prints it.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    crypto(&mut out, &report.crypto, &report.openssl);
    scenarios(&mut out, &report.scenarios);
    memory(&mut out, report);
    let _ = writeln!(out, "\ntargets:");
    for t in &report.targets {
        let _ = writeln!(out, "  [{}] {}: {}", t.verdict.label(), t.target, t.measured);
    }
    out
}

fn header(out: &mut String, report: &Report) {
    let m = &report.machine;
    let _ = writeln!(
        out,
        "\nmachine: {} cores, {}, Linux {} (bench built {})",
        m.nproc, m.cpu_model, m.kernel, m.bench_profile
    );
    let _ = writeln!(
        out,
        "load: {} keep-alive connections, {:.1} s per scenario, server RUST_LOG={}, {}",
        report.settings.connections,
        report.settings.duration_secs,
        if report.settings.server_log {
            "info"
        } else {
            "warn"
        },
        if report.settings.pinned {
            "server and peer on CPU 0, load on CPU 1"
        } else {
            "unpinned"
        }
    );
    if let Some(p) = &report.peer {
        let known = |v: &Option<String>| v.as_deref().unwrap_or("?").to_owned();
        let rss = |k: Option<u64>| k.map_or_else(|| "?".to_owned(), |k| format!("{:.1} MB", mb(k)));
        let _ = writeln!(
            out,
            "peer: {} {} ({}) at {}, pid {}, RSS {} before its scenarios, {} after",
            p.name,
            known(&p.version),
            known(&p.runtime),
            p.url,
            p.pid.map_or_else(
                || "not found (its CPU counts in others)".to_owned(),
                |p| p.to_string()
            ),
            rss(p.rss_kib_before),
            rss(p.rss_kib_after)
        );
    }
}

fn crypto(out: &mut String, c: &Crypto, openssl: &OpenSsl) {
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
    match (openssl.sign_per_sec, openssl.verify_per_sec) {
        (Some(s), v) => {
            let _ = writeln!(
                out,
                "  {:<36} {:>10.0}/s sign, {:.0}/s verify",
                openssl.command,
                s,
                v.unwrap_or(0.0)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "  {}: {}",
                openssl.command,
                openssl.note.as_deref().unwrap_or("no figure")
            );
        }
    }
}

fn scenarios(out: &mut String, scenarios: &[Scenario]) {
    let _ = writeln!(
        out,
        "\n{:<28} {:>9} {:>9} {:>8} {:>8} {:>7} {:>7} {:>7} {:>9} {:>9} {:>6}",
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
    for s in scenarios {
        let pct = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{:.0} %", 100.0 * v));
        let grants = if s.name.contains("grant") {
            format!("{:.0}", s.units_per_sec)
        } else {
            "-".to_owned()
        };
        let _ = writeln!(
            out,
            "{:<28} {:>9.0} {:>9} {:>8.2} {:>8.2} {:>7} {:>7.2} {:>7.2} {:>9} {:>9} {:>6}",
            s.name,
            s.requests_per_sec,
            grants,
            s.p50_ms,
            s.p99_ms,
            s.server_cores
                .map_or_else(|| "-".to_owned(), |c| format!("{c:.2}")),
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
}

fn memory(out: &mut String, report: &Report) {
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
        .map(|b| format!("{} {:.0}/s {:.0} MB", b.issued, b.grants_per_sec, mb(b.rss_kib)))
        .collect();
    let _ = writeln!(out, "  by batch (issued, rate, RSS): {}", curve.join(" | "));
    if let (Some(held), Some(revoked)) = (g.grants_held, g.grants_revoked) {
        let _ = writeln!(
            out,
            "  grants held by the server afterwards: {held} ({revoked} revoked by the ten-per-user limit)"
        );
    }
    let r = &report.rss_kib;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;

    #[test]
    fn the_table_has_a_row_per_scenario_with_its_figures() {
        let text = table(&sample::report());
        assert!(text.contains("machine: 2 cores, AMD EPYC, Linux 6.18 (bench built release)"));
        assert!(
            text.contains(
                "load: 32 keep-alive connections, 5.0 s per scenario, server RUST_LOG=warn, unpinned"
            )
        );
        assert!(
            text.contains("  openssl speed -seconds 3 -multi 2 rsa2048       9000/s sign, 155000/s verify"),
            "{text}"
        );
        let row = |name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .unwrap_or_default()
                .split_whitespace()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
        };
        // Read from the right: errors, of openssl, of sign×c, others, gen cpu, srv cpu, p99, p50.
        assert_eq!(
            row("GET /api/users/current"),
            ["0", "-", "-", "0.02", "0.45", "1.50", "1.70", "0.80"]
        );
        assert_eq!(
            row("GET /api/alert-sources"),
            ["0", "-", "-", "0.02", "0.45", "1.50", "1.70", "0.80"]
        );
        assert_eq!(
            row("refresh grant"),
            ["0", "%", "78", "%", "80", "0.02", "0.45", "1.50"]
        );
        let code = text
            .lines()
            .find(|l| l.starts_with("authorization-code grant"))
            .unwrap_or_default();
        assert!(code.contains("    13000      6500 "), "{code}");
    }

    #[test]
    fn memory_lines_name_the_half_way_rss_and_the_batches() {
        let text = table(&sample::report());
        assert!(text.contains(
            "cold start (spawn → first 200 on /_mock/health), 3 runs: min 2.9 ms, median 3.0 ms, max 3.1 ms"
        ));
        assert!(
            text.contains("100000 grants (authorize + token, one user): 16.0 s, 6250 grants/s, 0 errors")
        );
        assert!(text.contains("  by batch (issued, rate, RSS): 10000 6000/s 21 MB | 20000 6000/s 22 MB"));
        assert!(text.contains(
            "RSS: idle 9.0 MB, after the scenarios 20.0 MB, after 100000 grants 26.0 MB (half-way 26.0 MB)"
        ), "{text}");
        assert!(text.contains("grants held by the server afterwards: 10 (0 revoked"));
    }

    #[test]
    fn a_missing_openssl_figure_prints_why() {
        let mut report = sample::report();
        report.openssl.sign_per_sec = None;
        report.openssl.note = Some("skipped (--openssl-seconds 0)".to_owned());
        assert!(
            table(&report)
                .contains("  openssl speed -seconds 3 -multi 2 rsa2048: skipped (--openssl-seconds 0)")
        );
    }

    #[test]
    fn the_half_way_rss_is_the_batch_that_reached_half() {
        let report = sample::report();
        assert_eq!(rss_at_half(&report.grants), Some(26 * 1024));
        let mut none = sample::report();
        none.grants.batches.clear();
        assert_eq!(rss_at_half(&none.grants), None);
    }

    #[test]
    fn the_json_report_keeps_its_field_names() {
        let json = serde_json::to_value(sample::report()).unwrap_or_default();
        let keys: Vec<&str> = json
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "machine",
                "settings",
                "crypto",
                "openssl",
                "cold_start_ms",
                "rss_kib",
                "scenarios",
                "grants",
                "targets"
            ]
        );
        assert_eq!(json["scenarios"][3]["of_openssl_multi"], 7_000.0 / 9_000.0);
        assert_eq!(json["targets"], serde_json::json!([]));
        assert_eq!(json["grants"]["batches"][0]["rss_kib"], 21 * 1024);
    }

    #[test]
    fn a_peer_gets_its_line_and_rows_with_unknown_cpu_as_a_dash() {
        let report = sample::report_with_peer();
        let text = table(&report);
        assert!(text.contains(
            "peer: axa oauth2-mock-server 8.2.3 (node v20.20.2) at http://127.0.0.1:8080, pid 4242, RSS 60.0 MB before its scenarios, 80.0 MB after"
        ), "{text}");
        let userinfo = text
            .lines()
            .find(|l| l.starts_with("axa GET /userinfo"))
            .unwrap_or_default();
        assert!(
            userinfo.contains("    13000         -     0.80     1.70       -    0.45"),
            "{userinfo}"
        );
        let token = text
            .lines()
            .find(|l| l.starts_with("axa client_credentials grant"))
            .unwrap_or_default();
        assert!(token.contains("     2000      2000 "), "{token}");
        assert!(token.ends_with("22 %      0"), "{token}");
        let json = serde_json::to_value(&report).unwrap_or_default();
        assert_eq!(json["peer"]["version"], "8.2.3");
        assert_eq!(json["scenarios"][1]["server_cores"], serde_json::Value::Null);
        assert!(
            serde_json::to_value(sample::report())
                .unwrap_or_default()
                .get("peer")
                .is_none()
        );
    }

    #[test]
    fn each_target_is_printed_with_its_verdict() {
        let mut report = sample::report();
        report.targets = crate::targets::targets(&report);
        let text = table(&report);
        assert!(text.contains("\ntargets:\n  [not measured] GET /api/users/current ≥ 1.0× axa GET /userinfo: no peer: run axa's oauth2-mock-server and pass --peer-axa URL\n"), "{text}");
        assert!(
            text.contains(
                "\n  [met] refresh grant ≥ 0.7× openssl -multi 2 signs/s: 0.78× (7000/s vs 9000/s)\n"
            ),
            "{text}"
        );
        report.targets = crate::targets::targets(&{
            let mut slow = sample::report();
            slow.cold_start_ms = crate::server::Starts::of(vec![30.0]);
            slow
        });
        assert!(
            table(&report)
                .contains("\n  [NOT met] cold start ≤ 15 ms: median 30.0 ms of 1 = 2.00× the limit\n")
        );
    }
}
