//! Where ilert's own clients and ilert's OpenAPI document disagree, the clients win: they run
//! against ilert's production API every day. Each case follows one client line (iLert/ilert-go
//! at 549c4adb, iLert/terraform-provider-ilert at d8da1ef2) and names it as its source, so a run
//! against the real ilert shows whether production still answers as the client expects.
//! `mock-server/docs/reconciliation-resources.md` is the table behind them.
//!
//! Reads run against any server with a token; cases that write run against the mock only and
//! remove what they made.

use reqwest::Method;
use serde_json::{Value, json};

use super::rest_crud::{self, LANE, unique_name};
use super::rest_incidents::user_id;
use crate::case::{Area, Case, CaseResult, Source, SourceKind, Stop, tags};
use crate::ctx::Cx;
use crate::req::Resp;

/// A line of one of ilert's clients (`repo@commit file:line`).
const fn client(reference: &'static str) -> Source {
    Source {
        kind: SourceKind::IlertClient,
        reference,
    }
}

/// One create that ilert-go expects to answer 201 (`getGenericAPIError(resp, 201)`).
struct Create {
    path: &'static str,
    scope: &'static str,
    body: fn(&str) -> Value,
}

const CREATES: [Create; 9] = [
    Create {
        path: "/api/alert-actions",
        scope: "action:d",
        body: |n| json!({"name": n, "connectorType": "jira", "connectorId": "9202", "alertSources": [{"id": 3001}], "triggerMode": "MANUAL"}),
    },
    Create {
        path: "/api/connectors",
        scope: "connector:d",
        body: |n| json!({"name": n, "type": "discord", "params": {"url": "https://discord.example.com/hook"}}),
    },
    Create {
        path: "/api/deployment-pipelines",
        scope: "source:d",
        body: |n| json!({"name": n, "integrationType": "API"}),
    },
    Create {
        path: "/api/incident-templates",
        scope: "template:d",
        body: |n| json!({"name": n, "summary": "Payments are failing", "status": "INVESTIGATING"}),
    },
    Create {
        path: "/api/metrics",
        scope: "metric:d",
        body: |n| json!({"name": n, "aggregationType": "AVG", "displayType": "GRAPH", "dataSource": {"id": 9301}, "metadata": {"query": "up"}}),
    },
    Create {
        path: "/api/metric-data-sources",
        scope: "metric_source:d",
        body: |n| json!({"name": n, "type": "PROMETHEUS", "metadata": {"url": "https://prometheus.example.com", "authType": "NONE"}}),
    },
    Create {
        path: "/api/services",
        scope: "service:d",
        body: |n| json!({"name": n, "description": "made by ilert-conformance"}),
    },
    Create {
        path: "/api/status-pages",
        scope: "status_page:d",
        body: |n| json!({"name": n, "subdomain": format!("{n}.ilert.io"), "visibility": "PUBLIC"}),
    },
    Create {
        path: "/api/teams",
        scope: "team:d",
        body: |n| json!({"name": n, "visibility": "PUBLIC", "members": []}),
    },
];

/// `POST {path}`: 201 with the entity and its `Location`; the entity is removed after.
async fn created(cx: Cx, create: &'static Create) -> CaseResult {
    let token = cx.access_token(create.scope).await?;
    let body = (create.body)(&unique_name(&cx));
    let r = rest_crud::posted(&cx, &token, create.path, body).await?;
    r.status_is(201)?;
    r.ensure(
        r.json.get("id").is_some() && r.location().is_some(),
        "the created entity with its id, and a Location header",
    )?;
    Ok(())
}

macro_rules! create_case {
    ($i:literal, $id:literal, $title:literal, $source:literal) => {
        Case::new(Area::Api, $id, $title, client($source), |cx| {
            ::std::boxed::Box::pin(created(cx, &CREATES[$i]))
        })
        .tags(tags::WRITE)
        .lane(LANE)
    };
}

/// The user of the case's token, by id.
async fn me(cx: &Cx) -> Result<i64, Stop> {
    let user = cx.user("someTenant").await?;
    user_id(cx, &user).await
}

