//! The suite on someone else's mock: one started with `--auto-approve`, where another client of
//! the guide's app already holds a refresh token. A full run passes (the two cases that need the
//! grant view skip, saying why), the other client's refresh token still refreshes afterwards,
//! and the mock's apps and users are as the run found them.

use ilert_conformance::{RunOptions, Target, Verdict};
use ilert_mock::MockServer;
use serde_json::Value;

use ilert_mock::guide::{CLIENT_ID as GUIDE_ID, CLIENT_SECRET as GUIDE_SECRET};

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The guide's app (with its secret) at the token endpoint: `grant_type` and one more field.
/// Asserts 200; the answer.
async fn guide_token(base: &str, grant_type: &str, field: (&str, &str)) -> Value {
    let form = [
        ("grant_type", grant_type),
        ("client_id", GUIDE_ID),
        ("client_secret", GUIDE_SECRET),
        field,
    ];
    let r = http()
        .post(format!("{base}/api/developers/oauth2/token"))
        .form(&form)
        .send()
        .await
        .expect("answers");
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("json");
    assert_eq!(status, 200, "{grant_type}: {body}");
    body
}

/// Another client signs in with the guide's app as `someUser` and keeps its refresh token.
async fn someone_elses_refresh_token(base: &str) -> String {
    let r = http()
        .get(format!("{base}/api/developers/oauth2/authorize"))
        .query(&[
            ("client_id", GUIDE_ID),
            ("response_type", "code"),
            ("redirect_uri", "http://localhost:4597/authorize-result"),
            ("scope", "profile"),
        ])
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), 302, "the mock approves at once");
    let location = url::Url::parse(r.headers()["location"].to_str().expect("text")).expect("url");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    let body = guide_token(base, "authorization_code", ("code", &code)).await;
    body["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_leaves_a_shared_auto_approving_mock_as_it_found_it() {
    let server = MockServer::builder()
        .auto_approve("someUser")
        .start()
        .await
        .expect("the mock starts");
    let base = server.base_url();
    let refresh_token = someone_elses_refresh_token(&base).await;
    let apps_before: Vec<String> = server.admin().apps().into_iter().map(|a| a.client_id).collect();
    let users_before: Vec<String> = server.admin().users().into_iter().map(|u| u.username).collect();

    let report = ilert_conformance::run_all(Target::new(base.clone()), RunOptions::default())
        .await
        .expect("the suite runs");

    let skipped: Vec<&str> = report.with_verdict(Verdict::Skipped).map(|c| c.id).collect();
    assert_eq!(
        skipped,
        ["AUTHZ-GRANT-VIEW-01", "AUTHZ-FRAMING-01"],
        "{}",
        report.not_passed_text()
    );
    for case in report.with_verdict(Verdict::Skipped) {
        let reason = case.reason.as_deref().unwrap_or_default();
        assert!(reason.contains("--auto-approve"), "{}: {reason}", case.id);
    }
    let c = report.counts();
    assert_eq!((c.failed, c.warned), (0, 0), "{}", report.not_passed_text());
    assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
    assert!(report.ok());

    // The other client's refresh token still works: the suite never touched its grant.
    guide_token(&base, "refresh_token", ("refresh_token", &refresh_token)).await;
    let guide_grants = server.admin().grants(&ilert_mock::GrantFilter::app(GUIDE_ID));
    assert_eq!(
        guide_grants.len(),
        1,
        "the suite made no grant of the guide's app"
    );
    assert!(guide_grants[0].revoked.is_none());

    // Apps and users as before.
    let apps_after: Vec<String> = server.admin().apps().into_iter().map(|a| a.client_id).collect();
    assert_eq!(apps_after, apps_before);
    let users_after: Vec<String> = server.admin().users().into_iter().map(|u| u.username).collect();
    assert_eq!(users_after, users_before);
}
