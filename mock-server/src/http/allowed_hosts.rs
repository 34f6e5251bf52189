//! The `Host` allow-list: a defence against DNS rebinding.
//!
//! A web page can point a name it owns at 127.0.0.1 and then read whatever the mock answers
//! there, because for the browser that is the page's own origin. The name survives in the `Host`
//! header, so the mock answers only names that cannot be rebound by someone else, as Vite's
//! `server.allowedHosts` and webpack-dev-server's `allowedHosts` do:
//!
//! - `localhost` and every `*.localhost` name (tenant hosts; RFC 6761 §6.3 keeps them on the
//!   loopback interface);
//! - any IP literal, v4 or v6 (an address cannot be rebound);
//! - the host of `--public-url`, and ilert's own `ilert.com` names;
//! - names given with `--allowed-host`: `mock` admits `mock` and its tenant hosts (`acme.mock`),
//!   `.example.test` admits `example.test` and every name below it, `*` admits every name.
//!
//! With `--trust-forwarded` the `X-Forwarded-Host` names are checked as well. Anything else is
//! answered `403` in ilert's REST error shape, naming the host and the flag that admits it.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::ctx::{Options, SharedCtx};
use super::rest_error::rest_error;

/// ilert's own domain: nobody but ilert can point its names anywhere.
const ILERT_DOMAIN: &str = "ilert.com";

use super::allowed_names::tenant_of;
pub use super::allowed_names::{AllowedHostError, AllowedHosts};

/// The name of a `Host` value (`name[:port]`, `[v6]:port`), lowercase, without the root dot;
/// `None` when there is no name at all.
fn host_name(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        return (after.is_empty() || after.starts_with(':')).then(|| inside.to_ascii_lowercase());
    }
    if value.parse::<std::net::IpAddr>().is_ok() {
        return Some(value.to_owned());
    }
    let name = value.rsplit_once(':').map_or(value, |(name, _port)| name);
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    (!name.is_empty()).then_some(name)
}

/// Whether the mock answers a request addressed to `value` (a `Host` or `X-Forwarded-Host`).
pub fn admits(options: &Options, value: &str) -> bool {
    if options.allowed_hosts.admits_any() {
        return true;
    }
    let Some(name) = host_name(value) else {
        return false;
    };
    if name.parse::<std::net::IpAddr>().is_ok() || name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    let public = options.public_url.as_ref().and_then(|u| u.host_str()).map(|h| {
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase()
    });
    if public
        .as_deref()
        .is_some_and(|p| name == p || tenant_of(&name, p))
    {
        return true;
    }
    if name == ILERT_DOMAIN || name.ends_with(".ilert.com") {
        return true;
    }
    options.allowed_hosts.admits_listed(&name)
}

/// The first name the request is addressed to that the mock does not answer, with the header
/// it came in.
fn refused(headers: &HeaderMap, uri: &axum::http::Uri, options: &Options) -> Option<(&'static str, String)> {
    for value in headers.get_all(header::HOST) {
        let text = String::from_utf8_lossy(value.as_bytes());
        if !admits(options, &text) {
            return Some(("Host", text.into_owned()));
        }
    }
    // HTTP/2 names the host in `:authority`, which arrives as the URI's authority.
    if let Some(authority) = uri.authority()
        && !admits(options, authority.as_str())
    {
        return Some(("Host", authority.as_str().to_owned()));
    }
    if options.trust_forwarded {
        for value in headers.get_all("x-forwarded-host") {
            let text = String::from_utf8_lossy(value.as_bytes());
            for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if !admits(options, name) {
                    return Some(("X-Forwarded-Host", name.to_owned()));
                }
            }
        }
    }
    None
}

/// Answers `403` to requests addressed to a name the mock does not answer (see the module docs).
pub async fn check<F, Fut>(ctx: &SharedCtx, request: Request, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let Some((header_name, value)) = refused(request.headers(), request.uri(), &ctx.options) else {
        return next(request).await;
    };
    let name = host_name(&value).unwrap_or_else(|| value.clone());
    tracing::warn!(
        "refused a request for {header_name} '{value}': not an allowed host (start the mock with --allowed-host {name} to answer it)"
    );
    rest_error(
        StatusCode::FORBIDDEN,
        &format!(
            "{header_name} '{value}' is not an allowed host of this mock (DNS rebinding protection). \
             To answer it, start the mock with --allowed-host {name} (or ILERT_MOCK_ALLOWED_HOSTS={name})."
        ),
        "HOST_NOT_ALLOWED",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(allowed: &[&str], public: Option<&str>) -> Options {
        Options {
            allowed_hosts: AllowedHosts::parse(allowed).expect("valid"),
            public_url: public.map(|p| url::Url::parse(p).expect("url")),
            ..Options::default()
        }
    }

    #[test]
    fn always_answered() {
        let o = options(&[], None);
        for host in [
            "localhost",
            "localhost:4598",
            "LocalHost.:4598",
            "acme.localhost:4598",
            "a.b.localhost",
            "127.0.0.1:4598",
            "10.0.0.7",
            "[::1]:4598",
            "[fd00::2]",
            "::1",
            "app.ilert.com",
            "ilert.com:443",
        ] {
            assert!(admits(&o, host), "{host}");
        }
        for host in [
            "",
            ":4598",
            "rebind.attacker.example:4598",
            "localhost.attacker.example",
            "127.0.0.1.nip.io",
            "evililert.com",
            "[::1",
            "[::1]x",
            "mock",
        ] {
            assert!(!admits(&o, host), "{host}");
        }
    }

    #[test]
    fn listed_names_public_url_and_wildcards() {
        let o = options(&["mock", ".Dev.Example."], Some("https://ilert.test:8443/"));
        for host in [
            "mock:4598",
            "acme.mock",
            "dev.example",
            "a.b.dev.example:1",
            "ilert.test",
            "acme.ilert.test:8443",
        ] {
            assert!(admits(&o, host), "{host}");
        }
        for host in [
            "a.b.mock",
            "xmock",
            "xdev.example",
            "a.b.ilert.test",
            "other.test",
        ] {
            assert!(!admits(&o, host), "{host}");
        }
        assert!(o.allowed_hosts.is_tenant_base("mock"));
        assert!(!o.allowed_hosts.is_tenant_base("acme.mock"));
        assert!(admits(&options(&["*"], None), "anything.example"));
    }

    #[test]
    fn malformed_values_are_refused_and_empty_ones_skipped() {
        for bad in ["http://mock", "mock:4598", "a..b", ".", "mo ck", "mock/x"] {
            assert_eq!(
                AllowedHosts::parse([bad]),
                Err(AllowedHostError(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(AllowedHosts::parse(["", " "]), Ok(AllowedHosts::default()));
    }
}
