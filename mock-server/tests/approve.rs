//! Headless approval: `MockServer::approve`/`deny` and `ilert-mock approve` load the grant view
//! and submit its form as a named user, so the mock sees what a click sends.

use ilert_mock::MockServer;
use ilert_mock::approve::ApproveError;
use reqwest::StatusCode;

use crate::common::*;

/// The guide's authorize URL at `base`, with `state` and `scope`.
fn authorize_url(base: &str, scope: &str) -> String {
    format!(
        "{base}{AUTHORIZE}?{}",
        query(&[&code_request(scope)[..], &[("state", "st&te=1"),]].concat())
    )
}

fn pairs(url: &url::Url) -> Vec<(String, String)> {
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn approve_grants_as_the_named_user_through_the_grant_form() {
    let server = MockServer::start().await;
    let redirect = server
        .approve(&authorize_url(&server.base_url(), "profile"), "krystianity")
        .await
        .expect("approved");
    assert!(redirect.as_str().starts_with(REDIRECT_URI), "{redirect}");
    let params = pairs(&redirect);
    assert_eq!(param(&params, "state").as_deref(), Some("st&te=1"));
    let code = param(&params, "code").expect("a code");

    let (status, _, tokens) = exchange(&server, &code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let (_, claims) = decode(&s(&tokens, "access_token"));
    assert_eq!(claims["il_u"], "krystianity", "{claims}");

    // The mock saw what a browser sends: the view, then the form post with the user's choice.
    let journal = server.journal().all();
    let authorize: Vec<_> = journal.iter().filter(|e| e.path == AUTHORIZE).collect();
    assert_eq!(authorize.len(), 2, "{journal:?}");
    assert_eq!((authorize[0].method.as_str(), authorize[0].status), ("GET", 200));
    assert_eq!((authorize[1].method.as_str(), authorize[1].status), ("POST", 302));
    let form: Vec<(&str, &str)> = authorize[1]
        .form
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert!(form.contains(&("user", "krystianity")), "{form:?}");
    assert!(form.contains(&("decision", "grant")), "{form:?}");
    assert!(form.contains(&("client_id", CLIENT_ID)), "{form:?}");
}

#[tokio::test]
async fn deny_sends_access_denied_back_to_the_app() {
    let server = MockServer::start().await;
    let redirect = server
        .deny(&authorize_url(&server.base_url(), "profile"))
        .await
        .expect("denied");
    let params = pairs(&redirect);
    assert_eq!(param(&params, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&params, "state").as_deref(), Some("st&te=1"));
    assert_eq!(param(&params, "code"), None);
}

#[tokio::test]
async fn a_user_the_grant_view_does_not_offer_is_named_with_those_it_does() {
    let server = MockServer::start().await;
    let err = server
        .approve(&authorize_url(&server.base_url(), "profile"), "nobody")
        .await
        .expect_err("refused");
    match &err {
        ApproveError::UnknownUser { user, offered } => {
            assert_eq!(user, "nobody");
            assert!(offered.iter().any(|u| u == "someUser"), "{offered:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("offers no user 'nobody'"), "{err}");

    // On a tenant host the view offers only that account's users.
    let tenant = authorize_url(&server.tenant_url("acme"), "profile");
    match server.approve(&tenant, "someUser").await {
        Err(ApproveError::UnknownUser { offered, .. }) => {
            assert_eq!(offered, ["wile", "roadrunner"]);
        }
        other => panic!("{other:?}"),
    }
    let redirect = server.approve(&tenant, "wile").await.expect("approved on acme");
    assert!(param(&pairs(&redirect), "code").is_some());
}

#[tokio::test]
async fn the_mocks_refusals_come_through_typed() {
    let server = MockServer::start().await;
    let base = server.base_url();

    // An unknown client: the error page's title and hint.
    let unknown = format!("{base}{AUTHORIZE}?client_id=nope&response_type=code&redirect_uri=x");
    match server.approve(&unknown, "someUser").await {
        Err(ApproveError::Page { status, title, .. }) => {
            assert_eq!(status, 400);
            assert!(title.contains("nope"), "{title}");
        }
        other => panic!("{other:?}"),
    }

    // An unknown scope goes back to the app as an OAuth error.
    match server
        .approve(&authorize_url(&base, "profile nonsense"), "someUser")
        .await
    {
        Err(ApproveError::Refused { error, location, .. }) => {
            assert_eq!(error, "invalid_scope");
            assert!(location.starts_with(REDIRECT_URI), "{location}");
        }
        other => panic!("{other:?}"),
    }

    // Not an authorize URL, or another server's.
    assert!(matches!(
        server.approve(&format!("{base}{TOKEN}"), "someUser").await,
        Err(ApproveError::NotAnAuthorizeUrl { .. })
    ));
    assert!(matches!(
        server
            .approve(&authorize_url("http://127.0.0.1:1", "profile"), "someUser")
            .await,
        Err(ApproveError::OtherServer { .. })
    ));

    // An auto-approving mock shows no view to choose in.
    let auto = auto_server().await;
    let err = auto
        .approve(&authorize_url(&auto.base_url(), "profile"), "someUser")
        .await
        .expect_err("no view");
    assert!(matches!(err, ApproveError::NoGrantView { .. }), "{err:?}");
    assert!(err.to_string().contains("--auto-approve"), "{err}");
}

#[tokio::test]
async fn approve_works_over_https() {
    let server = MockServer::builder().tls(true).start().await.expect("starts");
    let redirect = server
        .approve(&authorize_url(&server.base_url(), "profile"), "someUser")
        .await
        .expect("approved over https");
    assert!(param(&pairs(&redirect), "code").is_some());
}

#[test]
fn the_cli_approves_and_denies_a_running_mocks_authorization() {
    let (_mock, base) = spawn_binary(&[]);
    let url = authorize_url(&base, "profile");
    let run = |args: &[&str]| {
        binary_command()
            .arg("approve")
            .arg(&url)
            .args(args)
            .output()
            .expect("runs")
    };

    let granted = run(&["--user", "someUser"]);
    assert!(granted.status.success(), "{granted:?}");
    let redirect = String::from_utf8(granted.stdout).expect("utf-8");
    assert!(
        redirect.starts_with(REDIRECT_URI) && redirect.contains("code="),
        "{redirect}"
    );

    let denied = run(&["--deny"]);
    assert!(denied.status.success(), "{denied:?}");
    assert!(String::from_utf8_lossy(&denied.stdout).contains("error=access_denied"));

    let unknown = run(&["--user", "nobody"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("offers no user 'nobody'") && stderr.contains("someUser"),
        "{stderr}"
    );

    let neither = run(&[]);
    assert_eq!(neither.status.code(), Some(2), "clap refuses: --user or --deny");
}
