//! Users (`/users`, scope `user`; `/users/current`, scope `profile`), their contacts and
//! notification preferences. Users are the accounts tokens act for, so they stay with the
//! tenants and apps in [`State::users`]; their contacts and preferences are generic nested
//! collections of the store (deleted with the user). A user named by an escalation policy
//! cannot be deleted (409).

use serde_json::{Value, json};

use crate::model::User;
use crate::resources::crud;
use crate::resources::error::ResourceError;
use crate::resources::group::{Action, Collection, Cx, Group, Model, Reply, Target, World};
use crate::resources::kinds::Plain;
use crate::resources::relations;
use crate::resources::store::Entity;

/// A contact model: new contacts are verified (`status` `OK`).
#[derive(Debug)]
pub struct Contacts;

// Not a kind: only create differs from Plain (a new contact is verified).
impl Model for Contacts {
    fn create(&self, _: &mut Cx<'_>, mut body: Entity) -> Result<Entity, ResourceError> {
        body.entry("status").or_insert(json!("OK"));
        Ok(body)
    }
}

/// The phone number contact model: a [`Contacts`] whose number ilert can dial. The formats of
/// `target` and `regionCode` are checked against the schema (`resources::formats`); a number
/// without country code (`030 1234567`) is dialled with its `regionCode`, which it then needs
/// (ilert-go always sends both, user_phone_number_contact.go:12-13 of iLert/ilert-go at
/// 549c4adb).
#[derive(Debug)]
pub struct PhoneContacts;

fn dialable(body: &Entity) -> Result<(), ResourceError> {
    let target = body.get("target").and_then(Value::as_str);
    let Some(target) = target else {
        return Err(ResourceError::BadRequest("field 'target' is required".to_owned()));
    };
    let national =
        crate::resources::formats::phone_digits(target).is_some_and(|(_, international)| !international);
    let region = body
        .get("regionCode")
        .and_then(Value::as_str)
        .filter(|r| !r.is_empty());
    if national && region.is_none() {
        return Err(ResourceError::BadRequest(format!(
            "field 'regionCode' is required for the number '{target}' without country code (or send it as +<country code><number>)"
        )));
    }
    Ok(())
}

// Not a kind: Contacts' create and Plain's update, each checking the number; update keeps the status.
impl Model for PhoneContacts {
    fn create(&self, cx: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        dialable(&body)?;
        Contacts.create(cx, body)
    }

    fn update(&self, cx: &mut Cx<'_>, old: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        // What is stored must be dialable: an update replaces the number and its region.
        let mut out = Plain.update(cx, old, body)?;
        dialable(&out)?;
        if let Some(status) = old.get("status") {
            out.entry("status").or_insert(status.clone());
        }
        Ok(out)
    }
}

/// A notification preference model: only the fields ilert documents for it are kept
/// (`fields`), and its `contact` must name a contact of the same user, stored as that contact
/// (ilert's `NotificationPreferences*` schemas: `method`, `contact`, `delayMin` / `beforeMin`,
/// `type`). Unknown fields are not stored; a made-up contact is a 400.
#[derive(Debug)]
pub struct Preferences {
    /// The documented fields of the write body.
    fields: &'static [&'static str],
}

impl Preferences {
    fn keep(&self, cx: &Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        let mut out: Entity = body
            .into_iter()
            .filter(|(k, _)| self.fields.contains(&k.as_str()))
            .collect();
        if let Some(contact) = out.get("contact").filter(|c| !c.is_null()) {
            let id = contact["id"].as_i64().ok_or_else(|| {
                ResourceError::BadRequest(
                    "field 'contact.id' is required: name one of the user's contacts".to_owned(),
                )
            })?;
            let user = cx
                .path_param("user-id")
                .and_then(|u| u.parse::<i64>().ok())
                .unwrap_or_default();
            let found = ["user-emails", "user-phone-numbers"].iter().find_map(|name| {
                cx.state
                    .resources()
                    .get(cx.tenant, name, id)
                    .filter(|c| c.parent == Some(user))
                    .map(|c| c.body.clone())
            });
            let stored = found.ok_or_else(|| {
                ResourceError::BadRequest(format!(
                    "field 'contact' names contact {id}, which is not a contact of user {user}"
                ))
            })?;
            out.insert("contact".to_owned(), Value::Object(stored));
        }
        Ok(out)
    }
}

// Not a kind: the model carries data (its documented fields); Written holds functions only.
impl Model for Preferences {
    fn create(&self, cx: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        self.keep(cx, body)
    }

