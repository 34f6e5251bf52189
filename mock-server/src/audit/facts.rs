//! The compact facts the audit keeps per request, and the bounded book that holds them.
//!
//! Two parts write a request's facts. The journal middleware knows what every request looks like
//! from outside ([`Observed`]: its number, arrival and answer times, status, the client's
//! address, which credentials its URL query carries, the fingerprint of its `Authorization`
//! header); the handler that answered it knows what it meant ([`Event`]: an authorization, a
//! token request, an API call) and hands that back as a response extension. Nothing here holds a
//! secret: codes, tokens and `state` values are kept as the journal's keyed fingerprints
//! ([`Print`]), so equal values can be matched and none can be read back.
//!
//! What is kept, and for how long (see [`FactBook`]):
//! - every request that says something about the app's OAuth hygiene (an authorization, a token
//!   request, an API call that was refused, a request with a credential in its URL, anything
//!   answered 429): the last [`DEFAULT_CAPACITY`] of them (`--audit-size`), the oldest first out;
//! - successful API calls, the hot path, are not kept one by one: each access token's calls are
//!   summed up once (which scopes they needed, how many there were), for at most
//!   [`MAX_TOKENS`] tokens, the least recently first seen dropped first.
//!
//! Both bounds count entries, not bytes: a fact is about 200 bytes and never holds a request's
//! body, so 10,000 of them stay near 2 MB however large the requests were.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;

use crate::clock::UnixSeconds;
use crate::protocol::error::ErrorCode;
use crate::protocol::scope::{Access, Requirement};
use crate::token::Verified;

/// A keyed fingerprint of a secret value ([`crate::journal::Journal::fingerprint`]).
pub type Print = u64;

/// How many request facts are kept by default.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// How many access tokens' summed-up API calls are kept.
pub const MAX_TOKENS: usize = 10_000;

/// Credentials seen in a request's URL query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueryCredentials {
    /// `client_secret=` (RFC 6749 §2.3.1).
    pub client_secret: bool,
    /// `refresh_token=`.
    pub refresh_token: bool,
    /// `code_verifier=`.
    pub code_verifier: bool,
    /// `access_token=` (RFC 6750 §2.3).
    pub access_token: bool,
}

impl QueryCredentials {
    /// Which credentials the query's parameter names carry.
    pub fn of(pairs: &[(String, String)]) -> Self {
        let mut found = Self::default();
        for (name, _) in pairs {
            match name.as_str() {
                "client_secret" => found.client_secret = true,
                "refresh_token" => found.refresh_token = true,
                "code_verifier" => found.code_verifier = true,
                "access_token" => found.access_token = true,
                _ => {}
            }
        }
        found
    }

    /// Whether a client secret, refresh token or PKCE verifier is there.
    pub fn any_secret(self) -> bool {
        self.client_secret || self.refresh_token || self.code_verifier
    }

    /// Whether anything is there.
    pub fn any(self) -> bool {
        self.any_secret() || self.access_token
    }

    /// The names found, for a finding's title.
    pub fn secret_names(self) -> Vec<&'static str> {
        [
            (self.client_secret, "client_secret"),
            (self.refresh_token, "refresh_token"),
            (self.code_verifier, "code_verifier"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }

    /// Both sets together.
    pub fn union(self, other: Self) -> Self {
        Self {
            client_secret: self.client_secret || other.client_secret,
            refresh_token: self.refresh_token || other.refresh_token,
            code_verifier: self.code_verifier || other.code_verifier,
            access_token: self.access_token || other.access_token,
        }
    }
}

/// Whom a request acted for, where the mock could tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Who {
    /// The app's numeric id (`il_a`), when known.
    pub app_id: Option<i64>,
    /// The app's client id as sent, when no id is known.
    pub client_id: Option<String>,
    /// The username.
    pub user: Option<String>,
}

impl Who {
    /// The app and user an access token's claims name (`il_a`, `il_u`), read without verifying
    /// it: only to say whose a refused or misplaced token was.
    pub fn of_token(token: &str) -> Option<Self> {
        let (_, claims) = crate::token::decode_unverified(token)?;
        Some(Self {
            app_id: claims["il_a"].as_i64(),
            client_id: None,
            user: claims["il_u"].as_str().map(str::to_owned),
        })
        .filter(|who| who.app_id.is_some())
    }

