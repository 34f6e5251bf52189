//! Reading OAuth request bodies: form (as documented) or JSON (as the guide's Node.js snippets
//! send with older axios), at most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) (behaviour.md §9).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};

use crate::protocol::error::OAuthError;
use crate::protocol::params::Params;

/// A body that could not be read: the error and the status to answer with.
#[derive(Debug)]
pub struct BodyError {
    /// 400 or 413.
    pub status: StatusCode,
    /// The `invalid_request` error.
    pub error: OAuthError,
}

impl From<OAuthError> for BodyError {
    fn from(error: OAuthError) -> Self {
        Self {
            status: StatusCode::from_u16(error.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
            error,
        }
    }
}

/// The error for a body that could not be read at all: 413 when it is larger than
/// [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES), else 400.
pub fn rejected(rejection: BytesRejection) -> BodyError {
    let status = rejection.status();
    let text = if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!("the request body is larger than {} bytes", super::MAX_BODY_BYTES)
    } else {
        "the request body could not be read".to_owned()
    };
    BodyError {
        status,
        error: OAuthError::invalid_request(text),
    }
}

/// Reads the body, then parses it by its `Content-Type` ([`parse`]).
pub fn params(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Params, BodyError> {
    let body = body.map_err(rejected)?;
    Ok(parse(headers, &body)?)
}

/// What a request body is, by its `Content-Type` (behaviour.md §9): the one place these rules live, for
/// the OAuth endpoints and the journal alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/x-www-form-urlencoded`, as documented.
    Form,
    /// `application/json`, or JSON sent under the form content type: older axios versions send
    /// the guide's Node.js `data: {…}` that way, and a form body cannot start with `{`.
    Json,
    /// No `Content-Type`.
    Missing,
    /// Any other media type (lowercase, without parameters).
    Other(String),
}

/// Classifies a body by its `Content-Type` value and, for the form type, its first byte.
pub fn kind(content_type: Option<&str>, body: &[u8]) -> BodyKind {
    let Some(content_type) = content_type else {
        return BodyKind::Missing;
    };
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-www-form-urlencoded" if body.trim_ascii_start().starts_with(b"{") => BodyKind::Json,
        "application/x-www-form-urlencoded" => BodyKind::Form,
        "application/json" => BodyKind::Json,
        _ => BodyKind::Other(media),
    }
}

/// Parses a body by its `Content-Type`: a form (as documented) or JSON; anything else is
/// `invalid_request` (behaviour.md §9).
pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("invalid"));
    match kind(content_type, body) {
        BodyKind::Json => Params::from_json(body),
        BodyKind::Form => Params::from_urlencoded(body),
        BodyKind::Missing if body.is_empty() => Ok(Params::default()),
        BodyKind::Missing => Err(OAuthError::invalid_request(
            "Content-Type is missing; send application/x-www-form-urlencoded",
        )),
        BodyKind::Other(other) => Err(OAuthError::invalid_request(format!(
            "Content-Type '{other}' is not supported; send application/x-www-form-urlencoded"
        ))),
    }
}

/// The largest request body accepted; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
