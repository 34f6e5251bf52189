//! Reading the ids an entity references at a declared field path (`escalationRules[].users[]`,
//! `alertSource`): a segment ending in `[]` is an array, the path ends at `{"id": …}` objects or
//! bare ids. Used by the store's indexes and by [`super::relations`].

use serde_json::{Map, Value};

/// A path segment: the field name (empty for the value itself) and whether it is an array.
pub fn step(segment: &str) -> (&str, bool) {
    match segment.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (segment, false),
    }
}

pub fn collect(v: &Value, segments: &[&str], out: &mut Vec<i64>) {
    let Some((first, rest)) = segments.split_first() else {
        let id = v.get("id").unwrap_or(v);
        // ilert writes some ids as strings (connectors, alert actions): `"7001"`.
        if let Some(id) = id
            .as_i64()
            .or_else(|| id.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .or_else(|| id.as_str().and_then(|s| s.parse().ok()))
        {
            out.push(id);
        }
        return;
    };
    let (name, many) = step(first);
    let Some(child) = (if name.is_empty() { Some(v) } else { v.get(name) }) else {
        return;
    };
    if many {
        for item in child.as_array().into_iter().flatten() {
            collect(item, rest, out);
        }
    } else {
        collect(child, rest, out);
    }
}

/// The ids referenced at `field` (`escalationRules[].users[]`) of an entity.
pub fn ids(entity: &Value, field: &str) -> Vec<i64> {
    let segments: Vec<&str> = field.split('.').filter(|s| !s.is_empty()).collect();
    let mut out = Vec::new();
    collect(entity, &segments, &mut out);
    out
}

/// The ids `entity` references at `field`, reading only that field (an entity may be large:
/// nothing else of it is copied).
pub fn ids_in(entity: &Map<String, Value>, field: &str) -> Vec<i64> {
    let segments: Vec<&str> = field.split('.').filter(|s| !s.is_empty()).collect();
    let Some((first, rest)) = segments.split_first() else {
        return ids(&Value::Object(entity.clone()), field);
    };
    let (name, many) = step(first);
    if name.is_empty() {
        return ids(&Value::Object(entity.clone()), field);
    }
    let Some(child) = entity.get(name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if many {
        for item in child.as_array().into_iter().flatten() {
            collect(item, rest, &mut out);
        }
    } else {
        collect(child, rest, &mut out);
    }
    out
}
