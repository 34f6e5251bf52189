//! The emulated REST resources: escalation policies and alert sources, per tenant.
//!
//! Field names, types and statuses follow ilert's OpenAPI description (schemas
//! `EscalationPolicy`, `AlertSource`, `AlertSourceNoIncludes`): list 200, create 201 with
//! `Location`, update 200, delete 204. Rules here are plain functions over plain types; the
//! handlers in `http::api` only parse and render.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::UnixSeconds;
use crate::model::{AlertSource, EscalationPolicy, EscalationRule, User};

/// Allowed `alertPriorityRule` values (OpenAPI `AlertPriorityRule`).
pub const PRIORITY_RULES: &[&str] = &[
    "HIGH",
    "LOW",
    "HIGH_DURING_SUPPORT_HOURS",
    "LOW_DURING_SUPPORT_HOURS",
];

/// Allowed `alertCreation` values (OpenAPI `AlertSource.alertCreation`).
pub const ALERT_CREATIONS: &[&str] = &[
    "ONE_ALERT_PER_EMAIL",
    "ONE_ALERT_PER_EMAIL_SUBJECT",
    "ONE_PENDING_ALERT_ALLOWED",
    "ONE_OPEN_ALERT_ALLOWED",
    "OPEN_RESOLVE_ON_EXTRACTION",
    "ONE_ALERT_GROUPED_PER_WINDOW",
    "INTELLIGENT_GROUPING",
];

/// `max-results` cap for alert source lists (OpenAPI: maximum 50).
pub const MAX_RESULTS: usize = 50;

/// Why a resource request failed; rendered in ilert's REST error shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// No such entity in the caller's tenant (404).
    #[error("{0}")]
    NotFound(String),
    /// The body or a parameter is invalid (400).
    #[error("{0}")]
    BadRequest(String),
    /// The entity is still referenced (409).
    #[error("{0}")]
    Conflict(String),
}

impl ResourceError {
    /// HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::BadRequest(_) => 400,
            Self::Conflict(_) => 409,
        }
    }

    /// ilert-style error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadRequest(_) => "BAD_REQUEST",
            Self::Conflict(_) => "CONFLICT",
        }
    }
}

/// A reference to another entity by id, as ilert's `*Rel` schemas send it.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct IdRef {
    /// The id.
    pub id: i64,
}

/// Body of an alert source create or update (OpenAPI `AlertSourceRel`; unknown fields ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertSourceInput {
    /// Name (required, non-empty).
    pub name: String,
    /// Integration type (required), e.g. `API`.
    pub integration_type: String,
    /// The escalation policy, `{"id": …}` (required).
    pub escalation_policy: IdRef,
    /// Priority rule.
    #[serde(default)]
    pub alert_priority_rule: Option<String>,
    /// Alert creation mode.
    #[serde(default)]
    pub alert_creation: Option<String>,
    /// Whether the source is active.
    #[serde(default)]
    pub active: Option<bool>,
    /// ISO-8601 duration.
    #[serde(default)]
    pub auto_resolution_timeout: Option<String>,
}

/// One level of an escalation policy in a request body.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EscalationRuleInput {
    /// Minutes before escalating.
    pub escalation_timeout: i64,
    /// Users notified, `[{"id": …}]`.
    #[serde(default)]
    pub users: Vec<IdRef>,
    /// Deprecated single user, still accepted.
    #[serde(default)]
    pub user: Option<IdRef>,
}

/// Body of an escalation policy create or update (OpenAPI `EscalationPolicy`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EscalationPolicyInput {
    /// Name (required, non-empty).
    pub name: String,
    /// Levels (required, at least one).
    pub escalation_rules: Vec<EscalationRuleInput>,
    /// Whether escalation repeats.
    #[serde(default)]
    pub repeating: Option<bool>,
    /// 1 to 9.
    #[serde(default)]
    pub frequency: Option<i64>,
    /// 0 to 15.
    #[serde(default)]
    pub delay_min: Option<i64>,
    /// Optional routing key.
    #[serde(default)]
    pub routing_key: Option<String>,
}

