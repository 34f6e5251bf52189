//! Exact redirect-URI matching at `GET /api/developers/oauth2/authorize` (behaviour.md §2: no prefix
//! match, no normalisation): one case per way a URI can differ from the registered one, each
//! answered with an error page, never a redirect.

use serde_json::json;

use super::Params;
use crate::case::{Area, Case, CaseResult, rfc, run};
use crate::ctx::Cx;

/// The ways a redirect URI can differ from the registered one (behaviour.md §2: no prefix match, no
/// normalisation).
#[derive(Debug, Clone, Copy)]
enum Variant {
    TrailingSlash,
    HostCase,
    PathCase,
    OtherPort,
    NoPort,
    DefaultPort,
    Scheme,
    Query,
    Fragment,
    Userinfo,
    PercentEncoded,
    Prefix,
    IpForName,
    OtherHost,
    Javascript,
    Crlf,
    DotSegment,
}

struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    rest: &'a str,
}

fn split(uri: &str) -> Option<Parts<'_>> {
    let (scheme, after) = uri.split_once("://")?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (authority, None),
    };
    Some(Parts {
        scheme,
        host,
        port,
        rest,
    })
}

/// The registered URI changed one way; `None` when the change does not apply to it.
fn variant_uri(registered: &str, v: Variant) -> Option<String> {
    let p = split(registered)?;
    let port = |p: Option<&str>| p.map(|p| format!(":{p}")).unwrap_or_default();
    let default_port = if p.scheme == "https" { "443" } else { "80" };
    let join = |scheme: &str, host: &str, port: &str, rest: &str| format!("{scheme}://{host}{port}{rest}");
    Some(match v {
        Variant::TrailingSlash => match registered.strip_suffix('/') {
            Some(without) => without.to_owned(),
            None => format!("{registered}/"),
        },
        Variant::HostCase => {
            let upper = p.host.to_ascii_uppercase();
            if upper == p.host {
                return None;
            }
            join(p.scheme, &upper, &port(p.port), p.rest)
        }
        Variant::PathCase => {
            let upper = p.rest.to_ascii_uppercase();
            if upper == p.rest {
                return None;
            }
            join(p.scheme, p.host, &port(p.port), &upper)
        }
        Variant::OtherPort => {
            let other = p
                .port
                .and_then(|n| n.parse::<u32>().ok())
                .map_or(8081, |n| if n >= 65_535 { n - 1 } else { n + 1 });
            join(p.scheme, p.host, &format!(":{other}"), p.rest)
        }
        Variant::NoPort => {
            p.port?;
            join(p.scheme, p.host, "", p.rest)
        }
        Variant::DefaultPort => {
            if p.port == Some(default_port) {
                return None;
            }
            join(p.scheme, p.host, &format!(":{default_port}"), p.rest)
        }
        Variant::Scheme => {
            let other = if p.scheme == "https" { "http" } else { "https" };
            join(other, p.host, &port(p.port), p.rest)
        }
        Variant::Query => {
            if p.rest.contains('?') {
                format!("{registered}&x=1")
            } else {
                format!("{registered}?x=1")
            }
        }
        Variant::Fragment => format!("{registered}#f"),
        Variant::Userinfo => join(p.scheme, &format!("user@{}", p.host), &port(p.port), p.rest),
        Variant::PercentEncoded => {
            let path = p.rest.strip_prefix('/')?;
            let first = path
                .chars()
                .next()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')?;
            let encoded = format!("/%{:02X}{}", u32::from(first), &path[first.len_utf8()..]);
            join(p.scheme, p.host, &port(p.port), &encoded)
        }
        Variant::Prefix => format!("{registered}-evil"),
        Variant::IpForName => {
            let other = if p.host.eq_ignore_ascii_case("localhost") {
                "127.0.0.1"
            } else if p.host.parse::<std::net::IpAddr>().is_ok() {
                "localhost"
            } else {
                return None;
            };
            join(p.scheme, other, &port(p.port), p.rest)
        }
        Variant::OtherHost => join("https", "evil.example", "", p.rest),
        Variant::Javascript => "javascript:alert(1)".to_owned(),
        Variant::Crlf => format!("{registered}\r\nSet-Cookie: x=1"),
        Variant::DotSegment => {
            if !p.rest.starts_with('/') {
                return None;
            }
            join(p.scheme, p.host, &port(p.port), &format!("/x/..{}", p.rest))
        }
    })
}

