//! Newtypes for the protocol strings, after oauth2-rs's `types.rs`.
//!
//! A bare `String` says nothing about what it holds, and prints itself in every `{:?}`. Each
//! protocol value here has its own type, so a refresh token cannot be passed where an access
//! token belongs. Secrets (the client secret, codes, tokens, the PKCE verifier) have a `Debug`
//! that prints `Name([redacted])` and no `Display`: reading the value takes an explicit
//! `.secret()` call, which is easy to find in review.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};

/// Declares a public newtype over `String` whose value may be printed.
macro_rules! plain_type {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// Declares a public newtype over `String` that never prints its value.
macro_rules! secret_type {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        ///
        /// `Debug` prints
        #[doc = concat!("`", stringify!($name), "([redacted])`")]
        /// and there is no `Display`; [`Self::secret`] reads the value.
        #[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value itself. Never log it.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

plain_type!(
    /// The public identifier ilert assigned to the app (20 lowercase hex in ilert's examples).
    ClientId
);
plain_type!(
    /// One scope, e.g. `profile`, `source:w` or `offline_access` (behaviour.md §6). Scopes are sent
    /// space separated, so a scope never contains whitespace.
    Scope
);
plain_type!(
    /// The `state` parameter: sent with the authorize request, echoed verbatim on the redirect
    /// back, and checked there so a forged or stale callback is refused (RFC 6749 §10.12). ilert
    /// also suggests it for carrying the app's own data; it is not a secret.
    CsrfToken
);
plain_type!(
    /// The PKCE `code_challenge`: base64url (no padding) of SHA-256 of the verifier (RFC 7636
    /// §4.2, method `S256`). Public by design.
    PkceCodeChallenge
);

secret_type!(
    /// The app's client secret (64 lowercase hex in ilert's examples). Only backend apps have one.
    ClientSecret
);
secret_type!(
    /// The authorization code from the redirect back: single use, valid two minutes (behaviour.md §7).
    AuthorizationCode
);
secret_type!(
    /// An access token: the `Bearer` credential for `/api/...`, valid one hour (behaviour.md §4).
    AccessToken
);
secret_type!(
    /// A refresh token: trades for new access tokens, valid one year (behaviour.md §4). Treat it like a
    /// password.
    RefreshToken
);
secret_type!(
    /// The PKCE `code_verifier` (RFC 7636 §4.1): 43 to 128 characters from
    /// `[A-Za-z0-9-._~]`, kept by the client between the authorize redirect and the code exchange.
    PkceCodeVerifier
);

/// `n` random bytes as base64url without padding.
pub(crate) fn random_base64url(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl CsrfToken {
    /// A fresh random state: 128 bits, base64url (22 characters).
    pub fn new_random() -> Self {
        Self(random_base64url(16))
    }
}

impl Scope {
    /// Splits a space-separated scope string (`"profile source:w"`) into scopes.
    pub fn parse_list(scopes: &str) -> Vec<Scope> {
        scopes.split_whitespace().map(Scope::new).collect()
    }

    /// Joins scopes with single spaces, as the `scope` parameter carries them.
    pub fn join(scopes: &[Scope]) -> String {
        scopes.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_in_debug() {
        let cases = [
            (
                format!("{:?}", ClientSecret::new("s3cr3t")),
                "ClientSecret([redacted])",
            ),
            (
                format!("{:?}", AuthorizationCode::new("s3cr3t")),
                "AuthorizationCode([redacted])",
            ),
            (
                format!("{:?}", AccessToken::new("s3cr3t")),
                "AccessToken([redacted])",
            ),
            (
                format!("{:?}", RefreshToken::new("s3cr3t")),
                "RefreshToken([redacted])",
            ),
            (
                format!("{:?}", PkceCodeVerifier::new("s3cr3t")),
                "PkceCodeVerifier([redacted])",
            ),
            (
                format!("{:#?}", Some(AccessToken::new("s3cr3t"))),
                "Some(\n    AccessToken([redacted]),\n)",
            ),
        ];
        for (printed, expected) in cases {
            assert_eq!(printed, expected);
            assert!(!printed.contains("s3cr3t"));
        }
    }

    #[test]
    fn plain_values_print() {
        assert_eq!(format!("{:?}", ClientId::new("abc")), "ClientId(\"abc\")");
        assert_eq!(ClientId::new("abc").to_string(), "abc");
    }

    #[test]
    fn secrets_serialize_as_plain_strings_for_the_store() {
        let json = serde_json::to_string(&RefreshToken::new("r")).expect("serialises");
        assert_eq!(json, "\"r\"");
    }

    #[test]
    fn random_state_is_long_and_url_safe() {
        let a = CsrfToken::new_random();
        assert_eq!(a.as_str().len(), 22);
        assert!(
            a.as_str()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(a, CsrfToken::new_random());
    }

    #[test]
    fn scope_lists_split_and_join() {
        let scopes = Scope::parse_list("  profile   source:w offline_access ");
        assert_eq!(scopes.len(), 3);
        assert_eq!(Scope::join(&scopes), "profile source:w offline_access");
    }
}
