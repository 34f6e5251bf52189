//! Schedules (`/schedules`, scope `schedule`): `RECURRING` schedules whose layers rotate users,
//! and `STATIC` schedules of hand-placed shifts; overrides on top (`PUT /schedules/{id}/overrides`,
//! a nested collection); the shifts of a time range, the user on call now and the current and
//! next shift, all computed from the mock clock ([`timeline`]), so moving `/_mock/clock` moves
//! who is on call.
//!
//! A schedule's users must exist in the tenant and may not be stakeholders; its type cannot
//! change. It cannot be deleted while an escalation policy names it (409), and a user in its
//! layers or shifts cannot be deleted while it does. `include=` (`scheduleLayers`, `shifts`,
//! `currentShift`, `nextShift`, `past`) adds the documented optional fields to `GET` answers;
//! create and update answer with the layers or shifts as stored. An update that leaves out
//! `scheduleLayers` or `shifts` keeps them (so a read-modify-write of a plain `GET` keeps them).

mod actions;
mod model;
pub mod timeline;

use serde_json::{Value, json};

use super::{teams, users};
use crate::clock::UnixSeconds;
use crate::resources::group::{Action, Collection, Group, OnDelete, Relation, Target, View};
use crate::resources::kinds::Written;
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::time::iso8601;
pub use model::{MODEL, plan_of};
use timeline::{Plan, Shift};

/// The store name of schedules.
pub const NAME: &str = "schedules";
/// The store name of overrides (nested in their schedule).
pub const OVERRIDES: &str = "schedule-overrides";

/// The group.
pub static GROUP: Group = Group::new(
    "Schedules",
    &[
        Collection::new(NAME, "/schedules", "schedule", "Schedule", &MODEL).relations(&[
            Relation::new("scheduleLayers[].users[]", Target::Users, OnDelete::Restrict),
            Relation::new("shifts[].user", Target::Users, OnDelete::Restrict),
            Relation::new("teams[]", Target::Collection(teams::NAME), OnDelete::Restrict),
        ]),
        Collection::new(
            OVERRIDES,
            "/schedules/{id}/overrides",
            "override",
            "Shift",
            &OVERRIDE_MODEL,
        )
        .child_of(Target::Collection(NAME))
        .relations(&[Relation::new("user", Target::Users, OnDelete::Cascade)]),
    ],
    &[
        Action::state("GET", "/schedules", actions::list),
        Action::state("GET", "/schedules/{id}", actions::get),
        Action::state("GET", "/schedules/{id}/shifts", actions::shifts),
        Action::state("PUT", "/schedules/{id}/overrides", actions::add_override),
        Action::state("GET", "/schedules/{id}/user-on-call", actions::user_on_call),
    ],
);

/// The optional parts of a schedule answer (`include=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Include {
    /// `scheduleLayers` (recurring schedules).
    pub layers: bool,
    /// `shifts` (static schedules).
    pub shifts: bool,
    /// `currentShift`.
    pub current: bool,
    /// `nextShift`.
    pub next: bool,
    /// `past`: static shifts that have ended too.
    pub past: bool,
}

impl Include {
    /// What create and update answer with: the layers or shifts as stored.
    pub const WRITTEN: Include = Include {
        layers: true,
        shifts: true,
        current: false,
        next: false,
        past: true,
    };

    /// The `include` values of a request (already checked against the documented enum).
    pub fn parse(values: &[String]) -> Self {
        let has = |name: &str| values.iter().any(|v| v == name);
        Include {
            layers: has("scheduleLayers"),
            shifts: has("shifts"),
            current: has("currentShift"),
            next: has("nextShift"),
            past: has("past"),
        }
    }
}

/// A shift as ilert's `ShiftRel` (`user` as `UserRel`).
fn shift_rel(view: &View<'_>, s: &Shift) -> Value {
    let user = relations::user_rel(view, s.user).unwrap_or_else(|| json!({"id": s.user}));
    json!({"user": user, "start": iso8601(s.start), "end": iso8601(s.end)})
}

/// A shift as ilert's `Shift` (`user` as a full `User`), with times written by `time`.
pub fn shift(view: &View<'_>, s: &Shift, time: &dyn Fn(UnixSeconds) -> String) -> Value {
    let user = view
        .state
        .user(s.user)
        .map_or_else(|| json!({"id": s.user}), users::render);
    json!({"user": user, "start": time(s.start), "end": time(s.end)})
}

