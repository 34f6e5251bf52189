//! The one CRUD table of the resource API: a row ([`Crud`]) declares a collection, and its cases
//! come from the same checks whatever the collection — list, get, create, update and delete, the
//! scope refusals (no scope: 403; a read-only token on `POST`: 403) and a body the document
//! refuses (400 in ilert's REST shape), each naming the OpenAPI operation it enforces.
//! [`crud_cases!`] turns a row into its cases; [`crud_case!`] makes one case of a row where a
//! group interleaves the table's cases with its own (the alert sources).
//!
//! Reads take the first listed entity, so they run against any server with a token. Cases that
//! write run against the mock only and remove what they made: the entity they create, and the
//! scratch service an entity needs (an incident's affected service, an override's service),
//! made quietly before. A collection without `DELETE` (incidents) is closed instead. They share
//! [`LANE`] with the suite's other REST writes, since the mock hands out ids from one counter and
//! the snapshots pin them. For the same reason a check asks for no token it does not need: on the
//! mock every grant draws from the random generator that also makes the integration keys later
//! cases send.

use reqwest::Method;
use serde_json::{Value, json};

use crate::case::{Area, Case, CaseResult, RunFn, Source, Stop, Tag, tags};
use crate::ctx::Cx;
use crate::jwt;
use crate::req::Resp;

/// The lane of the cases that read or change the default tenant's alert sources.
pub(crate) const ALERT_SOURCES_LANE: &str = "someTenant alert sources";

/// The lane of every case that changes REST resources (and of the reads they would disturb).
pub(crate) const LANE: &str = ALERT_SOURCES_LANE;

/// The services collection, which scratch services are made in.
pub(crate) const SERVICES: &str = "/api/services";

/// What a writing case made to work with; a row's bodies are made from it.
#[derive(Debug, Clone)]
pub(crate) struct Scratch {
    /// The token the case sends its entity with: of the row's write scope (delete access, and
    /// to services), or of its read scope where the case expects the create refused.
    pub(crate) token: String,
    /// The scratch service, when the collection's entities need one.
    pub(crate) service: Option<i64>,
    /// A name unique to the run and the case, for names and subdomains.
    pub(crate) name: String,
    /// What the case calls the entity it sends (`Conformance item`, `Before update`, `After
    /// update`, `To delete`, `Read only`), for rows whose names need not be unique.
    pub(crate) label: String,
}

impl Scratch {
    /// The same scratch, sending an entity called `label`.
    fn labelled(self, label: &str) -> Self {
        Self {
            label: label.to_owned(),
            ..self
        }
    }
}

/// A body made from what the case made.
pub(crate) type Body = fn(&Scratch) -> Value;

/// One collection: one row of the CRUD table.
#[derive(Debug)]
pub(crate) struct Crud {
    /// The collection's path (`/api/services`); entities are at `{path}/{id}`.
    pub(crate) path: &'static str,
    /// What one entity is called in names and messages (`service`, `item`).
    pub(crate) noun: &'static str,
    /// The scope of a token that reads (`service`, `monitor:r`): ilert's scope table, or the
    /// mock's choice for the paths the table omits.
    pub(crate) read: &'static str,
    /// The scope of a token that writes and cleans up (`team:d service:d`).
    pub(crate) write: &'static str,
    /// The status of a create: the document's, or where ilert's Go client expects another (it
    /// fails on any other status) the client's, as `mock-server/docs/reconciliation-resources.md`
    /// lists them.
    pub(crate) created: u16,
    /// Fields every answered entity has.
    pub(crate) fields: &'static [&'static str],
    /// A body that creates an entity (named after [`Scratch::name`] or [`Scratch::label`]).
    pub(crate) create: Body,
    /// A body that changes it, and the JSON pointers (`/status`) whose sent values the answer
    /// must then show.
    pub(crate) update: (Body, &'static [&'static str]),
    /// A body the document refuses, and the field a 400's message must name (if any).
    pub(crate) invalid: (Body, Option<&'static str>),
    /// What this row checks beyond the common cases.
    pub(crate) extras: Extras,
}

