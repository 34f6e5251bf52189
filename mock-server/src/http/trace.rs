//! Request log lines without secrets.
//!
//! tower-http's default span carries the whole URI, so a credential a client put in the query
//! string (`?client_secret=…`, `?access_token=…` as RFC 6750 §2.3 allows, a `code`) would reach
//! stderr. The span here keeps the path and every parameter name, and replaces the value of any
//! secret-bearing name with `[redacted]`.

use axum::http::{Request, Uri};

use crate::journal::{REDACTED, SECRET_PARAMS};

#[cfg(test)]
#[test]
fn integration_keys_in_paths_are_redacted() {
    let uri: Uri = "/api/heartbeats/il1hbt5cf91017c2e4a9b0d3f6e8a1c5b2d?x=1"
        .parse()
        .expect("uri");
    assert_eq!(redacted_uri(&uri), "/api/heartbeats/[redacted]?x=1");
    let uri: Uri = "/api/v1/events/mock/il1api0a5".parse().expect("uri");
    assert_eq!(redacted_uri(&uri), "/api/v1/events/mock/[redacted]");
    let uri: Uri = "/api/alerts/3".parse().expect("uri");
    assert_eq!(redacted_uri(&uri), "/api/alerts/3");
}

/// Words that mark a parameter name as secret-bearing, besides the names in [`SECRET_PARAMS`].
const SECRET_WORDS: &[&str] = &[
    "secret",
    "token",
    "password",
    "verifier",
    "assertion",
    "integrationkey",
    "apikey",
];

fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARAMS.contains(&name.as_str()) || SECRET_WORDS.iter().any(|w| name.contains(w))
}

/// The URI's path and query, with the values of secret-bearing query parameters redacted.
pub fn redacted_uri(uri: &Uri) -> String {
    // An integration key in the path (an `integrationUrl`, a heartbeat ping) is a credential too.
    let path = crate::journal::redact_key_path(uri.path()).map_or_else(|| uri.path().to_owned(), |(p, _)| p);
    let Some(query) = uri.query() else {
        return path;
    };
    let pieces: Vec<String> = query
        .split('&')
        .map(|piece| {
            let (raw_name, value) = piece.split_once('=').unwrap_or((piece, ""));
            let name = form_urlencoded::parse(raw_name.as_bytes())
                .next()
                .map(|(n, _)| n.into_owned())
                .unwrap_or_default();
            if is_secret(&name) && !value.is_empty() {
                format!("{raw_name}={REDACTED}")
            } else {
                piece.to_owned()
            }
        })
        .collect();
    format!("{path}?{}", pieces.join("&"))
}

/// The span each request is logged in: method, redacted URI, HTTP version.
pub fn span<B>(request: &Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        uri = %redacted_uri(request.uri()),
        version = ?request.version(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(uri: &str) -> String {
        redacted_uri(&uri.parse::<Uri>().expect("uri"))
    }

    #[test]
    fn secret_values_are_redacted_and_the_rest_kept() {
        assert_eq!(shown("/api/users/current"), "/api/users/current");
        assert_eq!(
            shown("/cb?code=abc&state=xyz&page=2"),
            "/cb?code=[redacted]&state=xyz&page=2"
        );
        assert_eq!(
            shown(
                "/t?client_secret=s&Access_Token=a&refresh%5Ftoken=r&id_token=i&code_verifier=v&password=p"
            ),
            "/t?client_secret=[redacted]&Access_Token=[redacted]&refresh%5Ftoken=[redacted]&id_token=[redacted]&code_verifier=[redacted]&password=[redacted]"
        );
        assert_eq!(shown("/x?token&a=&&b=1"), "/x?token&a=&&b=1");
        assert_eq!(shown("http://h/x?token=t"), "/x?token=[redacted]");
    }
}
