//! Refresh grants: issue, look up, rotate, revoke, and the ten-per-app-per-user limit (behaviour.md §5, §7, §9).
//!
//! A refresh token names its grant by `il_k`. A grant belongs to a *family*: the grant a code
//! produced and every grant that rotation derived from it. Revoking for code reuse revokes the
//! family; a client's or user's revocation revokes the one grant named.
//!
//! What is kept, so that a long run stays within bounded memory: every unrevoked grant until its
//! refresh token expires (at most ten per app and user are unrevoked), and revoked grants for
//! [`REVOKED_MEMORY`] after their revocation, at most [`MAX_REVOKED_REMEMBERED`] of them (the
//! oldest revocation is forgotten first). While a revoked grant is remembered its token is refused
//! as "revoked"; once forgotten, as "unknown": both are `invalid_grant`, so a client sees the
//! same status and error code either way. Two indexes (unrevoked grants per app and user, and
//! per family) keep issuing and revoking independent of how many grants are held.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::scope::ScopeSet;
use crate::clock::UnixSeconds;

/// At most this many live refresh grants per app per user (behaviour.md §7); the oldest goes first.
pub const MAX_GRANTS_PER_APP_USER: usize = 10;

/// How long a revoked grant is remembered after its revocation (seconds): a day.
pub const REVOKED_MEMORY: i64 = 24 * 3_600;

/// At most this many revoked grants are remembered; beyond it the oldest revocation is forgotten.
pub const MAX_REVOKED_REMEMBERED: usize = 10_000;

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
    /// Its app was removed (`DELETE /_mock/apps/{client_id}`).
    AppRemoved,
    /// Its user was removed (`DELETE /_mock/users/{username}`).
    UserRemoved,
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
    /// When it was revoked (`None` in state files written before it was recorded: such a grant
    /// is remembered until its token expires or the count limit pushes it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<UnixSeconds>,
    /// Whether the code request that started the family sent the app's `client_secret`: such a
    /// grant keeps needing the secret to refresh (the mock's choice, behaviour.md §3). State files
    /// written before it was recorded read `true`, the stricter answer.
    #[serde(default = "secret_bound_default")]
    pub secret_bound: bool,
}

fn secret_bound_default() -> bool {
    true
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
            .field("revoked_at", &self.revoked_at)
            .field("secret_bound", &self.secret_bound)
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
    /// The grant was revoked; the message says why when the client could not know.
    #[error("{}", revoked_text(*.0))]
    Revoked(RevokeReason),
    /// The refresh token expired.
    #[error("Provided refresh token has expired")]
    Expired,
    /// The grant belongs to another app (RFC 6749 §6).
    #[error("Provided refresh token was issued to another client")]
    WrongClient,
}

/// ilert's words for a revoked refresh token, with the reason added where a client could not
/// guess it (a revocation by the client, the user or code reuse is the client's own doing).
fn revoked_text(reason: RevokeReason) -> String {
    const REVOKED: &str = "Provided refresh token has been revoked";
    match reason {
        RevokeReason::LimitExceeded => format!(
            "{REVOKED}: ilert keeps at most {MAX_GRANTS_PER_APP_USER} refresh tokens per app and \
             user, and this one was the oldest when a newer sign-in of the same user and app \
             needed room"
        ),
        RevokeReason::AppRemoved => format!("{REVOKED}: its app was removed"),
        RevokeReason::UserRemoved => format!("{REVOKED}: its user was removed"),
        RevokeReason::Client | RevokeReason::User | RevokeReason::CodeReuse | RevokeReason::Rotated => {
            REVOKED.to_owned()
        }
    }
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
    /// Whether the code request sent the app's secret (see [`Grant::secret_bound`]).
    pub secret_bound: bool,
}

/// All refresh grants.
///
/// Serialised (into the `--state-file` only) as the grants and the two counters; the indexes
/// are rebuilt on load.
#[derive(Clone, Default)]
pub struct GrantBook {
    grants: HashMap<String, Grant>,
    next_seq: u64,
    next_family: u64,
    /// Bumped on every change, so the store knows when to persist.
    changes: u64,
    /// Grants the ten-per-app-and-user limit revoked (a counter; not persisted).
    limit_revoked: u64,
    /// Unrevoked grants (live or expired but not yet purged) per (app, user), by `seq`.
    by_owner: HashMap<(i64, i64), BTreeMap<u64, String>>,
    /// Unrevoked grants per family.
    by_family: HashMap<u64, Vec<String>>,
    /// Revoked grants still remembered, in order of revocation.
    revoked_order: VecDeque<String>,
}