/// Checks the ranges of a policy and that every user it names exists (in its tenant).
pub fn check_policy_fields(p: &EscalationPolicy, user_exists: impl Fn(i64) -> bool) -> Result<(), String> {
    if p.name.trim().is_empty() {
        return Err("name must not be empty".to_owned());
    }
    if p.rules.is_empty() {
        return Err("escalationRules must have at least one level".to_owned());
    }
    if !(1..=9).contains(&p.frequency) {
        return Err("frequency must be between 1 and 9".to_owned());
    }
    if !(0..=15).contains(&p.delay_min) {
        return Err("delayMin must be between 0 and 15".to_owned());
    }
    for rule in &p.rules {
        if rule.escalation_timeout < 0 {
            return Err("escalationTimeout must not be negative".to_owned());
        }
        if let Some(id) = rule.users.iter().find(|id| !user_exists(**id)) {
            return Err(format!("user {id} does not exist"));
        }
    }
    Ok(())
}

/// Checks the enumerated fields of an alert source.
pub fn check_source_fields(s: &AlertSource) -> Result<(), String> {
    if s.name.trim().is_empty() {
        return Err("name must not be empty".to_owned());
    }
    if s.integration_type.trim().is_empty() {
        return Err("integrationType must not be empty".to_owned());
    }
    if !PRIORITY_RULES.contains(&s.alert_priority_rule.as_str()) {
        return Err(format!(
            "alertPriorityRule must be one of {}",
            PRIORITY_RULES.join(", ")
        ));
    }
    if !ALERT_CREATIONS.contains(&s.alert_creation.as_str()) {
        return Err(format!(
            "alertCreation must be one of {}",
            ALERT_CREATIONS.join(", ")
        ));
    }
    Ok(())
}

/// Escalation policies and alert sources of all tenants.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Resources {
    policies: BTreeMap<i64, EscalationPolicy>,
    sources: BTreeMap<i64, AlertSource>,
    /// Bumped on every change, so the store knows when to persist.
    #[serde(skip)]
    changes: u64,
}

/// How an alert source is rendered: in a list (`AlertSourceNoIncludes`) or alone (`AlertSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceView {
    /// List item.
    List,
    /// Single entity.
    Full,
}

impl Resources {
    /// Seeds the store; entities without timestamps get `now`.
    pub fn new(policies: &[EscalationPolicy], sources: &[AlertSource], now: UnixSeconds) -> Self {
        let sources = sources
            .iter()
            .cloned()
            .map(|mut s| {
                s.created_at.get_or_insert(now);
                s.updated_at = Some(s.updated_at.or(s.created_at).unwrap_or(now));
                (s.id, s)
            })
            .collect();
        Self {
            policies: policies.iter().cloned().map(|p| (p.id, p)).collect(),
            sources,
            changes: 0,
        }
    }

    /// How many changes were made (a counter, for persistence).
    pub fn changes(&self) -> u64 {
        self.changes
    }

    fn next_id(&self) -> i64 {
        let max_policy = self.policies.keys().next_back().copied().unwrap_or(0);
        let max_source = self.sources.keys().next_back().copied().unwrap_or(0);
        max_policy.max(max_source).max(10_000) + 1
    }

    /// The tenant's policy `id`.
    pub fn policy(&self, tenant: &str, id: i64) -> Result<&EscalationPolicy, ResourceError> {
        self.policies
            .get(&id)
            .filter(|p| p.tenant == tenant)
            .ok_or_else(|| ResourceError::NotFound(format!("escalation policy {id} not found")))
    }

    /// The tenant's policies, by id, paged.
    pub fn policies(&self, tenant: &str, start: usize, max: usize) -> Vec<&EscalationPolicy> {
        self.policies
            .values()
            .filter(|p| p.tenant == tenant)
            .skip(start)
            .take(max)
            .collect()
    }

