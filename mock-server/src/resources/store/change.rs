//! A change of the store as the state file's log records it: what a change touched (kept while
//! the change is made), the change borrowed from the store (written), and the change as read
//! back (replayed).

use serde::{Deserialize, Serialize};

use super::{Entry, Stored};

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

/// One change of the store, as the state file's log records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
        /// The entity and its owner.
        #[serde(flatten)]
        stored: Stored,
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
