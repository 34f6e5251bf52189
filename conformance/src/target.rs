//! The server under test and the credentials the suite uses on it.
//!
//! By default the target is the mock with its default fixtures (behaviour.md §10): the guide's backend
//! app and the user `someUser`. Against real ilert the user gives the app's credentials and, for
//! the cases that need no browser but a token, a refresh or access token.

use std::fmt;

/// The guide's backend app (behaviour.md §10), its development secret and its backend redirect URI.
pub use ilert_mock::guide::{
    CLIENT_ID as GUIDE_CLIENT_ID, CLIENT_SECRET as GUIDE_CLIENT_SECRET, REDIRECT_URI as GUIDE_REDIRECT_URI,
};
/// Its second redirect URI (also the public app's).
pub const WEBAPP_REDIRECT_URI: &str = "http://localhost:4597/webapp";
/// The default fixture user.
pub const DEFAULT_USER: &str = "someUser";

/// The paths of ilert's OAuth2 endpoints (behaviour.md §1).
pub mod paths {
    /// Authorize (browser).
    pub const AUTHORIZE: &str = "/api/developers/oauth2/authorize";
    /// Token.
    pub const TOKEN: &str = "/api/developers/oauth2/token";
    /// Token info.
    pub const TOKEN_INFO: &str = "/api/developers/oauth2/token_info";
    /// Revoke.
    pub const REVOKE: &str = "/api/developers/oauth2/revoke";
    /// The current user (scope `profile`).
    pub const CURRENT_USER: &str = "/api/users/current";
    /// Alert sources (scope `source`).
    pub const ALERT_SOURCES: &str = "/api/alert-sources";
    /// Escalation policies (scope `policy`).
    pub const ESCALATION_POLICIES: &str = "/api/escalation-policies";
    /// The mock's JWKS document (behaviour.md §11).
    pub const JWKS: &str = "/.well-known/jwks.json";
}

/// RFC 7636 Appendix B's verifier, so PKCE requests are reproducible.
pub const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// Its S256 challenge.
pub const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A verifier of the kind ilert's PKCE guide makes (`generateCodeVerifier()`: 56 lowercase
/// hex characters).
pub const GUIDE_PKCE_VERIFIER: &str = "6d3f0a9c2b7e41d58f6a0c3e9b1d7f24a8c5e0b3d6f9a2c4e7b0d3f6";
/// Its S256 challenge, as the guide's `generateCodeChallengeFromVerifier` computes it.
pub const GUIDE_PKCE_CHALLENGE: &str = "WQm-WL4SHiOVUcbreuUN_4_ZDkEVugf5o_VH229dy-k";

/// An OAuth2 app's credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct App {
    /// The client id.
    pub client_id: String,
    /// The secret, when the requests send it; `None` for PKCE-only requests (any app may send
    /// them, behaviour.md §3).
    pub client_secret: Option<String>,
    /// A registered redirect URI, byte for byte.
    pub redirect_uri: String,
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

impl App {
    /// A backend app with a secret.
    pub fn backend(client_id: &str, secret: &str, redirect_uri: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret: Some(secret.to_owned()),
            redirect_uri: redirect_uri.to_owned(),
        }
    }

    /// The guide's backend app (behaviour.md §10).
    pub fn guide() -> Self {
        Self::backend(GUIDE_CLIENT_ID, GUIDE_CLIENT_SECRET, GUIDE_REDIRECT_URI)
    }

    /// The guide's app as ilert's PKCE guide uses it: the same client id, no secret, and the
    /// sample web app's redirect URI.
    pub fn guide_without_secret() -> Self {
        Self {
            client_id: GUIDE_CLIENT_ID.to_owned(),
            client_secret: None,
            redirect_uri: WEBAPP_REDIRECT_URI.to_owned(),
        }
    }

    /// The fixtures' PKCE-only public app (scopes profile, source:w, policy, offline_access).
    pub fn public() -> Self {
        Self {
            client_id: "8c1a5c3fb9e04d7a2b61".to_owned(),
            client_secret: None,
            redirect_uri: WEBAPP_REDIRECT_URI.to_owned(),
        }
    }

    /// The fixtures' backend app that rotates refresh tokens and always requires its secret.
    pub fn rotating() -> Self {
        Self::backend(
            "f3b2a1c0d9e8f7a6b5c4",
            "c0ffee0ddba11defacedbeadfeedc0dec0ffee0ddba11defacedbeadfeed0001",
            GUIDE_REDIRECT_URI,
        )
    }

    /// The secret, or an empty string for a public app.
    pub fn secret(&self) -> &str {
        self.client_secret.as_deref().unwrap_or_default()
    }
}

/// The server under test.
#[derive(Clone)]
pub struct Target {
    /// Base URL of both hosts (behaviour.md §1: the mock serves app and api on one listener), without
    /// a trailing slash.
    pub base_url: String,
    /// The app whose flow is tested.
    pub app: App,
    /// The user that consents (headless on the mock) and whose tokens are checked.
    pub user: String,
    /// An access token for the cases that need one, against a server without `/_mock/`.
    pub access_token: Option<String>,
    /// A refresh token for the cases that need one, against a server without `/_mock/`.
    pub refresh_token: Option<String>,
    /// The mock's `--control-token`, when it demands one on `/_mock/`.
    pub control_token: Option<String>,
    /// For an HTTPS target: the one CA certificate (PEM) to trust instead of the public roots,
    /// e.g. the mock's development CA (`ilert-mock --tls --tls-ca-out FILE`).
    pub ca_pem: Option<String>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |t: &Option<String>| t.as_ref().map(|_| "[redacted]");
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("app", &self.app)
            .field("user", &self.user)
            .field("access_token", &redacted(&self.access_token))
            .field("refresh_token", &redacted(&self.refresh_token))
            .field("control_token", &redacted(&self.control_token))
            .field("ca_pem", &self.ca_pem.is_some())
            .finish()
    }
}

impl Target {
    /// The server at `base_url` with the default fixtures' guide app and user.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            app: App::guide(),
            user: DEFAULT_USER.to_owned(),
            access_token: None,
            refresh_token: None,
            control_token: None,
            ca_pem: None,
        }
    }
}
