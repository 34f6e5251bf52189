//! What a resource group module declares: its collections (schema, relations, list filters,
//! model hooks) and its special actions. The generic layer ([`super::crud`]) serves list, get,
//! create, update and delete of every collection from these declarations alone.

use serde_json::Value;

use super::catalogue::Operation;
use super::error::ResourceError;
pub use super::shared_texts::SharedTexts;
use super::shared_texts::{SharedText, Stamp};
use super::store::{Entity, EntityStore, Entry};
use crate::clock::UnixSeconds;
use crate::model::User;

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A collection of the store, by name.
    Collection(&'static str),
    /// The tenant's users (kept with the accounts, not in the store).
    Users,
}

impl Target {
    /// How the store's reference index names the target: the collection, or `None` for users.
    pub fn key(self) -> Option<&'static str> {
        match self {
            Target::Collection(name) => Some(name),
            Target::Users => None,
        }
    }
}

/// What deleting the referenced entity does to the entity holding the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDelete {
    /// The delete is refused with 409 while the reference exists.
    Restrict,
    /// The holder is deleted too.
    Cascade,
    /// The reference stays, pointing nowhere (rendered as `{"id": …}`).
    Keep,
    /// The array item holding the reference is taken out of the holder (a deleted user leaves
    /// the teams it was a member of); for references inside arrays.
    Pull,
}

/// A reference from one entity to another, as ilert's bodies write it: `{"id": …}`.
#[derive(Debug, Clone, Copy)]
pub struct Relation {
    /// Where the reference sits: `escalationPolicy`, or through arrays with `[]`:
    /// `escalationRules[].users[]` (each item a `{"id": …}`).
    pub field: &'static str,
    /// What it points at.
    pub target: Target,
    /// What deleting the target does.
    pub on_delete: OnDelete,
}

/// A list filter: a query parameter and the test an entity must pass for its values.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    /// The query parameter (repeatable: `states=PENDING&states=ACCEPTED`).
    pub param: &'static str,
    /// Whether the entity matches any of the given values (values already checked against the
    /// parameter's documented schema).
    pub test: fn(&View<'_>, &Entity, &[String]) -> bool,
}

/// How a collection's entities are made, changed and shown; every method has a default.
pub trait Model: Sync {
    /// The stored entity for a validated create body (fill defaults and server-made fields;
    /// the store sets `id`).
    fn create(&self, cx: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        let _ = cx;
        Ok(body)
    }

    /// The stored entity after a validated update body: by default the body replaces the
    /// entity, keeping `id` and `createdAt`.
    fn update(&self, cx: &mut Cx<'_>, old: &Entity, mut body: Entity) -> Result<Entity, ResourceError> {
        for key in ["id", "createdAt"] {
            if let Some(v) = old.get(key) {
                body.insert(key.to_owned(), v.clone());
            }
        }
        if old.contains_key("updatedAt") {
            body.insert("updatedAt".to_owned(), Value::from(super::time::iso8601(cx.now)));
        }
        Ok(body)
    }

    /// The entity as the API shows it (`list` in list answers); by default as stored, with its
    /// relations expanded by [`View::expand`].
    fn render(&self, _view: &View<'_>, entity: &Entity, list: bool) -> Value {
        let _ = list;
        Value::Object(entity.clone())
    }

    /// Writes the entity as a list answer shows it, as JSON text: by default [`Model::render`]'s
    /// value. A model whose items embed entities shared across a page (an alert's source and
    /// policy) writes those from the page's memo of rendered text ([`View::rendered_text`])
    /// rather than copying them into every item, and may copy fields of a packed entity's text
    /// as they are; the text must equal the default's.
    fn write_listed(&self, view: &View<'_>, entry: Entry<'_>, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(out, &self.render(view, &entry.stored().body, true))
    }
}

