//! What a case sent and what came back, as JSON a person can read: the transcript entries the
//! report shows on failure and the snapshot tests pin.
//!
//! Views keep what matters for the contract and hide what must not leak into CI logs:
//! client secrets and HTTP Basic credentials read `[redacted]`; every JWT — in a form field, a
//! JSON body or an `Authorization` header — is shown as its decoded header and claims, never as
//! the signed string; HTML pages are reduced to their title, headings, paragraphs and list items;
//! only headers of note are kept.

use reqwest::header::HeaderMap;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::jwt;

/// Response headers the contract speaks about.
const HEADERS_OF_NOTE: &[&str] = &[
    "content-type",
    "cache-control",
    "pragma",
    "location",
    "www-authenticate",
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "x-frame-options",
    "retry-after",
    "etag",
];

/// Form fields whose values are never shown.
const SECRET_FIELDS: &[&str] = &["client_secret", "password"];

/// One request, as sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestView {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path and query on the target's base URL, or the full URL elsewhere.
    pub url: String,
    /// The `Host` header, when the case sent its own (tenant hosts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Request headers of note (`authorization` as scheme plus decoded credentials).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub headers: Map<String, Value>,
    /// The query parameters, decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<Value>,
    /// The form fields, decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<Value>,
    /// A JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    /// A body sent as given (see the content type): decoded as JSON or form fields when it is
    /// one (secrets redacted), else its text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// One response, as received.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseView {
    /// The HTTP status.
    pub status: u16,
    /// Headers of note.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub headers: Map<String, Value>,
    /// The body: JSON as sent (JWTs decoded), HTML summarised, empty as `null`.
    pub body: Value,
}

/// A request and its response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exchange {
    /// What was sent.
    pub request: RequestView,
    /// What came back.
    pub response: ResponseView,
}

/// One line of a case's transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Entry {
    /// An HTTP exchange.
    Exchange(Box<Exchange>),
    /// A step that is not one HTTP exchange (a reference-client call, a decoded token).
    Note {
        /// What the step was.
        step: String,
        /// What it gave.
        result: Value,
    },
}

/// A string as shown: a JWT becomes `{"jwt": {"header", "claims"}}`; anything else as is.
pub(crate) fn value_view(s: &str) -> Value {
    match jwt::decode(s) {
        Some(d) => json!({"jwt": {"header": d.header, "claims": d.claims}}),
        None => Value::String(s.to_owned()),
    }
}

/// Decoded `key=value` pairs, with secrets redacted and JWTs decoded. A repeated key shows its
/// values as an array.
pub(crate) fn pairs_view<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        let shown = if SECRET_FIELDS.contains(&k) {
            Value::String("[redacted]".to_owned())
        } else {
            value_view(v)
        };
        match map.get_mut(k) {
            Some(Value::Array(values)) => values.push(shown),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, shown]);
            }
            None => {
                map.insert(k.to_owned(), shown);
            }
        }
    }
    Value::Object(map)
}

