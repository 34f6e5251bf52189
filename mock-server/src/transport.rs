//! One HTTP/1.1 request from the `ilert-mock` commands to a running mock (`ilert-mock approve`
//! plays the grant view, `ilert-mock audit` reads the audit): a fresh connection, HTTPS trusting
//! only the mock's development CA, and an answer read up to a limit. Both commands speak through
//! this one client, so they connect, trust and fail alike.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// One request.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    /// The method.
    pub method: Method,
    /// The URL (`http` or `https`).
    pub url: &'a url::Url,
    /// Connect here instead of resolving the URL's host. Without it, `localhost` and
    /// `*.localhost` connect to 127.0.0.1 (RFC 6761 §6.3), other hosts resolve normally.
    pub connect: Option<SocketAddr>,
    /// The CA certificate (PEM) to trust for HTTPS.
    pub ca_pem: Option<&'a [u8]>,
    /// Headers besides `Host` (and `Content-Type` for a body).
    pub headers: Vec<(HeaderName, String)>,
    /// A body with its content type.
    pub body: Option<(&'static str, String)>,
    /// The most bytes of the answer read.
    pub limit: usize,
}

/// An answer.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TransportError {
    /// HTTPS without a CA to trust (the URL).
    #[error("{0} is https and no CA was given")]
    NoCa(String),
    /// The CA holds no usable certificate.
    #[error("the CA certificate is not usable: {0}")]
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
    Failed {
        /// What was asked.
        url: String,
        /// Why.
        message: String,
    },
}

/// Where to connect for `url`.
fn address(connect: Option<SocketAddr>, url: &url::Url) -> (String, u16) {
    if let Some(addr) = connect {
        return (addr.ip().to_string(), addr.port());
    }
    // `url` writes IPv6 hosts in brackets; the socket wants the address.
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(80);
    let lower = host.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        ("127.0.0.1".to_owned(), port)
    } else {
        (host.to_owned(), port)
    }
}

/// Sends `call` over a fresh connection and reads the answer.
pub(crate) async fn send(call: Call<'_>) -> Result<Answer, TransportError> {
    let text = call.url.to_string();
    let (address, port) = address(call.connect, call.url);
    let stream = TcpStream::connect((address.as_str(), port))
        .await
        .map_err(|source| TransportError::Connect {
            url: text.clone(),
            source,
        })?;
    let failed = |message: String| TransportError::Failed {
        url: text.clone(),
        message,
    };
    if call.url.scheme() == "https" {
        let ca = call.ca_pem.ok_or_else(|| TransportError::NoCa(text.clone()))?;
        let connector = tokio_rustls::TlsConnector::from(client_config(ca)?);
        let host = call.url.host_str().unwrap_or_default();
        let name = ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']').to_owned())
            .map_err(|e| failed(e.to_string()))?;
        let tls = connector
            .connect(name, stream)
            .await
            .map_err(|e| failed(format!("TLS: {e}")))?;
        exchange(tls, &call).await
    } else {
        exchange(stream, &call).await
    }
    .map_err(failed)
}

/// A rustls client trusting only the certificates in `ca_pem`.
fn client_config(ca_pem: &[u8]) -> Result<Arc<rustls::ClientConfig>, TransportError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        let cert = cert.map_err(|e| TransportError::Ca(e.to_string()))?;
        roots.add(cert).map_err(|e| TransportError::Ca(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(TransportError::Ca("no certificate found".to_owned()));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::Ca(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// One request over the connection `io`.
async fn exchange<S>(io: S, call: &Call<'_>) -> Result<Answer, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(connection);
    let url = call.url;
    let mut target = url.path().to_owned();
    if let Some(query) = url.query() {
        target.push('?');
        target.push_str(query);
    }
    let authority = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let mut request = Request::builder()
        .method(call.method.clone())
        .uri(target)
        .header(header::HOST, authority);
    for (name, value) in &call.headers {
        let value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
        request = request.header(name, value);
    }
    let body = match &call.body {
        Some((content_type, body)) => {
            request = request.header(header::CONTENT_TYPE, *content_type);
            Bytes::from(body.clone())
        }
        None => Bytes::new(),
    };
    let request = request.body(Full::new(body)).map_err(|e| e.to_string())?;
    let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = Limited::new(response.into_body(), call.limit)
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    driver.abort();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_names_connect_to_loopback_and_a_given_address_wins() {
        let url = |s: &str| url::Url::parse(s).expect("url");
        assert_eq!(
            address(None, &url("http://acme.localhost:4598/x")),
            ("127.0.0.1".to_owned(), 4598)
        );
        assert_eq!(address(None, &url("https://[::1]/x")), ("::1".to_owned(), 443));
        assert_eq!(
            address(None, &url("http://mock.internal/x")),
            ("mock.internal".to_owned(), 80)
        );
        let given: SocketAddr = "127.0.0.1:9".parse().expect("addr");
        assert_eq!(
            address(Some(given), &url("http://x/")),
            ("127.0.0.1".to_owned(), 9)
        );
    }

    #[test]
    fn a_ca_without_a_certificate_is_refused() {
        assert!(matches!(client_config(b"not pem"), Err(TransportError::Ca(_))));
    }
}