/// One collection of a group.
pub struct Collection {
    /// The store's name for it, also its fixture table (`[[resources.alerts]]`).
    pub name: &'static str,
    /// Its path template in the document (`/alert-sources`, `/users/{user-id}/contacts/emails`);
    /// entities are at `{path}/{id}`.
    pub path: &'static str,
    /// One entity in words, for messages (`alert source`).
    pub noun: &'static str,
    /// The document's schema of one entity as answered (checks fixtures).
    pub schema: &'static str,
    /// A second field that names an entity in the path besides its id (`integrationKey`).
    pub alt_key: Option<&'static str>,
    /// The owner of a nested collection (`/users/{user-id}/…` → [`Target::Users`]).
    pub parent: Option<Target>,
    /// References to other entities.
    pub relations: &'static [Relation],
    /// The documented list filters the mock applies.
    pub filters: &'static [Filter],
    /// How entities are made, changed and shown.
    pub model: &'static dyn Model,
}

impl std::fmt::Debug for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collection")
            .field("name", &self.name)
            .field("path", &self.path)
            .finish()
    }
}

impl Collection {
    /// A top-level collection without alternative key, relations or filters; the builders
    /// below add them (all `const`, for the `static` declarations of groups).
    pub const fn new(
        name: &'static str,
        path: &'static str,
        noun: &'static str,
        schema: &'static str,
        model: &'static dyn Model,
    ) -> Self {
        Self {
            name,
            path,
            noun,
            schema,
            alt_key: None,
            parent: None,
            relations: &[],
            filters: &[],
            model,
        }
    }

    /// The collection with these references to other entities.
    pub const fn relations(self, relations: &'static [Relation]) -> Self {
        Self { relations, ..self }
    }

    /// The collection with these documented list filters.
    pub const fn filters(self, filters: &'static [Filter]) -> Self {
        Self { filters, ..self }
    }

    /// The collection whose entities a second field names in the path besides their id
    /// (`integrationKey`).
    pub const fn alt_key(self, field: &'static str) -> Self {
        Self {
            alt_key: Some(field),
            ..self
        }
    }

    /// The collection nested under an entity of `parent`.
    pub const fn child_of(self, parent: Target) -> Self {
        Self {
            parent: Some(parent),
            ..self
        }
    }
}

/// What an action answers with.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body, if any.
    pub body: Option<Body>,
    /// A `Location` path under the base URL (`/api/alerts/7`), for 201s.
    pub location: Option<String>,
    /// Further response headers (`ETag`).
    pub headers: Vec<(String, String)>,
}

/// A reply's JSON body: a value, or JSON text written directly (a list page, whose items embed
/// entities shared across the page: see [`Model::write_listed`]).
#[derive(Debug, Clone)]
pub enum Body {
    /// A JSON value.
    Value(Value),
    /// JSON text, written by `serde_json` (valid by construction).
    Text(String),
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Value(a), Self::Value(b)) => a == b,
            (Self::Text(a), Self::Text(b)) => a == b,
            (Self::Value(v), Self::Text(t)) | (Self::Text(t), Self::Value(v)) => {
                serde_json::from_str::<Value>(t).is_ok_and(|parsed| parsed == *v)
            }
        }
    }
}

impl Reply {
    /// `200` with a body.
    pub fn ok(body: Value) -> Self {
        Self::with_status(200, body)
    }

    /// `status` with a body.
    pub fn with_status(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(Body::Value(body)),
            location: None,
            headers: Vec::new(),
        }
    }

    /// `200` with JSON text written by `serde_json`.
    pub fn ok_text(text: String) -> Self {
        Self {
            status: 200,
            body: Some(Body::Text(text)),
            location: None,
            headers: Vec::new(),
        }
    }

    /// The body as a value to change (a step after the action: optional fields, a breakage);
    /// text is read into a value first.
    pub fn value_mut(&mut self) -> Option<&mut Value> {
        if let Some(Body::Text(text)) = &self.body {
            // Written by `serde_json` from values, so it reads back into the same value.
            let value = serde_json::from_str(text).unwrap_or(Value::Null);
            self.body = Some(Body::Value(value));
        }
        match &mut self.body {
            Some(Body::Value(value)) => Some(value),
            _ => None,
        }
    }

    /// Replaces the body with `value`.
    pub fn set_value(&mut self, value: Value) {
        self.body = Some(Body::Value(value));
    }

    /// `201` with a body and its `Location`.
    pub fn created(body: Value, location: String) -> Self {
        Self {
            location: Some(location),
            ..Self::with_status(201, body)
        }
    }

    /// A status without a body (`204`, `202`).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            body: None,
            location: None,
            headers: Vec::new(),
        }
    }

    /// The reply with one more response header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// How an action runs.
