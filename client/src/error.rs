//! One error type for the whole client, keeping ilert's own words apart from ours.
//!
//! ilert answers errors in two documented shapes, and the client keeps both as sent:
//!
//! - the OAuth2 endpoints (token, token info, revoke) send `{"code": "invalid_grant", "error":
//!   "Provided code is unknown"}` (behaviour.md §3, §8) — note ilert's field names: `code` is the
//!   machine-readable code and `error` the description, unlike RFC 6749 §5.2's `error` and
//!   `error_description`. Both shapes are read; [`TokenError`] keeps the code and description.
//! - the REST API sends `{"status": 403, "message": "...", "code": "..."}`; [`ApiError`] keeps
//!   all three.
//!
//! Transport failures, answers in neither shape, the authorize redirect's own `error`, and
//! local problems (config, store) are separate variants. Every `Display` is one sentence that
//! says what happened and what to do next.

use std::fmt;

use serde::Deserialize;

use crate::config::ConfigError;
use crate::store::StoreError;

/// Which ilert endpoint an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /api/developers/oauth2/token`.
    Token,
    /// `POST /api/developers/oauth2/token_info`.
    TokenInfo,
    /// `POST /api/developers/oauth2/revoke`.
    Revoke,
    /// A REST API path under `/api/`.
    Api,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Token => "token endpoint",
            Self::TokenInfo => "token info endpoint",
            Self::Revoke => "revoke endpoint",
            Self::Api => "API",
        })
    }
}

/// An OAuth2 error code, as ilert sends it in the `code` field (behaviour.md §8), plus RFC 6749's
/// codes ilert does not list but the mock uses where ilert is silent (`invalid_client`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenErrorCode {
    /// `invalid_request` (400): a parameter is missing, repeated or malformed.
    InvalidRequest,
    /// `invalid_client` (401, RFC 6749 §5.2): unknown client or wrong secret.
    InvalidClient,
    /// `invalid_grant` (401): the code or refresh token is unknown, expired, used or revoked,
    /// or the PKCE verifier does not match.
    InvalidGrant,
    /// `unauthorized_client` (RFC 6749 §5.2).
    UnauthorizedClient,
    /// `unsupported_grant_type` (400).
    UnsupportedGrantType,
    /// `invalid_scope` (400).
    InvalidScope,
    /// `access_denied` (400).
    AccessDenied,
    /// `server_error` (500).
    ServerError,
    /// Any other code, kept verbatim.
    Other(String),
}

impl TokenErrorCode {
    /// Reads a code as sent.
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "access_denied" => Self::AccessDenied,
            "server_error" => Self::ServerError,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The code as ilert spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::Other(code) => code,
        }
    }

    /// What the user can do about it.
    fn advice(&self) -> &'static str {
        match self {
            Self::InvalidGrant => {
                "the code or refresh token is unknown, expired, already used or revoked, or the \
                 PKCE verifier does not match: sign in again"
            }
            Self::InvalidClient | Self::UnauthorizedClient => {
                "check the client id and client secret against the app's page in ilert"
            }
            Self::InvalidRequest => "the request was malformed: check the redirect URI and PKCE settings",
            Self::InvalidScope => "request only scopes the app may use",
            Self::UnsupportedGrantType => "this client sent a grant type ilert does not support",
            Self::AccessDenied => "access was refused",
            Self::ServerError => "ilert had an internal problem: try again later",
            Self::Other(_) => "see ilert's description above",
        }
    }
}

impl fmt::Display for TokenErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from ilert's token, token info or revoke endpoint, in its documented shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    /// The endpoint that answered.
    pub endpoint: Endpoint,
    /// The HTTP status (ilert: 400, 401 or 500).
    pub status: u16,
    /// ilert's `code`.
    pub code: TokenErrorCode,
    /// ilert's `error` (the human description), when sent.
    pub description: Option<String>,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ilert's {} refused the request with {} (HTTP {})",
            self.endpoint, self.code, self.status
        )?;
        quote_and_advise(f, self.description.as_deref(), self.code.advice())
    }
}

impl std::error::Error for TokenError {}

