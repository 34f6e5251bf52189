//! Admin operations on the running mock (behaviour.md §11): list and revoke grants as the user would in
//! ilert's UI, and add tenants, apps and users at run time (and remove apps and users again, so
//! a test that registered its own leaves the mock as it found it). Shared by the `/_mock`
//! handlers and the embedded Rust API ([`MockServer::admin`](crate::MockServer::admin)); this
//! module holds what those calls take and give ([`GrantFilter`], [`GrantInfo`], [`AdminError`]).

use serde::Serialize;

use crate::clock::UnixSeconds;
use crate::fixtures;
use crate::model::{App, Tenant, User};
use crate::protocol::grant::RevokeReason;
use crate::resources::group::Target;
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
    /// A bound of [`crate::Bounds`] is reached; the message names it and its flag.
    #[error("{0}")]
    Bound(String),
}

/// The refusal when `held` things of a kind reach `bound` (`flag`).
fn bound_reached(what: &str, held: usize, bound: usize, flag: &str) -> Result<(), AdminError> {
    if held >= bound {
        Err(AdminError::Bound(format!(
            "the mock holds {held} {what}, its bound ({flag} {bound}); nothing was added"
        )))
    } else {
        Ok(())
    }
}

/// Refuses a text longer than the bound or with control characters in it.
fn short_text(field: &str, value: &str, bounds: &crate::Bounds) -> Result<(), AdminError> {
    if value.len() > bounds.name_bytes {
        return Err(AdminError::Bound(format!(
            "{field}: {} bytes, longer than the bound (--max-name-bytes {})",
            value.len(),
            bounds.name_bytes
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(AdminError::Invalid(format!(
            "{field}: control characters are not allowed"
        )));
    }
    Ok(())
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
    /// tokens die; access tokens live on until they expire (behaviour.md §5).
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
    pub fn add_app(&mut self, app: App, bounds: &crate::Bounds) -> Result<(), AdminError> {
        bound_reached("apps", self.apps.len(), bounds.apps, "--max-apps")?;
        short_text("client_id", &app.client_id, bounds)?;
        short_text("name", &app.name, bounds)?;
        for uri in &app.redirect_uris {
            short_text("redirect_uris", uri, bounds)?;
        }
        if app.redirect_uris.len() > 100 {
            return Err(AdminError::Invalid("redirect_uris: at most 100".to_owned()));
        }
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
    pub fn add_user(&mut self, user: User, bounds: &crate::Bounds) -> Result<(), AdminError> {
        bound_reached("users", self.users.len(), bounds.users, "--max-users")?;
        for (field, value) in [
            ("username", user.username.as_str()),
            ("first_name", user.first_name.as_str()),
            ("last_name", user.last_name.as_str()),
            ("email", user.email.as_str()),
            ("timezone", user.timezone.as_str()),
            ("language", user.language.as_str()),
            ("region", user.region.as_str()),
            ("position", user.position.as_deref().unwrap_or_default()),
            ("department", user.department.as_deref().unwrap_or_default()),
        ] {
            short_text(field, value, bounds)?;
        }
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

    /// Adds a tenant at run time; its host `{id}.localhost` serves it at once (over TLS too).
    pub fn add_tenant(&mut self, tenant: Tenant, bounds: &crate::Bounds) -> Result<(), AdminError> {
        bound_reached("tenants", self.tenants.len(), bounds.tenants, "--max-tenants")?;
        // A host label (RFC 1123 §2.1) that is not a name of its own: all digits (`127`) would
        // read as part of an address, `localhost` is the mock's own host.
        if tenant.id.bytes().all(|b| b.is_ascii_digit()) || tenant.id.eq_ignore_ascii_case("localhost") {
            return Err(AdminError::Invalid(format!(
                "id: '{}' is not a tenant's host label (all digits reads as an address; localhost is the mock's own host)",
                tenant.id.escape_debug()
            )));
        }
        short_text("name", tenant.name.as_deref().unwrap_or_default(), bounds)?;
        short_text("short_id", &tenant.short_id, bounds)?;
        if !fixtures::is_dns_label(&tenant.id) {
            return Err(AdminError::Invalid(format!(
                "id: '{}' must be a DNS label (letters, digits, '-'): it is the first label of the tenant's host",
                tenant.id.escape_debug()
            )));
        }
        if crate::http::host::NOT_TENANTS.contains(&tenant.id.to_ascii_lowercase().as_str()) {
            return Err(AdminError::Invalid(format!(
                "id: '{}' names one of ilert's own hosts, not a tenant",
                tenant.id
            )));
        }
        if tenant.short_id.is_empty() {
            return Err(AdminError::Invalid(
                "short_id: must not be empty (access tokens carry it as il_n)".to_owned(),
            ));
        }
        if self.tenant(&tenant.id).is_some() {
            return Err(AdminError::Conflict(format!(
                "tenant '{}' exists (tenant ids are case-insensitive, like host names)",
                tenant.id
            )));
        }
        if self.tenant_by_short_id(&tenant.short_id).is_some() {
            return Err(AdminError::Conflict(format!(
                "short_id '{}' is taken",
                tenant.short_id
            )));
        }
        self.tenants.push(tenant);
        self.directory_changes += 1;
        Ok(())
    }

    /// Removes an app; its refresh grants are revoked (their tokens answer `invalid_grant`).
    /// Returns how many grants were revoked.
    pub fn remove_app(&mut self, client_id: &str, now: UnixSeconds) -> Result<usize, AdminError> {
        let Some(index) = self.apps.iter().position(|a| a.client_id == client_id) else {
            return Err(AdminError::NotFound(format!("no app '{client_id}'")));
        };
        let app = self.apps.remove(index);
        self.directory_changes += 1;
        Ok(self
            .grants
            .revoke_where(|g| g.app_id == app.id, RevokeReason::AppRemoved, now))
    }

    /// Removes a user; their refresh grants are revoked. Refused while an app auto-approves as
    /// the user (`protected` is the server's own `--auto-approve` user) or an escalation policy
    /// notifies them. Returns how many grants were revoked.
    pub fn remove_user(
        &mut self,
        username: &str,
        protected: Option<&str>,
        now: UnixSeconds,
    ) -> Result<usize, AdminError> {
        let Some(user) = self.user_by_name(username).cloned() else {
            return Err(AdminError::NotFound(format!("no user '{username}'")));
        };
        if protected == Some(username) {
            return Err(AdminError::Conflict(format!(
                "the mock approves every authorization as '{username}' (--auto-approve)"
            )));
        }
        if let Some(app) = self
            .apps
            .iter()
            .find(|a| a.auto_approve.as_deref() == Some(username))
        {
            return Err(AdminError::Conflict(format!(
                "app '{}' approves every authorization as '{username}'; remove or change the app first",
                app.client_id
            )));
        }
        // The REST resources' own rule (an escalation policy still naming the user refuses it);
        // the user's contacts and notification preferences go with the user.
        crate::resources::relations::release(self, &user.tenant, Target::Users, user.id).map_err(|e| {
            AdminError::Conflict(format!("'{username}' cannot be removed: {e}; change that first"))
        })?;
        self.users.retain(|u| u.id != user.id);
        self.directory_changes += 1;
        Ok(self
            .grants
            .revoke_where(|g| g.user_id == user.id, RevokeReason::UserRemoved, now))
    }
}
