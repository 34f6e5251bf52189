//! Typed access to ilert's services (scope `service`) and incidents (scope `incident`), after
//! the OpenAPI schemas `Service`, `Incident`, `IncidentUpdate` and `TeamUserOption`: lists with
//! ilert's filters and `include` fields, create and update, an incident's `ETag` for
//! `If-Match`, `publish-info`, and private subscribers.
//!
//! As in [`crate::resources`], every type names the common fields, makes most optional and keeps
//! the rest in `extra`, so an unknown field never breaks a client and survives a
//! read-modify-write.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::{ApiClient, ApiRequest, ApiResponse};
use crate::error::Error;
use crate::resources::{IdRef, Page, TeamRef};

/// Path of the service collection.
pub(crate) const SERVICES_PATH: &str = "/api/services";
/// Path of the incident collection.
pub(crate) const INCIDENTS_PATH: &str = "/api/incidents";

/// A service (OpenAPI `Service` / `ServiceNoIncludes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Numeric id.
    pub id: i64,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Short name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// `OPERATIONAL`, `UNDER_MAINTENANCE`, `DEGRADED`, `PARTIAL_OUTAGE` or `MAJOR_OUTAGE`; open
    /// incidents set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether at most one incident may be open on it at a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_open_incident_only: Option<bool>,
    /// Whether status pages show its uptime history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_uptime_history: Option<bool>,
    /// Owning teams.
    #[serde(default)]
    pub teams: Vec<TeamRef>,
    /// With `include=subscribed`: whether the user is subscribed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribed: Option<bool>,
    /// With `include=uptime`: outages and uptime percentages (`ServiceUptime`), as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime: Option<Value>,
    /// With `include=incidents`: its latest open incidents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidents: Option<Vec<Incident>>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Service {
    /// The body that updates this service to its current field values (read-modify-write).
    pub fn to_update(&self) -> NewService {
        NewService {
            name: self.name.clone(),
            alias: self.alias.clone(),
            status: self.status.clone(),
            description: self.description.clone(),
            one_open_incident_only: self.one_open_incident_only,
            show_uptime_history: self.show_uptime_history,
            teams: self.teams.iter().map(|t| IdRef { id: t.id }).collect(),
            extra: Map::new(),
        }
    }
}

/// The body of a service create or update (OpenAPI `ServiceNoIncludes`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewService {
    /// Name (required).
    pub name: String,
    /// Short name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Status, e.g. `UNDER_MAINTENANCE`; left out, it stays as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether at most one incident may be open on it at a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_open_incident_only: Option<bool>,
    /// Whether status pages show its uptime history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_uptime_history: Option<bool>,
    /// Owning teams.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<IdRef>,
    /// Further ilert fields to send as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl NewService {
    /// A body with just the name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// A service an incident affects, and how (OpenAPI `Incident.affectedServices[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffectedService {
    /// The impact: a service status such as `DEGRADED` or `MAJOR_OUTAGE`.
    pub impact: String,
    /// The service (as answered, with its current status).
    pub service: Service,
}

/// One entry of an incident's history (OpenAPI `IncidentUpdate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentUpdate {
    /// Its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What was said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Who said it (`UserRel`), as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<Value>,
    /// The incident's status then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_status: Option<String>,
    /// Whether subscribers were told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_notification: Option<bool>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An incident (OpenAPI `Incident` / `IncidentNoIncludes` / `IncidentWithHistory`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    /// Numeric id.
    pub id: i64,
    /// Summary.
    #[serde(default)]
    pub summary: String,
    /// `INVESTIGATING`, `IDENTIFIED`, `MONITORING` or `RESOLVED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The latest message to subscribers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Whether subscribers are told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_notification: Option<bool>,
    /// The services it affects.
    #[serde(default)]
    pub affected_services: Vec<AffectedService>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Update time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When it was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_on: Option<String>,
    /// With `include=subscribed`: whether the user is subscribed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribed: Option<bool>,
    /// With `include=affectedTeams`: the teams of its services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_teams: Option<Vec<TeamRef>>,
    /// With `include=history`: every create and update, oldest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<IncidentUpdate>>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An affected service in a request: the service's id and the impact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    /// The impact, e.g. `DEGRADED`.
    pub impact: String,
    /// The service.
    pub service: IdRef,
}

