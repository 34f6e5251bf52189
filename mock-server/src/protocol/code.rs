//! Authorization codes: issue, redeem once, detect reuse (behaviour.md §2, §7, §9).
//!
//! A code is single use, lives two minutes, and is bound to the client, the redirect URI, the
//! user, the tenant, the scopes and the PKCE challenge. A second redemption fails and tells the
//! caller which refresh grant the first one produced, so it can be revoked (RFC 6749 §4.1.2,
//! RFC 9700 §4.2.4 … "SHOULD revoke (when possible) all tokens previously issued based on that
//! authorization code").

use std::collections::{HashMap, VecDeque};

use super::error::{OAuthError, UNKNOWN_CODE};
use super::pkce::{self, CodeChallenge};
use super::scope::ScopeSet;
use crate::clock::UnixSeconds;

/// Code lifetime (behaviour.md §7): two minutes.
pub const CODE_LIFETIME: i64 = 120;

/// How long a code is remembered after it expired, so late replays still revoke.
pub const REDEEMED_MEMORY: i64 = 3_600;

/// At most this many spent codes (redeemed, or expired unused) are remembered; beyond it the one
/// spent first is forgotten (a replay of it then reads "unknown", still `invalid_grant`, and
/// revokes nothing). Unused codes are held for their two-minute lifetime and until the next purge.
pub const MAX_SPENT_REMEMBERED: usize = 10_000;

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

/// A remembered code. Once spent (redeemed or expired) only what a later use needs is kept, so
/// the memory a long run holds per code is small.
#[derive(Debug, Clone)]
enum Entry {
    /// Issued and not yet redeemed.
    Unused(Box<CodeGrant>),
    /// Redeemed; `family` names the refresh grant it produced, if any.
    Redeemed {
        /// The code's expiry, for purging.
        expires_at: UnixSeconds,
        /// The refresh grant family to revoke on a replay.
        family: Option<u64>,
        /// Whether the authorization used PKCE, so a replay without the secret can be told
        /// apart from an unauthenticated one.
        pkce: bool,
    },
    /// Expired without being redeemed.
    Expired {
        /// The code's expiry, for purging.
        expires_at: UnixSeconds,
    },
}

impl Entry {
    fn expires_at(&self) -> UnixSeconds {
        match self {
            Entry::Unused(grant) => grant.expires_at,
            Entry::Redeemed { expires_at, .. } | Entry::Expired { expires_at } => *expires_at,
        }
    }
}

/// Whether a redeemed code is used up (the contract) or stays redeemable (only for
/// [`crate::Breakage::AcceptCodeTwice`], which lets a contract suite prove it notices a server
/// that breaks single use).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CodeUse {
    /// Redeemable once (behaviour.md §7, RFC 6749 §4.1.2).
    #[default]
    SingleUse,
    /// Redeemable again: the deliberate breakage.
    Reusable,
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
    /// Whether the client proved itself with its secret; without it, only a code whose
    /// authorization used PKCE can be redeemed (behaviour.md §3).
    pub with_secret: bool,
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
    /// Sent without the secret for a code whose authorization did not use PKCE: nothing
    /// authenticates the client (behaviour.md §3, §7; RFC 6749 §3.2.1). Nothing changes on the code.
    #[error("client_secret or PKCE is required")]
    SecretOrPkceRequired,
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
            RedeemError::SecretOrPkceRequired => super::client_auth::secret_or_pkce_required(),
            other => OAuthError::invalid_grant(other.to_string()),
        }
    }
}

/// All codes the server issued and has not yet forgotten.
#[derive(Clone, Default)]
pub struct CodeBook {
    codes: HashMap<String, Entry>,
    /// Spent codes in the order they were spent, for the [`MAX_SPENT_REMEMBERED`] bound.
    spent_order: VecDeque<String>,
    /// How many of `codes` are [`Entry::Unused`], kept with every change so the
    /// `--max-pending-codes` check at each authorization reads a number instead of every code.
    unused: usize,
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
    /// Codes issued and neither redeemed nor purged yet (the `--max-pending-codes` bound).
    pub fn unused(&self) -> usize {
        self.unused
    }

    /// Records a new code.
    pub fn issue(&mut self, code: String, grant: CodeGrant) {
        self.set(code, Entry::Unused(Box::new(grant)));
    }

    /// Stores `entry` under `code`, keeping the count of unused codes.
    fn set(&mut self, code: String, entry: Entry) {
        let now_unused = matches!(entry, Entry::Unused(_));
        let was_unused = matches!(self.codes.insert(code, entry), Some(Entry::Unused(_)));
        self.recount(was_unused, now_unused);
    }