    fn policy_from_input(
        &self,
        tenant: &str,
        id: i64,
        input: EscalationPolicyInput,
        user_exists: impl Fn(i64) -> bool,
    ) -> Result<EscalationPolicy, ResourceError> {
        let rules = input
            .escalation_rules
            .into_iter()
            .map(|r| EscalationRule {
                escalation_timeout: r.escalation_timeout,
                users: r.users.iter().chain(r.user.iter()).map(|u| u.id).collect(),
            })
            .collect();
        let policy = EscalationPolicy {
            id,
            tenant: tenant.to_owned(),
            name: input.name,
            rules,
            repeating: input.repeating.unwrap_or(false),
            frequency: input.frequency.unwrap_or(1),
            delay_min: input.delay_min.unwrap_or(0),
            routing_key: input.routing_key,
        };
        check_policy_fields(&policy, user_exists).map_err(ResourceError::BadRequest)?;
        Ok(policy)
    }

    /// Creates a policy in the tenant.
    pub fn create_policy(
        &mut self,
        tenant: &str,
        input: EscalationPolicyInput,
        user_exists: impl Fn(i64) -> bool,
    ) -> Result<&EscalationPolicy, ResourceError> {
        let id = self.next_id();
        let policy = self.policy_from_input(tenant, id, input, user_exists)?;
        self.changes += 1;
        Ok(self.policies.entry(id).or_insert(policy))
    }

    /// Replaces the tenant's policy `id`.
    pub fn update_policy(
        &mut self,
        tenant: &str,
        id: i64,
        input: EscalationPolicyInput,
        user_exists: impl Fn(i64) -> bool,
    ) -> Result<&EscalationPolicy, ResourceError> {
        self.policy(tenant, id)?;
        let policy = self.policy_from_input(tenant, id, input, user_exists)?;
        self.changes += 1;
        self.policies.insert(id, policy);
        self.policy(tenant, id)
    }

    /// Deletes the tenant's policy `id`, unless an alert source still uses it.
    pub fn delete_policy(&mut self, tenant: &str, id: i64) -> Result<(), ResourceError> {
        self.policy(tenant, id)?;
        if let Some(s) = self.sources.values().find(|s| s.escalation_policy == id) {
            return Err(ResourceError::Conflict(format!(
                "escalation policy {id} is still used by alert source {}",
                s.id
            )));
        }
        self.policies.remove(&id);
        self.changes += 1;
        Ok(())
    }

    /// The tenant's alert source by numeric id or integration key.
    pub fn source(&self, tenant: &str, id_or_key: &str) -> Result<&AlertSource, ResourceError> {
        let found = match id_or_key.parse::<i64>() {
            Ok(id) => self.sources.get(&id),
            Err(_) => self.sources.values().find(|s| s.integration_key == id_or_key),
        };
        found
            .filter(|s| s.tenant == tenant)
            .ok_or_else(|| ResourceError::NotFound(format!("alert source '{id_or_key}' not found")))
    }

    /// The tenant's alert sources, by id, paged (`start-index`, `max-results`).
    pub fn sources(&self, tenant: &str, start: usize, max: usize) -> Vec<&AlertSource> {
        self.sources
            .values()
            .filter(|s| s.tenant == tenant)
            .skip(start)
            .take(max)
            .collect()
    }

    fn source_from_input(
        &self,
        tenant: &str,
        id: i64,
        integration_key: String,
        created_at: UnixSeconds,
        input: AlertSourceInput,
        now: UnixSeconds,
    ) -> Result<AlertSource, ResourceError> {
        self.policy(tenant, input.escalation_policy.id).map_err(|_| {
            ResourceError::BadRequest(format!(
                "escalation policy {} does not exist",
                input.escalation_policy.id
            ))
        })?;
        let source = AlertSource {
            id,
            tenant: tenant.to_owned(),
            name: input.name,
            integration_type: input.integration_type,
            integration_key,
            escalation_policy: input.escalation_policy.id,
            alert_priority_rule: input.alert_priority_rule.unwrap_or_else(|| "HIGH".to_owned()),
            alert_creation: input
                .alert_creation
                .unwrap_or_else(|| "ONE_ALERT_PER_EMAIL".to_owned()),
            active: input.active.unwrap_or(true),
            auto_resolution_timeout: input.auto_resolution_timeout,
            created_at: Some(created_at),
            updated_at: Some(now),
        };
        check_source_fields(&source).map_err(ResourceError::BadRequest)?;
        Ok(source)
    }

