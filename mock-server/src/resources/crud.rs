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
use super::store::{Entry, IdSet, Stored};
use super::support::names;
use super::time::parse;
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
    matching(&cx.view(), collection, owner, &[])
        .find(|(_, e)| e.stored().body.get("name").and_then(Value::as_str) == Some(name))
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
    matching(&cx.view(), collection, owner, &[])
        .find(|(_, e)| {
            let s = e.stored();
            s.body.get("target").and_then(Value::as_str) == Some(target)
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
type Split<'s, 'f> = (Vec<Vec<Cow<'s, IdSet>>>, Vec<&'f (&'f Filter, Vec<String>)>);

fn split<'s, 'f>(
    state: &'s dyn World,
    tenant: &str,
    name: &str,
    filters: &'f [(&'f Filter, Vec<String>)],
) -> Split<'s, 'f> {
    let store = state.resources();
    let (indexed, mut tested): (Vec<_>, Vec<_>) =
        filters.iter().partition(|(f, _)| store.has_key(name, f.param));
    let mut indexed: Vec<_> = indexed
        .into_iter()
        .map(|(f, values)| {
            values
                .iter()
                .flat_map(|v| index_values(state, f.param, v))
                .filter_map(|v| store.keyed(tenant, name, f.param, &v))
                .map(Cow::Borrowed)
                .collect::<Vec<_>>()
        })
        .collect();
    if let Some(ids) = reported_between(state, tenant, name, &tested) {
        tested.retain(|(f, _)| !REPORT_BOUNDS.contains(&f.param));
        indexed.push(vec![Cow::Owned(IdSet::from(ids))]);
    }
    (indexed, tested)
}

/// The filters that bound the report time: `from` (at or after the latest given) and `until`
/// (at or before the earliest given), as `alerts::FILTERS` tests them.
const REPORT_BOUNDS: [&str; 2] = ["from", "until"];

/// A range with more entities than this is left to the filters' tests: its ids are most of
/// the collection, so a page fills from the first candidates anyway, and collecting them all
/// would cost more than the page.
const RANGE_SET_BOUND: usize = 4_096;

/// The ids whose report time lies within the `from` and `until` filters given, from the
/// collection's `reported` index (none when it has none, neither filter was given, or the
/// range holds more than [`RANGE_SET_BOUND`]).
fn reported_between(
    state: &dyn World,
    tenant: &str,
    name: &str,
    tested: &[&(&Filter, Vec<String>)],
) -> Option<BTreeSet<i64>> {
    let store = state.resources();
    if !store.has_key(name, names::REPORTED) {
        return None;
    }
    let times = |param: &'static str| {
        tested
            .iter()
            .filter(move |(f, _)| f.param == param)
            .flat_map(|(_, values)| values.iter().filter_map(|v| parse(v)))
    };
    let given = |param: &str| tested.iter().any(|(f, _)| f.param == param);
    if !REPORT_BOUNDS.iter().any(|p| given(p)) {
        return None;
    }
    let low = times("from").max().unwrap_or(i64::MIN);
    let high = times("until").min().unwrap_or(i64::MAX);
    let (low, high) = (names::reported_key(low), names::reported_key(high));
    let mut ids = BTreeSet::new();
    for set in store.keyed_range(tenant, name, names::REPORTED, &low, &high) {
        ids.extend(set.iter().copied());
        if ids.len() > RANGE_SET_BOUND {
            return None;
        }
    }
    Some(ids)
}

/// The tenant's entities of `collection` under `owner` that pass `filters`, in id order, as the
/// store holds them. The owner's children and the indexed filters are candidate sets: the
/// smallest names the candidates, the others are answered by their indexes, and only the
/// filters without one look into an entity (parsing a packed one): a page costs
/// O(page × log n), and an alert's log entries are found among its own, not among every
/// alert's.
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
    if let Some(owner) = owner {
        groups.push(vec![Cow::Borrowed(store.child_set(tenant, name, owner))]);
    }
    let passes = move |(_, e): &(i64, Entry<'s>)| {
        e.parent() == owner
            && (tested.is_empty() || {
                let s = e.stored();
                tested.iter().all(|(f, values)| (f.test)(&view, &s.body, values))
            })
    };
    groups.sort_by_key(|sets| sets.iter().map(|s| s.len()).sum::<usize>());
    let mut groups = groups.into_iter();
    let Some(mut driver) = groups.next() else {
        return Box::new(store.entries(tenant, name).filter(passes));
    };
    let others: Vec<Vec<Cow<'s, IdSet>>> = groups.collect();
    let ids: Box<dyn Iterator<Item = i64> + 's> = match (driver.pop(), driver.is_empty()) {
        (None, _) => Box::new(std::iter::empty()),
        (Some(Cow::Borrowed(one)), true) => Box::new(one.iter().copied()),
        (Some(Cow::Owned(one)), true) => Box::new(one.into_iter()),
        (Some(last), false) => Box::new(
            driver
                .iter()
                .chain([&last])
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
                .map(IdSet::len)
                .sum()
        }
        _ => matching(view, collection, None, filters).count(),
    }
}

