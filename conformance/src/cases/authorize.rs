//! `GET/POST /api/developers/oauth2/authorize` (behaviour.md §2, §9): the grant view, the redirect with
//! a code, `state`, exact redirect-URI matching (its variants in `redirect_exact`), error pages versus
//! error redirects, scopes, PKCE methods and tenant hosts.

use super::Params;
use crate::case::{Area, Case, CaseResult, Stop, ilert, mock, rfc, run, tags};
use crate::ctx::Cx;
use crate::req::Resp;
use crate::steps::{Decision, Grant};
use crate::target::PKCE_CHALLENGE;

/// The authorize cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Authorize;
    let mut cases = vec![
        Case::new(
            a,
            "AUTHZ-GRANT-VIEW-01",
            "A valid request shows the grant view (HTML 200, Grant and Deny), not a redirect",
            ilert("backend-app §User grant view"),
            run!(grant_view),
        )
        .tags(tags::MOCK),
        Case::new(
            a,
            "AUTHZ-FRAMING-01",
            "The grant view cannot be framed (X-Frame-Options DENY or CSP frame-ancestors)",
            rfc("rfc6749 §10.13, rfc9700 §4.16"),
            run!(framing),
        )
        .tags(tags::MOCK)
        .warning(),
        Case::new(
            a,
            "AUTHZ-CODE-01",
            "Consent redirects 302 Found to the exact redirect_uri with a 28-hex code",
            ilert("backend-app §In case of successful authorization"),
            run!(code_redirect),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "AUTHZ-CODE-02",
            "The app's second registered redirect URI works as well",
            ilert("backend-app §Redirecting the user"),
            run!(second_redirect_uri),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "AUTHZ-STATE-01",
            "state comes back verbatim (JSON with &, ?, space and +)",
            rfc("rfc6749 §4.1.2"),
            run!(state_verbatim),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "AUTHZ-STATE-02",
            "state is omitted from the redirect when it was not sent",
            rfc("rfc6749 §4.1.2"),
            run!(state_omitted),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "AUTHZ-STATE-03",
            "An error redirect carries state",
            rfc("rfc6749 §4.1.2.1"),
            run!(state_on_error),
        ),
        Case::new(
            a,
            "AUTHZ-STATE-04",
            "access_denied carries state",
            rfc("rfc6749 §4.1.2.1"),
            run!(state_on_deny),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "AUTHZ-DENY-01",
            "Deny redirects with error=access_denied and no code",
            ilert("backend-app §In case of an error"),
            run!(deny),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "AUTHZ-REDIRECT-MISSING-01",
            "A missing redirect_uri gets an error page, never a redirect",
            rfc("rfc6749 §4.1.2.1 (behaviour.md §9)"),
            run!(redirect_missing),
        ),
        Case::new(
            a,
            "AUTHZ-CLIENT-UNKNOWN-01",
            "An unknown client_id gets an error page, never a redirect",
            rfc("rfc6749 §4.1.2.1"),
            run!(client_unknown),
        ),
        Case::new(
            a,
            "AUTHZ-CLIENT-MISSING-01",
            "A missing client_id gets an error page, never a redirect",
            rfc("rfc6749 §4.1.2.1"),
            run!(client_missing),
        ),
        Case::new(
            a,
            "AUTHZ-ERR-RESPONSE-TYPE-01",
            "response_type=token redirects with unsupported_response_type",
            rfc("rfc6749 §4.1.2.1"),
            run!(response_type_token),
        ),
        Case::new(
            a,
            "AUTHZ-ERR-RESPONSE-TYPE-02",
            "A missing response_type redirects with invalid_request",
            rfc("rfc6749 §4.1.2.1"),
            run!(response_type_missing),
        ),
        Case::new(
            a,
            "AUTHZ-ERR-SCOPE-01",
            "An unknown scope redirects with invalid_scope",
            ilert("lifetimes §ilert OAuth2 scopes"),
            run!(scope_unknown),
        ),
        Case::new(
            a,
            "AUTHZ-ERR-SCOPE-02",
            "An unknown access level (source:x) redirects with invalid_scope",
            ilert("lifetimes §ilert OAuth2 scopes"),
            run!(scope_bad_level),
        ),
        Case::new(
            a,
            "AUTHZ-ERR-SCOPE-03",
            "A missing scope redirects with invalid_scope",
            mock("behaviour.md §2 (rfc6749 §3.3)"),
            run!(scope_missing),
        ),
        Case::new(
            a,
            "AUTHZ-ERR-SCOPE-04",
            "A scope beyond the app's allowed scopes redirects with invalid_scope",
            rfc("rfc6749 §4.1.2.1"),
            run!(scope_not_allowed),
        )
        .tags(tags::MOCK),
        Case::new(
            a,
            "AUTHZ-ERR-REPEATED-01",
            "A repeated parameter redirects with invalid_request",
            rfc("rfc6749 §3.1"),
            run!(repeated_parameter),
        ),
        Case::new(
            a,
            "AUTHZ-PKCE-METHOD-01",
            "code_challenge_method=plain redirects with invalid_request",
            mock("behaviour.md §9 (rfc9700 §2.1.1)"),
            run!(pkce_plain),
        ),
        Case::new(
            a,
            "AUTHZ-PKCE-METHOD-02",
            "A code_challenge without a method (plain by default) redirects with invalid_request",
            mock("behaviour.md §9 (rfc7636 §4.3)"),
            run!(pkce_no_method),
        ),
        Case::new(
            a,
            "AUTHZ-PKCE-METHOD-03",
            "An unknown code_challenge_method redirects with invalid_request",
            rfc("rfc7636 §4.4.1"),
            run!(pkce_unknown_method),
        ),
        Case::new(
            a,
            "AUTHZ-PKCE-S256-01",
            "An S256 challenge is accepted and consent yields a code",
            ilert("pkce-app §PKCE generation"),
            run!(pkce_s256),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "AUTHZ-PKCE-PUBLIC-01",
            "A public (PKCE-only) app without a challenge is refused with invalid_request",
            ilert("pkce-app §Redirecting the user"),
            run!(public_without_pkce),
        )
        .tags(tags::MOCK),
        Case::new(
            a,
            "AUTHZ-TENANT-01",
            "Consent on a tenant host yields a code for that tenant (il_n of the tenant)",
            ilert("backend-app §Redirecting the user (tenant url)"),
            run!(tenant_code),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "AUTHZ-TENANT-02",
            "A user of another tenant cannot consent on a tenant host (access_denied)",
            mock("behaviour.md §1 tenant hosts"),
            run!(tenant_foreign_user),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "AUTHZ-TENANT-03",
            "An unknown tenant host gets a 404 page, never a redirect",
            mock("behaviour.md §1 tenant hosts"),
            run!(tenant_unknown),
        )
        .tags(tags::MOCK),
    ];
    cases.extend(super::redirect_exact::cases());
    cases
}

