//! Walks every operation of the mock's catalogue (`src/resources/ilert-openapi.json`, the facts
//! of ilert's OpenAPI document, which the drift check holds equal to the document) against the
//! mock and checks each answer against the operation's schema (with the `jsonschema` crate):
//! every GET answers 200 with a valid body; every collection with POST survives create → read →
//! update → delete → read 404; every other operation is called once and answers its documented
//! success with a valid body.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::common::{frozen_server, http, tokens};
use super::derive::catalogue;
use super::schema::Schemas;

/// Every scope of ilert's table at its highest level: the walk may call anything.
const ALL_SCOPES: &str = "profile:w source:d policy:d schedule:d monitor:d action:d connector:d maintenance:d report:d template:d service:d status_page:d team:d user:d alert:d incident:d metric:d metric_source:d support_hour:d";

/// The body a collection's POST (and, read back, its PUT) is walked with.
const CREATE_BODIES: &[(&str, &str)] = &[
    (
        "/users",
        r#"{"firstName": "Walk", "lastName": "Er", "email": "walker@example.com", "role": "RESPONDER"}"#,
    ),
    (
        "/users/{user-id}/contacts/emails",
        r#"{"target": "walker@example.com"}"#,
    ),
    (
        "/users/{user-id}/contacts/phone-numbers",
        r#"{"regionCode": "DE", "target": "+4930123456", "primary": false}"#,
    ),
    (
        "/users/{user-id}/notification-preferences/alerts",
        r#"{"method": "EMAIL", "contact": {"id": 7001}, "delayMin": 0, "type": "HIGH_PRIORITY"}"#,
    ),
    (
        "/users/{user-id}/notification-preferences/duties",
        r#"{"method": "EMAIL", "contact": {"id": 7001}, "beforeMin": 60, "type": "ON_CALL"}"#,
    ),
    (
        "/users/{user-id}/notification-preferences/updates",
        r#"{"method": "EMAIL", "contact": {"id": 7001}, "type": "ALERT_ACCEPTED"}"#,
    ),
    (
        "/users/{user-id}/notification-preferences/subscriptions",
        r#"{"method": "EMAIL", "contact": {"id": 7001}}"#,
    ),
    (
        "/alerts",
        r#"{"summary": "Walked alert", "alertSource": {"id": 3001}, "priority": "LOW"}"#,
    ),
    (
        "/alert-sources",
        r#"{"name": "Walked source", "integrationType": "PROMETHEUS", "escalationPolicy": {"id": 1501}}"#,
    ),
    (
        "/escalation-policies",
        r#"{"name": "Walked policy", "escalationRules": [{"escalationTimeout": 0, "users": [{"id": 1001}]}]}"#,
    ),
    (
        "/incident-templates",
        r#"{"name": "Walked template", "summary": "Walking", "status": "INVESTIGATING", "message": "A walk", "sendNotification": false}"#,
    ),
    (
        "/services",
        r#"{"name": "Walked service", "description": "Walks", "status": "OPERATIONAL"}"#,
    ),
    (
        "/incidents",
        r#"{"summary": "Walked incident", "status": "INVESTIGATING", "message": "Walking", "affectedServices": [{"impact": "DEGRADED", "service": {"id": 8403}}]}"#,
    ),
    (
        "/status-pages",
        r#"{"name": "Walked page", "subdomain": "walked.ilert.io", "visibility": "PUBLIC", "services": [{"id": 8403}]}"#,
    ),
    (
        "/service-outages/overrides",
        r#"{"service": {"id": 8403}, "status": "MAJOR_OUTAGE", "from": "2026-11-01T10:00:00Z", "until": "2026-11-01T11:00:00Z"}"#,
    ),
    (
        "/heartbeat-monitors",
        r#"{"name": "Walked heartbeat", "intervalSec": 60, "alertSource": {"id": 3001}}"#,
    ),
    (
        "/connectors",
        r#"{"name": "Walked connector", "type": "discord", "params": {"url": "https://discord.example.com/hook"}}"#,
    ),
    (
        "/alert-actions",
        r#"{"name": "Walked action", "connectorType": "jira", "connectorId": "9202", "alertSources": [{"id": 3001}], "triggerMode": "MANUAL"}"#,
    ),
    (
        "/metric-data-sources",
        r#"{"name": "Walked data source", "type": "PROMETHEUS", "metadata": {"url": "https://prometheus.example.com", "authType": "NONE"}}"#,
    ),
    (
        "/metrics",
        r#"{"name": "Walked metric", "aggregationType": "AVG", "displayType": "GRAPH", "dataSource": {"id": 9301}, "metadata": {"query": "up"}}"#,
    ),
    (
        "/deployment-pipelines",
        r#"{"name": "Walked pipeline", "integrationType": "API"}"#,
    ),
    (
        "/event-flows",
        r#"{"name": "Walked event flow", "root": {"nodeType": "ROOT", "branches": [{"branchType": "CATCH_ALL", "target": {"nodeType": "ROUTE_EVENT", "metadata": {"alertSourceId": 3001}}}]}}"#,
    ),
    (
        "/call-flows",
        r#"{"name": "Walked call flow", "language": "en", "assignedNumber": {"id": 9602}, "root": {"nodeType": "ROOT", "branches": [{"branchType": "CATCH_ALL", "target": {"nodeType": "CREATE_ALERT", "metadata": {"alertSourceId": 3001}}}]}}"#,
    ),
    (
        "/teams",
        r#"{"name": "Walked team", "visibility": "PUBLIC", "members": [{"user": {"id": 1001}, "role": "ADMIN"}]}"#,
    ),
    (
        "/schedules",
        r#"{"name": "Walked schedule", "timezone": "Europe/Berlin", "type": "RECURRING", "scheduleLayers": [{"name": "Walk", "startsOn": "2027-01-01T00:00:00Z", "users": [{"id": 1001}], "rotation": "P1D"}]}"#,
    ),
    (
        "/support-hours",
        r#"{"name": "Walked hours", "timezone": "Europe/Berlin", "supportDays": {"MONDAY": {"start": "09:00", "end": "17:00"}}}"#,
    ),
    (
        "/maintenance-windows",
        r#"{"summary": "Walked window", "start": "2027-01-20T08:00:00Z", "end": "2027-01-20T09:00:00Z", "alertSources": [{"id": 3001}]}"#,
    ),
];

