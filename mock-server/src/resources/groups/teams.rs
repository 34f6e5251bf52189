//! Teams (`/teams`, scope `team`): the generic collection with members (`{"user": {"id"},
//! "role"}`, users of the tenant, answered as full `User`s), `members=` to list the teams a user
//! is in, and `POST /teams/{id}/members`, `DELETE /teams/{id}/members/{user-id}`.
//!
//! A team other entities still name (an escalation policy or one of its levels, an alert source,
//! a schedule, a support hour) cannot be deleted: 409 naming the holder. A deleted user leaves
//! the teams it was a member of.

use serde_json::{Value, json};

use super::users;
use crate::resources::error::ResourceError;
use crate::resources::group::{
    Action, Collection, Cx, Filter, Group, OnDelete, Relation, Reply, Target, View,
};
use crate::resources::kinds::Written;
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::time::iso8601;

/// The store name of the collection.
pub const NAME: &str = crate::resources::support::names::TEAMS;

/// The role a member gets when the body names none.
const DEFAULT_ROLE: &str = "RESPONDER";

/// The group.
pub static GROUP: Group = Group::new(
    "Teams",
    &[
        Collection::new(NAME, "/teams", "team", "Team", &Written { write, show })
            .relations(&[Relation::new("members[].user", Target::Users, OnDelete::Pull)])
            .filters(&[Filter {
                param: "members",
                test: |_, team, values| {
                    let members = relations::ids(&Value::Object(team.clone()), "members[].user");
                    values.iter().any(|v| {
                        v.parse::<f64>()
                            .is_ok_and(|id| members.iter().any(|m| *m as f64 == id))
                    })
                },
            }]),
    ],
    &[
        Action::state("POST", "/teams/{id}/members", add_member),
        Action::state("DELETE", "/teams/{id}/members/{id}", remove_member),
    ],
);

/// One member as stored: `{"user": {"id"}, "role"}`.
fn member(input: &Value) -> Result<Value, ResourceError> {
    let user = input["user"]["id"]
        .as_f64()
        .filter(|id| id.fract() == 0.0)
        .ok_or_else(|| ResourceError::BadRequest("field 'members[].user.id' is required".to_owned()))?;
    let role = input["role"].as_str().unwrap_or(DEFAULT_ROLE);
    Ok(json!({"user": {"id": user as i64}, "role": role}))
}

/// The members of a body, each user once (a later entry replaces an earlier one's role).
fn members(body: &Entity) -> Result<Vec<Value>, ResourceError> {
    let mut out: Vec<Value> = Vec::new();
    for input in body
        .get("members")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let m = member(input)?;
        match out.iter_mut().find(|o| o["user"] == m["user"]) {
            Some(slot) => *slot = m,
            None => out.push(m),
        }
    }
    Ok(out)
}

fn editable(body: &Entity, out: &mut Entity) -> Result<(), ResourceError> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ResourceError::BadRequest(
            "field 'name' must not be empty".to_owned(),
        ));
    }
    out.insert("name".into(), json!(name));
    let visibility = body.get("visibility").and_then(Value::as_str).unwrap_or("PUBLIC");
    out.insert("visibility".into(), json!(visibility));
    out.insert("members".into(), Value::Array(members(body)?));
    Ok(())
}

/// A team to store: members normalised, `createdAt` kept from the team it replaces.
fn write(cx: &mut Cx<'_>, old: Option<&Entity>, body: Entity) -> Result<Entity, ResourceError> {
    let mut out = Entity::new();
    editable(&body, &mut out)?;
    let now = json!(iso8601(cx.now));
    let created = old.and_then(|o| o.get("createdAt")).cloned();
    out.insert("createdAt".into(), created.unwrap_or_else(|| now.clone()));
    out.insert("updatedAt".into(), now);
    Ok(out)
}

/// A team as ilert's `Team`: members with their users in full.
fn show(view: &View<'_>, entity: &Entity, _: bool) -> Value {
    let mut out = Value::Object(entity.clone());
    if let Some(list) = out.get_mut("members").and_then(Value::as_array_mut) {
        // A member whose user is gone is not shown (the store drops it when the user goes).
        list.retain_mut(|m| {
            let user = m["user"]["id"].as_i64().and_then(|id| full_user(view, id));
            user.map(|u| m["user"] = u).is_some()
        });
    }
    out
}

