//! What a status page is: its fields with ilert's defaults and rules (a subdomain of its own,
//! an IP allow-list and audience-specific mode only on `PRIVATE` pages, a structure made of its
//! services and groups), and how it renders: its services with their status, its own status the
//! worst of theirs, the structure without what is gone.

use serde_json::{Value, json};

use super::super::services::model as services;
use crate::resources::catalogue::catalogue;
use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Cx, Model, OnDelete, Relation, Target, View};
use crate::resources::kinds::{Plain, Written};
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::support::{audience, names};
use crate::resources::validate;

/// The store name of status pages.
pub const NAME: &str = names::STATUS_PAGES;
/// The store name of their groups.
pub const GROUPS: &str = names::STATUS_PAGE_GROUPS;

/// The status pages. Services and metrics a page shows may be deleted (the page then leaves
/// them out); a team it names may not.
pub const PAGES: Collection =
    Collection::new(NAME, "/status-pages", "status page", "StatusPage", &PAGE_MODEL).relations(&[
        Relation::new("services[]", Target::Collection(services::NAME), OnDelete::Keep),
        Relation::new("metrics[]", Target::Collection(names::METRICS), OnDelete::Keep),
        audience::OWNING_TEAMS,
    ]);

/// The groups of a status page (`/status-pages/{id}/groups`), deleted with it.
pub const PAGE_GROUPS: Collection = Collection::new(
    GROUPS,
    "/status-pages/{id}/groups",
    "status page group",
    "StatusPageGroup",
    &Groups,
)
.child_of(Target::Collection(NAME));

fn bad(message: impl Into<String>) -> ResourceError {
    ResourceError::BadRequest(message.into())
}

fn references(body: &Entity, key: &str) -> Value {
    let ids = relations::ids(body.get(key).unwrap_or(&Value::Null), "[]");
    Value::Array(ids.into_iter().map(|id| json!({"id": id})).collect())
}

