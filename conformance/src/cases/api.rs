//! The resource API (behaviour.md §5, §6): the `Bearer` prefix, 401 for anything but a valid access
//! token, 403 per scope and access level (`:r`, `:w`, `:d`), the scope table's other paths, and
//! the emulated alert sources, escalation policies and current user with ilert's fields and
//! statuses.
//!
//! The cases that list or change `someTenant`'s alert sources share the lane
//! [`ALERT_SOURCES_LANE`], so they run one after another in this order and every listing is
//! reproducible.

use reqwest::Method;
use serde_json::{Value, json};

use super::rest_crud::{self, ALERT_SOURCES_LANE, Crud, Extras, crud_case};
use crate::case::{Area, Case, CaseResult, Stop, ilert, mock, rfc, run, tags};
use crate::ctx::Cx;
use crate::req::Resp;
use crate::target::{DEFAULT_USER, paths};

const DOC_USING: &str = "backend-app §Using the access token";
const DOC_SCOPES: &str = "lifetimes §ilert OAuth2 scopes";
const OPENAPI: &str = "ilert-rest-api-openapi AlertSource";

/// The API cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Api;
    let lane = ALERT_SOURCES_LANE;
    vec![
        Case::new(a, "API-USER-CURRENT-01", "GET /api/users/current with profile: 200 with id, username, firstName, lastName, email, role", ilert(DOC_USING), run!(current_user)).tags(tags::TOKEN),
        Case::new(a, "API-BEARER-MISSING-01", "No Authorization header: 401 in the REST shape with WWW-Authenticate: Bearer", rfc("rfc6750 §3"), run!(bearer_missing)),
        Case::new(a, "API-BEARER-PREFIX-01", "The access token without the Bearer prefix: 401", ilert(DOC_USING), run!(bearer_no_prefix)).tags(tags::TOKEN),
        Case::new(a, "API-BEARER-PREFIX-02", "The access token under another scheme (Token …): 401", ilert(DOC_USING), run!(bearer_other_scheme)).tags(tags::TOKEN),
        Case::new(a, "API-BEARER-GARBAGE-01", "A malformed bearer token: 401", rfc("rfc6750 §3.1"), run!(bearer_garbage)),
        Case::new(a, "API-BEARER-REFRESH-01", "A refresh token used as bearer token: 401", ilert("backend-app §Refreshing an access token"), run!(bearer_refresh)).tags(tags::REFRESH),
        Case::new(a, "API-SCOPE-403-01", "A valid token without the resource's scope: 403 in the REST shape, WWW-Authenticate insufficient_scope", ilert(DOC_SCOPES), run!(scope_missing)).tags(tags::TOKEN),
        Case::new(a, "API-SCOPE-TABLE-01", "Every path of the scope table is scope-checked: /api/incidents without incident is 403", ilert(DOC_SCOPES), run!(scope_table_403)).tags(tags::TOKEN),
        Case::new(a, "API-SCOPE-TABLE-02", "A scope-table path the mock does not emulate answers 404 in the REST shape once the scope is present", mock("behaviour.md §6"), run!(scope_table_404)).tags(tags::BROWSER),
        crud_case!(ALERT_SOURCES, List, "API-ALERT-SOURCES-LIST-01", "GET /api/alert-sources with source: 200, an array of alert sources with ilert's fields", ilert(OPENAPI)),
        Case::new(a, "API-ALERT-SOURCES-PAGE-01", "start-index and max-results page the list", ilert(OPENAPI), run!(page_sources)).tags(tags::TOKEN).lane(lane),
        Case::new(a, "API-ALERT-SOURCES-GET-01", "GET /api/alert-sources/{id} and /{integrationKey} answer the same source", ilert(OPENAPI), run!(get_source)).tags(tags::TOKEN).lane(lane),
        Case::new(a, "API-SCOPE-READ-01", "A bare scope (source) reads (200) but cannot create (403)", ilert(DOC_SCOPES), run!(scope_read_bare)).tags(tags::WRITE).lane(lane),
        Case::new(a, "API-SCOPE-READ-02", "source:r reads (200) but cannot create (403)", ilert(DOC_SCOPES), run!(scope_read_r)).tags(tags::WRITE).lane(lane),
        Case::new(a, "API-SCOPE-WRITE-01", "source:w creates (201) but cannot delete (403)", ilert(DOC_SCOPES), run!(scope_write)).tags(tags::WRITE).lane(lane),
        Case::new(a, "API-SCOPE-DELETE-01", "source:d deletes (204, empty body)", ilert(DOC_SCOPES), run!(scope_delete)).tags(tags::WRITE).lane(lane),
        crud_case!(ALERT_SOURCES, Create, "API-ALERT-SOURCES-CREATE-01", "POST /api/alert-sources: 201, Location of the new source, ilert's fields in the body", ilert(OPENAPI)),
        crud_case!(ALERT_SOURCES, Update, "API-ALERT-SOURCES-UPDATE-01", "PUT /api/alert-sources/{id}: 200 with the new values, the integration key kept", ilert(OPENAPI)),
        crud_case!(ALERT_SOURCES, Delete, "API-ALERT-SOURCES-DELETE-01", "DELETE /api/alert-sources/{id}: 204, then GET is 404 in the REST shape", ilert(OPENAPI)),
        crud_case!(ALERT_SOURCES, Invalid, "API-ALERT-SOURCES-400-01", "POST without the required fields: 400 in the REST shape", ilert(OPENAPI)),
        Case::new(a, "API-ALERT-SOURCES-404-01", "An unknown id, and another tenant's source: 404 in the REST shape", ilert(OPENAPI), run!(missing_source)).tags(tags::TOKEN),
        Case::new(a, "API-ESCALATION-POLICIES-01", "GET /api/escalation-policies with policy: 200, policies with escalationRules", ilert("ilert-rest-api-openapi EscalationPolicy"), run!(policies)).tags(tags::TOKEN),
    ]
}