    /// Whom a query's credentials prove: an `access_token` whose signature verifies (`verify`
    /// gives its claims, expired or not), or a `client_id` with the `client_secret` of that app
    /// (`authenticates`). Anything else (a forged or unsigned token, a bare `client_id`) is an
    /// unknown app: a page can put any name in a URL, and the audit must not blame the app it
    /// names.
    pub fn of_query(
        pairs: &[(String, String)],
        verify: impl Fn(&str) -> Option<Self>,
        authenticates: impl Fn(&str, &str) -> bool,
    ) -> Self {
        let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        if let Some(who) = value("access_token").and_then(verify) {
            return who;
        }
        match (value("client_id"), value("client_secret")) {
            (Some(id), Some(secret)) if authenticates(id, secret) => Self {
                client_id: Some(id.to_owned()),
                ..Self::default()
            },
            _ => Self::default(),
        }
    }
}

/// What the journal middleware saw of a request.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Mock clock at arrival.
    pub time: UnixSeconds,
    /// Microseconds from the server's start to the request's arrival (monotonic).
    pub arrived_us: u64,
    /// Microseconds from the server's start to the answer.
    pub answered_us: u64,
    /// The answer's status.
    pub status: u16,
    /// Whether the path is one the API rate limit counts.
    pub limited: bool,
    /// The client's address (only taken while a rate limit is on).
    pub peer: Option<IpAddr>,
    /// `Retry-After` of a 429, in seconds.
    pub retry_after: Option<u32>,
    /// Fingerprint of the `Authorization` header's value.
    pub bearer: Option<Print>,
    /// Credentials in the URL query.
    pub query: QueryCredentials,
    /// With credentials in the query: whom its `client_id` or `access_token` names.
    pub query_who: Option<Box<Who>>,
}

/// What the answering handler says a request meant.
#[derive(Debug, Clone)]
pub enum Event {
    /// An authorization request (either method).
    Authorize(Box<AuthorizeUse>),
    /// A token request.
    Token(Box<TokenUse>),
    /// A bearer-authenticated API call.
    Api(ApiUse),
}

/// How an authorization request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// The grant view was shown; the user has not decided yet.
    Shown,
    /// A code was issued.
    Code {
        /// The code's fingerprint.
        code: Print,
        /// Who approved.
        user: String,
        /// How many refresh tokens of this app for this user still worked at that moment.
        live_refresh_tokens: usize,
    },
    /// The user denied.
    Denied,
    /// Redirected back with this error.
    Refused(ErrorCode),
}

/// An authorization request whose client and redirect URI were recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeUse {
    /// The app's id.
    pub app_id: i64,
    /// The grant view's form (POST) rather than the app's redirect (GET).
    pub form: bool,
    /// `state`, fingerprinted.
    pub state: Option<Print>,
    /// `code_challenge`, fingerprinted.
    pub challenge: Option<Print>,
    /// The redirect URI, when it is plain HTTP to a host that is not loopback.
    pub insecure_redirect: Option<String>,
    /// How it ended.
    pub outcome: AuthorizeOutcome,
}

/// The grant a token request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenGrant {
    /// `authorization_code`.
    Code,
    /// `refresh_token`.
    Refresh,
    /// Anything else, or none.
    Other,
}

/// What a successful token request issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The app's id.
    pub app_id: i64,
    /// The user.
    pub user: String,
    /// The granted scope string.
    pub scope: String,
}

/// A token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUse {
    /// Which grant.
    pub grant: TokenGrant,
    /// `client_id` as sent (body or HTTP Basic).
    pub client_id: Option<String>,
    /// Whether a client secret was sent.
    pub with_secret: bool,
    /// The code's fingerprint.
    pub code: Option<Print>,
    /// The fingerprint of the refresh token sent.
    pub refresh_in: Option<Print>,
    /// The fingerprint of the refresh token answered.
    pub refresh_out: Option<Print>,
    /// The error answered; `None` when tokens were issued.
    pub error: Option<ErrorCode>,
    /// What was issued.
    pub issued: Option<Issued>,
    /// How many older grants the ten-per-app-and-user limit revoked for this one.
    pub limit_revoked: u64,
}

impl TokenUse {
    /// A token request with nothing known yet.
    pub fn new() -> Self {
        Self {
            grant: TokenGrant::Other,
            client_id: None,
            with_secret: false,
            code: None,
            refresh_in: None,
            refresh_out: None,
            error: None,
            issued: None,
            limit_revoked: 0,
        }
    }
}

impl TokenUse {
    /// Whom the tokens were issued to, else who asked.
    pub fn who(&self) -> Who {
        Who {
            app_id: self.issued.as_ref().map(|i| i.app_id),
            client_id: self.client_id.clone(),
            user: self.issued.as_ref().map(|i| i.user.clone()),
        }
    }
}

