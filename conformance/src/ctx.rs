//! A case's view of the server: raw HTTP that records a transcript, and the few steps most cases
//! need (consent, code exchange, refresh, an access token, a user of their own, the clock).
//!
//! Every request goes through [`Req::send`], which records the exchange (request and response
//! views, secrets redacted, JWTs decoded) in the case's transcript unless marked
//! [`Req::quiet`]. Preparation steps — creating the case's user, obtaining a token for an API
//! case — are quiet, so a transcript shows what the case is about. Redirects are never followed:
//! the suite checks `Location` headers itself.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::case::Stop;
use crate::jwt;
use crate::target::{App, PKCE_CHALLENGE, PKCE_VERIFIER, Target, paths};
use crate::view::{self, Entry, Exchange, RequestView, ResponseView};

/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// What every case of one run shares: the target, one HTTP client, whether `/_mock/` answers.
#[derive(Debug)]
pub struct Shared {
    pub(crate) target: Target,
    pub(crate) http: reqwest::Client,
    pub(crate) control: bool,
    /// On a mock: the suite's own apps and users ([`crate::sandbox`]).
    pub(crate) sandbox: Option<crate::sandbox::Sandbox>,
    supplied_access: tokio::sync::OnceCell<Result<String, String>>,
}

impl Shared {
    pub(crate) fn new(
        target: Target,
        http: reqwest::Client,
        control: bool,
        sandbox: Option<crate::sandbox::Sandbox>,
    ) -> Self {
        Self {
            target,
            http,
            control,
            sandbox,
            supplied_access: tokio::sync::OnceCell::new(),
        }
    }
}

/// The transcript and bookkeeping of one case.
#[derive(Debug, Default)]
pub(crate) struct CaseLog {
    entries: Mutex<Vec<Entry>>,
    users: AtomicUsize,
    clock_moved: AtomicI64,
}

impl CaseLog {
    pub(crate) fn take_entries(&self) -> Vec<Entry> {
        std::mem::take(&mut *self.entries.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn clock_moved(&self) -> i64 {
        self.clock_moved.load(Ordering::SeqCst)
    }

    fn push(&self, entry: Entry) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }
}

/// The context a case runs in. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Cx {
    shared: Arc<Shared>,
    case_id: &'static str,
    log: Arc<CaseLog>,
}

/// The user's answer on the grant view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Press Grant.
    Grant,
    /// Press Deny.
    Deny,
}

/// What to authorize: app, user, scopes, and optionally PKCE (RFC 7636 Appendix B's verifier),
/// a tenant host and a state.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    /// The app.
    pub app: &'a App,
    /// Who consents.
    pub user: &'a str,
    /// The `scope` parameter.
    pub scope: &'a str,
    /// PKCE: the verifier sent at the token endpoint and its S256 challenge sent at authorize.
    pub pkce: Option<(&'a str, &'a str)>,
    /// Authorize on `{tenant}.localhost:{port}`.
    pub tenant: Option<&'a str>,
    /// The `state` parameter.
    pub state: Option<&'a str>,
}

impl<'a> Grant<'a> {
    /// `app` authorized by `user` for `scope`, no PKCE, no tenant host, state `conformance`.
    pub fn new(app: &'a App, user: &'a str, scope: &'a str) -> Self {
        Self {
            app,
            user,
            scope,
            pkce: None,
            tenant: None,
            state: Some("conformance"),
        }
    }

    /// With an S256 challenge.
    #[must_use]
    pub fn pkce(mut self) -> Self {
        self.pkce = Some((PKCE_VERIFIER, PKCE_CHALLENGE));
        self
    }

    /// With PKCE using `verifier` and its S256 `challenge`.
    #[must_use]
    pub fn pkce_with(mut self, verifier: &'a str, challenge: &'a str) -> Self {
        self.pkce = Some((verifier, challenge));
        self
    }

    /// On a tenant's host.
    #[must_use]
    pub fn on_tenant(mut self, tenant: &'a str) -> Self {
        self.tenant = Some(tenant);
        self
    }

    /// The authorize parameters.
    pub fn params(&self) -> Vec<(&'a str, &'a str)> {
        let mut p = vec![
            ("client_id", self.app.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", self.app.redirect_uri.as_str()),
            ("scope", self.scope),
        ];
        if let Some(state) = self.state {
            p.push(("state", state));
        }
        if let Some((_, challenge)) = self.pkce {
            p.push(("code_challenge", challenge));
            p.push(("code_challenge_method", "S256"));
        }
        p
    }
}

/// The answer of a successful token request.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// `access_token`.
    pub access: String,
    /// `refresh_token`, when issued.
    pub refresh: Option<String>,
    /// The whole response.
    pub response: Resp,
}

