//! The speed targets a run is checked against, each printed as a ratio with a verdict.
//!
//! Machines differ from run to run, so the targets are ratios against figures taken in the same
//! run: the mock's API calls against axa's `/userinfo` (which verifies nothing), the refresh
//! grant against `openssl speed -multi N` and against axa's signed-token rate, the
//! authorization-code grant against the refresh grant. The limits (cold start, idle RSS, p99,
//! RSS growth) are shown as the measured figure over its limit. A target whose reference is
//! missing (no `--peer-axa`, openssl skipped) is "not measured", never passed or failed.
//!
//! Every check is a pure function of the [`Report`], so the thresholds are tested on made-up
//! figures, never by a timed test.

use crate::figures::{Report, TargetCheck, Verdict, rss_at_half};
use crate::load::Scenario;
use crate::mock::Work;
use crate::peers;

/// The mock's API calls answer at least as fast as axa's `/userinfo`.
const API_OF_USERINFO: f64 = 1.0;
/// Refresh grants/s over `openssl speed -multi N` signs/s, the server on every core.
const REFRESH_OF_OPENSSL: f64 = 0.7;
/// Refresh grants/s over openssl's signs/s on one core, the server pinned to one core.
const REFRESH_OF_OPENSSL_CORE: f64 = 0.8;
/// Refresh grants/s over axa's signed tokens/s.
const REFRESH_OF_AXA_TOKEN: f64 = 2.5;
/// Authorization-code grants/s over refresh grants/s (within 10 %).
const CODE_OF_REFRESH: f64 = 0.9;
/// Cold start, median, milliseconds.
const COLD_START_MS: f64 = 15.0;
/// Idle RSS, MiB.
const IDLE_RSS_MB: f64 = 15.0;
/// Any scenario's p99 latency, milliseconds.
const P99_MS: f64 = 20.0;

/// A rate compared in a target, with the errors of the scenario it comes from.
struct Rate {
    per_sec: f64,
    errors: u64,
}

impl Rate {
    fn requests(s: &Scenario) -> Self {
        Self {
            per_sec: s.requests_per_sec,
            errors: s.errors,
        }
    }

    fn units(s: &Scenario) -> Self {
        Self {
            per_sec: s.units_per_sec,
            errors: s.errors,
        }
    }
}

/// `value ≥ required × reference`, as a ratio; not measured when either side is missing; not
/// met when either side counted errors (a rate with failures is not the rate of the work).
fn at_least(
    target: String,
    value: Option<Rate>,
    reference: Option<Rate>,
    required: f64,
    missing: &str,
) -> TargetCheck {
    let (Some(value), Some(reference)) = (value, reference) else {
        return TargetCheck::new(target, missing.to_owned(), None, Verdict::NotMeasured);
    };
    let ratio = value.per_sec / reference.per_sec;
    let mut measured = format!(
        "{ratio:.2}× ({:.0}/s vs {:.0}/s)",
        value.per_sec, reference.per_sec
    );
    let errors = value.errors + reference.errors;
    if errors > 0 {
        measured.push_str(&format!("; {errors} errors"));
    }
    let met = ratio.is_finite() && ratio >= required && errors == 0;
    let verdict = if met { Verdict::Met } else { Verdict::NotMet };
    TargetCheck::new(target, measured, Some(ratio), verdict)
}

/// `value ≤ limit`, with the ratio to the limit.
fn at_most(target: String, value: f64, limit: f64, measured: String) -> TargetCheck {
    let ratio = value / limit;
    let verdict = if value <= limit {
        Verdict::Met
    } else {
        Verdict::NotMet
    };
    TargetCheck::new(
        target,
        format!("{measured} = {ratio:.2}× the limit"),
        Some(ratio),
        verdict,
    )
}

