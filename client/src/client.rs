//! [`OAuthClient`]: the config plus an HTTP client; each endpoint adds its methods in its own
//! module (`authorize`, `token`, `token_info`, `revoke`).

use std::sync::Arc;
use std::time::Duration;

use reqwest::redirect::Policy;
use url::Url;

use crate::clock::{Clock, SharedClock};
use crate::config::Config;
use crate::error::{Endpoint, Error, oauth_error};

/// Timeout of one request to ilert, unless a custom HTTP client is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The user agent sent to ilert.
pub const USER_AGENT: &str = concat!("ilert-oauth2-client/", env!("CARGO_PKG_VERSION"));

/// The HTTP client settings [`OAuthClient::new`] uses: rustls, [`USER_AGENT`], a
/// [`DEFAULT_TIMEOUT`], and no redirects followed. Add to them (another trusted CA with
/// `tls_certs_merge`, a proxy) and pass the client to [`OAuthClient::with_http_client`].
pub fn http_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(DEFAULT_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .redirect(Policy::none())
}

/// Talks to ilert's OAuth2 endpoints for one app. Cheap to clone (the config is shared and
/// reqwest's client is a handle to one connection pool).
///
/// `Debug` is safe to log: the client secret is redacted.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    config: Arc<Config>,
    http: reqwest::Client,
    clock: SharedClock,
}

impl OAuthClient {
    /// A client with a default HTTP client: rustls, a 30 s timeout, and no redirects followed
    /// (a token request is never re-sent elsewhere, and a bearer token never follows a
    /// redirect).
    pub fn new(config: Config) -> Result<Self, Error> {
        let http = http_client_builder()
            .build()
            .map_err(|e| Error::transport(config.api_url(), e))?;
        Ok(Self::with_http_client(config, http))
    }

    /// A client on a given HTTP client (proxies, custom roots, timeouts). Configure it not to
    /// follow redirects.
    pub fn with_http_client(config: Config, http: reqwest::Client) -> Self {
        Self {
            config: Arc::new(config),
            http,
            clock: SharedClock::system(),
        }
    }

    /// The same client reading the time from `clock` instead of the system clock: for the
    /// expiry of the tokens it obtains, and for every refresh decision of an
    /// [`ApiClient`](crate::ApiClient) built on it. A closure `Fn() -> u64` (Unix seconds) is a
    /// clock, so a test can move time itself instead of sleeping.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = SharedClock::new(clock);
        self
    }

    /// The time by this client's clock, in Unix seconds.
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The HTTP client.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// POSTs a form to an OAuth2 endpoint and returns the body of a 2xx answer; any other
    /// answer becomes [`Error::Token`] (or another variant when not in an OAuth2 shape).
    pub(crate) async fn post_form(
        &self,
        endpoint: Endpoint,
        url: Url,
        form: &[(&str, &str)],
    ) -> Result<(u16, Vec<u8>), Error> {
        let response = self
            .http
            .post(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .map_err(|e| Error::transport(&url, e))?;
        let status = response.status().as_u16();
        // A rate limiter in front of the token endpoint (the mock's counts every `/api/` path
        // but authorize) answers 429 in the REST shape; keep its `Retry-After` as the API
        // client does.
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::transport(&url, e))?
            .to_vec();
        if (200..300).contains(&status) {
            Ok((status, body))
        } else {
            let mut error = oauth_error(endpoint, status, &body);
            if let Error::Api(e) = &mut error {
                e.retry_after = retry_after;
            }
            Err(error)
        }
    }
}