/// `{answer}` lists exactly the user `id` as a `USER` subscriber.
fn lists_only(r: &Resp, id: i64) -> bool {
    r.json
        .as_array()
        .is_some_and(|l| l.len() == 1 && l[0]["id"] == id && l[0]["type"] == "USER")
}

/// `method {path}/{id}/private-subscribers` of the current user, on an entity made of `body` at
/// `path` (and removed after) with a token of `scope`: 202 with exactly that user.
async fn subscribers(cx: &Cx, scope: &str, method: Method, made: (&str, Value, &str)) -> CaseResult {
    let token = cx.access_token(scope).await?;
    let id = me(cx).await?;
    let path = made.0;
    let subscriber = json!([{"id": id, "name": "", "type": "USER"}]);
    let (_, r) = rest_crud::around_made(cx, &token, made, async |entity| {
        let subscribers = format!("{path}/{entity}/private-subscribers");
        cx.api(method, &subscribers, &token, Some(subscriber)).await
    })
    .await?;
    r.status_is(202)?;
    r.ensure(
        lists_only(&r, id),
        format!("a JSON array of the subscribers: user {id}"),
    )?;
    Ok(())
}

async fn service_subscribers(cx: Cx) -> CaseResult {
    let service = rest_crud::scratch_body(&unique_name(&cx));
    let made = (rest_crud::SERVICES, service, "a created service");
    subscribers(&cx, "service:d", Method::PUT, made).await
}

async fn page_subscribers(cx: Cx) -> CaseResult {
    let name = unique_name(&cx);
    let body = json!({"name": name, "subdomain": format!("{name}.ilert.io"), "visibility": "PRIVATE"});
    let made = ("/api/status-pages", body, "a created status page");
    subscribers(&cx, "status_page:d", Method::POST, made).await
}

/// `GET {path}/name/{name}` of the first listed entity: 200 with that entity; an unknown
/// name: 404 in the REST shape.
async fn by_name(cx: Cx, path: &str, scope: &str) -> CaseResult {
    let token = cx.access_token(scope).await?;
    let all = cx
        .request(Method::GET, path)
        .bearer(&token)
        .quiet()
        .send()
        .await?;
    let Some(first) = all.json.get(0).cloned() else {
        return Err(Stop::skip(format!("needs an entity listed at {path}")));
    };
    let Some(name) = first["name"].as_str() else {
        return Err(all.fail("listed entities with a name"));
    };
    let escaped: String = url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let r = cx.api_get(&format!("{path}/name/{escaped}"), &token).await?;
    r.status_is(200)?;
    r.ensure(
        r.json["id"] == first["id"] && r.json["name"] == first["name"],
        format!("the entity named {name:?} (id {})", first["id"]),
    )?;
    cx.api_get(&format!("{path}/name/no-such-name-{}", unique_name(&cx)), &token)
        .await?
        .rest_error(404)?;
    Ok(())
}

async fn services_by_name(cx: Cx) -> CaseResult {
    by_name(cx, "/api/services", "service").await
}

async fn sources_by_name(cx: Cx) -> CaseResult {
    by_name(cx, "/api/alert-sources", "source").await
}

async fn policies_by_name(cx: Cx) -> CaseResult {
    by_name(cx, "/api/escalation-policies", "policy").await
}

/// The first listed service's id.
async fn first_service(cx: &Cx, token: &str) -> Result<Value, Stop> {
    let all = cx
        .request(Method::GET, rest_crud::SERVICES)
        .bearer(token)
        .quiet()
        .send()
        .await?;
    all.json
        .get(0)
        .and_then(|s| s.get("id"))
        .cloned()
        .ok_or_else(|| Stop::skip("needs a service listed at /api/services"))
}

async fn uptime(cx: Cx) -> CaseResult {
    let token = cx.access_token("service").await?;
    let id = first_service(&cx, &token).await?;
    let path = format!(
        "{}/{}?include=uptime",
        rest_crud::SERVICES,
        rest_crud::segment(&id)
    );
    let r = cx.api_get(&path, &token).await?;
    r.status_is(200)?;
    let p = &r.json["uptime"]["uptimePercentage"];
    r.ensure(
        ["p90", "p60", "p30"].iter().all(|k| p[*k].is_number()),
        "uptime.uptimePercentage with the numbers p90, p60 and p30",
    )?;
    Ok(())
}

