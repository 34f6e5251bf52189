//! A made-up report for the unit tests of the table and the targets: figures in the range of the
//! README's, each a round number so a test can name what it expects.

use crate::crypto::{Crypto, OpenSsl};
use crate::figures::{GrantBatch, GrantRun, Report, Rss, Settings};
use crate::load::Scenario;
use crate::machine::Machine;
use crate::mock::Work;
use crate::peers::{self, Peer};
use crate::server::Starts;

/// A scenario of `name` at `units_per_sec`, one request per unit, no errors.
pub fn scenario(name: &'static str, units_per_sec: f64) -> Scenario {
    Scenario {
        name,
        requests_per_unit: 1,
        units: (units_per_sec * 5.0) as u64,
        requests: (units_per_sec * 5.0) as u64,
        errors: 0,
        first_error: None,
        elapsed_secs: 5.0,
        requests_per_sec: units_per_sec,
        units_per_sec,
        p50_ms: 0.8,
        p99_ms: 1.7,
        server_cores: Some(1.5),
        loadgen_cores: 0.45,
        other_cores: 0.02,
        of_raw_sign_x_server_cores: None,
        of_openssl_multi: None,
    }
}

/// A whole report: 2 cores, openssl 9,000 signs/s, the mock's five scenarios, 100,000 grants,
/// no peer.
pub fn report() -> Report {
    let mut code = scenario(Work::AuthorizationCode.name(), 6_500.0);
    code.requests_per_unit = 2;
    code.requests_per_sec = 13_000.0;
    code.of_openssl_multi = Some(6_500.0 / 9_000.0);
    code.of_raw_sign_x_server_cores = Some(0.7);
    let mut refresh = scenario(Work::Refresh.name(), 7_000.0);
    refresh.of_openssl_multi = Some(7_000.0 / 9_000.0);
    refresh.of_raw_sign_x_server_cores = Some(0.8);
    refresh.p99_ms = 9.0;
    let batches = (1..=10)
        .map(|i| GrantBatch {
            issued: i * 10_000,
            grants_per_sec: 6_000.0,
            server_cores: 1.8,
            rss_kib: if i < 4 { (20 + i) * 1024 } else { 26 * 1024 },
        })
        .collect();
    Report {
        machine: Machine {
            nproc: 2,
            cpu_model: "AMD EPYC".to_owned(),
            kernel: "6.18".to_owned(),
            bench_profile: "release",
        },
        settings: Settings {
            connections: 32,
            duration_secs: 5.0,
            grants: 100_000,
            server: "target/release/ilert-mock".to_owned(),
            server_log: false,
            pinned: false,
        },
        peer: None,
        crypto: Crypto {
            rsa_sign_per_core: 4_600.0,
            rsa_sign_all_cores: 9_000.0,
            rsa_verify_per_core: 80_000.0,
            rsa_verify_all_cores: 160_000.0,
            mock_mint_access_per_core: 4_600.0,
            mock_verify_access_per_core: 75_000.0,
            jsonwebtoken_encode_per_core: 1_900.0,
        },
        openssl: OpenSsl {
            command: "openssl speed -seconds 3 -multi 2 rsa2048".to_owned(),
            sign_per_sec: Some(9_000.0),
            verify_per_sec: Some(155_000.0),
            note: None,
        },
        cold_start_ms: Starts::of(vec![3.0, 3.1, 2.9]),
        rss_kib: Rss {
            idle: 9 * 1024,
            after_scenarios: 20 * 1024,
            after_grants: 26 * 1024,
            after_purge: None,
        },
        scenarios: vec![
            scenario(Work::UsersCurrent.name(), 38_000.0),
            scenario(Work::AlertSources.name(), 30_000.0),
            scenario(Work::TokenInfo.name(), 41_000.0),
            refresh,
            code,
        ],
        grants: GrantRun {
            issued: 100_000,
            errors: 0,
            first_error: None,
            elapsed_secs: 16.0,
            grants_per_sec: 6_250.0,
            rss_idle_kib: 9 * 1024,
            rss_after_kib: 26 * 1024,
            grants_held: Some(10),
            grants_revoked: Some(0),
            grants_held_after_purge: None,
            batches,
        },
        targets: Vec::new(),
    }
}

/// The same with axa measured: `/userinfo` at 13,000 requests/s, 2,000 signed tokens/s.
pub fn report_with_peer() -> Report {
    let mut report = report();
    let mut token = scenario(peers::TOKEN, 2_000.0);
    token.of_openssl_multi = Some(2_000.0 / 9_000.0);
    let mut userinfo = scenario(peers::USERINFO, 13_000.0);
    userinfo.server_cores = None;
    report.scenarios.insert(1, userinfo);
    report.scenarios.insert(5, token);
    report.peer = Some(Peer {
        name: "axa oauth2-mock-server",
        url: "http://127.0.0.1:8080".to_owned(),
        version: Some("8.2.3".to_owned()),
        runtime: Some("node v20.20.2".to_owned()),
        pid: Some(4242),
        rss_kib_before: Some(60 * 1024),
        rss_kib_after: Some(80 * 1024),
    });
    report
}
