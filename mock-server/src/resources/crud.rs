//! The generic operations every collection gets from its declaration: list (parent, filters,
//! paging with the operation's own `max-results` limits), get (by id or alternative key),
//! create (201, or the status ilert's clients expect, with `Location`), update (200) and delete (204, or 409
//! while referenced).

use serde_json::Value;

use super::catalogue::{Operation, template_params};
use super::error::ResourceError;
use std::collections::BTreeSet;

use super::group::{Collection, Cx, Filter, Reply, Target, View, World};
use super::relations;
use super::store::{Entry, Stored};
use std::borrow::Cow;

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
pub fn find<'s>(cx: &'s Cx<'_>, collection: &Collection) -> Result<(i64, Cow<'s, Stored>), ResourceError> {
    let owner = parent(cx, collection)?;
    let name = cx.op.path_params().last().copied().unwrap_or("id");
    let raw = cx.path_param(name).unwrap_or_default();
    let store = cx.state.resources();
    let found = match raw.parse::<i64>() {
        Ok(id) => store.get(cx.tenant, collection.name, id).map(|s| (id, s)),
        Err(_) => collection.alt_key.and_then(|key| {
            let keyed = store.find_keyed(collection.name, key, raw);
            if keyed.is_empty() && !store.has_global_key(collection.name, key) {
                store
                    .iter(cx.tenant, collection.name)
                    .find(|(_, s)| s.body.get(key).and_then(Value::as_str) == Some(raw))
            } else {
                keyed
                    .into_iter()
                    .find(|(tenant, _, _)| *tenant == cx.tenant)
                    .map(|(_, id, s)| (id, s))
            }
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

/// The request's list filters of `collection` that were given, with their values.
pub fn given_filters<'c>(cx: &Cx<'_>, filters: &'c [Filter]) -> Vec<(&'c Filter, Vec<String>)> {
    filters
        .iter()
        .map(|f| (f, cx.query_all(f.param)))
        .filter(|(_, values)| !values.is_empty())
        .collect()
}

/// The index value a filter's query value is filed under (`sources=03001` → `3001`; a
/// responder named by username → the user ids of that name).
fn index_values(state: &dyn World, param: &str, raw: &str) -> Vec<String> {
    match param {
        "sources" | "policies" => raw.parse::<i64>().map(|id| id.to_string()).into_iter().collect(),
        "responders" => {
            let mut out: Vec<String> = state
                .users()
                .iter()
                .filter(|u| u.username == raw)
                .map(|u| u.id.to_string())
                .collect();
            if let Ok(id) = raw.parse::<i64>() {
                out.push(id.to_string());
            }
            out
        }
        _ => vec![raw.to_owned()],
    }
}

/// The given filters split into those the store has an index of, each as the index sets its
/// values name (an entity passes the filter exactly when one of them holds its id; `index.rs`
/// files each key as its filter tests it, and [`index_values`] maps a query value to the keys
/// it names), and those without one, which look into the entity.
type Split<'s, 'f> = (Vec<Vec<&'s BTreeSet<i64>>>, Vec<&'f (&'f Filter, Vec<String>)>);

fn split<'s, 'f>(
    state: &'s dyn World,
    tenant: &str,
    name: &str,
    filters: &'f [(&'f Filter, Vec<String>)],
) -> Split<'s, 'f> {
    let store = state.resources();
    let (indexed, tested): (Vec<_>, Vec<_>) = filters.iter().partition(|(f, _)| store.has_key(name, f.param));
    let indexed = indexed
        .into_iter()
        .map(|(f, values)| {
            values
                .iter()
                .flat_map(|v| index_values(state, f.param, v))
                .filter_map(|v| store.keyed(tenant, name, f.param, &v))
                .collect::<Vec<_>>()
        })
        .collect();
    (indexed, tested)
}

/// The tenant's entities of `collection` under `owner` that pass `filters`, in id order, as the
/// store holds them. The most selective indexed filter names the candidates, the other indexed
/// filters are answered by their indexes, and only the filters without one look into an entity
/// (parsing a packed one): a filtered page costs O(page × log n).
pub fn matching<'s>(
    view: &View<'s>,
    collection: &Collection,
    owner: Option<i64>,
    filters: &'s [(&'s Filter, Vec<String>)],
) -> Box<dyn Iterator<Item = (i64, Entry<'s>)> + 's> {
    let store = view.state.resources();
    let tenant = view.tenant;
    let name = collection.name;
    let view = *view;
    let (mut groups, tested) = split(view.state, tenant, name, filters);
    let passes = move |(_, e): &(i64, Entry<'s>)| {
        e.parent() == owner
            && (tested.is_empty() || {
                let s = e.stored();
                tested.iter().all(|(f, values)| (f.test)(&view, &s.body, values))
            })
    };
    groups.sort_by_key(|sets| sets.iter().map(|s| s.len()).sum::<usize>());
    let mut groups = groups.into_iter();
    let Some(driver) = groups.next() else {
        return Box::new(store.entries(tenant, name).filter(passes));
    };
    let others: Vec<Vec<&BTreeSet<i64>>> = groups.collect();
    let ids: Box<dyn Iterator<Item = i64> + 's> = match driver.as_slice() {
        [] => Box::new(std::iter::empty()),
        [one] => Box::new(one.iter().copied()),
        many => Box::new(
            many.iter()
                .flat_map(|s| s.iter().copied())
                .collect::<BTreeSet<i64>>()
                .into_iter(),
        ),
    };
    Box::new(
        ids.filter(move |id| others.iter().all(|sets| sets.iter().any(|s| s.contains(id))))
            .filter_map(move |id| store.entry(tenant, name, id).map(|e| (id, e)))
            .filter(passes),
    )
}

