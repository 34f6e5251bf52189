//! Users, escalation policies, alerts and the Events API (ilert's REST API). Users and policies
//! get the shared cases of [`super::rest_crud`] (alert sources have theirs in [`super::api`]).
//! Alerts have no `DELETE`: the cases that raise one do it in an alert source of their own and
//! delete that source afterwards, which takes its alerts with it.

use reqwest::Method;
use serde_json::{Value, json};

use super::rest_crud::{Crud, Extras, LANE, crud_cases, made, remove};
use super::rest_steps::{each_item, first_of, quietly, refused};
use crate::case::{Area, Case, CaseResult, Stop, ilert, run, tags};
use crate::ctx::Cx;
use crate::target::paths;

const ALERTS: &str = "/api/alerts";
const EVENTS: &str = "/api/events";

static USERS: Crud = Crud {
    path: "/api/users",
    noun: "user",
    read: "user",
    write: "user:d service:d",
    created: 201,
    fields: &["username", "firstName", "lastName", "email", "role"],
    create: |_| {
        json!({"firstName": "Con", "lastName": "Formance", "email": "conformance@example.com",
               "role": "RESPONDER"})
    },
    update: (
        |_| json!({"firstName": "Renamed", "lastName": "Formance", "email": "conformance@example.com", "role": "RESPONDER"}),
        &["/firstName"],
    ),
    invalid: (
        |_| {
            json!({"firstName": "Over", "lastName": "Lord", "email": "overlord@example.com",
               "role": "OVERLORD"})
        },
        Some("role"),
    ),
    extras: Extras::NONE,
};

static POLICIES: Crud = Crud {
    path: paths::ESCALATION_POLICIES,
    noun: "policy",
    read: "policy",
    write: "policy:d service:d",
    created: 201,
    fields: &["name", "escalationRules"],
    create: |_| {
        json!({"name": "Conformance policy",
               "escalationRules": [{"escalationTimeout": 0, "users": [{"id": 1001}]}]})
    },
    update: (
        |_| json!({"name": "Renamed policy", "escalationRules": [{"escalationTimeout": 0, "users": [{"id": 1001}]}]}),
        &["/name"],
    ),
    invalid: (
        |_| json!({"name": "No levels", "escalationRules": "none"}),
        Some("escalationRules"),
    ),
    extras: Extras::NONE,
};

