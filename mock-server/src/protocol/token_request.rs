//! A token request, parsed once (behaviour.md §3, RFC 6749 §3.2, §4.1.3, §6).
//!
//! The body's parameters and the `Authorization` header become one typed [`TokenRequest`]: which
//! grant, which client credentials, and the grant's own fields. Every later rule (client
//! authentication, code redemption, refresh) reads this value; nothing reads the body again.
//!
//! Order of checks, each answered with its own error code: a repeated parameter
//! (`invalid_request`, RFC 6749 §3.2), `grant_type` missing (`invalid_request`) or not one of
//! the two ilert supports (`unsupported_grant_type`), the client's credentials
//! (`invalid_client` for a malformed Basic header, `invalid_request` for two methods at once),
//! then the grant's required field (`invalid_request`).

use super::client_auth::{self, Credentials};
use super::error::{ErrorCode, OAuthError};
use super::params::Params;

/// Parameters the token endpoint reads; none may be repeated (RFC 6749 §3.2).
pub const PARAMETERS: &[&str] = &[
    "grant_type",
    "client_id",
    "client_secret",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "scope",
];

/// A token request of one of the two grants ilert supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequest {
    /// `grant_type=authorization_code` (RFC 6749 §4.1.3).
    AuthorizationCode {
        /// Who asks.
        client: Credentials,
        /// The code from the redirect.
        code: Secret,
        /// `redirect_uri`, when sent (optional: ilert's examples omit it; behaviour.md §9).
        redirect_uri: Option<String>,
        /// `code_verifier`, when the authorization used PKCE (RFC 7636 §4.5).
        code_verifier: Option<Secret>,
    },
    /// `grant_type=refresh_token` (RFC 6749 §6).
    RefreshToken {
        /// Who asks.
        client: Credentials,
        /// The refresh token.
        refresh_token: Secret,
        /// `scope`, when a narrower one is asked for.
        scope: Option<String>,
    },
}

/// A credential from the request (a code, a verifier, a refresh token): `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, OAuthError> {
    params
        .get(name)?
        .ok_or_else(|| OAuthError::invalid_request(format!("{name} is missing")))
}

fn optional(params: &Params, name: &str) -> Result<Option<String>, OAuthError> {
    Ok(params.get(name)?.map(str::to_owned))
}

impl TokenRequest {
    /// Parses the body's `params` and the request's `Authorization` header.
    pub fn parse(params: &Params, authorization: Option<&str>) -> Result<Self, OAuthError> {
        if let Some(repeated) = params.first_repeated(PARAMETERS) {
            return Err(repeated.into());
        }
        let grant_type = required(params, "grant_type")?;
        if !matches!(grant_type, "authorization_code" | "refresh_token") {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedGrantType,
                format!(
                    "grant_type '{grant_type}' is not supported; use authorization_code or refresh_token"
                ),
            ));
        }
        let client = client_auth::credentials(
            authorization,
            params.get("client_id")?,
            params.get("client_secret")?,
        )?;
        if grant_type == "authorization_code" {
            Ok(Self::AuthorizationCode {
                client,
                code: Secret(required(params, "code")?.to_owned()),
                redirect_uri: optional(params, "redirect_uri")?,
                code_verifier: optional(params, "code_verifier")?.map(Secret),
            })
        } else {
            Ok(Self::RefreshToken {
                client,
                refresh_token: Secret(required(params, "refresh_token")?.to_owned()),
                scope: optional(params, "scope")?,
            })
        }
    }

    /// The client's credentials.
    pub fn client(&self) -> &Credentials {
        match self {
            Self::AuthorizationCode { client, .. } | Self::RefreshToken { client, .. } => client,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str, authorization: Option<&str>) -> Result<TokenRequest, OAuthError> {
        TokenRequest::parse(
            &Params::from_urlencoded(body.as_bytes()).expect("form"),
            authorization,
        )
    }

    #[test]
    fn both_grants_parse_into_their_fields() {
        let code = parse(
            "grant_type=authorization_code&client_id=a&code=c&code_verifier=v&redirect_uri=http%3A%2F%2Fx",
            None,
        )
        .expect("code grant");
        let TokenRequest::AuthorizationCode {
            client,
            code,
            redirect_uri,
            code_verifier,
        } = code
        else {
            panic!("not a code grant");
        };
        assert_eq!(client.client_id, "a");
        assert_eq!(code.expose(), "c");
        assert_eq!(redirect_uri.as_deref(), Some("http://x"));
        assert_eq!(code_verifier.as_ref().map(Secret::expose), Some("v"));
        assert_eq!(format!("{code_verifier:?}"), "Some([redacted])");

        let refresh = parse(
            "grant_type=refresh_token&client_id=a&refresh_token=r&scope=profile",
            None,
        )
        .expect("refresh grant");
        assert!(matches!(
            &refresh,
            TokenRequest::RefreshToken { refresh_token, scope: Some(s), .. } if refresh_token.expose() == "r" && s == "profile"
        ));
        assert!(matches!(&refresh, TokenRequest::RefreshToken { client, .. } if client.client_id == "a"));
    }

    #[test]
    fn errors_come_in_order_with_their_codes() {
        let code = |body: &str| parse(body, None).expect_err("refused").code;
        assert_eq!(
            code("grant_type=password&grant_type=password"),
            ErrorCode::InvalidRequest
        );
        assert_eq!(code("client_id=a&code=c"), ErrorCode::InvalidRequest);
        assert_eq!(
            code("grant_type=password&client_id=a"),
            ErrorCode::UnsupportedGrantType
        );
        assert_eq!(
            code("grant_type=authorization_code&code=c"),
            ErrorCode::InvalidClient
        );
        assert_eq!(
            code("grant_type=authorization_code&client_id=a"),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code("grant_type=refresh_token&client_id=a"),
            ErrorCode::InvalidRequest
        );
        let basic = parse("grant_type=authorization_code&code=c", Some("Basic !!!")).expect_err("bad basic");
        assert_eq!(basic.code, ErrorCode::InvalidClient);
    }
}