/// A body sent as given: JSON or `k=v&…` decoded (secrets redacted, JWTs decoded), else its text
/// (cut at 300 characters).
pub(crate) fn raw_body_view(text: &str) -> Value {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return json_view(&value);
    }
    if text.contains('=') && !text.contains(char::is_whitespace) {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect();
        return pairs_view(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    let shown: String = text.chars().take(300).collect();
    if text.len() > 300 {
        Value::String(format!("{shown}… ({} bytes)", text.len()))
    } else {
        Value::String(shown)
    }
}

/// A JSON value with every string that is a JWT decoded, and secrets redacted.
pub(crate) fn json_view(value: &Value) -> Value {
    match value {
        Value::String(s) => value_view(s),
        Value::Array(items) => Value::Array(items.iter().map(json_view).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let shown = if SECRET_FIELDS.contains(&k.as_str()) && v.is_string() {
                        Value::String("[redacted]".to_owned())
                    } else {
                        json_view(v)
                    };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// An `Authorization` header as shown: the scheme, and Bearer credentials decoded (Basic
/// credentials are redacted).
pub(crate) fn authorization_view(value: &str) -> Value {
    match value.split_once(' ') {
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("basic") => {
            json!({"scheme": scheme, "credentials": "[redacted]"})
        }
        Some((scheme, creds)) => json!({"scheme": scheme, "credentials": credentials_view(creds)}),
        None => json!({"scheme": null, "credentials": credentials_view(value)}),
    }
}

fn credentials_view(creds: &str) -> Value {
    if jwt::decode(creds).is_some() {
        value_view(creds)
    } else if creds.len() > 64 {
        Value::String(format!("[{} characters]", creds.len()))
    } else {
        Value::String(creds.to_owned())
    }
}

/// A `Location` as shown: with a query, its parts decoded (`{"uri", "params"}`).
pub(crate) fn location_view(location: &str) -> Value {
    match location.split_once('?') {
        Some((uri, query)) => {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            json!({
                "uri": uri,
                "params": pairs_view(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            })
        }
        None => Value::String(location.to_owned()),
    }
}

/// The headers of note.
pub(crate) fn headers_view(headers: &HeaderMap) -> Map<String, Value> {
    let mut map = Map::new();
    for name in HEADERS_OF_NOTE {
        if let Some(value) = headers.get(*name) {
            let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let shown = if *name == "location" {
                location_view(&text)
            } else {
                Value::String(text)
            };
            map.insert((*name).to_owned(), shown);
        }
    }
    map
}

/// A body as shown.
pub(crate) fn body_view(content_type: Option<&str>, text: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    let ct = content_type.unwrap_or_default();
    if ct.contains("html") {
        return json!({"html": html_summary(text)});
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value) => json_view(&value),
        Err(_) => {
            let shown: String = text.chars().take(400).collect();
            json!({"text": shown})
        }
    }
}

/// The words of an HTML page: title, headings, paragraphs, list items and the values of form
/// controls (the grant view's user picker and buttons).
pub(crate) fn html_summary(html: &str) -> Value {
    let mut summary = Map::new();
    for (tag, key) in [
        ("title", "title"),
        ("h1", "h1"),
        ("p", "paragraphs"),
        ("li", "items"),
    ] {
        let texts = elements(html, tag);
        if texts.is_empty() {
            continue;
        }
        let value = if matches!(key, "title" | "h1") && texts.len() == 1 {
            Value::String(texts.into_iter().next().unwrap_or_default())
        } else {
            Value::Array(texts.into_iter().map(Value::String).collect())
        };
        summary.insert(key.to_owned(), value);
    }
    let values = control_values(html);
    if !values.is_empty() {
        summary.insert(
            "controls".to_owned(),
            Value::Array(values.into_iter().map(Value::String).collect()),
        );
    }
    Value::Object(summary)
}

/// The text content of every `<tag …>…</tag>`.
fn elements(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        // `<p` must not match `<pre`: the tag name ends at '>' or whitespace.
        if !after.starts_with(['>', ' ', '\n', '\t']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let inner_start = &after[gt + 1..];
        let Some(end) = inner_start.find(&close) else {
            break;
        };
        let text = strip_tags(&inner_start[..end]);
        if !text.is_empty() {
            out.push(text);
        }
        rest = &inner_start[end + close.len()..];
    }
    out
}

fn strip_tags(fragment: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `name=value` of every non-hidden `<input>`/`<button>`/`<option>` carrying a value.
fn control_values(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in ["<input", "<button", "<option"] {
        let mut rest = html;
        while let Some(start) = rest.find(tag) {
            let after = &rest[start + tag.len()..];
            let end = after.find('>').unwrap_or(after.len());
            let attrs = &after[..end];
            rest = &after[end..];
            if attrs.contains("type=\"hidden\"") {
                continue;
            }
            if let Some(value) = attribute(attrs, "value") {
                let name = attribute(attrs, "name").unwrap_or_default();
                out.push(format!("{name}={value}"));
            }
        }
    }
    out
}

fn attribute(attrs: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = attrs.find(&needle)? + needle.len();
    let end = attrs[start..].find('"')?;
    Some(attrs[start..start + end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_repeats_kept() {
        let v = pairs_view([("client_secret", "s3cr3t"), ("scope", "a"), ("scope", "b")]);
        assert_eq!(v, json!({"client_secret": "[redacted]", "scope": ["a", "b"]}));
        assert_eq!(
            authorization_view("Basic Zm9vOmJhcg=="),
            json!({"scheme": "Basic", "credentials": "[redacted]"})
        );
    }

    #[test]
    fn html_is_summarised() {
        let html = "<html><head><title>T</title></head><body><h1>Head &amp; more</h1><p>One <b>two</b></p>\
                    <pre>x</pre><ul><li>a</li></ul><input type=\"hidden\" name=\"h\" value=\"x\">\
                    <button name=\"decision\" value=\"grant\">Grant</button></body></html>";
        assert_eq!(
            html_summary(html),
            json!({"title": "T", "h1": "Head & more", "paragraphs": ["One two"], "items": ["a"], "controls": ["decision=grant"]})
        );
    }

    #[test]
    fn locations_are_decoded() {
        assert_eq!(
            location_view("http://localhost:4597/cb?code=abc&state=a%20b"),
            json!({"uri": "http://localhost:4597/cb", "params": {"code": "abc", "state": "a b"}})
        );
    }
}
