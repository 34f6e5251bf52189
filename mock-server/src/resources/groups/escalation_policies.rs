//! Escalation policies (`/escalation-policies`, scope `policy`): the generic collection, plus
//! `GET /escalation-policies/resolve?routing-key=` and
//! `PUT /escalation-policies/{id}/levels/{level}` (zero-based). A policy cannot be deleted while
//! an alert source uses it (409); the users, schedules and teams named in its levels (and its
//! own teams) must exist in the tenant, and cannot be deleted while the policy names them.

use serde_json::{Value, json};

use super::{schedules, teams};
use crate::resources::error::ResourceError;
use crate::resources::group::{Action, Collection, Cx, Group, OnDelete, Relation, Reply, Target, View};
use crate::resources::kinds::Written;
use crate::resources::relations;
use crate::resources::store::Entity;

/// The store name of the collection.
pub const NAME: &str = "escalation-policies";

/// The group.
pub static GROUP: Group = Group::new(
    "Escalation Policies",
    &[Collection::new(
        NAME,
        "/escalation-policies",
        "escalation policy",
        "EscalationPolicy",
        &Written {
            write: |_, _, body| normalise(&body),
            show: |view, entity, _| render(view, entity),
        },
    )
    .relations(RELATIONS)],
    &[
        Action::state("GET", "/escalation-policies/resolve", resolve),
        Action::state("PUT", "/escalation-policies/{id}/levels/{level}", replace_level),
    ],
);

/// What a policy names: the users, schedules and teams of its levels, and its own teams.
const RELATIONS: &[Relation] = &[
    Relation::new("escalationRules[].users[]", Target::Users, OnDelete::Restrict),
    Relation::new(
        "escalationRules[].schedules[]",
        Target::Collection(schedules::NAME),
        OnDelete::Restrict,
    ),
    Relation::new(
        "escalationRules[].teams[]",
        Target::Collection(teams::NAME),
        OnDelete::Restrict,
    ),
    Relation::new("teams[]", Target::Collection(teams::NAME), OnDelete::Restrict),
];

/// The `{"id": …}` references of list `many` plus the deprecated single `one` of a level.
fn refs(input: &Value, many: &str, one: &str) -> Vec<Value> {
    let mut list: Vec<Value> = input[many].as_array().cloned().unwrap_or_default();
    if let Some(id) = input.get(one).and_then(|u| u.get("id")) {
        list.push(json!({"id": id}));
    }
    list.iter().map(|u| json!({"id": u["id"]})).collect()
}

/// One level as stored: the deprecated single `user`, `schedule` and `team` folded into their
/// lists, each reference kept as `{"id": …}`.
fn rule(input: &Value) -> Value {
    json!({
        "escalationTimeout": input["escalationTimeout"],
        "users": refs(input, "users", "user"),
        "schedules": refs(input, "schedules", "schedule"),
        "teams": refs(input, "teams", "team"),
    })
}

/// A level must escalate to someone: at least one user, schedule or team (ilert-go's
/// `EscalationRule` carries `user`/`users`, `schedule`/`schedules` and `teams`,
/// escalation_policy.go:24-30 of iLert/ilert-go at 549c4adb, and Terraform's levels `user`,
/// `schedule`, `users`, `schedules`, ilert/resource_escalation_policy.go:37-48 of
/// iLert/terraform-provider-ilert at d8da1ef2); the document requires only
/// `escalationTimeout`, and a level without target would page nobody.
fn targeted(rule: &Value, field: &str) -> Result<(), ResourceError> {
    let named = ["users", "schedules", "teams"]
        .iter()
        .any(|k| rule[*k].as_array().is_some_and(|a| !a.is_empty()));
    if named {
        return Ok(());
    }
    Err(ResourceError::BadRequest(format!(
        "field '{field}' has no target: name at least one of users, schedules or teams"
    )))
}

fn normalise(body: &Entity) -> Result<Entity, ResourceError> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ResourceError::BadRequest(
            "field 'name' must not be empty".to_owned(),
        ));
    }
    let rules: Vec<Value> = body
        .get("escalationRules")
        .and_then(Value::as_array)
        .map(|r| r.iter().map(rule).collect())
        .unwrap_or_default();
    if rules.is_empty() {
        return Err(ResourceError::BadRequest(
            "field 'escalationRules' must have at least one level".to_owned(),
        ));
    }
    for (i, r) in rules.iter().enumerate() {
        targeted(r, &format!("escalationRules[{i}]"))?;
    }
    if rules
        .iter()
        .any(|r| r["escalationTimeout"].as_i64().is_some_and(|t| t < 0))
    {
        return Err(ResourceError::BadRequest(
            "field 'escalationTimeout' must not be negative".to_owned(),
        ));
    }
    let mut out = json!({
        "name": name,
        "escalationRules": rules,
        "teams": refs(&Value::Object(body.clone()), "teams", "team"),
        "repeating": body.get("repeating").and_then(Value::as_bool).unwrap_or(false),
        "frequency": body.get("frequency").and_then(Value::as_i64).unwrap_or(1),
        "delayMin": body.get("delayMin").and_then(Value::as_i64).unwrap_or(0),
    });
    if let Some(key) = body.get("routingKey").filter(|k| k.is_string()) {
        out["routingKey"] = key.clone();
    }
    Ok(out.as_object().cloned().unwrap_or_default())
}

