//! Cross-origin behaviour (behaviour.md §9): the token, token info, revoke and `/api/...` endpoints answer
//! browser preflights (ilert's PKCE web app calls them cross-origin); the authorize endpoint sends
//! no CORS headers at all (RFC 9700).

use reqwest::Method;

use super::Params;
use crate::case::{Area, Case, CaseResult, mock, rfc, run};
use crate::ctx::Cx;
use crate::req::Resp;
use crate::target::paths;

const ORIGIN: &str = "http://localhost:4597";

/// The CORS cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Cors;
    vec![
        Case::new(
            a,
            "CORS-AUTHORIZE-NONE-01",
            "GET authorize with an Origin gets no Access-Control-Allow-Origin",
            rfc("rfc9700 §4.16 (behaviour.md §9)"),
            run!(authorize_get),
        ),
        Case::new(
            a,
            "CORS-AUTHORIZE-NONE-02",
            "A preflight on authorize gets no Access-Control-Allow-Origin",
            rfc("rfc9700 §4.16 (behaviour.md §9)"),
            run!(authorize_preflight),
        ),
        Case::new(
            a,
            "CORS-TOKEN-PREFLIGHT-01",
            "A preflight on token allows the origin, POST and Content-Type",
            mock("behaviour.md §9 CORS"),
            run!(token_preflight),
        ),
        Case::new(
            a,
            "CORS-TOKEN-RESPONSE-01",
            "A cross-origin token answer carries Access-Control-Allow-Origin",
            mock("behaviour.md §9 CORS"),
            run!(token_response),
        ),
        Case::new(
            a,
            "CORS-TOKENINFO-PREFLIGHT-01",
            "A preflight on token_info allows the origin and POST",
            mock("behaviour.md §9 CORS"),
            run!(token_info_preflight),
        ),
        Case::new(
            a,
            "CORS-REVOKE-PREFLIGHT-01",
            "A preflight on revoke allows the origin and POST",
            mock("behaviour.md §9 CORS"),
            run!(revoke_preflight),
        ),
        Case::new(
            a,
            "CORS-API-PREFLIGHT-01",
            "A preflight on /api/users/current allows the origin, GET and Authorization",
            mock("behaviour.md §9 CORS"),
            run!(api_preflight),
        ),
    ]
}

async fn preflight(cx: &Cx, path: &str, method: &str, headers: &str) -> Result<Resp, crate::case::Stop> {
    cx.request(Method::OPTIONS, path)
        .header("origin", ORIGIN)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
}

fn allows(r: &Resp, method: &str, header: Option<&str>) -> CaseResult {
    let origin_ok = r
        .header("access-control-allow-origin")
        .is_some_and(|o| o == ORIGIN || o == "*");
    let method_ok = r
        .header("access-control-allow-methods")
        .is_some_and(|m| m.split(',').any(|x| x.trim().eq_ignore_ascii_case(method)));
    let header_ok = header.is_none_or(|h| {
        r.header("access-control-allow-headers")
            .is_some_and(|v| v.split(',').any(|x| x.trim().eq_ignore_ascii_case(h)))
    });
    r.ensure(
        (200..300).contains(&r.status) && origin_ok && method_ok && header_ok,
        format!(
            "2xx with Access-Control-Allow-Origin {ORIGIN}, Access-Control-Allow-Methods including {method}{}",
            header.map(|h| format!(", Access-Control-Allow-Headers including {h}")).unwrap_or_default()
        ),
    )?;
    Ok(())
}

async fn authorize_get(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile");
    cx.get(&format!(
        "{}?{}",
        paths::AUTHORIZE,
        crate::req::encode(&p.pairs())
    ))
    .header("origin", ORIGIN)
    .send()
    .await?
    .no_header("access-control-allow-origin")?;
    Ok(())
}

async fn authorize_preflight(cx: Cx) -> CaseResult {
    preflight(&cx, paths::AUTHORIZE, "GET", "content-type")
        .await?
        .no_header("access-control-allow-origin")?;
    Ok(())
}

async fn token_preflight(cx: Cx) -> CaseResult {
    let r = preflight(&cx, paths::TOKEN, "POST", "content-type").await?;
    allows(&r, "POST", Some("content-type"))
}

async fn token_response(cx: Cx) -> CaseResult {
    let r = cx
        .post(paths::TOKEN)
        .header("origin", ORIGIN)
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await?;
    r.ensure(
        r.header("access-control-allow-origin")
            .is_some_and(|o| o == ORIGIN || o == "*"),
        format!("Access-Control-Allow-Origin {ORIGIN}"),
    )?;
    Ok(())
}

async fn token_info_preflight(cx: Cx) -> CaseResult {
    let r = preflight(&cx, paths::TOKEN_INFO, "POST", "content-type").await?;
    allows(&r, "POST", None)
}

async fn revoke_preflight(cx: Cx) -> CaseResult {
    let r = preflight(&cx, paths::REVOKE, "POST", "content-type").await?;
    allows(&r, "POST", None)
}

async fn api_preflight(cx: Cx) -> CaseResult {
    let r = preflight(&cx, paths::CURRENT_USER, "GET", "authorization").await?;
    allows(&r, "GET", Some("authorization"))
}
