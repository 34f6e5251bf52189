//! When to refresh: the policy [`ApiClient`](crate::ApiClient) follows, as one pure function.
//!
//! [`decide`] answers one question — *use the access token as it is, refresh it, wait, or ask
//! for a new sign-in?* — from the [`RefreshState`] (the tokens and what this process remembers
//! of its own refreshes), the time, the [`RefreshPolicy`] and what prompted the question
//! ([`Trigger`]). It reads no store, sends nothing and has no clock of its own, so every rule is
//! tested here with plain values. The caller loads the state, asks, and carries the
//! [`Decision`] out; [`ApiClient`](crate::ApiClient) does so with one lock held from the
//! question to the end of the refresh.
//!
//! # The rules
//!
//! ilert's guide says to refresh "at least in case they expire and the ilert API returns a 401",
//! and its lifetimes table says "do not refresh a token more than once per 5 minutes" (behaviour.md §5,
//! §7). The rules below satisfy both, and never let many callers or a broken grant turn into a
//! stream of refresh requests:
//!
//! 1. **Single flight.** The caller holds one lock over the state from [`decide`] until the
//!    decision is carried out (the refresh request included). Callers that need a refresh while
//!    one is running wait for it and then ask again: the token is fresh by then, so they use it
//!    and never start their own refresh.
//! 2. **Proactive.** Before a call ([`Trigger::BeforeCall`]), a token within
//!    [`RefreshPolicy::margin`] (60 s) of its expiry is refreshed
//!    ([`RefreshReason::ExpiresSoon`]), so requests do not fail at the hour mark. If that
//!    refresh fails while the token is still valid, the current token is used and the failure
//!    only logged ([`RefreshReason::keeps_current_on_failure`]).
//! 3. **On 401, once.** A `401` ([`Trigger::After401`]) triggers one refresh
//!    ([`RefreshReason::Rejected`]) and the caller retries the request once. If another caller
//!    already replaced the rejected token, the answer is [`Decision::UseAsIs`]: retry with that
//!    token, no new refresh. A `403` (missing scope, behaviour.md §5) is never a trigger: a new token
//!    would have the same scopes.
//! 4. **At most once per [`RefreshPolicy::min_interval`] (5 min), unless necessary.**
//!    - A refresh is *necessary* once the token has expired by the local clock: refusing it
//!      would only fail every request, so it always goes ahead ([`RefreshReason::Expired`]).
//!    - The proactive refresh of a still-valid token waits ([`Decision::Wait`]) until 5 minutes
//!      have passed since the last refresh (attempts by this process count, failed ones too:
//!      [`RefreshState::last_attempt`]; and [`TokenSet::refreshed_at`], stored with the tokens,
//!      so it survives restarts).
//!    - A 401 on a token outside the margin is ilert saying the token no longer works (its
//!      clock, a revoked grant, new keys), so it is refreshed — except when the rejected token
//!      is the one this process's own refresh obtained less than 5 minutes ago
//!      ([`RefreshState::last_issued`]) and ilert has not accepted it since. Then a token ilert
//!      has just issued is already rejected, another one will not fare better, and the answer
//!      is [`Decision::Wait`]: the 401 stands. This is what stops a permanently rejected token
//!      from costing one refresh per request, while a token that worked and then expired early
//!      (the mock's clock moved, say), or one whose refresh failed for a moment (a 503), is
//!      still renewed at once.
//! 5. **A dead grant is not retried.** When a refresh is answered `invalid_grant`, that refresh
//!    token is remembered ([`RefreshState::revoked`]); later decisions say
//!    [`SignInReason::GrantRevoked`] with the same error (or, while the access token is still
//!    valid, wait for it to expire), until new tokens arrive (a new sign-in). An access token
//!    ilert answered `401` to ([`RefreshState::rejected`]) that cannot be refreshed (the grant
//!    is dead, or there is no refresh token) is not sent again: the answer is
//!    [`Decision::SignInAgain`] before the call, whatever the local clock says.
//! 6. **Other processes.** Before acting on a decision that is not "use it as it is" (and not
//!    on an explicit request: [`Decision::looks_in_store`]), the caller reads its store again:
//!    if it holds newer tokens that are valid beyond the margin ([`newer_in_store`]) — another
//!    process refreshed, or the user signed in again — those are used instead.
//! 7. **No refresh token, no refresh.** Signed in without the client secret and without
//!    `offline_access`, there is nothing to refresh with: the token is used until it expires
//!    (or ilert rejects it), then [`SignInReason::NoRefreshToken`].
//! 8. **An explicit request** ([`Trigger::Explicit`], the user asked) refreshes whatever rules 4
//!    and 5 say, and does not look in the store; it still needs a refresh token.
//!
//! The client's [`Clock`](crate::Clock) decides what "expired" means: the caller reads it and
//! passes the time in. Tests that move only the mock's clock get their refresh from the 401
//! rule; `min_interval` only matters to a test that wants a refresh right after a refresh that
//! did not help.

