//! ilert's guide "Developing a Web or Native App with OAuth2 and PKCE", replayed byte for byte
//! against the `ilert-mock` binary with the guide's own client id and no client secret, plus
//! the sample web app's revoke (`iLert/sample-oauth2-app`, `public/sample-app.html`).
//!
//! The requests are written as raw HTTP/1.1, exactly as the guide's JavaScript sends them
//! (`URLSearchParams` bodies, its headers, `Origin: http://localhost:4597`), so nothing a Rust
//! HTTP client adds or normalises can make them pass.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The guide's `generateCodeVerifier()` gives 56 lowercase hex characters.
const GUIDE_VERIFIER: &str = "6d3f0a9c2b7e41d58f6a0c3e9b1d7f24a8c5e0b3d6f9a2c4e7b0d3f6";
/// The code challenge printed in the guide (its verifier is not published).
const GUIDE_LITERAL_CHALLENGE: &str = "6K9LHF25tUPodHISsO_UoK6cKnbclW2ZY1TaSUAWaIo";

/// The guide's `generateCodeChallengeFromVerifier`: base64url(SHA-256(verifier)), no padding.
fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The guide's authorize query, as `new URLSearchParams({...}).toString()` writes it.
fn guide_authorize_query(challenge: &str) -> String {
    format!(
        "client_id=0501439fd7dee9af0c25&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fwebapp&scope=profile+source%3Aw+offline_access&state=optional-state&code_challenge={challenge}&code_challenge_method=S256"
    )
}

