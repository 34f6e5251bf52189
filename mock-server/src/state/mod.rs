//! The store: everything the mock remembers, behind one lock.
//!
//! [`SharedState`] wraps [`MockState`] in a single mutex. Every flow (issue a code, exchange it, refresh,
//! revoke, a resource call) takes the lock once, runs the protocol rules from [`crate::protocol`]
//! on plain data, and returns plain data. Nothing awaits while holding the lock, and tokens are
//! signed after it is released, so RSA signing never serialises the server.

use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use crate::clock::UnixSeconds;
use crate::fixtures::Fixtures;
use crate::model::{App, Tenant, User};
mod durable;

use durable::Log;

use crate::persist::{PersistedRef, StateFile};
use crate::protocol::authorize::ValidRequest;
use crate::protocol::client_auth::{self, Credentials};
use crate::protocol::code::{CODE_LIFETIME, CodeBook, CodeGrant, CodeUse, RedeemError, Redemption};
use crate::protocol::error::OAuthError;
use crate::protocol::grant::{GrantBook, NewGrant, RevokeReason};
use crate::protocol::scope::ScopeSet;
use crate::protocol::token_request::TokenRequest;
use crate::resources::EntityStore;
use crate::resources::group::{Group, World};
use crate::token::{AccessClaims, Issuance, Keys, REFRESH_TOKEN_LIFETIME, RefreshClaims, TokenError};

/// The mock's mutable state.
#[derive(Debug)]
pub struct MockState {
    /// Tenants.
    pub tenants: Vec<Tenant>,
    /// Users.
    pub users: Vec<User>,
    /// Apps.
    pub apps: Vec<App>,
    /// Authorization codes.
    pub codes: CodeBook,
    /// Refresh grants.
    pub grants: GrantBook,
    /// Every emulated REST resource of every tenant (alert sources, policies, alerts, …).
    pub resources: EntityStore,
    /// Apps or users added at run time (a counter, for persistence).
    pub directory_changes: u64,
    /// The user `--auto-approve` names (set by the server): no API call may remove them.
    pub auto_approve: Option<String>,
    /// The REST store's byte budget (`resources::budget`).
    pub budget: crate::resources::budget::Budget,
    /// Entities embedded in list pages, rendered once while nothing changes.
    pub shared_texts: crate::resources::group::SharedTexts,
    rng: StdRng,
}

/// The shared store.
#[derive(Debug)]
pub struct SharedState {
    state: Mutex<MockState>,
    file: Option<StateFile>,
    /// What the state file holds; locked only while `state` is.
    log: Mutex<Log>,
}

impl SharedState {
    /// A store seeded from fixtures; `seed` makes codes and refresh keys reproducible.
    pub fn new(fixtures: &Fixtures, seed: Option<u64>) -> Self {
        Self {
            state: Mutex::new(MockState::new(fixtures, seed)),
            file: None,
            log: Mutex::new(Log::default()),
        }
    }

    /// Runs `f` with the state locked; keep `f` short and free of I/O. With a state file, a
    /// change made by `f` is on disk before what it made is answered: inside
    /// [`SharedState::answer_when_durable`] the answer waits for it, elsewhere this call does.
    pub fn with<R>(&self, f: impl FnOnce(&mut MockState) -> R) -> R {
        let (result, job) = {
            let mut state = self.state.lock();
            let result = f(&mut state);
            let job = self
                .file
                .as_ref()
                .and_then(|file| self.log_change(&mut state, file));
            (result, job)
        };
        if let Some(job) = job {
            self.wait_or_defer(job);
        }
        result
    }
}

impl World for MockState {
    fn resources(&self) -> &EntityStore {
        &self.resources
    }

    fn resources_mut(&mut self) -> &mut EntityStore {
        &mut self.resources
    }

    fn users(&self) -> &[User] {
        &self.users
    }

    fn users_mut(&mut self) -> &mut Vec<User> {
        self.directory_changes += 1;
        &mut self.users
    }

    fn random_hex(&mut self, n: usize) -> String {
        MockState::random_hex(self, n)
    }

    fn groups(&self) -> &'static [&'static Group] {
        crate::resources::registry::GROUPS
    }

    fn collection(&self, name: &str) -> Option<&'static crate::resources::group::Collection> {
        crate::resources::registry::collection(name)
    }

    fn shared_texts(&self) -> Option<(&crate::resources::group::SharedTexts, u64)> {
        Some((&self.shared_texts, self.directory_generation()))
    }

    fn protected_user(&self, username: &str) -> Option<String> {
        if self.auto_approve.as_deref() == Some(username) {
            return Some(format!(
                "the mock approves every authorization as '{username}' (--auto-approve)"
            ));
        }
        self.apps
            .iter()
            .find(|a| a.auto_approve.as_deref() == Some(username))
            .map(|app| {
                format!(
                    "app '{}' approves every authorization as '{username}'",
                    app.client_id
                )
            })
    }
}

