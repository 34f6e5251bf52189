//! Typed helpers for the resources the mock emulates: the current user (scope `profile`),
//! alert sources (`source`) and escalation policies (`policy`), after ilert's OpenAPI schemas
//! `User`, `AlertSource` and `EscalationPolicy`.
//!
//! ilert's objects carry many fields and gain new ones; every type here names the common
//! fields, makes most optional, and keeps the rest in `extra`, so an unknown field never
//! breaks a client and survives a read-modify-write.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::{ApiClient, ApiRequest};
use crate::error::Error;

/// Path of the current user.
pub(crate) const CURRENT_USER_PATH: &str = "/api/users/current";
/// Path of the alert source collection.
pub(crate) const ALERT_SOURCES_PATH: &str = "/api/alert-sources";
/// Path of the escalation policy collection.
pub(crate) const ESCALATION_POLICIES_PATH: &str = "/api/escalation-policies";

/// An ilert user (OpenAPI `User`, plus `username`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Numeric id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Login name; use it (or the id), not the email, to recognise an account (ilert's advice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email address (not necessarily verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// IANA time zone, e.g. `Europe/Berlin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Job position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Avatar image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// `de` or `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Region code, e.g. `DE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Role: `ADMIN`, `USER`, `RESPONDER`, `STAKEHOLDER` or `GUEST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// ISO-8601 creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// ISO-8601 update time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A reference to another entity by id, as ilert's `*Rel` schemas send it (`{"id": 5}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRef {
    /// The id.
    pub id: i64,
}

/// A team an entity belongs to (OpenAPI `TeamRel`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamRef {
    /// Team id.
    pub id: i64,
    /// Team name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An escalation policy (OpenAPI `EscalationPolicy`), as listed or embedded in an alert source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EscalationPolicy {
    /// Numeric id.
    pub id: i64,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Every other field (`escalationRules`, `repeating`, `frequency`, …), as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An alert source (OpenAPI `AlertSource` / `AlertSourceNoIncludes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertSource {
    /// Numeric id.
    pub id: i64,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Integration type, e.g. `API`, `EMAIL2`, `PROMETHEUS`.
    #[serde(default)]
    pub integration_type: String,
    /// The key events are sent with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_key: Option<String>,
    /// The URL events are sent to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_url: Option<String>,
    /// The escalation policy alerts follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_policy: Option<EscalationPolicy>,
    /// `HIGH`, `LOW`, `HIGH_DURING_SUPPORT_HOURS` or `LOW_DURING_SUPPORT_HOURS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_priority_rule: Option<String>,
    /// How events become alerts, e.g. `ONE_ALERT_PER_EMAIL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_creation: Option<String>,
    /// Whether the source is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// `PENDING`, `ALL_ACCEPTED`, `ALL_RESOLVED`, `IN_MAINTENANCE` or `DISABLED` (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// ISO-8601 duration after which alerts resolve themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_resolution_timeout: Option<String>,
    /// Owning teams.
    #[serde(default)]
    pub teams: Vec<TeamRef>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Update time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AlertSource {
    /// The body that updates this source to its current field values (for read-modify-write).
    pub fn to_update(&self) -> NewAlertSource {
        NewAlertSource {
            name: self.name.clone(),
            integration_type: self.integration_type.clone(),
            escalation_policy: IdRef {
                id: self.escalation_policy.as_ref().map_or(0, |p| p.id),
            },
            alert_priority_rule: self.alert_priority_rule.clone(),
            alert_creation: self.alert_creation.clone(),
            active: self.active,
            auto_resolution_timeout: self.auto_resolution_timeout.clone(),
            extra: Map::new(),
        }
    }
}

/// The body of an alert source create or update (OpenAPI `AlertSourceRel`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAlertSource {
    /// Name (required).
    pub name: String,
    /// Integration type (required), e.g. `API`.
    pub integration_type: String,
    /// The escalation policy (required).
    pub escalation_policy: IdRef,
    /// Priority rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_priority_rule: Option<String>,
    /// Alert creation mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_creation: Option<String>,
    /// Whether the source is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// ISO-8601 duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_resolution_timeout: Option<String>,
    /// Further ilert fields to send as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl NewAlertSource {
    /// A body with the three required fields.
    pub fn new(
        name: impl Into<String>,
        integration_type: impl Into<String>,
        escalation_policy_id: i64,
    ) -> Self {
        Self {
            name: name.into(),
            integration_type: integration_type.into(),
            escalation_policy: IdRef {
                id: escalation_policy_id,
            },
            alert_priority_rule: None,
            alert_creation: None,
            active: None,
            auto_resolution_timeout: None,
            extra: Map::new(),
        }
    }
}

