//! The JWTs an exchange carries, found by where they sit (a bearer header, a query or form
//! field, a JSON string at any depth), for the journal to decode.

use crate::token::looks_like_jwt;

/// The JWTs a request carries, with where: a bearer `Authorization`, and any query or form
/// field or JSON string (at any depth) that holds one.
pub(super) fn request_tokens<K: AsRef<str>, V: AsRef<str>>(
    headers: &[(K, V)],
    query: &[(String, String)],
    form: &[(String, String)],
    json: Option<&serde_json::Value>,
) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (name, value) in headers {
        let (name, value) = (name.as_ref(), value.as_ref());
        if name == "authorization"
            && let Some((scheme, token)) = value.split_once(' ')
            && scheme.eq_ignore_ascii_case("bearer")
            && looks_like_jwt(token.trim())
        {
            found.push(("request header authorization".to_owned(), token.trim().to_owned()));
        }
    }
    for (section, pairs) in [("query", query), ("form", form)] {
        for (name, value) in pairs {
            if looks_like_jwt(value) {
                found.push((format!("request {section} {name}"), value.clone()));
            }
        }
    }
    if let Some(json) = json {
        found.extend(json_tokens("request json", json));
    }
    found
}

/// The JWTs among the string fields of a JSON value, at any depth, named `{prefix} {field}`.
pub(super) fn json_tokens(prefix: &str, value: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, key: &str, value: &serde_json::Value, found: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::String(text) if looks_like_jwt(text) => {
                found.push((format!("{prefix} {key}"), text.clone()));
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    walk(prefix, k, v, found);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(prefix, key, item, found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(prefix, "", value, &mut found);
    // Bounded: a body made of tokens is decoded only so far.
    found.truncate(8);
    found
}
