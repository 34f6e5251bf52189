//! `POST /api/developers/oauth2/revoke` (behaviour.md §5, §9): revoking ends the refresh grant but not
//! the access tokens already issued; unknown tokens answer alike; the user can revoke too.

use reqwest::Method;
use serde_json::json;

use crate::case::{Area, Case, CaseResult, ilert, rfc, run, tags};
use crate::ctx::Cx;
use crate::target::paths;

const DOC_REVOKE: &str = "backend-app §Revoking a refresh token";

/// The revoke cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Revoke;
    vec![
        Case::new(a, "REVOKE-REFRESH-01", "Revoking a refresh token answers 200 with an empty body; the refresh grant then answers invalid_grant", ilert(DOC_REVOKE), run!(revoke_refresh)).tags(tags::BROWSER),
        Case::new(a, "REVOKE-ACCESS-STAYS-01", "After revoking, the current access token works until it expires", ilert(DOC_REVOKE), run!(access_stays)).tags(tags::BROWSER),
        Case::new(a, "REVOKE-UNKNOWN-01", "An unknown token answers 200 with an empty body as well", rfc("rfc7009 §2.2 (behaviour.md §9)"), run!(unknown)),
        Case::new(a, "REVOKE-ERR-MISSING-01", "No token field: 400 invalid_request in the {code, error} shape", rfc("rfc7009 §2.1 (behaviour.md §9)"), run!(missing)),
        Case::new(a, "REVOKE-USER-01", "When the user revokes the app, its refresh tokens answer invalid_grant", ilert("understanding-oauth2 §Refreshing access_token (the user can revoke)"), run!(user_revokes)).tags(tags::BROWSER),
    ]
}

async fn revoke_refresh(cx: Cx) -> CaseResult {
    let (app, tokens) = cx.refresh_grant("profile").await?;
    let rt = tokens.refresh_token()?.to_owned();
    let r = cx.post(paths::REVOKE).form(&[("token", &rt)]).send().await?;
    r.status_is(200)?;
    r.body_empty()?;
    cx.refresh(&app, &rt).await?.refused_with("invalid_grant")?;
    Ok(())
}

async fn access_stays(cx: Cx) -> CaseResult {
    let (_, tokens) = cx.refresh_grant("profile").await?;
    let rt = tokens.refresh_token()?.to_owned();
    cx.post(paths::REVOKE)
        .form(&[("token", &rt)])
        .send()
        .await?
        .status_is(200)?;
    cx.api_get(paths::CURRENT_USER, &tokens.access)
        .await?
        .status_is(200)?;
    Ok(())
}

async fn unknown(cx: Cx) -> CaseResult {
    let r = cx
        .post(paths::REVOKE)
        .form(&[("token", "unknown-token")])
        .send()
        .await?;
    r.status_is(200)?;
    r.body_empty()?;
    Ok(())
}

async fn missing(cx: Cx) -> CaseResult {
    super::empty_form_refused(&cx, paths::REVOKE).await
}

async fn user_revokes(cx: Cx) -> CaseResult {
    let (app, tokens) = cx.refresh_grant("profile").await?;
    let rt = tokens.refresh_token()?.to_owned();
    let user = crate::jwt::decode(&tokens.access)
        .and_then(|d| d.claims["il_u"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let r = cx
        .control(Method::POST, "/_mock/grants/revoke")
        .json(json!({"app": app.client_id, "user": user}))
        .recorded()
        .send()
        .await?;
    r.ensure(
        r.status == 200 && r.json["revoked"] == 1,
        "the mock revokes the user's one grant",
    )?;
    cx.refresh(&app, &rt).await?.refused_with("invalid_grant")?;
    Ok(())
}