impl MockState {
    /// Admits a write of `body` bytes to the REST store against `bound` (`--max-store-bytes`),
    /// or refuses it (507) without changing anything (`resources::budget`).
    pub fn admit_write(&mut self, body: usize, bound: usize) -> Result<(), crate::resources::ResourceError> {
        let changes = self.resources.changes() + self.directory_changes;
        let mut budget = std::mem::take(&mut self.budget);
        let admitted = budget.admit(body, bound, changes, || self.stored_bytes());
        self.budget = budget;
        admitted
    }

    /// The exact JSON bytes of every resource of every tenant and every user: a packed
    /// resource's read off its text, the others' counted as they are written out.
    fn stored_bytes(&self) -> usize {
        use crate::resources::group::World as _;
        let mut bytes = 0;
        for tenant in &self.tenants {
            for group in self.groups() {
                for collection in group.collections {
                    for (_, entry) in self.resources.entries(&tenant.id, collection.name) {
                        bytes += entry.json_len();
                    }
                }
            }
        }
        bytes
            + self
                .users
                .iter()
                .map(|u| serde_json::to_vec(u).map_or(0, |v| v.len()))
                .sum::<usize>()
    }

    /// State seeded from fixtures (validated when they were loaded, so seeding cannot fail;
    /// should it, the error is logged and the rest of the state still starts).
    pub fn new(fixtures: &Fixtures, seed: Option<u64>) -> Self {
        let mut state = Self {
            tenants: fixtures.tenants.clone(),
            users: fixtures.users.clone(),
            apps: fixtures.apps.clone(),
            codes: CodeBook::default(),
            grants: GrantBook::default(),
            resources: EntityStore::with_specs(crate::resources::index::spec),
            directory_changes: 0,
            auto_approve: None,
            budget: Default::default(),
            shared_texts: Default::default(),
            rng: seed.map_or_else(StdRng::from_os_rng, StdRng::seed_from_u64),
        };
        if let Err(err) = crate::resources::seed::populate(&mut state, fixtures.seed_input()) {
            tracing::error!("fixtures: {err}");
        }
        state
    }

    /// A number that grows with every change of the directory (tenants, apps, users) and of
    /// the refresh grants: the state file writes them whole when it changed.
    pub fn directory_generation(&self) -> u64 {
        self.grants.changes() + self.directory_changes
    }

