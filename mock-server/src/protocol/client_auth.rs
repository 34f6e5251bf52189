//! Client authentication at the token endpoint (RFC 6749 §2.3, §3.2.1; behaviour.md §3, §9).
//!
//! A client authenticates with `client_secret` in the body or with HTTP Basic, or sends only
//! `client_id` when its authorization used PKCE (any app may, behaviour.md §3). Using both Basic and a
//! body secret is refused (RFC 6749 §2.3: "MUST NOT use more than one authentication method in
//! each request").

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

/// Whether the `Authorization` header carries HTTP Basic credentials (the scheme name is
/// case-insensitive, RFC 7235 §2.1). The one place that decides it: client authentication and
/// the `WWW-Authenticate` of an `invalid_client` answer (RFC 6749 §5.2) both ask here.
pub fn uses_basic(authorization: Option<&str>) -> bool {
    authorization.is_some_and(|h| h.len() >= 6 && h.as_bytes()[..6].eq_ignore_ascii_case(b"basic "))
}

/// Collects the credentials from the `Authorization` header and the body fields.
pub fn credentials(
    authorization: Option<&str>,
    body_client_id: Option<&str>,
    body_client_secret: Option<&str>,
) -> Result<Credentials, OAuthError> {
    match authorization {
        Some(header) if uses_basic(Some(header)) => {
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

/// A client that passed authentication: its app, and whether it proved itself with the secret.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated<'a> {
    /// The app registered under the request's `client_id`.
    pub app: &'a App,
    /// `true` when the request carried the app's (correct) `client_secret`.
    pub with_secret: bool,
}

/// Authenticates `creds` against the app registered under its client id.
///
/// "Public" is a property of the request, not of the app (behaviour.md §3, corrected by ilert's PKCE
/// guide, which uses the backend guide's own client id without a secret): any app may leave the
/// secret out, and the grant rules then demand PKCE (code) or a grant that was redeemed without
/// the secret (refresh). What is checked here:
/// - the `client_id` must be known;
/// - a secret that is sent must be the app's (compared in constant time); an app without a
///   secret (a purely public app) cannot present one;
/// - an app that opted into [`App::require_secret`] must always send it.
///
/// Every failure is `invalid_client` (RFC 6749 §5.2).
pub fn authenticate<'a>(creds: &Credentials, app: Option<&'a App>) -> Result<Authenticated<'a>, OAuthError> {
    let app =
        app.ok_or_else(|| OAuthError::invalid_client("Client authentication failed: unknown client_id"))?;
    let with_secret = match (&app.client_secret, creds.secret.as_deref()) {
        (Some(expected), Some(given)) if expected.matches(given) => true,
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_client(
                "Client authentication failed: wrong client_secret",
            ));
        }
        (None, Some(_)) => {
            return Err(OAuthError::invalid_client(
                "Client authentication failed: this app is public (PKCE only) and has no client_secret",
            ));
        }
        (Some(_), None) if app.require_secret => {
            return Err(OAuthError::invalid_client(
                "Client authentication failed: this app requires its client_secret on every token request (require_secret)",
            ));
        }
        (_, None) => false,
    };
    Ok(Authenticated { app, with_secret })
}

/// Refused when a request without the secret redeems a code whose authorization did not use
/// PKCE: nothing else proves who is asking (RFC 6749 §3.2.1, RFC 7636 §1, behaviour.md §3, §7).
pub fn secret_or_pkce_required() -> OAuthError {
    OAuthError::invalid_client(
        "Client authentication failed: send the client_secret, or use PKCE (code_challenge with S256 at authorize, code_verifier here)",
    )
}

/// Refused when a refresh without the secret names a grant whose code was redeemed with the
/// secret (the mock's choice, behaviour.md §3: such a grant keeps needing it).
pub fn secret_bound_grant() -> OAuthError {
    OAuthError::invalid_client(
        "Client authentication failed: this refresh token was issued to a request that sent the client_secret; send it when refreshing too",
    )
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
        let ok = authenticate(&post, app).expect("ok");
        assert_eq!((ok.app.id, ok.with_secret), (250, true));
        let header = basic(ID, SECRET);
        let b = credentials(Some(&header), None, None).expect("basic");
        assert_eq!(b.method, AuthMethod::Basic);
        let ok = authenticate(&b, app).expect("ok");
        assert_eq!((ok.app.id, ok.with_secret), (250, true));
    }

    #[test]
    fn any_app_may_leave_the_secret_out_unless_it_requires_it() {
        let apps = apps();
        let guide = apps.iter().find(|a| a.client_id == ID);
        let only_id = credentials(None, Some(ID), None).expect("id only");
        assert_eq!(only_id.method, AuthMethod::None);
        let ok = authenticate(&only_id, guide).expect("the guide's app without its secret");
        assert_eq!((ok.app.id, ok.with_secret), (250, false));
        let public = apps.iter().find(|a| a.public).expect("a public app");
        let creds = credentials(None, Some(&public.client_id), None).expect("id only");
        assert!(!authenticate(&creds, Some(public)).expect("public").with_secret);
        let strict = App {
            require_secret: true,
            ..guide.expect("guide").clone()
        };
        let err = authenticate(&only_id, Some(&strict)).expect_err("require_secret");
        assert_eq!(err.code, super::super::error::ErrorCode::InvalidClient);
        assert!(err.description.contains("require_secret"), "{}", err.description);
        let with = credentials(None, Some(ID), Some(SECRET)).expect("post");
        assert!(
            authenticate(&with, Some(&strict))
                .expect("with the secret")
                .with_secret
        );
    }

    #[test]
    fn failures_are_invalid_client_or_request() {
        use super::super::error::ErrorCode::*;
        let apps = apps();
        let app = apps.iter().find(|a| a.client_id == ID);
        let public = apps.iter().find(|a| a.public);
        let code = |r: Result<Authenticated<'_>, OAuthError>| r.map(|_| ()).expect_err("fails").code;
        assert_eq!(
            code(authenticate(
                &credentials(None, Some(ID), Some("wrong")).expect("c"),
                app
            )),
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
