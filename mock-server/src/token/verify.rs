//! Verifying ilert's tokens (behaviour.md §4, §5).
//!
//! Verification keeps the RSA public key parsed (aws-lc-rs `ParsedPublicKey`) for tokens whose
//! header bytes are exactly ilert's; any other header takes jsonwebtoken's general path. Both
//! paths answer alike (a unit test compares them on valid, forged and malformed tokens).
//!
//! Verification pins the algorithm per token type (RS256 for access, HS256 for refresh), so an
//! `alg: none` token or an HS256 token signed with the RSA public key never verifies
//! (RFC 8725 §3.1), and it requires the header to be exactly ilert's, so `kid`, `jku`, `jwk` and
//! friends are refused rather than followed. Expiry is checked against the mock's [`Clock`],
//! not the system time.
//!
//! [`Clock`]: crate::clock::Clock

use std::fmt;

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::Deserialize;

use super::claims::{
    ACCESS_TYPE, AccessClaims, HasIssuer, ISSUER, REFRESH_TYPE, RefreshClaims, TOKEN_VERSION,
};
use super::keys::Keys;
use crate::clock::UnixSeconds;

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a JWS compact token, bad base64 or JSON, or claims of the wrong shape.
    #[error("the token is malformed")]
    Malformed,
    /// The header is not exactly ilert's (wrong `alg`, extra fields such as `kid`).
    #[error("the token header is not accepted")]
    Header,
    /// The signature does not verify.
    #[error("the token signature is invalid")]
    Signature,
    /// `il_t` names the other token type, or `iss`/`il_v` are not ilert's.
    #[error("the token is of the wrong type")]
    WrongType,
    /// `exp` has passed.
    #[error("the token has expired")]
    Expired,
}

impl Keys {
    /// Verifies an access token: ilert's exact header, RS256 signature, `iss`, `il_t`, `il_v`, `exp`.
    pub fn verify_access(&self, token: &str, now: UnixSeconds) -> Result<AccessClaims, TokenError> {
        self.check_access(token, now, true)
    }

    /// The claims of an access token this server signed, whether or not it has expired: for
    /// saying whose a misplaced token was, never for granting anything.
    pub fn access_claims_signed(&self, token: &str) -> Option<AccessClaims> {
        self.check_access(token, UnixSeconds::MIN, true).ok()
    }

    /// Verifies a refresh token: ilert's exact header, HS256 signature, `iss`, `il_t`, `il_v`, `exp`.
    pub fn verify_refresh(&self, token: &str, now: UnixSeconds) -> Result<RefreshClaims, TokenError> {
        self.check_refresh(token, now, true)
    }

    /// [`Keys::verify_access`]; `fast` allows the hot path (tests compare both).
    fn check_access(&self, token: &str, now: UnixSeconds, fast: bool) -> Result<AccessClaims, TokenError> {
        let fast = fast.then(|| {
            fast_verify(token, &self.access_header, |message, signature| {
                self.access_public.verify_sig(message, signature).is_ok()
            })
        });
        let claims: AccessClaims = fast.flatten().unwrap_or_else(|| {
            verify(
                token,
                Algorithm::RS256,
                &self.access_verifying,
                &self.access_validation,
            )
        })?;
        if claims.il_t != ACCESS_TYPE || claims.il_v != TOKEN_VERSION {
            return Err(TokenError::WrongType);
        }
        check_exp(claims.exp, now)?;
        Ok(claims)
    }

    /// [`Keys::verify_refresh`]; `fast` allows the hot path (tests compare both).
    fn check_refresh(&self, token: &str, now: UnixSeconds, fast: bool) -> Result<RefreshClaims, TokenError> {
        let fast = fast.then(|| {
            fast_verify(token, &self.refresh_header, |message, signature| {
                hmac::verify(&self.refresh_signing, message, signature).is_ok()
            })
        });
        let claims: RefreshClaims = fast.flatten().unwrap_or_else(|| {
            verify(
                token,
                Algorithm::HS256,
                &self.refresh_verifying,
                &self.refresh_validation,
            )
        })?;
        if claims.il_t != REFRESH_TYPE || claims.il_v != TOKEN_VERSION {
            return Err(TokenError::WrongType);
        }
        if claims.il_k.len() != 32 || !claims.il_k.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(TokenError::Malformed);
        }
        check_exp(claims.exp, now)?;
        Ok(claims)
    }
}

