//! The request journal: every request the mock received, readable and clearable by tests
//! (behaviour.md §11).
//!
//! Bounded: a ring buffer of the most recent requests (1,000 by default) holding at most 4 MiB
//! (by default) of recorded text, so neither a long run nor a flood of huge requests can grow it
//! without limit; a header value, query or form field or JSON string longer than
//! [`MAX_VALUE_BYTES`] is cut there and ends with a `…[truncated, N bytes]` marker. Credentials
//! are redacted before an entry is stored: `Authorization`, `Cookie` and `Proxy-Authorization`
//! headers keep only their scheme, and the values of `client_secret`, `refresh_token`,
//! `access_token`, `token`, `code`, `code_verifier` and `password` become `[redacted]` — in a
//! form, a query, at any depth of a JSON body, and (a code) in the authorize redirect's
//! `Location`: authorization codes too, since whoever reads a code first can redeem it.
//!
//! A form body is recorded as its fields (`form`), a JSON body as the JSON it is (`json`, nested
//! objects and arrays included); other bodies are not recorded (their `content-type` header is).

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;

use crate::clock::UnixSeconds;

mod snapshot;
use crate::token::Inspection;
pub use snapshot::SnapshotEntry;
pub(crate) use snapshot::snapshot;

/// Default number of entries kept.
pub const DEFAULT_CAPACITY: usize = 1_000;

/// Default bound of the recorded text, in bytes (4 MiB).
pub const DEFAULT_MAX_BYTES: usize = 4 * 1024 * 1024;

/// The longest value recorded in full (header, query or form field, JSON string); longer ones
/// are cut.
pub const MAX_VALUE_BYTES: usize = 4 * 1024;

/// Parameter names whose values are never stored.
pub const SECRET_PARAMS: &[&str] = &[
    "client_secret",
    "refresh_token",
    "access_token",
    "token",
    "code",
    "code_verifier",
    "password",
    // An alert source's, pipeline's or heartbeat's integration key authenticates ingestion by
    // itself, and a connector's or alert action's third-party key (Datadog `apiKey`) is a
    // credential of another service.
    "integrationKey",
    "apiKey",
];

/// Path prefixes whose next segments end in an integration key: the Events and deployment
/// events `integrationUrl`s (`{prefix}/{type}/{key}`), heartbeat pings and series
/// (`{prefix}/{key}`); with how many segments follow the prefix.
const KEYED_PATHS: &[(&str, usize)] = &[
    ("/api/v1/events/", 2),
    ("/api/v1/deployment-events/", 2),
    ("/api/heartbeats/", 1),
    ("/api/series/", 1),
];

/// A path whose last segment is an integration key, with the key redacted, and the key; `None`
/// for any other path. The journal and the log lines both show paths through this.
pub(crate) fn redact_key_path(path: &str) -> Option<(String, String)> {
    KEYED_PATHS.iter().find_map(|(prefix, segments)| {
        let rest = path.strip_prefix(prefix)?;
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() != *segments || parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        let key = parts[segments - 1].to_owned();
        let head = &path[..path.len() - key.len()];
        Some((format!("{head}{REDACTED}"), key))
    })
}

/// Header names whose values are never stored past the auth scheme.
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// The placeholder for a redacted value.
pub const REDACTED: &str = "[redacted]";

/// One recorded request and the status it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Running number, starting at 1.
    pub seq: u64,
    /// Mock clock time when the request arrived.
    pub time: UnixSeconds,
    /// HTTP method.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Query parameters, secrets redacted.
    pub query: Vec<(String, String)>,
    /// Request headers, credentials redacted.
    pub headers: Vec<(String, String)>,
    /// Form body fields, secrets redacted (empty for other bodies).
    pub form: Vec<(String, String)>,
    /// A JSON body as sent, secrets redacted at any depth (absent for other bodies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    /// Response status.
    pub status: u16,
    /// Response `Location`, if any, with a `code` in its query redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Time spent answering, in milliseconds.
    pub duration_ms: u64,
    /// Response headers, credentials redacted (empty when the entry was made without them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// The JSON answer of an OAuth endpoint, or of any request answered with an error, secrets
    /// redacted at any depth (absent for other answers: a resource list can be large, and the
    /// store shows what it holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    /// The JWTs the exchange carried (a bearer header, a form field, a token in the answer),
    /// decoded and judged by the mock's keys at the request's time; a refresh token's grant key
    /// (`il_k`) is redacted, since with the public development secret it would make the token.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<SeenToken>,
    /// Where the redacted values were and who they were, by fingerprint (never shown; the
    /// snapshot view numbers them so the same token reads the same each time it appears).
    #[serde(skip)]
    pub secrets: Vec<Secret>,
}