#[derive(Clone, Copy)]
pub enum Run {
    /// With the store locked.
    State(fn(&mut Cx<'_>) -> Result<Reply, ResourceError>),
    /// From the authenticated caller alone, without taking the store's lock (hot paths such as
    /// `GET /users/current`).
    Caller(fn(&User) -> Reply),
}

/// A special operation of a group (`PUT /alerts/{id}/accept`), served by its own function.
#[derive(Clone, Copy)]
pub struct Action {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The document's path template.
    pub path: &'static str,
    /// What it does.
    pub run: Run,
}

impl Action {
    /// The action `method path` that `run` serves with the store locked.
    pub const fn state(
        method: &'static str,
        path: &'static str,
        run: fn(&mut Cx<'_>) -> Result<Reply, ResourceError>,
    ) -> Self {
        Self {
            method,
            path,
            run: Run::State(run),
        }
    }
}

impl Action {
    /// The action `method path` that `run` serves from the authenticated caller alone.
    pub const fn caller(method: &'static str, path: &'static str, run: fn(&User) -> Reply) -> Self {
        Self {
            method,
            path,
            run: Run::Caller(run),
        }
    }
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Action({} {})", self.method, self.path)
    }
}

/// A resource group: one module's declarations.
#[derive(Debug)]
pub struct Group {
    /// The document's group name (its tag), e.g. `Alert Sources`.
    #[allow(dead_code, reason = "names the group for readers of the registry")]
    pub name: &'static str,
    /// Its collections.
    pub collections: &'static [Collection],
    /// Its special operations.
    pub actions: &'static [Action],
}

/// What an operation works on: the resource store and the accounts, behind the server's one
/// lock. The server's state implements it; so does the scratch state that checks fixtures.
pub trait World {
    /// The resource store.
    fn resources(&self) -> &EntityStore;
    /// The resource store, to change.
    fn resources_mut(&mut self) -> &mut EntityStore;
    /// Every user of every tenant.
    fn users(&self) -> &[User];
    /// The users, to change; counted as a change to persist.
    fn users_mut(&mut self) -> &mut Vec<User>;
    /// `n` random bytes as lowercase hex (integration keys, alert keys).
    fn random_hex(&mut self, n: usize) -> String;
    /// The resource groups served.
    fn groups(&self) -> &'static [&'static Group];

    /// Rendered text shared across answers, and the directory's generation (what it is valid
    /// for, with the store's changes); `None`: every answer renders afresh.
    fn shared_texts(&self) -> Option<(&SharedTexts, u64)> {
        None
    }

    /// Why this user must stay as they are (the user `--auto-approve` or an app approves every
    /// authorization as), if so: the REST API keeps the mock's own invariants as the control
    /// surface does.
    fn protected_user(&self, _username: &str) -> Option<String> {
        None
    }

    /// The user with this id.
    fn user(&self, id: i64) -> Option<&User> {
        self.users().iter().find(|u| u.id == id)
    }

    /// The user with this username.
    fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users().iter().find(|u| u.username == username)
    }

    /// The collection of [`World::groups`] with this store name (the first, should two groups
    /// name one alike). A list page looks up its items' references' collections for every item,
    /// so a world answers from an index (the registry's) rather than a scan.
    fn collection(&self, name: &str) -> Option<&'static Collection>;
}

impl std::fmt::Debug for dyn World + '_ {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("World")
    }
}

