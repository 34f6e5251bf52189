//! Call flow numbers (`/call-flow-numbers`, scope `source` by the mock's choice): the phone
//! numbers of the tenant that call flows answer, seeded from the fixtures (ilert provisions
//! them; the document has no operation to create one). A number's `state` and `assignedTo` are
//! computed from the call flows: `USED` by the flow whose `assignedNumber` it is, `AVAILABLE`
//! otherwise. Lists filter by `state` (`ANY`, `AVAILABLE`, `USED`) and `query` (a part of the
//! name or the number, any case).

use serde_json::{Value, json};

use crate::resources::group::{Collection, Filter, Group, View};

use crate::resources::kinds::Written;
use crate::resources::store::Entity;
use crate::resources::support::{fields, names};

/// Its path in the document.
const PATH: &str = "/call-flow-numbers";

/// The store name of the collection.
pub const NAME: &str = "call-flow-numbers";

/// The documented list filters: `state` (computed) and `query` (name or number).
const FILTERS: &[Filter] = &[
    Filter {
        param: "state",
        test: |view, n, v| {
            let state = if user(view, n).is_some() {
                "USED"
            } else {
                "AVAILABLE"
            };
            v.iter().any(|s| s == "ANY" || s == state)
        },
    },
    Filter {
        param: "query",
        test: |_, n, v| {
            let name = fields::field(n, "name").as_str().unwrap_or_default();
            let text = format!("{name} {}", fields::field(n, "phoneNumber")["number"]).to_lowercase();
            v.iter().any(|q| text.contains(&q.to_lowercase()))
        },
    },
];

/// The collection.
const COLLECTION: Collection = Collection::new(
    NAME,
    PATH,
    "call flow number",
    "CallFlowNumberDetails",
    &NUMBER_MODEL,
)
.filters(FILTERS);

/// The group.
pub static GROUP: Group = Group::new("Call Flow Numbers", &[COLLECTION], &[]);

/// The call flow that uses the number, as `{id, name}`.
fn user(view: &View<'_>, number: &Entity) -> Option<Value> {
    view.state
        .resources()
        .iter(view.tenant, names::CALL_FLOWS)
        .find(|(_, f)| {
            number
                .get("id")
                .is_some_and(|id| fields::field(&f.body, "assignedNumber")["id"] == *id)
        })
        .map(|(id, f)| json!({"id": id, "name": fields::field(&f.body, "name")}))
}

/// The call flow number model: state and assignment computed from the call flows.
pub const NUMBER_MODEL: Written = Written::shown(show_number);

/// A stored entity of [`NUMBER_MODEL`] as answered.
pub fn show_number(view: &View<'_>, entity: &Entity, _: bool) -> Value {
    let mut out = Value::Object(entity.clone());
    match user(view, entity) {
        Some(flow) => {
            out["state"] = json!("USED");
            out["assignedTo"] = flow;
        }
        None => {
            out["state"] = json!("AVAILABLE");
            if let Some(map) = out.as_object_mut() {
                map.remove("assignedTo");
            }
        }
    }
    out
}

/// The tenant's number `id` as a call flow's `assignedNumber` (`CallFlowNumber`).
pub fn assigned(view: &View<'_>, id: i64) -> Value {
    view.state
        .resources()
        .get(view.tenant, NAME, id)
        .map_or_else(
            || json!({"id": id}),
            |n| json!({"id": id, "name": fields::field(&n.body, "name"), "phoneNumber": fields::field(&n.body, "phoneNumber")}),
        )
}
