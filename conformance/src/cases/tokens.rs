//! The JWTs themselves (behaviour.md §4): exact headers and claim sets in ilert's order, lifetimes, the
//! JWKS signature, and forged tokens (`alg: none`, HS256 signed with the RSA public key,
//! tampered claims and headers) refused by the API.

use reqwest::Method;
use serde_json::{Value, json};

use crate::case::{Area, Case, CaseResult, Stop, ilert, mock, rfc, run, tags};
use crate::ctx::Cx;
use crate::expect::{decoded_view, fail_value};
use crate::jwt::{self, Decoded, RsaJwk};
use crate::steps::{Grant, Tokens};
use crate::target::{DEFAULT_USER, paths};

const DOC_TOKENS: &str = "backend-app §In case of successful token generation (example tokens)";

/// The token cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Tokens;
    vec![
        Case::new(a, "TOKENS-ACCESS-HEADER-01", "The access token's header is exactly {\"typ\":\"JWT\",\"alg\":\"RS256\"}", ilert(DOC_TOKENS), run!(access_header)).tags(tags::TOKEN),
        Case::new(a, "TOKENS-ACCESS-CLAIMS-01", "The access token's claims are exactly il_n, il_a, il_s, iss, il_u, il_t, il_v, exp, in that order", ilert(DOC_TOKENS), run!(access_claims)).tags(tags::TOKEN),
        Case::new(a, "TOKENS-ACCESS-VALUES-01", "Access claims: iss ilert, il_t ACCESS, il_v 1, il_s the granted scope, il_u the user, il_a the app, il_n the tenant", ilert(DOC_TOKENS), run!(access_values)).tags(tags::BROWSER),
        Case::new(a, "TOKENS-ACCESS-LIFETIME-01", "The access token's exp is issue time + 3600 s", ilert("lifetimes §OAuth2 lifetimes and numbers"), run!(access_lifetime)).tags(tags::BROWSER),
        Case::new(a, "TOKENS-REFRESH-HEADER-01", "The refresh token's header is exactly {\"typ\":\"JWT\",\"alg\":\"HS256\"}", ilert(DOC_TOKENS), run!(refresh_header)).tags(tags::BROWSER),
        Case::new(a, "TOKENS-REFRESH-CLAIMS-01", "The refresh token's claims are exactly iss, il_t OAUTH, il_v 1, exp, il_k (32 lowercase hex)", ilert(DOC_TOKENS), run!(refresh_claims)).tags(tags::BROWSER),
        Case::new(a, "TOKENS-REFRESH-LIFETIME-01", "The refresh token expires one year after issue: its exp is the access exp + 31536000 - 3600", ilert("lifetimes §OAuth2 lifetimes and numbers"), run!(refresh_lifetime)).tags(tags::BROWSER),
        Case::new(a, "TOKENS-JWKS-01", "The access token verifies (RS256) with the JWKS key, which has no private or symmetric members", mock("behaviour.md §11 /.well-known/jwks.json"), run!(jwks)).tags(tags::BROWSER),
        Case::new(a, "TOKENS-FORGED-NONE-01", "An alg:none token with genuine claims is refused (401)", rfc("rfc8725 §3.1"), run!(forged_none)).tags(tags::TOKEN),
        Case::new(a, "TOKENS-FORGED-HS256-01", "An HS256 token signed with the RSA public key is refused (401)", rfc("rfc8725 §3.1 (key confusion)"), run!(forged_hs256)).tags(tags::BROWSER),
        Case::new(a, "TOKENS-FORGED-TAMPERED-01", "Claims changed under a genuine signature (another il_u) are refused (401)", rfc("rfc7515 §5.2"), run!(forged_user)).tags(tags::TOKEN),
        Case::new(a, "TOKENS-FORGED-TAMPERED-02", "A widened il_s under a genuine signature is refused (401, not 200 or 403)", rfc("rfc7515 §5.2"), run!(forged_scope)).tags(tags::TOKEN),
        Case::new(a, "TOKENS-FORGED-HEADER-01", "A header with a jku pointing elsewhere is refused (401)", rfc("rfc8725 §3.10"), run!(forged_jku)).tags(tags::TOKEN),
        Case::new(a, "TOKENS-EXPIRED-01", "An access token works at 3599 s and is refused at 3601 s (401, WWW-Authenticate error=\"invalid_token\")", ilert("backend-app §Using the access token"), run!(expired)).tags(tags::BROWSER).alone(),
    ]
}

const ACCESS_CLAIMS: [&str; 8] = ["il_n", "il_a", "il_s", "iss", "il_u", "il_t", "il_v", "exp"];
const REFRESH_CLAIMS: [&str; 5] = ["iss", "il_t", "il_v", "exp", "il_k"];