    /// Creates an alert source with a fresh id and the given integration key.
    pub fn create_source(
        &mut self,
        tenant: &str,
        input: AlertSourceInput,
        integration_key: String,
        now: UnixSeconds,
    ) -> Result<&AlertSource, ResourceError> {
        let id = self.next_id();
        let source = self.source_from_input(tenant, id, integration_key, now, input, now)?;
        self.changes += 1;
        Ok(self.sources.entry(id).or_insert(source))
    }

    /// Replaces the editable fields of the tenant's alert source `id`.
    pub fn update_source(
        &mut self,
        tenant: &str,
        id: i64,
        input: AlertSourceInput,
        now: UnixSeconds,
    ) -> Result<&AlertSource, ResourceError> {
        let existing = self.source(tenant, &id.to_string())?;
        let (key, created) = (
            existing.integration_key.clone(),
            existing.created_at.unwrap_or(now),
        );
        let source = self.source_from_input(tenant, id, key, created, input, now)?;
        self.changes += 1;
        self.sources.insert(id, source);
        self.source(tenant, &id.to_string())
    }

    /// Deletes the tenant's alert source `id`.
    pub fn delete_source(&mut self, tenant: &str, id: i64) -> Result<(), ResourceError> {
        self.source(tenant, &id.to_string())?;
        self.sources.remove(&id);
        self.changes += 1;
        Ok(())
    }

    /// Renders a policy as ilert's `EscalationPolicy` JSON.
    pub fn render_policy<'u>(p: &EscalationPolicy, user: impl Fn(i64) -> Option<&'u User>) -> Value {
        let rules: Vec<Value> = p
            .rules
            .iter()
            .map(|r| {
                let users: Vec<Value> = r
                    .users
                    .iter()
                    .map(|id| match user(*id) {
                        Some(u) => json!({"id": u.id, "firstName": u.first_name, "lastName": u.last_name}),
                        None => json!({"id": id}),
                    })
                    .collect();
                json!({"escalationTimeout": r.escalation_timeout, "users": users, "schedules": [], "teams": []})
            })
            .collect();
        let mut out = json!({
            "id": p.id,
            "name": p.name,
            "escalationRules": rules,
            "teams": [],
            "repeating": p.repeating,
            "frequency": p.frequency,
            "delayMin": p.delay_min,
        });
        if let (Some(key), Some(map)) = (&p.routing_key, out.as_object_mut()) {
            map.insert("routingKey".to_owned(), json!(key));
        }
        out
    }

    /// Renders an alert source as ilert's `AlertSource` (or, in lists, `AlertSourceNoIncludes`).
    pub fn render_source<'u>(
        &self,
        s: &AlertSource,
        view: SourceView,
        api_base: &str,
        user: impl Fn(i64) -> Option<&'u User>,
    ) -> Value {
        let policy = self.policies.get(&s.escalation_policy).map_or_else(
            || json!({"id": s.escalation_policy}),
            |p| Self::render_policy(p, user),
        );
        let mut out = json!({
            "id": s.id,
            "name": s.name,
            "teams": [],
            "escalationPolicy": policy,
            "integrationType": s.integration_type,
            "integrationKey": s.integration_key,
            "integrationUrl": format!("{api_base}/api/v1/events/{}/{}", s.integration_type.to_ascii_lowercase(), s.integration_key),
            "alertCreation": s.alert_creation,
            "status": if s.active { "ALL_RESOLVED" } else { "DISABLED" },
            "active": s.active,
            "alertPriorityRule": s.alert_priority_rule,
            "bidirectional": false,
            "services": [],
            "createdAt": iso8601(s.created_at.unwrap_or(0)),
            "updatedAt": iso8601(s.updated_at.or(s.created_at).unwrap_or(0)),
        });
        if let Some(map) = out.as_object_mut() {
            if let Some(timeout) = &s.auto_resolution_timeout {
                map.insert("autoResolutionTimeout".to_owned(), json!(timeout));
            }
            if view == SourceView::Full {
                map.insert("autoCreateServices".to_owned(), json!(false));
            }
        }
        out
    }
}

