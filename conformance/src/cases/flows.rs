//! Whole flows through the reference client `ilert-oauth2-client`: the authorize URL it builds,
//! the callback it parses (checking `state`), the code exchange, API calls through its
//! `ApiClient` (refreshing on 401) and revocation.
//!
//! The suite plays the browser: it posts the grant view's consent form for the client's
//! authorize URL as the user (mock only; a form POST, so a mock started with `--auto-approve`
//! answers the same), and hands the redirect's query to the client. The grant view itself is
//! `AUTHZ-GRANT-VIEW-01`'s.

use std::sync::Arc;

use ilert_oauth2_client::{
    AlertSource, ApiClient, Config, CsrfToken, Error, MemoryStore, NewAlertSource, OAuthClient, Pkce,
    TokenErrorCode, TokenSet, parse_callback,
};
use serde_json::{Value, json};

use super::rest_crud::ALERT_SOURCES_LANE;
use crate::case::{Area, Case, CaseResult, Stop, ilert, run, tags};
use crate::ctx::Cx;
use crate::expect::fail_value;
use crate::steps::Decision;
use crate::target::App;

/// The flow cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Flows;
    vec![
        Case::new(a, "FLOW-PLAIN-01", "Reference client, backend app without PKCE: authorize URL, callback, code exchange, current user", ilert("backend-app (whole guide)"), run!(plain)).tags(tags::BROWSER),
        Case::new(a, "FLOW-PKCE-01", "Reference client, backend app with PKCE S256", ilert("backend-app §Redirecting the user; pkce-app §PKCE generation"), run!(pkce)).tags(tags::BROWSER),
        Case::new(a, "FLOW-PUBLIC-01", "Reference client, public PKCE app with offline_access: tokens without a secret, then a refresh", ilert("pkce-app (whole guide)"), run!(public)).tags(tags::BROWSER),
        Case::new(a, "FLOW-TENANT-01", "Reference client on a tenant host: the grant is the tenant's (token_info tenant_id)", ilert("backend-app §Redirecting the user (tenant url)"), run!(tenant)).tags(tags::BROWSER),
        Case::new(a, "FLOW-REFRESH-401-01", "Reference client refreshes once on a 401 and retries (access token expired on the server)", ilert("backend-app §Refreshing an access token"), run!(refresh_on_401)).tags(tags::BROWSER).alone(),
        Case::new(a, "FLOW-REVOKE-01", "Reference client revokes: its refresh token then fails with invalid_grant, the access token stays active", ilert("backend-app §Revoking a refresh token"), run!(revoke)).tags(tags::BROWSER),
        Case::new(a, "FLOW-ALERT-SOURCES-01", "Reference client creates, reads, updates and deletes an alert source", ilert("ilert-rest-api-openapi AlertSource"), run!(alert_sources)).tags(tags::BROWSER).lane(ALERT_SOURCES_LANE),
    ]
}

fn client_error(step: &str, e: &Error) -> Stop {
    fail_value(
        format!("{step} succeeds through the reference client"),
        json!({"error": e.to_string()}),
    )
}

/// The reference client configured for `app` against the target (`tenant`: authorize on the
/// tenant's host, which needs a host name, so the app URL is `localhost` on the target's port).
fn oauth(cx: &Cx, app: &App, scope: &str, tenant: Option<&str>) -> Result<OAuthClient, Stop> {
    let app_url = match tenant {
        Some(_) => {
            let host = cx.tenant_host("x")?;
            let port = host.rsplit(':').next().unwrap_or_default().to_owned();
            format!("http://localhost:{port}")
        }
        None => cx.base().to_owned(),
    };
    let config = Config::builder(app.client_id.clone(), app.redirect_uri.clone())
        .client_secret_opt(
            app.client_secret
                .clone()
                .map(ilert_oauth2_client::ClientSecret::new),
        )
        .scopes(scope)
        .app_url(app_url)
        .api_url(cx.base())
        .tenant_opt(tenant.map(str::to_owned))
        .build()
        .map_err(|e| {
            fail_value(
                "the reference client accepts the configuration",
                json!(e.to_string()),
            )
        })?;
    // The run's HTTP client: it trusts what the run trusts (e.g. the mock's development CA).
    Ok(OAuthClient::with_http_client(config, cx.http().clone()))
}

