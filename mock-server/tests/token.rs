//! The token endpoint over HTTP (behaviour.md §3, §4, §7, §8, §9): both grants, every error row, the
//! documented shapes, client authentication, PKCE, public apps, limits and rotation.

use crate::common;

use base64::Engine as _;
use common::*;
use ilert_mock::MockServer;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use serde_json::{Value, json};

#[tokio::test]
async fn the_guides_curl_request_succeeds_with_the_documented_shape() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile source:w", None).await;
    // The guide's Go/Python payload, byte for byte, with only the code swapped in.
    let payload = format!(
        "client_id=0501439fd7dee9af0c25&client_secret=3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad&code={code}&grant_type=authorization_code"
    );
    let r = send(
        token_post(&server)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(payload),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    let body: Value = r.json().await.expect("json");
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        [
            "token_type",
            "access_token",
            "expires_in",
            "scope",
            "refresh_token",
            "refresh_token_expires_in"
        ]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "profile source:w");
    assert_eq!(body["refresh_token_expires_in"], 31_536_000);
}

#[tokio::test]
async fn tokens_have_ilerts_exact_headers_and_claims() {
    let server = auto_server().await;
    let now = server.clock().now();
    let tokens = tokens(&server, "profile source:w").await;
    let (header, claims) = decode(&s(&tokens, "access_token"));
    assert_eq!(
        serde_json::to_string(&header).expect("json"),
        r#"{"typ":"JWT","alg":"RS256"}"#
    );
    let keys: Vec<&String> = claims.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["il_n", "il_a", "il_s", "iss", "il_u", "il_t", "il_v", "exp"]
    );
    assert_eq!(claims["il_n"], "5cf");
    assert_eq!(claims["il_a"], 250);
    assert_eq!(claims["il_s"], "profile source:w");
    assert_eq!(claims["iss"], "ilert");
    assert_eq!(claims["il_u"], "someUser");
    assert_eq!(claims["il_t"], "ACCESS");
    assert_eq!(claims["il_v"], 1);
    let exp = claims["exp"].as_i64().expect("exp");
    assert!((now + 3600..=now + 3602).contains(&exp), "{exp} vs {now}");

    let (header, claims) = decode(&s(&tokens, "refresh_token"));
    assert_eq!(
        serde_json::to_string(&header).expect("json"),
        r#"{"typ":"JWT","alg":"HS256"}"#
    );
    let keys: Vec<&String> = claims.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["iss", "il_t", "il_v", "exp", "il_k"]);
    assert_eq!(claims["il_t"], "OAUTH");
    let il_k = claims["il_k"].as_str().expect("il_k");
    assert_eq!(il_k.len(), 32);
    assert!(
        il_k.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    let refresh_exp = claims["exp"].as_i64().expect("exp");
    // behaviour.md §4: the two exp values differ by one year less one hour.
    assert_eq!(refresh_exp - exp, 31_536_000 - 3_600);
}

