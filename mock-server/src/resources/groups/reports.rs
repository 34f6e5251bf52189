//! Reports (`/reports/...`, scope `report`), computed from the store when asked.
//!
//! - `GET /reports/alerts`: the tenant's alerts reported between `from` and `until`, grouped by
//!   alert source, escalation policy and period (`group-by` `DAY`, `WEEK` or `MONTH`, labelled
//!   `2021-08-01`, `2021-W12`, `2021-08`), each row
//!   `[alertSourceId, escalationPolicyId, callRoutingNumber, period, value]` with `metric`
//!   `COUNT`, `MTTA` (seconds from report to the first acceptance, over accepted alerts) or
//!   `MTTR` (seconds to resolution, over resolved alerts); filters `sources`, `policies`,
//!   `numbers` (no alert of the mock came through a call routing number) and `priority`.
//! - `GET /reports/alerts/summary`: per alert source and escalation policy, `count`, `mtta`
//!   and `mttr` over the same alerts.
//! - `GET /reports/api-keys/usage`: `[userId, scope, day, requests]` for the tenant's API calls
//!   (see [`crate::resources::usage`]; the mock's OAuth tokens stand in for API keys), filtered
//!   by `scopes`; ADMIN users only, as the document says.
//!
//! The document's rules for the range are kept: `until` after `from`, not in the future (the
//! mock clock), at most a year apart (31 days for usage). Periods are cut in `timezone`: `UTC`
//! (the default: the mock's tenants have no time zone of their own) or a fixed offset such as
//! `+02:00`; the mock has no time zone database, so a zone name such as `Europe/Berlin` is a 400.

use std::collections::BTreeMap;

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::clock::UnixSeconds;
use crate::resources::error::ResourceError;
use crate::resources::group::{Action, Cx, Group, Reply};
use crate::resources::support::names::{self, REPORTED, reported_key};
use crate::resources::time::{day, parse};

/// The group.
pub static GROUP: Group = Group::new(
    "Reports",
    &[],
    &[
        Action::state("GET", "/reports/alerts", alert_metrics),
        Action::state("GET", "/reports/alerts/summary", summary),
        Action::state("GET", "/reports/api-keys/usage", api_key_usage),
    ],
);

const DAY_SECS: i64 = 86_400;

fn bad(message: String) -> ResourceError {
    ResourceError::BadRequest(message)
}

/// A query parameter that must be one of `allowed` (`default` when absent).
fn choice<'a>(
    cx: &'a Cx<'_>,
    name: &str,
    allowed: &[&'a str],
    default: &'a str,
) -> Result<&'a str, ResourceError> {
    match cx.query_one(name) {
        None => Ok(default),
        Some(v) => allowed.iter().copied().find(|a| *a == v).ok_or_else(|| {
            bad(format!(
                "query parameter '{name}' must be one of {} (got {v})",
                allowed.join(", ")
            ))
        }),
    }
}

/// A `timezone` as seconds east of UTC: `UTC`, `GMT`, `Z`, or `±HH[:MM]` (optionally after
/// `UTC`/`GMT`).
fn offset(raw: &str) -> Option<i64> {
    let rest = raw
        .strip_prefix("UTC")
        .or_else(|| raw.strip_prefix("GMT"))
        .or_else(|| raw.strip_prefix("Etc/UTC"))
        .unwrap_or(raw);
    if rest.is_empty() || rest == "Z" {
        return Some(0);
    }
    let (sign, digits) = match rest.split_at_checked(1)? {
        ("+", d) => (1, d),
        ("-", d) => (-1, d),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    let (h, m): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours.len() <= 2 && h <= 14 && m < 60).then_some(sign * (h * 3_600 + m * 60))
}

