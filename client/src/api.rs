//! [`ApiClient`]: calls ilert's REST API with the stored tokens, refreshing them as ilert asks.
//!
//! When to refresh is decided by [`refresh::decide`], a pure function whose module lists the
//! rules. This module only carries its decisions out: each public method takes the one lock
//! over the token state (loading it from the [`TokenStore`] on first use), asks with the time
//! from the [`OAuthClient`]'s clock ([`OAuthClient::with_clock`]), then acts — reads the store
//! for newer tokens, sends the refresh request, saves the result, or answers with an error —
//! before letting go of the lock. Holding the lock from the question to the end of the refresh
//! is what makes concurrent callers share one refresh.
//!
//! A request: [`ApiClient::send`] gets a token ([`Trigger::BeforeCall`]), sends the request,
//! and on a `401` asks again ([`Trigger::After401`]) and retries once with the token it gets,
//! or returns the 401 as [`Error::Api`] when the refresh must wait. Any other non-2xx answer
//! becomes [`Error::Api`] at once.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, ETAG, LOCATION, RETRY_AFTER};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::OAuthClient;
use crate::error::{Endpoint, Error, TokenErrorCode, api_error, excerpt};
use crate::refresh::RefreshPolicy;
use crate::refresh::{self, Decision, RefreshState, Trigger};
use crate::store::{MemoryStore, TokenStore};
use crate::token_set::TokenSet;
use crate::types::AccessToken;

/// One request to ilert's REST API. The body is JSON; the path starts with `/api/`.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<serde_json::Value>,
}

impl ApiRequest {
    /// A request with `method` on `path` (e.g. `/api/alert-sources`; a query string may follow).
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// A `GET`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// A `POST`.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    /// A `PUT`.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path)
    }

    /// A `DELETE`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a request header, e.g. `If-Match` with an `ETag` read before. `Authorization` is
    /// the client's own and is not taken from here.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the JSON body.
    #[must_use]
    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Adds the query parameter `name` once per value, in order: a list filter repeats it, an
    /// unset `Option` leaves it out (ilert reads repeated parameters as "any of").
    #[must_use]
    pub(crate) fn query_each<V: ToString>(mut self, name: &str, values: impl IntoIterator<Item = V>) -> Self {
        for value in values {
            self = self.query(name, value.to_string());
        }
        self
    }

    /// Sets the JSON body to `body` serialised; a body that does not serialise is
    /// [`Error::RequestBody`], before anything is sent.
    pub(crate) fn json_of<B: Serialize + ?Sized>(self, body: &B) -> Result<Self, Error> {
        Ok(self.json(serde_json::to_value(body).map_err(Error::RequestBody)?))
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query parameters added with [`ApiRequest::query`], in order.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A successful (2xx) answer of the REST API.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    status: u16,
    location: Option<String>,
    content_type: Option<String>,
    etag: Option<String>,
    body: Vec<u8>,
}

