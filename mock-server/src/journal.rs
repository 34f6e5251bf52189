//! The request journal: every request the mock received, readable and clearable by tests
//! (SPEC §11).
//!
//! Bounded: a ring buffer of the most recent requests (1,000 by default), so a long run cannot
//! grow without limit. Credentials are redacted before an entry is stored: `Authorization`,
//! `Cookie` and `Proxy-Authorization` headers keep only their scheme, and the values of
//! `client_secret`, `refresh_token`, `access_token`, `token`, `code_verifier` and `password`
//! become `[redacted]`.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;

use crate::clock::UnixSeconds;

/// Default number of entries kept.
pub const DEFAULT_CAPACITY: usize = 1_000;

/// Parameter names whose values are never stored.
pub const SECRET_PARAMS: &[&str] = &[
    "client_secret",
    "refresh_token",
    "access_token",
    "token",
    "code_verifier",
    "password",
];

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
    /// Form or JSON body fields, secrets redacted (empty for other bodies).
    pub form: Vec<(String, String)>,
    /// Response status.
    pub status: u16,
    /// Response `Location`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Time spent answering, in milliseconds.
    pub duration_ms: u64,
}

/// Redacts a header value, keeping only an auth scheme.
pub fn redact_header(name: &str, value: &str) -> String {
    if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        match value.split_once(' ') {
            Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => format!("{scheme} {REDACTED}"),
            _ => REDACTED.to_owned(),
        }
    } else {
        value.to_owned()
    }
}

/// Redacts parameter values whose names are secret.
pub fn redact_params(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| {
            let value = if SECRET_PARAMS.contains(&k.as_str()) {
                REDACTED.to_owned()
            } else {
                v.clone()
            };
            (k.clone(), value)
        })
        .collect()
}

#[derive(Debug)]
struct Ring {
    entries: VecDeque<Entry>,
    capacity: usize,
    next_seq: u64,
}

/// The journal shared by the server and the embedded API.
#[derive(Debug)]
pub struct Journal {
    ring: Mutex<Ring>,
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
    /// A journal keeping at most `capacity` entries (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            ring: Mutex::new(Ring {
                entries: VecDeque::new(),
                capacity: capacity.max(1),
                next_seq: 1,
            }),
        }
    }

    /// Records an entry, numbering it and dropping the oldest beyond capacity.
    pub fn record(&self, mut entry: Entry) {
        let mut ring = self.ring.lock();
        entry.seq = ring.next_seq;
        ring.next_seq += 1;
        if ring.entries.len() == ring.capacity {
            ring.entries.pop_front();
        }
        ring.entries.push_back(entry);
    }

    /// Entries in arrival order, filtered.
    pub fn entries(&self, filter: &Filter) -> Vec<Entry> {
        let ring = self.ring.lock();
        let matching: Vec<&Entry> = ring
            .entries
            .iter()
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

    /// Every entry, in arrival order.
    pub fn all(&self) -> Vec<Entry> {
        self.entries(&Filter::default())
    }

    /// Forgets every entry (numbering goes on).
    pub fn clear(&self) {
        self.ring.lock().entries.clear();
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
            status: 200,
            location: None,
            duration_ms: 0,
        }
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
        let pairs = vec![
            ("client_secret".to_owned(), "s".to_owned()),
            ("code".to_owned(), "c".to_owned()),
        ];
        assert_eq!(redact_params(&pairs)[0].1, REDACTED);
        assert_eq!(redact_params(&pairs)[1].1, "c");
    }
}
