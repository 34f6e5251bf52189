//! The entities the mock knows: tenants, users, apps, escalation policies and alert sources.
//!
//! They deserialise from fixture files (snake_case TOML) and are rendered as ilert's JSON by the
//! resource handlers. Secrets are newtypes whose `Debug` never shows the value.

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

/// One level of an escalation policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationRule {
    /// Minutes before escalating to the next level.
    pub escalation_timeout: i64,
    /// Ids of the users notified at this level.
    #[serde(default)]
    pub users: Vec<i64>,
}

/// An escalation policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationPolicy {
    /// Numeric id.
    pub id: i64,
    /// The tenant's id.
    pub tenant: String,
    /// Name.
    pub name: String,
    /// Levels, in order.
    pub rules: Vec<EscalationRule>,
    /// Whether escalation repeats.
    #[serde(default)]
    pub repeating: bool,
    /// How often it repeats (1 to 9).
    #[serde(default = "one")]
    pub frequency: i64,
    /// Delay in minutes before the first level (0 to 15).
    #[serde(default)]
    pub delay_min: i64,
    /// Optional routing key.
    #[serde(default)]
    pub routing_key: Option<String>,
}

fn one() -> i64 {
    1
}

/// An alert source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSource {
    /// Numeric id.
    pub id: i64,
    /// The tenant's id.
    pub tenant: String,
    /// Name.
    pub name: String,
    /// ilert integration type, e.g. `API`, `PROMETHEUS`, `EMAIL`.
    pub integration_type: String,
    /// Integration key (unique).
    pub integration_key: String,
    /// Id of the escalation policy.
    pub escalation_policy: i64,
    /// `HIGH`, `LOW`, `HIGH_DURING_SUPPORT_HOURS` or `LOW_DURING_SUPPORT_HOURS`.
    #[serde(default = "default_priority")]
    pub alert_priority_rule: String,
    /// How alerts are created, e.g. `ONE_ALERT_PER_EMAIL`.
    #[serde(default = "default_alert_creation")]
    pub alert_creation: String,
    /// Whether the source accepts events.
    #[serde(default = "yes")]
    pub active: bool,
    /// ISO-8601 duration after which alerts resolve on their own.
    #[serde(default)]
    pub auto_resolution_timeout: Option<String>,
    /// Creation time, Unix seconds (fixtures may leave it out).
    #[serde(default)]
    pub created_at: Option<i64>,
    /// Last update time, Unix seconds.
    #[serde(default)]
    pub updated_at: Option<i64>,
}

fn default_priority() -> String {
    "HIGH".to_owned()
}
fn default_alert_creation() -> String {
    "ONE_ALERT_PER_EMAIL".to_owned()
}
fn yes() -> bool {
    true
}
