//! The targets a run is checked against, each a pass or fail with the figures that decided it.
//!
//! Every check is a pure function of the [`Report`], so the thresholds are tested on made-up
//! figures and never by a timed test.

use serde::Serialize;

use crate::load::Scenario;
use crate::mock::Work;
use crate::report::{Report, rss_at_half};

/// One target, met or not.
#[derive(Debug, Serialize)]
pub struct TargetCheck {
    /// What is required.
    pub target: String,
    /// What was measured, with the figures the check compared.
    pub measured: String,
    /// Whether the target holds.
    pub met: bool,
}

/// Checks every target against the report.
pub fn targets(report: &Report) -> Vec<TargetCheck> {
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
        checks.push(users_current(s));
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

fn users_current(s: &Scenario) -> TargetCheck {
    TargetCheck {
        target: "/api/users/current ≥ 30,000 requests/s".to_owned(),
        measured: format!("{:.0}/s", s.requests_per_sec),
        met: s.requests_per_sec >= 30_000.0 && s.errors == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;

    fn check<'a>(checks: &'a [TargetCheck], starts: &str) -> &'a TargetCheck {
        checks
            .iter()
            .find(|c| c.target.starts_with(starts))
            .unwrap_or_else(|| panic!("no target {starts:?} in {checks:?}"))
    }

    #[test]
    fn every_target_met_on_the_sample() {
        let checks = targets(&sample::report());
        assert_eq!(checks.len(), 5, "{checks:?}");
        assert!(checks.iter().all(|c| c.met), "{checks:?}");
        assert_eq!(
            check(&checks, "refresh grant").measured,
            "7000/s = 78 % of 9000/s"
        );
        assert_eq!(
            check(&checks, "RSS after 100000 grants").measured,
            "26.0 MB at half, 26.0 MB at the end (+0.0 MB, allowed +4.0 MB)"
        );
    }

    #[test]
    fn thresholds_and_errors_fail_a_target() {
        let mut report = sample::report();
        report.scenarios[2].units_per_sec = 5_399.0; // below 60 % of 9,000
        report.scenarios[0].errors = 1;
        report.cold_start_ms = crate::server::ColdStart::of(vec![20.5]);
        report.rss_kib.idle = 15 * 1024 + 1;
        report.grants.rss_after_kib = 26 * 1024 + 4 * 1024 + 1;
        let checks = targets(&report);
        assert!(checks.iter().all(|c| !c.met), "{checks:?}");
    }

    #[test]
    fn a_missing_openssl_figure_fails_the_grant_target_and_says_so() {
        let mut report = sample::report();
        report.openssl.sign_per_sec = None;
        let checks = targets(&report);
        let refresh = check(&checks, "refresh grant");
        assert!(!refresh.met);
        assert_eq!(refresh.measured, "7000/s; openssl figure missing");
    }
}