/// A raw HTTP/1.1 exchange: status, headers (lowercase names) and body.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Sends `request` (with `{host}` replaced by the server's address) and reads the answer to
/// the end (`Connection: close`).
fn send(addr: &str, request: &str) -> Raw {
    let request = request.replace("{host}", addr).replace('\n', "\r\n");
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("sends");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("reads");
    let text = String::from_utf8(answer).expect("UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Raw {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// A POST as axios sends it from the browser page on `http://localhost:4597`.
fn browser_post(addr: &str, path: &str, body: &str) -> Raw {
    send(
        addr,
        &format!(
            "POST {path} HTTP/1.1
Host: {{host}}
Accept: application/json
Content-Type: application/x-www-form-urlencoded
Origin: http://localhost:4597
Referer: http://localhost:4597/
Content-Length: {}
Connection: close

{body}",
            body.len()
        ),
    )
}

/// The guide's "Turning a code into a token" request from the browser: `client_id`,
/// `grant_type`, `code` and the guide's `code_verifier`, no secret.
fn guide_token(addr: &str, code: &str) -> Raw {
    browser_post(
        addr,
        TOKEN,
        &format!(
            "client_id=0501439fd7dee9af0c25&grant_type=authorization_code&code={code}&code_verifier={GUIDE_VERIFIER}"
        ),
    )
}

fn query_param(location: &str, name: &str) -> Option<String> {
    url::Url::parse(location)
        .expect("absolute Location")
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[test]
fn the_guides_requests_work_against_the_binary_without_a_secret() {
    let (_mock, base) = spawn_binary(&["--auto-approve", "someUser"]);
    let addr = base.trim_start_matches("http://").to_owned();

    // The guide's authorize URL, verbatim (its printed challenge included): a code comes back
    // on the web app's redirect URI with the state.
    let literal = send(
        &addr,
        &format!(
            "GET /api/developers/oauth2/authorize?{} HTTP/1.1\nHost: {{host}}\nConnection: close\n\n",
            guide_authorize_query(GUIDE_LITERAL_CHALLENGE)
        ),
    );
    assert_eq!(literal.status, 302, "{}", literal.body);
    let location = literal.header("location").expect("Location");
    assert!(
        location.starts_with("http://localhost:4597/webapp?code="),
        "{location}"
    );
    assert_eq!(query_param(location, "state").as_deref(), Some("optional-state"));

    // The same request with a verifier of the guide's own kind, so the code can be redeemed.
    let authorize = send(
        &addr,
        &format!(
            "GET /api/developers/oauth2/authorize?{} HTTP/1.1\nHost: {{host}}\nConnection: close\n\n",
            guide_authorize_query(&challenge_of(GUIDE_VERIFIER))
        ),
    );
    assert_eq!(authorize.status, 302);
    let code = query_param(authorize.header("location").expect("Location"), "code").expect("code");

    // "Turning a code into a token": client_id, grant_type, code, code_verifier; no secret.
    let token = guide_token(&addr, &code);
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(
        token.header("access-control-allow-origin"),
        Some("http://localhost:4597")
    );
    assert_eq!(token.header("cache-control"), Some("no-store"));
    let tokens = token.json();
    assert_eq!(tokens["scope"], "profile source:w offline_access");
    let access = s(&tokens, "access_token");
    let refresh = s(&tokens, "refresh_token");
    assert_eq!(tokens["refresh_token_expires_in"], 31_536_000);

    // "Using the access token".
    let user = send(
        &addr,
        &format!(
            "GET /api/users/current HTTP/1.1\nHost: {{host}}\nAccept: application/json\nAuthorization: Bearer {access}\nOrigin: http://localhost:4597\nConnection: close\n\n"
        ),
    );
    assert_eq!(user.status, 200, "{}", user.body);
    assert_eq!(user.json()["username"], "someUser");

    // "Refreshing an access token": the guide's Node.js body (client_id, refresh_token,
    // grant_type; axios 1.x writes the object as a form under that content type) …
    let refreshed = browser_post(
        &addr,
        TOKEN,
        &format!("client_id=0501439fd7dee9af0c25&refresh_token={refresh}&grant_type=refresh_token"),
    );
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    assert_eq!(refreshed.json()["refresh_token"].as_str(), Some(refresh.as_str()));
    // … and older axios, which sends the same object as JSON under the form content type.
    let json_refresh = browser_post(
        &addr,
        TOKEN,
        &format!(
            r#"{{"client_id":"0501439fd7dee9af0c25","refresh_token":"{refresh}","grant_type":"refresh_token"}}"#
        ),
    );
    assert_eq!(json_refresh.status, 200, "{}", json_refresh.body);

    // "Accessing token information".
    let info = browser_post(&addr, TOKEN_INFO, &format!("token={access}"));
    assert_eq!(info.status, 200);
    assert_eq!(
        info.json(),
        serde_json::json!({"active": true, "tenant_id": "someTenant", "username": "someUser",
            "scope": "profile source:w offline_access", "app_id": 250})
    );

    // The sample web app's revoke: only `token`.
    let revoked = browser_post(&addr, REVOKE, &format!("token={refresh}"));
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let after = browser_post(
        &addr,
        TOKEN,
        &format!("client_id=0501439fd7dee9af0c25&grant_type=refresh_token&refresh_token={refresh}"),
    );
    assert_eq!(after.status, 401);
    assert_eq!(after.json()["code"], "invalid_grant");
}

#[test]
fn without_offline_access_the_guides_app_gets_no_refresh_token() {
    let (_mock, base) = spawn_binary(&["--auto-approve", "someUser"]);
    let addr = base.trim_start_matches("http://").to_owned();
    let query = guide_authorize_query(&challenge_of(GUIDE_VERIFIER)).replace("+offline_access", "");
    let authorize = send(
        &addr,
        &format!(
            "GET /api/developers/oauth2/authorize?{query} HTTP/1.1\nHost: {{host}}\nConnection: close\n\n"
        ),
    );
    let code = query_param(authorize.header("location").expect("Location"), "code").expect("code");
    let token = guide_token(&addr, &code);
    assert_eq!(token.status, 200, "{}", token.body);
    let tokens = token.json();
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert!(tokens.get("refresh_token_expires_in").is_none(), "{tokens}");
    assert_eq!(tokens["scope"], "profile source:w");
}