/// The fields of `EscalationPolicy` and of `EscalationRule` in the document's order.
const POLICY_FIELDS: &[&str] = &[
    "id",
    "name",
    "escalationRules",
    "teams",
    "repeating",
    "frequency",
    "delayMin",
    "routingKey",
];
const RULE_FIELDS: &[&str] = &["escalationTimeout", "users", "schedules", "teams"];

/// `entity`'s fields, those of `order` first in that order: a policy created through the API is
/// stored in the document's order ([`normalise`]), a seeded one in its fixture's key order
/// (TOML tables are read sorted), and both answer the same.
fn in_order(entity: &Entity, order: &[&str]) -> Entity {
    let mut out: Entity = order
        .iter()
        .filter_map(|k| Some(((*k).to_owned(), entity.get(*k)?.clone())))
        .collect();
    for (k, v) in entity {
        out.entry(k.clone()).or_insert_with(|| v.clone());
    }
    out
}

/// A stored policy as ilert's `EscalationPolicy`, its fields in the document's order.
pub fn render(view: &View<'_>, entity: &Entity) -> Value {
    let mut out = Value::Object(in_order(entity, POLICY_FIELDS));
    if let Some(rules) = out.get_mut("escalationRules").and_then(Value::as_array_mut) {
        for level in rules {
            render_level(view, level);
        }
    }
    teams::expand(view, &mut out, "teams[]");
    out
}

/// One stored level as ilert's `EscalationRule`: users as `UserRel`, schedules as `ScheduleRel`,
/// teams as `TeamRel`.
fn render_level(view: &View<'_>, level: &mut Value) {
    if let Some(fields) = level.as_object() {
        *level = Value::Object(in_order(fields, RULE_FIELDS));
    }
    relations::expand(level, "users[]", &|id| relations::user_rel(view, id));
    relations::expand(level, "schedules[]", &|id| schedules::rel(view, id));
    teams::expand(view, level, "teams[]");
}

/// The tenant's policy `id`, rendered (`{"id": …}` when it is gone).
pub fn rendered(view: &View<'_>, id: i64) -> Value {
    view.rendered(NAME, id)
}

/// The policy a routing-key expression names: ordered comma-separated keys, the first known
/// wins; `il:{id}` names a policy by id.
pub fn resolve_key(view: &View<'_>, expression: &str) -> Option<i64> {
    expression.split(',').map(str::trim).find_map(|key| {
        if let Some(id) = key
            .strip_prefix("il:")
            .and_then(|id| id.trim_matches(['{', '}']).parse::<i64>().ok())
        {
            return view.state.resources().get(view.tenant, NAME, id).map(|_| id);
        }
        view.state
            .resources()
            .iter(view.tenant, NAME)
            .find(|(_, s)| s.body.get("routingKey").and_then(Value::as_str) == Some(key))
            .map(|(id, _)| id)
    })
}

fn resolve(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let key = cx
        .query_one("routing-key")
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| ResourceError::BadRequest("query parameter 'routing-key' is required".to_owned()))?
        .to_owned();
    let view = cx.view();
    let id = resolve_key(&view, &key)
        .ok_or_else(|| ResourceError::NotFound(format!("no escalation policy for routing key '{key}'")))?;
    Ok(Reply::ok(rendered(&view, id)))
}

fn replace_level(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "escalation policy")?;
    let level = cx.path_param("level").and_then(|l| l.parse::<usize>().ok());
    let body = cx.body.clone().unwrap_or(Value::Null);
    let new_rule = rule(&body);
    targeted(&new_rule, "escalationRule")?;
    for relation in RELATIONS
        .iter()
        .filter(|r| r.field.starts_with("escalationRules[]."))
    {
        let field = relation.field.trim_start_matches("escalationRules[].");
        let missing = relations::ids(&new_rule, field)
            .into_iter()
            .find(|id| !relations::exists(cx.state, cx.tenant, relation.target, *id));
        if let Some(id) = missing {
            return Err(ResourceError::BadRequest(format!(
                "field '{}' names {} {id}, which does not exist",
                field.trim_end_matches("[]"),
                relations::noun(cx.state, relation.target)
            )));
        }
    }
    let tenant = cx.tenant;
    let policy = cx
        .state
        .resources()
        .get(tenant, NAME, id)
        .ok_or_else(|| ResourceError::not_found("escalation policy", id))?;
    let count = policy
        .body
        .get("escalationRules")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let level = level.filter(|l| *l < count).ok_or_else(|| {
        let asked = cx.path_param("level").unwrap_or_default();
        ResourceError::NotFound(match count {
            0 => format!("escalation policy {id} has no level {asked} (it has no levels)"),
            _ => format!(
                "escalation policy {id} has no level {asked} (levels are 0 to {})",
                count - 1
            ),
        })
    })?;
    if let Some(mut p) = cx.state.resources_mut().get_mut(tenant, NAME, id)
        && let Some(rules) = p.get_mut("escalationRules").and_then(Value::as_array_mut)
        && let Some(slot) = rules.get_mut(level)
    {
        *slot = new_rule.clone();
    }
    let view = cx.view();
    let mut out = new_rule;
    render_level(&view, &mut out);
    Ok(Reply::ok(out))
}
