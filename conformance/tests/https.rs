//! The whole suite over HTTPS, trusting only the mock's development CA.

use ilert_conformance::{RunOptions, Target};
use ilert_mock::MockServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_over_https_trusting_only_the_dev_ca() {
    let server = MockServer::builder()
        .tls(true)
        .clock_start(1_800_000_000)
        .freeze_clock(true)
        .start()
        .await
        .expect("the mock starts");
    assert!(server.base_url().starts_with("https://"));
    let mut target = Target::new(server.base_url());
    target.ca_pem = Some(server.ca_pem().expect("a generated CA").to_owned());
    let report = ilert_conformance::run_all(target, RunOptions::default())
        .await
        .expect("the suite runs");
    let not_passed = report.not_passed_text();
    assert!(not_passed.is_empty(), "{not_passed}");
    assert!(
        report.cases.iter().any(|c| c.id.starts_with("FLOW-")),
        "flows through the reference client ran"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_ca_the_https_target_is_refused() {
    let server = MockServer::builder()
        .tls(true)
        .start()
        .await
        .expect("the mock starts");
    let result = ilert_conformance::run_all(Target::new(server.base_url()), RunOptions::default()).await;
    assert!(
        result.is_err(),
        "the public roots must not trust the development CA"
    );
}