/// A stored schedule as ilert's `Schedule`, with the optional parts `include` asks for.
pub fn render(view: &View<'_>, entity: &Entity, include: Include) -> Value {
    let mut out = Entity::new();
    for key in [
        "id",
        "name",
        "timezone",
        "type",
        "showGaps",
        "defaultShiftDuration",
        "teams",
    ] {
        if let Some(v) = entity.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    let recurring = entity.get("type").and_then(Value::as_str) != Some("STATIC");
    if include.layers && recurring {
        let mut layers = entity.get("scheduleLayers").cloned().unwrap_or(json!([]));
        relations::expand(&mut layers, "[].users[]", &|id| relations::user_rel(view, id));
        out.insert("scheduleLayers".into(), layers);
    }
    if include.shifts && !recurring {
        // Shifts sent without offset are read in the schedule's zone (model.rs).
        let tz = crate::resources::support::calendar::zone(
            entity.get("timezone").and_then(Value::as_str).unwrap_or("UTC"),
        )
        .unwrap_or(jiff::tz::TimeZone::UTC);
        let mut shifts: Vec<Value> = entity
            .get("shifts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|s| {
                include.past
                    || s["end"]
                        .as_str()
                        .and_then(|end| crate::resources::time::parse_in(end, &tz))
                        .is_none_or(|end| end > view.now)
            })
            .cloned()
            .collect();
        for s in &mut shifts {
            relations::expand(s, "user", &|id| relations::user_rel(view, id));
        }
        out.insert("shifts".into(), Value::Array(shifts));
    }
    if include.current || include.next {
        let id = entity.get("id").and_then(Value::as_i64).unwrap_or_default();
        if let Some(plan) = plan(view, id) {
            if let Some(s) = include.current.then(|| plan.at(view.now)).flatten() {
                out.insert("currentShift".into(), shift_rel(view, &s));
            }
            if let Some(s) = include.next.then(|| plan.next(view.now)).flatten() {
                out.insert("nextShift".into(), shift_rel(view, &s));
            }
        }
    }
    let mut out = Value::Object(out);
    teams::expand(view, &mut out, "teams[]");
    out
}

/// The tenant's schedule `id` as a `ScheduleRel` (`{"id", "name", "type"}`), if it exists.
pub fn rel(view: &View<'_>, id: i64) -> Option<Value> {
    view.state
        .resources()
        .get(view.tenant, NAME, id)
        .map(|s| json!({"id": id, "name": s.body.get("name"), "type": s.body.get("type")}))
}

/// A stored override as a [`Shift`].
fn override_shift(entity: &Entity) -> Option<Shift> {
    let time = |k: &str| {
        entity
            .get(k)
            .and_then(Value::as_str)
            .and_then(crate::resources::time::parse)
    };
    Some(Shift {
        user: entity.get("user")?.get("id")?.as_i64()?,
        start: time("start")?,
        end: time("end")?,
    })
}

/// The tenant's schedule `id` with its overrides, ready to say who is on call.
pub fn plan(view: &View<'_>, id: i64) -> Option<Plan> {
    let store = view.state.resources();
    let entity = &store.get(view.tenant, NAME, id)?.body;
    let overrides = store
        .iter(view.tenant, OVERRIDES)
        .filter(|(_, o)| o.parent == Some(id))
        .filter_map(|(_, o)| override_shift(&o.body))
        .collect();
    plan_of(entity, overrides).ok()
}

/// Who is on call in the tenant's schedule `id` at the view's now, with their shift.
pub fn on_call(view: &View<'_>, id: i64) -> Option<Shift> {
    plan(view, id)?.at(view.now)
}

/// The override model: shown as ilert's `Shift`, with the user in full.
pub const OVERRIDE_MODEL: Written = Written::shown(show_override);

/// A stored entity of [`OVERRIDE_MODEL`] as answered.
pub fn show_override(view: &View<'_>, entity: &Entity, _: bool) -> Value {
    match override_shift(entity) {
        Some(s) => shift(view, &s, &iso8601),
        None => Value::Object(entity.clone()),
    }
}
