//! Status pages, service outages and incident templates (ilert's OpenAPI groups "Status Pages",
//! "Service Outages" and "Incident Templates"): the collection cases of [`super::rest_crud`],
//! a status page's groups and private subscribers, and outages that follow their overrides.

use reqwest::Method;
use serde_json::json;

use super::rest_crud::{self, Crud, Extras, crud_cases};
use super::rest_incidents::{STATUS_PAGES, call, lists_user, scratch_page, user_id};
use crate::case::{Area, Case, CaseResult, ilert, tags};
use crate::ctx::Cx;

/// Status pages, named and addressed after the case.
pub(crate) static STATUS_PAGE_ROW: Crud = Crud {
    path: STATUS_PAGES,
    noun: "status page",
    read: "status_page",
    write: "status_page:d service:d",
    created: 201,
    fields: &[
        "id",
        "name",
        "subdomain",
        "visibility",
        "timezone",
        "status",
        "services",
    ],
    create: |s| json!({"name": s.name, "subdomain": format!("{}.ilert.io", s.name), "visibility": "PUBLIC"}),
    update: (
        |s| json!({"name": s.name, "subdomain": format!("{}.ilert.io", s.name), "appearance": "DARK"}),
        &["/appearance"],
    ),
    invalid: (
        |s| json!({"name": s.name, "pageLayout": "GRID"}),
        Some("pageLayout"),
    ),
    extras: Extras::NONE,
};

/// Outage overrides of a scratch service.
pub(crate) static OVERRIDE_ROW: Crud = Crud {
    path: "/api/service-outages/overrides",
    noun: "override",
    read: "service",
    write: "service:d",
    created: 201,
    fields: &["id", "service", "status", "from", "until"],
    create: |s| {
        json!({"service": {"id": s.service}, "status": "MAJOR_OUTAGE",
               "from": "2026-11-01T10:00:00Z", "until": "2026-11-01T11:00:00Z"})
    },
    update: (
        |s| {
            json!({"service": {"id": s.service}, "status": "PARTIAL_OUTAGE",
                   "from": "2026-11-01T10:00:00Z", "until": "2026-11-01T10:30:00Z"})
        },
        &["/status"],
    ),
    invalid: (
        |s| {
            json!({"service": {"id": s.service}, "status": "DOWN",
                   "from": "2026-11-01T10:00:00Z", "until": "2026-11-01T11:00:00Z"})
        },
        Some("status"),
    ),
    extras: Extras {
        needs_service: true,
        ..Extras::NONE
    },
};

/// Incident templates.
pub(crate) static TEMPLATE_ROW: Crud = Crud {
    path: "/api/incident-templates",
    noun: "template",
    read: "template",
    write: "template:d service:d",
    created: 201,
    fields: &[
        "id",
        "name",
        "summary",
        "status",
        "message",
        "sendNotification",
        "teams",
    ],
    create: |s| {
        json!({"name": s.name, "summary": "Payments are failing", "status": "INVESTIGATING",
               "message": "Payments through our provider fail; a fix is under way."})
    },
    update: (|s| json!({"name": s.name, "status": "MONITORING"}), &["/status"]),
    invalid: (|s| json!({"name": s.name, "status": "DONE"}), Some("status")),
    extras: Extras::NONE,
};

/// The cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Api;
    let lane = rest_crud::LANE;
    let mut cases = crud_cases!(entities STATUS_PAGE_ROW, "STATUS-PAGES", "/status-pages", "status pages");
    cases.extend(crud_cases!(entities OVERRIDE_ROW, "SERVICE-OUTAGES-OVERRIDES", "/service-outages/overrides", "outage overrides"));
    cases.extend(
        crud_cases!(entities TEMPLATE_ROW, "INCIDENT-TEMPLATES", "/incident-templates", "incident templates"),
    );
    cases.extend([
        Case::new(a, "API-STATUS-PAGES-GROUPS-01", "A status page's groups: POST 201, GET, PUT renames, DELETE 204, then GET is 404", ilert("ilert-rest-api-openapi POST /status-pages/{id}/groups"), crate::case::run!(page_groups)).tags(tags::WRITE).lane(lane),
        Case::new(a, "API-STATUS-PAGES-SUBSCRIBERS-01", "A status page's private subscribers: POST adds one, GET lists it, DELETE with subscriber-type removes it", ilert("ilert-rest-api-openapi DELETE /status-pages/{id}/private-subscribers/{subscriber-id}"), crate::case::run!(page_subscribers)).tags(tags::WRITE).lane(lane),
        Case::new(a, "API-SERVICE-OUTAGES-01", "GET /api/service-outages?service= answers an override's span as an outage, and nothing with ignore-overrides=true", ilert("ilert-rest-api-openapi GET /service-outages"), crate::case::run!(outages)).tags(tags::WRITE).lane(lane),
    ]);
    cases
}

