//! [`crate::Breakage::DropRequiredField`]: a resource answer without the first property its
//! documented response schema requires, so a contract suite can prove it checks the schema.

use serde_json::Value;

use crate::resources::catalogue::{Operation, catalogue};

/// Removes, from `body` (an object, or each object of an array), the first property that
/// `op`'s documented success schema requires.
pub fn apply(op: &Operation, body: &mut Value) {
    let c = catalogue();
    let Some(schema) = op.success().1 else {
        return;
    };
    let schema = c.resolve(schema);
    let (schema, target) = match (schema.get("items"), body) {
        (Some(items), Value::Array(list)) => (c.resolve(items), list.iter_mut().collect::<Vec<_>>()),
        (_, body) => (schema, vec![body]),
    };
    let Some(field) = schema
        .get("required")
        .and_then(Value::as_array)
        .and_then(|r| r.first())
        .and_then(Value::as_str)
    else {
        return;
    };
    for item in target {
        if let Some(object) = item.as_object_mut() {
            object.remove(field);
        }
    }
}
