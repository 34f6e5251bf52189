//! The token endpoint (behaviour.md §3): turning a code into tokens, and refreshing them.
//!
//! ilert answers lifetimes (`expires_in`, `refresh_token_expires_in`) relative to the moment it
//! answered. They become absolute Unix times in a [`TokenSet`], counted from just *before* the
//! request was sent (by the client's [`Clock`](crate::Clock)), so the client's idea of expiry is
//! never later than ilert's, whatever the network delay.

use serde::Deserialize;

use crate::client::OAuthClient;
use crate::error::{Endpoint, Error, excerpt};
use crate::token_set::{Grant, TokenSet};
use crate::types::{AccessToken, AuthorizationCode, PkceCodeVerifier, RefreshToken};

/// ilert's access token lifetime, assumed when an answer has no `expires_in` (behaviour.md §7).
pub const DEFAULT_ACCESS_LIFETIME_SECS: u64 = 3600;

/// ilert's success body (behaviour.md §3). Unknown fields are ignored.
#[derive(Deserialize)]
struct TokenResponse {
    token_type: Option<String>,
    access_token: AccessToken,
    expires_in: Option<i64>,
    scope: Option<String>,
    refresh_token: Option<RefreshToken>,
    refresh_token_expires_in: Option<i64>,
}

impl TokenResponse {
    /// The answer with its lifetimes made absolute, counted from `requested_at`.
    fn into_token_set(self, requested_at: u64, grant: Grant) -> TokenSet {
        let expires_in = self
            .expires_in
            .map_or(DEFAULT_ACCESS_LIFETIME_SECS, |s| s.max(0).unsigned_abs());
        TokenSet {
            access_token: self.access_token,
            token_type: self.token_type.unwrap_or_else(|| "Bearer".to_owned()),
            expires_at: requested_at.saturating_add(expires_in),
            scope: self.scope.unwrap_or_default(),
            refresh_token: self.refresh_token,
            refresh_expires_at: self
                .refresh_token_expires_in
                .filter(|s| *s > 0)
                .map(|s| requested_at.saturating_add(s.unsigned_abs())),
            obtained_at: requested_at,
            obtained_by: grant,
        }
    }
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
        let mut fields = vec![("code", code.secret()), ("redirect_uri", config.redirect_uri())];
        if let Some(verifier) = pkce_verifier {
            fields.push(("code_verifier", verifier.secret()));
        }
        self.token_request(Grant::AuthorizationCode, &fields).await
    }

    /// Trades a refresh token for a new access token (`grant_type=refresh_token`).
    ///
    /// When ilert returns no refresh token (or the same one), the result keeps the one given,
    /// so it can be stored as is. This is the bare endpoint call: [`crate::ApiClient`] adds when
    /// to call it ([`crate::refresh`]) and one refresh at a time.
    pub async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenSet, Error> {
        let mut tokens = self
            .token_request(Grant::RefreshToken, &[("refresh_token", refresh_token.secret())])
            .await?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.clone());
        }
        Ok(tokens)
    }

    /// POSTs `grant_type`, the client's id (and secret, when it has one) and `fields` to the
    /// token endpoint, and reads ilert's answer.
    async fn token_request(&self, grant: Grant, fields: &[(&str, &str)]) -> Result<TokenSet, Error> {
        let config = self.config();
        let mut form = vec![
            ("grant_type", grant.grant_type()),
            ("client_id", config.client_id().as_str()),
        ];
        if let Some(secret) = config.client_secret() {
            form.push(("client_secret", secret.secret()));
        }
        form.extend_from_slice(fields);
        let requested_at = self.now();
        let (status, body) = self
            .post_form(Endpoint::Token, config.token_endpoint(), &form)
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
        Ok(response.into_token_set(requested_at, grant))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::error::TokenErrorCode;
    use crate::test_support::{T0, TestClock, recording_stub, stub};
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
        OAuthClient::new(b.build().expect("config"))
            .expect("client")
            .with_clock(TestClock::new())
    }

    /// A token endpoint that records each request and answers `access_token` for `profile`,
    /// with no refresh token.
    async fn token_stub_without_refresh(access_token: &str) -> (String, crate::test_support::Recorded) {
        let answer =
            json!({"token_type":"Bearer","access_token":access_token,"expires_in":3600,"scope":"profile"});
        recording_stub("/api/developers/oauth2/token", Json(answer)).await
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
        let (base, recorded) = recording_stub("/api/developers/oauth2/token", Json(guide_tokens())).await;
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
        // Lifetimes count from the moment the request was sent, by the client's clock.
        assert_eq!(tokens.obtained_at, T0);
        assert_eq!(tokens.expires_at, T0 + 3600);
        assert_eq!(tokens.refresh_expires_at, Some(T0 + 31_536_000));
        assert!(tokens.has_scope("source:w") && !tokens.has_scope("source"));
        assert_eq!(tokens.obtained_by, Grant::AuthorizationCode);
        assert_eq!(recorded.len(), 1);
        let form = recorded.form(0);
        for (name, value) in [
            ("grant_type", "authorization_code"),
            ("client_id", "0501439fd7dee9af0c25"),
            ("client_secret", "s3cr3t"),
            ("code", "c82ec4eca4c0ac90061fdd4225d1"),
            ("redirect_uri", "http://localhost:4597/authorize-result"),
        ] {
            assert_eq!(form.get(name).map(String::as_str), Some(value), "{name}");
        }
        assert_eq!(form.get("code_verifier").map(String::len), Some(43));
        let printed = format!("{tokens:?}");
        assert!(
            !printed.contains("access-1") && !printed.contains("refresh-1"),
            "{printed}"
        );
    }

    #[tokio::test]
    async fn a_public_app_sends_no_secret_and_may_get_no_refresh_token() {
        let (base, recorded) = token_stub_without_refresh("a").await;
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
        let (base, recorded) = token_stub_without_refresh("a2").await;
        let tokens = client(&base, Some("s"))
            .refresh(&RefreshToken::new("r1"))
            .await
            .expect("tokens");
        assert_eq!(tokens.refresh_token, Some(RefreshToken::new("r1")));
        assert_eq!(tokens.refreshed_at(), Some(T0));
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
}