/// A JWT seen in an exchange: where it was and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeenToken {
    /// Where: `request header authorization`, `request form refresh_token`,
    /// `response access_token`, …
    pub place: String,
    /// Its header, claims and the mock's verdict at the request's time.
    #[serde(flatten)]
    pub token: Inspection,
}

/// Most decoded tokens remembered by fingerprint, so an app's many calls with one access token
/// decode and verify it once.
const DECODED_CAPACITY: usize = 256;

/// Which list of an [`Entry`] a redacted value sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `query`.
    Query,
    /// `headers`.
    Header,
    /// `form`.
    Form,
    /// `json`: `index` counts the redacted values in document order.
    Json,
    /// The query of `location` (the index counts its non-empty `name=value` pieces).
    Location,
    /// The integration key that ends `path` (index 0).
    Path,
}

/// A redacted value: its place, its kind and a keyed fingerprint of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    /// The list.
    pub section: Section,
    /// The index in that list.
    pub index: usize,
    /// What it is: `access_token`, `refresh_token`, `client_secret`, `code_verifier`, …
    pub kind: &'static str,
    /// First 8 bytes of SHA-256(per-journal random key ‖ value): equal values, equal prints;
    /// nothing about the value can be learnt from it.
    pub fingerprint: u64,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("section", &self.section)
            .field("index", &self.index)
            .field("kind", &self.kind)
            .finish()
    }
}

/// Redacts a header value, keeping only an auth scheme.
pub(crate) fn redact_header(name: &str, value: &str) -> String {
    // Compared without case and without a lowered copy: this runs for every header recorded.
    if SECRET_HEADERS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
    {
        match value.split_once(' ') {
            Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => format!("{scheme} {REDACTED}"),
            _ => REDACTED.to_owned(),
        }
    } else {
        value.to_owned()
    }
}

#[derive(Debug)]
struct Ring {
    /// Entries and their sizes in bytes.
    entries: VecDeque<(Entry, usize)>,
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    next_seq: u64,
}

/// Cuts `value` to at most [`MAX_VALUE_BYTES`] (on a character boundary) and marks the cut with
/// the original length.
pub(crate) fn truncate_value(value: &mut String) {
    if value.len() <= MAX_VALUE_BYTES {
        return;
    }
    let total = value.len();
    let mut cut = MAX_VALUE_BYTES;
    while !value.is_char_boundary(cut) {
        cut -= 1;
    }
    value.truncate(cut);
    value.push_str(&format!("…[truncated, {total} bytes]"));
}

/// Cuts every long string of a JSON value; returns the bytes its text takes, roughly.
fn truncate_json(value: &mut Value) -> usize {
    cut_long_strings(value);
    json_text_len(value)
}

/// Cuts every string of `value` longer than [`truncate_value`] keeps.
fn cut_long_strings(value: &mut Value) {
    match value {
        Value::String(text) => truncate_value(text),
        Value::Array(items) => items.iter_mut().for_each(cut_long_strings),
        Value::Object(map) => map.values_mut().for_each(cut_long_strings),
        _ => {}
    }
}

/// Whether some string of `value` is longer than [`truncate_value`] keeps.
fn has_long_string(value: &Value) -> bool {
    match value {
        Value::String(text) => text.len() > MAX_VALUE_BYTES,
        Value::Array(items) => items.iter().any(has_long_string),
        Value::Object(map) => map.values().any(has_long_string),
        _ => false,
    }
}

/// [`truncate_json`] of a value shared with the journal's cache of decoded tokens: copied only
/// when something in it is cut.
fn truncate_shared(value: &mut std::sync::Arc<Value>) -> usize {
    if has_long_string(value) {
        cut_long_strings(std::sync::Arc::make_mut(value));
    }
    json_text_len(value)
}

