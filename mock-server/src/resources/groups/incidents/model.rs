//! What an incident is: its fields with ilert's defaults, its update history (one entry per
//! create and update, each remembering the impacts it set), its documented list filters, and
//! how it renders (`Incident` / `IncidentNoIncludes`, history and affected teams on request).

use serde_json::{Value, json};

use super::super::services::model as services;
use crate::clock::UnixSeconds;
use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Cx, Filter, Model, OnDelete, Relation, Target, View};
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::support::{audience, names};
use crate::resources::time::{iso8601, parse};
use crate::resources::validate;

/// The store name of incidents.
pub const NAME: &str = names::INCIDENTS;

/// The collection. A deleted service stays named by the incidents that affected it (their
/// answers leave it out), so that an incident's history is not lost with it.
pub const COLLECTION: Collection = Collection::new(NAME, "/incidents", "incident", "Incident", &Incidents)
    .relations(&[Relation::new(
        "affectedServices[].service",
        Target::Collection(services::NAME),
        OnDelete::Keep,
    )])
    .filters(FILTERS);

/// The documented filters of `GET /incidents`: `states`, `services` (an affected service),
/// `from` and `until` (on `createdAt`, the incident's report time).
pub const FILTERS: &[Filter] = &[
    Filter {
        param: "states",
        test: |_, i, v| {
            v.iter()
                .any(|s| i.get("status").is_some_and(|st| st == s.as_str()))
        },
    },
    Filter {
        param: "services",
        test: |_, i, v| {
            services::impacts(i.get("affectedServices").unwrap_or(&Value::Null))
                .iter()
                .any(|(id, _)| v.iter().any(|s| s.parse::<i64>().ok() == Some(*id)))
        },
    },
    Filter {
        param: "from",
        test: |_, i, v| created(i) >= v.iter().filter_map(|t| parse(t)).max().unwrap_or(i64::MIN),
    },
    Filter {
        param: "until",
        test: |_, i, v| created(i) <= v.iter().filter_map(|t| parse(t)).min().unwrap_or(i64::MAX),
    },
];

/// When the incident was reported.
pub fn created(incident: &Entity) -> UnixSeconds {
    incident
        .get("createdAt")
        .and_then(Value::as_str)
        .and_then(parse)
        .unwrap_or_default()
}

/// The affected services of a request, checked: each names a service by id and its impact, and
/// a service at most once.
pub fn affected(body: &Value) -> Result<Value, ResourceError> {
    let mut out: Vec<Value> = Vec::new();
    for (i, item) in body.as_array().into_iter().flatten().enumerate() {
        let id = item["service"]["id"].as_i64().ok_or_else(|| {
            ResourceError::BadRequest(format!("field 'affectedServices[{i}].service.id' is required"))
        })?;
        let impact = item["impact"].as_str().ok_or_else(|| {
            ResourceError::BadRequest(format!("field 'affectedServices[{i}].impact' is required"))
        })?;
        if out.iter().any(|a| a["service"]["id"] == id) {
            return Err(ResourceError::BadRequest(format!(
                "field 'affectedServices' names service {id} twice"
            )));
        }
        out.push(json!({"impact": impact, "service": {"id": id}}));
    }
    Ok(Value::Array(out))
}

/// A history entry (`IncidentUpdate`) for the incident's state in `incident` at `at`, by the
/// caller; it also remembers the impacts then set (never rendered), which outages follow.
fn entry(cx: &Cx<'_>, incident: &Entity, at: &str) -> Value {
    let n = incident
        .get("history")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    json!({
        "id": (n + 1).to_string(),
        "content": incident.get("message").cloned().unwrap_or(json!("")),
        "creator": {"id": cx.caller.id},
        "incidentStatus": incident.get("status").cloned().unwrap_or(json!("INVESTIGATING")),
        "sendNotification": incident.get("sendNotification").cloned().unwrap_or(json!(true)),
        "createdAt": at,
        "affectedServices": incident.get("affectedServices").cloned().unwrap_or(json!([])),
    })
}

fn push_entry(cx: &Cx<'_>, incident: &mut Entity, at: &str) {
    let e = entry(cx, incident, at);
    if let Some(list) = incident.entry("history").or_insert(json!([])).as_array_mut() {
        list.push(e);
    }
}

