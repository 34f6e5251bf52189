//! What the bench asks of the mock: the guide's app from the embedded fixtures, one grant to get
//! tokens, the requests each scenario sends, and the grant count the control surface reports.
//!
//! Every request is built once per server (the load generator only writes the bytes), except the
//! authorization-code exchange, which carries the code the authorize redirect just gave.

use std::net::SocketAddr;

use crate::error::BenchError;
use crate::http::{code_of, form, get, once, post, post_form};
use crate::load::{Job, Unit};

/// The guide's app in the default fixtures (development credentials, public test values).
pub use ilert_mock::guide::CLIENT_ID;
use ilert_mock::guide::{CLIENT_SECRET, REDIRECT_URI};
/// The fixture user the server approves for (`--auto-approve`).
pub const USER: &str = "someUser";
/// `profile` for `/api/users/current`, `source:w` (which reads too) for `/api/alert-sources`.
const SCOPE: &str = "profile source:w";

const AUTHORIZE: &str = "/api/developers/oauth2/authorize";
const TOKEN: &str = "/api/developers/oauth2/token";

/// Prepared requests for one server.
pub struct Plan {
    /// Where the server listens.
    pub addr: SocketAddr,
    /// The `Host` header value.
    pub host: String,
    /// `GET /api/users/current` with a valid access token.
    pub users_current: Vec<u8>,
    /// `GET /api/alert-sources` (the list) with that token.
    pub alert_sources: Vec<u8>,
    /// `POST token_info` of that token.
    pub token_info: Vec<u8>,
    /// The refresh grant (the token family is not rotated: ilert's refresh tokens are reusable).
    pub refresh: Vec<u8>,
    /// The authorize request the server auto-approves.
    pub authorize: Vec<u8>,
}

impl Plan {
    /// Gets a token pair from the server at `addr` and builds every request.
    pub async fn prepare(addr: SocketAddr) -> Result<Self, BenchError> {
        let host = addr.to_string();
        let (access, refresh) = tokens(addr, &host).await?;
        let bearer = format!("Authorization: Bearer {access}\r\n");
        Ok(Self {
            addr,
            users_current: get(&host, "/api/users/current", &bearer),
            alert_sources: get(&host, "/api/alert-sources", &bearer),
            token_info: post_form(
                &host,
                "/api/developers/oauth2/token_info",
                &form(&[("token", &access)]),
            ),
            refresh: post_form(
                &host,
                TOKEN,
                &form(&[
                    ("client_id", CLIENT_ID),
                    ("client_secret", CLIENT_SECRET),
                    ("refresh_token", &refresh),
                    ("grant_type", "refresh_token"),
                ]),
            ),
            authorize: get(&host, &authorize_path(), ""),
            host,
        })
    }

    /// The scenario that repeats `work` against this server.
    pub fn job(&self, work: Work) -> Job {
        let unit = match work {
            Work::UsersCurrent => Unit::Request(self.users_current.clone()),
            Work::AlertSources => Unit::Request(self.alert_sources.clone()),
            Work::TokenInfo => Unit::Request(self.token_info.clone()),
            Work::Refresh => Unit::Request(self.refresh.clone()),
            Work::AuthorizationCode => {
                let host = self.host.clone();
                Unit::CodeGrant {
                    authorize: self.authorize.clone(),
                    exchange: Box::new(move |code| code_exchange(&host, code)),
                }
            }
        };
        Job {
            name: work.name(),
            addr: self.addr,
            unit,
            signs: work.is_grant(),
        }
    }
}

/// What each of the mock's scenarios sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// `GET /api/users/current` with a valid access token.
    UsersCurrent,
    /// `GET /api/alert-sources`, the tenant's list.
    AlertSources,
    /// `POST token_info` of that token.
    TokenInfo,
    /// The refresh grant.
    Refresh,
    /// Authorize (auto-approved) then the code exchange.
    AuthorizationCode,
}

