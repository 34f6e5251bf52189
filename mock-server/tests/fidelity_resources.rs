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

/// The collections ilert-go's `Search*` functions look up by name (`GET {path}/name/{name}`),
/// with the client line.
const BY_NAME: &[(&str, &str)] = &[
    ("/api/alert-actions", "alert_action.go:552"),
    ("/api/alert-sources", "alert_source.go:849"),
    ("/api/call-flows", "call_flow.go:531"),
    ("/api/connectors", "connector.go:360"),
    ("/api/deployment-pipelines", "deployment_pipeline.go:269"),
    ("/api/escalation-policies", "escalation_policy.go:174"),
    ("/api/event-flows", "event_flow.go:306"),
    ("/api/heartbeat-monitors", "heartbeat_monitor.go:189"),
    ("/api/incident-templates", "incident_template.go:175"),
    ("/api/metrics", "metric.go:239"),
    ("/api/metric-data-sources", "metric_data_source.go:218"),
    ("/api/schedules", "schedule.go:417"),
    ("/api/services", "service.go:296"),
    ("/api/status-pages", "status_page.go:352"),
    ("/api/status-pages/8421/groups", "status_page_group.go:174"),
    ("/api/support-hours", "support_hour.go:185"),
    ("/api/teams", "team.go:213"),
];

