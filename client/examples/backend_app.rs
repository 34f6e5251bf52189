//! ilert's public sample backend app (`iLert/sample-oauth2-app`), in Rust with axum.
//!
//! The same flow as the sample: `/` links to the sign-in, `/authorize` redirects (302) to
//! ilert's authorize page, and `/authorize-result` exchanges the code and shows the current
//! user as JSON. `/authorize?pkce=1` adds PKCE on top of the client secret, as ilert suggests.
//! `/webapp` is the sample's browser web app (ilert's PKCE guide): the page itself authorizes
//! with PKCE and calls the token, revoke and API endpoints by cross-origin `fetch` with only the
//! client id — the same app, no secret, as ilert's sample does.
//!
//! The defaults are the guide's example app, which the mock's fixtures register with this
//! app's redirect URI, so against the mock only the base URLs change:
//!
//! ```sh
//! cargo run -p ilert-mock -- --auto-approve someUser        # the mock on :4598
//! ILERT_APP_URL=http://localhost:4598 ILERT_API_URL=http://localhost:4598 \
//!     cargo run -p ilert-oauth2-client --example backend_app
//! # then open http://localhost:4597/
//! ```
//!
//! Against real ilert, pass your own app's `--client-id`, `--client-secret` and (if its
//! registered redirect URI differs) `--redirect-uri`.
//!
//! # Testing the app in-process
//!
//! `main` only parses [`Settings`] and serves; [`app`] builds the whole router from them. So a
//! test can include this file as a module, serve the router on a random port of 127.0.0.1 and
//! point it at an `ilert_mock::MockServer` — no process to spawn, no port to guess:
//!
//! ```ignore
//! #[path = "../examples/backend_app.rs"]
//! #[allow(dead_code)] // `main` is not called from the test
//! mod backend_app;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let port = listener.local_addr()?.port();
//! let settings = backend_app::Settings {
//!     redirect_uri: Some(format!("http://127.0.0.1:{port}/authorize-result")),
//!     app_url: mock.base_url(),
//!     api_url: mock.base_url(),
//!     ..backend_app::Settings::guide_app()
//! };
//! tokio::spawn(axum::serve(listener, backend_app::app(&settings)?).into_future());
//! ```
//!
//! `client/tests/example_app.rs` does exactly that, and snapshot-tests what the app sent to the
//! mock.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Query, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use clap::Parser;
use ilert_oauth2_client::{
    ApiClient, Config, CsrfToken, Error, ILERT_API_URL, ILERT_APP_URL, OAuthClient, Pkce, PkceCodeVerifier,
    parse_callback,
};
use parking_lot::Mutex;
use serde_json::json;

/// The guide's example app: public documentation values, registered in the mock's fixtures.
const GUIDE_CLIENT_ID: &str = "0501439fd7dee9af0c25";
const GUIDE_CLIENT_SECRET: &str = "3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad";

/// The sample app's port.
const DEFAULT_PORT: u16 = 4597;
/// The scopes of ilert's guide.
const DEFAULT_SCOPE: &str = "profile source:w";

/// How long an authorize request may take before its state is forgotten.
const PENDING_TTL: Duration = Duration::from_secs(10 * 60);

