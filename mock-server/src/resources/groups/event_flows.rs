//! Event flows (`/event-flows`, scope `source` by the mock's choice): a tree of nodes that routes
//! incoming events (`root` must be a `ROOT` node; a `ROUTE_EVENT` node names the alert source
//! it routes to, and may name an escalation policy, both of the tenant). Lists answer the
//! shallow `EventFlowListItem` (id, name, teams), single flows the whole tree.

use super::{alert_sources, escalation_policies};
use serde_json::Value;

use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Cx, Group, Target};
use crate::resources::kinds::Written;
use crate::resources::store::Entity;
use crate::resources::support::flow_tree::{self, NodeRef};

/// The store name of the collection.
pub const NAME: &str = "event-flows";

/// The model: the checked tree stored; lists answer the flows without it.
const FLOWS: Written = Written {
    write: |cx, _, body| shape(cx, &body),
    show: |_, flow, list| Value::Object(flow_tree::shown(flow, list)),
};

/// The collection.
const COLLECTION: Collection = Collection::new(NAME, "/event-flows", "event flow", "EventFlow", &FLOWS);

/// The group.
pub static GROUP: Group = Group::new("Event Flows", &[COLLECTION], &[]);

/// The references an event flow's nodes carry.
const REFS: &[NodeRef] = &[
    NodeRef::required(
        "ROUTE_EVENT",
        "alertSourceId",
        Target::Collection(alert_sources::NAME),
    ),
    NodeRef::optional(
        "ROUTE_EVENT",
        "escalationPolicyId",
        Target::Collection(escalation_policies::NAME),
    ),
];

/// The stored flow: name, teams and the checked node tree.
fn shape(cx: &Cx<'_>, body: &Entity) -> Result<Entity, ResourceError> {
    let flow = flow_tree::flow(&cx.view(), body, REFS)?;
    Ok(flow.as_object().cloned().unwrap_or_default())
}
