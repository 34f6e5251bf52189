//! Call flows (`/call-flows`, scope `source` by the mock's choice): what happens when someone
//! calls one of the tenant's numbers, as a tree of nodes (`root` must be a `ROOT` node; a
//! `CREATE_ALERT` node names an alert source of the tenant). A flow's `assignedNumber` must be
//! one of the tenant's call flow numbers that no other flow uses (409 otherwise); the number is
//! then `USED`, and `AVAILABLE` again when the flow lets it go or is deleted. Lists answer the
//! shallow `CallFlowListItem`, single flows the whole tree.

use serde_json::{Value, json};

use super::flow_tree::{self, NodeRef};
use super::{alert_sources, call_flow_numbers, fields, names};
use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Cx, Group, Model, OnDelete, Relation, Target, View};
use crate::resources::store::Entity;

/// The store name of the collection.
pub const NAME: &str = names::CALL_FLOWS;

/// A flow's number is one of the tenant's, which cannot go while the flow uses it.
const NUMBER: Relation = Relation::new(
    "assignedNumber",
    Target::Collection(call_flow_numbers::NAME),
    OnDelete::Restrict,
);

/// The collection.
const COLLECTION: Collection =
    Collection::new(NAME, "/call-flows", "call flow", "CallFlow", &Flows).relations(&[NUMBER]);

/// The group.
pub static GROUP: Group = Group::new("Call Flows", &[COLLECTION], &[]);

/// The references a call flow's nodes carry.
const REFS: &[NodeRef] = &[NodeRef::required(
    "CREATE_ALERT",
    "alertSourceId",
    Target::Collection(alert_sources::NAME),
)];

/// The checked entity; `this` is the flow being updated (its own number is no conflict).
fn normalise(cx: &Cx<'_>, body: &Entity, this: Option<&Value>) -> Result<Entity, ResourceError> {
    let mut out = flow_tree::flow(&cx.view(), body, REFS)?;
    out["language"] = fields::field(body, "language").clone();
    if let Some(number) = body
        .get("assignedNumber")
        .and_then(|n| n.get("id"))
        .filter(|id| !id.is_null())
    {
        let taken = cx.state.resources().iter(cx.tenant, NAME).find(|(id, f)| {
            fields::field(&f.body, "assignedNumber")["id"] == *number && Some(&Value::from(*id)) != this
        });
        if let Some((other, _)) = taken {
            return Err(ResourceError::Conflict(format!(
                "call flow number {number} is already used by call flow {other}"
            )));
        }
        out["assignedNumber"] = json!({"id": number});
    }
    Ok(out.as_object().cloned().unwrap_or_default())
}

/// The call flow model.
#[derive(Debug)]
pub struct Flows;

impl Model for Flows {
    fn create(&self, cx: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        normalise(cx, &body, None)
    }

    fn update(&self, cx: &mut Cx<'_>, old: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        normalise(cx, &body, old.get("id"))
    }

    fn render(&self, view: &View<'_>, entity: &Entity, list: bool) -> Value {
        let mut out = Value::Object(entity.clone());
        if let Some(number) = entity.get("assignedNumber").and_then(|n| n["id"].as_i64()) {
            out["assignedNumber"] = call_flow_numbers::assigned(view, number);
        }
        if list && let Some(map) = out.as_object_mut() {
            map.remove("root");
        }
        out
    }
}