/// `name` as one path segment (ilert-go formats names into the path, Go's HTTP client escapes
/// them).
fn segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn lookups_by_name_answer_the_entity_as_its_get_by_id() {
    let api = Api::start().await;
    let declared: Vec<String> = ilert_mock::reconcile::NAME_LOOKUPS
        .iter()
        .map(|l| format!("/api{}", l.path.replace("{id}", "8421")))
        .collect();
    let tested: Vec<String> = BY_NAME.iter().map(|(p, _)| (*p).to_owned()).collect();
    assert_eq!(declared, tested, "every lookup of the table is tested");
    for (path, line) in BY_NAME {
        let listed = api.get(path).await;
        let first = &listed[0];
        let name = first["name"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: {first}"));
        let id = &first["id"];
        let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
        let by_id = api.get(&format!("{path}/{id}")).await;
        let by_name = api.get(&format!("{path}/name/{}", segment(name))).await;
        assert_eq!(by_name, by_id, "GET {path}/name/{name} (ilert-go {line})");
        let message = api
            .refused(Method::GET, &format!("{path}/name/No%20such%20thing"), None, 404)
            .await;
        assert!(message.contains("No such thing"), "{path}: {message}");
    }
    // A name with a space and a slash-free punctuation, as created.
    let (status, _, made) = api
        .call(
            Method::POST,
            "/api/services",
            Some(json!({"name": "Check-out & Pay"})),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let found = api.get("/api/services/name/Check-out%20%26%20Pay").await;
    assert_eq!(found["id"], made["id"]);
    // heartbeat_monitor.go:187: the lookup asks for include=integrationUrl, as GET by id takes it.
    let monitor = api.get("/api/heartbeat-monitors").await[0].clone();
    let name = segment(monitor["name"].as_str().expect("name"));
    let found = api
        .get(&format!(
            "/api/heartbeat-monitors/name/{name}?include=integrationUrl"
        ))
        .await;
    assert!(found["integrationUrl"].as_str().is_some(), "{found}");
    // Groups are looked up within their page.
    api.refused(
        Method::GET,
        "/api/status-pages/999/groups/name/Storefront",
        None,
        404,
    )
    .await;
}

#[tokio::test]
async fn lookups_by_name_need_the_scope_and_stay_in_the_tenant() {
    let server = frozen_server().await;
    let reader = access_token(&server, "profile").await;
    let (status, _, body) = api_get(&server, "/api/services/name/Website", &reader).await;
    assert_rest_error(status, &body, 403);
    let token = access_token(&server, "service").await;
    let listed = api_get(&server, "/api/services", &token).await.2;
    let name = listed[0]["name"].as_str().expect("name").to_owned();
    let (status, _, body) = api_get(&server, &format!("/api/services/name/{}", segment(&name)), &token).await;
    assert_eq!(status, 200, "{body}");
    // acme's service (fixtures) is not found by someTenant's token.
    let (status, _, body) = api_get(&server, "/api/services/name/Launch%20control", &token).await;
    assert_rest_error(status, &body, 404);
}

#[tokio::test]
async fn roles_and_time_zones_as_terraform_sends_them() {
    let api = Api::start().await;
    // terraform-provider-ilert ilert/resource_user.go:72 accepts VIEWER; the document lists five.
    let viewer = json!({"firstName": "Vic", "lastName": "Viewer", "email": "vic@example.com", "role": "VIEWER", "timezone": "Europe/London"});
    let (status, _, user) = api.call(Method::POST, "/api/users", Some(viewer)).await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(
        (user["role"].as_str(), user["timezone"].as_str()),
        (Some("VIEWER"), Some("Europe/London"))
    );
    let id = user["id"].as_i64().expect("id");
    assert_eq!(api.get(&format!("/api/users/{id}")).await["role"], "VIEWER");
    let message = api
        .refused(
            Method::POST,
            "/api/users",
            Some(json!({"firstName": "O", "lastName": "L", "email": "o@example.com", "role": "OVERLORD"})),
            400,
        )
        .await;
    assert!(
        message.contains("'role'") && message.contains("VIEWER"),
        "{message}"
    );
    // Team members may be viewers (website/docs/r/team.html.markdown:44).
    let team = json!({"name": "Watchers", "members": [{"user": {"id": id}, "role": "VIEWER"}]});
    let (status, _, body) = api.call(Method::POST, "/api/teams", Some(team)).await;
    assert_eq!(status, 201, "{body}");

    // Any IANA zone (the document's enum is four samples); an unknown one is named.
    for (path, body) in [
        (
            "/api/users",
            json!({"firstName": "T", "lastName": "Z", "email": "tz@example.com", "timezone": "Asia/Tokyo"}),
        ),
        (
            "/api/schedules",
            json!({"name": "Sydney", "timezone": "Australia/Sydney", "type": "STATIC", "shifts": []}),
        ),
        (
            "/api/support-hours",
            json!({"name": "Lisbon hours", "timezone": "Europe/Lisbon", "supportDays": {"MONDAY": {"start": "08:00", "end": "17:00"}}}),
        ),
    ] {
        let (status, _, made) = api.call(Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, 201, "{path}: {made}");
        assert_eq!(made["timezone"], body["timezone"], "{path}");
        let mut wrong = body;
        wrong["timezone"] = json!("Mars/Olympus_Mons");
        let message = api.refused(Method::POST, path, Some(wrong), 400).await;
        assert!(
            message.contains("timezone") && message.contains("Mars/Olympus_Mons"),
            "{path}: {message}"
        );
    }
}

#[tokio::test]
async fn schedule_times_without_offset_are_read_in_the_schedule_zone() {
    let api = Api::start().await;
    // Terraform: `starts_on` "for ex. 2022-08-30T00:00" (website/docs/r/schedule.html.markdown:79),
    // shifts from formatdate("YYYY-MM-DD'T'hh:mm:ss", …) (examples/schedule/main.tf:40).
    // The frozen clock stands at 2027-01-15T08:00:00Z.
    let body = json!({"name": "Tokyo nights", "timezone": "Asia/Tokyo", "type": "STATIC", "shifts": [
        {"user": {"id": 1002}, "start": "2027-01-15T09:00:00", "end": "2027-01-15T21:00"},
        {"user": {"id": 1001}, "start": "2027-01-15T21:00:00+09:00", "end": "2027-01-16T09:00:00+09:00"}
    ]});
    let (status, _, made) = api.call(Method::POST, "/api/schedules", Some(body)).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_i64().expect("id");
    // 09:00 in Tokyo is 00:00 UTC: the first shift holds the frozen now (08:00 UTC).
    let on_call = api.get(&format!("/api/schedules/{id}/user-on-call")).await;
    assert_eq!(on_call["user"]["id"], 1002, "{on_call}");
    let shifts = api
        .get(&format!(
            "/api/schedules/{id}/shifts?from=2027-01-15T00:00:00Z&until=2027-01-16T12:00:00Z"
        ))
        .await;
    let starts: Vec<&str> = shifts
        .as_array()
        .expect("shifts")
        .iter()
        .filter_map(|s| s["start"].as_str())
        .collect();
    assert_eq!(starts.len(), 2, "{shifts}");
    // Stored as sent.
    let read = api.get(&format!("/api/schedules/{id}?include=shifts")).await;
    assert_eq!(read["shifts"][0]["start"], "2027-01-15T09:00:00", "{read}");
    // A layer start without offset; a text that is no date-time is named.
    let layer = json!({"name": "Layered", "timezone": "Europe/Berlin", "type": "RECURRING", "scheduleLayers": [
        {"name": "l1", "startsOn": "2027-01-01T00:00", "rotation": "P1D", "users": [{"id": 1001}]}
    ]});
    let (status, _, made) = api
        .call(Method::POST, "/api/schedules", Some(layer.clone()))
        .await;
    assert_eq!(status, 201, "{made}");
    let mut wrong = layer;
    wrong["scheduleLayers"][0]["startsOn"] = json!("01.01.2027 00:00");
    let message = api
        .refused(Method::POST, "/api/schedules", Some(wrong), 400)
        .await;
    assert!(message.contains("startsOn"), "{message}");
}

#[tokio::test]
async fn include_takes_a_comma_separated_list_as_well_as_repeats() {
    let api = Api::start().await;
    let repeated = api
        .get("/api/status-pages/8421?include=groups&include=uptime")
        .await;
    let listed = api.get("/api/status-pages/8421?include=groups,uptime").await;
    assert_eq!(listed, repeated);
    assert!(
        listed["groups"].is_array() && listed["services"][0]["uptime"].is_object(),
        "{listed}"
    );
    let services = api.get("/api/services?include=subscribed,uptime").await;
    assert!(
        services[0]["subscribed"].is_boolean() && services[0]["uptime"].is_object(),
        "{services}"
    );
    let message = api
        .refused(Method::GET, "/api/services?include=uptime,everything", None, 400)
        .await;
    assert!(
        message.contains("'include'") && message.contains("everything"),
        "{message}"
    );
}

#[tokio::test]
async fn service_uptime_percentages_sit_where_ilert_go_reads_them() {
    let api = Api::start().await;
    // ilert-go service.go:30,35: uptime.uptimePercentage.{p90,p60,p30}.
    let service = api.get("/api/services/8403?include=uptime").await;
    let percentage = &service["uptime"]["uptimePercentage"];
    for key in ["p90", "p60", "p30"] {
        let p = percentage[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key}: {service}"));
        assert!((0.0..=100.0).contains(&p), "{key}: {p}");
    }
    assert!(percentage.get("uptimePercentage").is_none(), "{percentage}");
    let listed = api.get("/api/services?include=uptime").await;
    assert!(
        listed[0]["uptime"]["uptimePercentage"]["p90"].is_number(),
        "{listed}"
    );
    let page = api.get("/api/status-pages/8421?include=uptime").await;
    assert!(
        page["services"][0]["uptime"]["uptimePercentage"]["p30"].is_number(),
        "{page}"
    );
    // An outage lowers it: a major outage of the last day.
    let outage = json!({"service": {"id": 8403}, "status": "MAJOR_OUTAGE", "from": "2027-01-14T08:00:00Z", "until": "2027-01-15T08:00:00Z"});
    let (status, _, body) = api
        .call(Method::POST, "/api/service-outages/overrides", Some(outage))
        .await;
    assert_eq!(status, 201, "{body}");
    let after = api.get("/api/services/8403?include=uptime").await;
    let p30 = after["uptime"]["uptimePercentage"]["p30"].as_f64().expect("p30");
    assert!(p30 <= 96.67 && p30 > 90.0, "one day of thirty down: {p30}");
}

#[tokio::test]
async fn addresses_ilert_mails_calls_and_texts_are_checked() {
    let api = Api::start().await;
    let user = |email: &str| json!({"firstName": "Ada", "lastName": "L", "email": email});
    for bad in [
        "ada",
        "ada@localhost",
        "ada lovelace@example.com",
        "ada@exa_mple.com",
    ] {
        let message = api
            .refused(Method::POST, "/api/users", Some(user(bad)), 400)
            .await;
        assert!(
            message.contains("'email'") && message.contains("e-mail"),
            "{bad}: {message}"
        );
    }
    let (status, _, made) = api
        .call(Method::POST, "/api/users", Some(user("ada@example.com")))
        .await;
    assert_eq!(status, 201, "{made}");
    let mut current = api.get("/api/users/current").await;
    current["email"] = json!("not-an-address");
    let message = api
        .refused(Method::PUT, "/api/users/current", Some(current), 400)
        .await;
    assert!(message.contains("'email'"), "{message}");
    assert_eq!(
        api.get("/api/users/current").await["email"],
        "some.user@example.com",
        "nothing stored"
    );

    // E-mail contacts.
    let emails = "/api/users/1001/contacts/emails";
    let message = api
        .refused(Method::POST, emails, Some(json!({"target": "some.user@"})), 400)
        .await;
    assert!(message.contains("'target'"), "{message}");
    let (status, _, body) = api
        .call(Method::POST, emails, Some(json!({"target": "pager@example.org"})))
        .await;
    assert_eq!(status, 201, "{body}");

    // Phone contacts: ilert-go sends regionCode and target (user_phone_number_contact.go:12-13).
    let phones = "/api/users/1001/contacts/phone-numbers";
    for (body, field) in [
        (json!({"regionCode": "DE", "target": "call me maybe"}), "'target'"),
        (
            json!({"regionCode": "DE", "target": "+0049 30 123456"}),
            "'target'",
        ),
        (
            json!({"regionCode": "Germany", "target": "+4930123456"}),
            "'regionCode'",
        ),
        (json!({"target": "030 123456"}), "'regionCode'"),
    ] {
        let message = api.refused(Method::POST, phones, Some(body.clone()), 400).await;
        assert!(message.contains(field), "{body}: {message}");
    }
    let before = api.get(phones).await;
    for body in [
        json!({"regionCode": "DE", "target": "+4915123456789"}),
        json!({"regionCode": "US", "target": "+1 (555) 010-9999"}),
        json!({"regionCode": "DE", "target": "030 1234567"}),
        json!({"target": "+4930123456"}),
    ] {
        let (status, _, made) = api.call(Method::POST, phones, Some(body.clone())).await;
        assert_eq!(status, 201, "{body}: {made}");
        assert_eq!(made["target"], body["target"]);
    }
    assert_eq!(
        api.get(phones).await.as_array().map(Vec::len),
        before.as_array().map(|l| l.len() + 4)
    );
    // An update cannot drop the region of a national number.
    let national = api
        .get(phones)
        .await
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["target"] == "030 1234567")
        .cloned()
        .expect("national");
    let id = national["id"].as_i64().expect("id");
    let message = api
        .refused(
            Method::PUT,
            &format!("{phones}/{id}"),
            Some(json!({"target": "030 7654321", "regionCode": ""})),
            400,
        )
        .await;
    assert!(message.contains("'regionCode'"), "{message}");
}

#[tokio::test]
async fn escalation_levels_need_a_target() {
    let api = Api::start().await;
    // ilert-go's EscalationRule (escalation_policy.go:24-30): user(s), schedule(s), teams.
    let policy = json!({"name": "Nobody", "escalationRules": [
        {"escalationTimeout": 0, "users": [{"id": 1001}]},
        {"escalationTimeout": 15}
    ]});
    let message = api
        .refused(Method::POST, "/api/escalation-policies", Some(policy), 400)
        .await;
    assert!(
        message.contains("escalationRules[1]") && message.contains("target"),
        "{message}"
    );
    let empty = json!({"name": "Empty lists", "escalationRules": [{"escalationTimeout": 0, "users": [], "schedules": [], "teams": []}]});
    api.refused(Method::POST, "/api/escalation-policies", Some(empty), 400)
        .await;
    for rule in [
        json!({"escalationTimeout": 0, "user": {"id": 1001}}),
        json!({"escalationTimeout": 0, "schedules": [{"id": 8101}]}),
        json!({"escalationTimeout": 0, "teams": [{"id": 8001}]}),
    ] {
        let body = json!({"name": format!("Policy {rule}"), "escalationRules": [rule]});
        let (status, _, made) = api
            .call(Method::POST, "/api/escalation-policies", Some(body))
            .await;
        assert_eq!(status, 201, "{made}");
    }
    let policy = api.get("/api/escalation-policies").await[0].clone();
    let id = policy["id"].as_i64().expect("id");
    let message = api
        .refused(
            Method::PUT,
            &format!("/api/escalation-policies/{id}/levels/0"),
            Some(json!({"escalationTimeout": 5})),
            400,
        )
        .await;
    assert!(message.contains("target"), "{message}");
    assert_eq!(
        api.get(&format!("/api/escalation-policies/{id}")).await,
        policy,
        "the level is kept"
    );
}

#[tokio::test]
async fn status_page_subdomains_are_host_names() {
    let api = Api::start().await;
    for bad in [
        "-shop.ilert.io",
        "shop-.ilert.io",
        "shop page",
        "shop_page.ilert.io",
        "shop..ilert.io",
    ] {
        let body = json!({"name": "Bad", "subdomain": bad});
        let message = api
            .refused(Method::POST, "/api/status-pages", Some(body), 400)
            .await;
        assert!(
            message.contains("'subdomain'") && message.contains("host"),
            "{bad}: {message}"
        );
    }
    let long = format!("{}.ilert.io", "a".repeat(64));
    api.refused(
        Method::POST,
        "/api/status-pages",
        Some(json!({"name": "Long", "subdomain": long})),
        400,
    )
    .await;
    // Terraform's examples (examples/status_page/main.tf:7) and a single label both work.
    for good in ["example-public.ilert.io", "status"] {
        let (status, _, made) = api
            .call(
                Method::POST,
                "/api/status-pages",
                Some(json!({"name": good, "subdomain": good})),
            )
            .await;
        assert_eq!(status, 201, "{made}");
        assert_eq!(made["subdomain"], good);
    }
    let page = api.get("/api/status-pages/8421").await;
    let mut renamed = page.clone();
    renamed["subdomain"] = json!("bad_name.ilert.io");
    api.refused(Method::PUT, "/api/status-pages/8421", Some(renamed), 400)
        .await;
    assert_eq!(
        api.get("/api/status-pages/8421").await["subdomain"],
        page["subdomain"]
    );
    // A default subdomain made from a name is a host name.
    let (status, _, made) = api
        .call(Method::POST, "/api/status-pages", Some(json!({"name": "!!!"})))
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["subdomain"], "status-page.ilert.io");
}

