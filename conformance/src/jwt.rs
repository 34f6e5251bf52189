//! Reading, verifying and forging JWTs (behaviour.md §4, RFC 7515, RFC 8725).
//!
//! Decoding keeps the JSON members in the order they were written (serde_json's
//! `preserve_order`), because ilert's claim order is part of what the suite checks.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::BigUint;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{Map, Value};

/// A compact JWS split into its decoded parts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decoded {
    /// The header as sent, decoded from base64url (the exact bytes, for byte-exact checks).
    pub header_text: String,
    /// The header.
    pub header: Value,
    /// The claims.
    pub claims: Value,
}

/// Decodes a compact JWS without verifying it; `None` when it is not one.
pub(crate) fn decode(token: &str) -> Option<Decoded> {
    let mut parts = token.split('.');
    let (head, body, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header_bytes = URL_SAFE_NO_PAD.decode(head).ok()?;
    let header: Value = serde_json::from_slice(&header_bytes).ok()?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
    (header.is_object() && claims.is_object()).then(|| Decoded {
        header_text: String::from_utf8_lossy(&header_bytes).into_owned(),
        header,
        claims,
    })
}

/// The claim names in order.
pub(crate) fn claim_names(claims: &Value) -> Vec<String> {
    claims
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn b64_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// An unsigned token: header `{"typ":"JWT","alg":"none"}` and an empty signature (RFC 8725 §3.1).
pub(crate) fn forge_none(claims: &Value) -> String {
    let header = serde_json::json!({"typ": "JWT", "alg": "none"});
    format!("{}.{}.", b64_json(&header), b64_json(claims))
}

/// `token` with its claims replaced and its original header and signature kept.
pub(crate) fn tamper(token: &str, claims: &Value) -> String {
    let mut parts = token.split('.');
    let head = parts.next().unwrap_or_default();
    let _ = parts.next();
    let sig = parts.next().unwrap_or_default();
    format!("{head}.{}.{sig}", b64_json(claims))
}

/// `token` with its header replaced and its claims and signature kept.
pub(crate) fn with_header(token: &str, header: &Value) -> String {
    let mut parts = token.split('.');
    let _ = parts.next();
    let body = parts.next().unwrap_or_default();
    let sig = parts.next().unwrap_or_default();
    format!("{}.{body}.{sig}", b64_json(header))
}

/// An RSA public key from a JWKS document.
#[derive(Debug, Clone)]
pub(crate) struct RsaJwk {
    /// The key as the JWKS carries it.
    pub jwk: Map<String, Value>,
    n: Vec<u8>,
    e: Vec<u8>,
}

/// Why a JWKS key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum JwkError {
    /// The document has no `keys` array with an RSA key.
    #[error("the JWKS has no RSA key in `keys`")]
    NoRsaKey,
    /// `n` or `e` is not base64url.
    #[error("the JWKS key's `{0}` is not base64url")]
    Component(&'static str),
    /// The key cannot be turned into PEM.
    #[error("the JWKS key is not a usable RSA public key: {0}")]
    Key(String),
}

impl RsaJwk {
    /// The first RSA key of a JWKS document.
    pub(crate) fn from_jwks(jwks: &Value) -> Result<Self, JwkError> {
        let jwk = jwks["keys"]
            .as_array()
            .and_then(|keys| keys.iter().find(|k| k["kty"] == "RSA"))
            .and_then(Value::as_object)
            .ok_or(JwkError::NoRsaKey)?
            .clone();
        let part = |name: &'static str| {
            jwk.get(name)
                .and_then(Value::as_str)
                .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
                .ok_or(JwkError::Component(name))
        };
        let (n, e) = (part("n")?, part("e")?);
        Ok(Self { jwk, n, e })
    }

    /// Verifies an RS256 token's signature (expiry is not checked: the mock's clock may be
    /// anywhere). Returns the reason when it does not verify.
    pub(crate) fn verify_rs256(&self, token: &str) -> Result<(), String> {
        let key = DecodingKey::from_rsa_raw_components(&self.n, &self.e);
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// The key as SPKI PEM, the bytes the classic HS256 key-confusion attack signs with.
    pub(crate) fn public_pem(&self) -> Result<String, JwkError> {
        let key = rsa::RsaPublicKey::new(BigUint::from_bytes_be(&self.n), BigUint::from_bytes_be(&self.e))
            .map_err(|e| JwkError::Key(e.to_string()))?;
        key.to_public_key_pem(LineEnding::LF)
            .map_err(|e| JwkError::Key(e.to_string()))
    }
}

/// An HS256 token over `claims` signed with `secret` (header `{"typ":"JWT","alg":"HS256"}`).
pub(crate) fn sign_hs256(claims: &Value, secret: &[u8]) -> Result<String, String> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_the_guides_example_in_order() {
        let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJpbF9uIjoiNWNmIiwiaWxfYSI6MiwiaWxfcyI6InByb2ZpbGUgc291cmNlOnciLCJpc3MiOiJpbGVydCIsImlsX3UiOiJrcnlzdGlhbml0eSIsImlsX3QiOiJBQ0NFU1MiLCJpbF92IjoxLCJleHAiOjE2NDM3MjY3MjN9.sig";
        let d = decode(token).expect("a JWT");
        assert_eq!(d.header_text, r#"{"typ":"JWT","alg":"RS256"}"#);
        assert_eq!(
            claim_names(&d.claims),
            ["il_n", "il_a", "il_s", "iss", "il_u", "il_t", "il_v", "exp"]
        );
        assert!(decode("a.b").is_none());
        assert!(decode("not-a-jwt").is_none());
    }

    #[test]
    fn forged_tokens_round_trip() {
        let claims = json!({"iss": "ilert", "exp": 1});
        let none = forge_none(&claims);
        assert!(none.ends_with('.'));
        assert_eq!(decode(&none).expect("decodes").header["alg"], "none");
        let t = tamper("h.c.s", &json!({"a": 1}));
        assert!(t.starts_with("h.") && t.ends_with(".s"));
    }
}