/// The registered claims jsonwebtoken's validation reads (its private `ClaimsForValidation`),
/// parsed the same way: `exp` and `nbf` "reasonably coerced into a u64" (its `numeric_type`),
/// `sub`, `iss` and `aud` each tried and, on failure, ignored (its `TryParse`). Declaring the
/// same fields parsed by the same serde calls makes the same tokens fail to parse (a repeated
/// `sub`, or a `sub` that is an object). Only `exp` matters afterwards: required claims are
/// `exp` and `iss`, and `iss` is checked on the typed claims.
#[derive(Deserialize)]
struct ClaimsForValidation {
    #[serde(default, deserialize_with = "exp_parses")]
    exp: bool,
    #[serde(rename = "nbf", default, deserialize_with = "exp_parses")]
    _nbf: bool,
    #[serde(rename = "sub", default, deserialize_with = "try_string")]
    _sub: (),
    #[serde(rename = "iss", default, deserialize_with = "try_string_or_set")]
    _iss: (),
    #[serde(rename = "aud", default, deserialize_with = "try_string_or_set")]
    _aud: (),
}

/// jsonwebtoken's `Issuer` and `Audience`: one string or a set of strings (untagged). Only
/// whether it parses matters.
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum StringOrSet {
    Single(String),
    Multiple(Vec<String>),
}

/// jsonwebtoken's `TryParse<Cow<str>>`: `Option::<T>::deserialize`, errors swallowed.
fn try_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
    let _ = Option::<String>::deserialize(deserializer);
    Ok(())
}

/// jsonwebtoken's `TryParse<Issuer>` / `TryParse<Audience>`.
fn try_string_or_set<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
    let _ = Option::<StringOrSet>::deserialize(deserializer);
    Ok(())
}

fn exp_parses<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    struct Numeric;
    impl serde::de::Visitor<'_> for Numeric {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number that can be reasonably coerced into a u64")
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<(), E> {
            if value.is_finite() && value >= 0.0 && value < u64::MAX as f64 {
                Ok(())
            } else {
                Err(E::custom("not representable as a u64"))
            }
        }
    }
    Ok(deserializer.deserialize_any(Numeric).is_ok())
}

/// The hot path of [`verify`] for tokens whose header is byte for byte ilert's (every token the
/// mock mints): the key is parsed once instead of per call, and the header is compared, not
/// decoded. It answers exactly what `jsonwebtoken::decode` and [`verify`] would answer (the same
/// split, base64 engine, signature parameters and claim checks, in the same order; a unit test
/// compares the two on valid, forged and malformed tokens). Any other header returns `None`, and
/// the caller takes the general path.
fn fast_verify<T: serde::de::DeserializeOwned + HasIssuer>(
    token: &str,
    encoded_header: &str,
    signature_ok: impl FnOnce(&[u8], &[u8]) -> bool,
) -> Option<Result<T, TokenError>> {
    let (message, signature) = token.rsplit_once('.')?;
    let (header, payload) = message.rsplit_once('.')?;
    if header != encoded_header {
        return None;
    }
    let signature = match URL_SAFE_NO_PAD.decode(signature) {
        Ok(s) => s,
        Err(_) => return Some(Err(TokenError::Malformed)),
    };
    if !signature_ok(message.as_bytes(), &signature) {
        return Some(Err(TokenError::Signature));
    }
    Some((|| {
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Malformed)?;
        let claims: T = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        // jsonwebtoken's validation: `exp` and `iss` required (a missing or unparsable `exp` is
        // "malformed"), then `iss` must be ilert's.
        let registered: ClaimsForValidation =
            serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        if !registered.exp {
            return Err(TokenError::Malformed);
        }
        if claims.iss() != ISSUER {
            return Err(TokenError::WrongType);
        }
        Ok(claims)
    })())
}

