//! Derives the facts the mock keeps from ilert's OpenAPI document: every operation (method, path
//! template, group, parameters, request and response schemas) and every component schema, with
//! only the structural keywords (types, formats, enums, required fields, bounds, references).
//! Descriptions, summaries, titles and examples — ilert's prose — are left behind.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

/// The methods an OpenAPI path item may hold, in the order the catalogue lists them.
const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

/// Schema keywords that state facts; everything else (prose, vendor extensions) is dropped.
const SCHEMA_FACTS: &[&str] = &[
    "type",
    "format",
    "enum",
    "required",
    "nullable",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "pattern",
    "default",
    "readOnly",
    "writeOnly",
    "$ref",
    "multipleOf",
];

/// The environment variable that names ilert's document (`ilert-rest-api-openapi.yml`). Only the
/// drift check reads the document, and only when this is set: a clone of the repository has no
/// copy of it, and every other test reads the committed catalogue.
pub const DOC_ENV: &str = "ILERT_OPENAPI";

/// ilert's document, parsed, when [`DOC_ENV`] names it; `None` (after one line saying how to
/// run the check) when it is unset. A set variable naming no readable YAML file fails the test.
pub fn document() -> Option<Value> {
    let Some(path) = std::env::var_os(DOC_ENV).map(PathBuf::from) else {
        eprintln!(
            "skipped: the drift check compares the catalogue with ilert's OpenAPI document; \
             run it with {DOC_ENV}=/path/to/ilert-rest-api-openapi.yml"
        );
        return None;
    };
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Some(serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display())))
}

/// The catalogue the mock embeds, parsed: what every test but the drift check reads.
pub fn catalogue() -> Value {
    let path = catalogue_path();
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The schema with prose removed, recursively (property names are kept, whatever they are).
pub fn schema_facts(schema: &Value) -> Value {
    let Some(map) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let kept = match key.as_str() {
            "properties" => value.as_object().map(|props| {
                Value::Object(
                    props
                        .iter()
                        .map(|(name, s)| (name.clone(), schema_facts(s)))
                        .collect(),
                )
            }),
            "items" | "not" => Some(schema_facts(value)),
            "additionalProperties" => Some(if value.is_object() {
                schema_facts(value)
            } else {
                value.clone()
            }),
            "allOf" | "oneOf" | "anyOf" => value
                .as_array()
                .map(|all| Value::Array(all.iter().map(schema_facts).collect())),
            "discriminator" => Some(json!({
                "propertyName": value["propertyName"],
                "mapping": value.get("mapping").cloned().unwrap_or(json!({})),
            })),
            k if SCHEMA_FACTS.contains(&k) => Some(value.clone()),
            _ => None,
        };
        if let Some(kept) = kept {
            out.insert(key.clone(), kept);
        }
    }
    Value::Object(out)
}

fn parameter(doc: &Value, p: &Value) -> Value {
    let resolved = match p.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/parameters/");
            doc["components"]["parameters"][name].clone()
        }
        None => p.clone(),
    };
    json!({
        "name": resolved["name"],
        "in": resolved["in"],
        "required": resolved.get("required").and_then(Value::as_bool).unwrap_or(false),
        "schema": schema_facts(resolved.get("schema").unwrap_or(&json!({}))),
    })
}

fn content_schema(content: Option<&Value>) -> Value {
    content
        .and_then(Value::as_object)
        .and_then(|c| c.get("application/json").or_else(|| c.values().next()))
        .and_then(|media| media.get("schema"))
        .map_or(Value::Null, schema_facts)
}

/// The catalogue the mock embeds (`mock-server/src/resources/ilert-openapi.json`).
pub fn derive(doc: &Value) -> Value {
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            let parameters: Vec<Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| ps.iter().map(|p| parameter(doc, p)).collect())
                .unwrap_or_default();
            let body = op.get("requestBody");
            let mut responses = Map::new();
            for (code, response) in op["responses"].as_object().expect("responses") {
                responses.insert(code.clone(), content_schema(response.get("content")));
            }
            operations.push(json!({
                "method": method.to_ascii_uppercase(),
                "path": path,
                "group": op["tags"][0],
                "parameters": parameters,
                "body": body.map_or(Value::Null, |b| content_schema(b.get("content"))),
                "bodyRequired": body.and_then(|b| b.get("required")).and_then(Value::as_bool).unwrap_or(false),
                "responses": responses,
            }));
        }
    }
    let schemas: Map<String, Value> = doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .iter()
        .map(|(name, s)| (name.clone(), schema_facts(s)))
        .collect();
    json!({
        "source": {
            "title": doc["info"]["title"],
            "version": doc["info"]["version"],
            "server": doc["servers"][0]["url"],
        },
        "operations": operations,
        "components": {"schemas": schemas},
    })
}

/// The committed catalogue's path.
pub fn catalogue_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/resources/ilert-openapi.json")
}
