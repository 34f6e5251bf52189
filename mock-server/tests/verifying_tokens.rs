//! `mock-server/docs/verifying-tokens.md`, Rust half: an access token carries no `kid` (as
//! ilert's), so a verifier takes the JWKS's only key.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn an_access_token_verifies_with_the_jwks_only_key() {
    let server = auto_server().await;
    let access = s(&tokens(&server, "profile").await, "access_token");
    assert_verifies_with_the_jwks(&server, &access).await;
}

/// A runtime with one worker signs on that worker, any other hands the signature to the
/// blocking pool (`http::token_endpoint`): the code and the refresh grant's tokens verify with
/// the published key and equal claims give the same bytes, wherever they were signed.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn tokens_signed_on_a_single_worker_verify_with_the_jwks() {
    grants_verify_with_the_jwks().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_signed_on_the_blocking_pool_verify_with_the_jwks() {
    grants_verify_with_the_jwks().await;
}

async fn grants_verify_with_the_jwks() {
    let server = frozen_server().await;
    let first = tokens(&server, "profile").await;
    let access = s(&first, "access_token");
    assert_verifies_with_the_jwks(&server, &access).await;
    let (status, _, refreshed) = refresh(&server, &s(&first, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let again = s(&refreshed, "access_token");
    assert_verifies_with_the_jwks(&server, &again).await;
    // The clock is frozen: the same grant's claims, so the deterministic RS256 signature too.
    assert_eq!(again, access);
    assert_eq!(current_user(&server, &again).await, StatusCode::OK);
}

async fn assert_verifies_with_the_jwks(server: &ilert_mock::MockServer, access: &str) {
    let access = access.to_owned();
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
