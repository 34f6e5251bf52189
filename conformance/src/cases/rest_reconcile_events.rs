//! The Events API and alert operations as ilert's own clients call them (the events half of
//! `mock-server/docs/reconciliation.md`): the Go SDK iLert/ilert-go at 549c4adb and the Rust
//! crate `ilert` 3.2.0 send the integration key as `apiKey`, leave `summary` out of
//! ACCEPT/RESOLVE/COMMENT events, name alert filters and assignments their own way; ilert's
//! document says alert keys compare without regard to case. Each case names its client line,
//! so a run against the real ilert shows whether production still answers so.

use reqwest::Method;
use serde_json::{Value, json};

use super::rest_alerting::{drop_source, own_source, source_path};
use super::rest_crud::{LANE, then_remove};
use crate::case::{Area, Case, CaseResult, Source, SourceKind, Stop, tags};
use crate::ctx::Cx;
use crate::req::Resp;

const EVENTS: &str = "/api/events";

/// A line of one of ilert's clients (`repo@commit file:line`).
const fn client(reference: &'static str) -> Source {
    Source {
        kind: SourceKind::IlertClient,
        reference,
    }
}

async fn post_event(cx: &Cx, event: Value) -> Result<Resp, Stop> {
    cx.request(Method::POST, EVENTS).json(event).send().await
}

/// The alert `id`'s JSON, read with a token.
async fn alert(cx: &Cx, id: i64) -> Result<Value, Stop> {
    let token = cx.access_token("alert").await?;
    let r = cx.api_get(&format!("/api/alerts/{id}"), &token).await?;
    r.status_is(200)?;
    Ok(r.json)
}

async fn api_key(cx: Cx) -> CaseResult {
    let (source, key, cleanup) = own_source(&cx).await?;
    let r = post_event(
        &cx,
        json!({"apiKey": key, "eventType": "ALERT", "summary": "Disk full", "alertKey": "disk"}),
    )
    .await;
    let created = match &r {
        Ok(r) => match r.json["alertId"].as_i64() {
            Some(id) => alert(&cx, id).await.ok(),
            None => None,
        },
        Err(_) => None,
    };
    drop_source(&cx, source, &cleanup).await;
    let r = r?;
    r.ensure(
        r.status == 202 && r.json["responseCode"] == "NEW_ALERT_CREATED",
        "202 NEW_ALERT_CREATED for an event whose key comes as apiKey",
    )?;
    r.ensure(
        created.is_some_and(|a| a["alertSource"]["id"] == source),
        format!("the new alert in source {source}"),
    )?;
    Ok(())
}

async fn summary_only_for_alert(cx: Cx) -> CaseResult {
    let (source, key, cleanup) = own_source(&cx).await?;
    let steps = async {
        let opened = post_event(
            &cx,
            json!({"apiKey": key, "eventType": "ALERT", "summary": "Queue stuck", "alertKey": "queue"}),
        )
        .await?;
        opened.status_is(202)?;
        let id = opened.json["alertId"]
            .as_i64()
            .ok_or_else(|| opened.fail("an alertId"))?;
        let comment = post_event(
            &cx,
            json!({"apiKey": key, "eventType": "COMMENT", "alertKey": "queue", "summary": null,
                   "comments": [{"content": "looking"}]}),
        )
        .await?;
        comment.status_is(202)?;
        let resolved = post_event(
            &cx,
            json!({"apiKey": key, "eventType": "RESOLVE", "alertKey": "queue"}),
        )
        .await?;
        resolved.status_is(202)?;
        let state = alert(&cx, id).await?;
        resolved.ensure(
            state["status"] == "RESOLVED",
            "the alert RESOLVED by a RESOLVE without summary",
        )?;
        Ok(())
    };
    then_remove(&cx, &cleanup, &source_path(source), steps).await
}

async fn key_case(cx: Cx) -> CaseResult {
    let (source, key, cleanup) = own_source(&cx).await?;
    let steps = async {
        let opened = post_event(
            &cx,
            json!({"apiKey": key, "eventType": "ALERT", "summary": "Web down", "alertKey": "Web/Checkout"}),
        )
        .await?;
        opened.status_is(202)?;
        let again = post_event(
            &cx,
            json!({"apiKey": key, "eventType": "ALERT", "summary": "Web still down", "alertKey": "web/checkout"}),
        )
        .await?;
        again.ensure(
            again.status == 202
                && again.json["responseCode"] == "EVENT_APPENDED"
                && again.json["alertId"] == opened.json["alertId"],
            "202 EVENT_APPENDED to the open alert whose key differs only in case",
        )?;
        Ok(())
    };
    then_remove(&cx, &cleanup, &source_path(source), steps).await
}

