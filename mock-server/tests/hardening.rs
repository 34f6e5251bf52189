//! Races, hostile input and the rate limit: the mock must never be the flaky part of a CI run,
//! and must refuse misbehaving clients in the documented shape, never with a 5xx, a panic or a
//! hang.

use crate::common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use ilert_mock::User;
use ilert_mock::{GrantFilter, MockServer};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use serde_json::{Value, json};
use tokio::task::JoinSet;

/// Sends `form` to the token endpoint 64 times at once, each from its own task; every answer.
async fn sixty_four_token_requests(server: &MockServer, form: &[(&str, &str)]) -> Vec<(StatusCode, Value)> {
    let form: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut tasks = JoinSet::new();
    for _ in 0..64 {
        let (base, form) = (server.base_url(), form.clone());
        tasks.spawn(async move {
            let r = http()
                .post(format!("{base}{TOKEN}"))
                .form(&form)
                .send()
                .await
                .expect("answers");
            (r.status(), r.json::<Value>().await.expect("json"))
        });
    }
    let mut answers = Vec::new();
    while let Some(result) = tasks.join_next().await {
        answers.push(result.expect("task"));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_redemptions_of_one_code_succeed_once() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile", None).await;
    let form = exchange_form(&code);
    let mut ok = Vec::new();
    for (status, body) in sixty_four_token_requests(&server, &form).await {
        if status == StatusCode::OK {
            ok.push(body);
        } else {
            assert_token_error(status, &body, 401, "invalid_grant");
        }
    }
    assert_eq!(ok.len(), 1);
    // Every other attempt was a reuse, so the grant is revoked as for any reuse.
    let (st, _, b) = refresh(&server, &s(&ok[0], "refresh_token")).await;
    assert_token_error(st, &b, 401, "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_rotations_leave_exactly_one_valid_token() {
    let server = auto_server().await;
    let code = code_for(&server, ROTATING_ID, REDIRECT_URI, "profile", None).await;
    let (_, _, first) = exchange_rotating(&server, &code).await;
    let original = s(&first, "refresh_token");
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", ROTATING_ID),
        ("client_secret", ROTATING_SECRET),
        ("refresh_token", &original),
    ];
    let mut new_tokens = Vec::new();
    for (status, body) in sixty_four_token_requests(&server, &form).await {
        if status == StatusCode::OK {
            new_tokens.push(s(&body, "refresh_token"));
        } else {
            assert_token_error(status, &body, 401, "invalid_grant");
        }
    }
    assert_eq!(new_tokens.len(), 1);
    let live = server
        .admin()
        .grants(&GrantFilter::app(ROTATING_ID))
        .into_iter()
        .filter(|g| g.revoked.is_none())
        .count();
    assert_eq!(live, 1);
    let refresh_rotating = |rt: String| {
        let server = &server;
        async move {
            post_form(
                server,
                TOKEN,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", ROTATING_ID),
                    ("client_secret", ROTATING_SECRET),
                    ("refresh_token", &rt),
                ],
            )
            .await
            .0
        }
    };
    assert_eq!(refresh_rotating(original).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh_rotating(new_tokens[0].clone()).await, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_flows_by_different_users_mix_nothing_up() {
    let server = MockServer::start().await;
    for i in 0..1000 {
        server
            .admin()
            .add_user(User {
                id: 100_000 + i,
                tenant: if i % 2 == 0 {
                    "someTenant".into()
                } else {
                    "acme".into()
                },
                username: format!("load-user-{i}"),
                first_name: "Load".into(),
                last_name: format!("User {i}"),
                email: format!("load{i}@example.com"),
                role: "USER".into(),
                timezone: "Europe/Berlin".into(),
                language: "en".into(),
                region: "DE".into(),
                position: None,
                department: None,
            })
            .expect("user added");
    }
    let base = server.base_url();
    let client = http();
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = JoinSet::new();
    for i in 0..1000 {
        let (base, client, limit) = (base.clone(), client.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire().await.expect("semaphore");
            let user = format!("load-user-{i}");
            let state = format!("state-{i}");
            let code = grant_code_at(&client, &base, &user, "profile", &state).await;
            let (status, _, tokens) = exchange_at(&client, &base, &code).await;
            assert_eq!(status, StatusCode::OK, "{tokens}");
            let (_, _, me) =
                api_get_at(&client, &base, "/api/users/current", &s(&tokens, "access_token")).await;
            assert_eq!(me["username"], user);
            user
        });
    }
    let mut done = 0;
    while let Some(result) = tasks.join_next().await {
        result.expect("flow");
        done += 1;
    }
    assert_eq!(done, 1000);
    let grants = server.admin().grants(&GrantFilter::app(CLIENT_ID));
    assert_eq!(
        grants
            .iter()
            .filter(|g| g.username.starts_with("load-user-") && g.revoked.is_none())
            .count(),
        1000
    );
}

/// One hostile request and where it goes.
enum Hostile {
    /// POST to the token endpoint with this content type and raw body.
    Token(&'static str, Vec<u8>),
    /// GET an API path with this Authorization header.
    Api(&'static str, String),
    /// GET authorize with this raw query.
    Authorize(String),
    /// POST token_info / revoke with a form body.
    Form(&'static str, Vec<u8>),
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"))
}

fn jwt(header: Value, claims: Value, sig: &str) -> String {
    format!("{}.{}.{sig}", b64(&header), b64(&claims))
}

#[tokio::test]
async fn hostile_input_gets_documented_4xx_never_5xx() {
    let server = auto_server().await;
    let tokens = tokens(&server, "profile source:w").await;
    let access = s(&tokens, "access_token");
    let refresh_token = s(&tokens, "refresh_token");
    let (_, claims) = decode(&access);
    let sig = access.rsplit('.').next().expect("signature").to_owned();
    let now = server.clock().now();
    let auth = format!("client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}");
    let form = "application/x-www-form-urlencoded";
    let q = |extra: &str| format!("client_id={CLIENT_ID}&response_type=code&scope=profile&{extra}");

    let mut cases: Vec<(&str, Hostile, u16)> = vec![
        ("oversized body", Hostile::Token(form, format!("grant_type=refresh_token&x={}", "a".repeat(65 * 1024)).into_bytes()), 413),
        ("invalid utf-8", Hostile::Token(form, b"grant_type=refresh_token&refresh_token=\xff\xfe".to_vec()), 400),
        ("bad percent-encoding", Hostile::Token(form, b"grant_type=refresh%zztoken".to_vec()), 400),
        ("truncated escape", Hostile::Token(form, b"grant_type=refresh_token%".to_vec()), 400),
        ("percent-encoded invalid utf-8", Hostile::Token(form, b"grant_type=%C3%28".to_vec()), 400),
        ("duplicate grant_type", Hostile::Token(form, format!("grant_type=refresh_token&grant_type=authorization_code&{auth}").into_bytes()), 400),
        ("duplicate client_id", Hostile::Token(form, format!("grant_type=authorization_code&code=x&{auth}&client_id=x").into_bytes()), 400),
        ("duplicate JSON key", Hostile::Token("application/json", format!(r#"{{"grant_type":"authorization_code","code":"a","code":"b","client_id":"{CLIENT_ID}","client_secret":"{CLIENT_SECRET}"}}"#).into_bytes()), 400),
        ("empty body", Hostile::Token(form, Vec::new()), 400),
        ("empty grant_type", Hostile::Token(form, format!("grant_type=&{auth}").into_bytes()), 400),
        ("missing code", Hostile::Token(form, format!("grant_type=authorization_code&{auth}").into_bytes()), 400),
        ("empty code", Hostile::Token(form, format!("grant_type=authorization_code&code=&{auth}").into_bytes()), 400),
        ("missing refresh_token", Hostile::Token(form, format!("grant_type=refresh_token&{auth}").into_bytes()), 400),
        ("password grant", Hostile::Token(form, format!("grant_type=password&username=a&password=b&{auth}").into_bytes()), 400),
        ("client_credentials grant", Hostile::Token(form, format!("grant_type=client_credentials&{auth}").into_bytes()), 400),
        ("implicit grant", Hostile::Token(form, format!("grant_type=implicit&{auth}").into_bytes()), 400),
        ("text/plain body", Hostile::Token("text/plain", b"grant_type=refresh_token".to_vec()), 400),
        ("multipart body", Hostile::Token("multipart/form-data; boundary=x", b"--x--".to_vec()), 400),
        ("xml body", Hostile::Token("application/xml", b"<a/>".to_vec()), 400),
        ("JSON array", Hostile::Token("application/json", b"[1,2]".to_vec()), 400),
        ("JSON nested object", Hostile::Token("application/json", br#"{"grant_type":{"a":1}}"#.to_vec()), 400),
        ("broken JSON", Hostile::Token("application/json", b"{\"grant_type\":".to_vec()), 400),
        ("code with NUL", Hostile::Token(form, format!("grant_type=authorization_code&code=%00abc&{auth}").into_bytes()), 401),
        ("huge code", Hostile::Token(form, format!("grant_type=authorization_code&code={}&{auth}", "a".repeat(50_000)).into_bytes()), 401),
        ("refresh token = access token", Hostile::Token(form, format!("grant_type=refresh_token&refresh_token={access}&{auth}").into_bytes()), 401),
        ("refresh token alg none", Hostile::Token(form, format!("grant_type=refresh_token&refresh_token={}&{auth}", jwt(json!({"typ":"JWT","alg":"none"}), json!({"iss":"ilert","il_t":"OAUTH","il_v":1,"exp":now+999,"il_k":"0".repeat(32)}), "")).into_bytes()), 401),
        ("refresh token tampered", Hostile::Token(form, format!("grant_type=refresh_token&refresh_token={}x&{auth}", refresh_token).into_bytes()), 401),
        ("no bearer prefix", Hostile::Api("/api/users/current", access.clone()), 401),
        ("basic scheme", Hostile::Api("/api/users/current", format!("Basic {access}")), 401),
        ("10 KB bearer", Hostile::Api("/api/users/current", format!("Bearer {}", "A".repeat(10 * 1024))), 401),
        ("bearer alg none", Hostile::Api("/api/users/current", format!("Bearer {}", jwt(json!({"typ":"JWT","alg":"none"}), claims.clone(), ""))), 401),
        ("bearer alg none with sig", Hostile::Api("/api/users/current", format!("Bearer {}", jwt(json!({"typ":"JWT","alg":"none"}), claims.clone(), &sig))), 401),
        ("bearer HS256 header", Hostile::Api("/api/users/current", format!("Bearer {}", jwt(json!({"typ":"JWT","alg":"HS256"}), claims.clone(), &sig))), 401),
        ("bearer kid header", Hostile::Api("/api/users/current", format!("Bearer {}", jwt(json!({"typ":"JWT","alg":"RS256","kid":"../../etc/passwd"}), claims.clone(), &sig))), 401),
        ("bearer jku header", Hostile::Api("/api/users/current", format!("Bearer {}", jwt(json!({"typ":"JWT","alg":"RS256","jku":"http://127.0.0.1:9/k"}), claims.clone(), &sig))), 401),
        ("bearer expired claims", Hostile::Api("/api/users/current", format!("Bearer {}", jwt(json!({"typ":"JWT","alg":"RS256"}), json!({"exp": now - 10}), &sig))), 401),
        ("bearer with nbf in the future", Hostile::Api("/api/users/current", format!("Bearer {}", jwt(json!({"typ":"JWT","alg":"RS256"}), {let mut c = claims.clone(); c["nbf"] = json!(now + 3600); c}, &sig))), 401),
        ("bearer il_t OAUTH", Hostile::Api("/api/users/current", format!("Bearer {}", jwt(json!({"typ":"JWT","alg":"RS256"}), {let mut c = claims.clone(); c["il_t"] = json!("OAUTH"); c}, &sig))), 401),
        ("bearer refresh token", Hostile::Api("/api/users/current", format!("Bearer {refresh_token}")), 401),
        ("bearer two dots only", Hostile::Api("/api/users/current", "Bearer ..".to_owned()), 401),
        ("bearer garbage base64", Hostile::Api("/api/users/current", "Bearer %%%.@@@.!!!".to_owned()), 401),
        ("missing scope", Hostile::Api("/api/escalation-policies", format!("Bearer {access}")), 403),
        ("delete without :d", Hostile::Api("/api/teams", format!("Bearer {access}")), 403),
        ("authorize redirect CRLF", Hostile::Authorize(q("redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result%0D%0ASet-Cookie%3A%20x%3D1")), 400),
        ("authorize javascript: redirect", Hostile::Authorize(q("redirect_uri=javascript%3Aalert(1)")), 400),
        ("authorize data: redirect", Hostile::Authorize(q("redirect_uri=data%3Atext%2Fhtml%2C%3Cscript%3E")), 400),
        ("authorize bad escapes", Hostile::Authorize("client_id=%zz".to_owned()), 400),
        ("authorize invalid utf-8", Hostile::Authorize("client_id=%ff%fe".to_owned()), 400),
        ("authorize duplicate redirect_uri", Hostile::Authorize(q("redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result&redirect_uri=http%3A%2F%2Fevil.example%2F")), 400),
        ("token_info without token", Hostile::Form(TOKEN_INFO, b"tok=x".to_vec()), 400),
        ("token_info duplicate token", Hostile::Form(TOKEN_INFO, b"token=a&token=b".to_vec()), 400),
        ("revoke without token", Hostile::Form(REVOKE, Vec::new()), 400),
        ("revoke bad escapes", Hostile::Form(REVOKE, b"token=%G1".to_vec()), 400),
    ];
    // A state with CR/LF is echoed percent-encoded: the redirect happens, no header is split.
    cases.push((
        "state with CRLF",
        Hostile::Authorize(q("redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result&state=a%0D%0ASet-Cookie%3A%20x%3D1")),
        302,
    ));
    assert!(cases.len() >= 40, "{} cases", cases.len());

    let client = http();
    let base = server.base_url();
    for (name, case, want) in cases {
        let request = match &case {
            Hostile::Token(ct, body) => client
                .post(format!("{base}{TOKEN}"))
                .header(CONTENT_TYPE, *ct)
                .body(body.clone()),
            Hostile::Api(path, auth) => client
                .get(format!("{base}{path}"))
                .header("Authorization", auth.as_str()),
            Hostile::Authorize(query) => client.get(format!("{base}{AUTHORIZE}?{query}")),
            Hostile::Form(path, body) => client
                .post(format!("{base}{path}"))
                .header(CONTENT_TYPE, form)
                .body(body.clone()),
        };
        let response = tokio::time::timeout(Duration::from_secs(10), request.send())
            .await
            .unwrap_or_else(|_| panic!("{name}: hung"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        assert_eq!(status.as_u16(), want, "{name}: {text}");
        match case {
            Hostile::Token(..) | Hostile::Form(..) => {
                let body: Value =
                    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{name}: not JSON: {text}"));
                let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
                assert_eq!(keys, ["code", "error"], "{name}");
            }
            Hostile::Api(..) => {
                let body: Value =
                    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{name}: not JSON: {text}"));
                assert_rest_error(status, &body, want);
            }
            Hostile::Authorize(..) if want == 302 => {
                let location = headers[LOCATION].to_str().expect("text");
                assert!(!location.contains('\r') && !location.contains('\n'), "{name}");
                assert!(location.contains("state=a%0D%0ASet-Cookie"), "{name}: {location}");
                assert!(headers.get("set-cookie").is_none(), "{name}");
            }
            Hostile::Authorize(..) => {
                assert!(headers.get(LOCATION).is_none(), "{name}: redirected");
                assert!(
                    headers["content-type"]
                        .to_str()
                        .expect("ct")
                        .starts_with("text/html"),
                    "{name}"
                );
            }
        }
    }
    // Nothing that was stored was lost: the original grant still refreshes.
    assert_eq!(refresh(&server, &refresh_token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_until_the_window_ends() {
    let server = started(
        MockServer::builder()
            .auto_approve("someUser")
            .rate_limit(5)
            .clock_start(1_800_000_000)
            .freeze_clock(true),
    )
    .await;
    let access = s(&tokens(&server, "profile").await, "access_token");
    // The token request above counted once.
    for _ in 0..4 {
        assert_eq!(current_user(&server, &access).await, StatusCode::OK);
    }
    let (st, h, b) = api_get(&server, "/api/users/current", &access).await;
    assert_rest_error(st, &b, 429);
    assert_eq!(h[RETRY_AFTER], "60");
    server.clock().advance(60);
    assert_eq!(current_user(&server, &access).await, StatusCode::OK);

    // Off by default.
    let open = auto_server().await;
    let access = s(&tokens(&open, "profile").await, "access_token");
    for _ in 0..20 {
        assert_eq!(
            api_get(&open, "/api/users/current", &access).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn rate_limit_from_fixtures() {
    let toml = format!(
        "[server]\nrate_limit_per_minute = 2\n{}",
        ilert_mock::fixtures::DEFAULT_TOML
    );
    let fixtures = ilert_mock::Fixtures::from_toml(&toml, "test.toml").expect("valid");
    let server = started(MockServer::builder().fixtures(fixtures)).await;
    for _ in 0..2 {
        assert_eq!(
            post_form(&server, TOKEN_INFO, &[("token", "x")]).await.0,
            StatusCode::OK
        );
    }
    let (st, _, b) = post_form(&server, TOKEN_INFO, &[("token", "x")]).await;
    assert_rest_error(st, &b, 429);
}
