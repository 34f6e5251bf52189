//! Services and incidents (ilert's OpenAPI groups "Services" and "Incidents"): the collection
//! cases of [`super::rest_crud`], and what incidents do: an incident moves the status of the
//! services it affects and of the status pages that show them, `PUT` honours `If-Match`,
//! `publish-info` forecasts who would be told, and private subscribers are kept.

use reqwest::Method;
use serde_json::{Value, json};

use super::rest_crud::{self, Crud, Extras, SERVICES, Scratch, crud_cases};
use crate::case::{Area, Case, CaseResult, Stop, ilert, tags};
use crate::ctx::Cx;
use crate::req::Resp;

/// Incidents.
pub(crate) const INCIDENTS: &str = "/api/incidents";
/// Status pages.
pub(crate) const STATUS_PAGES: &str = "/api/status-pages";

/// Services.
pub(crate) static SERVICE_ROW: Crud = Crud {
    path: SERVICES,
    noun: "service",
    read: "service",
    write: "service:d",
    created: 201,
    fields: &[
        "id",
        "name",
        "status",
        "description",
        "oneOpenIncidentOnly",
        "showUptimeHistory",
        "teams",
    ],
    create: |s| json!({"name": s.name, "description": "Checkout of the conformance shop", "status": "OPERATIONAL"}),
    update: (
        |s| json!({"name": s.name, "description": "Renamed", "status": "UNDER_MAINTENANCE"}),
        &["/status"],
    ),
    invalid: (|s| json!({"name": s.name, "status": "BROKEN"}), Some("status")),
    extras: Extras::NONE,
};

/// Incidents, each affecting a scratch service; ilert's API cannot delete them, so the suite
/// resolves its own.
pub(crate) static INCIDENT_ROW: Crud = Crud {
    path: INCIDENTS,
    noun: "incident",
    read: "incident",
    write: "incident:d service:d",
    created: 200,
    fields: &[
        "id",
        "summary",
        "status",
        "message",
        "sendNotification",
        "createdAt",
        "updatedAt",
        "affectedServices",
    ],
    create: |s| {
        json!({"summary": "Checkout answers 503", "status": "INVESTIGATING", "message": "Looking into it",
               "affectedServices": [{"impact": "DEGRADED", "service": {"id": s.service}}]})
    },
    update: (
        |_| json!({"status": "IDENTIFIED", "message": "A failing node was found"}),
        &["/status"],
    ),
    invalid: (
        |_| json!({"summary": "Unknown state", "status": "OPEN"}),
        Some("status"),
    ),
    extras: Extras {
        needs_service: true,
        close: Some(|_| json!({"status": "RESOLVED", "message": "Closed by ilert-conformance"})),
        ..Extras::NONE
    },
};

/// The cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Api;
    let lane = rest_crud::LANE;
    let mut cases = crud_cases!(entities SERVICE_ROW, "SERVICES", "/services", "services");
    cases.extend(crud_cases!(entities INCIDENT_ROW, "INCIDENTS", "/incidents", "incidents"));
    cases.extend([
        Case::new(a, "API-INCIDENTS-SERVICES-01", "An incident sets its services' status and their status pages'; resolving it makes them operational again", ilert("ilert-rest-api-openapi POST /incidents"), crate::case::run!(moves_services)).tags(tags::WRITE).lane(lane),
        Case::new(a, "API-INCIDENTS-ETAG-01", "PUT /api/incidents/{id} with an If-Match of an earlier version: 412; with the current ETag: 200", ilert("ilert-rest-api-openapi PUT /incidents/{id}"), crate::case::run!(etag)).tags(tags::WRITE).lane(lane),
        Case::new(a, "API-INCIDENTS-PUBLISH-INFO-01", "POST /api/incidents/publish-info counts the status pages showing the affected services and their private subscribers", ilert("ilert-rest-api-openapi POST /incidents/publish-info"), crate::case::run!(publish_info)).tags(tags::WRITE).lane(lane),
        Case::new(a, "API-INCIDENTS-SUBSCRIBERS-01", "POST /api/incidents/{id}/private-subscribers adds users; GET lists them as TeamUserOption", ilert("ilert-rest-api-openapi POST /incidents/{id}/private-subscribers"), crate::case::run!(incident_subscribers)).tags(tags::WRITE).lane(lane),
        Case::new(a, "API-SERVICES-SUBSCRIBERS-01", "PUT /api/services/{id}/private-subscribers sets them in place; GET lists them", ilert("ilert-rest-api-openapi PUT /services/{id}/private-subscribers"), crate::case::run!(service_subscribers)).tags(tags::WRITE).lane(lane),
    ]);
    cases
}

