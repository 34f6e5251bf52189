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
//!   (path, schema, relations, filters, a [`group::Model`], usually one of the [`kinds`]) and its
//!   special actions (`PUT /alerts/{id}/accept`). [`registry`] lists the groups and routes each
//!   document operation to a generic operation or an action (every operation of the document
//!   is served; the walk test fails on one that is not). What several groups share lives in
//!   [`support`]; the groups without collections that the HTTP layer routes itself (the Events
//!   API, the public lists) in [`open`].
//!
//! Resources never import the server's state: an operation works on a [`group::World`] (the
//! store, the accounts, randomness, the registered groups), which the state implements.
//!
//! The HTTP layer (`http::api`) only authenticates, checks scopes, parses and renders; it routes
//! every operation of the catalogue through the same handler.
//!
//! # Adding a group
//! 1. `groups/<group>.rs` (or `groups/<group>/mod.rs`): `pub static GROUP: Group =
//!    Group::new(name, collections, actions)` with the document's group name (its tag).
//!    - Each collection: `Collection::new(name, path, noun, schema, &MODEL)` — `name` the store's
//!      and the fixtures' name (`alert-sources`), `path` as the document writes it, `schema` the
//!      document's schema of one answered entity — then, as needed, `.child_of(target)` for a
//!      nested path (`/users/{user-id}/…`), `.alt_key(field)` for a second key in the path,
//!      `.relations(&[Relation::new(field, target, OnDelete::…)])` and `.filters(&[Filter {..}])`
//!      for the documented list parameters.
//!    - The model: one of [`kinds`] — `Plain` (store the body as sent), `Written { write, show }`
//!      (or `Written::shown(show)`), `WithKey` for entities with an integration key. Write an
//!      `impl Model` only where none fits, with one comment line saying why.
//!    - Each operation that is not plain CRUD: `Action::state(method, path, f)` (or
//!      `Action::caller` for one answered from the caller alone).
//!    - Shared helpers (names of other collections, field conventions, `include`) come from
//!      [`support`]; a group module holds the group's own code only.
//! 2. `groups/mod.rs`: `pub mod <group>;`, and [`registry::GROUPS`]: `&groups::<group>::GROUP`
//!    (a registry test holds the two lists equal).
//! 3. `fixtures/default.toml`: at least two related `[[resources.<name>]]` seeds, in the API's
//!    field names with `id`, `tenant` (and `parent` for a nested collection); they are checked
//!    against the schema and the relations when the fixtures load.
//! 4. `mock-server/tests/openapi/walk.rs`: a body in `CREATE_BODIES` for each collection with
//!    POST and a call in `ACTIONS` for each action (the walk fails on a served operation it
//!    never called).

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
pub mod shared_texts;
pub mod store;
pub mod support;
pub mod time;
pub mod usage;
pub mod validate;

pub use error::ResourceError;
pub use store::EntityStore;
