//! Helpers shared by the integration tests: a client that does not follow redirects, the
//! guide's credentials, and one-call versions of the flow's steps.
#![allow(dead_code)]

use ilert_mock::MockServer;
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Client, StatusCode, redirect};
use serde_json::Value;

/// The guide's example app (behaviour.md §10).
pub use ilert_mock::guide::{CLIENT_ID, CLIENT_SECRET, REDIRECT_URI};
/// The PKCE-only public app.
pub const PUBLIC_ID: &str = "8c1a5c3fb9e04d7a2b61";
pub const PUBLIC_REDIRECT: &str = "http://localhost:4597/webapp";
/// The rotating confidential app.
pub const ROTATING_ID: &str = "f3b2a1c0d9e8f7a6b5c4";
pub const ROTATING_SECRET: &str = "c0ffee0ddba11defacedbeadfeedc0dec0ffee0ddba11defacedbeadfeed0001";
/// RFC 7636 Appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub const AUTHORIZE: &str = "/api/developers/oauth2/authorize";
pub const TOKEN: &str = "/api/developers/oauth2/token";
pub const TOKEN_INFO: &str = "/api/developers/oauth2/token_info";
pub const REVOKE: &str = "/api/developers/oauth2/revoke";

/// The `ilert-mock` binary of this package.
pub const BIN: &str = env!("CARGO_BIN_EXE_ilert-mock");

/// A spawned mock process, killed when dropped.
pub struct Killed(pub std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The binary with no `ILERT_MOCK_*` variable of the surrounding environment.
pub fn binary_command() -> std::process::Command {
    let mut command = std::process::Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ILERT_MOCK_") {
            command.env_remove(name);
        }
    }
    command.env_remove("RUST_LOG");
    command
}

/// The base URL named by the first line, which must be exactly `ilert-mock listening on <URL>`.
pub fn base_of_first_line(first: &str) -> String {
    let base = first
        .strip_prefix("ilert-mock listening on ")
        .unwrap_or_else(|| panic!("not the documented first line: {first:?}"));
    assert!(
        (base.starts_with("http://127.0.0.1:") || base.starts_with("https://127.0.0.1:"))
            && !base.ends_with(":0")
            && !base.contains(' '),
        "{first:?}"
    );
    base.to_owned()
}

/// Reads a spawned mock's first stdout line (taking its stdout) and returns the base URL it names
/// (see [`base_of_first_line`]).
pub fn base_from_stdout(child: &mut std::process::Child) -> String {
    use std::io::{BufRead, BufReader};
    let stdout = child.stdout.take().expect("stdout");
    let first = BufReader::new(stdout)
        .lines()
        .next()
        .expect("a line")
        .expect("text");
    base_of_first_line(&first)
}

