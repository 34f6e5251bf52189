//! Why a resource request failed; the HTTP layer renders it in ilert's REST error shape
//! `{"status", "message", "code"}` (behaviour.md §8).

use super::validate::Invalid;

/// Why a resource request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// No such entity in the caller's tenant (404).
    #[error("{0}")]
    NotFound(String),
    /// The body or a parameter is invalid (400).
    #[error("{0}")]
    BadRequest(String),
    /// The entity is still referenced, or the change conflicts with its state (409).
    #[error("{0}")]
    Conflict(String),
    /// An `If-Match` precondition names a version that is no longer current (412).
    #[error("{0}")]
    PreconditionFailed(String),
    /// The caller's role does not allow the operation (403), as ilert documents for
    /// admin-only operations.
    #[error("{0}")]
    Forbidden(String),
    /// A bound on what clients can make the mock keep is reached (507); the message names the
    /// bound and its flag ([`crate::Bounds`]).
    #[error("{0}")]
    InsufficientStorage(String),
}

impl ResourceError {
    /// HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::BadRequest(_) => 400,
            Self::Conflict(_) => 409,
            Self::PreconditionFailed(_) => 412,
            Self::Forbidden(_) => 403,
            Self::InsufficientStorage(_) => 507,
        }
    }

    /// ilert-style error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadRequest(_) => "BAD_REQUEST",
            Self::Conflict(_) => "CONFLICT",
            Self::PreconditionFailed(_) => "PRECONDITION_FAILED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::InsufficientStorage(_) => "INSUFFICIENT_STORAGE",
        }
    }

    /// A 404 naming what was looked for.
    pub fn not_found(noun: &str, id: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("{noun} '{id}' not found"))
    }
}

impl From<Invalid> for ResourceError {
    fn from(invalid: Invalid) -> Self {
        Self::BadRequest(invalid.message)
    }
}
