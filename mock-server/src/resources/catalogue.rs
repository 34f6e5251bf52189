//! The facts of ilert's OpenAPI document the mock serves by: operations (method, path template,
//! group, parameters, request and response schemas) and component schemas.
//!
//! `ilert-openapi.json` beside this file is derived from ilert's document by the `openapi` test
//! (`mock-server/tests/openapi/derive.rs`), which fails when the two drift apart; it holds no
//! prose. It is parsed once, on first use.

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, OnceLock};

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// The derived catalogue, embedded.
const CATALOGUE_JSON: &str = include_str!("ilert-openapi.json");

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    // The file is checked by the `openapi` test; a broken build is a bug, not user input.
    serde_json::from_str(CATALOGUE_JSON).unwrap_or_else(|e| panic!("ilert-openapi.json: {e}"))
});

static AS_DOCUMENTED: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut c: Catalogue =
        serde_json::from_str(CATALOGUE_JSON).unwrap_or_else(|e| panic!("ilert-openapi.json: {e}"));
    c.as_documented = true;
    c
});

/// The catalogue (parsed on first use), with the schema patches of
/// [`super::reconcile::SCHEMA_PATCHES`] where ilert's clients send more than the document lists.
pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

/// The catalogue exactly as the document has it, without the patches: for
/// [`crate::Breakage::DocumentToTheLetter`], which proves the reconciliation's cases can fail.
pub fn as_documented() -> &'static Catalogue {
    &AS_DOCUMENTED
}

/// One parameter of an operation.
#[derive(Debug, Clone, Deserialize)]
pub struct Param {
    /// Its name, e.g. `max-results`.
    pub name: String,
    /// `path`, `query` or `header`.
    #[serde(rename = "in")]
    pub location: String,
    /// Whether it must be given.
    pub required: bool,
    /// Its schema.
    pub schema: Value,
}

/// One operation of the document.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The path template under `/api`, e.g. `/alerts/{id}/accept`.
    pub path: String,
    /// Path and query parameters.
    pub parameters: Vec<Param>,
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// The request body's schema, if the operation takes one.
    pub body: Option<Value>,
    /// Whether the body is required.
    pub body_required: bool,
    /// Status code → response body schema (`None`: no body).
    pub responses: BTreeMap<String, Option<Value>>,
}

impl Operation {
    /// The success status the mock answers: the clients' where
    /// [`reconcile::STATUS_OVERRIDES`](super::reconcile::STATUS_OVERRIDES) lists the operation,
    /// else the document's.
    pub fn answered_status(&self) -> u16 {
        super::reconcile::status_override(&self.method, &self.path)
            .map_or_else(|| self.success().0, |o| o.status)
    }

    /// The request body schema the mock checks: an override's
    /// ([`reconcile::BODY_OVERRIDES`](super::reconcile::BODY_OVERRIDES)), else the document's.
    pub fn accepted_body(&self) -> Option<&Value> {
        super::reconcile::body_override(&self.method, &self.path).or(self.body.as_ref())
    }

    /// `METHOD /path`, as test messages name operations.
    #[cfg(test)]
    pub fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// A query parameter by name.
    pub fn query_param(&self, name: &str) -> Option<&Param> {
        self.parameters
            .iter()
            .find(|p| p.location == "query" && p.name == name)
    }

    /// The path parameters, in the order they appear in the template.
    pub fn path_params(&self) -> Vec<&str> {
        template_params(&self.path)
    }

    /// The documented success status (the lowest 2xx) and its body schema.
    pub fn success(&self) -> (u16, Option<&Value>) {
        self.responses
            .iter()
            .filter_map(|(code, schema)| code.parse::<u16>().ok().map(|c| (c, schema.as_ref())))
            .find(|(code, _)| (200..300).contains(code))
            .unwrap_or((200, None))
    }

    /// `max-results`'s documented default and maximum, when the operation pages.
    pub fn page_limits(&self) -> Option<(usize, usize)> {
        let schema = &self.query_param("max-results")?.schema;
        let number = |key: &str| schema.get(key).and_then(Value::as_u64).map(|n| n as usize);
        let max = number("maximum").unwrap_or(100);
        Some((number("default").unwrap_or(max).min(max), max))
    }
}

/// The parameter names of a path template (`/users/{user-id}/contacts/emails/{id}` →
/// `["user-id", "id"]`).
pub fn template_params(template: &str) -> Vec<&str> {
    template
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// The derived document.
#[derive(Debug, Deserialize)]
pub struct Catalogue {
    /// Every operation, in the document's order.
    pub operations: Vec<Operation>,
    components: Components,
    /// Whether component schemas are read without the mock's patches.
    #[serde(skip)]
    as_documented: bool,
}

/// The component schemas, each kept as its text until first asked for: parsing all of them
/// would cost every start-up a few milliseconds for schemas most runs never read.
#[derive(Debug, Deserialize)]
struct Components {
    schemas: HashMap<String, LazySchema>,
}

#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct LazySchema {
    text: Box<RawValue>,
    #[serde(skip)]
    parsed: OnceLock<Value>,
}

