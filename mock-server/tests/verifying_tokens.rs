//! `mock-server/docs/verifying-tokens.md`, Rust half: an access token carries no `kid` (as
//! ilert's), so a verifier takes the JWKS's only key.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn an_access_token_verifies_with_the_jwks_only_key() {
    let server = auto_server().await;
    let access = s(&tokens(&server, "profile").await, "access_token");
    assert_eq!(
        decode_header(&access).expect("header").kid,
        None,
        "no kid, as ilert's"
    );

    let jwks: JwkSet = http()
        .get(format!("{}/.well-known/jwks.json", server.base_url()))
        .send()
        .await
        .expect("jwks answers")
        .json()
        .await
        .expect("a JWK set");
    let [only] = jwks.keys.as_slice() else {
        panic!("one key expected: {jwks:?}")
    };
    let key = DecodingKey::from_jwk(only).expect("an RSA key");
    let mut validation = Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&["ilert"]);
    validation.set_required_spec_claims(&["exp", "iss"]);
    let claims = decode::<Value>(&access, &key, &validation)
        .expect("verifies")
        .claims;
    assert_eq!(claims["il_u"], "someUser");
    assert_eq!(claims["il_t"], "ACCESS");

    // A changed signature does not verify.
    let (signed, signature) = access.rsplit_once('.').expect("three parts");
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{signed}.{flipped}{}", &signature[1..]);
    assert!(decode::<Value>(&forged, &key, &validation).is_err());
}
