//! ilert's guide "Developing a Web or Native App with OAuth2 and PKCE" and the sample web app
//! (`iLert/sample-oauth2-app`, `public/sample-app.html`), with the backend guide's own client id
//! (on a mock without it, the suite's own app registered like it) and no client secret (behaviour.md §3, §7:
//! "public" is a property of the request, not of the app).
//!
//! The token requests are sent with the guide's exact bodies and headers (its `URLSearchParams`
//! field order, `Accept: application/json`, the page's `Origin`), so a server that only accepts
//! some other shape fails here. Next to them: the rules around the secret that the guide implies
//! (a secret that is sent must be right; no secret needs PKCE) and the mock's own choices (a
//! grant redeemed with the secret keeps needing it; `require_secret`).

use crate::case::{Area, Case, CaseResult, Stop, ilert, mock, run, tags};
use crate::ctx::Cx;
use crate::req::Resp;
use crate::steps::{Grant, Tokens, tokens_of};
use crate::target::{App, GUIDE_PKCE_CHALLENGE, GUIDE_PKCE_VERIFIER, paths};

const DOC_EXCHANGE: &str = "pkce-app §Turning a code into a token";
const DOC_REFRESH: &str = "pkce-app §Refreshing an access token";
const DOC_NO_REFRESH: &str =
    "pkce-app §Redirecting the user (no refresh token for PKCE-only clients without offline access)";
const DOC_REVOKE: &str =
    "pkce-app §Revoking a refresh token; sample-oauth2-app public/sample-app.html revokeToken()";
/// The guide's scopes.
const GUIDE_SCOPE: &str = "profile source:w offline_access";
/// Where the guide's page runs.
const WEBAPP_ORIGIN: &str = "http://localhost:4597";

/// The cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Token;
    vec![
        Case::new(a, "TOKEN-PKCE-GUIDE-01", "The PKCE guide's code exchange with the backend guide's client id: client_id, grant_type, code and code_verifier, no secret, trade for tokens; offline_access brings a refresh token", ilert(DOC_EXCHANGE), run!(guide_exchange)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-PKCE-GUIDE-02", "The PKCE guide's refresh: client_id, refresh_token and grant_type only", ilert(DOC_REFRESH), run!(guide_refresh)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-PKCE-GUIDE-03", "Without the secret and without offline_access no refresh token is issued", ilert(DOC_NO_REFRESH), run!(guide_no_offline)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-PKCE-GUIDE-04", "The sample web app's revoke (only `token`) stops the secret-less refresh grant", ilert(DOC_REVOKE), run!(guide_revoke)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-CLIENT-08", "A refresh without the secret for a grant whose code was redeemed with it: 401 invalid_client", mock("behaviour.md §3 (the mock's choice)"), run!(secret_bound)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-CLIENT-02", "No secret and no PKCE: 401 invalid_client, and the code stays usable", mock("behaviour.md §3, §7 (rfc6749 §3.2.1, §5.2)"), run!(err_no_secret_no_pkce)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-CLIENT-06", "A wrong secret beside the right code_verifier: 401 invalid_client", mock("behaviour.md §3 (rfc6749 §5.2)"), run!(err_wrong_secret_with_pkce)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-CLIENT-07", "An app with require_secret refuses a PKCE exchange without the secret: 401 invalid_client", mock("behaviour.md §3 require_secret"), run!(err_require_secret)).tags(tags::BROWSER),
    ]
}

/// A POST the way the guide's page sends it with axios: its body byte for byte, its headers.
async fn guide_post(cx: &Cx, path: &str, body: String) -> Result<Resp, Stop> {
    cx.post(path)
        .raw(Some("application/x-www-form-urlencoded"), body)
        .header("accept", "application/json")
        .header("origin", WEBAPP_ORIGIN)
        .send()
        .await
}

/// A code for the guide's app without secret, authorized like the guide (its scopes, its
/// redirect URI, `state=optional-state`, an S256 challenge of a guide-style verifier).
async fn guide_code(cx: &Cx, scope: &str) -> Result<String, Stop> {
    let app = cx.guide_app_without_secret();
    let user = cx.user("someTenant").await?;
    let mut grant = Grant::new(&app, &user, scope).pkce_with(GUIDE_PKCE_VERIFIER, GUIDE_PKCE_CHALLENGE);
    grant.state = Some("optional-state");
    cx.code(&grant).await
}

/// The guide's exchange body: `client_id`, `grant_type`, `code`, `code_verifier`, in that order.
fn exchange_body(cx: &Cx, code: &str) -> String {
    format!(
        "client_id={}&grant_type=authorization_code&code={code}&code_verifier={GUIDE_PKCE_VERIFIER}",
        cx.guide_app_without_secret().client_id
    )
}

/// Tokens the guide's way: authorize with PKCE and `scope`, exchange without the secret.
async fn guide_tokens(cx: &Cx, scope: &str) -> Result<Tokens, Stop> {
    let code = guide_code(cx, scope).await?;
    tokens_of(guide_post(cx, paths::TOKEN, exchange_body(cx, &code)).await?)
}