/// Sets `resolvedOn` when the incident has just been resolved (at `at`), removes it when it is
/// open again.
fn resolution(incident: &mut Entity, was_open: bool, at: &str) {
    if services::is_open(incident) {
        incident.remove("resolvedOn");
    } else if was_open || !incident.contains_key("resolvedOn") {
        incident.insert("resolvedOn".to_owned(), json!(at));
    }
}

/// The incident model: defaults, history and resolution on write; services and users expanded
/// on read.
#[derive(Debug)]
pub struct Incidents;

// Not a kind: create opens the history, update appends to it and resolves; they share little.
impl Model for Incidents {
    fn create(&self, cx: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        let summary = validate::non_blank(&body, "summary")?;
        let now = iso8601(cx.now);
        // `createdAt` and `updatedAt` are the server's: ilert's document says they "may be
        // overwritten during the creation", and a client that could backdate an incident could
        // move it into reports and outage timelines at will (ilert-go sends them as "" when
        // unset, incident.go's struct without omitempty). The mock clock's now, always.
        let created = json!(now);
        let mut out = json!({
            "summary": summary,
            "status": body.get("status").cloned().unwrap_or(json!("INVESTIGATING")),
            "message": body.get("message").cloned().unwrap_or(json!("")),
            "sendNotification": body.get("sendNotification").cloned().unwrap_or(json!(true)),
            "createdAt": created,
            "updatedAt": json!(now),
            "affectedServices": affected(body.get("affectedServices").unwrap_or(&Value::Null))?,
            "history": [],
        })
        .as_object()
        .cloned()
        .unwrap_or_default();
        let at = out["updatedAt"].as_str().unwrap_or(&now).to_owned();
        resolution(&mut out, true, &at);
        let first = out["createdAt"].as_str().unwrap_or(&now).to_owned();
        push_entry(cx, &mut out, &first);
        audience::keep(&mut out, &[]);
        Ok(out)
    }

    fn update(&self, cx: &mut Cx<'_>, old: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        let mut out = old.clone();
        if body.contains_key("summary") {
            let summary = validate::non_blank(&body, "summary")?;
            out.insert("summary".to_owned(), json!(summary));
        }
        for key in ["status", "message", "sendNotification"] {
            if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
                out.insert(key.to_owned(), v.clone());
            }
        }
        let kept = match body.get("affectedServices").filter(|v| !v.is_null()) {
            Some(given) => affected(given)?,
            // Services deleted since are no longer affected.
            None => {
                let view = cx.view();
                let list = old.get("affectedServices").and_then(Value::as_array);
                let alive = list.into_iter().flatten().filter(|a| {
                    a["service"]["id"]
                        .as_i64()
                        .is_some_and(|id| services::rendered(&view, id).is_some())
                });
                Value::Array(alive.cloned().collect())
            }
        };
        out.insert("affectedServices".to_owned(), kept);
        let now = iso8601(cx.now);
        out.insert("updatedAt".to_owned(), json!(now));
        resolution(&mut out, services::is_open(old), &now);
        push_entry(cx, &mut out, &now);
        Ok(out)
    }

    fn render(&self, view: &View<'_>, entity: &Entity, _: bool) -> Value {
        render(view, entity)
    }
}

/// A stored incident as ilert's `IncidentNoIncludes` (affected services that are gone are left
/// out).
pub fn render(view: &View<'_>, i: &Entity) -> Value {
    let affected: Vec<Value> = services::impacts(i.get("affectedServices").unwrap_or(&Value::Null))
        .into_iter()
        .filter_map(|(id, impact)| Some(json!({"impact": impact, "service": services::rendered(view, id)?})))
        .collect();
    let mut out = json!({
        "id": i.get("id").cloned().unwrap_or_default(),
        "summary": i.get("summary").cloned().unwrap_or_default(),
        "status": i.get("status").cloned().unwrap_or(json!("INVESTIGATING")),
        "message": i.get("message").cloned().unwrap_or(json!("")),
        "sendNotification": i.get("sendNotification").cloned().unwrap_or(json!(true)),
        "createdAt": i.get("createdAt").cloned().unwrap_or_default(),
        "updatedAt": i.get("updatedAt").or(i.get("createdAt")).cloned().unwrap_or_default(),
        "affectedServices": affected,
    });
    if let (Some(resolved), Some(map)) = (i.get("resolvedOn"), out.as_object_mut()) {
        map.insert("resolvedOn".to_owned(), resolved.clone());
    }
    out
}

/// One step of an incident's history: when, its status then, and the impacts it set.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// When the step happened.
    pub at: UnixSeconds,
    /// The update as stored (or made up for a seed without history).
    pub update: Value,
}