async fn exact(cx: Cx, v: Variant) -> CaseResult {
    let registered = cx.target().app.redirect_uri.clone();
    let Some(uri) = variant_uri(&registered, v) else {
        return Err(crate::case::Stop::skip(format!(
            "{v:?} does not apply to the registered URI {registered}"
        )));
    };
    cx.note(
        "redirect_uri variant",
        json!({"registered": registered, "sent": uri}),
    );
    let p = Params::valid(&cx.target().app, "profile").set("redirect_uri", &uri);
    let r = cx.authorize(&p.pairs()).await?;
    r.error_page()?;
    Ok(())
}

macro_rules! exact_cases {
    ($($n:literal $f:ident $v:ident $title:literal;)*) => {
        $(async fn $f(cx: Cx) -> CaseResult { exact(cx, Variant::$v).await })*

        /// One case per variant, `AUTHZ-REDIRECT-EXACT-01` to `-17`.
        pub fn cases() -> Vec<Case> {
            vec![$(
                Case::new(
                    Area::Authorize,
                    concat!("AUTHZ-REDIRECT-EXACT-", $n),
                    concat!("redirect_uri with ", $title, " gets an error page, never a redirect"),
                    rfc("rfc6749 §4.1.2.1, rfc9700 §4.1.3 (ilert: exactly as registered)"),
                    run!($f),
                ),
            )*]
        }
    };
}

exact_cases! {
    "01" exact_trailing_slash TrailingSlash "a trailing slash added (or removed)";
    "02" exact_host_case HostCase "the host in upper case";
    "03" exact_path_case PathCase "the path in upper case";
    "04" exact_other_port OtherPort "another port";
    "05" exact_no_port NoPort "the port left out";
    "06" exact_default_port DefaultPort "the scheme's default port written out";
    "07" exact_scheme Scheme "the other scheme (http/https)";
    "08" exact_query Query "a query added";
    "09" exact_fragment Fragment "a fragment added";
    "10" exact_userinfo Userinfo "userinfo added";
    "11" exact_percent_encoded PercentEncoded "a path character percent-encoded";
    "12" exact_prefix Prefix "the registered URI as a prefix only";
    "13" exact_ip_for_name IpForName "127.0.0.1 for localhost";
    "14" exact_other_host OtherHost "another host";
    "15" exact_javascript Javascript "a javascript: URI";
    "16" exact_crlf Crlf "CR LF and a header appended";
    "17" exact_dot_segment DotSegment "a dot segment (/x/..) in the path";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_of_the_guides_uri() {
        let r = "http://localhost:4597/authorize-result";
        let v = |x| variant_uri(r, x).unwrap_or_default();
        assert_eq!(
            v(Variant::TrailingSlash),
            "http://localhost:4597/authorize-result/"
        );
        assert_eq!(v(Variant::HostCase), "http://LOCALHOST:4597/authorize-result");
        assert_eq!(v(Variant::PathCase), "http://localhost:4597/AUTHORIZE-RESULT");
        assert_eq!(v(Variant::OtherPort), "http://localhost:4598/authorize-result");
        assert_eq!(v(Variant::NoPort), "http://localhost/authorize-result");
        assert_eq!(v(Variant::DefaultPort), "http://localhost:80/authorize-result");
        assert_eq!(v(Variant::Scheme), "https://localhost:4597/authorize-result");
        assert_eq!(
            v(Variant::Userinfo),
            "http://user@localhost:4597/authorize-result"
        );
        assert_eq!(
            v(Variant::PercentEncoded),
            "http://localhost:4597/%61uthorize-result"
        );
        assert_eq!(v(Variant::IpForName), "http://127.0.0.1:4597/authorize-result");
        assert_eq!(
            v(Variant::DotSegment),
            "http://localhost:4597/x/../authorize-result"
        );
        assert_eq!(variant_uri("https://app.example/cb", Variant::NoPort), None);
    }
}
