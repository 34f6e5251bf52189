//! The cases any REST collection gets from a declaration ([`Spec`]): list, get, create, update
//! and delete, the scope refusals (no scope: 403; a read-only token on `POST`: 403) and a
//! validation error (400 in ilert's REST shape, naming the field), each naming the OpenAPI
//! operation it enforces. [`crud_cases!`](crate::crud_cases) declares the cases of one
//! collection; the functions here run them.
//!
//! Reads take the first listed entity, so they run against any server with a token. Cases that
//! write run against the mock only and remove what they made: the entity they create, and the
//! scratch service an entity needs (an incident's affected service, an override's service),
//! made quietly before. A collection without `DELETE` (incidents) is closed instead. They share
//! [`LANE`] with the suite's other REST writes, since the mock hands out ids from one counter and
//! the snapshots pin them.

use reqwest::Method;
use serde_json::{Value, json};

use super::api::ALERT_SOURCES_LANE;
use crate::case::{CaseResult, Stop};
use crate::ctx::Cx;
use crate::jwt;
use crate::req::Resp;

/// The lane of every case that changes REST resources (and of the reads they would disturb).
pub const LANE: &str = ALERT_SOURCES_LANE;

/// The services collection, which scratch services are made in.
pub const SERVICES: &str = "/api/services";

/// What a writing case made to work with.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// A token with delete access to the collection (and to services).
    pub token: String,
    /// The scratch service, when the collection's entities need one.
    pub service: Option<i64>,
    /// A name unique to the run and the case, for names and subdomains.
    pub name: String,
}

/// One collection, as its cases see it.
#[derive(Debug)]
pub struct Spec {
    /// The collection's path (`/api/services`); entities are at `{path}/{id}`.
    pub path: &'static str,
    /// Its scope (`service`).
    pub scope: &'static str,
    /// The status of a create: the document's, or where ilert's Go client expects another (it
    /// fails on any other status) the client's, as `mock-server/docs/reconciliation-resources.md`
    /// lists them.
    pub created: u16,
    /// Fields every answered entity has.
    pub fields: &'static [&'static str],
    /// Whether an entity needs a scratch service.
    pub needs_service: bool,
    /// A body that creates an entity.
    pub create: fn(&Scratch) -> Value,
    /// A body that changes it, and the field and value the answer must then show.
    pub update: (fn(&Scratch) -> Value, &'static str, &'static str),
    /// A body with a value outside its documented enum, and the field it is in.
    pub invalid: (fn(&Scratch) -> Value, &'static str),
    /// Without `DELETE`: the `PUT` body that closes an entity the suite is done with.
    pub close: Option<fn(&Scratch) -> Value>,
}

impl Spec {
    /// The path of the entity `id` (ids are numbers or, for some collections, strings).
    pub fn item(&self, id: &Value) -> String {
        let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
        format!("{}/{id}", self.path)
    }

    /// Whether `v` has every field of [`Spec::fields`].
    fn complete(&self, v: &Value) -> bool {
        v.is_object() && self.fields.iter().all(|f| v.get(*f).is_some())
    }

    fn described(&self) -> String {
        format!("with the fields {:?}", self.fields)
    }
}

/// A scratch service, made quietly; its id.
pub async fn scratch_service(cx: &Cx, token: &str, name: &str) -> Result<i64, Stop> {
    let body = json!({"name": format!("{name} service"), "description": "made by ilert-conformance"});
    made(cx, token, SERVICES, body, "a created service").await
}

