//! The authorize step (behaviour.md §2): the URL the browser is sent to, and reading the redirect back.
//!
//! The query is written by hand rather than with `form_urlencoded`, so that every value is
//! percent-encoded (a space as `%20`, not `+`) exactly like the cURL example in ilert's guide:
//! `…?client_id=…&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result&scope=profile%20source%3Aw&state=optional-state`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use crate::client::OAuthClient;
use crate::error::Error;
use crate::pkce::{Pkce, S256};
use crate::types::{AuthorizationCode, CsrfToken, PkceCodeVerifier, Scope};

/// Everything but RFC 3986's unreserved characters is encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An authorize URL and what the client must keep until the redirect comes back.
#[derive(Debug, Clone)]
pub struct AuthorizeUrl {
    /// Where to send the browser.
    pub url: Url,
    /// The `state` sent; compare it with the one on the redirect ([`parse_callback`]).
    pub state: CsrfToken,
    /// The PKCE verifier to send with the code exchange, when PKCE is on. Keep it server side
    /// (or in the session), never in the URL.
    pub pkce_verifier: Option<PkceCodeVerifier>,
}

impl OAuthClient {
    /// The URL that asks the user to grant the configured scopes to the app:
    /// `{app}/api/developers/oauth2/authorize?client_id&response_type=code&redirect_uri&scope&state`
    /// plus `code_challenge` and `code_challenge_method=S256` with [`Pkce::S256`].
    ///
    /// Without a client secret PKCE is on whatever `pkce` says: ilert accepts a token request
    /// without the secret only for an authorization that used PKCE (behaviour.md §3).
    pub fn authorize_url(&self, state: &CsrfToken, pkce: Pkce) -> AuthorizeUrl {
        let config = self.config();
        let verifier = match (pkce, config.client_secret()) {
            (Pkce::Disabled, Some(_)) => None,
            _ => Some(PkceCodeVerifier::new_random()),
        };
        let scope = Scope::join(config.scopes());
        let mut params: Vec<(&str, &str)> = vec![
            ("client_id", config.client_id().as_str()),
            ("response_type", "code"),
            ("redirect_uri", config.redirect_uri()),
        ];
        if !scope.is_empty() {
            params.push(("scope", &scope));
        }
        if !state.as_str().is_empty() {
            params.push(("state", state.as_str()));
        }
        let challenge = verifier.as_ref().map(PkceCodeVerifier::challenge_s256);
        if let Some(challenge) = &challenge {
            params.push(("code_challenge", challenge.as_str()));
            params.push(("code_challenge_method", S256));
        }
        let query = params
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE)))
            .collect::<Vec<_>>()
            .join("&");
        let mut url = config.authorize_endpoint().clone();
        url.set_query(Some(&query));
        AuthorizeUrl {
            url,
            state: state.clone(),
            pkce_verifier: verifier,
        }
    }
}

impl OAuthClient {
    /// Follows an authorize URL without a browser and returns the query of the redirect back
    /// to the app, for [`parse_callback`]. This works against a server that approves at once —
    /// the mock started with `--auto-approve USER`, or an app registered with `auto_approve` —
    /// as in headless tests and scripts. A page instead (ilert's sign-in, the mock's grant view)
    /// or a redirect elsewhere is [`Error::NeedsBrowser`].
    pub async fn follow_authorize(&self, url: &Url) -> Result<String, Error> {
        let response = self
            .http_client()
            .get(url.clone())
            .send()
            .await
            .map_err(|e| Error::transport(url, e))?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| url.join(l).ok());
        let back_to_app = Url::parse(self.config().redirect_uri()).ok();
        match (location, back_to_app) {
            (Some(target), Some(app))
                if response.status().is_redirection()
                    && target[..url::Position::AfterPath] == app[..url::Position::AfterPath] =>
            {
                Ok(target.query().unwrap_or_default().to_owned())
            }
            (location, _) => Err(Error::NeedsBrowser {
                status,
                location: location.map(|l| l[..url::Position::AfterPath].to_owned()),
            }),
        }
    }
}

