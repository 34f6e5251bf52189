//! Escalation policies (`/escalation-policies`, scope `policy`): the generic collection, plus
//! `GET /escalation-policies/resolve?routing-key=` and
//! `PUT /escalation-policies/{id}/levels/{level}` (zero-based). A policy cannot be deleted while
//! an alert source uses it (409); users named in its levels must exist in the tenant.

use serde_json::{Value, json};

use crate::model::EscalationPolicy;
use crate::resources::error::ResourceError;
use crate::resources::group::{
    Action, Collection, Cx, Group, Model, OnDelete, Relation, Reply, Run, Target, View,
};
use crate::resources::relations;
use crate::resources::store::Entity;

/// The store name of the collection.
pub const NAME: &str = "escalation-policies";

/// The group.
pub static GROUP: Group = Group {
    name: "Escalation Policies",
    collections: &[Collection {
        name: NAME,
        path: "/escalation-policies",
        noun: "escalation policy",
        schema: "EscalationPolicy",
        alt_key: None,
        parent: None,
        relations: &[Relation {
            field: "escalationRules[].users[]",
            target: Target::Users,
            on_delete: OnDelete::Restrict,
        }],
        filters: &[],
        model: &Policies,
    }],
    actions: &[
        Action {
            method: "GET",
            path: "/escalation-policies/resolve",
            run: Run::State(resolve),
        },
        Action {
            method: "PUT",
            path: "/escalation-policies/{id}/levels/{level}",
            run: Run::State(replace_level),
        },
    ],
};

/// One level as stored: the deprecated single `user` folded into `users`, lists defaulted.
fn rule(input: &Value) -> Value {
    let mut users: Vec<Value> = input["users"].as_array().cloned().unwrap_or_default();
    if let Some(id) = input.get("user").and_then(|u| u.get("id")) {
        users.push(json!({"id": id}));
    }
    let users: Vec<Value> = users.iter().map(|u| json!({"id": u["id"]})).collect();
    json!({
        "escalationTimeout": input["escalationTimeout"],
        "users": users,
        "schedules": input.get("schedules").cloned().unwrap_or(json!([])),
        "teams": input.get("teams").cloned().unwrap_or(json!([])),
    })
}

fn normalise(body: &Entity) -> Result<Entity, ResourceError> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ResourceError::BadRequest(
            "field 'name' must not be empty".to_owned(),
        ));
    }
    let rules: Vec<Value> = body["escalationRules"]
        .as_array()
        .map(|r| r.iter().map(rule).collect())
        .unwrap_or_default();
    if rules.is_empty() {
        return Err(ResourceError::BadRequest(
            "field 'escalationRules' must have at least one level".to_owned(),
        ));
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
        "teams": body.get("teams").cloned().unwrap_or(json!([])),
        "repeating": body.get("repeating").and_then(Value::as_bool).unwrap_or(false),
        "frequency": body.get("frequency").and_then(Value::as_i64).unwrap_or(1),
        "delayMin": body.get("delayMin").and_then(Value::as_i64).unwrap_or(0),
    });
    if let Some(key) = body.get("routingKey").filter(|k| k.is_string()) {
        out["routingKey"] = key.clone();
    }
    Ok(out.as_object().cloned().unwrap_or_default())
}

/// The policy model: defaults on write, users expanded to `UserRel` on read.
#[derive(Debug)]
pub struct Policies;

impl Model for Policies {
    fn create(&self, _: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        normalise(&body)
    }

    fn update(&self, _: &mut Cx<'_>, _: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        normalise(&body)
    }

    fn render(&self, view: &View<'_>, entity: &Entity, _: bool) -> Value {
        render(view, entity)
    }
}

/// A stored policy as ilert's `EscalationPolicy`.
pub fn render(view: &View<'_>, entity: &Entity) -> Value {
    let mut out = Value::Object(entity.clone());
    relations::expand(&mut out, "escalationRules[].users[]", &|id| {
        relations::user_rel(view, id)
    });
    out
}

/// The tenant's policy `id`, rendered (`{"id": …}` when it is gone).
pub fn rendered(view: &View<'_>, id: i64) -> Value {
    view.state
        .resources()
        .get(view.tenant, NAME, id)
        .map_or_else(|| json!({"id": id}), |s| render(view, &s.body))
}

/// A policy fixture (`[[escalation_policies]]`) as a stored entity.
pub fn from_fixture(p: &EscalationPolicy) -> Result<Entity, ResourceError> {
    let rules: Vec<Value> = p
        .rules
        .iter()
        .map(|r| json!({"escalationTimeout": r.escalation_timeout, "users": r.users.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()}))
        .collect();
    let mut body = json!({
        "name": p.name,
        "escalationRules": rules,
        "repeating": p.repeating,
        "frequency": p.frequency,
        "delayMin": p.delay_min,
    });
    if let Some(key) = &p.routing_key {
        body["routingKey"] = json!(key);
    }
    normalise(body.as_object().unwrap_or(&Entity::new()))
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
    let users = relations::ids(&new_rule, "users[]");
    if let Some(missing) = users
        .iter()
        .find(|u| !relations::exists(cx.state, cx.tenant, Target::Users, **u))
    {
        return Err(ResourceError::BadRequest(format!(
            "field 'users' names user {missing}, which does not exist"
        )));
    }
    let tenant = cx.tenant;
    let policy = cx
        .state
        .resources()
        .get(tenant, NAME, id)
        .ok_or_else(|| ResourceError::not_found("escalation policy", id))?;
    let count = policy.body["escalationRules"].as_array().map_or(0, Vec::len);
    let level = level.filter(|l| *l < count).ok_or_else(|| {
        ResourceError::NotFound(format!(
            "escalation policy {id} has no level {} (levels are 0 to {})",
            cx.path_param("level").unwrap_or_default(),
            count.saturating_sub(1)
        ))
    })?;
    if let Some(rules) = cx
        .state
        .resources_mut()
        .get_mut(tenant, NAME, id)
        .and_then(|p| p.get_mut("escalationRules"))
        .and_then(Value::as_array_mut)
        && let Some(slot) = rules.get_mut(level)
    {
        *slot = new_rule.clone();
    }
    let view = cx.view();
    let mut out = new_rule;
    relations::expand(&mut out, "users[]", &|u| relations::user_rel(&view, u));
    Ok(Reply::ok(out))
}
