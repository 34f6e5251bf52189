//! Reading a running mock's audit over HTTP: what `ilert-mock audit --base-url URL` does.
//!
//! One `GET {base}/_mock/audit` over HTTP/1.1 (hyper's client connection; HTTPS through rustls,
//! trusting only the CA given, e.g. the file `ilert-mock --tls --tls-ca-out FILE` wrote), with
//! the control token when the mock demands one. The answer is the [`Report`] the mock rendered.

use std::time::Duration;

use axum::http::{Method, StatusCode, header};

use super::report::{Filter, Report};
use crate::paths;
use crate::transport::{self, Call, TransportError};

/// The longest a fetch may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The largest answer read.
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// Why a running mock's audit could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The base URL is not an `http` or `https` URL with a host.
    #[error("--base-url {0}: give the mock's base URL, e.g. http://127.0.0.1:4598")]
    BaseUrl(String),
    /// HTTPS without a CA to trust.
    #[error(
        "{0} is https: pass --ca-cert FILE with the mock's development CA (ilert-mock --tls --tls-ca-out FILE writes it)"
    )]
    NoCa(String),
    /// The CA file holds no certificate.
    #[error("the CA certificate is not PEM: {0}")]
    Ca(String),
    /// Nothing answered.
    #[error("cannot reach {url}: {source}")]
    Connect {
        /// What was asked.
        url: String,
        /// Why.
        source: std::io::Error,
    },
    /// TLS or HTTP failed on the way.
    #[error("{url}: {message}")]
    Transport {
        /// What was asked.
        url: String,
        /// Why.
        message: String,
    },
    /// No answer in time.
    #[error("{0} did not answer within {secs} s", secs = TIMEOUT.as_secs())]
    Timeout(String),
    /// The control surface refused (a token is needed, or a wrong one was sent).
    #[error("{url} answered {status}: {message}")]
    Refused {
        /// What was asked.
        url: String,
        /// The status.
        status: u16,
        /// The mock's words.
        message: String,
    },
    /// Not an ilert mock with its control surface on.
    #[error(
        "{0} answered 404: is it an ilert-mock with its control surface on (started without --no-control)?"
    )]
    NotFound(String),
    /// The answer is not an audit report.
    #[error("{url} did not answer an audit report: {message}")]
    Answer {
        /// What was asked.
        url: String,
        /// Why.
        message: String,
    },
}

/// Where and how to read the audit.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// The mock's base URL.
    pub base_url: String,
    /// `--control-token`, when the mock demands one.
    pub control_token: Option<String>,
    /// The CA certificate (PEM) to trust for HTTPS.
    pub ca_pem: Option<Vec<u8>>,
}

/// Reads the audit of the mock at `target`, filtered by `filter`.
pub async fn fetch(target: &Target, filter: &Filter) -> Result<Report, RemoteError> {
    let url = audit_url(&target.base_url, filter)?;
    let text = url.to_string();
    tokio::time::timeout(TIMEOUT, get(target, &url))
        .await
        .map_err(|_| RemoteError::Timeout(text.clone()))?
}

/// `{base}/_mock/audit?app=…&severity=…`.
fn audit_url(base: &str, filter: &Filter) -> Result<url::Url, RemoteError> {
    let bad = || RemoteError::BaseUrl(base.to_owned());
    let mut url = url::Url::parse(&format!("{}{}/audit", base.trim_end_matches('/'), paths::CONTROL))
        .map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    let pairs: Vec<(&str, &str)> = [
        ("app", filter.app.as_deref()),
        ("severity", filter.severity.map(|s| s.as_str())),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect();
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    Ok(url)
}

async fn get(target: &Target, url: &url::Url) -> Result<Report, RemoteError> {
    let text = url.to_string();
    let mut headers = vec![
        (header::ACCEPT, "application/json".to_owned()),
        (
            header::USER_AGENT,
            concat!("ilert-mock-audit/", env!("CARGO_PKG_VERSION")).to_owned(),
        ),
    ];
    if let Some(token) = &target.control_token {
        headers.push((header::AUTHORIZATION, format!("Bearer {token}")));
    }
    let answer = transport::send(Call {
        method: Method::GET,
        url,
        connect: None,
        ca_pem: target.ca_pem.as_deref(),
        headers,
        body: None,
        limit: MAX_ANSWER_BYTES,
    })
    .await?;
    let body = answer.body;
    match answer.status {
        StatusCode::OK => serde_json::from_slice(&body).map_err(|e| RemoteError::Answer {
            url: text,
            message: e.to_string(),
        }),
        StatusCode::NOT_FOUND => Err(RemoteError::NotFound(text)),
        other => Err(RemoteError::Refused {
            url: text,
            status: other.as_u16(),
            message: serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned()),
        }),
    }
}

impl From<TransportError> for RemoteError {
    fn from(err: TransportError) -> Self {
        match err {
            TransportError::NoCa(url) => RemoteError::NoCa(url),
            TransportError::Ca(message) => RemoteError::Ca(message),
            TransportError::Connect { url, source } => RemoteError::Connect { url, source },
            TransportError::Failed { url, message } => RemoteError::Transport { url, message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Severity;

    #[test]
    fn the_url_carries_the_filters() {
        let url = audit_url(
            "http://127.0.0.1:4598/",
            &Filter {
                app: Some("my app".into()),
                severity: Some(Severity::Warning),
            },
        )
        .expect("url");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:4598/_mock/audit?app=my+app&severity=warning"
        );
        assert_eq!(
            audit_url("https://mock.internal/prefix", &Filter::default())
                .expect("url")
                .as_str(),
            "https://mock.internal/prefix/_mock/audit"
        );
        for bad in ["127.0.0.1:4598", "ftp://x", "not a url"] {
            assert!(
                matches!(audit_url(bad, &Filter::default()), Err(RemoteError::BaseUrl(_))),
                "{bad}"
            );
        }
    }
}