    fn update(&self, cx: &mut Cx<'_>, old: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        let mut out = self.keep(cx, body)?;
        if let Some(id) = old.get("id") {
            out.insert("id".to_owned(), id.clone());
        }
        Ok(out)
    }
}

const ALERT_PREFERENCES: Preferences = Preferences {
    fields: &["method", "contact", "delayMin", "type"],
};
const DUTY_PREFERENCES: Preferences = Preferences {
    fields: &["method", "contact", "beforeMin", "type"],
};
const UPDATE_PREFERENCES: Preferences = Preferences {
    fields: &["method", "contact", "type"],
};
const SUBSCRIPTION_PREFERENCES: Preferences = Preferences {
    fields: &["method", "contact"],
};

/// The group.
pub static GROUP: Group = Group::new(
    "Users",
    &[
        Collection::new(
            "user-emails",
            "/users/{user-id}/contacts/emails",
            "email contact",
            "ContactEmail",
            &Contacts,
        )
        .child_of(Target::Users),
        Collection::new(
            "user-phone-numbers",
            "/users/{user-id}/contacts/phone-numbers",
            "phone number contact",
            "ContactPhoneNumber",
            &PhoneContacts,
        )
        .child_of(Target::Users),
        Collection::new(
            "user-alert-preferences",
            "/users/{user-id}/notification-preferences/alerts",
            "alert notification preference",
            "NotificationPreferencesAlert",
            &ALERT_PREFERENCES,
        )
        .child_of(Target::Users),
        Collection::new(
            "user-duty-preferences",
            "/users/{user-id}/notification-preferences/duties",
            "duty notification preference",
            "NotificationPreferencesDuty",
            &DUTY_PREFERENCES,
        )
        .child_of(Target::Users),
        Collection::new(
            "user-update-preferences",
            "/users/{user-id}/notification-preferences/updates",
            "update notification preference",
            "NotificationPreferencesUpdate",
            &UPDATE_PREFERENCES,
        )
        .child_of(Target::Users),
        Collection::new(
            "user-subscription-preferences",
            "/users/{user-id}/notification-preferences/subscriptions",
            "subscription notification preference",
            "NotificationPreferencesSubscription",
            &SUBSCRIPTION_PREFERENCES,
        )
        .child_of(Target::Users),
    ],
    &[
        Action::caller("GET", "/users/current", |u| Reply::ok(render(u))),
        Action::state("PUT", "/users/current", update_current),
        Action::state("GET", "/users", list),
        Action::state("POST", "/users", create),
        Action::state("POST", "/users/search-email", search_email),
        Action::state("GET", "/users/{user-id}", get),
        Action::state("PUT", "/users/{user-id}", update),
        Action::state("DELETE", "/users/{user-id}", delete),
    ],
);

/// A user as ilert's `User`, plus `username` (ilert's Go client and token info use it).
pub fn render(u: &User) -> Value {
    let mut out = json!({
        "id": u.id,
        "username": u.username,
        "firstName": u.first_name,
        "lastName": u.last_name,
        "email": u.email,
        "timezone": u.timezone,
        "language": u.language,
        "region": u.region,
        "role": u.role,
    });
    if let Some(map) = out.as_object_mut() {
        if let Some(p) = &u.position {
            map.insert("position".to_owned(), json!(p));
        }
        if let Some(d) = &u.department {
            map.insert("department".to_owned(), json!(d));
        }
    }
    out
}

/// Copies the `UserPost` fields of a checked body onto a user (`role` only when `with_role`).
fn apply(u: &mut User, body: &Entity, with_role: bool) {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(v) = text("firstName") {
        u.first_name = v;
    }
    if let Some(v) = text("lastName") {
        u.last_name = v;
    }
    if let Some(v) = text("email") {
        u.email = v;
    }
    for (key, slot) in [
        ("timezone", &mut u.timezone),
        ("language", &mut u.language),
        ("region", &mut u.region),
    ] {
        if let Some(v) = text(key) {
            *slot = v;
        }
    }
    if with_role && let Some(v) = text("role") {
        u.role = v;
    }
    if body.contains_key("position") {
        u.position = text("position");
    }
    if body.contains_key("department") {
        u.department = text("department");
    }
}

fn find(state: &dyn World, tenant: &str, raw: &str) -> Result<usize, ResourceError> {
    state
        .users()
        .iter()
        .position(|u| u.tenant == tenant && (u.id.to_string() == raw || u.username == raw))
        .ok_or_else(|| ResourceError::not_found("user", raw))
}

