//! What keeps a running server safe from the web pages its user visits and from its neighbours
//! on the network: it answers only host names that cannot be rebound to it (DNS rebinding), the
//! grant form refuses submissions a page of another site made (CSRF, RFC 6749 §10.12), the
//! control surface refuses state changes from other sites, and the request journal shows no
//! authorization code anyone could redeem first.

use reqwest::Method;
use serde_json::{Value, json};

use crate::case::{Area, Case, CaseResult, Stop, mock, rfc, run, tags};
use crate::ctx::Cx;
use crate::req::Resp;
use crate::steps::{Decision, Grant};
use crate::target::paths;

/// A name an attacker's DNS could point at the server.
const REBIND_HOST: &str = "rebind.attacker.example";
/// A page of another site.
const ATTACKER_ORIGIN: &str = "https://attacker.example";
/// The rule: RFC 6749 §10.12, last paragraph.
const CSRF: &str = "rfc6749 §10.12 (CSRF protection of the authorization endpoint)";
/// The mock's own rule against DNS rebinding.
const REBINDING: &str = "Host allow-list (DNS rebinding)";

/// The security cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Security;
    vec![
        Case::new(
            a,
            "SEC-HOST-01",
            "A request for a host name the server does not serve: 403 in the REST shape naming the host",
            mock(REBINDING),
            run!(foreign_host),
        )
        .tags(tags::MOCK),
        Case::new(
            a,
            "SEC-HOST-02",
            "localhost, a tenant host (acme.localhost) and IP literals (127.0.0.1, [::1]) are answered",
            mock(REBINDING),
            run!(loopback_hosts),
        )
        .tags(tags::MOCK),
        Case::new(
            a,
            "SEC-CSRF-01",
            "A grant form POST marked Sec-Fetch-Site: cross-site is refused: 403, no redirect",
            rfc(CSRF),
            run!(grant_cross_site),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "SEC-CSRF-02",
            "A grant form POST with the Origin of another site is refused: 403, no redirect",
            rfc(CSRF),
            run!(grant_foreign_origin),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "SEC-CSRF-03",
            "A grant form POST from the server's own page (its Origin, Sec-Fetch-Site: same-origin) redirects with a code",
            rfc(CSRF),
            run!(grant_own_origin),
        )
        .tags(tags::BROWSER),
        Case::new(
            a,
            "SEC-CONTROL-01",
            "A state-changing control request from another site (POST /_mock/clock with a foreign Origin) is refused",
            mock("behaviour.md §11 control surface"),
            run!(control_cross_site),
        )
        .tags(tags::MOCK),
        Case::new(
            a,
            "SEC-JOURNAL-01",
            "The request journal shows no authorization code: the authorize Location and the token form read [redacted]",
            mock("behaviour.md §11 request journal"),
            run!(journal_hides_codes),
        )
        .tags(tags::BROWSER),
    ]
}

async fn foreign_host(cx: Cx) -> CaseResult {
    let r = cx.get("/.well-known/jwks.json").host(REBIND_HOST).send().await?;
    r.rest_error(403)?;
    let message = r.json["message"].as_str().unwrap_or_default();
    r.ensure(
        message.contains(REBIND_HOST),
        format!("a message naming the refused host {REBIND_HOST}"),
    )?;
    Ok(())
}

async fn loopback_hosts(cx: Cx) -> CaseResult {
    let mut statuses = serde_json::Map::new();
    for host in ["localhost", "acme.localhost", "127.0.0.1", "[::1]"] {
        let r = cx.get("/.well-known/jwks.json").host(host).quiet().send().await?;
        statuses.insert(host.to_owned(), json!(r.status));
    }
    let statuses = Value::Object(statuses);
    cx.note("GET /.well-known/jwks.json with each Host", statuses.clone());
    if statuses.as_object().is_some_and(|s| s.values().all(|v| v == 200)) {
        Ok(())
    } else {
        Err(crate::expect::fail_value(
            "200 for every one of these hosts",
            statuses,
        ))
    }
}