/// Paging of a list (`start-index`, `max-results`; ilert allows at most 50 per page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Page {
    /// The first entity, from 0.
    pub start_index: Option<u32>,
    /// How many entities at most.
    pub max_results: Option<u32>,
}

impl Page {
    /// A page of `max_results` starting at `start_index`.
    pub fn new(start_index: u32, max_results: u32) -> Self {
        Self {
            start_index: Some(start_index),
            max_results: Some(max_results),
        }
    }

    /// Adds `start-index` and `max-results` where set.
    pub(crate) fn apply(self, request: ApiRequest) -> ApiRequest {
        request
            .query_each("start-index", self.start_index)
            .query_each("max-results", self.max_results)
    }
}

/// A created entity and the `Location` ilert named for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Created<T> {
    /// The entity as ilert returned it.
    pub entity: T,
    /// The `Location` header.
    pub location: Option<String>,
}

/// A path segment, percent-encoded (integration keys are free text to this client).
fn segment(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

impl ApiClient {
    /// `GET /api/users/current` (scope `profile`).
    pub async fn current_user(&self) -> Result<User, Error> {
        self.get(CURRENT_USER_PATH).await
    }

    /// `GET /api/alert-sources` (scope `source`).
    pub async fn alert_sources(&self, page: Page) -> Result<Vec<AlertSource>, Error> {
        self.fetch(page.apply(ApiRequest::get(ALERT_SOURCES_PATH))).await
    }

    /// `GET /api/alert-sources/{id or integration key}` (scope `source`).
    pub async fn alert_source(&self, id_or_key: &str) -> Result<AlertSource, Error> {
        self.get(&format!("{ALERT_SOURCES_PATH}/{}", segment(id_or_key)))
            .await
    }

    /// `POST /api/alert-sources` (scope `source:w`): 201 with the source and its `Location`.
    pub async fn create_alert_source(&self, source: &NewAlertSource) -> Result<Created<AlertSource>, Error> {
        self.create(ALERT_SOURCES_PATH, source).await
    }

    /// `POST path` with `body`: the created entity and the `Location` named for it.
    pub(crate) async fn create<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Created<T>, Error> {
        let response = self.send(ApiRequest::post(path).json_of(body)?).await?;
        Ok(Created {
            entity: response.json()?,
            location: response.location().map(str::to_owned),
        })
    }

    /// `PUT /api/alert-sources/{id}` (scope `source:w`).
    pub async fn update_alert_source(&self, id: i64, source: &NewAlertSource) -> Result<AlertSource, Error> {
        self.put(&format!("{ALERT_SOURCES_PATH}/{id}"), source).await
    }

    /// `DELETE /api/alert-sources/{id}` (scope `source:d`): 204.
    pub async fn delete_alert_source(&self, id: i64) -> Result<(), Error> {
        self.delete(&format!("{ALERT_SOURCES_PATH}/{id}")).await
    }

    /// `GET /api/escalation-policies` (scope `policy`): an alert source needs one's id.
    pub async fn escalation_policies(&self, page: Page) -> Result<Vec<EscalationPolicy>, Error> {
        self.fetch(page.apply(ApiRequest::get(ESCALATION_POLICIES_PATH)))
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use axum::Json;
    use axum::extract::{Path, Query};
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use serde_json::json;

    use super::*;
    use crate::client::OAuthClient;
    use crate::config::Config;
    use crate::test_support::{T0, TestClock, stub};
    use crate::token_set::{Grant, TokenSet};
    use crate::types::AccessToken;

    #[test]
    fn reads_the_mocks_user_and_keeps_unknown_fields() {
        let user: User = serde_json::from_value(json!({
            "id": 1001, "username": "someUser", "firstName": "Some", "lastName": "User",
            "email": "some.user@example.com", "timezone": "Europe/Berlin", "language": "en",
            "region": "DE", "role": "ADMIN", "position": "SRE", "department": "Platform",
            "shiftColor": "#ff0000"
        }))
        .expect("parses");
        assert_eq!(user.username.as_deref(), Some("someUser"));
        assert_eq!(user.role.as_deref(), Some("ADMIN"));
        assert_eq!(user.extra.get("shiftColor"), Some(&json!("#ff0000")));
        let sparse: User = serde_json::from_value(json!({"email": "x@example.com"})).expect("parses");
        assert_eq!(sparse.id, None);
    }

    fn source_json(id: i64) -> serde_json::Value {
        json!({
            "id": id, "name": "Prod", "teams": [],
            "escalationPolicy": {"id": 2001, "name": "Default", "escalationRules": [], "repeating": false},
            "integrationType": "API", "integrationKey": "k1",
            "integrationUrl": "http://x/api/v1/events/api/k1",
            "alertCreation": "ONE_ALERT_PER_EMAIL", "status": "ALL_RESOLVED", "active": true,
            "alertPriorityRule": "HIGH", "bidirectional": false, "services": [],
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"
        })
    }

    #[test]
    fn reads_an_alert_source_and_round_trips_unknown_fields() {
        let s: AlertSource = serde_json::from_value(source_json(3001)).expect("parses");
        assert_eq!(s.escalation_policy.as_ref().map(|p| p.id), Some(2001));
        assert_eq!(s.extra.get("bidirectional"), Some(&json!(false)));
        let back = serde_json::to_value(&s).expect("serialises");
        assert_eq!(back, source_json(3001));
        let update = serde_json::to_value(s.to_update()).expect("serialises");
        assert_eq!(
            update,
            json!({"name":"Prod","integrationType":"API","escalationPolicy":{"id":2001},
                   "alertPriorityRule":"HIGH","alertCreation":"ONE_ALERT_PER_EMAIL","active":true})
        );
    }

    #[test]
    fn a_new_source_sends_only_what_is_set() {
        let body = serde_json::to_value(NewAlertSource::new("Prod", "API", 2001)).expect("serialises");
        assert_eq!(
            body,
            json!({"name":"Prod","integrationType":"API","escalationPolicy":{"id":2001}})
        );
    }

    #[tokio::test]
    async fn crud_helpers_use_ilerts_paths_and_statuses() {
        let router = axum::Router::new()
            .route(
                "/api/alert-sources",
                axum::routing::get(|Query(q): Query<HashMap<String, String>>| async move {
                    assert_eq!(q.get("start-index").map(String::as_str), Some("0"));
                    assert_eq!(q.get("max-results").map(String::as_str), Some("2"));
                    Json(json!([source_json(1), source_json(2)]))
                })
                .post(|Json(body): Json<serde_json::Value>| async move {
                    assert_eq!(body["escalationPolicy"]["id"], 2001);
                    (
                        StatusCode::CREATED,
                        [(header::LOCATION, "http://x/api/alert-sources/7")],
                        Json(source_json(7)),
                    )
                }),
            )
            .route(
                "/api/alert-sources/{id}",
                axum::routing::get(|Path(id): Path<String>| async move {
                    assert_eq!(id, "key with/slash");
                    Json(source_json(7))
                })
                .put(|Path(id): Path<i64>| async move { Json(source_json(id)) })
                .delete(|| async { StatusCode::NO_CONTENT.into_response() }),
            );
        let base = stub(router).await;
        let config = Config::builder("id", "http://localhost:4597/authorize-result")
            .api_url(&base)
            .build()
            .expect("config");
        let tokens = TokenSet {
            access_token: AccessToken::new("a"),
            token_type: "Bearer".into(),
            expires_at: T0 + 3600,
            scope: "source:d".into(),
            refresh_token: None,
            refresh_expires_at: None,
            obtained_at: T0,
            obtained_by: Grant::AuthorizationCode,
        };
        let oauth = OAuthClient::new(config)
            .expect("client")
            .with_clock(TestClock::new());
        let api = ApiClient::with_tokens(oauth, tokens);
        let list = api.alert_sources(Page::new(0, 2)).await.expect("lists");
        assert_eq!(list.iter().map(|s| s.id).collect::<Vec<_>>(), vec![1, 2]);
        let created = api
            .create_alert_source(&NewAlertSource::new("Prod", "API", 2001))
            .await
            .expect("creates");
        assert_eq!(created.entity.id, 7);
        assert_eq!(created.location.as_deref(), Some("http://x/api/alert-sources/7"));
        assert_eq!(api.alert_source("key with/slash").await.expect("gets").id, 7);
        let updated = api
            .update_alert_source(9, &created.entity.to_update())
            .await
            .expect("updates");
        assert_eq!(updated.id, 9);
        api.delete_alert_source(9).await.expect("deletes");
    }
}
