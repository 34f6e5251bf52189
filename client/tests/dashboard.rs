//! The mock's own page, `/_mock/`, in headless Chromium (mock-server/docs/dashboard.md): a flow
//! done over HTTP appears on the open page without a reload; opening the token exchange shows
//! the access token decoded and verified; revoking the grant from the page makes the next
//! refresh fail at the server; advancing the clock from the page expires the access token; a
//! reused code shows `CODE_REUSED` in the audit panel; a test event sent from the page creates
//! an alert the REST API lists. With a control token the page asks for it, and shows nothing
//! without it. Screenshots (desktop and phone width) land under `target/browser-artifacts/`.
//!
//! The cross-site refusal of every action the page takes is plain HTTP, in the mock's own tests
//! (mock-server/tests/dashboard.rs).

mod common;

use common::chromium::{Session, artifacts, click, element, save, text_when};
use common::{GUIDE_ID, GUIDE_REDIRECT, GUIDE_SECRET, browser as http};
use fantoccini::Locator;
use ilert_mock::{ControlAccess, GrantFilter, MockServer};
use serde_json::{Value, json};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Signs in as `someUser` (the server approves at once) with `scope`: the code and the tokens.
async fn sign_in(server: &MockServer, scope: &str) -> Result<(String, Value)> {
    let authorize = url::Url::parse_with_params(
        &format!("{}{}", server.base_url(), ilert_mock::paths::AUTHORIZE),
        &[
            ("client_id", GUIDE_ID),
            ("response_type", "code"),
            ("redirect_uri", GUIDE_REDIRECT),
            ("scope", scope),
            ("state", "dashboard-test"),
        ],
    )?;
    let back = common::redirect_of(&http(), &authorize).await;
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or("no code in the redirect")?;
    let (status, tokens) = exchange(server, &code).await?;
    if status != 200 {
        return Err(format!("the exchange answered {status}: {tokens}").into());
    }
    Ok((code, tokens))
}

/// The code exchange for the guide's app: status and answer.
async fn exchange(server: &MockServer, code: &str) -> Result<(u16, Value)> {
    token_request(server, &[("grant_type", "authorization_code"), ("code", code)]).await
}

async fn token_request(server: &MockServer, fields: &[(&str, &str)]) -> Result<(u16, Value)> {
    let mut form = vec![("client_id", GUIDE_ID), ("client_secret", GUIDE_SECRET)];
    form.extend_from_slice(fields);
    let r = http()
        .post(format!("{}{}", server.base_url(), ilert_mock::paths::TOKEN))
        .form(&form)
        .send()
        .await?;
    Ok((r.status().as_u16(), r.json().await?))
}

/// `GET {path}` of the REST API with `token`: status and answer.
async fn api_get(server: &MockServer, path: &str, token: &str) -> Result<(u16, Value)> {
    let r = http()
        .get(format!("{}{path}", server.base_url()))
        .bearer_auth(token)
        .send()
        .await?;
    Ok((r.status().as_u16(), r.json().await?))
}

fn text(value: &Value, key: &str) -> Result<String> {
    value[key]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {key} in {value}").into())
}

