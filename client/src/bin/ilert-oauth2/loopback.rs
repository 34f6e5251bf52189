//! The loopback listener `login` waits on: the redirect URI's port on this machine only, a page
//! for the browser, and the first callback's query handed to the flow.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use ilert_oauth2_client::{CsrfToken, parse_callback};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use url::Url;

use crate::args::DEFAULT_REDIRECT_URI;
use crate::error::CliError;

/// Where `login` listens: the redirect URI's port on loopback only, never on all interfaces.
pub(crate) fn loopback_addrs(redirect: &Url) -> Result<Vec<SocketAddr>, CliError> {
    if redirect.scheme() != "http" {
        return Err(CliError::Usage(format!(
            "login listens for the redirect itself, so the redirect URI must be plain http on this \
             machine (e.g. {DEFAULT_REDIRECT_URI}), not '{redirect}'"
        )));
    }
    let port = redirect.port_or_known_default().unwrap_or(80);
    let ips: Vec<IpAddr> = match redirect.host() {
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
            vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()]
        }
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => vec![ip.into()],
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => vec![ip.into()],
        _ => {
            return Err(CliError::Usage(format!(
                "login needs a redirect URI on this machine (localhost, 127.0.0.1 or [::1]), not \
                 '{redirect}'; register one with the app and pass it with --redirect-uri"
            )));
        }
    };
    Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect())
}

#[derive(Clone)]
struct CallbackState {
    path: String,
    state: CsrfToken,
    sender: mpsc::Sender<String>,
}

/// The loopback listener that receives the redirect.
pub(crate) struct Loopback {
    receiver: mpsc::Receiver<String>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Loopback {
    pub(crate) async fn start(redirect: &Url, state: CsrfToken) -> Result<Self, CliError> {
        let addrs = loopback_addrs(redirect)?;
        let (sender, receiver) = mpsc::channel(1);
        let (shutdown, _) = watch::channel(false);
        let router = axum::Router::new()
            .fallback(on_request)
            .with_state(CallbackState {
                path: redirect.path().to_owned(),
                state,
                sender,
            });
        let mut tasks = Vec::new();
        for (i, addr) in addrs.iter().enumerate() {
            let listener = match TcpListener::bind(addr).await {
                Ok(l) => l,
                // `localhost` may be IPv4 only; the first address is required, the rest optional.
                Err(e) if i > 0 => {
                    tracing::debug!(%addr, error = %e, "not listening on this address");
                    continue;
                }
                Err(source) => return Err(CliError::Listen { addr: *addr, source }),
            };
            let mut stop = shutdown.subscribe();
            let server = axum::serve(listener, router.clone()).with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            });
            tasks.push(tokio::spawn(async move {
                if let Err(e) = server.await {
                    tracing::warn!(error = %e, "the redirect listener failed");
                }
            }));
        }
        Ok(Self {
            receiver,
            shutdown,
            tasks,
        })
    }

    /// The query string of the first request to the redirect path.
    pub(crate) async fn callback(&mut self) -> String {
        self.receiver.recv().await.unwrap_or_default()
    }

    /// Stops listening, giving the browser's page a moment to be delivered.
    pub(crate) async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }
}

async fn on_request(State(cb): State<CallbackState>, uri: Uri) -> Response {
    if uri.path() != cb.path {
        return (StatusCode::NOT_FOUND, "This is not the redirect URI.").into_response();
    }
    let query = uri.query().unwrap_or_default().to_owned();
    let outcome = parse_callback(&query, Some(&cb.state));
    // Only the first callback counts; later ones (a reload) find the channel full or closed.
    let _ = cb.sender.try_send(query);
    let (status, title, text) = match outcome {
        Ok(_) => (
            StatusCode::OK,
            "Signed in",
            "ilert sent the authorization back. You can close this tab and return to the terminal."
                .to_owned(),
        ),
        Err(e) => (StatusCode::BAD_REQUEST, "Sign-in failed", e.to_string()),
    };
    let page = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>ilert-oauth2: {title}</title>\
         <h1>{title}</h1><p>{}</p>",
        escape_html(&text)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listens_on_loopback_only() {
        let url = |s: &str| Url::parse(s).expect("url");
        let addrs = loopback_addrs(&url("http://localhost:4597/authorize-result")).expect("loopback");
        assert_eq!(
            addrs,
            vec![
                "127.0.0.1:4597".parse().expect("addr"),
                "[::1]:4597".parse().expect("addr")
            ]
        );
        assert_eq!(
            loopback_addrs(&url("http://127.0.0.1/cb")).expect("loopback"),
            vec!["127.0.0.1:80".parse().expect("addr")]
        );
        assert!(loopback_addrs(&url("https://localhost:4597/cb")).is_err());
        assert!(loopback_addrs(&url("http://example.com:4597/cb")).is_err());
        assert!(loopback_addrs(&url("http://0.0.0.0:4597/cb")).is_err());
    }
    #[tokio::test]
    async fn the_loopback_listener_hands_over_the_first_callback() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let redirect = Url::parse(&format!("http://127.0.0.1:{port}/cb")).expect("url");
        let state = CsrfToken::new("st");
        let mut loopback = Loopback::start(&redirect, state).await.expect("listens");
        let http = reqwest::Client::new();
        let get = |path_and_query: &str| {
            let sent = http
                .get(format!("http://127.0.0.1:{port}{path_and_query}"))
                .send();
            async move { sent.await.expect("answers") }
        };
        assert_eq!(get("/favicon.ico").await.status(), 404);
        let page = get("/cb?code=abc&state=st").await;
        assert_eq!(page.status(), 200);
        assert!(
            page.text()
                .await
                .expect("text")
                .contains("return to the terminal")
        );
        assert_eq!(loopback.callback().await, "code=abc&state=st");
        let forged = get("/cb?code=x&state=<b>").await;
        assert_eq!(forged.status(), 400);
        assert!(!forged.text().await.expect("text").contains("<b>"));
        loopback.stop().await;
    }
}
