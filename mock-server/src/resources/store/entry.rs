//! How the store holds one entity: as values, read by reference, or as its JSON text (the
//! packed collections), read by parsing. The text is what `serde_json` wrote from the values,
//! so parsing it gives them back field for field and in order.
//!
//! Either way the entity is shared ([`Arc`]) and never changed in place (a change takes it out
//! and files a new one), so a copy of a collection's slots costs a count per entity, not the
//! entities: a compaction takes one under the store's lock and writes it on the writer's thread
//! ([`super::EntityStore::capture`]).

use std::borrow::Cow;
use std::sync::Arc;

use serde::ser::SerializeStruct as _;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Entity, Stored};

/// One entity as the store holds it.
#[derive(Debug, Clone)]
pub(super) enum Slot {
    /// As values.
    Values(Arc<Stored>),
    /// As the JSON text of its body (always an object).
    Text {
        parent: Option<i64>,
        body: Arc<RawValue>,
    },
}

impl Slot {
    /// `stored`, as text when `packed`.
    pub(super) fn new(stored: Stored, packed: bool) -> Self {
        if packed {
            // Writing a map with string keys to memory does not fail; were it to, the entity
            // stays values.
            if let Ok(body) = serde_json::value::to_raw_value(&stored.body) {
                return Slot::text(stored.parent, body);
            }
        }
        Slot::Values(Arc::new(stored))
    }

    /// The text `body` (a JSON object) as held.
    pub(super) fn text(parent: Option<i64>, body: Box<RawValue>) -> Self {
        Slot::Text {
            parent,
            body: Arc::from(body),
        }
    }

    pub(super) fn entry(&self) -> Entry<'_> {
        match self {
            Slot::Values(stored) => Entry::Values(stored),
            Slot::Text { parent, body } => Entry::Text {
                parent: *parent,
                body,
            },
        }
    }

    pub(super) fn parent(&self) -> Option<i64> {
        self.entry().parent()
    }

    /// The entity as values (parsed from its text where packed; copied only while a capture
    /// still shares it).
    pub(super) fn into_stored(self) -> Stored {
        match self {
            Slot::Values(stored) => Arc::unwrap_or_clone(stored),
            Slot::Text { parent, body } => Stored {
                parent,
                body: parse(&body),
            },
        }
    }
}

impl PartialEq for Slot {
    fn eq(&self, other: &Self) -> bool {
        self.entry().stored() == other.entry().stored()
    }
}

impl Serialize for Slot {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.entry().serialize(serializer)
    }
}

/// A slot as the state file has it: `parent` and `body`, the body kept as text until the store
/// knows whether its collection is packed.
#[derive(Deserialize)]
struct SlotFile {
    #[serde(default)]
    parent: Option<i64>,
    body: Box<RawValue>,
}

impl<'de> Deserialize<'de> for Slot {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let SlotFile { parent, body } = SlotFile::deserialize(deserializer)?;
        // A raw value is valid JSON, so one that starts with `{` is an object; anything else is
        // refused here, as a typed body would have been.
        if !body.get().starts_with('{') {
            return Err(serde::de::Error::custom(format!(
                "invalid type: {}, expected a JSON object as an entity's body",
                kind(body.get())
            )));
        }
        Ok(Slot::text(parent, body))
    }
}

fn kind(text: &str) -> &'static str {
    match text.as_bytes().first() {
        Some(b'[') => "sequence",
        Some(b'"') => "string",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ => "number",
    }
}

/// An entity as the store holds it, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    /// Held as values.
    Values(&'a Stored),
    /// Held as JSON text (a packed collection).
    Text {
        /// The owning entity's id.
        parent: Option<i64>,
        /// The body's JSON text (an object, `id` first).
        body: &'a RawValue,
    },
}

impl<'a> Entry<'a> {
    /// The owning entity's id.
    pub fn parent(&self) -> Option<i64> {
        match self {
            Entry::Values(stored) => stored.parent,
            Entry::Text { parent, .. } => *parent,
        }
    }

    /// The entity as values: borrowed, or parsed from its text.
    pub fn stored(self) -> Cow<'a, Stored> {
        match self {
            Entry::Values(stored) => Cow::Borrowed(stored),
            Entry::Text { parent, body } => Cow::Owned(Stored {
                parent,
                body: parse(body),
            }),
        }
    }

    /// The body as values: borrowed, or parsed from its text.
    pub fn body(self) -> Cow<'a, Entity> {
        match self {
            Entry::Values(stored) => Cow::Borrowed(&stored.body),
            Entry::Text { body, .. } => Cow::Owned(parse(body)),
        }
    }

    /// The length in bytes of the body's JSON text: read off the text, or counted while its
    /// values are written out (nothing is kept). The store's budget measures the store with it
    /// (`crate::resources::budget`), so a packed entity costs no parse.
    pub fn json_len(self) -> usize {
        match self {
            Entry::Values(stored) => {
                let mut counted = Counted(0);
                // Writing values to a counter cannot fail: it takes every byte.
                let _ = serde_json::to_writer(&mut counted, &stored.body);
                counted.0
            }
            Entry::Text { body, .. } => body.get().len(),
        }
    }

    /// The body's JSON text: borrowed, or written from its values.
    pub fn text(self) -> Cow<'a, str> {
        match self {
            Entry::Values(stored) => Cow::Owned(serde_json::to_string(&stored.body).unwrap_or_default()),
            Entry::Text { body, .. } => Cow::Borrowed(body.get()),
        }
    }
}