/// The bytes `value`'s text takes, roughly (numbers and literals as written).
fn json_text_len(value: &Value) -> usize {
    match value {
        Value::String(text) => text.len() + 2,
        Value::Array(items) => items.iter().map(json_text_len).sum::<usize>() + 2,
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| k.len() + 4 + json_text_len(v))
            .sum::<usize>()
            .saturating_add(2),
        other => other.to_string().len(),
    }
}

impl Entry {
    /// Cuts every long value (see [`truncate_value`]) and returns what the entry costs in
    /// memory, roughly: its text plus a little per field.
    fn truncate_and_size(&mut self) -> usize {
        truncate_value(&mut self.path);
        if let Some(location) = &mut self.location {
            truncate_value(location);
        }
        let mut text = self.method.len() + self.path.len() + self.location.as_ref().map_or(0, String::len);
        let mut fields = self.secrets.len();
        for (name, value) in self
            .query
            .iter_mut()
            .chain(&mut self.headers)
            .chain(&mut self.form)
            .chain(&mut self.response_headers)
        {
            truncate_value(name);
            truncate_value(value);
            text += name.len() + value.len();
            fields += 1;
        }
        if let Some(json) = &mut self.json {
            text += truncate_json(json);
        }
        if let Some(json) = &mut self.response {
            text += truncate_json(json);
        }
        for seen in &mut self.tokens {
            text += seen.place.len()
                + truncate_shared(&mut seen.token.header)
                + truncate_shared(&mut seen.token.claims);
            fields += 4;
        }
        128 + text + 48 * fields
    }
}

/// The journal shared by the server and the embedded API.
pub struct Journal {
    ring: Mutex<Ring>,
    key: [u8; 32],
    /// Tokens decoded and judged at the dawn of time (signature and shape only), by fingerprint.
    decoded: Mutex<std::collections::HashMap<u64, Option<Inspection>>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("len", &self.len()).finish()
    }
}

