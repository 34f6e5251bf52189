//! What the client needs to know about the app and where ilert lives.
//!
//! ilert splits its hosts: the browser goes to `app.ilert.com` (or the tenant's own
//! `{tenant}.ilert.com`) to authorize, and the backend talks to `api.ilert.com` for tokens and
//! the REST API (behaviour.md §1). The config keeps both base URLs, so pointing a client at the mock is a
//! matter of setting them to the mock's one address.
//!
//! The redirect URI is kept exactly as given: ilert compares it byte for byte with the
//! registered one (behaviour.md §2), and URL parsing would normalise it (for example by adding a
//! trailing slash to `http://localhost:4597`).

use url::Url;

use crate::types::{ClientId, ClientSecret, Scope};

/// ilert's browser host, where the authorize page lives.
pub const ILERT_APP_URL: &str = "https://app.ilert.com";
/// ilert's API host: token, token info, revoke and `/api/...`.
pub const ILERT_API_URL: &str = "https://api.ilert.com";

/// Path of the authorize endpoint, on the app host.
pub(crate) const AUTHORIZE_PATH: &str = "/api/developers/oauth2/authorize";
/// Path of the token endpoint, on the API host.
pub(crate) const TOKEN_PATH: &str = "/api/developers/oauth2/token";
/// Path of the token info endpoint, on the API host.
pub(crate) const TOKEN_INFO_PATH: &str = "/api/developers/oauth2/token_info";
/// Path of the revoke endpoint, on the API host.
pub(crate) const REVOKE_PATH: &str = "/api/developers/oauth2/revoke";

/// A configuration the builder refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The client id is empty.
    #[error("the client id is empty: copy it from the app's page in ilert")]
    EmptyClientId,
    /// The redirect URI is not an absolute http(s) URL without fragment.
    #[error(
        "the redirect URI '{uri}' is not usable: {reason}; it must be an absolute http(s) URL, \
         exactly as registered with the app"
    )]
    RedirectUri {
        /// The URI as given.
        uri: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A base URL is not an http(s) URL without query or fragment.
    #[error("the {which} base URL '{url}' is not usable: {reason}")]
    BaseUrl {
        /// `app` or `api`.
        which: &'static str,
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A scope contains whitespace or is empty.
    #[error("the scope '{0}' is not valid: scopes are single words such as 'profile' or 'source:w'")]
    Scope(String),
    /// The tenant is not a DNS label, or the app host cannot carry a tenant label.
    #[error("the tenant '{tenant}' cannot be used: {reason}")]
    Tenant {
        /// The tenant as given.
        tenant: String,
        /// What is wrong.
        reason: String,
    },
}

/// The app's credentials and ilert's addresses. Build one with [`Config::builder`].
///
/// `Debug` is safe to log: the client secret prints as `ClientSecret([redacted])`.
#[derive(Debug, Clone)]
pub struct Config {
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect_uri: String,
    scopes: Vec<Scope>,
    app_url: Url,
    api_url: Url,
    tenant: Option<String>,
    authorize_endpoint: Url,
}

impl Config {
    /// Starts a config for the app `client_id` that redirects back to `redirect_uri`, with
    /// ilert's hosts as base URLs, no secret (PKCE-only requests) and no scopes.
    pub fn builder(client_id: impl Into<String>, redirect_uri: impl Into<String>) -> ConfigBuilder {
        ConfigBuilder {
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: redirect_uri.into(),
            scopes: Vec::new(),
            app_url: ILERT_APP_URL.to_owned(),
            api_url: ILERT_API_URL.to_owned(),
            tenant: None,
        }
    }

    /// The app's client id.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The client secret; `None` for a public (PKCE-only) app.
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.client_secret.as_ref()
    }

    /// The redirect URI, byte for byte as configured.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The scopes requested at authorize.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// The browser base URL (`https://app.ilert.com` by default).
    pub fn app_url(&self) -> &Url {
        &self.app_url
    }

    /// The API base URL (`https://api.ilert.com` by default).
    pub fn api_url(&self) -> &Url {
        &self.api_url
    }

    /// The tenant whose own host serves the authorize page, if any.
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// The authorize endpoint, on the tenant's host when a tenant is set.
    pub fn authorize_endpoint(&self) -> &Url {
        &self.authorize_endpoint
    }

    /// The token endpoint.
    pub fn token_endpoint(&self) -> Url {
        join(&self.api_url, TOKEN_PATH)
    }

    /// The token info endpoint.
    pub fn token_info_endpoint(&self) -> Url {
        join(&self.api_url, TOKEN_INFO_PATH)
    }

    /// The revoke endpoint.
    pub fn revoke_endpoint(&self) -> Url {
        join(&self.api_url, REVOKE_PATH)
    }

    /// The URL of an API path such as `/api/users/current`, or `None` when `path` is not under
    /// `/api/`. Only ilert's API host ever sees the access token: absolute URLs, other paths
    /// and dot segments are refused rather than resolved.
    pub fn api_endpoint(&self, path: &str) -> Option<Url> {
        let path_only = path.split(['?', '#']).next().unwrap_or_default();
        let dot_segment = path_only.split('/').any(|seg| {
            let seg = seg.to_ascii_lowercase().replace("%2e", ".");
            seg == "." || seg == ".."
        });
        if !path.starts_with("/api/") || dot_segment || path.contains('#') || path.contains('\\') {
            return None;
        }
        Url::parse(&format!("{}{path}", self.api_url.as_str().trim_end_matches('/'))).ok()
    }
}

