//! The generic operations every collection gets from its declaration: list (parent, filters,
//! paging with the operation's own `max-results` limits), get (by id or alternative key),
//! create (201, or the status ilert's clients expect, with `Location`), update (200) and delete (204, or 409
//! while referenced).

use serde_json::Value;

use super::catalogue::{Operation, template_params};
use super::error::ResourceError;
use super::group::{Collection, Cx, Reply, Target};
use super::relations;
use super::store::Stored;

/// `start-index` and `max-results` of a list request: `max-results` defaults to the
/// operation's documented default and is capped at its documented maximum.
pub fn paging(cx: &Cx<'_>) -> (usize, usize) {
    page(cx.op, &cx.query)
}

/// [`paging`] of any operation's query.
pub fn page(op: &Operation, query: &[(String, String)]) -> (usize, usize) {
    let Some((default, max)) = op.page_limits() else {
        return (0, usize::MAX);
    };
    // The values were checked against their integer schemas before the operation ran.
    let number = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let start = number("start-index").unwrap_or(0);
    (start, number("max-results").unwrap_or(default).min(max))
}

/// `template` with the request's path parameters filled in.
pub fn fill(template: &str, cx: &Cx<'_>) -> String {
    let mut out = template.to_owned();
    for name in template_params(template) {
        if let Some(value) = cx.path_param(name) {
            out = out.replacen(&format!("{{{name}}}"), value, 1);
        }
    }
    out
}

/// The owner of a nested collection, from the path (404 when the tenant has no such owner).
fn parent(cx: &Cx<'_>, collection: &Collection) -> Result<Option<i64>, ResourceError> {
    let Some(target) = collection.parent else {
        return Ok(None);
    };
    let name = template_params(collection.path).last().copied().unwrap_or("id");
    let noun = relations::noun(cx.state, target);
    let id = cx.path_id(name, noun)?;
    if !relations::exists(cx.state, cx.tenant, target, id) {
        return Err(ResourceError::not_found(noun, id));
    }
    Ok(Some(id))
}

/// The entity the request's last path parameter names (its id, or the collection's
/// alternative key), within its owner.
pub fn find<'s>(cx: &'s Cx<'_>, collection: &Collection) -> Result<(i64, &'s Stored), ResourceError> {
    let owner = parent(cx, collection)?;
    let name = cx.op.path_params().last().copied().unwrap_or("id");
    let raw = cx.path_param(name).unwrap_or_default();
    let store = cx.state.resources();
    let found = match raw.parse::<i64>() {
        Ok(id) => store.get(cx.tenant, collection.name, id).map(|s| (id, s)),
        Err(_) => collection.alt_key.and_then(|key| {
            store
                .iter(cx.tenant, collection.name)
                .find(|(_, s)| s.body.get(key).and_then(Value::as_str) == Some(raw))
        }),
    };
    found
        .filter(|(_, s)| s.parent == owner)
        .ok_or_else(|| ResourceError::not_found(collection.noun, raw))
}

/// The id of the entity of `collection` (within its owner) whose `name` is the request's
/// `{name}`: the first by id when several share it; 404 naming it when none has it.
pub fn find_by_name(cx: &Cx<'_>, collection: &Collection) -> Result<i64, ResourceError> {
    let owner = parent(cx, collection)?;
    let name = cx.path_param("name").unwrap_or_default();
    cx.state
        .resources()
        .iter(cx.tenant, collection.name)
        .find(|(_, s)| s.parent == owner && s.body.get("name").and_then(Value::as_str) == Some(name))
        .map(|(id, _)| id)
        .ok_or_else(|| ResourceError::not_found(collection.noun, name))
}

