//! [`TokenSet`]: the tokens of one grant, as the client keeps and stores them.
//!
//! Expiry times are absolute Unix seconds, so a stored set means the same after a restart and
//! every question about it ("expired?", "refreshed when?") is a pure function of the time
//! asked about. The token endpoint ([`OAuthClient::exchange_code`](crate::OAuthClient::exchange_code),
//! [`OAuthClient::refresh`](crate::OAuthClient::refresh)) makes them; the stores keep them; the
//! refresh policy reads them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::types::{AccessToken, RefreshToken};

/// How a token set was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// Exchanging an authorization code.
    AuthorizationCode,
    /// Refreshing (behaviour.md §7 asks for at most one refresh per token per 5 minutes).
    RefreshToken,
}

impl Grant {
    /// The `grant_type` that obtains a set this way (RFC 6749 §4.1.3, §6).
    pub fn grant_type(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
        }
    }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grant_type_is_the_stored_name() {
        for grant in [Grant::AuthorizationCode, Grant::RefreshToken] {
            let stored = serde_json::to_value(grant).expect("serialises");
            assert_eq!(stored, grant.grant_type());
        }
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
