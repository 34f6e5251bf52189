//! Authorization codes: issue, redeem once, detect reuse (SPEC §2, §7, §9).
//!
//! A code is single use, lives two minutes, and is bound to the client, the redirect URI, the
//! user, the tenant, the scopes and the PKCE challenge. A second redemption fails and tells the
//! caller which refresh grant the first one produced, so it can be revoked (RFC 6749 §4.1.2,
//! RFC 9700 §4.2.4 … "SHOULD revoke (when possible) all tokens previously issued based on that
//! authorization code").

use std::collections::HashMap;

use super::error::{OAuthError, UNKNOWN_CODE};
use super::pkce::{self, CodeChallenge};
use super::scope::ScopeSet;
use crate::clock::UnixSeconds;

/// Code lifetime (SPEC §7): two minutes.
pub const CODE_LIFETIME: i64 = 120;

/// How long a code is remembered after it expired, so late replays still revoke.
pub const REDEEMED_MEMORY: i64 = 3_600;

/// What a code was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeGrant {
    /// App id.
    pub app_id: i64,
    /// The redirect URI used at authorize.
    pub redirect_uri: String,
    /// The approving user's id.
    pub user_id: i64,
    /// Tenant id.
    pub tenant: String,
    /// Granted scopes.
    pub scope: ScopeSet,
    /// PKCE challenge, if one was sent.
    pub challenge: Option<CodeChallenge>,
    /// Expiry, Unix seconds.
    pub expires_at: UnixSeconds,
}

#[derive(Debug, Clone)]
struct Entry {
    grant: CodeGrant,
    /// `None` while unused; `Some(family)` once redeemed (`family` names the refresh grant it
    /// produced, if any).
    redeemed: Option<Option<u64>>,
}

/// What the token request brings to redeem a code.
#[derive(Debug, Clone, Copy)]
pub struct Redemption<'a> {
    /// The authenticated client's app id.
    pub app_id: i64,
    /// `redirect_uri`, when sent.
    pub redirect_uri: Option<&'a str>,
    /// `code_verifier`, when sent.
    pub code_verifier: Option<&'a str>,
}

/// Why a code was not redeemed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedeemError {
    /// No such code.
    #[error("{UNKNOWN_CODE}")]
    Unknown,
    /// Older than two minutes.
    #[error("Provided code has expired")]
    Expired,
    /// Redeemed before; `family` is the refresh grant to revoke.
    #[error("Provided code was already used; the grant it produced has been revoked")]
    Reused {
        /// The refresh grant family the first redemption produced.
        family: Option<u64>,
    },
    /// Issued to another client (RFC 6749 §4.1.3).
    #[error("Provided code was issued to another client")]
    WrongClient,
    /// `redirect_uri` differs from the one used at authorize (RFC 6749 §4.1.3).
    #[error("redirect_uri does not match the one used in the authorization request")]
    RedirectMismatch,
    /// The code has a challenge but no verifier was sent (RFC 7636 §4.6).
    #[error("code_verifier is required: the authorization request used PKCE")]
    MissingVerifier,
    /// A verifier was sent for a code issued without a challenge (RFC 9700 §2.1.1).
    #[error("code_verifier was sent but the authorization request had no code_challenge")]
    UnexpectedVerifier,
    /// The verifier does not hash to the challenge (RFC 7636 §4.6).
    #[error("code_verifier does not match the code_challenge")]
    VerifierMismatch,
    /// The verifier is not RFC 7636 §4.1 syntax.
    #[error("{0}")]
    MalformedVerifier(String),
}

impl From<RedeemError> for OAuthError {
    fn from(err: RedeemError) -> Self {
        match err {
            RedeemError::MalformedVerifier(text) => OAuthError::invalid_request(text),
            other => OAuthError::invalid_grant(other.to_string()),
        }
    }
}

/// All codes the server issued and has not yet forgotten.
#[derive(Clone, Default)]
pub struct CodeBook {
    codes: HashMap<String, Entry>,
}

impl std::fmt::Debug for CodeBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys and codes are credentials: only their number is shown.
        f.debug_struct("CodeBook")
            .field("len", &self.codes.len())
            .finish()
    }
}

impl CodeBook {
    /// Records a new code.
    pub fn issue(&mut self, code: String, grant: CodeGrant) {
        self.codes.insert(
            code,
            Entry {
                grant,
                redeemed: None,
            },
        );
    }

    /// Redeems `code` for the request `r` at time `now`.
    ///
    /// Order of checks: existence, reuse (before expiry, so a late replay still revokes), expiry,
    /// client binding, redirect URI, PKCE. A failed check other than reuse leaves the code usable,
    /// so a wrong guess by someone else cannot burn the rightful client's code.
    pub fn redeem(
        &mut self,
        code: &str,
        r: Redemption<'_>,
        now: UnixSeconds,
    ) -> Result<CodeGrant, RedeemError> {
        let entry = self.codes.get_mut(code).ok_or(RedeemError::Unknown)?;
        if let Some(family) = entry.redeemed {
            return Err(RedeemError::Reused { family });
        }
        if now >= entry.grant.expires_at {
            return Err(RedeemError::Expired);
        }
        if entry.grant.app_id != r.app_id {
            return Err(RedeemError::WrongClient);
        }
        if r.redirect_uri.is_some_and(|uri| uri != entry.grant.redirect_uri) {
            return Err(RedeemError::RedirectMismatch);
        }
        match (&entry.grant.challenge, r.code_verifier) {
            (None, None) => {}
            (None, Some(_)) => return Err(RedeemError::UnexpectedVerifier),
            (Some(_), None) => return Err(RedeemError::MissingVerifier),
            (Some(challenge), Some(verifier)) => {
                pkce::validate_verifier(verifier)
                    .map_err(|e| RedeemError::MalformedVerifier(e.description.into_owned()))?;
                if !challenge.verify(verifier) {
                    return Err(RedeemError::VerifierMismatch);
                }
            }
        }
        entry.redeemed = Some(None);
        Ok(entry.grant.clone())
    }

