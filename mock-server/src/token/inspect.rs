//! Reading any JWT for a person: its header and claims decoded, and what the mock's own keys say
//! about it (the dashboard's token box, `POST /_mock/tokens/decode`, and the tokens an exchange
//! in the journal carried).
//!
//! The verdict is the one the mock's endpoints reach ([`Keys::verify_access`] for an RS256 token,
//! [`Keys::verify_refresh`] for an HS256 one), so "verified" on the page means exactly "the API
//! or the token endpoint would take it now". The signature is judged apart from the expiry, so an
//! expired token the mock signed reads "signed by the mock, expired", not "invalid".

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::keys::Keys;
use super::verify::{TokenError, decode_unverified};
use crate::clock::UnixSeconds;

/// Which of ilert's two tokens a JWT claims to be, by its `alg` (behaviour.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// RS256: an access token.
    AccessToken,
    /// HS256: a refresh token.
    RefreshToken,
    /// Any other algorithm: no token of ilert's.
    Other,
}

/// What a JWT says and what the mock's keys say about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// Access, refresh or other, by the header's `alg`.
    pub kind: TokenKind,
    /// The decoded header (shared: the journal keeps one decoding per token and hands it to
    /// every request that carries the token).
    pub header: Arc<Value>,
    /// The decoded claims (shared, as the header).
    pub claims: Arc<Value>,
    /// Whether the mock's keys verify the signature (and ilert's exact header, issuer and type),
    /// whatever the expiry.
    pub signed_by_mock: bool,
    /// Whether the mock would take the token now: signed by it and not expired.
    pub valid: bool,
    /// Why not, in the words of [`TokenError`] (`the token has expired`, …), when not valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// `exp`, when the claims carry a number there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<UnixSeconds>,
    /// Seconds from the mock clock's now to `exp` (negative once expired).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
}

/// Why a text could not be read as a JWT at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    /// Not three dot-separated parts whose first two are base64url JSON objects.
    #[error("not a JWT: expected three dot-separated parts, the first two base64url-encoded JSON")]
    NotAJwt,
}

