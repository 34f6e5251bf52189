//! The parsed keys, and signing (behaviour.md §4).
//!
//! Signing does not go through `jsonwebtoken::encode`: that function parses the RSA private key
//! again on every call (about 60 % of an RS256 signature's cost). [`Keys`] keeps a parsed
//! aws-lc-rs [`RsaKeyPair`] and a ready HMAC key instead, and builds the very bytes
//! `jsonwebtoken::encode` would: base64url (no padding) of the serde_json header, `.`, of the
//! serde_json claims, `.`, of the signature. RSASSA-PKCS1-v1_5 and HMAC are deterministic, so the
//! tokens are byte-identical (a unit test below compares the two).

use std::fmt;

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::RsaPrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde::Serialize;

use super::claims::{ACCESS_TOKEN_LIFETIME, AccessClaims, ISSUER, Issuance, RefreshClaims};

/// Why the keys from fixtures could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The PEM is neither PKCS#8 nor PKCS#1 RSA.
    #[error("access_private_key_pem is not an RSA private key in PEM (PKCS#8 or PKCS#1)")]
    Pem,
    /// ilert signs with RSA-2048.
    #[error("access_private_key_pem must be an RSA-2048 key, found {0} bits")]
    KeySize(usize),
    /// The HS256 secret is not hex or too short.
    #[error("refresh_secret must be at least 32 bytes of hex")]
    RefreshSecret,
    /// jsonwebtoken refused the key.
    #[error("the signing key was refused: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

/// The RSA public key as a JWK (RFC 7517), for `/.well-known/jwks.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicJwk {
    /// `RSA`.
    pub kty: &'static str,
    /// `sig`.
    #[serde(rename = "use")]
    pub use_: &'static str,
    /// `RS256`.
    pub alg: &'static str,
    /// Key id.
    pub kid: String,
    /// Modulus, base64url.
    pub n: String,
    /// Exponent, base64url.
    pub e: String,
}

/// A signed token response: the two JWTs and what the answer says about them.
#[derive(Clone)]
pub struct SignedTokens {
    /// The RS256 access token.
    pub access_token: String,
    /// The granted scope string (the access token's `il_s`).
    pub scope: String,
    /// The HS256 refresh token, when one was issued.
    pub refresh_token: Option<String>,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: Option<i64>,
}

impl fmt::Debug for SignedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedTokens")
            .field("access_token", &"[redacted]")
            .field("scope", &self.scope)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("refresh_expires_in", &self.refresh_expires_in)
            .finish()
    }
}

/// The parsed signing and verification keys.
pub struct Keys {
    /// The RSA private key, parsed once (what `jsonwebtoken::encode` would parse per call).
    pub(super) access_signing: RsaKeyPair,
    /// base64url of `{"typ":"JWT","alg":"RS256"}` as jsonwebtoken serialises it.
    pub(super) access_header: String,
    /// The RSA public key, parsed once, for the hot path of [`Keys::verify_access`].
    pub(super) access_public: ParsedPublicKey,
    pub(super) access_verifying: DecodingKey,
    pub(super) refresh_signing: hmac::Key,
    /// base64url of `{"typ":"JWT","alg":"HS256"}` as jsonwebtoken serialises it.
    pub(super) refresh_header: String,
    pub(super) refresh_verifying: DecodingKey,
    pub(super) jwk: PublicJwk,
    pub(super) access_validation: Validation,
    pub(super) refresh_validation: Validation,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("kid", &self.jwk.kid)
            .field("private_key", &"[redacted]")
            .field("refresh_secret", &"[redacted]")
            .finish()
    }
}

fn validation(alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    // Expiry is checked against the mock's clock, not the system's.
    v.validate_exp = false;
    v.leeway = 0;
    v.validate_aud = false;
    v.set_required_spec_claims(&["exp", "iss"]);
    v.set_issuer(&[ISSUER]);
    v
}

