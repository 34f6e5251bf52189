//! A bounded cache of verified access tokens, keyed by the token's exact bytes.
//!
//! An RS256 verification is most of what `GET /api/users/current` costs (a profile of the bench's
//! scenario put it near a third of the server's CPU), and an app sends the same access token
//! for up to an hour. The cache remembers what [`Keys::verify_access`] proved about a token:
//!
//! - the key is the whole token, so a token whose signature, header or claims differ by one byte
//!   is a different key and is verified afresh: a forged token never hits;
//! - a hit is still checked against the mock's clock (`exp`), so `/_mock/clock` expires cached
//!   tokens exactly as it expires the others;
//! - each entry remembers the directory generation (users, apps, tenants) it was verified
//!   under and whom the token acts for under it ([`Principal`]: the user and tenant, shared by
//!   every request with the token, so none copies the user); the caller compares the generation
//!   under the state lock it takes anyway, and a change of users or apps sends the token through
//!   full verification and a fresh lookup of its user again; `/_mock/reset` clears the cache, and
//!   the keys never change while a server runs (a cache lives in one server's context);
//! - at most [`CAPACITY`] entries: when full, expired entries go, and if none has expired the
//!   cache starts empty again (a bound, not an LRU: the bench and real apps use few tokens).
//!
//! [`Keys::verify_access`]: super::Keys::verify_access

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::claims::AccessClaims;
use super::verify::{TokenError, check_exp};
use crate::clock::UnixSeconds;
use crate::model::User;
use crate::protocol::scope::ScopeSet;

/// Most tokens remembered.
pub const CAPACITY: usize = 1024;

/// Whom an access token acts for: its user and tenant as the directory had them when the token
/// was verified (the entry is verified afresh once the directory changes).
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user (`il_u`).
    pub user: User,
    /// The user's tenant id.
    pub tenant: String,
}

/// What verification proved about one access token.
#[derive(Debug)]
pub struct Verified {
    /// Its claims.
    pub claims: AccessClaims,
    /// Its `il_s`, parsed (empty when it does not parse: such a token grants nothing).
    pub scopes: ScopeSet,
    /// The directory generation it was verified under.
    pub directory: u64,
    /// Whom it acts for under that generation: shared by every request with the token, so a
    /// request copies no user.
    pub principal: Principal,
}

impl Verified {
    /// A verification of `claims` under the directory generation `directory`, acting for
    /// `principal`.
    pub fn new(claims: AccessClaims, directory: u64, principal: Principal) -> Self {
        Self {
            scopes: ScopeSet::parse(&claims.il_s).unwrap_or_default(),
            claims,
            directory,
            principal,
        }
    }
}

/// The cache (one per running server).
#[derive(Debug, Default)]
pub struct VerifiedCache {
    entries: Mutex<HashMap<Box<str>, Arc<Verified>>>,
}

impl VerifiedCache {
    /// The cached verification of `token`, if it is still unexpired at `now`. An expired entry
    /// answers [`TokenError::Expired`] without a second verification.
    pub fn get(&self, token: &str, now: UnixSeconds) -> Option<Result<Arc<Verified>, TokenError>> {
        let hit = self.entries.lock().get(token).cloned()?;
        // The same expiry rule as a full verification (RFC 7519 §4.1.4, against the mock clock).
        Some(check_exp(hit.claims.exp, now).map(|()| hit))
    }

    /// Remembers a verified token and returns the entry.
    pub fn insert(&self, token: &str, verified: Verified, now: UnixSeconds) -> Arc<Verified> {
        let entry = Arc::new(verified);
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY {
            entries.retain(|_, v| now < v.claims.exp);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(token.into(), entry.clone());
        entry
    }

    /// Forgets `token` (its entry was verified under another directory generation).
    pub fn forget(&self, token: &str) {
        self.entries.lock().remove(token);
    }

    /// Forgets every token.
    pub fn clear(&self) {
        self.entries.lock().clear();
    }

    /// How many tokens are remembered.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    /// Whether no token is remembered.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A verification of a token expiring at `exp`, under the directory generation `directory`.
    fn verified(exp: UnixSeconds, directory: u64) -> Verified {
        let claims = AccessClaims::new(
            "t1",
            7,
            "profile alert:w",
            "someUser",
            exp - super::super::ACCESS_TOKEN_LIFETIME,
        );
        // The fixtures are parsed once: the capacity test makes thousands of entries.
        static PRINCIPAL: std::sync::OnceLock<Principal> = std::sync::OnceLock::new();
        let principal = PRINCIPAL.get_or_init(|| {
            let fixtures = crate::fixtures::Fixtures::embedded().expect("defaults");
            let user = fixtures.users[0].clone();
            let tenant = user.tenant.clone();
            Principal { user, tenant }
        });
        Verified::new(claims, directory, principal.clone())
    }

    #[test]
    fn a_hit_is_checked_against_the_clock() {
        let cache = VerifiedCache::default();
        let entry = cache.insert("a.b.c", verified(1_000, 3), 0);
        assert_eq!(entry.directory, 3);
        assert!(
            entry
                .scopes
                .grants("alert", crate::protocol::scope::Access::Write)
        );
        assert!(matches!(cache.get("a.b.c", 999), Some(Ok(_))));
        assert!(matches!(
            cache.get("a.b.c", 1_000),
            Some(Err(TokenError::Expired))
        ));
        assert!(cache.get("a.b.d", 0).is_none(), "another token is another key");
    }

    #[test]
    fn full_drops_the_expired_then_everything() {
        let cache = VerifiedCache::default();
        for i in 0..CAPACITY {
            let exp = if i % 2 == 0 { 10 } else { 1_000 };
            cache.insert(&format!("t{i}"), verified(exp, 0), 0);
        }
        assert_eq!(cache.len(), CAPACITY);
        cache.insert("next", verified(1_000, 0), 500);
        assert_eq!(cache.len(), CAPACITY / 2 + 1, "the expired half went");
        for i in 0..CAPACITY {
            cache.insert(&format!("u{i}"), verified(1_000, 0), 500);
        }
        assert!(cache.len() <= CAPACITY);
        cache.forget("next");
        assert!(cache.get("next", 0).is_none());
        cache.clear();
        assert!(cache.is_empty());
    }
}
