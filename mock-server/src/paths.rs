//! Every route path the mock serves, in one place: the router, the grant view's form, the fault
//! targets, the rate limit and the well-known documents all name them from here (behaviour.md §1, §11).

/// Browser authorize endpoint (behaviour.md §2).
pub const AUTHORIZE: &str = "/api/developers/oauth2/authorize";
/// Token endpoint (behaviour.md §3).
pub const TOKEN: &str = "/api/developers/oauth2/token";
/// Token info endpoint (behaviour.md §5).
pub const TOKEN_INFO: &str = "/api/developers/oauth2/token_info";
/// Revocation endpoint (behaviour.md §5).
pub const REVOKE: &str = "/api/developers/oauth2/revoke";
/// The resource API's prefix (behaviour.md §6).
pub const API: &str = "/api";

/// A path of ilert's OpenAPI document (`/events`, `/alerts/{id}`) as the mock serves it, under
/// [`API`].
pub fn under_api(path: &str) -> String {
    format!("{API}{path}")
}
/// The current user (scope `profile`).
pub const USERS_CURRENT: &str = "/api/users/current";
/// Alert sources (scope `source`).
pub const ALERT_SOURCES: &str = "/api/alert-sources";
/// Escalation policies (scope `policy`).
pub const ESCALATION_POLICIES: &str = "/api/escalation-policies";
/// The Events API at an alert source's `integrationUrl`: `{EVENTS_BY_URL}/{type}/{key}`.
pub const EVENTS_BY_URL: &str = "/api/v1/events";
/// A heartbeat monitor's `integrationUrl`: `{HEARTBEATS}/{key}` (ilert's ping URL; `GET`, `HEAD`
/// or `POST`).
pub const HEARTBEATS: &str = "/api/heartbeats";
/// Deployment events at a pipeline's `integrationUrl`: `{DEPLOYMENT_EVENTS_BY_URL}/{type}/{key}`.
pub const DEPLOYMENT_EVENTS_BY_URL: &str = "/api/v1/deployment-events";
/// The mock's control surface (behaviour.md §11).
pub const CONTROL: &str = "/_mock";
/// The JWKS document.
pub const JWKS: &str = "/.well-known/jwks.json";
/// RFC 8414 authorization server metadata.
pub const METADATA: &str = "/.well-known/oauth-authorization-server";
