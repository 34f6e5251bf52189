//! The request's host: its base URL and the tenant it names.
//!
//! ilert serves a tenant at `https://{tenant}.ilert.com`; the mock takes the tenant from the
//! `Host` header's first label when the host is `{tenant}.{base host}` (behaviour.md §1), where the base
//! host is `localhost`, the host of `--public-url`, or a name given with `--allowed-host`.

use axum::http::{HeaderMap, header};

use super::ctx::Options;

/// Labels that name ilert's own hosts, never a tenant.
pub(crate) const NOT_TENANTS: &[&str] = &["app", "api", "www"];

fn first_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get(name)?.to_str().ok()?;
    let first = value.split(',').next()?.trim();
    (!first.is_empty()).then_some(first)
}

/// The host the client addressed, with port: `X-Forwarded-Host` when `--trust-forwarded` is
/// set and the header is present, else `Host` (or `localhost` when absent).
pub fn host(headers: &HeaderMap, options: &Options) -> String {
    let forwarded = options
        .trust_forwarded
        .then(|| first_value(headers, "x-forwarded-host"))
        .flatten();
    forwarded
        .or_else(|| headers.get(header::HOST).and_then(|h| h.to_str().ok()))
        .unwrap_or("localhost")
        .to_owned()
}

/// The base URL a client reached the server at: `--public-url` when set; else the (forwarded)
/// scheme and host of the request, so the mock answers right behind proxies and container
/// networks.
pub fn base_url(headers: &HeaderMap, options: &Options) -> String {
    if let Some(url) = &options.public_url {
        return url.as_str().trim_end_matches('/').to_owned();
    }
    let scheme = options
        .trust_forwarded
        .then(|| first_value(headers, "x-forwarded-proto"))
        .flatten()
        .filter(|p| matches!(*p, "http" | "https"))
        .unwrap_or(options.scheme());
    format!("{scheme}://{}", host(headers, options))
}

fn without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split(']').next().map_or(host, |h| h.trim_start_matches('['));
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

/// The tenant label of a `{tenant}.{base}` host, if the host is one.
pub fn tenant_label(headers: &HeaderMap, options: &Options) -> Option<String> {
    let host = host(headers, options);
    let name = without_port(&host).trim_end_matches('.').to_ascii_lowercase();
    if name.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let (label, rest) = name.split_once('.')?;
    let public_host = options
        .public_url
        .as_ref()
        .and_then(|u| u.host_str())
        .map(str::to_ascii_lowercase);
    let is_base = rest == "localhost"
        || public_host.as_deref() == Some(rest)
        || rest == "ilert.com"
        || options.allowed_hosts.is_tenant_base(rest);
    (is_base && !NOT_TENANTS.contains(&label)).then(|| label.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn label(host: &str, public: Option<&str>) -> Option<String> {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(host).expect("header"));
        let options = Options {
            public_url: public.map(|p| url::Url::parse(p).expect("url")),
            ..Options::default()
        };
        tenant_label(&headers, &options)
    }

    #[test]
    fn forwarded_headers_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:4598"));
        headers.insert(
            "x-forwarded-host",
            HeaderValue::from_static("mock.internal:8443, proxy"),
        );
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let plain = Options::default();
        assert_eq!(base_url(&headers, &plain), "http://127.0.0.1:4598");
        let trusting = Options {
            trust_forwarded: true,
            ..Options::default()
        };
        assert_eq!(base_url(&headers, &trusting), "https://mock.internal:8443");
        let public = Options {
            public_url: Some(url::Url::parse("https://ilert.test/").expect("url")),
            ..trusting
        };
        assert_eq!(base_url(&headers, &public), "https://ilert.test");
    }

    #[test]
    fn tenant_hosts() {
        assert_eq!(label("acme.localhost:4598", None), Some("acme".into()));
        assert_eq!(label("someTenant.localhost", None), Some("sometenant".into()));
        assert_eq!(label("localhost:4598", None), None);
        assert_eq!(label("127.0.0.1:4598", None), None);
        assert_eq!(label("[::1]:4598", None), None);
        assert_eq!(label("app.localhost:4598", None), None);
        assert_eq!(label("a.b.localhost", None), None);
        assert_eq!(
            label("acme.mock.test:80", Some("http://mock.test")),
            Some("acme".into())
        );
        assert_eq!(label("acme.other.test", Some("http://mock.test")), None);
    }
}