/// The checked range (`from`, `until`) and time zone offset of a report request.
fn range(cx: &Cx<'_>, max_days: i64) -> Result<(UnixSeconds, UnixSeconds, i64), ResourceError> {
    let time = |name: &str| {
        let raw = cx.query_one(name).unwrap_or_default();
        parse(raw).ok_or_else(|| {
            bad(format!(
                "query parameter '{name}' must be an ISO-8601 date-time such as 2021-05-25T21:24:56.771Z (got {raw})"
            ))
        })
    };
    let (from, until) = (time("from")?, time("until")?);
    if until <= from {
        return Err(bad("query parameter 'until' must be after 'from'".to_owned()));
    }
    if until > cx.now {
        return Err(bad("query parameter 'until' must not be in the future".to_owned()));
    }
    if until - from > max_days * DAY_SECS {
        return Err(bad(format!(
            "'from' and 'until' may be at most {max_days} days apart"
        )));
    }
    let zone = cx.query_one("timezone").unwrap_or("UTC");
    let shift = offset(zone).ok_or_else(|| {
        bad(format!(
            "query parameter 'timezone' is '{zone}': the mock renders reports in UTC or a fixed offset such as +02:00"
        ))
    })?;
    Ok((from, until, shift))
}

/// What the mock reads of an alert for a report.
struct Facts {
    source: i64,
    policy: i64,
    reported: UnixSeconds,
    accepted: Option<UnixSeconds>,
    resolved: Option<UnixSeconds>,
}

/// An alert's fields a report reads, as written in its text (borrowed; every other field is
/// skipped unread). Each is read as [`facts`] says; a field of another type reads as absent.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Written<'a> {
    #[serde(borrow, default)]
    priority: Option<&'a RawValue>,
    #[serde(borrow, default)]
    alert_source: Option<&'a RawValue>,
    #[serde(borrow, default)]
    escalation_policy: Option<&'a RawValue>,
    #[serde(borrow, default)]
    report_time: Option<&'a RawValue>,
    #[serde(borrow, default)]
    responders: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resolved_on: Option<&'a RawValue>,
}

/// A written value as `T` (`None` when it is another type).
fn read<'a, T: serde::Deserialize<'a>>(raw: Option<&'a RawValue>) -> Option<T> {
    serde_json::from_str(raw?.get()).ok()
}

/// A written date-time.
fn time(raw: Option<&RawValue>) -> Option<UnixSeconds> {
    read::<Cow<'_, str>>(raw).and_then(|text| parse(&text))
}

/// The `id` of a written reference (`{"id": 3001}`), when it is an integer.
fn reference(raw: Option<&RawValue>) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Reference<'a> {
        #[serde(borrow, default)]
        id: Option<&'a RawValue>,
    }
    read::<Reference<'_>>(raw).and_then(|r| read(r.id))
}

/// What a report reads of an alert's text: its source, policy and report time (none when one
/// is missing), its first acceptance by a responder and its resolution; `None` also when its
/// priority is not `priority` (`ALL`: any).
fn facts(text: &str, priority: &str) -> Option<Facts> {
    let alert: Written<'_> = serde_json::from_str(text).ok()?;
    if priority != "ALL" && read::<Cow<'_, str>>(alert.priority).as_deref() != Some(priority) {
        return None;
    }
    let accepted = read::<Vec<&RawValue>>(alert.responders).and_then(|responders| {
        responders
            .into_iter()
            .filter_map(|r| {
                #[derive(serde::Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Responder<'a> {
                    #[serde(borrow, default)]
                    accepted_at: Option<&'a RawValue>,
                }
                time(read::<Responder<'_>>(Some(r))?.accepted_at)
            })
            .min()
    });
    Some(Facts {
        source: reference(alert.alert_source)?,
        policy: reference(alert.escalation_policy)?,
        reported: time(alert.report_time)?,
        accepted,
        resolved: time(alert.resolved_on),
    })
}

/// The tenant's alerts the request selects.
fn selected(cx: &Cx<'_>, from: UnixSeconds, until: UnixSeconds) -> Result<Vec<Facts>, ResourceError> {
    let priority = choice(cx, "priority", &["ALL", "LOW", "HIGH"], "ALL")?;
    let ids = |name: &str| -> Vec<i64> {
        // The values were checked as numbers.
        cx.query_all(name)
            .iter()
            .filter_map(|v| v.parse::<f64>().ok())
            .map(|v| v as i64)
            .collect()
    };
    let (sources, policies) = (ids("sources"), ids("policies"));
    if !cx.query_all("numbers").is_empty() {
        return Ok(Vec::new());
    }
    // The alerts reported in the range, from the report-time index, each read from its text
    // only in the fields a report needs: a report costs O(alerts in range + log n), not a pass
    // over every alert.
    let store = cx.state.resources();
    let (low, high) = (reported_key(from), reported_key(until));
    Ok(store
        .keyed_range(cx.tenant, names::ALERTS, REPORTED, &low, &high)
        .flatten()
        .filter_map(|id| store.entry(cx.tenant, names::ALERTS, *id))
        // The index files each alert under the report time `facts` reads (`alerts::reported`),
        // so every alert it names here was reported in the range.
        .filter_map(|alert| facts(&alert.text(), priority))
        .filter(|f| sources.is_empty() || sources.contains(&f.source))
        .filter(|f| policies.is_empty() || policies.contains(&f.policy))
        .collect())
}