use std::time::Duration;

use crate::error::{Error, TokenError};
use crate::token_set::TokenSet;
use crate::types::{AccessToken, RefreshToken};

/// When [`ApiClient`](crate::ApiClient) refreshes (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Refresh a token this close to its expiry before using it (default 60 s).
    pub margin: Duration,
    /// Minimum time between discretionary refreshes (default 5 minutes, ilert's advice).
    pub min_interval: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            margin: Duration::from_secs(60),
            min_interval: Duration::from_secs(5 * 60),
        }
    }
}

/// What [`decide`] looks at besides the time: the tokens in use, and what this process
/// remembers of its own refreshes. Times are Unix seconds. `Debug` prints no token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshState {
    /// The tokens in use; `None` before a sign-in or after a sign-out.
    pub tokens: Option<TokenSet>,
    /// When this process last asked ilert for a refresh, whether that worked or not.
    pub last_attempt: Option<u64>,
    /// The access token this process's last successful refresh obtained, and when.
    pub last_issued: Option<(AccessToken, u64)>,
    /// A refresh token ilert answered `invalid_grant` for, and that answer.
    pub revoked: Option<(RefreshToken, TokenError)>,
    /// The last access token ilert answered `401` to (it matters while it is the one in use).
    pub rejected: Option<AccessToken>,
}

impl RefreshState {
    /// A state holding `tokens` (as loaded from a store), with no refresh remembered.
    pub fn new(tokens: Option<TokenSet>) -> Self {
        Self {
            tokens,
            ..Self::default()
        }
    }

    /// Uses `tokens` from now on (a sign-in, or newer tokens from the store): a new grant, so
    /// a refresh token remembered as revoked no longer matters.
    pub fn use_tokens(&mut self, tokens: TokenSet) {
        self.tokens = Some(tokens);
        self.revoked = None;
    }

    /// Forgets the tokens (a sign-out).
    pub fn forget_tokens(&mut self) {
        self.tokens = None;
        self.revoked = None;
    }

    /// Notes that a refresh is being asked for at `now` (rule 4 counts failed attempts too).
    pub fn record_attempt(&mut self, now: u64) {
        self.last_attempt = Some(now);
    }

    /// Takes the tokens a refresh asked for at `now` returned, keeping the previous refresh
    /// token and its expiry when ilert sent none ([`TokenSet::carry_over_from`]), and returns
    /// them as now held.
    pub fn record_refresh(&mut self, mut fresh: TokenSet, now: u64) -> &TokenSet {
        if let Some(previous) = &self.tokens {
            fresh.carry_over_from(previous);
        }
        self.revoked = None;
        self.last_issued = Some((fresh.access_token.clone(), now));
        self.tokens.insert(fresh)
    }

