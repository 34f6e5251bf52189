//! Who the incident family reaches: the private subscribers (users and teams) of incidents,
//! services and status pages, whether a user is one of them (`include=subscribed`), how many
//! users a set of subscribers reaches (`publish-info`), and teams as ilert's `TeamRel`.
//!
//! Subscribers are kept in the owning entity's `privateSubscribers` field as
//! `[{"id": …, "type": "USER" | "TEAM"}]`, which is never rendered with the entity; they answer
//! as ilert's `TeamUserOption` (`id`, `name`, `type`). A team reaches its `members[].user`.
//! A subscriber removed from the tenant since (a deleted user or team) is left out of answers.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::names;
use crate::resources::error::ResourceError;
use crate::resources::group::{Cx, OnDelete, Relation, Reply, Target, View};
use crate::resources::reconcile;
use crate::resources::relations;
use crate::resources::store::Entity;

/// The relation of an entity to the teams that own it (`teams[]`, ilert's `TeamRel`): a team
/// cannot be deleted while an entity names it.
pub const OWNING_TEAMS: Relation =
    Relation::new("teams[]", Target::Collection(names::TEAMS), OnDelete::Restrict);

/// The action `$method $base/{id}/private-subscribers[$tail]` that runs
/// `audience::$run(cx, $name, $noun)` on the private subscribers of the entity `{id}` of
/// collection `$name` (`$noun` names it in messages):
/// `subscribers!("GET", "/services", list, NAME, "service")`.
macro_rules! subscribers {
    ($method:literal, $base:literal, $run:ident, $name:expr, $noun:expr $(, $tail:literal)?) => {
        $crate::resources::group::Action::state(
            $method,
            concat!($base, "/{id}/private-subscribers" $(, $tail)?),
            |cx| $crate::resources::support::audience::$run(cx, $name, $noun),
        )
    };
}
pub(crate) use subscribers;

/// The stored field that holds an entity's private subscribers.
pub const FIELD: &str = "privateSubscribers";

/// One private subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscriber {
    /// The user's or team's id.
    pub id: i64,
    /// A team (else a user).
    pub team: bool,
}

impl Subscriber {
    fn kind(self) -> &'static str {
        if self.team { "TEAM" } else { "USER" }
    }
}

/// The subscribers stored in `entity`.
pub fn stored(entity: &Entity) -> Vec<Subscriber> {
    entity
        .get(FIELD)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some(Subscriber {
                id: s.get("id").and_then(Value::as_i64)?,
                team: s["type"] == "TEAM",
            })
        })
        .collect()
}

/// Stores `list` in `entity`, each subscriber once, in the given order.
pub fn keep(entity: &mut Entity, list: &[Subscriber]) {
    let mut seen = Vec::new();
    for s in list {
        if !seen.contains(s) {
            seen.push(*s);
        }
    }
    let values = seen
        .iter()
        .map(|s| json!({"id": s.id, "type": s.kind()}))
        .collect();
    entity.insert(FIELD.to_owned(), Value::Array(values));
}

/// Whether the tenant has this user or team.
fn exists(view: &View<'_>, s: Subscriber) -> bool {
    if s.team {
        view.state.resources().contains(view.tenant, names::TEAMS, s.id)
    } else {
        relations::exists(view.state, view.tenant, Target::Users, s.id)
    }
}

/// A `TeamUserOption` of a request (`at` names it in messages): `id` is required, `type` is
/// `USER` (the default) or `TEAM`, and the tenant must have that user or team.
pub fn parse(view: &View<'_>, value: &Value, at: &str) -> Result<Subscriber, ResourceError> {
    let prefix = if at.is_empty() {
        String::new()
    } else {
        format!("{at}.")
    };
    let id = match value.get("id") {
        None | Some(Value::Null) => {
            return Err(ResourceError::BadRequest(format!(
                "field '{prefix}id' is required"
            )));
        }
        // A whole number a JSON double holds exactly (2^53); larger ones would be rounded.
        Some(id) => id
            .as_i64()
            .or_else(|| {
                id.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0)
                    .map(|f| f as i64)
            })
            .ok_or_else(|| {
                ResourceError::BadRequest(format!("field '{prefix}id' must be a whole number id (got {id})"))
            })?,
    };
    let s = Subscriber {
        id,
        team: value.get("type").and_then(Value::as_str) == Some("TEAM"),
    };
    if !exists(view, s) {
        let noun = if s.team { "team" } else { "user" };
        return Err(ResourceError::BadRequest(format!(
            "field '{prefix}id' names {noun} {id}, which does not exist"
        )));
    }
    Ok(s)
}