/// The mean of the durations, rounded to whole seconds.
fn mean(durations: impl Iterator<Item = i64>) -> Option<i64> {
    let (sum, n) = durations.fold((0i64, 0i64), |(s, n), d| (s + d, n + 1));
    (n > 0).then(|| (sum as f64 / n as f64).round() as i64)
}

fn mtta(alerts: &[&Facts]) -> Option<i64> {
    mean(alerts.iter().filter_map(|f| f.accepted.map(|a| a - f.reported)))
}

fn mttr(alerts: &[&Facts]) -> Option<i64> {
    mean(alerts.iter().filter_map(|f| f.resolved.map(|r| r - f.reported)))
}

/// The period label of `at` in the zone `shift` seconds east of UTC.
fn period(at: UnixSeconds, shift: i64, group_by: &str) -> String {
    let date = day(at + shift);
    match group_by {
        "DAY" => date,
        "MONTH" => date.get(..7).unwrap_or_default().to_owned(),
        _ => {
            let (year, week, _) = time::OffsetDateTime::from_unix_timestamp(at + shift)
                .map(|t| t.date().to_iso_week_date())
                .unwrap_or((1970, 1, time::Weekday::Thursday));
            format!("{year:04}-W{week:02}")
        }
    }
}

/// `GET /reports/alerts`.
fn alert_metrics(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let (from, until, shift) = range(cx, 366)?;
    let metric = choice(cx, "metric", &["COUNT", "MTTA", "MTTR"], "COUNT")?;
    let group_by = choice(cx, "group-by", &["DAY", "WEEK", "MONTH"], "WEEK")?;
    let alerts = selected(cx, from, until)?;
    let mut groups: BTreeMap<(i64, i64, String), Vec<&Facts>> = BTreeMap::new();
    for f in &alerts {
        let key = (f.source, f.policy, period(f.reported, shift, group_by));
        groups.entry(key).or_default().push(f);
    }
    let rows: Vec<Value> = groups
        .into_iter()
        .filter_map(|((source, policy, label), members)| {
            let value = match metric {
                "MTTA" => mtta(&members)?,
                "MTTR" => mttr(&members)?,
                _ => members.len() as i64,
            };
            Some(json!([source, policy, "", label, value]))
        })
        .collect();
    Ok(Reply::ok(Value::Array(rows)))
}

/// `GET /reports/alerts/summary`.
fn summary(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let (from, until, _) = range(cx, 366)?;
    for (name, allowed) in [
        ("metric", &["COUNT", "MTTA", "MTTR"][..]),
        ("group-by", &["DAY", "WEEK", "MONTH"][..]),
    ] {
        choice(cx, name, allowed, allowed[0])?;
    }
    let alerts = selected(cx, from, until)?;
    let mut groups: BTreeMap<(i64, i64), Vec<&Facts>> = BTreeMap::new();
    for f in &alerts {
        groups.entry((f.source, f.policy)).or_default().push(f);
    }
    let rows: Vec<Value> = groups
        .into_iter()
        .map(|((source, policy), members)| {
            let mut row =
                json!({"alertSourceId": source, "escalationPolicyId": policy, "count": members.len()});
            for (key, value) in [("mtta", mtta(&members)), ("mttr", mttr(&members))] {
                if let Some(v) = value {
                    row[key] = json!(v);
                }
            }
            row
        })
        .collect();
    Ok(Reply::ok(Value::Array(rows)))
}

