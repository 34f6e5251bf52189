//! The token endpoint (SPEC §3): turning a code into tokens, and refreshing them.
//!
//! ilert answers lifetimes (`expires_in`, `refresh_token_expires_in`) relative to the moment it
//! answered. [`TokenSet`] turns them into absolute Unix times counted from just *before* the
//! request was sent, so the client's idea of expiry is never later than ilert's, whatever the
//! network delay.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::client::OAuthClient;
use crate::error::{Endpoint, Error, excerpt};
use crate::types::{AccessToken, AuthorizationCode, PkceCodeVerifier, RefreshToken};

/// ilert's access token lifetime, assumed when an answer has no `expires_in` (SPEC §7).
pub const DEFAULT_ACCESS_LIFETIME_SECS: u64 = 3600;

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// How a token set was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// Exchanging an authorization code.
    AuthorizationCode,
    /// Refreshing (SPEC §7 asks for at most one refresh per token per 5 minutes).
    RefreshToken,
}

/// The tokens of one grant, with absolute expiry times. Serialises for a [`crate::TokenStore`];
/// `Debug` prints the tokens as `[redacted]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    /// The access token.
    pub access_token: AccessToken,
    /// The token type, `Bearer`.
    pub token_type: String,
    /// When the access token expires, in Unix seconds.
    pub expires_at: u64,
    /// The granted scopes, space separated, as ilert sent them.
    pub scope: String,
    /// The refresh token; absent when the code was redeemed without the secret and `offline_access` was not asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshToken>,
    /// When the refresh token expires, in Unix seconds; `None` when unknown or never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<u64>,
    /// When this set was requested, in Unix seconds.
    pub obtained_at: u64,
    /// How this set was obtained.
    pub obtained_by: Grant,
}

impl TokenSet {
    /// Whether the access token has expired at `now` (Unix seconds).
    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.expires_at
    }

    /// Whether the access token expires within `margin` of `now` (or has expired).
    pub fn expires_within(&self, now: u64, margin: Duration) -> bool {
        now.saturating_add(margin.as_secs()) >= self.expires_at
    }

    /// The access token's expiry as a time.
    pub fn expires_at_time(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.expires_at)
    }

    /// When this set came from a refresh, the time of that refresh (Unix seconds).
    pub fn refreshed_at(&self) -> Option<u64> {
        (self.obtained_by == Grant::RefreshToken).then_some(self.obtained_at)
    }

    /// The granted scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }

    /// Whether `scope` was granted exactly (`source:w` does not match `source`).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// After a refresh that did not return a refresh token, or returned the same one, keeps
    /// the previous refresh token and its expiry.
    pub fn carry_over_from(&mut self, previous: &TokenSet) {
        if self.refresh_token.is_none() {
            self.refresh_token = previous.refresh_token.clone();
        }
        if self.refresh_expires_at.is_none() && self.refresh_token == previous.refresh_token {
            self.refresh_expires_at = previous.refresh_expires_at;
        }
    }

    fn from_response(response: TokenResponse, requested_at: u64, grant: Grant) -> Self {
        let expires_in = response
            .expires_in
            .map_or(DEFAULT_ACCESS_LIFETIME_SECS, |s| s.max(0).unsigned_abs());
        Self {
            access_token: response.access_token,
            token_type: response.token_type.unwrap_or_else(|| "Bearer".to_owned()),
            expires_at: requested_at.saturating_add(expires_in),
            scope: response.scope.unwrap_or_default(),
            refresh_token: response.refresh_token,
            refresh_expires_at: response
                .refresh_token_expires_in
                .filter(|s| *s > 0)
                .map(|s| requested_at.saturating_add(s.unsigned_abs())),
            obtained_at: requested_at,
            obtained_by: grant,
        }
    }
}

/// ilert's success body (SPEC §3). Unknown fields are ignored.
#[derive(Deserialize)]
struct TokenResponse {
    token_type: Option<String>,
    access_token: AccessToken,
    expires_in: Option<i64>,
    scope: Option<String>,
    refresh_token: Option<RefreshToken>,
    refresh_token_expires_in: Option<i64>,
}

