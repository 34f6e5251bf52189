//! The node trees of event flows and call flows: a `root` node whose `branches` lead to further
//! nodes (`branches[].target`). Both groups check the same things: the root is a `ROOT` node,
//! and the ids a node's `metadata` names (an alert source to route to, a policy) exist in the
//! tenant — the node types' metadata schemas overlap, so the document's `oneOf` cannot tell
//! which one a node carries.

use serde_json::{Value, json};

use crate::resources::error::ResourceError;
use crate::resources::group::{Target, View};
use crate::resources::relations;
use crate::resources::store::Entity;

/// A stored flow as answered: whole when single, without its node tree (`root`) in lists
/// (`EventFlowListItem`, `CallFlowListItem`).
pub fn shown(flow: &Entity, list: bool) -> Entity {
    let mut out = flow.clone();
    if list {
        out.remove("root");
    }
    out
}

/// A reference a node of one type must (or may) carry in its `metadata`.
#[derive(Debug, Clone, Copy)]
pub struct NodeRef {
    node_type: &'static str,
    field: &'static str,
    target: Target,
    required: bool,
}

impl NodeRef {
    /// Nodes of `node_type` must name an entity of `target` at `metadata.{field}`.
    pub const fn required(node_type: &'static str, field: &'static str, target: Target) -> Self {
        Self {
            node_type,
            field,
            target,
            required: true,
        }
    }

    /// Nodes of `node_type` may name an entity of `target` at `metadata.{field}`.
    pub const fn optional(node_type: &'static str, field: &'static str, target: Target) -> Self {
        Self {
            required: false,
            ..Self::required(node_type, field, target)
        }
    }
}

/// Every node below and including `root`, depth first, each with its path in the body
/// (`root.branches[0].target`).
pub fn nodes(root: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let mut stack = vec![("root".to_owned(), root)];
    while let Some((path, node)) = stack.pop() {
        let branches = node.get("branches").and_then(Value::as_array);
        for (i, branch) in branches.map_or(&[][..], Vec::as_slice).iter().enumerate().rev() {
            if let Some(target) = branch.get("target").filter(|t| t.is_object()) {
                stack.push((format!("{path}.branches[{i}].target"), target));
            }
        }
        out.push((path, node));
    }
    out
}

/// The fields every flow has, from a body: `name`, `teams` and the checked node tree `root`.
pub fn flow(view: &View<'_>, body: &Entity, refs: &[NodeRef]) -> Result<Value, ResourceError> {
    let root = body.get("root").cloned().unwrap_or(Value::Null);
    check(view, &root, refs)?;
    Ok(json!({
        "name": super::fields::name(body)?,
        "teams": body.get("teams").cloned().unwrap_or(json!([])),
        "root": root,
    }))
}

/// The root must be a `ROOT` node, and every node's references must name entities of the
/// tenant (400 naming the field).
pub fn check(view: &View<'_>, root: &Value, refs: &[NodeRef]) -> Result<(), ResourceError> {
    if root.get("nodeType").and_then(Value::as_str) != Some("ROOT") {
        return Err(ResourceError::BadRequest(
            "field 'root.nodeType' must be ROOT".to_owned(),
        ));
    }
    for (path, node) in nodes(root) {
        let kind = node.get("nodeType").and_then(Value::as_str).unwrap_or_default();
        for r in refs.iter().filter(|r| r.node_type == kind) {
            let field = format!("{path}.metadata.{}", r.field);
            match node
                .get("metadata")
                .and_then(|m| m.get(r.field))
                .filter(|v| !v.is_null())
            {
                None if r.required => {
                    return Err(ResourceError::BadRequest(format!(
                        "field '{field}' is required for a {kind} node"
                    )));
                }
                None => {}
                Some(value) => {
                    let found = relations::ids(value, "")
                        .first()
                        .is_some_and(|id| relations::exists(view.state, view.tenant, r.target, *id));
                    if !found {
                        return Err(ResourceError::BadRequest(format!(
                            "field '{field}' names {} {value}, which does not exist",
                            relations::noun(view.state, r.target)
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nodes_are_walked_depth_first_with_their_paths() {
        let root = json!({"nodeType": "ROOT", "branches": [
            {"branchType": "BRANCH", "target": {"nodeType": "WAIT", "branches": [
                {"branchType": "CATCH_ALL", "target": {"nodeType": "ROUTE_EVENT"}}
            ]}},
            {"branchType": "CATCH_ALL", "target": {"nodeType": "TRANSFORM"}}
        ]});
        let walked: Vec<(String, &str)> = nodes(&root)
            .into_iter()
            .map(|(p, n)| (p, n["nodeType"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(
            walked,
            vec![
                ("root".to_owned(), "ROOT"),
                ("root.branches[0].target".to_owned(), "WAIT"),
                (
                    "root.branches[0].target.branches[0].target".to_owned(),
                    "ROUTE_EVENT"
                ),
                ("root.branches[1].target".to_owned(), "TRANSFORM"),
            ]
        );
    }
}