async fn include_list(cx: Cx) -> CaseResult {
    let token = cx.access_token("service").await?;
    let id = first_service(&cx, &token).await?;
    let base = format!("{}/{}", rest_crud::SERVICES, rest_crud::segment(&id));
    let repeated = cx
        .api_get(&format!("{base}?include=subscribed&include=uptime"), &token)
        .await?;
    repeated.status_is(200)?;
    let listed = cx
        .api_get(&format!("{base}?include=subscribed,uptime"), &token)
        .await?;
    listed.status_is(200)?;
    listed.ensure(
        listed.json["subscribed"].is_boolean()
            && listed.json["uptime"].is_object()
            && listed.json["subscribed"] == repeated.json["subscribed"],
        "the service with subscribed and uptime, as with repeated include",
    )?;
    Ok(())
}

/// `POST /api/users` of `body`; the created user is removed after.
async fn post_user(cx: &Cx, token: &str, body: Value) -> Result<Resp, Stop> {
    rest_crud::posted(cx, token, "/api/users", body).await
}

async fn viewer(cx: Cx) -> CaseResult {
    let token = cx.access_token("user:d").await?;
    let email = format!("{}@example.com", unique_name(&cx));
    let body = json!({"firstName": "Vic", "lastName": "Viewer", "email": email, "role": "VIEWER"});
    let r = post_user(&cx, &token, body).await?;
    r.status_is(201)?;
    r.ensure(r.json["role"] == "VIEWER", "the user with role VIEWER")?;
    Ok(())
}

/// `POST /api/schedules` of `body`; the created schedule is removed after.
async fn post_schedule(cx: &Cx, token: &str, body: Value) -> Result<Resp, Stop> {
    rest_crud::posted(cx, token, "/api/schedules", body).await
}

async fn time_zone(cx: Cx) -> CaseResult {
    let token = cx.access_token("schedule:d").await?;
    let name = unique_name(&cx);
    let body = json!({"name": name, "timezone": "Asia/Tokyo", "type": "STATIC", "shifts": []});
    let r = post_schedule(&cx, &token, body).await?;
    r.status_is(201)?;
    r.ensure(r.json["timezone"] == "Asia/Tokyo", "the schedule in Asia/Tokyo")?;
    let wrong = json!({"name": name, "timezone": "Mars/Olympus_Mons", "type": "STATIC", "shifts": []});
    let r = post_schedule(&cx, &token, wrong).await?;
    names_field(&r, "timezone")
}

async fn local_time(cx: Cx) -> CaseResult {
    let token = cx.access_token("schedule:d").await?;
    let id = me(&cx).await?;
    let body = json!({"name": unique_name(&cx), "timezone": "Europe/Berlin", "type": "STATIC", "shifts": [
        {"user": {"id": id}, "start": "2030-03-01T08:00", "end": "2030-03-01T20:00:00"}
    ]});
    let r = post_schedule(&cx, &token, body).await?;
    r.status_is(201)?;
    Ok(())
}

/// `r` refuses with 400 in the REST shape and names `field`.
fn names_field(r: &Resp, field: &str) -> CaseResult {
    r.rest_error_naming(400, field, format!("a message that names the field '{field}'"))?;
    Ok(())
}

async fn strict_email(cx: Cx) -> CaseResult {
    let token = cx.access_token("user:d").await?;
    let body = json!({"firstName": "No", "lastName": "Address", "email": unique_name(&cx)});
    names_field(&post_user(&cx, &token, body).await?, "email")
}

async fn strict_phone(cx: Cx) -> CaseResult {
    let token = cx.access_token("user:d").await?;
    let id = me(&cx).await?;
    let path = format!("/api/users/{id}/contacts/phone-numbers");
    let body = json!({"regionCode": "DE", "target": "call me maybe"});
    let r = rest_crud::posted(&cx, &token, &path, body).await?;
    names_field(&r, "target")
}

async fn strict_target(cx: Cx) -> CaseResult {
    let token = cx.access_token("policy:d").await?;
    let body = json!({"name": unique_name(&cx), "escalationRules": [{"escalationTimeout": 0}]});
    let r = rest_crud::posted(&cx, &token, "/api/escalation-policies", body).await?;
    names_field(&r, "escalationRules[0]")
}

