//! The suite's own corner of a mock, so that it can run against a shared mock — one other
//! clients use, or one started with `--auto-approve` — without touching what is not its own.
//!
//! Before the first case the runner registers three apps through `/_mock/apps` (a backend app
//! like the guide's, a public PKCE app and a rotating backend app that requires its secret),
//! named with a tag unique to the run (`conformance-3fa94c1e-backend`); every user a case creates carries the same tag.
//! The ten-grant limit counts per app and user, so the suite's grants never push out another
//! client's refresh tokens, and its revocations name only its own apps. After the last case the
//! runner removes those users and apps again (`DELETE /_mock/users/{username}`,
//! `DELETE /_mock/apps/{client_id}`, which also revokes the suite's grants), leaving the mock's
//! apps and users as it found them. What could not be removed is reported, not hidden.

use std::sync::{Mutex, PoisonError};

use reqwest::Method;
use serde_json::{Value, json};

use crate::target::{App, GUIDE_REDIRECT_URI, Target, WEBAPP_REDIRECT_URI};

/// The scopes of the suite's backend app: the guide app's (every scope, `offline_access`).
const BACKEND_SCOPES: &[&str] = &[
    "profile",
    "source:d",
    "policy:d",
    "schedule:d",
    "monitor:d",
    "action:d",
    "connector:d",
    "maintenance:d",
    "report:d",
    "template:d",
    "service:d",
    "status_page:d",
    "team:d",
    "user:d",
    "alert:d",
    "incident:d",
    "metric:d",
    "metric_source:d",
    "support_hour:d",
    "offline_access",
];

/// The suite's app ids start here (a taken id moves on to the next).
const FIRST_APP_ID: i64 = 900_000;

/// A random number from the standard library's per-process hash keys, the time and the pid:
/// enough to keep two runs' names apart (nothing here is a secret that matters).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// What the suite registered on the mock, and what it must remove afterwards.
#[derive(Debug)]
pub(crate) struct Sandbox {
    /// The run's tag, in every name the suite registers.
    pub tag: String,
    /// The suite's backend app (the guide app's redirect URIs and scopes).
    pub backend: App,
    /// The suite's public PKCE app.
    pub public: App,
    /// The suite's backend app that rotates refresh tokens.
    pub rotating: App,
    /// The user the mock approves every authorization as (`--auto-approve`), if any.
    pub auto_approve: Option<String>,
    /// Whether the mock registers the guide's own app with the web app's redirect URI (the
    /// default fixtures do): the PKCE guide's cases then send the guide's client id, with users
    /// of the suite's own, so no grant of anyone else is touched.
    pub guide_app: bool,
    users: Mutex<Vec<String>>,
}

