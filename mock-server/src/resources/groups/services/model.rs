//! What a service is: its editable fields with ilert's defaults, how it renders
//! (`ServiceNoIncludes`), the order of service statuses, and how incidents set its status.

use serde_json::{Value, json};

use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Cx, View, World};
use crate::resources::kinds::Written;
use crate::resources::store::Entity;
use crate::resources::support::{audience, names};
use crate::resources::validate;

/// The store name of services.
pub const NAME: &str = names::SERVICES;

/// The collection.
pub const COLLECTION: Collection = Collection::new(NAME, "/services", "service", "Service", &SERVICE_MODEL)
    .relations(&[audience::OWNING_TEAMS]);

/// ilert's service statuses (`ServiceStatus`), from best to worst.
pub const STATUSES: [&str; 5] = [
    "OPERATIONAL",
    "UNDER_MAINTENANCE",
    "DEGRADED",
    "PARTIAL_OUTAGE",
    "MAJOR_OUTAGE",
];

/// How bad a status is: its place in [`STATUSES`] (an unknown one counts as operational).
pub fn rank(status: &str) -> usize {
    STATUSES.iter().position(|s| *s == status).unwrap_or(0)
}

/// The status of rank `rank`.
pub fn status_of(rank: usize) -> &'static str {
    STATUSES.get(rank).copied().unwrap_or(STATUSES[0])
}

/// The fields a client sets, with ilert's defaults; a PUT replaces them, except `status`, which
/// stays as it is when the body leaves it out (incidents move it).
fn editable(body: &Entity, out: &mut Entity) -> Result<(), ResourceError> {
    let name = validate::non_blank(body, "name")?;
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    let flag =
        |key: &str, default: bool| Value::from(body.get(key).and_then(Value::as_bool).unwrap_or(default));
    out.insert("name".into(), json!(name));
    match text("alias") {
        Some(alias) => out.insert("alias".into(), json!(alias)),
        None => out.remove("alias"),
    };
    out.insert(
        "description".into(),
        json!(text("description").unwrap_or_default()),
    );
    if let Some(status) = text("status") {
        out.insert("status".into(), json!(status));
    }
    out.entry("status").or_insert(json!("OPERATIONAL"));
    out.insert("oneOpenIncidentOnly".into(), flag("oneOpenIncidentOnly", false));
    out.insert("showUptimeHistory".into(), flag("showUptimeHistory", true));
    let teams = crate::resources::relations::ids(body.get("teams").unwrap_or(&Value::Null), "[]");
    out.insert(
        "teams".into(),
        Value::Array(teams.iter().map(|id| json!({"id": id})).collect()),
    );
    Ok(())
}

/// The service model: defaults on write, subscribers kept across updates, teams as `TeamRel`.
const SERVICE_MODEL: Written = Written {
    write,
    show: |view, s, _| render(view, s),
};

/// A service as stored: the body's fields over the service it replaces; a new service starts
/// without subscribers.
fn write(_: &mut Cx<'_>, old: Option<&Entity>, body: Entity) -> Result<Entity, ResourceError> {
    let mut out = old.cloned().unwrap_or_default();
    editable(&body, &mut out)?;
    if old.is_none() {
        audience::keep(&mut out, &[]);
    }
    Ok(out)
}

/// A stored service as ilert's `ServiceNoIncludes`, its fields in the document's order.
pub fn render(view: &View<'_>, s: &Entity) -> Value {
    let field = |key: &str, default: Value| s.get(key).cloned().unwrap_or(default);
    let mut out = Entity::new();
    out.insert("id".into(), field("id", Value::Null));
    out.insert("name".into(), field("name", json!("")));
    if let Some(alias) = s.get("alias") {
        out.insert("alias".into(), alias.clone());
    }
    out.insert("status".into(), field("status", json!("OPERATIONAL")));
    out.insert("description".into(), field("description", json!("")));
    out.insert(
        "oneOpenIncidentOnly".into(),
        field("oneOpenIncidentOnly", json!(false)),
    );
    out.insert(
        "showUptimeHistory".into(),
        field("showUptimeHistory", json!(true)),
    );
    out.insert("teams".into(), audience::team_rels(view, s.get("teams")));
    Value::Object(out)
}

/// The tenant's service `id`, rendered, if it exists.
pub fn rendered(view: &View<'_>, id: i64) -> Option<Value> {
    view.state
        .resources()
        .get(view.tenant, NAME, id)
        .map(|s| render(view, &s.body))
}

/// The affected services of a stored incident: (service id, impact).
pub fn impacts(incident: &Value) -> Vec<(i64, String)> {
    incident
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            Some((
                a["service"]["id"].as_i64()?,
                a["impact"].as_str().unwrap_or("OPERATIONAL").to_owned(),
            ))
        })
        .collect()
}

/// Whether a stored incident is open (not `RESOLVED`).
pub fn is_open(incident: &Entity) -> bool {
    incident.get("status").and_then(Value::as_str) != Some("RESOLVED")
}

/// Sets the status of each of the tenant's `services` from its open incidents: the worst impact
/// among them, or `OPERATIONAL` when none is open. Incidents call it for every service they
/// affect or affected before a change.
pub fn follow_incidents(state: &mut dyn World, tenant: &str, services: &[i64]) {
    for service in services {
        let worst = state
            .resources()
            .iter(tenant, names::INCIDENTS)
            .filter(|(_, i)| is_open(&i.body))
            .flat_map(|(_, i)| impacts(i.body.get("affectedServices").unwrap_or(&Value::Null)))
            .filter(|(id, _)| id == service)
            .map(|(_, impact)| rank(&impact))
            .max()
            .unwrap_or(0);
        if let Some(mut s) = state.resources_mut().get_mut(tenant, NAME, *service) {
            s.insert("status".to_owned(), json!(status_of(worst)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_ordered_from_best_to_worst() {
        assert!(rank("MAJOR_OUTAGE") > rank("PARTIAL_OUTAGE"));
        assert!(rank("DEGRADED") > rank("UNDER_MAINTENANCE"));
        assert_eq!(rank("nonsense"), 0);
        assert_eq!(status_of(rank("DEGRADED")), "DEGRADED");
        assert_eq!(status_of(99), "OPERATIONAL");
    }

    #[test]
    fn impacts_read_the_affected_services() {
        let affected = json!([{"impact": "DEGRADED", "service": {"id": 4}}, {"service": {"id": 5}}, {"impact": "MAJOR_OUTAGE"}]);
        assert_eq!(
            impacts(&affected),
            vec![(4, "DEGRADED".to_owned()), (5, "OPERATIONAL".to_owned())]
        );
    }
}