/// The serialised form of a [`GrantBook`].
#[derive(Serialize)]
struct GrantBookRef<'a> {
    grants: &'a HashMap<String, Grant>,
    next_seq: u64,
    next_family: u64,
}

/// The deserialised form of a [`GrantBook`].
#[derive(Deserialize)]
struct GrantBookFile {
    grants: HashMap<String, Grant>,
    next_seq: u64,
    next_family: u64,
}

impl Serialize for GrantBook {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        GrantBookRef {
            grants: &self.grants,
            next_seq: self.next_seq,
            next_family: self.next_family,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for GrantBook {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let file = GrantBookFile::deserialize(deserializer)?;
        Ok(Self::from_parts(file.grants, file.next_seq, file.next_family))
    }
}

impl std::fmt::Debug for GrantBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys and codes are credentials: only their number is shown.
        f.debug_struct("GrantBook")
            .field("len", &self.grants.len())
            .field("revoked", &self.revoked_order.len())
            .finish()
    }
}

impl GrantBook {
    /// A book holding `grants`, with its indexes built.
    fn from_parts(grants: HashMap<String, Grant>, next_seq: u64, next_family: u64) -> Self {
        let mut book = Self {
            next_seq,
            next_family,
            ..Self::default()
        };
        let mut revoked: Vec<&Grant> = grants.values().filter(|g| g.revoked.is_some()).collect();
        revoked.sort_by_key(|g| (g.revoked_at, g.seq));
        book.revoked_order = revoked.into_iter().map(|g| g.key.clone()).collect();
        for g in grants.values().filter(|g| g.revoked.is_none()) {
            book.index(g);
        }
        book.grants = grants;
        book.forget_beyond_limit();
        book
    }

    /// Adds an unrevoked grant to the indexes.
    fn index(&mut self, g: &Grant) {
        self.by_owner
            .entry((g.app_id, g.user_id))
            .or_default()
            .insert(g.seq, g.key.clone());
        self.by_family.entry(g.family).or_default().push(g.key.clone());
    }

    /// Removes a grant from the indexes of unrevoked grants.
    fn unindex(&mut self, g: &Grant) {
        if let Some(owned) = self.by_owner.get_mut(&(g.app_id, g.user_id)) {
            owned.remove(&g.seq);
            if owned.is_empty() {
                self.by_owner.remove(&(g.app_id, g.user_id));
            }
        }
        if let Some(family) = self.by_family.get_mut(&g.family) {
            family.retain(|k| *k != g.key);
            if family.is_empty() {
                self.by_family.remove(&g.family);
            }
        }
    }