/// ilert's sample OAuth2 backend app: its settings, from flags or environment variables.
#[derive(Clone, Parser)]
#[command(name = "backend_app", about = "ilert's sample OAuth2 backend app")]
pub struct Settings {
    /// Port to serve on (the sample's is 4597).
    #[arg(long, env = "PORT", default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, env = "BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// The app's client id (default: the guide's example app).
    #[arg(long, env = "ILERT_CLIENT_ID", default_value = GUIDE_CLIENT_ID)]
    pub client_id: String,
    /// The app's client secret (default: the guide's example app).
    #[arg(long, env = "ILERT_CLIENT_SECRET", default_value = GUIDE_CLIENT_SECRET, hide_default_value = true, hide_env_values = true)]
    pub client_secret: String,
    /// The registered redirect URI [default: http://localhost:{port}/authorize-result].
    #[arg(long, env = "ILERT_REDIRECT_URI")]
    pub redirect_uri: Option<String>,
    /// Scopes to request.
    #[arg(long, env = "ILERT_SCOPE", default_value = DEFAULT_SCOPE)]
    pub scope: String,
    /// ilert's browser base URL (the mock's base URL to run against it).
    #[arg(long, env = "ILERT_APP_URL", default_value = ILERT_APP_URL)]
    pub app_url: String,
    /// ilert's API base URL (the mock's base URL to run against it).
    #[arg(long, env = "ILERT_API_URL", default_value = ILERT_API_URL)]
    pub api_url: String,
    /// Send users to this tenant's own host.
    #[arg(long, env = "ILERT_TENANT")]
    pub tenant: Option<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("port", &self.port)
            .field("bind", &self.bind)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("app_url", &self.app_url)
            .field("api_url", &self.api_url)
            .field("tenant", &self.tenant)
            .finish()
    }
}

impl Settings {
    /// The defaults, without reading flags or the environment: the guide's example app on port
    /// 4597, against real ilert.
    pub fn guide_app() -> Self {
        Self {
            port: DEFAULT_PORT,
            bind: IpAddr::from([127, 0, 0, 1]),
            client_id: GUIDE_CLIENT_ID.to_owned(),
            client_secret: GUIDE_CLIENT_SECRET.to_owned(),
            redirect_uri: None,
            scope: DEFAULT_SCOPE.to_owned(),
            app_url: ILERT_APP_URL.to_owned(),
            api_url: ILERT_API_URL.to_owned(),
            tenant: None,
        }
    }

    /// The redirect URI: the one given, else `http://localhost:{port}/authorize-result`.
    pub fn redirect_uri(&self) -> String {
        self.redirect_uri
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}/authorize-result", self.port))
    }

    /// The OAuth2 client these settings describe.
    pub fn oauth_client(&self) -> Result<OAuthClient, Error> {
        let config = Config::builder(self.client_id.clone(), self.redirect_uri())
            .client_secret(self.client_secret.clone())
            .scopes(&self.scope)
            .app_url(self.app_url.clone())
            .api_url(self.api_url.clone())
            .tenant_opt(self.tenant.clone())
            .build()?;
        OAuthClient::new(config)
    }
}

/// An authorize request in flight: what `/authorize-result` needs to finish it.
struct Pending {
    verifier: Option<PkceCodeVerifier>,
    started: Instant,
}

#[derive(Clone)]
struct App {
    oauth: OAuthClient,
    /// The web app page, configured for these settings.
    webapp: Arc<str>,
    /// By `state`: each redirect back must match a request this app started.
    pending: Arc<Mutex<HashMap<String, Pending>>>,
}

/// The app's routes (`/`, `/authorize`, `/authorize-result`), ready to serve.
pub fn app(settings: &Settings) -> Result<Router, Error> {
    let app = App {
        oauth: settings.oauth_client()?,
        webapp: webapp_page(settings).into(),
        pending: Arc::default(),
    };
    Ok(Router::new()
        .route("/", get(index))
        .route("/authorize", get(authorize))
        .route("/authorize-result", get(authorize_result))
        .route("/webapp", get(webapp))
        .with_state(app))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let settings = Settings::parse();
    let router = app(&settings)?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(settings.bind, settings.port)).await?;
    tracing::info!(
        "sample app on http://localhost:{} (ilert at {}, redirect URI {})",
        settings.port,
        settings.app_url,
        settings.redirect_uri()
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// `/`: the three ways to sign in.
async fn index() -> Html<&'static str> {
    Html(
        "<!doctype html><meta charset=\"utf-8\"><title>ilert OAuth2 sample app</title>\
         <h1>ilert OAuth2 sample app</h1>\
         <p><a href=\"/authorize\">Sign in with ilert</a></p>\
         <p><a href=\"/authorize?pkce=1\">Sign in with ilert (with PKCE)</a></p>\
         <p><a href=\"/webapp\">The browser web app (PKCE, no client secret)</a></p>",
    )
}