impl ApiResponse {
    /// The HTTP status (200, 201, 204, …).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Location` header (set on create, 201).
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The `ETag` header (ilert sends one with an incident, for `If-Match`).
    pub fn etag(&self) -> Option<&str> {
        self.etag.as_deref()
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The raw body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body parsed as JSON into `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| Error::UnexpectedResponse {
            endpoint: Endpoint::Api,
            status: self.status,
            detail: format!("{e}; body starts {}", excerpt(&self.body)),
        })
    }
}

/// What the lock guards: the refresh policy's state, loaded from the store on first use.
#[derive(Default)]
struct Held {
    loaded: bool,
    refresh: RefreshState,
}

struct Inner {
    oauth: OAuthClient,
    store: Arc<dyn TokenStore>,
    policy: RefreshPolicy,
    state: tokio::sync::Mutex<Held>,
    /// The last access token ilert accepted (answered other than 401). A plain lock, held for
    /// a comparison only, so marking a success never waits for a refresh in flight.
    accepted: parking_lot::Mutex<Option<AccessToken>>,
}

/// Calls ilert's REST API on behalf of one signed-in user, refreshing tokens by the rules of
/// [`refresh`] and the time of its [`OAuthClient`]'s clock. Cheap to clone; clones share
/// tokens and the refresh lock.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("oauth", &self.inner.oauth)
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// A client whose tokens live in `store` (loaded on first use).
    pub fn new(oauth: OAuthClient, store: Arc<dyn TokenStore>) -> Self {
        Self::with_refresh_policy(oauth, store, RefreshPolicy::default())
    }

    /// A client with a non-default refresh policy.
    pub fn with_refresh_policy(
        oauth: OAuthClient,
        store: Arc<dyn TokenStore>,
        policy: RefreshPolicy,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                oauth,
                store,
                policy,
                state: tokio::sync::Mutex::new(Held::default()),
                accepted: parking_lot::Mutex::new(None),
            }),
        }
    }

    /// A client for `tokens` kept in memory only.
    pub fn with_tokens(oauth: OAuthClient, tokens: TokenSet) -> Self {
        Self::new(oauth, Arc::new(MemoryStore::with_tokens(tokens)))
    }

    /// The OAuth2 client.
    pub fn oauth(&self) -> &OAuthClient {
        &self.inner.oauth
    }

    /// The token store.
    pub fn store(&self) -> &Arc<dyn TokenStore> {
        &self.inner.store
    }

    /// The refresh policy.
    pub fn refresh_policy(&self) -> RefreshPolicy {
        self.inner.policy
    }

    /// The current tokens, as stored (no refresh).
    pub async fn tokens(&self) -> Result<Option<TokenSet>, Error> {
        let state = self.lock_loaded().await?;
        Ok(state.refresh.tokens.clone())
    }

    /// Stores new tokens (after a sign-in) and uses them from now on.
    pub async fn set_tokens(&self, tokens: TokenSet) -> Result<(), Error> {
        let mut state = self.inner.state.lock().await;
        self.inner.store.save(&tokens)?;
        state.refresh.use_tokens(tokens);
        state.loaded = true;
        Ok(())
    }

    /// An access token to use now, refreshed first when it is about to expire.
    pub async fn access_token(&self) -> Result<AccessToken, Error> {
        let mut state = self.lock_loaded().await?;
        // Before a call, every answer but an error leaves a token to use.
        self.decide_and_act(&mut state, Trigger::BeforeCall).await?;
        state.refresh.access_token()
    }

    /// Refreshes now, whatever the policy says (an explicit user request), and returns the
    /// new tokens. Concurrent calls still share one refresh request.
    pub async fn refresh_now(&self) -> Result<TokenSet, Error> {
        let mut state = self.lock_loaded().await?;
        self.decide_and_act(&mut state, Trigger::Explicit).await?;
        state.refresh.tokens.clone().ok_or(Error::NotSignedIn)
    }

    /// Signs out: revokes the refresh token at ilert (when there is one) and clears the store.
    /// Returns whether a refresh token was revoked. Access tokens already issued stay valid
    /// until they expire (behaviour.md §9).
    pub async fn revoke(&self) -> Result<bool, Error> {
        let mut state = self.lock_loaded().await?;
        let tokens = state.refresh.tokens.as_ref().ok_or(Error::NotSignedIn)?;
        let revoked = match &tokens.refresh_token {
            Some(refresh) => {
                self.inner.oauth.revoke(refresh).await?;
                true
            }
            None => false,
        };
        self.inner.store.clear()?;
        state.refresh.forget_tokens();
        Ok(revoked)
    }

    /// Sends a request with the access token; on 401 refreshes once and retries once.
    /// A non-2xx answer becomes [`Error::Api`].
    pub async fn send(&self, request: ApiRequest) -> Result<ApiResponse, Error> {
        let url = self
            .inner
            .oauth
            .config()
            .api_endpoint(&request.path)
            .ok_or_else(|| Error::InvalidApiPath(request.path.clone()))?;
        let token = self.access_token().await?;
        let mut answer = self.send_once(&request, &url, &token).await?;
        if answer.0.status == 401 {
            if let Some(fresh) = self.renew_after_401(&token).await? {
                tracing::debug!(path = %request.path, "retrying after a 401 with a new access token");
                answer = self.send_once(&request, &url, &fresh).await?;
                if answer.0.status != 401 {
                    self.mark_accepted(&fresh);
                }
            }
        } else {
            self.mark_accepted(&token);
        }
        let (response, retry_after) = answer;
        if (200..300).contains(&response.status) {
            Ok(response)
        } else {
            Err(Error::Api(api_error(
                request.method.as_str(),
                &request.path,
                response.status,
                retry_after,
                &response.body,
            )))
        }
    }

    /// Sends `request` and parses the JSON answer.
    pub async fn fetch<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T, Error> {
        self.send(request).await?.json()
    }

    /// `GET path`, parsing the JSON answer.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.fetch(ApiRequest::get(path)).await
    }

    /// `POST path` with a JSON body, parsing the JSON answer.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        self.fetch(ApiRequest::post(path).json_of(body)?).await
    }

    /// `PUT path` with a JSON body, parsing the JSON answer.
    pub async fn put<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        self.fetch(ApiRequest::put(path).json_of(body)?).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Result<(), Error> {
        self.send(ApiRequest::delete(path)).await.map(drop)
    }

    /// The lock over the token state, loaded from the store the first time.
    async fn lock_loaded(&self) -> Result<tokio::sync::MutexGuard<'_, Held>, Error> {
        let mut state = self.inner.state.lock().await;
        if !state.loaded {
            state.refresh = RefreshState::new(self.inner.store.load()?);
            state.loaded = true;
        }
        Ok(state)
    }

    fn mark_accepted(&self, token: &AccessToken) {
        let mut accepted = self.inner.accepted.lock();
        if accepted.as_ref() != Some(token) {
            *accepted = Some(token.clone());
        }
    }

    /// After a 401 for `rejected`: the token to retry with, or `None` to give up.
    async fn renew_after_401(&self, rejected: &AccessToken) -> Result<Option<AccessToken>, Error> {
        let mut state = self.lock_loaded().await?;
        state.refresh.record_rejected(rejected);
        let accepted_before = self.inner.accepted.lock().as_ref() == Some(rejected);
        let trigger = Trigger::After401 {
            rejected,
            accepted_before,
        };
        if self.decide_and_act(&mut state, trigger).await? {
            state.refresh.access_token().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Asks [`refresh::decide`] and carries the decision out, with the lock held. `Ok(true)`:
    /// go on with the current tokens; `Ok(false)`: the refresh must wait, keep the 401.
    async fn decide_and_act(&self, state: &mut Held, trigger: Trigger<'_>) -> Result<bool, Error> {
        let now = self.inner.oauth.now();
        let policy = &self.inner.policy;
        let decision = refresh::decide(&state.refresh, now, policy, trigger);
        if decision.looks_in_store(trigger) && self.adopt_stored(state, now) {
            return Ok(true);
        }
        match decision {
            Decision::UseAsIs => Ok(true),
            Decision::Wait { until } => {
                if let Trigger::After401 { .. } = trigger {
                    tracing::warn!(
                        "ilert rejects the access token it issued at the last refresh; not refreshing again \
                         within {} s (ilert asks for at most one refresh per 5 minutes)",
                        policy.min_interval.as_secs()
                    );
                    return Ok(false);
                }
                tracing::debug!(until, "not refreshing yet; using the current access token");
                Ok(true)
            }
            Decision::SignInAgain(reason) => Err(reason.into()),
            Decision::Refresh(reason) => match self.refresh_locked(state, now).await {
                Ok(()) => Ok(true),
                Err(e) if reason.keeps_current_on_failure() => {
                    tracing::warn!(error = %e, "refreshing ahead of expiry failed; using the current access token");
                    Ok(true)
                }
                Err(e) => Err(e),
            },
        }
    }

    /// Takes newer, valid tokens from the store (rule 6 of [`refresh`]). Returns whether it did.
    fn adopt_stored(&self, state: &mut Held, now: u64) -> bool {
        match self.inner.store.load() {
            Ok(Some(stored))
                if refresh::newer_in_store(
                    state.refresh.tokens.as_ref(),
                    &stored,
                    now,
                    &self.inner.policy,
                ) =>
            {
                tracing::debug!("using newer tokens found in the store");
                state.refresh.use_tokens(stored);
                true
            }
            Ok(_) => false,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the token store");
                false
            }
        }
    }

    /// The refresh request itself, with the lock held; the result is stored.
    async fn refresh_locked(&self, state: &mut Held, now: u64) -> Result<(), Error> {
        let tokens = state.refresh.tokens.as_ref().ok_or(Error::NotSignedIn)?;
        let refresh_token = tokens.refresh_token.clone().ok_or(Error::NoRefreshToken)?;
        state.refresh.record_attempt(now);
        tracing::info!("refreshing the ilert access token");
        match self.inner.oauth.refresh(&refresh_token).await {
            Ok(fresh) => {
                let fresh = state.refresh.record_refresh(fresh, now);
                Ok(self.inner.store.save(fresh)?)
            }
            Err(Error::Token(e)) if e.code == TokenErrorCode::InvalidGrant => {
                state.refresh.record_revoked(refresh_token, e.clone());
                Err(Error::Token(e))
            }
            Err(e) => Err(e),
        }
    }

    /// One HTTP exchange; returns the response and its `Retry-After` seconds.
    async fn send_once(
        &self,
        request: &ApiRequest,
        url: &Url,
        token: &AccessToken,
    ) -> Result<(ApiResponse, Option<u64>), Error> {
        let mut builder = self
            .inner
            .oauth
            .http_client()
            .request(request.method.clone(), url.clone())
            .bearer_auth(token.secret())
            .header(ACCEPT, "application/json");
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        for (name, value) in &request.headers {
            if !name.eq_ignore_ascii_case(AUTHORIZATION.as_str()) {
                builder = builder.header(name.as_str(), value.as_str());
            }
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = builder.send().await.map_err(|e| Error::transport(url, e))?;
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header(LOCATION);
        let content_type = header(CONTENT_TYPE);
        let etag = header(ETAG);
        let retry_after = header(RETRY_AFTER).and_then(|v| v.trim().parse().ok());
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::transport(url, e))?
            .to_vec();
        Ok((
            ApiResponse {
                status,
                location,
                content_type,
                etag,
                body,
            },
            retry_after,
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::Duration;

    use axum::Json;
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use parking_lot::Mutex;
    use serde_json::json;

    use super::*;
    use crate::config::Config;
    use crate::test_support::{T0, TestClock, stub};
    use crate::token_set::Grant;
    use crate::types::RefreshToken;

    /// A stand-in for ilert: a token endpoint that mints `access-N`, and an API that accepts
    /// only the tokens in `accepted`.
    #[derive(Clone, Default)]
    struct Ilert {
        refreshes: Arc<AtomicUsize>,
        api_calls: Arc<AtomicUsize>,
        accepted: Arc<Mutex<Vec<String>>>,
        accept_nothing: Arc<AtomicBool>,
        refuse_refresh: Arc<AtomicBool>,
    }

    impl Ilert {
        fn accept(&self, token: &str) {
            self.accepted.lock().push(token.to_owned());
        }
        fn refreshes(&self) -> usize {
            self.refreshes.load(Ordering::SeqCst)
        }
        fn api_calls(&self) -> usize {
            self.api_calls.load(Ordering::SeqCst)
        }
    }

    async fn token(State(ilert): State<Ilert>, body: String) -> Response {
        let n = ilert.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        // Slow enough that concurrent callers overlap with the refresh.
        tokio::time::sleep(Duration::from_millis(50)).await;
        if ilert.refuse_refresh.load(Ordering::SeqCst) {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"code":"invalid_grant","error":"Provided refresh token is invalid"})),
            )
                .into_response();
        }
        assert!(body.contains("grant_type=refresh_token") && body.contains("refresh_token=refresh-0"));
        let access = format!("access-{n}");
        ilert.accept(&access);
        Json(json!({"token_type":"Bearer","access_token":access,"expires_in":3600,"scope":"profile"}))
            .into_response()
    }

    async fn current_user(State(ilert): State<Ilert>, headers: HeaderMap) -> Response {
        ilert.api_calls.fetch_add(1, Ordering::SeqCst);
        let bearer = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_owned();
        if !ilert.accept_nothing.load(Ordering::SeqCst) && ilert.accepted.lock().contains(&bearer) {
            Json(
                json!({"id":1001,"username":"someUser","firstName":"Some","lastName":"User",
                        "email":"some.user@example.com"}),
            )
            .into_response()
        } else {
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({"status":401,"message":"Unauthorized","code":"UNAUTHORIZED"})),
            )
                .into_response()
        }
    }

    async fn forbidden(State(ilert): State<Ilert>) -> Response {
        ilert.api_calls.fetch_add(1, Ordering::SeqCst);
        (
            StatusCode::FORBIDDEN,
            Json(json!({"status":403,"message":"Missing scope source","code":"FORBIDDEN"})),
        )
            .into_response()
    }

    /// A stand-in for ilert, and a client whose clock stands at [`T0`] until the test moves it.
    async fn start() -> (Ilert, OAuthClient) {
        let (ilert, oauth, _clock) = start_with_clock().await;
        (ilert, oauth)
    }

    async fn start_with_clock() -> (Ilert, OAuthClient, TestClock) {
        let ilert = Ilert::default();
        let router = axum::Router::new()
            .route("/api/developers/oauth2/token", axum::routing::post(token))
            .route("/api/users/current", axum::routing::get(current_user))
            .route("/api/alert-sources", axum::routing::get(forbidden))
            .with_state(ilert.clone());
        let base = stub(router).await;
        let config = Config::builder("id", "http://localhost:4597/authorize-result")
            .client_secret("secret")
            .app_url(&base)
            .api_url(&base)
            .build()
            .expect("config");
        let clock = TestClock::new();
        let oauth = OAuthClient::new(config)
            .expect("client")
            .with_clock(clock.clone());
        (ilert, oauth, clock)
    }

    /// Tokens `access-0` / `refresh-0` expiring in `expires_in` seconds after [`T0`] (negative:
    /// expired), refreshed `refreshed_ago` seconds before it (or obtained from a code).
    /// The stub ilert, and an API client holding `tokens(expires_in, refreshed_ago)` in memory.
    async fn api_with(expires_in: i64, refreshed_ago: Option<u64>) -> (Ilert, ApiClient) {
        let (ilert, oauth) = start().await;
        (
            ilert,
            ApiClient::with_tokens(oauth, tokens(expires_in, refreshed_ago)),
        )
    }

    fn tokens(expires_in: i64, refreshed_ago: Option<u64>) -> TokenSet {
        let now = T0;
        TokenSet {
            access_token: AccessToken::new("access-0"),
            token_type: "Bearer".into(),
            expires_at: now.saturating_add_signed(expires_in),
            scope: "profile".into(),
            refresh_token: Some(RefreshToken::new("refresh-0")),
            refresh_expires_at: Some(now + 1000),
            obtained_at: now - refreshed_ago.unwrap_or(10),
            obtained_by: if refreshed_ago.is_some() {
                Grant::RefreshToken
            } else {
                Grant::AuthorizationCode
            },
        }
    }

    async fn whoami(api: &ApiClient) -> Result<serde_json::Value, Error> {
        get_json(api, "/api/users/current").await
    }

    /// `GET path`, read as any JSON.
    async fn get_json(api: &ApiClient, path: &str) -> Result<serde_json::Value, Error> {
        api.get(path).await
    }

    /// `callers` concurrent [`whoami`] calls, each of which must succeed.
    async fn whoami_at_once(api: &ApiClient, callers: usize) {
        let calls: Vec<_> = (0..callers)
            .map(|_| {
                let api = api.clone();
                tokio::spawn(async move { whoami(&api).await })
            })
            .collect();
        for call in calls {
            call.await.expect("joins").expect("user");
        }
    }

    #[tokio::test]
    async fn a_valid_token_is_used_as_is() {
        let (ilert, api) = api_with(3600, None).await;
        ilert.accept("access-0");
        let user = whoami(&api).await.expect("user");
        assert_eq!(user["username"], "someUser");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (0, 1));
    }

    #[tokio::test]
    async fn refreshes_ahead_of_expiry_and_stores_the_result() {
        let (ilert, oauth) = start().await;
        let initial = tokens(30, None);
        let store = Arc::new(MemoryStore::with_tokens(initial.clone()));
        let api = ApiClient::new(oauth, store.clone());
        whoami(&api).await.expect("user");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (1, 1));
        let stored = store.load().expect("loads").expect("tokens");
        assert_eq!(stored.access_token.secret(), "access-1");
        assert_eq!(stored.refresh_token, Some(RefreshToken::new("refresh-0")));
        assert_eq!(stored.refresh_expires_at, initial.refresh_expires_at);
        assert_eq!(stored.obtained_by, Grant::RefreshToken);
    }

    #[tokio::test]
    async fn a_recent_refresh_postpones_the_early_one() {
        let (ilert, api) = api_with(30, Some(60)).await;
        ilert.accept("access-0");
        whoami(&api).await.expect("user");
        assert_eq!(ilert.refreshes(), 0, "still valid and refreshed a minute ago");
    }

    #[tokio::test]
    async fn an_expired_token_is_refreshed_even_soon_after_a_refresh() {
        let (ilert, api) = api_with(-1, Some(60)).await;
        whoami(&api).await.expect("user");
        assert_eq!(ilert.refreshes(), 1);
    }

    #[tokio::test]
    async fn a_401_refreshes_once_and_retries_once() {
        let (ilert, api) = api_with(3600, None).await;
        whoami(&api).await.expect("user after refresh");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (1, 2));
    }

    #[tokio::test]
    async fn a_persistent_401_gives_up_and_does_not_refresh_again_within_five_minutes() {
        let (ilert, api) = api_with(3600, None).await;
        ilert.accept_nothing.store(true, Ordering::SeqCst);
        let err = whoami(&api).await.expect_err("rejected");
        assert!(
            matches!(&err, Error::Api(e) if e.status == 401 && e.code.as_deref() == Some("UNAUTHORIZED"))
        );
        assert!(err.requires_sign_in());
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (1, 2));
        let _ = whoami(&api).await.expect_err("still rejected");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (1, 3));
    }

    #[tokio::test]
    async fn a_token_that_worked_is_refreshed_on_a_401_even_soon_after_a_refresh() {
        let (ilert, api) = api_with(3600, Some(10)).await;
        ilert.accept("access-0");
        // Refreshed ten seconds ago (by another run); ilert accepts it at first.
        whoami(&api).await.expect("user");
        // Then ilert stops accepting it (its clock moved on, say): one refresh, one retry.
        ilert.accepted.lock().clear();
        whoami(&api).await.expect("user after refresh");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (1, 3));
        // The new token works, then is rejected too: it was accepted, so it is renewed again.
        ilert.accepted.lock().clear();
        whoami(&api).await.expect("user after a second refresh");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (2, 5));
    }

    #[tokio::test]
    async fn with_no_minimum_interval_every_401_may_refresh() {
        let (ilert, oauth) = start().await;
        ilert.accept_nothing.store(true, Ordering::SeqCst);
        let policy = RefreshPolicy {
            min_interval: Duration::ZERO,
            ..RefreshPolicy::default()
        };
        let api = ApiClient::with_refresh_policy(
            oauth,
            Arc::new(MemoryStore::with_tokens(tokens(3600, None))),
            policy,
        );
        let _ = whoami(&api).await.expect_err("rejected");
        let _ = whoami(&api).await.expect_err("rejected");
        assert_eq!(ilert.refreshes(), 2);
    }

    #[tokio::test]
    async fn a_persistent_401_may_refresh_again_once_five_minutes_have_passed() {
        let (ilert, oauth, clock) = start_with_clock().await;
        ilert.accept_nothing.store(true, Ordering::SeqCst);
        let api = ApiClient::with_tokens(oauth, tokens(3600, None));
        let _ = whoami(&api).await.expect_err("rejected");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (1, 2));
        clock.advance(299);
        let _ = whoami(&api).await.expect_err("rejected");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (1, 3));
        clock.advance(1);
        let _ = whoami(&api).await.expect_err("rejected");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (2, 5));
    }

    #[tokio::test]
    async fn a_postponed_early_refresh_happens_once_the_interval_has_passed() {
        let (ilert, oauth, clock) = start_with_clock().await;
        ilert.accept("access-0");
        let policy = RefreshPolicy {
            margin: Duration::from_secs(600),
            ..RefreshPolicy::default()
        };
        // Within the ten-minute margin from the start, refreshed a minute before it.
        let api = ApiClient::with_refresh_policy(
            oauth,
            Arc::new(MemoryStore::with_tokens(tokens(500, Some(60)))),
            policy,
        );
        whoami(&api).await.expect("user");
        clock.advance(239);
        whoami(&api).await.expect("user");
        assert_eq!(ilert.refreshes(), 0, "the last refresh was 299 s ago");
        clock.advance(1);
        whoami(&api).await.expect("user");
        assert_eq!(ilert.refreshes(), 1);
        let stored = api.tokens().await.expect("loads").expect("tokens");
        assert_eq!(stored.access_token.secret(), "access-1");
        assert_eq!(stored.refreshed_at(), Some(T0 + 240));
    }

    #[tokio::test]
    async fn a_403_is_not_refreshed() {
        let (ilert, api) = api_with(3600, None).await;
        let err = get_json(&api, "/api/alert-sources").await.expect_err("forbidden");
        assert!(
            matches!(&err, Error::Api(e) if e.status == 403 && e.message.as_deref() == Some("Missing scope source"))
        );
        assert!(!err.requires_sign_in());
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (0, 1));
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_refresh() {
        let (ilert, api) = api_with(-5, None).await;
        whoami_at_once(&api, 16).await;
        assert_eq!(ilert.refreshes(), 1);
        assert_eq!(ilert.api_calls(), 16);
    }

    #[tokio::test]
    async fn concurrent_401s_share_one_refresh() {
        let (ilert, api) = api_with(3600, None).await;
        whoami_at_once(&api, 8).await;
        assert_eq!(ilert.refreshes(), 1);
    }

    #[tokio::test]
    async fn a_dead_refresh_token_is_not_retried() {
        let (ilert, api) = api_with(-5, None).await;
        ilert.refuse_refresh.store(true, Ordering::SeqCst);
        for _ in 0..3 {
            let err = whoami(&api).await.expect_err("grant is gone");
            assert_eq!(err.token_error_code(), Some(&TokenErrorCode::InvalidGrant));
            assert!(err.requires_sign_in());
        }
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (1, 0));
    }

    #[tokio::test]
    async fn without_a_refresh_token_an_expired_token_needs_a_sign_in() {
        let (ilert, oauth) = start().await;
        let mut t = tokens(-5, None);
        t.refresh_token = None;
        let api = ApiClient::with_tokens(oauth, t);
        assert!(matches!(whoami(&api).await, Err(Error::NoRefreshToken)));
        assert_eq!(ilert.refreshes(), 0);
    }

    #[tokio::test]
    async fn nothing_stored_is_not_signed_in() {
        let (_ilert, oauth) = start().await;
        let api = ApiClient::new(oauth, Arc::new(MemoryStore::new()));
        assert!(matches!(whoami(&api).await, Err(Error::NotSignedIn)));
    }

    #[tokio::test]
    async fn paths_outside_api_are_refused_before_sending() {
        let (ilert, api) = api_with(3600, None).await;
        let err = get_json(&api, "https://evil.example/api/users/current")
            .await
            .expect_err("refused");
        assert!(matches!(err, Error::InvalidApiPath(_)));
        assert_eq!(ilert.api_calls(), 0);
    }

    #[tokio::test]
    async fn newer_tokens_from_another_process_are_used_instead_of_refreshing() {
        let (ilert, oauth) = start().await;
        let store = Arc::new(MemoryStore::with_tokens(tokens(3600, None)));
        let api = ApiClient::new(oauth, store.clone());
        api.tokens().await.expect("loads");
        // Another process signs in again and stores its tokens.
        let mut other = tokens(3600, None);
        other.access_token = AccessToken::new("access-other");
        store.save(&other).expect("saves");
        ilert.accept("access-other");
        whoami(&api).await.expect("user");
        assert_eq!((ilert.refreshes(), ilert.api_calls()), (0, 2));
    }

    #[tokio::test]
    async fn an_explicit_refresh_ignores_the_interval() {
        let (ilert, api) = api_with(3600, Some(10)).await;
        let fresh = api.refresh_now().await.expect("refreshed");
        assert_eq!(fresh.access_token.secret(), "access-1");
        assert_eq!(ilert.refreshes(), 1);
    }

    #[tokio::test]
    async fn revoke_forgets_the_tokens() {
        let revoked = Arc::new(AtomicUsize::new(0));
        let counter = revoked.clone();
        let base = stub(axum::Router::new().route(
            "/api/developers/oauth2/revoke",
            axum::routing::post(move |body: String| {
                assert_eq!(body, "token=refresh-0");
                counter.fetch_add(1, Ordering::SeqCst);
                async {}
            }),
        ))
        .await;
        let config = Config::builder("id", "http://localhost:1/cb")
            .api_url(&base)
            .build()
            .expect("config");
        let store = Arc::new(MemoryStore::with_tokens(tokens(3600, None)));
        let api = ApiClient::new(OAuthClient::new(config).expect("client"), store.clone());
        assert!(api.revoke().await.expect("revoked"));
        assert_eq!(revoked.load(Ordering::SeqCst), 1);
        assert_eq!(store.load().expect("loads"), None);
        assert!(matches!(api.access_token().await, Err(Error::NotSignedIn)));
    }

    #[test]
    fn debug_shows_no_secret() {
        let config = Config::builder("id", "http://localhost:4597/authorize-result")
            .client_secret("super-secret")
            .build()
            .expect("config");
        let api = ApiClient::with_tokens(OAuthClient::new(config).expect("client"), tokens(3600, None));
        let printed = format!("{api:?}");
        assert!(
            !printed.contains("super-secret") && !printed.contains("access-0"),
            "{printed}"
        );
    }
}
