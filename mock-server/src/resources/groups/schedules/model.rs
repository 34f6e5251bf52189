//! What a schedule is when stored, and the checks a create or update passes: a name, a known
//! time zone, a type that never changes, layers with a rotation of at least an hour and users
//! who are no stakeholders (recurring), shifts that start before they end and, with
//! `abort-on-gaps=true`, leave no gap (static).

use serde_json::{Value, json};

use super::timeline::{Layer, Plan, Shift, Source};
use super::{Include, render};
use crate::clock::UnixSeconds;
use crate::resources::error::ResourceError;
use crate::resources::group::Cx;
use crate::resources::kinds::Written;
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::support::calendar;
use crate::resources::time::parse_in;
use crate::resources::validate::Invalid;

/// A time zone for a schedule that names none.
const FALLBACK_ZONE: &str = "Europe/Berlin";

fn invalid(field: &str, what: impl std::fmt::Display) -> Invalid {
    Invalid {
        field: field.to_owned(),
        message: format!("field '{field}' {what}"),
    }
}

fn bad(field: &str, what: impl std::fmt::Display) -> ResourceError {
    invalid(field, what).into()
}

/// A date-time of the schedule: RFC 3339, or without offset in the schedule's time zone as
/// Terraform sends them (`2022-08-30T00:00`, website/docs/r/schedule.html.markdown:79 of
/// iLert/terraform-provider-ilert at d8da1ef2; `reconcile::SCHEMA_PATCHES`). It is stored as
/// sent.
fn instant(v: &Value, field: &str, tz: &jiff::tz::TimeZone) -> Result<UnixSeconds, Invalid> {
    v.as_str()
        .and_then(|text| parse_in(text, tz))
        .ok_or_else(|| invalid(field, "must be an ISO-8601 date-time"))
}

fn user_id(v: &Value, field: &str) -> Result<i64, Invalid> {
    v["id"]
        .as_f64()
        .filter(|id| id.fract() == 0.0)
        .map(|id| id as i64)
        .ok_or_else(|| invalid(&format!("{field}.id"), "is required"))
}

