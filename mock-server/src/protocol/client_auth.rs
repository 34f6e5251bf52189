//! Client authentication at the token endpoint (RFC 6749 §2.3, §3.2.1; SPEC §3, §9).
//!
//! A confidential app authenticates with `client_secret` in the body or with HTTP Basic; a public
//! (PKCE-only) app sends only `client_id`. Using both Basic and a body secret is refused
//! (RFC 6749 §2.3: "MUST NOT use more than one authentication method in each request").

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;

use super::error::OAuthError;
use crate::model::App;

/// How the client presented itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// `Authorization: Basic …` (`client_secret_basic`).
    Basic,
    /// `client_secret` in the body (`client_secret_post`).
    Post,
    /// Only `client_id` (public client, `none`).
    None,
}

/// The client credentials found in a token request.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `client_id`.
    pub client_id: String,
    secret: Option<String>,
    /// Where the credentials came from.
    pub method: AuthMethod,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("method", &self.method)
            .finish()
    }
}

/// Parses `Authorization: Basic` per RFC 6749 §2.3.1: base64 of
/// `urlencode(client_id):urlencode(client_secret)`.
fn parse_basic(header: &str) -> Result<(String, String), OAuthError> {
    let bad = || {
        OAuthError::invalid_client("the Authorization header is not valid HTTP Basic client authentication")
    };
    let (scheme, rest) = header.split_once(' ').ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(bad());
    }
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    let unescape = |s: &str| -> Result<String, OAuthError> {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| bad())
    };
    Ok((unescape(id)?, unescape(secret)?))
}

/// Collects the credentials from the `Authorization` header and the body fields.
pub fn credentials(
    authorization: Option<&str>,
    body_client_id: Option<&str>,
    body_client_secret: Option<&str>,
) -> Result<Credentials, OAuthError> {
    match authorization {
        Some(header) if header.len() >= 6 && header[..6].eq_ignore_ascii_case("basic ") => {
            let (id, secret) = parse_basic(header)?;
            if body_client_secret.is_some() {
                return Err(OAuthError::invalid_request(
                    "client credentials were sent both in the Authorization header and in the body; use one method (RFC 6749 §2.3)",
                ));
            }
            if body_client_id.is_some_and(|body_id| body_id != id) {
                return Err(OAuthError::invalid_client(
                    "client_id in the body differs from the one in the Authorization header",
                ));
            }
            Ok(Credentials {
                client_id: id,
                secret: Some(secret),
                method: AuthMethod::Basic,
            })
        }
        _ => {
            let client_id = body_client_id.ok_or_else(|| {
                OAuthError::invalid_client("client_id is missing: no client authentication was included")
            })?;
            Ok(Credentials {
                client_id: client_id.to_owned(),
                secret: body_client_secret.map(str::to_owned),
                method: if body_client_secret.is_some() {
                    AuthMethod::Post
                } else {
                    AuthMethod::None
                },
            })
        }
    }
}

/// Authenticates `creds` against the app registered under its client id.
///
/// A confidential app must present its secret (compared in constant time); a public app must not
/// present one. Every failure is `invalid_client` (RFC 6749 §5.2).
pub fn authenticate<'a>(creds: &Credentials, app: Option<&'a App>) -> Result<&'a App, OAuthError> {
    let app =
        app.ok_or_else(|| OAuthError::invalid_client("Client authentication failed: unknown client_id"))?;
    match (&app.client_secret, creds.secret.as_deref()) {
        (Some(expected), Some(given)) if expected.matches(given) => Ok(app),
        (Some(_), Some(_)) => Err(OAuthError::invalid_client(
            "Client authentication failed: wrong client_secret",
        )),
        (Some(_), None) => Err(OAuthError::invalid_client(
            "Client authentication failed: this app is confidential and must send its client_secret",
        )),
        (None, None) => Ok(app),
        (None, Some(_)) => Err(OAuthError::invalid_client(
            "Client authentication failed: this app is public (PKCE only) and has no client_secret",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;

    fn apps() -> Vec<App> {
        Fixtures::embedded().expect("defaults").apps
    }

    const ID: &str = "0501439fd7dee9af0c25";
    const SECRET: &str = "3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad";

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    #[test]
    fn body_and_basic_both_work() {
        let apps = apps();
        let app = apps.iter().find(|a| a.client_id == ID);
        let post = credentials(None, Some(ID), Some(SECRET)).expect("post");
        assert_eq!(post.method, AuthMethod::Post);
        assert_eq!(authenticate(&post, app).expect("ok").id, 250);
        let header = basic(ID, SECRET);
        let b = credentials(Some(&header), None, None).expect("basic");
        assert_eq!(b.method, AuthMethod::Basic);
        assert_eq!(authenticate(&b, app).expect("ok").id, 250);
    }

    #[test]
    fn failures_are_invalid_client_or_request() {
        use super::super::error::ErrorCode::*;
        let apps = apps();
        let app = apps.iter().find(|a| a.client_id == ID);
        let public = apps.iter().find(|a| a.public);
        let code = |r: Result<&App, OAuthError>| r.map(|_| ()).expect_err("fails").code;
        assert_eq!(
            code(authenticate(
                &credentials(None, Some(ID), Some("wrong")).expect("c"),
                app
            )),
            InvalidClient
        );
        assert_eq!(
            code(authenticate(&credentials(None, Some(ID), None).expect("c"), app)),
            InvalidClient
        );
        assert_eq!(
            code(authenticate(
                &credentials(None, Some("x"), Some("y")).expect("c"),
                None
            )),
            InvalidClient
        );
        assert_eq!(
            code(authenticate(
                &credentials(None, Some("p"), Some("s")).expect("c"),
                public
            )),
            InvalidClient
        );
        assert_eq!(
            credentials(None, None, None).expect_err("no id").code,
            InvalidClient
        );
        let header = basic(ID, SECRET);
        assert_eq!(
            credentials(Some(&header), None, Some(SECRET))
                .expect_err("both")
                .code,
            InvalidRequest
        );
        assert_eq!(
            credentials(Some(&header), Some("other"), None)
                .expect_err("mismatch")
                .code,
            InvalidClient
        );
        assert_eq!(
            credentials(Some("Basic !!!"), None, None)
                .expect_err("garbage")
                .code,
            InvalidClient
        );
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = basic("my%20id", "p%3Ass");
        let c = credentials(Some(&header), None, None).expect("basic");
        assert_eq!(c.client_id, "my id");
        assert!(!format!("{c:?}").contains("p:ss"));
    }
}
