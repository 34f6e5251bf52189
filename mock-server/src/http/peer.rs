//! Who sent a request: the connection's peer address, or, behind a proxy the mock is told to
//! trust (`--trust-forwarded`), the address that proxy appended to `X-Forwarded-For`.
//!
//! Only the right-most entry is the proxy's own word; everything left of it was written by the
//! client (or by proxies before it) and can be anything, so keying anything on the first entry
//! lets a client pick its own identity.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;

/// The right-most `X-Forwarded-For` entry: `Some(None)` when there is one but it is no address.
fn forwarded_for(headers: &HeaderMap) -> Option<Option<IpAddr>> {
    let last = headers.get_all("x-forwarded-for").into_iter().next_back()?;
    let text = String::from_utf8_lossy(last.as_bytes());
    let entry = text.rsplit(',').map(str::trim).find(|e| !e.is_empty())?;
    Some(
        entry
            .parse::<IpAddr>()
            .ok()
            .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
            .or_else(|| {
                entry
                    .strip_prefix('[')
                    .and_then(|e| e.strip_suffix(']'))
                    .and_then(|e| e.parse().ok())
            }),
    )
}

/// The client's address; `None` when it cannot be told (no connection info, or a forwarded
/// entry that is not an address). IPv4-mapped IPv6 addresses read as IPv4.
pub fn client_ip(request: &Request, trust_forwarded: bool) -> Option<IpAddr> {
    if trust_forwarded && let Some(forwarded) = forwarded_for(request.headers()) {
        return forwarded.map(|ip| ip.to_canonical());
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(peer: &str, forwarded: &[&str]) -> Request {
        let mut builder = axum::http::Request::builder().uri("/");
        for f in forwarded {
            builder = builder.header("x-forwarded-for", *f);
        }
        let mut r = builder.body(Body::empty()).expect("request");
        r.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().expect("addr")));
        r
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("ip"))
    }

    #[test]
    fn the_right_most_forwarded_entry_when_trusted() {
        let r = request("127.0.0.1:5000", &["198.51.100.1, 203.0.113.7"]);
        assert_eq!(client_ip(&r, true), ip("203.0.113.7"));
        assert_eq!(client_ip(&r, false), ip("127.0.0.1"));
        let r = request("127.0.0.1:5000", &["198.51.100.1", "203.0.113.8:443 , "]);
        assert_eq!(client_ip(&r, true), ip("203.0.113.8"));
        let r = request("127.0.0.1:5000", &["[2001:db8::1]:80"]);
        assert_eq!(client_ip(&r, true), ip("2001:db8::1"));
        let r = request("127.0.0.1:5000", &["[2001:db8::2]"]);
        assert_eq!(client_ip(&r, true), ip("2001:db8::2"));
        let r = request("127.0.0.1:5000", &["unknown"]);
        assert_eq!(client_ip(&r, true), None);
        let r = request("[::ffff:127.0.0.1]:5000", &[]);
        assert_eq!(client_ip(&r, true), ip("127.0.0.1"));
    }
}