/// What an operation authenticated by an integration key instead of a bearer token works on
/// (the Events API, series, deployment events, heartbeat pings).
#[derive(Debug)]
pub struct Keyed<'a> {
    /// The store and the accounts, locked.
    pub state: &'a mut dyn World,
    /// The externally visible base URL.
    pub base: &'a str,
    /// The mock clock's now.
    pub now: UnixSeconds,
    /// The request body as sent.
    pub body: &'a [u8],
    /// The integration key the URL names, if it names one.
    pub key: Option<&'a str>,
    /// The `{type}` segment of an `integrationUrl` (`/api/v1/events/{type}/{key}`), if the
    /// request came that way.
    pub kind: Option<&'a str>,
    /// Whether to read the body as ilert's document names it, not as ilert's clients send it
    /// (`Breakage::DocumentToTheLetter`).
    pub letter: bool,
}

/// Read access for rendering and filtering.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// The store and the accounts.
    pub state: &'a dyn World,
    /// The caller's tenant.
    pub tenant: &'a str,
    /// The externally visible base URL (`http://127.0.0.1:4598`).
    pub base: &'a str,
    /// The mock clock's now (who is on call, whether a maintenance window is open).
    pub now: UnixSeconds,
    /// Entities already rendered while answering this request (a list of 50 alerts of one
    /// source renders the source and its policy once, not 50 times); `None` renders afresh.
    pub memo: Option<&'a Memo>,
}

/// Rendered entities by collection and id, as values and as JSON text, kept for one answer
/// (nothing changes meanwhile: the state is locked). Keyed by the mock's own ids and static
/// names, so hashed with `foldhash` rather than SipHash: a page of 50 alerts looks up each
/// item's source, policy and responders here.
#[derive(Debug, Default)]
pub struct Memo {
    values: std::cell::RefCell<foldhash::HashMap<(&'static str, i64), Value>>,
    texts: std::cell::RefCell<foldhash::HashMap<(&'static str, i64), SharedText>>,
    /// Users as a reference shows them (`UserRel`), by id; `None`: not the tenant's.
    users: std::cell::RefCell<foldhash::HashMap<i64, Option<SharedText>>>,
}

impl View<'_> {
    /// The tenant's entity `id` of collection `name` as a single answer shows it, or `{"id": …}`
    /// when it is gone (a reference that outlived its target).
    pub fn rendered(&self, name: &str, id: i64) -> Value {
        let Some(c) = self.state.collection(name) else {
            return serde_json::json!({"id": id});
        };
        if let Some(hit) = self
            .memo
            .and_then(|m| m.values.borrow().get(&(c.name, id)).cloned())
        {
            return hit;
        }
        let rendered = match self.state.resources().get(self.tenant, c.name, id) {
            Some(s) => c.model.render(self, &s.body, false),
            None => serde_json::json!({"id": id}),
        };
        if let Some(memo) = self.memo {
            memo.values.borrow_mut().insert((c.name, id), rendered.clone());
        }
        rendered
    }

    /// User `id` as `rel` shows a reference to them, as JSON text, written once per answer
    /// (`None` when `rel` shows none).
    pub fn user_text(
        &self,
        id: i64,
        rel: impl FnOnce(i64) -> Option<Value>,
    ) -> serde_json::Result<Option<SharedText>> {
        if let Some(hit) = self.memo.and_then(|m| m.users.borrow().get(&id).cloned()) {
            return Ok(hit);
        }
        let text = rel(id)
            .map(|v| serde_json::value::to_raw_value(&v).map(SharedText::from))
            .transpose()?;
        if let Some(memo) = self.memo {
            memo.users.borrow_mut().insert(id, text.clone());
        }
        Ok(text)
    }

    /// [`View::rendered`] as JSON text, written once per answer and shared by every item of a
    /// page that embeds it; kept across answers in the state's [`SharedTexts`] while nothing it
    /// may depend on changes.
    pub fn rendered_text(&self, name: &str, id: i64) -> serde_json::Result<SharedText> {
        let key = self.state.collection(name).map(|c| (c.name, id));
        if let Some(hit) = key.and_then(|key| self.memo?.texts.borrow().get(&key).cloned()) {
            return Ok(hit);
        }
        let shared = self
            .state
            .shared_texts()
            .zip(key)
            .map(|((texts, directory), (name, id))| {
                let stamp = Stamp {
                    store: self.state.resources().version(),
                    directory,
                    now: self.now,
                    base: self.base.to_owned(),
                };
                (texts, stamp, (self.tenant.to_owned(), name, id))
            });
        let text = match shared
            .as_ref()
            .and_then(|(texts, stamp, key)| texts.get(stamp, key))
        {
            Some(hit) => hit,
            None => {
                // Written from the memo's value where the answer rendered it already (not a copy).
                let held = key.and_then(|key| {
                    self.memo?
                        .values
                        .borrow()
                        .get(&key)
                        .map(serde_json::value::to_raw_value)
                });
                let raw: Box<serde_json::value::RawValue> = match held {
                    Some(raw) => raw?,
                    None => serde_json::value::to_raw_value(&self.rendered(name, id))?,
                };
                let text = SharedText::from(raw);
                if let Some((texts, stamp, key)) = shared {
                    texts.put(stamp, key, text.clone());
                }
                text
            }
        };
        if let (Some(memo), Some(key)) = (self.memo, key) {
            memo.texts.borrow_mut().insert(key, text.clone());
        }
        Ok(text)
    }
}

/// Everything an operation may use: the locked state, who calls, when, and what was sent.
#[derive(Debug)]
pub struct Cx<'a> {
    /// The store and the accounts, locked.
    pub state: &'a mut dyn World,
    /// The caller's tenant.
    pub tenant: &'a str,
    /// The caller.
    pub caller: &'a User,
    /// The mock clock's now.
    pub now: UnixSeconds,
    /// The externally visible base URL.
    pub base: &'a str,
    /// The operation being served.
    pub op: &'static Operation,
    /// Path parameters by the document's names, in order.
    pub path: Vec<(String, String)>,
    /// Query parameters, in order (repeats kept), checked against the document.
    pub query: Vec<(String, String)>,
    /// The request headers the operation documents as parameters (`If-Match`), names in
    /// lowercase.
    pub headers: Vec<(String, String)>,
    /// The request body, checked against the document's schema.
    pub body: Option<Value>,
    /// The bounds on one request's work ([`crate::Bounds`]: layers per schedule, shifts per
    /// answer).
    pub bounds: crate::Bounds,
}