/// Checks every target against the report.
pub fn targets(report: &Report) -> Vec<TargetCheck> {
    let scenario = |name: &str| report.scenarios.iter().find(|s| s.name == name);
    let mock = |work: Work| scenario(work.name());
    let no_peer = "no peer: run axa's oauth2-mock-server and pass --peer-axa URL";
    let userinfo = || scenario(peers::USERINFO).map(Rate::requests);
    let mut checks: Vec<TargetCheck> = [Work::UsersCurrent, Work::AlertSources, Work::TokenInfo]
        .into_iter()
        .map(|work| {
            at_least(
                format!("{} ≥ {API_OF_USERINFO:.1}× axa GET /userinfo", work.name()),
                mock(work).map(Rate::requests),
                userinfo(),
                API_OF_USERINFO,
                no_peer,
            )
        })
        .collect();
    let refresh = || mock(Work::Refresh).map(Rate::units);
    // Pinned, the server has one core: openssl's rate on one core (its all-core rate over the
    // cores it ran on) is the reference.
    let nproc = report.machine.nproc.max(1);
    let (target, cores, required) = if report.settings.pinned {
        (
            format!(
                "refresh grant ≥ {REFRESH_OF_OPENSSL_CORE:.1}× openssl signs/s on one core (the server's)"
            ),
            nproc,
            REFRESH_OF_OPENSSL_CORE,
        )
    } else {
        (
            format!("refresh grant ≥ {REFRESH_OF_OPENSSL:.1}× openssl -multi {nproc} signs/s"),
            1,
            REFRESH_OF_OPENSSL,
        )
    };
    checks.push(at_least(
        target,
        refresh(),
        report.openssl.sign_per_sec.map(|per_sec| Rate {
            per_sec: per_sec / cores as f64,
            errors: 0,
        }),
        required,
        report.openssl.note.as_deref().unwrap_or("openssl figure missing"),
    ));
    checks.push(at_least(
        format!("refresh grant ≥ {REFRESH_OF_AXA_TOKEN:.1}× axa signed tokens/s"),
        refresh(),
        scenario(peers::TOKEN).map(Rate::units),
        REFRESH_OF_AXA_TOKEN,
        no_peer,
    ));
    checks.push(at_least(
        format!("authorization-code grant within 10 % of refresh (≥ {CODE_OF_REFRESH:.1}×)"),
        mock(Work::AuthorizationCode).map(Rate::units),
        refresh(),
        CODE_OF_REFRESH,
        "a grant scenario is missing",
    ));
    let cold = &report.cold_start_ms;
    checks.push(at_most(
        format!("cold start ≤ {COLD_START_MS:.0} ms"),
        cold.median,
        COLD_START_MS,
        format!("median {:.1} ms of {}", cold.median, cold.samples.len()),
    ));
    let idle = report.rss_kib.idle as f64 / 1024.0;
    let mut idle_check = at_most(
        format!("idle RSS ≤ {IDLE_RSS_MB:.0} MB"),
        idle,
        IDLE_RSS_MB,
        format!("{idle:.1} MB"),
    );
    if report.rss_kib.idle == 0 {
        idle_check = TargetCheck::new(
            idle_check.target,
            "the server's RSS could not be read".to_owned(),
            None,
            Verdict::NotMeasured,
        );
    }
    checks.push(idle_check);
    checks.push(rss_flat(report));
    checks.push(p99(report));
    checks
}

/// RSS flat across the grants: once the remembered revocations and redemptions reach their
/// caps, issuing more grants costs no more memory, so the second half of the run may add only a
/// little (allocator slack): the larger of 4 MiB and 10 % of the half-way RSS.
fn rss_flat(report: &Report) -> TargetCheck {
    let target = format!("RSS flat across {} grants", report.grants.issued);
    let Some(half) = rss_at_half(&report.grants).filter(|_| report.grants.rss_after_kib > 0) else {
        return TargetCheck::new(target, "no grant batches".to_owned(), None, Verdict::NotMeasured);
    };
    let after = report.grants.rss_after_kib;
    let growth = after.saturating_sub(half);
    let allowed = (half / 10).max(4 * 1024);
    let mb = |kib: u64| kib as f64 / 1024.0;
    at_most(
        target,
        growth as f64,
        allowed as f64,
        format!(
            "{:.1} MB at half, {:.1} MB at the end (+{:.1} MB, allowed +{:.1} MB)",
            mb(half),
            mb(after),
            mb(growth),
            mb(allowed)
        ),
    )
}

