//! The schedule operations the generic layer does not serve: list and get with `include=`, the
//! shifts of a time range, adding an override, and the user on call now.

use jiff::Span;
use serde_json::{Value, json};

use super::{Include, NAME, OVERRIDES, plan, rel, render, shift};
use crate::clock::UnixSeconds;
use crate::resources::crud;
use crate::resources::error::ResourceError;
use crate::resources::group::{Cx, Reply};
use crate::resources::support::calendar;
use crate::resources::time::{iso8601, parse};

/// The longest range `GET /schedules/{id}/shifts` computes (the mock's limit).
const MAX_RANGE_SECS: i64 = 366 * 86_400;

/// `GET /schedules`.
pub(super) fn list(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let include = Include::parse(&cx.query_all("include"));
    let (start, max) = crud::paging(cx);
    let view = cx.view();
    let items: Vec<Value> = cx
        .state
        .resources()
        .iter(cx.tenant, NAME)
        .skip(start)
        .take(max)
        .map(|(_, s)| render(&view, &s.body, include))
        .collect();
    Ok(Reply::ok(Value::Array(items)))
}

/// The schedule of the path, found in the caller's tenant.
fn schedule_id(cx: &Cx<'_>) -> Result<i64, ResourceError> {
    let collection = cx
        .state
        .collection(NAME)
        .ok_or_else(|| ResourceError::NotFound("schedules are not served".to_owned()))?;
    crud::find(cx, collection).map(|(id, _)| id)
}

/// `GET /schedules/{id}`.
pub(super) fn get(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = schedule_id(cx)?;
    let include = Include::parse(&cx.query_all("include"));
    let view = cx.view();
    let body = view
        .state
        .resources()
        .get(cx.tenant, NAME, id)
        .map_or(Value::Null, |s| render(&view, &s.body, include));
    Ok(Reply::ok(body))
}

/// A query date-time, or `None` when absent; 400 naming the parameter when unreadable.
fn query_time(cx: &Cx<'_>, name: &str) -> Result<Option<UnixSeconds>, ResourceError> {
    cx.query_one(name)
        .map(|raw| {
            parse(raw).ok_or_else(|| {
                ResourceError::BadRequest(format!(
                    "query parameter '{name}' must be an ISO-8601 date-time (got \"{raw}\")"
                ))
            })
        })
        .transpose()
}

/// `GET /schedules/{id}/shifts?from&until&exclude-overrides`: the shifts within the range
/// (cut at its ends). `from` defaults to the start of last month in the schedule's time zone,
/// `until` to three months after `from` (the document's defaults).
pub(super) fn shifts(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = schedule_id(cx)?;
    let view = cx.view();
    let plan = plan(&view, id)
        .ok_or_else(|| ResourceError::BadRequest(format!("schedule {id} cannot be computed")))?;
    let from = match query_time(cx, "from")? {
        Some(from) => from,
        None => {
            let today = calendar::local(cx.now, &plan.tz).date();
            let month = today
                .first_of_month()
                .checked_sub(Span::new().months(1))
                .unwrap_or(today);
            calendar::instant(month.to_datetime(jiff::civil::Time::midnight()), &plan.tz).unwrap_or(cx.now)
        }
    };
    let until = match query_time(cx, "until")? {
        Some(until) => until,
        None => calendar::after(&calendar::zoned(from, &plan.tz), Span::new().months(3), 1)
            .unwrap_or(from + 92 * 86_400),
    };
    if until <= from {
        return Err(ResourceError::BadRequest(
            "query parameter 'until' must be after 'from'".to_owned(),
        ));
    }
    if until - from > MAX_RANGE_SECS {
        return Err(ResourceError::BadRequest(
            "the range from 'from' to 'until' may span at most 366 days".to_owned(),
        ));
    }
    let with_overrides = cx.query_one("exclude-overrides") != Some("true");
    let computed = plan.shifts(from, until, with_overrides);
    if computed.len() > cx.bounds.shifts {
        return Err(ResourceError::BadRequest(format!(
            "the range holds {} shifts, more than one answer may list (--max-shifts {}); narrow 'from' and 'until'",
            computed.len(),
            cx.bounds.shifts
        )));
    }
    let out: Vec<Value> = computed.iter().map(|s| shift(&view, s, &iso8601)).collect();
    Ok(Reply::ok(Value::Array(out)))
}

/// `PUT /schedules/{id}/overrides` with a `Shift` (`user`, `start`, `end`): the user is on call
/// in that time, over every layer and earlier override. Answers the schedule as `ScheduleRel`.
pub(super) fn add_override(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = schedule_id(cx)?;
    let body = cx.body.clone().unwrap_or(Value::Null);
    let user = body["user"]["id"]
        .as_f64()
        .filter(|u| u.fract() == 0.0)
        .map(|u| u as i64)
        .ok_or_else(|| ResourceError::BadRequest("field 'user.id' is required".to_owned()))?;
    let time = |k: &str| {
        body[k].as_str().and_then(parse).ok_or_else(|| {
            ResourceError::BadRequest(format!("field '{k}' is required (an ISO-8601 date-time)"))
        })
    };
    let (start, end) = (time("start")?, time("end")?);
    if end <= start {
        return Err(ResourceError::BadRequest(
            "field 'end' must be after 'start'".to_owned(),
        ));
    }
    match cx.state.user(user).filter(|u| u.tenant == cx.tenant) {
        None => {
            return Err(ResourceError::BadRequest(format!(
                "field 'user' names user {user}, which does not exist"
            )));
        }
        Some(u) if u.role == "STAKEHOLDER" => {
            return Err(ResourceError::BadRequest(format!(
                "user {user} is a stakeholder; stakeholders cannot be on a schedule"
            )));
        }
        Some(_) => {}
    }
    let stored = json!({"user": {"id": user}, "start": iso8601(start), "end": iso8601(end)});
    let override_id = cx.state.resources_mut().next_id();
    cx.state.resources_mut().insert(
        cx.tenant,
        OVERRIDES,
        override_id,
        Some(id),
        stored.as_object().cloned().unwrap_or_default(),
    );
    Ok(Reply::ok(rel(&cx.view(), id).unwrap_or(Value::Null)))
}

/// `GET /schedules/{id}/user-on-call`: the shift of the user on call now (overrides included),
/// or 204 when nobody is.
pub(super) fn user_on_call(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = schedule_id(cx)?;
    let view = cx.view();
    Ok(match plan(&view, id).and_then(|p| p.at(cx.now)) {
        Some(s) => Reply::ok(shift(&view, &s, &iso8601)),
        None => Reply::empty(204),
    })
}