/// RFC 7519 §4.1.4: the token must not be accepted on or after `exp`.
pub(crate) fn check_exp(exp: UnixSeconds, now: UnixSeconds) -> Result<(), TokenError> {
    if now >= exp {
        Err(TokenError::Expired)
    } else {
        Ok(())
    }
}

fn verify<T: serde::de::DeserializeOwned>(
    token: &str,
    alg: Algorithm,
    key: &DecodingKey,
    validation: &Validation,
) -> Result<T, TokenError> {
    use jsonwebtoken::errors::ErrorKind;
    // A token of another type would fail the signature check anyway; telling the two apart gives
    // a clearer error (e.g. a refresh token sent as a bearer token).
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    if header.alg != alg {
        let other_type = matches!(
            (alg, header.alg),
            (Algorithm::RS256, Algorithm::HS256) | (Algorithm::HS256, Algorithm::RS256)
        );
        return Err(if other_type && header == Header::new(header.alg) {
            TokenError::WrongType
        } else {
            TokenError::Header
        });
    }
    if header != Header::new(alg) {
        return Err(TokenError::Header);
    }
    jsonwebtoken::decode::<T>(token, key, validation)
        .map(|data| data.claims)
        .map_err(|err| match err.kind() {
            ErrorKind::InvalidSignature => TokenError::Signature,
            ErrorKind::InvalidAlgorithm => TokenError::Header,
            ErrorKind::InvalidIssuer => TokenError::WrongType,
            _ => TokenError::Malformed,
        })
}

