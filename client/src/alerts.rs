//! Typed access to alerts (scope `alert`): list with ilert's filters and paging, count, read one,
//! accept and resolve, after ilert's OpenAPI schema `Alert`. Like the other resource types, an
//! [`Alert`] names the common fields and keeps every other one in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::{ApiClient, ApiRequest};
use crate::error::Error;
use crate::resources::{AlertSource, Page};

/// Path of the alert collection.
pub(crate) const ALERTS_PATH: &str = "/api/alerts";

/// An alert (OpenAPI `Alert`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Numeric id.
    pub id: i64,
    /// One line saying what happened.
    #[serde(default)]
    pub summary: String,
    /// `PENDING`, `ACCEPTED` or `RESOLVED`.
    #[serde(default)]
    pub status: String,
    /// `HIGH` or `LOW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// The key events group alerts by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_key: Option<String>,
    /// Longer text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// ISO-8601 time the alert was opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_time: Option<String>,
    /// ISO-8601 time it was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_on: Option<String>,
    /// The alert source it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_source: Option<AlertSource>,
    /// The user or policy it is assigned to (as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<Value>,
    /// Every other field (`responders`, `escalationPolicy`, `images`, `links`, …), as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The documented filters of `GET /api/alerts` and `GET /api/alerts/count`; each list may hold
/// several values (sent as repeated parameters), an empty one does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertQuery {
    /// `PENDING`, `ACCEPTED`, `RESOLVED`.
    pub states: Vec<String>,
    /// Alert source ids.
    pub sources: Vec<i64>,
    /// Escalation policy ids.
    pub policies: Vec<i64>,
    /// Responders, by username or id.
    pub responders: Vec<String>,
    /// Opened at or after this ISO-8601 date-time.
    pub from: Option<String>,
    /// Opened before this ISO-8601 date-time.
    pub until: Option<String>,
    /// Paging (list only).
    pub page: Page,
}

impl AlertQuery {
    /// Only alerts in `state`s (`AlertQuery::states(["PENDING", "ACCEPTED"])`).
    pub fn states<I: IntoIterator<Item = S>, S: Into<String>>(states: I) -> Self {
        Self {
            states: states.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    fn apply(&self, request: ApiRequest, paged: bool) -> ApiRequest {
        let request = request
            .query_each("states", &self.states)
            .query_each("sources", &self.sources)
            .query_each("policies", &self.policies)
            .query_each("responders", &self.responders)
            .query_each("from", &self.from)
            .query_each("until", &self.until);
        if paged { self.page.apply(request) } else { request }
    }
}

#[derive(Deserialize)]
struct Count {
    count: u64,
}

impl ApiClient {
    /// `GET /api/alerts` with `query`'s filters (scope `alert`).
    pub async fn alerts(&self, query: &AlertQuery) -> Result<Vec<Alert>, Error> {
        self.fetch(query.apply(ApiRequest::get(ALERTS_PATH), true)).await
    }

    /// `GET /api/alerts/count` with `query`'s filters (scope `alert`).
    pub async fn alert_count(&self, query: &AlertQuery) -> Result<u64, Error> {
        let request = query.apply(ApiRequest::get(format!("{ALERTS_PATH}/count")), false);
        Ok(self.fetch::<Count>(request).await?.count)
    }

    /// `GET /api/alerts/{id}` (scope `alert`).
    pub async fn alert(&self, id: i64) -> Result<Alert, Error> {
        self.get(&format!("{ALERTS_PATH}/{id}")).await
    }

    /// `PUT /api/alerts/{id}/accept` (scope `alert:w`): the alert, now `ACCEPTED`.
    pub async fn accept_alert(&self, id: i64) -> Result<Alert, Error> {
        self.fetch(ApiRequest::put(format!("{ALERTS_PATH}/{id}/accept")))
            .await
    }

    /// `PUT /api/alerts/{id}/resolve` (scope `alert:w`): the alert, now `RESOLVED`.
    pub async fn resolve_alert(&self, id: i64) -> Result<Alert, Error> {
        self.fetch(ApiRequest::put(format!("{ALERTS_PATH}/{id}/resolve")))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_an_alert_and_keeps_unknown_fields() {
        let a: Alert = serde_json::from_value(json!({
            "id": 5001, "summary": "Checkout 503", "status": "PENDING", "priority": "HIGH",
            "alertKey": "web/checkout-503", "reportTime": "2027-01-15T08:00:00Z",
            "alertSource": {"id": 3001, "name": "Website monitoring", "integrationType": "API"},
            "responders": [{"user": {"id": 1001}, "status": "PENDING"}]
        }))
        .expect("parses");
        assert_eq!(a.alert_source.as_ref().map(|s| s.id), Some(3001));
        assert_eq!(a.priority.as_deref(), Some("HIGH"));
        assert!(a.extra.contains_key("responders"));
    }

    #[test]
    fn filters_become_repeated_parameters() {
        let q = AlertQuery {
            sources: vec![3001, 3002],
            from: Some("2027-01-01T00:00:00Z".into()),
            page: Page::new(0, 10),
            ..AlertQuery::states(["PENDING", "ACCEPTED"])
        };
        let r = q.apply(ApiRequest::get(ALERTS_PATH), true);
        let query: Vec<(&str, &str)> = r.query_pairs().collect();
        assert_eq!(
            query,
            [
                ("states", "PENDING"),
                ("states", "ACCEPTED"),
                ("sources", "3001"),
                ("sources", "3002"),
                ("from", "2027-01-01T00:00:00Z"),
                ("start-index", "0"),
                ("max-results", "10"),
            ]
        );
        let counted = q.apply(ApiRequest::get(ALERTS_PATH), false);
        assert_eq!(counted.query_pairs().count(), 5, "count takes no paging");
    }
}
