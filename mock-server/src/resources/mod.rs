//! ilert's REST API as state: one generic resource layer, and one small declarative module per
//! resource group.
//!
//! # Design
//! - **Facts from the document.** [`catalogue`] embeds `ilert-openapi.json`, derived from ilert's
//!   OpenAPI document by the `openapi` test (which fails when they drift apart): every operation
//!   with its path template, method, group, parameters and schemas, and every component schema —
//!   types, enums, required fields, bounds; no prose. Requests are checked against it before an
//!   operation runs ([`request`], [`validate`]): a bad query parameter or body is a 400 naming the
//!   field and, for enums, the allowed values.
//! - **One store.** [`store::EntityStore`] keeps every collection of every tenant as JSON entities in
//!   the API's own field names, ordered by id, with one id counter. It lives in the state behind
//!   the one lock, so `--state-file`, `/_mock/reset` and fixtures ([`seed`]) cover every group.
//! - **Generic operations.** [`crud`] serves list (owner, filters, paging with each operation's
//!   own `max-results` limits), get, create (201 + `Location`), update and delete (409 while a
//!   restricting reference holds, cascades otherwise) for any declared collection; [`relations`]
//!   checks, follows and expands `{"id": …}` references.
//! - **Groups declare.** A module in [`groups`] declares a [`group::Group`]: its collections
//!   (path, schema, relations, filters, a [`kinds::Model`] for defaults and rendering) and its
//!   special actions (`PUT /alerts/{id}/accept`). [`registry`] lists the groups and routes each
//!   document operation to a generic operation or an action (every operation of the document
//!   is served; the walk test fails on one that is not).
//!
//! Resources never import the server's state: an operation works on a [`group::World`] (the
//! store, the accounts, randomness, the registered groups), which the state implements.
//!
//! The HTTP layer (`http::api`) only authenticates, checks scopes, parses and renders; it routes
//! every operation of the catalogue through the same handler.
//!
//! # Adding a group
//! 1. `groups/<group>.rs`: a `pub static GROUP: Group` naming the document's group, its
//!    collections (`path` as the document writes it, `schema` of one answered entity, `parent`
//!    for nested paths, `relations` with their [`group::OnDelete`], `filters` for documented list
//!    parameters, a [`kinds::Model`] when defaults or rendering differ from "store the body as
//!    sent") and an [`group::Action`] for each operation that is not plain CRUD.
//!    `Collection::new(name, path, noun, schema, &Model)` with `.relations(..)`, `.filters(..)`
//!    and `.child_of(..)`, and `Action::state(method, path, f)`, declare them in a line or two.
//! 2. `groups/mod.rs`: `pub mod <group>;` and [`registry::GROUPS`]: `&groups::<group>::GROUP`.
//! 3. `fixtures/default.toml`: at least two related `[[resources.<collection>]]` seeds.
//! 4. `mock-server/tests/openapi/walk.rs`: remove the group from `PENDING_GROUPS`, add a body to
//!    `CREATE_BODIES` for each collection with POST and a call to `ACTIONS` for each action.

pub mod budget;
pub mod catalogue;
pub mod crud;
pub mod error;
pub mod field_path;
pub mod formats;
pub mod group;
pub mod groups;
pub mod index;
pub mod kinds;
pub mod open;
pub mod reconcile;
pub mod registry;
pub mod relations;
pub mod request;
pub mod seed;
pub mod store;
pub mod support;
pub mod time;
pub mod usage;
pub mod validate;

pub use error::ResourceError;
pub use store::EntityStore;
