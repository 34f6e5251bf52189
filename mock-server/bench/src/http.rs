//! The load generator's HTTP/1.1 client: keep-alive connections, requests written from prepared
//! bytes, answers parsed with httparse.
//!
//! A general client (reqwest, hyper's) would put its own per-request work (header maps, URL
//! parsing, pooling) on the same two cores as the server it measures. This one writes bytes built
//! once per scenario and reads only the status, `Content-Length`, and `Location` when asked.
//! Bodies must be `Content-Length` framed, which is all axum (and express, for the peer) send for
//! the endpoints measured; a chunked answer is an error rather than a misread.

use std::io::{Error, ErrorKind};
use std::net::SocketAddr;
use std::ops::Range;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::error::BenchError;

/// One keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    /// Bytes read and not yet consumed, starting with the current answer.
    pub buf: Vec<u8>,
    /// Bytes of `buf` already consumed by the previous answer.
    consumed: usize,
}

/// An answer: status, `Location` when asked for, and the body's range in the connection buffer.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// The `Location` header, when asked for and present.
    pub location: Option<String>,
    /// Where the body lies in the buffer the answer was parsed from.
    pub body: Range<usize>,
}

/// How far an answer at the start of a buffer has arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Head and body are complete.
    Complete(Answer),
    /// More bytes are needed; the answer's total length once its head is complete.
    Partial(Option<usize>),
}

/// Parses the answer at the start of `buf`.
pub fn parse_answer(buf: &[u8], want_location: bool) -> std::io::Result<Parsed> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(head) = response
        .parse(buf)
        .map_err(|e| Error::new(ErrorKind::InvalidData, e))?
    else {
        return Ok(Parsed::Partial(None));
    };
    let mut length = None;
    let mut location = None;
    for h in response.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            length = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok());
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(Error::new(
                ErrorKind::InvalidData,
                "chunked answers are not supported",
            ));
        } else if want_location && h.name.eq_ignore_ascii_case("location") {
            location = Some(String::from_utf8_lossy(h.value).into_owned());
        }
    }
    let end = head + length.unwrap_or(0);
    if buf.len() < end {
        return Ok(Parsed::Partial(Some(end)));
    }
    Ok(Parsed::Complete(Answer {
        status: response.code.unwrap_or(0),
        location,
        body: head..end,
    }))
}

impl Conn {
    /// Connects, with Nagle off (requests are written whole).
    pub async fn open(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(16 * 1024),
            consumed: 0,
        })
    }

    /// Writes `request` and reads its answer; the body stays in `self.buf` until the next call.
    pub async fn call(&mut self, request: &[u8], want_location: bool) -> std::io::Result<Answer> {
        self.buf.drain(..self.consumed);
        self.consumed = 0;
        self.stream.write_all(request).await?;
        loop {
            match parse_answer(&self.buf, want_location)? {
                Parsed::Complete(answer) => {
                    self.consumed = answer.body.end;
                    return Ok(answer);
                }
                Parsed::Partial(Some(end)) => self.buf.reserve(end - self.buf.len()),
                Parsed::Partial(None) => {}
            }
            if self.buf.capacity() - self.buf.len() < 4096 {
                self.buf.reserve(16 * 1024);
            }
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                return Err(Error::new(
                    ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ));
            }
        }
    }
}

/// A one-off answer, owned.
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// The `Location` header, when asked for.
    pub location: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// One request on a fresh connection, for setup.
pub async fn once(addr: SocketAddr, request: &[u8], want_location: bool) -> Result<Reply, BenchError> {
    let mut conn = Conn::open(addr).await?;
    let answer = conn.call(request, want_location).await?;
    Ok(Reply {
        status: answer.status,
        location: answer.location,
        body: conn.buf[answer.body].to_vec(),
    })
}

/// A `GET` with `extra` header lines (each ending in CRLF).
pub fn get(host: &str, path_and_query: &str, extra: &str) -> Vec<u8> {
    format!("GET {path_and_query} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n").into_bytes()
}

