//! The claims of ilert's access and refresh tokens, in ilert's order (behaviour.md §4).
//!
//! Serde serialises struct fields in declaration order, so the claim order is ilert's. No
//! `iat`, `sub`, `aud` or `jti` is added.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::UnixSeconds;

/// `iss` of every ilert token.
pub const ISSUER: &str = "ilert";
/// `il_t` of an access token.
pub const ACCESS_TYPE: &str = "ACCESS";
/// `il_t` of a refresh token.
pub const REFRESH_TYPE: &str = "OAUTH";
/// `il_v`, the token format version.
pub const TOKEN_VERSION: u32 = 1;
/// Access token lifetime (behaviour.md §7): one hour.
pub const ACCESS_TOKEN_LIFETIME: i64 = 3_600;
/// Refresh token lifetime (behaviour.md §7): one year.
pub const REFRESH_TOKEN_LIFETIME: i64 = 31_536_000;

/// Claims of an access token, in ilert's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Unknown claims are ignored rather than refused: only a token signed with the mock's own key
// gets this far, and [`crate::Breakage::ExtraJwtClaim`] must break the claim set, not the API.
pub struct AccessClaims {
    /// Tenant short id.
    pub il_n: String,
    /// App id.
    pub il_a: i64,
    /// Granted scope string.
    pub il_s: String,
    /// Always `ilert`.
    pub iss: String,
    /// Username.
    pub il_u: String,
    /// Always `ACCESS`.
    pub il_t: String,
    /// Always 1.
    pub il_v: u32,
    /// Expiry, Unix seconds.
    pub exp: UnixSeconds,
}

impl AccessClaims {
    /// Claims for a new access token issued at `now`.
    pub fn new(tenant_short_id: &str, app_id: i64, scope: &str, username: &str, now: UnixSeconds) -> Self {
        Self {
            il_n: tenant_short_id.to_owned(),
            il_a: app_id,
            il_s: scope.to_owned(),
            iss: ISSUER.to_owned(),
            il_u: username.to_owned(),
            il_t: ACCESS_TYPE.to_owned(),
            il_v: TOKEN_VERSION,
            exp: now.saturating_add(ACCESS_TOKEN_LIFETIME),
        }
    }
}

/// Claims of a refresh token, in ilert's order.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshClaims {
    /// Always `ilert`.
    pub iss: String,
    /// Always `OAUTH`.
    pub il_t: String,
    /// Always 1.
    pub il_v: u32,
    /// Expiry, Unix seconds.
    pub exp: UnixSeconds,
    /// 128-bit key (32 lowercase hex) naming the refresh grant server-side.
    pub il_k: String,
}

impl fmt::Debug for RefreshClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshClaims")
            .field("exp", &self.exp)
            .field("il_k", &"[redacted]")
            .finish()
    }
}

impl RefreshClaims {
    /// Claims for the refresh grant `key` expiring at `exp`.
    pub fn new(key: &str, exp: UnixSeconds) -> Self {
        Self {
            iss: ISSUER.to_owned(),
            il_t: REFRESH_TYPE.to_owned(),
            il_v: TOKEN_VERSION,
            exp,
            il_k: key.to_owned(),
        }
    }
}

/// What a successful token request issues, ready to be signed.
#[derive(Debug, Clone)]
pub struct Issuance {
    /// Claims of the new access token.
    pub access: AccessClaims,
    /// Claims of the refresh token to return, if any.
    pub refresh: Option<RefreshClaims>,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: Option<i64>,
}

/// Claims that carry `iss`, which verification checks on the typed claims.
pub(super) trait HasIssuer {
    /// The `iss` claim.
    fn iss(&self) -> &str;
}

impl HasIssuer for AccessClaims {
    fn iss(&self) -> &str {
        &self.iss
    }
}

impl HasIssuer for RefreshClaims {
    fn iss(&self) -> &str {
        &self.iss
    }
}