async fn grant_view(cx: Cx) -> CaseResult {
    cx.needs_grant_view()?;
    let p = Params::valid(&cx.target().app, "profile source:w");
    let r = cx.authorize(&p.pairs()).await?;
    r.status_is(200)?;
    r.no_header("location")?;
    r.ensure(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "an HTML page",
    )?;
    r.ensure(
        r.text.contains("value=\"grant\"") && r.text.contains("value=\"deny\""),
        "a form with Grant and Deny",
    )?;
    Ok(())
}

async fn framing(cx: Cx) -> CaseResult {
    cx.needs_grant_view()?;
    let p = Params::valid(&cx.target().app, "profile");
    let r = cx.authorize(&p.pairs()).await?;
    let xfo = r
        .header("x-frame-options")
        .is_some_and(|v| v.eq_ignore_ascii_case("deny"));
    let csp = r
        .header("content-security-policy")
        .is_some_and(|v| v.contains("frame-ancestors 'none'"));
    r.ensure(
        xfo || csp,
        "X-Frame-Options: DENY or Content-Security-Policy frame-ancestors 'none'",
    )?;
    Ok(())
}

fn is_code(code: &str) -> bool {
    code.len() == 28
        && code
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

async fn code_redirect(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.target().user.clone();
    let p = Params::valid(&app, "profile source:w");
    let r = cx.consent(&p.pairs(), &user, Decision::Grant).send().await?;
    r.status_is(302)?;
    let location = r.location().unwrap_or_default();
    r.ensure(
        location.starts_with(&format!("{}?code=", app.redirect_uri)),
        format!(
            "Location {}?code=<code>&state=conformance-state",
            app.redirect_uri
        ),
    )?;
    let code = r.location_param("code").unwrap_or_default();
    r.ensure(
        is_code(&code),
        "a code of 28 lowercase hex characters (ilert's format)",
    )?;
    Ok(())
}

async fn second_redirect_uri(cx: Cx) -> CaseResult {
    let mut app = cx.target().app.clone();
    app.redirect_uri = crate::target::WEBAPP_REDIRECT_URI.to_owned();
    let user = cx.target().user.clone();
    let p = Params::valid(&app, "profile");
    let r = cx.consent(&p.pairs(), &user, Decision::Grant).send().await?;
    r.ensure(
        r.status == 302
            && r.location()
                .is_some_and(|l| l.starts_with(&format!("{}?code=", app.redirect_uri))),
        format!("302 Found to {}?code=…", app.redirect_uri),
    )?;
    Ok(())
}

const TRICKY_STATE: &str = r#"{"returnTo":"/dash?a=1&b=2","nonce":"x y+z"}"#;

async fn state_verbatim(cx: Cx) -> CaseResult {
    let user = cx.target().user.clone();
    let p = Params::valid(&cx.target().app, "profile").set("state", TRICKY_STATE);
    let r = cx.consent(&p.pairs(), &user, Decision::Grant).send().await?;
    r.ensure(
        r.status == 302 && r.location_param("state").as_deref() == Some(TRICKY_STATE),
        format!("302 with state exactly {TRICKY_STATE}"),
    )?;
    Ok(())
}

async fn state_omitted(cx: Cx) -> CaseResult {
    let user = cx.target().user.clone();
    let p = Params::valid(&cx.target().app, "profile").without("state");
    let r = cx.consent(&p.pairs(), &user, Decision::Grant).send().await?;
    r.ensure(
        r.status == 302 && r.location_param("code").is_some() && r.location_param("state").is_none(),
        "302 with a code and no state parameter",
    )?;
    Ok(())
}

async fn state_on_error(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile").set("response_type", "token");
    let r = cx.authorize(&p.pairs()).await?;
    redirect_keeps_state(&r, "302 error redirect with state=conformance-state")
}

async fn state_on_deny(cx: Cx) -> CaseResult {
    let user = cx.target().user.clone();
    let p = Params::valid(&cx.target().app, "profile");
    let r = cx.consent(&p.pairs(), &user, Decision::Deny).send().await?;
    redirect_keeps_state(&r, "302 access_denied redirect with state=conformance-state")
}

/// `r` redirects (302) with the request's `state=conformance-state` (RFC 6749 §4.1.2.1).
fn redirect_keeps_state(r: &Resp, what: &str) -> CaseResult {
    r.ensure(
        r.status == 302 && r.location_param("state").as_deref() == Some("conformance-state"),
        what,
    )?;
    Ok(())
}

async fn deny(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.target().user.clone();
    let p = Params::valid(&app, "profile");
    let r = cx.consent(&p.pairs(), &user, Decision::Deny).send().await?;
    r.error_redirect(&app.redirect_uri, "access_denied")?;
    Ok(())
}

async fn redirect_missing(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile").without("redirect_uri");
    cx.authorize(&p.pairs()).await?.error_page()?;
    Ok(())
}

async fn client_unknown(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile").set("client_id", "00000000000000000000");
    cx.authorize(&p.pairs()).await?.error_page()?;
    Ok(())
}

async fn client_missing(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile").without("client_id");
    cx.authorize(&p.pairs()).await?.error_page()?;
    Ok(())
}

async fn error_redirect_case(cx: &Cx, p: Params, error: &str) -> CaseResult {
    let uri = cx.target().app.redirect_uri.clone();
    cx.authorize(&p.pairs()).await?.error_redirect(&uri, error)?;
    Ok(())
}

async fn response_type_token(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile").set("response_type", "token");
    error_redirect_case(&cx, p, "unsupported_response_type").await
}

async fn response_type_missing(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile").without("response_type");
    error_redirect_case(&cx, p, "invalid_request").await
}

async fn scope_unknown(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile nope");
    error_redirect_case(&cx, p, "invalid_scope").await
}

async fn scope_bad_level(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "source:x");
    error_redirect_case(&cx, p, "invalid_scope").await
}

