//! Checks JSON against a schema of the derived catalogue: the types, enums, required fields,
//! bounds and references of ilert's document, with OpenAPI 3.0's `nullable`.
//!
//! Request bodies are checked in [`Mode::Request`]: read-only properties are ignored (clients
//! may send back what they read), an optional property sent as `null` counts as absent, and a
//! nested object with an `id` is a reference that needs no other field.
//! Fixture entities are checked in [`Mode::Stored`], where every property counts. A failure names
//! the field by its path (`escalationRules[0].users[1].id`) and, for an enum, the allowed values.

use serde_json::Value;

use super::catalogue::Catalogue;
use super::store::Entity;

/// How strictly to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A request body: read-only properties ignored, optional `null`s allowed.
    Request,
    /// A stored entity (fixtures): every property checked.
    Stored,
}

/// Why a value does not fit its schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// The offending field's path (empty for the whole value).
    pub field: String,
    /// The reason, naming the field.
    pub message: String,
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn fail(path: &str, what: impl std::fmt::Display) -> Result<(), Invalid> {
    let subject = if path.is_empty() {
        "the body".to_owned()
    } else {
        format!("field '{path}'")
    };
    Err(Invalid {
        field: path.to_owned(),
        message: format!("{subject} {what}"),
    })
}

fn type_matches(expected: &str, v: &Value) -> bool {
    match expected {
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// The string `field` of a checked body, which must not be blank (the schema allows an empty
/// string where ilert refuses one, as for a name): 400 naming the field otherwise.
pub fn non_blank<'b>(body: &'b Entity, field: &str) -> Result<&'b str, Invalid> {
    let text = body.get(field).and_then(Value::as_str).unwrap_or_default();
    if text.trim().is_empty() {
        return Err(Invalid {
            field: field.to_owned(),
            message: format!("field '{field}' must not be empty"),
        });
    }
    Ok(text)
}

/// Checks `value` against `schema` (which may be a `$ref`).
pub fn check(catalogue: &Catalogue, value: &Value, schema: &Value, mode: Mode) -> Result<(), Invalid> {
    walk(catalogue, value, schema, "", mode, 0)
}

/// The keywords of one schema node that [`walk`] reads, found in one pass over the node's
/// fields. A node has a handful of fields, where looking each keyword up hashed its name every
/// time (some seventy lookups for an event's body).
#[derive(Default)]
struct Keywords<'s> {
    nullable: Option<&'s Value>,
    kind: Option<&'s Value>,
    all_of: Option<&'s Value>,
    one_of: Option<&'s Value>,
    any_of: Option<&'s Value>,
    format: Option<&'s Value>,
    allowed: Option<&'s Value>,
    minimum: Option<&'s Value>,
    maximum: Option<&'s Value>,
    min_length: Option<&'s Value>,
    max_length: Option<&'s Value>,
    min_items: Option<&'s Value>,
    max_items: Option<&'s Value>,
    items: Option<&'s Value>,
    properties: Option<&'s Value>,
    required: Option<&'s Value>,
    additional: Option<&'s Value>,
}

impl<'s> Keywords<'s> {
    /// The keywords of `schema` (none for a schema that is not an object).
    fn of(schema: &'s Value) -> Self {
        let mut k = Keywords::default();
        for (name, value) in schema.as_object().into_iter().flatten() {
            let slot = match name.as_str() {
                "nullable" => &mut k.nullable,
                "type" => &mut k.kind,
                "allOf" => &mut k.all_of,
                "oneOf" => &mut k.one_of,
                "anyOf" => &mut k.any_of,
                "format" => &mut k.format,
                "enum" => &mut k.allowed,
                "minimum" => &mut k.minimum,
                "maximum" => &mut k.maximum,
                "minLength" => &mut k.min_length,
                "maxLength" => &mut k.max_length,
                "minItems" => &mut k.min_items,
                "maxItems" => &mut k.max_items,
                "items" => &mut k.items,
                "properties" => &mut k.properties,
                "required" => &mut k.required,
                "additionalProperties" => &mut k.additional,
                _ => continue,
            };
            *slot = Some(value);
        }
        k
    }
}