impl Default for TokenUse {
    fn default() -> Self {
        Self::new()
    }
}

/// How the API's bearer check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiOutcome {
    /// Authenticated and within scope: the operation ran.
    Allowed,
    /// 401: the access token has expired.
    Expired,
    /// 401: no, a malformed, a forged or a refresh token.
    Invalid,
    /// 401: the token's user is gone.
    UserGone,
    /// 403: the token lacks the scope the call needs.
    MissingScope,
    /// 404: no scope covers the path.
    NoSuchPath,
}

/// An API call's bearer check.
#[derive(Debug, Clone)]
pub struct ApiUse {
    /// How it ended.
    pub outcome: ApiOutcome,
    /// The token's verification, shared with the server's cache of verified tokens: recording
    /// it copies nothing (the hot path).
    pub verified: Option<Arc<Verified>>,
    /// Without a verification (an expired token): the app (`il_a`) its claims name, read
    /// without verifying them.
    pub app_id: Option<i64>,
    /// The same for the user (`il_u`).
    pub user: Option<String>,
    /// The same for the granted scope (`il_s`).
    pub scope: Option<String>,
    /// The scope and access the call needed.
    pub needed: Option<Requirement>,
}

impl ApiUse {
    /// A call refused before its token could be read.
    pub fn refused(outcome: ApiOutcome) -> Self {
        Self {
            outcome,
            verified: None,
            app_id: None,
            user: None,
            scope: None,
            needed: None,
        }
    }

    /// A call refused for an expired token, whose claims name `who`.
    pub fn expired(who: Option<Who>) -> Self {
        let who = who.unwrap_or_default();
        Self {
            app_id: who.app_id,
            user: who.user,
            ..Self::refused(ApiOutcome::Expired)
        }
    }

    /// A call whose token verified, allowed or not by its scope.
    pub fn verified(outcome: ApiOutcome, verified: Arc<Verified>, needed: Requirement) -> Self {
        Self {
            verified: Some(verified),
            needed: Some(needed),
            ..Self::refused(outcome)
        }
    }

    /// The token's app.
    pub fn app_id(&self) -> Option<i64> {
        self.verified.as_ref().map(|v| v.claims.il_a).or(self.app_id)
    }

    /// The token's user.
    pub fn user(&self) -> Option<&str> {
        match &self.verified {
            Some(v) => Some(&v.claims.il_u),
            None => self.user.as_deref(),
        }
    }

    /// The token's granted scope string.
    pub fn scope(&self) -> Option<&str> {
        match &self.verified {
            Some(v) => Some(&v.claims.il_s),
            None => self.scope.as_deref(),
        }
    }
}

/// One request's facts.
#[derive(Debug, Clone)]
pub struct Fact {
    /// The journal's number of the request.
    pub seq: u64,
    /// What the journal middleware saw.
    pub observed: Observed,
    /// What the handler said, if it said anything.
    pub event: Option<Event>,
}

/// A text cut to at most `max` bytes (at a character boundary) with a marker saying how long it
/// was: an audit fact keeps what a finding needs to name a value, not a client's megabytes.
pub fn capped(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max.saturating_sub(32);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[{} bytes in all]", &text[..end], text.len())
}

fn cap_in_place(text: &mut String, max: usize) {
    if text.len() > max {
        *text = capped(text, max);
    }
}

fn cap_opt(text: &mut Option<String>, max: usize) {
    if let Some(t) = text {
        cap_in_place(t, max);
    }
}

impl Fact {
    /// Cuts every text this fact keeps to `max` bytes; its [`Fact::weight`] after.
    fn cap(&mut self, max: usize) -> usize {
        if let Some(who) = self.observed.query_who.as_deref_mut() {
            cap_opt(&mut who.client_id, max);
            cap_opt(&mut who.user, max);
        }
        match &mut self.event {
            Some(Event::Authorize(a)) => {
                cap_opt(&mut a.insecure_redirect, max);
                if let AuthorizeOutcome::Code { user, .. } = &mut a.outcome {
                    cap_in_place(user, max);
                }
            }
            Some(Event::Token(t)) => {
                cap_opt(&mut t.client_id, max);
                if let Some(issued) = &mut t.issued {
                    cap_in_place(&mut issued.user, max);
                    cap_in_place(&mut issued.scope, max);
                }
            }
            Some(Event::Api(api)) => {
                cap_opt(&mut api.user, max);
                cap_opt(&mut api.scope, max);
            }
            None => {}
        }
        self.weight()
    }

