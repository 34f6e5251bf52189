//! Who is on call (ilert's REST API): teams, schedules (shifts, overrides, the user on call),
//! on-calls, support hours and maintenance windows. The collections get the shared cases of
//! [`super::rest_crud`]; schedules and on-calls add what they compute from the server's clock,
//! including a case that moves the mock's clock and sees the next shift take over.

use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::rest_crud::{Crud, Extras, LANE, crud_cases, made};
use super::rest_steps::{each_item, first_of, quietly, refused};
use crate::case::{Area, Case, CaseResult, Stop, ilert, run, tags};
use crate::ctx::Cx;
use crate::target::paths;

const SCHEDULES: &str = "/api/schedules";
const ON_CALLS: &str = "/api/on-calls";

static TEAMS: Crud = Crud {
    path: "/api/teams",
    noun: "team",
    read: "team",
    write: "team:d service:d",
    created: 201,
    fields: &["name", "visibility", "members"],
    create: |_| json!({"name": "Conformance team", "visibility": "PUBLIC", "members": []}),
    update: (
        |_| json!({"name": "Renamed team", "visibility": "PUBLIC", "members": []}),
        &["/name"],
    ),
    invalid: (
        |_| json!({"name": "Secret team", "visibility": "SECRET"}),
        Some("visibility"),
    ),
    extras: Extras::NONE,
};

static SCHEDULE: Crud = Crud {
    path: SCHEDULES,
    noun: "schedule",
    read: "schedule",
    write: "schedule:d service:d",
    created: 201,
    fields: &["name", "timezone", "type"],
    create: |_| {
        json!({"name": "Conformance schedule", "timezone": "Europe/Berlin", "type": "STATIC",
               "shifts": []})
    },
    update: (
        |_| json!({"name": "Renamed schedule", "timezone": "Europe/Berlin", "type": "STATIC", "shifts": []}),
        &["/name"],
    ),
    invalid: (
        |_| json!({"name": "Odd schedule", "timezone": "Europe/Berlin", "type": "ROTATING"}),
        Some("type"),
    ),
    extras: Extras::NONE,
};

static SUPPORT_HOURS: Crud = Crud {
    path: "/api/support-hours",
    noun: "support hour",
    read: "support_hour",
    write: "support_hour:d service:d",
    created: 201,
    fields: &["name", "timezone", "supportDays"],
    create: |_| {
        json!({"name": "Conformance hours", "timezone": "Europe/Berlin",
               "supportDays": {"MONDAY": {"start": "09:00", "end": "17:00"}}})
    },
    update: (
        |_| json!({"name": "Renamed hours", "timezone": "Europe/Berlin", "supportDays": {"MONDAY": {"start": "09:00", "end": "17:00"}}}),
        &["/name"],
    ),
    invalid: (
        |_| {
            json!({"name": "Hours", "timezone": "Europe/Berlin",
               "supportDays": {"FUNDAY": {"start": "09:00", "end": "17:00"}}})
        },
        Some("supportDays"),
    ),
    extras: Extras::NONE,
};

static MAINTENANCE_WINDOWS: Crud = Crud {
    path: "/api/maintenance-windows",
    noun: "maintenance window",
    read: "maintenance",
    write: "maintenance:d service:d",
    created: 200,
    fields: &["summary", "start", "end", "alertSources"],
    create: |_| {
        json!({"summary": "Conformance window", "start": "2027-02-01T08:00:00Z",
               "end": "2027-02-01T09:00:00Z", "alertSources": [{"id": 3001}]})
    },
    update: (
        |_| json!({"summary": "Moved window", "start": "2027-02-01T08:00:00Z", "end": "2027-02-01T09:00:00Z", "alertSources": [{"id": 3001}]}),
        &["/summary"],
    ),
    invalid: (|_| json!({"summary": "No times"}), Some("start")),
    extras: Extras::NONE,
};

const DOC_SCOPES: &str = "lifetimes §ilert OAuth2 scopes";