/// One call of an operation that is neither a GET nor part of a collection's cycle, in the
/// order they run: method, path template, path parameters that are not "the first listed",
/// query, body, and whether it goes without the bearer token.
type Call = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    Option<&'static str>,
    bool,
);

/// The fixtures' metric "Orders per minute", by its integration key (the Series API's path).
const METRIC_KEY: &[(&str, &str)] = &[("key", "il1met5cf9312a7d1c4e8b2f6a0d3c9e5b7")];
/// Two time points, one at the mock clock's now.
const SERIES: &str = r#"{"series": [{"timestamp": 1799999940, "value": 12}, {"value": 13.5}]}"#;
/// The fixtures' manual Jira action, run on an alert of its source.
const RUN_ACTION: &str = r#"{"alertActionId": "9212"}"#;
/// A deployment of the fixtures' pipeline "Shop web deploys".
const DEPLOYMENT: &str =
    r#"{"integrationKey": "il1dpl5cf9401c3b7e1a5d9f2c6b0e4a8d1", "summary": "Walked deployment"}"#;

const ACTIONS: &[Call] = &[
    (
        "PUT",
        "/users/current",
        &[],
        "",
        Some(
            r#"{"firstName": "Some", "lastName": "User", "email": "some.user@example.com", "language": "en"}"#,
        ),
        false,
    ),
    (
        "POST",
        "/users/search-email",
        &[],
        "",
        Some(r#"{"email": "chris@example.com"}"#),
        false,
    ),
    (
        "PUT",
        "/escalation-policies/{id}/levels/{level}",
        &[("level", "0")],
        "",
        Some(r#"{"escalationTimeout": 0, "users": [{"id": 1001}, {"id": 1002}]}"#),
        false,
    ),
    (
        "POST",
        "/alerts/{id}/responders",
        &[],
        "",
        Some(r#"{"user": {"id": 1002}}"#),
        false,
    ),
    (
        "DELETE",
        "/alerts/{id}/responders/{user-id}",
        &[("user-id", "1002")],
        "",
        None,
        false,
    ),
    ("POST", "/series/{key}", METRIC_KEY, "", Some(SERIES), true),
    ("PUT", "/alerts/{id}/assign", &[], "user=1002", None, false),
    ("PUT", "/alerts/{id}/assign", &[], "schedule=8101", None, false),
    ("PUT", "/alerts/{id}/accept", &[], "", None, false),
    ("PUT", "/alerts/{id}/resolve", &[], "", None, false),
    (
        "POST",
        "/incidents/publish-info",
        &[],
        "",
        Some(
            r#"{"summary": "Forecast", "status": "INVESTIGATING", "affectedServices": [{"impact": "MAJOR_OUTAGE", "service": {"id": 8401}}]}"#,
        ),
        false,
    ),
    (
        "POST",
        "/incidents/{id}/private-subscribers",
        &[],
        "",
        Some(r#"[{"id": 1002, "type": "USER"}]"#),
        false,
    ),
    (
        "PUT",
        "/services/{id}/private-subscribers",
        &[],
        "",
        Some(r#"[{"id": 1001, "type": "USER"}]"#),
        false,
    ),
    (
        "POST",
        "/status-pages/{id}/groups",
        &[],
        "",
        Some(r#"{"name": "Walked group"}"#),
        false,
    ),
    (
        "PUT",
        "/status-pages/{id}/groups/{group-id}",
        &[],
        "",
        Some(r#"{"name": "Renamed group"}"#),
        false,
    ),
    (
        "DELETE",
        "/status-pages/{id}/groups/{group-id}",
        &[],
        "",
        None,
        false,
    ),
    (
        "PUT",
        "/status-pages/{id}/private-subscribers",
        &[],
        "",
        Some(r#"[{"id": 1001, "type": "USER"}]"#),
        false,
    ),
    (
        "POST",
        "/status-pages/{id}/private-subscribers",
        &[],
        "",
        Some(r#"{"id": 1002, "type": "USER"}"#),
        false,
    ),
    (
        "DELETE",
        "/status-pages/{id}/private-subscribers/{subscriber-id}",
        &[("subscriber-id", "1002")],
        "subscriber-type=USER",
        None,
        false,
    ),
    (
        "POST",
        "/events",
        &[],
        "",
        Some(
            r#"{"integrationKey": "il1api0a5cf3001e0c8d4f5b9a2e7c6d1f", "eventType": "ALERT", "summary": "Walked event", "alertKey": "walk/1"}"#,
        ),
        true,
    ),
    ("POST", "/alerts/{id}/actions", &[], "", Some(RUN_ACTION), false),
    ("POST", "/deployment-events", &[], "", Some(DEPLOYMENT), true),
    (
        "POST",
        "/teams/{id}/members",
        &[],
        "",
        Some(r#"{"user": {"id": 1002}, "role": "USER"}"#),
        false,
    ),
    (
        "DELETE",
        "/teams/{id}/members/{id}",
        &[("id", "1002")],
        "",
        None,
        false,
    ),
    (
        "PUT",
        "/schedules/{id}/overrides",
        &[],
        "",
        Some(r#"{"user": {"id": 1002}, "start": "2027-01-15T08:00:00Z", "end": "2027-01-15T09:00:00Z"}"#),
        false,
    ),
];

/// Query parameters a GET needs to find anything.
const GET_QUERIES: &[(&str, &str)] = &[
    ("/escalation-policies/resolve", "routing-key=db"),
    ("/service-outages", "service=8402"),
    (
        "/reports/alerts",
        "from=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z&group-by=DAY",
    ),
    (
        "/reports/alerts/summary",
        "from=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z",
    ),
    (
        "/reports/api-keys/usage",
        "from=2027-01-01T00:00:00Z&until=2027-01-15T00:00:00Z",
    ),
];

/// An entity's id as a path segment (ilert's schema gives some ids as strings).
fn id_segment(id: &Value) -> String {
    id.as_str().map_or_else(|| id.to_string(), str::to_owned)
}

struct Walk {
    base: String,
    token: String,
    client: reqwest::Client,
    schemas: Schemas,
    failures: Vec<String>,
}

impl Walk {
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        bearer: bool,
    ) -> (StatusCode, Value) {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, format!("{}/api{path}", self.base));
        if bearer {
            req = req.bearer_auth(&self.token);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.expect("the mock answers");
        let status = r.status();
        let text = r.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `template` with each parameter replaced by `fixed`, or else by the id of the first
    /// entity listed at the path before it. Where the template repeats a name
    /// (`/teams/{id}/members/{id}`), `fixed` fills only the last one.
    async fn resolve(&mut self, template: &str, fixed: &[(&str, &str)]) -> Option<String> {
        let mut out = String::new();
        let segments: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
        for (i, segment) in segments.iter().copied().enumerate() {
            let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                out.push('/');
                out.push_str(segment);
                continue;
            };
            let repeated = segments[i + 1..].contains(&segment);
            let value = match fixed.iter().find(|(k, _)| *k == name && !repeated) {
                Some((_, v)) => (*v).to_owned(),
                None => {
                    let (status, list) = self.call("GET", &out, None, true).await;
                    match list.get(0).and_then(|first| first.get("id")) {
                        Some(id) if status == StatusCode::OK => id_segment(id),
                        _ => {
                            self.failures.push(format!(
                                "{template}: nothing listed at GET {out} to fill {{{name}}} ({status})"
                            ));
                            return None;
                        }
                    }
                }
            };
            out.push('/');
            out.push_str(&value);
        }
        Some(out)
    }

    fn check(&mut self, op: &str, want: u16, schema: Option<&Value>, status: StatusCode, body: &Value) {
        if status.as_u16() != want {
            self.failures
                .push(format!("{op}: answered {status}, documented {want}: {body}"));
            return;
        }
        if let Some(schema) = schema.filter(|s| !s.is_null()) {
            for problem in self.schemas.problems(schema, body) {
                self.failures.push(format!("{op}: {problem}"));
            }
        }
    }
}

/// An operation's success: its documented 2xx status and that answer's schema (the catalogue
/// keeps the schema of each response, `null` for one without a body). Where the mock follows
/// ilert's clients instead ([`ilert_mock::reconcile::STATUS_OVERRIDES`], each naming the client line), the
/// status is the clients' and the schema is checked only when the document's status had one;
/// every other operation is held to the document.
fn success(op: &Value) -> (u16, Option<&Value>) {
    let (status, schema) = op["responses"]
        .as_object()
        .and_then(|r| r.iter().find(|(code, _)| code.starts_with('2')))
        .map_or((200, None), |(code, schema)| {
            (code.parse().unwrap_or(200), Some(schema))
        });
    let (method, path) = (op["method"].as_str(), op["path"].as_str());
    match ilert_mock::reconcile::STATUS_OVERRIDES
        .iter()
        .find(|o| Some(o.method) == method && Some(o.path) == path)
    {
        Some(o) => (o.status, schema),
        None => (status, schema),
    }
}

fn body_of(raw: &str) -> Value {
    serde_json::from_str(raw).expect("a JSON body in the walk's tables")
}

#[tokio::test]
async fn every_operation_answers_as_documented() {
    let catalogue = catalogue();
    let server = frozen_server().await;
    let token = tokens(&server, ALL_SCOPES).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let mut walk = Walk {
        base: server.base_url(),
        token,
        client: http(),
        schemas: Schemas::new(&catalogue),
        failures: Vec::new(),
    };
    let ops: Vec<(String, String, Value)> = catalogue["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|op| {
            let text = |k: &str| op[k].as_str().expect("method and path").to_owned();
            (text("method"), text("path"), op.clone())
        })
        .collect();
    let find = |method: &str, path: &str| {
        ops.iter()
            .find(|(m, p, _)| m == method && p == path)
            .map(|(_, _, op)| op)
    };
    let has = |method: &str, path: &str| find(method, path).is_some();
    let mut exercised: Vec<String> = Vec::new();

    // Every GET: 200 and a valid body.
    for (method, path, op) in ops.iter().filter(|(m, _, _)| m == "GET") {
        let Some(mut concrete) = walk.resolve(path, &[]).await else {
            continue;
        };
        if let Some((_, q)) = GET_QUERIES.iter().find(|(p, _)| p == path) {
            concrete = format!("{concrete}?{q}");
        }
        let (status, body) = walk.call(method, &concrete, None, true).await;
        let (_, schema) = success(op);
        walk.check(&format!("GET {path}"), 200, schema, status, &body);
        exercised.push(format!("GET {path}"));
    }

    // Every collection with POST: create → read → update → delete → read 404.
    for (_, path, op) in ops.iter().filter(|(m, p, _)| {
        m == "POST" && (has("GET", &format!("{p}/{{id}}")) || has("GET", &format!("{p}/{{user-id}}")))
    }) {
        let item = if has("GET", &format!("{path}/{{id}}")) {
            format!("{path}/{{id}}")
        } else {
            format!("{path}/{{user-id}}")
        };
        let Some((_, raw)) = CREATE_BODIES.iter().find(|(p, _)| p == path) else {
            walk.failures.push(format!(
                "POST {path}: no body in CREATE_BODIES to walk the collection with"
            ));
            continue;
        };
        let Some(collection) = walk.resolve(path, &[]).await else {
            continue;
        };
        let (status, created) = walk.call("POST", &collection, Some(&body_of(raw)), true).await;
        let (code, schema) = success(op);
        walk.check(&format!("POST {path}"), code, schema, status, &created);
        exercised.push(format!("POST {path}"));
        let Some(id) = created.get("id").map(id_segment) else {
            continue;
        };
        let entity = format!("{collection}/{id}");
        let (status, read) = walk.call("GET", &entity, None, true).await;
        let get = find("GET", &item).expect("the item's GET");
        walk.check(
            &format!("GET {item} (created)"),
            200,
            success(get).1,
            status,
            &read,
        );
        if let Some(put) = find("PUT", &item) {
            let (status, updated) = walk.call("PUT", &entity, Some(&read), true).await;
            walk.check(
                &format!("PUT {item}"),
                success(put).0,
                success(put).1,
                status,
                &updated,
            );
            exercised.push(format!("PUT {item}"));
        }
        if let Some(delete) = find("DELETE", &item) {
            let (status, body) = walk.call("DELETE", &entity, None, true).await;
            walk.check(&format!("DELETE {item}"), success(delete).0, None, status, &body);
            exercised.push(format!("DELETE {item}"));
            let (status, body) = walk.call("GET", &entity, None, true).await;
            walk.check(&format!("GET {item} (deleted)"), 404, None, status, &body);
        }
    }

    // Everything else, once.
    for (method, path, fixed, query, raw, keyed) in ACTIONS {
        let Some(op) = find(method, path) else {
            walk.failures
                .push(format!("{method} {path}: in ACTIONS but not in the catalogue"));
            continue;
        };
        let Some(mut concrete) = walk.resolve(path, fixed).await else {
            continue;
        };
        if !query.is_empty() {
            concrete = format!("{concrete}?{query}");
        }
        let body = raw.map(body_of);
        let (status, answer) = walk.call(method, &concrete, body.as_ref(), !keyed).await;
        let (code, schema) = success(op);
        walk.check(&format!("{method} {path}"), code, schema, status, &answer);
        exercised.push(format!("{method} {path}"));
    }
    for (method, path, _) in &ops {
        let name = format!("{method} {path}");
        if !exercised.contains(&name) {
            walk.failures.push(format!(
                "{name}: served, but the walk never called it (add it to ACTIONS or CREATE_BODIES)"
            ));
        }
    }
    assert!(
        walk.failures.is_empty(),
        "{} problems:\n{}",
        walk.failures.len(),
        walk.failures.join("\n")
    );
}

#[test]
fn a_missing_required_field_is_named_with_its_operation() {
    let catalogue = catalogue();
    let mut schemas = Schemas::new(&catalogue);
    let op = catalogue["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .find(|op| op["method"] == "GET" && op["path"] == "/alert-sources/{id}")
        .expect("GET /alert-sources/{id}");
    let (_, schema) = success(op);
    let mut source = json!({"id": 1, "name": "x", "integrationType": "API", "escalationPolicy": {"name": "p", "escalationRules": []}});
    assert!(schemas.problems(schema.expect("schema"), &source).is_empty());
    source.as_object_mut().expect("object").remove("integrationType");
    let problems = schemas.problems(schema.expect("schema"), &source);
    assert!(
        problems.iter().any(|p| p.contains("integrationType")),
        "{problems:?}"
    );
    source["integrationType"] = json!("NOT_A_TYPE");
    assert!(!schemas.problems(schema.expect("schema"), &source).is_empty());
}
