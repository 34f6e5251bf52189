//! Incidents, services, status pages, service outages and incident templates over HTTP: an
//! incident moves its services' status and the status pages that show them, its history and
//! `ETag`, private subscribers, `publish-info`, status page structure and groups, outages
//! derived from incidents and corrected by overrides, and the validation of each.

use crate::common;

use common::*;
use ilert_mock::MockServer;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const SCOPES: &str = "incident:w service:d status_page:d template:d";

/// A server at a frozen time after the fixtures' incidents, and a token for every group here.
struct Api {
    server: MockServer,
    token: String,
}

impl Api {
    async fn start() -> Self {
        let server = frozen_server().await;
        let token = s(&tokens(&server, SCOPES).await, "access_token");
        Self { server, token }
    }

    async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, HeaderMap, Value) {
        let (status, h, json) =
            api_call(&self.server, method, path, &self.token, body.as_ref(), headers).await;
        (status.as_u16(), h, json)
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, _, json) = self.call_with(method, path, body, &[]).await;
        (status, json)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// A request that must fail with `status` in ilert's REST shape; its message.
    async fn refused(&self, method: Method, path: &str, body: Option<Value>, status: u16) -> String {
        let (got, answer) = self.call(method.clone(), path, body).await;
        assert_rest_error(
            reqwest::StatusCode::from_u16(got).expect("status"),
            &answer,
            status,
        );
        answer["message"].as_str().unwrap_or_default().to_owned()
    }

    async fn status_of(&self, service: i64) -> String {
        self.get(&format!("/api/services/{service}")).await["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

#[tokio::test]
async fn incidents_move_their_services_and_the_status_pages_that_show_them() {
    let api = Api::start().await;
    assert_eq!(ids(&api.get("/api/services").await), vec![8401, 8402, 8403]);
    assert_eq!(api.status_of(8401).await, "DEGRADED", "the open fixture incident");
    assert_eq!(api.status_of(8403).await, "OPERATIONAL");
    let page = api.get("/api/status-pages/8421").await;
    assert_eq!(page["status"], "DEGRADED", "the worst of its services");

    let (status, created) = api
        .call(
            Method::POST,
            "/api/incidents",
            Some(json!({"summary": "Website down", "message": "Looking into it",
                        "affectedServices": [{"impact": "MAJOR_OUTAGE", "service": {"id": 8403}}]})),
        )
        .await;
    assert_eq!(status, 200, "ilert documents 200 for POST /incidents: {created}");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["status"], "INVESTIGATING");
    assert_eq!(
        created["affectedServices"][0]["service"]["status"],
        "MAJOR_OUTAGE"
    );
    assert_eq!(api.status_of(8403).await, "MAJOR_OUTAGE");
    assert_eq!(api.get("/api/status-pages/8421").await["status"], "MAJOR_OUTAGE");
    assert_eq!(
        api.get("/api/status-pages").await[1]["status"],
        "DEGRADED",
        "the other page"
    );

    let path = format!("/api/incidents/{id}");
    let (status, resolved) = api
        .call(
            Method::PUT,
            &path,
            Some(json!({"status": "RESOLVED", "message": "Back up"})),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(
        resolved["summary"], "Website down",
        "what the body leaves out stays"
    );
    assert_eq!(resolved["resolvedOn"], "2027-01-15T08:00:00Z");
    assert_eq!(api.status_of(8403).await, "OPERATIONAL");
    assert_eq!(api.get("/api/status-pages/8421").await["status"], "DEGRADED");

    let full = api
        .get(&format!(
            "{path}?include=history&include=subscribed&include=affectedTeams"
        ))
        .await;
    let history = full["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["incidentStatus"], "INVESTIGATING");
    assert_eq!(history[1]["content"], "Back up");
    assert_eq!(history[1]["creator"]["firstName"], "Some");
    assert!(history[1].get("affectedServices").is_none(), "internal: {full}");
    assert_eq!(full["subscribed"], false);
    assert_eq!(full["affectedTeams"], json!([]));

    // Filters on the incidents: states, services, from/until; the other tenant's stay hidden.
    let listed = |q: &str| format!("/api/incidents?{q}");
    assert_eq!(ids(&api.get(&listed("")).await), vec![8411, 8412, id]);
    assert_eq!(ids(&api.get(&listed("states=RESOLVED")).await), vec![8412, id]);
    assert_eq!(
        ids(&api.get(&listed("services=8401&services=8402")).await),
        vec![8411, 8412]
    );
    assert_eq!(
        ids(&api.get(&listed("from=2026-11-28T09:00:00Z")).await),
        vec![8411, id]
    );
    assert_eq!(
        ids(&api.get(&listed("until=2026-11-28T09:00:00Z")).await),
        vec![8412]
    );
    assert_eq!(
        ids(&api.get(&listed("include=subscribed&max-results=100")).await).len(),
        3
    );
    assert_eq!(
        api.get(&listed("include=subscribed")).await[0]["subscribed"],
        true
    );
    let message = api.refused(Method::GET, &listed("states=OPEN"), None, 400).await;
    assert!(message.contains("INVESTIGATING, IDENTIFIED"), "{message}");
    api.refused(Method::GET, "/api/incidents/8462", None, 404).await;

    // Bad bodies: an empty summary, an impact outside the enum, an unknown service.
    for body in [
        json!({"summary": " "}),
        json!({"summary": "x", "affectedServices": [{"impact": "BROKEN", "service": {"id": 8401}}]}),
        json!({"summary": "x", "affectedServices": [{"impact": "DEGRADED", "service": {"id": 8461}}]}),
        json!({"summary": "x", "affectedServices": [{"service": {"id": 8401}}]}),
    ] {
        api.refused(Method::POST, "/api/incidents", Some(body), 400).await;
    }
}

#[tokio::test]
async fn an_etag_guards_updates_and_one_open_incident_only_is_kept() {
    let api = Api::start().await;
    let (status, headers, _) = api.call_with(Method::GET, "/api/incidents/8411", None, &[]).await;
    assert_eq!(status, 200);
    let etag = headers["etag"].to_str().expect("ascii").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

    // A change to an affected service makes the ETag stale: 412, nothing changed.
    let service = api.get("/api/services/8401").await;
    let mut renamed = service.clone();
    renamed["description"] = json!("Cart and payment");
    assert_eq!(
        api.call(Method::PUT, "/api/services/8401", Some(renamed)).await.0,
        200
    );
    let update = json!({"status": "MONITORING", "message": "Fixed, watching"});
    let (status, _, body) = api
        .call_with(
            Method::PUT,
            "/api/incidents/8411",
            Some(update.clone()),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(status, 412, "{body}");
    assert_eq!(body["code"], "PRECONDITION_FAILED");
    assert_eq!(api.get("/api/incidents/8411").await["status"], "IDENTIFIED");

    let (_, headers, _) = api.call_with(Method::GET, "/api/incidents/8411", None, &[]).await;
    let fresh = headers["etag"].to_str().expect("ascii").to_owned();
    assert_ne!(fresh, etag);
    let (status, headers, body) = api
        .call_with(
            Method::PUT,
            "/api/incidents/8411",
            Some(update),
            &[("if-match", &fresh)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "MONITORING");
    assert_ne!(headers["etag"].to_str().expect("ascii"), fresh);

    // Checkout allows one open incident only.
    let second = json!({"summary": "Checkout again", "affectedServices": [{"impact": "MAJOR_OUTAGE", "service": {"id": 8401}}]});
    let message = api
        .refused(Method::POST, "/api/incidents", Some(second.clone()), 409)
        .await;
    assert!(message.contains("8411"), "{message}");
    let mut resolved = second;
    resolved["status"] = json!("RESOLVED");
    let (status, body) = api.call(Method::POST, "/api/incidents", Some(resolved)).await;
    assert_eq!(status, 200, "a resolved incident is no second open one: {body}");
    assert_eq!(api.status_of(8401).await, "DEGRADED", "8411 still holds it");
}

#[tokio::test]
async fn private_subscribers_and_publish_info() {
    let api = Api::start().await;
    assert_eq!(
        api.get("/api/incidents/8411/private-subscribers").await,
        json!([{"id": 1001, "name": "Some User", "type": "USER"}])
    );
    let add = json!([{"id": 1002, "type": "USER"}, {"id": 1001}]);
    let (status, body) = api
        .call(Method::POST, "/api/incidents/8411/private-subscribers", Some(add))
        .await;
    // ilert-go expects 202 and the subscribers (incident.go:398), the document says 204.
    assert_eq!(status, 202, "{body}");
    assert_eq!(ids(&body), vec![1001, 1002]);
    assert_eq!(
        ids(&api.get("/api/incidents/8411/private-subscribers").await),
        vec![1001, 1002]
    );
    for bad in [
        json!([{"id": 2001}]),
        json!([{"id": 1001, "type": "TEAM"}]),
        json!([{"type": "USER"}]),
        json!([{"id": 1e20}]),
    ] {
        let message = api
            .refused(
                Method::POST,
                "/api/incidents/8411/private-subscribers",
                Some(bad),
                400,
            )
            .await;
        assert!(message.contains("[0].id"), "{message}");
    }
    api.refused(Method::GET, "/api/incidents/99/private-subscribers", None, 404)
        .await;

    // Services: set in place.
    let path = "/api/services/8402/private-subscribers";
    assert_eq!(api.get(path).await, json!([]));
    assert_eq!(
        api.call(Method::PUT, path, Some(json!([{"id": 1002, "type": "USER"}])))
            .await
            .0,
        202
    );
    assert_eq!(ids(&api.get(path).await), vec![1002]);
    assert_eq!(
        api.get("/api/services/8402?include=subscribed").await["subscribed"],
        false
    );
    assert_eq!(
        api.call(Method::PUT, path, Some(json!([{"id": 1001}]))).await.0,
        202
    );
    assert_eq!(
        api.get("/api/services/8402?include=subscribed").await["subscribed"],
        true
    );

    // Status pages: add one, remove one by id and type.
    let path = "/api/status-pages/8421/private-subscribers";
    assert_eq!(
        api.call(Method::POST, path, Some(json!({"id": 1002, "type": "USER"})))
            .await
            .0,
        202
    );
    assert_eq!(ids(&api.get(path).await), vec![1002]);
    api.refused(
        Method::DELETE,
        &format!("{path}/1002?subscriber-type=TEAM"),
        None,
        404,
    )
    .await;
    api.refused(Method::DELETE, &format!("{path}/1002"), None, 400)
        .await;
    assert_eq!(
        api.call(Method::DELETE, &format!("{path}/1002?subscriber-type=USER"), None)
            .await
            .0,
        204
    );
    assert_eq!(api.get(path).await, json!([]));

    // The forecast: Checkout is on both pages; its subscribers and the private page's reach
    // two users; without notifications, nobody.
    let checkout =
        json!({"summary": "x", "affectedServices": [{"impact": "MAJOR_OUTAGE", "service": {"id": 8401}}]});
    let (status, info) = api
        .call(
            Method::POST,
            "/api/incidents/publish-info",
            Some(checkout.clone()),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        info,
        json!({"privateStatusPages": 1, "publicStatusPages": 1, "privateSubscribers": 2,
               "publicSubscribers": 0, "statusPagesInfo": {"id": 8421, "label": "Example Shop status"}})
    );
    let mut quiet = checkout;
    quiet["sendNotification"] = json!(false);
    let (_, info) = api
        .call(Method::POST, "/api/incidents/publish-info", Some(quiet))
        .await;
    assert_eq!(info["privateSubscribers"], 0);
    let website =
        json!({"summary": "x", "affectedServices": [{"impact": "DEGRADED", "service": {"id": 8403}}]});
    let (_, info) = api
        .call(Method::POST, "/api/incidents/publish-info", Some(website))
        .await;
    assert_eq!(
        (
            info["publicStatusPages"].clone(),
            info["privateSubscribers"].clone()
        ),
        (json!(1), json!(0))
    );
    let unknown = json!({"summary": "x", "affectedServices": [{"impact": "DEGRADED", "service": {"id": 1}}]});
    api.refused(Method::POST, "/api/incidents/publish-info", Some(unknown), 400)
        .await;
}

#[tokio::test]
async fn status_pages_arrange_their_services_in_groups() {
    let api = Api::start().await;
    let listed = api.get("/api/status-pages").await;
    assert_eq!(ids(&listed), vec![8421, 8422]);
    assert!(listed[0].get("structure").is_none(), "not in the list resource");
    let page = api
        .get("/api/status-pages/8421?include=groups&include=uptime")
        .await;
    assert_eq!(page["groups"], json!([{"id": 8431, "name": "Storefront"}]));
    assert_eq!(page["structure"]["elements"][0]["children"][0]["id"], 8401);
    let uptime = &page["services"][0]["uptime"];
    assert_eq!(uptime["rangeEnd"], "2027-01-15T08:00:00Z");
    assert_eq!(
        uptime["outages"][0]["status"], "MAJOR_OUTAGE",
        "the override of 2026-11-20"
    );

    // Create with defaults: a subdomain from the name, every service in the structure.
    let (status, created) = api
        .call(
            Method::POST,
            "/api/status-pages",
            Some(json!({"name": "Team Ops page", "services": [{"id": 8402}, {"id": 8403}]})),
        )
        .await;
    assert_eq!(
        status, 201,
        "ilert-go expects 201 (status_page.go:169): {created}"
    );
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["subdomain"], "team-ops-page.ilert.io");
    assert_eq!(created["visibility"], "PUBLIC");
    assert_eq!(ids(&created["structure"]["elements"]), vec![8402, 8403]);
    let taken = json!({"name": "Copy", "subdomain": "example-shop.ilert.io"});
    api.refused(Method::POST, "/api/status-pages", Some(taken), 409)
        .await;
    let allow_list = json!({"name": "Open", "ipWhitelist": ["203.0.113.7"]});
    api.refused(Method::POST, "/api/status-pages", Some(allow_list), 400)
        .await;
    let wrong = json!({"name": "Wrong", "services": [{"id": 8402}], "structure": {"elements": [{"id": 8403, "type": "SERVICE"}]}});
    api.refused(Method::POST, "/api/status-pages", Some(wrong), 400)
        .await;
    let layout = json!({"name": "Layout", "pageLayout": "GRID"});
    let message = api
        .refused(Method::POST, "/api/status-pages", Some(layout), 400)
        .await;
    assert!(message.contains("SINGLE_COLUMN, RESPONSIVE"), "{message}");

    // A group, put into the structure; deleting it lifts its services up again.
    let groups = format!("/api/status-pages/{id}/groups");
    let (status, group) = api
        .call(Method::POST, &groups, Some(json!({"name": "Data"})))
        .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_i64().expect("id");
    let mut edit = api.get(&format!("/api/status-pages/{id}")).await;
    edit["structure"] =
        json!({"elements": [{"id": gid, "type": "GROUP", "children": [{"id": 8402, "type": "SERVICE"}]}]});
    let (status, updated) = api
        .call(Method::PUT, &format!("/api/status-pages/{id}"), Some(edit))
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["structure"]["elements"],
        json!([{"id": gid, "type": "GROUP", "children": [{"id": 8402, "type": "SERVICE"}]}, {"id": 8403, "type": "SERVICE"}])
    );
    assert_eq!(
        api.call(Method::DELETE, &format!("{groups}/{gid}"), None).await.0,
        204
    );
    api.refused(Method::GET, &format!("{groups}/{gid}"), None, 404)
        .await;
    assert_eq!(
        ids(&api.get(&format!("/api/status-pages/{id}")).await["structure"]["elements"]),
        vec![8402, 8403]
    );
    api.refused(Method::GET, "/api/status-pages/8421/groups/8432", None, 404)
        .await;

    // A deleted service leaves the pages and incidents that named it.
    assert_eq!(api.call(Method::DELETE, "/api/services/8402", None).await.0, 204);
    assert_eq!(
        ids(&api.get(&format!("/api/status-pages/{id}")).await["services"]),
        vec![8403]
    );
    assert_eq!(
        api.get("/api/incidents/8412").await["affectedServices"],
        json!([])
    );
    assert_eq!(
        api.get("/api/service-outages/overrides?service=8402").await,
        json!([])
    );

    // Deleting the page takes its groups along.
    assert_eq!(
        api.call(Method::DELETE, "/api/status-pages/8422", None).await.0,
        204
    );
    api.refused(Method::GET, "/api/status-pages/8422/groups", None, 404)
        .await;
}

#[tokio::test]
async fn outages_follow_incidents_and_overrides() {
    let api = Api::start().await;
    let outages = |q: &str| format!("/api/service-outages?{q}");
    // The product database: partial outage, then degraded while monitoring; the override says
    // it was operational then.
    assert_eq!(
        api.get(&outages("service=8402&ignore-overrides=true")).await,
        json!([
            {"status": "PARTIAL_OUTAGE", "from": "2026-11-28T08:45:00Z", "until": "2026-11-28T09:10:00Z"},
            {"status": "DEGRADED", "from": "2026-11-28T09:10:00Z", "until": "2026-11-28T09:30:00Z"}
        ])
    );
    assert_eq!(
        api.get(&outages("service=8402")).await,
        json!([{"status": "PARTIAL_OUTAGE", "from": "2026-11-28T08:45:00Z", "until": "2026-11-28T09:10:00Z"}])
    );
    assert_eq!(
        api.get(&outages(
            "service=8402&ignore-overrides=true&from=2026-11-28T09:00:00Z&until=2026-11-28T09:20:00Z"
        ))
        .await,
        json!([
            {"status": "PARTIAL_OUTAGE", "from": "2026-11-28T09:00:00Z", "until": "2026-11-28T09:10:00Z"},
            {"status": "DEGRADED", "from": "2026-11-28T09:10:00Z", "until": "2026-11-28T09:20:00Z"}
        ])
    );
    // Checkout: a recorded outage and the open incident (no end yet).
    let checkout = api.get(&outages("service=8401")).await;
    assert_eq!(
        checkout[1],
        json!({"status": "DEGRADED", "from": "2026-11-28T09:20:00Z"})
    );
    api.refused(Method::GET, "/api/service-outages", None, 400).await;
    api.refused(Method::GET, &outages("service=8461"), None, 404)
        .await;

    // Overrides: a generic collection with a string id, checked spans.
    let (status, created) = api
        .call(
            Method::POST,
            "/api/service-outages/overrides",
            Some(json!({"service": {"id": 8403}, "status": "UNDER_MAINTENANCE",
                        "from": "2027-01-10T02:00:00Z", "until": "2027-01-10T03:00:00Z"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("a string id").to_owned();
    assert_eq!(created["service"]["name"], "Public website");
    assert_eq!(
        api.get(&outages("service=8403")).await[0]["status"],
        "UNDER_MAINTENANCE"
    );
    let uptime = &api.get("/api/services/8403?include=uptime").await["uptime"];
    assert_eq!(
        uptime["uptimePercentage"]["p30"], 100.0,
        "maintenance is no downtime"
    );
    let listed = api
        .get("/api/service-outages/overrides?service=8403&from=2027-01-01T00:00:00Z")
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let backwards = json!({"service": {"id": 8403}, "status": "MAJOR_OUTAGE", "from": "2027-01-10T03:00:00Z", "until": "2027-01-10T02:00:00Z"});
    api.refused(
        Method::PUT,
        &format!("/api/service-outages/overrides/{id}"),
        Some(backwards),
        400,
    )
    .await;
    let no_service =
        json!({"status": "MAJOR_OUTAGE", "from": "2027-01-10T02:00:00Z", "until": "2027-01-10T03:00:00Z"});
    api.refused(
        Method::POST,
        "/api/service-outages/overrides",
        Some(no_service),
        400,
    )
    .await;
    assert_eq!(
        api.call(
            Method::DELETE,
            &format!("/api/service-outages/overrides/{id}"),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(api.get(&outages("service=8403")).await, json!([]));
}

#[tokio::test]
async fn incident_templates_and_reset() {
    let api = Api::start().await;
    let listed = api.get("/api/incident-templates").await;
    assert_eq!(ids(&listed), vec![8451, 8452]);
    assert_eq!(listed[1]["sendNotification"], false);
    let (status, created) = api
        .call(
            Method::POST,
            "/api/incident-templates",
            Some(json!({"name": "DNS", "summary": "Names do not resolve"})),
        )
        .await;
    assert_eq!(
        status, 201,
        "ilert-go expects 201 (incident_template.go:46): {created}"
    );
    assert_eq!(
        (created["status"].clone(), created["teams"].clone()),
        (json!("INVESTIGATING"), json!([]))
    );
    let path = format!("/api/incident-templates/{}", created["id"]);
    let message = api
        .refused(
            Method::PUT,
            &path,
            Some(json!({"name": "DNS", "status": "DONE"})),
            400,
        )
        .await;
    assert!(message.contains("must be one of INVESTIGATING"), "{message}");
    api.refused(
        Method::POST,
        "/api/incident-templates",
        Some(json!({"summary": "no name"})),
        400,
    )
    .await;
    let team = json!({"name": "Team", "teams": [{"id": 77}]});
    api.refused(Method::POST, "/api/incident-templates", Some(team), 400)
        .await;

    api.server.reset();
    api.refused(Method::GET, &path, None, 404).await;
    assert_eq!(ids(&api.get("/api/incident-templates").await), vec![8451, 8452]);
}
