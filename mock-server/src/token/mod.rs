//! Minting and verifying ilert's two JWTs (behaviour.md §4): [`claims`] says what they carry, [`keys`]
//! signs them, [`verify`] checks them.
//!
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

mod cache;
mod claims;
mod inspect;
mod keys;
mod verify;

pub use cache::{Principal, Verified, VerifiedCache};
pub use claims::{ACCESS_TOKEN_LIFETIME, AccessClaims, Issuance, REFRESH_TOKEN_LIFETIME, RefreshClaims};
pub use inspect::{InspectError, Inspection, TokenKind, looks_like_jwt};
pub use keys::{KeyError, Keys, PublicJwk, SignedTokens};
pub use verify::{TokenError, decode_unverified};