async fn scope_missing(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile").without("scope");
    error_redirect_case(&cx, p, "invalid_scope").await
}

async fn scope_not_allowed(cx: Cx) -> CaseResult {
    // The public fixture app may use source:w, not source:d.
    let app = cx.public_app();
    let p = Params::valid(&app, "profile source:d")
        .add("code_challenge", PKCE_CHALLENGE)
        .add("code_challenge_method", "S256");
    cx.authorize(&p.pairs())
        .await?
        .error_redirect(&app.redirect_uri, "invalid_scope")?;
    Ok(())
}

async fn repeated_parameter(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile").add("scope", "profile");
    error_redirect_case(&cx, p, "invalid_request").await
}

/// A PKCE challenge with a method the server refuses (`None`: no method at all) redirects with
/// `invalid_request`.
async fn pkce_method_refused(cx: &Cx, method: Option<&str>) -> CaseResult {
    let mut p = Params::valid(&cx.target().app, "profile").add("code_challenge", PKCE_CHALLENGE);
    if let Some(method) = method {
        p = p.add("code_challenge_method", method);
    }
    error_redirect_case(cx, p, "invalid_request").await
}

async fn pkce_plain(cx: Cx) -> CaseResult {
    pkce_method_refused(&cx, Some("plain")).await
}