/// An error answer of ilert's REST API (`{"status", "message", "code"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP method of the request.
    pub method: String,
    /// The path requested.
    pub path: String,
    /// The HTTP status.
    pub status: u16,
    /// ilert's `message` (or the start of a body in another shape).
    pub message: Option<String>,
    /// ilert's `code`, when sent.
    pub code: Option<String>,
    /// Seconds to wait, from a `Retry-After` header (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn advice(&self) -> String {
        match self.status {
            401 => "ilert rejected the access token and a refresh did not help: sign in again".to_owned(),
            403 => "the token lacks the scope for this resource (see ilert's scope table): sign in \
                    again requesting it"
                .to_owned(),
            404 => "there is no such resource, or it belongs to another tenant".to_owned(),
            429 => match self.retry_after {
                Some(s) => format!("rate limited: retry after {s} s"),
                None => "rate limited: back off 10 to 30 seconds and retry".to_owned(),
            },
            400 | 409 | 422 => "ilert refused the request body or parameters".to_owned(),
            s if s >= 500 => "ilert had a problem: try again later".to_owned(),
            _ => "see ilert's message above".to_owned(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ilert answered {} {} with HTTP {}",
            self.method, self.path, self.status
        )?;
        if let Some(code) = self.code.as_deref().filter(|c| !c.is_empty()) {
            write!(f, " {code}")?;
        }
        quote_and_advise(f, self.message.as_deref(), self.advice())
    }
}

/// The end of an error answer's message: what ilert said, quoted (left out when empty), then
/// what the user can do about it.
fn quote_and_advise(
    f: &mut fmt::Formatter<'_>,
    said: Option<&str>,
    advice: impl fmt::Display,
) -> fmt::Result {
    if let Some(said) = said.filter(|s| !s.is_empty()) {
        write!(f, ": \"{said}\"")?;
    }
    write!(f, "; {advice}")
}

impl std::error::Error for ApiError {}

/// Everything that can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration was refused.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// ilert's token, token info or revoke endpoint answered with an OAuth2 error.
    #[error("{0}")]
    Token(TokenError),
    /// ilert's REST API answered with an error status.
    #[error("{0}")]
    Api(ApiError),
    /// The authorize redirect came back with `error` instead of a code (behaviour.md §2).
    #[error("{}", authorization_message(.error, .description.as_deref()))]
    Authorization {
        /// The `error` parameter.
        error: String,
        /// The `error_description` parameter.
        description: Option<String>,
    },
    /// The redirect's `state` is not the one this client sent (RFC 6749 §10.12).
    #[error(
        "the callback's state does not match the one this client sent, so it may be forged or \
         from an earlier attempt; start the sign-in again"
    )]
    StateMismatch,
    /// A sign-in without a browser ([`crate::OAuthClient::follow_authorize`]) met a page (a
    /// login, a grant view) or a redirect elsewhere, not the redirect back to the app.
    #[error(
        "the authorize URL answered HTTP {status}{} instead of redirecting back to the app: this \
         sign-in needs a browser (a sign-in without one works only against a server that approves \
         at once, such as ilert-mock --auto-approve USER)",
        .location.as_deref().map(|l| format!(" with a redirect to {l}")).unwrap_or_default()
    )]
    NeedsBrowser {
        /// The authorize endpoint's status.
        status: u16,
        /// Where it redirected instead (without the query), if it did.
        location: Option<String>,
    },
    /// The redirect carried neither a code nor an error.
    #[error("the callback carries neither a code nor an error; open the authorize URL again")]
    MissingCode,
    /// ilert could not be reached, or the connection failed.
    #[error("could not reach ilert at {url}: {cause}; check the network and the base URL")]
    Transport {
        /// The URL requested (without query).
        url: String,
        /// The root cause in words.
        cause: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// ilert answered in a shape this client does not understand.
    #[error(
        "ilert's {endpoint} answered HTTP {status} in an unexpected shape ({detail}); is the base \
         URL right?"
    )]
    UnexpectedResponse {
        /// The endpoint.
        endpoint: Endpoint,
        /// The HTTP status.
        status: u16,
        /// What was wrong, with the start of the body.
        detail: String,
    },
    /// No tokens are stored: the user has not signed in.
    #[error("not signed in: no tokens are stored; sign in first (ilert-oauth2 login)")]
    NotSignedIn,
    /// The access token expired and there is no refresh token to renew it.
    #[error(
        "the access token expired and there is no refresh token (without the client secret ilert issues one only with \
         the offline_access scope); sign in again"
    )]
    NoRefreshToken,
    /// An API path outside `/api/`, an absolute URL, or one with dot segments.
    #[error(
        "'{0}' is not an ilert API path: give a path starting with /api/ (the access token is only \
         ever sent to the API base URL)"
    )]
    InvalidApiPath(String),
    /// A request body could not be written as JSON.
    #[error("the request body could not be written as JSON: {0}")]
    RequestBody(#[source] serde_json::Error),
    /// The token store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl Error {
    /// The HTTP status ilert answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Token(e) => Some(e.status),
            Self::Api(e) => Some(e.status),
            Self::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// ilert's OAuth2 error code, for token endpoint errors.
    pub fn token_error_code(&self) -> Option<&TokenErrorCode> {
        match self {
            Self::Token(e) => Some(&e.code),
            _ => None,
        }
    }

    /// Whether only a new sign-in helps: the grant is gone, nothing is stored, or the API
    /// keeps rejecting the token.
    pub fn requires_sign_in(&self) -> bool {
        match self {
            Self::Token(e) => e.code == TokenErrorCode::InvalidGrant,
            Self::Api(e) => e.status == 401,
            Self::NotSignedIn | Self::NoRefreshToken | Self::StateMismatch => true,
            _ => false,
        }
    }

    /// Whether retrying later may help (network trouble, 5xx, 429).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transport { .. }) || self.status().is_some_and(|s| s >= 500 || s == 429)
    }

    pub(crate) fn transport(url: &url::Url, source: reqwest::Error) -> Self {
        let mut url = url.clone();
        url.set_query(None);
        let cause = if source.is_timeout() {
            "the request timed out".to_owned()
        } else {
            root_cause(&source)
        };
        Self::Transport {
            url: url.to_string(),
            cause,
            source,
        }
    }
}