async fn current_user(cx: Cx) -> CaseResult {
    let token = cx.access_token("profile").await?;
    let r = cx.api_get(paths::CURRENT_USER, &token).await?;
    r.status_is(200)?;
    let j = &r.json;
    r.ensure(
        j["id"].is_i64()
            && ["username", "firstName", "lastName", "email", "role"]
                .iter()
                .all(|k| j[*k].is_string()),
        "a User with id (integer), username, firstName, lastName, email and role",
    )?;
    if cx.has_control() {
        let user = cx.target().user.clone();
        r.ensure(j["username"] == user.as_str(), format!("username \"{user}\""))?;
    }
    Ok(())
}

/// `GET /api/users/current` with `authorization` as the header (none: no header): 401 in the
/// REST shape; the answer, for further checks.
async fn unauthorized(cx: &Cx, authorization: Option<String>) -> Result<Resp, Stop> {
    let mut request = cx.get(paths::CURRENT_USER);
    if let Some(value) = authorization {
        request = request.header("authorization", &value);
    }
    let r = request.send().await?;
    r.rest_error(401)?;
    Ok(r)
}

async fn bearer_missing(cx: Cx) -> CaseResult {
    let r = unauthorized(&cx, None).await?;
    www_authenticate(&r, |v| v.starts_with("Bearer"), "WWW-Authenticate: Bearer …")
}

async fn bearer_no_prefix(cx: Cx) -> CaseResult {
    let token = cx.access_token("profile").await?;
    unauthorized(&cx, Some(token)).await.map(drop)
}

async fn bearer_other_scheme(cx: Cx) -> CaseResult {
    let token = cx.access_token("profile").await?;
    unauthorized(&cx, Some(format!("Token {token}"))).await.map(drop)
}

async fn bearer_garbage(cx: Cx) -> CaseResult {
    unauthorized(&cx, Some("Bearer not-a-jwt".to_owned()))
        .await
        .map(drop)
}

async fn bearer_refresh(cx: Cx) -> CaseResult {
    let refresh = if cx.has_control() {
        // A grant of the case's own user, so no other case's grants can revoke it meanwhile.
        let (_, tokens) = cx.refresh_grant("profile").await?;
        tokens.refresh_token()?.to_owned()
    } else {
        cx.target()
            .refresh_token
            .clone()
            .ok_or_else(|| Stop::skip("needs a refresh token: pass --refresh-token"))?
    };
    unauthorized(&cx, Some(format!("Bearer {refresh}")))
        .await
        .map(drop)
}

