//! The authorization code flow end to end: authorize URL → the mock's 302 → `parse_callback` →
//! `exchange_code` → API → `token_info` → `revoke` → the refresh grant is gone.

use std::sync::Arc;

use ilert_mock::MockServer;
use ilert_mock::paths;
use ilert_oauth2_client::{
    ApiClient, CsrfToken, Endpoint, Error, Grant, MemoryStore, OAuthClient, Pkce, TokenErrorCode, TokenStore,
    parse_callback, unix_now,
};

use crate::common::*;

/// Every step of ilert's guide through the client, with PKCE on or off.
async fn full_flow(pkce: Pkce) {
    let server = auto_server().await;
    let oauth = client(guide(&server, "profile source:w"));
    let http = browser();

    // 1. The authorize URL, exactly as ilert's guide writes it.
    let state = CsrfToken::new_random();
    let authorize = oauth.authorize_url(&state, pkce);
    let url = authorize.url.as_str();
    assert!(
        url.starts_with(&format!(
            "{}/api/developers/oauth2/authorize?client_id={GUIDE_ID}&response_type=code&\
             redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result&scope=profile%20source%3Aw&state=",
            server.base_url()
        )),
        "{url}"
    );
    assert_eq!(
        url.contains("code_challenge_method=S256"),
        pkce == Pkce::S256,
        "{url}"
    );
    assert_eq!(authorize.pkce_verifier.is_some(), pkce == Pkce::S256);

    // 2. The mock approves at once and redirects back with a code and our state.
    let back = redirect_of(&http, &authorize.url).await;
    assert_eq!(
        format!("{}://{}{}", back.scheme(), back.authority(), back.path()),
        GUIDE_REDIRECT
    );
    let code = parse_callback(back.query().unwrap_or_default(), Some(&state)).expect("a code");

    // 3. The exchange.
    let before = unix_now();
    let tokens = oauth
        .exchange_code(&code, authorize.pkce_verifier.as_ref())
        .await
        .expect("tokens");
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.scope, "profile source:w");
    assert_eq!(tokens.obtained_by, Grant::AuthorizationCode);
    assert!(
        tokens.refresh_token.is_some(),
        "a backend app gets a refresh token"
    );
    assert!((before + 3600..=unix_now() + 3600).contains(&tokens.expires_at));
    let refresh_expiry = tokens.refresh_expires_at.expect("refresh_token_expires_in read");
    assert!((before + 31_536_000..=unix_now() + 31_536_000).contains(&refresh_expiry));

    // What the client sent: ilert's form, the redirect URI, the verifier only with PKCE.
    let sent = token_posts(&server, "authorization_code");
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.status, 200);
    assert_eq!(form(sent, "client_id"), Some(GUIDE_ID));
    assert_eq!(form(sent, "client_secret"), Some("[redacted]"));
    assert_eq!(form(sent, "redirect_uri"), Some(GUIDE_REDIRECT));
    assert_eq!(form(sent, "code_verifier").is_some(), pkce == Pkce::S256);
    let content_type = sent
        .headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.as_str());
    assert_eq!(content_type, Some("application/x-www-form-urlencoded"));

    // 4. The API, with the access token.
    let api = ApiClient::with_tokens(oauth.clone(), tokens.clone());
    let me = api.current_user().await.expect("the current user");
    assert_eq!(me.username.as_deref(), Some("someUser"));
    assert_eq!(me.id, Some(1001));

    // 5. token_info.
    let info = oauth.token_info(&tokens.access_token).await.expect("token info");
    assert!(info.active);
    assert_eq!(info.username.as_deref(), Some("someUser"));
    assert_eq!(info.tenant_id.as_deref(), Some("someTenant"));
    assert_eq!(info.scope.as_deref(), Some("profile source:w"));
    assert_eq!(info.app_id, Some(250));

    // 6. Revoke (sign out): the store is emptied, and the refresh token is dead at ilert.
    assert!(
        api.revoke().await.expect("revoked"),
        "a refresh token was revoked"
    );
    assert_eq!(api.tokens().await.expect("store reads"), None);
    let refresh = tokens.refresh_token.as_ref().expect("refresh token");
    let err = oauth.refresh(refresh).await.expect_err("revoked");
    let Error::Token(e) = &err else {
        panic!("not a token error: {err:?}")
    };
    assert_eq!(
        (e.endpoint, e.status, &e.code),
        (Endpoint::Token, 401, &TokenErrorCode::InvalidGrant)
    );
    assert!(err.requires_sign_in() && !err.is_transient());
    assert!(err.to_string().contains("invalid_grant"), "{err}");

    // behaviour.md §9: the access token already issued stays valid until it expires.
    assert!(oauth.token_info(&tokens.access_token).await.expect("info").active);

    // The audit: with PKCE nothing to say; the guide's classic flow without it is told that
    // ilert suggests PKCE on top of the secret.
    if pkce == Pkce::S256 {
        assert_passes_audit(&server);
    } else {
        let (found, table) = serious_findings(&server);
        assert_eq!(found, ["NO_PKCE/warning"], "{table}");
    }
}

