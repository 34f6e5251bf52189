//! Reading OAuth request bodies: form (as documented) or JSON (as the guide's Node.js snippets
//! send with older axios), at most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) (SPEC §9).

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

/// Parses a body by its `Content-Type`: a form (as documented) or JSON; anything else is
/// `invalid_request` (SPEC §9).
pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("invalid"))
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    match content_type.as_deref() {
        // Older axios versions send the guide's Node.js `data: {…}` as JSON under the form
        // content type; a form body cannot start with `{`, so such a body is read as JSON.
        Some("application/x-www-form-urlencoded") if body.trim_ascii_start().starts_with(b"{") => {
            Params::from_json(body)
        }
        Some("application/x-www-form-urlencoded") => Params::from_urlencoded(body),
        Some("application/json") => Params::from_json(body),
        None if body.is_empty() => Ok(Params::default()),
        None => Err(OAuthError::invalid_request(
            "Content-Type is missing; send application/x-www-form-urlencoded",
        )),
        Some(other) => Err(OAuthError::invalid_request(format!(
            "Content-Type '{other}' is not supported; send application/x-www-form-urlencoded"
        ))),
    }
}