async fn strict_subdomain(cx: Cx) -> CaseResult {
    let token = cx.access_token("status_page:d").await?;
    let name = unique_name(&cx);
    let body = json!({"name": name, "subdomain": format!("-{name}.ilert.io")});
    let r = rest_crud::posted(&cx, &token, "/api/status-pages", body).await?;
    names_field(&r, "subdomain")
}

async fn search_target(cx: Cx) -> CaseResult {
    let token = cx.access_token("user:d").await?;
    let id = me(&cx).await?;
    let path = format!("/api/users/{id}/contacts/emails");
    let target = format!("{}@example.com", unique_name(&cx));
    let contact = (
        path.as_str(),
        json!({"target": target}),
        "a created e-mail contact",
    );
    let (made, r) = rest_crud::around_made(&cx, &token, contact, async |_| {
        let search = format!("{path}/search-target");
        cx.api(Method::POST, &search, &token, Some(json!({"target": target})))
            .await
    })
    .await?;
    r.status_is(200)?;
    r.ensure(
        r.json["id"] == made && r.json["target"] == target,
        format!("the contact {made} with target {target}"),
    )?;
    Ok(())
}

async fn override_post(cx: Cx) -> CaseResult {
    let token = cx.access_token("schedule:d").await?;
    let id = me(&cx).await?;
    let body = json!({"name": unique_name(&cx), "timezone": "Europe/Berlin", "type": "STATIC", "shifts": [
        {"user": {"id": id}, "start": "2030-03-01T08:00:00Z", "end": "2030-03-01T20:00:00Z"}
    ]});
    let cover = json!({"user": {"id": id}, "start": "2030-03-01T10:00:00Z", "end": "2030-03-01T12:00:00Z"});
    let (_, r) = rest_crud::around_made(
        &cx,
        &token,
        ("/api/schedules", body, "a created schedule"),
        async |schedule| {
            let path = format!("/api/schedules/{schedule}/overrides");
            cx.api(Method::POST, &path, &token, Some(cover)).await
        },
    )
    .await?;
    r.status_is(200)?;
    Ok(())
}