async fn guide_exchange(cx: Cx) -> CaseResult {
    let code = guide_code(&cx, GUIDE_SCOPE).await?;
    let r = guide_post(&cx, paths::TOKEN, exchange_body(&cx, &code)).await?;
    r.status_is(200)?;
    r.ensure(
        r.json["scope"] == GUIDE_SCOPE
            && r.json["refresh_token"].is_string()
            && r.json["refresh_token_expires_in"] == 31_536_000,
        "scope \"profile source:w offline_access\", a refresh_token, refresh_token_expires_in 31536000",
    )?;
    r.ensure(
        r.header("access-control-allow-origin") == Some(WEBAPP_ORIGIN),
        "Access-Control-Allow-Origin: http://localhost:4597 (the page reads the answer)",
    )?;
    Ok(())
}

/// The guide's refresh body: `client_id`, `refresh_token`, `grant_type`.
fn refresh_body(cx: &Cx, refresh_token: &str) -> String {
    format!(
        "client_id={}&refresh_token={refresh_token}&grant_type=refresh_token",
        cx.guide_app_without_secret().client_id
    )
}

async fn guide_refresh(cx: Cx) -> CaseResult {
    let tokens = guide_tokens(&cx, GUIDE_SCOPE).await?;
    let rt = tokens.refresh_token()?.to_owned();
    let r = guide_post(&cx, paths::TOKEN, refresh_body(&cx, &rt)).await?;
    r.status_is(200)?;
    r.ensure(
        r.json["access_token"].is_string() && r.json["scope"] == GUIDE_SCOPE,
        "a new access_token with the granted scope",
    )?;
    Ok(())
}

async fn guide_no_offline(cx: Cx) -> CaseResult {
    let code = guide_code(&cx, "profile source:w").await?;
    let r = guide_post(&cx, paths::TOKEN, exchange_body(&cx, &code)).await?;
    r.status_is(200)?;
    r.ensure(
        r.json.get("refresh_token").is_none() && r.json.get("refresh_token_expires_in").is_none(),
        "no refresh_token and no refresh_token_expires_in",
    )?;
    Ok(())
}

async fn guide_revoke(cx: Cx) -> CaseResult {
    let tokens = guide_tokens(&cx, GUIDE_SCOPE).await?;
    let rt = tokens.refresh_token()?.to_owned();
    guide_post(&cx, paths::REVOKE, format!("token={rt}"))
        .await?
        .status_is(200)?;
    guide_post(&cx, paths::TOKEN, refresh_body(&cx, &rt))
        .await?
        .refused_with("invalid_grant")?;
    Ok(())
}

/// A token request of `app` with only `grant_type`, `client_id` and `key=value` (no secret, no
/// verifier): 401 `invalid_client`. `key` is `code` or `refresh_token`, and names the grant.
async fn without_secret_refused(cx: &Cx, app: &App, key: &str, value: &str) -> CaseResult {
    let grant_type = if key == "code" { "authorization_code" } else { key };
    cx.token(&[
        ("grant_type", grant_type),
        ("client_id", &app.client_id),
        (key, value),
    ])
    .await?
    .token_error(401, "invalid_client")?;
    Ok(())
}

async fn secret_bound(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    if app.client_secret.is_none() {
        return Err(Stop::skip("needs the app's secret: pass --client-secret"));
    }
    let user = cx.user("someTenant").await?;
    let tokens = cx.grant(&Grant::new(&app, &user, "profile").pkce()).await?;
    let rt = tokens.refresh_token()?.to_owned();
    without_secret_refused(&cx, &app, "refresh_token", &rt).await?;
    cx.refresh(&app, &rt).await?.status_is(200)?;
    Ok(())
}

async fn err_no_secret_no_pkce(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.target().user.clone();
    let code = cx.code(&Grant::new(&app, &user, "profile")).await?;
    without_secret_refused(&cx, &app, "code", &code).await?;
    if app.client_secret.is_some() {
        cx.exchange(&app, &code, None).await?.status_is(200)?;
    }
    Ok(())
}

async fn err_wrong_secret_with_pkce(cx: Cx) -> CaseResult {
    let code = guide_code(&cx, "profile").await?;
    let body = format!("{}&client_secret=wrong-secret", exchange_body(&cx, &code));
    guide_post(&cx, paths::TOKEN, body)
        .await?
        .token_error(401, "invalid_client")?;
    Ok(())
}

async fn err_require_secret(cx: Cx) -> CaseResult {
    let app = cx.rotating_app();
    let user = cx.target().user.clone();
    let code = cx.code(&Grant::new(&app, &user, "profile").pkce()).await?;
    let without_secret = App {
        client_secret: None,
        ..app
    };
    cx.exchange(&without_secret, &code, Some(crate::target::PKCE_VERIFIER))
        .await?
        .token_error(401, "invalid_client")?;
    Ok(())
}
