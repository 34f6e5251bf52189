//! The alert operations the generic layer does not serve: create, count, accept, resolve,
//! assign, responders and suggested responders.

use serde_json::{Value, json};

use super::lifecycle::{Actor, Change, NewAlert, Tenant, apply, raise};
use super::model::{ALERT_MODEL, FILTERS, NAME};
use crate::resources::error::ResourceError;
use crate::resources::group::{Cx, Model as _, Reply, Target};
use crate::resources::groups::{escalation_policies, schedules};
use crate::resources::store::Entity;
use crate::resources::{crud, relations};

fn render(cx: &Cx<'_>, id: i64) -> Value {
    let view = cx.view();
    cx.state
        .resources()
        .get(cx.tenant, NAME, id)
        .map_or(Value::Null, |a| ALERT_MODEL.render(&view, &a.body, false))
}

pub(super) fn create(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let body = cx.body_object();
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut extra = Entity::new();
    for key in ["images", "links", "severity", "labels", "customDetails"] {
        if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
            extra.insert(key.to_owned(), v.clone());
        }
    }
    let new = NewAlert {
        summary: text("summary").unwrap_or_default(),
        details: text("details"),
        priority: text("priority"),
        alert_key: None,
        policy: body.get("escalationPolicy").and_then(|p| p["id"].as_i64()),
        extra,
    };
    let source = body
        .get("alertSource")
        .and_then(|s| s["id"].as_i64())
        .unwrap_or_default();
    let by = Actor::User(cx.caller.id);
    let id = raise(cx.state, cx.tenant, cx.now, source, new, &by)?;
    let extra_responders = relations::ids(&body.get("responders").cloned().unwrap_or(json!([])), "[].user");
    for user in extra_responders {
        add(cx, id, user)?;
    }
    Ok(Reply::created(render(cx, id), format!("/api/alerts/{id}")))
}

pub(super) fn count(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let view = cx.view();
    let filters = crud::given_filters(cx, FILTERS);
    let n = crud::count_matching(&view, &super::GROUP.collections[0], &filters);
    Ok(Reply::ok(json!({"count": n})))
}

pub(super) fn change(cx: &mut Cx<'_>, change: Change) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    apply(
        cx.state,
        cx.tenant,
        cx.now,
        id,
        change,
        &Actor::User(cx.caller.id),
    )?;
    Ok(Reply::ok(render(cx, id)))
}

fn user_of_tenant(cx: &Cx<'_>, raw: &str, field: &str) -> Result<i64, ResourceError> {
    raw.parse::<i64>()
        .ok()
        .or_else(|| cx.state.user_by_name(raw).map(|u| u.id))
        .filter(|id| relations::exists(cx.state, cx.tenant, Target::Users, *id))
        .ok_or_else(|| ResourceError::BadRequest(format!("{field} names user '{raw}', which does not exist")))
}

/// The tenant's entity of `collection` that query parameter `param` names by id (400 if none).
fn named(cx: &Cx<'_>, raw: &str, param: &str, collection: &'static str) -> Result<i64, ResourceError> {
    let target = Target::Collection(collection);
    raw.parse::<i64>()
        .ok()
        .filter(|id| relations::exists(cx.state, cx.tenant, target, *id))
        .ok_or_else(|| {
            ResourceError::BadRequest(format!(
                "query parameter '{param}' names {} '{raw}', which does not exist",
                relations::noun(cx.state, target)
            ))
        })
}

pub(super) fn assign(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    let by = Actor::User(cx.caller.id);
    let who = Tenant::of(cx).actor_name(&by);
    Tenant::of(cx).alert(id)?;
    let (user, policy, schedule) = (
        cx.query_one("user").map(str::to_owned),
        cx.query_one("policy").map(str::to_owned),
        cx.query_one("schedule").map(str::to_owned),
    );
    match (user, policy, schedule) {
        (Some(user), None, None) => {
            let user = user_of_tenant(cx, &user, "query parameter 'user'")?;
            let mut t = Tenant::of(cx);
            let whom = t.actor_name(&Actor::User(user));
            let set = |a: &mut Entity| {
                a.insert("assignedTo".into(), json!({"id": user}));
            };
            t.reassign(
                id,
                set,
                "AlertAssignedByUserLogEntry",
                format!("Alert assigned to {whom} by {who}"),
                &[user],
            );
        }
        (None, Some(raw), None) => {
            let policy = named(cx, &raw, "policy", escalation_policies::NAME)?;
            let mut t = Tenant::of(cx);
            let users = t.first_level(policy);
            let set = |a: &mut Entity| {
                a.insert("escalationPolicy".into(), json!({"id": policy}));
                a.remove("assignedTo");
            };
            let text = format!("Alert assigned to escalation policy {policy} by {who}");
            t.reassign(id, set, "AlertAssignedToPolicyLogEntry", text, &users);
        }
        (None, None, Some(raw)) => {
            let schedule = named(cx, &raw, "schedule", schedules::NAME)?;
            let view = cx.view();
            let on_call = schedules::on_call(&view, schedule).map(|s| s.user);
            let name = view
                .state
                .resources()
                .get(cx.tenant, schedules::NAME, schedule)
                .map_or_else(
                    || format!("schedule {schedule}"),
                    |s| {
                        s.body
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    },
                );
            let mut t = Tenant::of(cx);
            let set = |a: &mut Entity| {
                match on_call {
                    Some(user) => a.insert("assignedTo".into(), json!({"id": user})),
                    None => a.remove("assignedTo"),
                };
            };
            let text = format!("Alert assigned to schedule {name} by {who}");
            let users: Vec<i64> = on_call.into_iter().collect();
            t.reassign(id, set, "AlertAssignedToScheduleLogEntry", text, &users);
            if on_call.is_none() {
                t.log(
                    id,
                    "NobodyOnCallLogEntry",
                    "ALERT_UPDATES",
                    format!("Nobody is on call in schedule {name}"),
                );
            }
        }
        _ => {
            return Err(ResourceError::BadRequest(
                "give exactly one of the query parameters 'user', 'policy' or 'schedule' (or ilert-go's 'user-id', 'policy-id', 'schedule-id')".to_owned(),
            ));
        }
    }
    Ok(Reply::ok(render(cx, id)))
}

