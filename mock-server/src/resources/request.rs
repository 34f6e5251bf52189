//! Checks what a client sent against the operation's documented parameters and body schema,
//! before the operation runs: every failure is a 400 naming the parameter or field (and, for
//! enums, the allowed values).

use serde_json::Value;

use super::catalogue::{Catalogue, Operation, Param};
use super::error::ResourceError;
use super::validate::{self, Mode};

/// Parameters that count list positions; the mock refuses negative values (ilert's document
/// gives no minimum).
const PAGING: &[&str] = &["start-index", "max-results"];

fn typed(raw: &str, schema: &Value, catalogue: &Catalogue) -> Value {
    match catalogue.resolve(schema).get("type").and_then(Value::as_str) {
        Some("integer") => raw.parse::<i64>().map_or_else(|_| Value::from(raw), Value::from),
        Some("number") => raw.parse::<f64>().map_or_else(|_| Value::from(raw), Value::from),
        Some("boolean") => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::from(raw),
        },
        _ => Value::from(raw),
    }
}

fn check_param(catalogue: &Catalogue, param: &Param, raw: &str) -> Result<(), ResourceError> {
    let schema = catalogue.resolve(&param.schema);
    let item_schema = if schema.get("type").and_then(Value::as_str) == Some("array") {
        schema.get("items").unwrap_or(&Value::Null)
    } else {
        schema
    };
    let value = typed(raw, item_schema, catalogue);
    validate::check(catalogue, &value, item_schema, Mode::Request).map_err(|e| {
        ResourceError::BadRequest(format!(
            "query parameter '{}' {}",
            param.name,
            e.message.trim_start_matches("the body ")
        ))
    })?;
    if PAGING.contains(&param.name.as_str()) && value.as_i64().is_some_and(|n| n < 0) {
        return Err(ResourceError::BadRequest(format!(
            "query parameter '{}' must be a non-negative integer",
            param.name
        )));
    }
    Ok(())
}

/// Checks the query against the operation's documented query parameters (unknown ones are
/// ignored, as ilert does; required ones must be present).
pub fn check_query(
    catalogue: &Catalogue,
    op: &Operation,
    query: &[(String, String)],
) -> Result<(), ResourceError> {
    for param in op.parameters.iter().filter(|p| p.location == "query") {
        let mut given = query.iter().filter(|(k, _)| *k == param.name).peekable();
        if param.required && given.peek().is_none() {
            return Err(ResourceError::BadRequest(format!(
                "query parameter '{}' is required",
                param.name
            )));
        }
        for (_, raw) in given {
            check_param(catalogue, param, raw)?;
        }
    }
    Ok(())
}

/// Parses and checks a JSON body against the operation's documented schema. An operation
/// without a documented body ignores what was sent.
pub fn check_body(
    catalogue: &Catalogue,
    op: &Operation,
    bytes: &[u8],
) -> Result<Option<Value>, ResourceError> {
    let Some(schema) = op.accepted_body() else {
        return Ok(serde_json::from_slice(bytes).ok());
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return if op.body_required {
            Err(ResourceError::BadRequest(
                "a JSON request body is required".to_owned(),
            ))
        } else {
            Ok(None)
        };
    }
    let mut value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ResourceError::BadRequest(format!("Invalid body: not JSON ({e})")))?;
    drop_unset(catalogue, schema, &mut value);
    validate::check(catalogue, &value, schema, Mode::Request)
        .map_err(|e| ResourceError::BadRequest(format!("Invalid body: {}", e.message)))?;
    Ok(Some(value))
}

