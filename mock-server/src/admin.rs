//! Admin operations on the running mock (SPEC §11): list and revoke grants as the user would in
//! ilert's UI, and add apps and users at run time. Shared by the `/_mock` handlers and the
//! embedded Rust API.

use serde::Serialize;

use crate::clock::UnixSeconds;
use crate::fixtures;
use crate::model::{App, User};
use crate::protocol::grant::RevokeReason;
use crate::state::MockState;

/// A refresh grant as the admin surface shows it (never its key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantInfo {
    /// Grant id (order of issue).
    pub id: u64,
    /// Code lineage: rotation keeps it.
    pub family: u64,
    /// App id.
    pub app_id: i64,
    /// App client id.
    pub client_id: String,
    /// Username.
    pub username: String,
    /// Tenant id.
    pub tenant: String,
    /// Granted scope.
    pub scope: String,
    /// Issue time.
    pub issued_at: UnixSeconds,
    /// Refresh token expiry.
    pub expires_at: UnixSeconds,
    /// Why it was revoked, if it was.
    pub revoked: Option<RevokeReason>,
}

/// Which grants to list: all, or those of one app and/or one user.
///
/// ```
/// use ilert_mock::GrantFilter;
/// let of_the_guide_app_for_some_user = GrantFilter::app("0501439fd7dee9af0c25").user("someUser");
/// # let _ = (of_the_guide_app_for_some_user, GrantFilter::all());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantFilter {
    pub(crate) app: Option<String>,
    pub(crate) user: Option<String>,
}

impl GrantFilter {
    /// Every grant.
    pub fn all() -> Self {
        Self::default()
    }

    /// The grants of one app, named by client id (or numeric id).
    pub fn app(app: impl Into<String>) -> Self {
        Self {
            app: Some(app.into()),
            user: None,
        }
    }

    /// Only those of the user `username`.
    #[must_use]
    pub fn user(mut self, username: impl Into<String>) -> Self {
        self.user = Some(username.into());
        self
    }
}

/// Why an admin change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// The entity is invalid.
    #[error("{0}")]
    Invalid(String),
    /// Its id, client id or username is taken.
    #[error("{0}")]
    Conflict(String),
    /// No such entity.
    #[error("{0}")]
    NotFound(String),
}

impl MockState {
    /// The grants `filter` selects, in order of issue.
    pub fn grant_infos(&self, filter: &GrantFilter) -> Vec<GrantInfo> {
        let (app, user) = (filter.app.as_deref(), filter.user.as_deref());
        self.grants
            .all()
            .into_iter()
            .filter_map(|g| {
                let a = self.apps.iter().find(|a| a.id == g.app_id)?;
                let u = self.user(g.user_id)?;
                let app_ok = app.is_none_or(|x| x == a.client_id || x == a.id.to_string());
                let user_ok = user.is_none_or(|x| x == u.username);
                (app_ok && user_ok).then(|| GrantInfo {
                    id: g.seq,
                    family: g.family,
                    app_id: a.id,
                    client_id: a.client_id.clone(),
                    username: u.username.clone(),
                    tenant: g.tenant.clone(),
                    scope: g.scope.clone(),
                    issued_at: g.issued_at,
                    expires_at: g.expires_at,
                    revoked: g.revoked,
                })
            })
            .collect()
    }

    /// Revokes every live grant of `app` for `user`, as the user does in ilert's UI. Refresh
    /// tokens die; access tokens live on until they expire (SPEC §5).
    pub fn revoke_app_for_user(
        &mut self,
        app: &str,
        user: &str,
        now: UnixSeconds,
    ) -> Result<usize, AdminError> {
        let infos = self.grant_infos(&GrantFilter::app(app).user(user));
        if !self
            .apps
            .iter()
            .any(|a| a.client_id == app || a.id.to_string() == app)
        {
            return Err(AdminError::NotFound(format!("no app '{app}'")));
        }
        if self.user_by_name(user).is_none() {
            return Err(AdminError::NotFound(format!("no user '{user}'")));
        }
        Ok(infos
            .iter()
            .filter(|g| g.revoked.is_none() && self.revoke_grant_id(g.id, now))
            .count())
    }

    /// Revokes the grant with this id as its user; false when unknown or already revoked.
    pub fn revoke_grant_id(&mut self, id: u64, now: UnixSeconds) -> bool {
        let key = self.grants.key_of_seq(id).map(str::to_owned);
        key.is_some_and(|k| self.grants.revoke_at(&k, RevokeReason::User, now))
    }

    /// Registers an app at run time, checked like a fixture app.
    pub fn add_app(&mut self, app: App) -> Result<(), AdminError> {
        fixtures::validate_app(&app, |name| self.user_by_name(name).is_some())
            .map_err(AdminError::Invalid)?;
        if self.apps.iter().any(|a| a.id == app.id) {
            return Err(AdminError::Conflict(format!("app id {} is taken", app.id)));
        }
        if self.app(&app.client_id).is_some() {
            return Err(AdminError::Conflict(format!(
                "client_id '{}' is taken",
                app.client_id
            )));
        }
        self.apps.push(app);
        self.directory_changes += 1;
        Ok(())
    }

    /// Adds a user at run time to an existing tenant.
    pub fn add_user(&mut self, user: User) -> Result<(), AdminError> {
        if self.tenant(&user.tenant).is_none_or(|t| t.id != user.tenant) {
            return Err(AdminError::Invalid(format!(
                "tenant '{}' does not exist",
                user.tenant
            )));
        }
        if user.username.is_empty() {
            return Err(AdminError::Invalid("username must not be empty".to_owned()));
        }
        if self.user(user.id).is_some() {
            return Err(AdminError::Conflict(format!("user id {} is taken", user.id)));
        }
        if self.user_by_name(&user.username).is_some() {
            return Err(AdminError::Conflict(format!(
                "username '{}' is taken",
                user.username
            )));
        }
        self.users.push(user);
        self.directory_changes += 1;
        Ok(())
    }
}
