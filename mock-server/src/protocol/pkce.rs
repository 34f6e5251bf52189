//! PKCE (RFC 7636): challenge methods, the verifier's syntax and the S256 check.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::OAuthError;

/// A code challenge accepted at authorize. Only `S256` is supported (behaviour.md §9, RFC 9700 §2.1.1).
#[derive(Clone, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl std::fmt::Debug for CodeChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CodeChallenge").field(&self.0).finish()
    }
}

impl CodeChallenge {
    /// Validates `code_challenge` and `code_challenge_method` from an authorize request.
    ///
    /// - RFC 7636 §4.3: a missing method means `plain`, which the mock refuses like any method
    ///   other than `S256` (`invalid_request`).
    /// - RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)), 43 characters.
    pub fn from_request(challenge: Option<&str>, method: Option<&str>) -> Result<Option<Self>, OAuthError> {
        match (challenge, method) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(OAuthError::invalid_request(
                "code_challenge_method was sent without code_challenge",
            )),
            (Some(_), None | Some("plain")) => Err(OAuthError::invalid_request(
                "code_challenge_method must be S256; plain is not supported",
            )),
            (Some(_), Some(m)) if m != "S256" => Err(OAuthError::invalid_request(format!(
                "unsupported code_challenge_method '{m}'; use S256"
            ))),
            (Some(c), Some(_)) => {
                let decoded = URL_SAFE_NO_PAD.decode(c).ok();
                if c.len() != 43 || decoded.is_none_or(|d| d.len() != 32) {
                    return Err(OAuthError::invalid_request(
                        "code_challenge must be the unpadded base64url SHA-256 of the verifier (43 characters)",
                    ));
                }
                Ok(Some(Self(c.to_owned())))
            }
        }
    }

    /// Restores a challenge stored earlier (already validated).
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    /// The challenge as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge.
    pub fn verify(&self, verifier: &str) -> bool {
        challenge_for(verifier).as_bytes().ct_eq(self.0.as_bytes()).into()
    }
}

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
pub fn validate_verifier(verifier: &str) -> Result<(), OAuthError> {
    let ok_len = (43..=128).contains(&verifier.len());
    let ok_chars = verifier
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(OAuthError::invalid_request(
            "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)",
        ))
    }
}

/// The S256 challenge of a verifier.
pub fn challenge_for(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(challenge_for(VERIFIER), CHALLENGE);
        let challenge = CodeChallenge::from_request(Some(CHALLENGE), Some("S256"))
            .expect("valid")
            .expect("present");
        assert!(challenge.verify(VERIFIER));
        assert!(!challenge.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"));
    }

    #[test]
    fn only_s256_is_accepted() {
        assert_eq!(CodeChallenge::from_request(None, None), Ok(None));
        for (c, m) in [
            (Some(CHALLENGE), None),
            (Some(CHALLENGE), Some("plain")),
            (Some(CHALLENGE), Some("s256")),
            (Some(CHALLENGE), Some("S512")),
            (None, Some("S256")),
            (Some("short"), Some("S256")),
            (Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="), Some("S256")),
        ] {
            assert!(CodeChallenge::from_request(c, m).is_err(), "{c:?} {m:?}");
        }
    }

    #[test]
    fn verifier_syntax() {
        assert!(validate_verifier(VERIFIER).is_ok());
        assert!(validate_verifier(&"a".repeat(128)).is_ok());
        assert!(validate_verifier(&"a".repeat(42)).is_err());
        assert!(validate_verifier(&"a".repeat(129)).is_err());
        assert!(validate_verifier(&format!("{}+", "a".repeat(43))).is_err());
    }
}
