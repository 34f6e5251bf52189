//! Redirect URIs: exact matching and building the redirect back to the client.
//!
//! ilert compares `redirect_uri` with the registered value byte for byte (behaviour.md §2); so does the
//! mock. Nothing is normalised: trailing slash, case, default port, percent-encoding, query and
//! fragment all count (RFC 9700 §4.1.3 recommends exact matching for the same reason).

/// Why a registered redirect URI was refused when fixtures were loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectUriError {
    /// Not an absolute URI.
    #[error("'{0}' is not an absolute URI")]
    NotAbsolute(String),
    /// RFC 6749 §3.1.2: the endpoint URI MUST NOT include a fragment component.
    #[error("'{0}' has a fragment, which RFC 6749 §3.1.2 forbids")]
    Fragment(String),
    /// `javascript:`, `data:` and `vbscript:` would run code in the browser (RFC 9700 §4.1).
    #[error("'{0}' uses a scheme that runs code in the browser")]
    DangerousScheme(String),
    /// Control characters (CR, LF, …) could split the `Location` header.
    #[error("'{0}' contains control characters or spaces")]
    ControlCharacters(String),
}

/// Checks a redirect URI an app registers.
pub fn validate_registered(uri: &str) -> Result<(), RedirectUriError> {
    if uri.chars().any(|c| c.is_control() || c == ' ') {
        return Err(RedirectUriError::ControlCharacters(
            uri.escape_debug().to_string(),
        ));
    }
    let parsed = url::Url::parse(uri).map_err(|_| RedirectUriError::NotAbsolute(uri.to_owned()))?;
    if matches!(parsed.scheme(), "javascript" | "data" | "vbscript" | "file") {
        return Err(RedirectUriError::DangerousScheme(uri.to_owned()));
    }
    if uri.contains('#') {
        return Err(RedirectUriError::Fragment(uri.to_owned()));
    }
    Ok(())
}

/// Finds the registered redirect URI equal, byte for byte, to `requested`.
pub fn find_exact<'a>(registered: &'a [String], requested: &str) -> Option<&'a str> {
    registered
        .iter()
        .map(String::as_str)
        .find(|candidate| *candidate == requested)
}

/// Everything but RFC 3986's unreserved characters is percent-encoded, so any query decoder
/// (`URLSearchParams`, Go's `url.Query`, `decodeURIComponent`) reads the value back verbatim.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(value: &str) -> percent_encoding::PercentEncode<'_> {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE)
}

/// Appends query parameters to a registered redirect URI, keeping its own query
/// (RFC 6749 §3.1.2: the query component MUST be retained) and leaving the rest untouched.
pub fn with_params(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let query = params
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let separator = match redirect_uri.find('?') {
        None => "?",
        Some(i) if i + 1 == redirect_uri.len() || redirect_uri.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{redirect_uri}{separator}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGISTERED: &str = "http://localhost:4597/authorize-result";

    #[test]
    fn only_the_exact_string_matches() {
        let registered = vec![REGISTERED.to_owned()];
        assert_eq!(find_exact(&registered, REGISTERED), Some(REGISTERED));
        for variant in [
            "http://localhost:4597/authorize-result/",
            "http://LOCALHOST:4597/authorize-result",
            "http://localhost:4597/Authorize-Result",
            "http://localhost/authorize-result",
            "http://localhost:4598/authorize-result",
            "https://localhost:4597/authorize-result",
            "http://localhost:4597/authorize-result?x=1",
            "http://localhost:4597/authorize-result#frag",
            "http://user@localhost:4597/authorize-result",
            "http://localhost:4597/authorize%2Dresult",
            "http://localhost:4597/authorize-result%20",
            "http://localhost:4597/authorize-resul",
            "http://localhost:4597/authorize-result/../authorize-result",
            "http://127.0.0.1:4597/authorize-result",
            "",
        ] {
            assert_eq!(find_exact(&registered, variant), None, "{variant}");
        }
    }

    #[test]
    fn default_port_is_not_normalised() {
        let registered = vec!["https://example.com/cb".to_owned()];
        assert_eq!(find_exact(&registered, "https://example.com:443/cb"), None);
    }

    #[test]
    fn params_are_appended_and_encoded() {
        assert_eq!(
            with_params(REGISTERED, &[("code", "abc"), ("state", "a b&c={\"x\":1}")]),
            "http://localhost:4597/authorize-result?code=abc&state=a%20b%26c%3D%7B%22x%22%3A1%7D"
        );
        assert_eq!(
            with_params("https://x.test/cb?tenant=1", &[("code", "c")]),
            "https://x.test/cb?tenant=1&code=c"
        );
        assert_eq!(
            with_params("https://x.test/cb?", &[("code", "c")]),
            "https://x.test/cb?code=c"
        );
    }

    #[test]
    fn registration_refuses_unsafe_uris() {
        assert!(validate_registered(REGISTERED).is_ok());
        assert!(validate_registered("com.example.app:/oauth2redirect").is_ok());
        assert!(matches!(
            validate_registered("/relative"),
            Err(RedirectUriError::NotAbsolute(_))
        ));
        assert!(matches!(
            validate_registered("https://x.test/cb#f"),
            Err(RedirectUriError::Fragment(_))
        ));
        assert!(matches!(
            validate_registered("javascript:alert(1)"),
            Err(RedirectUriError::DangerousScheme(_))
        ));
        assert!(matches!(
            validate_registered("data:text/html,hi"),
            Err(RedirectUriError::DangerousScheme(_))
        ));
        assert!(matches!(
            validate_registered("https://x.test/cb\r\nSet-Cookie: a=b"),
            Err(RedirectUriError::ControlCharacters(_))
        ));
    }
}