    /// Bytes this fact holds: its own size and its texts' (a verification shared with the
    /// token cache is not counted: it is not this fact's).
    fn weight(&self) -> usize {
        let len = |t: &Option<String>| t.as_ref().map_or(0, String::len);
        let mut bytes = std::mem::size_of::<Fact>();
        if let Some(who) = self.observed.query_who.as_deref() {
            bytes += std::mem::size_of::<Who>() + len(&who.client_id) + len(&who.user);
        }
        bytes += match &self.event {
            Some(Event::Authorize(a)) => {
                std::mem::size_of::<AuthorizeUse>()
                    + len(&a.insecure_redirect)
                    + match &a.outcome {
                        AuthorizeOutcome::Code { user, .. } => user.len(),
                        _ => 0,
                    }
            }
            Some(Event::Token(t)) => {
                std::mem::size_of::<TokenUse>()
                    + len(&t.client_id)
                    + t.issued.as_ref().map_or(0, |i| i.user.len() + i.scope.len())
            }
            Some(Event::Api(api)) => len(&api.user) + len(&api.scope),
            None => 0,
        };
        bytes
    }
}

/// The API calls made with one access token (one `Authorization` value), summed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCalls {
    /// The `Authorization` value's fingerprint.
    pub bearer: Print,
    /// The token's app.
    pub app_id: i64,
    /// The token's user.
    pub user: String,
    /// The token's granted scope string.
    pub scope: String,
    /// The highest access each needed scope was used with.
    pub needed: Vec<(&'static str, Access)>,
    /// How many calls were made.
    pub calls: u64,
    /// The number of the first call.
    pub first_seq: u64,
}

impl TokenCalls {
    fn need(&mut self, requirement: Requirement) {
        match self
            .needed
            .iter_mut()
            .find(|(name, _)| *name == requirement.scope.name)
        {
            Some((_, access)) => *access = (*access).max(requirement.access),
            None => self.needed.push((requirement.scope.name, requirement.access)),
        }
    }
}

/// Everything the audit has seen since it was last cleared, bounded by count.
#[derive(Debug)]
pub struct FactBook {
    facts: VecDeque<Fact>,
    capacity: usize,
    /// Bytes of one kept value ([`crate::Bounds::audit_value_bytes`]).
    value_bytes: usize,
    /// Bytes of all kept facts ([`crate::Bounds::audit_bytes`]).
    max_bytes: usize,
    /// Bytes the kept facts weigh now (their own size and their texts').
    bytes: usize,
    tokens: HashMap<Print, TokenCalls>,
    token_order: VecDeque<Print>,
    /// Requests seen (kept, summed up or dropped).
    seen: u64,
    /// Request facts dropped by the bound.
    dropped: u64,
}

/// A copy of a [`FactBook`], read outside its lock.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Request facts, in order of their numbers.
    pub facts: Vec<Fact>,
    /// Successful API calls, summed up per access token.
    pub tokens: Vec<TokenCalls>,
    /// Requests seen.
    pub seen: u64,
    /// Request facts dropped by the bound.
    pub dropped: u64,
}

impl FactBook {
    /// A book keeping at most `capacity` request facts (at least 1).
    pub fn new(capacity: usize) -> Self {
        let bounds = crate::Bounds::default();
        Self::bounded(capacity, bounds.audit_value_bytes, bounds.audit_bytes)
    }

    /// A book keeping at most `capacity` request facts weighing at most `max_bytes` together,
    /// each of their texts cut to `value_bytes`.
    pub fn bounded(capacity: usize, value_bytes: usize, max_bytes: usize) -> Self {
        Self {
            facts: VecDeque::new(),
            capacity: capacity.max(1),
            value_bytes: value_bytes.max(16),
            max_bytes,
            bytes: 0,
            tokens: HashMap::new(),
            token_order: VecDeque::new(),
            seen: 0,
            dropped: 0,
        }
    }

    /// Records one request. A successful API call is summed up under its token: a hash lookup
    /// and a few field updates, no allocation once the token has been seen.
    pub fn record(&mut self, mut fact: Fact) {
        self.seen += 1;
        let weight = fact.cap(self.value_bytes);
        if let (Some(Event::Api(api)), Some(bearer)) = (&fact.event, fact.observed.bearer)
            && api.outcome == ApiOutcome::Allowed
            && !fact.observed.query.any()
            && fact.observed.status != 429
        {
            self.sum_up(bearer, fact);
            return;
        }
        while self.facts.len() >= self.capacity
            || (!self.facts.is_empty() && self.bytes + weight > self.max_bytes)
        {
            let Some(old) = self.facts.pop_front() else {
                break;
            };
            self.bytes = self.bytes.saturating_sub(old.weight());
            self.dropped += 1;
        }
        self.bytes += weight;
        self.facts.push_back(fact);
    }