/// Posts the grant form for the target's app and user with extra headers.
async fn post_grant(cx: &Cx, state: &str, headers: &[(&str, &str)]) -> Result<Resp, Stop> {
    let app = cx.target().app.clone();
    let user = cx.target().user.clone();
    let mut grant = Grant::new(&app, &user, "profile");
    grant.state = Some(state);
    let mut req = cx.consent(&grant.params(), &user, Decision::Grant);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    req.send().await
}

fn refused(r: &Resp) -> CaseResult {
    r.ensure(
        r.status == 403 && r.location().is_none(),
        "HTTP 403 and no Location: no code leaves the server",
    )?;
    Ok(())
}

async fn grant_cross_site(cx: Cx) -> CaseResult {
    let r = post_grant(&cx, "sec-csrf-01", &[("sec-fetch-site", "cross-site")]).await?;
    refused(&r)
}

async fn grant_foreign_origin(cx: Cx) -> CaseResult {
    let r = post_grant(&cx, "sec-csrf-02", &[("origin", ATTACKER_ORIGIN)]).await?;
    refused(&r)
}

async fn grant_own_origin(cx: Cx) -> CaseResult {
    let origin = cx.base().to_owned();
    let r = post_grant(
        &cx,
        "sec-csrf-03",
        &[("origin", &origin), ("sec-fetch-site", "same-origin")],
    )
    .await?;
    r.ensure(
        r.status == 302 && r.location_param("code").is_some(),
        "302 Found to the redirect URI with a code",
    )?;
    Ok(())
}

async fn control_cross_site(cx: Cx) -> CaseResult {
    // Moving the clock by nothing: harmless even if the server wrongly accepts it.
    let r = cx
        .control(Method::POST, "/_mock/clock")
        .recorded()
        .header("origin", ATTACKER_ORIGIN)
        .raw(Some("text/plain"), r#"{"advance_secs": 0}"#)
        .send()
        .await?;
    r.ensure(
        r.status == 403,
        "HTTP 403: a page of another site cannot drive the mock",
    )?;
    Ok(())
}

async fn journal_hides_codes(cx: Cx) -> CaseResult {
    const STATE: &str = "sec-journal-01";
    let app = cx.target().app.clone();
    let consent = post_grant(&cx, STATE, &[]).await?;
    let code = consent
        .location_param("code")
        .filter(|_| consent.status == 302)
        .ok_or_else(|| consent.fail("302 Found with a code (consent)"))?;
    cx.exchange(&app, &code, None).await?.status_is(200)?;
    let journal = cx.control(Method::GET, "/_mock/requests").send().await?;
    journal.status_is(200)?;
    let entries = journal.json.as_array().cloned().unwrap_or_default();
    let form_value = |entry: &Value, name: &str| {
        entry["form"].as_array().and_then(|form| {
            form.iter()
                .find(|pair| pair[0] == name)
                .and_then(|pair| pair[1].as_str().map(str::to_owned))
        })
    };
    let authorize = entries
        .iter()
        .find(|e| e["path"] == paths::AUTHORIZE && form_value(e, "state").as_deref() == Some(STATE));
    let location = authorize.and_then(|e| e["location"].as_str()).unwrap_or_default();
    let token_codes: Vec<String> = entries
        .iter()
        .filter(|e| e["path"] == paths::TOKEN)
        .filter_map(|e| form_value(e, "code"))
        .collect();
    let shown = json!({
        "authorize_location": location,
        "token_form_codes": token_codes.iter().collect::<std::collections::BTreeSet<_>>(),
        "code_anywhere_in_the_journal": journal.text.contains(&code),
    });
    cx.note("GET /_mock/requests", shown.clone());
    let ok = location.contains("code=[redacted]")
        && !token_codes.is_empty()
        && token_codes.iter().all(|c| c == "[redacted]")
        && !journal.text.contains(&code);
    if ok {
        Ok(())
    } else {
        Err(crate::expect::fail_value(
            format!(
                "the consent's Location (state {STATE}) and every token form show code=[redacted], and the code appears nowhere in the journal"
            ),
            shown,
        ))
    }
}
