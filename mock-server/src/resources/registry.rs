//! Every resource group the mock serves, and which of them answers each operation of the
//! document. An operation no group answers is pending: the HTTP layer answers it with 404 after
//! the scope check.

use std::sync::LazyLock;

use super::catalogue::{Operation, catalogue, template_params};
use super::crud;
use super::error::ResourceError;
use super::group::{Action, Collection, Cx, Group, Reply, Run};
use super::groups;
use super::reconcile;

/// The groups, in the document's order.
pub const GROUPS: &[&Group] = &[
    &groups::users::GROUP,
    &groups::escalation_policies::GROUP,
    &groups::alert_sources::GROUP,
    &groups::alerts::GROUP,
    &groups::incident_templates::GROUP,
    &groups::services::GROUP,
    &groups::incidents::GROUP,
    &groups::status_pages::GROUP,
    &groups::service_outages::GROUP,
    &groups::heartbeat_monitors::GROUP,
    &groups::alert_actions::GROUP,
    &groups::connectors::GROUP,
    &groups::reports::GROUP,
    &groups::metrics::GROUP,
    &groups::metric_data_sources::GROUP,
    &groups::deployment_pipelines::GROUP,
    &groups::series::GROUP,
    &groups::event_flows::GROUP,
    &groups::call_flows::GROUP,
    &groups::call_flow_numbers::GROUP,
    &groups::teams::GROUP,
    &groups::schedules::GROUP,
    &groups::on_calls::GROUP,
    &groups::support_hours::GROUP,
    &groups::maintenance_windows::GROUP,
];

/// Operations authenticated by an integration key in the body or path, not a bearer token.
pub const INTEGRATION_KEY_PATHS: &[&str] = &["/events", "/series/{key}", "/deployment-events"];

/// Operations the document marks public (`security: []`): answered without a token, the same
/// for every tenant.
pub const PUBLIC_PATHS: &[&str] = &["/numbers", "/integrations"];

/// Whether an operation of the document goes without a bearer token.
pub fn without_bearer(path: &str) -> bool {
    INTEGRATION_KEY_PATHS.contains(&path) || PUBLIC_PATHS.contains(&path)
}

/// Every collection of every group.
pub fn collections() -> impl Iterator<Item = &'static Collection> {
    GROUPS.iter().flat_map(|g| g.collections.iter())
}

/// Every collection by its store name, the first where two share one (as a scan finds it).
static BY_NAME: LazyLock<foldhash::HashMap<&'static str, &'static Collection>> = LazyLock::new(|| {
    let mut by_name = foldhash::HashMap::default();
    for c in collections() {
        by_name.entry(c.name).or_insert(c);
    }
    by_name
});

/// The collection with this store name.
pub fn collection(name: &str) -> Option<&'static Collection> {
    BY_NAME.get(name).copied()
}