/// The optional parts of a [`Crud`] row: what a few collections need checked or made beyond
/// the common cases. [`Extras::NONE`] for the others.
#[derive(Debug)]
pub(crate) struct Extras {
    /// A check on every answered entity beyond its fields (typed ids, nested references).
    pub(crate) shape: Option<fn(&Value) -> bool>,
    /// On the mock, how many entities the fixtures list at least.
    pub(crate) listed: usize,
    /// Whether an entity needs a scratch service.
    pub(crate) needs_service: bool,
    /// JSON pointers whose sent values the created entity must show.
    pub(crate) echoed: &'static [&'static str],
    /// Whether a create answers `Location` of the new entity.
    pub(crate) location: bool,
    /// JSON pointers an update must keep (read before the `PUT`, which is recorded).
    pub(crate) kept: &'static [&'static str],
    /// Whether the update case reads the entity again and sees the new values.
    pub(crate) reread: bool,
    /// Without `DELETE`: the `PUT` body that closes an entity the suite is done with.
    pub(crate) close: Option<Body>,
}

impl Extras {
    /// Nothing beyond the common cases.
    pub(crate) const NONE: Self = Self {
        shape: None,
        listed: 0,
        needs_service: false,
        echoed: &[],
        location: false,
        kept: &[],
        reread: false,
        close: None,
    };
}

impl Crud {
    /// The path of the entity `id` (ids are numbers or, for some collections, strings).
    pub(crate) fn item(&self, id: &Value) -> String {
        format!("{}/{}", self.path, segment(id))
    }

    /// Whether `v` has every field of [`Crud::fields`] and the row's shape.
    pub(crate) fn complete(&self, v: &Value) -> bool {
        v.is_object()
            && self.fields.iter().all(|f| v.get(*f).is_some())
            && self.extras.shape.is_none_or(|shape| shape(v))
    }

    fn described(&self) -> String {
        format!("with the fields {:?}", self.fields)
    }

    /// The scope's name without its access level (`monitor` of `monitor:r`).
    fn scope_name(&self) -> &str {
        self.read.split(':').next().unwrap_or(self.read)
    }
}

/// The kinds of case a row gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// `GET {path}`: 200, an array of complete entities.
    List,
    /// `GET {path}/{id}` of the first listed entity: 200, that entity.
    Get,
    /// `POST {path}`: the row's status and the entity.
    Create,
    /// `PUT {path}/{id}`: 200 with the new values.
    Update,
    /// `DELETE {path}/{id}`: 204 with an empty body, then `GET` is 404.
    Delete,
    /// `GET {path}` with a token without the scope: 403.
    NoScope,
    /// `POST {path}` with a read-only token: 403, nothing created.
    ReadOnly,
    /// [`Check::NoScope`] and [`Check::ReadOnly`] as one case, for rows without a scratch
    /// service: the write token that removes what a wrongful create made is asked for only then.
    Scopes,
    /// `POST {path}` of a body the document refuses: 400.
    Invalid,
}

impl Check {
    /// What the case needs: the reads run against any server with a token.
    fn tags(self) -> &'static [Tag] {
        match self {
            Check::List | Check::Get | Check::NoScope => tags::TOKEN,
            _ => tags::WRITE,
        }
    }

    /// Runs the check on `row`.
    pub(crate) async fn run(self, cx: Cx, row: &'static Crud) -> CaseResult {
        match self {
            Check::List => list(&cx, row).await,
            Check::Get => get(&cx, row).await,
            Check::Create => create(&cx, row).await,
            Check::Update => update(&cx, row).await,
            Check::Delete => delete(&cx, row).await,
            Check::NoScope => no_scope(&cx, row).await,
            Check::ReadOnly => read_only(&cx, row).await,
            Check::Scopes => scopes(&cx, row).await,
            Check::Invalid => invalid(&cx, row).await,
        }
    }
}

/// One case of the table: the resource API's area, the check's needs, the REST lane.
pub(crate) fn case(check: Check, id: &'static str, title: &'static str, source: Source, run: RunFn) -> Case {
    Case::new(Area::Api, id, title, source, run)
        .tags(check.tags())
        .lane(LANE)
}

/// A row's cases, without `DELETE` where the row closes its entities instead.
pub(crate) fn cases(row: &Crud, made: impl IntoIterator<Item = (Check, Case)>) -> Vec<Case> {
    made.into_iter()
        .filter(|(check, _)| *check != Check::Delete || row.extras.close.is_none())
        .map(|(_, case)| case)
        .collect()
}

