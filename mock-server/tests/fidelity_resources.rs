//! ilert's own clients against the mock's resources: where iLert/ilert-go (commit 549c4adb) and
//! iLert/terraform-provider-ilert (commit d8da1ef2) disagree with ilert's OpenAPI document, the
//! mock answers as the clients expect (each test names the client line), and it is as strict as
//! ilert where ilert calls, texts or serves what a client sends. The table is
//! `mock-server/docs/reconciliation-resources.md`.

use reqwest::Method;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

use super::common::*;

/// Every scope at its highest level.
const ALL: &str = "profile:w source:d policy:d schedule:d monitor:d action:d connector:d maintenance:d report:d template:d service:d status_page:d team:d user:d alert:d incident:d metric:d metric_source:d support_hour:d";

struct Api {
    server: ilert_mock::MockServer,
    token: String,
}

impl Api {
    async fn start() -> Self {
        let server = frozen_server().await;
        let token = access_token(&server, ALL).await;
        Self { server, token }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let (status, headers, body) =
            api_call(&self.server, method, path, &self.token, body.as_ref(), &[]).await;
        (status.as_u16(), headers, body)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, _, body) = self.call(Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// A request that must be refused with `status` in ilert's REST shape; its message.
    async fn refused(&self, method: Method, path: &str, body: Option<Value>, status: u16) -> String {
        let (got, _, answer) = self.call(method, path, body).await;
        assert_rest_error(
            reqwest::StatusCode::from_u16(got).expect("status"),
            &answer,
            status,
        );
        answer["message"].as_str().unwrap_or_default().to_owned()
    }
}

/// The creates ilert-go expects 201 from where the document says 200, with the client line.
const CREATED: &[(&str, &str, &str)] = &[
    (
        "/api/alert-actions",
        r#"{"name": "Paged action", "connectorType": "jira", "connectorId": "9202", "alertSources": [{"id": 3001}], "triggerMode": "MANUAL"}"#,
        "alert_action.go:425",
    ),
    (
        "/api/connectors",
        r#"{"name": "Paged connector", "type": "discord", "params": {"url": "https://discord.example.com/hook"}}"#,
        "connector.go:238",
    ),
    (
        "/api/deployment-pipelines",
        r#"{"name": "Paged pipeline", "integrationType": "API"}"#,
        "deployment_pipeline.go:143",
    ),
    (
        "/api/incident-templates",
        r#"{"name": "Paged template", "summary": "Paging", "status": "INVESTIGATING"}"#,
        "incident_template.go:46",
    ),
    (
        "/api/metrics",
        r#"{"name": "Paged metric", "aggregationType": "AVG", "displayType": "GRAPH", "dataSource": {"id": 9301}, "metadata": {"query": "up"}}"#,
        "metric.go:104",
    ),
    (
        "/api/metric-data-sources",
        r#"{"name": "Paged data source", "type": "PROMETHEUS", "metadata": {"url": "https://prometheus.example.com", "authType": "NONE"}}"#,
        "metric_data_source.go:91",
    ),
    (
        "/api/services",
        r#"{"name": "Paged service", "description": "Pages"}"#,
        "service.go:113",
    ),
    (
        "/api/status-pages",
        r#"{"name": "Paged page", "subdomain": "paged.ilert.io", "visibility": "PUBLIC", "services": [{"id": 8403}]}"#,
        "status_page.go:169",
    ),
    (
        "/api/teams",
        r#"{"name": "Paged team", "visibility": "PUBLIC", "members": [{"user": {"id": 1001}, "role": "ADMIN"}]}"#,
        "team.go:96",
    ),
];

#[tokio::test]
async fn creates_answer_201_where_ilert_go_expects_it() {
    let api = Api::start().await;
    for (path, body, line) in CREATED {
        let body: Value = serde_json::from_str(body).expect("json");
        let (status, headers, created) = api.call(Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, 201, "POST {path} (ilert-go {line}): {created}");
        let id = created["id"].clone();
        let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
        let location = headers[LOCATION].to_str().expect("ascii");
        assert!(location.ends_with(&format!("{path}/{id}")), "{location}");
        let read = api.get(&format!("{path}/{id}")).await;
        assert_eq!(read["name"], body["name"], "{path}: the created entity is kept");
    }
    // ilert-go expects the document's 200 for incidents (incident.go:132).
    let incident =
        json!({"summary": "Paged", "affectedServices": [{"impact": "DEGRADED", "service": {"id": 8403}}]});
    let (status, _, body) = api.call(Method::POST, "/api/incidents", Some(incident)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn subscriber_additions_answer_202_with_the_subscribers() {
    let api = Api::start().await;
    // service.go:387, status_page.go:486: PUT sets them, 202 and the list (ilert-go unmarshals
    // the answer as []Subscriber).
    for path in [
        "/api/services/8402/private-subscribers",
        "/api/status-pages/8421/private-subscribers",
    ] {
        let set = json!([{"id": 1002, "name": "", "type": "USER"}]);
        let (status, _, body) = api.call(Method::PUT, path, Some(set)).await;
        assert_eq!(status, 202, "PUT {path}: {body}");
        assert_eq!(
            body,
            json!([{"id": 1002, "name": "Chris Example", "type": "USER"}]),
            "{path}"
        );
        assert_eq!(api.get(path).await, body);
    }
    // status_page.go:439/443: ilert-go's AddStatusPageSubscriber POSTs an array; the document's
    // single TeamUserOption works too.
    let path = "/api/status-pages/8421/private-subscribers";
    let (status, _, body) = api
        .call(
            Method::POST,
            path,
            Some(json!([{"id": 1001, "name": "", "type": "USER"}])),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(ids(&body), vec![1002, 1001]);
    let (status, _, body) = api
        .call(Method::POST, path, Some(json!({"id": 8001, "type": "TEAM"})))
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(ids(&body), vec![1002, 1001, 8001]);
    api.refused(Method::POST, path, Some(json!([{"id": 424242}])), 400)
        .await;
    // incident.go:398.
    let path = "/api/incidents/8411/private-subscribers";
    let (status, _, body) = api
        .call(Method::POST, path, Some(json!([{"id": 1002, "type": "USER"}])))
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(ids(&body), vec![1001, 1002]);
    // A removal keeps the document's 204.
    let (status, _, body) = api
        .call(
            Method::DELETE,
            "/api/status-pages/8421/private-subscribers/1001?subscriber-type=USER",
            None,
        )
        .await;
    assert_eq!((status, body), (204, Value::Null));
}