/// The structure a body gives (or, without one, `previous`), checked against the page's
/// services and groups: a service at most once, groups holding services only. Services the
/// structure leaves out are added at its end, so that the page shows every service.
fn structure(
    given: Option<&Value>,
    previous: &Value,
    services: &[i64],
    groups: &[i64],
) -> Result<Value, ResourceError> {
    let elements = match given.filter(|v| !v.is_null()) {
        Some(s) => s["elements"].as_array().cloned().unwrap_or_default(),
        None => prune(previous, services, groups)["elements"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    };
    let mut shown: Vec<i64> = Vec::new();
    let mut out: Vec<Value> = Vec::new();
    let service = |e: &Value, at: &str, shown: &mut Vec<i64>| -> Result<Value, ResourceError> {
        let id = e["id"].as_i64().unwrap_or_default();
        if e["type"] != "SERVICE" {
            return Err(bad(format!(
                "field '{at}' is a group inside a group; groups hold services"
            )));
        }
        if !services.contains(&id) || shown.contains(&id) {
            return Err(bad(format!(
                "field '{at}' names service {id}, which the page does not show or shows twice"
            )));
        }
        shown.push(id);
        let mut element = json!({"id": id, "type": "SERVICE"});
        if let Some(options) = e.get("options").filter(|o| o.is_string()) {
            element["options"] = options.clone();
        }
        Ok(element)
    };
    for (i, e) in elements.iter().enumerate() {
        let at = format!("structure.elements[{i}]");
        if e["type"] != "GROUP" {
            out.push(service(e, &at, &mut shown)?);
            continue;
        }
        let id = e["id"].as_i64().unwrap_or_default();
        if !groups.contains(&id) {
            return Err(bad(format!(
                "field '{at}' names group {id}, which is no group of the page"
            )));
        }
        let mut children = Vec::new();
        for (j, child) in e["children"].as_array().into_iter().flatten().enumerate() {
            children.push(service(child, &format!("{at}.children[{j}]"), &mut shown)?);
        }
        out.push(json!({"id": id, "type": "GROUP", "children": children}));
    }
    for id in services.iter().filter(|id| !shown.contains(id)) {
        out.push(json!({"id": id, "type": "SERVICE"}));
    }
    Ok(json!({"elements": out}))
}

/// `structure` without services and groups the page no longer has (a gone group's services
/// move up a level).
pub fn prune(structure: &Value, services: &[i64], groups: &[i64]) -> Value {
    let keep = |e: &Value| e["id"].as_i64().is_some_and(|id| services.contains(&id));
    let mut out = Vec::new();
    for e in structure["elements"].as_array().into_iter().flatten() {
        if e["type"] != "GROUP" {
            if keep(e) {
                out.push(e.clone());
            }
            continue;
        }
        let children: Vec<Value> = e["children"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| keep(c))
            .cloned()
            .collect();
        if e["id"].as_i64().is_some_and(|id| groups.contains(&id)) {
            let mut group = e.clone();
            group["children"] = Value::Array(children);
            out.push(group);
        } else {
            out.extend(children);
        }
    }
    json!({"elements": out})
}

/// The page's groups' ids.
fn group_ids(view: &View<'_>, page: Option<i64>) -> Vec<i64> {
    page.map(|p| view.state.resources().children(view.tenant, GROUPS, p))
        .unwrap_or_default()
}

/// The stored page for a checked body; `old` is the stored page of an update.
fn editable(cx: &Cx<'_>, body: &Entity, old: Option<&Entity>) -> Result<Entity, ResourceError> {
    let name = validate::non_blank(body, "name")?;
    let text = |key: &str, default: &str| json!(body.get(key).and_then(Value::as_str).unwrap_or(default));
    let flag = |key: &str, default: bool| json!(body.get(key).and_then(Value::as_bool).unwrap_or(default));
    let slug: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    // A default subdomain is a host label too (resources::formats::HOSTNAME).
    let slug = match slug.get(..63).unwrap_or(&slug).trim_end_matches('-') {
        "" => "status-page".to_owned(),
        label => label.to_owned(),
    };
    let subdomain = body
        .get("subdomain")
        .and_then(Value::as_str)
        .map_or_else(|| format!("{slug}.ilert.io"), str::to_owned);
    let id = old.and_then(|o| o.get("id")).and_then(Value::as_i64);
    let taken = cx.state.resources().find_any(NAME, |p| {
        p.get("subdomain").and_then(Value::as_str) == Some(&subdomain)
            && p.get("id").and_then(Value::as_i64) != id
    });
    if taken.is_some() {
        return Err(ResourceError::Conflict(format!(
            "subdomain '{subdomain}' is taken by another status page"
        )));
    }
    let visibility = body.get("visibility").and_then(Value::as_str).unwrap_or("PUBLIC");
    let whitelist = body.get("ipWhitelist").cloned().unwrap_or(json!([]));
    // ilert: the IP allow-list "can only be set on 'PRIVATE' status pages"; audience-specific
    // mode is one of private pages.
    if visibility != "PRIVATE" && whitelist.as_array().is_some_and(|w| !w.is_empty()) {
        return Err(bad("field 'ipWhitelist' can only be set on PRIVATE status pages"));
    }
    if visibility != "PRIVATE" && body.get("audienceSpecific") == Some(&json!(true)) {
        return Err(bad(
            "field 'audienceSpecific' can only be set on PRIVATE status pages",
        ));
    }
    let services = references(body, "services");
    let service_ids = relations::ids(&services, "[]");
    let previous = old
        .and_then(|o| o.get("structure"))
        .cloned()
        .unwrap_or(Value::Null);
    let structure = structure(
        body.get("structure"),
        &previous,
        &service_ids,
        &group_ids(&cx.view(), id),
    )?;
    let mut out = json!({
        "name": name,
        "domain": text("domain", ""),
        "subdomain": subdomain,
        "timezone": text("timezone", "Europe/Berlin"),
        "visibility": visibility,
        "hiddenFromSearch": flag("hiddenFromSearch", false),
        "showSubscribeAction": flag("showSubscribeAction", true),
        "showIncidentHistoryOption": flag("showIncidentHistoryOption", true),
        "pageTitle": text("pageTitle", name),
        "pageDescription": text("pageDescription", ""),
        "pageLayout": text("pageLayout", "RESPONSIVE"),
        "activated": flag("activated", true),
        "appearance": text("appearance", "LIGHT"),
        "teams": references(body, "teams"),
        "services": services,
        "metrics": references(body, "metrics"),
        "ipWhitelist": whitelist,
        "structure": structure,
        "announcementOnPage": flag("announcementOnPage", false),
        "announcementInWidget": flag("announcementInWidget", false),
        "audienceSpecific": flag("audienceSpecific", false),
    });
    for key in ["faviconUrl", "logoUrl", "logoRedirectUrl", "announcement"] {
        if let Some(v) = body.get(key).filter(|v| v.is_string()) {
            out[key] = v.clone();
        }
    }
    let mut out = out.as_object().cloned().unwrap_or_default();
    let subscribers = old.map(audience::stored).unwrap_or_default();
    audience::keep(&mut out, &subscribers);
    Ok(out)
}

/// The status page model.
const PAGE_MODEL: Written = Written {
    write: |cx, old, body| editable(cx, &body, old),
    show: render,
};

/// The group model: a name.
#[derive(Debug)]
pub struct Groups;

// Not a kind: Plain with the body cut to its name.
impl Model for Groups {
    fn create(&self, cx: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        let name = validate::non_blank(&body, "name")?;
        Plain.create(cx, json!({"name": name}).as_object().cloned().unwrap_or_default())
    }

    fn update(&self, cx: &mut Cx<'_>, old: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        let out = self.create(cx, body)?;
        Plain.update(cx, old, out)
    }
}

/// A metric the page shows, as `MetricNoIncludes` (its stored fields of that schema).
fn metric(view: &View<'_>, id: i64) -> Option<Value> {
    let stored = view.state.resources().get(view.tenant, names::METRICS, id)?;
    let schema = catalogue().schema("MetricNoIncludes");
    let known = schema.and_then(|s| s["properties"].as_object());
    let mut out: Entity = stored
        .body
        .iter()
        .filter(|(k, _)| known.is_some_and(|p| p.contains_key(*k)) && *k != "teams")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.insert(
        "teams".to_owned(),
        audience::team_rels(view, stored.body.get("teams")),
    );
    Some(Value::Object(out))
}

/// The fields of a page as answered, in the document's order.
const FIELDS: [&str; 26] = [
    "name",
    "domain",
    "subdomain",
    "timezone",
    "faviconUrl",
    "logoUrl",
    "visibility",
    "hiddenFromSearch",
    "showSubscribeAction",
    "showIncidentHistoryOption",
    "pageTitle",
    "pageDescription",
    "pageLayout",
    "logoRedirectUrl",
    "activated",
    "status",
    "teams",
    "services",
    "metrics",
    "ipWhitelist",
    "structure",
    "appearance",
    "announcement",
    "announcementOnPage",
    "announcementInWidget",
    "audienceSpecific",
];

/// The fields the list resource (`StatusPageList`) leaves out.
const NOT_LISTED: [&str; 3] = ["pageLayout", "structure", "appearance"];

/// A stored page as `StatusPageNoIncludes` (with `structure`), or in lists `StatusPageList`.
pub fn render(view: &View<'_>, p: &Entity, list: bool) -> Value {
    let service_ids = relations::ids(p.get("services").unwrap_or(&Value::Null), "[]");
    let shown: Vec<Value> = service_ids
        .iter()
        .filter_map(|id| services::rendered(view, *id))
        .collect();
    let worst = shown
        .iter()
        .map(|s| services::rank(s["status"].as_str().unwrap_or_default()))
        .max()
        .unwrap_or(0);
    let alive: Vec<i64> = shown.iter().filter_map(|s| s["id"].as_i64()).collect();
    let metrics: Vec<Value> = relations::ids(p.get("metrics").unwrap_or(&Value::Null), "[]")
        .into_iter()
        .filter_map(|id| metric(view, id))
        .collect();
    let page = p.get("id").and_then(Value::as_i64);
    let structure = prune(
        p.get("structure").unwrap_or(&Value::Null),
        &alive,
        &group_ids(view, page),
    );
    let computed = json!({
        "status": services::status_of(worst),
        "teams": audience::team_rels(view, p.get("teams")),
        "services": shown,
        "metrics": metrics,
        "structure": structure,
    });
    let mut out = Entity::new();
    out.insert("id".to_owned(), p.get("id").cloned().unwrap_or_default());
    for key in FIELDS {
        if list && NOT_LISTED.contains(&key) {
            continue;
        }
        if let Some(value) = computed.get(key).or_else(|| p.get(key)) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_structure_shows_every_service_once_and_groups_hold_services() {
        let given =
            json!({"elements": [{"id": 9, "type": "GROUP", "children": [{"id": 1, "type": "SERVICE"}]}]});
        let s = structure(Some(&given), &Value::Null, &[1, 2], &[9]).expect("valid");
        assert_eq!(
            s,
            json!({"elements": [
                {"id": 9, "type": "GROUP", "children": [{"id": 1, "type": "SERVICE"}]},
                {"id": 2, "type": "SERVICE"}
            ]})
        );
        assert!(
            structure(Some(&given), &Value::Null, &[1], &[]).is_err(),
            "no such group"
        );
        let twice = json!({"elements": [{"id": 1, "type": "SERVICE"}, {"id": 1, "type": "SERVICE"}]});
        assert!(structure(Some(&twice), &Value::Null, &[1], &[]).is_err());
        let nested =
            json!({"elements": [{"id": 9, "type": "GROUP", "children": [{"id": 9, "type": "GROUP"}]}]});
        assert!(structure(Some(&nested), &Value::Null, &[1], &[9]).is_err());
        let unknown = json!({"elements": [{"id": 3, "type": "SERVICE"}]});
        assert!(structure(Some(&unknown), &Value::Null, &[1], &[]).is_err());
    }

    #[test]
    fn pruning_lifts_the_services_of_a_gone_group() {
        let s = json!({"elements": [
            {"id": 9, "type": "GROUP", "children": [{"id": 1, "type": "SERVICE"}, {"id": 2, "type": "SERVICE"}]},
            {"id": 3, "type": "SERVICE"}
        ]});
        assert_eq!(
            prune(&s, &[1, 3], &[]),
            json!({"elements": [{"id": 1, "type": "SERVICE"}, {"id": 3, "type": "SERVICE"}]})
        );
        assert_eq!(
            structure(None, &s, &[2, 4], &[9]).expect("kept")["elements"][1],
            json!({"id": 4, "type": "SERVICE"})
        );
    }
}
