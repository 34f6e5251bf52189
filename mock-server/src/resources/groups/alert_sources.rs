//! Alert sources (`/alert-sources`, scope `source`): the generic collection. A source is found
//! by id or integration key; its escalation policy must exist in the tenant (and cannot be
//! deleted while the source uses it); deleting a source deletes its alerts. Lists answer
//! `AlertSourceNoIncludes`, single sources `AlertSource`, with the policy embedded, an
//! `integrationUrl` the mock serves (the Events API) and a `status` computed from its alerts
//! (`IN_MAINTENANCE` while an open maintenance window names it). Its teams and support hours
//! must exist, and cannot be deleted while the source names them.

use serde_json::{Value, json};

use super::{escalation_policies, support_hours, teams};

use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Group, OnDelete, Relation, Target, View};
use crate::resources::kinds::WithKey;
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::support::names;

/// The store name of the collection.
pub const NAME: &str = names::ALERT_SOURCES;

/// The group.
pub static GROUP: Group = Group::new(
    "Alert Sources",
    &[
        Collection::new(NAME, "/alert-sources", "alert source", "AlertSource", &SOURCES)
            .alt_key("integrationKey")
            .relations(&[
                Relation::new(
                    "escalationPolicy",
                    Target::Collection(escalation_policies::NAME),
                    OnDelete::Restrict,
                ),
                Relation::new("teams[]", Target::Collection(teams::NAME), OnDelete::Restrict),
                Relation::new(
                    "supportHours",
                    Target::Collection(support_hours::NAME),
                    OnDelete::Restrict,
                ),
            ]),
    ],
    &[],
);

/// The fields a client sets, with ilert's defaults.
fn editable(body: &Entity, out: &mut Entity) -> Result<(), ResourceError> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ResourceError::BadRequest(
            "field 'name' must not be empty".to_owned(),
        ));
    }
    let text =
        |key: &str, default: &str| Value::from(body.get(key).and_then(Value::as_str).unwrap_or(default));
    out.insert("name".into(), Value::from(name));
    out.insert("integrationType".into(), text("integrationType", "API"));
    out.insert(
        "escalationPolicy".into(),
        json!({"id": body.get("escalationPolicy").map_or(&Value::Null, |p| &p["id"])}),
    );
    out.insert("alertPriorityRule".into(), text("alertPriorityRule", "HIGH"));
    out.insert(
        "alertCreation".into(),
        text("alertCreation", "ONE_ALERT_PER_EMAIL"),
    );
    out.insert(
        "active".into(),
        Value::from(body.get("active").and_then(Value::as_bool).unwrap_or(true)),
    );
    match body.get("autoResolutionTimeout").filter(|v| v.is_string()) {
        Some(t) => out.insert("autoResolutionTimeout".into(), t.clone()),
        None => out.remove("autoResolutionTimeout"),
    };
    let team_ids = body
        .get("teams")
        .map(|t| relations::ids(t, "[]"))
        .unwrap_or_default();
    let team_refs: Vec<Value> = team_ids.iter().map(|id| json!({"id": id})).collect();
    out.insert("teams".into(), Value::Array(team_refs));
    match body
        .get("supportHours")
        .and_then(|h| h.get("id"))
        .filter(|id| !id.is_null())
    {
        Some(id) => out.insert("supportHours".into(), json!({"id": id})),
        None => out.remove("supportHours"),
    };
    Ok(())
}

/// The alert source model: a key shaped by the integration type, both times stamped.
const SOURCES: WithKey = WithKey::new(
    |cx, source| {
        let kind = source
            .get("integrationType")
            .and_then(Value::as_str)
            .unwrap_or("API");
        integration_key(kind, &cx.state.random_hex(16))
    },
    editable,
    render,
)
.stamped();