/// The web app's page with its configuration (client id, ilert's hosts, the guide's scopes
/// plus `offline_access`, which brings a refresh token without the secret). The secret is never
/// part of it.
fn webapp_page(settings: &Settings) -> String {
    let config = json!({
        "clientId": settings.client_id,
        "ilertHost": settings.app_url.trim_end_matches('/'),
        "apiHost": settings.api_url.trim_end_matches('/'),
        "scope": with_offline_access(&settings.scope),
    });
    // Inside a <script> element: no `<` may start a closing tag.
    let config = config.to_string().replace('<', "\\u003c");
    include_str!("webapp.html").replace("{{CONFIG}}", &config)
}

fn with_offline_access(scope: &str) -> String {
    if scope.split_whitespace().any(|s| s == "offline_access") {
        scope.to_owned()
    } else {
        format!("{} offline_access", scope.trim())
    }
}

/// `/webapp`: ilert's sample web app (PKCE in the browser, no secret).
async fn webapp(State(app): State<App>) -> Html<String> {
    Html(app.webapp.to_string())
}

/// `/authorize[?pkce=1]`: remember a fresh state (and verifier), then 302 to ilert.
async fn authorize(State(app): State<App>, Query(query): Query<HashMap<String, String>>) -> Response {
    let pkce = match query.get("pkce").map(String::as_str) {
        Some("1" | "true") => Pkce::S256,
        _ => Pkce::Disabled,
    };
    let state = CsrfToken::new_random();
    let authorize = app.oauth.authorize_url(&state, pkce);
    {
        let mut pending = app.pending.lock();
        pending.retain(|_, p| p.started.elapsed() < PENDING_TTL);
        pending.insert(
            state.as_str().to_owned(),
            Pending {
                verifier: authorize.pkce_verifier,
                started: Instant::now(),
            },
        );
    }
    (StatusCode::FOUND, [(header::LOCATION, authorize.url.to_string())]).into_response()
}

/// `/authorize-result?code=…&state=…`: exchange the code, then show the user as JSON.
async fn authorize_result(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let pending = query
        .get("state")
        .and_then(|state| app.pending.lock().remove(state).map(|p| (state.clone(), p)));
    let Some((state, pending)) = pending else {
        return failure(
            StatusCode::BAD_REQUEST,
            "unknown_state",
            "this redirect does not belong to a sign-in started here (or it took over 10 minutes); \
             start again at /",
        );
    };
    let code = match parse_callback(raw.as_deref().unwrap_or_default(), Some(&CsrfToken::new(state))) {
        Ok(code) => code,
        Err(e) => return error_response(&e),
    };
    let tokens = match app.oauth.exchange_code(&code, pending.verifier.as_ref()).await {
        Ok(tokens) => tokens,
        Err(e) => return error_response(&e),
    };
    // A real app would keep the tokens in its session or database (a `TokenStore`).
    let api = ApiClient::with_tokens(app.oauth.clone(), tokens);
    match api.current_user().await {
        Ok(user) => Json(user).into_response(),
        Err(e) => error_response(&e),
    }
}

fn error_response(e: &Error) -> Response {
    let (status, code) = match e {
        Error::Authorization { error, .. } => (StatusCode::BAD_REQUEST, error.clone()),
        Error::Token(t) => (StatusCode::BAD_GATEWAY, t.code.to_string()),
        Error::Api(a) => (
            StatusCode::BAD_GATEWAY,
            a.code.clone().unwrap_or_else(|| a.status.to_string()),
        ),
        Error::StateMismatch | Error::MissingCode => (StatusCode::BAD_REQUEST, "invalid_callback".to_owned()),
        _ => (StatusCode::BAD_GATEWAY, "upstream_error".to_owned()),
    };
    failure(status, &code, &e.to_string())
}

fn failure(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": code, "message": message}))).into_response()
}
