//! The audit's rules: one small function per finding id, each citing its source.
//!
//! [`RULES`] is the catalogue (id, source, advice; `mock-server/docs/audit.md`'s table says when each is found); [`evaluate`] runs every rule
//! over a [`Context`] built once from the facts ([`context`]: authorizations with their grant
//! view round trips joined, refresh-token lineages across rotation, who each access token
//! belongs to). The rules are grouped by what they look at:
//! - [`authorization`]: `NO_STATE`, `STATE_REUSED`, `NO_PKCE`,
//!   `REAUTHORIZED_INSTEAD_OF_REFRESH`, `INSECURE_REDIRECT_URI`;
//! - [`tokens`]: `CODE_REUSED`, `REFRESH_TOO_OFTEN`, `GRANT_LIMIT_REACHED`,
//!   `REVOKED_REFRESH_RETRIED`;
//! - [`requests`]: `SECRET_IN_QUERY`, `TOKEN_IN_QUERY`, `EXPIRED_TOKEN_RETRIED`,
//!   `RATE_LIMIT_IGNORED`, `SCOPE_UNUSED`.

pub mod authorization;
pub mod context;
pub mod requests;
pub mod tokens;

pub use context::Context;

use super::report::{Finding, MAX_REQUESTS_LISTED, Severity};

/// One rule of the audit.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The finding id.
    pub id: &'static str,
    /// The rule's source: an ilert documentation page or an RFC section.
    pub source: &'static str,
    /// What to change.
    pub advice: &'static str,
    /// Finds it (given the rule itself, to make its findings).
    pub check: fn(&Rule, &Context<'_>) -> Vec<Finding>,
}

impl Rule {
    /// A finding of this rule; `requests` are journal numbers (sorted, deduplicated and cut to
    /// [`MAX_REQUESTS_LISTED`] here).
    pub fn finding(
        &self,
        severity: Severity,
        app: Option<String>,
        user: Option<String>,
        title: String,
        mut requests: Vec<u64>,
    ) -> Finding {
        requests.sort_unstable();
        requests.dedup();
        let count = requests.len();
        requests.truncate(MAX_REQUESTS_LISTED);
        Finding {
            id: self.id.to_owned(),
            severity,
            app,
            user,
            title,
            advice: self.advice.to_owned(),
            source: self.source.to_owned(),
            requests,
            count,
        }
    }

    /// The finding for a request sent again after its answer (`first`) said it could not succeed:
    /// `title` is given `n time(s)` for the requests sent after (`again`), which are listed with
    /// `first`; no finding when nothing was sent again.
    fn sent_again(
        &self,
        cx: &Context<'_>,
        severity: Severity,
        who: crate::audit::facts::Who,
        first: u64,
        again: Vec<u64>,
        title: impl FnOnce(String) -> String,
    ) -> Option<Finding> {
        if again.is_empty() {
            return None;
        }
        let times = plural(again.len(), "time", "times");
        Some(self.finding(
            severity,
            cx.client_id(&who),
            who.user,
            title(times),
            again.into_iter().chain([first]).collect(),
        ))
    }
}

/// The client id and the user a finding names (either may be unknown).
pub type AppUser = (Option<String>, Option<String>);

/// `n thing` or `n things`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// ilert's page on lifetimes and limits.
const ILERT_LIFETIMES: &str = "ilert: Token lifetimes, error codes, app verification, etc.";