impl LazySchema {
    /// The schema `name`, parsed, with the mock's widenings where ilert's clients send more
    /// than the document lists ([`super::reconcile::SCHEMA_PATCHES`]).
    fn get(&self, name: &str, patched: bool) -> &Value {
        self.parsed.get_or_init(|| {
            let mut schema = serde_json::from_str(self.text.get()).unwrap_or(Value::Null);
            if patched {
                super::reconcile::patch(name, &mut schema);
            }
            schema
        })
    }
}

impl Catalogue {
    /// The operation with this method and path template.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| op.method == method && op.path == path)
    }

    /// A component schema by name.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.components
            .schemas
            .get(name)
            .map(|s| s.get(name, !self.as_documented))
    }

    /// Follows a `$ref` (`#/components/schemas/X`).
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut current = schema;
        for _ in 0..8 {
            match current.get("$ref").and_then(Value::as_str) {
                Some(r) => match self.schema(r.trim_start_matches("#/components/schemas/")) {
                    Some(target) => current = target,
                    None => return current,
                },
                None => return current,
            }
        }
        current
    }

    /// The enum values a schema (after references) allows, if it is an enum.
    pub fn enum_values<'a>(&'a self, schema: &'a Value) -> Option<Vec<&'a str>> {
        self.resolve(schema)
            .get("enum")?
            .as_array()
            .map(|values| values.iter().filter_map(Value::as_str).collect())
    }

    /// The schema of property `name` of component schema `schema`.
    #[cfg(test)]
    pub fn property(&self, schema: &str, name: &str) -> Option<&Value> {
        self.schema(schema)?.get("properties")?.get(name)
    }
}

#[cfg(test)]
mod reconciled_tests {
    use serde_json::Value;

    use super::catalogue;
    use crate::resources::reconcile::{BODY_OVERRIDES, PARAM_ALIASES, SCHEMA_PATCHES, STATUS_OVERRIDES};

    #[test]
    fn every_parameter_alias_renames_to_a_documented_parameter() {
        let c = catalogue();
        for a in PARAM_ALIASES {
            let op = c.operation(a.method, a.path).expect("a documented operation");
            assert!(
                op.parameters.iter().any(|p| p.name == a.documented),
                "{} {} has no parameter {}",
                a.method,
                a.path,
                a.documented
            );
            assert!(
                !op.parameters.iter().any(|p| p.name == a.sent),
                "{} is documented",
                a.sent
            );
        }
    }

    #[test]
    fn every_override_names_an_operation_of_the_document_that_it_changes() {
        let c = catalogue();
        for o in STATUS_OVERRIDES {
            let op = c
                .operation(o.method, o.path)
                .unwrap_or_else(|| panic!("{} {} is not in the document", o.method, o.path));
            assert_ne!(
                op.success().0,
                o.status,
                "{} {} agrees with the document",
                o.method,
                o.path
            );
            assert_eq!(op.answered_status(), o.status);
        }
        for o in BODY_OVERRIDES {
            let op = c.operation(o.method, o.path).expect("a documented operation");
            let schema: Value = serde_json::from_str(o.schema).expect("a JSON schema");
            assert_eq!(op.accepted_body(), Some(&schema));
        }
        for p in SCHEMA_PATCHES {
            let value: Value = serde_json::from_str(p.value).expect("JSON");
            let schema = c.schema(p.schema).expect("a schema of the document");
            let at = if p.pointer.is_empty() {
                Some(schema)
            } else {
                schema.pointer(p.pointer)
            };
            assert_eq!(at, Some(&value), "{} {}", p.schema, p.pointer);
        }
        let op = c.operation("POST", "/incidents").expect("op");
        assert_eq!(
            op.answered_status(),
            200,
            "ilert-go expects the document's 200 (incident.go:132)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_parses_and_has_every_operation() {
        let c = catalogue();
        assert_eq!(c.operations.len(), 180);
        let list = c.operation("GET", "/alerts").expect("alerts");
        assert_eq!(list.page_limits(), Some((50, 100)));
        let sources = c.operation("GET", "/alert-sources").expect("sources");
        assert_eq!(sources.page_limits(), Some((50, 50)));
        assert_eq!(
            c.operation("PUT", "/escalation-policies/{id}/levels/{level}")
                .expect("levels")
                .path_params(),
            vec!["id", "level"]
        );
        assert_eq!(
            c.operation("POST", "/alert-sources").expect("create").success().0,
            201
        );
    }

    #[test]
    fn every_schema_parses() {
        let c = catalogue();
        assert_eq!(c.components.schemas.len(), 216);
        for name in c.components.schemas.keys() {
            assert!(c.schema(name).is_some_and(Value::is_object), "{name}");
        }
    }

    #[test]
    fn enums_resolve_through_references() {
        let c = catalogue();
        let role = c.property("User", "role").expect("role");
        assert!(c.enum_values(role).expect("enum").contains(&"ADMIN"));
    }
}