    /// Notes that ilert answered `401` to `access_token` (rule 5).
    pub fn record_rejected(&mut self, access_token: &AccessToken) {
        if self.rejected.as_ref() != Some(access_token) {
            self.rejected = Some(access_token.clone());
        }
    }

    /// Notes that ilert answered `invalid_grant` to a refresh with `refresh_token` (rule 5).
    pub fn record_revoked(&mut self, refresh_token: RefreshToken, error: TokenError) {
        self.revoked = Some((refresh_token, error));
    }

    /// The current access token, or [`Error::NotSignedIn`].
    pub fn access_token(&self) -> Result<AccessToken, Error> {
        self.tokens
            .as_ref()
            .map(|t| t.access_token.clone())
            .ok_or(Error::NotSignedIn)
    }

    /// Why the current tokens cannot be refreshed, if they cannot (rules 5 and 7).
    fn cannot_refresh(&self, tokens: &TokenSet) -> Option<SignInReason> {
        let Some(refresh_token) = &tokens.refresh_token else {
            return Some(SignInReason::NoRefreshToken);
        };
        match &self.revoked {
            Some((revoked, error)) if revoked == refresh_token => {
                Some(SignInReason::GrantRevoked(error.clone()))
            }
            _ => None,
        }
    }

    /// Until when a discretionary refresh must wait: the last refresh, by this process or
    /// stored with the tokens, plus the minimum interval (rule 4).
    fn discretionary_refresh_after(&self, tokens: &TokenSet, policy: &RefreshPolicy) -> Option<u64> {
        let last = self.last_attempt.max(tokens.refreshed_at())?;
        Some(last.saturating_add(policy.min_interval.as_secs()))
    }
}

/// What prompted the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger<'a> {
    /// A request is about to be sent.
    BeforeCall,
    /// ilert answered a request with `401`.
    After401 {
        /// The access token that request carried.
        rejected: &'a AccessToken,
        /// Whether ilert had accepted that token before (answered a request with it other
        /// than 401).
        accepted_before: bool,
    },
    /// The user asked for a refresh.
    Explicit,
}

/// What to do, as [`decide`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Use the current access token as it is: it is valid beyond the margin (before a call),
    /// or it is not the token ilert rejected, another caller having replaced it (after a 401:
    /// retry with it).
    UseAsIs,
    /// Ask ilert for new tokens now.
    Refresh(RefreshReason),
    /// No refresh before `until` (Unix seconds): carry on with what there is — the current
    /// token before a call, the 401 after one.
    Wait {
        /// The earliest time the answer may change.
        until: u64,
    },
    /// A refresh cannot help: the user must sign in again.
    SignInAgain(SignInReason),
}

impl Decision {
    /// Whether the store should be read before acting on this decision for `trigger`, in case
    /// it holds newer tokens (rule 6): for every decision about tokens that will not do as
    /// they are, unless the user asked for a refresh.
    pub fn looks_in_store(&self, trigger: Trigger<'_>) -> bool {
        trigger != Trigger::Explicit
            && !matches!(self, Self::UseAsIs | Self::SignInAgain(SignInReason::NotSignedIn))
    }
}

/// Why a refresh is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshReason {
    /// The access token is still valid but within the margin of its expiry (rule 2).
    ExpiresSoon,
    /// The access token has expired (rule 4: necessary, whatever the interval).
    Expired,
    /// ilert answered 401 to the access token (rule 3).
    Rejected,
    /// The user asked (rule 8).
    Explicit,
}

impl RefreshReason {
    /// Whether the current access token is still to be used when this refresh fails: only
    /// when it was refreshed ahead of its expiry (rule 2).
    pub fn keeps_current_on_failure(self) -> bool {
        self == Self::ExpiresSoon
    }
}

/// Why only a new sign-in helps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInReason {
    /// There are no tokens.
    NotSignedIn,
    /// The access token will not do and there is no refresh token (rule 7).
    NoRefreshToken,
    /// ilert answered `invalid_grant` to the last refresh with this refresh token (rule 5).
    GrantRevoked(TokenError),
}