fn changed(cx: &mut Cx<'_>, index: usize) -> Reply {
    Reply::ok(render(&cx.state.users()[index]))
}

/// `PUT /users/current` (scope `profile:w`): the caller edits their own profile; the role is
/// not theirs to change.
fn update_current(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let index = find(cx.state, cx.tenant, &cx.caller.id.to_string())?;
    let body = cx.body_object();
    apply(&mut cx.state.users_mut()[index], &body, false);
    Ok(changed(cx, index))
}

fn list(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let (start, max) = crud::paging(cx);
    let users: Vec<Value> = cx
        .state
        .users()
        .iter()
        .filter(|u| u.tenant == cx.tenant)
        .skip(start)
        .take(max)
        .map(render)
        .collect();
    Ok(Reply::ok(Value::Array(users)))
}

fn get(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let index = find(cx.state, cx.tenant, cx.path_param("user-id").unwrap_or_default())?;
    Ok(Reply::ok(render(&cx.state.users()[index])))
}

/// ilert lets only an ADMIN give a role (https://docs.ilert.com/administration/user-roles): any
/// other caller that names a role other than the user's present one gets 403.
fn role_allowed(cx: &Cx<'_>, body: &Entity, present: &str) -> Result<(), ResourceError> {
    match body.get("role").and_then(Value::as_str) {
        Some(role) if role != present && cx.caller.role != "ADMIN" => Err(ResourceError::Forbidden(format!(
            "only an ADMIN may set a user's role to {role} (the caller is {})",
            cx.caller.role
        ))),
        _ => Ok(()),
    }
}

fn update(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let index = find(cx.state, cx.tenant, cx.path_param("user-id").unwrap_or_default())?;
    let body = cx.body_object();
    role_allowed(cx, &body, &cx.state.users()[index].role)?;
    apply(&mut cx.state.users_mut()[index], &body, true);
    Ok(changed(cx, index))
}

/// A username made from the email's local part, unique across tenants.
fn username_for(state: &dyn World, email: &str) -> String {
    let base: String = email
        .split('@')
        .next()
        .unwrap_or("user")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let base = if base.is_empty() { "user".to_owned() } else { base };
    (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}{n}")
            }
        })
        .find(|name| state.user_by_name(name).is_none())
        .unwrap_or(base)
}

fn create(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let body = cx.body_object();
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if cx
        .state
        .users()
        .iter()
        .any(|u| u.tenant == cx.tenant && u.email.eq_ignore_ascii_case(&email))
    {
        return Err(ResourceError::Conflict(format!(
            "a user with email '{email}' already exists"
        )));
    }
    role_allowed(cx, &body, "RESPONDER")?;
    if cx.state.users().len() >= cx.bounds.users {
        return Err(ResourceError::InsufficientStorage(format!(
            "the mock holds {} users, its bound (--max-users {}); nothing was added",
            cx.state.users().len(),
            cx.bounds.users
        )));
    }
    let id = cx.state.resources_mut().next_id();
    cx.state.resources_mut().reserve(id);
    let mut user = User {
        id,
        tenant: cx.tenant.to_owned(),
        username: username_for(cx.state, &email),
        first_name: String::new(),
        last_name: String::new(),
        email,
        role: "RESPONDER".to_owned(),
        timezone: "Europe/Berlin".to_owned(),
        language: "en".to_owned(),
        region: "DE".to_owned(),
        position: None,
        department: None,
    };
    apply(&mut user, &body, true);
    let out = render(&user);
    cx.state.users_mut().push(user);
    Ok(Reply::created(out, format!("/api/users/{id}")))
}

fn search_email(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let email = cx
        .body_object()
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    cx.state
        .users()
        .iter()
        .find(|u| u.tenant == cx.tenant && u.email.eq_ignore_ascii_case(&email))
        .map(|u| Reply::ok(render(u)))
        .ok_or_else(|| ResourceError::NotFound(format!("no user with email '{email}'")))
}

fn delete(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    let index = find(cx.state, cx.tenant, cx.path_param("user-id").unwrap_or_default())?;
    let id = cx.state.users()[index].id;
    if let Some(why) = cx.state.protected_user(&cx.state.users()[index].username) {
        return Err(ResourceError::Conflict(format!(
            "user {id} cannot be deleted: {why}"
        )));
    }
    relations::release(cx.state, cx.tenant, Target::Users, id)?;
    cx.state.users_mut().remove(index);
    Ok(Reply::empty(204))
}
