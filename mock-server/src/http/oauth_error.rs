//! The one error type of the three OAuth endpoints (token, token info, revoke): it renders
//! itself as ilert's `{"code": …, "error": …}` with the status of behaviour.md §8, so their handlers
//! return `Result<_, OAuthFailure>` and decide the shape of no error themselves.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::body::BodyError;
use crate::protocol::error::{ErrorCode, OAuthError};

/// A refused OAuth request: the error, the status to answer with, and whether the client
/// authenticated with HTTP Basic (RFC 6749 §5.2: then `invalid_client` carries
/// `WWW-Authenticate`).
#[derive(Debug)]
pub struct OAuthFailure {
    error: OAuthError,
    status: StatusCode,
    basic: bool,
}

impl OAuthFailure {
    /// Marks the failure as answering a client that used HTTP Basic.
    #[must_use]
    pub fn basic(mut self, basic: bool) -> Self {
        self.basic = basic;
        self
    }
}

impl From<OAuthError> for OAuthFailure {
    fn from(error: OAuthError) -> Self {
        let status = StatusCode::from_u16(error.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        Self {
            error,
            status,
            basic: false,
        }
    }
}

impl From<BodyError> for OAuthFailure {
    /// A body that could not be read keeps its status (413 for an oversized one).
    fn from(err: BodyError) -> Self {
        Self {
            error: err.error,
            status: err.status,
            basic: false,
        }
    }
}

impl IntoResponse for OAuthFailure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.error.body())).into_response();
        if self.basic && self.error.code == ErrorCode::InvalidClient {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"ilert\""),
            );
        }
        no_store(response)
    }
}

/// Headers every token-endpoint answer carries (RFC 6749 §5.1: no caching of credentials).
pub fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