/// The body of an incident create or update (OpenAPI `IncidentNoIncludes`); on an update,
/// what is left out stays as it is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewIncident {
    /// Summary (required on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Status; ilert starts with `INVESTIGATING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The message to subscribers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Whether subscribers are told (ilert: yes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_notification: Option<bool>,
    /// The services it affects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_services: Option<Vec<Impact>>,
    /// Further ilert fields to send as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl NewIncident {
    /// A new incident with its summary.
    pub fn new(summary: impl Into<String>) -> Self {
        Self {
            summary: Some(summary.into()),
            ..Self::default()
        }
    }

    /// An update that changes the status and tells subscribers `message`.
    pub fn status(status: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status: Some(status.into()),
            message: Some(message.into()),
            ..Self::default()
        }
    }

    /// Adds an affected service with its impact.
    #[must_use]
    pub fn affecting(mut self, service_id: i64, impact: impl Into<String>) -> Self {
        self.affected_services.get_or_insert_with(Vec::new).push(Impact {
            impact: impact.into(),
            service: IdRef { id: service_id },
        });
        self
    }

    /// Sets the message to subscribers.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// A list of incidents: ilert's filters, optional fields and paging.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentQuery {
    /// Only these statuses (`states`).
    pub states: Vec<String>,
    /// Only incidents affecting one of these services (`services`).
    pub services: Vec<i64>,
    /// Reported at or after this ISO-8601 time (`from`).
    pub from: Option<String>,
    /// Reported at or before this ISO-8601 time (`until`).
    pub until: Option<String>,
    /// Optional fields (`include`): `subscribed`; ilert then pages at most 25.
    pub include: Vec<String>,
    /// Paging.
    pub page: Page,
}

impl IncidentQuery {
    /// Only incidents in `state`.
    #[must_use]
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.states.push(state.into());
        self
    }

    /// Only incidents affecting `service`.
    #[must_use]
    pub fn service(mut self, service: i64) -> Self {
        self.services.push(service);
        self
    }

    fn apply(&self, request: ApiRequest) -> ApiRequest {
        let request = request
            .query_each("states", &self.states)
            .query_each("services", &self.services)
            .query_each("from", &self.from)
            .query_each("until", &self.until)
            .query_each("include", &self.include);
        self.page.apply(request)
    }
}

/// An incident answer with the `ETag` that came with it.
fn versioned(response: &ApiResponse) -> Result<Versioned<Incident>, Error> {
    Ok(Versioned {
        entity: response.json()?,
        etag: response.etag().map(str::to_owned),
    })
}

/// A subscriber (OpenAPI `TeamUserOption`): a user or a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscriber {
    /// The user's or team's id.
    pub id: i64,
    /// Its name (answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `USER` or `TEAM`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl Subscriber {
    /// The user `id`.
    pub fn user(id: i64) -> Self {
        Self {
            id,
            name: None,
            kind: "USER".to_owned(),
        }
    }

    /// The team `id`.
    pub fn team(id: i64) -> Self {
        Self {
            id,
            name: None,
            kind: "TEAM".to_owned(),
        }
    }
}

/// What `publish-info` forecasts for an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishInfo {
    /// Private status pages that show an affected service.
    #[serde(default)]
    pub private_status_pages: u64,
    /// Public ones.
    #[serde(default)]
    pub public_status_pages: u64,
    /// Users the private subscribers reach.
    #[serde(default)]
    pub private_subscribers: u64,
    /// Public (email) subscribers.
    #[serde(default)]
    pub public_subscribers: u64,
    /// A status page it shows on (`UIMenuItem`: `id`, `label`), as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_pages_info: Option<Value>,
}

