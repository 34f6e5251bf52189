//! [`crate::Breakage::DocumentToTheLetter`]: the REST API answers as ilert's OpenAPI document
//! says where ilert's own clients disagree with it (`resources::reconcile`), so the conformance
//! cases that follow the clients can be shown to fail. The request side (the document's enums
//! and formats, `include` only repeated, no lookups by name) is switched in the handler; this
//! module changes the answers.

use serde_json::{Map, Value};

use crate::resources::catalogue::Operation;
use crate::resources::group::Reply;
use crate::resources::reconcile;

/// The reply as the document would have it: its success status instead of the clients', and
/// uptime percentages nested once more (`uptimePercentage.uptimePercentage.p90`).
pub fn apply(op: &Operation, reply: &mut Reply) {
    if (200..300).contains(&reply.status) && reconcile::status_override(&op.method, &op.path).is_some() {
        reply.status = op.success().0;
        if reply.status == 204 {
            reply.body = None;
        }
    }
    if let Some(body) = reply.value_mut() {
        nest_uptime(body);
    }
}

/// Wraps every `uptimePercentage` object that holds the percentages in another
/// `uptimePercentage`, as the document's `ServiceUptimePercentage` has it.
fn nest_uptime(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // Children first, so the wrapped object is not visited again.
            for v in map.values_mut() {
                nest_uptime(v);
            }
            if let Some(p) = map.get_mut("uptimePercentage")
                && p.get("p90").is_some()
            {
                let inner = std::mem::take(p);
                let mut outer = Map::new();
                outer.insert("uptimePercentage".to_owned(), inner);
                *p = Value::Object(outer);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nest_uptime),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_is_nested_once() {
        let mut v = serde_json::json!([{"uptime": {"uptimePercentage": {"p90": 99.0}}}]);
        nest_uptime(&mut v);
        assert_eq!(
            v[0]["uptime"]["uptimePercentage"]["uptimePercentage"]["p90"],
            99.0
        );
    }
}