/// The cases.
pub(crate) fn cases() -> Vec<Case> {
    let a = Area::Api;
    let mut cases = Vec::new();
    cases.extend(crud_cases!(entities TEAMS, "TEAMS", "/teams", "teams"));
    cases.extend(crud_cases!(entities SCHEDULE, "SCHEDULES", "/schedules", "schedules"));
    cases.extend(crud_cases!(entities SUPPORT_HOURS, "SUPPORT-HOURS", "/support-hours", "support hours"));
    cases.extend(crud_cases!(entities MAINTENANCE_WINDOWS, "MAINTENANCE-WINDOWS", "/maintenance-windows", "maintenance windows"));
    cases.extend([
        Case::new(a, "API-TEAMS-MEMBERS-01", "POST /api/teams/{id}/members adds the user (200), DELETE …/members/{user-id} removes it (204)", ilert("ilert-rest-api-openapi POST /teams/{id}/members"), run!(team_members)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-SCHEDULES-SHIFTS-01", "GET /api/schedules/{id}/shifts?from=&until=: 200, shifts with user, start and end inside the range", ilert("ilert-rest-api-openapi GET /schedules/{id}/shifts"), run!(shifts)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-SCHEDULES-OVERRIDE-01", "PUT /api/schedules/{id}/overrides puts the user on call: user-on-call answers them", ilert("ilert-rest-api-openapi PUT /schedules/{id}/overrides"), run!(override_on_call)).tags(tags::WRITE).lane(LANE),
        Case::new(a, "API-ON-CALLS-LIST-01", "GET /api/on-calls: 200, on-calls with user, escalationPolicy, escalationLevel, start and end", ilert("ilert-rest-api-openapi GET /on-calls"), run!(on_calls)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-ON-CALLS-FILTER-01", "GET /api/on-calls?policies={id}: only that policy's on-calls", ilert("ilert-rest-api-openapi GET /on-calls"), run!(on_calls_filtered)).tags(tags::TOKEN).lane(LANE),
        Case::new(a, "API-ON-CALLS-SCOPE-01", "GET /api/on-calls without the schedule scope: 403 (the mock's choice of scope)", ilert(DOC_SCOPES), run!(on_calls_scope)).tags(tags::TOKEN),
        Case::new(a, "API-ON-CALLS-400-01", "GET /api/on-calls?from= that is no date-time: 400 in the REST shape", ilert("ilert-rest-api-openapi GET /on-calls"), run!(on_calls_invalid)).tags(tags::TOKEN),
        Case::new(a, "API-ON-CALLS-CLOCK-01", "The mock's clock moves who is on call: past the current shift's end, user-on-call answers the next shift", ilert("ilert-rest-api-openapi GET /schedules/{id}/user-on-call"), run!(clock_moves_on_call)).tags(tags::WRITE).alone(),
    ]);
    cases
}

/// The current user's id, read quietly.
async fn me(cx: &Cx) -> Result<i64, Stop> {
    let token = cx.access_token("profile").await?;
    let r = quietly(cx, Method::GET, paths::CURRENT_USER, &token, None).await?;
    r.json["id"]
        .as_i64()
        .ok_or_else(|| r.fail("the current user with an id"))
}

fn is_shift(v: &Value) -> bool {
    v["user"]["id"].is_i64() && v["start"].is_string() && v["end"].is_string()
}

async fn team_members(cx: Cx) -> CaseResult {
    let user = me(&cx).await?;
    let token = cx.access_token("team:d").await?;
    let team = made(
        &cx,
        &token,
        TEAMS.path,
        json!({"name": "Conformance team"}),
        "a created team",
    )
    .await?;
    let members = format!("{}/{team}/members", TEAMS.path);
    let added = cx
        .api(
            Method::POST,
            &members,
            &token,
            Some(json!({"user": {"id": user}, "role": "RESPONDER"})),
        )
        .await?;
    let read = cx.api_get(&format!("{}/{team}", TEAMS.path), &token).await?;
    let removed = cx
        .api(Method::DELETE, &format!("{members}/{user}"), &token, None)
        .await?;
    let _ = quietly(
        &cx,
        Method::DELETE,
        &format!("{}/{team}", TEAMS.path),
        &token,
        None,
    )
    .await;
    added.ensure(
        added.status == 200 && added.json["user"]["id"] == user,
        format!("200 with the member, user {user}"),
    )?;
    read.ensure(
        read.json["members"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["user"]["id"] == user)),
        format!("the team lists user {user} as a member"),
    )?;
    removed.status_is(204)?;
    Ok(())
}