/// Unix seconds as ISO-8601 (`2026-11-28T12:00:00Z`).
pub fn iso8601(at: UnixSeconds) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;

    fn store() -> Resources {
        let f = Fixtures::embedded().expect("defaults");
        Resources::new(&f.escalation_policies, &f.alert_sources, 1_700_000_000)
    }

    fn input(name: &str, policy: i64) -> AlertSourceInput {
        serde_json::from_value(
            json!({"name": name, "integrationType": "API", "escalationPolicy": {"id": policy}}),
        )
        .expect("valid input")
    }

    #[test]
    fn tenants_do_not_see_each_others_sources() {
        let r = store();
        assert!(r.source("someTenant", "3001").is_ok());
        assert!(matches!(
            r.source("acme", "3001"),
            Err(ResourceError::NotFound(_))
        ));
        assert!(r.sources("acme", 0, 50).iter().all(|s| s.tenant == "acme"));
    }

    #[test]
    fn source_by_integration_key_and_paging() {
        let r = store();
        let by_key = r
            .source("someTenant", "il1api0a5cf3001e0c8d4f5b9a2e7c6d1f")
            .expect("by key");
        assert_eq!(by_key.id, 3001);
        assert_eq!(r.sources("someTenant", 1, 50).len(), 1);
        assert_eq!(r.sources("someTenant", 0, 1).len(), 1);
    }

    #[test]
    fn create_update_delete_cycle() {
        let mut r = store();
        let id = r
            .create_source("someTenant", input("New", 1501), "k1".into(), 10)
            .expect("created")
            .id;
        assert_eq!(
            r.update_source("someTenant", id, input("Renamed", 1502), 20)
                .expect("updated")
                .name,
            "Renamed"
        );
        assert_eq!(
            r.source("someTenant", &id.to_string())
                .expect("exists")
                .created_at,
            Some(10)
        );
        r.delete_source("someTenant", id).expect("deleted");
        assert!(r.source("someTenant", &id.to_string()).is_err());
    }

    #[test]
    fn create_checks_the_policy_and_enums() {
        let mut r = store();
        assert!(matches!(
            r.create_source("someTenant", input("x", 2501), "k".into(), 0),
            Err(ResourceError::BadRequest(_))
        ));
        let mut bad = input("x", 1501);
        bad.alert_priority_rule = Some("URGENT".into());
        assert!(matches!(
            r.create_source("someTenant", bad, "k".into(), 0),
            Err(ResourceError::BadRequest(_))
        ));
        assert!(matches!(
            r.create_source("someTenant", input(" ", 1501), "k".into(), 0),
            Err(ResourceError::BadRequest(_))
        ));
    }

    #[test]
    fn a_used_policy_cannot_be_deleted() {
        let mut r = store();
        assert!(matches!(
            r.delete_policy("someTenant", 1501),
            Err(ResourceError::Conflict(_))
        ));
        r.delete_source("someTenant", 3001).expect("deleted");
        r.delete_policy("someTenant", 1501).expect("now unused");
    }

    #[test]
    fn iso8601_formats_utc() {
        assert_eq!(iso8601(1_643_726_723), "2022-02-01T14:45:23Z");
    }
}