impl Cx<'_> {
    /// Read access to the state.
    pub fn view(&self) -> View<'_> {
        View {
            state: self.state,
            tenant: self.tenant,
            base: self.base,
            now: self.now,
            memo: None,
        }
    }

    /// The last path parameter called `name`.
    pub fn path_param(&self, name: &str) -> Option<&str> {
        self.path
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The numeric path parameter `name` (404 naming `noun` when it is not a number).
    pub fn path_id(&self, name: &str, noun: &str) -> Result<i64, ResourceError> {
        let raw = self.path_param(name).unwrap_or_default();
        raw.parse().map_err(|_| ResourceError::not_found(noun, raw))
    }

    /// Every value of query parameter `name`.
    pub fn query_all(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The first value of query parameter `name`.
    pub fn query_one(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of request header `name` (documented by the operation), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as an object (the schema check has run; a missing body is an empty object).
    pub fn body_object(&self) -> Entity {
        self.body
            .as_ref()
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }
}

impl Group {
    /// A group of `collections` and `actions` under the document's group name.
    pub const fn new(
        name: &'static str,
        collections: &'static [Collection],
        actions: &'static [Action],
    ) -> Self {
        Self {
            name,
            collections,
            actions,
        }
    }
}

impl Relation {
    /// A reference at `field` to `target`, and what deleting the target does.
    pub const fn new(field: &'static str, target: Target, on_delete: OnDelete) -> Self {
        Self {
            field,
            target,
            on_delete,
        }
    }
}