/// No p99 above the limit in any of the mock's scenarios (a unit's latency: both requests of
/// the authorization-code grant).
fn p99(report: &Report) -> TargetCheck {
    let target = format!("no p99 above {P99_MS:.0} ms");
    let worst = report
        .scenarios
        .iter()
        .filter(|s| ![peers::USERINFO, peers::TOKEN].contains(&s.name))
        .max_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms));
    match worst {
        Some(s) => at_most(
            target,
            s.p99_ms,
            P99_MS,
            format!("worst {:.2} ms ({})", s.p99_ms, s.name),
        ),
        None => TargetCheck::new(target, "no scenario ran".to_owned(), None, Verdict::NotMeasured),
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

    fn scenario<'a>(report: &'a mut Report, name: &str) -> &'a mut Scenario {
        report
            .scenarios
            .iter_mut()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no scenario {name:?}"))
    }

    #[test]
    fn pinned_the_refresh_grant_is_held_to_openssl_on_one_core() {
        let mut report = sample::report();
        report.settings.pinned = true;
        report.machine.nproc = 2;
        report.openssl.sign_per_sec = Some(3_000.0);
        scenario(&mut report, Work::Refresh.name()).units_per_sec = 1_200.0;
        let checks = targets(&report);
        let met = check(&checks, "refresh grant ≥ 0.8× openssl signs/s on one core");
        assert_eq!(met.ratio, Some(0.8), "1,200/s over 3,000/s on two cores: {met:?}");
        assert!(met.met);
        scenario(&mut report, Work::Refresh.name()).units_per_sec = 1_100.0;
        let checks = targets(&report);
        let short = check(&checks, "refresh grant ≥ 0.8×");
        assert!(!short.met && short.verdict == Verdict::NotMet, "{short:?}");
    }

    #[test]
    fn with_a_peer_every_target_is_a_ratio_and_met_on_the_sample() {
        let checks = targets(&sample::report_with_peer());
        let names: Vec<&str> = checks.iter().map(|c| c.target.as_str()).collect();
        assert_eq!(
            names,
            [
                "GET /api/users/current ≥ 1.0× axa GET /userinfo",
                "GET /api/alert-sources ≥ 1.0× axa GET /userinfo",
                "POST token_info ≥ 1.0× axa GET /userinfo",
                "refresh grant ≥ 0.7× openssl -multi 2 signs/s",
                "refresh grant ≥ 2.5× axa signed tokens/s",
                "authorization-code grant within 10 % of refresh (≥ 0.9×)",
                "cold start ≤ 15 ms",
                "idle RSS ≤ 15 MB",
                "RSS flat across 100000 grants",
                "no p99 above 20 ms",
            ]
        );
        assert!(
            checks.iter().all(|c| c.met && c.verdict == Verdict::Met),
            "{checks:#?}"
        );
        assert!(checks.iter().all(|c| c.ratio.is_some()), "{checks:#?}");
        for (starts, measured) in [
            ("GET /api/users/current", "2.92× (38000/s vs 13000/s)"),
            ("refresh grant ≥ 0.7×", "0.78× (7000/s vs 9000/s)"),
            ("refresh grant ≥ 2.5×", "3.50× (7000/s vs 2000/s)"),
            ("authorization-code", "0.93× (6500/s vs 7000/s)"),
            ("cold start", "median 3.0 ms of 3 = 0.20× the limit"),
            (
                "RSS flat",
                "26.0 MB at half, 26.0 MB at the end (+0.0 MB, allowed +4.0 MB) = 0.00× the limit",
            ),
            ("no p99", "worst 9.00 ms (refresh grant) = 0.45× the limit"),
        ] {
            assert_eq!(check(&checks, starts).measured, measured);
        }
    }

    #[test]
    fn without_a_peer_its_targets_are_not_measured_and_the_rest_still_checked() {
        let checks = targets(&sample::report());
        let not_measured: Vec<&str> = checks
            .iter()
            .filter(|c| c.verdict == Verdict::NotMeasured)
            .map(|c| c.target.as_str())
            .collect();
        assert_eq!(not_measured.len(), 4, "{not_measured:?}");
        assert!(not_measured.iter().all(|t| t.contains("axa")), "{not_measured:?}");
        assert!(
            checks
                .iter()
                .filter(|c| c.verdict == Verdict::NotMeasured)
                .all(|c| !c.met && c.ratio.is_none() && c.measured.contains("--peer-axa"))
        );
        assert_eq!(
            checks.iter().filter(|c| c.verdict == Verdict::Met).count(),
            6,
            "{checks:#?}"
        );
    }

    #[test]
    fn each_threshold_fails_its_target() {
        let mut report = sample::report_with_peer();
        scenario(&mut report, peers::USERINFO).requests_per_sec = 41_001.0;
        scenario(&mut report, peers::TOKEN).units_per_sec = 2_801.0; // 7,000 < 2.5 × 2,801
        scenario(&mut report, Work::Refresh.name()).units_per_sec = 6_299.0; // < 0.7 × 9,000
        scenario(&mut report, Work::AuthorizationCode.name()).units_per_sec = 5_669.0; // < 0.9 × 6,299
        report.cold_start_ms = crate::server::Starts::of(vec![15.1]);
        report.rss_kib.idle = 15 * 1024 + 1;
        report.grants.rss_after_kib = 26 * 1024 + 4 * 1024 + 1;
        scenario(&mut report, Work::TokenInfo.name()).p99_ms = 20.01;
        let checks = targets(&report);
        for (starts, met) in [
            ("GET /api/users/current", false),
            ("GET /api/alert-sources", false),
            ("POST token_info", false),
            ("refresh grant ≥ 0.7×", false),
            ("refresh grant ≥ 2.5×", false),
            ("authorization-code", false),
            ("cold start", false),
            ("idle RSS", false),
            ("RSS flat", false),
            ("no p99", false),
        ] {
            assert_eq!(check(&checks, starts).met, met, "{starts}: {checks:#?}");
        }
        assert_eq!(
            check(&checks, "no p99").measured,
            "worst 20.01 ms (POST token_info) = 1.00× the limit"
        );
    }

    #[test]
    fn a_code_grant_within_ten_percent_of_refresh_passes() {
        let mut report = sample::report_with_peer();
        scenario(&mut report, Work::AuthorizationCode.name()).units_per_sec = 6_300.0;
        assert!(check(&targets(&report), "authorization-code").met);
        scenario(&mut report, Work::AuthorizationCode.name()).units_per_sec = 6_299.0;
        assert!(!check(&targets(&report), "authorization-code").met);
    }

    #[test]
    fn errors_on_either_side_fail_a_ratio_and_are_named() {
        let mut report = sample::report_with_peer();
        scenario(&mut report, peers::USERINFO).errors = 3;
        let checks = targets(&report);
        let users = check(&checks, "GET /api/users/current");
        assert!(!users.met);
        assert_eq!(users.measured, "2.92× (38000/s vs 13000/s); 3 errors");
    }

    #[test]
    fn a_peer_p99_does_not_count_against_the_mock() {
        let mut report = sample::report_with_peer();
        scenario(&mut report, peers::TOKEN).p99_ms = 250.0;
        assert!(check(&targets(&report), "no p99").met);
    }

    #[test]
    fn a_missing_openssl_figure_is_not_measured_and_says_why() {
        let mut report = sample::report();
        report.openssl.sign_per_sec = None;
        report.openssl.note = Some("skipped (--openssl-seconds 0)".to_owned());
        let openssl = check(&targets(&report), "refresh grant ≥ 0.7×").measured.clone();
        assert_eq!(openssl, "skipped (--openssl-seconds 0)");
    }
}
