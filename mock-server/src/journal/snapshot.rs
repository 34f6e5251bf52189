//! Snapshots of the journal: entries normalised so that two runs of the same client code give
//! byte-identical output (insta in Rust, `ilert_mock.snapshot()` in Python, `?format=snapshot`
//! over HTTP).

use serde::Serialize;

use serde_json::Value;

use super::{Entry, REDACTED, SECRET_PARAMS, Secret, Section};

/// A journal entry normalised for snapshots: no times, no sequence numbers, only stable headers,
/// and every secret, token, code, state, PKCE challenge and loopback port replaced by a
/// placeholder that keeps identity (`<refresh_token#1>` is the same token wherever it appears).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotEntry {
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// Stable request headers (`authorization`, `content-type`, `origin`), sorted by name.
    pub headers: Vec<(String, String)>,
    /// Form fields.
    pub form: Vec<(String, String)>,
    /// The JSON body, if one was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    /// Response status.
    pub status: u16,
    /// Response `Location`, normalised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Headers kept in snapshots; the rest (user agent, lengths, host) vary between clients and runs.
const SNAPSHOT_HEADERS: &[&str] = &["authorization", "content-type", "origin"];

#[derive(Default)]
struct Placeholders {
    seen: Vec<(&'static str, String)>,
}

impl Placeholders {
    fn name(&mut self, kind: &'static str, identity: String) -> String {
        let n = match self
            .seen
            .iter()
            .filter(|(k, _)| *k == kind)
            .position(|(_, id)| *id == identity)
        {
            Some(i) => i + 1,
            None => {
                self.seen.push((kind, identity));
                self.seen.iter().filter(|(k, _)| *k == kind).count()
            }
        };
        format!("<{kind}#{n}>")
    }

    /// Replaces a loopback URL's port, which changes from run to run.
    fn ports(&mut self, value: &str) -> String {
        let Ok(url) = url::Url::parse(value) else {
            return value.to_owned();
        };
        let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
            || url.host_str().is_some_and(|h| h.ends_with(".localhost"));
        match (loopback, url.port()) {
            (true, Some(port)) => {
                let placeholder = self.name("port", port.to_string());
                value.replacen(&format!(":{port}"), &format!(":{placeholder}"), 1)
            }
            _ => value.to_owned(),
        }
    }

    fn value(&mut self, name: &str, value: &str, secret: Option<&Secret>) -> String {
        if let Some(secret) = secret {
            return self.name(secret.kind, format!("{:016x}", secret.fingerprint));
        }
        match name {
            "code" => self.name("code", value.to_owned()),
            "state" => self.name("state", value.to_owned()),
            "code_challenge" => self.name("code_challenge", value.to_owned()),
            _ => self.ports(value),
        }
    }

    /// Placeholders in a JSON body: redacted secrets (the `n`-th in document order is
    /// `secrets(n)`), codes, states, challenges and loopback ports.
    fn json<'s>(
        &mut self,
        value: &Value,
        key: &str,
        secret: &impl Fn(usize) -> Option<&'s Secret>,
        seen: &mut usize,
    ) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.json(v, k, secret, seen)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.json(item, key, secret, seen))
                    .collect(),
            ),
            Value::String(text) if SECRET_PARAMS.contains(&key) && text == REDACTED => {
                let found = secret(*seen);
                *seen += 1;
                Value::String(self.value(key, text, found))
            }
            Value::String(text) => Value::String(self.value(key, text, None)),
            other => other.clone(),
        }
    }

    /// Normalises a `Location`; `secrets` are those of the entry (the redacted query values
    /// are named by their [`Section::Location`] secrets).
    fn location(&mut self, location: &str, secrets: &[Secret]) -> String {
        let Ok(mut url) = url::Url::parse(location) else {
            return location.to_owned();
        };
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        if !pairs.is_empty() {
            let normalised: Vec<(String, String)> = pairs
                .iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    let secret = secrets
                        .iter()
                        .find(|s| s.section == Section::Location && s.index == i);
                    (k.clone(), self.value(k, v, secret))
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(normalised);
        }
        // The query was re-encoded by `url`; placeholders read better unescaped.
        let text = url
            .to_string()
            .replace("%3C", "<")
            .replace("%3E", ">")
            .replace("%23", "#");
        self.ports(&text)
    }
}

/// Normalises entries for snapshot tests: two runs of the same client code give byte-identical
/// output.
pub fn snapshot(entries: &[Entry]) -> Vec<SnapshotEntry> {
    let mut names = Placeholders::default();
    entries
        .iter()
        .map(|e| {
            let secret = |section: Section, index: usize| {
                e.secrets
                    .iter()
                    .find(|s| s.section == section && s.index == index)
            };
            let query = e
                .query
                .iter()
                .enumerate()
                .map(|(i, (k, v))| (k.clone(), names.value(k, v, secret(Section::Query, i))))
                .collect();
            let mut headers: Vec<(String, String)> = e
                .headers
                .iter()
                .enumerate()
                .filter(|(_, (k, _))| SNAPSHOT_HEADERS.contains(&k.as_str()))
                .map(|(i, (k, v))| {
                    let shown = match secret(Section::Header, i) {
                        Some(s) => {
                            let scheme = v.split_once(' ').map_or("", |(scheme, _)| scheme);
                            format!(
                                "{scheme} {}",
                                names.name(s.kind, format!("{:016x}", s.fingerprint))
                            )
                        }
                        None => names.ports(v),
                    };
                    (k.clone(), shown.trim().to_owned())
                })
                .collect();
            headers.sort();
            let form = e
                .form
                .iter()
                .enumerate()
                .map(|(i, (k, v))| (k.clone(), names.value(k, v, secret(Section::Form, i))))
                .collect();
            let json = e.json.as_ref().map(|body| {
                let mut seen = 0;
                names.json(body, "", &|index| secret(Section::Json, index), &mut seen)
            });
            SnapshotEntry {
                method: e.method.clone(),
                path: e.path.clone(),
                query,
                headers,
                form,
                json,
                status: e.status,
                location: e.location.as_deref().map(|l| names.location(l, &e.secrets)),
            }
        })
        .collect()
}
