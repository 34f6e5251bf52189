//! Minting and verifying ilert's two JWTs (SPEC §4).
//!
//! - Access token: RS256 (RSA-2048), header exactly `{"typ":"JWT","alg":"RS256"}`, claims
//!   `il_n, il_a, il_s, iss, il_u, il_t, il_v, exp` in that order.
//! - Refresh token: HS256, header `{"typ":"JWT","alg":"HS256"}`, claims `iss, il_t, il_v, exp, il_k`.
//!
//! Serde serialises struct fields in declaration order, so the claim order is ilert's. No
//! `iat`, `sub`, `aud`, `jti` or `kid` is added. Keys are parsed once, at start.
//!
//! Verification pins the algorithm per token type (RS256 for access, HS256 for refresh), so an
//! `alg: none` token or an HS256 token signed with the RSA public key never verifies
//! (RFC 8725 §3.1), and it requires the header to be exactly ilert's, so `kid`, `jku`, `jwk` and
//! friends are refused rather than followed. Expiry is checked against the mock's [`Clock`],
//! not the system time.
//!
//! [`Clock`]: crate::clock::Clock

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
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
#[serde(deny_unknown_fields)]
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
    access_signing: EncodingKey,
    access_verifying: DecodingKey,
    refresh_signing: EncodingKey,
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
        Ok(Self {
            access_signing: EncodingKey::from_rsa_pem(private_key_pem.as_bytes())?,
            access_verifying: DecodingKey::from_rsa_components(&n, &e)?,
            refresh_signing: EncodingKey::from_secret(&secret),
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

    /// Signs an access token (RS256). CPU-bound: call it off the async reactor under load.
    pub fn mint_access(&self, claims: &AccessClaims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &self.access_signing)
    }

    /// Signs a refresh token (HS256). Deterministic: the same claims give the same token.
    pub fn mint_refresh(&self, claims: &RefreshClaims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.refresh_signing)
    }

    /// Verifies an access token: ilert's exact header, RS256 signature, `iss`, `il_t`, `il_v`, `exp`.
    pub fn verify_access(&self, token: &str, now: UnixSeconds) -> Result<AccessClaims, TokenError> {
        let claims: AccessClaims = verify(
            token,
            Algorithm::RS256,
            &self.access_verifying,
            &self.access_validation,
        )?;
        if claims.il_t != ACCESS_TYPE || claims.il_v != TOKEN_VERSION {
            return Err(TokenError::WrongType);
        }
        check_exp(claims.exp, now)?;
        Ok(claims)
    }

    /// Verifies a refresh token: ilert's exact header, HS256 signature, `iss`, `il_t`, `il_v`, `exp`.
    pub fn verify_refresh(&self, token: &str, now: UnixSeconds) -> Result<RefreshClaims, TokenError> {
        let claims: RefreshClaims = verify(
            token,
            Algorithm::HS256,
            &self.refresh_verifying,
            &self.refresh_validation,
        )?;
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
