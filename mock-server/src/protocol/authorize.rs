//! Validating an authorization request (behaviour.md §2, RFC 6749 §4.1.1, §4.1.2.1).
//!
//! The order matters. First the client and the redirect URI are established; while either is in
//! doubt the user must NOT be redirected (RFC 6749 §4.1.2.1; RFC 9700 §4.11, open redirector), so
//! those failures become an HTML page. Every later failure is redirected to the (now trusted)
//! redirect URI with `error`, `error_description` and `state`.

use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use super::pkce::CodeChallenge;
use super::redirect;
use super::scope::ScopeSet;
use crate::fixtures::Fixtures;
use crate::model::App;

/// Every parameter the authorize endpoint reads.
pub const PARAMETERS: &[&str] = &[
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

/// A failure that must be shown to the user instead of redirecting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// `client_id` is missing.
    #[error("The request has no client_id.")]
    MissingClientId,
    /// No app has this `client_id`.
    #[error("No app is registered with client_id '{0}'.")]
    UnknownClient(String),
    /// `client_id` or `redirect_uri` was sent more than once.
    #[error("The parameter '{0}' was sent more than once.")]
    Repeated(String),
    /// `redirect_uri` is missing.
    #[error("The request has no redirect_uri.")]
    MissingRedirectUri,
    /// `redirect_uri` is not one of the app's, byte for byte.
    #[error("The redirect_uri '{given}' is not registered for this app.")]
    RedirectUriMismatch {
        /// What was sent.
        given: String,
        /// What the app has registered.
        registered: Vec<String>,
    },
}

/// A failure reported back to the client through the redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    /// The app's registered redirect URI that was matched.
    pub redirect_uri: String,
    /// `state` as sent.
    pub state: Option<String>,
    /// The error.
    pub error: OAuthError,
}

impl RedirectError {
    /// The full `Location`: `redirect_uri?error=…&error_description=…[&state=…]`.
    pub fn location(&self) -> String {
        let mut params = vec![
            ("error", self.error.code.as_str()),
            ("error_description", self.error.description.as_ref()),
        ];
        if let Some(state) = &self.state {
            params.push(("state", state));
        }
        redirect::with_params(&self.redirect_uri, &params)
    }
}

/// Why an authorization request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// Show a page, never redirect.
    Page(PageError),
    /// Redirect back with an error.
    Redirect(RedirectError),
}

/// Switches of the authorize rules; the default is the contract. Only the deliberate
/// breakages ([`crate::Breakage`]) change them, so a contract suite can prove it notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorizePolicy {
    /// Accept any valid redirect URI, registered or not (breaks behaviour.md §2's exact match).
    pub any_redirect_uri: bool,
    /// Echo `state` in redirects (behaviour.md §2, RFC 6749 §4.1.2); off only to break it.
    pub echo_state: bool,
}

impl Default for AuthorizePolicy {
    fn default() -> Self {
        Self {
            any_redirect_uri: false,
            echo_state: true,
        }
    }
}

/// A valid authorization request.
#[derive(Debug, Clone)]
pub struct ValidRequest {
    /// The app's id.
    pub app_id: i64,
    /// The app's name, for the grant view.
    pub app_name: String,
    /// The user the app approves as without the grant view, if it is set to.
    pub auto_approve: Option<String>,
    /// The registered redirect URI, as sent.
    pub redirect_uri: String,
    /// Requested scopes (all allowed for the app).
    pub scope: ScopeSet,
    /// `state`, verbatim.
    pub state: Option<String>,
    /// PKCE challenge.
    pub challenge: Option<CodeChallenge>,
}

impl ValidRequest {
    /// The error redirect for a later failure (e.g. the user pressed Deny).
    pub fn error(&self, error: OAuthError) -> RedirectError {
        RedirectError {
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
            error,
        }
    }

    /// The success redirect: `redirect_uri?code=…[&state=…]`.
    pub fn success_location(&self, code: &str) -> String {
        let mut params = vec![("code", code)];
        if let Some(state) = &self.state {
            params.push(("state", state.as_str()));
        }
        redirect::with_params(&self.redirect_uri, &params)
    }
}