/// A request's array of `TeamUserOption`s, each checked by [`parse`].
pub fn parse_list(view: &View<'_>, body: Option<&Value>) -> Result<Vec<Subscriber>, ResourceError> {
    body.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, v)| parse(view, v, &format!("[{i}]")))
        .collect()
}

/// The name a subscriber answers with: the user's full name or the team's name.
fn name(view: &View<'_>, s: Subscriber) -> Option<Value> {
    if s.team {
        let team = view.state.resources().get(view.tenant, names::TEAMS, s.id)?;
        Some(team.body.get("name").cloned().unwrap_or_default())
    } else {
        let user = view
            .state
            .users()
            .iter()
            .find(|u| u.id == s.id && u.tenant == view.tenant)?;
        Some(json!(format!("{} {}", user.first_name, user.last_name)))
    }
}

/// The entity's subscribers as `TeamUserOption`s.
pub fn render(view: &View<'_>, entity: &Entity) -> Value {
    let options = stored(entity)
        .into_iter()
        .filter_map(|s| Some(json!({"id": s.id, "name": name(view, s)?, "type": s.kind()})))
        .collect();
    Value::Array(options)
}

/// The users `subscribers` reach: the users themselves and the members of the teams.
pub fn users(view: &View<'_>, subscribers: &[Subscriber]) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    for s in subscribers.iter().filter(|s| exists(view, **s)) {
        if !s.team {
            out.insert(s.id);
            continue;
        }
        if let Some(team) = view.state.resources().get(view.tenant, names::TEAMS, s.id) {
            let members = relations::ids(&Value::Object(team.body.clone()), "members[].user");
            out.extend(
                members
                    .into_iter()
                    .filter(|u| relations::exists(view.state, view.tenant, Target::Users, *u)),
            );
        }
    }
    out
}

/// Whether the entity's subscribers reach `user`.
pub fn subscribed(view: &View<'_>, entity: &Entity, user: i64) -> bool {
    users(view, &stored(entity)).contains(&user)
}

/// Adds ilert's optional field `subscribed` (`include=subscribed`) to the rendered `out`:
/// whether `user` is reached by the private subscribers of `entity`.
pub fn add_subscribed(view: &View<'_>, entity: &Entity, user: i64, out: &mut Map<String, Value>) {
    out.insert(
        "subscribed".to_owned(),
        Value::Bool(subscribed(view, entity, user)),
    );
}

/// Each team reference of `teams` (`[{"id": …}]`) as ilert's `TeamRel` (`id`, `name`); a team
/// the tenant does not have (any more) is left out.
pub fn team_rels(view: &View<'_>, teams: Option<&Value>) -> Value {
    let rels = relations::ids(teams.unwrap_or(&Value::Null), "[]")
        .into_iter()
        .filter_map(|id| {
            let team = view.state.resources().get(view.tenant, names::TEAMS, id)?;
            Some(json!({"id": id, "name": team.body.get("name").cloned().unwrap_or_default()}))
        })
        .collect();
    Value::Array(rels)
}

/// The id of the entity of collection `name` the request's `{id}` names (404 naming `noun`).
fn owner(cx: &Cx<'_>, name: &str, noun: &str) -> Result<i64, ResourceError> {
    let id = cx.path_id("id", noun)?;
    cx.state
        .resources()
        .get(cx.tenant, name, id)
        .map(|_| id)
        .ok_or_else(|| ResourceError::not_found(noun, id))
}