/// How one operation is served.
#[derive(Debug, Clone, Copy)]
pub enum Route {
    /// `GET {path}`.
    List(&'static Collection),
    /// `POST {path}`.
    Create(&'static Collection),
    /// `GET {path}/{id}`.
    Get(&'static Collection),
    /// `PUT {path}/{id}`.
    Update(&'static Collection),
    /// `DELETE {path}/{id}`.
    Delete(&'static Collection),
    /// A group's own function.
    Action(&'static Action),
    /// `GET {path}/name/{name}`, a lookup ilert's clients call beyond the document: served as
    /// the entity's `GET {path}/{id}`.
    ByName(&'static Lookup),
    /// `POST {path}/search-target`, a contact search ilert's clients call beyond the document.
    ByTarget(&'static Collection),
}

/// A name lookup of [`reconcile::NAME_LOOKUPS`] as the HTTP layer serves it.
#[derive(Debug)]
pub struct Lookup {
    /// `GET {path}/name/{name}`: the `GET {path}/{id}` operation of the document with its last
    /// path parameter renamed `name`.
    pub op: Operation,
    /// The document's `GET {path}/{id}`.
    pub by_id: &'static Operation,
    /// Its route.
    pub inner: Route,
    /// The collection searched.
    pub collection: &'static Collection,
}

static LOOKUPS: LazyLock<Vec<Lookup>> = LazyLock::new(|| {
    reconcile::NAME_LOOKUPS
        .iter()
        .filter_map(|lookup| {
            let collection = collections().find(|c| c.path == lookup.path)?;
            let by_id = catalogue()
                .operations
                .iter()
                .find(|op| op.method == "GET" && is_item_path(collection, &op.path))?;
            let inner = route(by_id)?;
            let last = by_id.path_params().last().copied().unwrap_or("id").to_owned();
            let mut op = by_id.clone();
            op.path = format!("{}/name/{{name}}", collection.path);
            if let Some(param) = op
                .parameters
                .iter_mut()
                .rev()
                .find(|p| p.location == "path" && p.name == last)
            {
                param.name = "name".to_owned();
            }
            Some(Lookup {
                op,
                by_id,
                inner,
                collection,
            })
        })
        .collect()
});

/// The name lookups served (each collection of [`reconcile::NAME_LOOKUPS`] the mock has).
pub fn name_lookups() -> &'static [Lookup] {
    &LOOKUPS
}

static EXTRAS: LazyLock<Vec<(Operation, Route)>> = LazyLock::new(|| {
    let c = catalogue();
    let aliases = reconcile::ROUTE_ALIASES.iter().filter_map(|alias| {
        let like = c.operation(alias.like, alias.path)?;
        let mut op = like.clone();
        op.method = alias.method.to_owned();
        Some((op, route(like)?))
    });
    let searches = reconcile::TARGET_SEARCHES.iter().filter_map(|search| {
        let collection = collections().find(|c| c.path == search.path)?;
        let mut op = c.operation("POST", search.path)?.clone();
        op.path = format!("{}/search-target", search.path);
        op.responses = [("200".to_owned(), None)].into_iter().collect();
        // ilert-go sends `regionCode: ""` when searching by number alone
        // (user_phone_number_contact.go:168): a search checks only the types.
        op.body = Some(
            serde_json::json!({"type": "object", "required": ["target"], "properties": {
                "target": {"type": "string"}, "regionCode": {"type": "string"}
            }}),
        );
        Some((op, Route::ByTarget(collection)))
    });
    aliases.chain(searches).collect()
});

/// The operations ilert's clients call beyond the document besides the name lookups:
/// [`reconcile::ROUTE_ALIASES`] and [`reconcile::TARGET_SEARCHES`], each with its route.
pub fn extras() -> &'static [(Operation, Route)] {
    &EXTRAS
}

/// Whether `path` is `{collection}/{one parameter}`.
fn is_item_path(collection: &Collection, path: &str) -> bool {
    path.strip_prefix(collection.path)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| !rest.contains('/') && template_params(rest).len() == 1)
}

/// The route of an operation, or `None` while no group serves it.
pub fn route(op: &Operation) -> Option<Route> {
    let actions = GROUPS.iter().flat_map(|g| g.actions.iter());
    if let Some(action) = actions
        .into_iter()
        .find(|a| a.method == op.method && a.path == op.path)
    {
        return Some(Route::Action(action));
    }
    collections().find_map(|c| match op.method.as_str() {
        "GET" if op.path == c.path => Some(Route::List(c)),
        "POST" if op.path == c.path => Some(Route::Create(c)),
        "GET" if is_item_path(c, &op.path) => Some(Route::Get(c)),
        "PUT" if is_item_path(c, &op.path) => Some(Route::Update(c)),
        "DELETE" if is_item_path(c, &op.path) => Some(Route::Delete(c)),
        _ => None,
    })
}

/// Serves a routed operation with the state locked.
pub fn dispatch(cx: &mut Cx<'_>, route: Route) -> Result<Reply, ResourceError> {
    match route {
        Route::List(c) => crud::list(cx, c),
        Route::Create(c) => crud::create(cx, c),
        Route::Get(c) => crud::get(cx, c),
        Route::Update(c) => crud::update(cx, c),
        Route::Delete(c) => crud::delete(cx, c),
        Route::ByName(lookup) => {
            let id = crud::find_by_name(cx, lookup.collection)?;
            // The entity is then read as `GET {path}/{id}` reads it.
            let name = lookup.by_id.path_params().last().copied().unwrap_or("id");
            if let Some(last) = cx.path.last_mut() {
                *last = (name.to_owned(), id.to_string());
            }
            cx.op = lookup.by_id;
            dispatch(cx, lookup.inner)
        }
        Route::ByTarget(collection) => {
            let id = crud::find_by_target(cx, collection)?;
            Ok(Reply::ok(crud::render(cx, collection, id, false)))
        }
        Route::Action(action) => match action.run {
            Run::State(run) => run(cx),
            Run::Caller(run) => Ok(run(cx.caller)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::catalogue::catalogue;

    #[test]
    fn collections_and_actions_name_real_operations() {
        let c = catalogue();
        for group in GROUPS {
            for action in group.actions {
                assert!(
                    c.operation(action.method, action.path).is_some(),
                    "{action:?} is not in the document"
                );
            }
            for collection in group.collections {
                assert!(
                    c.operations.iter().any(|op| op.path == collection.path),
                    "{collection:?} is not in the document"
                );
                assert!(c.schema(collection.schema).is_some(), "{}", collection.schema);
            }
        }
    }

    #[test]
    fn a_collection_is_found_by_name_as_a_scan_finds_it() {
        for c in collections() {
            let scanned = collections().find(|other| other.name == c.name);
            assert!(
                scanned.is_some_and(|s| collection(c.name).is_some_and(|found| std::ptr::eq(found, s))),
                "{}",
                c.name
            );
        }
        assert!(collection("no-such-collection").is_none());
    }

    #[test]
    fn every_bearer_path_of_the_document_has_a_scope() {
        for op in &catalogue().operations {
            let path = crate::paths::under_api(&op.path);
            let scope = crate::protocol::scope::requirement(&op.method, &path);
            if without_bearer(&op.path) {
                continue;
            }
            assert!(scope.is_some(), "{} has no scope", op.name());
        }
        let scope = |p: &str| crate::protocol::scope::requirement("GET", p).map(|r| r.scope.name);
        assert_eq!(scope("/api/heartbeat-monitors/1"), Some("monitor"));
        assert_eq!(scope("/api/service-outages/overrides"), Some("service"));
        assert_eq!(scope("/api/call-flow-numbers"), Some("source"));
        assert_eq!(scope("/api/users/search-email"), Some("user"));
    }

    #[test]
    fn every_name_lookup_is_served() {
        assert_eq!(name_lookups().len(), reconcile::NAME_LOOKUPS.len());
        let groups = name_lookups()
            .iter()
            .find(|l| l.collection.path == "/status-pages/{id}/groups")
            .expect("status page groups");
        assert_eq!(groups.op.path, "/status-pages/{id}/groups/name/{name}");
        assert_eq!(groups.op.path_params(), ["id", "name"]);
        assert_eq!(groups.by_id.path, "/status-pages/{id}/groups/{group-id}");
        assert_eq!(
            extras().len(),
            reconcile::ROUTE_ALIASES.len() + reconcile::TARGET_SEARCHES.len()
        );
    }

    #[test]
    fn the_groups_folder_holds_the_registered_groups() {
        let mut modules: Vec<&str> = include_str!("groups/mod.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
            .collect();
        let mut registered: Vec<&str> = include_str!("registry.rs")
            .lines()
            .filter_map(|l| l.trim().strip_prefix("&groups::")?.strip_suffix("::GROUP,"))
            .collect();
        assert_eq!(registered.len(), GROUPS.len());
        modules.sort_unstable();
        registered.sort_unstable();
        assert_eq!(modules, registered);
    }

    #[test]
    fn crud_paths_route_to_their_collection() {
        let c = catalogue();
        let op = c.operation("DELETE", "/alert-sources/{id}").expect("op");
        assert!(matches!(route(op), Some(Route::Delete(c)) if c.name == "alert-sources"));
        let op = c
            .operation("PUT", "/escalation-policies/{id}/levels/{level}")
            .expect("op");
        assert!(matches!(route(op), Some(Route::Action(_))));
    }
}