async fn scope_missing(cx: Cx) -> CaseResult {
    let r = rest_crud::without_scope(&cx, paths::ALERT_SOURCES, "source").await?;
    www_authenticate(
        &r,
        |v| v.contains("insufficient_scope"),
        "WWW-Authenticate: Bearer …, error=\"insufficient_scope\" (rfc6750 §3.1)",
    )
}

/// `r` carries a WWW-Authenticate header that `ok` accepts (`what` describes it).
fn www_authenticate(r: &Resp, ok: impl Fn(&str) -> bool, what: &str) -> CaseResult {
    r.ensure(r.header("www-authenticate").is_some_and(ok), what)?;
    Ok(())
}

async fn scope_table_403(cx: Cx) -> CaseResult {
    rest_crud::without_scope(&cx, "/api/incidents", "incident")
        .await
        .map(drop)
}

async fn scope_table_404(cx: Cx) -> CaseResult {
    // Uptime monitors are in ilert's scope table but not in its OpenAPI document.
    let token = cx.access_token("profile monitor").await?;
    cx.api_get("/api/uptime-monitors", &token)
        .await?
        .rest_error(404)?;
    Ok(())
}

const SOURCE_FIELDS: [&str; 13] = [
    "id",
    "name",
    "escalationPolicy",
    "integrationType",
    "integrationKey",
    "integrationUrl",
    "alertCreation",
    "status",
    "active",
    "alertPriorityRule",
    "teams",
    "createdAt",
    "updatedAt",
];

/// Alert sources in the CRUD table: ilert's fields with integer ids, a create answering
/// `Location` and echoing what was sent, an update that keeps the integration key.
static ALERT_SOURCES: Crud = Crud {
    path: paths::ALERT_SOURCES,
    noun: "source",
    read: "source",
    write: "source:d",
    created: 201,
    fields: &SOURCE_FIELDS,
    create: |s| new_source(&s.label),
    update: (
        |_| json!({"name": "After update", "integrationType": "API", "escalationPolicy": {"id": 1502}, "alertPriorityRule": "LOW"}),
        &["/name", "/escalationPolicy/id", "/alertPriorityRule"],
    ),
    invalid: (|_| json!({"name": "No type"}), None),
    extras: Extras {
        shape: Some(|v| v["id"].is_i64() && v["escalationPolicy"]["id"].is_i64()),
        echoed: &["/name", "/integrationType", "/escalationPolicy/id"],
        location: true,
        kept: &["/integrationKey"],
        ..Extras::NONE
    },
};

async fn page_sources(cx: Cx) -> CaseResult {
    let token = cx.access_token("source").await?;
    let all = cx.api_get(paths::ALERT_SOURCES, &token).await?;
    let list = all.json.as_array().cloned().unwrap_or_default();
    if list.len() < 2 {
        return Err(Stop::skip("needs at least two alert sources to page"));
    }
    let r = cx
        .api_get(
            &format!("{}?start-index=1&max-results=1", paths::ALERT_SOURCES),
            &token,
        )
        .await?;
    let page = r.json.as_array().cloned().unwrap_or_default();
    r.ensure(
        r.status == 200 && page.len() == 1 && page.first().map(|s| &s["id"]) == list.get(1).map(|s| &s["id"]),
        "200 with exactly the second alert source",
    )?;
    Ok(())
}

async fn get_source(cx: Cx) -> CaseResult {
    let token = cx.access_token("source").await?;
    let all = cx.api_get(paths::ALERT_SOURCES, &token).await?;
    let Some(first) = all.json.as_array().and_then(|l| l.first()).cloned() else {
        return Err(Stop::skip("needs at least one alert source"));
    };
    let id = first["id"].as_i64().unwrap_or_default();
    let key = first["integrationKey"].as_str().unwrap_or_default().to_owned();
    let by_id = source_call(&cx, Method::GET, &token, id).await?;
    by_id.ensure(
        by_id.status == 200 && by_id.json["id"] == id && ALERT_SOURCES.complete(&by_id.json),
        format!("200 with alert source {id}"),
    )?;
    let by_key = source_call(&cx, Method::GET, &token, key).await?;
    by_key.ensure(
        by_key.status == 200 && by_key.json["id"] == id,
        format!("200 with alert source {id} (by integration key)"),
    )?;
    Ok(())
}