fn add(cx: &mut Cx<'_>, id: i64, user: i64) -> Result<Value, ResourceError> {
    if !relations::exists(cx.state, cx.tenant, Target::Users, user) {
        return Err(ResourceError::BadRequest(format!(
            "field 'user' names user {user}, which does not exist"
        )));
    }
    let caller = cx.caller.id;
    let mut t = Tenant::of(cx);
    let status = t.alert(id)?["status"].as_str().unwrap_or_default().to_owned();
    if status == "RESOLVED" {
        return Err(ResourceError::Conflict(format!("alert {id} is resolved")));
    }
    let responder = json!({"user": {"id": user}, "status": "PENDING"});
    let known = relations::ids(&t.alert(id)?["responders"], "[].user").contains(&user);
    if !known {
        if let Some(mut a) = t.state.resources_mut().get_mut(t.tenant, NAME, id)
            && let Some(list) = a.entry("responders").or_insert(json!([])).as_array_mut()
        {
            list.push(responder.clone());
        }
        let (who, whom) = (
            t.actor_name(&Actor::User(caller)),
            t.actor_name(&Actor::User(user)),
        );
        t.log(
            id,
            "AlertAssignedByUserLogEntry",
            "ALERT_UPDATES",
            format!("{whom} added as responder by {who}"),
        );
        let summary = t.alert(id)?["summary"].as_str().unwrap_or_default().to_owned();
        t.notify(id, user, &summary);
    }
    let mut out = responder;
    let view = cx.view();
    relations::expand(&mut out, "user", &|u| relations::user_rel(&view, u));
    Ok(out)
}

/// `POST /alerts/{id}/responders` with `{"user": {"id": …}}` (the document gives no body
/// schema; the mock takes the `AlertResponder` shape it answers with).
pub(super) fn add_responder(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    let body = cx.body.clone().unwrap_or(Value::Null);
    let user = body["user"]["id"].as_i64().ok_or_else(|| {
        ResourceError::BadRequest("field 'user.id' is required (body {\"user\": {\"id\": …}})".to_owned())
    })?;
    let responder = add(cx, id, user)?;
    Ok(Reply::created(
        responder,
        format!("/api/alerts/{id}/responders/{user}"),
    ))
}

pub(super) fn remove_responder(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    let raw = cx.path_param("user-id").unwrap_or_default().to_owned();
    let user = raw
        .parse::<i64>()
        .ok()
        .or_else(|| cx.state.user_by_name(&raw).map(|u| u.id));
    let caller = cx.caller.id;
    let mut t = Tenant::of(cx);
    t.alert(id)?;
    let removed = user.is_some_and(|user| {
        let Some(mut a) = t.state.resources_mut().get_mut(t.tenant, NAME, id) else {
            return false;
        };
        a.get_mut("responders")
            .and_then(Value::as_array_mut)
            .is_some_and(|list| {
                let before = list.len();
                list.retain(|r| r["user"]["id"] != user);
                list.len() != before
            })
    });
    if !removed {
        return Err(ResourceError::NotFound(format!(
            "user '{raw}' is no responder of alert {id}"
        )));
    }
    let (who, whom) = (
        t.actor_name(&Actor::User(caller)),
        t.actor_name(&Actor::User(user.unwrap_or_default())),
    );
    t.log(
        id,
        "AlertAssignedByUserLogEntry",
        "ALERT_UPDATES",
        format!("{whom} removed as responder by {who}"),
    );
    Ok(Reply::empty(204))
}

pub(super) fn suggested(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let id = cx.path_id("id", "alert")?;
    Tenant::of(cx).alert(id)?;
    let mut out: Vec<Value> = cx
        .state
        .users()
        .iter()
        .filter(|u| u.tenant == cx.tenant)
        .map(|u| json!({"group": "USER", "id": u.id, "name": format!("{} {}", u.first_name, u.last_name), "disabled": false}))
        .collect();
    out.extend(cx.state.resources().iter(cx.tenant, escalation_policies::NAME).map(|(pid, p)| {
        json!({"group": "ESCALATION_POLICY", "id": pid, "name": p.body.get("name"), "disabled": false})
    }));
    Ok(Reply::ok(Value::Array(out)))
}
