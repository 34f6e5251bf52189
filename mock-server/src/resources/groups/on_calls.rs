//! On-calls (`GET /on-calls`, scope `schedule`): who is on duty in each level of each escalation
//! policy, computed from the policies and schedules at the mock clock, so moving `/_mock/clock`
//! moves who is on call.
//!
//! A level's duties are its users and its teams' members (on duty throughout the asked range)
//! and, for each of its schedules, the shifts within the range (overrides included). The range is
//! `from`..`until`, both defaulting to now (then a schedule's duty is its current shift, with its
//! own start and end); it may not be reversed nor span more than three months. The documented
//! filters apply: `policies`, `policy-levels` (`{"id": …, "level": …}`, the level counted from 1
//! as `escalationLevel` is: the mock's choice), `schedules` and `users`, each repeatable; times
//! are written in `timezone` (default UTC); paging defaults to 50 and allows at most 250 (the
//! document's prose). Users and policies are always answered in full, as the `OnCall` schema
//! requires, so `expand` changes nothing.
//!
//! Alerts use the same rules ([`paged`]): a new alert pages the first level with anyone on duty.

use serde_json::{Value, json};

use super::schedules::{self, shift};
use super::{escalation_policies, teams};
use crate::clock::UnixSeconds;
use crate::resources::error::ResourceError;
use crate::resources::group::{Action, Cx, Group, Reply, View};
use crate::resources::relations;
use crate::resources::support::calendar;
use crate::resources::time::{iso8601, parse};

/// The group.
pub static GROUP: Group = Group::new("On-Calls", &[], &[Action::state("GET", "/on-calls", list)]);

/// `max-results` when none is given, and its maximum (the document's prose: "defaults to 50,
/// may not exceed 250").
const PAGE: (usize, usize) = (50, 250);

/// The longest range asked for, in months (the document: "may not exceed 3 months").
const MAX_MONTHS: i64 = 3;

/// One duty: a user on call for a level of a policy, directly or through a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duty {
    /// The user on call.
    pub user: i64,
    /// The escalation policy.
    pub policy: i64,
    /// The level, counted from 0.
    pub level: usize,
    /// The schedule the duty comes from, if any.
    pub schedule: Option<i64>,
    /// When the duty starts.
    pub start: UnixSeconds,
    /// When it ends.
    pub end: UnixSeconds,
}

/// The duties of one level (a stored `EscalationRule`) within `[from, until]`; `from == until`
/// asks for the instant (a schedule's current shift).
fn level_duties(
    view: &View<'_>,
    policy: i64,
    level: usize,
    rule: &Value,
    from: UnixSeconds,
    until: UnixSeconds,
) -> Vec<Duty> {
    let duty = |user, schedule, start, end| Duty {
        user,
        policy,
        level,
        schedule,
        start,
        end,
    };
    let mut out: Vec<Duty> = relations::ids(rule, "users[]")
        .into_iter()
        .chain(
            relations::ids(rule, "teams[]")
                .into_iter()
                .flat_map(|t| teams::member_ids(view, t)),
        )
        .map(|u| duty(u, None, from, until))
        .collect();
    for id in relations::ids(rule, "schedules[]") {
        let Some(plan) = schedules::plan(view, id) else {
            continue;
        };
        let shifts = if from == until {
            plan.at(from).into_iter().collect()
        } else {
            plan.shifts(from, until, true)
        };
        out.extend(shifts.iter().map(|s| duty(s.user, Some(id), s.start, s.end)));
    }
    let mut seen = Vec::new();
    out.retain(|d| {
        let key = (d.user, d.schedule, d.start);
        !seen.contains(&key) && {
            seen.push(key);
            true
        }
    });
    out
}

