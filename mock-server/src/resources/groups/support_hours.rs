//! Support hours (`/support-hours`, scope `support_hour`): the generic collection. A support hour
//! has a time zone, a window per weekday (`supportDays.MONDAY = {"start": "08:00", "end":
//! "18:00"}`; a day left out has no support) and exceptions by date (`DURING`: support all day,
//! `OUTSIDE`: none). Lists answer `SupportHourListItem` (no exceptions), single ones
//! `SupportHour`.
//!
//! Support hours act at the mock clock: an alert source with `supportHours` and the priority rule
//! `HIGH_DURING_SUPPORT_HOURS` opens HIGH alerts inside them and LOW ones outside
//! (`LOW_DURING_SUPPORT_HOURS` the other way round). A support hour an alert source uses cannot
//! be deleted (409).

use serde_json::{Value, json};

use crate::resources::support::calendar;

use super::teams;
use crate::clock::UnixSeconds;
use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Group, OnDelete, Relation, Target, View};
use crate::resources::kinds::Written;
use crate::resources::relations;
use crate::resources::store::Entity;

/// The store name of the collection.
pub const NAME: &str = "support-hours";

/// The group.
pub static GROUP: Group = Group::new(
    "Support Hours",
    &[Collection::new(
        NAME,
        "/support-hours",
        "support hour",
        "SupportHour",
        &Written {
            write: |_, _, body| normalise(&body),
            show,
        },
    )
    .relations(&[Relation::new(
        "teams[]",
        Target::Collection(teams::NAME),
        OnDelete::Restrict,
    )])],
    &[],
);

fn bad(message: String) -> ResourceError {
    ResourceError::BadRequest(message)
}

/// A support day's window in seconds of the day; an end of `00:00` is midnight at the day's end.
fn window(day: &Value, field: &str) -> Result<(i64, i64), ResourceError> {
    let secs = |k: &str| {
        let text = day[k].as_str().unwrap_or_default();
        calendar::time_of_day(text)
            .map(|t| i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second()))
            .ok_or_else(|| {
                bad(format!(
                    "field '{field}.{k}' must be a time of day HH:MM (got \"{text}\")"
                ))
            })
    };
    let (start, end) = (secs("start")?, secs("end")?);
    let end = if end == 0 { 86_400 } else { end };
    if end <= start {
        return Err(bad(format!("field '{field}.end' must be after its start")));
    }
    Ok((start, end))
}

/// The stored support hour for a checked body.
fn normalise(body: &Entity) -> Result<Entity, ResourceError> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.trim().is_empty() {
        return Err(bad("field 'name' must not be empty".to_owned()));
    }
    let zone = body.get("timezone").and_then(Value::as_str).unwrap_or_default();
    calendar::zone(zone).map_err(|e| bad(format!("field 'timezone': {e}")))?;
    // A day the document does not name (a typo such as `MONDEY`) would silently mean no
    // support that day: refused, naming the allowed days.
    if let Some(unknown) = body
        .get("supportDays")
        .and_then(Value::as_object)
        .and_then(|d| d.keys().find(|k| !calendar::DAYS.contains(&k.as_str())))
    {
        return Err(bad(format!(
            "field 'supportDays.{unknown}' is no day; allowed: {}",
            calendar::DAYS.join(", ")
        )));
    }
    let mut days = serde_json::Map::new();
    for day in calendar::DAYS {
        if let Some(d) = body
            .get("supportDays")
            .and_then(|d| d.get(day))
            .filter(|d| !d.is_null())
        {
            window(d, &format!("supportDays.{day}"))?;
            days.insert(day.to_owned(), json!({"start": d["start"], "end": d["end"]}));
        }
    }
    let mut exceptions = Vec::new();
    for (i, e) in body
        .get("exceptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let date = |k: &str| {
            let text = e[k].as_str().unwrap_or_default();
            calendar::date(text).ok_or_else(|| {
                bad(format!(
                    "field 'exceptions[{i}].{k}' must be a date YYYY-MM-DD (got \"{text}\")"
                ))
            })
        };
        if date("end")? < date("start")? {
            return Err(bad(format!(
                "field 'exceptions[{i}].end' must not be before its start"
            )));
        }
        exceptions.push(json!({"name": e["name"], "start": e["start"], "end": e["end"], "supportStatus": e["supportStatus"]}));
    }
    let teams: Vec<Value> = body
        .get("teams")
        .map(|t| relations::ids(t, "[]"))
        .unwrap_or_default()
        .into_iter()
        .map(|id| json!({"id": id}))
        .collect();
    let out = json!({
        "name": name,
        "teams": teams,
        "timezone": zone,
        "supportDays": days,
        "exceptions": exceptions,
    });
    Ok(out.as_object().cloned().unwrap_or_default())
}

/// A support hour as ilert's `SupportHour` (in lists `SupportHourListItem`, without exceptions).
fn show(view: &View<'_>, entity: &Entity, list: bool) -> Value {
    let mut out = Value::Object(entity.clone());
    if list && let Some(map) = out.as_object_mut() {
        map.remove("exceptions");
    }
    teams::expand(view, &mut out, "teams[]");
    out
}

/// Whether `at` is within the tenant's support hour `id` (an unknown one never is).
pub fn within(view: &View<'_>, id: i64, at: UnixSeconds) -> bool {
    let Some(s) = view.state.resources().get(view.tenant, NAME, id) else {
        return false;
    };
    let field = |k: &str| s.body.get(k).unwrap_or(&Value::Null);
    let Ok(tz) = calendar::zone(field("timezone").as_str().unwrap_or_default()) else {
        return false;
    };
    let local = calendar::local(at, &tz);
    let today = local.date();
    let exception = field("exceptions").as_array().into_iter().flatten().find(|e| {
        let date = |k: &str| e[k].as_str().and_then(calendar::date);
        date("start").is_some_and(|d| d <= today) && date("end").is_some_and(|d| today <= d)
    });
    if let Some(e) = exception {
        return e["supportStatus"] == "DURING";
    }
    let day = calendar::day_name(today.weekday());
    let t = local.time();
    let secs = i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second());
    field("supportDays")
        .get(day)
        .and_then(|d| window(d, day).ok())
        .is_some_and(|(start, end)| start <= secs && secs < end)
}