#[tokio::test]
async fn contact_searches_and_the_override_post_as_ilert_go_sends_them() {
    let api = Api::start().await;
    // user_email_contact.go:184-189, user_phone_number_contact.go:167-172 (Terraform's contact
    // data sources call them).
    let emails = "/api/users/1001/contacts/emails";
    let (status, _, made) = api
        .call(
            Method::POST,
            emails,
            Some(json!({"target": "oncall@example.org"})),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (status, _, found) = api
        .call(
            Method::POST,
            &format!("{emails}/search-target"),
            Some(json!({"target": "oncall@example.org"})),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["id"], made["id"]);
    api.refused(
        Method::POST,
        &format!("{emails}/search-target"),
        Some(json!({"target": "nobody@example.org"})),
        404,
    )
    .await;
    let phones = "/api/users/1001/contacts/phone-numbers/search-target";
    let (status, _, found) = api
        .call(
            Method::POST,
            phones,
            Some(json!({"regionCode": "", "target": "+4915112345678"})),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["id"], 7011);
    api.refused(
        Method::POST,
        phones,
        Some(json!({"regionCode": "US", "target": "+4915112345678"})),
        404,
    )
    .await;
    // Another user's contacts are not searched.
    api.refused(
        Method::POST,
        "/api/users/1002/contacts/phone-numbers/search-target",
        Some(json!({"target": "+4915112345678"})),
        404,
    )
    .await;

    // schedule.go:512: POST /schedules/{id}/overrides, expecting 200, as the document's PUT.
    let cover = json!({"user": {"id": 1002}, "start": "2027-01-15T07:00:00Z", "end": "2027-01-15T09:00:00Z"});
    let (status, _, body) = api
        .call(Method::POST, "/api/schedules/8102/overrides", Some(cover))
        .await;
    assert_eq!(status, 200, "{body}");
    let on_call = api.get("/api/schedules/8102/user-on-call").await;
    assert_eq!(on_call["user"]["id"], 1002, "{on_call}");
}

#[tokio::test]
async fn references_sent_as_whole_go_structs_count_by_their_id() {
    let api = Api::start().await;
    // ilert-go: an escalation level's schedules are whole Schedule structs with "" for unset
    // members (escalation_policy.go:28, schedule.go:13-16).
    let policy = json!({"name": "Go policy", "escalationRules": [{"escalationTimeout": 0,
        "schedules": [{"id": 8101, "name": "", "timezone": "", "type": ""}]}]});
    let (status, _, made) = api
        .call(Method::POST, "/api/escalation-policies", Some(policy))
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["escalationRules"][0]["schedules"][0]["id"], 8101);
    // alert_action.go:16 with alert_source.go:14-25: alert sources as whole structs.
    let action = json!({"name": "Go action", "connectorType": "jira", "connectorId": "9202", "triggerMode": "MANUAL",
        "alertSources": [{"id": 3001, "name": "", "integrationType": "", "active": false}]});
    let (status, _, made) = api.call(Method::POST, "/api/alert-actions", Some(action)).await;
    assert_eq!(status, 201, "{made}");
    // A member that is set is still checked.
    let wrong = json!({"name": "Wrong", "escalationRules": [{"escalationTimeout": 0,
        "schedules": [{"id": 8101, "type": "WEEKLY"}]}]});
    let message = api
        .refused(Method::POST, "/api/escalation-policies", Some(wrong), 400)
        .await;
    assert!(message.contains("type"), "{message}");
}