impl Keys {
    /// Parses the RSA private key (PEM) and the hex HS256 secret.
    pub fn new(private_key_pem: &str, refresh_secret_hex: &str, kid: &str) -> Result<Self, KeyError> {
        let rsa = RsaPrivateKey::from_pkcs8_pem(private_key_pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(private_key_pem))
            .map_err(|_| KeyError::Pem)?;
        let bits = rsa.size() * 8;
        if bits != 2048 {
            return Err(KeyError::KeySize(bits));
        }
        let n = URL_SAFE_NO_PAD.encode(rsa.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(rsa.e().to_bytes_be());
        let secret = hex::decode(refresh_secret_hex).map_err(|_| KeyError::RefreshSecret)?;
        if secret.len() < 32 {
            return Err(KeyError::RefreshSecret);
        }
        // The same DER jsonwebtoken would hand to aws-lc-rs on every encode(), parsed once here.
        let der = EncodingKey::from_rsa_pem(private_key_pem.as_bytes())?;
        let access_signing = RsaKeyPair::from_der(der.as_bytes())
            .map_err(|e| jsonwebtoken::errors::Error::from(JwtErrorKind::InvalidRsaKey(e.to_string())))?;
        Ok(Self {
            access_signing,
            access_header: encoded_header(Algorithm::RS256)?,
            access_public: RsaPublicKeyComponents {
                n: rsa.n().to_bytes_be(),
                e: rsa.e().to_bytes_be(),
            }
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .map_err(|e| jsonwebtoken::errors::Error::from(JwtErrorKind::InvalidRsaKey(e.to_string())))?,
            access_verifying: DecodingKey::from_rsa_components(&n, &e)?,
            refresh_signing: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            refresh_header: encoded_header(Algorithm::HS256)?,
            refresh_verifying: DecodingKey::from_secret(&secret),
            jwk: PublicJwk {
                kty: "RSA",
                use_: "sig",
                alg: "RS256",
                kid: kid.to_owned(),
                n,
                e,
            },
            access_validation: validation(Algorithm::RS256),
            refresh_validation: validation(Algorithm::HS256),
        })
    }

    /// The public key that verifies access tokens.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.jwk
    }

    /// Signs an access token (RS256). CPU-bound (one RSA-2048 private-key operation, about
    /// 0.2 ms): call it off the async reactor under load. Deterministic: the same claims give the
    /// same token, byte for byte what `jsonwebtoken::encode` gives.
    pub fn mint_access(&self, claims: &AccessClaims) -> Result<String, jsonwebtoken::errors::Error> {
        self.mint_access_claims(claims)
    }

    /// Signs any claim set as an access token. Only [`crate::Breakage::ExtraJwtClaim`] uses it
    /// with claims other than [`AccessClaims`], to prove a contract suite notices extra claims.
    pub fn mint_access_claims<T: Serialize>(
        &self,
        claims: &T,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let mut message = signing_input(&self.access_header, claims)?;
        let mut signature = vec![0; self.access_signing.public_modulus_len()];
        // RSASSA-PKCS1-v1_5 uses no randomness; aws-lc-rs asks for a generator all the same.
        self.access_signing
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message.as_bytes(),
                &mut signature,
            )
            .map_err(|_| jsonwebtoken::errors::Error::from(JwtErrorKind::RsaFailedSigning))?;
        append_signature(&mut message, &signature);
        Ok(message)
    }

    /// Signs what a token request issued: the access token (RS256, CPU-bound: call it off the
    /// async reactor) and the refresh token, if any. `extra_iat` adds an `iat` claim ilert's
    /// tokens do not have ([`crate::Breakage::ExtraJwtClaim`]'s policy).
    pub fn sign(
        &self,
        issued: &Issuance,
        extra_iat: bool,
    ) -> Result<SignedTokens, jsonwebtoken::errors::Error> {
        let access_token = if extra_iat {
            let mut claims = serde_json::to_value(&issued.access)?;
            claims["iat"] = serde_json::json!(issued.access.exp - ACCESS_TOKEN_LIFETIME);
            self.mint_access_claims(&claims)?
        } else {
            self.mint_access(&issued.access)?
        };
        let refresh_token = issued
            .refresh
            .as_ref()
            .map(|claims| self.mint_refresh(claims))
            .transpose()?;
        Ok(SignedTokens {
            access_token,
            scope: issued.access.il_s.clone(),
            refresh_token,
            refresh_expires_in: issued.refresh_expires_in,
        })
    }

    /// Signs a refresh token (HS256). Deterministic: the same claims give the same token.
    pub fn mint_refresh(&self, claims: &RefreshClaims) -> Result<String, jsonwebtoken::errors::Error> {
        let mut message = signing_input(&self.refresh_header, claims)?;
        let tag = hmac::sign(&self.refresh_signing, message.as_bytes());
        append_signature(&mut message, tag.as_ref());
        Ok(message)
    }
}