/// A stored (or to-be-stored) schedule with its overrides as a [`Plan`]; the first problem is
/// named by its field (`scheduleLayers[0].rotation`).
pub fn plan_of(entity: &Entity, overrides: Vec<Shift>) -> Result<Plan, Invalid> {
    let zone_name = entity.get("timezone").and_then(Value::as_str).unwrap_or("UTC");
    let tz = calendar::zone(zone_name).map_err(|e| invalid("timezone", e))?;
    let list = |key: &str| {
        entity
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let source = if entity.get("type").and_then(Value::as_str) == Some("STATIC") {
        let mut shifts = Vec::new();
        for (i, s) in list("shifts").iter().enumerate() {
            let field = format!("shifts[{i}]");
            let shift = Shift {
                user: user_id(&s["user"], &format!("{field}.user"))?,
                start: instant(&s["start"], &format!("{field}.start"), &tz)?,
                end: instant(&s["end"], &format!("{field}.end"), &tz)?,
            };
            if shift.end <= shift.start {
                return Err(invalid(&format!("{field}.end"), "must be after its start"));
            }
            shifts.push(shift);
        }
        Source::Fixed(shifts)
    } else {
        let mut layers = Vec::new();
        for (i, l) in list("scheduleLayers").iter().enumerate() {
            layers.push(layer(l, &format!("scheduleLayers[{i}]"), &tz)?);
        }
        Source::Layers(layers)
    };
    Ok(Plan {
        tz,
        source,
        overrides,
    })
}

fn layer(l: &Value, field: &str, tz: &jiff::tz::TimeZone) -> Result<Layer, Invalid> {
    let starts = instant(&l["startsOn"], &format!("{field}.startsOn"), tz)?;
    let ends = match l.get("endsOn").filter(|v| !v.is_null()) {
        Some(v) => Some(instant(v, &format!("{field}.endsOn"), tz)?),
        None => None,
    };
    if ends.is_some_and(|e| e <= starts) {
        return Err(invalid(&format!("{field}.endsOn"), "must be after startsOn"));
    }
    let rotation_text = l["rotation"].as_str().unwrap_or_default();
    let rotation = calendar::rotation(rotation_text, starts, tz)
        .map_err(|e| invalid(&format!("{field}.rotation"), e))?;
    let users = relations::ids(l, "users[]");
    if users.is_empty() {
        return Err(invalid(&format!("{field}.users"), "must name at least one user"));
    }
    let mut restrictions = Vec::new();
    for (j, r) in l["restrictions"].as_array().into_iter().flatten().enumerate() {
        let at = |end: &str| {
            calendar::time_of_week(
                r[end]["dayOfWeek"].as_str().unwrap_or_default(),
                r[end]["time"].as_str().unwrap_or_default(),
            )
            .ok_or_else(|| {
                invalid(
                    &format!("{field}.restrictions[{j}].{end}.time"),
                    "must be a time of day HH:MM",
                )
            })
        };
        restrictions.push((at("from")?, at("to")?));
    }
    Ok(Layer {
        users,
        starts,
        ends,
        rotation,
        restrictions,
    })
}

/// One layer as stored: references as `{"id"}`, `restrictionType` set when it restricts.
fn stored_layer(l: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for key in ["name", "startsOn", "endsOn"] {
        if let Some(v) = l.get(key).filter(|v| !v.is_null()) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    let users: Vec<Value> = relations::ids(l, "users[]")
        .iter()
        .map(|id| json!({"id": id}))
        .collect();
    out.insert("users".into(), Value::Array(users));
    out.insert("rotation".into(), l["rotation"].clone());
    let restrictions: Vec<Value> = l["restrictions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let end = |k: &str| json!({"dayOfWeek": r[k]["dayOfWeek"], "time": r[k]["time"]});
            json!({"from": end("from"), "to": end("to")})
        })
        .collect();
    if !restrictions.is_empty() {
        out.insert("restrictionType".into(), json!("TIMES_OF_WEEK"));
        out.insert("restrictions".into(), Value::Array(restrictions));
    }
    Value::Object(out)
}

/// One static shift as stored.
fn stored_shift(s: &Value) -> Value {
    json!({"user": {"id": s["user"]["id"]}, "start": s["start"], "end": s["end"]})
}

/// The caller's time zone when it is a known IANA zone, else [`FALLBACK_ZONE`].
fn default_zone(cx: &Cx<'_>) -> String {
    let zone = cx.caller.timezone.as_str();
    if calendar::zone(zone).is_ok() {
        zone
    } else {
        FALLBACK_ZONE
    }
    .to_owned()
}

/// The stored schedule for a create (`old` is `None`) or an update body.
fn normalise(cx: &mut Cx<'_>, old: Option<&Entity>, body: Entity) -> Result<Entity, ResourceError> {
    let body = &body;
    let given = |k: &str| body.get(k).filter(|v| !v.is_null());
    let kept = |k: &str| old.and_then(|o| o.get(k)).filter(|v| !v.is_null());
    let pick = |k: &str| given(k).or_else(|| kept(k));
    let name = pick("name").and_then(Value::as_str).unwrap_or_default();
    if name.trim().is_empty() {
        return Err(bad("name", "must not be empty"));
    }
    let old_kind = kept("type").and_then(Value::as_str);
    let new_kind = given("type").and_then(Value::as_str);
    if let (Some(was), Some(now)) = (old_kind, new_kind)
        && was != now
    {
        return Err(bad("type", format!("cannot change (the schedule is {was})")));
    }
    let non_empty = |k: &str| given(k).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    let kind = old_kind.or(new_kind).unwrap_or(if non_empty("shifts") {
        "STATIC"
    } else {
        "RECURRING"
    });
    // A request's work is bounded: every read of a schedule computes its layers' shifts.
    let count = |k: &str| given(k).and_then(Value::as_array).map_or(0, Vec::len);
    if count("scheduleLayers") > cx.bounds.schedule_layers {
        return Err(bad(
            "scheduleLayers",
            format!(
                "has {} layers, more than the mock's bound (--max-schedule-layers {})",
                count("scheduleLayers"),
                cx.bounds.schedule_layers
            ),
        ));
    }
    if count("shifts") > cx.bounds.shifts {
        return Err(bad(
            "shifts",
            format!(
                "has {} shifts, more than the mock's bound (--max-shifts {})",
                count("shifts"),
                cx.bounds.shifts
            ),
        ));
    }
    let mut out = Entity::new();
    out.insert("name".into(), json!(name));
    let zone = pick("timezone")
        .and_then(Value::as_str)
        .map_or_else(|| default_zone(cx), str::to_owned);
    out.insert("timezone".into(), json!(zone));
    out.insert("type".into(), json!(kind));
    out.insert(
        "showGaps".into(),
        json!(pick("showGaps").and_then(Value::as_bool).unwrap_or(true)),
    );
    if let Some(d) = pick("defaultShiftDuration").and_then(Value::as_str) {
        if calendar::duration(d).is_none() {
            return Err(bad(
                "defaultShiftDuration",
                "must be an ISO-8601 duration such as P7D",
            ));
        }
        out.insert("defaultShiftDuration".into(), json!(d));
    }
    let teams = pick("teams").map_or(json!([]), |t| {
        json!(
            relations::ids(t, "[]")
                .iter()
                .map(|id| json!({"id": id}))
                .collect::<Vec<_>>()
        )
    });
    out.insert("teams".into(), teams);
    let (own, other, store): (&str, &str, fn(&Value) -> Value) = if kind == "STATIC" {
        ("shifts", "scheduleLayers", stored_shift)
    } else {
        ("scheduleLayers", "shifts", stored_layer)
    };
    if non_empty(other) {
        let only = if kind == "STATIC" { "RECURRING" } else { "STATIC" };
        return Err(bad(other, format!("is only available for {only} schedules")));
    }
    let items: Vec<Value> = pick(own)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(store).collect())
        .unwrap_or_default();
    out.insert(own.into(), Value::Array(items));
    let plan = plan_of(&out, Vec::new())?;
    check_users(cx, &out)?;
    if kind == "STATIC" && cx.query_one("abort-on-gaps") == Some("true") {
        check_gaps(&plan)?;
    }
    Ok(out)
}

