//! A change of the store as the state file's log records it: what a change touched (kept while
//! the change is made), the change borrowed from the store (written), and the change as read
//! back (replayed).

use serde::{Deserialize, Serialize};

use serde_json::value::RawValue;

use super::Entry;

/// What a change touched: an entity by tenant, collection and id, or a reserved id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Touched {
    /// An entity stored, changed or removed.
    Entity(String, String, i64),
    /// Ids at or below this were taken outside the store.
    Reserve(i64),
}

/// [`Change`] borrowed from the store, for writing.
#[derive(Debug, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum ChangeRef<'a> {
    /// Entity stored (created or replaced).
    Put {
        /// Its tenant.
        tenant: &'a str,
        /// Its collection.
        name: &'a str,
        /// Its id.
        id: i64,
        /// The entity and its owner, as the store holds them.
        #[serde(flatten)]
        entry: Entry<'a>,
    },
    /// Entity removed.
    Remove {
        /// Its tenant.
        tenant: &'a str,
        /// Its collection.
        name: &'a str,
        /// Its id.
        id: i64,
    },
    /// Ids at or below this are taken outside the store.
    Reserve {
        /// The id.
        id: i64,
    },
}

/// One change of the store, as the state file's log records it. An entity's body is kept as
/// the text it was written as (a packed collection keeps it so; the others are parsed once).
#[derive(Debug, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Change {
    /// Entity stored (created or replaced).
    Put {
        /// Its tenant.
        tenant: String,
        /// Its collection.
        name: String,
        /// Its id.
        id: i64,
        /// The owning entity's id.
        #[serde(skip_serializing_if = "Option::is_none")]
        parent: Option<i64>,
        /// The entity's JSON text (an object).
        body: Box<RawValue>,
    },
    /// Entity removed.
    Remove {
        /// Its tenant.
        tenant: String,
        /// Its collection.
        name: String,
        /// Its id.
        id: i64,
    },
    /// Ids at or below this are taken outside the store.
    Reserve {
        /// The id.
        id: i64,
    },
}

impl PartialEq for Change {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Change::Put {
                    tenant,
                    name,
                    id,
                    parent,
                    body,
                },
                Change::Put {
                    tenant: t,
                    name: n,
                    id: i,
                    parent: p,
                    body: b,
                },
            ) => (tenant, name, id, parent) == (t, n, i, p) && body.get() == b.get(),
            (
                Change::Remove { tenant, name, id },
                Change::Remove {
                    tenant: t,
                    name: n,
                    id: i,
                },
            ) => (tenant, name, id) == (t, n, i),
            (Change::Reserve { id }, Change::Reserve { id: i }) => id == i,
            _ => false,
        }
    }
}

/// A change as the log writes it: `op` and the fields of its kind, in any order. Read field by
/// field (not through serde's buffered tagged enums), so a body stays the text it was written as.
impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Change;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a change (`op` put, remove or reserve)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Change, A::Error> {
                use serde::de::Error as _;
                let (mut op, mut tenant, mut name, mut id, mut parent, mut body) = (
                    None::<String>,
                    None::<String>,
                    None::<String>,
                    None::<i64>,
                    None::<i64>,
                    None::<Box<RawValue>>,
                );
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "op" => op = Some(map.next_value()?),
                        "tenant" => tenant = Some(map.next_value()?),
                        "name" => name = Some(map.next_value()?),
                        "id" => id = Some(map.next_value()?),
                        "parent" => parent = map.next_value()?,
                        "body" => body = Some(map.next_value()?),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                let missing = |field: &'static str| A::Error::missing_field(field);
                let id = id.ok_or_else(|| missing("id"))?;
                match op.as_deref() {
                    Some("put") => {
                        let body = body.ok_or_else(|| missing("body"))?;
                        if !body.get().starts_with('{') {
                            return Err(A::Error::custom("expected a JSON object as an entity's body"));
                        }
                        Ok(Change::Put {
                            tenant: tenant.ok_or_else(|| missing("tenant"))?,
                            name: name.ok_or_else(|| missing("name"))?,
                            id,
                            parent,
                            body,
                        })
                    }
                    Some("remove") => Ok(Change::Remove {
                        tenant: tenant.ok_or_else(|| missing("tenant"))?,
                        name: name.ok_or_else(|| missing("name"))?,
                        id,
                    }),
                    Some("reserve") => Ok(Change::Reserve { id }),
                    Some(other) => Err(A::Error::unknown_variant(other, &["put", "remove", "reserve"])),
                    None => Err(missing("op")),
                }
            }
        }
        deserializer.deserialize_map(Visit)
    }
}