/// Validates an authorization request against the app `find_app` returns for its client id.
pub fn validate<'a>(
    params: &Params,
    find_app: impl Fn(&str) -> Option<&'a App>,
    policy: AuthorizePolicy,
) -> Result<ValidRequest, AuthorizeError> {
    let page = AuthorizeError::Page;
    let client_id = params
        .get("client_id")
        .map_err(|r| page(PageError::Repeated(r.0)))?
        .ok_or(page(PageError::MissingClientId))?;
    let app = find_app(client_id).ok_or_else(|| page(PageError::UnknownClient(client_id.to_owned())))?;
    let given = params
        .get("redirect_uri")
        .map_err(|r| page(PageError::Repeated(r.0)))?
        .ok_or(page(PageError::MissingRedirectUri))?;
    let redirect_uri = redirect::find_exact(&app.redirect_uris, given)
        .or(policy.any_redirect_uri.then_some(given))
        .ok_or_else(|| {
            page(PageError::RedirectUriMismatch {
                given: given.to_owned(),
                registered: app.redirect_uris.clone(),
            })
        })?;

    // From here on errors go back to the client. `state` is echoed only when it was sent once.
    let state = params
        .get("state")
        .ok()
        .flatten()
        .filter(|_| policy.echo_state)
        .map(str::to_owned);
    let back = |error: OAuthError| {
        AuthorizeError::Redirect(RedirectError {
            redirect_uri: redirect_uri.to_owned(),
            state: state.clone(),
            error,
        })
    };
    if let Some(repeated) = params.first_repeated(PARAMETERS) {
        return Err(back(repeated.into()));
    }
    let get = |name: &str| params.get(name).ok().flatten();

    match get("response_type") {
        None => return Err(back(OAuthError::invalid_request("response_type is missing"))),
        Some("code") => {}
        Some(other) => {
            return Err(back(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                format!("response_type '{other}' is not supported; use 'code'"),
            )));
        }
    }
    let scope =
        ScopeSet::parse(get("scope").ok_or_else(|| back(OAuthError::invalid_scope("scope is missing")))?)
            .map_err(back)?;
    scope.check_allowed(&Fixtures::app_scopes(app)).map_err(back)?;
    let challenge =
        CodeChallenge::from_request(get("code_challenge"), get("code_challenge_method")).map_err(back)?;
    if app.public && challenge.is_none() {
        // behaviour.md §7: a public app's authorization must use PKCE (RFC 7636 §4.4.1, RFC 9700 §2.1.1).
        return Err(back(OAuthError::invalid_request(
            "this app is public: code_challenge with S256 is required",
        )));
    }
    Ok(ValidRequest {
        app_id: app.id,
        app_name: app.name.clone(),
        auto_approve: app.auto_approve.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scope,
        state,
        challenge,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0501439fd7dee9af0c25";
    const URI: &str = "http://localhost:4597/authorize-result";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn run(query: &str) -> Result<(i64, String, Option<String>), AuthorizeError> {
        let apps = Fixtures::embedded().expect("defaults").apps;
        let params = Params::from_urlencoded(query.as_bytes()).expect("query");
        validate(
            &params,
            |id| apps.iter().find(|a| a.client_id == id),
            AuthorizePolicy::default(),
        )
        .map(|v| (v.app_id, v.scope.to_string(), v.state.clone()))
    }

    fn redirect_code(query: &str) -> (ErrorCode, Option<String>) {
        match run(query) {
            Err(AuthorizeError::Redirect(r)) => (r.error.code, r.state),
            other => panic!("{query}: {other:?}"),
        }
    }

    fn base(extra: &str) -> String {
        format!("client_id={ID}&redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result{extra}")
    }

    #[test]
    fn the_guides_request_is_valid() {
        let q = base("&response_type=code&scope=profile%20source%3Aw&state=optional-state");
        assert_eq!(
            run(&q).expect("valid"),
            (250, "profile source:w".into(), Some("optional-state".into()))
        );
    }

    #[test]
    fn client_and_redirect_problems_never_redirect() {
        assert_eq!(
            run("redirect_uri=x&response_type=code"),
            Err(AuthorizeError::Page(PageError::MissingClientId))
        );
        assert!(matches!(
            run("client_id=nope&response_type=code"),
            Err(AuthorizeError::Page(PageError::UnknownClient(_)))
        ));
        assert!(matches!(
            run(&format!("client_id={ID}&response_type=code")),
            Err(AuthorizeError::Page(PageError::MissingRedirectUri))
        ));
        assert!(matches!(
            run(&format!(
                "client_id={ID}&redirect_uri={}/&response_type=code",
                URI
            )),
            Err(AuthorizeError::Page(PageError::RedirectUriMismatch { .. }))
        ));
        assert!(matches!(
            run(&base(&format!("&client_id={ID}"))),
            Err(AuthorizeError::Page(PageError::Repeated(_)))
        ));
    }

    #[test]
    fn later_problems_redirect_with_state() {
        let s = Some("s1".to_owned());
        for (query, code) in [
            ("&scope=profile&state=s1", ErrorCode::InvalidRequest),
            (
                "&response_type=token&scope=profile&state=s1",
                ErrorCode::UnsupportedResponseType,
            ),
            ("&response_type=code&state=s1", ErrorCode::InvalidScope),
            ("&response_type=code&scope=nope&state=s1", ErrorCode::InvalidScope),
            (
                "&response_type=code&scope=profile&scope=profile&state=s1",
                ErrorCode::InvalidRequest,
            ),
        ] {
            assert_eq!(redirect_code(&base(query)), (code, s.clone()), "{query}");
        }
        assert_eq!(
            redirect_code(&base(&format!(
                "&response_type=code&scope=profile&code_challenge={CHALLENGE}&code_challenge_method=plain"
            ))),
            (ErrorCode::InvalidRequest, None)
        );
    }

    #[test]
    fn public_apps_need_pkce_and_are_capped_by_their_scopes() {
        let public = "client_id=8c1a5c3fb9e04d7a2b61&redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fwebapp&response_type=code";
        assert_eq!(
            redirect_code(&format!("{public}&scope=profile")).0,
            ErrorCode::InvalidRequest
        );
        let ok = format!(
            "{public}&scope=profile%20offline_access&code_challenge={CHALLENGE}&code_challenge_method=S256"
        );
        assert!(run(&ok).is_ok());
        let too_much =
            format!("{public}&scope=source:d&code_challenge={CHALLENGE}&code_challenge_method=S256");
        assert_eq!(redirect_code(&too_much).0, ErrorCode::InvalidScope);
    }

    #[test]
    fn error_location_keeps_state_verbatim() {
        let r = RedirectError {
            redirect_uri: URI.into(),
            state: Some("{\"next\":\"/a b\"}".into()),
            error: OAuthError::new(ErrorCode::AccessDenied, "denied"),
        };
        assert_eq!(
            r.location(),
            format!(
                "{URI}?error=access_denied&error_description=denied&state=%7B%22next%22%3A%22%2Fa%20b%22%7D"
            )
        );
    }
}