/// The body of a scratch service named after `name`.
pub(crate) fn scratch_body(name: &str) -> Value {
    json!({"name": format!("{name} service"), "description": "made by ilert-conformance"})
}

/// A scratch service, made quietly; its id.
pub(crate) async fn scratch_service(cx: &Cx, token: &str, name: &str) -> Result<i64, Stop> {
    made(cx, token, SERVICES, scratch_body(name), "a created service").await
}

/// `POST {path}` of `body`, quietly (what a case needs, not what it checks); the new entity's
/// id, or a failure that expected `what`.
pub(crate) async fn made(cx: &Cx, token: &str, path: &str, body: Value, what: &str) -> Result<i64, Stop> {
    let r = cx
        .request(Method::POST, path)
        .bearer(token)
        .json(body)
        .quiet()
        .send()
        .await?;
    r.json["id"]
        .as_i64()
        .filter(|_| (200..300).contains(&r.status))
        .ok_or_else(|| r.fail(what))
}

/// An id as a path segment: ilert writes some ids as strings (`"9201"`), most as numbers.
pub(crate) fn segment(id: &Value) -> String {
    id.as_str().map_or_else(|| id.to_string(), str::to_owned)
}

/// Makes an entity of `body` at `path` quietly (a failure expecting `what` if that fails), runs
/// `check` with its id, and removes the entity again whatever `check` answered; the id and what
/// `check` gave.
pub(crate) async fn around_made<T>(
    cx: &Cx,
    token: &str,
    (path, body, what): (&str, Value, &str),
    check: impl AsyncFnOnce(i64) -> Result<T, Stop>,
) -> Result<(i64, T), Stop> {
    let id = made(cx, token, path, body, what).await?;
    let outcome = check(id).await;
    remove(cx, token, &format!("{path}/{id}")).await;
    Ok((id, outcome?))
}

/// `POST {path}` of `body` (recorded); whatever it created is removed again, quietly. The
/// answer.
pub(crate) async fn posted(cx: &Cx, token: &str, path: &str, body: Value) -> Result<Resp, Stop> {
    let r = cx.api(Method::POST, path, token, Some(body)).await;
    let made = r
        .as_ref()
        .ok()
        .filter(|r| r.status < 300)
        .and_then(|r| r.json.get("id"));
    if let Some(id) = made {
        remove(cx, token, &format!("{path}/{}", segment(id))).await;
    }
    r
}

/// Runs a case's `steps`, then removes `path` (what the case made) quietly whatever they
/// answered; their outcome.
pub(crate) async fn then_remove(
    cx: &Cx,
    token: &str,
    path: &str,
    steps: impl Future<Output = CaseResult>,
) -> CaseResult {
    let outcome = steps.await;
    remove(cx, token, path).await;
    outcome
}

/// Removes `path` quietly (what a case made), ignoring the outcome.
pub(crate) async fn remove(cx: &Cx, token: &str, path: &str) {
    let _ = cx
        .request(Method::DELETE, path)
        .bearer(token)
        .quiet()
        .send()
        .await;
}

/// A token for the collection's writes, and the scratch service its entities need.
pub(crate) async fn scratch(cx: &Cx, row: &Crud) -> Result<Scratch, Stop> {
    let token = cx.access_token(row.write).await?;
    let name = unique_name(cx);
    let service = match row.extras.needs_service {
        true => Some(scratch_service(cx, &token, &name).await?),
        false => None,
    };
    let label = format!("Conformance {}", row.noun);
    Ok(Scratch {
        token,
        service,
        name,
        label,
    })
}

/// A name unique to the run and the case (names, subdomains).
pub(crate) fn unique_name(cx: &Cx) -> String {
    let tag = cx.sandbox().map_or("conformance", |s| s.tag.as_str());
    format!("{}-{tag}", cx.case_id().to_ascii_lowercase())
}

/// Removes the entity `id` (or closes it) and the scratch service, quietly.
pub(crate) async fn discard(cx: &Cx, row: &Crud, s: &Scratch, id: Option<&Value>) {
    if let Some(id) = id {
        match row.extras.close {
            Some(close) => {
                let _ = cx
                    .request(Method::PUT, &row.item(id))
                    .bearer(&s.token)
                    .json(close(s))
                    .quiet()
                    .send()
                    .await;
            }
            None => remove(cx, &s.token, &row.item(id)).await,
        }
    }
    if let Some(service) = s.service {
        remove(cx, &s.token, &format!("{SERVICES}/{service}")).await;
    }
}