/// The kind of a bearer-like value: a JWT's `alg` tells ilert's access (RS256) from refresh
/// (HS256) tokens.
fn token_kind(value: &str, fallback: &'static str) -> &'static str {
    // The headers the mock itself writes (behaviour.md §4), base64url: most tokens a journal sees are
    // its own, and comparing a prefix spares decoding the whole token on every API call.
    const ACCESS_HEADER: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.";
    const REFRESH_HEADER: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.";
    if value.starts_with(ACCESS_HEADER) {
        return "access_token";
    }
    if value.starts_with(REFRESH_HEADER) {
        return "refresh_token";
    }
    match crate::token::decode_unverified(value).map(|(h, _)| h["alg"].as_str().map(str::to_owned)) {
        Some(Some(alg)) if alg == "RS256" => "access_token",
        Some(Some(alg)) if alg == "HS256" => "refresh_token",
        _ => fallback,
    }
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only entries whose path equals this, or starts with it when it ends with `*`.
    pub path: Option<String>,
    /// At most this many, the most recent.
    pub limit: Option<usize>,
}

impl Journal {
    /// A journal keeping at most `capacity` entries (at least 1) and [`DEFAULT_MAX_BYTES`].
    #[cfg(test)]
    pub(crate) fn new(capacity: usize) -> Self {
        Self::with_limits(capacity, DEFAULT_MAX_BYTES)
    }

    /// A journal keeping at most `capacity` entries (at least 1) and `max_bytes` of recorded
    /// text; the newest entry is always kept, whatever its size (its values are cut to
    /// `MAX_VALUE_BYTES` each).
    pub(crate) fn with_limits(capacity: usize, max_bytes: usize) -> Self {
        Self {
            ring: Mutex::new(Ring {
                entries: VecDeque::new(),
                capacity: capacity.max(1),
                max_bytes,
                bytes: 0,
                next_seq: 1,
            }),
            key: rand::random(),
            decoded: Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// `token` decoded and judged at `now`: `inspect` (the keys' verdict on signature and shape,
    /// whatever the time) runs once per distinct token, the expiry is applied here. `None` for
    /// text that is no JWT.
    pub(crate) fn decode_token(
        &self,
        token: &str,
        now: UnixSeconds,
        inspect: impl FnOnce(&str) -> Option<Inspection>,
    ) -> Option<Inspection> {
        let print = self.fingerprint(token);
        let cached = self.decoded.lock().get(&print).cloned();
        let timeless = match cached {
            Some(found) => found,
            None => {
                let found = inspect(token);
                let mut decoded = self.decoded.lock();
                if decoded.len() >= DECODED_CAPACITY {
                    decoded.clear();
                }
                decoded.insert(print, found.clone());
                found
            }
        }?;
        Some(timeless.at(now))
    }

    /// The keyed fingerprint of `value` that the journal's redacted values carry (first 8 bytes
    /// of SHA-256(per-journal random key ‖ value)): equal values give equal prints, and nothing
    /// about the value can be learnt from one. The audit keeps these instead of codes, tokens and
    /// `state` values.
    pub(crate) fn fingerprint(&self, value: &str) -> u64 {
        use sha2::Digest as _;
        let digest = sha2::Sha256::new()
            .chain_update(self.key)
            .chain_update(value.as_bytes())
            .finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }

    /// Redacts an integration key that ends `path` (`redact_key_path`), noting whose it was.
    pub(crate) fn redact_path(&self, path: &str) -> (String, Vec<Secret>) {
        match redact_key_path(path) {
            Some((shown, key)) => (
                shown,
                vec![Secret {
                    section: Section::Path,
                    index: 0,
                    kind: "integrationKey",
                    fingerprint: self.fingerprint(&key),
                }],
            ),
            None => (path.to_owned(), Vec::new()),
        }
    }

    /// Redacts secret parameters, noting who they were.
    pub(crate) fn redact_params(
        &self,
        section: Section,
        pairs: &[(String, String)],
    ) -> (Vec<(String, String)>, Vec<Secret>) {
        let mut secrets = Vec::new();
        let shown = pairs
            .iter()
            .enumerate()
            .map(|(index, (k, v))| {
                let Some(kind) = SECRET_PARAMS.iter().find(|p| **p == k.as_str()).copied() else {
                    return (k.clone(), v.clone());
                };
                let kind = if kind == "token" {
                    token_kind(v, "token")
                } else {
                    kind
                };
                secrets.push(Secret {
                    section,
                    index,
                    kind,
                    fingerprint: self.fingerprint(v),
                });
                (k.clone(), REDACTED.to_owned())
            })
            .collect();
        (shown, secrets)
    }

    /// Redacts secret fields at any depth of a JSON body, noting who they were (numbered in
    /// document order).
    pub(crate) fn redact_json(&self, mut value: Value) -> (Value, Vec<Secret>) {
        let mut secrets = Vec::new();
        self.redact_json_in(&mut value, &mut secrets, SECRET_PARAMS);
        (value, secrets)
    }

    /// Redacts secret fields at any depth of a JSON answer: those of a request but `code`,
    /// which in an answer is an error code (`{"code": "invalid_grant"}`); no answer carries an
    /// authorization code in its body (it travels in the redirect's `Location`).
    pub(crate) fn redact_answer(&self, mut value: Value) -> Value {
        let mut secrets = Vec::new();
        let names: Vec<&str> = SECRET_PARAMS.iter().copied().filter(|p| *p != "code").collect();
        self.redact_json_in(&mut value, &mut secrets, &names);
        value
    }

    fn redact_json_in(&self, value: &mut Value, secrets: &mut Vec<Secret>, names: &[&'static str]) {
        match value {
            Value::Object(map) => {
                for (key, field) in map.iter_mut() {
                    match names.iter().find(|p| **p == key.as_str()).copied() {
                        Some(kind) if !field.is_null() => {
                            let text = field.as_str().map_or_else(|| field.to_string(), str::to_owned);
                            let kind = if kind == "token" {
                                token_kind(&text, "token")
                            } else {
                                kind
                            };
                            secrets.push(Secret {
                                section: Section::Json,
                                index: secrets.len(),
                                kind,
                                fingerprint: self.fingerprint(&text),
                            });
                            *field = Value::String(REDACTED.to_owned());
                        }
                        _ => self.redact_json_in(field, secrets, names),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.redact_json_in(item, secrets, names);
                }
            }
            _ => {}
        }
    }

    /// Redacts the values of secret parameters (a `code` above all) in the query of a response's
    /// `Location`, keeping the rest of it byte for byte, and notes who they were.
    pub(crate) fn redact_location(&self, location: &str) -> (String, Vec<Secret>) {
        let Some((head, rest)) = location.split_once('?') else {
            return (location.to_owned(), Vec::new());
        };
        let (query, fragment) = match rest.split_once('#') {
            Some((q, f)) => (q, Some(f)),
            None => (rest, None),
        };
        let mut secrets = Vec::new();
        let mut index = 0;
        let pieces: Vec<String> = query
            .split('&')
            .map(|piece| {
                if piece.is_empty() {
                    return String::new();
                }
                let here = index;
                index += 1;
                let Some(((name, value), (raw_name, _))) = form_urlencoded::parse(piece.as_bytes())
                    .next()
                    .zip(piece.split_once('='))
                else {
                    return piece.to_owned();
                };
                match SECRET_PARAMS.iter().find(|p| **p == name.as_ref()) {
                    Some(kind) => {
                        secrets.push(Secret {
                            section: Section::Location,
                            index: here,
                            kind,
                            fingerprint: self.fingerprint(&value),
                        });
                        format!("{raw_name}={REDACTED}")
                    }
                    None => piece.to_owned(),
                }
            })
            .collect();
        let mut shown = format!("{head}?{}", pieces.join("&"));
        if let Some(f) = fragment {
            shown.push('#');
            shown.push_str(f);
        }
        (shown, secrets)
    }

    /// Redacts credential headers, noting who they were.
    pub(crate) fn redact_headers<K: AsRef<str>, V: AsRef<str>>(
        &self,
        headers: &[(K, V)],
    ) -> (Vec<(String, String)>, Vec<Secret>) {
        let mut secrets = Vec::new();
        let shown = headers
            .iter()
            .enumerate()
            .map(|(index, (k, v))| {
                let (k, v) = (k.as_ref(), v.as_ref());
                let shown = redact_header(k, v);
                if shown != *v {
                    let kind = match v.split_once(' ') {
                        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => {
                            token_kind(rest.trim(), "bearer_token")
                        }
                        Some((scheme, _)) if scheme.eq_ignore_ascii_case("basic") => "client_credentials",
                        _ => "credential",
                    };
                    secrets.push(Secret {
                        section: Section::Header,
                        index,
                        kind,
                        fingerprint: self.fingerprint(v),
                    });
                }
                (k.to_owned(), shown)
            })
            .collect();
        (shown, secrets)
    }

    /// The entries (filtered) normalised for snapshot tests; see `snapshot`.
    pub fn snapshot(&self, filter: &Filter) -> Vec<SnapshotEntry> {
        snapshot(&self.entries(filter))
    }

    /// Records an entry (its long values cut), numbering it and dropping the oldest entries
    /// beyond the count or byte bound; returns its number.
    pub(crate) fn record(&self, mut entry: Entry) -> u64 {
        let size = entry.truncate_and_size();
        let mut ring = self.ring.lock();
        let seq = ring.next_seq;
        entry.seq = seq;
        ring.next_seq += 1;
        ring.entries.push_back((entry, size));
        ring.bytes += size;
        while ring.entries.len() > 1 && (ring.entries.len() > ring.capacity || ring.bytes > ring.max_bytes) {
            if let Some((_, dropped)) = ring.entries.pop_front() {
                ring.bytes -= dropped;
            }
        }
        seq
    }

    /// Entries in arrival order, filtered.
    pub fn entries(&self, filter: &Filter) -> Vec<Entry> {
        let ring = self.ring.lock();
        let matching: Vec<&Entry> = ring
            .entries
            .iter()
            .map(|(e, _)| e)
            .filter(|e| match filter.path.as_deref() {
                None => true,
                Some(p) => match p.strip_suffix('*') {
                    Some(prefix) => e.path.starts_with(prefix),
                    None => e.path == p,
                },
            })
            .collect();
        let skip = filter
            .limit
            .map_or(0, |limit| matching.len().saturating_sub(limit));
        matching.into_iter().skip(skip).cloned().collect()
    }

    /// The entry numbered `seq`, while it is kept.
    pub fn get(&self, seq: u64) -> Option<Entry> {
        let ring = self.ring.lock();
        // Numbers rise with position, so the ring is sorted by them.
        let at = ring.entries.binary_search_by_key(&seq, |(e, _)| e.seq).ok()?;
        ring.entries.get(at).map(|(e, _)| e.clone())
    }

    /// The number the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.ring.lock().next_seq
    }

    /// Every entry, in arrival order.
    pub fn all(&self) -> Vec<Entry> {
        self.entries(&Filter::default())
    }

    /// Forgets every entry (numbering goes on) and the tokens decoded for them.
    pub fn clear(&self) {
        let mut ring = self.ring.lock();
        ring.entries.clear();
        ring.bytes = 0;
        drop(ring);
        self.decoded.lock().clear();
    }

    /// Number of entries kept.
    pub fn len(&self) -> usize {
        self.ring.lock().entries.len()
    }

    /// Whether the journal is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry {
        Entry {
            seq: 0,
            time: 0,
            method: "GET".into(),
            path: path.into(),
            query: vec![],
            headers: vec![],
            form: vec![],
            json: None,
            status: 200,
            location: None,
            duration_ms: 0,
            response_headers: vec![],
            response: None,
            tokens: vec![],
            secrets: vec![],
        }
    }

    #[test]
    fn snapshot_keeps_identity_and_hides_values() {
        let j = Journal::new(10);
        let pairs = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        let (form, secrets) = j.redact_params(
            Section::Form,
            &pairs(&[("client_secret", "s1"), ("refresh_token", "r1"), ("code", "c1")]),
        );
        let mut a = entry("/token");
        (a.form, a.secrets) = (form, secrets);
        let (form, secrets) = j.redact_params(
            Section::Form,
            &pairs(&[("client_secret", "s1"), ("refresh_token", "r2"), ("code", "c1")]),
        );
        let mut b = entry("/token");
        (b.form, b.secrets) = (form, secrets);
        let mut c = entry("/authorize");
        let (location, secrets) = j.redact_location("http://localhost:41234/cb?code=c1&state=xyz");
        assert_eq!(location, "http://localhost:41234/cb?code=[redacted]&state=xyz");
        (c.location, c.secrets) = (Some(location), secrets);
        let snap = snapshot(&[a, b, c]);
        let text = serde_json::to_string(&snap).expect("json");
        assert!(
            !text.contains("s1") && !text.contains("r1") && !text.contains("c1"),
            "{text}"
        );
        assert_eq!(snap[0].form[0].1, "<client_secret#1>");
        assert_eq!(snap[1].form[0].1, "<client_secret#1>");
        assert_eq!(snap[0].form[1].1, "<refresh_token#1>");
        assert_eq!(snap[1].form[1].1, "<refresh_token#2>");
        assert_eq!(snap[1].form[2].1, "<code#1>");
        assert_eq!(
            snap[2].location.as_deref(),
            Some("http://localhost:<port#1>/cb?code=<code#1>&state=<state#1>")
        );
    }

    #[test]
    fn ring_is_bounded_and_numbered() {
        let j = Journal::new(3);
        for i in 0..5 {
            j.record(entry(&format!("/p{i}")));
        }
        let all = j.all();
        assert_eq!(all.len(), 3);
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
        j.clear();
        assert!(j.is_empty());
    }

    #[test]
    fn filters_by_path_and_limit() {
        let j = Journal::new(10);
        for p in ["/a", "/api/x", "/api/y", "/a"] {
            j.record(entry(p));
        }
        assert_eq!(
            j.entries(&Filter {
                path: Some("/a".into()),
                limit: None
            })
            .len(),
            2
        );
        assert_eq!(
            j.entries(&Filter {
                path: Some("/api/*".into()),
                limit: None
            })
            .len(),
            2
        );
        let last = j.entries(&Filter {
            path: None,
            limit: Some(1),
        });
        assert_eq!(last[0].seq, 4);
    }

    #[test]
    fn redaction() {
        assert_eq!(redact_header("Authorization", "Bearer abc"), "Bearer [redacted]");
        assert_eq!(redact_header("cookie", "a=b"), "[redacted]");
        assert_eq!(redact_header("content-type", "x"), "x");
    }

    #[test]
    fn json_bodies_keep_their_shape_and_lose_their_secrets() {
        let j = Journal::new(10);
        let body = serde_json::json!({
            "name": "Checkout",
            "escalationPolicy": {"id": 1501},
            "teams": [{"id": 1}, {"id": 2}],
            "nested": {"client_secret": "s1", "deeper": [{"refresh_token": "r1"}]},
            "callback": "http://localhost:41234/cb",
            "code": "c1"
        });
        let (json, secrets) = j.redact_json(body);
        assert_eq!(json["escalationPolicy"]["id"], 1501);
        assert_eq!(json["teams"][1]["id"], 2);
        assert_eq!(json["nested"]["client_secret"], REDACTED);
        assert_eq!(json["nested"]["deeper"][0]["refresh_token"], REDACTED);
        assert_eq!(json["code"], REDACTED);
        assert_eq!(secrets.len(), 3);
        let mut e = entry("/api/alert-sources");
        (e.json, e.secrets) = (Some(json), secrets);
        let snap = snapshot(&[e.clone(), e]);
        let first = snap[0].json.as_ref().expect("json");
        assert_eq!(first["nested"]["client_secret"], "<client_secret#1>");
        assert_eq!(first["nested"]["deeper"][0]["refresh_token"], "<refresh_token#1>");
        assert_eq!(first["code"], "<code#1>");
        assert_eq!(first["callback"], "http://localhost:<port#1>/cb");
        assert_eq!(snap[0].json, snap[1].json);
        let text = serde_json::to_string(&snap).expect("json");
        assert!(
            !text.contains("s1") && !text.contains("r1") && !text.contains("c1"),
            "{text}"
        );
    }

    #[test]
    fn location_redaction_keeps_the_rest_byte_for_byte() {
        let j = Journal::new(10);
        let (shown, secrets) =
            j.redact_location("https://app.example/cb?a=%20x+y&&code=abc%2B1&flag&state=s#frag");
        assert_eq!(
            shown,
            "https://app.example/cb?a=%20x+y&&code=[redacted]&flag&state=s#frag"
        );
        assert_eq!(secrets.len(), 1);
        assert_eq!(
            (secrets[0].section, secrets[0].index, secrets[0].kind),
            (Section::Location, 1, "code")
        );
        assert_eq!(secrets[0].fingerprint, j.fingerprint("abc+1"));
        let (unchanged, none) = j.redact_location("http://localhost:4597/cb?error=access_denied");
        assert_eq!(unchanged, "http://localhost:4597/cb?error=access_denied");
        assert!(none.is_empty());
    }

    #[test]
    fn long_values_are_cut_with_a_marker() {
        let mut v = "é".repeat(MAX_VALUE_BYTES);
        truncate_value(&mut v);
        assert!(v.len() < MAX_VALUE_BYTES + 40, "{}", v.len());
        assert!(
            v.ends_with(&format!("…[truncated, {} bytes]", 2 * MAX_VALUE_BYTES)),
            "{v}"
        );
        let mut short = "x".repeat(MAX_VALUE_BYTES);
        truncate_value(&mut short);
        assert_eq!(short.len(), MAX_VALUE_BYTES);
        let mut json = serde_json::json!({"a": [{"b": "y".repeat(3 * MAX_VALUE_BYTES)}], "n": 1});
        let size = truncate_json(&mut json);
        assert!(size < MAX_VALUE_BYTES + 100, "{size}");
        let cut = json["a"][0]["b"].as_str().expect("string");
        assert!(
            cut.ends_with(&format!("…[truncated, {} bytes]", 3 * MAX_VALUE_BYTES)),
            "{cut}"
        );
    }

    #[test]
    fn the_ring_is_bounded_in_bytes_and_keeps_the_newest() {
        let j = Journal::with_limits(100, 64 * 1024);
        for i in 0..40 {
            let mut e = entry(&format!("/p{i}"));
            e.headers = vec![("x-big".into(), "x".repeat(100 * 1024))];
            j.record(e);
        }
        let all = j.all();
        let kept: usize = all.iter().map(|e| e.clone().truncate_and_size()).sum();
        assert!(kept <= 64 * 1024, "{kept} bytes kept");
        assert!(all.len() > 1 && all.len() < 40, "{} entries", all.len());
        assert_eq!(all.last().map(|e| e.seq), Some(40));
        assert!(all[0].headers[0].1.ends_with("[truncated, 102400 bytes]"));
        let tiny = Journal::with_limits(100, 1);
        tiny.record(entry("/a"));
        tiny.record(entry("/b"));
        assert_eq!(
            tiny.all().iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
            ["/b"]
        );
        tiny.clear();
        assert!(tiny.is_empty());
    }
}
