//! A client for ilert's OAuth2 apps, as a Rust backend uses it: build the authorize URL,
//! exchange the code, refresh, inspect and revoke tokens, and call ilert's REST API on the
//! user's behalf.
//!
//! ```no_run
//! use std::sync::Arc;
//! use ilert_oauth2_client::{ApiClient, Config, CsrfToken, FileStore, OAuthClient, Pkce, parse_callback};
//!
//! # async fn run(callback_query: &str) -> Result<(), ilert_oauth2_client::Error> {
//! let config = Config::builder("0501439fd7dee9af0c25", "http://localhost:4597/authorize-result")
//!     .client_secret("3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad")
//!     .scopes("profile source:w")
//!     // .app_url(mock.base_url()).api_url(mock.base_url())   // against the mock
//!     .build()?;
//! let oauth = OAuthClient::new(config)?;
//!
//! // 1. Send the browser to ilert; keep `state` and the PKCE verifier in the session.
//! let authorize = oauth.authorize_url(&CsrfToken::new_random(), Pkce::S256);
//! println!("open {}", authorize.url);
//!
//! // 2. On the redirect back: check `state`, trade the code for tokens.
//! let code = parse_callback(callback_query, Some(&authorize.state))?;
//! let tokens = oauth.exchange_code(&code, authorize.pkce_verifier.as_ref()).await?;
//!
//! // 3. Call the API; tokens are refreshed and stored as needed.
//! let api = ApiClient::new(oauth, Arc::new(FileStore::new("tokens.json")));
//! api.set_tokens(tokens).await?;
//! let me = api.current_user().await?;
//! println!("signed in as {:?}", me.username);
//! # Ok(()) }
//! ```
//!
//! # Design
//!
//! - **A module per flow, one job each**, after oauth2-rs. [`OAuthClient`] is the bare
//!   protocol — one call, one request, no hidden state — and each endpoint adds its methods in
//!   its own module: `authorize` builds the browser URL and reads the redirect back
//!   ([`OAuthClient::authorize_url`], [`parse_callback`]); `token` exchanges and refreshes;
//!   `token_info` and `revoke` wrap theirs. [`TokenSet`] has a module of its own (`token_set`)
//!   that every other one may use, so the endpoints, the stores and the refresh policy read the
//!   same type without depending on each other.
//! - **Refreshing is a pure policy.** When to refresh is [`refresh::decide`] (module [`refresh`]): a
//!   function of the [`refresh::RefreshState`], the time, the [`refresh::RefreshPolicy`] and the [`refresh::Trigger`]
//!   (before a call, after a 401, on request) that answers a [`refresh::Decision`] — use the token as it
//!   is, refresh, wait, or sign in again. It reads no store, sends nothing and has no clock of
//!   its own, so every rule (refresh shortly before expiry, refresh once and retry once on a
//!   401, ilert's "not more than once per 5 minutes", give up on a token ilert's own last
//!   refresh issued and still rejects, a dead grant or no refresh token means a new sign-in,
//!   newer tokens from another process win) is tested without a server or a sleep.
//!   [`ApiClient`] (`src/api.rs`) carries the decisions out: it loads the state, asks, and
//!   acts — store, HTTP — under one lock, so concurrent callers share one refresh.
//! - **An injectable clock.** Every time the client reads — the expiry of the tokens it obtains,
//!   every refresh decision — comes from the [`Clock`] of its [`OAuthClient`]: the system clock
//!   ([`SystemClock`]) unless [`OAuthClient::with_clock`] hands in another, such as a closure a
//!   test moves itself.
//! - **Two base URLs.** ilert serves the authorize page on `app.ilert.com` (or a tenant's own
//!   host) and everything else on `api.ilert.com`; [`Config`] keeps both, so pointing a client
//!   at the mock means setting both to the mock's address.
//! - **Secrets are newtypes** ([`ClientSecret`], [`AccessToken`], [`RefreshToken`],
//!   [`AuthorizationCode`], [`PkceCodeVerifier`]) whose `Debug` prints `Name([redacted])`, so
//!   configs, token sets and clients can be logged safely.
//! - **ilert's own error shapes are kept.** The token endpoints answer
//!   `{"code": "invalid_grant", "error": "Provided code is unknown"}` and the REST API
//!   `{"status", "message", "code"}`; [`Error::Token`] and [`Error::Api`] keep those fields
//!   apart from transport and local errors, and every message says what to do next.
//! - **Tokens are stored through a trait.** [`TokenStore`] has an in-memory and a file
//!   implementation; the file is written atomically with mode `0600`.
//! - **Transport** is reqwest with rustls (no system OpenSSL); no redirect is ever followed,
//!   and the access token is only ever sent to paths under the API base URL's `/api/`.

mod alerts;
mod api;
mod authorize;
mod client;
mod clock;
mod config;
mod error;
mod incidents;
mod pkce;
pub mod refresh;
mod resources;
mod revoke;
mod store;
mod teams;
mod token;
mod token_info;
mod token_set;
mod types;

#[cfg(test)]
mod test_support;

pub use alerts::{Alert, AlertQuery};
pub use api::{ApiClient, ApiRequest, ApiResponse};
pub use authorize::{AuthorizeUrl, parse_callback};
pub use client::{DEFAULT_TIMEOUT, OAuthClient, USER_AGENT, http_client_builder};
pub use clock::{Clock, SystemClock, unix_now};
pub use config::{Config, ConfigBuilder, ConfigError, ILERT_API_URL, ILERT_APP_URL};
pub use error::{ApiError, Endpoint, Error, TokenError, TokenErrorCode};
pub use incidents::{
    AffectedService, Impact, Incident, IncidentQuery, IncidentUpdate, NewIncident, NewService, PublishInfo,
    Service, Subscriber, Versioned,
};
pub use pkce::{Pkce, S256};
pub use resources::{AlertSource, Created, EscalationPolicy, IdRef, NewAlertSource, Page, TeamRef, User};
pub use store::{FileStore, MemoryStore, StoreError, TokenStore};
pub use teams::{NewTeam, NewTeamMember, OnCall, OnCallQuery, ScheduleRef, Team, TeamMember};
pub use token::DEFAULT_ACCESS_LIFETIME_SECS;
pub use token_info::TokenInfo;
pub use token_set::{Grant, TokenSet};
pub use types::{
    AccessToken, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RefreshToken, Scope,
};
