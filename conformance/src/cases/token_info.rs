//! `POST /api/developers/oauth2/token_info` (behaviour.md §5, §9): the documented answer for access
//! tokens, `{"active": false}` for anything else, and its errors.

use serde_json::json;

use crate::case::{Area, Case, CaseResult, Stop, ilert, mock, rfc, run, tags};
use crate::ctx::Cx;
use crate::jwt;
use crate::req::Resp;
use crate::steps::Grant;
use crate::target::{DEFAULT_USER, paths};

const DOC_INFO: &str = "backend-app §Accessing token information";

/// The token info cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::TokenInfo;
    vec![
        Case::new(
            a,
            "TOKENINFO-ACTIVE-01",
            "An access token: 200 {active, tenant_id, username, scope, app_id} matching its claims",
            ilert(DOC_INFO),
            run!(active),
        )
        .tags(tags::TOKEN),
        Case::new(
            a,
            "TOKENINFO-NOSTORE-01",
            "token_info answers carry Cache-Control: no-store",
            mock("behaviour.md §9 (rfc6749 §5.1 by analogy)"),
            run!(no_store),
        )
        .tags(tags::TOKEN)
        .warning(),
        Case::new(
            a,
            "TOKENINFO-JSON-01",
            "A JSON body {\"token\": …} is accepted (the guide's Node.js snippet)",
            mock("behaviour.md §9 request bodies"),
            run!(json_body),
        )
        .tags(tags::TOKEN),
        Case::new(
            a,
            "TOKENINFO-INACTIVE-01",
            "A refresh token: 200 {\"active\": false} (access tokens only)",
            mock("behaviour.md §9 (rfc7662 §2.2)"),
            run!(refresh_token),
        )
        .tags(tags::REFRESH),
        Case::new(
            a,
            "TOKENINFO-INACTIVE-02",
            "A malformed token: 200 {\"active\": false}",
            mock("behaviour.md §9 (rfc7662 §2.2)"),
            run!(malformed),
        ),
        Case::new(
            a,
            "TOKENINFO-INACTIVE-03",
            "An expired access token: 200 {\"active\": false}",
            mock("behaviour.md §9 (rfc7662 §2.2)"),
            run!(expired),
        )
        .tags(tags::BROWSER)
        .alone(),
        Case::new(
            a,
            "TOKENINFO-ERR-MISSING-01",
            "No token field: 400 invalid_request in the {code, error} shape",
            rfc("rfc7662 §2.1 (behaviour.md §9)"),
            run!(missing),
        ),
    ]
}

/// `POST token_info` of `token` (a form).
async fn introspect(cx: &Cx, token: &str) -> Result<Resp, Stop> {
    cx.post(paths::TOKEN_INFO).form(&[("token", token)]).send().await
}

/// `token` is not an active access token: 200 with exactly `{"active": false}`.
async fn inactive(cx: &Cx, token: &str) -> CaseResult {
    let r = introspect(cx, token).await?;
    r.status_is(200)?;
    r.body_is(&json!({"active": false}))?;
    Ok(())
}

async fn active(cx: Cx) -> CaseResult {
    let token = cx.access_token("profile source:w").await?;
    let claims = jwt::decode(&token).map(|d| d.claims).unwrap_or_default();
    let r = introspect(&cx, &token).await?;
    r.status_is(200)?;
    r.keys_are(&["active", "tenant_id", "username", "scope", "app_id"])?;
    let j = &r.json;
    let tenant_ok = if cx.has_control() && cx.target().user == DEFAULT_USER {
        j["tenant_id"] == "someTenant"
    } else {
        j["tenant_id"].as_str().is_some_and(|t| !t.is_empty())
    };
    r.ensure(
        j["active"] == true
            && j["username"] == claims["il_u"]
            && j["scope"] == claims["il_s"]
            && j["app_id"] == claims["il_a"]
            && tenant_ok,
        "active true, username = il_u, scope = il_s, app_id = il_a, tenant_id the user's tenant",
    )?;
    Ok(())
}

async fn no_store(cx: Cx) -> CaseResult {
    let token = cx.access_token("profile").await?;
    introspect(&cx, &token)
        .await?
        .header_is("cache-control", "no-store")?;
    Ok(())
}

async fn json_body(cx: Cx) -> CaseResult {
    let token = cx.access_token("profile").await?;
    let r = cx
        .post(paths::TOKEN_INFO)
        .json(json!({"token": token}))
        .send()
        .await?;
    r.ensure(
        r.status == 200 && r.json["active"] == true,
        "200 with active true",
    )?;
    Ok(())
}

async fn refresh_token(cx: Cx) -> CaseResult {
    let rt = if cx.has_control() {
        let app = cx.target().app.clone();
        let user = cx.target().user.clone();
        cx.grant(&Grant::new(&app, &user, "profile"))
            .await?
            .refresh_token()?
            .to_owned()
    } else {
        cx.target().refresh_token.clone().unwrap_or_default()
    };
    inactive(&cx, &rt).await
}

async fn malformed(cx: Cx) -> CaseResult {
    inactive(&cx, "a.b.c").await
}

async fn expired(cx: Cx) -> CaseResult {
    let token = cx.access_token("profile").await?;
    cx.advance_clock(3601).await?;
    inactive(&cx, &token).await
}

async fn missing(cx: Cx) -> CaseResult {
    super::empty_form_refused(&cx, paths::TOKEN_INFO).await
}