/// The tenant's user `id` as a full `User`.
pub fn full_user(view: &View<'_>, id: i64) -> Option<Value> {
    view.state
        .user(id)
        .filter(|u| u.tenant == view.tenant)
        .map(users::render)
}

/// The tenant's team `id` as a `TeamRel` (`{"id", "name"}`), if it exists.
pub fn rel(view: &View<'_>, id: i64) -> Option<Value> {
    view.state
        .resources()
        .get(view.tenant, NAME, id)
        .map(|t| json!({"id": id, "name": t.body.get("name")}))
}

/// Expands the team references at `field` (`teams[]`) of a rendered entity to `TeamRel`s.
pub fn expand(view: &View<'_>, out: &mut Value, field: &str) {
    relations::expand(out, field, &|id| rel(view, id));
}

/// The user ids of the tenant's team `id`'s members.
pub fn member_ids(view: &View<'_>, id: i64) -> Vec<i64> {
    view.state
        .resources()
        .get(view.tenant, NAME, id)
        .map(|t| relations::ids(&Value::Object(t.body.clone()), "members[].user"))
        .unwrap_or_default()
}

/// The team of the path's first `{id}` (`/teams/{id}/members/{id}` names two).
fn team_id(cx: &Cx<'_>) -> Result<i64, ResourceError> {
    let raw = cx.path.first().map(|(_, v)| v.as_str()).unwrap_or_default();
    raw.parse::<i64>()
        .ok()
        .filter(|id| cx.state.resources().contains(cx.tenant, NAME, *id))
        .ok_or_else(|| ResourceError::not_found("team", raw))
}

fn touch(cx: &mut Cx<'_>, team: i64, change: impl FnOnce(&mut Vec<Value>)) {
    let now = iso8601(cx.now);
    if let Some(mut t) = cx.state.resources_mut().get_mut(cx.tenant, NAME, team) {
        if let Some(list) = t.entry("members").or_insert(json!([])).as_array_mut() {
            change(list);
        }
        t.insert("updatedAt".into(), json!(now));
    }
}

/// `POST /teams/{id}/members` with a `TeamMember` (`{"user": {"id"}, "role"}`): adds the user,
/// or changes the role of a member already there.
fn add_member(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let team = team_id(cx)?;
    let body = cx.body.clone().unwrap_or(Value::Null);
    let m = member(&body).map_err(|_| {
        ResourceError::BadRequest(
            "field 'user.id' is required (body {\"user\": {\"id\": …}, \"role\": …})".to_owned(),
        )
    })?;
    let user = m["user"]["id"].as_i64().unwrap_or_default();
    let view = cx.view();
    let rendered = full_user(&view, user).ok_or_else(|| {
        ResourceError::BadRequest(format!("field 'user' names user {user}, which does not exist"))
    })?;
    touch(cx, team, |list| {
        match list.iter_mut().find(|o| o["user"] == m["user"]) {
            Some(slot) => *slot = m.clone(),
            None => list.push(m.clone()),
        }
    });
    Ok(Reply::ok(json!({"user": rendered, "role": m["role"]})))
}

/// `DELETE /teams/{id}/members/{user-id}`: 204, or 404 when the user is no member.
fn remove_member(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let team = team_id(cx)?;
    let raw = cx.path.get(1).map(|(_, v)| v.clone()).unwrap_or_default();
    let user = raw
        .parse::<i64>()
        .ok()
        .or_else(|| cx.state.user_by_name(&raw).map(|u| u.id));
    let view = cx.view();
    let known = user.is_some_and(|u| member_ids(&view, team).contains(&u));
    if !known {
        return Err(ResourceError::NotFound(format!(
            "user '{raw}' is no member of team {team}"
        )));
    }
    touch(cx, team, |list| list.retain(|m| m["user"]["id"] != json!(user)));
    Ok(Reply::empty(204))
}