async fn json_only(cx: Cx) -> CaseResult {
    let (source, key, cleanup) = own_source(&cx).await?;
    let text = json!({"apiKey": key, "eventType": "ALERT", "summary": "x"}).to_string();
    let r = cx
        .request(Method::POST, EVENTS)
        .raw(Some("text/plain"), text)
        .send()
        .await;
    drop_source(&cx, source, &cleanup).await;
    let r = r?;
    r.rest_error(400)?;
    Ok(())
}

async fn list_filters(cx: Cx) -> CaseResult {
    let token = cx.access_token("alert").await?;
    let theirs = cx
        .api_get("/api/alerts?start-index=0&max-results=50&state=ACCEPTED", &token)
        .await?;
    theirs.status_is(200)?;
    let all_accepted = theirs
        .json
        .as_array()
        .is_some_and(|l| l.iter().all(|a| a["status"] == "ACCEPTED"));
    theirs.ensure(all_accepted, "only ACCEPTED alerts for state=ACCEPTED")?;
    let bad = cx.api_get("/api/alerts?state=OPEN", &token).await?;
    bad.rest_error(400)?;
    Ok(())
}

async fn assign_names(cx: Cx) -> CaseResult {
    let (source, _, cleanup) = own_source(&cx).await?;
    let steps = async {
        let token = cx.access_token("alert:w").await?;
        let body = json!({"summary": "Assign me", "alertSource": {"id": source}, "priority": "LOW"});
        let created = cx.api(Method::POST, "/api/alerts", &token, Some(body)).await?;
        let id = created.json["id"]
            .as_i64()
            .ok_or_else(|| created.fail("201 with the alert"))?;
        let me = cx
            .api_get("/api/users/current", &cx.access_token("profile").await?)
            .await?;
        let user = me.json["id"]
            .as_i64()
            .ok_or_else(|| me.fail("the current user's id"))?;
        let r = cx
            .api(
                Method::PUT,
                &format!("/api/alerts/{id}/assign?user-id={user}"),
                &token,
                None,
            )
            .await?;
        r.status_is(200)?;
        r.ensure(
            r.json["assignedTo"]["id"] == user,
            format!("assignedTo user {user}"),
        )?;
        Ok(())
    };
    then_remove(&cx, &cleanup, &source_path(source), steps).await
}

/// The cases, one per reconciled rule.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Api;
    vec![
        Case::new(a, "API-RECONCILE-EVENTS-APIKEY-01", "POST /api/events with the integration key as apiKey, as ilert-go and the ilert crate send it: 202 NEW_ALERT_CREATED", client("iLert/ilert-go@549c4adb event.go:31"), crate::case::run!(api_key)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-EVENTS-SUMMARY-01", "COMMENT and RESOLVE events without summary (or summary null), as the clients send them: 202, and the alert RESOLVED", client("ilert crate 3.2.0 src/ilert_builders.rs:599"), crate::case::run!(summary_only_for_alert)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-EVENTS-ALERTKEY-CASE-01", "An ALERT event whose alertKey differs only in case from an open alert's is appended to it, as the document says", crate::case::ilert("ilert-rest-api-openapi Event.alertKey: \"comparison is case insensitive\""), crate::case::run!(key_case)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-EVENTS-JSON-01", "POST /api/events with Content-Type text/plain: 400 in the REST shape, as on every other operation", client("iLert/ilert-go@549c4adb client.go:93"), crate::case::run!(json_only)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-RECONCILE-ALERTS-STATE-01", "GET /api/alerts?state=ACCEPTED, as ilert-go filters: only ACCEPTED alerts; an unknown state: 400", client("iLert/ilert-go@549c4adb alert.go:271"), crate::case::run!(list_filters)).tags(crate::case::tags::TOKEN).lane(LANE),
        Case::new(a, "API-RECONCILE-ALERTS-ASSIGN-01", "PUT /api/alerts/{id}/assign?user-id=…, as ilert-go assigns (the document's description names user-id): 200 with assignedTo", client("iLert/ilert-go@549c4adb alert.go:458"), crate::case::run!(assign_names)).tags(tags::WRITE).lane(LANE),
    ]
}