/// The most a page's text reserves after its first item, for the rest of the page (1 MiB).
const PAGE_AHEAD: usize = 1 << 20;

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
    // At most the page's size, and never more than the collection holds (an unpaged list's
    // page is unbounded).
    let most = max.min(view.state.resources().len(view.tenant, collection.name));
    let mut text = Vec::with_capacity(4096);
    text.push(b'[');
    let written: serde_json::Result<()> = page().enumerate().try_for_each(|(n, (_, entry))| {
        if n > 0 {
            text.push(b',');
        }
        let before = text.len();
        collection.model.write_listed(&view, entry, &mut text)?;
        if n == 0 {
            // The items of a page are alike in size: room for the rest of the page at the first
            // one's, so the text is not copied to a new buffer each time it outgrows one.
            let item = text.len() - before + 1;
            text.reserve(item.saturating_mul(most.saturating_sub(1)).min(PAGE_AHEAD));
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fixtures::Fixtures;
    use crate::resources::groups::alerts;
    use crate::resources::time::iso8601;
    use crate::state::MockState;

    const TENANT: &str = "someTenant";
    const BASE: i64 = 1_796_000_000;

    /// A state holding, besides the fixtures' alerts, `n` alerts whose report times repeat
    /// and run against their ids, one without a report time and one whose time does not parse.
    fn state_with_alerts(n: i64) -> MockState {
        let mut state = MockState::new(&Fixtures::embedded().expect("defaults"), Some(1));
        for i in 0..n {
            let id = 100_000 + i;
            let at = BASE + ((i * 7_919) % 997) * 60;
            put(
                &mut state,
                json!({"id": id, "status": "PENDING", "reportTime": iso8601(at),
                "alertSource": {"id": 3001}, "escalationPolicy": {"id": 1501}}),
            );
        }
        for (id, time) in [(200_000, None), (200_001, Some("yesterday"))] {
            let mut alert = json!({"id": id, "status": "PENDING"});
            if let Some(time) = time {
                alert["reportTime"] = json!(time);
            }
            put(&mut state, alert);
        }
        state
    }

    /// Stores `alert` (an object with its `id`) in the tenant's alerts.
    fn put(state: &mut MockState, alert: serde_json::Value) {
        let id = alert["id"].as_i64().expect("an id");
        let body = alert.as_object().cloned().expect("an object");
        state.resources_mut().insert(TENANT, alerts::NAME, id, None, body);
    }

    /// The alerts passing `query`'s filters: through [`matching`] (the index, where it
    /// answers) and by testing every alert.
    fn both(state: &MockState, query: &[(&str, String)]) -> (Vec<i64>, Vec<i64>, usize) {
        let collection = super::super::registry::collections()
            .find(|c| c.name == alerts::NAME)
            .expect("alerts");
        let filters: Vec<(&Filter, Vec<String>)> = collection
            .filters
            .iter()
            .map(|f| {
                let values = query
                    .iter()
                    .filter(|(k, _)| *k == f.param)
                    .map(|(_, v)| v.clone());
                (f, values.collect::<Vec<_>>())
            })
            .filter(|(_, values)| !values.is_empty())
            .collect();
        let view = View {
            state,
            tenant: TENANT,
            base: "http://127.0.0.1:4598",
            now: BASE,
            memo: None,
        };
        let indexed = matching(&view, collection, None, &filters)
            .map(|(id, _)| id)
            .collect();
        let scanned = state
            .resources()
            .iter(TENANT, alerts::NAME)
            .filter(|(_, s)| filters.iter().all(|(f, values)| (f.test)(&view, &s.body, values)))
            .map(|(id, _)| id)
            .collect();
        (indexed, scanned, count_matching(&view, collection, &filters))
    }

    /// `from` and `until` answered from the report-time index give what testing every alert
    /// gives: bounds included, the latest `from` and the earliest `until` when repeated, an
    /// empty range, ranges small enough for the index and too large for it, alongside an
    /// indexed filter, and alerts without a report time that parses (read as time 0).
    #[test]
    fn report_time_ranges_answer_what_the_filters_test() {
        let state = state_with_alerts(4_500);
        let at = |minutes: i64| iso8601(BASE + minutes * 60);
        let cases: Vec<Vec<(&str, String)>> = vec![
            vec![("from", at(10)), ("until", at(12))],
            vec![("from", at(10)), ("until", at(10))],
            vec![("from", at(0))],
            vec![("until", at(3))],
            vec![("until", at(-1))],
            vec![("from", at(990))],
            vec![("from", at(12)), ("until", at(10))],
            vec![
                ("from", at(5)),
                ("from", at(9)),
                ("until", at(30)),
                ("until", at(20)),
            ],
            vec![("from", at(100)), ("until", at(900))],
            vec![
                ("from", at(100)),
                ("until", at(900)),
                ("states", "PENDING".into()),
            ],
            vec![("from", at(10)), ("until", at(12)), ("sources", "3001".into())],
            vec![("from", at(10)), ("until", at(12)), ("sources", "3002".into())],
            vec![
                ("from", "1970-01-01T00:00:00Z".into()),
                ("until", "1970-01-01T00:00:00Z".into()),
            ],
        ];
        for query in &cases {
            let (indexed, scanned, count) = both(&state, query);
            assert_eq!(indexed, scanned, "{query:?}");
            assert_eq!(count, scanned.len(), "{query:?}");
        }
        let (small, _, _) = both(&state, &cases[0]);
        let (large, _, _) = both(&state, &cases[2]);
        assert!(
            !small.is_empty() && small.len() <= RANGE_SET_BOUND,
            "{}",
            small.len()
        );
        assert!(large.len() > RANGE_SET_BOUND, "{}", large.len());
    }

    /// An alert whose report time changes moves in the index.
    #[test]
    fn a_changed_report_time_is_filed_again() {
        let mut state = state_with_alerts(10);
        put(
            &mut state,
            json!({"id": 100_003, "status": "PENDING", "reportTime": iso8601(BASE - 86_400)}),
        );
        let query = [("from", iso8601(BASE - 86_400)), ("until", iso8601(BASE - 60))];
        let (indexed, scanned, _) = both(&state, &query);
        assert_eq!(indexed, vec![100_003]);
        assert_eq!(indexed, scanned);
    }
}
