//! A service's outages, derived from the incidents that affected it and corrected by overrides.
//!
//! Each step of an incident's history (its creation and every update) holds the impacts it set
//! until the next step; a `RESOLVED` step sets none. Where several incidents affect the service
//! at once the worst impact counts. An override (`/service-outages/overrides`) replaces whatever
//! the incidents say for its span, `OPERATIONAL` included; where overrides overlap, the newest
//! (highest id) wins. What is left, apart from `OPERATIONAL` stretches, are the outages; one
//! still going on has no `until`.
//!
//! Uptime (the mock's choice, ilert does not document the formula): the share of the window in
//! which the service was neither in `PARTIAL_OUTAGE` nor in `MAJOR_OUTAGE`, over the last 30, 60
//! and 90 days, in percent with two decimals.

use serde_json::{Value, json};

use super::super::incidents::model as incidents;
use super::super::services::model as services;
use crate::clock::UnixSeconds;
use crate::resources::group::View;
use crate::resources::support::names;
use crate::resources::time::{iso8601, parse};

/// One stretch of a service's history with one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// The status's rank ([`services::rank`]).
    pub rank: usize,
    /// Where the stretch starts.
    pub from: UnixSeconds,
    /// Where it ends; `None` while it goes on.
    pub until: Option<UnixSeconds>,
}

impl Outage {
    /// As ilert's `ServiceOutage`.
    pub fn render(&self) -> Value {
        let mut out = json!({"status": services::status_of(self.rank), "from": iso8601(self.from)});
        if let Some(until) = self.until {
            out["until"] = json!(iso8601(until));
        }
        out
    }

    fn covers(&self, from: UnixSeconds, until: Option<UnixSeconds>) -> bool {
        self.from <= from
            && match (self.until, until) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(end), Some(until)) => end >= until,
            }
    }
}

/// What the tenant's incidents say of `service`: one stretch per history step that impacted it.
fn from_incidents(view: &View<'_>, service: i64) -> Vec<Outage> {
    let mut out = Vec::new();
    for (_, incident) in view.state.resources().iter(view.tenant, names::INCIDENTS) {
        let steps = incidents::steps(&incident.body);
        for (k, step) in steps.iter().enumerate() {
            if step.update["incidentStatus"] == "RESOLVED" {
                continue;
            }
            let until = steps.get(k + 1).map(|next| next.at);
            let impact = services::impacts(&step.update["affectedServices"])
                .into_iter()
                .find(|(id, _)| *id == service);
            if let Some((_, impact)) = impact
                && services::rank(&impact) > 0
                && until.is_none_or(|u| u > step.at)
            {
                out.push(Outage {
                    rank: services::rank(&impact),
                    from: step.at,
                    until,
                });
            }
        }
    }
    out
}

/// The tenant's overrides of `service`, oldest (lowest id) first.
fn overrides(view: &View<'_>, service: i64) -> Vec<Outage> {
    view.state
        .resources()
        .iter(view.tenant, names::OUTAGE_OVERRIDES)
        .filter(|(_, o)| o.body.get("service").is_some_and(|s| s["id"] == service))
        .filter_map(|(_, o)| {
            let time = |key: &str| o.body.get(key).and_then(Value::as_str).and_then(parse);
            Some(Outage {
                rank: services::rank(o.body.get("status")?.as_str()?),
                from: time("from")?,
                until: Some(time("until")?),
            })
        })
        .collect()
}