/// Starts the binary on a random loopback port with `args` and `env`; returns the process, its
/// base URL (from the first line) and the next lines of the banner.
pub fn spawn_binary_with(args: &[&str], env: &[(&str, &str)]) -> (Killed, String, String) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let child = binary_command()
        .args(["--bind", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let mut child = Killed(child);
    let stdout = child.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("text");
    let base = base_of_first_line(&first);
    let banner: Vec<String> = lines.by_ref().take(8).map_while(Result::ok).collect();
    (child, base, banner.join("\n"))
}

/// [`spawn_binary_with`] without extra environment.
pub fn spawn_binary_with_banner(args: &[&str]) -> (Killed, String, String) {
    spawn_binary_with(args, &[])
}

/// [`spawn_binary_with_banner`] without the banner.
pub fn spawn_binary(args: &[&str]) -> (Killed, String) {
    let (child, base, _) = spawn_binary_with_banner(args);
    (child, base)
}

pub fn http() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

/// A server that approves every authorization as `someUser`.
pub async fn auto_server() -> MockServer {
    MockServer::builder()
        .auto_approve("someUser")
        .start()
        .await
        .expect("server starts")
}

pub fn query(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// GET authorize; returns status, headers and body.
pub async fn authorize(server: &MockServer, pairs: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
    let url = format!("{}{AUTHORIZE}?{}", server.base_url(), query(pairs));
    let r = http().get(url).send().await.expect("authorize answers");
    (r.status(), r.headers().clone(), r.text().await.expect("body"))
}

/// GET authorize with `q` and the `Host` header `host`; status and body.
pub async fn authorize_on_host(server: &MockServer, host: &str, q: &[(&str, &str)]) -> (StatusCode, String) {
    let url = format!("{}{AUTHORIZE}?{}", server.base_url(), query(q));
    let r = http()
        .get(url)
        .header(reqwest::header::HOST, host)
        .send()
        .await
        .expect("answers");
    (r.status(), r.text().await.expect("body"))
}

/// The query parameters of a redirect's `Location`.
pub fn location_params(headers: &HeaderMap) -> Vec<(String, String)> {
    let location = headers.get(LOCATION).expect("Location").to_str().expect("text");
    let url = url::Url::parse(location).expect("absolute Location");
    url.query_pairs().into_owned().collect()
}

pub fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// Runs authorize on an auto-approving server and returns the code.
pub async fn code_for(
    server: &MockServer,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    challenge: Option<&str>,
) -> String {
    let mut pairs = vec![
        ("client_id", client_id),
        ("response_type", "code"),
        ("redirect_uri", redirect_uri),
        ("scope", scope),
        ("state", "s"),
    ];
    if let Some(c) = challenge {
        pairs.push(("code_challenge", c));
        pairs.push(("code_challenge_method", "S256"));
    }
    let (status, headers, body) = authorize(server, &pairs).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    let params = location_params(&headers);
    param(&params, "code").unwrap_or_else(|| panic!("no code in {params:?}"))
}

/// Status, headers and the JSON body (`Null` when empty) of an answer.
async fn answer(r: reqwest::Response) -> (StatusCode, HeaderMap, Value) {
    let (status, headers) = (r.status(), r.headers().clone());
    let text = r.text().await.expect("body");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    (status, headers, json)
}

/// POSTs a form to `path`; returns status, headers and the JSON body (`Null` when empty).
pub async fn post_form(
    server: &MockServer,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Value) {
    post_form_at(&http(), &server.base_url(), path, form).await
}

/// [`post_form`] to the server at `base` through `client` (for servers that need their own
/// client: TLS, a spawned process).
pub async fn post_form_at(
    client: &Client,
    base: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Value) {
    answer(
        client
            .post(format!("{base}{path}"))
            .form(form)
            .send()
            .await
            .expect("answers"),
    )
    .await
}

/// Exchanges a code for the guide app with the secret in the body.
pub async fn exchange(server: &MockServer, code: &str) -> (StatusCode, HeaderMap, Value) {
    exchange_at(&http(), &server.base_url(), code).await
}

/// [`exchange`] at `base` through `client`.
pub async fn exchange_at(client: &Client, base: &str, code: &str) -> (StatusCode, HeaderMap, Value) {
    post_form_at(client, base, TOKEN, &exchange_form(code)).await
}

/// The form of the guide app's code exchange with the secret in the body.
pub fn exchange_form(code: &str) -> [(&'static str, &str); 4] {
    [
        ("grant_type", "authorization_code"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("code", code),
    ]
}

/// The guide app's code exchange with `secret` and a PKCE `verifier` in the body.
pub async fn exchange_pkce(
    server: &MockServer,
    secret: &str,
    code: &str,
    verifier: &str,
) -> (StatusCode, HeaderMap, Value) {
    post_form(
        server,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("client_secret", secret),
            ("code", code),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// The rotating app's code exchange, its secret in the body.
pub async fn exchange_rotating(server: &MockServer, code: &str) -> (StatusCode, HeaderMap, Value) {
    post_form(
        server,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", ROTATING_ID),
            ("client_secret", ROTATING_SECRET),
            ("code", code),
        ],
    )
    .await
}

/// The guide app's full flow with `scope`; returns the token response.
pub async fn tokens(server: &MockServer, scope: &str) -> Value {
    let code = code_for(server, CLIENT_ID, REDIRECT_URI, scope, None).await;
    let (status, _, body) = exchange(server, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub fn s(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
        .to_owned()
}

/// Refreshes for the guide app.
pub async fn refresh(server: &MockServer, refresh_token: &str) -> (StatusCode, HeaderMap, Value) {
    refresh_at(&http(), &server.base_url(), refresh_token).await
}

/// Refreshes for `client_id` with no secret (a public app, or one that forgot it).
pub async fn refresh_without_secret(
    server: &MockServer,
    client_id: &str,
    refresh_token: &str,
) -> (StatusCode, HeaderMap, Value) {
    post_form(
        server,
        TOKEN,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// [`refresh`] at `base` through `client`.
pub async fn refresh_at(client: &Client, base: &str, refresh_token: &str) -> (StatusCode, HeaderMap, Value) {
    post_form_at(
        client,
        base,
        TOKEN,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// Presses Grant on the grant view at `base` for the guide app, acting as `user`, through
/// `client`; asserts the redirect echoes `state` and returns the code.
pub async fn grant_code_at(client: &Client, base: &str, user: &str, scope: &str, state: &str) -> String {
    let (status, headers, _) = post_form_at(
        client,
        base,
        AUTHORIZE,
        &[
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", scope),
            ("state", state),
            ("user", user),
            ("decision", "grant"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    let params = location_params(&headers);
    assert_eq!(param(&params, "state").as_deref(), Some(state));
    param(&params, "code").unwrap_or_else(|| panic!("no code in {params:?}"))
}

/// GET an API path with a bearer token.
pub async fn api_get(server: &MockServer, path: &str, access_token: &str) -> (StatusCode, HeaderMap, Value) {
    api_get_at(&http(), &server.base_url(), path, access_token).await
}

/// The status of `GET /api/users/current` with `access_token`.
pub async fn current_user(server: &MockServer, access_token: &str) -> StatusCode {
    api_get(server, "/api/users/current", access_token).await.0
}

/// [`api_get`] at `base` through `client`.
pub async fn api_get_at(
    client: &Client,
    base: &str,
    path: &str,
    access_token: &str,
) -> (StatusCode, HeaderMap, Value) {
    answer(
        client
            .get(format!("{base}{path}"))
            .bearer_auth(access_token)
            .send()
            .await
            .expect("answers"),
    )
    .await
}

/// A mock whose clock stands still at 1 800 000 000 (after every fixture's times), approving
/// as `someUser` at once.
pub async fn frozen_server() -> MockServer {
    frozen_builder().start().await.expect("server starts")
}

/// The numeric `id`s of a JSON array's entities, in order.
pub fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("array")
        .iter()
        .filter_map(|a| a["id"].as_i64())
        .collect()
}

/// Any API request with a bearer token, an optional JSON body and extra headers; status,
/// headers and the JSON answer (`Null` when empty).
pub async fn api_call(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    access_token: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Value) {
    let mut req = http()
        .request(method, format!("{}{path}", server.base_url()))
        .bearer_auth(access_token);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    answer(req.send().await.expect("answers")).await
}

/// Asserts ilert's token-endpoint error shape: exactly `code` and `error`.
pub fn assert_token_error(status: StatusCode, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {body}"));
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["code", "error"], "{body}");
    assert_eq!(obj["code"], want_code, "{body}");
    assert!(!obj["error"].as_str().unwrap_or_default().is_empty(), "{body}");
}

/// Asserts ilert's REST error shape: exactly `status`, `message`, `code`.
pub fn assert_rest_error(status: StatusCode, body: &Value, want_status: u16) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {body}"));
    assert_eq!(
        obj.keys().collect::<Vec<_>>(),
        ["status", "message", "code"],
        "{body}"
    );
    assert_eq!(obj["status"], want_status, "{body}");
}

/// Decodes a JWT's header and claims (no verification).
pub fn decode(token: &str) -> (Value, Value) {
    ilert_mock::tokens::decode_unverified(token).expect("a JWT")
}

/// A request to `/_mock{path}` with an optional JSON body; the status and the JSON answer
/// (`Null` when empty).
pub async fn control(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = http().request(method, format!("{}/_mock{path}", server.base_url()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("answers");
    let status = r.status();
    let text = r.text().await.expect("body");
    (
        status,
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("json")
        },
    )
}

/// [`control`]: `POST /_mock{path}` with a JSON body.
pub async fn control_post(server: &MockServer, path: &str, body: Value) -> (StatusCode, Value) {
    control(server, reqwest::Method::POST, path, Some(body)).await
}

/// The builder of [`frozen_server`], for more settings (a state file).
pub fn frozen_builder() -> ilert_mock::MockServerBuilder {
    MockServer::builder()
        .auto_approve("someUser")
        .clock_start(1_800_000_000)
        .freeze_clock(true)
}

/// An access token of `someUser` for `scope` (the server approves as `someUser`).
pub async fn access_token(server: &MockServer, scope: &str) -> String {
    s(&tokens(server, scope).await, "access_token")
}

/// [`api_call`] with the bearer token optional (the operations an integration key
/// authenticates, the public ones) and no extra headers.
pub async fn api_request(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, HeaderMap, Value) {
    let mut req = http().request(method, format!("{}{path}", server.base_url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    answer(req.send().await.expect("answers")).await
}

/// [`api_request`]: `PUT path` with the bearer `token` and a JSON `body`.
pub async fn api_put(
    server: &MockServer,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, HeaderMap, Value) {
    api_request(server, reqwest::Method::PUT, path, Some(token), Some(body)).await
}

/// [`api_request`]: `DELETE path` with the bearer `token`.
pub async fn api_delete(server: &MockServer, path: &str, token: &str) -> (StatusCode, HeaderMap, Value) {
    api_request(server, reqwest::Method::DELETE, path, Some(token), None).await
}

/// [`api_request`]: `POST path` with the bearer `token` and a JSON `body`.
pub async fn api_post(
    server: &MockServer,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, HeaderMap, Value) {
    api_request(server, reqwest::Method::POST, path, Some(token), Some(body)).await
}

/// `GET url` through [`http`]; the answer, whatever the status.
pub async fn fetch(url: impl reqwest::IntoUrl) -> reqwest::Response {
    http().get(url).send().await.expect("answers")
}

/// `GET url` with `headers`; the JSON answer, whatever the status.
pub async fn get_json(url: &str, headers: &[(&str, &str)]) -> Value {
    let mut req = http().get(url);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    json_of(req).await
}

/// Sends `req` (any client: TLS, a spawned process) and reads the JSON answer, whatever the
/// status.
pub async fn json_of(req: reqwest::RequestBuilder) -> Value {
    req.send().await.expect("answers").json().await.expect("json")
}

/// A CORS preflight to `path` from `http://localhost:4597` for `method` with `request_headers`;
/// asserts the 200 and that the origin is allowed.
pub async fn assert_preflight_allowed(server: &MockServer, path: &str, method: &str, request_headers: &str) {
    let r = http()
        .request(reqwest::Method::OPTIONS, format!("{}{path}", server.base_url()))
        .header("Origin", "http://localhost:4597")
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", request_headers)
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:4597"
    );
}

/// Asserts an answer of the control surface (`/_mock/*`): status `want` and an `error` text that
/// holds every one of `needles`.
pub fn assert_control_error(status: StatusCode, body: &Value, want: StatusCode, needles: &[&str]) {
    assert_eq!(status, want, "{body}");
    let error = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error text: {body}"));
    assert!(needles.iter().all(|n| error.contains(n)), "{needles:?}: {body}");
}

/// GETs `path` with `access_token` and asserts ilert's REST error shape with `want_status`.
pub async fn assert_get_refused(server: &MockServer, path: &str, access_token: &str, want_status: u16) {
    let (st, _, b) = api_get(server, path, access_token).await;
    assert_rest_error(st, &b, want_status);
}

/// The status of a bodyless control request.
pub async fn control_status(server: &MockServer, method: reqwest::Method, path: &str) -> StatusCode {
    control(server, method, path, None).await.0
}

/// The guide app's code request for `scope` at its registered redirect URI.
pub fn code_request(scope: &str) -> [(&'static str, &str); 4] {
    [
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", scope),
    ]
}

/// Starts the server `builder` describes.
pub async fn started(builder: ilert_mock::MockServerBuilder) -> MockServer {
    builder.start().await.expect("starts")
}