    /// Makes a redeemed code redeemable again. Exists only for [`crate::Breakage::AcceptCodeTwice`],
    /// which lets a contract suite prove it notices a server that breaks single use.
    pub fn forget_redemption(&mut self, code: &str) {
        if let Some(entry) = self.codes.get_mut(code) {
            entry.redeemed = None;
        }
    }

    /// Notes which refresh grant family a redeemed code produced.
    pub fn attach_family(&mut self, code: &str, family: u64) {
        if let Some(entry) = self.codes.get_mut(code) {
            entry.redeemed = Some(Some(family));
        }
    }

    /// Forgets codes an hour after they expired (until then a late use still reads "expired",
    /// and a late replay of a redeemed code still revokes its grant).
    pub fn purge(&mut self, now: UnixSeconds) {
        self.codes
            .retain(|_, e| now < e.grant.expires_at.saturating_add(REDEEMED_MEMORY));
    }

    /// Number of codes remembered.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether no code is remembered.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    const URI: &str = "http://localhost:4597/authorize-result";

    fn grant(challenge: Option<&str>) -> CodeGrant {
        CodeGrant {
            app_id: 250,
            redirect_uri: URI.into(),
            user_id: 1,
            tenant: "someTenant".into(),
            scope: ScopeSet::parse("profile").expect("scope"),
            challenge: challenge.map(|c| CodeChallenge::from_stored(c.into())),
            expires_at: 1_000 + CODE_LIFETIME,
        }
    }

    fn req<'a>(uri: Option<&'a str>, verifier: Option<&'a str>) -> Redemption<'a> {
        Redemption {
            app_id: 250,
            redirect_uri: uri,
            code_verifier: verifier,
        }
    }

    #[test]
    fn single_use_and_reuse_reports_the_family() {
        let mut book = CodeBook::default();
        book.issue("c".into(), grant(None));
        assert!(book.redeem("c", req(None, None), 1_000).is_ok());
        book.attach_family("c", 7);
        assert_eq!(
            book.redeem("c", req(None, None), 1_001),
            Err(RedeemError::Reused { family: Some(7) })
        );
    }

    #[test]
    fn unknown_code_uses_ilerts_words() {
        let mut book = CodeBook::default();
        let err: OAuthError = book
            .redeem("nope", req(None, None), 0)
            .expect_err("unknown")
            .into();
        assert_eq!(err.description, "Provided code is unknown");
    }

    #[test]
    fn expires_after_two_minutes() {
        let mut book = CodeBook::default();
        book.issue("c".into(), grant(None));
        assert_eq!(
            book.redeem("c", req(None, None), 1_120),
            Err(RedeemError::Expired)
        );
        let mut book = CodeBook::default();
        book.issue("c".into(), grant(None));
        assert!(book.redeem("c", req(None, None), 1_119).is_ok());
    }

    #[test]
    fn binding_checks_do_not_burn_the_code() {
        let mut book = CodeBook::default();
        book.issue("c".into(), grant(None));
        let other = Redemption {
            app_id: 251,
            redirect_uri: None,
            code_verifier: None,
        };
        assert_eq!(book.redeem("c", other, 1_000), Err(RedeemError::WrongClient));
        assert_eq!(
            book.redeem(
                "c",
                req(Some("http://localhost:4597/authorize-result/"), None),
                1_000
            ),
            Err(RedeemError::RedirectMismatch)
        );
        assert!(book.redeem("c", req(Some(URI), None), 1_000).is_ok());
    }

    #[test]
    fn pkce_rules() {
        let mut book = CodeBook::default();
        book.issue("p".into(), grant(Some(CHALLENGE)));
        assert_eq!(
            book.redeem("p", req(None, None), 1_000),
            Err(RedeemError::MissingVerifier)
        );
        assert_eq!(
            book.redeem("p", req(None, Some(&"a".repeat(43))), 1_000),
            Err(RedeemError::VerifierMismatch)
        );
        assert!(matches!(
            book.redeem("p", req(None, Some("short")), 1_000),
            Err(RedeemError::MalformedVerifier(_))
        ));
        assert!(book.redeem("p", req(None, Some(VERIFIER)), 1_000).is_ok());

        book.issue("n".into(), grant(None));
        assert_eq!(
            book.redeem("n", req(None, Some(VERIFIER)), 1_000),
            Err(RedeemError::UnexpectedVerifier)
        );
    }

    #[test]
    fn purge_forgets_old_codes() {
        let mut book = CodeBook::default();
        book.issue("a".into(), grant(None));
        book.issue("b".into(), grant(None));
        assert!(book.redeem("b", req(None, None), 1_000).is_ok());
        book.purge(1_120);
        assert_eq!(book.len(), 2);
        assert_eq!(
            book.redeem("a", req(None, None), 1_120),
            Err(RedeemError::Expired)
        );
        book.purge(1_120 + REDEEMED_MEMORY);
        assert!(book.is_empty());
    }
}
