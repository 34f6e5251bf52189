//! Against a mock whose clock follows the system time (as `ilert-mock` runs by default), the
//! whole suite passes, and the runner leaves the clock running where it found it: lone cases
//! that move it are moved back, and the clock it held still during them runs again.

use ilert_conformance::{RunOptions, Target};
use ilert_mock::MockServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_on_a_running_clock_and_leaves_it_running() {
    let server = MockServer::start().await;
    assert!(!server.clock().reading().frozen);
    let report = ilert_conformance::run_all(Target::new(server.base_url()), RunOptions::default())
        .await
        .expect("the suite runs");
    let not_passed = report.not_passed_text();
    assert!(not_passed.is_empty(), "{not_passed}");
    assert!(
        report.cases.iter().any(|c| c.id == "TOKEN-CODE-EXPIRY-02"),
        "the one-second-before-expiry case ran"
    );
    let reading = server.clock().reading();
    assert!(!reading.frozen, "the runner let the clock run again");
    // Moved back by every advance; behind only by the time lone cases were held.
    assert!(
        (-30..=1).contains(&reading.offset_secs),
        "clock offset {} s after the run",
        reading.offset_secs
    );
}