    fn sum_up(&mut self, bearer: Print, fact: Fact) {
        let Some(Event::Api(api)) = fact.event else {
            return;
        };
        if let Some(calls) = self.tokens.get_mut(&bearer) {
            calls.calls += 1;
            if let Some(requirement) = api.needed {
                calls.need(requirement);
            }
            return;
        }
        let (Some(app_id), Some(user), Some(scope)) = (api.app_id(), api.user(), api.scope()) else {
            return;
        };
        if self.tokens.len() >= MAX_TOKENS
            && let Some(oldest) = self.token_order.pop_front()
        {
            self.tokens.remove(&oldest);
        }
        let mut calls = TokenCalls {
            bearer,
            app_id,
            user: capped(user, self.value_bytes),
            scope: capped(scope, self.value_bytes),
            needed: Vec::new(),
            calls: 1,
            first_seq: fact.seq,
        };
        if let Some(requirement) = api.needed {
            calls.need(requirement);
        }
        self.tokens.insert(bearer, calls);
        self.token_order.push_back(bearer);
    }

    /// A copy to evaluate outside the lock, facts in order of their numbers.
    pub fn snapshot(&self) -> Snapshot {
        let mut facts: Vec<Fact> = self.facts.iter().cloned().collect();
        facts.sort_by_key(|f| f.seq);
        let mut tokens: Vec<TokenCalls> = self.tokens.values().cloned().collect();
        tokens.sort_by_key(|t| t.first_seq);
        Snapshot {
            facts,
            tokens,
            seen: self.seen,
            dropped: self.dropped,
        }
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.facts.clear();
        self.bytes = 0;
        self.tokens.clear();
        self.token_order.clear();
        self.seen = 0;
        self.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::scope::requirement;

    fn api(seq: u64, bearer: Print, path: &str) -> Fact {
        Fact {
            seq,
            observed: Observed {
                status: 200,
                bearer: Some(bearer),
                ..Observed::default()
            },
            event: Some(Event::Api(ApiUse {
                outcome: ApiOutcome::Allowed,
                verified: None,
                app_id: Some(250),
                user: Some("someUser".into()),
                scope: Some("profile source:w".into()),
                needed: requirement("GET", path),
            })),
        }
    }

    #[test]
    fn successful_api_calls_are_summed_up_per_token() {
        let mut book = FactBook::new(3);
        book.record(api(1, 7, "/api/users/current"));
        book.record(api(2, 7, "/api/alert-sources"));
        book.record(api(3, 7, "/api/users/current"));
        book.record(api(4, 8, "/api/users/current"));
        let snap = book.snapshot();
        assert!(snap.facts.is_empty());
        assert_eq!(snap.seen, 4);
        assert_eq!(snap.tokens.len(), 2);
        assert_eq!(snap.tokens[0].calls, 3);
        assert_eq!(
            snap.tokens[0].needed,
            [("profile", Access::Read), ("source", Access::Read)]
        );
        assert_eq!(snap.tokens[1].first_seq, 4);
    }

    #[test]
    fn other_facts_are_kept_up_to_the_bound() {
        let mut book = FactBook::new(2);
        for seq in 1..=5 {
            let mut fact = api(seq, 7, "/api/users/current");
            fact.observed.status = 429;
            book.record(fact);
        }
        let snap = book.snapshot();
        assert_eq!(snap.facts.iter().map(|f| f.seq).collect::<Vec<_>>(), [4, 5]);
        assert_eq!((snap.seen, snap.dropped), (5, 3));
        book.clear();
        let snap = book.snapshot();
        assert!(snap.facts.is_empty() && snap.tokens.is_empty() && snap.seen == 0);
    }

    #[test]
    fn query_credentials_by_name() {
        let pairs = |names: &[&str]| {
            names
                .iter()
                .map(|n| ((*n).to_owned(), "x".to_owned()))
                .collect::<Vec<_>>()
        };
        let found = QueryCredentials::of(&pairs(&["client_id", "client_secret", "access_token"]));
        assert!(found.any_secret() && found.access_token && !found.refresh_token);
        assert_eq!(found.secret_names(), ["client_secret"]);
        assert!(!QueryCredentials::of(&pairs(&["state", "code"])).any());
    }
}