async fn shifts(cx: Cx) -> CaseResult {
    let token = cx.access_token("schedule").await?;
    let id = first_of(&cx, SCHEDULES, &token, |v| v["id"].as_i64()).await?;
    let now = cx.now().await?;
    let (from, until) = (
        now - now.rem_euclid(86_400),
        now - now.rem_euclid(86_400) + 7 * 86_400,
    );
    let path = format!("{SCHEDULES}/{id}/shifts?from={}&until={}", iso(from), iso(until));
    let r = cx.api_get(&path, &token).await?;
    each_item(
        &r,
        is_shift,
        "200, an array of shifts with user.id, start and end",
    )
}

/// `at` as an RFC 3339 UTC date-time.
fn iso(at: i64) -> String {
    OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// An RFC 3339 date-time as Unix seconds.
fn unix(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

async fn override_on_call(cx: Cx) -> CaseResult {
    let user = me(&cx).await?;
    let token = cx.access_token("schedule:d").await?;
    let body = json!({"name": "Conformance schedule", "timezone": "Europe/Berlin", "type": "STATIC"});
    let id = made(&cx, &token, SCHEDULES, body, "a created schedule").await?;
    let now = cx.now().await?;
    let body = json!({"user": {"id": user}, "start": iso(now - 3600), "end": iso(now + 3600)});
    let put = cx
        .api(
            Method::PUT,
            &format!("{SCHEDULES}/{id}/overrides"),
            &token,
            Some(body),
        )
        .await?;
    let on_call = cx
        .api_get(&format!("{SCHEDULES}/{id}/user-on-call"), &token)
        .await?;
    let _ = quietly(&cx, Method::DELETE, &format!("{SCHEDULES}/{id}"), &token, None).await;
    put.status_is(200)?;
    on_call.ensure(
        on_call.status == 200 && on_call.json["user"]["id"] == user,
        format!("200 with the override's user {user} on call"),
    )?;
    Ok(())
}

fn is_on_call(v: &Value) -> bool {
    is_shift(v) && v["escalationPolicy"]["id"].is_i64() && v["escalationLevel"].is_i64()
}

async fn on_calls(cx: Cx) -> CaseResult {
    let token = cx.access_token("schedule").await?;
    let r = cx.api_get(ON_CALLS, &token).await?;
    each_item(
        &r,
        is_on_call,
        "200, on-calls with user.id, escalationPolicy.id, escalationLevel, start and end",
    )
}

async fn on_calls_filtered(cx: Cx) -> CaseResult {
    let token = cx.access_token("schedule").await?;
    let policy = first_of(&cx, ON_CALLS, &token, |o| o["escalationPolicy"]["id"].as_i64()).await?;
    let r = cx
        .api_get(&format!("{ON_CALLS}?policies={policy}"), &token)
        .await?;
    let ok = r
        .json
        .as_array()
        .is_some_and(|l| !l.is_empty() && l.iter().all(|o| o["escalationPolicy"]["id"] == policy));
    r.ensure(
        r.status == 200 && ok,
        format!("200, only on-calls of policy {policy}"),
    )?;
    Ok(())
}

async fn on_calls_scope(cx: Cx) -> CaseResult {
    refused(&cx, Method::GET, ON_CALLS, "profile", 403).await
}

async fn on_calls_invalid(cx: Cx) -> CaseResult {
    let path = format!("{ON_CALLS}?from=yesterday");
    refused(&cx, Method::GET, &path, "schedule", 400).await
}

async fn clock_moves_on_call(cx: Cx) -> CaseResult {
    let token = cx.access_token("schedule").await?;
    let id = first_of(&cx, SCHEDULES, &token, |v| v["id"].as_i64()).await?;
    let path = format!("{SCHEDULES}/{id}/user-on-call");
    let before = cx.api_get(&path, &token).await?;
    let Some(end) = before.json["end"].as_str().map(str::to_owned) else {
        return Err(Stop::skip("needs somebody on call in the first schedule"));
    };
    let now = cx.now().await?;
    let end_secs = unix(&end).ok_or_else(|| before.fail("end as an RFC 3339 date-time"))?;
    cx.advance_clock(end_secs - now + 60).await?;
    // The clock may have passed the first token's lifetime.
    let token = cx.access_token("schedule").await?;
    let after = cx.api_get(&path, &token).await?;
    after.ensure(
        after.status == 204
            || after.json["start"]
                .as_str()
                .and_then(unix)
                .is_some_and(|start| start >= end_secs),
        format!("the shift after the one ending {end} (or 204 when nobody follows)"),
    )?;
    Ok(())
}