/// Plays the browser for the client's authorize URL: presses Grant on its grant view as `user`
/// (the form POST the view sends), and returns the redirect's query.
async fn browser(cx: &Cx, url: &url::Url, user: &str) -> Result<String, Stop> {
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let base_host = cx.base().split("://").nth(1).unwrap_or_default().to_owned();
    let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut consent = cx.consent(&pairs, user, Decision::Grant);
    if host != base_host {
        consent = consent.host(&host);
    }
    let r = consent.send().await?;
    let location = r
        .location()
        .filter(|_| r.status == 302)
        .ok_or_else(|| r.fail("302 Found back to the app"))?
        .to_owned();
    Ok(location
        .split_once('?')
        .map(|(_, q)| q.to_owned())
        .unwrap_or_default())
}

fn token_summary(t: &TokenSet) -> Value {
    json!({
        "token_type": t.token_type,
        "scope": t.scope,
        "refresh_token": t.refresh_token.is_some(),
        "lifetime_secs": t.expires_at.saturating_sub(t.obtained_at),
        "refresh_lifetime_secs": t.refresh_expires_at.map(|r| r.saturating_sub(t.obtained_at)),
    })
}

/// The whole sign-in through the client; returns the client and its tokens.
async fn sign_in(
    cx: &Cx,
    app: &App,
    user: &str,
    scope: &str,
    pkce: Pkce,
    tenant: Option<&str>,
) -> Result<(OAuthClient, TokenSet), Stop> {
    let client = oauth(cx, app, scope, tenant)?;
    let state = CsrfToken::new(format!("{}-state", cx.case_id().to_ascii_lowercase()));
    let authorize = client.authorize_url(&state, pkce);
    let query: Vec<(String, String)> = authorize.url.query_pairs().into_owned().collect();
    cx.note(
        "client.authorize_url",
        json!({"host": authorize.url.host_str(), "path": authorize.url.path(), "query": crate::view::pairs_view(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))}),
    );
    let callback = browser(cx, &authorize.url, user).await?;
    let code = parse_callback(&callback, Some(&authorize.state))
        .map_err(|e| client_error("parse_callback (state checked)", &e))?;
    let tokens = client
        .exchange_code(&code, authorize.pkce_verifier.as_ref())
        .await
        .map_err(|e| client_error("exchange_code", &e))?;
    cx.note("client.exchange_code", token_summary(&tokens));
    Ok((client, tokens))
}

async fn current_username(cx: &Cx, api: &ApiClient) -> Result<String, Stop> {
    let me = api
        .current_user()
        .await
        .map_err(|e| client_error("current_user", &e))?;
    cx.note("api.current_user", json!({"id": me.id, "username": me.username}));
    Ok(me.username.unwrap_or_default())
}

/// `someTenant` signed in to the target's app through the reference client, with its
/// `ApiClient` and its name.
async fn signed_in_api(cx: &Cx, scope: &str, pkce: Pkce) -> Result<(ApiClient, String), Stop> {
    let app = cx.target().app.clone();
    let user = cx.user("someTenant").await?;
    let (client, tokens) = sign_in(cx, &app, &user, scope, pkce, None).await?;
    Ok((ApiClient::with_tokens(client, tokens), user))
}

async fn plain(cx: Cx) -> CaseResult {
    let (api, user) = signed_in_api(&cx, "profile source:w", Pkce::Disabled).await?;
    let name = current_username(&cx, &api).await?;
    if name != user {
        return Err(fail_value(format!("the current user is {user}"), json!(name)));
    }
    Ok(())
}

async fn pkce(cx: Cx) -> CaseResult {
    let (api, _) = signed_in_api(&cx, "profile", Pkce::S256).await?;
    current_username(&cx, &api).await?;
    Ok(())
}

async fn public(cx: Cx) -> CaseResult {
    let app = cx.public_app();
    let user = cx.user("someTenant").await?;
    let (client, tokens) = sign_in(&cx, &app, &user, "profile offline_access", Pkce::S256, None).await?;
    if tokens.refresh_token.is_none() {
        return Err(fail_value(
            "a refresh token (offline_access)",
            token_summary(&tokens),
        ));
    }
    let api = ApiClient::with_tokens(client, tokens);
    let fresh = api
        .refresh_now()
        .await
        .map_err(|e| client_error("refresh_now", &e))?;
    cx.note("api.refresh_now", token_summary(&fresh));
    current_username(&cx, &api).await?;
    Ok(())
}