/// The levels of a stored policy.
fn levels(policy: &crate::resources::store::Entity) -> &[Value] {
    policy
        .get("escalationRules")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Every duty of the tenant's policies within `[from, until]`, by policy, level and start.
pub fn duties(view: &View<'_>, from: UnixSeconds, until: UnixSeconds) -> Vec<Duty> {
    let mut out = Vec::new();
    for (policy, p) in view
        .state
        .resources()
        .iter(view.tenant, escalation_policies::NAME)
    {
        for (level, rule) in levels(&p.body).iter().enumerate() {
            let mut duties = level_duties(view, policy, level, rule, from, until);
            duties.sort_by_key(|d| (d.start, d.schedule.is_some(), d.user));
            out.extend(duties);
        }
    }
    out
}

/// Whom a new alert on the tenant's policy `policy` pages at the view's now: the users on duty
/// in the first level that has anyone (ilert: a level nobody covers is skipped), and that
/// level's index.
pub fn paged(view: &View<'_>, policy: i64) -> (usize, Vec<i64>) {
    let Some(p) = view
        .state
        .resources()
        .get(view.tenant, escalation_policies::NAME, policy)
    else {
        return (0, Vec::new());
    };
    for (level, rule) in levels(&p.body).iter().enumerate() {
        let mut users: Vec<i64> = Vec::new();
        for d in level_duties(view, policy, level, rule, view.now, view.now) {
            if !users.contains(&d.user) {
                users.push(d.user);
            }
        }
        if !users.is_empty() {
            return (level, users);
        }
    }
    (0, Vec::new())
}

fn bad(message: impl Into<String>) -> ResourceError {
    ResourceError::BadRequest(message.into())
}

/// The numeric values of a repeatable query parameter.
fn numbers(cx: &Cx<'_>, name: &str) -> Vec<i64> {
    cx.query_all(name)
        .iter()
        .filter_map(|v| v.parse::<f64>().ok())
        .map(|v| v as i64)
        .collect()
}

/// `policy-levels`: each value a JSON object `{"id": …, "level": …}` (or an array of them),
/// possibly wrapped in quotes as the document's example writes it.
fn policy_levels(cx: &Cx<'_>) -> Result<Vec<(i64, usize)>, ResourceError> {
    let mut out = Vec::new();
    for raw in cx.query_all("policy-levels") {
        let text = raw.trim().trim_matches('"');
        let value: Value = serde_json::from_str(text).map_err(|_| {
            bad(format!(
                "query parameter 'policy-levels' must be a JSON object such as {{\"id\": 12, \"level\": 1}} (got {raw})"
            ))
        })?;
        let items = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            let id = item["id"].as_i64();
            let level = item["level"]
                .as_u64()
                .and_then(|l| usize::try_from(l).ok())
                .filter(|l| *l >= 1);
            match (id, level) {
                (Some(id), Some(level)) => out.push((id, level - 1)),
                _ => {
                    return Err(bad(
                        "query parameter 'policy-levels' needs an integer 'id' and a 'level' from 1",
                    ));
                }
            }
        }
    }
    Ok(out)
}

fn time(cx: &Cx<'_>, name: &str) -> Result<Option<UnixSeconds>, ResourceError> {
    cx.query_one(name)
        .map(|raw| {
            parse(raw).ok_or_else(|| {
                bad(format!(
                    "query parameter '{name}' must be an ISO-8601 date-time such as 2021-05-25T21:24:56.771Z (got \"{raw}\")"
                ))
            })
        })
        .transpose()
}

/// `GET /on-calls`.
fn list(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let from = time(cx, "from")?.unwrap_or(cx.now);
    let until = time(cx, "until")?.unwrap_or(cx.now.max(from));
    if until < from {
        return Err(bad("query parameter 'until' must not be before 'from'"));
    }
    let utc = calendar::zone("UTC").map_err(bad)?;
    let limit = calendar::after(
        &calendar::zoned(from, &utc),
        jiff::Span::new().months(MAX_MONTHS),
        1,
    );
    if limit.is_some_and(|limit| until > limit) {
        return Err(bad("the range from 'from' to 'until' may not exceed 3 months"));
    }
    let zone = match cx.query_one("timezone") {
        Some(name) => {
            Some(calendar::zone(name).map_err(|e| bad(format!("query parameter 'timezone': {e}")))?)
        }
        None => None,
    };
    let (policies, schedules_wanted, users) = (
        numbers(cx, "policies"),
        numbers(cx, "schedules"),
        numbers(cx, "users"),
    );
    let levels = policy_levels(cx)?;
    // Paging is a count: a negative or fractional value is refused, as a REST route refuses
    // any number outside its schema, never silently read as 0.
    let number = |name: &str| -> Result<Option<usize>, ResourceError> {
        cx.query_one(name)
            .map(|v| {
                v.trim().parse::<usize>().map_err(|_| {
                    bad(format!(
                        "query parameter '{name}' must be a whole number of 0 or more (got \"{v}\")"
                    ))
                })
            })
            .transpose()
    };
    let start = number("start-index")?.unwrap_or(0);
    let max = number("max-results")?.unwrap_or(PAGE.0).min(PAGE.1);
    let view = cx.view();
    let write = |at: UnixSeconds| {
        zone.as_ref()
            .map_or_else(|| iso8601(at), |tz| calendar::iso8601_in(at, tz))
    };
    let out: Vec<Value> = duties(&view, from, until)
        .into_iter()
        .filter(|d| policies.is_empty() || policies.contains(&d.policy))
        .filter(|d| levels.is_empty() || levels.contains(&(d.policy, d.level)))
        .filter(|d| schedules_wanted.is_empty() || d.schedule.is_some_and(|s| schedules_wanted.contains(&s)))
        .filter(|d| users.is_empty() || users.contains(&d.user))
        .skip(start)
        .take(max)
        .map(|d| render(&view, &d, &write))
        .collect();
    Ok(Reply::ok(Value::Array(out)))
}

/// A duty as ilert's `OnCall`.
fn render(view: &View<'_>, d: &Duty, write: &dyn Fn(UnixSeconds) -> String) -> Value {
    let s = schedules::timeline::Shift {
        user: d.user,
        start: d.start,
        end: d.end,
    };
    let mut out = shift(view, &s, write);
    out["escalationPolicy"] = escalation_policies::rendered(view, d.policy);
    if let Some(rel) = d.schedule.and_then(|id| schedules::rel(view, id)) {
        out["schedule"] = rel;
    }
    out["escalationLevel"] = json!(d.level + 1);
    out
}