/// An incident and its version (`ETag`), for an update that must not overwrite a change made
/// meanwhile ([`ApiClient::update_incident_if_match`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    /// The entity.
    pub entity: T,
    /// Its `ETag`, if the server sent one.
    pub etag: Option<String>,
}

impl ApiClient {
    /// `GET /api/services` (scope `service`), with optional fields (`include`: `subscribed`,
    /// `uptime`, `incidents`; ilert then pages at most 25).
    pub async fn services(&self, page: Page, include: &[&str]) -> Result<Vec<Service>, Error> {
        let request = ApiRequest::get(SERVICES_PATH).query_each("include", include);
        self.fetch(page.apply(request)).await
    }

    /// `GET /api/services/{id}` (scope `service`), with optional fields.
    pub async fn service(&self, id: i64, include: &[&str]) -> Result<Service, Error> {
        let request = ApiRequest::get(format!("{SERVICES_PATH}/{id}")).query_each("include", include);
        self.fetch(request).await
    }

    /// `POST /api/services` (scope `service:w`).
    pub async fn create_service(&self, service: &NewService) -> Result<Service, Error> {
        self.post(SERVICES_PATH, service).await
    }

    /// `PUT /api/services/{id}` (scope `service:w`).
    pub async fn update_service(&self, id: i64, service: &NewService) -> Result<Service, Error> {
        self.put(&format!("{SERVICES_PATH}/{id}"), service).await
    }

    /// `DELETE /api/services/{id}` (scope `service:d`): 204.
    pub async fn delete_service(&self, id: i64) -> Result<(), Error> {
        self.delete(&format!("{SERVICES_PATH}/{id}")).await
    }

    /// `GET /api/services/{id}/private-subscribers` (scope `service`).
    pub async fn service_subscribers(&self, id: i64) -> Result<Vec<Subscriber>, Error> {
        self.get(&format!("{SERVICES_PATH}/{id}/private-subscribers"))
            .await
    }

    /// `PUT /api/services/{id}/private-subscribers` (scope `service:w`): replaces them.
    pub async fn set_service_subscribers(&self, id: i64, subscribers: &[Subscriber]) -> Result<(), Error> {
        let path = format!("{SERVICES_PATH}/{id}/private-subscribers");
        self.send(ApiRequest::put(path).json_of(subscribers)?)
            .await
            .map(drop)
    }

    /// `GET /api/incidents` (scope `incident`) with ilert's filters.
    pub async fn incidents(&self, query: &IncidentQuery) -> Result<Vec<Incident>, Error> {
        self.fetch(query.apply(ApiRequest::get(INCIDENTS_PATH))).await
    }

    /// `GET /api/incidents/{id}` (scope `incident`), with optional fields (`subscribed`,
    /// `affectedTeams`, `history`) and its `ETag`.
    pub async fn incident(&self, id: i64, include: &[&str]) -> Result<Versioned<Incident>, Error> {
        let request = ApiRequest::get(format!("{INCIDENTS_PATH}/{id}")).query_each("include", include);
        versioned(&self.send(request).await?)
    }

    /// `POST /api/incidents` (scope `incident:w`): the affected services take its impacts.
    pub async fn create_incident(&self, incident: &NewIncident) -> Result<Incident, Error> {
        self.post(INCIDENTS_PATH, incident).await
    }

    /// `PUT /api/incidents/{id}` (scope `incident:w`): appended to its history.
    pub async fn update_incident(&self, id: i64, update: &NewIncident) -> Result<Versioned<Incident>, Error> {
        self.update_incident_if_match(id, update, None).await
    }

    /// `PUT /api/incidents/{id}` with `If-Match: etag` (from [`ApiClient::incident`]): ilert
    /// refuses it with 412 ([`Error::Api`]) when the incident or one of its services changed
    /// since.
    pub async fn update_incident_if_match(
        &self,
        id: i64,
        update: &NewIncident,
        etag: Option<&str>,
    ) -> Result<Versioned<Incident>, Error> {
        let mut request = ApiRequest::put(format!("{INCIDENTS_PATH}/{id}")).json_of(update)?;
        if let Some(etag) = etag {
            request = request.header("If-Match", etag);
        }
        versioned(&self.send(request).await?)
    }