/// Creates an entity quietly; its answer.
async fn make(cx: &Cx, row: &Crud, s: &Scratch) -> Result<Value, Stop> {
    let r = cx
        .request(Method::POST, row.path)
        .bearer(&s.token)
        .json((row.create)(s))
        .quiet()
        .send()
        .await?;
    if r.status != row.created || r.json.get("id").is_none() {
        discard(cx, row, s, None).await;
        return Err(r.fail(format!("{} with the created {}", row.created, row.noun)));
    }
    Ok(r.json)
}

/// Runs `check` on a fresh entity called `label`, then removes what the case made whatever the
/// outcome.
async fn with_entity(
    cx: &Cx,
    row: &Crud,
    label: &str,
    check: impl AsyncFnOnce(&Scratch, &Value) -> CaseResult,
) -> CaseResult {
    let s = scratch(cx, row).await?.labelled(label);
    let entity = make(cx, row, &s).await?;
    let outcome = check(&s, &entity).await;
    discard(cx, row, &s, entity.get("id")).await;
    outcome
}

/// Whether `answer` shows the value `sent` has at each of `pointers`.
fn shows(sent: &Value, answer: &Value, pointers: &[&str]) -> bool {
    pointers.iter().all(|p| answer.pointer(p) == sent.pointer(p))
}

/// The values `sent` has at `pointers`, for a message.
fn sent_values(sent: &Value, pointers: &[&str]) -> String {
    let values: Vec<String> = pointers
        .iter()
        .map(|p| format!("{p} {}", sent.pointer(p).unwrap_or(&Value::Null)))
        .collect();
    values.join(", ")
}

async fn list(cx: &Cx, row: &Crud) -> CaseResult {
    let token = cx.access_token(row.read).await?;
    let r = cx.api_get(row.path, &token).await?;
    r.status_is(200)?;
    let items = r.json.as_array();
    r.ensure(
        items.is_some_and(|l| l.iter().all(|e| row.complete(e))),
        format!("a JSON array, each {} {}", row.noun, row.described()),
    )?;
    let listed = row.extras.listed;
    if cx.has_control() && listed > 0 {
        r.ensure(
            items.is_some_and(|l| l.len() >= listed),
            format!("the fixtures' {listed} entities or more"),
        )?;
    }
    Ok(())
}

async fn get(cx: &Cx, row: &Crud) -> CaseResult {
    let token = cx.access_token(row.read).await?;
    let all = cx
        .request(Method::GET, row.path)
        .bearer(&token)
        .quiet()
        .send()
        .await?;
    let Some(first) = all.json.get(0).filter(|e| e.get("id").is_some()).cloned() else {
        return Err(Stop::skip(format!("needs an entity listed at {}", row.path)));
    };
    let id = &first["id"];
    let r = cx.api_get(&row.item(id), &token).await?;
    r.status_is(200)?;
    r.ensure(
        r.json["id"] == *id && r.json["name"] == first["name"] && row.complete(&r.json),
        format!("{} {id} as listed, {}", row.noun, row.described()),
    )?;
    Ok(())
}

async fn create(cx: &Cx, row: &Crud) -> CaseResult {
    let s = scratch(cx, row).await?;
    let body = (row.create)(&s);
    let r = cx.api(Method::POST, row.path, &s.token, Some(body.clone())).await;
    discard(cx, row, &s, r.as_ref().ok().and_then(|r| r.json.get("id"))).await;
    let r = r?;
    r.status_is(row.created)?;
    let echoed = row.extras.echoed;
    r.ensure(
        row.complete(&r.json) && shows(&body, &r.json, echoed),
        format!(
            "the created {} {} and {}",
            row.noun,
            row.described(),
            sent_values(&body, echoed)
        ),
    )?;
    if row.extras.location {
        let path = row.item(&r.json["id"]);
        let absolute = format!("{}{path}", cx.base());
        r.ensure(
            r.location().is_some_and(|l| l == absolute || l == path),
            format!("Location {absolute}"),
        )?;
    }
    Ok(())
}