/// base64url (no padding) of the header JSON exactly as `jsonwebtoken::encode` writes it.
fn encoded_header(alg: Algorithm) -> Result<String, jsonwebtoken::errors::Error> {
    Ok(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&Header::new(alg))?))
}

/// `header.claims`, the JWS signing input (RFC 7515 §5.1), with room left for the signature.
fn signing_input<T: Serialize>(
    encoded_header: &str,
    claims: &T,
) -> Result<String, jsonwebtoken::errors::Error> {
    let json = serde_json::to_vec(claims)?;
    // header, '.', claims, '.', and up to 342 characters of an RSA-2048 signature.
    let mut out = String::with_capacity(encoded_header.len() + json.len().div_ceil(3) * 4 + 346);
    out.push_str(encoded_header);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(json, &mut out);
    Ok(out)
}

/// Appends `.` and the base64url signature.
pub(super) fn append_signature(message: &mut String, signature: &[u8]) {
    message.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, message);
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use crate::token::{REFRESH_TOKEN_LIFETIME, decode_unverified};

    /// The fixture keys, and the fixtures they come from (for their PEM and secret).
    pub(in crate::token) fn keys_and_pem() -> (Keys, Fixtures) {
        let fixtures = Fixtures::embedded().expect("embedded fixtures");
        let k = &fixtures.keys;
        let keys = Keys::new(&k.access_private_key_pem, &k.refresh_secret, &k.key_id).expect("fixture keys");
        (keys, fixtures)
    }

    #[test]
    fn fast_signer_matches_jsonwebtoken_byte_for_byte() {
        let (keys, fixtures) = keys_and_pem();
        let pem = EncodingKey::from_rsa_pem(fixtures.keys.access_private_key_pem.as_bytes()).expect("pem");
        let secret = hex::decode(&fixtures.keys.refresh_secret).expect("hex");
        let hs = EncodingKey::from_secret(&secret);
        for (i, scope) in ["profile", "profile source:w", "", "ümlaut \"quoted\" policy:d"]
            .iter()
            .enumerate()
        {
            let now = 1_800_000_000 + i64::try_from(i).expect("small") * 7;
            let access = AccessClaims::new("5cf", 250, scope, "someUser", now);
            let expected =
                jsonwebtoken::encode(&Header::new(Algorithm::RS256), &access, &pem).expect("encode");
            assert_eq!(keys.mint_access(&access).expect("mint"), expected);
            let refresh =
                RefreshClaims::new("34e33c7fde3f43e7a1109bfa832dd47b", now + REFRESH_TOKEN_LIFETIME);
            let expected =
                jsonwebtoken::encode(&Header::new(Algorithm::HS256), &refresh, &hs).expect("encode");
            assert_eq!(keys.mint_refresh(&refresh).expect("mint"), expected);
        }
    }

    #[test]
    fn minted_tokens_verify_and_keep_ilerts_header() {
        let (keys, _) = keys_and_pem();
        let access = AccessClaims::new("5cf", 250, "profile", "someUser", 1_000);
        let token = keys.mint_access(&access).expect("mint");
        assert_eq!(keys.verify_access(&token, 1_000), Ok(access));
        let (header, _) = decode_unverified(&token).expect("decodes");
        assert_eq!(header.to_string(), r#"{"typ":"JWT","alg":"RS256"}"#);
        let refresh = RefreshClaims::new("34e33c7fde3f43e7a1109bfa832dd47b", 2_000);
        let token = keys.mint_refresh(&refresh).expect("mint");
        assert_eq!(keys.verify_refresh(&token, 1_000), Ok(refresh));
        let (header, _) = decode_unverified(&token).expect("decodes");
        assert_eq!(header.to_string(), r#"{"typ":"JWT","alg":"HS256"}"#);
    }
}