impl From<SignInReason> for Error {
    fn from(reason: SignInReason) -> Self {
        match reason {
            SignInReason::NotSignedIn => Self::NotSignedIn,
            SignInReason::NoRefreshToken => Self::NoRefreshToken,
            SignInReason::GrantRevoked(error) => Self::Token(error),
        }
    }
}

/// Decides what to do with the tokens in `state` at `now` (Unix seconds) under `policy`, for
/// `trigger`: the rules of the [module documentation](self), and nothing else.
pub fn decide(state: &RefreshState, now: u64, policy: &RefreshPolicy, trigger: Trigger<'_>) -> Decision {
    let Some(tokens) = &state.tokens else {
        return Decision::SignInAgain(SignInReason::NotSignedIn);
    };
    match trigger {
        Trigger::BeforeCall => before_call(state, tokens, now, policy),
        Trigger::After401 {
            rejected,
            accepted_before,
        } => after_401(state, tokens, now, policy, rejected, accepted_before),
        Trigger::Explicit => match state.cannot_refresh(tokens) {
            Some(SignInReason::NoRefreshToken) => Decision::SignInAgain(SignInReason::NoRefreshToken),
            _ => Decision::Refresh(RefreshReason::Explicit),
        },
    }
}

fn before_call(state: &RefreshState, tokens: &TokenSet, now: u64, policy: &RefreshPolicy) -> Decision {
    // RFC 6750 §3.1: a token answered `invalid_token` is not sent again as it is; with no way
    // to renew it, only a new sign-in helps, whatever the local clock says.
    if state.rejected.as_ref() == Some(&tokens.access_token)
        && let Some(reason) = state.cannot_refresh(tokens)
    {
        return Decision::SignInAgain(reason);
    }
    if !tokens.expires_within(now, policy.margin) {
        return Decision::UseAsIs;
    }
    let expired = tokens.is_expired(now);
    if !expired
        && let Some(until) = state.discretionary_refresh_after(tokens, policy)
        && now < until
    {
        return Decision::Wait { until };
    }
    match state.cannot_refresh(tokens) {
        Some(reason) if expired => Decision::SignInAgain(reason),
        // Still valid: use it while it lasts.
        Some(_) => Decision::Wait {
            until: tokens.expires_at,
        },
        None if expired => Decision::Refresh(RefreshReason::Expired),
        None => Decision::Refresh(RefreshReason::ExpiresSoon),
    }
}

fn after_401(
    state: &RefreshState,
    tokens: &TokenSet,
    now: u64,
    policy: &RefreshPolicy,
    rejected: &AccessToken,
    accepted_before: bool,
) -> Decision {
    if tokens.access_token != *rejected {
        // Another caller refreshed while this request was in flight.
        return Decision::UseAsIs;
    }
    // Only a token this process's own refresh issued moments ago counts: after a failed
    // refresh (a 503, say) the rejected token is an older one, and renewing it is right.
    if !accepted_before
        && !tokens.expires_within(now, policy.margin)
        && let Some((issued, at)) = &state.last_issued
        && issued == rejected
    {
        let until = at.saturating_add(policy.min_interval.as_secs());
        if now < until {
            return Decision::Wait { until };
        }
    }
    match state.cannot_refresh(tokens) {
        Some(reason) => Decision::SignInAgain(reason),
        None => Decision::Refresh(RefreshReason::Rejected),
    }
}

