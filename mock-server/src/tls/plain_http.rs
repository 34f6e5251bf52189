//! Plain HTTP sent to the HTTPS port: answered with a plain-text `400` that says to use
//! `https://`, instead of a TLS alert that clients report as "HTTP/0.9" or "wrong version
//! number".
//!
//! A TLS connection opens with a handshake record, whose first byte is 22 (RFC 8446 §5.1,
//! `ContentType.handshake`); an HTTP request opens with a method name in ASCII letters. The
//! guard peeks at that first byte before the TLS handshake: a handshake goes on to rustls
//! untouched; a letter gets the message, and the connection is closed.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::Duration;

use axum_server::accept::Accept;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// First byte of a TLS handshake record.
const TLS_HANDSHAKE: u8 = 22;

/// How long a connection may stay silent before its first byte, unless told otherwise.
const FIRST_BYTE_WITHIN: Duration = Duration::from_secs(10);

/// The body of the answer to plain HTTP.
pub const MESSAGE: &str = "This port speaks HTTPS (ilert-mock --tls). Use https:// instead of http://, \
     and trust the development CA that --tls-ca-out writes (e.g. curl --cacert ca.pem https://localhost:PORT/…).\n";

/// Whether a connection's first byte starts an HTTP request rather than a TLS handshake.
pub fn looks_like_plain_http(first: u8) -> bool {
    first != TLS_HANDSHAKE && first.is_ascii_alphabetic()
}

/// The raw `400` answer.
fn answer() -> String {
    format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{MESSAGE}",
        MESSAGE.len()
    )
}

/// Answers plain HTTP with [`MESSAGE`]: reads what the client sent (up to the end of its
/// headers, so closing does not reset the connection before the answer is read), writes the
/// answer and closes.
async fn refuse(mut stream: TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 2048];
    let read_headers = async {
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") && seen.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), read_headers).await;
    let _ = stream.write_all(answer().as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The acceptor that runs before the TLS handshake.
#[derive(Debug, Clone, Copy)]
pub struct PlainHttpGuard {
    first_byte_within: Duration,
}

impl Default for PlainHttpGuard {
    fn default() -> Self {
        Self::within(FIRST_BYTE_WITHIN)
    }
}

impl PlainHttpGuard {
    /// A guard that closes a connection silent for `limit` (the server's header-read limit).
    pub fn within(limit: Duration) -> Self {
        Self {
            first_byte_within: limit,
        }
    }
}

impl<S: Send + 'static> Accept<TcpStream, S> for PlainHttpGuard {
    type Stream = TcpStream;
    type Service = S;
    type Future = Pin<Box<dyn Future<Output = io::Result<(TcpStream, S)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let within = self.first_byte_within;
        Box::pin(async move {
            let mut first = [0u8; 1];
            let peeked = tokio::time::timeout(within, stream.peek(&mut first)).await;
            match peeked {
                Ok(Ok(1)) if looks_like_plain_http(first[0]) => {
                    let peer = stream.peer_addr().ok();
                    tracing::warn!(?peer, "plain HTTP on the HTTPS port: answered 400, use https://");
                    refuse(stream).await;
                    Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "plain HTTP on the HTTPS port",
                    ))
                }
                Ok(Ok(_)) => Ok((stream, service)),
                Ok(Err(err)) => Err(err),
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no TLS handshake began in time",
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_http_from_tls() {
        assert!(looks_like_plain_http(b'G'));
        assert!(looks_like_plain_http(b'P'));
        assert!(!looks_like_plain_http(TLS_HANDSHAKE));
        assert!(!looks_like_plain_http(0x80));
        assert!(answer().starts_with("HTTP/1.1 400 "));
        assert!(answer().ends_with(MESSAGE));
    }
}
