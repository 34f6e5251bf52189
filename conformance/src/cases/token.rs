//! `POST /api/developers/oauth2/token` (behaviour.md §3, §7, §8, §9): both grants and their documented
//! shape and headers, single-use and short-lived codes, client authentication, PKCE, public apps,
//! the ten-grant limit, rotation, and every error row with its status and body shape.

use reqwest::Method;
use serde_json::json;

use crate::case::{Area, Case, CaseResult, Stop, ilert, mock, rfc, run, tags};
use crate::ctx::Cx;
use crate::req::Resp;
use crate::steps::{Grant, Tokens, client_form, tokens_of};
use crate::target::{App, PKCE_VERIFIER, paths};

const DOC_TOKEN: &str = "backend-app §In case of successful token generation";
const DOC_ERRORS: &str = "lifetimes §OAuth2 error codes overview";
const DOC_LIFETIMES: &str = "lifetimes §OAuth2 lifetimes and numbers";

/// The token endpoint cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Token;
    vec![
        Case::new(a, "TOKEN-CODE-GRANT-01", "A code trades for ilert's documented JSON: token_type, access_token, expires_in 3600, scope, refresh_token, refresh_token_expires_in 31536000", ilert(DOC_TOKEN), run!(code_grant_shape)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-NOSTORE-01", "The code grant's answer carries Cache-Control: no-store", rfc("rfc6749 §5.1"), run!(no_store_code)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-NOSTORE-02", "The refresh grant's answer carries Cache-Control: no-store", rfc("rfc6749 §5.1"), run!(no_store_refresh)).tags(tags::REFRESH),
        Case::new(a, "TOKEN-NOSTORE-03", "Error answers carry Cache-Control: no-store too", mock("behaviour.md §3 (rfc6749 §5.1 asks it for tokens)"), run!(no_store_error)).warning(),
        Case::new(a, "TOKEN-REFRESH-GRANT-01", "A refresh token trades for the documented JSON with the same scope", ilert("backend-app §Refreshing an access token"), run!(refresh_shape)).tags(tags::REFRESH),
        Case::new(a, "TOKEN-ROTATION-OFF-01", "Without rotation, the refresh grant returns the same refresh token, which keeps working", mock("behaviour.md §9 refresh rotation (default off)"), run!(rotation_off)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ROTATION-ON-01", "A rotating app gets a new refresh token; the old one is refused, the new one works", mock("behaviour.md §9 refresh rotation (per app)"), run!(rotation_on)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-CODE-SINGLE-USE-01", "A code is single use: the second redemption is refused with invalid_grant", ilert(DOC_LIFETIMES), run!(code_single_use)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-CODE-REUSE-REVOKES-01", "Reusing a code revokes the grant it produced (its refresh token is refused)", rfc("rfc6749 §4.1.2, rfc9700 §4.2.4"), run!(code_reuse_revokes)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-CODE-EXPIRY-01", "A code is refused (invalid_grant) 121 s after it was issued", ilert(DOC_LIFETIMES), run!(code_expired)).tags(tags::BROWSER).alone(),
        Case::new(a, "TOKEN-CODE-EXPIRY-02", "A code still works 119 s after it was issued", ilert(DOC_LIFETIMES), run!(code_not_yet_expired)).tags(tags::BROWSER).alone(),
        Case::new(a, "TOKEN-REFRESH-EXPIRY-01", "A refresh token is refused (invalid_grant) one year after it was issued", ilert(DOC_LIFETIMES), run!(refresh_expired)).tags(tags::BROWSER).alone(),
        Case::new(a, "TOKEN-CLIENT-AUTH-BASIC-01", "Client authentication with HTTP Basic is accepted", mock("behaviour.md §9 (rfc6749 §2.3.1)"), run!(basic_auth)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-CLIENT-AUTH-JSON-01", "A JSON body (the guide's Node.js snippets) is accepted", mock("behaviour.md §9 request bodies"), run!(json_body)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-CLIENT-AUTH-JSON-02", "JSON sent under the form content type (old axios) is accepted", mock("behaviour.md §9 request bodies"), run!(axios_body)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-REDIRECT-URI-01", "redirect_uri at the token endpoint is accepted when it equals the authorize one", mock("behaviour.md §9 (rfc6749 §4.1.3)"), run!(redirect_uri_matching)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-PKCE-01", "A backend app's S256 challenge with the right verifier trades for tokens", ilert("pkce-app §Turning a code into a token"), run!(pkce_backend)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-PUBLIC-01", "A public app trades its code with client_id and code_verifier only; no refresh token without offline_access", ilert("pkce-app §Turning a code into a token"), run!(public_app)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-PUBLIC-OFFLINE-01", "A public app asking for offline_access gets a refresh token and refreshes with client_id only", ilert("lifetimes §ilert OAuth2 scopes (offline_access)"), run!(public_offline)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-GRANT-LIMIT-01", "An 11th grant for the same app and user revokes the oldest; the other ten keep working", ilert(DOC_LIFETIMES), run!(grant_limit)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-REFRESH-SCOPE-01", "A refresh may narrow the scope", rfc("rfc6749 §6"), run!(refresh_narrow)).tags(tags::BROWSER),
        // Error rows (behaviour.md §8, §9): status and exact body shape.
        Case::new(a, "TOKEN-ERR-INVALID-REQUEST-01", "No grant_type: 400 invalid_request", ilert(DOC_ERRORS), run!(err_no_grant_type)),
        Case::new(a, "TOKEN-ERR-INVALID-REQUEST-02", "authorization_code without code: 400 invalid_request", ilert(DOC_ERRORS), run!(err_no_code)),
        Case::new(a, "TOKEN-ERR-INVALID-REQUEST-03", "refresh_token grant without refresh_token: 400 invalid_request", ilert(DOC_ERRORS), run!(err_no_refresh_token)),
        Case::new(a, "TOKEN-ERR-INVALID-REQUEST-04", "A repeated parameter: 400 invalid_request", rfc("rfc6749 §3.2"), run!(err_repeated)),
        Case::new(a, "TOKEN-ERR-INVALID-REQUEST-05", "A text/plain body: 400 invalid_request", mock("behaviour.md §9 request bodies"), run!(err_text_plain)),
        Case::new(a, "TOKEN-ERR-INVALID-REQUEST-06", "Client credentials both in Basic and in the body: 400 invalid_request", rfc("rfc6749 §2.3"), run!(err_two_auth_methods)),
        Case::new(a, "TOKEN-ERR-INVALID-REQUEST-07", "A malformed code_verifier (too short): 400 invalid_request", rfc("rfc7636 §4.1"), run!(err_short_verifier)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-UNSUPPORTED-GRANT-01", "grant_type=password: 400 unsupported_grant_type", ilert(DOC_ERRORS), run!(err_password)),
        Case::new(a, "TOKEN-ERR-UNSUPPORTED-GRANT-02", "grant_type=client_credentials: 400 unsupported_grant_type", ilert(DOC_ERRORS), run!(err_client_credentials)),
        Case::new(a, "TOKEN-ERR-INVALID-GRANT-01", "An unknown code: 401 {\"code\":\"invalid_grant\",\"error\":\"Provided code is unknown\"}", ilert("backend-app §Turning a code into a token / In case of an error"), run!(err_unknown_code)),
        Case::new(a, "TOKEN-ERR-INVALID-GRANT-02", "A malformed refresh token: 401 invalid_grant", ilert(DOC_ERRORS), run!(err_garbage_refresh)),
        Case::new(a, "TOKEN-ERR-INVALID-GRANT-03", "A code with an S256 challenge and a wrong verifier: 401 invalid_grant", mock("behaviour.md §9 PKCE (rfc7636 §4.6)"), run!(err_wrong_verifier)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-GRANT-04", "A code with a challenge and no verifier: 401 invalid_grant", mock("behaviour.md §9 PKCE (rfc7636 §4.6)"), run!(err_missing_verifier)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-GRANT-05", "A verifier for a code without challenge: 401 invalid_grant", mock("behaviour.md §9 PKCE (rfc9700 §2.1.1)"), run!(err_unexpected_verifier)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-GRANT-06", "A redirect_uri differing from the authorize one: 401 invalid_grant", mock("behaviour.md §9 (rfc6749 §4.1.3)"), run!(err_redirect_mismatch)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-GRANT-07", "An access token sent as refresh_token: 401 invalid_grant", ilert(DOC_ERRORS), run!(err_access_as_refresh)).tags(tags::TOKEN),
        Case::new(a, "TOKEN-ERR-INVALID-GRANT-08", "Another app's refresh token: 401 invalid_grant", rfc("rfc6749 §6"), run!(err_foreign_refresh)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-GRANT-09", "A code issued to another app: 401 invalid_grant", rfc("rfc6749 §4.1.3"), run!(err_foreign_code)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-SCOPE-01", "A refresh asking for more scope than granted: 400 invalid_scope", ilert(DOC_ERRORS), run!(err_widen_scope)).tags(tags::BROWSER),
        Case::new(a, "TOKEN-ERR-INVALID-CLIENT-01", "A wrong client_secret: 401 invalid_client", mock("behaviour.md §9 (rfc6749 §5.2)"), run!(err_wrong_secret)),
        Case::new(a, "TOKEN-ERR-INVALID-CLIENT-03", "An unknown client_id: 401 invalid_client", mock("behaviour.md §9 (rfc6749 §5.2)"), run!(err_unknown_client)),
        Case::new(a, "TOKEN-ERR-INVALID-CLIENT-04", "Wrong HTTP Basic credentials: 401 invalid_client with WWW-Authenticate: Basic", rfc("rfc6749 §5.2"), run!(err_wrong_basic)),
        Case::new(a, "TOKEN-ERR-INVALID-CLIENT-05", "A public app presenting a secret: 401 invalid_client", mock("behaviour.md §9 (rfc6749 §2.1)"), run!(err_public_with_secret)).tags(tags::MOCK),
        Case::new(a, "TOKEN-ERR-SERVER-ERROR-01", "server_error is 500 in the same {code, error} shape (provoked with /_mock/faults)", mock("behaviour.md §8 server_error, §11 faults"), run!(err_server_error)).tags(tags::MOCK).alone(),
    ]
}

/// A code for the target app and a user of the case's own.
async fn own_code(cx: &Cx, scope: &str) -> Result<(App, String), Stop> {
    let app = cx.target().app.clone();
    let user = cx.user("someTenant").await?;
    let code = cx.code(&Grant::new(&app, &user, scope)).await?;
    Ok((app, code))
}

/// A code for the target app and the target user (for cases that keep no refresh token).
async fn shared_code(cx: &Cx, scope: &str) -> Result<(App, String), Stop> {
    let app = cx.target().app.clone();
    let user = cx.target().user.clone();
    let code = cx.code(&Grant::new(&app, &user, scope)).await?;
    Ok((app, code))
}

/// Exchanges a fresh PKCE code of the target's app with `verifier` (none: no `code_verifier`).
async fn pkce_exchange(cx: &Cx, verifier: Option<&str>) -> Result<Resp, Stop> {
    let app = cx.target().app.clone();
    let user = cx.target().user.clone();
    let code = cx.code(&Grant::new(&app, &user, "profile").pkce()).await?;
    cx.exchange(&app, &code, verifier).await
}

/// The refresh grant of the target's app with `token` as the refresh token.
async fn app_refresh(cx: &Cx, token: &str) -> Result<Resp, Stop> {
    let app = cx.target().app.clone();
    cx.refresh(&app, token).await
}

/// A refresh token: a fresh grant on the mock, the supplied one elsewhere.
async fn some_refresh(cx: &Cx, scope: &str) -> Result<(App, String, String), Stop> {
    if !cx.has_control() {
        let rt = cx
            .target()
            .refresh_token
            .clone()
            .ok_or_else(|| Stop::skip("needs a refresh token: pass --refresh-token"))?;
        return Ok((cx.target().app.clone(), rt, String::new()));
    }
    let (app, tokens) = cx.refresh_grant(scope).await?;
    let rt = tokens.refresh_token()?.to_owned();
    let granted = tokens.response.json["scope"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok((app, rt, granted))
}

const SUCCESS_MEMBERS: [&str; 6] = [
    "token_type",
    "access_token",
    "expires_in",
    "scope",
    "refresh_token",
    "refresh_token_expires_in",
];

async fn code_grant_shape(cx: Cx) -> CaseResult {
    let (app, code) = shared_code(&cx, "profile source:w").await?;
    let r = cx.exchange(&app, &code, None).await?;
    r.status_is(200)?;
    r.ensure(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "Content-Type: application/json",
    )?;
    r.keys_are(&SUCCESS_MEMBERS)?;
    let j = &r.json;
    r.ensure(
        j["token_type"] == "Bearer"
            && j["expires_in"] == 3600
            && j["scope"] == "profile source:w"
            && j["refresh_token_expires_in"] == 31_536_000
            && j["access_token"].is_string()
            && j["refresh_token"].is_string(),
        "token_type \"Bearer\", expires_in 3600, scope \"profile source:w\", refresh_token_expires_in 31536000",
    )?;
    Ok(())
}

/// A 200 that must not be cached (RFC 6749 §5.1).
fn ok_no_store(r: &Resp) -> CaseResult {
    r.status_is(200)?;
    r.header_is("cache-control", "no-store")?;
    Ok(())
}

async fn no_store_code(cx: Cx) -> CaseResult {
    let (app, code) = shared_code(&cx, "profile").await?;
    ok_no_store(&cx.exchange(&app, &code, None).await?)
}

async fn no_store_refresh(cx: Cx) -> CaseResult {
    let (app, rt, _) = some_refresh(&cx, "profile").await?;
    ok_no_store(&cx.refresh(&app, &rt).await?)
}

async fn no_store_error(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let r = cx
        .token(&client_form(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", "0000000000000000000000000000"),
            ],
        ))
        .await?;
    r.header_is("cache-control", "no-store")?;
    Ok(())
}

async fn refresh_shape(cx: Cx) -> CaseResult {
    let (app, rt, granted) = some_refresh(&cx, "profile source:w").await?;
    let r = cx.refresh(&app, &rt).await?;
    r.status_is(200)?;
    let j = &r.json;
    let members_ok = j.as_object().is_some_and(|o| {
        let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut want = SUCCESS_MEMBERS.to_vec();
        want.sort_unstable();
        keys == want
    });
    let lifetime_ok = j["refresh_token_expires_in"]
        .as_i64()
        .is_some_and(|s| s > 0 && s <= 31_536_000);
    let scope_ok = granted.is_empty() || j["scope"] == granted.as_str();
    r.ensure(
        members_ok && j["token_type"] == "Bearer" && j["expires_in"] == 3600 && lifetime_ok && scope_ok,
        "the six documented members; token_type Bearer, expires_in 3600, the granted scope, 0 < refresh_token_expires_in <= 31536000",
    )?;
    Ok(())
}

async fn rotation_off(cx: Cx) -> CaseResult {
    let (app, tokens) = cx.refresh_grant("profile").await?;
    let rt = tokens.refresh_token()?.to_owned();
    let first = cx.refresh(&app, &rt).await?;
    first.status_is(200)?;
    first.ensure(
        first.json["refresh_token"] == rt.as_str(),
        "the same refresh_token back (no rotation)",
    )?;
    let second = cx.refresh(&app, &rt).await?;
    second.status_is(200)?;
    Ok(())
}

async fn rotation_on(cx: Cx) -> CaseResult {
    let app = cx.rotating_app();
    let user = cx.user("someTenant").await?;
    let tokens = cx.grant(&Grant::new(&app, &user, "profile")).await?;
    let old = tokens.refresh_token()?.to_owned();
    let r = cx.refresh(&app, &old).await?;
    r.status_is(200)?;
    let new = r.str_field("refresh_token")?;
    r.ensure(new != old, "a new refresh_token (rotation)")?;
    cx.refresh(&app, &old).await?.refused_with("invalid_grant")?;
    cx.refresh(&app, &new).await?.status_is(200)?;
    Ok(())
}

async fn code_single_use(cx: Cx) -> CaseResult {
    let (app, code) = shared_code(&cx, "profile").await?;
    cx.exchange(&app, &code, None).await?.status_is(200)?;
    cx.exchange(&app, &code, None)
        .await?
        .refused_with("invalid_grant")?;
    Ok(())
}

async fn code_reuse_revokes(cx: Cx) -> CaseResult {
    let (app, code) = own_code(&cx, "profile").await?;
    let first = tokens_of(cx.exchange(&app, &code, None).await?)?;
    let rt = first.refresh_token()?.to_owned();
    let _second = cx.exchange(&app, &code, None).await?;
    cx.refresh(&app, &rt).await?.refused_with("invalid_grant")?;
    Ok(())
}

async fn code_expired(cx: Cx) -> CaseResult {
    let (app, code) = shared_code(&cx, "profile").await?;
    cx.advance_clock(121).await?;
    cx.exchange(&app, &code, None)
        .await?
        .refused_with("invalid_grant")?;
    Ok(())
}

async fn code_not_yet_expired(cx: Cx) -> CaseResult {
    let (app, code) = shared_code(&cx, "profile").await?;
    cx.advance_clock(119).await?;
    cx.exchange(&app, &code, None).await?.status_is(200)?;
    Ok(())
}

async fn refresh_expired(cx: Cx) -> CaseResult {
    let (app, tokens) = cx.refresh_grant("profile").await?;
    let rt = tokens.refresh_token()?.to_owned();
    cx.advance_clock(31_536_000).await?;
    cx.refresh(&app, &rt).await?.refused_with("invalid_grant")?;
    Ok(())
}

async fn basic_auth(cx: Cx) -> CaseResult {
    let (app, code) = shared_code(&cx, "profile").await?;
    let r = cx
        .post(paths::TOKEN)
        .basic(&app.client_id, app.secret())
        .form(&[("grant_type", "authorization_code"), ("code", &code)])
        .send()
        .await?;
    r.status_is(200)?;
    Ok(())
}

async fn json_body(cx: Cx) -> CaseResult {
    let (app, code) = shared_code(&cx, "profile").await?;
    let body = json!({"client_id": app.client_id, "client_secret": app.secret(), "code": code, "grant_type": "authorization_code"});
    cx.post(paths::TOKEN).json(body).send().await?.status_is(200)?;
    Ok(())
}

async fn axios_body(cx: Cx) -> CaseResult {
    let (app, code) = shared_code(&cx, "profile").await?;
    let body = json!({"client_id": app.client_id, "client_secret": app.secret(), "code": code, "grant_type": "authorization_code"});
    cx.post(paths::TOKEN)
        .raw(Some("application/x-www-form-urlencoded"), body.to_string())
        .send()
        .await?
        .status_is(200)?;
    Ok(())
}

async fn redirect_uri_matching(cx: Cx) -> CaseResult {
    let (app, code) = shared_code(&cx, "profile").await?;
    let form = client_form(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &app.redirect_uri),
        ],
    );
    cx.token(&form).await?.status_is(200)?;
    Ok(())
}

async fn pkce_backend(cx: Cx) -> CaseResult {
    pkce_exchange(&cx, Some(PKCE_VERIFIER)).await?.status_is(200)?;
    Ok(())
}

async fn public_app(cx: Cx) -> CaseResult {
    let app = cx.public_app();
    let user = cx.target().user.clone();
    let code = cx.code(&Grant::new(&app, &user, "profile").pkce()).await?;
    let r = cx.exchange(&app, &code, Some(PKCE_VERIFIER)).await?;
    r.status_is(200)?;
    r.ensure(
        r.json.get("refresh_token").is_none() && r.json.get("refresh_token_expires_in").is_none(),
        "no refresh_token (the app is public and did not ask for offline_access)",
    )?;
    Ok(())
}

async fn public_offline(cx: Cx) -> CaseResult {
    let app = cx.public_app();
    let user = cx.user("someTenant").await?;
    let code = cx
        .code(&Grant::new(&app, &user, "profile offline_access").pkce())
        .await?;
    let r = cx.exchange(&app, &code, Some(PKCE_VERIFIER)).await?;
    let tokens = tokens_of(r)?;
    let rt = tokens.refresh_token()?.to_owned();
    cx.refresh(&app, &rt).await?.status_is(200)?;
    Ok(())
}

async fn grant_limit(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.user("someTenant").await?;
    let mut refresh_tokens = Vec::new();
    for _ in 0..11 {
        let t: Tokens = cx.grant(&Grant::new(&app, &user, "profile")).await?;
        refresh_tokens.push(t.refresh_token()?.to_owned());
    }
    let mut iter = refresh_tokens.iter();
    if let Some(oldest) = iter.next() {
        cx.refresh(&app, oldest).await?.refused_with("invalid_grant")?;
    }
    for rt in iter {
        cx.refresh(&app, rt).await?.status_is(200)?;
    }
    Ok(())
}

async fn refresh_narrow(cx: Cx) -> CaseResult {
    let (app, tokens) = cx.refresh_grant("profile source:w").await?;
    let rt = tokens.refresh_token()?.to_owned();
    let r = cx
        .token(&client_form(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("scope", "profile"),
            ],
        ))
        .await?;
    r.status_is(200)?;
    r.ensure(r.json["scope"] == "profile", "scope \"profile\"")?;
    Ok(())
}