/// A recorded call with the scratch token.
pub(super) async fn call(
    cx: &Cx,
    s: &Scratch,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Resp, Stop> {
    cx.api(method, path, &s.token, body).await
}

/// Runs `check` with a scratch service and an incident affecting it (`impact`), then resolves
/// the incident and removes the service.
async fn with_incident(
    cx: &Cx,
    scopes: &str,
    impact: &str,
    check: impl AsyncFnOnce(&Scratch, i64) -> CaseResult,
) -> CaseResult {
    let mut s = rest_crud::scratch(cx, &INCIDENT_ROW).await?;
    s.token = cx
        .access_token(format!("incident:d service:d {scopes}").trim_end())
        .await?;
    let mut body = (INCIDENT_ROW.create)(&s);
    body["affectedServices"][0]["impact"] = json!(impact);
    let id = match rest_crud::made(cx, &s.token, INCIDENTS, body, "a created incident").await {
        Ok(id) => id,
        Err(stop) => {
            rest_crud::discard(cx, &INCIDENT_ROW, &s, None).await;
            return Err(stop);
        }
    };
    let outcome = check(&s, id).await;
    rest_crud::discard(cx, &INCIDENT_ROW, &s, Some(&json!(id))).await;
    outcome
}

/// A scratch status page showing the scratch service, made quietly; its id.
pub(super) async fn scratch_page(cx: &Cx, s: &Scratch, extra: Value) -> Result<i64, Stop> {
    let mut body =
        json!({"name": s.name, "subdomain": format!("{}.ilert.io", s.name), "services": [{"id": s.service}]});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    rest_crud::made(cx, &s.token, STATUS_PAGES, body, "a created status page").await
}

async fn moves_services(cx: Cx) -> CaseResult {
    with_incident(&cx, "status_page:d", "MAJOR_OUTAGE", async |s, id| {
        let page = scratch_page(&cx, s, json!({})).await?;
        let page_path = format!("{STATUS_PAGES}/{page}");
        rest_crud::then_remove(&cx, &s.token, &page_path, async {
            let service = format!("{SERVICES}/{}", s.service.unwrap_or_default());
            for (path, want) in [(&service, "MAJOR_OUTAGE"), (&page_path, "MAJOR_OUTAGE")] {
                let r = call(&cx, s, Method::GET, path, None).await?;
                r.ensure(
                    r.status == 200 && r.json["status"] == want,
                    format!("200 with status {want}"),
                )?;
            }
            let resolve = json!({"status": "RESOLVED", "message": "Fixed"});
            let r = call(&cx, s, Method::PUT, &format!("{INCIDENTS}/{id}"), Some(resolve)).await?;
            r.ensure(
                r.status == 200 && r.json["resolvedOn"].is_string(),
                "200 with the incident resolved (resolvedOn set)",
            )?;
            for path in [&service, &page_path] {
                let r = call(&cx, s, Method::GET, path, None).await?;
                r.ensure(
                    r.status == 200 && r.json["status"] == "OPERATIONAL",
                    "200 with status OPERATIONAL",
                )?;
            }
            Ok(())
        })
        .await
    })
    .await
}

async fn etag(cx: Cx) -> CaseResult {
    with_incident(&cx, "", "DEGRADED", async |s, id| {
        let path = format!("{INCIDENTS}/{id}");
        let read = call(&cx, s, Method::GET, &path, None).await?;
        let Some(tag) = read.header("etag").map(str::to_owned) else {
            return Err(read.fail("an ETag header (ilert: GET /incidents/{id} returns one)"));
        };
        let change = json!({"status": "MONITORING", "message": "Watching"});
        call(&cx, s, Method::PUT, &path, Some(change.clone()))
            .await?
            .status_is(200)?;
        let stale = cx
            .request(Method::PUT, &path)
            .bearer(&s.token)
            .header("if-match", &tag)
            .json(change.clone())
            .send()
            .await?;
        stale.rest_error(412)?;
        let current = call(&cx, s, Method::GET, &path, None).await?;
        let fresh = current.header("etag").unwrap_or_default().to_owned();
        let r = cx
            .request(Method::PUT, &path)
            .bearer(&s.token)
            .header("if-match", &fresh)
            .json(change)
            .send()
            .await?;
        r.status_is(200)?;
        Ok(())
    })
    .await
}

async fn publish_info(cx: Cx) -> CaseResult {
    let mut s = rest_crud::scratch(&cx, &INCIDENT_ROW).await?;
    s.token = cx.access_token("incident:d service:d status_page:d").await?;
    let user = cx.user("someTenant").await?;
    let outcome = async {
        let user_id = user_id(&cx, &user).await?;
        let page = scratch_page(&cx, &s, json!({"visibility": "PRIVATE"})).await?;
        let service = s.service.unwrap_or_default();
        let set = json!([{"id": user_id, "type": "USER"}]);
        call(&cx, &s, Method::PUT, &format!("{SERVICES}/{service}/private-subscribers"), Some(set))
            .await?
            .status_is(202)?;
        let body = json!({"summary": "Forecast", "affectedServices": [{"impact": "MAJOR_OUTAGE", "service": {"id": service}}]});
        let r = call(&cx, &s, Method::POST, &format!("{INCIDENTS}/publish-info"), Some(body)).await;
        rest_crud::remove(&cx, &s.token, &format!("{STATUS_PAGES}/{page}")).await;
        let r = r?;
        r.status_is(200)?;
        r.ensure(
            r.json["privateStatusPages"] == 1
                && r.json["publicStatusPages"] == 0
                && r.json["privateSubscribers"] == 1
                && r.json["statusPagesInfo"]["id"] == page,
            "one private status page (the scratch page, in statusPagesInfo), none public, one private subscriber",
        )?;
        Ok(())
    }
    .await;
    rest_crud::discard(&cx, &INCIDENT_ROW, &s, None).await;
    outcome
}

/// The id of the case's user `username` (`GET /api/users/{username}`, quietly).
pub(super) async fn user_id(cx: &Cx, username: &str) -> Result<i64, Stop> {
    let token = cx.access_token("user").await?;
    let r = cx
        .request(Method::GET, &format!("/api/users/{username}"))
        .bearer(&token)
        .quiet()
        .send()
        .await?;
    r.json["id"].as_i64().ok_or_else(|| r.fail("the case's user"))
}

/// Lists `path` and checks it holds exactly the user `id` as a `USER` `TeamUserOption`.
pub(super) async fn lists_user(cx: &Cx, s: &Scratch, path: &str, id: i64) -> CaseResult {
    let r = call(cx, s, Method::GET, path, None).await?;
    r.status_is(200)?;
    r.ensure(
        r.json.as_array().is_some_and(|l| {
            l.len() == 1 && l[0]["id"] == id && l[0]["type"] == "USER" && l[0]["name"].is_string()
        }),
        format!("exactly user {id} as a TeamUserOption (id, name, type USER)"),
    )?;
    Ok(())
}

async fn incident_subscribers(cx: Cx) -> CaseResult {
    let user = cx.user("someTenant").await?;
    with_incident(&cx, "", "DEGRADED", async |s, id| {
        let user_id = user_id(&cx, &user).await?;
        let path = format!("{INCIDENTS}/{id}/private-subscribers");
        let add = json!([{"id": user_id, "type": "USER"}]);
        let r = call(&cx, s, Method::POST, &path, Some(add)).await?;
        r.status_is(202)?;
        lists_user(&cx, s, &path, user_id).await
    })
    .await
}

async fn service_subscribers(cx: Cx) -> CaseResult {
    let user = cx.user("someTenant").await?;
    let s = rest_crud::scratch(&cx, &INCIDENT_ROW).await?;
    let outcome = async {
        let user_id = user_id(&cx, &user).await?;
        let path = format!("{SERVICES}/{}/private-subscribers", s.service.unwrap_or_default());
        let set = json!([{"id": user_id, "type": "USER"}]);
        call(&cx, &s, Method::PUT, &path, Some(set.clone()))
            .await?
            .status_is(202)?;
        call(&cx, &s, Method::PUT, &path, Some(set))
            .await?
            .status_is(202)?;
        lists_user(&cx, &s, &path, user_id).await
    }
    .await;
    rest_crud::discard(&cx, &INCIDENT_ROW, &s, None).await;
    outcome
}
