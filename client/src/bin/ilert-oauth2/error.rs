//! What the tool itself can get wrong, around the library's errors. Every message is one
//! sentence that says what to do next.

use std::net::SocketAddr;
use std::time::Duration;

use ilert_oauth2_client::Error;

/// What the tool itself can get wrong, around the library's [`Error`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error("{0}")]
    Client(#[from] Error),
    #[error("missing {what}: pass {flag} or set {env}")]
    Missing {
        what: &'static str,
        flag: &'static str,
        env: &'static str,
    },
    #[error("{0}")]
    Usage(String),
    #[error(
        "no redirect arrived within {} s; open the printed URL in a browser, or raise --timeout",
        .0.as_secs()
    )]
    Timeout(Duration),
    #[error("cannot listen on {addr} for the redirect: {source}; is another program using the port?")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "the tokens were refreshed {ago} s ago, and ilert asks not to refresh more than once per 5 \
         minutes; wait {wait} s or pass --force"
    )]
    TooSoon { ago: u64, wait: u64 },
    #[error(
        "the stored access token is not active (expired or revoked); run `ilert-oauth2 refresh` or `login`"
    )]
    Inactive,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_soon_says_how_long_to_wait() {
        let text = CliError::TooSoon { ago: 60, wait: 240 }.to_string();
        assert_eq!(
            text,
            "the tokens were refreshed 60 s ago, and ilert asks not to refresh more than once per 5 \
             minutes; wait 240 s or pass --force"
        );
    }
}