    /// Forgets the oldest revocations beyond [`MAX_REVOKED_REMEMBERED`].
    fn forget_beyond_limit(&mut self) {
        while self.revoked_order.len() > MAX_REVOKED_REMEMBERED {
            if let Some(key) = self.revoked_order.pop_front() {
                self.grants.remove(&key);
                self.changes += 1;
            }
        }
    }

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
        // behaviour.md §7: the eleventh live grant of an app for a user revokes the oldest.
        let live: Vec<String> = self
            .by_owner
            .get(&(new.app_id, new.user_id))
            .map(|owned| {
                owned
                    .values()
                    .filter(|k| self.grants.get(*k).is_some_and(|g| g.is_live(now)))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let excess = (live.len() + 1).saturating_sub(MAX_GRANTS_PER_APP_USER);
        for old in live.iter().take(excess) {
            if self.revoke_at(old, RevokeReason::LimitExceeded, now) {
                self.limit_revoked += 1;
            }
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
            revoked_at: None,
            secret_bound: new.secret_bound,
        };
        self.index(&grant);
        if let Some(replaced) = self.grants.insert(key, grant) {
            // A repeated key (random 128 bits, so never in practice) replaces the old grant.
            self.unindex(&replaced);
            self.revoked_order.retain(|k| *k != replaced.key);
        }
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

    /// How many refresh tokens of `app_id` for `user_id` still work at `now` (an index lookup:
    /// at most [`MAX_GRANTS_PER_APP_USER`] grants are read).
    pub fn live_count(&self, app_id: i64, user_id: i64, now: UnixSeconds) -> usize {
        self.by_owner.get(&(app_id, user_id)).map_or(0, |owned| {
            owned
                .values()
                .filter(|k| self.grants.get(*k).is_some_and(|g| g.is_live(now)))
                .count()
        })
    }

    /// How many grants the ten-per-app-and-user limit has revoked since the book was made (a
    /// counter: the difference across one token request says whether it pushed one out).
    pub fn limit_revocations(&self) -> u64 {
        self.limit_revoked
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
        self.revoke_at(old, RevokeReason::Rotated, now);
        let scope = ScopeSet::parse(&previous.scope).ok()?;
        let new = NewGrant {
            app_id: previous.app_id,
            user_id: previous.user_id,
            tenant: &previous.tenant,
            scope: &scope,
            secret_bound: previous.secret_bound,
        };
        self.insert(new_key.clone(), previous.family, new, now, expires_at);
        self.grants.get(&new_key)
    }

    /// Revokes grant `key` at time `now`; returns whether it was unrevoked before.
    pub fn revoke_at(&mut self, key: &str, reason: RevokeReason, now: UnixSeconds) -> bool {
        let Some(g) = self.grants.get_mut(key) else {
            return false;
        };
        if g.revoked.is_some() {
            return false;
        }
        g.revoked = Some(reason);
        g.revoked_at = Some(now);
        let g = g.clone();
        self.unindex(&g);
        self.revoked_order.push_back(g.key);
        self.changes += 1;
        self.forget_beyond_limit();
        true
    }

    /// Revokes every grant of a family at time `now`; returns how many were unrevoked.
    pub fn revoke_family(&mut self, family: u64, reason: RevokeReason, now: UnixSeconds) -> usize {
        let keys = self.by_family.get(&family).cloned().unwrap_or_default();
        keys.iter().filter(|k| self.revoke_at(k, reason, now)).count()
    }

    /// Revokes every unrevoked grant that `which` selects; returns how many.
    pub fn revoke_where(
        &mut self,
        which: impl Fn(&Grant) -> bool,
        reason: RevokeReason,
        now: UnixSeconds,
    ) -> usize {
        let keys: Vec<String> = self
            .grants
            .values()
            .filter(|g| g.revoked.is_none() && which(g))
            .map(|g| g.key.clone())
            .collect();
        keys.iter().filter(|k| self.revoke_at(k, reason, now)).count()
    }

    /// Every grant still remembered, in order of issue.
    pub fn all(&self) -> Vec<&Grant> {
        let mut all: Vec<&Grant> = self.grants.values().collect();
        all.sort_by_key(|g| g.seq);
        all
    }

    /// The key of the grant issued as number `seq`, if it is still remembered.
    pub fn key_of_seq(&self, seq: u64) -> Option<&str> {
        self.grants
            .values()
            .find(|g| g.seq == seq)
            .map(|g| g.key.as_str())
    }

    /// Forgets grants whose refresh token has expired, and revoked grants [`REVOKED_MEMORY`]
    /// after their revocation (until then a revoked token keeps answering "revoked").
    pub fn purge(&mut self, now: UnixSeconds) {
        let before = self.grants.len();
        let expired: Vec<Grant> = self
            .grants
            .values()
            .filter(|g| now >= g.expires_at)
            .cloned()
            .collect();
        for g in &expired {
            self.grants.remove(&g.key);
            if g.revoked.is_none() {
                self.unindex(g);
            }
        }
        let grants = &self.grants;
        self.revoked_order.retain(|k| {
            grants.get(k).is_some_and(|g| {
                g.revoked_at
                    .is_none_or(|at| now < at.saturating_add(REVOKED_MEMORY))
            })
        });
        let remembered: std::collections::HashSet<&String> = self.revoked_order.iter().collect();
        let forgotten: Vec<String> = grants
            .values()
            .filter(|g| g.revoked.is_some() && !remembered.contains(&g.key))
            .map(|g| g.key.clone())
            .collect();
        for key in forgotten {
            self.grants.remove(&key);
        }
        self.changes += (before - self.grants.len()) as u64;
    }

    #[cfg(test)]
    /// Number of grants remembered (unrevoked and revoked).
    pub fn len(&self) -> usize {
        self.grants.len()
    }

    #[cfg(test)]
    /// Whether no grant is remembered.
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
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
                secret_bound: true,
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
        assert_eq!((book.live_count(250, 1, 10), book.limit_revocations()), (10, 0));
        issue(&mut book, "k10", 1, 10);
        assert_eq!((book.live_count(250, 1, 10), book.limit_revocations()), (10, 1));
        assert_eq!((book.live_count(250, 2, 10), book.live_count(251, 1, 10)), (1, 0));
        // Expired grants are not live (they expire at issue time + 100).
        assert_eq!(book.live_count(250, 1, 105), 5);
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
        assert!(book.revoke_at("k", RevokeReason::Client, 0));
        assert!(!book.revoke_at("k", RevokeReason::Client, 0));
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
        assert_eq!(book.revoke_family(family, RevokeReason::CodeReuse, 5), 1);
        assert!(book.find_live("b", 250, 5).is_err());
    }

    #[test]
    fn revoked_grants_are_forgotten_a_day_after_revocation() {
        let mut book = GrantBook::default();
        let s = scope();
        let year = 365 * 24 * 3_600;
        for (key, user) in [("k", 1), ("live", 2)] {
            let new = NewGrant {
                app_id: 250,
                user_id: user,
                tenant: "t",
                scope: &s,
                secret_bound: true,
            };
            book.issue(key.into(), new, 0, year);
        }
        assert!(book.revoke_at("k", RevokeReason::Client, 10));
        book.purge(10 + REVOKED_MEMORY - 1);
        assert_eq!(
            book.find_live("k", 250, 10).err(),
            Some(GrantError::Revoked(RevokeReason::Client))
        );
        book.purge(10 + REVOKED_MEMORY);
        assert_eq!(book.find_live("k", 250, 10).err(), Some(GrantError::Unknown));
        assert_eq!(book.len(), 1);
        // The unrevoked grant is kept until its token expires.
        assert!(book.find_live("live", 250, year - 1).is_ok());
        book.purge(year);
        assert!(book.is_empty());
    }

    #[test]
    fn revoked_grants_remembered_are_bounded() {
        let mut book = GrantBook::default();
        let s = scope();
        let total = MAX_REVOKED_REMEMBERED + 500;
        for i in 0..total {
            let new = NewGrant {
                app_id: 250,
                user_id: 1,
                tenant: "t",
                scope: &s,
                secret_bound: true,
            };
            book.issue(format!("k{i}"), new, 0, 1_000);
        }
        // Ten live, the rest revoked by the limit, of which only the newest are remembered.
        assert_eq!(book.len(), MAX_GRANTS_PER_APP_USER + MAX_REVOKED_REMEMBERED);
        assert_eq!(book.find_live("k0", 250, 0).err(), Some(GrantError::Unknown));
        let newest_revoked = format!("k{}", total - MAX_GRANTS_PER_APP_USER - 1);
        assert_eq!(
            book.find_live(&newest_revoked, 250, 0).err(),
            Some(GrantError::Revoked(RevokeReason::LimitExceeded))
        );
        for i in total - MAX_GRANTS_PER_APP_USER..total {
            assert!(book.find_live(&format!("k{i}"), 250, 0).is_ok(), "k{i}");
        }
    }

    #[test]
    fn a_loaded_book_rebuilds_its_indexes() {
        let mut book = GrantBook::default();
        let family = issue(&mut book, "a", 1, 0);
        for i in 0..9 {
            issue(&mut book, &format!("b{i}"), 1, 1);
        }
        assert!(book.revoke_at("b0", RevokeReason::User, 2));
        let json = serde_json::to_string(&book).expect("serialise");
        assert!(!json.contains("by_owner"), "{json}");
        let mut loaded: GrantBook = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(loaded.len(), 10);
        // Nine live: two more issues push out the oldest live grant ("a"), then "b1".
        issue(&mut loaded, "c0", 1, 3);
        assert!(loaded.find_live("a", 250, 3).is_ok());
        issue(&mut loaded, "c1", 1, 3);
        assert_eq!(
            loaded.find_live("a", 250, 3).err(),
            Some(GrantError::Revoked(RevokeReason::LimitExceeded))
        );
        issue(&mut loaded, "c2", 1, 3);
        assert!(loaded.find_live("b1", 250, 3).is_err());
        assert_eq!(loaded.revoke_family(family, RevokeReason::CodeReuse, 4), 0);
        assert_eq!(
            loaded.find_live("b0", 250, 3).err(),
            Some(GrantError::Revoked(RevokeReason::User))
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let mut book = GrantBook::default();
        issue(&mut book, "secretkey", 1, 0);
        let text = format!("{:?}", book.get("secretkey").expect("grant"));
        assert!(!text.contains("secretkey"), "{text}");
    }

    #[test]
    fn grants_from_older_state_files_keep_needing_the_secret() {
        let mut book = GrantBook::default();
        issue(&mut book, "k", 1, 0);
        let mut value = serde_json::to_value(&book).expect("serialises");
        let grant = value["grants"]["k"].as_object_mut().expect("the grant");
        assert_eq!(grant.remove("secret_bound"), Some(serde_json::json!(true)));
        let loaded: GrantBook = serde_json::from_value(value).expect("loads");
        assert!(loaded.get("k").expect("kept").secret_bound);
    }
}