/// The outages of `service` within `[from, until]` (either end open), with the overrides
/// applied unless `ignore_overrides`.
pub fn outages(
    view: &View<'_>,
    service: i64,
    ignore_overrides: bool,
    (from, until): (Option<UnixSeconds>, Option<UnixSeconds>),
) -> Vec<Outage> {
    let incidents = from_incidents(view, service);
    let overrides = if ignore_overrides {
        Vec::new()
    } else {
        overrides(view, service)
    };
    let mut bounds: Vec<UnixSeconds> = incidents
        .iter()
        .chain(&overrides)
        .flat_map(|o| [Some(o.from), o.until])
        .flatten()
        .collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut merged: Vec<Outage> = Vec::new();
    for (k, start) in bounds.iter().enumerate() {
        let end = bounds.get(k + 1).copied();
        let rank = match overrides.iter().rev().find(|o| o.covers(*start, end)) {
            Some(o) => o.rank,
            None => incidents
                .iter()
                .filter(|o| o.covers(*start, end))
                .map(|o| o.rank)
                .max()
                .unwrap_or(0),
        };
        match merged.last_mut() {
            Some(last) if last.rank == rank && last.until == Some(*start) => last.until = end,
            _ => merged.push(Outage {
                rank,
                from: *start,
                until: end,
            }),
        }
    }
    merged
        .into_iter()
        .filter(|o| o.rank > 0)
        .filter(|o| {
            until.is_none_or(|u| o.from < u) && from.is_none_or(|f| o.until.is_none_or(|end| end > f))
        })
        .map(|o| Outage {
            rank: o.rank,
            from: from.map_or(o.from, |f| o.from.max(f)),
            until: match (o.until, until) {
                (Some(end), Some(u)) => Some(end.min(u)),
                (end, u) => end.or(u),
            },
        })
        .collect()
}

const DAY: i64 = 86_400;

/// The percentage of the last `days` days before `now` the service was up (see the module doc).
fn percentage(outages: &[Outage], now: UnixSeconds, days: i64) -> f64 {
    let start = now - days * DAY;
    let down: i64 = outages
        .iter()
        .filter(|o| o.rank >= services::rank("PARTIAL_OUTAGE"))
        .map(|o| (o.until.unwrap_or(now).min(now) - o.from.max(start)).max(0))
        .sum();
    let share = 1.0 - down as f64 / (days * DAY) as f64;
    (share * 10_000.0).round() / 100.0
}

/// The service's uptime over the last 90 days (ilert's `ServiceUptime`). The percentages sit
/// directly in `uptimePercentage` (`{"p90", "p60", "p30"}`), as ilert-go reads them
/// (`ServiceUptime.UptimePercentage *ServiceUptimePercentage` with `p90`/`p60`/`p30`,
/// service.go:30 and :35 of iLert/ilert-go at 549c4adb); the document nests them once more
/// (`uptimePercentage.uptimePercentage.p90`), which ilert-go would read as zeros
/// (`reconcile::SCHEMA_PATCHES`).
pub fn uptime(view: &View<'_>, service: i64, now: UnixSeconds) -> Value {
    let start = now - 90 * DAY;
    let outages = outages(view, service, false, (Some(start), Some(now)));
    json!({
        "rangeStart": iso8601(start),
        "rangeEnd": iso8601(now),
        "outages": outages.iter().map(Outage::render).collect::<Vec<_>>(),
        "uptimePercentage": {
            "p90": percentage(&outages, now, 90),
            "p60": percentage(&outages, now, 60),
            "p30": percentage(&outages, now, 30),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(rank: usize, from: i64, until: Option<i64>) -> Outage {
        Outage { rank, from, until }
    }

    #[test]
    fn covering_and_rendering() {
        assert!(o(3, 0, None).covers(5, None));
        assert!(o(3, 0, Some(10)).covers(0, Some(10)));
        assert!(!o(3, 0, Some(10)).covers(5, None));
        assert!(!o(3, 6, Some(10)).covers(5, Some(7)));
        assert_eq!(
            o(4, 0, None).render(),
            json!({"status": "MAJOR_OUTAGE", "from": "1970-01-01T00:00:00Z"})
        );
    }

    #[test]
    fn uptime_counts_partial_and_major_outages_only() {
        let now = 100 * DAY;
        let outs = [o(4, now - DAY, Some(now - DAY / 2)), o(2, now - 2 * DAY, None)];
        assert_eq!(percentage(&outs, now, 30), 98.33);
        assert_eq!(percentage(&[], now, 30), 100.0);
        assert_eq!(percentage(&[o(3, 0, None)], now, 90), 0.0);
    }
}