/// Whether the property schema `prop` is `readOnly`.
fn read_only(c: &Catalogue, prop: &Value) -> bool {
    c.resolve(prop)
        .get("readOnly")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn walk(c: &Catalogue, v: &Value, schema: &Value, path: &str, mode: Mode, depth: u32) -> Result<(), Invalid> {
    if depth > 40 {
        return fail(path, "is nested too deeply");
    }
    let k = Keywords::of(c.resolve(schema));
    if v.is_null() {
        let nullable = k.nullable.and_then(Value::as_bool).unwrap_or(false);
        return if nullable || k.kind.is_none() && k.one_of.is_none() {
            Ok(())
        } else {
            fail(path, "must not be null")
        };
    }
    if let Some(all) = k.all_of.and_then(Value::as_array) {
        for part in all {
            walk(c, v, part, path, mode, depth + 1)?;
        }
    }
    for options in [k.one_of, k.any_of] {
        if let Some(options) = options.and_then(Value::as_array) {
            let mut first = None;
            for option in options {
                match walk(c, v, option, path, mode, depth + 1) {
                    Ok(()) => {
                        first = None;
                        break;
                    }
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = first {
                return Err(e);
            }
        }
    }
    if let Some(expected) = k.kind.and_then(Value::as_str)
        && !type_matches(expected, v)
    {
        let article = if expected == "integer" || expected == "array" || expected == "object" {
            "an"
        } else {
            "a"
        };
        return fail(path, format!("must be {article} {expected} (got {})", short(v)));
    }
    // OpenAPI 3.0 §4.4 (data types): `int32` and `int64` bound an integer. The document types
    // paging as int32, so `start-index=2147483648` is refused naming the parameter rather than
    // wrapped or clamped.
    if k.kind.and_then(Value::as_str) == Some("integer") {
        let (low, high) = match k.format.and_then(Value::as_str) {
            Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
            _ => (i64::MIN, i64::MAX),
        };
        let whole = v.as_i64().or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
                .map(|f| f as i64)
        });
        if !whole.is_some_and(|n| (low..=high).contains(&n)) {
            return fail(
                path,
                format!("must be an integer from {low} to {high} (got {})", short(v)),
            );
        }
    }
    if let Some(allowed) = k.allowed.and_then(Value::as_array)
        && !allowed.contains(v)
    {
        let names: Vec<String> = allowed
            .iter()
            .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned))
            .collect();
        return fail(
            path,
            format!("must be one of {} (got {})", names.join(", "), short(v)),
        );
    }
    if let Some(n) = v.as_f64() {
        if let Some(min) = k.minimum.and_then(Value::as_f64)
            && n < min
        {
            return fail(path, format!("must be at least {min}"));
        }
        if let Some(max) = k.maximum.and_then(Value::as_f64)
            && n > max
        {
            return fail(path, format!("must be at most {max}"));
        }
    }
    if let Some(text) = v.as_str() {
        let len = text.chars().count() as u64;
        if k.min_length.and_then(Value::as_u64).is_some_and(|m| len < m) {
            return fail(path, "is too short");
        }
        if k.max_length.and_then(Value::as_u64).is_some_and(|m| len > m) {
            return fail(path, "is too long");
        }
        match k.format.and_then(Value::as_str) {
            Some("date-time") if super::time::parse(text).is_none() => {
                return fail(path, format!("must be an ISO-8601 date-time (got {})", short(v)));
            }
            Some(super::reconcile::FORMAT_LOCAL_DATE_TIME) if !super::time::is_local_date_time(text) => {
                return fail(
                    path,
                    format!(
                        "must be an ISO-8601 date-time, with or without offset (got {})",
                        short(v)
                    ),
                );
            }
            Some(super::reconcile::FORMAT_TIME_ZONE) if super::support::calendar::zone(text).is_err() => {
                return fail(
                    path,
                    format!(
                        "must be an IANA time zone such as Europe/Berlin (got {})",
                        short(v)
                    ),
                );
            }
            Some(format) => {
                if let Some(what) = super::formats::complaint(format, text) {
                    return fail(path, format!("{what} (got {})", short(v)));
                }
            }
            None => {}
        }
    }
    if let Some(items) = v.as_array() {
        if k.max_items
            .and_then(Value::as_u64)
            .is_some_and(|m| items.len() as u64 > m)
        {
            return fail(path, "has too many items");
        }
        if k.min_items
            .and_then(Value::as_u64)
            .is_some_and(|m| (items.len() as u64) < m)
        {
            return fail(path, "has too few items");
        }
        if let Some(item_schema) = k.items {
            for (i, item) in items.iter().enumerate() {
                walk(c, item, item_schema, &format!("{path}[{i}]"), mode, depth + 1)?;
            }
        }
    }
    if let Some(object) = v.as_object() {
        let props = k.properties.and_then(Value::as_object);
        // The document (`SimpleIdField64`): "for POST and PUT requests only the id field is
        // required for sub entities" — a nested object with an `id` is a reference.
        let reference = mode == Mode::Request && !path.is_empty() && object.contains_key("id");
        if let Some(required) = k.required.and_then(Value::as_array).filter(|_| !reference) {
            for name in required.iter().filter_map(Value::as_str) {
                let prop = props.and_then(|p| p.get(name));
                if mode == Mode::Request && prop.is_some_and(|p| read_only(c, p)) {
                    continue;
                }
                if object.get(name).is_none_or(Value::is_null) {
                    return fail(&join(path, name), "is required");
                }
            }
        }
        for (name, value) in object {
            let field = join(path, name);
            match props.and_then(|p| p.get(name)) {
                Some(prop) if mode == Mode::Request && read_only(c, prop) => {}
                Some(_) if mode == Mode::Request && value.is_null() => {}
                // ilert-go sends a reference as the whole Go struct, its unset members as empty
                // strings (an escalation level's `schedules[]` carries `name`, `timezone` and
                // `type` as "", escalation_policy.go:28 with schedule.go:13-16 of iLert/ilert-go
                // at 549c4adb): only the reference's `id` counts, so those are not checked.
                Some(_) if reference && value.as_str() == Some("") => {}
                Some(prop) => walk(c, value, prop, &field, mode, depth + 1)?,
                None => match k.additional {
                    Some(Value::Bool(false)) => return fail(&field, "is not a known field"),
                    Some(extra) if extra.is_object() => walk(c, value, extra, &field, mode, depth + 1)?,
                    _ => {}
                },
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resources::catalogue::catalogue;

    fn source(body: Value) -> Result<(), Invalid> {
        let c = catalogue();
        check(
            c,
            &body,
            &json!({"$ref": "#/components/schemas/AlertSourceRel"}),
            Mode::Request,
        )
    }

    #[test]
    fn required_fields_types_and_enums_are_named() {
        let ok = json!({"name": "x", "integrationType": "API", "escalationPolicy": {"name": "p", "escalationRules": []}});
        assert_eq!(source(ok.clone()), Ok(()));
        let by_reference = json!({"name": "x", "integrationType": "API", "escalationPolicy": {"id": 1}});
        assert_eq!(source(by_reference), Ok(()));
        let err = source(json!({"name": "x", "integrationType": "API", "escalationPolicy": {"name": "p"}}))
            .expect_err("no id");
        assert_eq!(err.field, "escalationPolicy.escalationRules");
        let err = source(json!({"name": "x", "integrationType": "API"})).expect_err("missing");
        assert_eq!(err.field, "escalationPolicy");
        assert!(err.message.contains("is required"), "{}", err.message);
        let mut bad = ok.clone();
        bad["integrationType"] = json!("NOPE");
        let err = source(bad).expect_err("enum");
        assert_eq!(err.field, "integrationType");
        assert!(
            err.message.contains("must be one of NAGIOS, ICINGA"),
            "{}",
            err.message
        );
        let mut bad = ok.clone();
        bad["name"] = json!(7);
        assert!(
            source(bad)
                .expect_err("type")
                .message
                .contains("must be a string")
        );
        let mut bad = ok;
        bad["escalationPolicy"]["escalationRules"] = json!([{"escalationTimeout": "soon"}]);
        assert_eq!(
            source(bad).expect_err("nested").field,
            "escalationPolicy.escalationRules[0].escalationTimeout"
        );
    }

    #[test]
    fn read_only_fields_are_ignored_in_requests_and_checked_when_stored() {
        let c = catalogue();
        let schema = json!({"$ref": "#/components/schemas/AlertSource"});
        let body = json!({"name": "x", "integrationType": "API", "escalationPolicy": {"name": "p", "escalationRules": []}, "status": "WHATEVER"});
        assert_eq!(check(c, &body, &schema, Mode::Request), Ok(()));
        assert_eq!(
            check(c, &body, &schema, Mode::Stored).expect_err("stored").field,
            "status"
        );
    }

    #[test]
    fn bounds_and_nullable() {
        let c = catalogue();
        let schema = json!({"$ref": "#/components/schemas/EscalationPolicy"});
        let body = json!({"name": "p", "escalationRules": [], "frequency": 10});
        assert!(
            check(c, &body, &schema, Mode::Request)
                .expect_err("max")
                .message
                .contains("at most 9")
        );
        let body = json!({"name": "p", "escalationRules": [], "routingKey": null});
        assert_eq!(check(c, &body, &schema, Mode::Request), Ok(()));
        assert!(check(c, &body, &schema, Mode::Stored).is_err());
        let nullable = json!({"type": "string", "nullable": true});
        assert_eq!(check(c, &Value::Null, &nullable, Mode::Stored), Ok(()));
    }

    #[test]
    fn integers_stay_within_their_format() {
        let c = crate::resources::catalogue::catalogue();
        let int32 = serde_json::json!({"type": "integer", "format": "int32"});
        assert!(check(c, &serde_json::json!(2_147_483_647), &int32, Mode::Request).is_ok());
        let past =
            check(c, &serde_json::json!(2_147_483_648_i64), &int32, Mode::Request).expect_err("past int32");
        assert!(
            past.message.contains("from -2147483648 to 2147483647"),
            "{}",
            past.message
        );
        let plain = serde_json::json!({"type": "integer"});
        assert!(check(c, &serde_json::json!(u64::MAX), &plain, Mode::Request).is_err());
        assert!(check(c, &serde_json::json!(3.0), &plain, Mode::Request).is_ok());
    }
}