impl Work {
    /// The scenario's name in the table and the JSON report.
    pub fn name(self) -> &'static str {
        match self {
            Self::UsersCurrent => "GET /api/users/current",
            Self::AlertSources => "GET /api/alert-sources",
            Self::TokenInfo => "POST token_info",
            Self::Refresh => "refresh grant",
            Self::AuthorizationCode => "authorization-code grant",
        }
    }

    fn is_grant(self) -> bool {
        matches!(self, Self::Refresh | Self::AuthorizationCode)
    }
}

fn authorize_path() -> String {
    authorize_path_for(SCOPE)
}

fn authorize_path_for(scope: &str) -> String {
    format!(
        "{AUTHORIZE}?{}",
        form(&[
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", scope),
            ("state", "bench"),
        ])
    )
}

fn code_exchange(host: &str, code: &str) -> Vec<u8> {
    post_form(
        host,
        TOKEN,
        &form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("code", code),
            ("grant_type", "authorization_code"),
        ]),
    )
}

/// Authorize + token once; the access and refresh tokens.
async fn tokens(addr: SocketAddr, host: &str) -> Result<(String, String), BenchError> {
    tokens_for(addr, host, SCOPE).await
}

/// Authorize (for `scope`) + token once; the access and refresh tokens.
pub async fn tokens_for(addr: SocketAddr, host: &str, scope: &str) -> Result<(String, String), BenchError> {
    let authorized = once(addr, &get(host, &authorize_path_for(scope), ""), true).await?;
    let location = authorized
        .location
        .filter(|_| authorized.status == 302)
        .ok_or_else(|| BenchError::Server(format!("authorize answered {}", authorized.status)))?;
    let code = code_of(&location).ok_or_else(|| BenchError::Server(format!("no code in {location}")))?;
    let answer = once(addr, &code_exchange(host, code), false).await?;
    let json: serde_json::Value =
        serde_json::from_slice(&answer.body).map_err(|e| BenchError::Server(e.to_string()))?;
    if answer.status != 200 {
        return Err(BenchError::Server(format!(
            "token answered {}: {json}",
            answer.status
        )));
    }
    let field = |name: &str| {
        json.get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| BenchError::Server(format!("no {name} in the token answer")))
    };
    Ok((field("access_token")?, field("refresh_token")?))
}

/// Grants the server holds for the guide's app and `someUser`: (all, revoked).
pub async fn grants_held(addr: SocketAddr) -> Option<(u64, u64)> {
    let host = addr.to_string();
    let path = format!("/_mock/grants?{}", form(&[("app", CLIENT_ID), ("user", USER)]));
    let answer = once(addr, &get(&host, &path, ""), false).await.ok()?;
    if answer.status != 200 {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&answer.body).ok()?;
    let list = json
        .as_array()
        .or_else(|| json.get("grants").and_then(|g| g.as_array()))?;
    let revoked = list
        .iter()
        .filter(|g| g.get("revoked").is_some_and(|r| !r.is_null()))
        .count();
    Some((list.len() as u64, revoked as u64))
}

/// Moves the mock clock on by `secs` (`POST /_mock/clock`).
pub async fn advance_clock(addr: SocketAddr, secs: u64) -> Result<(), BenchError> {
    let body = format!(r#"{{"advance_secs": {secs}}}"#);
    once(
        addr,
        &post(&addr.to_string(), "/_mock/clock", "application/json", &body),
        false,
    )
    .await
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_request_names_the_guide_app_and_its_redirect() {
        let path = authorize_path();
        assert!(path.starts_with("/api/developers/oauth2/authorize?client_id=0501439fd7dee9af0c25&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result"));
        let exchange = String::from_utf8_lossy(&code_exchange("h:1", "abc")).into_owned();
        assert!(exchange.starts_with("POST /api/developers/oauth2/token HTTP/1.1\r\nHost: h:1\r\n"));
        assert!(exchange.ends_with("&code=abc&grant_type=authorization_code"));
    }
}
