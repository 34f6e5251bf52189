//! Minting and verifying ilert's two JWTs (SPEC §4).
//!
//! - Access token: RS256 (RSA-2048), header exactly `{"typ":"JWT","alg":"RS256"}`, claims
//!   `il_n, il_a, il_s, iss, il_u, il_t, il_v, exp` in that order.
//! - Refresh token: HS256, header `{"typ":"JWT","alg":"HS256"}`, claims `iss, il_t, il_v, exp, il_k`.
//!
//! Serde serialises struct fields in declaration order, so the claim order is ilert's. No
//! `iat`, `sub`, `aud`, `jti` or `kid` is added. Keys are parsed once, at start.
//!
//! Signing does not go through `jsonwebtoken::encode`: that function parses the RSA private key
//! again on every call (about 60 % of an RS256 signature's cost). [`Keys`] keeps a parsed
//! aws-lc-rs [`RsaKeyPair`] and a ready HMAC key instead, and builds the very bytes
//! `jsonwebtoken::encode` would: base64url (no padding) of the serde_json header, `.`, of the
//! serde_json claims, `.`, of the signature. RSASSA-PKCS1-v1_5 and HMAC are deterministic, so the
//! tokens are byte-identical (a unit test below compares the two). Verification likewise keeps
//! the RSA public key parsed (aws-lc-rs `ParsedPublicKey`) for tokens whose header bytes are
//! exactly ilert's; any other header takes jsonwebtoken's general path. Both paths answer alike
//! (a unit test compares them on valid, forged and malformed tokens).
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
use serde::{Deserialize, Serialize};

use crate::clock::UnixSeconds;

/// `iss` of every ilert token.
pub const ISSUER: &str = "ilert";
/// `il_t` of an access token.
pub const ACCESS_TYPE: &str = "ACCESS";
/// `il_t` of a refresh token.
pub const REFRESH_TYPE: &str = "OAUTH";
/// `il_v`, the token format version.
pub const TOKEN_VERSION: u32 = 1;
/// Access token lifetime (SPEC §7): one hour.
pub const ACCESS_TOKEN_LIFETIME: i64 = 3_600;
/// Refresh token lifetime (SPEC §7): one year.
pub const REFRESH_TOKEN_LIFETIME: i64 = 31_536_000;

/// Claims of an access token, in ilert's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Unknown claims are ignored rather than refused: only a token signed with the mock's own key
// gets this far, and [`crate::Breakage::ExtraJwtClaim`] must break the claim set, not the API.
pub struct AccessClaims {
    /// Tenant short id.
    pub il_n: String,
    /// App id.
    pub il_a: i64,
    /// Granted scope string.
    pub il_s: String,
    /// Always `ilert`.
    pub iss: String,
    /// Username.
    pub il_u: String,
    /// Always `ACCESS`.
    pub il_t: String,
    /// Always 1.
    pub il_v: u32,
    /// Expiry, Unix seconds.
    pub exp: UnixSeconds,
}

impl AccessClaims {
    /// Claims for a new access token issued at `now`.
    pub fn new(tenant_short_id: &str, app_id: i64, scope: &str, username: &str, now: UnixSeconds) -> Self {
        Self {
            il_n: tenant_short_id.to_owned(),
            il_a: app_id,
            il_s: scope.to_owned(),
            iss: ISSUER.to_owned(),
            il_u: username.to_owned(),
            il_t: ACCESS_TYPE.to_owned(),
            il_v: TOKEN_VERSION,
            exp: now.saturating_add(ACCESS_TOKEN_LIFETIME),
        }
    }
}

/// Claims of a refresh token, in ilert's order.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshClaims {
    /// Always `ilert`.
    pub iss: String,
    /// Always `OAUTH`.
    pub il_t: String,
    /// Always 1.
    pub il_v: u32,
    /// Expiry, Unix seconds.
    pub exp: UnixSeconds,
    /// 128-bit key (32 lowercase hex) naming the refresh grant server-side.
    pub il_k: String,
}

impl fmt::Debug for RefreshClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshClaims")
            .field("exp", &self.exp)
            .field("il_k", &"[redacted]")
            .finish()
    }
}

impl RefreshClaims {
    /// Claims for the refresh grant `key` expiring at `exp`.
    pub fn new(key: &str, exp: UnixSeconds) -> Self {
        Self {
            iss: ISSUER.to_owned(),
            il_t: REFRESH_TYPE.to_owned(),
            il_v: TOKEN_VERSION,
            exp,
            il_k: key.to_owned(),
        }
    }
}

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

/// The parsed signing and verification keys.
pub struct Keys {
    /// The RSA private key, parsed once (what `jsonwebtoken::encode` would parse per call).
    access_signing: RsaKeyPair,
    /// base64url of `{"typ":"JWT","alg":"RS256"}` as jsonwebtoken serialises it.
    access_header: String,
    /// The RSA public key, parsed once, for the hot path of [`Keys::verify_access`].
    access_public: ParsedPublicKey,
    access_verifying: DecodingKey,
    refresh_signing: hmac::Key,
    /// base64url of `{"typ":"JWT","alg":"HS256"}` as jsonwebtoken serialises it.
    refresh_header: String,
    refresh_verifying: DecodingKey,
    jwk: PublicJwk,
    access_validation: Validation,
    refresh_validation: Validation,
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

    /// Signs a refresh token (HS256). Deterministic: the same claims give the same token.
    pub fn mint_refresh(&self, claims: &RefreshClaims) -> Result<String, jsonwebtoken::errors::Error> {
        let mut message = signing_input(&self.refresh_header, claims)?;
        let tag = hmac::sign(&self.refresh_signing, message.as_bytes());
        append_signature(&mut message, tag.as_ref());
        Ok(message)
    }

    /// Verifies an access token: ilert's exact header, RS256 signature, `iss`, `il_t`, `il_v`, `exp`.
    pub fn verify_access(&self, token: &str, now: UnixSeconds) -> Result<AccessClaims, TokenError> {
        self.check_access(token, now, true)
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

/// Claims that carry `iss`.
trait Issued {
    fn iss(&self) -> &str;
}

impl Issued for AccessClaims {
    fn iss(&self) -> &str {
        &self.iss
    }
}

impl Issued for RefreshClaims {
    fn iss(&self) -> &str {
        &self.iss
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
fn fast_verify<T: serde::de::DeserializeOwned + Issued>(
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
fn append_signature(message: &mut String, signature: &[u8]) {
    message.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, message);
}

/// RFC 7519 §4.1.4: the token must not be accepted on or after `exp`.
fn check_exp(exp: UnixSeconds, now: UnixSeconds) -> Result<(), TokenError> {
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
    use crate::fixtures::Fixtures;

    fn keys_and_pem() -> (Keys, Fixtures) {
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