/// Every rule, in the order of the issue's table.
pub const RULES: &[Rule] = &[
    Rule {
        id: "NO_STATE",
        source: "RFC 6749 §10.12, RFC 9700 §4.7",
        advice: "Send a fresh, unguessable state with every authorization request, bind it to the \
                 user's session and check it on the redirect back (with PKCE this is a warning: \
                 RFC 9700 §2.1 lets PKCE carry the CSRF protection, but state still catches mixed-up \
                 sign-ins).",
        check: authorization::no_state,
    },
    Rule {
        id: "STATE_REUSED",
        source: "RFC 9700 §4.7.1",
        advice: "Generate a new random state for every authorization (a one-time CSRF token); a \
                 fixed value such as ilert's example 'optional-state' protects nothing.",
        check: authorization::state_reused,
    },
    Rule {
        id: "NO_PKCE",
        source: "RFC 9700 §2.1.1; ilert: Developing a Backend App with OAuth2 (\"using PKCE additionally \
                 is suggested\"), Developing a Web or Native App with OAuth2 and PKCE",
        advice: "Send code_challenge (the S256 of a fresh code_verifier) and code_challenge_method=S256 \
                 with every authorization, and the code_verifier with the code exchange; apps without \
                 a secret must.",
        check: authorization::no_pkce,
    },
    Rule {
        id: "SECRET_IN_QUERY",
        source: "RFC 6749 §2.3.1",
        advice: "Send credentials in the form-encoded POST body (or client_id and client_secret by HTTP \
                 Basic), never in a URL: URLs end up in logs, proxies and browser history. Rotate the \
                 secret or token that was sent.",
        check: requests::secret_in_query,
    },
    Rule {
        id: "TOKEN_IN_QUERY",
        source: "RFC 6750 §2.3",
        advice: "Send the access token in the Authorization header (Authorization: Bearer <token>), as \
                 ilert's API expects; a token in a URL leaks through logs and Referer headers.",
        check: requests::token_in_query,
    },
    Rule {
        id: "CODE_REUSED",
        source: "RFC 6749 §4.1.2",
        advice: "Redeem each code exactly once and keep the tokens it gave; never retry a code exchange \
                 that succeeded. A reused code revokes the tokens its first exchange issued \
                 (RFC 9700 §4.2.4).",
        check: tokens::code_reused,
    },
    Rule {
        id: "REFRESH_TOO_OFTEN",
        source: "ilert: Token lifetimes, error codes, app verification, etc. (\"do not refresh a token \
                 more than once per 5 minutes\")",
        advice: "Use the access token until it is about to expire (it lives an hour), share one refresh \
                 between concurrent callers, and keep the tokens a refresh returned.",
        check: tokens::refresh_too_often,
    },
    Rule {
        id: "REAUTHORIZED_INSTEAD_OF_REFRESH",
        source: "ilert: Token lifetimes, error codes, app verification, etc. (at most 10 refresh \
                 tokens per app and user)",
        advice: "Store the refresh token and refresh when the access token expires instead of sending \
                 the user through the authorization again; revoke a refresh token the app no longer \
                 needs (sign-out).",
        check: authorization::reauthorized_instead_of_refresh,
    },
    Rule {
        id: "GRANT_LIMIT_REACHED",
        source: ILERT_LIFETIMES,
        advice: "ilert keeps at most 10 refresh tokens per app and user and revokes the oldest for an \
                 11th: reuse the stored refresh token, and revoke the ones the app drops, so no session \
                 of the user is cut off.",
        check: tokens::grant_limit_reached,
    },
    Rule {
        id: "EXPIRED_TOKEN_RETRIED",
        source: "RFC 6750 §3.1; ilert: Developing a Backend App with OAuth2 (refresh \"in case they \
                 expire and the ilert API returns a 401\")",
        advice: "On a 401 with error=\"invalid_token\", refresh the access token (or sign the user in \
                 again) before retrying; the same expired token never works again.",
        check: requests::expired_token_retried,
    },
    Rule {
        id: "REVOKED_REFRESH_RETRIED",
        source: "RFC 6749 §5.2",
        advice: "invalid_grant for a refresh token is final (revoked, expired, rotated away or \
                 unknown): drop the stored tokens and send the user through the authorization again.",
        check: tokens::revoked_refresh_retried,
    },
    Rule {
        id: "RATE_LIMIT_IGNORED",
        source: "ilert: Rate Limiting; RFC 6585 §4",
        advice: "After a 429, wait at least Retry-After seconds (ilert suggests backing off 10 to 30 \
                 seconds) before the next API request; retrying sooner is refused until the window \
                 ends.",
        check: requests::rate_limit_ignored,
    },
    Rule {
        id: "SCOPE_UNUSED",
        source: "RFC 9700 §2.3 (least privilege)",
        advice: "Ask only for the scopes and access levels the app uses (a bare scope is read-only, :w \
                 adds create and edit, :d adds delete); fewer scopes make a leaked token less \
                 dangerous and the consent screen clearer.",
        check: requests::scope_unused,
    },
    Rule {
        id: "INSECURE_REDIRECT_URI",
        source: "RFC 9700 §2.1, RFC 8252 §8.3",
        advice: "Register and use https redirect URIs; plain http is acceptable only to a loopback \
                 address (127.0.0.1, [::1], localhost) on the user's own machine. A code sent over plain \
                 http can be read on the way.",
        check: authorization::insecure_redirect_uri,
    },
];

/// The rule with this id.
#[cfg(test)]
fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Every rule's findings.
pub fn evaluate(cx: &Context<'_>) -> Vec<Finding> {
    RULES.iter().flat_map(|rule| (rule.check)(rule, cx)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_the_issues_fourteen_ids_once_each() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        for id in [
            "NO_STATE",
            "STATE_REUSED",
            "NO_PKCE",
            "SECRET_IN_QUERY",
            "TOKEN_IN_QUERY",
            "CODE_REUSED",
            "REFRESH_TOO_OFTEN",
            "REAUTHORIZED_INSTEAD_OF_REFRESH",
            "GRANT_LIMIT_REACHED",
            "EXPIRED_TOKEN_RETRIED",
            "REVOKED_REFRESH_RETRIED",
            "RATE_LIMIT_IGNORED",
            "SCOPE_UNUSED",
            "INSECURE_REDIRECT_URI",
        ] {
            assert_eq!(ids.iter().filter(|i| **i == id).count(), 1, "{id}");
        }
        assert!(RULES.iter().all(|r| !r.source.is_empty() && !r.advice.is_empty()));
    }

    #[test]
    fn findings_list_their_requests_sorted_and_cut() {
        let rule = rule("NO_STATE").expect("rule");
        let f = rule.finding(
            Severity::Error,
            None,
            None,
            "t".into(),
            (0..80).rev().chain([3, 3]).collect(),
        );
        assert_eq!(f.count, 80);
        assert_eq!(f.requests.len(), MAX_REQUESTS_LISTED);
        assert_eq!(f.requests[..3], [0, 1, 2]);
        assert_eq!(plural(1, "request", "requests"), "1 request");
        assert_eq!(plural(2, "request", "requests"), "2 requests");
    }
}
