//! The accounts the mock knows: tenants, users and apps (REST entities such as escalation
//! policies live in the resource store, `crate::resources`).
//!
//! They deserialise from fixture files (snake_case TOML) and are rendered as ilert's JSON by the
//! handlers. Secrets are newtypes whose `Debug` never shows the value.

use std::fmt;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// A tenant (ilert account), addressed as `{id}.ilert.com`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// Account name, e.g. `someTenant` (also the first label of the tenant host).
    pub id: String,
    /// Short id written to access tokens as `il_n`.
    pub short_id: String,
    /// Display name for the grant view.
    #[serde(default)]
    pub name: Option<String>,
}

impl Tenant {
    /// The display name, falling back to the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// A user of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Numeric id.
    pub id: i64,
    /// The tenant's id.
    pub tenant: String,
    /// Login name, written to access tokens as `il_u`; unique across tenants.
    pub username: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email address.
    pub email: String,
    /// ilert role (`ADMIN`, `USER`, `RESPONDER`, `STAKEHOLDER`, `GUEST`).
    #[serde(default = "default_role")]
    pub role: String,
    /// IANA time zone.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// `de` or `en`.
    #[serde(default = "default_language")]
    pub language: String,
    /// Region code, e.g. `DE`.
    #[serde(default = "default_region")]
    pub region: String,
    /// Job position.
    #[serde(default)]
    pub position: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
}

fn default_role() -> String {
    "USER".to_owned()
}
fn default_timezone() -> String {
    "Europe/Berlin".to_owned()
}
fn default_language() -> String {
    "en".to_owned()
}
fn default_region() -> String {
    "DE".to_owned()
}

/// A client secret. `Debug` prints `ClientSecret([redacted])`; comparison is constant time.
#[derive(Clone, Deserialize, Serialize)]
#[serde(transparent)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for printing development credentials at start-up.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison, so timing does not reveal how much of a guess was right.
    pub fn matches(&self, candidate: &str) -> bool {
        self.0.as_bytes().ct_eq(candidate.as_bytes()).into()
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// An OAuth2 app registered with ilert.
///
/// Whether a token request is "public" (no secret) is a property of the request, not of the app
/// (behaviour.md §3): any app may leave its secret out when the authorization used PKCE. `public` marks
/// an app that has no secret at all; `require_secret` makes an app refuse secret-less requests.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// Numeric app id (`il_a`, `app_id`).
    pub id: i64,
    /// Name shown on the grant view.
    pub name: String,
    /// Public client id.
    pub client_id: String,
    /// The app's secret; absent for a purely public app.
    #[serde(default)]
    pub client_secret: Option<ClientSecret>,
    /// An app without any secret: every token request it makes relies on PKCE.
    #[serde(default)]
    pub public: bool,
    /// Refuse token requests without the secret, even after PKCE (an app's opt-in; the default
    /// lets any app use PKCE instead of its secret, as ilert's PKCE guide does).
    #[serde(default)]
    pub require_secret: bool,
    /// Registered redirect URIs, matched byte for byte.
    pub redirect_uris: Vec<String>,
    /// Scopes the app may request, with their highest access (`source:w` allows `source`).
    pub scopes: Vec<String>,
    /// Whether a refresh grant returns a new refresh token and revokes the old one.
    #[serde(default)]
    pub rotate_refresh_tokens: bool,
    /// When set, authorize skips the grant view and approves as this user.
    #[serde(default)]
    pub auto_approve: Option<String>,
}