/// The incident's history, oldest first. A fixture incident without one gets the steps its
/// fields imply: reported at `createdAt`, and resolved at `resolvedOn` if it is.
pub fn steps(i: &Entity) -> Vec<Step> {
    let stored = i
        .get("history")
        .and_then(Value::as_array)
        .filter(|h| !h.is_empty());
    let updates: Vec<Value> = match stored {
        Some(list) => list.clone(),
        None => {
            let status = i.get("status").cloned().unwrap_or(json!("INVESTIGATING"));
            let resolved = status == "RESOLVED";
            let opening = if resolved { json!("INVESTIGATING") } else { status };
            let mut out = vec![json!({
                "id": "1",
                "content": i.get("message").cloned().unwrap_or(json!("")),
                "incidentStatus": opening,
                "sendNotification": i.get("sendNotification").cloned().unwrap_or(json!(true)),
                "createdAt": i.get("createdAt").cloned().unwrap_or_default(),
            })];
            if let (true, Some(at)) = (resolved, i.get("resolvedOn")) {
                out.push(json!({"id": "2", "content": "", "incidentStatus": "RESOLVED", "sendNotification": false, "createdAt": at}));
            }
            out
        }
    };
    let mut steps: Vec<Step> = updates
        .into_iter()
        .map(|mut update| {
            if update.get("affectedServices").is_none() {
                update["affectedServices"] = i.get("affectedServices").cloned().unwrap_or(json!([]));
            }
            Step {
                at: update["createdAt"].as_str().and_then(parse).unwrap_or_default(),
                update,
            }
        })
        .collect();
    steps.sort_by_key(|s| s.at);
    steps
}

/// The incident's history as ilert's `IncidentUpdate`s, creators as `UserRel`.
pub fn history(view: &View<'_>, i: &Entity) -> Value {
    let updates = steps(i)
        .into_iter()
        .map(|step| {
            let mut update = step.update;
            if let Some(map) = update.as_object_mut() {
                map.remove("affectedServices");
            }
            relations::expand(&mut update, "creator", &|id| relations::user_rel(view, id));
            update
        })
        .collect();
    Value::Array(updates)
}

/// The teams of the incident's affected services, each once, as `TeamRel`.
pub fn affected_teams(view: &View<'_>, i: &Entity) -> Value {
    let mut teams: Vec<Value> = Vec::new();
    for (id, _) in services::impacts(i.get("affectedServices").unwrap_or(&Value::Null)) {
        let Some(service) = view.state.resources().get(view.tenant, services::NAME, id) else {
            continue;
        };
        for team in audience::team_rels(view, service.body.get("teams"))
            .as_array()
            .into_iter()
            .flatten()
        {
            if !teams.contains(team) {
                teams.push(team.clone());
            }
        }
    }
    Value::Array(teams)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(v: Value) -> Entity {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn affected_services_need_an_id_and_an_impact_once() {
        let ok = affected(&json!([{"impact": "DEGRADED", "service": {"id": 3, "name": "x"}}]));
        assert_eq!(ok, Ok(json!([{"impact": "DEGRADED", "service": {"id": 3}}])));
        assert!(affected(&json!([{"service": {"id": 3}}])).is_err());
        assert!(affected(&json!([{"impact": "DEGRADED"}])).is_err());
        let twice = json!([{"impact": "DEGRADED", "service": {"id": 3}}, {"impact": "MAJOR_OUTAGE", "service": {"id": 3}}]);
        assert!(affected(&twice).is_err());
        assert_eq!(affected(&Value::Null), Ok(json!([])));
    }

    #[test]
    fn a_seed_without_history_has_the_steps_its_fields_imply() {
        let i = entity(json!({
            "status": "RESOLVED", "message": "m", "createdAt": "2026-11-28T08:45:00Z",
            "resolvedOn": "2026-11-28T09:30:00Z",
            "affectedServices": [{"impact": "DEGRADED", "service": {"id": 8}}]
        }));
        let steps = steps(&i);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].update["incidentStatus"], "INVESTIGATING");
        assert_eq!(steps[1].update["incidentStatus"], "RESOLVED");
        assert_eq!(steps[0].update["affectedServices"][0]["service"]["id"], 8);
        assert!(steps[0].at < steps[1].at);
        let open = entity(json!({"status": "IDENTIFIED", "createdAt": "2026-11-28T08:45:00Z"}));
        assert_eq!(super::steps(&open).len(), 1);
    }
}
