//! Incident templates (`/incident-templates`, scope `template`): the generic collection of
//! prepared incident texts (a name, the incident's summary, status and message, whether to
//! notify). A team named in `teams` cannot be deleted while a template names it.

use serde_json::{Value, json};

use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Group, View};
use crate::resources::kinds::Written;
use crate::resources::relations;
use crate::resources::store::Entity;
use crate::resources::support::{audience, names};
use crate::resources::validate;

/// The store name of the collection.
pub const NAME: &str = names::INCIDENT_TEMPLATES;

/// The group.
pub static GROUP: Group = Group::new(
    "Incident Templates",
    &[Collection::new(
        NAME,
        "/incident-templates",
        "incident template",
        "IncidentTemplate",
        &TEMPLATES,
    )
    .relations(&[audience::OWNING_TEAMS])],
    &[],
);

/// A template as stored, with ilert's defaults for what the body leaves out.
fn editable(body: &Entity) -> Result<Entity, ResourceError> {
    let name = validate::non_blank(body, "name")?;
    let text = |key: &str, default: &str| json!(body.get(key).and_then(Value::as_str).unwrap_or(default));
    let teams = relations::ids(body.get("teams").unwrap_or(&Value::Null), "[]");
    let out = json!({
        "name": name,
        "summary": text("summary", ""),
        "status": text("status", "INVESTIGATING"),
        "message": text("message", ""),
        "sendNotification": body.get("sendNotification").and_then(Value::as_bool).unwrap_or(true),
        "teams": teams.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
    });
    Ok(out.as_object().cloned().unwrap_or_default())
}

/// The template model: defaults on write, teams as `TeamRel` on read.
const TEMPLATES: Written = Written {
    write: |_, _, body| editable(&body),
    show,
};

/// A stored template as `IncidentTemplate`.
fn show(view: &View<'_>, entity: &Entity, _: bool) -> Value {
    let mut out = Entity::new();
    for key in ["id", "name", "summary", "status", "message", "sendNotification"] {
        if let Some(value) = entity.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    out.insert("teams".to_owned(), audience::team_rels(view, entity.get("teams")));
    Value::Object(out)
}
