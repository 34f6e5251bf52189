//! The dashboard's server side (mock-server/docs/dashboard.md): the page and its assets under a
//! strict policy, `/` and the one 404 shape of the control surface, the token box's decode
//! endpoint, the store view, the event stream, the journal's decoded tokens and kept answers,
//! and every action the page takes refused when another site makes a browser send it. The page
//! itself runs in Chromium in client/tests/dashboard.rs.

use crate::common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use ilert_mock::{ControlAccess, MockServer};
use reqwest::header::{ACCEPT, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn the_page_and_its_assets_load_under_a_strict_policy() {
    let server = MockServer::start().await;
    let base = server.base_url();
    let page = fetch(format!("{base}/_mock/")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.expect("body");
    assert!(
        html.contains("<script src=\"assets/app.js\" defer></script>"),
        "{html}"
    );

    for (path, kind) in [("app.js", "text/javascript"), ("app.css", "text/css")] {
        let r = fetch(format!("{base}/_mock/assets/{path}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(
            r.headers()[CONTENT_TYPE]
                .to_str()
                .expect("text")
                .starts_with(kind)
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(!r.text().await.expect("body").is_empty());
    }

    // `/_mock` sends the browser to the page, where its relative asset paths resolve.
    let r = http().get(format!("{base}/_mock")).send().await.expect("answers");
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.headers()[LOCATION], "/_mock/");
}

#[tokio::test]
async fn every_unknown_control_path_answers_one_shape() {
    let server = MockServer::start().await;
    let mut answers = Vec::new();
    for (method, path) in [
        (Method::GET, "/_mock/nope"),
        (Method::GET, "/_mock/nope/deeper"),
        (Method::GET, "/_mock//"),
        (Method::POST, "/_mock/nope"),
        (Method::DELETE, "/_mock/assets/none.js"),
    ] {
        let r = http()
            .request(method.clone(), format!("{}{path}", server.base_url()))
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
        answers.push(r.json::<Value>().await.expect("json"));
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    let error = answers[0]["error"].as_str().expect("the control surface's shape");
    assert!(
        error.contains("no such control endpoint") && error.contains("/_mock/"),
        "{error}"
    );
    assert_eq!(answers[0].as_object().map(|o| o.len()), Some(1), "only `error`");

    // A known path with a method it does not take: the same shape, 405.
    let (st, body) = control(&server, Method::PUT, "/clock", None).await;
    assert_control_error(st, &body, StatusCode::METHOD_NOT_ALLOWED, &["PUT"]);
}

#[tokio::test]
async fn the_root_says_what_is_running_as_a_page_or_json() {
    let server = MockServer::start().await;
    let base = server.base_url();
    let r = http()
        .get(format!("{base}/"))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    let facts: Value = r.json().await.expect("json");
    assert_eq!(facts["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(facts["base_url"], base);
    assert_eq!(facts["tenants"], json!(server.admin().tenants().len()));
    assert_eq!(facts["apps"], json!(server.admin().apps().len()));
    assert_eq!(facts["dashboard"], format!("{base}/_mock/"));
    assert_eq!(facts["authorize"]["client_id"], CLIENT_ID);
    let authorize = facts["authorize"]["url"].as_str().expect("a URL");
    assert_eq!(
        authorize,
        ilert_mock::guide::authorize_url(&base, CLIENT_ID, REDIRECT_URI)
    );
    // The URL works: the guide's app, its redirect, the grant view.
    let shown = http().get(authorize).send().await.expect("answers");
    assert_eq!(shown.status(), StatusCode::OK);
    assert!(
        shown
            .text()
            .await
            .expect("page")
            .contains("ilert Sample OAuth2 App")
    );

    let page = http().get(format!("{base}/")).send().await.expect("answers");
    assert!(
        page.headers()[CONTENT_TYPE]
            .to_str()
            .expect("text")
            .starts_with("text/html")
    );
    let html = page.text().await.expect("body");
    assert!(html.contains(&format!("href=\"{base}/_mock/\"")), "{html}");
    assert!(html.contains(&authorize.replace('&', "&amp;")), "{html}");
    assert!(html.contains(env!("CARGO_PKG_VERSION")));

    // Without the control surface there is no dashboard to point at.
    let closed = started(MockServer::builder().control(ControlAccess::Off)).await;
    let facts = json_of(
        http()
            .get(format!("{}/", closed.base_url()))
            .header(ACCEPT, "application/json"),
    )
    .await;
    assert_eq!(facts["dashboard"], Value::Null);
    assert!(facts["authorize"]["url"].is_string());
}

#[tokio::test]
async fn a_pasted_token_is_decoded_and_judged_at_the_mock_clock() {
    let server = frozen_server().await;
    let tokens = tokens(&server, "profile offline_access").await;
    let access = s(&tokens, "access_token");
    let decode = |token: String| {
        let server = &server;
        async move { control_post(server, "/tokens/decode", json!({ "token": token })).await }
    };
    let (st, seen) = decode(format!("Bearer {access}")).await;
    assert_eq!(st, StatusCode::OK, "{seen}");
    assert_eq!(seen["kind"], "access_token");
    assert_eq!(seen["header"], json!({"typ": "JWT", "alg": "RS256"}));
    assert_eq!(seen["claims"]["il_u"], "someUser");
    assert_eq!(
        (seen["signed_by_mock"].clone(), seen["valid"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(seen["expires_in"], 3600);

    let (_, refresh) = decode(s(&tokens, "refresh_token")).await;
    assert_eq!(refresh["kind"], "refresh_token");
    assert_eq!(refresh["valid"], true);
    assert!(
        refresh["claims"]["il_k"].as_str().is_some_and(|k| k.len() == 32),
        "who pasted it holds it"
    );

    // An hour later the same token is the mock's, and expired.
    server.clock().advance(3600);
    let (_, later) = decode(access.clone()).await;
    assert_eq!(
        (later["signed_by_mock"].clone(), later["valid"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(later["problem"], "the token has expired");

    // Another user in the claims under the same signature: decoded, not the mock's.
    let mut claims = common::decode(&access).1;
    claims["il_u"] = json!("admin");
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let parts: Vec<&str> = access.split('.').collect();
    let (st, forged) = decode(format!("{}.{payload}.{}", parts[0], parts[2])).await;
    assert_eq!(st, StatusCode::OK, "{forged}");
    assert_eq!(forged["claims"]["il_u"], "admin");
    assert_eq!(
        (forged["signed_by_mock"].clone(), forged["valid"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(forged["problem"], "the token signature is invalid");

    for (body, words) in [
        (json!({"token": "not a token"}), "token: not a JWT"),
        (json!({}), "missing field `token`"),
        (json!({"token": access, "extra": 1}), "unknown field `extra`"),
    ] {
        let (st, answer) = control(&server, Method::POST, "/tokens/decode", Some(body)).await;
        assert_control_error(st, &answer, StatusCode::BAD_REQUEST, &[words]);
    }
}

#[tokio::test]
async fn the_journal_shows_an_exchanges_tokens_decoded_and_never_whole() {
    let server = auto_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile offline_access", None).await;
    let (_, _, tokens) = exchange(&server, &code).await;
    let access = s(&tokens, "access_token");
    let refresh = s(&tokens, "refresh_token");
    assert_eq!(current_user(&server, &access).await, StatusCode::OK);
    let (st, _, reused) = exchange(&server, &code).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{reused}");

    let text = fetch(format!("{}/_mock/requests", server.base_url()))
        .await
        .text()
        .await
        .expect("body");
    for secret in [&code, &access, &refresh] {
        assert!(!text.contains(secret.as_str()), "a credential in the journal");
    }
    let refresh_claims = decode(&refresh).1;
    assert!(
        !text.contains(s(&refresh_claims, "il_k").as_str()),
        "the grant key is redacted"
    );
    let entries: Value = serde_json::from_str(&text).expect("json");
    let entries = entries.as_array().expect("entries");

    // The authorize redirect: its code redacted in `location` and in the response headers.
    let redirect = &entries[0];
    let headers = redirect["response_headers"].as_array().expect("response headers");
    assert!(
        headers.contains(&json!(["location", redirect["location"]])),
        "{headers:?}"
    );

    // The exchange: its answer kept, the tokens in it decoded and judged.
    let exchange_entry = &entries[1];
    assert_eq!(exchange_entry["response"]["access_token"], "[redacted]");
    assert_eq!(exchange_entry["response"]["expires_in"], 3600);
    let seen = exchange_entry["tokens"].as_array().expect("tokens");
    let places: Vec<&str> = seen.iter().filter_map(|t| t["place"].as_str()).collect();
    assert_eq!(places, ["response access_token", "response refresh_token"]);
    assert_eq!(seen[0]["claims"]["il_u"], "someUser");
    assert_eq!(seen[0]["valid"], true);
    assert_eq!(seen[1]["claims"]["il_k"], "[redacted]");

    // The API call: the bearer token decoded; no answer kept for a success.
    let call = &entries[2];
    assert_eq!(call["tokens"][0]["place"], "request header authorization");
    assert_eq!(call["tokens"][0]["claims"], decode(&access).1);
    assert!(call.get("response").is_none(), "{call}");

    // The reused code: the error answer kept, its error code readable.
    assert_eq!(entries[3]["response"]["code"], "invalid_grant");
}

/// Reads a server-sent event stream chunk by chunk.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(server: &MockServer, token: Option<&str>) -> reqwest::Response {
        let mut request = http().get(format!("{}/_mock/events/stream", server.base_url()));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("answers")
    }

    /// The next event (name, data), comments skipped; `None` when the stream ends cleanly.
    async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        name = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if name.is_empty() {
                    continue; // `retry:` or a comment
                }
                return Some((name, serde_json::from_str(&data).expect("JSON data")));
            }
            let chunk = self.response.chunk().await.expect("the stream is not cut")?;
            self.buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }
}

#[tokio::test]
async fn the_event_stream_brings_requests_and_changes_and_ends_with_the_server() {
    let server = frozen_server().await;
    let response = Events::open(&server, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");
    let mut events = Events {
        response,
        buffer: String::new(),
    };
    let (name, hello) = events.next().await.expect("hello");
    assert_eq!((name.as_str(), hello["next_seq"].as_u64()), ("hello", Some(1)));

    let access = access_token(&server, "profile").await;
    let mut paths = Vec::new();
    while paths.len() < 2 {
        let (name, entry) = events.next().await.expect("an event");
        assert_eq!(name, "request");
        paths.push(entry["path"].as_str().expect("path").to_owned());
    }
    assert_eq!(paths, [AUTHORIZE, TOKEN]);

    assert_eq!(current_user(&server, &access).await, StatusCode::OK);
    let (_, call) = events.next().await.expect("an event");
    assert_eq!(call["path"], "/api/users/current");
    assert_eq!(call["tokens"][0]["claims"]["il_u"], "someUser");

    let (st, _) = control(&server, Method::POST, "/clock", Some(json!({"advance_secs": 60}))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        events.next().await,
        Some(("control".to_owned(), json!({"what": "POST /_mock/clock"})))
    );
    // Reads change nothing and say nothing (decoding a token is a read sent as a POST); a
    // refused change says nothing either.
    control(&server, Method::GET, "/grants", None).await;
    let (st, _) = control_post(&server, "/tokens/decode", json!({ "token": access })).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = control(&server, Method::DELETE, "/grants/99999", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    server.reset();
    assert_eq!(
        events.next().await,
        Some(("control".to_owned(), json!({"what": "MockServer::reset"})))
    );

    // The server's shutdown ends the stream (an open stream would hold it for the grace period,
    // then be cut, and `next` would fail instead of ending).
    let ended = tokio::spawn(async move { events.next().await });
    server.shutdown().await;
    assert_eq!(ended.await.expect("the reader"), None);
}

#[tokio::test]
async fn the_store_view_lists_what_the_api_lists() {
    let server = auto_server().await;
    let access = access_token(&server, "alert source incident service").await;
    for (collection, api) in [
        ("alerts", "/api/alerts"),
        ("alert-sources", "/api/alert-sources"),
        ("incidents", "/api/incidents"),
        ("services", "/api/services"),
    ] {
        let (st, viewed) = control(
            &server,
            Method::GET,
            &format!("/store/someTenant/{collection}"),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{viewed}");
        let (st, _, listed) = api_get(&server, api, &access).await;
        assert_eq!(st, StatusCode::OK, "{listed}");
        assert!(!listed.as_array().expect("a list").is_empty(), "{collection}");
        assert_eq!(viewed, listed, "{collection}");
    }
    let (_, summary) = control(&server, Method::GET, "/store", None).await;
    let tenant = &summary["tenants"][0];
    assert_eq!(tenant["tenant"], "someTenant");
    assert!(
        tenant["collections"]["alerts"].as_u64().is_some_and(|n| n > 0),
        "{summary}"
    );

    let (st, body) = control(&server, Method::GET, "/store/someTenant/nope", None).await;
    assert_control_error(st, &body, StatusCode::NOT_FOUND, &["known: ", "alerts"]);
    let (st, body) = control(&server, Method::GET, "/store/nobody/alerts", None).await;
    assert_control_error(st, &body, StatusCode::NOT_FOUND, &["no tenant 'nobody'"]);
}

/// The store view answers a window of a collection (the dashboard asks for the newest 200), with
/// the collection's size in `x-total-count`; bad window parameters are refused.
#[tokio::test]
async fn the_store_view_pages_a_collection() {
    let server = auto_server().await;
    for n in 0..5 {
        let body = json!({"integrationKey": "il1api0a5cf3001e0c8d4f5b9a2e7c6d1f", "eventType": "ALERT",
            "summary": format!("paged {n}"), "alertKey": format!("paged-{n}")});
        let r = http()
            .post(format!("{}/api/events", server.base_url()))
            .json(&body)
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let (_, all) = control(&server, Method::GET, "/store/someTenant/alerts", None).await;
    let all: Vec<i64> = ids(&all);
    assert_eq!(all.len(), 7, "two fixture alerts and five new ones: {all:?}");
    let window = |query: &'static str| {
        let url = format!("{}/_mock/store/someTenant/alerts?{query}", server.base_url());
        async move {
            let r = http().get(url).send().await.expect("answers");
            let total = r
                .headers()
                .get("x-total-count")
                .map(|v| v.to_str().expect("text").to_owned());
            (r.status(), total, r.json::<Value>().await.expect("json"))
        }
    };
    let (st, total, page) = window("offset=2&limit=3").await;
    assert_eq!((st, total.as_deref()), (StatusCode::OK, Some("7")));
    assert_eq!(ids(&page), all[2..5].to_vec());
    let (_, _, newest) = window("order=desc&limit=2").await;
    assert_eq!(ids(&newest), vec![all[6], all[5]]);
    let (_, _, past) = window("order=desc&offset=6&limit=5").await;
    assert_eq!(ids(&past), vec![all[0]]);
    let (_, _, none) = window("offset=50").await;
    assert_eq!(ids(&none), Vec::<i64>::new());
    for (query, words) in [
        ("limit=-1", "limit: must be a non-negative integer"),
        ("offset=x", "offset: must be a non-negative integer"),
        ("order=newest", "order: 'newest' is not one of asc, desc"),
    ] {
        let (st, _, body) = window(query).await;
        assert_control_error(st, &body, StatusCode::BAD_REQUEST, &[words]);
    }
}

#[tokio::test]
async fn one_fault_can_be_removed() {
    let server = MockServer::start().await;
    let (_, first) = control_post(&server, "/faults", json!({"endpoint": "token", "status": 503})).await;
    let (_, second) = control_post(&server, "/faults", json!({"endpoint": "revoke", "status": 500})).await;
    let path = format!("/faults/{}", first["id"]);
    assert_eq!(
        control_status(&server, Method::DELETE, &path).await,
        StatusCode::NO_CONTENT
    );
    let (_, left) = control(&server, Method::GET, "/faults", None).await;
    assert_eq!(left, json!([second]));
    let (st, body) = control(&server, Method::DELETE, &path, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");
    let (st, body) = control(&server, Method::DELETE, "/faults/first", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| e.starts_with("id: ")),
        "{body}"
    );
}

/// Every request the page makes that changes something, as the page sends it.
fn page_actions() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::POST, "/_mock/clock", Some(json!({"advance_secs": 3600}))),
        (Method::POST, "/_mock/clock", Some(json!({"freeze": true}))),
        (
            Method::POST,
            "/_mock/faults",
            Some(json!({"endpoint": "token", "status": 503})),
        ),
        (Method::DELETE, "/_mock/faults", None),
        (Method::DELETE, "/_mock/faults/1", None),
        (Method::DELETE, "/_mock/grants/1", None),
        (
            Method::POST,
            "/_mock/grants/revoke",
            Some(json!({"app": CLIENT_ID, "user": "someUser"})),
        ),
        (Method::DELETE, "/_mock/requests", None),
        (Method::DELETE, "/_mock/audit", None),
        (Method::POST, "/_mock/reset", None),
        (
            Method::POST,
            "/_mock/tokens/decode",
            Some(json!({"token": "a.b.c"})),
        ),
        (
            Method::POST,
            "/_mock/tenants",
            Some(json!({"id": "evil", "short_id": "e1"})),
        ),
        (Method::DELETE, "/_mock/apps/0501439fd7dee9af0c25", None),
        (Method::DELETE, "/_mock/users/krystianity", None),
        (
            Method::POST,
            "/api/events",
            Some(json!({"integrationKey": "k", "eventType": "ALERT", "summary": "x"})),
        ),
    ]
}

#[tokio::test]
async fn a_cross_site_post_to_any_action_of_the_page_is_refused() {
    let server = frozen_server().await;
    let code = code_for(&server, CLIENT_ID, REDIRECT_URI, "profile offline_access", None).await;
    assert_eq!(exchange(&server, &code).await.0, StatusCode::OK);
    let before = (
        server.clock().reading(),
        server.admin().grants(&Default::default()),
        server.journal().len(),
        server.admin().users().len(),
    );
    for (method, path, body) in page_actions() {
        // What a form on another site makes a browser send (no preflight for a simple request).
        for (site, origin) in [
            ("cross-site", "https://attacker.example"),
            ("", "https://attacker.example"),
        ] {
            let mut request = http()
                .request(method.clone(), format!("{}{path}", server.base_url()))
                .header("origin", origin)
                .header(CONTENT_TYPE, "text/plain");
            if !site.is_empty() {
                request = request.header("sec-fetch-site", site);
            }
            if let Some(b) = &body {
                request = request.body(b.to_string());
            }
            let r = request.send().await.expect("answers");
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{method} {path} ({site})");
            let answer: Value = r.json().await.expect("json");
            let words = answer["error"]
                .as_str()
                .or(answer["message"].as_str())
                .unwrap_or_default();
            assert!(words.contains("refused") || words.contains("site"), "{answer}");
        }
    }
    // Nothing changed but the journal, which recorded the refused /api/events posts.
    let after = (
        server.clock().reading(),
        server.admin().grants(&Default::default()),
        server.journal().len(),
        server.admin().users().len(),
    );
    // The clock's reading, not its offset from the system clock (which moves as a second ticks).
    assert_eq!(
        (before.0.now, before.0.frozen, &before.1, before.3),
        (after.0.now, after.0.frozen, &after.1, after.3)
    );
    assert_eq!(after.2, before.2 + 2, "two refused event posts");
}

#[tokio::test]
async fn with_a_control_token_the_page_loads_but_its_data_and_stream_need_the_token() {
    let server = started(MockServer::builder().control(ControlAccess::Token("s3cret".into()))).await;
    let base = server.base_url();
    let page = fetch(format!("{base}/_mock/")).await;
    assert_eq!(page.status(), StatusCode::OK, "the page holds no data");
    for path in ["/_mock/requests", "/_mock/events/stream", "/_mock/store"] {
        let r = http().get(format!("{base}{path}")).send().await.expect("answers");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        let r = http()
            .get(format!("{base}{path}"))
            .bearer_auth("wrong")
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let r = http()
        .post(format!("{base}/_mock/tokens/decode"))
        .json(&json!({"token": "a.b.c"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let response = Events::open(&server, Some("s3cret")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut events = Events {
        response,
        buffer: String::new(),
    };
    assert_eq!(events.next().await.map(|e| e.0).as_deref(), Some("hello"));
}