#[tokio::test]
async fn json_body_and_basic_auth_are_accepted() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let body = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code, "grant_type": "authorization_code"});
    let r = send(token_post(&server).json(&body)).await;
    assert_eq!(r.status(), StatusCode::OK);

    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let r = send(
        token_post(&server)
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[("grant_type", "authorization_code"), ("code", code.as_str())]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn old_axios_json_under_the_form_content_type_is_accepted() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let body = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code, "grant_type": "authorization_code"});
    let r = send(
        token_post(&server)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.to_string()),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn client_authentication_failures() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let base = [("grant_type", "authorization_code"), ("code", code.as_str())];

    let (st, h, b) = post_form(
        &server,
        TOKEN,
        &[&base[..], &[("client_id", CLIENT_ID), ("client_secret", "wrong")]].concat(),
    )
    .await;
    assert_token_error(st, &b, 401, "invalid_client");
    assert!(h.get(WWW_AUTHENTICATE).is_none());
    let (st, _, b) = post_form(&server, TOKEN, &[&base[..], &[("client_id", CLIENT_ID)]].concat()).await;
    assert_token_error(st, &b, 401, "invalid_client");
    let (st, _, b) = post_form(
        &server,
        TOKEN,
        &[&base[..], &[("client_id", "nope"), ("client_secret", "x")]].concat(),
    )
    .await;
    assert_token_error(st, &b, 401, "invalid_client");
    let (st, _, b) = post_form(&server, TOKEN, &base).await;
    assert_token_error(st, &b, 401, "invalid_client");

    let r = send(
        token_post(&server)
            .basic_auth(CLIENT_ID, Some("wrong"))
            .form(&base),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()[WWW_AUTHENTICATE]
            .to_str()
            .expect("text")
            .starts_with("Basic")
    );

    let r = send(
        token_post(&server)
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[&base[..], &[("client_secret", CLIENT_SECRET)]].concat()),
    )
    .await;
    let (st, b) = (r.status(), r.json::<Value>().await.expect("json"));
    assert_token_error(st, &b, 400, "invalid_request");

    // The failed attempts did not burn the code.
    assert_eq!(exchange(&server, &code).await.0, StatusCode::OK);
}