async fn tenant(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.user("acme").await?;
    let (client, tokens) = sign_in(&cx, &app, &user, "profile", Pkce::S256, Some("acme")).await?;
    let info = client
        .token_info(&tokens.access_token)
        .await
        .map_err(|e| client_error("token_info", &e))?;
    cx.note(
        "client.token_info",
        serde_json::to_value(&info).unwrap_or(Value::Null),
    );
    if !(info.active && info.tenant_id.as_deref() == Some("acme") && info.username.as_deref() == Some(&user))
    {
        return Err(fail_value(
            format!("token_info active, tenant_id acme, username {user}"),
            serde_json::to_value(&info).unwrap_or(Value::Null),
        ));
    }
    Ok(())
}

async fn refresh_on_401(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.user("someTenant").await?;
    let (client, tokens) = sign_in(&cx, &app, &user, "profile", Pkce::S256, None).await?;
    let old = tokens.access_token.clone();
    let api = ApiClient::new(client, Arc::new(MemoryStore::with_tokens(tokens)));
    // The server's clock passes the access token's lifetime; the client's does not.
    cx.advance_clock(3601).await?;
    current_username(&cx, &api).await?;
    let now = api.tokens().await.map_err(|e| client_error("tokens", &e))?;
    let refreshed = now
        .as_ref()
        .is_some_and(|t| t.access_token != old && t.refreshed_at().is_some());
    if !refreshed {
        return Err(fail_value(
            "a new access token obtained by a refresh",
            now.as_ref().map_or(Value::Null, token_summary),
        ));
    }
    cx.note("api.tokens after the 401", json!({"refreshed": true}));
    Ok(())
}

async fn revoke(cx: Cx) -> CaseResult {
    let app = cx.target().app.clone();
    let user = cx.user("someTenant").await?;
    let (client, tokens) = sign_in(&cx, &app, &user, "profile", Pkce::S256, None).await?;
    let refresh = tokens
        .refresh_token
        .clone()
        .ok_or_else(|| fail_value("a refresh token", token_summary(&tokens)))?;
    let access = tokens.access_token.clone();
    let api = ApiClient::with_tokens(client.clone(), tokens);
    let revoked = api.revoke().await.map_err(|e| client_error("revoke", &e))?;
    cx.note("api.revoke", json!({"revoked": revoked}));
    match client.refresh(&refresh).await {
        Err(Error::Token(e)) if e.code == TokenErrorCode::InvalidGrant => {
            cx.note("client.refresh after revoke", json!({"error": e.code.as_str()}));
        }
        other => {
            return Err(fail_value(
                "the revoked refresh token fails with invalid_grant",
                json!(format!("{:?}", other.map(|t| token_summary(&t)))),
            ));
        }
    }
    let info = client
        .token_info(&access)
        .await
        .map_err(|e| client_error("token_info", &e))?;
    cx.note(
        "client.token_info of the access token",
        json!({"active": info.active}),
    );
    if !info.active {
        return Err(fail_value(
            "the access token stays active after the revoke",
            json!({"active": false}),
        ));
    }
    Ok(())
}

async fn alert_sources(cx: Cx) -> CaseResult {
    let (api, _) = signed_in_api(&cx, "source:d policy", Pkce::S256).await?;
    let created = api
        .create_alert_source(&NewAlertSource::new("Flow source", "API", 1501))
        .await
        .map_err(|e| client_error("create_alert_source", &e))?;
    let id = created.entity.id;
    cx.note(
        "api.create_alert_source",
        json!({"name": created.entity.name, "location": created.location.is_some()}),
    );
    let read: AlertSource = api
        .alert_source(&id.to_string())
        .await
        .map_err(|e| client_error("alert_source", &e))?;
    let mut update = read.to_update();
    update.name = "Flow source renamed".to_owned();
    let updated = api
        .update_alert_source(id, &update)
        .await
        .map_err(|e| client_error("update_alert_source", &e))?;
    cx.note("api.update_alert_source", json!({"name": updated.name}));
    api.delete_alert_source(id)
        .await
        .map_err(|e| client_error("delete_alert_source", &e))?;
    cx.note("api.delete_alert_source", json!({"deleted": id}));
    if updated.name != "Flow source renamed" || updated.integration_key != read.integration_key {
        return Err(fail_value(
            "the update renames the source and keeps its integration key",
            json!({"name": updated.name}),
        ));
    }
    Ok(())
}