    /// Adjusts the count of unused codes for one code that went from `was` to `now` unused.
    fn recount(&mut self, was: bool, now: bool) {
        match (was, now) {
            (false, true) => self.unused += 1,
            (true, false) => self.unused -= 1,
            _ => {}
        }
    }

    /// Redeems `code` for the request `r` at time `now`.
    ///
    /// Order of checks: existence, client authentication (a request without the secret needs a
    /// PKCE code, checked before reuse so an unauthenticated replay revokes nothing), reuse
    /// (before expiry, so a late replay still revokes), expiry, client binding, redirect URI,
    /// PKCE. A failed check other than reuse leaves the code usable, so a wrong guess by someone
    /// else cannot burn the rightful client's code.
    pub fn redeem(
        &mut self,
        code: &str,
        r: Redemption<'_>,
        now: UnixSeconds,
        usage: CodeUse,
    ) -> Result<CodeGrant, RedeemError> {
        let grant = match self.codes.get(code).ok_or(RedeemError::Unknown)? {
            Entry::Redeemed { pkce: false, .. } if !r.with_secret => {
                return Err(RedeemError::SecretOrPkceRequired);
            }
            Entry::Redeemed { family, .. } => return Err(RedeemError::Reused { family: *family }),
            Entry::Expired { .. } => return Err(RedeemError::Expired),
            Entry::Unused(grant) if grant.challenge.is_none() && !r.with_secret => {
                return Err(RedeemError::SecretOrPkceRequired);
            }
            Entry::Unused(grant) => grant,
        };
        if now >= grant.expires_at {
            return Err(RedeemError::Expired);
        }
        if grant.app_id != r.app_id {
            return Err(RedeemError::WrongClient);
        }
        if r.redirect_uri.is_some_and(|uri| uri != grant.redirect_uri) {
            return Err(RedeemError::RedirectMismatch);
        }
        match (&grant.challenge, r.code_verifier) {
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
        let grant = (**grant).clone();
        if usage == CodeUse::SingleUse {
            self.set(
                code.to_owned(),
                Entry::Redeemed {
                    expires_at: grant.expires_at,
                    family: None,
                    pkce: grant.challenge.is_some(),
                },
            );
            self.spent(code.to_owned());
        }
        Ok(grant)
    }

    /// Queues a spent code, forgetting the one spent first beyond [`MAX_SPENT_REMEMBERED`].
    fn spent(&mut self, code: String) {
        self.spent_order.push_back(code);
        while self.spent_order.len() > MAX_SPENT_REMEMBERED {
            if let Some(oldest) = self.spent_order.pop_front() {
                let was_unused = matches!(self.codes.remove(&oldest), Some(Entry::Unused(_)));
                self.recount(was_unused, false);
            }
        }
    }

    /// Notes which refresh grant family a redeemed code produced.
    pub fn attach_family(&mut self, code: &str, family: u64) {
        if let Some(Entry::Redeemed { family: f, .. }) = self.codes.get_mut(code) {
            *f = Some(family);
        }
    }

    /// Marks unused codes past their lifetime as spent, and forgets spent codes an hour after
    /// they expired (until then a late use still reads "expired", and a late replay of a
    /// redeemed code still revokes its grant).
    pub fn purge(&mut self, now: UnixSeconds) {
        let mut expired: Vec<(UnixSeconds, String)> = self
            .codes
            .iter()
            .filter(|(_, e)| matches!(e, Entry::Unused(g) if now >= g.expires_at))
            .map(|(code, e)| (e.expires_at(), code.clone()))
            .collect();
        expired.sort_unstable();
        for (expires_at, code) in expired {
            self.set(code.clone(), Entry::Expired { expires_at });
            self.spent(code);
        }
        let mut forgotten_unused = 0;
        self.codes.retain(|_, e| {
            let keep = now < e.expires_at().saturating_add(REDEEMED_MEMORY);
            forgotten_unused += usize::from(!keep && matches!(e, Entry::Unused(_)));
            keep
        });
        self.unused -= forgotten_unused;
        let codes = &self.codes;
        self.spent_order.retain(|c| codes.contains_key(c));
    }

    #[cfg(test)]
    /// Number of codes remembered.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    #[cfg(test)]
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

    /// A book holding one code, `code`, issued for `grant(challenge)`.
    fn issued(code: &str, challenge: Option<&str>) -> CodeBook {
        let mut book = CodeBook::default();
        book.issue(code.into(), grant(challenge));
        book
    }

    fn req<'a>(uri: Option<&'a str>, verifier: Option<&'a str>) -> Redemption<'a> {
        Redemption {
            app_id: 250,
            redirect_uri: uri,
            code_verifier: verifier,
            with_secret: true,
        }
    }

    #[test]
    fn single_use_and_reuse_reports_the_family() {
        let mut book = issued("c", None);
        assert!(
            book.redeem("c", req(None, None), 1_000, CodeUse::SingleUse)
                .is_ok()
        );
        book.attach_family("c", 7);
        assert_eq!(
            book.redeem("c", req(None, None), 1_001, CodeUse::SingleUse),
            Err(RedeemError::Reused { family: Some(7) })
        );
    }

    #[test]
    fn unknown_code_uses_ilerts_words() {
        let mut book = CodeBook::default();
        let err: OAuthError = book
            .redeem("nope", req(None, None), 0, CodeUse::SingleUse)
            .expect_err("unknown")
            .into();
        assert_eq!(err.description, "Provided code is unknown");
    }

    #[test]
    fn expires_after_two_minutes() {
        let mut book = issued("c", None);
        assert_eq!(
            book.redeem("c", req(None, None), 1_120, CodeUse::SingleUse),
            Err(RedeemError::Expired)
        );
        let mut book = issued("c", None);
        assert!(
            book.redeem("c", req(None, None), 1_119, CodeUse::SingleUse)
                .is_ok()
        );
    }

    #[test]
    fn binding_checks_do_not_burn_the_code() {
        let mut book = issued("c", None);
        let other = Redemption {
            app_id: 251,
            redirect_uri: None,
            code_verifier: None,
            with_secret: true,
        };
        assert_eq!(
            book.redeem("c", other, 1_000, CodeUse::SingleUse),
            Err(RedeemError::WrongClient)
        );
        assert_eq!(
            book.redeem(
                "c",
                req(Some("http://localhost:4597/authorize-result/"), None),
                1_000,
                CodeUse::SingleUse,
            ),
            Err(RedeemError::RedirectMismatch)
        );
        assert!(
            book.redeem("c", req(Some(URI), None), 1_000, CodeUse::SingleUse)
                .is_ok()
        );
    }

    #[test]
    fn pkce_rules() {
        let mut book = issued("p", Some(CHALLENGE));
        assert_eq!(
            book.redeem("p", req(None, None), 1_000, CodeUse::SingleUse),
            Err(RedeemError::MissingVerifier)
        );
        assert_eq!(
            book.redeem("p", req(None, Some(&"a".repeat(43))), 1_000, CodeUse::SingleUse),
            Err(RedeemError::VerifierMismatch)
        );
        assert!(matches!(
            book.redeem("p", req(None, Some("short")), 1_000, CodeUse::SingleUse),
            Err(RedeemError::MalformedVerifier(_))
        ));
        assert!(
            book.redeem("p", req(None, Some(VERIFIER)), 1_000, CodeUse::SingleUse)
                .is_ok()
        );

        book.issue("n".into(), grant(None));
        assert_eq!(
            book.redeem("n", req(None, Some(VERIFIER)), 1_000, CodeUse::SingleUse),
            Err(RedeemError::UnexpectedVerifier)
        );
    }

    #[test]
    fn without_the_secret_only_pkce_codes_redeem() {
        let without_secret = |verifier| Redemption {
            with_secret: false,
            ..req(None, verifier)
        };
        let mut book = issued("n", None);
        assert_eq!(
            book.redeem("n", without_secret(None), 1_000, CodeUse::SingleUse),
            Err(RedeemError::SecretOrPkceRequired)
        );
        assert!(
            book.redeem("n", req(None, None), 1_000, CodeUse::SingleUse)
                .is_ok(),
            "the refusal left the code usable"
        );
        book.attach_family("n", 3);
        // An unauthenticated replay of a code without PKCE revokes nothing.
        assert_eq!(
            book.redeem("n", without_secret(None), 1_001, CodeUse::SingleUse),
            Err(RedeemError::SecretOrPkceRequired)
        );
        let err: OAuthError = RedeemError::SecretOrPkceRequired.into();
        assert_eq!(err.code, super::super::error::ErrorCode::InvalidClient);

        book.issue("p".into(), grant(Some(CHALLENGE)));
        assert!(
            book.redeem("p", without_secret(Some(VERIFIER)), 1_000, CodeUse::SingleUse)
                .is_ok()
        );
        book.attach_family("p", 4);
        assert_eq!(
            book.redeem("p", without_secret(Some(VERIFIER)), 1_001, CodeUse::SingleUse),
            Err(RedeemError::Reused { family: Some(4) }),
            "a replay of a PKCE code without the secret is reuse"
        );
    }

    #[test]
    fn redeemed_codes_remembered_are_bounded() {
        let mut book = CodeBook::default();
        let total = MAX_SPENT_REMEMBERED + 5;
        for i in 0..total {
            let code = format!("c{i}");
            book.issue(code.clone(), grant(None));
            assert!(
                book.redeem(&code, req(None, None), 1_000, CodeUse::SingleUse)
                    .is_ok()
            );
            book.attach_family(&code, i as u64);
        }
        assert_eq!(book.len(), MAX_SPENT_REMEMBERED);
        assert_eq!(
            book.redeem("c0", req(None, None), 1_000, CodeUse::SingleUse),
            Err(RedeemError::Unknown)
        );
        let last = total - 1;
        assert_eq!(
            book.redeem(&format!("c{last}"), req(None, None), 1_000, CodeUse::SingleUse),
            Err(RedeemError::Reused {
                family: Some(last as u64)
            })
        );
    }

    #[test]
    fn expired_unused_codes_count_against_the_same_bound() {
        let mut book = CodeBook::default();
        for i in 0..MAX_SPENT_REMEMBERED + 5 {
            book.issue(format!("c{i}"), grant(None));
        }
        book.issue(
            "fresh".into(),
            CodeGrant {
                expires_at: 2_000,
                ..grant(None)
            },
        );
        book.purge(1_120);
        // Every expired code is spent and five of them forgotten (equal expiries go in code
        // order, so "c0" is among them); the unexpired one is kept.
        assert_eq!(book.len(), MAX_SPENT_REMEMBERED + 1);
        assert_eq!(
            book.redeem("c0", req(None, None), 1_120, CodeUse::SingleUse),
            Err(RedeemError::Unknown)
        );
        assert_eq!(
            book.redeem("c5", req(None, None), 1_120, CodeUse::SingleUse),
            Err(RedeemError::Expired)
        );
        assert!(
            book.redeem("fresh", req(None, None), 1_120, CodeUse::SingleUse)
                .is_ok()
        );
    }

    #[test]
    fn a_reusable_redemption_leaves_the_code_usable() {
        let mut book = issued("c", None);
        for _ in 0..3 {
            assert!(
                book.redeem("c", req(None, None), 1_000, CodeUse::Reusable)
                    .is_ok()
            );
        }
        assert!(
            book.redeem("c", req(None, None), 1_000, CodeUse::SingleUse)
                .is_ok()
        );
        assert!(
            book.redeem("c", req(None, None), 1_000, CodeUse::Reusable)
                .is_err()
        );
    }

    #[test]
    fn purge_forgets_old_codes() {
        let mut book = issued("a", None);
        book.issue("b".into(), grant(None));
        assert!(
            book.redeem("b", req(None, None), 1_000, CodeUse::SingleUse)
                .is_ok()
        );
        book.purge(1_120);
        assert_eq!(book.len(), 2);
        assert_eq!(
            book.redeem("a", req(None, None), 1_120, CodeUse::SingleUse),
            Err(RedeemError::Expired)
        );
        book.purge(1_120 + REDEEMED_MEMORY);
        assert!(book.is_empty());
    }

    /// The unused count the book keeps, checked against a scan of every code after each kind
    /// of change: issue, redemption (single and reusable), a re-issued code, expiry, the spent
    /// bound and forgetting.
    #[test]
    fn the_unused_count_follows_every_change() {
        fn check(book: &CodeBook) {
            let scanned = book
                .codes
                .values()
                .filter(|e| matches!(e, Entry::Unused(_)))
                .count();
            assert_eq!(book.unused(), scanned);
        }
        let mut book = CodeBook::default();
        check(&book);
        for i in 0..MAX_SPENT_REMEMBERED + 3 {
            book.issue(format!("c{i}"), grant(None));
        }
        check(&book);
        book.issue("c0".into(), grant(None));
        check(&book);
        for i in 0..6 {
            let usage = if i % 2 == 0 {
                CodeUse::SingleUse
            } else {
                CodeUse::Reusable
            };
            let _ = book.redeem(&format!("c{i}"), req(None, None), 1_000, usage);
            check(&book);
        }
        book.issue(
            "late".into(),
            CodeGrant {
                expires_at: 1_000 + REDEEMED_MEMORY * 3,
                ..grant(None)
            },
        );
        book.purge(1_120);
        check(&book);
        assert_eq!(book.unused(), 1);
        book.purge(1_120 + REDEEMED_MEMORY);
        check(&book);
        book.purge(1_000 + REDEEMED_MEMORY * 5);
        check(&book);
        assert!(book.is_empty());
    }
}