/// An integration key as ilert writes them (`il1api0a5cf3001e0c8d4f5b9a2e7c6d1f` in ilert's
/// examples and the fixtures): `il1`, the integration type in short (`api`, or the type's first
/// four letters), then lowercase hex, 34 characters in all; `hex` supplies the randomness.
fn integration_key(integration_type: &str, hex: &str) -> String {
    let short = if integration_type.eq_ignore_ascii_case("API") {
        "api".to_owned()
    } else {
        integration_type
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(4)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let mut key = format!("il1{short}");
    key.extend(hex.chars().take(34usize.saturating_sub(key.len())));
    key
}

/// Where the mock accepts events for a source: ilert's `/api/v1/events/{type}/{key}` form.
pub fn integration_url(base: &str, integration_type: &str, key: &str) -> String {
    format!(
        "{base}/api/v1/events/{}/{key}",
        integration_type.to_ascii_lowercase()
    )
}

/// A stored source as `AlertSource` (or, in lists, `AlertSourceNoIncludes`).
pub fn render(view: &View<'_>, s: &Entity, list: bool) -> Value {
    let id = s.get("id").and_then(Value::as_i64).unwrap_or_default();
    let active = s.get("active").and_then(Value::as_bool).unwrap_or(true);
    // A seed may lack any field (the schema check that follows names it): read, never index.
    let f = |key: &str| crate::resources::support::fields::field(s, key).clone();
    let policy = f("escalationPolicy")["id"].as_i64().unwrap_or_default();
    let kind = s.get("integrationType").and_then(Value::as_str).unwrap_or("API");
    let key = s
        .get("integrationKey")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let status = if active {
        source_status(view, id)
    } else {
        "DISABLED"
    };
    let mut out = json!({
        "id": id,
        "name": f("name"),
        "teams": s.get("teams").cloned().unwrap_or(json!([])),
        "escalationPolicy": escalation_policies::rendered(view, policy),
        "integrationType": kind,
        "integrationKey": key,
        "integrationUrl": integration_url(view.base, kind, key),
        "alertCreation": f("alertCreation"),
        "status": status,
        "active": active,
        "alertPriorityRule": f("alertPriorityRule"),
        "bidirectional": false,
        "services": [],
        "createdAt": f("createdAt"),
        "updatedAt": f("updatedAt"),
    });
    teams::expand(view, &mut out, "teams[]");
    if let Some(map) = out.as_object_mut() {
        if let Some(timeout) = s.get("autoResolutionTimeout") {
            map.insert("autoResolutionTimeout".to_owned(), timeout.clone());
        }
        if let Some(hours) = s.get("supportHours").and_then(|h| h["id"].as_i64()) {
            map.insert(
                "supportHours".to_owned(),
                view.rendered(support_hours::NAME, hours),
            );
        }
        if !list {
            map.insert("autoCreateServices".to_owned(), json!(false));
        }
    }
    out
}

/// The tenant's source `id`, rendered as a single entity (`{"id": …}` when it is gone).
pub fn rendered(view: &View<'_>, id: i64) -> Value {
    view.rendered(NAME, id)
}

/// Whether a maintenance window naming the tenant's source `source` is open at the view's now.
pub fn in_maintenance(view: &View<'_>, source: i64) -> bool {
    view.state
        .resources()
        .iter(view.tenant, names::MAINTENANCE_WINDOWS)
        .any(|(_, w)| {
            let time = |k: &str| {
                w.body
                    .get(k)
                    .and_then(Value::as_str)
                    .and_then(crate::resources::time::parse)
            };
            let open =
                matches!((time("start"), time("end")), (Some(s), Some(e)) if s <= view.now && view.now < e);
            open && w
                .body
                .get("alertSources")
                .is_some_and(|s| relations::ids(s, "[]").contains(&source))
        })
}

/// The `status` of an active alert source: `IN_MAINTENANCE` during an open maintenance window,
/// else from its open alerts.
pub fn source_status(view: &View<'_>, source: i64) -> &'static str {
    if in_maintenance(view, source) {
        return "IN_MAINTENANCE";
    }
    // The store files alerts by `{source}:{state}`: two look-ups, whatever the alert count.
    let store = view.state.resources();
    let held = |state: &str| {
        store
            .keyed(
                view.tenant,
                names::ALERTS,
                crate::resources::support::names::SOURCE_STATE,
                &format!("{source}:{state}"),
            )
            .is_some_and(|ids| !ids.is_empty())
    };
    match () {
        () if held("PENDING") => "PENDING",
        () if held("ACCEPTED") => "ALL_ACCEPTED",
        () => "ALL_RESOLVED",
    }
}

#[cfg(test)]
mod key_tests {
    use super::integration_key;

    #[test]
    fn keys_look_like_ilerts() {
        let hex = "0123456789abcdef0123456789abcdef";
        assert_eq!(integration_key("API", hex), "il1api0123456789abcdef0123456789ab");
        assert_eq!(
            integration_key("PROMETHEUS", hex),
            "il1prom0123456789abcdef0123456789a"
        );
        assert_eq!(integration_key("API", hex).len(), 34);
        assert_eq!(integration_key("X-Y", hex).len(), 34);
    }
}
