//! OAuth2 error codes and their HTTP statuses (behaviour.md §8).
//!
//! ilert's token endpoint answers errors as `{"code": "<code>", "error": "<description>"}`, not
//! with RFC 6749's `error`/`error_description` names; the authorize endpoint redirects with RFC
//! 6749's query parameters. Both render an [`OAuthError`].

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

/// The machine-readable error codes the mock answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed request: a missing, repeated or invalid parameter (ilert table: 400).
    InvalidRequest,
    /// Client authentication failed (RFC 6749 §5.2: 401; ilert is silent).
    InvalidClient,
    /// The code or refresh token is invalid, expired, revoked or bound elsewhere (ilert table: 401).
    InvalidGrant,
    /// The client may not use this grant (RFC 6749 §5.2: 400).
    UnauthorizedClient,
    /// The grant type is not supported (ilert table: 400).
    UnsupportedGrantType,
    /// A requested scope is unknown, malformed or not allowed for the app (ilert table: 400).
    InvalidScope,
    /// The user refused the grant (ilert table: 400).
    AccessDenied,
    /// `response_type` other than `code` (RFC 6749 §4.1.2.1; only ever sent as a redirect).
    UnsupportedResponseType,
    /// Something failed inside the server (ilert table: 500).
    ServerError,
}

impl ErrorCode {
    /// The wire name, e.g. `invalid_grant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::ServerError => "server_error",
        }
    }

    /// The HTTP status: ilert's table (behaviour.md §8) where it has a row, RFC 6749 §5.2 elsewhere.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidRequest
            | Self::InvalidScope
            | Self::AccessDenied
            | Self::UnsupportedGrantType
            | Self::UnauthorizedClient
            | Self::UnsupportedResponseType => 400,
            Self::InvalidGrant | Self::InvalidClient => 401,
            Self::ServerError => 500,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OAuth2 protocol error: a code and a human description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct OAuthError {
    /// Machine-readable code.
    pub code: ErrorCode,
    /// What went wrong, for the developer reading the response.
    pub description: Cow<'static, str>,
}

impl OAuthError {
    /// An error with the given code and description.
    pub fn new(code: ErrorCode, description: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }

    /// `invalid_request`.
    pub fn invalid_request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    /// `invalid_client`.
    pub fn invalid_client(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidClient, description)
    }

    /// `invalid_grant`.
    pub fn invalid_grant(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    /// `invalid_scope`.
    pub fn invalid_scope(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidScope, description)
    }

    /// The token endpoint's documented body: `{"code": …, "error": …}`.
    pub fn body(&self) -> TokenErrorBody<'_> {
        TokenErrorBody {
            code: self.code.as_str(),
            error: &self.description,
        }
    }
}

/// ilert's token-endpoint error shape (behaviour.md §3): `code` is the machine code, `error` the text.
#[derive(Debug, Serialize)]
pub struct TokenErrorBody<'a> {
    /// Machine-readable code.
    pub code: &'a str,
    /// Human description.
    pub error: &'a str,
}

/// ilert documents this description verbatim for an unknown authorization code.
pub const UNKNOWN_CODE: &str = "Provided code is unknown";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_ilerts_table() {
        assert_eq!(ErrorCode::InvalidRequest.http_status(), 400);
        assert_eq!(ErrorCode::InvalidScope.http_status(), 400);
        assert_eq!(ErrorCode::AccessDenied.http_status(), 400);
        assert_eq!(ErrorCode::ServerError.http_status(), 500);
        assert_eq!(ErrorCode::UnsupportedGrantType.http_status(), 400);
        assert_eq!(ErrorCode::InvalidGrant.http_status(), 401);
        // RFC 6749 §5.2, where ilert is silent.
        assert_eq!(ErrorCode::InvalidClient.http_status(), 401);
    }

    #[test]
    fn body_uses_ilerts_field_names() {
        let err = OAuthError::invalid_grant(UNKNOWN_CODE);
        let json = serde_json::to_string(&err.body()).expect("serialises");
        assert_eq!(
            json,
            r#"{"code":"invalid_grant","error":"Provided code is unknown"}"#
        );
    }
}