fn decode_or_fail(token: &str, what: &str) -> Result<jwt::Decoded, Stop> {
    jwt::decode(token).ok_or_else(|| fail_value(format!("the {what} is a compact JWS"), json!(token.len())))
}

/// A grant of the target app for the target user, its decoded tokens noted in the transcript.
async fn fresh(cx: &Cx, scope: &str) -> Result<Tokens, Stop> {
    let app = cx.target().app.clone();
    let user = cx.target().user.clone();
    let tokens = cx.grant(&Grant::new(&app, &user, scope)).await?;
    cx.note("token response", tokens.response.exchange.response.body.clone());
    Ok(tokens)
}

async fn shared_access(cx: &Cx, scope: &str) -> Result<(String, jwt::Decoded), Stop> {
    let token = cx.access_token(scope).await?;
    let decoded = decode_or_fail(&token, "access token")?;
    cx.note("access token", decoded_view(&decoded));
    Ok((token, decoded))
}

/// The token's header bytes are exactly `{"typ":"JWT","alg":"<alg>"}`, in ilert's order.
fn header_exactly(d: &Decoded, alg: &str) -> CaseResult {
    let want = format!(r#"{{"typ":"JWT","alg":"{alg}"}}"#);
    if d.header_text != want {
        return Err(fail_value(
            format!("header bytes exactly {want}"),
            json!(d.header_text),
        ));
    }
    Ok(())
}

async fn access_header(cx: Cx) -> CaseResult {
    let (_, d) = shared_access(&cx, "profile").await?;
    header_exactly(&d, "RS256")
}

async fn access_claims(cx: Cx) -> CaseResult {
    let (_, d) = shared_access(&cx, "profile").await?;
    if jwt::claim_names(&d.claims) != ACCESS_CLAIMS {
        return Err(fail_value(
            format!("claims exactly {ACCESS_CLAIMS:?} in this order (no iat, sub, aud, jti)"),
            d.claims,
        ));
    }
    Ok(())
}

async fn app_id(cx: &Cx) -> Result<Option<i64>, Stop> {
    let r = cx.control(Method::GET, "/_mock/apps").send().await?;
    Ok(r.json.as_array().and_then(|apps| {
        apps.iter()
            .find(|a| a["client_id"] == cx.target().app.client_id.as_str())
            .and_then(|a| a["id"].as_i64())
    }))
}

async fn access_values(cx: Cx) -> CaseResult {
    let tokens = fresh(&cx, "profile source:w").await?;
    let c = tokens.response.jwt("access_token")?.claims;
    let user = cx.target().user.clone();
    let id = app_id(&cx).await?;
    let tenant_ok = if user == DEFAULT_USER {
        c["il_n"] == "5cf"
    } else {
        c["il_n"].as_str().is_some_and(|s| !s.is_empty())
    };
    let ok = c["iss"] == "ilert"
        && c["il_t"] == "ACCESS"
        && c["il_v"] == 1
        && c["il_s"] == "profile source:w"
        && c["il_u"] == user.as_str()
        && id.is_none_or(|id| c["il_a"] == id)
        && c["il_a"].is_i64()
        && tenant_ok;
    if !ok {
        return Err(tokens.response.fail_got(
            format!(
                "iss \"ilert\", il_t \"ACCESS\", il_v 1, il_s \"profile source:w\", il_u \"{user}\", il_a {}, il_n of the user's tenant",
                id.map_or_else(|| "<the app id>".to_owned(), |i| i.to_string())
            ),
            c,
        ));
    }
    Ok(())
}

async fn access_lifetime(cx: Cx) -> CaseResult {
    let before = cx.now().await?;
    let tokens = fresh(&cx, "profile").await?;
    let after = cx.now().await?;
    let exp = tokens.response.jwt("access_token")?.claims["exp"]
        .as_i64()
        .unwrap_or_default();
    if !(before + 3600..=after + 3600).contains(&exp) {
        return Err(tokens.response.fail_got(
            format!(
                "exp between {} and {} (server time + 3600)",
                before + 3600,
                after + 3600
            ),
            json!({"exp": exp}),
        ));
    }
    Ok(())
}

async fn refresh_header(cx: Cx) -> CaseResult {
    let tokens = fresh(&cx, "profile").await?;
    let d = decode_or_fail(tokens.refresh_token()?, "refresh token")?;
    header_exactly(&d, "HS256")
}

async fn refresh_claims(cx: Cx) -> CaseResult {
    let tokens = fresh(&cx, "profile").await?;
    let d = decode_or_fail(tokens.refresh_token()?, "refresh token")?;
    let c = &d.claims;
    let il_k_ok = c["il_k"].as_str().is_some_and(|k| {
        k.len() == 32
            && k.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    let ok = jwt::claim_names(c) == REFRESH_CLAIMS
        && c["iss"] == "ilert"
        && c["il_t"] == "OAUTH"
        && c["il_v"] == 1
        && c["exp"].is_i64()
        && il_k_ok;
    if !ok {
        return Err(fail_value(
            "claims exactly iss \"ilert\", il_t \"OAUTH\", il_v 1, exp, il_k (32 lowercase hex), in this order",
            d.claims,
        ));
    }
    Ok(())
}

async fn refresh_lifetime(cx: Cx) -> CaseResult {
    let tokens = fresh(&cx, "profile").await?;
    let access_exp = tokens.response.jwt("access_token")?.claims["exp"]
        .as_i64()
        .unwrap_or_default();
    let refresh_exp = tokens.response.jwt("refresh_token")?.claims["exp"]
        .as_i64()
        .unwrap_or_default();
    if refresh_exp - access_exp != 31_536_000 - 3_600 {
        return Err(tokens.response.fail_got(
            "refresh exp - access exp = 31532400 (one year less one hour)",
            json!({"access_exp": access_exp, "refresh_exp": refresh_exp, "difference": refresh_exp - access_exp}),
        ));
    }
    Ok(())
}

async fn jwks_key(cx: &Cx) -> Result<RsaJwk, Stop> {
    let r = cx.get(paths::JWKS).send().await?;
    r.status_is(200)?;
    RsaJwk::from_jwks(&r.json).map_err(|e| r.fail(format!("a JWKS with an RSA key ({e})")))
}

async fn jwks(cx: Cx) -> CaseResult {
    let key = jwks_key(&cx).await?;
    const PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];
    if let Some(m) = PRIVATE.iter().find(|m| key.jwk.contains_key(**m)) {
        return Err(fail_value(
            "only public members (kty, use, alg, kid, n, e)",
            json!({"private_member": m}),
        ));
    }
    let (token, d) = shared_access(&cx, "profile").await?;
    key.verify_rs256(&token).map_err(|e| {
        fail_value(
            "the access token verifies with the JWKS key (RS256)",
            json!({"error": e, "token": decoded_view(&d)}),
        )
    })?;
    Ok(())
}

/// The genuine token works, the forged one is refused with 401 in ilert's REST shape.
async fn refused(cx: &Cx, genuine: &str, forged: &str) -> CaseResult {
    cx.api_get(paths::CURRENT_USER, genuine).await?.status_is(200)?;
    cx.api_get(paths::CURRENT_USER, forged).await?.rest_error(401)?;
    Ok(())
}

async fn forged_none(cx: Cx) -> CaseResult {
    let (token, d) = shared_access(&cx, "profile").await?;
    refused(&cx, &token, &jwt::forge_none(&d.claims)).await
}

async fn forged_hs256(cx: Cx) -> CaseResult {
    let key = jwks_key(&cx).await?;
    let pem = key
        .public_pem()
        .map_err(|e| fail_value("a usable RSA public key in the JWKS", json!(e.to_string())))?;
    let (token, d) = shared_access(&cx, "profile").await?;
    let forged = jwt::sign_hs256(&d.claims, pem.as_bytes())
        .map_err(|e| fail_value("an HS256 token to be signed locally", json!(e)))?;
    refused(&cx, &token, &forged).await
}

async fn forged_user(cx: Cx) -> CaseResult {
    let (token, d) = shared_access(&cx, "profile").await?;
    let mut claims = d.claims.clone();
    let other = if claims["il_u"] == "krystianity" {
        "someUser"
    } else {
        "krystianity"
    };
    claims["il_u"] = Value::String(other.to_owned());
    refused(&cx, &token, &jwt::tamper(&token, &claims)).await
}

async fn forged_scope(cx: Cx) -> CaseResult {
    let (token, d) = shared_access(&cx, "profile").await?;
    let mut claims = d.claims.clone();
    claims["il_s"] = json!("profile source:d");
    let forged = jwt::tamper(&token, &claims);
    cx.api_get(paths::ALERT_SOURCES, &forged).await?.rest_error(401)?;
    Ok(())
}

async fn forged_jku(cx: Cx) -> CaseResult {
    let (token, _) = shared_access(&cx, "profile").await?;
    let header = json!({"typ": "JWT", "alg": "RS256", "jku": "http://127.0.0.1:9/jwks.json"});
    refused(&cx, &token, &jwt::with_header(&token, &header)).await
}

async fn expired(cx: Cx) -> CaseResult {
    let tokens = fresh(&cx, "profile").await?;
    cx.advance_clock(3599).await?;
    cx.api_get(paths::CURRENT_USER, &tokens.access)
        .await?
        .status_is(200)?;
    cx.advance_clock(2).await?;
    let r = cx.api_get(paths::CURRENT_USER, &tokens.access).await?;
    r.rest_error(401)?;
    r.ensure(
        r.header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer") && v.contains("invalid_token")),
        "WWW-Authenticate: Bearer …, error=\"invalid_token\" (rfc6750 §3.1)",
    )?;
    Ok(())
}
