//! The authorize endpoint over HTTP (behaviour.md §2, §9): grant view, exact redirect matching, error
//! pages vs error redirects, state echo, tenant hosts, PKCE methods, auto-approve.

use crate::common;

use common::*;
use ilert_mock::MockServer;
use reqwest::StatusCode;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_SECURITY_POLICY, HOST, LOCATION, X_FRAME_OPTIONS,
};

fn guide(redirect_uri: &str) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", CLIENT_ID.to_owned()),
        ("response_type", "code".to_owned()),
        ("redirect_uri", redirect_uri.to_owned()),
        ("scope", "profile source:w".to_owned()),
        ("state", "optional-state".to_owned()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Posts the grant view's `form` (a decision pressed); asserts the redirect and returns its
/// headers.
async fn press(server: &MockServer, form: &[(&'static str, String)]) -> reqwest::header::HeaderMap {
    let r = http()
        .post(format!("{}{AUTHORIZE}", server.base_url()))
        .form(&pairs(form))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::FOUND);
    r.headers().clone()
}

#[tokio::test]
async fn grant_view_shows_app_scopes_users_and_buttons() {
    let server = MockServer::start().await;
    let (status, headers, body) = authorize(&server, &pairs(&guide(REDIRECT_URI))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    assert!(body.contains("ilert Sample OAuth2 App"), "{body}");
    assert!(body.contains("your user profile"));
    assert!(body.contains("alert sources"));
    assert!(body.contains("read-write"));
    assert!(body.contains("value=\"someUser\""));
    assert!(body.contains("value=\"grant\"") && body.contains("value=\"deny\""));
    assert!(body.contains(&format!("action=\"{AUTHORIZE}\"")));
    assert!(!body.contains("<script"));
    assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
    assert!(
        headers[CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("csp")
            .contains("frame-ancestors 'none'")
    );
    assert!(headers.get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn posting_grant_redirects_with_code_and_verbatim_state() {
    let server = MockServer::start().await;
    let state = r#"{"returnTo":"/dash?a=1&b=2","nonce":"x y+z"}"#;
    let mut form = guide(REDIRECT_URI);
    form.retain(|(k, _)| *k != "state");
    form.push(("state", state.to_owned()));
    form.push(("user", "krystianity".to_owned()));
    form.push(("decision", "grant".to_owned()));
    let headers = press(&server, &form).await;
    let location = headers[LOCATION].to_str().expect("text").to_owned();
    assert!(
        location.starts_with("http://localhost:4597/authorize-result?code="),
        "{location}"
    );
    let params = location_params(&headers);
    let code = param(&params, "code").expect("code");
    assert_eq!(code.len(), 28);
    assert!(
        code.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(param(&params, "state").as_deref(), Some(state));
    // The code was issued for the chosen user.
    let (_, _, tokens) = exchange(&server, &code).await;
    let (_, claims) = decode(&s(&tokens, "access_token"));
    assert_eq!(claims["il_u"], "krystianity");
}

#[tokio::test]
async fn posting_deny_redirects_access_denied_with_state() {
    let server = MockServer::start().await;
    let mut form = guide(REDIRECT_URI);
    form.push(("decision", "deny".to_owned()));
    let params = location_params(&press(&server, &form).await);
    assert_eq!(param(&params, "error").as_deref(), Some("access_denied"));
    assert!(param(&params, "error_description").is_some());
    assert_eq!(param(&params, "state").as_deref(), Some("optional-state"));
    assert!(param(&params, "code").is_none());
}

#[tokio::test]
async fn state_is_omitted_when_not_sent() {
    let server = auto_server().await;
    let mut q = guide(REDIRECT_URI);
    q.retain(|(k, _)| *k != "state");
    let (status, headers, _) = authorize(&server, &pairs(&q)).await;
    assert_eq!(status, StatusCode::FOUND);
    let params = location_params(&headers);
    assert!(param(&params, "state").is_none());
    assert!(param(&params, "code").is_some());
}

#[tokio::test]
async fn every_redirect_uri_variant_is_refused_without_redirect() {
    let server = auto_server().await;
    let variants = [
        ("trailing slash", "http://localhost:4597/authorize-result/"),
        ("host case", "http://LOCALHOST:4597/authorize-result"),
        ("path case", "http://localhost:4597/Authorize-Result"),
        ("other port", "http://localhost:4598/authorize-result"),
        ("no port", "http://localhost/authorize-result"),
        ("default port", "http://localhost:80/authorize-result"),
        ("scheme", "https://localhost:4597/authorize-result"),
        ("query", "http://localhost:4597/authorize-result?x=1"),
        ("fragment", "http://localhost:4597/authorize-result#f"),
        ("userinfo", "http://user@localhost:4597/authorize-result"),
        ("percent-encoding", "http://localhost:4597/authorize%2Dresult"),
        ("prefix", "http://localhost:4597/authorize-result-evil"),
        ("ip for name", "http://127.0.0.1:4597/authorize-result"),
        ("other host", "https://evil.example/authorize-result"),
        ("javascript", "javascript:alert(1)"),
        (
            "crlf",
            "http://localhost:4597/authorize-result\r\nSet-Cookie: x=1",
        ),
    ];
    for (name, uri) in variants {
        let (status, headers, body) = authorize(&server, &pairs(&guide(uri))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
        assert!(headers.get(LOCATION).is_none(), "{name} redirected");
        assert!(body.contains("not registered"), "{name}: {body}");
        assert!(
            body.contains("http://localhost:4597/authorize-result"),
            "{name}: the page names what to register"
        );
    }
    // The exact string works.
    let (status, _, _) = authorize(&server, &pairs(&guide(REDIRECT_URI))).await;
    assert_eq!(status, StatusCode::FOUND);
}

#[tokio::test]
async fn unknown_client_and_missing_redirect_uri_get_a_page() {
    let server = auto_server().await;
    let mut unknown = guide(REDIRECT_URI);
    unknown[0].1 = "doesnotexist".to_owned();
    let (status, headers, body) = authorize(&server, &pairs(&unknown)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(headers.get(LOCATION).is_none());
    assert!(body.contains("doesnotexist"));

    let mut missing = guide(REDIRECT_URI);
    missing.retain(|(k, _)| *k != "redirect_uri");
    let (status, headers, _) = authorize(&server, &pairs(&missing)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(headers.get(LOCATION).is_none());

    let mut no_client = guide(REDIRECT_URI);
    no_client.retain(|(k, _)| *k != "client_id");
    let (status, _, _) = authorize(&server, &pairs(&no_client)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn error_redirect(server: &MockServer, q: &[(&'static str, String)]) -> (String, Option<String>) {
    let (status, headers, body) = authorize(server, &pairs(q)).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    let params = location_params(&headers);
    assert!(param(&params, "code").is_none());
    assert!(param(&params, "error_description").is_some());
    (param(&params, "error").expect("error"), param(&params, "state"))
}

#[tokio::test]
async fn other_errors_redirect_with_error_and_state() {
    let server = auto_server().await;
    let state = Some("optional-state".to_owned());
    let with = |k: &'static str, v: &str| {
        let mut q = guide(REDIRECT_URI);
        q.retain(|(name, _)| *name != k);
        q.push((k, v.to_owned()));
        q
    };
    let without = |k: &'static str| {
        let mut q = guide(REDIRECT_URI);
        q.retain(|(name, _)| *name != k);
        q
    };
    assert_eq!(
        error_redirect(&server, &with("response_type", "token")).await,
        ("unsupported_response_type".into(), state.clone())
    );
    assert_eq!(
        error_redirect(&server, &without("response_type")).await,
        ("invalid_request".into(), state.clone())
    );
    assert_eq!(
        error_redirect(&server, &with("scope", "profile nope")).await,
        ("invalid_scope".into(), state.clone())
    );
    assert_eq!(
        error_redirect(&server, &with("scope", "source:x")).await,
        ("invalid_scope".into(), state.clone())
    );
    assert_eq!(
        error_redirect(&server, &without("scope")).await,
        ("invalid_scope".into(), state.clone())
    );
    let mut repeated = guide(REDIRECT_URI);
    repeated.push(("scope", "profile".to_owned()));
    assert_eq!(
        error_redirect(&server, &repeated).await,
        ("invalid_request".into(), state.clone())
    );
}

#[tokio::test]
async fn pkce_methods_other_than_s256_are_invalid_request() {
    let server = auto_server().await;
    for method in [Some("plain"), None, Some("S512")] {
        let mut q = guide(REDIRECT_URI);
        q.push(("code_challenge", CHALLENGE.to_owned()));
        if let Some(m) = method {
            q.push(("code_challenge_method", m.to_owned()));
        }
        assert_eq!(
            error_redirect(&server, &q).await.0,
            "invalid_request",
            "{method:?}"
        );
    }
    let mut ok = guide(REDIRECT_URI);
    ok.push(("code_challenge", CHALLENGE.to_owned()));
    ok.push(("code_challenge_method", "S256".to_owned()));
    assert_eq!(authorize(&server, &pairs(&ok)).await.0, StatusCode::FOUND);
}

#[tokio::test]
async fn public_app_must_use_pkce() {
    let server = auto_server().await;
    let q = vec![
        ("client_id", PUBLIC_ID.to_owned()),
        ("response_type", "code".to_owned()),
        ("redirect_uri", PUBLIC_REDIRECT.to_owned()),
        ("scope", "profile".to_owned()),
    ];
    assert_eq!(error_redirect(&server, &q).await.0, "invalid_request");
}

#[tokio::test]
async fn tenant_host_limits_the_user_picker() {
    let server = MockServer::start().await;
    let port = server.addr().port();
    let q = guide(REDIRECT_URI);
    let (status, body) = authorize_on_host(&server, &format!("acme.localhost:{port}"), &pairs(&q)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("ACME Corp"), "{body}");
    assert!(body.contains("value=\"wile\""));
    assert!(!body.contains("value=\"someUser\""));
    let (status, body) =
        authorize_on_host(&server, &format!("sometenant.localhost:{port}"), &pairs(&q)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("value=\"someUser\"") && !body.contains("value=\"wile\""));
    let (status, body) = authorize_on_host(&server, &format!("nosuch.localhost:{port}"), &pairs(&q)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("nosuch"));
}

#[tokio::test]
async fn a_user_of_another_tenant_cannot_approve_on_a_tenant_host() {
    let server = MockServer::start().await;
    let mut form = guide(REDIRECT_URI);
    form.push(("user", "someUser".to_owned()));
    form.push(("decision", "grant".to_owned()));
    let r = http()
        .post(format!("{}{AUTHORIZE}", server.base_url()))
        .header(HOST, format!("acme.localhost:{}", server.addr().port()))
        .form(&pairs(&form))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::FOUND);
    let params = location_params(r.headers());
    assert_eq!(param(&params, "error").as_deref(), Some("access_denied"));
}

#[tokio::test]
async fn tenant_host_code_carries_the_tenant() {
    let server = started(MockServer::builder().auto_approve("wile")).await;
    let q = guide(REDIRECT_URI);
    let url = format!("{}{AUTHORIZE}?{}", server.base_url(), query(&pairs(&q)));
    let r = http()
        .get(url)
        .header(HOST, format!("acme.localhost:{}", server.addr().port()))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::FOUND);
    let code = param(&location_params(r.headers()), "code").expect("code");
    let (_, _, tokens) = exchange(&server, &code).await;
    let (_, claims) = decode(&s(&tokens, "access_token"));
    assert_eq!(claims["il_n"], "a7e");
    assert_eq!(claims["il_u"], "wile");
}

#[tokio::test]
async fn malformed_query_gets_a_page() {
    let server = auto_server().await;
    let r = fetch(format!("{}{AUTHORIZE}?client_id=%zz", server.base_url())).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get(LOCATION).is_none());
}