/// Decodes a JWT's header and claims without verifying anything, for display and snapshots.
pub fn decode_unverified(token: &str) -> Option<(serde_json::Value, serde_json::Value)> {
    let mut parts = token.split('.');
    let header = parts.next()?;
    let claims = parts.next()?;
    let decode = |part: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
    };
    Some((decode(header)?, decode(claims)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::keys::append_signature;
    use crate::token::keys::tests::keys_and_pem;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::RSA_PKCS1_SHA256;

    /// A token with these exact header and payload bytes, signed with the fixture keys.
    fn raw(keys: &Keys, header: &str, payload: &str, rsa: bool) -> String {
        let mut message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = if rsa {
            let mut out = vec![0; keys.access_signing.public_modulus_len()];
            keys.access_signing
                .sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message.as_bytes(),
                    &mut out,
                )
                .expect("sign");
            out
        } else {
            hmac::sign(&keys.refresh_signing, message.as_bytes())
                .as_ref()
                .to_vec()
        };
        append_signature(&mut message, &signature);
        message
    }

    fn variants(keys: &Keys, valid_payload: &str, rsa: bool) -> Vec<String> {
        let header = if rsa {
            r#"{"typ":"JWT","alg":"RS256"}"#
        } else {
            r#"{"typ":"JWT","alg":"HS256"}"#
        };
        let mut tokens = Vec::new();
        let valid = raw(keys, header, valid_payload, rsa);
        let (message, signature) = valid.rsplit_once('.').expect("three parts");
        let mut flipped: Vec<char> = signature.chars().collect();
        flipped[5] = if flipped[5] == 'A' { 'B' } else { 'A' };
        let flipped: String = flipped.into_iter().collect();
        tokens.extend([
            valid.clone(),
            format!("{message}.{flipped}"),
            format!("{message}.***"),
            format!("{message}."),
            format!("{message}.{signature}="),
            message.to_owned(),
            format!("{valid}.x"),
            format!("x.{valid}"),
            format!(" {valid}"),
            String::new(),
            "a.b.c".to_owned(),
        ]);
        let payload_of = |from: &str, to: &str| valid_payload.replace(from, to);
        for payload in [
            payload_of(r#""iss":"ilert""#, r#""iss":"other""#),
            payload_of(r#""iss":"ilert","#, ""),
            payload_of(r#""iss":"ilert""#, r#""iss":["ilert"]"#),
            payload_of(r#""exp":2000"#, r#""exp":-5"#),
            payload_of(r#""exp":2000"#, r#""exp":-0"#),
            payload_of(r#""exp":2000"#, r#""exp":0"#),
            payload_of(r#""exp":2000"#, r#""exp":2000.0"#),
            payload_of(r#""exp":2000"#, r#""exp":"2000""#),
            payload_of(r#""exp":2000"#, r#""exp":18446744073709551615"#),
            payload_of(r#""exp":2000"#, r#""exp":null"#),
            payload_of(r#","exp":2000"#, ""),
            payload_of(r#""il_v":1"#, r#""il_v":2"#),
            payload_of(r#""il_t":"ACCESS""#, r#""il_t":"OAUTH""#),
            payload_of(r#""il_t":"OAUTH""#, r#""il_t":"ACCESS""#),
            payload_of("}", r#","sub":"x"}"#),
            payload_of("}", r#","sub":"x","sub":"y"}"#),
            payload_of("}", r#","sub":{"a":1}}"#),
            payload_of("}", r#","sub":[1,2]}"#),
            payload_of("}", r#","sub":5}"#),
            payload_of("}", r#","nbf":1,"nbf":2}"#),
            payload_of("}", r#","nbf":"soon"}"#),
            payload_of("}", r#","aud":{"a":1}}"#),
            payload_of("}", r#","aud":["a","b"],"aud":"c"}"#),
            payload_of("}", r#","iat":1,"iat":2}"#),
            payload_of("}", r#","exp":2000}"#),
            payload_of(
                r#""il_k":"34e33c7fde3f43e7a1109bfa832dd47b""#,
                r#""il_k":"short""#,
            ),
            "not json".to_owned(),
            "[]".to_owned(),
            String::new(),
        ] {
            tokens.push(raw(keys, header, &payload, rsa));
        }
        // Other headers: the general path, for both.
        for other in [
            r#"{"alg":"RS256","typ":"JWT"}"#,
            r#"{"typ":"JWT","alg":"RS256","kid":"k"}"#,
            r#"{"typ":"JWT","alg":"HS256"}"#,
            r#"{"typ":"JWT","alg":"RS256"}"#,
            r#"{"alg":"none"}"#,
            r#"{"typ":"JWT", "alg":"RS256"}"#,
        ] {
            tokens.push(raw(keys, other, valid_payload, rsa));
            tokens.push(raw(keys, other, valid_payload, !rsa));
        }
        tokens.push(format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(valid_payload)
        ));
        tokens
    }

    #[test]
    fn fast_verification_answers_like_jsonwebtoken() {
        let (keys, _) = keys_and_pem();
        let access = r#"{"il_n":"5cf","il_a":250,"il_s":"profile","iss":"ilert","il_u":"someUser","il_t":"ACCESS","il_v":1,"exp":2000}"#;
        let refresh =
            r#"{"iss":"ilert","il_t":"OAUTH","il_v":1,"exp":2000,"il_k":"34e33c7fde3f43e7a1109bfa832dd47b"}"#;
        let mut tokens = variants(&keys, access, true);
        // Minted tokens take the hot path.
        let minted = keys
            .mint_access(&AccessClaims::new("5cf", 250, "profile", "someUser", 0))
            .expect("mint");
        assert!(fast_verify::<AccessClaims>(&minted, &keys.access_header, |_, _| true).is_some());
        tokens.extend(variants(&keys, refresh, false));
        let mut answers = std::collections::BTreeSet::new();
        for token in &tokens {
            for now in [1_000, 2_000] {
                let fast = keys.check_access(token, now, true);
                assert_eq!(fast, keys.check_access(token, now, false), "access {token}");
                answers.insert(format!("{:?}", fast.map(|_| ())));
                let fast = keys.check_refresh(token, now, true);
                assert_eq!(fast, keys.check_refresh(token, now, false), "refresh {token}");
                answers.insert(format!("{:?}", fast.map(|_| ())));
            }
        }
        // The corpus reaches every answer.
        for expected in [
            "Ok(())",
            "Err(Malformed)",
            "Err(Header)",
            "Err(Signature)",
            "Err(WrongType)",
            "Err(Expired)",
        ] {
            assert!(answers.contains(expected), "{expected} not reached: {answers:?}");
        }
    }
}