/// The cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Api;
    let mut cases = Vec::new();
    // The whole user list changes while other cases add their users: the first page is pinned.
    let mut users = crud_cases!(entities USERS, "USERS", "/users", "users");
    users.retain(|c| c.id != "API-USERS-LIST-01");
    cases.push(
        Case::new(
            a,
            "API-USERS-LIST-01",
            "GET /api/users?max-results=2: 200, a page of users with ilert's fields",
            ilert("ilert-rest-api-openapi GET /users"),
            run!(list_users),
        )
        .tags(tags::TOKEN)
        .lane(LANE),
    );
    cases.extend(users);
    cases.extend(
        crud_cases!(entities POLICIES, "ESCALATION-POLICIES", "/escalation-policies", "escalation policies"),
    );
    cases.extend([
        Case::new(a, "API-ALERTS-LIST-01", "GET /api/alerts?states=PENDING&states=ACCEPTED: 200, only alerts in those states, with ilert's fields", ilert("ilert-rest-api-openapi GET /alerts"), run!(list_alerts)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-ALERTS-GET-01", "GET /api/alerts/{id}: 200 with the alert", ilert("ilert-rest-api-openapi GET /alerts/{id}"), run!(get_alert)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-ALERTS-CREATE-01", "POST /api/alerts: 201, a PENDING alert in the named source", ilert("ilert-rest-api-openapi POST /alerts"), run!(create_alert)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-ALERTS-ACCEPT-01", "PUT /api/alerts/{id}/accept, then …/resolve: 200 with ACCEPTED, then RESOLVED", ilert("ilert-rest-api-openapi PUT /alerts/{id}/accept"), run!(accept_resolve)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-ALERTS-SCOPE-01", "/api/alerts without the alert scope is 403; PUT …/accept with the read scope is 403", ilert("lifetimes §ilert OAuth2 scopes"), run!(alert_scopes)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-ALERTS-400-01", "GET /api/alerts?states= outside the enum: 400 in the REST shape naming the allowed values", ilert("ilert-rest-api-openapi GET /alerts"), run!(alert_states_invalid)).tags(tags::TOKEN),
        Case::new(a, "API-EVENTS-ALERT-01", "POST /api/events ALERT with the source's integration key: 202 NEW_ALERT_CREATED, a PENDING alert", ilert("ilert-rest-api-openapi POST /events"), run!(event_alert)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-EVENTS-400-01", "POST /api/events with an unknown eventType, or an unknown integration key: 400 in the REST shape", ilert("ilert-rest-api-openapi POST /events"), run!(event_invalid)).tags(tags::WRITE).lane(LANE),
    ]);
    cases
}

async fn list_users(cx: Cx) -> CaseResult {
    let token = cx.access_token(USERS.read).await?;
    let r = cx
        .api_get(&format!("{}?max-results=2", USERS.path), &token)
        .await?;
    let fields = USERS.fields;
    each_item(
        &r,
        |u| u["id"].is_i64() && fields.iter().all(|f| u.get(*f).is_some()),
        format!("200, users with id and {fields:?}"),
    )?;
    r.ensure(
        r.json.as_array().is_some_and(|l| l.len() <= 2),
        "at most two users",
    )?;
    Ok(())
}

fn is_alert(v: &Value) -> bool {
    v["id"].is_i64()
        && v["summary"].is_string()
        && v["status"].is_string()
        && v["priority"].is_string()
        && v["alertSource"]["id"].is_i64()
}

async fn list_alerts(cx: Cx) -> CaseResult {
    let token = cx.access_token("alert").await?;
    let r = cx
        .api_get(&format!("{ALERTS}?states=PENDING&states=ACCEPTED"), &token)
        .await?;
    each_item(
        &r,
        |a| is_alert(a) && (a["status"] == "PENDING" || a["status"] == "ACCEPTED"),
        "200, alerts with id, summary, status, priority and alertSource, all PENDING or ACCEPTED",
    )
}

async fn get_alert(cx: Cx) -> CaseResult {
    let token = cx.access_token("alert").await?;
    let id = first_of(&cx, ALERTS, &token, |a| a["id"].as_i64()).await?;
    let r = cx.api_get(&format!("{ALERTS}/{id}"), &token).await?;
    r.ensure(
        r.status == 200 && r.json["id"] == id && is_alert(&r.json),
        format!("200 with alert {id}"),
    )?;
    Ok(())
}

/// An alert source of the case's own, made quietly: its id, integration key and a `source:d`
/// token to delete it with (which deletes its alerts too).
pub(super) async fn own_source(cx: &Cx) -> Result<(i64, String, String), Stop> {
    let token = cx.access_token("source:d").await?;
    let body =
        json!({"name": "Conformance alerts", "integrationType": "API", "escalationPolicy": {"id": 1501}});
    let r = quietly(cx, Method::POST, paths::ALERT_SOURCES, &token, Some(body)).await?;
    match (r.json["id"].as_i64(), r.json["integrationKey"].as_str()) {
        (Some(id), Some(key)) => Ok((id, key.to_owned(), token)),
        _ => Err(r.fail("201 with the created alert source")),
    }
}

/// The path of the alert source `id`.
pub(super) fn source_path(id: i64) -> String {
    format!("{}/{id}", paths::ALERT_SOURCES)
}

/// Deletes the case's own alert source `id` (and its alerts) quietly.
pub(super) async fn drop_source(cx: &Cx, id: i64, token: &str) {
    remove(cx, token, &source_path(id)).await;
}

async fn create_alert(cx: Cx) -> CaseResult {
    let (source, _, cleanup) = own_source(&cx).await?;
    let token = cx.access_token("alert:w").await?;
    let body = json!({"summary": "Disk full on db-1", "alertSource": {"id": source}, "priority": "LOW"});
    let r = cx.api(Method::POST, ALERTS, &token, Some(body)).await?;
    drop_source(&cx, source, &cleanup).await;
    r.ensure(
        r.status == 201
            && is_alert(&r.json)
            && r.json["status"] == "PENDING"
            && r.json["alertSource"]["id"] == source,
        format!("201 with a PENDING alert of source {source}"),
    )?;
    Ok(())
}

async fn accept_resolve(cx: Cx) -> CaseResult {
    let (source, _, cleanup) = own_source(&cx).await?;
    let token = cx.access_token("alert:w").await?;
    let body = json!({"summary": "Queue backlog", "alertSource": {"id": source}, "priority": "HIGH"});
    let id = match made(&cx, &token, ALERTS, body, "a created alert").await {
        Ok(id) => id,
        Err(stop) => {
            drop_source(&cx, source, &cleanup).await;
            return Err(stop);
        }
    };
    let accepted = cx
        .api(Method::PUT, &format!("{ALERTS}/{id}/accept"), &token, None)
        .await?;
    let resolved = cx
        .api(Method::PUT, &format!("{ALERTS}/{id}/resolve"), &token, None)
        .await?;
    drop_source(&cx, source, &cleanup).await;
    accepted.ensure(
        accepted.status == 200 && accepted.json["status"] == "ACCEPTED",
        "200 with status ACCEPTED",
    )?;
    resolved.ensure(
        resolved.status == 200 && resolved.json["status"] == "RESOLVED",
        "200 with status RESOLVED",
    )?;
    Ok(())
}

async fn alert_scopes(cx: Cx) -> CaseResult {
    refused(&cx, Method::GET, ALERTS, "profile", 403).await?;
    let read = cx.access_token("alert").await?;
    let id = first_of(&cx, ALERTS, &read, |a| a["id"].as_i64()).await?;
    refused(&cx, Method::PUT, &format!("{ALERTS}/{id}/accept"), "alert", 403).await
}

async fn alert_states_invalid(cx: Cx) -> CaseResult {
    let token = cx.access_token("alert").await?;
    let r = cx.api_get(&format!("{ALERTS}?states=SLEEPING"), &token).await?;
    r.rest_error_naming(400, "PENDING", "a message naming the allowed states")?;
    Ok(())
}

async fn event_alert(cx: Cx) -> CaseResult {
    let (source, key, cleanup) = own_source(&cx).await?;
    let event = json!({"integrationKey": key, "eventType": "ALERT", "summary": "CPU at 99%", "alertKey": "cpu/web-1"});
    let r = cx.request(Method::POST, EVENTS).json(event).send().await?;
    let token = cx.access_token("alert").await?;
    let alert = match r.json["alertId"].as_i64() {
        Some(id) => cx.api_get(&format!("{ALERTS}/{id}"), &token).await.ok(),
        None => None,
    };
    drop_source(&cx, source, &cleanup).await;
    r.ensure(
        r.status == 202 && r.json["responseCode"] == "NEW_ALERT_CREATED",
        "202 with responseCode NEW_ALERT_CREATED and the alertId",
    )?;
    let ok = alert
        .as_ref()
        .is_some_and(|a| a.json["status"] == "PENDING" && a.json["alertSource"]["id"] == source);
    r.ensure(ok, format!("the new alert PENDING in source {source}"))?;
    Ok(())
}

async fn event_invalid(cx: Cx) -> CaseResult {
    let (source, key, cleanup) = own_source(&cx).await?;
    let bad_type = json!({"integrationKey": key, "eventType": "EXPLODE", "summary": "x"});
    let r = cx.request(Method::POST, EVENTS).json(bad_type).send().await?;
    let unknown = json!({"integrationKey": "no-such-key", "eventType": "ALERT", "summary": "x"});
    let r2 = cx.request(Method::POST, EVENTS).json(unknown).send().await?;
    drop_source(&cx, source, &cleanup).await;
    r.rest_error(400)?;
    r2.rest_error(400)?;
    Ok(())
}