#[tokio::test]
async fn unknown_code_uses_ilerts_documented_description() {
    let server = auto_server().await;
    let (st, h, b) = exchange(&server, "a74e0a0bfbfefbe62ab94a60942e").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(
        b,
        json!({"code": "invalid_grant", "error": "Provided code is unknown"})
    );
    assert_eq!(h[CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn code_reuse_fails_and_revokes_the_grant() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let (st, _, first) = exchange(&server, &code).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, b) = exchange(&server, &code).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    let (st, _, b) = refresh(&server, &s(&first, "refresh_token")).await;
    assert_token_error(st, &b, 401, "invalid_grant");
}

#[tokio::test]
async fn code_expires_after_two_minutes() {
    let server = auto_server().await;
    // Frozen, so that no real second passes between issue and the check one second before expiry.
    server.clock().freeze(true);
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    server.clock().advance(121);
    let (st, _, b) = exchange(&server, &code).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    assert!(b["error"].as_str().expect("text").contains("expired"));
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    server.clock().advance(119);
    assert_eq!(exchange(&server, &code).await.0, StatusCode::OK);
}

#[tokio::test]
async fn redirect_uri_at_the_token_endpoint_is_optional_but_must_match() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let form = |uri: &'static str, code: &str| {
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("client_id", CLIENT_ID.to_owned()),
            ("client_secret", CLIENT_SECRET.to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", uri.to_owned()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let server = &server;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(server, TOKEN, &pairs).await
        }
    };
    let (st, _, b) = send(form("http://localhost:4597/webapp", &code)).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    let (st, _, _) = send(form(REDIRECT_URI, &code)).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn grant_type_errors() {
    let server = auto_server().await;
    let auth = [("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)];
    let (st, _, b) = post_form(&server, TOKEN, &auth).await;
    assert_token_error(st, &b, 400, "invalid_request");
    for grant in [
        "password",
        "client_credentials",
        "implicit",
        "urn:ietf:params:oauth:grant-type:device_code",
    ] {
        let (st, _, b) = post_form(&server, TOKEN, &[&auth[..], &[("grant_type", grant)]].concat()).await;
        assert_token_error(st, &b, 400, "unsupported_grant_type");
    }
    // A grant without its fields, and a field sent twice.
    for fields in [
        &[("grant_type", "authorization_code")][..],
        &[("grant_type", "refresh_token")],
        &[("grant_type", "authorization_code"), ("code", "a"), ("code", "b")],
    ] {
        let (st, _, b) = post_form(&server, TOKEN, &[&auth[..], fields].concat()).await;
        assert_token_error(st, &b, 400, "invalid_request");
    }
}

#[tokio::test]
async fn unsupported_content_types_and_oversized_bodies() {
    let server = auto_server().await;
    let url = format!("{}{TOKEN}", server.base_url());
    let r = http()
        .post(&url)
        .header(CONTENT_TYPE, "text/plain")
        .body("grant_type=refresh_token")
        .send()
        .await
        .expect("answers");
    let (st, b) = (r.status(), r.json::<Value>().await.expect("json"));
    assert_token_error(st, &b, 400, "invalid_request");
    let r = http()
        .post(&url)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("grant_type=refresh_token&pad={}", "a".repeat(70 * 1024)))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let b: Value = r.json().await.expect("json");
    assert_eq!(b["code"], "invalid_request");
}

#[tokio::test]
async fn pkce_on_a_backend_app() {
    let server = auto_server().await;
    let with = |code: &str, verifier: Option<&'static str>| {
        let mut f = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("client_id", CLIENT_ID.to_owned()),
            ("client_secret", CLIENT_SECRET.to_owned()),
            ("code", code.to_owned()),
        ];
        if let Some(v) = verifier {
            f.push(("code_verifier", v.to_owned()));
        }
        f
    };
    let send = |f: Vec<(&'static str, String)>| {
        let server = &server;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(server, TOKEN, &pairs).await
        }
    };
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", Some(CHALLENGE)).await;
    let (st, _, b) = send(with(&code, None)).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    let (st, _, b) = send(with(&code, Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX"))).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    let (st, _, b) = send(with(&code, Some("tooshort"))).await;
    assert_token_error(st, &b, 400, "invalid_request");
    assert_eq!(send(with(&code, Some(VERIFIER))).await.0, StatusCode::OK);

    let plain = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let (st, _, b) = send(with(&plain, Some(VERIFIER))).await;
    assert_token_error(st, &b, 401, "invalid_grant");
}

#[tokio::test]
async fn public_app_gets_refresh_tokens_only_with_offline_access() {
    let server = auto_server().await;
    let exchange_public = |code: String| {
        let server = &server;
        async move {
            post_form(
                server,
                TOKEN,
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", PUBLIC_ID),
                    ("code", &code),
                    ("code_verifier", VERIFIER),
                ],
            )
            .await
        }
    };
    let code = code_for(&server, PUBLIC_ID, PUBLIC_REDIRECT, "profile", Some(CHALLENGE)).await;
    let (st, _, b) = exchange_public(code).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert!(
        b.get("refresh_token").is_none() && b.get("refresh_token_expires_in").is_none(),
        "{b}"
    );

    let code = code_for(
        &server,
        PUBLIC_ID,
        PUBLIC_REDIRECT,
        "profile offline_access",
        Some(CHALLENGE),
    )
    .await;
    let (st, _, b) = exchange_public(code).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let refresh_token = s(&b, "refresh_token");
    let (st, _, b) = refresh_without_secret(&server, PUBLIC_ID, &refresh_token).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    // A public app presenting a secret is refused.
    let (st, _, b) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", PUBLIC_ID),
            ("client_secret", "x"),
            ("refresh_token", &refresh_token),
        ],
    )
    .await;
    assert_token_error(st, &b, 401, "invalid_client");
}

#[tokio::test]
async fn refresh_without_rotation_returns_the_same_token() {
    let server = auto_server().await;
    // Frozen, so that the second boundary cannot pass between issue and refresh.
    server.clock().freeze(true);
    let first = tokens(&server, "profile source:w").await;
    let rt = s(&first, "refresh_token");
    server.clock().advance(600);
    let (st, h, b) = refresh(&server, &rt).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h[CACHE_CONTROL], "no-store");
    assert_eq!(s(&b, "refresh_token"), rt);
    assert_eq!(b["refresh_token_expires_in"], 31_536_000 - 600);
    assert_eq!(b["scope"], "profile source:w");
    assert_ne!(s(&b, "access_token"), s(&first, "access_token"));
    assert_eq!(refresh(&server, &rt).await.0, StatusCode::OK);
}