impl Tokens {
    /// The refresh token, or a failure saying none was issued.
    pub fn refresh_token(&self) -> Result<&str, Stop> {
        self.refresh
            .as_deref()
            .ok_or_else(|| self.response.fail("a refresh_token in the token response"))
    }
}

impl Cx {
    pub(crate) fn new(shared: Arc<Shared>, case_id: &'static str, log: Arc<CaseLog>) -> Self {
        Self { shared, case_id, log }
    }

    /// The run's HTTP client (redirects off; trusts what the run trusts).
    pub fn http(&self) -> &reqwest::Client {
        &self.shared.http
    }

    /// The server under test.
    pub fn target(&self) -> &Target {
        &self.shared.target
    }

    /// Whether the server has the mock's `/_mock/` controls.
    pub fn has_control(&self) -> bool {
        self.shared.control
    }

    /// The base URL (no trailing slash).
    pub fn base(&self) -> &str {
        &self.shared.target.base_url
    }

    /// The id of the running case.
    pub fn case_id(&self) -> &'static str {
        self.case_id
    }

    /// On a mock, the suite's own apps and users ([`crate::sandbox`]).
    pub(crate) fn sandbox(&self) -> Option<&crate::sandbox::Sandbox> {
        self.shared.sandbox.as_ref()
    }

    /// A request to `path` (on the base URL) or to an absolute URL.
    pub fn request(&self, method: Method, path: &str) -> Req {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base())
        };
        Req {
            cx: self.clone(),
            method,
            url,
            host: None,
            headers: Vec::new(),
            body: ReqBody::None,
            quiet: false,
            secret_auth: false,
        }
    }

    /// A `GET`.
    pub fn get(&self, path: &str) -> Req {
        self.request(Method::GET, path)
    }

    /// A `POST`.
    pub fn post(&self, path: &str) -> Req {
        self.request(Method::POST, path)
    }

    /// Adds a step to the transcript that is not one HTTP exchange.
    pub fn note(&self, step: &str, result: Value) {
        self.log.push(Entry::Note {
            step: step.to_owned(),
            result,
        });
    }

    /// `POST token` with a form.
    pub async fn token(&self, form: &[(&str, &str)]) -> Result<Resp, Stop> {
        self.post(paths::TOKEN).form(form).send().await
    }

    /// `GET authorize?…`.
    pub async fn authorize(&self, params: &[(&str, &str)]) -> Result<Resp, Stop> {
        self.get(&format!("{}?{}", paths::AUTHORIZE, encode(params)))
            .send()
            .await
    }

    /// `Host` header value of a tenant's host on the target: `{tenant}.localhost:{port}`,
    /// which the mock reads as that tenant (SPEC §1).
    pub fn tenant_host(&self, tenant: &str) -> Result<String, Stop> {
        let url = url::Url::parse(self.base()).map_err(|e| Stop::fail("a base URL", e.to_string()))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| Stop::fail("a base URL with a port", self.base()))?;
        Ok(format!("{tenant}.localhost:{port}"))
    }

    /// Posts the grant view's form, as a user pressing Grant or Deny would (mock only: real
    /// ilert has a login first).
    pub fn consent(&self, params: &[(&str, &str)], user: &str, decision: Decision) -> Req {
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.push(("user", user));
        form.push((
            "decision",
            match decision {
                Decision::Grant => "grant",
                Decision::Deny => "deny",
            },
        ));
        self.post(paths::AUTHORIZE).form(&form)
    }

    /// Consents headlessly (quietly) and returns the code from the redirect.
    pub async fn code(&self, grant: &Grant<'_>) -> Result<String, Stop> {
        if !self.has_control() {
            return Err(Stop::skip(
                "needs a browser: consent is headless on the mock only",
            ));
        }
        let mut req = self.consent(&grant.params(), grant.user, Decision::Grant).quiet();
        if let Some(tenant) = grant.tenant {
            req = req.host(&self.tenant_host(tenant)?);
        }
        let r = req.send().await?;
        r.location_param("code")
            .filter(|_| r.status == 302)
            .ok_or_else(|| r.fail("302 Found to the redirect URI with a code (consent)"))
    }

    /// Trades a code for tokens with the app's credentials in the body (recorded).
    pub async fn exchange(&self, app: &App, code: &str, verifier: Option<&str>) -> Result<Resp, Stop> {
        self.exchange_with(app, code, verifier, false).await
    }

    async fn exchange_with(
        &self,
        app: &App,
        code: &str,
        verifier: Option<&str>,
        quiet: bool,
    ) -> Result<Resp, Stop> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", app.client_id.as_str()),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.as_str()));
        }
        form.push(("code", code));
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        let mut req = self.post(paths::TOKEN).form(&form);
        if quiet {
            req = req.quiet();
        }
        req.send().await
    }

    /// Consent and code exchange (both quiet), expecting 200 with an access token.
    pub async fn grant(&self, grant: &Grant<'_>) -> Result<Tokens, Stop> {
        let code = self.code(grant).await?;
        let verifier = grant.pkce.map(|(verifier, _)| verifier);
        let r = self.exchange_with(grant.app, &code, verifier, true).await?;
        tokens_of(r)
    }

    /// `grant_type=refresh_token` with the app's credentials in the body (recorded).
    pub async fn refresh(&self, app: &App, refresh_token: &str) -> Result<Resp, Stop> {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", app.client_id.as_str()),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.as_str()));
        }
        form.push(("refresh_token", refresh_token));
        self.token(&form).await
    }

    /// A user of this case's own in `tenant` (mock only), so grants, limits and revocations
    /// of other cases running at the same time never touch it. Named after the case
    /// (`token-grant-limit-01-1`), so runs are reproducible.
    pub async fn user(&self, tenant: &str) -> Result<String, Stop> {
        if !self.has_control() {
            return Err(Stop::skip("mock-only: needs POST /_mock/users"));
        }
        let n = self.log.users.fetch_add(1, Ordering::SeqCst) + 1;
        let base = format!("{}-{n}", self.case_id.to_ascii_lowercase());
        // The run's tag makes the name the suite's own (removed after the run).
        let username = self.sandbox().map_or_else(|| base.clone(), |s| s.username(&base));
        // Ids derive from the case, so runs are reproducible; a taken id moves on to the next.
        let first_id = 700_000 + i64::from(fnv1a(&base) % 100_000);
        for id in first_id..first_id + 16 {
            let body = json!({
                "id": id,
                "tenant": tenant,
                "username": username,
                "first_name": "Conformance",
                "last_name": self.case_id,
                "email": format!("{username}@conformance.example"),
            });
            let r = self
                .control(Method::POST, "/_mock/users")
                .json(body)
                .send()
                .await?;
            match r.status {
                201 => {
                    if let Some(sandbox) = self.sandbox() {
                        sandbox.created(&username);
                    }
                    return Ok(username);
                }
                409 => {
                    let users = self.control(Method::GET, "/_mock/users").send().await?;
                    let existing = users
                        .json
                        .as_array()
                        .and_then(|list| list.iter().find(|u| u["username"] == username.as_str()).cloned());
                    match existing {
                        // Created by an earlier run against the same mock.
                        Some(u) if u["tenant"] == tenant => return Ok(username),
                        Some(_) => {
                            return Err(r.fail(format!("user {username} to be free or in tenant {tenant}")));
                        }
                        None => {}
                    }
                }
                _ => return Err(r.fail(format!("POST /_mock/users creates user {username}"))),
            }
        }
        Err(Stop::fail(
            format!("a free user id for {username}"),
            json!({"tried": [first_id, first_id + 15]}),
        ))
    }

    /// A request to the mock's control surface (quiet, with the control token when given).
    pub fn control(&self, method: Method, path: &str) -> Req {
        let mut req = self.request(method, path).quiet();
        if let Some(token) = &self.shared.target.control_token {
            req = req.bearer(token);
            req.secret_auth = true;
        }
        req
    }

    /// An access token with at least `scope`, for cases that only read with it. On the mock a
    /// fresh grant of the target's user; elsewhere the token given on the command line (or one
    /// refreshed from the given refresh token), skipping when it lacks a scope.
    pub async fn access_token(&self, scope: &str) -> Result<String, Stop> {
        if self.has_control() {
            let app = self.target().app.clone();
            let user = self.target().user.clone();
            return Ok(self.grant(&Grant::new(&app, &user, scope)).await?.access);
        }
        let token = self
            .shared
            .supplied_access
            .get_or_init(|| async { self.supplied_access().await })
            .await
            .clone()
            .map_err(Stop::skip)?;
        let granted = jwt::decode(&token)
            .and_then(|d| d.claims["il_s"].as_str().map(str::to_owned))
            .unwrap_or_default();
        match scope
            .split_whitespace()
            .find(|wanted| !scope_satisfied(&granted, wanted))
        {
            Some(missing) => Err(Stop::skip(format!(
                "the supplied token's scopes ({granted}) lack {missing}"
            ))),
            None => Ok(token),
        }
    }

    async fn supplied_access(&self) -> Result<String, String> {
        if let Some(access) = &self.target().access_token {
            return Ok(access.clone());
        }
        let Some(refresh) = self.target().refresh_token.clone() else {
            return Err("needs a token: pass --access-token or --refresh-token".to_owned());
        };
        let app = self.target().app.clone();
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", app.client_id.as_str()),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.as_str()));
        }
        form.push(("refresh_token", refresh.as_str()));
        let r = self
            .post(paths::TOKEN)
            .form(&form)
            .quiet()
            .send()
            .await
            .map_err(|_| "the supplied refresh token could not be used".to_owned())?;
        r.json["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("refreshing the supplied refresh token answered HTTP {}", r.status))
    }

    /// A fresh grant of the target app for a user of the case's own (mock only, so no other
    /// case's grants can push it out of the ten-grant limit while the case uses it).
    pub async fn refresh_grant(&self, scope: &str) -> Result<(App, Tokens), Stop> {
        if !self.has_control() {
            return Err(Stop::skip("needs a grant of its own: runs against the mock only"));
        }
        let app = self.target().app.clone();
        let user = self.user("someTenant").await?;
        let tokens = self.grant(&Grant::new(&app, &user, scope)).await?;
        Ok((app, tokens))
    }

    /// A call of the resource API with a bearer token (recorded).
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<Resp, Stop> {
        let mut req = self.request(method, path).bearer(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await
    }

    /// The server's time: the mock's clock, or this machine's.
    pub async fn now(&self) -> Result<i64, Stop> {
        if self.has_control() {
            let r = self.control(Method::GET, "/_mock/clock").send().await?;
            return r.json["now"]
                .as_i64()
                .ok_or_else(|| r.fail("GET /_mock/clock answers {\"now\": <unix seconds>}"));
        }
        Ok(ilert_oauth2_client::unix_now().try_into().unwrap_or(i64::MAX))
    }

    /// Moves the mock's clock (only cases that run alone may); the runner moves it back after
    /// the case.
    pub async fn advance_clock(&self, secs: i64) -> Result<(), Stop> {
        let r = self
            .control(Method::POST, "/_mock/clock")
            .json(json!({"advance_secs": secs}))
            .send()
            .await?;
        if r.status != 200 {
            return Err(r.fail("POST /_mock/clock moves the clock"));
        }
        self.log.clock_moved.fetch_add(secs, Ordering::SeqCst);
        self.note("advance the mock's clock", json!({"advance_secs": secs}));
        Ok(())
    }
}

