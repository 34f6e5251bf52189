//! ilert's OpenAPI 3.0 schemas as JSON Schema (draft 4) for the `jsonschema` crate, an
//! implementation independent of the mock's own checks.
//!
//! - `nullable: true` becomes a `null` alternative (OpenAPI 3.0 §4.7.24);
//! - `oneOf` becomes `anyOf`: the document's alternatives overlap (`ContactEmail` and
//!   `ContactPhoneNumber` accept the same objects), so exactly-one can never hold;
//! - `readOnly`, `writeOnly` and OpenAPI's own formats carry no constraint here;
//! - nor does `format: time` (support days' `start`/`end`): OpenAPI 3.0's schema dialect (JSON
//!   Schema Wright draft 00) defines no `time` format, which came with draft 7 as RFC 3339
//!   `full-time` with an offset; a support day's wall-clock `08:00` in its own time zone has none.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

/// One schema converted.
pub fn convert(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "nullable" | "readOnly" | "writeOnly" | "discriminator" => {}
                    "format" if value == "time" => {}
                    "properties" => {
                        let props = value
                            .as_object()
                            .map(|p| p.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(props));
                    }
                    "oneOf" | "anyOf" | "allOf" => {
                        let name = if key == "oneOf" { "anyOf" } else { key.as_str() };
                        let all = value
                            .as_array()
                            .map(|a| a.iter().map(convert).collect())
                            .unwrap_or_default();
                        out.insert(name.to_owned(), Value::Array(all));
                    }
                    "items" | "additionalProperties" | "not" => {
                        out.insert(key.clone(), convert(value));
                    }
                    _ => {
                        out.insert(key.clone(), value.clone());
                    }
                }
            }
            if map.get("nullable").and_then(Value::as_bool) == Some(true) {
                return json!({"anyOf": [Value::Object(out), {"type": "null"}]});
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Validators over the document's component schemas, built once per distinct schema.
pub struct Schemas {
    components: Value,
    cache: HashMap<String, jsonschema::Validator>,
}

impl Schemas {
    /// From the parsed document.
    pub fn new(doc: &Value) -> Self {
        let schemas: Map<String, Value> = doc["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .iter()
            .map(|(name, s)| (name.clone(), convert(s)))
            .collect();
        Self {
            components: json!({"schemas": schemas}),
            cache: HashMap::new(),
        }
    }

    /// The problems of `instance` against `schema` (an operation's response schema, OpenAPI
    /// form), each naming the field's JSON pointer; empty when it validates.
    pub fn problems(&mut self, schema: &Value, instance: &Value) -> Vec<String> {
        let key = schema.to_string();
        if !self.cache.contains_key(&key) {
            // Wrapped, so that a `$ref` at the top (whose siblings draft 4 ignores) still finds
            // the components beside it.
            let root = json!({"allOf": [convert(schema)], "components": self.components});
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .build(&root)
                .unwrap_or_else(|e| panic!("schema {key} does not compile: {e}"));
            self.cache.insert(key.clone(), validator);
        }
        self.cache[&key]
            .iter_errors(instance)
            .map(|e| format!("field '{}': {e}", e.instance_path()))
            .collect()
    }
}
