//! Refusing requests a web page of another site makes a browser send (CSRF).
//!
//! Two strengths, both reading only what browsers add themselves (`Sec-Fetch-Site`, `Origin`),
//! so requests from scripts, curl and test code, which send neither, pass untouched:
//!
//! - [`same_origin`] guards the grant form, the way Go 1.25's `http.CrossOriginProtection` does:
//!   a `Sec-Fetch-Site` of `same-origin` or `none` passes, any other value is refused; without
//!   it, an `Origin` must name the mock itself. The mock's own origin is the host the request was
//!   addressed to (`Host`, `X-Forwarded-Host` when trusted) or the public URL's, so the real grant
//!   page works however the mock is reached.
//! - [`same_site`] guards the state-changing control routes: `Sec-Fetch-Site: cross-site` is
//!   refused, and an `Origin` must be the mock's own host, a name above or below it, or a loopback
//!   page (a local test UI on another port).
//! - [`ingest`] guards the tokenless ingestion endpoints (Events, Series, deployment events,
//!   heartbeat pings) by the same rule as the control surface, with one escape: an origin the
//!   user allowed (`--allow-origin`). Their integration keys are no secret from a page (they
//!   sit in alert sources' URLs), and a `text/plain` POST or an `<img>` needs no preflight, so
//!   without this any web page the developer visits could fill the mock.

use axum::http::{HeaderMap, header};

use super::ctx::Options;
use super::host;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrossOrigin {
    /// The browser said the request came from another site (or origin).
    #[error("the browser marked it Sec-Fetch-Site: {0}, that is, a page of another site sent it")]
    FetchSite(String),
    /// `Origin` names another origin.
    #[error("it came from a page of another site (Origin: {0})")]
    Origin(String),
}

/// The `Origin` header, if any, as text.
fn origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
}

/// The `Sec-Fetch-Site` header, if any, lowercase.
fn fetch_site(headers: &HeaderMap) -> Option<String> {
    headers
        .get("sec-fetch-site")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_ascii_lowercase())
}

/// Host (lowercase, no brackets, no root dot) and port, if given, of an authority
/// (`host`, `host:port`, `[v6]:port`).
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let authority = authority.trim();
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        match after.strip_prefix(':') {
            Some(port) => (inside, Some(port.parse().ok()?)),
            None if after.is_empty() => (inside, None),
            None => return None,
        }
    } else if authority.parse::<std::net::IpAddr>().is_ok() {
        (authority, None)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port.parse().ok()?)),
            None => (authority, None),
        }
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some((host, port))
}

/// The authorities the request was addressed to: (host, port if given).
fn own_authorities(headers: &HeaderMap, options: &Options) -> Vec<(String, Option<u16>)> {
    let mut own: Vec<(String, Option<u16>)> = [
        Some(host::host(headers, options)),
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned),
    ]
    .into_iter()
    .flatten()
    .filter_map(|a| split_authority(&a))
    .collect();
    if let Some(url) = &options.public_url
        && let Some(h) = url.host_str()
    {
        let h = h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        own.push((h, url.port_or_known_default()));
    }
    own
}

/// The host of an origin URL, lowercase, without brackets.
fn origin_host(url: &url::Url) -> String {
    url.host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// A parsed, non-opaque `Origin`: scheme, host and port.
fn parse_origin(value: &str) -> Option<url::Url> {
    let url = url::Url::parse(value).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some()).then_some(url)
}

/// Like Go 1.25's `http.CrossOriginProtection`: refuses what a page of another origin made the
/// browser send. For state-changing requests only; the caller decides which those are.
pub fn same_origin(headers: &HeaderMap, options: &Options) -> Result<(), CrossOrigin> {
    match fetch_site(headers).as_deref() {
        Some("same-origin" | "none") => return Ok(()),
        Some(other) if !other.is_empty() => return Err(CrossOrigin::FetchSite(other.to_owned())),
        _ => {}
    }
    let Some(value) = origin(headers) else {
        return Ok(());
    };
    let ours = parse_origin(&value).is_some_and(|url| {
        let host = origin_host(&url);
        let port = url.port_or_known_default();
        // A `Host` without a port means the default port of the scheme.
        let default = if url.scheme() == "https" { 443 } else { 80 };
        own_authorities(headers, options)
            .into_iter()
            .any(|(own_host, own_port)| own_host == host && Some(own_port.unwrap_or(default)) == port)
    });
    if ours {
        Ok(())
    } else {
        Err(CrossOrigin::Origin(value))
    }
}

fn is_loopback_name(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// Refuses what a page of another site made the browser send; pages of the mock's own host,
/// of names above or below it and of loopback hosts pass.
pub fn same_site(headers: &HeaderMap, options: &Options) -> Result<(), CrossOrigin> {
    if let Some(site) = fetch_site(headers)
        && site == "cross-site"
    {
        return Err(CrossOrigin::FetchSite(site));
    }
    let Some(value) = origin(headers) else {
        return Ok(());
    };
    let Some(url) = parse_origin(&value) else {
        return Err(CrossOrigin::Origin(value));
    };
    let host = origin_host(&url);
    let related = |own: &str| {
        host == own
            || host.strip_suffix(own).is_some_and(|rest| rest.ends_with('.'))
            || own
                .strip_suffix(host.as_str())
                .is_some_and(|rest| rest.ends_with('.'))
    };
    let own = own_authorities(headers, options);
    let ok = (is_loopback_name(&host) && own.iter().all(|(h, _)| is_loopback_name(h)))
        || own.iter().any(|(h, _)| related(h));
    if ok {
        Ok(())
    } else {
        Err(CrossOrigin::Origin(value))
    }
}

/// Whether `origin` is one the user allowed: `*`, or the same scheme, host and port as an
/// entry of `allowed` (entries are origins such as `http://localhost:3000`).
pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    let Some(url) = parse_origin(origin) else {
        return false;
    };
    allowed.iter().any(|entry| {
        entry == "*"
            || parse_origin(entry).is_some_and(|e| {
                e.scheme() == url.scheme()
                    && origin_host(&e) == origin_host(&url)
                    && e.port_or_known_default() == url.port_or_known_default()
            })
    })
}