/// Polls `check` (20 s at most) until it holds.
async fn eventually(what: &str, check: impl Fn() -> bool) -> Result {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !check() {
        if std::time::Instant::now() > deadline {
            return Err(format!("never happened: {what}").into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn steer(session: &Session, server: &MockServer) -> Result {
    let browser = &session.browser;
    let shots = artifacts();
    browser.goto(&format!("{}/_mock/", server.base_url())).await?;
    text_when(browser, "#live", |t| t == "live").await?;
    // A mark only this page load carries: a reload would lose it.
    browser
        .execute("window.sameLoad = 'yes'; return true;", vec![])
        .await?;

    // 1. A flow over HTTP appears on the open page, request by request.
    let (code, tokens) = sign_in(server, "profile alert offline_access").await?;
    let access = text(&tokens, "access_token")?;
    let refresh = text(&tokens, "refresh_token")?;
    let (status, _) = api_get(server, "/api/users/current", &access).await?;
    assert_eq!(status, 200);
    let exchange_seq = server
        .journal()
        .all()
        .iter()
        .find(|e| e.path == ilert_mock::paths::TOKEN)
        .map(|e| e.seq)
        .ok_or("no exchange in the journal")?;
    let row = text_when(browser, &format!("a[href='#request-{exchange_seq}']"), |t| {
        t.contains("/api/developers/oauth2/token")
    })
    .await?;
    assert!(row.contains("POST"), "{row}");
    text_when(browser, "#requests-body", |t| t.contains("/api/users/current")).await?;
    let same = browser.execute("return window.sameLoad || null;", vec![]).await?;
    assert_eq!(same, json!("yes"), "the page was not reloaded");

    // 2. Opening the exchange shows the access token decoded, and verified by the mock's keys.
    click(browser, &format!("a[href='#request-{exchange_seq}']")).await?;
    let shown = text_when(browser, "#exchange", |t| t.contains("response access_token")).await?;
    let claims = ilert_mock::tokens::decode_unverified(&access).ok_or("a JWT")?.1;
    assert!(shown.contains("verified by the mock's keys"), "{shown}");
    assert!(
        shown.contains("someUser") && shown.contains(&text(&claims, "il_s")?),
        "{shown}"
    );
    assert!(
        !shown.contains(&access),
        "the token is shown decoded, never whole"
    );
    save(&shots, "dashboard-exchange.png", &browser.screenshot().await?);

    // 3. Revoking the grant from the page: the next refresh fails at the server.
    let grant = server
        .admin()
        .grants(&GrantFilter::app(GUIDE_ID).user("someUser"))
        .into_iter()
        .find(|g| g.revoked.is_none())
        .ok_or("a live grant")?;
    click(browser, "a[href='#grants']").await?;
    element(browser, &format!("button[data-revoke='{}']", grant.id))
        .await?
        .click()
        .await?;
    eventually("the grant is revoked", || {
        server
            .admin()
            .grants(&GrantFilter::app(GUIDE_ID))
            .iter()
            .any(|g| g.id == grant.id && g.revoked.is_some())
    })
    .await?;
    let (status, answer) = token_request(
        server,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await?;
    assert_eq!(
        (status, answer["code"].clone()),
        (401, json!("invalid_grant")),
        "{answer}"
    );
    text_when(browser, "#grants-body", |t| !t.contains("Revoke")).await?;

    // 4. Advancing the clock from the page expires an access token.
    let (_, tokens) = sign_in(server, "profile alert").await?;
    let access = text(&tokens, "access_token")?;
    assert_eq!(api_get(server, "/api/users/current", &access).await?.0, 200);
    let before = server.clock().now();
    click(browser, "a[href='#clock']").await?;
    let input = element(browser, "#advance-secs").await?;
    input.clear().await?;
    input.send_keys("3601").await?;
    click(browser, "#advance-form button[type=submit]").await?;
    eventually("the clock moved an hour", || {
        server.clock().now() >= before + 3601
    })
    .await?;
    let (status, answer) = api_get(server, "/api/users/current", &access).await?;
    assert_eq!(status, 401, "{answer}");
    text_when(browser, "#clock-state", |t| {
        t.contains("ahead of the system clock")
    })
    .await?;
    save(&shots, "dashboard-clock.png", &browser.screenshot().await?);

    // 5. A reused code: CODE_REUSED in the audit panel.
    let (status, _) = exchange(server, &code).await?;
    assert_eq!(status, 401, "the second redemption is refused");
    click(browser, "a[href='#audit']").await?;
    let findings = text_when(browser, "#findings", |t| t.contains("CODE_REUSED")).await?;
    assert!(
        findings.contains("RFC 6749"),
        "the finding names its source: {findings}"
    );
    save(&shots, "dashboard-audit.png", &browser.screenshot().await?);

    // 6. A test event from the page creates an alert the REST API lists.
    click(browser, "a[href='#store']").await?;
    element(browser, "#s-collection")
        .await?
        .select_by_value("alert-sources")
        .await?;
    let button = element(browser, "button[data-test-event]").await?;
    button.click().await?;
    text_when(browser, "#store-body", |t| {
        t.contains("Test event from the mock dashboard")
    })
    .await?;
    let (_, tokens) = sign_in(server, "alert").await?;
    let (status, alerts) = api_get(server, "/api/alerts", &text(&tokens, "access_token")?).await?;
    assert_eq!(status, 200, "{alerts}");
    let made = alerts
        .as_array()
        .ok_or("a list")?
        .iter()
        .filter(|a| a["summary"] == "Test event from the mock dashboard")
        .count();
    assert_eq!(made, 1, "{alerts}");
    save(&shots, "dashboard-store.png", &browser.screenshot().await?);

    // The same page at phone width.
    browser.set_window_size(390, 844).await?;
    browser
        .goto(&format!("{}/_mock/#requests", server.base_url()))
        .await?;
    text_when(browser, "#live", |t| t == "live").await?;
    text_when(browser, "#requests-body", |t| t.contains("/api/alerts")).await?;
    save(&shots, "dashboard-phone.png", &browser.screenshot().await?);
    Ok(())
}

/// Runs `flow` in a fresh Chromium against the server `start` starts (neither starts, and the
/// test says SKIPPED, without Chromium); the browser closes before a failure is reported.
async fn in_chromium(
    test: &str,
    what: &str,
    start: impl AsyncFnOnce() -> MockServer,
    flow: impl AsyncFnOnce(&Session, &MockServer) -> Result,
) {
    let Some(session) = Session::start(test, "1280,900", &[]).await else {
        return;
    };
    let server = start().await;
    let result = flow(&session, &server).await;
    session.close().await;
    if let Err(err) = result {
        panic!("the {what} flow failed: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_follows_and_steers_the_mock_in_chromium() {
    let test = "the_dashboard_follows_and_steers_the_mock_in_chromium";
    // A frozen clock: only the page moves it.
    let start = async || common::auto_server_with(|b| b.freeze_clock(true)).await;
    in_chromium(test, "dashboard", start, steer).await;
    eprintln!("screenshots in {}", artifacts().display());
}

async fn ask_for_the_token(session: &Session, server: &MockServer) -> Result {
    let browser = &session.browser;
    browser.goto(&format!("{}/_mock/", server.base_url())).await?;
    // The page asks, and shows nothing of the mock without the token.
    text_when(browser, "#live", |t| t.contains("control token")).await?;
    let auth = element(browser, "#auth").await?;
    assert!(auth.is_displayed().await?, "the token prompt is shown");
    let (_, _) = sign_in(server, "profile").await?;
    let rows = browser.find_all(Locator::Css("#requests-body tr")).await?;
    assert!(rows.is_empty(), "nothing shown without the token");

    // A wrong token is refused by the mock.
    element(browser, "#auth-token").await?.send_keys("not-it").await?;
    click(browser, "#auth-form button").await?;
    text_when(browser, "#auth-error", |t| t.contains("refused")).await?;

    // The right one: the page is live, with the journal.
    let input = element(browser, "#auth-token").await?;
    input.clear().await?;
    input.send_keys("page-token").await?;
    click(browser, "#auth-form button").await?;
    text_when(browser, "#live", |t| t == "live").await?;
    text_when(browser, "#requests-body", |t| {
        t.contains("/api/developers/oauth2/token")
    })
    .await?;
    assert!(
        !browser.current_url().await?.as_str().contains("page-token"),
        "never in the URL"
    );
    save(&artifacts(), "dashboard-token.png", &browser.screenshot().await?);

    // Forgotten: asked again.
    click(browser, "#forget-token").await?;
    text_when(browser, "#live", |t| t.contains("control token")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_control_token_the_page_asks_for_it_and_shows_nothing_without_it() {
    let test = "with_a_control_token_the_page_asks_for_it_and_shows_nothing_without_it";
    let start =
        async || common::auto_server_with(|b| b.control(ControlAccess::Token("page-token".into()))).await;
    in_chromium(test, "token", start, ask_for_the_token).await;
}