/// A control request with the run's control token.
fn control(http: &reqwest::Client, target: &Target, method: Method, path: &str) -> reqwest::RequestBuilder {
    let request = http.request(method, format!("{}/_mock{path}", target.base_url));
    match &target.control_token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

/// Sends a control request; status and JSON body (`Null` when not JSON).
async fn send(request: reqwest::RequestBuilder) -> Result<(u16, Value), String> {
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

impl Sandbox {
    /// Registers the suite's apps on the mock at `target`.
    pub(crate) async fn set_up(http: &reqwest::Client, target: &Target) -> Result<Self, String> {
        let tag = format!("{:08x}", random_u64() & 0xffff_ffff);
        let secret = || {
            format!(
                "{:016x}{:016x}{:016x}{:016x}",
                random_u64(),
                random_u64(),
                random_u64(),
                random_u64()
            )
        };
        let (_, health) = send(control(http, target, Method::GET, "/health")).await?;
        let auto_approve = health["auto_approve"].as_str().map(str::to_owned);
        let (_, apps) = send(control(http, target, Method::GET, "/apps")).await?;
        let guide = App::guide_without_secret();
        let guide_app = apps.as_array().is_some_and(|list| {
            list.iter().any(|a| {
                a["client_id"] == guide.client_id.as_str()
                    && a["require_secret"] != true
                    && a["redirect_uris"]
                        .as_array()
                        .is_some_and(|uris| uris.iter().any(|u| u == guide.redirect_uri.as_str()))
            })
        });
        let backend = json!({
            "name": "ilert-conformance backend app",
            "client_id": format!("conformance-{tag}-backend"),
            "client_secret": secret(),
            "redirect_uris": [GUIDE_REDIRECT_URI, WEBAPP_REDIRECT_URI],
            "scopes": BACKEND_SCOPES,
        });
        let public = json!({
            "name": "ilert-conformance public app",
            "client_id": format!("conformance-{tag}-public"),
            "public": true,
            "redirect_uris": [WEBAPP_REDIRECT_URI],
            "scopes": ["profile", "source:w", "policy", "offline_access"],
        });
        let rotating = json!({
            "name": "ilert-conformance rotating app",
            "client_id": format!("conformance-{tag}-rotating"),
            "client_secret": secret(),
            "redirect_uris": [GUIDE_REDIRECT_URI],
            "scopes": ["profile", "source:d", "policy:d", "offline_access"],
            "rotate_refresh_tokens": true,
            "require_secret": true,
        });
        let mut sandbox = Self {
            tag,
            backend: App::guide(),
            public: App::public(),
            rotating: App::rotating(),
            auto_approve,
            guide_app,
            users: Mutex::new(Vec::new()),
        };
        let mut registered = Vec::new();
        for body in [backend, public, rotating] {
            match register(http, target, body).await {
                Ok(app) => registered.push(app),
                Err(e) => {
                    for app in &registered {
                        let path = format!("/apps/{}", app.client_id);
                        let _ = send(control(http, target, Method::DELETE, &path)).await;
                    }
                    return Err(e);
                }
            }
        }
        let mut apps = registered.into_iter();
        if let (Some(b), Some(p), Some(r)) = (apps.next(), apps.next(), apps.next()) {
            (sandbox.backend, sandbox.public, sandbox.rotating) = (b, p, r);
        }
        Ok(sandbox)
    }

    /// The name of a user the suite creates: `base` with the run's tag.
    pub(crate) fn username(&self, base: &str) -> String {
        format!("{base}-{}", self.tag)
    }

    /// Notes a user the suite created, to remove it afterwards.
    pub(crate) fn created(&self, username: &str) {
        self.users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(username.to_owned());
    }

    /// Removes the users and apps the suite created; returns what could not be removed.
    pub(crate) async fn tear_down(&self, http: &reqwest::Client, target: &Target) -> Vec<String> {
        let users = std::mem::take(&mut *self.users.lock().unwrap_or_else(PoisonError::into_inner));
        let mut paths: Vec<String> = users.iter().map(|u| format!("/users/{u}")).collect();
        for app in [&self.backend, &self.public, &self.rotating] {
            paths.push(format!("/apps/{}", app.client_id));
        }
        let mut leftovers = Vec::new();
        for path in paths {
            match send(control(http, target, Method::DELETE, &path)).await {
                Ok((200, _)) => {}
                Ok((status, body)) => leftovers.push(format!(
                    "DELETE /_mock{path}: HTTP {status} {}",
                    body["error"].as_str().unwrap_or_default()
                )),
                Err(e) => leftovers.push(format!("DELETE /_mock{path}: {e}")),
            }
        }
        leftovers
    }
}

/// Registers one app under the first free id from [`FIRST_APP_ID`].
async fn register(http: &reqwest::Client, target: &Target, mut body: Value) -> Result<App, String> {
    let (_, apps) = send(control(http, target, Method::GET, "/apps")).await?;
    let taken: Vec<i64> = apps
        .as_array()
        .map(|list| list.iter().filter_map(|a| a["id"].as_i64()).collect())
        .unwrap_or_default();
    let mut id = FIRST_APP_ID;
    for _ in 0..64 {
        while taken.contains(&id) {
            id += 1;
        }
        body["id"] = json!(id);
        let (status, answer) = send(control(http, target, Method::POST, "/apps").json(&body)).await?;
        match status {
            201 => {
                let field = |name: &str| body[name].as_str().map(str::to_owned);
                return Ok(App {
                    client_id: field("client_id").unwrap_or_default(),
                    client_secret: field("client_secret"),
                    redirect_uri: body["redirect_uris"][0].as_str().unwrap_or_default().to_owned(),
                });
            }
            // Taken meanwhile (another run registering at the same time): the next id.
            409 => id += 1,
            _ => {
                return Err(format!(
                    "POST /_mock/apps answered HTTP {status}: {}",
                    answer["error"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    Err("POST /_mock/apps: no free app id".to_owned())
}