/// ilert: "Stakeholder users cannot be added to a schedule."
fn check_users(cx: &Cx<'_>, schedule: &Entity) -> Result<(), ResourceError> {
    let value = Value::Object(schedule.clone());
    let named = relations::ids(&value, "scheduleLayers[].users[]")
        .into_iter()
        .chain(relations::ids(&value, "shifts[].user"));
    for id in named {
        if let Some(u) = cx
            .state
            .user(id)
            .filter(|u| u.tenant == cx.tenant && u.role == "STAKEHOLDER")
        {
            return Err(ResourceError::BadRequest(format!(
                "user {id} ({}) is a stakeholder; stakeholders cannot be on a schedule",
                u.username
            )));
        }
    }
    Ok(())
}

/// `abort-on-gaps=true`: the static shifts must cover their span without a gap.
fn check_gaps(plan: &Plan) -> Result<(), ResourceError> {
    let super::timeline::Source::Fixed(shifts) = &plan.source else {
        return Ok(());
    };
    let mut sorted = shifts.clone();
    sorted.sort_by_key(|s| s.start);
    let mut covered_until: Option<UnixSeconds> = None;
    for s in sorted {
        if let Some(until) = covered_until
            && s.start > until
        {
            return Err(ResourceError::BadRequest(format!(
                "the shifts leave a gap from {} to {} (abort-on-gaps=true)",
                crate::resources::time::iso8601(until),
                crate::resources::time::iso8601(s.start)
            )));
        }
        covered_until = Some(covered_until.map_or(s.end, |u| u.max(s.end)));
    }
    Ok(())
}

/// The schedule model: checked and normalised on write, layers or shifts shown as stored.
pub const MODEL: Written = Written {
    write: normalise,
    show: |view, entity, _| render(view, entity, Include::WRITTEN),
};
