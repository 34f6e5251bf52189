//! The workspace README's Rust snippets, verbatim, so they compile and run as tests (a snippet
//! must not use `?` in a test returning `()` nor drop a `#[must_use]` value: clippy runs here
//! with `-D warnings`); `the_readme_shows_these_snippets` fails when the README's ```rust blocks
//! and this file drift apart.

use ilert_mock::{MockServer, guide};

#[tokio::test]
async fn my_app_talks_to_ilert() {
    let server = MockServer::start().await; // random port on 127.0.0.1
    let base = server.base_url(); // e.g. http://127.0.0.1:41234
    // The guide's app: guide::CLIENT_ID, guide::CLIENT_SECRET, guide::REDIRECT_URI, guide::USER.
    let authorize = format!(
        "{base}/api/developers/oauth2/authorize?client_id={}&response_type=code&scope=profile&state=s&redirect_uri={}",
        guide::CLIENT_ID,
        "http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result",
    );
    // … point your app's ilert base URLs at `base`; play the user at the grant view:
    let redirect = server.approve(&authorize, guide::USER).await.expect("approved");
    assert!(redirect.query_pairs().any(|(name, _)| name == "code"));
}

#[tokio::test]
async fn my_apps_sign_in_sends_this() -> Result<(), Box<dyn std::error::Error>> {
    let server = ilert_mock::MockServer::builder()
        .auto_approve("someUser")
        .clock_start(1_800_000_000)
        .freeze_clock(true)
        .start()
        .await?;
    // … run your app's sign-in and API calls against server.base_url() …
    insta::assert_json_snapshot!(server.journal().snapshot(&Default::default()));
    Ok(())
}

#[tokio::test]
async fn my_app_makes_no_oauth_mistakes() -> Result<(), ilert_mock::StartError> {
    let server = ilert_mock::MockServer::builder()
        .auto_approve("someUser")
        .start()
        .await?;
    // ... your app's flows against server.base_url() ...
    let report = server.audit().report();
    assert!(
        report.at_or_above(ilert_mock::Severity::Warning).is_empty(),
        "{}",
        report.table()
    );
    Ok(())
}

use ilert_oauth2_client::{Config, CsrfToken, OAuthClient, Pkce};

fn sign_in_url() -> Result<String, Box<dyn std::error::Error>> {
    let config = Config::builder("0501439fd7dee9af0c25", "http://localhost:4597/authorize-result")
        .client_secret("3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad")
        .scopes("profile source:w")
        .app_url("http://127.0.0.1:4598") // omit both for https://app.ilert.com / https://api.ilert.com
        .api_url("http://127.0.0.1:4598")
        .build()?;
    let client = OAuthClient::new(config)?;
    let authorize = client.authorize_url(&CsrfToken::new_random(), Pkce::S256);
    // … send the user to authorize.url, get `code` back on the redirect URI …
    Ok(authorize.url.to_string())
}

#[test]
fn the_client_snippet_builds_an_authorize_url() {
    let url = sign_in_url().expect("a valid config");
    assert!(
        url.starts_with("http://127.0.0.1:4598/api/developers/oauth2/authorize?"),
        "{url}"
    );
}

/// Every ```rust block of the README appears in this file as written.
#[test]
fn the_readme_shows_these_snippets() {
    let readme = include_str!("../../README.md");
    let this = include_str!("readme.rs");
    let blocks: Vec<&str> = readme
        .split("```rust\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or_default())
        .collect();
    assert!(!blocks.is_empty(), "the README has Rust snippets");
    for block in blocks {
        assert!(
            this.contains(block),
            "a README snippet is not in client/tests/readme.rs (copy it here):\n{block}"
        );
    }
}
