//! [`Admin`]: the directory of a running server (apps, users, tenants) and its refresh grants,
//! as `/_mock/apps`, `/_mock/users`, `/_mock/tenants` and `/_mock/grants` change them.
//!
//! These calls are grouped behind [`MockServer::admin`](super::MockServer::admin), beside
//! `journal()`, `faults()` and `clock()`, so that `MockServer` itself keeps to what every test
//! needs (start, addresses, approve, reset).

use crate::admin::{AdminError, GrantFilter, GrantInfo};
use crate::http::Ctx;
use crate::model::{App, Tenant, User};

/// The directory and grants of one server, borrowed from it by [`MockServer::admin`](super::MockServer::admin).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = ilert_mock::MockServer::start().await;
/// let admin = server.admin();
/// let app = admin.app("0501439fd7dee9af0c25").expect("the guide's example app");
/// assert_eq!(app.id, 250);
/// assert!(admin.grants(&ilert_mock::GrantFilter::all()).is_empty());
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Admin<'a> {
    ctx: &'a Ctx,
}

impl<'a> Admin<'a> {
    pub(super) fn new(ctx: &'a Ctx) -> Self {
        Self { ctx }
    }

    /// The app registered under `client_id`, with its secret (development credentials).
    pub fn app(&self, client_id: &str) -> Option<App> {
        self.ctx.store.with(|s| s.app(client_id).cloned())
    }

    /// Every registered app.
    pub fn apps(&self) -> Vec<App> {
        self.ctx.store.with(|s| s.apps.clone())
    }

    /// Every user (`GET /_mock/users`).
    pub fn users(&self) -> Vec<User> {
        self.ctx.store.with(|s| s.users.clone())
    }

    /// Every tenant (`GET /_mock/tenants`).
    pub fn tenants(&self) -> Vec<Tenant> {
        self.ctx.store.with(|s| s.tenants.clone())
    }

    /// Registers an app at run time.
    pub fn add_app(&self, app: App) -> Result<(), AdminError> {
        let bounds = &self.ctx.options.bounds;
        self.change("add_app", |s| s.add_app(app, bounds))
    }

    /// Adds a user at run time.
    pub fn add_user(&self, user: User) -> Result<(), AdminError> {
        let bounds = &self.ctx.options.bounds;
        self.change("add_user", |s| s.add_user(user, bounds))
    }

    /// Adds a tenant at run time (`POST /_mock/tenants`); `{id}.localhost` serves it at once.
    pub fn add_tenant(&self, tenant: Tenant) -> Result<(), AdminError> {
        let bounds = &self.ctx.options.bounds;
        self.change("add_tenant", |s| s.add_tenant(tenant, bounds))
    }

    /// Removes an app (`DELETE /_mock/apps/{client_id}`); returns how many of its refresh
    /// grants were revoked.
    pub fn remove_app(&self, client_id: &str) -> Result<usize, AdminError> {
        let now = self.ctx.clock.now();
        self.change("remove_app", |s| s.remove_app(client_id, now))
    }

    /// Removes a user (`DELETE /_mock/users/{username}`); returns how many of their refresh
    /// grants were revoked.
    pub fn remove_user(&self, username: &str) -> Result<usize, AdminError> {
        let now = self.ctx.clock.now();
        let protected = self.ctx.options.auto_approve.as_deref();
        self.change("remove_user", |s| s.remove_user(username, protected, now))
    }

    /// The refresh grants `filter` selects (`GrantFilter::all()`,
    /// `GrantFilter::app(client_id).user(username)`), in order of issue.
    pub fn grants(&self, filter: &GrantFilter) -> Vec<GrantInfo> {
        self.ctx.store.with(|s| s.grant_infos(filter))
    }

    /// Revokes every grant of `app` (client id) for `user`, as the user would in ilert's UI.
    pub fn revoke_grants(&self, app: &str, user: &str) -> Result<usize, AdminError> {
        let now = self.ctx.clock.now();
        self.change("revoke_grants", |s| s.revoke_app_for_user(app, user, now))
    }

    /// Applies a change to the directory or the grants, then announces it as `what`, whether it
    /// succeeded or not.
    fn change<T>(&self, what: &str, change: impl FnOnce(&mut crate::state::MockState) -> T) -> T {
        let outcome = self.ctx.store.with(change);
        super::changed(self.ctx, what);
        outcome
    }
}