/// `granted` (space separated) covers `wanted`: same name, and at least its access level.
fn scope_satisfied(granted: &str, wanted: &str) -> bool {
    let level = |s: &str| match s.split_once(':').map(|(_, l)| l) {
        Some("d") => 3,
        Some("w") => 2,
        _ => 1,
    };
    let name = |s: &str| s.split(':').next().unwrap_or_default().to_owned();
    granted
        .split_whitespace()
        .any(|g| name(g) == name(wanted) && level(g) >= level(wanted))
}

/// Reads a token response, expecting 200 with `access_token`.
pub fn tokens_of(r: Resp) -> Result<Tokens, Stop> {
    let access = r.json["access_token"].as_str().map(str::to_owned);
    match access {
        Some(access) if r.status == 200 => Ok(Tokens {
            access,
            refresh: r.json["refresh_token"].as_str().map(str::to_owned),
            response: r,
        }),
        _ => Err(r.fail("200 with an access_token")),
    }
}

/// `k=v&…`, every value percent-encoded as a form (`+` for space).
pub fn encode(params: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[derive(Debug, Clone)]
enum ReqBody {
    None,
    Form(Vec<(String, String)>),
    Json(Value),
    Raw {
        content_type: Option<String>,
        text: String,
    },
}

/// A request being built; [`Req::send`] sends and records it.
#[derive(Debug)]
#[must_use]
pub struct Req {
    cx: Cx,
    method: Method,
    url: String,
    host: Option<String>,
    headers: Vec<(String, String)>,
    body: ReqBody,
    quiet: bool,
    /// Show `Authorization` as `[redacted]` (the mock's control token).
    secret_auth: bool,
}

impl Req {
    /// A form body (`application/x-www-form-urlencoded`).
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        self.body = ReqBody::Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        self
    }

    /// A JSON body.
    pub fn json(mut self, value: Value) -> Self {
        self.body = ReqBody::Json(value);
        self
    }

    /// A body as given, with the given content type (or none).
    pub fn raw(mut self, content_type: Option<&str>, text: impl Into<String>) -> Self {
        self.body = ReqBody::Raw {
            content_type: content_type.map(str::to_owned),
            text: text.into(),
        };
        self
    }

    /// A header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// `Authorization: Basic base64(id:secret)`.
    pub fn basic(self, id: &str, secret: &str) -> Self {
        let creds = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        self.header("authorization", &format!("Basic {creds}"))
    }

    /// Sends to the base URL's address with this `Host` header (tenant hosts).
    pub fn host(mut self, host: &str) -> Self {
        self.host = Some(host.to_owned());
        self
    }

    /// Keeps the exchange out of the transcript (preparation steps).
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// Records the exchange in the transcript after all (a control request a case is about).
    pub fn recorded(mut self) -> Self {
        self.quiet = false;
        self
    }

    fn view(&self) -> RequestView {
        let base = self.cx.base();
        let shown_url = self
            .url
            .strip_prefix(base)
            .filter(|rest| rest.starts_with('/'))
            .map_or_else(|| self.url.clone(), str::to_owned);
        let (path, query) = match shown_url.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (shown_url.clone(), None),
        };
        let query = query.map(|q| {
            let pairs: Vec<(String, String)> =
                url::form_urlencoded::parse(q.as_bytes()).into_owned().collect();
            view::pairs_view(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        });
        let mut headers = serde_json::Map::new();
        for (name, value) in &self.headers {
            let shown = if name == "authorization" && self.secret_auth {
                json!({"credentials": "[redacted]"})
            } else if name == "authorization" {
                view::authorization_view(value)
            } else {
                Value::String(value.clone())
            };
            headers.insert(name.clone(), shown);
        }
        let (form, json, body) = match &self.body {
            ReqBody::None => (None, None, None),
            ReqBody::Form(pairs) => (
                Some(view::pairs_view(
                    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                )),
                None,
                None,
            ),
            ReqBody::Json(v) => (None, Some(view::json_view(v)), None),
            ReqBody::Raw { content_type, text } => {
                if let Some(ct) = content_type {
                    headers.insert("content-type".to_owned(), Value::String(ct.clone()));
                }
                (None, None, Some(view::raw_body_view(text)))
            }
        };
        RequestView {
            method: self.method.to_string(),
            url: path,
            host: self.host.clone(),
            headers,
            query,
            form,
            json,
            body,
        }
    }

    /// Sends the request and records the exchange. A transport error is a failure.
    pub async fn send(self) -> Result<Resp, Stop> {
        let request_view = self.view();
        let mut builder = self
            .cx
            .shared
            .http
            .request(self.method.clone(), &self.url)
            .timeout(REQUEST_TIMEOUT);
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let (Ok(n), Ok(v)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) else {
                return Err(Stop::fail(
                    format!("header {name} to be sendable"),
                    json!({"header": name}),
                ));
            };
            headers.append(n, v);
        }
        if let Some(host) = &self.host {
            let value = HeaderValue::from_str(host).map_err(|e| Stop::fail("a valid Host", e.to_string()))?;
            headers.insert(reqwest::header::HOST, value);
        }
        builder = builder.headers(headers);
        builder = match &self.body {
            ReqBody::None => builder,
            ReqBody::Form(pairs) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(pairs)
                        .finish(),
                ),
            ReqBody::Json(v) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(v.to_string()),
            ReqBody::Raw { content_type, text } => {
                let b = match content_type {
                    Some(ct) => builder.header(reqwest::header::CONTENT_TYPE, ct.as_str()),
                    None => builder,
                };
                b.body(text.clone())
            }
        };
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => {
                return Err(Stop::Fail(Box::new(crate::case::Failure {
                    sent: serde_json::to_value(&request_view).ok(),
                    expected: "an HTTP answer".to_owned(),
                    got: json!({"transport_error": error_chain(&e)}),
                })));
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| {
            Stop::fail(
                "a complete response body",
                json!({"transport_error": error_chain(&e)}),
            )
        })?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let exchange = Exchange {
            request: request_view,
            response: ResponseView {
                status,
                headers: view::headers_view(&headers),
                body: view::body_view(content_type, &text),
            },
        };
        let exchange = Arc::new(exchange);
        if !self.quiet {
            self.cx.log.push(Entry::Exchange(Box::new((*exchange).clone())));
        }
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Resp {
            status,
            headers,
            text,
            json,
            exchange,
        })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A response, with its exchange for failure reports.
#[derive(Debug, Clone)]
pub struct Resp {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub text: String,
    /// The body as JSON (`Null` when it is not JSON).
    pub json: Value,
    /// The recorded exchange.
    pub exchange: Arc<Exchange>,
}