fn authorization_message(error: &str, description: Option<&str>) -> String {
    let described = description
        .filter(|d| !d.is_empty())
        .map(|d| format!(" (\"{d}\")"))
        .unwrap_or_default();
    let advice = if error == "access_denied" {
        "the user refused; sign in again to retry"
    } else {
        "check the client id, redirect URI and scopes, then sign in again"
    };
    format!("ilert did not authorize the app: {error}{described}; {advice}")
}

/// The innermost error message of a chain (reqwest's own message only names the URL).
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// The start of a body, for messages (never a whole page).
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "empty body".to_owned();
    }
    let mut out: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// Any of the error bodies ilert or an RFC-following server might send.
#[derive(Deserialize)]
struct ErrorBody {
    code: Option<serde_json::Value>,
    error: Option<String>,
    error_description: Option<String>,
    message: Option<String>,
}

/// Reads an OAuth2 endpoint's error answer: ilert's `{code, error}`, RFC 6749's
/// `{error, error_description}`, or — from a gateway or rate limiter in front — the REST shape.
pub(crate) fn oauth_error(endpoint: Endpoint, status: u16, body: &[u8]) -> Error {
    let unexpected = || Error::UnexpectedResponse {
        endpoint,
        status,
        detail: excerpt(body),
    };
    let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) else {
        return unexpected();
    };
    let code = parsed.code.as_ref().and_then(|c| c.as_str());
    match (code, parsed.error) {
        // ilert: `code` is the code, `error` the description.
        (Some(code), Some(description)) => Error::Token(TokenError {
            endpoint,
            status,
            code: TokenErrorCode::parse(code),
            description: Some(description),
        }),
        // RFC 6749 §5.2.
        (None, Some(error)) => Error::Token(TokenError {
            endpoint,
            status,
            code: TokenErrorCode::parse(&error),
            description: parsed.error_description,
        }),
        (code, None) if parsed.message.is_some() => Error::Api(ApiError {
            method: "POST".to_owned(),
            path: endpoint_path(endpoint).to_owned(),
            status,
            message: parsed.message,
            code: code.map(str::to_owned),
            retry_after: None,
        }),
        (Some(code), None) => Error::Token(TokenError {
            endpoint,
            status,
            code: TokenErrorCode::parse(code),
            description: None,
        }),
        (None, None) => unexpected(),
    }
}

fn endpoint_path(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Token => crate::config::TOKEN_PATH,
        Endpoint::TokenInfo => crate::config::TOKEN_INFO_PATH,
        Endpoint::Revoke => crate::config::REVOKE_PATH,
        Endpoint::Api => "/api/",
    }
}

