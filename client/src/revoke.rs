//! The revoke endpoint (behaviour.md §5): ending a grant from the app's side.
//!
//! ilert revokes refresh tokens; access tokens already issued stay valid until they expire. The
//! answer is `200` with an empty body for known and unknown tokens alike (RFC 7009 §2.2), so a
//! success says nothing about whether the token existed.

use crate::client::OAuthClient;
use crate::error::{Endpoint, Error};
use crate::types::RefreshToken;

impl OAuthClient {
    /// Revokes a refresh token (`POST revoke`, form `token=…`).
    pub async fn revoke(&self, token: &RefreshToken) -> Result<(), Error> {
        self.post_form(
            Endpoint::Revoke,
            self.config().revoke_endpoint(),
            &[("token", token.secret())],
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::test_support::recording_stub;

    #[tokio::test]
    async fn posts_the_refresh_token_and_accepts_an_empty_answer() {
        let (base, recorded) = recording_stub("/api/developers/oauth2/revoke", ()).await;
        let config = Config::builder("id", "http://localhost:4597/authorize-result")
            .api_url(&base)
            .build()
            .expect("config");
        OAuthClient::new(config)
            .expect("client")
            .revoke(&RefreshToken::new("r1"))
            .await
            .expect("revoked");
        assert_eq!(recorded.form(0).get("token").map(String::as_str), Some("r1"));
    }
}