/// Base URL + absolute path, keeping any path prefix of the base (a proxy mount point).
fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}{path}"));
    url
}

/// Builds a [`Config`]; [`ConfigBuilder::build`] checks every field.
#[derive(Debug, Clone)]
#[must_use]
pub struct ConfigBuilder {
    client_id: String,
    client_secret: Option<ClientSecret>,
    redirect_uri: String,
    scopes: Vec<String>,
    app_url: String,
    api_url: String,
    tenant: Option<String>,
}

impl ConfigBuilder {
    /// The app's client secret, for a backend that can keep it. Without one the client sends
    /// only `client_id` and must use PKCE, which works for any app (behaviour.md §3, ilert's PKCE
    /// guide); ilert then issues a refresh token only when `offline_access` is requested.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(ClientSecret::new(secret));
        self
    }

    /// Sets or clears the client secret.
    pub fn client_secret_opt(mut self, secret: Option<ClientSecret>) -> Self {
        self.client_secret = secret;
        self
    }

    /// Adds scopes from a space-separated string (`"profile source:w"`).
    pub fn scopes(mut self, scopes: &str) -> Self {
        self.scopes.extend(scopes.split_whitespace().map(str::to_owned));
        self
    }

    /// Adds one scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// The browser base URL (default `https://app.ilert.com`); the mock's base URL in tests.
    pub fn app_url(mut self, url: impl Into<String>) -> Self {
        self.app_url = url.into();
        self
    }

    /// The API base URL (default `https://api.ilert.com`); the mock's base URL in tests.
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = url.into();
        self
    }

    /// Sends the browser to the tenant's own host, so a signed-in user may skip the login
    /// (ilert's suggestion for apps that know the user's account).
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Sets or clears the tenant.
    pub fn tenant_opt(mut self, tenant: Option<String>) -> Self {
        self.tenant = tenant;
        self
    }

    /// Checks every field and builds the config.
    pub fn build(self) -> Result<Config, ConfigError> {
        if self.client_id.trim().is_empty() {
            return Err(ConfigError::EmptyClientId);
        }
        check_redirect_uri(&self.redirect_uri)?;
        let app_url = base_url("app", &self.app_url)?;
        let api_url = base_url("api", &self.api_url)?;
        let mut scopes = Vec::with_capacity(self.scopes.len());
        for scope in self.scopes {
            if scope.is_empty() || scope.chars().any(char::is_whitespace) {
                return Err(ConfigError::Scope(scope));
            }
            if !scopes.iter().any(|s: &Scope| s.as_str() == scope) {
                scopes.push(Scope::new(scope));
            }
        }
        let tenant = self.tenant.filter(|t| !t.is_empty());
        let authorize_base = match &tenant {
            Some(t) => tenant_url(&app_url, t)?,
            None => app_url.clone(),
        };
        let authorize_endpoint = join(&authorize_base, AUTHORIZE_PATH);
        Ok(Config {
            client_id: ClientId::new(self.client_id),
            client_secret: self.client_secret.filter(|s| !s.secret().is_empty()),
            redirect_uri: self.redirect_uri,
            scopes,
            app_url,
            api_url,
            tenant,
            authorize_endpoint,
        })
    }
}