/// Reads a REST API error answer (`{status, message, code}`), tolerating other bodies.
pub(crate) fn api_error(
    method: &str,
    path: &str,
    status: u16,
    retry_after: Option<u64>,
    body: &[u8],
) -> ApiError {
    let parsed = serde_json::from_slice::<ErrorBody>(body).ok();
    let (message, code) = match parsed {
        Some(p) if p.message.is_some() || p.code.is_some() => (
            p.message.or(p.error_description).or(p.error),
            p.code.map(|c| match c {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }),
        ),
        Some(p) if p.error.is_some() => (p.error_description.or(p.error), None),
        _ => ((!body.is_empty()).then(|| excerpt(body)), None),
    };
    ApiError {
        method: method.to_owned(),
        path: path.to_owned(),
        status,
        message,
        code,
        retry_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ilerts_token_error_shape() {
        let e = oauth_error(
            Endpoint::Token,
            401,
            br#"{"code":"invalid_grant","error":"Provided code is unknown"}"#,
        );
        let Error::Token(t) = &e else {
            panic!("not a token error: {e:?}")
        };
        assert_eq!(t.code, TokenErrorCode::InvalidGrant);
        assert_eq!(t.description.as_deref(), Some("Provided code is unknown"));
        assert_eq!(
            e.to_string(),
            "ilert's token endpoint refused the request with invalid_grant (HTTP 401): \"Provided \
             code is unknown\"; the code or refresh token is unknown, expired, already used or \
             revoked, or the PKCE verifier does not match: sign in again"
        );
        assert!(e.requires_sign_in());
        assert!(!e.is_transient());
    }

    #[test]
    fn reads_the_rfc_6749_shape_too() {
        let e = oauth_error(
            Endpoint::Token,
            401,
            br#"{"error":"invalid_client","error_description":"bad secret"}"#,
        );
        assert_eq!(e.token_error_code(), Some(&TokenErrorCode::InvalidClient));
        assert!(e.to_string().contains("check the client id and client secret"));
    }

    #[test]
    fn a_gateway_page_is_an_unexpected_response() {
        let e = oauth_error(Endpoint::Token, 502, b"<html>Bad Gateway</html>");
        assert!(matches!(e, Error::UnexpectedResponse { status: 502, .. }));
        assert!(e.is_transient());
        assert!(e.to_string().contains("<html>Bad Gateway</html>"), "{e}");
    }

    #[test]
    fn a_rate_limit_in_rest_shape_is_an_api_error() {
        let e = oauth_error(
            Endpoint::Token,
            429,
            br#"{"status":429,"message":"Too many requests","code":"RATE_LIMITED"}"#,
        );
        assert!(matches!(&e, Error::Api(a) if a.code.as_deref() == Some("RATE_LIMITED")));
        assert!(e.is_transient());
    }

    #[test]
    fn reads_the_rest_error_shape() {
        let e = api_error(
            "GET",
            "/api/alert-sources",
            403,
            None,
            br#"{"status":403,"message":"Missing scope source","code":"INSUFFICIENT_SCOPE"}"#,
        );
        assert_eq!(e.message.as_deref(), Some("Missing scope source"));
        assert_eq!(e.code.as_deref(), Some("INSUFFICIENT_SCOPE"));
        assert_eq!(
            e.to_string(),
            "ilert answered GET /api/alert-sources with HTTP 403 INSUFFICIENT_SCOPE: \"Missing \
             scope source\"; the token lacks the scope for this resource (see ilert's scope \
             table): sign in again requesting it"
        );
        let plain = api_error("GET", "/api/x", 500, None, b"oops");
        assert_eq!(plain.message.as_deref(), Some("oops"));
        let limited = api_error("GET", "/api/x", 429, Some(12), b"");
        assert!(limited.to_string().ends_with("rate limited: retry after 12 s"));
    }

    #[test]
    fn authorization_errors_read_as_sentences() {
        let e = Error::Authorization {
            error: "access_denied".into(),
            description: Some("The user denied access".into()),
        };
        assert_eq!(
            e.to_string(),
            "ilert did not authorize the app: access_denied (\"The user denied access\"); the user \
             refused; sign in again to retry"
        );
    }

    #[test]
    fn excerpts_are_short() {
        let long = "x".repeat(1000);
        assert_eq!(excerpt(long.as_bytes()).chars().count(), 201);
        assert_eq!(excerpt(b"  "), "empty body");
    }
}