    /// `POST /api/incidents/publish-info` (scope `incident:w`): whom the incident would reach.
    pub async fn publish_info(&self, incident: &NewIncident) -> Result<PublishInfo, Error> {
        self.post(&format!("{INCIDENTS_PATH}/publish-info"), incident)
            .await
    }

    /// `GET /api/incidents/{id}/private-subscribers` (scope `incident`).
    pub async fn incident_subscribers(&self, id: i64) -> Result<Vec<Subscriber>, Error> {
        self.get(&format!("{INCIDENTS_PATH}/{id}/private-subscribers"))
            .await
    }

    /// `POST /api/incidents/{id}/private-subscribers` (scope `incident:w`): adds them.
    pub async fn add_incident_subscribers(&self, id: i64, subscribers: &[Subscriber]) -> Result<(), Error> {
        let path = format!("{INCIDENTS_PATH}/{id}/private-subscribers");
        self.send(ApiRequest::post(path).json_of(subscribers)?)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_incident_reads_with_its_services_and_history_and_keeps_unknown_fields() {
        let raw = json!({
            "id": 8411, "summary": "Checkout answers 503", "status": "IDENTIFIED",
            "message": "Found it", "sendNotification": true,
            "createdAt": "2026-11-28T09:20:00Z", "updatedAt": "2026-11-28T09:41:00Z",
            "affectedServices": [{"impact": "DEGRADED", "service": {"id": 8401, "name": "Checkout", "status": "DEGRADED", "teams": []}}],
            "history": [{"id": "1", "content": "Looking", "incidentStatus": "INVESTIGATING", "creator": {"id": 1}}],
            "etaLabel": "soon"
        });
        let incident: Incident = serde_json::from_value(raw.clone()).expect("parses");
        assert_eq!(
            incident.affected_services[0].service.status.as_deref(),
            Some("DEGRADED")
        );
        assert_eq!(incident.history.as_ref().map(Vec::len), Some(1));
        assert_eq!(incident.extra.get("etaLabel"), Some(&json!("soon")));
        assert_eq!(serde_json::to_value(&incident).expect("serialises"), raw);
    }

    #[test]
    fn bodies_send_only_what_is_set() {
        let new = NewIncident::new("Down")
            .affecting(8401, "MAJOR_OUTAGE")
            .with_message("Looking");
        assert_eq!(
            serde_json::to_value(&new).expect("serialises"),
            json!({"summary": "Down", "message": "Looking",
                   "affectedServices": [{"impact": "MAJOR_OUTAGE", "service": {"id": 8401}}]})
        );
        assert_eq!(
            serde_json::to_value(NewIncident::status("RESOLVED", "Fixed")).expect("serialises"),
            json!({"status": "RESOLVED", "message": "Fixed"})
        );
        assert_eq!(
            serde_json::to_value(NewService::new("Checkout")).expect("serialises"),
            json!({"name": "Checkout"})
        );
        assert_eq!(
            serde_json::to_value([Subscriber::user(7), Subscriber::team(9)]).expect("serialises"),
            json!([{"id": 7, "type": "USER"}, {"id": 9, "type": "TEAM"}])
        );
    }

    #[test]
    fn a_query_carries_ilerts_filters() {
        let query = IncidentQuery {
            include: vec!["subscribed".into()],
            from: Some("2026-11-01T00:00:00Z".into()),
            page: Page::new(0, 5),
            ..IncidentQuery::default()
        }
        .state("RESOLVED")
        .service(8401);
        let request = query.apply(ApiRequest::get(INCIDENTS_PATH));
        assert_eq!(
            format!("{request:?}").matches("include").count(),
            1,
            "{request:?}"
        );
        for part in [
            "states",
            "RESOLVED",
            "services",
            "8401",
            "from",
            "start-index",
            "max-results",
        ] {
            assert!(format!("{request:?}").contains(part), "{part}: {request:?}");
        }
    }
}