#[tokio::test]
async fn full_flow_without_pkce() {
    full_flow(Pkce::Disabled).await;
}

#[tokio::test]
async fn full_flow_with_pkce() {
    full_flow(Pkce::S256).await;
}

/// The PKCE challenge the mock received is the S256 of the verifier the client keeps, and the
/// verifier has RFC 7636's length.
#[tokio::test]
async fn the_challenge_sent_matches_the_verifier() {
    let server = auto_server().await;
    let oauth = client(guide(&server, "profile"));
    let authorize = oauth.authorize_url(&CsrfToken::new("st"), Pkce::S256);
    redirect_of(&browser(), &authorize.url).await;
    let verifier = authorize.pkce_verifier.expect("a verifier");
    assert!(
        (43..=128).contains(&verifier.secret().len()),
        "RFC 7636 verifier length"
    );
    let received =
        first_request_to(&server, "/api/developers/oauth2/authorize").expect("the authorize request");
    let param = |name: &str| {
        received
            .query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        param("code_challenge").as_deref(),
        Some(verifier.challenge_s256().as_str())
    );
    assert_eq!(param("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param("state").as_deref(), Some("st"));
    assert_passes_audit(&server);
}

fn public_app(server: &MockServer, scopes: &str) -> OAuthClient {
    client(app(server, PUBLIC_ID, PUBLIC_REDIRECT, scopes))
}

#[tokio::test]
async fn public_app_without_offline_access_has_no_refresh_token() {
    let server = auto_server().await;
    let oauth = public_app(&server, "profile");
    let tokens = sign_in(&oauth, Pkce::S256).await;
    assert_eq!(tokens.refresh_token, None);
    assert_eq!(tokens.refresh_expires_at, None);
    let sent = &token_posts(&server, "authorization_code")[0];
    assert_eq!(form(sent, "client_secret"), None, "a public app sends no secret");
    assert_eq!(form(sent, "code_verifier"), Some("[redacted]"));

    let api = ApiClient::with_tokens(oauth, tokens);
    assert_eq!(
        api.current_user().await.expect("user").username.as_deref(),
        Some("someUser")
    );
    // Once the token expires, only a new sign-in helps, and no refresh is attempted.
    server.clock().advance(3601);
    let err = api.current_user().await.expect_err("expired");
    assert!(matches!(err, Error::NoRefreshToken), "{err:?}");
    assert!(err.requires_sign_in());
    assert_eq!(refreshes(&server), 0);
    assert_passes_audit(&server);
}

#[tokio::test]
async fn public_app_with_offline_access_refreshes_without_a_secret() {
    let server = auto_server().await;
    let oauth = public_app(&server, "profile offline_access");
    let tokens = sign_in(&oauth, Pkce::S256).await;
    assert!(
        tokens.refresh_token.is_some(),
        "offline_access brings a refresh token"
    );
    let api = ApiClient::with_tokens(oauth, tokens);
    server.clock().advance(3601);
    api.current_user().await.expect("user after a refresh");
    let sent = token_posts(&server, "refresh_token");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].status, 200);
    assert_eq!(form(&sent[0], "client_id"), Some(PUBLIC_ID));
    assert_eq!(form(&sent[0], "client_secret"), None);
    assert_passes_audit(&server);
}

