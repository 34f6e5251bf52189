//! What the tool prints: JSON on stdout, times as RFC 3339, and token summaries that never
//! hold a token.

use ilert_oauth2_client::TokenSet;

/// Writes a line to stdout; a closed pipe (`| head`) is not an error worth a panic.
pub(crate) fn print_line(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => print_line(&text),
        Err(e) => eprintln!("ilert-oauth2: cannot print the answer: {e}"),
    }
}

/// A Unix time as RFC 3339 (UTC), or the number when out of range.
pub(crate) fn rfc3339(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// What the tool prints about tokens: never the tokens themselves.
pub(crate) fn summary(tokens: &TokenSet) -> serde_json::Value {
    serde_json::json!({
        "token_type": tokens.token_type,
        "scope": tokens.scope,
        "expires_at": rfc3339(tokens.expires_at),
        "refresh_token": tokens.refresh_token.is_some(),
        "refresh_token_expires_at": tokens.refresh_expires_at.map(rfc3339),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_hold_no_tokens() {
        let tokens = TokenSet {
            access_token: ilert_oauth2_client::AccessToken::new("access-secret"),
            token_type: "Bearer".into(),
            expires_at: 1_800_000_000,
            scope: "profile".into(),
            refresh_token: Some(ilert_oauth2_client::RefreshToken::new("refresh-secret")),
            refresh_expires_at: None,
            obtained_at: 1_799_996_400,
            obtained_by: ilert_oauth2_client::Grant::AuthorizationCode,
        };
        let text = summary(&tokens).to_string();
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("2027-01-15T08:00:00Z"), "{text}");
    }
}