// --- error rows -------------------------------------------------------------------------------

/// Posts the target app's credentials and `fields` to the token endpoint.
async fn app_form(cx: &Cx, fields: &[(&str, &str)]) -> Result<Resp, Stop> {
    let app = cx.target().app.clone();
    cx.token(&client_form(&app, fields)).await
}

/// The error rows: `name(cx) => status "code" { request }` becomes `async fn name(cx: Cx) ->
/// CaseResult` that sends the request (the block's value, a `Result<Resp, Stop>`) and expects
/// ilert's `{code, error}` answer with that status and code (behaviour.md §8); `, then(r) { … }`
/// checks more of the answer `r`.
macro_rules! refused_cases {
    ($($name:ident($cx:ident) => $status:literal $code:literal $send:block $(, then($r:ident) $then:block)?)*) => {
        $(
            async fn $name($cx: Cx) -> CaseResult {
                let answer: Resp = $send?;
                answer.token_error($status, $code)?;
                $(
                    let $r = &answer;
                    $then
                )?
                Ok(())
            }
        )*
    };
}

const NO_CODE: &str = "0000000000000000000000000000";

refused_cases! {
    err_no_grant_type(cx) => 400 "invalid_request" { app_form(&cx, &[("code", NO_CODE)]).await }
    err_no_code(cx) => 400 "invalid_request" {
        app_form(&cx, &[("grant_type", "authorization_code")]).await
    }
    err_no_refresh_token(cx) => 400 "invalid_request" {
        app_form(&cx, &[("grant_type", "refresh_token")]).await
    }
    err_repeated(cx) => 400 "invalid_request" {
        let fields = [
            ("grant_type", "authorization_code"),
            ("code", NO_CODE),
            ("code", "1111111111111111111111111111"),
        ];
        app_form(&cx, &fields).await
    }
    err_text_plain(cx) => 400 "invalid_request" {
        let app = cx.target().app.clone();
        let form = client_form(&app, &[("grant_type", "authorization_code"), ("code", "x")]);
        cx.post(paths::TOKEN).raw(Some("text/plain"), crate::req::encode(&form)).send().await
    }
    err_two_auth_methods(cx) => 400 "invalid_request" {
        let app = cx.target().app.clone();
        let form = client_form(&app, &[("grant_type", "authorization_code"), ("code", NO_CODE)]);
        cx.post(paths::TOKEN).basic(&app.client_id, app.secret()).form(&form).send().await
    }
    err_short_verifier(cx) => 400 "invalid_request" { pkce_exchange(&cx, Some("tooshort")).await }
    err_password(cx) => 400 "unsupported_grant_type" {
        app_form(&cx, &[("grant_type", "password"), ("username", "someUser"), ("password", "x")]).await
    }
    err_client_credentials(cx) => 400 "unsupported_grant_type" {
        app_form(&cx, &[("grant_type", "client_credentials")]).await
    }
    err_unknown_code(cx) => 401 "invalid_grant" {
        app_form(&cx, &[("grant_type", "authorization_code"), ("code", "a74e0a0bfbfefbe62ab94a60942e")]).await
    }, then(r) {
        r.body_is(&json!({"code": "invalid_grant", "error": "Provided code is unknown"}))?;
    }
    err_garbage_refresh(cx) => 401 "invalid_grant" { app_refresh(&cx, "not-a-refresh-token").await }
    err_wrong_verifier(cx) => 401 "invalid_grant" {
        pkce_exchange(&cx, Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX")).await
    }
    err_missing_verifier(cx) => 401 "invalid_grant" { pkce_exchange(&cx, None).await }
    err_unexpected_verifier(cx) => 401 "invalid_grant" {
        let (app, code) = shared_code(&cx, "profile").await?;
        cx.exchange(&app, &code, Some(PKCE_VERIFIER)).await
    }
    err_redirect_mismatch(cx) => 401 "invalid_grant" {
        let (_, code) = shared_code(&cx, "profile").await?;
        let other = crate::target::WEBAPP_REDIRECT_URI;
        app_form(&cx, &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", other)]).await
    }
    err_access_as_refresh(cx) => 401 "invalid_grant" {
        let access = cx.access_token("profile").await?;
        app_refresh(&cx, &access).await
    }
    err_foreign_refresh(cx) => 401 "invalid_grant" {
        let (_, tokens) = cx.refresh_grant("profile").await?;
        cx.refresh(&cx.rotating_app(), tokens.refresh_token()?).await
    }
    err_foreign_code(cx) => 401 "invalid_grant" {
        let (_, code) = shared_code(&cx, "profile").await?;
        cx.exchange(&cx.rotating_app(), &code, None).await
    }
    err_widen_scope(cx) => 400 "invalid_scope" {
        let (app, tokens) = cx.refresh_grant("profile").await?;
        let fields = [
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens.refresh_token()?),
            ("scope", "profile source:d"),
        ];
        cx.token(&client_form(&app, &fields)).await
    }
    err_wrong_secret(cx) => 401 "invalid_client" {
        let app = cx.target().app.clone();
        wrong_secret(&cx, "authorization_code", &app.client_id, ("code", NO_CODE)).await
    }
    err_unknown_client(cx) => 401 "invalid_client" {
        wrong_secret(&cx, "authorization_code", "00000000000000000000", ("code", NO_CODE)).await
    }
    err_wrong_basic(cx) => 401 "invalid_client" {
        let app = cx.target().app.clone();
        let form = [("grant_type", "authorization_code"), ("code", NO_CODE)];
        cx.post(paths::TOKEN).basic(&app.client_id, "wrong-secret").form(&form).send().await
    }, then(r) {
        r.ensure(
            r.header("www-authenticate").is_some_and(|v| v.starts_with("Basic")),
            "WWW-Authenticate: Basic … (rfc6749 §5.2)",
        )?;
    }
    err_public_with_secret(cx) => 401 "invalid_client" {
        let app = cx.public_app();
        wrong_secret(&cx, "refresh_token", &app.client_id, ("refresh_token", "not-a-refresh-token")).await
    }
    err_server_error(cx) => 500 "server_error" {
        let fault = cx
            .control(Method::POST, "/_mock/faults")
            .json(json!({"endpoint": "token", "times": 1, "status": 500}))
            .send()
            .await?;
        if fault.status != 201 {
            return Err(fault.fail("POST /_mock/faults queues a fault"));
        }
        app_form(&cx, &[("grant_type", "authorization_code"), ("code", NO_CODE)]).await
    }
}

/// `grant_type` for `client_id` with a client secret that is not its own, and `grant` (the code
/// or the refresh token).
async fn wrong_secret(cx: &Cx, grant_type: &str, client_id: &str, grant: (&str, &str)) -> Result<Resp, Stop> {
    let form = [
        ("grant_type", grant_type),
        ("client_id", client_id),
        ("client_secret", "wrong-secret"),
        grant,
    ];
    cx.token(&form).await
}
