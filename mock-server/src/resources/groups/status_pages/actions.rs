//! The status page reads that take `include`: the generic list and get, plus ilert's optional
//! fields `subscribed`, `uptime` (on each service) and `groups`.

use serde_json::{Map, Value};

use super::super::service_outages::timeline;
use super::model::{GROUPS, PAGE_GROUPS, PAGES};
use crate::resources::error::ResourceError;
use crate::resources::group::{Cx, Reply, View};
use crate::resources::store::Entity;
use crate::resources::support::{audience, include};

/// What the request's `include` adds to each page.
fn extras(cx: &Cx<'_>) -> impl Fn(&View<'_>, &Entity, &mut Map<String, Value>) + 'static {
    let (caller, now) = (cx.caller.id, cx.now);
    let wants = ["subscribed", "uptime", "groups"].map(|name| include::wants(cx, name));
    move |view, page, out| {
        let id = page.get("id").and_then(Value::as_i64).unwrap_or_default();
        if wants[0] {
            audience::add_subscribed(view, page, caller, out);
        }
        if wants[1]
            && let Some(services) = out.get_mut("services").and_then(Value::as_array_mut)
        {
            for service in services {
                if let Some(sid) = service["id"].as_i64() {
                    service["uptime"] = timeline::uptime(view, sid, now);
                }
            }
        }
        if wants[2] {
            let groups = view
                .state
                .resources()
                .children(view.tenant, GROUPS, id)
                .into_iter()
                .filter_map(|g| view.state.resources().get(view.tenant, GROUPS, g))
                .map(|g| PAGE_GROUPS.model.render(view, &g.body, true))
                .collect();
            out.insert("groups".into(), Value::Array(groups));
        }
    }
}

/// `GET /status-pages`.
pub(super) fn list(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    include::list(cx, &PAGES, None, &extras(cx))
}

/// `GET /status-pages/{id}`: the structure always, the rest on request.
pub(super) fn get(cx: &mut Cx<'_>) -> Result<Reply, ResourceError> {
    Ok(Reply::ok(include::get(cx, &PAGES, &extras(cx))?.1))
}