#[tokio::test]
async fn refresh_may_narrow_but_not_widen_scope() {
    let server = auto_server().await;
    let rt = s(&tokens(&server, "profile source:w").await, "refresh_token");
    let narrow = [
        ("grant_type", "refresh_token"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("refresh_token", rt.as_str()),
        ("scope", "profile"),
    ];
    let (st, _, b) = post_form(&server, TOKEN, &narrow).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["scope"], "profile");
    let mut wide = narrow;
    wide[4].1 = "profile source:d";
    let (st, _, b) = post_form(&server, TOKEN, &wide).await;
    assert_token_error(st, &b, 400, "invalid_scope");
}

#[tokio::test]
async fn rotation_issues_a_new_refresh_token_and_kills_the_old_one() {
    let server = auto_server().await;
    let code = code_for(&server, ROTATING_ID, REDIRECT_URI, "profile", None).await;
    let (st, _, b) = exchange_rotating(&server, &code).await;
    assert_eq!(st, StatusCode::OK);
    let old = s(&b, "refresh_token");
    let form = |rt: &str| {
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", ROTATING_ID.to_owned()),
            ("client_secret", ROTATING_SECRET.to_owned()),
            ("refresh_token", rt.to_owned()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let server = &server;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(server, TOKEN, &pairs).await
        }
    };
    let (st, _, b) = send(form(&old)).await;
    assert_eq!(st, StatusCode::OK);
    let new = s(&b, "refresh_token");
    assert_ne!(new, old);
    let (st, _, b) = send(form(&old)).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    assert_eq!(send(form(&new)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_eleventh_grant_revokes_the_oldest() {
    let server = auto_server().await;
    let mut refresh_tokens = Vec::new();
    for _ in 0..11 {
        refresh_tokens.push(s(&tokens(&server, "profile").await, "refresh_token"));
    }
    let (st, _, b) = refresh(&server, &refresh_tokens[0]).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    for rt in &refresh_tokens[1..] {
        assert_eq!(refresh(&server, rt).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn refresh_token_errors() {
    let server = auto_server().await;
    let first = tokens(&server, "profile").await;
    // An access token is not a refresh token.
    let (st, _, b) = refresh(&server, &s(&first, "access_token")).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    let (st, _, b) = refresh(&server, "not-a-jwt").await;
    assert_token_error(st, &b, 401, "invalid_grant");
    // A refresh token of another app.
    let (st, _, b) = post_form(
        &server,
        TOKEN,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", ROTATING_ID),
            ("client_secret", ROTATING_SECRET),
            ("refresh_token", &s(&first, "refresh_token")),
        ],
    )
    .await;
    assert_token_error(st, &b, 401, "invalid_grant");
    // Tampered: same claims, other key id.
    let rt = s(&first, "refresh_token");
    let mut parts: Vec<String> = rt.split('.').map(str::to_owned).collect();
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(br#"{"iss":"ilert","il_t":"OAUTH","il_v":1,"exp":9999999999,"il_k":"00000000000000000000000000000000"}"#);
    parts[1] = claims;
    let (st, _, b) = refresh(&server, &parts.join(".")).await;
    assert_token_error(st, &b, 401, "invalid_grant");
    // Expired after a year.
    server.clock().advance(31_536_000);
    let (st, _, b) = refresh(&server, &rt).await;
    assert_token_error(st, &b, 401, "invalid_grant");
}

#[tokio::test]
async fn cors_preflight_on_the_token_endpoint() {
    let server = MockServer::start().await;
    assert_preflight_allowed(&server, TOKEN, "POST", "content-type").await;
}

/// A POST to the token endpoint of `server`, to be finished by the caller.
fn token_post(server: &MockServer) -> reqwest::RequestBuilder {
    http().post(format!("{}{TOKEN}", server.base_url()))
}

/// Sends `request`; the mock always answers.
async fn send(request: reqwest::RequestBuilder) -> reqwest::Response {
    request.send().await.expect("answers")
}