/// Takes out of a body the optional fields sent as `""` whose schema no empty string can
/// satisfy (an enum, a format): ilert-go marshals its structs' unset strings so (no `omitempty`
/// on incident `createdAt`/`updatedAt`, incident.go:18-19; incident `status`, incident.go:15; service `status`, service.go:15;
/// team `visibility`, team.go:15 of iLert/ilert-go at 549c4adb), and production takes them as
/// not sent. A required field sent as `""` is still refused, naming it.
fn drop_unset(catalogue: &Catalogue, schema: &Value, value: &mut Value) {
    let schema = catalogue.resolve(schema);
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(object) = value.as_object_mut() else {
        return;
    };
    object.retain(|name, v| {
        if v.as_str() != Some("") || required.contains(&name.as_str()) {
            return true;
        }
        let Some(prop) = props.get(name).map(|p| catalogue.resolve(p)) else {
            return true;
        };
        prop.get("enum").is_none() && prop.get("format").is_none()
    });
}

/// The checked body of the document's `POST {path}` for an ingestion request, whose
/// integration key may come in the URL instead: `key` stands in for a missing
/// `integrationKey` field.
pub fn check_post(path: &str, bytes: &[u8], key: Option<&str>) -> Result<Value, ResourceError> {
    let Some(key) = key else {
        let (c, op) = post_operation(path)?;
        return check_body(c, op, bytes).map(Option::unwrap_or_default);
    };
    let mut value = parse_json(bytes)?;
    if let Some(map) = value.as_object_mut() {
        map.entry("integrationKey").or_insert_with(|| Value::from(key));
    }
    check_post_value(path, value)
}

/// A request body as JSON (400 naming the syntax error otherwise).
pub fn parse_json(bytes: &[u8]) -> Result<Value, ResourceError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ResourceError::BadRequest(format!("Invalid body: not JSON ({e})")))
}

/// [`check_post`] for a body already parsed (and adjusted by the operation, as the Events API
/// does for the names ilert's clients send).
pub fn check_post_value(path: &str, value: Value) -> Result<Value, ResourceError> {
    let (c, op) = post_operation(path)?;
    let schema = op
        .body
        .as_ref()
        .ok_or_else(|| ResourceError::NotFound(format!("POST {path} has no documented body")))?;
    validate::check(c, &value, schema, Mode::Request)
        .map_err(|e| ResourceError::BadRequest(format!("Invalid body: {}", e.message)))?;
    Ok(value)
}

fn post_operation(path: &str) -> Result<(&'static Catalogue, &'static Operation), ResourceError> {
    let c = super::catalogue::catalogue();
    let op = c
        .operation("POST", path)
        .ok_or_else(|| ResourceError::NotFound(format!("POST {path} is not in the catalogue")))?;
    Ok((c, op))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::catalogue::catalogue;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn query_parameters_follow_their_schema() {
        let c = catalogue();
        let op = c.operation("GET", "/alerts").expect("op");
        assert!(
            check_query(
                c,
                op,
                &q(&[
                    ("states", "PENDING"),
                    ("states", "ACCEPTED"),
                    ("max-results", "7")
                ])
            )
            .is_ok()
        );
        let err = check_query(c, op, &q(&[("states", "OPEN")])).expect_err("enum");
        assert!(
            err.to_string()
                .contains("'states' must be one of PENDING, ACCEPTED, RESOLVED"),
            "{err}"
        );
        assert!(check_query(c, op, &q(&[("max-results", "x")])).is_err());
        assert!(check_query(c, op, &q(&[("start-index", "-1")])).is_err());
        assert!(check_query(c, op, &q(&[("from", "yesterday")])).is_err());
        assert!(check_query(c, op, &q(&[("unknown", "whatever")])).is_ok());
    }

    #[test]
    fn bodies_are_parsed_and_checked() {
        let c = catalogue();
        let op = c.operation("POST", "/alerts").expect("op");
        assert!(check_body(c, op, b"").is_err());
        assert!(
            check_body(c, op, b"{")
                .expect_err("syntax")
                .to_string()
                .contains("not JSON")
        );
        let err = check_body(c, op, br#"{"summary": "x"}"#).expect_err("required");
        assert!(err.to_string().contains("'alertSource' is required"), "{err}");
        assert!(check_body(c, op, br#"{"summary": "x", "alertSource": {"id": 1}}"#).is_ok());
    }
}