/// `POST {path}` of `body`, quietly (what a case needs, not what it checks); the new entity's
/// id, or a failure that expected `what`.
pub async fn made(cx: &Cx, token: &str, path: &str, body: Value, what: &str) -> Result<i64, Stop> {
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

/// Removes `path` quietly (what a case made), ignoring the outcome.
pub async fn remove(cx: &Cx, token: &str, path: &str) {
    let _ = cx
        .request(Method::DELETE, path)
        .bearer(token)
        .quiet()
        .send()
        .await;
}

/// A token for the collection's writes, and the scratch service its entities need.
pub async fn scratch(cx: &Cx, spec: &Spec) -> Result<Scratch, Stop> {
    let scope = if spec.scope == "service" {
        "service:d".to_owned()
    } else {
        format!("{}:d service:d", spec.scope)
    };
    let token = cx.access_token(&scope).await?;
    let tag = cx.sandbox().map_or("conformance", |s| s.tag.as_str());
    let name = format!("{}-{tag}", cx.case_id().to_ascii_lowercase());
    let service = match spec.needs_service {
        true => Some(scratch_service(cx, &token, &name).await?),
        false => None,
    };
    Ok(Scratch { token, service, name })
}

/// Removes the entity `id` (or closes it) and the scratch service, quietly.
pub async fn discard(cx: &Cx, spec: &Spec, s: &Scratch, id: Option<&Value>) {
    if let Some(id) = id {
        match spec.close {
            Some(close) => {
                let _ = cx
                    .request(Method::PUT, &spec.item(id))
                    .bearer(&s.token)
                    .json(close(s))
                    .quiet()
                    .send()
                    .await;
            }
            None => remove(cx, &s.token, &spec.item(id)).await,
        }
    }
    if let Some(service) = s.service {
        remove(cx, &s.token, &format!("{SERVICES}/{service}")).await;
    }
}

/// Creates an entity quietly; its answer.
async fn make(cx: &Cx, spec: &Spec, s: &Scratch) -> Result<Value, Stop> {
    let r = cx
        .request(Method::POST, spec.path)
        .bearer(&s.token)
        .json((spec.create)(s))
        .quiet()
        .send()
        .await?;
    if r.status != spec.created || r.json.get("id").is_none() {
        discard(cx, spec, s, None).await;
        return Err(r.fail(format!("{} with the created entity", spec.created)));
    }
    Ok(r.json)
}

/// Runs `check` on a fresh entity, then removes what the case made whatever the outcome.
async fn with_entity(
    cx: &Cx,
    spec: &Spec,
    check: impl AsyncFnOnce(&Scratch, &Value) -> CaseResult,
) -> CaseResult {
    let s = scratch(cx, spec).await?;
    let entity = make(cx, spec, &s).await?;
    let outcome = check(&s, &entity).await;
    discard(cx, spec, &s, entity.get("id")).await;
    outcome
}

/// `GET {path}`: 200, an array of complete entities.
pub async fn list(cx: Cx, spec: &'static Spec) -> CaseResult {
    let token = cx.access_token(spec.scope).await?;
    let r = cx.api(Method::GET, spec.path, &token, None).await?;
    r.status_is(200)?;
    let ok = r
        .json
        .as_array()
        .is_some_and(|l| l.iter().all(|e| spec.complete(e)));
    r.ensure(ok, format!("a JSON array of entities {}", spec.described()))?;
    Ok(())
}

/// `GET {path}/{id}` of the first listed entity: 200, that entity.
pub async fn get(cx: Cx, spec: &'static Spec) -> CaseResult {
    let token = cx.access_token(spec.scope).await?;
    let all = cx
        .request(Method::GET, spec.path)
        .bearer(&token)
        .quiet()
        .send()
        .await?;
    let Some(id) = all.json.get(0).and_then(|e| e.get("id")).cloned() else {
        return Err(Stop::skip(format!("needs an entity listed at {}", spec.path)));
    };
    let r = cx.api(Method::GET, &spec.item(&id), &token, None).await?;
    r.status_is(200)?;
    r.ensure(
        r.json["id"] == id && spec.complete(&r.json),
        format!("entity {id} {}", spec.described()),
    )?;
    Ok(())
}

/// `POST {path}`: the documented status and the entity.
pub async fn create(cx: Cx, spec: &'static Spec) -> CaseResult {
    let s = scratch(&cx, spec).await?;
    let r = cx
        .api(Method::POST, spec.path, &s.token, Some((spec.create)(&s)))
        .await;
    discard(&cx, spec, &s, r.as_ref().ok().and_then(|r| r.json.get("id"))).await;
    let r = r?;
    r.status_is(spec.created)?;
    r.ensure(
        spec.complete(&r.json),
        format!("the created entity {}", spec.described()),
    )?;
    Ok(())
}

/// `PUT {path}/{id}`: 200 with the new value.
pub async fn update(cx: Cx, spec: &'static Spec) -> CaseResult {
    let (body, field, value) = spec.update;
    with_entity(&cx, spec, async |s, entity| {
        let r = cx
            .api(Method::PUT, &spec.item(&entity["id"]), &s.token, Some(body(s)))
            .await?;
        r.status_is(200)?;
        r.ensure(
            r.json[field] == value && spec.complete(&r.json),
            format!("the entity with {field} {value:?}, {}", spec.described()),
        )?;
        Ok(())
    })
    .await
}

/// `DELETE {path}/{id}`: 204 with an empty body, then `GET` is 404.
pub async fn delete(cx: Cx, spec: &'static Spec) -> CaseResult {
    with_entity(&cx, spec, async |s, entity| {
        let path = spec.item(&entity["id"]);
        let r = cx.api(Method::DELETE, &path, &s.token, None).await?;
        r.status_is(204)?;
        r.body_empty()?;
        cx.api(Method::GET, &path, &s.token, None)
            .await?
            .rest_error(404)?;
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

/// `GET {path}` with a token without the scope: 403.
pub async fn no_scope(cx: Cx, spec: &'static Spec) -> CaseResult {
    let token = cx.access_token("profile").await?;
    if granted(&token, spec.scope) {
        return Err(Stop::skip(format!(
            "the supplied token has the {} scope",
            spec.scope
        )));
    }
    cx.api(Method::GET, spec.path, &token, None)
        .await?
        .rest_error(403)?;
    Ok(())
}

/// `POST {path}` with a read-only (bare) scope: 403, nothing created.
pub async fn read_only(cx: Cx, spec: &'static Spec) -> CaseResult {
    let s = scratch(&cx, spec).await?;
    let reader = cx.access_token(spec.scope).await?;
    refused_post(&cx, spec, &s, &reader, (spec.create)(&s))
        .await?
        .rest_error(403)?;
    Ok(())
}

/// `POST {path}` of a body the server should refuse; whatever it made anyway is discarded
/// with the scratch service.
async fn refused_post(cx: &Cx, spec: &Spec, s: &Scratch, token: &str, body: Value) -> Result<Resp, Stop> {
    let r = cx.api(Method::POST, spec.path, token, Some(body)).await;
    let made = r
        .as_ref()
        .ok()
        .filter(|r| r.status < 300)
        .and_then(|r| r.json.get("id"));
    discard(cx, spec, s, made).await;
    r
}

/// `POST {path}` with a value outside its documented enum: 400 naming the field.
pub async fn invalid(cx: Cx, spec: &'static Spec) -> CaseResult {
    let (body, field) = spec.invalid;
    let s = scratch(&cx, spec).await?;
    let r = refused_post(&cx, spec, &s, &s.token, body(&s)).await?;
    r.rest_error(400)?;
    r.ensure(
        r.json["message"].as_str().is_some_and(|m| m.contains(field)),
        format!("a message that names the field '{field}'"),
    )?;
    Ok(())
}

/// The cases of one collection: `crud_cases!(SPEC, "SERVICES", "/services", "services")` (the
/// id's middle part, the document's path, which the API serves under `/api`, and the entities in
/// words, as literals); with `delete` first, the `DELETE` case too.
#[macro_export]
macro_rules! crud_cases {
    (delete $spec:path, $id:literal, $path:literal, $what:literal) => {{
        let mut cases = $crate::crud_cases!($spec, $id, $path, $what);
        cases.push($crate::crud_cases!(@case $spec, delete, concat!("API-", $id, "-DELETE-01"),
            concat!("DELETE /api", $path, "/{id}: 204 with an empty body, then GET is 404"),
            concat!("DELETE ", $path, "/{id}")));
        cases
    }};
    ($spec:path, $id:literal, $path:literal, $what:literal) => {{
        use $crate::case::tags;
        vec![
            $crate::crud_cases!(@case $spec, list, concat!("API-", $id, "-LIST-01"),
                concat!("GET /api", $path, ": 200, an array of ", $what, " with ilert's fields"),
                concat!("GET ", $path)).tags(tags::TOKEN),
            $crate::crud_cases!(@case $spec, get, concat!("API-", $id, "-GET-01"),
                concat!("GET /api", $path, "/{id}: 200, the listed entity"),
                concat!("GET ", $path, "/{id}")).tags(tags::TOKEN),
            $crate::crud_cases!(@case $spec, create, concat!("API-", $id, "-CREATE-01"),
                concat!("POST /api", $path, ": the create status ilert's clients expect and the new entity"),
                concat!("POST ", $path)),
            $crate::crud_cases!(@case $spec, update, concat!("API-", $id, "-UPDATE-01"),
                concat!("PUT /api", $path, "/{id}: 200 with the new values"),
                concat!("PUT ", $path, "/{id}")),
            $crate::crud_cases!(@case $spec, no_scope, concat!("API-", $id, "-SCOPE-403-01"),
                concat!("GET /api", $path, " without the scope: 403 in the REST shape"),
                concat!("GET ", $path)).tags(tags::TOKEN),
            $crate::crud_cases!(@case $spec, read_only, concat!("API-", $id, "-SCOPE-READ-01"),
                concat!("POST /api", $path, " with a read-only token: 403, nothing created"),
                concat!("POST ", $path)),
            $crate::crud_cases!(@case $spec, invalid, concat!("API-", $id, "-400-01"),
                concat!("POST /api", $path, " with a value outside its enum: 400 naming the field"),
                concat!("POST ", $path)),
        ]
    }};
    (@case $spec:path, $run:ident, $id:expr, $title:expr, $op:expr) => {
        $crate::case::Case::new(
            $crate::case::Area::Api,
            $id,
            $title,
            $crate::case::ilert(concat!("ilert-rest-api-openapi ", $op)),
            |cx| ::std::boxed::Box::pin($crate::cases::rest_crud::$run(cx, &$spec)),
        )
        .tags(&[$crate::case::Tag::MockOnly, $crate::case::Tag::NeedsToken])
        .lane($crate::cases::rest_crud::LANE)
    };
}
