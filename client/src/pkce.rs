//! PKCE (RFC 7636): a random verifier kept by the client and its `S256` challenge sent with
//! the authorize request.
//!
//! ilert makes PKCE optional when the token request carries the client secret and suggests it
//! in addition; a request without the secret (any app may send one, behaviour.md §3) must use it. Only
//! `S256` is offered:
//! `plain` gives no protection when the authorize request leaks, and the mock refuses it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use crate::types::{PkceCodeChallenge, PkceCodeVerifier, random_base64url};

/// The only challenge method this client sends.
pub const S256: &str = "S256";

/// Whether an authorize request uses PKCE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pkce {
    /// Send an `S256` challenge and keep the verifier for the code exchange (the default, and
    /// required when the client has no secret).
    #[default]
    S256,
    /// No PKCE: only for a client that authenticates with its client secret.
    Disabled,
}

impl PkceCodeVerifier {
    /// A fresh verifier: 32 random bytes as base64url, 43 characters (RFC 7636 §4.1 asks for
    /// 256 bits of entropy).
    pub fn new_random() -> Self {
        Self::new(random_base64url(32))
    }

    /// The `S256` challenge of this verifier: `BASE64URL(SHA256(verifier))` (RFC 7636 §4.2).
    pub fn challenge_s256(&self) -> PkceCodeChallenge {
        PkceCodeChallenge::new(URL_SAFE_NO_PAD.encode(Sha256::digest(self.secret().as_bytes())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_7636_appendix_b_vector() {
        let verifier = PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            verifier.challenge_s256().as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_verifiers_are_valid_and_distinct() {
        let v = PkceCodeVerifier::new_random();
        // RFC 7636 §4.1: 43..=128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
        assert_eq!(v.secret().len(), 43);
        assert!(
            v.secret()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        );
        assert_ne!(v, PkceCodeVerifier::new_random());
        assert_eq!(v.challenge_s256().as_str().len(), 43);
    }
}