async fn page_groups(cx: Cx) -> CaseResult {
    let s = rest_crud::scratch(&cx, &STATUS_PAGE_ROW).await?;
    let page = scratch_page(&cx, &s, json!({"services": []})).await?;
    let groups = format!("{STATUS_PAGES}/{page}/groups");
    let page_path = format!("{STATUS_PAGES}/{page}");
    rest_crud::then_remove(&cx, &s.token, &page_path, async {
        let created = call(
            &cx,
            &s,
            Method::POST,
            &groups,
            Some(json!({"name": "Storefront"})),
        )
        .await?;
        created.status_is(201)?;
        let group = format!("{groups}/{}", created.json["id"]);
        let read = call(&cx, &s, Method::GET, &group, None).await?;
        read.ensure(
            read.status == 200 && read.json["name"] == "Storefront",
            "200 with the group",
        )?;
        let renamed = call(&cx, &s, Method::PUT, &group, Some(json!({"name": "Shop"}))).await?;
        renamed.ensure(
            renamed.status == 200 && renamed.json["name"] == "Shop",
            "200 with the new name",
        )?;
        let gone = call(&cx, &s, Method::DELETE, &group, None).await?;
        gone.status_is(204)?;
        call(&cx, &s, Method::GET, &group, None).await?.rest_error(404)?;
        Ok(())
    })
    .await
}

async fn page_subscribers(cx: Cx) -> CaseResult {
    let user = cx.user("someTenant").await?;
    let s = rest_crud::scratch(&cx, &STATUS_PAGE_ROW).await?;
    let page = scratch_page(&cx, &s, json!({"services": []})).await?;
    let path = format!("{STATUS_PAGES}/{page}/private-subscribers");
    let page_path = format!("{STATUS_PAGES}/{page}");
    rest_crud::then_remove(&cx, &s.token, &page_path, async {
        let id = user_id(&cx, &user).await?;
        let r = call(
            &cx,
            &s,
            Method::POST,
            &path,
            Some(json!({"id": id, "type": "USER"})),
        )
        .await?;
        r.status_is(202)?;
        lists_user(&cx, &s, &path, id).await?;
        let one = format!("{path}/{id}?subscriber-type=USER");
        call(&cx, &s, Method::DELETE, &one, None).await?.status_is(204)?;
        let r = call(&cx, &s, Method::GET, &path, None).await?;
        r.ensure(
            r.status == 200 && r.json == json!([]),
            "200 with no subscribers left",
        )?;
        Ok(())
    })
    .await
}

async fn outages(cx: Cx) -> CaseResult {
    let s = rest_crud::scratch(&cx, &OVERRIDE_ROW).await?;
    let service = s.service.unwrap_or_default();
    let outcome = async {
        let made = call(&cx, &s, Method::POST, OVERRIDE_ROW.path, Some((OVERRIDE_ROW.create)(&s))).await?;
        made.status_is(201)?;
        let path = format!("/api/service-outages?service={service}");
        let r = call(&cx, &s, Method::GET, &path, None).await?;
        r.status_is(200)?;
        let want = json!([{"status": "MAJOR_OUTAGE", "from": "2026-11-01T10:00:00Z", "until": "2026-11-01T11:00:00Z"}]);
        r.ensure(r.json == want, format!("exactly the override's span: {want}"))?;
        let r = call(&cx, &s, Method::GET, &format!("{path}&ignore-overrides=true"), None).await?;
        r.ensure(r.status == 200 && r.json == json!([]), "200 and no outage without the override")?;
        Ok(())
    }
    .await;
    rest_crud::discard(&cx, &OVERRIDE_ROW, &s, None).await;
    outcome
}
