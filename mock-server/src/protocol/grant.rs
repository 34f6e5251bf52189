//! Refresh grants: issue, look up, rotate, revoke, and the ten-per-app-per-user limit (SPEC §5, §7, §9).
//!
//! A refresh token names its grant by `il_k`. A grant belongs to a *family*: the grant a code
//! produced and every grant that rotation derived from it. Revoking for code reuse revokes the
//! family; a client's or user's revocation revokes the one grant named.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::scope::ScopeSet;
use crate::clock::UnixSeconds;

/// At most this many live refresh grants per app per user (SPEC §7); the oldest goes first.
pub const MAX_GRANTS_PER_APP_USER: usize = 10;

/// Why a grant stopped working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    /// The client called `/revoke`.
    Client,
    /// The user (or an admin call acting as the user) revoked the app's grant.
    User,
    /// The code that produced it was redeemed again.
    CodeReuse,
    /// Replaced by a new refresh token (rotation).
    Rotated,
    /// An eleventh grant for the same app and user pushed it out.
    LimitExceeded,
}

/// A refresh grant. (Serialised only into the `--state-file`, which is written with mode 0600.)
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// `il_k`: 32 lowercase hex.
    pub key: String,
    /// Family (code lineage) id.
    pub family: u64,
    /// App id.
    pub app_id: i64,
    /// User id.
    pub user_id: i64,
    /// Tenant id.
    pub tenant: String,
    /// Granted scope string.
    pub scope: String,
    /// Order of issue, for the limit.
    pub seq: u64,
    /// Issue time.
    pub issued_at: UnixSeconds,
    /// Expiry of the refresh token.
    pub expires_at: UnixSeconds,
    /// Set once revoked.
    pub revoked: Option<RevokeReason>,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("key", &"[redacted]")
            .field("family", &self.family)
            .field("app_id", &self.app_id)
            .field("user_id", &self.user_id)
            .field("scope", &self.scope)
            .field("expires_at", &self.expires_at)
            .field("revoked", &self.revoked)
            .finish()
    }
}

impl Grant {
    /// Not revoked and not expired at `now`.
    pub fn is_live(&self, now: UnixSeconds) -> bool {
        self.revoked.is_none() && now < self.expires_at
    }
}

/// Why a refresh token does not name a usable grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// No grant has this key.
    #[error("Provided refresh token is unknown")]
    Unknown,
    /// The grant was revoked.
    #[error("Provided refresh token has been revoked")]
    Revoked(RevokeReason),
    /// The refresh token expired.
    #[error("Provided refresh token has expired")]
    Expired,
    /// The grant belongs to another app (RFC 6749 §6).
    #[error("Provided refresh token was issued to another client")]
    WrongClient,
}

/// What a new grant is for.
#[derive(Debug, Clone)]
pub struct NewGrant<'a> {
    /// App id.
    pub app_id: i64,
    /// User id.
    pub user_id: i64,
    /// Tenant id.
    pub tenant: &'a str,
    /// Granted scopes.
    pub scope: &'a ScopeSet,
}

/// All refresh grants.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct GrantBook {
    grants: HashMap<String, Grant>,
    next_seq: u64,
    next_family: u64,
    /// Bumped on every change, so the store knows when to persist.
    #[serde(skip)]
    changes: u64,
}

impl std::fmt::Debug for GrantBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys and codes are credentials: only their number is shown.
        f.debug_struct("GrantBook")
            .field("len", &self.grants.len())
            .finish()
    }
}

impl GrantBook {
    /// Issues a grant under `key` expiring at `expires_at`, revoking the oldest live grants of the
    /// same app and user beyond the limit. Returns the new grant's family.
    pub fn issue(
        &mut self,
        key: String,
        new: NewGrant<'_>,
        now: UnixSeconds,
        expires_at: UnixSeconds,
    ) -> u64 {
        self.next_family += 1;
        let family = self.next_family;
        self.insert(key, family, new, now, expires_at);
        family
    }

    fn insert(
        &mut self,
        key: String,
        family: u64,
        new: NewGrant<'_>,
        now: UnixSeconds,
        expires_at: UnixSeconds,
    ) {
        let mut live: Vec<(u64, String)> = self
            .grants
            .values()
            .filter(|g| g.app_id == new.app_id && g.user_id == new.user_id && g.is_live(now))
            .map(|g| (g.seq, g.key.clone()))
            .collect();
        live.sort_unstable();
        let excess = (live.len() + 1).saturating_sub(MAX_GRANTS_PER_APP_USER);
        for (_, old) in live.into_iter().take(excess) {
            self.revoke(&old, RevokeReason::LimitExceeded);
        }
        self.next_seq += 1;
        self.changes += 1;
        let grant = Grant {
            key: key.clone(),
            family,
            app_id: new.app_id,
            user_id: new.user_id,
            tenant: new.tenant.to_owned(),
            scope: new.scope.to_string(),
            seq: self.next_seq,
            issued_at: now,
            expires_at,
            revoked: None,
        };
        self.grants.insert(key, grant);
    }

    /// The live grant `key` for `app_id`.
    pub fn find_live(&self, key: &str, app_id: i64, now: UnixSeconds) -> Result<&Grant, GrantError> {
        let grant = self.grants.get(key).ok_or(GrantError::Unknown)?;
        if grant.app_id != app_id {
            return Err(GrantError::WrongClient);
        }
        if let Some(reason) = grant.revoked {
            return Err(GrantError::Revoked(reason));
        }
        if now >= grant.expires_at {
            return Err(GrantError::Expired);
        }
        Ok(grant)
    }