/// A `POST` of a form body.
pub fn post_form(host: &str, path: &str, body: &str) -> Vec<u8> {
    post(host, path, "application/x-www-form-urlencoded", body)
}

/// A `POST` of `body` as `content_type`.
pub fn post(host: &str, path: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// `application/x-www-form-urlencoded` of the pairs, in order.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The `code` parameter of a redirect's query.
pub fn code_of(location: &str) -> Option<&str> {
    let query = location.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix("code="))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_read_from_the_redirect_query() {
        assert_eq!(
            code_of("http://localhost:4597/authorize-result?code=c82e&state=bench"),
            Some("c82e")
        );
        assert_eq!(code_of("http://localhost:4597/cb?state=x&code=9"), Some("9"));
        assert_eq!(code_of("http://localhost:4597/cb?error=access_denied"), None);
        assert_eq!(code_of("http://localhost:4597/cb"), None);
    }

    const FOUND: &[u8] = b"HTTP/1.1 302 Found\r\nlocation: http://localhost:4597/cb?code=abc&state=bench\r\ncontent-length: 0\r\n\r\n";

    #[test]
    fn a_complete_answer_gives_status_location_and_body_range() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n{\"a\":1}HTTP/1.1 200";
        let Ok(Parsed::Complete(answer)) = parse_answer(raw, false) else {
            panic!("not complete");
        };
        assert_eq!(answer.status, 200);
        assert_eq!(answer.location, None);
        assert_eq!(&raw[answer.body], b"{\"a\":1}");
    }

    #[test]
    fn location_is_read_only_when_asked_for() {
        let Ok(Parsed::Complete(asked)) = parse_answer(FOUND, true) else {
            panic!("not complete");
        };
        assert_eq!(asked.status, 302);
        assert_eq!(
            asked.location.as_deref(),
            Some("http://localhost:4597/cb?code=abc&state=bench")
        );
        assert!(asked.body.is_empty());
        let Ok(Parsed::Complete(unasked)) = parse_answer(FOUND, false) else {
            panic!("not complete");
        };
        assert_eq!(unasked.location, None);
    }

    #[test]
    fn a_partial_head_or_body_asks_for_more() {
        assert_eq!(
            parse_answer(b"HTTP/1.1 200 OK\r\ncontent-le", false).ok(),
            Some(Parsed::Partial(None))
        );
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n";
        let mut raw = head.to_vec();
        raw.extend_from_slice(b"12345");
        assert_eq!(
            parse_answer(&raw, false).ok(),
            Some(Parsed::Partial(Some(head.len() + 10)))
        );
    }

    #[test]
    fn no_content_length_means_an_empty_body() {
        let raw = b"HTTP/1.1 204 No Content\r\n\r\n";
        let Ok(Parsed::Complete(answer)) = parse_answer(raw, false) else {
            panic!("not complete");
        };
        assert_eq!((answer.status, answer.body), (204, raw.len()..raw.len()));
    }

    #[test]
    fn chunked_and_malformed_answers_are_errors() {
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        assert_eq!(
            parse_answer(chunked, false).map_err(|e| e.kind()).err(),
            Some(ErrorKind::InvalidData)
        );
        assert_eq!(
            parse_answer(b"HTTP/1.1 2x0 OK\r\n\r\n", false)
                .map_err(|e| e.kind())
                .err(),
            Some(ErrorKind::InvalidData)
        );
    }

    #[test]
    fn requests_are_well_formed_http_1_1() {
        assert_eq!(
            get("127.0.0.1:1", "/x?y=1", "Authorization: Bearer t\r\n"),
            b"GET /x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\nAuthorization: Bearer t\r\n\r\n"
        );
        let body = form(&[("grant_type", "refresh_token"), ("token", "a b&c")]);
        assert_eq!(body, "grant_type=refresh_token&token=a+b%26c");
        assert_eq!(
            String::from_utf8_lossy(&post_form("h", "/t", &body)),
            format!(
                "POST /t HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        );
    }
}