/// The cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Api;
    vec![
        create_case!(0, "API-RECONCILE-CREATE-201-01", "POST /api/alert-actions: 201 with the alert action, as ilert-go expects (the document says 200)", "iLert/ilert-go@549c4adb alert_action.go:425"),
        create_case!(1, "API-RECONCILE-CREATE-201-02", "POST /api/connectors: 201 with the connector, as ilert-go expects (the document says 200)", "iLert/ilert-go@549c4adb connector.go:238"),
        create_case!(2, "API-RECONCILE-CREATE-201-03", "POST /api/deployment-pipelines: 201 with the pipeline, as ilert-go expects (the document says 200)", "iLert/ilert-go@549c4adb deployment_pipeline.go:143"),
        create_case!(3, "API-RECONCILE-CREATE-201-04", "POST /api/incident-templates: 201 with the template, as ilert-go expects (the document says 200)", "iLert/ilert-go@549c4adb incident_template.go:46"),
        create_case!(4, "API-RECONCILE-CREATE-201-05", "POST /api/metrics: 201 with the metric, as ilert-go expects (the document says 200)", "iLert/ilert-go@549c4adb metric.go:104"),
        create_case!(5, "API-RECONCILE-CREATE-201-06", "POST /api/metric-data-sources: 201 with the data source, as ilert-go expects (the document says 200)", "iLert/ilert-go@549c4adb metric_data_source.go:91"),
        create_case!(6, "API-RECONCILE-CREATE-201-07", "POST /api/services: 201 with the service, as ilert-go expects (the document says 200)", "iLert/ilert-go@549c4adb service.go:113"),
        create_case!(7, "API-RECONCILE-CREATE-201-08", "POST /api/status-pages: 201 with the status page, as ilert-go expects (the document says 200)", "iLert/ilert-go@549c4adb status_page.go:169"),
        create_case!(8, "API-RECONCILE-CREATE-201-09", "POST /api/teams: 201 with the team, as ilert-go expects (the document says 200)", "iLert/ilert-go@549c4adb team.go:96"),
        Case::new(a, "API-RECONCILE-SUBSCRIBERS-202-01", "PUT /api/services/{id}/private-subscribers: 202 with the subscribers as a JSON array, as ilert-go reads it (the document says 204)", client("iLert/ilert-go@549c4adb service.go:387"), crate::case::run!(service_subscribers)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-SUBSCRIBERS-202-02", "POST /api/status-pages/{id}/private-subscribers with an array, as ilert-go sends it: 202 with the subscribers (the document says one, and 204)", client("iLert/ilert-go@549c4adb status_page.go:439"), crate::case::run!(page_subscribers)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-BY-NAME-01", "GET /api/services/name/{name}: 200 with the service of that name, 404 in the REST shape for an unknown name", client("iLert/ilert-go@549c4adb service.go:296"), crate::case::run!(services_by_name)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-RECONCILE-BY-NAME-02", "GET /api/alert-sources/name/{name}: 200 with the alert source of that name, 404 in the REST shape for an unknown name", client("iLert/ilert-go@549c4adb alert_source.go:849"), crate::case::run!(sources_by_name)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-RECONCILE-BY-NAME-03", "GET /api/escalation-policies/name/{name}: 200 with the policy of that name, 404 in the REST shape for an unknown name", client("iLert/ilert-go@549c4adb escalation_policy.go:174"), crate::case::run!(policies_by_name)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-RECONCILE-SEARCH-TARGET-01", "POST /api/users/{id}/contacts/emails/search-target: 200 with the contact of that target, as Terraform's contact data source asks", client("iLert/ilert-go@549c4adb user_email_contact.go:184"), crate::case::run!(search_target)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-OVERRIDE-POST-01", "POST /api/schedules/{id}/overrides, as ilert-go sends the document's PUT: 200", client("iLert/ilert-go@549c4adb schedule.go:512"), crate::case::run!(override_post)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-UPTIME-01", "GET /api/services/{id}?include=uptime: uptime.uptimePercentage holds p90, p60 and p30, as ilert-go reads them", client("iLert/ilert-go@549c4adb service.go:30"), crate::case::run!(uptime)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-RECONCILE-INCLUDE-LIST-01", "GET /api/services/{id}?include=subscribed,uptime answers as the repeated include=subscribed&include=uptime that ilert-go sends", client("iLert/ilert-go@549c4adb service.go:166"), crate::case::run!(include_list)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-RECONCILE-ROLE-VIEWER-01", "POST /api/users with role VIEWER, which Terraform accepts: 201 with the role", client("iLert/terraform-provider-ilert@d8da1ef2 ilert/resource_user.go:72"), crate::case::run!(viewer)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-TIMEZONE-01", "POST /api/schedules in any IANA time zone (Asia/Tokyo): 201; an unknown zone: 400 naming 'timezone'", client("iLert/terraform-provider-ilert@d8da1ef2 website/docs/r/schedule.html.markdown:66"), crate::case::run!(time_zone)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-LOCAL-TIME-01", "POST /api/schedules with shift times without offset, as Terraform's examples send them: 201", client("iLert/terraform-provider-ilert@d8da1ef2 examples/schedule/main.tf:40"), crate::case::run!(local_time)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-STRICT-EMAIL-01", "POST /api/users with an e-mail address ilert cannot mail: 400 naming 'email'", client("iLert/ilert-go@549c4adb user.go:17"), crate::case::run!(strict_email)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-STRICT-PHONE-01", "POST /api/users/{id}/contacts/phone-numbers with a number ilert cannot call: 400 naming 'target'", client("iLert/ilert-go@549c4adb user_phone_number_contact.go:13"), crate::case::run!(strict_phone)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-STRICT-TARGET-01", "POST /api/escalation-policies with a level that names no user, schedule or team: 400 naming the level", client("iLert/ilert-go@549c4adb escalation_policy.go:24"), crate::case::run!(strict_target)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-STRICT-SUBDOMAIN-01", "POST /api/status-pages with a subdomain that is no host name: 400 naming 'subdomain'", client("iLert/terraform-provider-ilert@d8da1ef2 examples/status_page/main.tf:7"), crate::case::run!(strict_subdomain)).tags(tags::WRITE).lane(LANE),
    ]
}