/// The id of the contact of `collection` (within its user) whose `target` is the body's
/// `target` (and, when the body names a non-empty `regionCode`, whose `regionCode` is it too):
/// `reconcile::TARGET_SEARCHES`. 404 naming the target when none has it.
pub fn find_by_target(cx: &Cx<'_>, collection: &Collection) -> Result<i64, ResourceError> {
    let owner = parent(cx, collection)?;
    let body = cx.body_object();
    let text = |k: &str| body.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    let target =
        text("target").ok_or_else(|| ResourceError::BadRequest("field 'target' is required".to_owned()))?;
    let region = text("regionCode");
    cx.state
        .resources()
        .iter(cx.tenant, collection.name)
        .find(|(_, s)| {
            s.parent == owner
                && s.body.get("target").and_then(Value::as_str) == Some(target)
                && region.is_none_or(|r| s.body.get("regionCode").and_then(Value::as_str) == Some(r))
        })
        .map(|(id, _)| id)
        .ok_or_else(|| ResourceError::not_found(collection.noun, target))
}

/// Renders the tenant's entity `id` of `collection`.
pub fn render(cx: &Cx<'_>, collection: &Collection, id: i64, list: bool) -> Value {
    cx.state
        .resources()
        .get(cx.tenant, collection.name, id)
        .map_or(Value::Null, |s| {
            collection.model.render(&cx.view(), &s.body, list)
        })
}

/// `GET {path}`.
pub fn list(cx: &mut Cx<'_>, collection: &Collection) -> Result<Reply, ResourceError> {
    let owner = parent(cx, collection)?;
    let (start, max) = paging(cx);
    let filters: Vec<_> = collection
        .filters
        .iter()
        .map(|f| (f, cx.query_all(f.param)))
        .filter(|(_, values)| !values.is_empty())
        .collect();
    let view = cx.view();
    let items: Vec<Value> = cx
        .state
        .resources()
        .iter(cx.tenant, collection.name)
        .filter(|(_, s)| s.parent == owner)
        .filter(|(_, s)| filters.iter().all(|(f, values)| (f.test)(&view, &s.body, values)))
        .skip(start)
        .take(max)
        .map(|(_, s)| collection.model.render(&view, &s.body, true))
        .collect();
    Ok(Reply::ok(Value::Array(items)))
}

/// `GET {path}/{id}`.
pub fn get(cx: &mut Cx<'_>, collection: &Collection) -> Result<Reply, ResourceError> {
    let (id, _) = find(cx, collection)?;
    Ok(Reply::ok(render(cx, collection, id, false)))
}

/// `POST {path}`: answers the operation's success status, with `Location`: the document's
/// (`201` for most collections, `200` for `POST /incidents`), or the one ilert's clients expect
/// where [`reconcile::STATUS_OVERRIDES`] lists it.
pub fn create(cx: &mut Cx<'_>, collection: &Collection) -> Result<Reply, ResourceError> {
    let owner = parent(cx, collection)?;
    let body = cx.body_object();
    let mut entity = collection.model.create(cx, body)?;
    relations::check(&cx.view(), collection, &entity)?;
    let id = cx.state.resources_mut().next_id();
    entity.insert("id".to_owned(), Value::from(id));
    cx.state
        .resources_mut()
        .insert(cx.tenant, collection.name, id, owner, entity);
    let location = format!("/api{}/{id}", fill(collection.path, cx));
    let mut reply = Reply::created(render(cx, collection, id, false), location);
    reply.status = cx.op.answered_status();
    Ok(reply)
}

/// `PUT {path}/{id}`.
pub fn update(cx: &mut Cx<'_>, collection: &Collection) -> Result<Reply, ResourceError> {
    let (id, stored) = find(cx, collection)?;
    let (old, owner) = (stored.body.clone(), stored.parent);
    let body = cx.body_object();
    let entity = collection.model.update(cx, &old, body)?;
    relations::check(&cx.view(), collection, &entity)?;
    cx.state
        .resources_mut()
        .insert(cx.tenant, collection.name, id, owner, entity);
    Ok(Reply::ok(render(cx, collection, id, false)))
}

/// `DELETE {path}/{id}`.
pub fn delete(cx: &mut Cx<'_>, collection: &Collection) -> Result<Reply, ResourceError> {
    let (id, _) = find(cx, collection)?;
    relations::release(cx.state, cx.tenant, Target::Collection(collection.name), id)?;
    cx.state.resources_mut().remove(cx.tenant, collection.name, id);
    Ok(Reply::empty(204))
}