fn new_source(name: &str) -> Value {
    json!({"name": name, "integrationType": "API", "escalationPolicy": {"id": 1501}})
}

/// `POST /api/alert-sources` of a new source named `name` with `token`.
async fn post_source(cx: &Cx, token: &str, name: &str) -> Result<Resp, Stop> {
    cx.api(Method::POST, paths::ALERT_SOURCES, token, Some(new_source(name)))
        .await
}

/// `method /api/alert-sources/{id}` (an id or an integration key) without a body, with `token`.
async fn source_call(cx: &Cx, method: Method, token: &str, id: impl std::fmt::Display) -> Result<Resp, Stop> {
    cx.api(method, &format!("{}/{id}", paths::ALERT_SOURCES), token, None)
        .await
}

/// Removes the source `id` quietly with a token of the table's write scope.
async fn remove_source(cx: &Cx, id: i64) -> CaseResult {
    let token = cx.access_token(ALERT_SOURCES.write).await?;
    rest_crud::remove(cx, &token, &ALERT_SOURCES.item(&json!(id))).await;
    Ok(())
}

/// A token of `scope` reads (200) but cannot create (403); whatever it made anyway is removed.
async fn read_not_create(cx: &Cx, scope: &str) -> CaseResult {
    let token = cx.access_token(scope).await?;
    cx.api_get(paths::ALERT_SOURCES, &token).await?.status_is(200)?;
    let r = post_source(cx, &token, "Read only").await?;
    if let Some(id) = r.json["id"].as_i64().filter(|_| r.status == 201) {
        remove_source(cx, id).await?;
    }
    r.rest_error(403)?;
    Ok(())
}

async fn scope_read_bare(cx: Cx) -> CaseResult {
    read_not_create(&cx, "source").await
}

async fn scope_read_r(cx: Cx) -> CaseResult {
    read_not_create(&cx, "source:r").await
}

async fn scope_write(cx: Cx) -> CaseResult {
    let token = cx.access_token("source:w").await?;
    let created = post_source(&cx, &token, "Scope write").await?;
    created.status_is(201)?;
    let id = created.json["id"].as_i64().unwrap_or_default();
    let r = source_call(&cx, Method::DELETE, &token, id).await?;
    remove_source(&cx, id).await?;
    r.rest_error(403)?;
    Ok(())
}

async fn scope_delete(cx: Cx) -> CaseResult {
    let token = cx.access_token(ALERT_SOURCES.write).await?;
    let made = rest_crud::made(
        &cx,
        &token,
        paths::ALERT_SOURCES,
        new_source("Scope delete"),
        "201 with the created alert source",
    );
    let id = made.await?;
    let token = cx.access_token(ALERT_SOURCES.write).await?;
    let r = source_call(&cx, Method::DELETE, &token, id).await?;
    r.status_is(204)?;
    r.body_empty()?;
    Ok(())
}

async fn missing_source(cx: Cx) -> CaseResult {
    let token = cx.access_token("source").await?;
    source_call(&cx, Method::GET, &token, 999_999_999)
        .await?
        .rest_error(404)?;
    if cx.has_control() && cx.target().user == DEFAULT_USER {
        // 4001 belongs to the fixtures' other tenant (acme).
        source_call(&cx, Method::GET, &token, 4001)
            .await?
            .rest_error(404)?;
    }
    Ok(())
}

async fn policies(cx: Cx) -> CaseResult {
    let token = cx.access_token("policy").await?;
    let r = cx.api_get(paths::ESCALATION_POLICIES, &token).await?;
    r.status_is(200)?;
    let ok = r.json.as_array().is_some_and(|l| {
        l.iter()
            .all(|p| p["id"].is_i64() && p["name"].is_string() && p["escalationRules"].is_array())
    });
    r.ensure(ok, "a JSON array of policies with id, name and escalationRules")?;
    Ok(())
}
