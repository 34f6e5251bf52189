//! Call flows (`/call-flows`, scope `source` by the mock's choice): what happens when someone
//! calls one of the tenant's numbers, as a tree of nodes (`root` must be a `ROOT` node; a
//! `CREATE_ALERT` node names an alert source of the tenant). A flow's `assignedNumber` must be
//! one of the tenant's call flow numbers that no other flow uses (409 otherwise); the number is
//! then `USED`, and `AVAILABLE` again when the flow lets it go or is deleted. Lists answer the
//! shallow `CallFlowListItem`, single flows the whole tree.

use serde_json::{Value, json};

use super::{alert_sources, call_flow_numbers};
use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Cx, Group, OnDelete, Relation, Target};
use crate::resources::kinds::Written;
use crate::resources::store::Entity;
use crate::resources::support::flow_tree::{self, NodeRef};
use crate::resources::support::{fields, names};

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
    Collection::new(NAME, "/call-flows", "call flow", "CallFlow", &FLOWS).relations(&[NUMBER]);

/// The group.
pub static GROUP: Group = Group::new("Call Flows", &[COLLECTION], &[]);

/// The references a call flow's nodes carry.
const REFS: &[NodeRef] = &[NodeRef::required(
    "CREATE_ALERT",
    "alertSourceId",
    Target::Collection(alert_sources::NAME),
)];

/// The checked entity; `old` is the flow being updated (its own number is no conflict).
fn normalise(cx: &Cx<'_>, body: &Entity, old: Option<&Entity>) -> Result<Entity, ResourceError> {
    let this = old.and_then(|o| o.get("id"));
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

/// The call flow model: lists leave out the tree; answers embed the assigned number.
const FLOWS: Written = Written {
    write: |cx, old, body| normalise(cx, &body, old),
    show: |view, flow, list| {
        let mut out = flow_tree::shown(flow, list);
        if let Some(number) = out.get("assignedNumber").and_then(|n| n["id"].as_i64()) {
            out.insert("assignedNumber".into(), call_flow_numbers::assigned(view, number));
        }
        Value::Object(out)
    },
};