impl OAuthClient {
    /// Trades the code from the redirect for tokens (`grant_type=authorization_code`), with the
    /// client secret when the app has one and the PKCE verifier when the authorize request
    /// carried a challenge. The redirect URI is sent too (RFC 6749 §4.1.3).
    pub async fn exchange_code(
        &self,
        code: &AuthorizationCode,
        pkce_verifier: Option<&PkceCodeVerifier>,
    ) -> Result<TokenSet, Error> {
        let config = self.config();
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", config.client_id().as_str()),
        ];
        if let Some(secret) = config.client_secret() {
            form.push(("client_secret", secret.secret()));
        }
        form.push(("code", code.secret()));
        form.push(("redirect_uri", config.redirect_uri()));
        if let Some(verifier) = pkce_verifier {
            form.push(("code_verifier", verifier.secret()));
        }
        self.token_request(&form, Grant::AuthorizationCode).await
    }

    /// Trades a refresh token for a new access token (`grant_type=refresh_token`).
    ///
    /// When ilert returns no refresh token (or the same one), the result keeps the one given,
    /// so it can be stored as is. This is the bare endpoint call; [`crate::ApiClient`] adds the
    /// single-flight and once-per-5-minutes rules.
    pub async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenSet, Error> {
        let config = self.config();
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", config.client_id().as_str()),
        ];
        if let Some(secret) = config.client_secret() {
            form.push(("client_secret", secret.secret()));
        }
        form.push(("refresh_token", refresh_token.secret()));
        let mut tokens = self.token_request(&form, Grant::RefreshToken).await?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.clone());
        }
        Ok(tokens)
    }

    async fn token_request(&self, form: &[(&str, &str)], grant: Grant) -> Result<TokenSet, Error> {
        let requested_at = unix_now();
        let (status, body) = self
            .post_form(Endpoint::Token, self.config().token_endpoint(), form)
            .await?;
        let response: TokenResponse =
            serde_json::from_slice(&body).map_err(|e| Error::UnexpectedResponse {
                endpoint: Endpoint::Token,
                status,
                detail: format!("{e}; body starts {}", excerpt(&body)),
            })?;
        if let Some(kind) = &response.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(Error::UnexpectedResponse {
                endpoint: Endpoint::Token,
                status,
                detail: format!("token_type is '{kind}', not Bearer"),
            });
        }
        tracing::debug!(?grant, "ilert issued tokens");
        Ok(TokenSet::from_response(response, requested_at, grant))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::error::TokenErrorCode;
    use crate::test_support::{Recorded, stub};
    use axum::Json;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use serde_json::json;

    fn client(base: &str, secret: Option<&str>) -> OAuthClient {
        let mut b = Config::builder("0501439fd7dee9af0c25", "http://localhost:4597/authorize-result")
            .scopes("profile source:w")
            .app_url(base)
            .api_url(base);
        if let Some(s) = secret {
            b = b.client_secret(s);
        }
        OAuthClient::new(b.build().expect("config")).expect("client")
    }

    fn guide_tokens() -> serde_json::Value {
        json!({
            "token_type": "Bearer",
            "access_token": "access-1",
            "expires_in": 3600,
            "scope": "profile source:w",
            "refresh_token": "refresh-1",
            "refresh_token_expires_in": 31536000
        })
    }

    #[tokio::test]
    async fn exchanges_a_code_with_secret_and_verifier() {
        let recorded = Recorded::default();
        let r = recorded.clone();
        let base = stub(axum::Router::new().route(
            "/api/developers/oauth2/token",
            axum::routing::post(move |body: String| {
                r.push(body);
                async { Json(guide_tokens()) }
            }),
        ))
        .await;
        let before = unix_now();
        let tokens = client(&base, Some("s3cr3t"))
            .exchange_code(
                &AuthorizationCode::new("c82ec4eca4c0ac90061fdd4225d1"),
                Some(&PkceCodeVerifier::new("v".repeat(43))),
            )
            .await
            .expect("tokens");
        assert_eq!(tokens.access_token.secret(), "access-1");
        assert_eq!(
            tokens.refresh_token.as_ref().map(RefreshToken::secret),
            Some("refresh-1")
        );
        assert!(tokens.expires_at >= before + 3600 && tokens.expires_at <= unix_now() + 3600);
        assert_eq!(tokens.refresh_expires_at, Some(tokens.obtained_at + 31_536_000));
        assert!(tokens.has_scope("source:w") && !tokens.has_scope("source"));
        assert_eq!(tokens.obtained_by, Grant::AuthorizationCode);
        assert_eq!(recorded.len(), 1);
        let form = recorded.form(0);
        assert_eq!(
            form.get("grant_type").map(String::as_str),
            Some("authorization_code")
        );
        assert_eq!(
            form.get("client_id").map(String::as_str),
            Some("0501439fd7dee9af0c25")
        );
        assert_eq!(form.get("client_secret").map(String::as_str), Some("s3cr3t"));
        assert_eq!(
            form.get("code").map(String::as_str),
            Some("c82ec4eca4c0ac90061fdd4225d1")
        );
        assert_eq!(
            form.get("redirect_uri").map(String::as_str),
            Some("http://localhost:4597/authorize-result")
        );
        assert_eq!(form.get("code_verifier").map(String::len), Some(43));
        let printed = format!("{tokens:?}");
        assert!(
            !printed.contains("access-1") && !printed.contains("refresh-1"),
            "{printed}"
        );
    }

    #[tokio::test]
    async fn a_public_app_sends_no_secret_and_may_get_no_refresh_token() {
        let recorded = Recorded::default();
        let r = recorded.clone();
        let base = stub(axum::Router::new().route(
            "/api/developers/oauth2/token",
            axum::routing::post(move |body: String| {
                r.push(body);
                async {
                    Json(
                        json!({"token_type":"Bearer","access_token":"a","expires_in":3600,"scope":"profile"}),
                    )
                }
            }),
        ))
        .await;
        let tokens = client(&base, None)
            .exchange_code(
                &AuthorizationCode::new("c"),
                Some(&PkceCodeVerifier::new_random()),
            )
            .await
            .expect("tokens");
        assert!(tokens.refresh_token.is_none());
        assert!(!recorded.form(0).contains_key("client_secret"));
    }

    #[tokio::test]
    async fn keeps_ilerts_error_code_and_description() {
        let base = stub(axum::Router::new().route(
            "/api/developers/oauth2/token",
            axum::routing::post(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    Json(json!({"code":"invalid_grant","error":"Provided code is unknown"})),
                )
                    .into_response()
            }),
        ))
        .await;
        let err = client(&base, Some("s"))
            .exchange_code(&AuthorizationCode::new("nope"), None)
            .await
            .expect_err("refused");
        let Error::Token(e) = &err else { panic!("{err:?}") };
        assert_eq!(e.status, 401);
        assert_eq!(e.code, TokenErrorCode::InvalidGrant);
        assert_eq!(e.description.as_deref(), Some("Provided code is unknown"));
    }

    #[tokio::test]
    async fn refresh_keeps_the_refresh_token_when_none_is_returned() {
        let recorded = Recorded::default();
        let r = recorded.clone();
        let base = stub(axum::Router::new().route(
            "/api/developers/oauth2/token",
            axum::routing::post(move |body: String| {
                r.push(body);
                async {
                    Json(json!({"token_type":"Bearer","access_token":"a2","expires_in":3600,"scope":"profile"}))
                }
            }),
        ))
        .await;
        let tokens = client(&base, Some("s"))
            .refresh(&RefreshToken::new("r1"))
            .await
            .expect("tokens");
        assert_eq!(tokens.refresh_token, Some(RefreshToken::new("r1")));
        assert_eq!(tokens.refreshed_at(), Some(tokens.obtained_at));
        let form = recorded.form(0);
        assert_eq!(form.get("grant_type").map(String::as_str), Some("refresh_token"));
        assert_eq!(form.get("refresh_token").map(String::as_str), Some("r1"));
        assert_eq!(form.get("client_secret").map(String::as_str), Some("s"));
    }

    #[tokio::test]
    async fn a_garbled_success_is_an_unexpected_response() {
        let base = stub(axum::Router::new().route(
            "/api/developers/oauth2/token",
            axum::routing::post(|| async { "<html>hello</html>" }),
        ))
        .await;
        let err = client(&base, Some("s"))
            .refresh(&RefreshToken::new("r1"))
            .await
            .expect_err("garbled");
        assert!(
            matches!(err, Error::UnexpectedResponse { status: 200, .. }),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn an_unreachable_server_is_a_transport_error() {
        // Bind and drop, so the port is (almost certainly) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a port")
            .port();
        let err = client(&format!("http://127.0.0.1:{port}"), Some("s"))
            .refresh(&RefreshToken::new("r1"))
            .await
            .expect_err("unreachable");
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert!(err.is_transient());
        assert!(
            err.to_string()
                .starts_with("could not reach ilert at http://127.0.0.1:"),
            "{err}"
        );
    }

    #[test]
    fn carries_the_refresh_token_over() {
        let old = TokenSet {
            access_token: AccessToken::new("a1"),
            token_type: "Bearer".into(),
            expires_at: 10,
            scope: "profile".into(),
            refresh_token: Some(RefreshToken::new("r1")),
            refresh_expires_at: Some(99),
            obtained_at: 0,
            obtained_by: Grant::AuthorizationCode,
        };
        let mut new = TokenSet {
            access_token: AccessToken::new("a2"),
            refresh_token: None,
            refresh_expires_at: None,
            obtained_by: Grant::RefreshToken,
            ..old.clone()
        };
        new.carry_over_from(&old);
        assert_eq!(new.refresh_token, old.refresh_token);
        assert_eq!(new.refresh_expires_at, Some(99));
        // A rotated token keeps its own (unknown) expiry.
        let mut rotated = TokenSet {
            refresh_token: Some(RefreshToken::new("r2")),
            ..new.clone()
        };
        rotated.refresh_expires_at = None;
        rotated.carry_over_from(&old);
        assert_eq!(rotated.refresh_expires_at, None);
    }
}