/// Changes the subscribers of the entity the path names with `change` (given the stored list
/// and the request's view); answers the document's 204, or where ilert's clients expect it
/// ([`reconcile::STATUS_OVERRIDES`]) 202 with the subscribers now kept (ilert-go unmarshals
/// that answer as `[]Subscriber`, service.go:392).
fn change(
    cx: &mut Cx<'_>,
    name: &str,
    noun: &str,
    change: impl FnOnce(&View<'_>, Vec<Subscriber>) -> Result<Vec<Subscriber>, ResourceError>,
) -> Result<Reply, ResourceError> {
    let id = owner(cx, name, noun)?;
    let current = cx
        .state
        .resources()
        .get(cx.tenant, name, id)
        .map(|s| stored(&s.body))
        .unwrap_or_default();
    let next = change(&cx.view(), current)?;
    if let Some(mut entity) = cx.state.resources_mut().get_mut(cx.tenant, name, id) {
        keep(&mut entity, &next);
    }
    let status = cx.op.answered_status();
    match reconcile::status_override(&cx.op.method, &cx.op.path) {
        Some(o) if o.subscribers => {
            let view = cx.view();
            let entity = view.state.resources().get(cx.tenant, name, id);
            Ok(Reply::with_status(
                status,
                entity.map_or(json!([]), |e| render(&view, &e.body)),
            ))
        }
        _ => Ok(Reply::empty(status)),
    }
}

/// `GET {path}/{id}/private-subscribers`.
pub fn list(cx: &mut Cx<'_>, name: &str, noun: &str) -> Result<Reply, ResourceError> {
    let id = owner(cx, name, noun)?;
    let view = cx.view();
    let entity = view.state.resources().get(cx.tenant, name, id);
    Ok(Reply::ok(entity.map_or(json!([]), |e| render(&view, &e.body))))
}

/// `PUT {path}/{id}/private-subscribers`: the body's array replaces the subscribers.
pub fn replace(cx: &mut Cx<'_>, name: &str, noun: &str) -> Result<Reply, ResourceError> {
    let body = cx.body.clone();
    change(cx, name, noun, |view, _| parse_list(view, body.as_ref()))
}

/// `POST {path}/{id}/private-subscribers` with an array: adds the body's subscribers.
pub fn add_all(cx: &mut Cx<'_>, name: &str, noun: &str) -> Result<Reply, ResourceError> {
    let body = cx.body.clone();
    change(cx, name, noun, |view, mut current| {
        current.extend(parse_list(view, body.as_ref())?);
        Ok(current)
    })
}

/// `POST {path}/{id}/private-subscribers` with one `TeamUserOption` (the document) or an
/// array of them (ilert-go's `AddStatusPageSubscriber` sends `[]Subscriber`, status_page.go:439,
/// [`reconcile::BODY_OVERRIDES`]): adds them.
pub fn add_one(cx: &mut Cx<'_>, name: &str, noun: &str) -> Result<Reply, ResourceError> {
    let body = cx.body.clone().unwrap_or(Value::Null);
    change(cx, name, noun, |view, mut current| {
        if body.is_array() {
            current.extend(parse_list(view, Some(&body))?);
        } else {
            current.push(parse(view, &body, "")?);
        }
        Ok(current)
    })
}

/// `DELETE {path}/{id}/private-subscribers/{subscriber-id}?subscriber-type=USER|TEAM`: 404
/// when the entity has no such subscriber.
pub fn remove(cx: &mut Cx<'_>, name: &str, noun: &str) -> Result<Reply, ResourceError> {
    let raw = cx.path_param("subscriber-id").unwrap_or_default().to_owned();
    let team = cx.query_one("subscriber-type") == Some("TEAM");
    let gone = Subscriber {
        id: raw
            .parse()
            .map_err(|_| ResourceError::not_found("subscriber", &raw))?,
        team,
    };
    let owner_noun = noun.to_owned();
    change(cx, name, noun, move |_, mut current| {
        let before = current.len();
        current.retain(|s| *s != gone);
        if current.len() == before {
            return Err(ResourceError::NotFound(format!(
                "{} {} is no private subscriber of this {owner_noun}",
                gone.kind().to_ascii_lowercase(),
                gone.id
            )));
        }
        Ok(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribers_are_kept_once_in_order() {
        let mut e = Entity::new();
        let (a, b) = (
            Subscriber { id: 2, team: false },
            Subscriber { id: 2, team: true },
        );
        keep(&mut e, &[a, b, a]);
        assert_eq!(
            e[FIELD],
            json!([{"id": 2, "type": "USER"}, {"id": 2, "type": "TEAM"}])
        );
        assert_eq!(stored(&e), vec![a, b]);
        assert!(stored(&Entity::new()).is_empty());
    }
}