/// Whether `text` looks like a JWS compact token (three parts, a JSON header), cheaply: for
/// telling tokens apart from other secrets before decoding them.
pub fn looks_like_jwt(text: &str) -> bool {
    text.starts_with("eyJ")
        && text.bytes().filter(|b| *b == b'.').count() == 2
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl Keys {
    /// Decodes `token` and judges it with the mock's keys at `now`.
    pub fn inspect(&self, token: &str, now: UnixSeconds) -> Result<Inspection, InspectError> {
        let token = token.trim();
        let (header, claims) = decode_unverified(token).ok_or(InspectError::NotAJwt)?;
        if !header.is_object() || !claims.is_object() {
            return Err(InspectError::NotAJwt);
        }
        let kind = match header["alg"].as_str() {
            Some("RS256") => TokenKind::AccessToken,
            Some("HS256") => TokenKind::RefreshToken,
            _ => TokenKind::Other,
        };
        // The signature, header, issuer and type are judged at the dawn of time; what is left
        // of a verification at `now` is the expiry, which [`Inspection::at`] applies.
        let signed = match kind {
            TokenKind::AccessToken => self.verify_access(token, UnixSeconds::MIN).map(|_| ()),
            TokenKind::RefreshToken => self.verify_refresh(token, UnixSeconds::MIN).map(|_| ()),
            TokenKind::Other => Err(TokenError::Header),
        };
        let exp = claims["exp"].as_i64();
        let inspection = Inspection {
            kind,
            header: Arc::new(header),
            claims: Arc::new(claims),
            signed_by_mock: signed.is_ok(),
            valid: signed.is_ok(),
            problem: signed.err().map(|e| e.to_string()),
            exp,
            expires_in: None,
        };
        Ok(inspection.at(now))
    }
}

impl Inspection {
    /// The same token judged at `now`: a token the mock signed is valid until `exp`
    /// (RFC 7519 §4.1.4, the check [`Keys::verify_access`] makes last).
    #[must_use]
    pub fn at(mut self, now: UnixSeconds) -> Self {
        if self.signed_by_mock {
            let expired = self.exp.is_none_or(|exp| now >= exp);
            self.valid = !expired;
            self.problem = expired.then(|| TokenError::Expired.to_string());
        }
        self.expires_in = self.exp.map(|exp| exp.saturating_sub(now));
        self
    }

    /// The claims with the grant key of a refresh token (`il_k`) redacted: with the public
    /// development secret, the key is all it takes to make the token again.
    #[must_use]
    pub fn without_grant_key(mut self) -> Self {
        if self.claims.get("il_k").is_some()
            && let Some(key) = Arc::make_mut(&mut self.claims).get_mut("il_k")
        {
            *key = Value::String(crate::journal::REDACTED.to_owned());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use crate::token::{AccessClaims, RefreshClaims};

    fn keys() -> Keys {
        let fixtures = Fixtures::embedded().expect("embedded fixtures");
        let k = &fixtures.keys;
        Keys::new(&k.access_private_key_pem, &k.refresh_secret, &k.key_id).expect("fixture keys")
    }

    #[test]
    fn an_access_token_is_decoded_and_judged_by_the_clock() {
        let keys = keys();
        let claims = AccessClaims::new("someTenant", 250, "profile", "someUser", 1_000);
        let token = keys.mint_access(&claims).expect("minted");
        let fresh = keys.inspect(&token, 1_000).expect("a JWT");
        assert_eq!(fresh.kind, TokenKind::AccessToken);
        assert_eq!(*fresh.header, serde_json::json!({"typ": "JWT", "alg": "RS256"}));
        assert_eq!(fresh.claims["il_u"], "someUser");
        assert!(fresh.signed_by_mock && fresh.valid, "{fresh:?}");
        assert_eq!(fresh.expires_in, Some(3_600));
        assert_eq!(fresh.problem, None);

        let later = keys.inspect(&token, 4_600).expect("a JWT");
        assert!(later.signed_by_mock && !later.valid, "{later:?}");
        assert_eq!(later.problem.as_deref(), Some("the token has expired"));
        assert_eq!(later.expires_in, Some(0));
    }

    #[test]
    fn a_forged_or_foreign_token_is_decoded_but_not_verified() {
        let keys = keys();
        let claims = AccessClaims::new("someTenant", 250, "profile", "someUser", 1_000);
        let token = keys.mint_access(&claims).expect("minted");
        // Same header and signature, claims changed: the signature no longer covers them.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_claims = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            serde_json::to_vec(&AccessClaims::new("someTenant", 250, "profile", "admin", 1_000))
                .expect("json"),
        );
        parts[1] = &forged_claims;
        let forged = parts.join(".");
        let seen = keys.inspect(&forged, 1_000).expect("a JWT");
        assert_eq!(seen.claims["il_u"], "admin");
        assert!(!seen.signed_by_mock && !seen.valid);
        assert_eq!(seen.problem.as_deref(), Some("the token signature is invalid"));

        // alg none, any claims: decoded, never verified.
        let none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
        let seen = keys.inspect(none, 1_000).expect("a JWT");
        assert_eq!(seen.kind, TokenKind::Other);
        assert_eq!(seen.claims["sub"], "x");
        assert!(!seen.signed_by_mock);
        assert_eq!(seen.exp, None);
    }

    #[test]
    fn a_refresh_token_is_judged_by_the_refresh_key() {
        let keys = keys();
        let token = keys
            .mint_refresh(&RefreshClaims::new("0123456789abcdef0123456789abcdef", 5_000))
            .expect("minted");
        let seen = keys.inspect(&token, 1_000).expect("a JWT");
        assert_eq!(seen.kind, TokenKind::RefreshToken);
        assert!(seen.signed_by_mock && seen.valid);
        assert_eq!(seen.expires_in, Some(4_000));
    }

    #[test]
    fn the_grant_key_can_be_hidden() {
        let keys = keys();
        let token = keys
            .mint_refresh(&RefreshClaims::new("0123456789abcdef0123456789abcdef", 5_000))
            .expect("minted");
        let seen = keys.inspect(&token, 1_000).expect("a JWT").without_grant_key();
        assert_eq!(seen.claims["il_k"], "[redacted]");
        assert!(seen.signed_by_mock, "judged before the key was hidden");
    }

    #[test]
    fn what_is_not_a_jwt_says_so() {
        let keys = keys();
        for text in ["", "abc", "a.b.c", "eyJ.eyJ.x", "bm90IGpzb24.bm90IGpzb24.x"] {
            assert_eq!(keys.inspect(text, 0), Err(InspectError::NotAJwt), "{text}");
        }
        assert!(looks_like_jwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."));
        assert!(!looks_like_jwt("il1api0123456789"));
        assert!(!looks_like_jwt("eyJ.a.b.c"));
    }
}
