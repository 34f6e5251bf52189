//! Connectors (`/connectors`, scope `connector`): the credentials alert actions use to reach
//! another tool. ilert writes their ids as strings; a connector's `type` cannot be changed, and
//! a connector cannot be deleted while an alert action uses it (409).

use serde_json::Value;

use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Cx, Group, Model, View};
use crate::resources::kinds::Plain;
use crate::resources::store::Entity;
use crate::resources::support::fields;

/// The store name of the collection.
pub const NAME: &str = "connectors";

/// The collection.
const COLLECTION: Collection = Collection::new(NAME, "/connectors", "connector", "Connector", &Connectors);

/// The group.
pub static GROUP: Group = Group::new("Connectors", &[COLLECTION], &[]);

/// The connector model: stamped, `type` fixed once created, ids answered as strings.
#[derive(Debug)]
pub struct Connectors;

// Not a kind: create stamps both times, update refuses a changed `type` then takes the default update.
impl Model for Connectors {
    fn create(&self, cx: &mut Cx<'_>, mut body: Entity) -> Result<Entity, ResourceError> {
        fields::name(&body)?;
        body.remove("id");
        fields::stamp(cx, &mut body);
        Ok(body)
    }

    fn update(&self, cx: &mut Cx<'_>, old: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        fields::name(&body)?;
        // The document: "type cannot be changed".
        fields::unchanged(old, &body, "type")?;
        // The default: `id` and `createdAt` kept, `updatedAt` now.
        Plain.update(cx, old, body)
    }

    fn render(&self, _: &View<'_>, entity: &Entity, _: bool) -> Value {
        let mut out = Value::Object(entity.clone());
        fields::id_as_string(&mut out);
        out
    }
}