/// The rule of the tokenless ingestion endpoints: [`same_site`], unless the request's `Origin`
/// is one the user allowed ([`origin_allowed`]).
pub fn ingest(headers: &HeaderMap, options: &Options) -> Result<(), CrossOrigin> {
    if let Some(value) = origin(headers)
        && origin_allowed(&value, &options.allowed_origins)
    {
        return Ok(());
    }
    same_site(headers, options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).expect("value"));
        }
        h
    }

    #[test]
    fn same_origin_follows_go_cross_origin_protection() {
        let o = Options::default();
        let ok = |pairs: &[(&'static str, &str)]| same_origin(&headers(pairs), &o);
        assert_eq!(ok(&[("host", "127.0.0.1:4598")]), Ok(()));
        assert_eq!(
            ok(&[("host", "127.0.0.1:4598"), ("sec-fetch-site", "same-origin")]),
            Ok(())
        );
        assert_eq!(
            ok(&[("host", "127.0.0.1:4598"), ("sec-fetch-site", "none")]),
            Ok(())
        );
        assert_eq!(
            ok(&[("host", "127.0.0.1:4598"), ("origin", "http://127.0.0.1:4598")]),
            Ok(())
        );
        assert_eq!(
            ok(&[("host", "localhost"), ("origin", "http://localhost")]),
            Ok(())
        );
        assert_eq!(
            ok(&[("host", "[::1]:4598"), ("origin", "http://[::1]:4598")]),
            Ok(())
        );
        for (site, origin) in [("cross-site", ""), ("same-site", ""), ("SAME-SITE", "")] {
            let mut pairs = vec![("host", "127.0.0.1:4598"), ("sec-fetch-site", site)];
            if !origin.is_empty() {
                pairs.push(("origin", origin));
            }
            assert!(matches!(ok(&pairs), Err(CrossOrigin::FetchSite(_))), "{site}");
        }
        for origin in [
            "http://127.0.0.1:4599",
            "http://localhost:4598",
            "https://attacker.example",
            "null",
            "",
        ] {
            assert_eq!(
                ok(&[("host", "127.0.0.1:4598"), ("origin", origin)]),
                Err(CrossOrigin::Origin(origin.to_owned())),
                "{origin}"
            );
        }
    }

    #[test]
    fn same_origin_knows_forwarded_and_public_hosts() {
        let trusting = Options {
            trust_forwarded: true,
            ..Options::default()
        };
        let h = headers(&[
            ("host", "mock:4598"),
            ("x-forwarded-host", "ilert.test"),
            ("origin", "https://ilert.test"),
        ]);
        assert_eq!(same_origin(&h, &trusting), Ok(()));
        assert!(same_origin(&h, &Options::default()).is_err());
        let public = Options {
            public_url: Some(url::Url::parse("https://ilert.test:8443").expect("url")),
            ..Options::default()
        };
        let h = headers(&[("host", "127.0.0.1:4598"), ("origin", "https://ilert.test:8443")]);
        assert_eq!(same_origin(&h, &public), Ok(()));
        let h = headers(&[("host", "127.0.0.1:4598"), ("origin", "https://ilert.test")]);
        assert!(same_origin(&h, &public).is_err());
    }

    #[test]
    fn same_site_admits_related_and_loopback_pages() {
        let o = Options::default();
        let check = |host: &str, pairs: &[(&'static str, &str)]| {
            let mut h = headers(pairs);
            h.insert(header::HOST, HeaderValue::from_str(host).expect("host"));
            same_site(&h, &o)
        };
        assert_eq!(check("localhost:4598", &[]), Ok(()));
        assert_eq!(
            check("localhost:4598", &[("sec-fetch-site", "same-site")]),
            Ok(())
        );
        assert_eq!(
            check("localhost:4598", &[("origin", "http://localhost:3000")]),
            Ok(())
        );
        assert_eq!(
            check("127.0.0.1:4598", &[("origin", "http://acme.localhost:3000")]),
            Ok(())
        );
        assert_eq!(check("mock:4598", &[("origin", "http://acme.mock")]), Ok(()));
        assert!(check("localhost:4598", &[("sec-fetch-site", "cross-site")]).is_err());
        assert!(check("localhost:4598", &[("origin", "null")]).is_err());
        assert!(check("localhost:4598", &[("origin", "https://attacker.example")]).is_err());
        assert!(check("localhost:4598", &[("origin", "http://192.0.2.9")]).is_err());
        assert!(check("mock:4598", &[("origin", "http://localhost:3000")]).is_err());
    }

    #[test]
    fn ingest_admits_only_allowed_foreign_origins() {
        let mut o = Options::default();
        let h = headers(&[
            ("host", "127.0.0.1:4598"),
            ("origin", "https://app.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(ingest(&h, &o).is_err());
        o.allowed_origins = vec!["https://app.example:443".to_owned()];
        assert_eq!(ingest(&h, &o), Ok(()));
        o.allowed_origins = vec!["http://app.example".to_owned()];
        assert!(ingest(&h, &o).is_err());
        o.allowed_origins = vec!["*".to_owned()];
        assert_eq!(ingest(&h, &o), Ok(()));
        assert!(!origin_allowed("null", &o.allowed_origins));
    }
}