async fn update(cx: &Cx, row: &Crud) -> CaseResult {
    let (body, changed) = row.update;
    let kept = row.extras.kept;
    with_entity(cx, row, "Before update", async |s, entity| {
        let path = row.item(&entity["id"]);
        let before = match kept.is_empty() {
            true => None,
            false => Some(cx.api_get(&path, &s.token).await?),
        };
        let sent = body(&s.clone().labelled("After update"));
        let r = cx.api(Method::PUT, &path, &s.token, Some(sent.clone())).await?;
        let read = match row.extras.reread {
            true => Some(cx.api_get(&path, &s.token).await?),
            false => None,
        };
        r.status_is(200)?;
        let unchanged = before.is_none_or(|b| shows(&b.json, &r.json, kept));
        r.ensure(
            shows(&sent, &r.json, changed) && unchanged && row.complete(&r.json),
            format!(
                "the {} with {}, {kept:?} unchanged, {}",
                row.noun,
                sent_values(&sent, changed),
                row.described()
            ),
        )?;
        if let Some(read) = read {
            read.ensure(
                read.status == 200 && shows(&sent, &read.json, changed),
                format!("GET answers {}", sent_values(&sent, changed)),
            )?;
        }
        Ok(())
    })
    .await
}

async fn delete(cx: &Cx, row: &Crud) -> CaseResult {
    with_entity(cx, row, "To delete", async |s, entity| {
        let path = row.item(&entity["id"]);
        let r = cx.api(Method::DELETE, &path, &s.token, None).await?;
        r.status_is(204)?;
        r.body_empty()?;
        cx.api_get(&path, &s.token).await?.rest_error(404)?;
        Ok(())
    })
    .await
}

/// Whether an access token was granted `scope` at any level.
fn granted(token: &str, scope: &str) -> bool {
    jwt::decode(token)
        .and_then(|d| d.claims["il_s"].as_str().map(str::to_owned))
        .unwrap_or_default()
        .split_whitespace()
        .any(|s| s.split(':').next() == Some(scope))
}

/// `GET {path}` with a token without `scope` (skipped where the supplied token has it): 403 in
/// the REST shape; the answer, for further checks.
pub(crate) async fn without_scope(cx: &Cx, path: &str, scope: &str) -> Result<Resp, Stop> {
    let token = cx.access_token("profile").await?;
    if granted(&token, scope) {
        return Err(Stop::skip(format!("the supplied token has the {scope} scope")));
    }
    let r = cx.api_get(path, &token).await?;
    r.rest_error(403)?;
    Ok(r)
}

async fn no_scope(cx: &Cx, row: &Crud) -> CaseResult {
    without_scope(cx, row.path, row.scope_name()).await.map(drop)
}

async fn read_only(cx: &Cx, row: &Crud) -> CaseResult {
    let s = scratch(cx, row).await?.labelled("Read only");
    let reader = cx.access_token(row.read).await?;
    refused_post(cx, row, &s, &reader, (row.create)(&s))
        .await?
        .rest_error(403)?;
    Ok(())
}

async fn scopes(cx: &Cx, row: &Crud) -> CaseResult {
    no_scope(cx, row).await?;
    let reader = cx.access_token(row.read).await?;
    let s = Scratch {
        token: reader,
        service: None,
        name: unique_name(cx),
        label: "Read only".to_owned(),
    };
    let r = cx
        .api(Method::POST, row.path, &s.token, Some((row.create)(&s)))
        .await?;
    if let Some(id) = r.json.get("id").filter(|_| r.status < 300) {
        discard(cx, row, &scratch(cx, row).await?, Some(id)).await;
    }
    r.rest_error(403)?;
    Ok(())
}

/// `POST {path}` of a body the server should refuse; whatever it made anyway is discarded
/// with the scratch service.
async fn refused_post(cx: &Cx, row: &Crud, s: &Scratch, token: &str, body: Value) -> Result<Resp, Stop> {
    let r = cx.api(Method::POST, row.path, token, Some(body)).await;
    let made = r
        .as_ref()
        .ok()
        .filter(|r| r.status < 300)
        .and_then(|r| r.json.get("id"));
    discard(cx, row, s, made).await;
    r
}