/// Reads the query of the redirect back to the app (`code=…&state=…`, or `error=…`) and returns
/// the code.
///
/// With `expected_state`, the redirect's `state` must equal it (RFC 6749 §10.12); this is
/// checked first, so a forged callback cannot even report an error. A redirect with `error`
/// becomes [`Error::Authorization`] with ilert's `error` and `error_description`.
pub fn parse_callback(query: &str, expected_state: Option<&CsrfToken>) -> Result<AuthorizationCode, Error> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let (mut code, mut state, mut error, mut description) = (None, None, None, None);
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        // A repeated parameter is ambiguous; keep the first, as most servers do.
        slot.get_or_insert_with(|| value.into_owned());
    }
    if let Some(expected) = expected_state
        && state.as_deref() != Some(expected.as_str())
    {
        return Err(Error::StateMismatch);
    }
    if let Some(error) = error {
        return Err(Error::Authorization { error, description });
    }
    match code.filter(|c| !c.is_empty()) {
        Some(code) => Ok(AuthorizationCode::new(code)),
        None => Err(Error::MissingCode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn client(builder: crate::config::ConfigBuilder) -> OAuthClient {
        OAuthClient::new(builder.build().expect("valid config")).expect("client")
    }

    fn guide() -> crate::config::ConfigBuilder {
        Config::builder("0501439fd7dee9af0c25", "http://localhost:4597/authorize-result")
            .client_secret("3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad")
            .scopes("profile source:w")
    }

    #[test]
    fn matches_the_guides_curl_example() {
        let a = client(guide()).authorize_url(&CsrfToken::new("optional-state"), Pkce::Disabled);
        assert_eq!(
            a.url.as_str(),
            "https://app.ilert.com/api/developers/oauth2/authorize?client_id=0501439fd7dee9af0c25\
             &response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A4597%2Fauthorize-result\
             &scope=profile%20source%3Aw&state=optional-state"
        );
        assert!(a.pkce_verifier.is_none());
    }

    #[test]
    fn pkce_adds_an_s256_challenge_of_the_kept_verifier() {
        let a = client(guide()).authorize_url(&CsrfToken::new("s"), Pkce::S256);
        let verifier = a.pkce_verifier.expect("a verifier");
        let pairs: Vec<(String, String)> = a.url.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        assert_eq!(get("code_challenge_method").as_deref(), Some("S256"));
        assert_eq!(
            get("code_challenge"),
            Some(verifier.challenge_s256().as_str().to_owned())
        );
        assert!(!a.url.as_str().contains(verifier.secret()));
    }

    #[test]
    fn state_is_encoded_and_comes_back_verbatim() {
        let state = CsrfToken::new(r#"{"returnTo":"/x y","n":1}"#);
        let a = client(guide()).authorize_url(&state, Pkce::Disabled);
        let sent = a
            .url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned());
        assert_eq!(sent.as_deref(), Some(state.as_str()));
        // The server echoes it URL-encoded; parsing gives it back.
        let callback = format!(
            "code=abc&state={}",
            utf8_percent_encode(state.as_str(), QUERY_VALUE)
        );
        let code = parse_callback(&callback, Some(&state)).expect("state matches");
        assert_eq!(code.secret(), "abc");
    }

    #[test]
    fn without_a_secret_pkce_is_always_on() {
        let config = Config::builder("0501439fd7dee9af0c25", "http://localhost:4597/webapp")
            .scopes("profile source:w offline_access");
        let a = client(config).authorize_url(&CsrfToken::new("optional-state"), Pkce::Disabled);
        assert!(a.pkce_verifier.is_some());
        let pairs: Vec<(String, String)> = a.url.query_pairs().into_owned().collect();
        assert!(
            pairs
                .iter()
                .any(|(k, v)| k == "code_challenge_method" && v == "S256"),
            "{pairs:?}"
        );
        assert!(pairs.iter().all(|(k, _)| k != "client_secret"), "{pairs:?}");
    }

    #[test]
    fn tenant_authorize_url_on_the_mock() {
        let a = client(guide().app_url("http://localhost:4598").tenant("acme"))
            .authorize_url(&CsrfToken::new("s"), Pkce::Disabled);
        assert!(
            a.url
                .as_str()
                .starts_with("http://acme.localhost:4598/api/developers/oauth2/authorize?"),
            "{}",
            a.url
        );
    }

    #[test]
    fn callback_checks_state_then_error_then_code() {
        let s = CsrfToken::new("optional-state");
        let code = parse_callback(
            "?code=c82ec4eca4c0ac90061fdd4225d1&state=optional-state",
            Some(&s),
        )
        .expect("valid callback");
        assert_eq!(code.secret(), "c82ec4eca4c0ac90061fdd4225d1");
        assert!(matches!(
            parse_callback("code=c&state=other", Some(&s)),
            Err(Error::StateMismatch)
        ));
        assert!(matches!(
            parse_callback("code=c", Some(&s)),
            Err(Error::StateMismatch)
        ));
        assert!(matches!(
            parse_callback("error=access_denied&state=other", Some(&s)),
            Err(Error::StateMismatch)
        ));
        let denied = parse_callback(
            "error=access_denied&error_description=The+user+denied+access&state=optional-state",
            Some(&s),
        );
        assert!(matches!(
            denied,
            Err(Error::Authorization { ref error, ref description })
                if error == "access_denied" && description.as_deref() == Some("The user denied access")
        ));
        assert!(matches!(
            parse_callback("state=optional-state", Some(&s)),
            Err(Error::MissingCode)
        ));
        assert!(parse_callback("code=c", None).is_ok());
    }
}