/// How many of the tenant's entities of `collection` (top level) pass `filters`: the size of
/// an index entry when one disjoint indexed filter is all there is, else a count of matches.
pub fn count_matching(view: &View<'_>, collection: &Collection, filters: &[(&Filter, Vec<String>)]) -> usize {
    let store = view.state.resources();
    match filters {
        [] => store.len(view.tenant, collection.name),
        [(f, values)] if store.has_key(collection.name, f.param) && f.param != "responders" => {
            let mut seen: Vec<String> = values
                .iter()
                .flat_map(|v| index_values(view.state, f.param, v))
                .collect();
            seen.sort();
            seen.dedup();
            seen.iter()
                .filter_map(|v| store.keyed(view.tenant, collection.name, f.param, v))
                .map(BTreeSet::len)
                .sum()
        }
        _ => matching(view, collection, None, filters).count(),
    }
}

/// `GET {path}`.
pub fn list(cx: &mut Cx<'_>, collection: &Collection) -> Result<Reply, ResourceError> {
    let owner = parent(cx, collection)?;
    let (start, max) = paging(cx);
    let filters = given_filters(cx, collection.filters);
    let memo = super::group::Memo::default();
    let view = View {
        memo: Some(&memo),
        ..cx.view()
    };
    let page = || matching(&view, collection, owner, &filters).skip(start).take(max);
    // Written as text item by item: a page of 50 alerts would otherwise copy each alert, its
    // source and its policy into a value tree, only to serialise and drop it.
    let mut text = Vec::with_capacity(4096);
    text.push(b'[');
    let written = page().enumerate().try_for_each(|(n, (_, entry))| {
        if n > 0 {
            text.push(b',');
        }
        collection.model.write_listed(&view, entry, &mut text)
    });
    text.push(b']');
    match (written, String::from_utf8(text)) {
        (Ok(()), Ok(text)) => Ok(Reply::ok_text(text)),
        // `serde_json` writing values to memory does not fail; were it to, the page is rendered
        // as values instead.
        _ => Ok(Reply::ok(Value::Array(
            page()
                .map(|(_, entry)| collection.model.render(&view, &entry.stored().body, true))
                .collect(),
        ))),
    }
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