#[tokio::test]
async fn the_guides_app_signs_in_without_its_secret_as_the_pkce_guide_does() {
    let server = auto_server().await;
    let oauth = client(app(
        &server,
        GUIDE_ID,
        PUBLIC_REDIRECT,
        "profile source:w offline_access",
    ));
    // Even asked for no PKCE, a client without a secret uses it.
    let tokens = sign_in(&oauth, Pkce::Disabled).await;
    assert!(
        tokens.refresh_token.is_some(),
        "offline_access brings a refresh token"
    );
    let sent = &token_posts(&server, "authorization_code")[0];
    assert_eq!(sent.status, 200);
    assert_eq!(form(sent, "client_secret"), None);
    assert_eq!(form(sent, "code_verifier"), Some("[redacted]"));

    let api = ApiClient::with_tokens(oauth.clone(), tokens.clone());
    server.clock().advance(3601);
    api.current_user()
        .await
        .expect("user after a refresh with client_id only");
    let refreshed = token_posts(&server, "refresh_token");
    assert_eq!(refreshed.len(), 1);
    assert_eq!(refreshed[0].status, 200);
    assert_eq!(form(&refreshed[0], "client_secret"), None);

    let refresh_token = tokens.refresh_token.expect("refresh token");
    oauth.revoke(&refresh_token).await.expect("revoked");
    let err = oauth.refresh(&refresh_token).await.expect_err("revoked grant");
    assert!(err.requires_sign_in(), "{err:?}");
    assert_passes_audit(&server);
}

#[tokio::test]
async fn rotating_app_saves_the_new_refresh_token() {
    let server = auto_server().await;
    let oauth = client(app(&server, ROTATING_ID, GUIDE_REDIRECT, "profile").client_secret(ROTATING_SECRET));
    let tokens = sign_in(&oauth, Pkce::S256).await;
    let first = tokens.refresh_token.clone().expect("refresh token");
    let store = Arc::new(MemoryStore::with_tokens(tokens));
    let api = ApiClient::new(oauth.clone(), store.clone());

    server.clock().advance(3601);
    api.current_user().await.expect("user after the first refresh");
    let stored = store.load().expect("loads").expect("tokens");
    let second = stored.refresh_token.clone().expect("refresh token");
    assert_ne!(second, first, "the rotated refresh token was stored");
    assert_eq!(stored.obtained_by, Grant::RefreshToken);
    // The old one was revoked by the rotation.
    let err = oauth.refresh(&first).await.expect_err("rotated away");
    assert_eq!(err.token_error_code(), Some(&TokenErrorCode::InvalidGrant));

    // The stored (new) one keeps working.
    server.clock().advance(3601);
    api.current_user().await.expect("user after the second refresh");
    let third = store
        .load()
        .expect("loads")
        .and_then(|t| t.refresh_token)
        .expect("refresh token");
    assert!(third != second && third != first);
    let statuses: Vec<u16> = token_posts(&server, "refresh_token")
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(
        statuses,
        [200, 401, 200],
        "two refreshes by the client, one refused replay"
    );
    assert_passes_audit(&server);
}

/// `Config::tenant` sends the browser to `{tenant}.{app host}`; the mock reads the tenant from
/// `Host`, so the token is the tenant's (`il_n` is its short id). `*.localhost` need not resolve
/// through the system resolver, so the HTTP client is told where `acme.localhost` is.
#[tokio::test]
async fn tenant_host_issues_the_tenants_token() {
    // Signed in as wile, of tenant acme, instead of the usual someUser.
    let server = auto_server_with(|b| b.auto_approve("wile")).await;
    let http = browser_with(|b| b.resolve("acme.localhost", server.addr()));
    let port = server.addr().port();
    let config = guide(&server, "profile")
        .app_url(format!("http://localhost:{port}"))
        .tenant("acme")
        .build()
        .expect("config");
    assert_eq!(
        config.authorize_endpoint().as_str(),
        format!("http://acme.localhost:{port}/api/developers/oauth2/authorize")
    );
    let oauth = OAuthClient::with_http_client(config, http.clone());
    let tokens = sign_in_with(&oauth, &http, Pkce::S256).await;
    let (_, claims) = ilert_mock::tokens::decode_unverified(tokens.access_token.secret()).expect("a JWT");
    assert_eq!(claims["il_n"], "a7e", "{claims}");
    assert_eq!(claims["il_u"], "wile", "{claims}");
    let info = oauth.token_info(&tokens.access_token).await.expect("info");
    assert_eq!(info.tenant_id.as_deref(), Some("acme"));
    let me = ApiClient::with_tokens(oauth, tokens)
        .current_user()
        .await
        .expect("user");
    assert_eq!(me.username.as_deref(), Some("wile"));
    // The authorize request reached the mock on the tenant's host.
    let hosts: Vec<String> = server
        .journal()
        .all()
        .into_iter()
        .filter(|e| e.path == "/api/developers/oauth2/authorize")
        .filter_map(|e| e.headers.into_iter().find(|(k, _)| k == "host").map(|(_, v)| v))
        .collect();
    assert_eq!(hosts, [format!("acme.localhost:{port}")]);
    assert_eq!(token_posts(&server, "authorization_code")[0].path, paths::TOKEN);
    assert_passes_audit(&server);
}