    /// The part of the state a `--state-file` keeps, borrowed.
    pub fn persisted_ref(&self) -> PersistedRef<'_> {
        PersistedRef {
            tenants: &self.tenants,
            apps: &self.apps,
            users: &self.users,
            grants: &self.grants,
            resources: &self.resources,
        }
    }

    /// `n` random bytes as lowercase hex.
    pub fn random_hex(&mut self, n: usize) -> String {
        let mut bytes = vec![0u8; n];
        self.rng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    }

    /// The app with this client id.
    pub fn app(&self, client_id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    /// The user with this id.
    pub fn user(&self, id: i64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The user with this username.
    pub fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// The tenant with this id; host names are case-insensitive, so the match is too.
    pub fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id.eq_ignore_ascii_case(id))
    }

    /// The tenant with this short id (`il_n`).
    pub fn tenant_by_short_id(&self, short_id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.short_id == short_id)
    }

    /// The user an access token acts for and their tenant: `None` when the user is gone or no
    /// longer of the token's tenant, so the API (401) and token info (`active: false`) agree.
    pub fn token_user(&self, claims: &AccessClaims) -> Option<(&User, &Tenant)> {
        let tenant = self.tenant_by_short_id(&claims.il_n)?;
        let user = self
            .user_by_name(&claims.il_u)
            .filter(|u| u.tenant == tenant.id)?;
        Some((user, tenant))
    }

    /// The users who may approve on this tenant host (all users when there is none).
    pub fn users_of(&self, tenant: Option<&str>) -> Vec<&User> {
        self.users
            .iter()
            .filter(|u| tenant.is_none_or(|t| u.tenant.eq_ignore_ascii_case(t)))
            .collect()
    }

    /// Issues an authorization code for a validated request approved by `username`.
    ///
    /// On a tenant host only that tenant's users may approve.
    pub fn issue_code(
        &mut self,
        request: &ValidRequest,
        username: &str,
        tenant_host: Option<&str>,
        now: UnixSeconds,
    ) -> Result<String, OAuthError> {
        let user = self
            .user_by_name(username)
            .filter(|u| tenant_host.is_none_or(|t| u.tenant.eq_ignore_ascii_case(t)))
            .ok_or_else(|| {
                OAuthError::invalid_request(format!("user '{username}' cannot approve on this account"))
            })?;
        let grant = CodeGrant {
            app_id: request.app_id,
            redirect_uri: request.redirect_uri.clone(),
            user_id: user.id,
            tenant: user.tenant.clone(),
            scope: request.scope.clone(),
            challenge: request.challenge.clone(),
            expires_at: now.saturating_add(CODE_LIFETIME),
        };
        // ilert's example codes are 28 lowercase hex characters.
        let code = self.random_hex(14);
        self.codes.issue(code.clone(), grant);
        Ok(code)
    }

    /// The authenticated app, and whether the request carried its secret.
    fn authenticate(&self, creds: &Credentials) -> Result<(App, bool), OAuthError> {
        let client = client_auth::authenticate(creds, self.app(&creds.client_id))?;
        Ok((client.app.clone(), client.with_secret))
    }

    fn access_claims(
        &self,
        user_id: i64,
        app_id: i64,
        scope: &str,
        now: UnixSeconds,
    ) -> Result<AccessClaims, OAuthError> {
        let user = self
            .user(user_id)
            .ok_or_else(|| OAuthError::invalid_grant("the user of this grant no longer exists"))?;
        let tenant = self
            .tenant(&user.tenant)
            .ok_or_else(|| OAuthError::invalid_grant("the account of this grant no longer exists"))?;
        Ok(AccessClaims::new(
            &tenant.short_id,
            app_id,
            scope,
            &user.username,
            now,
        ))
    }

    /// Runs a token request (behaviour.md §3): authenticates the client, then redeems the code or
    /// refreshes, and returns the claims to sign. One call under one lock: nothing about the
    /// client or the grant can change between the checks.
    pub fn grant(
        &mut self,
        request: &TokenRequest,
        keys: &Keys,
        now: UnixSeconds,
        code_use: CodeUse,
    ) -> Result<Issuance, OAuthError> {
        match request {
            TokenRequest::AuthorizationCode {
                client,
                code,
                redirect_uri,
                code_verifier,
            } => self.exchange_code(
                client,
                code.expose(),
                redirect_uri.as_deref(),
                code_verifier.as_ref().map(|v| v.expose()),
                now,
                code_use,
            ),
            TokenRequest::RefreshToken {
                client,
                refresh_token,
                scope,
            } => {
                // Authenticate first, so a bad client learns nothing about the token.
                self.authenticate(client)?;
                let claims = keys
                    .verify_refresh(refresh_token.expose(), now)
                    .map_err(refresh_token_refused)?;
                self.refresh(client, &claims, scope.as_deref(), now)
            }
        }
    }

    /// `grant_type=authorization_code` (behaviour.md §3).
    fn exchange_code(
        &mut self,
        creds: &Credentials,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        now: UnixSeconds,
        usage: CodeUse,
    ) -> Result<Issuance, OAuthError> {
        let (app, with_secret) = self.authenticate(creds)?;
        let redemption = Redemption {
            app_id: app.id,
            redirect_uri,
            code_verifier,
            with_secret,
        };
        let granted = match self.codes.redeem(code, redemption, now, usage) {
            Ok(granted) => granted,
            Err(RedeemError::Reused { family }) => {
                // RFC 6749 §4.1.2 / RFC 9700 §4.2.4: revoke what the first redemption produced.
                if let Some(family) = family {
                    self.grants.revoke_family(family, RevokeReason::CodeReuse, now);
                }
                return Err(RedeemError::Reused { family }.into());
            }
            Err(other) => return Err(other.into()),
        };
        let scope = granted.scope.to_string();
        let access = self.access_claims(granted.user_id, app.id, &scope, now)?;
        // behaviour.md §7 and ilert's PKCE guide: a refresh token when the request sent the secret, or
        // when the authorization asked for offline_access ("per default for PKCE-only clients no
        // refresh token will be issued, unless the additional offline access scope is requested").
        let wants_refresh = with_secret || granted.scope.has_offline_access();
        let (refresh, refresh_expires_in) = if wants_refresh {
            let key = self.random_hex(16);
            let expires_at = now.saturating_add(REFRESH_TOKEN_LIFETIME);
            let new = NewGrant {
                app_id: app.id,
                user_id: granted.user_id,
                tenant: &granted.tenant,
                scope: &granted.scope,
                secret_bound: with_secret,
            };
            let family = self.grants.issue(key.clone(), new, now, expires_at);
            self.codes.attach_family(code, family);
            (
                Some(RefreshClaims::new(&key, expires_at)),
                Some(REFRESH_TOKEN_LIFETIME),
            )
        } else {
            (None, None)
        };
        Ok(Issuance {
            access,
            refresh,
            refresh_expires_in,
        })
    }

    /// `grant_type=refresh_token` (behaviour.md §3, §9). `claims` come from a verified refresh token.
    fn refresh(
        &mut self,
        creds: &Credentials,
        claims: &RefreshClaims,
        scope: Option<&str>,
        now: UnixSeconds,
    ) -> Result<Issuance, OAuthError> {
        let (app, with_secret) = self.authenticate(creds)?;
        // The mock's choice (behaviour.md §3): a grant whose code was redeemed with the secret keeps
        // needing it; one redeemed without it (PKCE) refreshes with `client_id` alone. Checked
        // before the grant's state, so a caller without the secret learns nothing about it.
        let bound = self
            .grants
            .get(&claims.il_k)
            .is_some_and(|g| g.app_id == app.id && g.secret_bound && app.client_secret.is_some());
        if bound && !with_secret {
            return Err(client_auth::secret_bound_grant());
        }
        let grant = self
            .grants
            .find_live(&claims.il_k, app.id, now)
            .map_err(|e| OAuthError::invalid_grant(e.to_string()))?
            .clone();
        let granted = ScopeSet::parse(&grant.scope)
            .map_err(|_| OAuthError::invalid_grant("the grant's scope is invalid"))?;
        let scope = match scope {
            None => granted,
            // RFC 6749 §6: a refresh may ask for a subset of the original scopes.
            Some(requested) => {
                let requested = ScopeSet::parse(requested)?;
                if !requested.is_subset_of(&granted) {
                    return Err(OAuthError::invalid_scope(
                        "the requested scope exceeds the scope originally granted",
                    ));
                }
                requested
            }
        };
        let access = self.access_claims(grant.user_id, app.id, &scope.to_string(), now)?;
        let refresh = if app.rotate_refresh_tokens {
            let key = self.random_hex(16);
            let expires_at = now.saturating_add(REFRESH_TOKEN_LIFETIME);
            self.grants
                .rotate(&grant.key, key.clone(), now, expires_at)
                .ok_or_else(|| {
                    OAuthError::new(crate::protocol::error::ErrorCode::ServerError, "rotation failed")
                })?;
            RefreshClaims::new(&key, expires_at)
        } else {
            // behaviour.md §9: without rotation the same refresh token comes back and stays valid.
            RefreshClaims::new(&grant.key, grant.expires_at)
        };
        let expires_in = refresh.exp.saturating_sub(now);
        Ok(Issuance {
            access,
            refresh: Some(refresh),
            refresh_expires_in: Some(expires_in),
        })
    }

    /// Revokes the refresh grant a client names (RFC 7009). A grant of another app is left alone
    /// (RFC 7009 §2.1); the answer is the same either way (§2.2).
    pub fn revoke_refresh(&mut self, key: &str, app_id: Option<i64>, now: UnixSeconds) -> bool {
        let owned = self
            .grants
            .get(key)
            .is_some_and(|g| app_id.is_none_or(|id| g.app_id == id));
        owned && self.grants.revoke_at(key, RevokeReason::Client, now)
    }

    /// Authenticates optional client credentials sent to `/revoke`.
    pub fn authenticate_optional(&self, creds: Option<&Credentials>) -> Result<Option<i64>, OAuthError> {
        creds
            .map(|c| self.authenticate(c).map(|(app, _)| app.id))
            .transpose()
    }

    /// Drops expired codes and grants.
    pub fn purge(&mut self, now: UnixSeconds) {
        self.codes.purge(now);
        self.grants.purge(now);
    }
}

/// A refresh token that does not verify: `invalid_grant` (behaviour.md §8), saying why.
fn refresh_token_refused(error: TokenError) -> OAuthError {
    OAuthError::invalid_grant(match error {
        TokenError::Expired => "Provided refresh token has expired",
        TokenError::WrongType => "Provided token is not a refresh token",
        _ => "Provided refresh token is invalid",
    })
}