/// `GET /reports/api-keys/usage` (ADMIN users only).
fn api_key_usage(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    if cx.caller.role != "ADMIN" {
        return Err(ResourceError::Forbidden(format!(
            "the API key usage report needs the ADMIN role; {} is {}",
            cx.caller.username, cx.caller.role
        )));
    }
    let (from, until, _) = range(cx, 31)?;
    let scopes: Vec<String> = cx
        .query_all("scopes")
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let (first, last) = (day(from), day(until));
    let rows: Vec<Value> = cx
        .state
        .resources()
        .usage()
        .counts(cx.tenant)
        .filter(|c| (first.as_str()..=last.as_str()).contains(&c.day))
        .filter(|c| scopes.is_empty() || scopes.iter().any(|s| s == c.scope))
        .map(|c| json!([c.user, c.scope, c.day, c.requests]))
        .collect();
    Ok(Reply::ok(Value::Array(rows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_utc_or_fixed_offsets() {
        for (raw, want) in [
            ("UTC", Some(0)),
            ("GMT", Some(0)),
            ("Z", Some(0)),
            ("+02:00", Some(7_200)),
            ("-0530", Some(-19_800)),
            ("UTC+1", Some(3_600)),
            ("Europe/Berlin", None),
            ("+25:00", None),
            ("+", None),
        ] {
            assert_eq!(offset(raw), want, "{raw}");
        }
    }

    #[test]
    fn periods_are_days_iso_weeks_and_months() {
        let at = 1_621_977_896; // 2021-05-25T21:24:56Z, a Tuesday of ISO week 21
        assert_eq!(period(at, 0, "DAY"), "2021-05-25");
        assert_eq!(period(at, 3 * 3_600, "DAY"), "2021-05-26");
        assert_eq!(period(at, 0, "WEEK"), "2021-W21");
        assert_eq!(period(at, 0, "MONTH"), "2021-05");
    }

    /// An alert's text is read in the fields a report needs, whatever else it holds and
    /// however it is spaced; a field of another type reads as absent, as a missing one does.
    #[test]
    fn facts_read_the_fields_a_report_needs() {
        let alert = r#"{"id":1,"summary":"x","priority":"HIGH","alertSource":{"id":3001,"name":"Web"},
            "escalationPolicy":{"id":1501},"reportTime":"2026-11-28T09:12:00Z",
            "responders":[{"user":{"id":1},"acceptedAt":"2026-11-28T09:20:00Z"},"odd",
            {"acceptedAt":"2026-11-28T09:18:00Z"},{"acceptedAt":7}],
            "resolvedOn":"2026-11-28T10:12:00Z","details":{"nested":[1,2,{"priority":"LOW"}]}}"#;
        let f = facts(alert, "ALL").expect("facts");
        let reported = parse("2026-11-28T09:12:00Z").expect("a time");
        assert_eq!((f.source, f.policy, f.reported), (3001, 1501, reported));
        assert_eq!(f.accepted, Some(reported + 360));
        assert_eq!(f.resolved, Some(reported + 3_600));
        assert!(facts(alert, "HIGH").is_some());
        assert!(facts(alert, "LOW").is_none());
        for (text, why) in [
            (
                r#"{"alertSource":{"id":3001},"escalationPolicy":{"id":1501}}"#,
                "no report time",
            ),
            (
                r#"{"alertSource":{"id":"3001"},"escalationPolicy":{"id":1501},"reportTime":"2026-11-28T09:12:00Z"}"#,
                "a source id that is text",
            ),
            (
                r#"{"alertSource":3001,"escalationPolicy":{"id":1501},"reportTime":"2026-11-28T09:12:00Z"}"#,
                "a source that is no reference",
            ),
            (
                r#"{"alertSource":{"id":3001},"reportTime":"2026-11-28T09:12:00Z"}"#,
                "no policy",
            ),
            ("[1,2]", "not an object"),
        ] {
            assert!(facts(text, "ALL").is_none(), "{why}");
        }
        let odd = r#"{"alertSource":{"id":3001},"escalationPolicy":{"id":1501},"reportTime":"2026-11-28T09:12:00Z","responders":{"a":1},"resolvedOn":5,"priority":null}"#;
        let f = facts(odd, "ALL").expect("facts");
        assert_eq!((f.accepted, f.resolved), (None, None));
        assert!(facts(odd, "HIGH").is_none());
    }
}
