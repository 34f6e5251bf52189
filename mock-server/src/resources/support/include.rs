//! The `include` query parameter of services, incidents and status pages: optional fields added
//! to entities as answered (`include=subscribed&include=uptime`; the values were checked
//! against the operation's documented enum before it ran). ilert caps a page of services or
//! incidents at 25 when `include` is given ("when using ?include maximum is reduced to 25").

use serde_json::{Map, Value};

use crate::resources::crud;
use crate::resources::error::ResourceError;
use crate::resources::group::{Collection, Cx, Reply, View};
use crate::resources::store::Entity;

/// The largest page of services or incidents when `include` is given.
pub const CAPPED_MAX: usize = 25;

/// What adds optional fields: gets the view, the stored entity and the rendered object.
pub type Adder<'f> = &'f dyn Fn(&View<'_>, &Entity, &mut Map<String, Value>);

/// Whether the request asks for the optional field `name`.
pub fn wants(cx: &Cx<'_>, name: &str) -> bool {
    cx.query_all("include").iter().any(|v| v == name)
}

/// Whether the request names any optional field.
pub fn any(cx: &Cx<'_>) -> bool {
    !cx.query_all("include").is_empty()
}

/// Adds fields to the rendered entity `item` of collection `name`: `add` gets the view, the
/// stored entity and the rendered object.
pub fn add_to(view: &View<'_>, name: &str, item: &mut Value, add: Adder<'_>) {
    let Some(id) = item.get("id").and_then(Value::as_i64) else {
        return;
    };
    let Some(stored) = view.state.resources().get(view.tenant, name, id) else {
        return;
    };
    if let Some(object) = item.as_object_mut() {
        add(view, &stored.body, object);
    }
}

/// Adds fields to every entity of a list reply of collection `name` when the request names
/// any; `cap` shortens such a page first.
pub fn add_to_list(cx: &Cx<'_>, name: &str, reply: &mut Reply, cap: Option<usize>, add: Adder<'_>) {
    if !any(cx) {
        return;
    }
    let view = cx.view();
    if let Some(Value::Array(items)) = reply.value_mut() {
        if let Some(cap) = cap {
            items.truncate(cap);
        }
        for item in items {
            add_to(&view, name, item, add);
        }
    }
}

/// `GET {path}` of `collection`: the generic list with the optional fields `add` puts in (a
/// page capped at `cap` when any is asked for).
pub fn list(
    cx: &mut Cx<'_>,
    collection: &Collection,
    cap: Option<usize>,
    add: Adder<'_>,
) -> Result<Reply, ResourceError> {
    let mut reply = crud::list(cx, collection)?;
    add_to_list(cx, collection.name, &mut reply, cap, add);
    Ok(reply)
}

/// `GET {path}/{id}` of `collection`: the entity's id and its rendering with the optional
/// fields `add` puts in.
pub fn get(cx: &mut Cx<'_>, collection: &Collection, add: Adder<'_>) -> Result<(i64, Value), ResourceError> {
    let (id, _) = crud::find(cx, collection)?;
    let mut entity = crud::render(cx, collection, id, false);
    add_to(&cx.view(), collection.name, &mut entity, add);
    Ok((id, entity))
}
