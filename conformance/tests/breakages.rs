//! The suite must be able to fail: each deliberate breakage of the mock (its fault injection for
//! contract suites, `MockServerBuilder::breakage`) makes the case that owns the broken rule fail.
//! A breakage run executes only the cases of the broken rule's family (its neighbours), since
//! the healthy run below already executes every case; `BREAKAGES_FULL=1` runs the whole suite per
//! breakage and also checks that nothing outside the family fails.

use ilert_conformance::{RunOptions, Target, Verdict};
use ilert_mock::{Breakage, MockServer};

/// A breakage, the case it must fail, and the id prefixes allowed to fail with it.
struct Expectation {
    breakage: Breakage,
    named: &'static str,
    neighbours: &'static [&'static str],
}

const EXPECTATIONS: &[Expectation] = &[
    Expectation {
        breakage: Breakage::WrongErrorShape,
        named: "TOKEN-ERR-INVALID-GRANT-01",
        // Every error row checks the {code, error} shape; token_info and revoke share it.
        neighbours: &["TOKEN-ERR-", "TOKENINFO-ERR-", "REVOKE-ERR-"],
    },
    Expectation {
        breakage: Breakage::MissingNoStore,
        named: "TOKEN-NOSTORE-01",
        neighbours: &["TOKEN-NOSTORE-", "TOKENINFO-NOSTORE-"],
    },
    Expectation {
        breakage: Breakage::AcceptCodeTwice,
        named: "TOKEN-CODE-SINGLE-USE-01",
        neighbours: &["TOKEN-CODE-"],
    },
    Expectation {
        breakage: Breakage::RedirectToUnregisteredUri,
        named: "AUTHZ-REDIRECT-EXACT-03",
        neighbours: &["AUTHZ-REDIRECT-EXACT-"],
    },
    Expectation {
        breakage: Breakage::ExtraJwtClaim,
        named: "TOKENS-ACCESS-CLAIMS-01",
        neighbours: &["TOKENS-ACCESS-"],
    },
    Expectation {
        breakage: Breakage::InvalidGrantStatus400,
        named: "TOKEN-ERR-INVALID-GRANT-01",
        neighbours: &["TOKEN-ERR-INVALID-GRANT-"],
    },
    Expectation {
        breakage: Breakage::RefreshTokenAsBearer,
        named: "API-BEARER-REFRESH-01",
        neighbours: &["API-BEARER-"],
    },
    Expectation {
        breakage: Breakage::DropState,
        named: "AUTHZ-STATE-01",
        // The reference client checks state on every callback, so each flow through it refuses
        // the redirect too, as a real app would.
        neighbours: &["AUTHZ-STATE-", "FLOW-"],
    },
    Expectation {
        breakage: Breakage::DropRequiredField,
        named: "API-USER-CURRENT-01",
        neighbours: &["API-", "FLOW-"],
    },
];

async fn failing_cases(breakage: Breakage, only: Vec<String>) -> Vec<&'static str> {
    let server = MockServer::builder()
        .clock_start(1_800_000_000)
        .freeze_clock(true)
        .breakage(breakage)
        .start()
        .await
        .expect("the mock starts");
    let options = RunOptions {
        only,
        ..RunOptions::default()
    };
    let report = ilert_conformance::run_all(Target::new(server.base_url()), options)
        .await
        .expect("the suite runs");
    assert_eq!(report.counts().skipped, 0, "nothing is skipped against the mock");
    report
        .cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Failed | Verdict::Warned))
        .map(|c| c.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_breakage_fails_its_case_and_only_its_neighbours() {
    let full = std::env::var_os("BREAKAGES_FULL").is_some();
    let mut problems = Vec::new();
    for e in EXPECTATIONS {
        let only = if full {
            Vec::new()
        } else {
            e.neighbours.iter().map(|p| format!("{p}*")).collect()
        };
        let failed = failing_cases(e.breakage, only).await;
        println!("{:?}: {} failed: {failed:?}", e.breakage, failed.len());
        if !failed.contains(&e.named) {
            problems.push(format!("{:?} did not fail {}", e.breakage, e.named));
        }
        let strays: Vec<&&str> = failed
            .iter()
            .filter(|id| !e.neighbours.iter().any(|p| id.starts_with(p)))
            .collect();
        if !strays.is_empty() {
            problems.push(format!("{:?} also failed unrelated cases {strays:?}", e.breakage));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_mock_passes_everything() {
    let server = MockServer::builder()
        .clock_start(1_800_000_000)
        .freeze_clock(true)
        .start()
        .await
        .expect("the mock starts");
    let report = ilert_conformance::run_all(Target::new(server.base_url()), RunOptions::default())
        .await
        .expect("the suite runs");
    let not_passed = report.not_passed_text();
    assert!(not_passed.is_empty(), "{not_passed}");
    assert!(report.ok());
}

/// The reconciled cases a mock that follows the document to the letter must fail: every
/// `API-RECONCILE-*` case but the escalation target, which the policy model (not a schema or
/// an answer the breakage switches) refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_to_the_letter_fails_every_reconciled_case() {
    let failed = failing_cases(Breakage::DocumentToTheLetter, Vec::new()).await;
    let all = ilert_conformance::cases::all();
    let reconciled: Vec<&str> = all
        .iter()
        .map(|c| c.id)
        .filter(|id| id.starts_with("API-RECONCILE-") && *id != "API-RECONCILE-STRICT-TARGET-01")
        .collect();
    assert!(reconciled.len() >= 20, "{reconciled:?}");
    let passed: Vec<&&str> = reconciled.iter().filter(|id| !failed.contains(id)).collect();
    assert!(
        passed.is_empty(),
        "passed with the document to the letter: {passed:?}"
    );
    let strays: Vec<&&str> = failed
        .iter()
        .filter(|id| !id.starts_with("API-") && !id.starts_with("FLOW-"))
        .collect();
    assert!(strays.is_empty(), "also failed unrelated cases {strays:?}");
}