async fn pkce_no_method(cx: Cx) -> CaseResult {
    pkce_method_refused(&cx, None).await
}

async fn pkce_unknown_method(cx: Cx) -> CaseResult {
    pkce_method_refused(&cx, Some("S512")).await
}

async fn pkce_s256(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.target().user.clone();
    let g = Grant::new(&app, &user, "profile").pkce();
    let r = cx.consent(&g.params(), &user, Decision::Grant).send().await?;
    r.ensure(
        r.status == 302 && r.location_param("code").is_some_and(|c| is_code(&c)),
        "302 Found with a code",
    )?;
    Ok(())
}

async fn public_without_pkce(cx: Cx) -> CaseResult {
    let app = cx.public_app();
    let p = Params::valid(&app, "profile");
    cx.authorize(&p.pairs())
        .await?
        .error_redirect(&app.redirect_uri, "invalid_request")?;
    Ok(())
}

async fn tenant_code(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.user("acme").await?;
    let g = Grant::new(&app, &user, "profile");
    let r = grant_on_acme(&cx, &g.params(), &user).await?;
    let code = r
        .location_param("code")
        .filter(|_| r.status == 302)
        .ok_or_else(|| r.fail("302 Found with a code"))?;
    let t = cx.exchange(&app, &code, None).await?;
    let claims = t.jwt("access_token")?.claims;
    t.ensure(
        claims["il_n"] == "a7e" && claims["il_u"] == user.as_str(),
        format!("an access token for tenant acme (il_n a7e) and user {user}"),
    )?;
    Ok(())
}

async fn tenant_foreign_user(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.target().user.clone(); // of someTenant
    let p = Params::valid(&app, "profile");
    let r = grant_on_acme(&cx, &p.pairs(), &user).await?;
    r.error_redirect(&app.redirect_uri, "access_denied")?;
    Ok(())
}

/// `user` grants the request `params` on the tenant acme's host.
async fn grant_on_acme(cx: &Cx, params: &[(&str, &str)], user: &str) -> Result<Resp, Stop> {
    let host = cx.tenant_host("acme")?;
    cx.consent(params, user, Decision::Grant).host(&host).send().await
}

async fn tenant_unknown(cx: Cx) -> CaseResult {
    let p = Params::valid(&cx.target().app, "profile");
    let host = cx.tenant_host("nosuchtenant")?;
    let r = cx
        .get(&format!(
            "{}?{}",
            crate::target::paths::AUTHORIZE,
            crate::req::encode(&p.pairs())
        ))
        .host(&host)
        .send()
        .await?;
    r.ensure(
        r.status == 404 && r.location().is_none(),
        "HTTP 404 page naming the unknown account, no Location",
    )?;
    Ok(())
}