    /// The grant `key`, whatever its state.
    pub fn get(&self, key: &str) -> Option<&Grant> {
        self.grants.get(key)
    }

    /// Replaces grant `old` with a new grant `new_key` of the same family, app, user and scope;
    /// `old` is revoked as rotated. The new refresh token lives a full lifetime from `now`.
    pub fn rotate(
        &mut self,
        old: &str,
        new_key: String,
        now: UnixSeconds,
        expires_at: UnixSeconds,
    ) -> Option<&Grant> {
        let previous = self.grants.get(old)?.clone();
        self.revoke(old, RevokeReason::Rotated);
        let scope = ScopeSet::parse(&previous.scope).ok()?;
        let new = NewGrant {
            app_id: previous.app_id,
            user_id: previous.user_id,
            tenant: &previous.tenant,
            scope: &scope,
        };
        self.insert(new_key.clone(), previous.family, new, now, expires_at);
        self.grants.get(&new_key)
    }

    /// Revokes grant `key`; returns whether it was live before.
    pub fn revoke(&mut self, key: &str, reason: RevokeReason) -> bool {
        match self.grants.get_mut(key) {
            Some(g) if g.revoked.is_none() => {
                g.revoked = Some(reason);
                self.changes += 1;
                true
            }
            _ => false,
        }
    }

    /// Revokes every grant of a family; returns how many were live.
    pub fn revoke_family(&mut self, family: u64, reason: RevokeReason) -> usize {
        let mut count = 0;
        for g in self
            .grants
            .values_mut()
            .filter(|g| g.family == family && g.revoked.is_none())
        {
            g.revoked = Some(reason);
            count += 1;
        }
        self.changes += count as u64;
        count
    }

    /// Every grant, in order of issue.
    pub fn all(&self) -> Vec<&Grant> {
        let mut all: Vec<&Grant> = self.grants.values().collect();
        all.sort_by_key(|g| g.seq);
        all
    }

    /// Forgets grants whose refresh token has expired (revoked ones are kept until then, so a
    /// revoked token keeps answering "revoked").
    pub fn purge(&mut self, now: UnixSeconds) {
        let before = self.grants.len();
        self.grants.retain(|_, g| now < g.expires_at);
        self.changes += (before - self.grants.len()) as u64;
    }

    /// How many changes were made (a counter, for persistence).
    pub fn changes(&self) -> u64 {
        self.changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> ScopeSet {
        ScopeSet::parse("profile").expect("scope")
    }

    fn issue(book: &mut GrantBook, key: &str, user: i64, now: UnixSeconds) -> u64 {
        let s = scope();
        book.issue(
            key.into(),
            NewGrant {
                app_id: 250,
                user_id: user,
                tenant: "t",
                scope: &s,
            },
            now,
            now + 100,
        )
    }

    #[test]
    fn eleventh_grant_revokes_the_oldest() {
        let mut book = GrantBook::default();
        for i in 0..10 {
            issue(&mut book, &format!("k{i}"), 1, i);
        }
        issue(&mut book, "other-user", 2, 5);
        assert!(book.find_live("k0", 250, 10).is_ok());
        issue(&mut book, "k10", 1, 10);
        assert_eq!(
            book.find_live("k0", 250, 10).err(),
            Some(GrantError::Revoked(RevokeReason::LimitExceeded))
        );
        for i in 1..=10 {
            assert!(book.find_live(&format!("k{i}"), 250, 10).is_ok(), "k{i}");
        }
        assert!(book.find_live("other-user", 250, 10).is_ok());
    }

    #[test]
    fn binding_expiry_and_revocation() {
        let mut book = GrantBook::default();
        issue(&mut book, "k", 1, 0);
        assert_eq!(book.find_live("k", 251, 0).err(), Some(GrantError::WrongClient));
        assert_eq!(book.find_live("k", 250, 100).err(), Some(GrantError::Expired));
        assert_eq!(book.find_live("nope", 250, 0).err(), Some(GrantError::Unknown));
        assert!(book.revoke("k", RevokeReason::Client));
        assert!(!book.revoke("k", RevokeReason::Client));
        assert_eq!(
            book.find_live("k", 250, 0).err(),
            Some(GrantError::Revoked(RevokeReason::Client))
        );
    }

    #[test]
    fn rotation_keeps_the_family_and_kills_the_old_key() {
        let mut book = GrantBook::default();
        let family = issue(&mut book, "a", 1, 0);
        let rotated = book.rotate("a", "b".into(), 5, 105).expect("rotated").clone();
        assert_eq!(rotated.family, family);
        assert_eq!(
            book.find_live("a", 250, 5).err(),
            Some(GrantError::Revoked(RevokeReason::Rotated))
        );
        assert!(book.find_live("b", 250, 5).is_ok());
        assert_eq!(book.revoke_family(family, RevokeReason::CodeReuse), 1);
        assert!(book.find_live("b", 250, 5).is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        let mut book = GrantBook::default();
        issue(&mut book, "secretkey", 1, 0);
        let text = format!("{:?}", book.get("secretkey").expect("grant"));
        assert!(!text.contains("secretkey"), "{text}");
    }
}