/// Whether `stored` (just read from the store) should replace `current`: it is other tokens,
/// valid beyond the margin at `now` (rule 6).
pub fn newer_in_store(
    current: Option<&TokenSet>,
    stored: &TokenSet,
    now: u64,
    policy: &RefreshPolicy,
) -> bool {
    current.map(|t| &t.access_token) != Some(&stored.access_token)
        && !stored.expires_within(now, policy.margin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Endpoint, TokenErrorCode};
    use crate::token_set::Grant;

    const NOW: u64 = 1_800_000_000;
    const MIN: u64 = 300;

    fn access(name: &str) -> AccessToken {
        AccessToken::new(name)
    }

    fn invalid_grant() -> TokenError {
        TokenError {
            endpoint: Endpoint::Token,
            status: 400,
            code: TokenErrorCode::InvalidGrant,
            description: Some("Provided refresh token is invalid".into()),
        }
    }

    /// `access-0` / `refresh-0`, expiring `expires_in` seconds after [`NOW`] (negative: before),
    /// obtained `ago` seconds before it, by `grant`.
    fn tokens(expires_in: i64, ago: u64, grant: Grant) -> TokenSet {
        TokenSet {
            access_token: access("access-0"),
            token_type: "Bearer".into(),
            expires_at: NOW.saturating_add_signed(expires_in),
            scope: "profile".into(),
            refresh_token: Some(RefreshToken::new("refresh-0")),
            refresh_expires_at: None,
            obtained_at: NOW - ago,
            obtained_by: grant,
        }
    }

    /// A state around tokens from a code exchange ten seconds before [`NOW`].
    fn from_code(expires_in: i64) -> RefreshState {
        RefreshState::new(Some(tokens(expires_in, 10, Grant::AuthorizationCode)))
    }

    /// A state around tokens from a refresh `ago` seconds before [`NOW`] (stored, so by any
    /// process).
    fn refreshed(expires_in: i64, ago: u64) -> RefreshState {
        RefreshState::new(Some(tokens(expires_in, ago, Grant::RefreshToken)))
    }

    /// A state whose tokens this process's own refresh obtained `ago` seconds before [`NOW`].
    fn issued_here(expires_in: i64, ago: u64) -> RefreshState {
        let mut state = refreshed(expires_in, ago);
        state.last_attempt = Some(NOW - ago);
        state.last_issued = Some((access("access-0"), NOW - ago));
        state
    }

    fn without_refresh_token(mut state: RefreshState) -> RefreshState {
        if let Some(t) = state.tokens.as_mut() {
            t.refresh_token = None;
        }
        state
    }

    fn revoked(mut state: RefreshState, refresh_token: &str) -> RefreshState {
        state.record_revoked(RefreshToken::new(refresh_token), invalid_grant());
        state
    }

    fn rejected(mut state: RefreshState, access_token: &str) -> RefreshState {
        state.record_rejected(&access(access_token));
        state
    }

    fn attempted(mut state: RefreshState, ago: u64) -> RefreshState {
        state.record_attempt(NOW - ago);
        state
    }

    fn policy() -> RefreshPolicy {
        RefreshPolicy::default()
    }

    fn no_interval() -> RefreshPolicy {
        RefreshPolicy {
            min_interval: Duration::ZERO,
            ..RefreshPolicy::default()
        }
    }

    use Decision::{Refresh, SignInAgain, UseAsIs, Wait};
    use RefreshReason::{Expired, ExpiresSoon, Explicit, Rejected};
    use SignInReason::{GrantRevoked, NoRefreshToken, NotSignedIn};

    #[test]
    fn before_a_call() {
        let cases: Vec<(&str, RefreshState, RefreshPolicy, Decision)> = vec![
            (
                "nothing stored",
                RefreshState::default(),
                policy(),
                SignInAgain(NotSignedIn),
            ),
            ("valid for an hour", from_code(3600), policy(), UseAsIs),
            (
                "61 s left: outside the 60 s margin",
                from_code(61),
                policy(),
                UseAsIs,
            ),
            (
                "60 s left: inside the margin",
                from_code(60),
                policy(),
                Refresh(ExpiresSoon),
            ),
            (
                "30 s left, never refreshed",
                from_code(30),
                policy(),
                Refresh(ExpiresSoon),
            ),
            (
                "30 s left, refreshed a minute ago (stored)",
                refreshed(30, 60),
                policy(),
                Wait {
                    until: NOW - 60 + MIN,
                },
            ),
            (
                "30 s left, refreshed 299 s ago",
                refreshed(30, 299),
                policy(),
                Wait { until: NOW + 1 },
            ),
            (
                "30 s left, refreshed 300 s ago",
                refreshed(30, 300),
                policy(),
                Refresh(ExpiresSoon),
            ),
            (
                "30 s left, a failed attempt a minute ago counts too",
                attempted(from_code(30), 60),
                policy(),
                Wait {
                    until: NOW - 60 + MIN,
                },
            ),
            (
                "the later of attempt and stored refresh counts",
                attempted(refreshed(30, 400), 100),
                policy(),
                Wait {
                    until: NOW - 100 + MIN,
                },
            ),
            (
                "no minimum interval",
                refreshed(30, 1),
                no_interval(),
                Refresh(ExpiresSoon),
            ),
            (
                "expired a second ago, refreshed a minute ago",
                refreshed(-1, 60),
                policy(),
                Refresh(Expired),
            ),
            (
                "expires this very second",
                refreshed(0, 60),
                policy(),
                Refresh(Expired),
            ),
            (
                "30 s left, no refresh token: use it while it lasts",
                without_refresh_token(from_code(30)),
                policy(),
                Wait { until: NOW + 30 },
            ),
            (
                "expired, no refresh token",
                without_refresh_token(from_code(-5)),
                policy(),
                SignInAgain(NoRefreshToken),
            ),
            (
                "valid for an hour, no refresh token",
                without_refresh_token(from_code(3600)),
                policy(),
                UseAsIs,
            ),
            (
                "30 s left, grant revoked: use it while it lasts",
                revoked(from_code(30), "refresh-0"),
                policy(),
                Wait { until: NOW + 30 },
            ),
            (
                "expired, grant revoked",
                revoked(from_code(-5), "refresh-0"),
                policy(),
                SignInAgain(GrantRevoked(invalid_grant())),
            ),
            (
                "expired, another refresh token was revoked",
                revoked(from_code(-5), "refresh-old"),
                policy(),
                Refresh(Expired),
            ),
            (
                "valid by our clock, rejected by ilert, grant revoked: not sent again",
                revoked(rejected(from_code(3600), "access-0"), "refresh-0"),
                policy(),
                SignInAgain(GrantRevoked(invalid_grant())),
            ),
            (
                "valid by our clock, rejected by ilert, no refresh token: not sent again",
                rejected(without_refresh_token(from_code(3600)), "access-0"),
                policy(),
                SignInAgain(NoRefreshToken),
            ),
            (
                "rejected by ilert, but the grant works: the 401 decides",
                rejected(from_code(3600), "access-0"),
                policy(),
                UseAsIs,
            ),
            (
                "another token was rejected, grant revoked: use it while it lasts",
                revoked(rejected(from_code(3600), "access-old"), "refresh-0"),
                policy(),
                UseAsIs,
            ),
        ];
        for (name, state, policy, expected) in cases {
            assert_eq!(
                decide(&state, NOW, &policy, Trigger::BeforeCall),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn after_a_401() {
        let current = access("access-0");
        let older = access("access-older");
        // (name, state, rejected token, ilert accepted it before, policy, decision)
        let cases: Vec<(&str, RefreshState, &AccessToken, bool, RefreshPolicy, Decision)> = vec![
            (
                "nothing stored",
                RefreshState::default(),
                &current,
                false,
                policy(),
                SignInAgain(NotSignedIn),
            ),
            (
                "another caller already replaced the token",
                from_code(3600),
                &older,
                false,
                policy(),
                UseAsIs,
            ),
            (
                "a token from the code exchange",
                from_code(3600),
                &current,
                false,
                policy(),
                Refresh(Rejected),
            ),
            (
                "the proactive interval does not hold a 401 back",
                attempted(refreshed(3600, 10), 10),
                &current,
                false,
                policy(),
                Refresh(Rejected),
            ),
            (
                "the token this process's refresh issued 10 s ago, never accepted",
                issued_here(3600, 10),
                &current,
                false,
                policy(),
                Wait {
                    until: NOW - 10 + MIN,
                },
            ),
            (
                "the same, but ilert accepted it before",
                issued_here(3600, 10),
                &current,
                true,
                policy(),
                Refresh(Rejected),
            ),
            (
                "the same, issued 300 s ago",
                issued_here(3600, 300),
                &current,
                false,
                policy(),
                Refresh(Rejected),
            ),
            (
                "the same, but within the margin of its expiry",
                issued_here(60, 10),
                &current,
                false,
                policy(),
                Refresh(Rejected),
            ),
            (
                "the same, with no minimum interval",
                issued_here(3600, 10),
                &current,
                false,
                no_interval(),
                Refresh(Rejected),
            ),
            (
                "the last refresh issued another token (a later refresh failed)",
                {
                    let mut state = issued_here(3600, 10);
                    state.last_issued = Some((older.clone(), NOW - 10));
                    state
                },
                &current,
                false,
                policy(),
                Refresh(Rejected),
            ),
            (
                "no refresh token, though still valid",
                without_refresh_token(from_code(3600)),
                &current,
                false,
                policy(),
                SignInAgain(NoRefreshToken),
            ),
            (
                "grant revoked, though still valid",
                revoked(from_code(3600), "refresh-0"),
                &current,
                false,
                policy(),
                SignInAgain(GrantRevoked(invalid_grant())),
            ),
            (
                "a just-issued token waits even with a revoked grant",
                revoked(issued_here(3600, 10), "refresh-0"),
                &current,
                false,
                policy(),
                Wait {
                    until: NOW - 10 + MIN,
                },
            ),
        ];
        for (name, state, rejected, accepted_before, policy, expected) in cases {
            let trigger = Trigger::After401 {
                rejected,
                accepted_before,
            };
            assert_eq!(decide(&state, NOW, &policy, trigger), expected, "{name}");
        }
    }

    #[test]
    fn on_request() {
        let cases: Vec<(&str, RefreshState, Decision)> = vec![
            (
                "nothing stored",
                RefreshState::default(),
                SignInAgain(NotSignedIn),
            ),
            ("valid for an hour", from_code(3600), Refresh(Explicit)),
            ("refreshed a second ago", issued_here(3600, 1), Refresh(Explicit)),
            (
                "grant revoked: the user asks anyway",
                revoked(from_code(3600), "refresh-0"),
                Refresh(Explicit),
            ),
            (
                "no refresh token",
                without_refresh_token(from_code(3600)),
                SignInAgain(NoRefreshToken),
            ),
        ];
        for (name, state, expected) in cases {
            assert_eq!(
                decide(&state, NOW, &policy(), Trigger::Explicit),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn which_decisions_look_in_the_store_first() {
        let rejected = access("access-0");
        let after_401 = Trigger::After401 {
            rejected: &rejected,
            accepted_before: false,
        };
        let cases = [
            (UseAsIs, Trigger::BeforeCall, false),
            (UseAsIs, after_401, false),
            (SignInAgain(NotSignedIn), Trigger::BeforeCall, false),
            (Refresh(ExpiresSoon), Trigger::BeforeCall, true),
            (Refresh(Expired), Trigger::BeforeCall, true),
            (Wait { until: NOW }, Trigger::BeforeCall, true),
            (SignInAgain(NoRefreshToken), Trigger::BeforeCall, true),
            (
                SignInAgain(GrantRevoked(invalid_grant())),
                Trigger::BeforeCall,
                true,
            ),
            (Refresh(Rejected), after_401, true),
            (Wait { until: NOW }, after_401, true),
            (SignInAgain(NoRefreshToken), after_401, true),
            (Refresh(Explicit), Trigger::Explicit, false),
            (SignInAgain(NoRefreshToken), Trigger::Explicit, false),
        ];
        for (decision, trigger, looks) in cases {
            assert_eq!(
                decision.looks_in_store(trigger),
                looks,
                "{decision:?} {trigger:?}"
            );
        }
    }

    #[test]
    fn only_a_refresh_ahead_of_expiry_falls_back_to_the_current_token() {
        for (reason, keeps) in [
            (ExpiresSoon, true),
            (Expired, false),
            (Rejected, false),
            (Explicit, false),
        ] {
            assert_eq!(reason.keeps_current_on_failure(), keeps, "{reason:?}");
        }
    }

    #[test]
    fn stored_tokens_win_when_other_and_valid_beyond_the_margin() {
        let current = tokens(30, 10, Grant::AuthorizationCode);
        let other = |expires_in| TokenSet {
            access_token: access("access-other"),
            ..tokens(expires_in, 0, Grant::RefreshToken)
        };
        let cases = [
            ("the same tokens", Some(&current), current.clone(), false),
            (
                "other tokens, valid for an hour",
                Some(&current),
                other(3600),
                true,
            ),
            (
                "other tokens, within the margin",
                Some(&current),
                other(60),
                false,
            ),
            ("other tokens, expired", Some(&current), other(-1), false),
            ("none held, valid ones stored", None, other(3600), true),
        ];
        for (name, held, stored, wins) in cases {
            assert_eq!(newer_in_store(held, &stored, NOW, &policy()), wins, "{name}");
        }
    }

    #[test]
    fn a_refresh_is_remembered_and_a_new_sign_in_forgets_a_revoked_grant() {
        let mut state = revoked(from_code(30), "refresh-0");
        state.record_attempt(NOW);
        let mut fresh = tokens(3600, 0, Grant::RefreshToken);
        fresh.access_token = access("access-1");
        fresh.refresh_token = None;
        let held = state.record_refresh(fresh, NOW).clone();
        // The refresh token is carried over when ilert sends none.
        assert_eq!(held.refresh_token, Some(RefreshToken::new("refresh-0")));
        assert_eq!(state.last_issued, Some((access("access-1"), NOW)));
        assert_eq!(state.revoked, None);
        // A 401 on what was just issued waits; the next decision before a call uses it.
        let rejected = access("access-1");
        let trigger = Trigger::After401 {
            rejected: &rejected,
            accepted_before: false,
        };
        assert_eq!(decide(&state, NOW, &policy(), trigger), Wait { until: NOW + MIN });
        assert_eq!(decide(&state, NOW, &policy(), Trigger::BeforeCall), UseAsIs);

        let mut state = revoked(from_code(-5), "refresh-0");
        state.use_tokens(tokens(3600, 0, Grant::AuthorizationCode));
        assert_eq!(state.revoked, None);
        state.forget_tokens();
        assert_eq!(state.access_token().ok(), None);
        assert_eq!(
            decide(&state, NOW, &policy(), Trigger::BeforeCall),
            SignInAgain(NotSignedIn)
        );
    }

    #[test]
    fn sign_in_reasons_become_the_errors_callers_know() {
        assert!(matches!(Error::from(NotSignedIn), Error::NotSignedIn));
        assert!(matches!(Error::from(NoRefreshToken), Error::NoRefreshToken));
        let err = Error::from(GrantRevoked(invalid_grant()));
        assert_eq!(err.token_error_code(), Some(&TokenErrorCode::InvalidGrant));
        assert!(err.requires_sign_in());
    }

    #[test]
    fn debug_shows_no_token() {
        let mut state = issued_here(3600, 10);
        state.record_revoked(RefreshToken::new("refresh-0"), invalid_grant());
        let printed = format!("{state:?}");
        assert!(
            !printed.contains("access-0") && !printed.contains("refresh-0"),
            "{printed}"
        );
    }
}