async fn invalid(cx: &Cx, row: &Crud) -> CaseResult {
    let (body, field) = row.invalid;
    let s = scratch(cx, row).await?;
    let r = refused_post(cx, row, &s, &s.token, body(&s)).await?;
    match field {
        Some(field) => {
            r.rest_error_naming(400, field, format!("a message that names the field '{field}'"))?;
        }
        None => {
            r.rest_error(400)?;
        }
    }
    Ok(())
}

/// One case of a row: `crud_case!(ROW, List, "API-…-01", "title", ilert("…"))`, for a group
/// whose own cases stand between the table's (the alert sources).
macro_rules! crud_case {
    ($row:path, $check:ident, $id:expr, $title:expr, $source:expr) => {
        $crate::cases::rest_crud::case(
            $crate::cases::rest_crud::Check::$check,
            $id,
            $title,
            $source,
            |cx| ::std::boxed::Box::pin($crate::cases::rest_crud::Check::$check.run(cx, &$row)),
        )
    };
}
pub(crate) use crud_case;

/// The cases of one row: the id's middle part (`"SERVICES"`) and the document's path
/// (`"/services"`, which the API serves under `/api`), as literals. Two wordings of the titles,
/// as the cases were first published:
/// - `crud_cases!(entities ROW, "SERVICES", "/services", "services")` (the entities in words):
///   list, get, create, update, the scope refusals as two cases, the 400, then delete;
/// - `crud_cases!(items ROW, "CONNECTORS", "/connectors")`: list, get, create, update, delete,
///   the scope refusals as one case, the 400.
///
/// A row that closes its entities instead ([`Extras::close`]) gets no delete case.
#[rustfmt::skip]
macro_rules! crud_cases {
    (entities $row:path, $id:literal, $path:literal, $what:literal) => {
        $crate::cases::rest_crud::crud_cases!(@cases $row, $id, $path, [
            List "LIST" "GET" "": "GET" [": 200, an array of ", $what, " with ilert's fields"],
            Get "GET" "GET" "/{id}": "GET" [": 200, the listed entity"],
            Create "CREATE" "POST" "": "POST" [": the create status ilert's clients expect and the new entity"],
            Update "UPDATE" "PUT" "/{id}": "PUT" [": 200 with the new values"],
            NoScope "SCOPE-403" "GET" "": "GET" [" without the scope: 403 in the REST shape"],
            ReadOnly "SCOPE-READ" "POST" "": "POST" [" with a read-only token: 403, nothing created"],
            Invalid "400" "POST" "": "POST" [" with a value outside its enum: 400 naming the field"],
            Delete "DELETE" "DELETE" "/{id}": "DELETE" [": 204 with an empty body, then GET is 404"],
        ])
    };
    (items $row:path, $id:literal, $path:literal) => {
        $crate::cases::rest_crud::crud_cases!(@cases $row, $id, $path, [
            List "LIST" "GET" "": "GET" [": 200, an array of the tenant's items, each with id and name"],
            Get "GET" "GET" "/{id}": "GET" [": 200, the listed item"],
            Create "CREATE" "POST" "": "POST" [": the documented status, the item with its id and the name sent"],
            Update "UPDATE" "PUT" "/{id}": "PUT" [": 200 with the new name, then GET answers it"],
            Delete "DELETE" "DELETE" "/{id}": "DELETE" [": 204 with no body, then GET is 404 in the REST shape"],
            Scopes "SCOPE" "POST" "": "GET" [" without the scope is 403; POST with the read-only scope is 403"],
            Invalid "400" "POST" "": "POST" [" with a body the document refuses: 400 in the REST shape"],
        ])
    };
    // Each case: its check, the id's last part, the OpenAPI operation's method and item suffix
    // (its source), then the title's method and the rest of the title after the path.
    (@cases $row:path, $id:literal, $path:literal, [$(
        $check:ident $kind:literal $method:literal $item:literal: $shown:literal [$($title:tt),*],
    )*]) => {
        $crate::cases::rest_crud::cases(&$row, [$(
            (
                $crate::cases::rest_crud::Check::$check,
                $crate::cases::rest_crud::crud_case!($row, $check,
                    concat!("API-", $id, "-", $kind, "-01"),
                    concat!($shown, " /api", $path, $item, $($title),*),
                    $crate::case::ilert(concat!("ilert-rest-api-openapi ", $method, " ", $path, $item))),
            ),
        )*])
    };
}
pub(crate) use crud_cases;