/// `text` parsed as an `http` or `https` URL; anything else is refused with `refuse`'s reason.
fn http_url(text: &str, refuse: impl Fn(&str) -> ConfigError) -> Result<Url, ConfigError> {
    let parsed = Url::parse(text).map_err(|e| refuse(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(refuse("the scheme is not http or https"));
    }
    Ok(parsed)
}

fn check_redirect_uri(uri: &str) -> Result<(), ConfigError> {
    let refuse = |reason: &str| ConfigError::RedirectUri {
        uri: uri.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = http_url(uri, refuse)?;
    // RFC 6749 §3.1.2: the redirection endpoint URI must not include a fragment.
    if parsed.fragment().is_some() {
        return Err(refuse("it has a fragment"));
    }
    Ok(())
}

fn base_url(which: &'static str, url: &str) -> Result<Url, ConfigError> {
    let refuse = |reason: &str| ConfigError::BaseUrl {
        which,
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = http_url(url, refuse)?;
    if parsed.host_str().is_none() {
        return Err(refuse("it has no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(refuse("it has a query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refuse("it carries credentials"));
    }
    Ok(parsed)
}

/// The tenant's authorize host: `app.ilert.com` becomes `{tenant}.ilert.com` (ilert's guide);
/// any other host `H` becomes `{tenant}.H`, which is how the mock recognises a tenant
/// (`acme.localhost:4598`). Scheme, port and path prefix are kept.
fn tenant_url(app_url: &Url, tenant: &str) -> Result<Url, ConfigError> {
    let refuse = |reason: &str| ConfigError::Tenant {
        tenant: tenant.to_owned(),
        reason: reason.to_owned(),
    };
    let label_ok = tenant.len() <= 63
        && tenant.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !tenant.starts_with('-')
        && !tenant.ends_with('-');
    if !label_ok {
        return Err(refuse("a tenant is a DNS label: letters, digits and '-'"));
    }
    let host = match app_url.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        _ => {
            return Err(refuse(
                "the app base URL's host is an IP address, which cannot carry a tenant label; \
                 use a name such as localhost",
            ));
        }
    };
    let tenant_host = match host.strip_prefix("app.") {
        Some(rest) if host.eq_ignore_ascii_case("app.ilert.com") => format!("{tenant}.{rest}"),
        _ => format!("{tenant}.{host}"),
    };
    let mut url = app_url.clone();
    url.set_host(Some(&tenant_host))
        .map_err(|e| refuse(&e.to_string()))?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide() -> ConfigBuilder {
        Config::builder("0501439fd7dee9af0c25", "http://localhost:4597/authorize-result")
            .client_secret("3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad")
            .scopes("profile source:w")
    }

    #[test]
    fn defaults_to_ilerts_hosts() {
        let c = guide().build().expect("valid");
        for (endpoint, expected) in [
            (
                c.authorize_endpoint().clone(),
                "https://app.ilert.com/api/developers/oauth2/authorize",
            ),
            (
                c.token_endpoint(),
                "https://api.ilert.com/api/developers/oauth2/token",
            ),
            (
                c.token_info_endpoint(),
                "https://api.ilert.com/api/developers/oauth2/token_info",
            ),
            (
                c.revoke_endpoint(),
                "https://api.ilert.com/api/developers/oauth2/revoke",
            ),
        ] {
            assert_eq!(endpoint.as_str(), expected);
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let printed = format!("{:?}", guide().build().expect("valid"));
        assert!(printed.contains("ClientSecret([redacted])"), "{printed}");
        assert!(!printed.contains("3908acda"), "{printed}");
    }

    #[test]
    fn tenant_host_on_ilert_and_on_the_mock() {
        let c = guide().tenant("someTenant").build().expect("valid");
        assert_eq!(
            c.authorize_endpoint().as_str(),
            "https://sometenant.ilert.com/api/developers/oauth2/authorize"
        );
        let c = guide()
            .app_url("http://localhost:4598")
            .tenant("acme")
            .build()
            .expect("valid");
        assert_eq!(
            c.authorize_endpoint().as_str(),
            "http://acme.localhost:4598/api/developers/oauth2/authorize"
        );
        // The token endpoint stays on the API host.
        assert_eq!(
            c.token_endpoint().as_str(),
            "https://api.ilert.com/api/developers/oauth2/token"
        );
        assert!(matches!(
            guide().app_url("http://127.0.0.1:4598").tenant("acme").build(),
            Err(ConfigError::Tenant { .. })
        ));
        assert!(matches!(
            guide().tenant("a.b").build(),
            Err(ConfigError::Tenant { .. })
        ));
    }

    #[test]
    fn base_urls_keep_a_path_prefix() {
        let c = guide()
            .api_url("http://127.0.0.1:4598/ilert/")
            .build()
            .expect("valid");
        assert_eq!(
            c.token_endpoint().as_str(),
            "http://127.0.0.1:4598/ilert/api/developers/oauth2/token"
        );
        assert_eq!(
            c.api_endpoint("/api/users/current").map(String::from).as_deref(),
            Some("http://127.0.0.1:4598/ilert/api/users/current")
        );
    }

    #[test]
    fn api_paths_stay_under_api() {
        let c = guide().build().expect("valid");
        assert_eq!(
            c.api_endpoint("/api/alert-sources?start-index=0")
                .map(String::from)
                .as_deref(),
            Some("https://api.ilert.com/api/alert-sources?start-index=0")
        );
        for bad in [
            "https://evil.example/api/users",
            "//evil.example/api/users",
            "/api/../admin",
            "/api/%2e%2e/admin",
            "/users/current",
            "api/users",
            "/api/x#frag",
        ] {
            assert_eq!(c.api_endpoint(bad), None, "{bad}");
        }
    }

    #[test]
    fn refuses_bad_fields() {
        assert_eq!(
            Config::builder(" ", "http://localhost/x").build().err(),
            Some(ConfigError::EmptyClientId)
        );
        for uri in ["localhost:4597/cb", "ftp://x/cb", "http://x/cb#frag"] {
            assert!(
                matches!(
                    Config::builder("id", uri).build(),
                    Err(ConfigError::RedirectUri { .. })
                ),
                "{uri}"
            );
        }
        assert!(matches!(
            guide().api_url("http://x/?q=1").build(),
            Err(ConfigError::BaseUrl { which: "api", .. })
        ));
        assert!(matches!(guide().scope("a b").build(), Err(ConfigError::Scope(_))));
    }

    #[test]
    fn redirect_uri_is_kept_byte_for_byte() {
        let c = Config::builder("id", "http://localhost:4597")
            .build()
            .expect("valid");
        assert_eq!(c.redirect_uri(), "http://localhost:4597");
    }

    #[test]
    fn duplicate_scopes_are_sent_once() {
        let c = guide().scope("profile").build().expect("valid");
        assert_eq!(Scope::join(c.scopes()), "profile source:w");
    }
}