impl Serialize for Entry<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parent = self.parent();
        let mut out = serializer.serialize_struct("Stored", 1 + usize::from(parent.is_some()))?;
        if let Some(parent) = parent {
            out.serialize_field("parent", &parent)?;
        } else {
            out.skip_field("parent")?;
        }
        match self {
            Entry::Values(stored) => out.serialize_field("body", &stored.body)?,
            Entry::Text { body, .. } => out.serialize_field("body", body)?,
        }
        out.end()
    }
}

/// A writer that keeps only the count of the bytes written to it.
struct Counted(usize);

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The values of a body the store wrote as text. The store only holds text it wrote from a
/// map, or read from a state file and checked to be an object, so this does not fail; were it
/// to, the entity reads as empty and the error is logged rather than the request failing.
fn parse(body: &RawValue) -> Entity {
    serde_json::from_str(body.get()).unwrap_or_else(|error| {
        tracing::error!(%error, "a stored entity's text did not parse back");
        Entity::new()
    })
}

/// The fields of a compact JSON object's text named in `wanted`, parsed (the others are
/// skipped unread); `None` for text that is not a compact object.
pub(super) fn compact_subset(text: &str, wanted: &[&str]) -> Option<Entity> {
    let mut out = Entity::new();
    compact_each(text, |quoted, raw| {
        // A wanted name has no escapes, so its written form is the name in quotes.
        let name = quoted.trim_matches('"');
        if wanted.contains(&name)
            && let Ok(value) = serde_json::from_str::<serde_json::Value>(raw)
        {
            out.insert(name.to_owned(), value);
        }
    })?;
    Some(out)
}

/// The value of the field `quoted` (its name with its quotes, as written) of a compact JSON
/// object's text, as written: the last one where the name repeats, as a parse keeps it; `None`
/// when the text is not a compact object or has no such field.
pub fn compact_field<'t>(text: &'t str, quoted: &str) -> Option<&'t str> {
    let mut found = None;
    compact_each(text, |name, value| {
        if name == quoted {
            found = Some(value);
        }
    })?;
    found
}

/// Whether `text` is a compact JSON object ([`compact_each`] reads it).
pub(super) fn is_compact(text: &str) -> bool {
    compact_each(text, |_, _| ()).is_some()
}

/// Calls `each` with every field of a compact JSON object's text (as `serde_json` writes it: no
/// whitespace between tokens) in order, each as its name with its quotes and its value, both as
/// written; `None` for text that is not a compact object, found where the scan reaches what is
/// not compact (so `each` may have seen the fields before it). A scan, no parsing, nothing
/// collected: a list page copies a packed entity's fields with it.
pub fn compact_each<'t>(text: &'t str, mut each: impl FnMut(&'t str, &'t str)) -> Option<()> {
    let b = text.as_bytes();
    if b.first() != Some(&b'{') || b.last() != Some(&b'}') {
        return None;
    }
    if b.len() == 2 {
        return Some(());
    }
    let mut at = 1;
    loop {
        if b.get(at) != Some(&b'"') {
            return None;
        }
        let name_end = string_end(b, at)?;
        if b.get(name_end) != Some(&b':') {
            return None;
        }
        let value_end = value_end(b, name_end + 1)?;
        each(text.get(at..name_end)?, text.get(name_end + 1..value_end)?);
        match b.get(value_end) {
            Some(b',') => at = value_end + 1,
            Some(b'}') if value_end + 1 == b.len() => return Some(()),
            _ => return None,
        }
    }
}

/// The items of a compact JSON array's text, each as written; `None` for text that is not a
/// compact array.
pub fn compact_items(text: &str) -> Option<Vec<&str>> {
    let b = text.as_bytes();
    if b.first() != Some(&b'[') || b.last() != Some(&b']') {
        return None;
    }
    let mut out = Vec::new();
    if b.len() == 2 {
        return Some(out);
    }
    let mut at = 1;
    loop {
        let end = value_end(b, at)?;
        out.push(text.get(at..end)?);
        match b.get(end) {
            Some(b',') => at = end + 1,
            Some(b']') if end + 1 == b.len() => return Some(out),
            _ => return None,
        }
    }
}

/// The index after the string that starts (with its quote) at `start`.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut at = start + 1;
    while let Some(&c) = b.get(at) {
        match c {
            b'\\' => at += 2,
            b'"' => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

/// The index after the compact value that starts at `start`.
fn value_end(b: &[u8], start: usize) -> Option<usize> {
    match *b.get(start)? {
        b'"' => string_end(b, start),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut at = start;
            while let Some(&c) = b.get(at) {
                match c {
                    b'"' => at = string_end(b, at)?,
                    b'{' | b'[' => {
                        depth += 1;
                        at += 1;
                    }
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        at += 1;
                        if depth == 0 {
                            return Some(at);
                        }
                    }
                    b' ' | b'\n' | b'\t' | b'\r' => return None,
                    _ => at += 1,
                }
            }
            None
        }
        _ => {
            let mut at = start;
            while let Some(&c) = b.get(at) {
                match c {
                    b',' | b'}' | b']' => break,
                    b' ' | b'\n' | b'\t' | b'\r' => return None,
                    _ => at += 1,
                }
            }
            (at > start).then_some(at)
        }
    }
}
