//! The lines of a version-3 state file after its snapshot: one record per change of the store,
//! each `HASH JSON\n`, where `HASH` is the first 16 hex digits of the JSON's SHA-256. A line
//! whose hash does not match was not written whole.
//!
//! A record holds the REST entities the change stored or removed ([`Change`]), and, when they
//! changed, the directory (tenants, apps, users, refresh grants; small, written whole) and the
//! API usage counts.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::model::{App, Tenant, User};
use crate::protocol::grant::GrantBook;
use crate::resources::store::{Change, ChangeRef};
use crate::resources::usage::Usage;

/// Tenants, apps, users and refresh grants: what is not a REST entity.
#[derive(Debug, Clone, Deserialize)]
pub struct Directory {
    /// Tenants.
    pub tenants: Vec<Tenant>,
    /// Apps.
    pub apps: Vec<App>,
    /// Users.
    pub users: Vec<User>,
    /// Refresh grants and their revocations.
    pub grants: GrantBook,
}

/// [`Directory`] borrowed, for writing.
#[derive(Debug, Serialize)]
pub struct DirectoryRef<'a> {
    /// Tenants.
    pub tenants: &'a [Tenant],
    /// Apps.
    pub apps: &'a [App],
    /// Users.
    pub users: &'a [User],
    /// Refresh grants.
    pub grants: &'a GrantBook,
}

/// One change of the state, as read back.
#[derive(Debug, Deserialize)]
pub struct Record {
    /// REST entities stored or removed, in order.
    #[serde(default)]
    pub changes: Vec<Change>,
    /// The directory after the change, when it changed.
    #[serde(default)]
    pub directory: Option<Directory>,
    /// The API usage counts after the change.
    #[serde(default)]
    pub usage: Option<Usage>,
}

/// [`Record`] borrowed, for writing.
#[derive(Debug, Serialize)]
pub struct RecordRef<'a> {
    /// REST entities stored or removed, in order.
    #[serde(skip_serializing_if = "<[ChangeRef<'a>]>::is_empty")]
    pub changes: &'a [ChangeRef<'a>],
    /// The directory, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryRef<'a>>,
    /// The API usage counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<&'a Usage>,
}

fn hash(json: &[u8]) -> String {
    hex::encode(&Sha256::digest(json)[..8])
}

/// The record as one line of the file.
pub fn line(record: &RecordRef<'_>) -> Result<Vec<u8>, serde_json::Error> {
    let json = serde_json::to_vec(record)?;
    let mut out = Vec::with_capacity(json.len() + 18);
    out.extend_from_slice(hash(&json).as_bytes());
    out.push(b' ');
    out.extend_from_slice(&json);
    out.push(b'\n');
    Ok(out)
}

/// Why a line is not a record.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    /// No `HASH ` prefix, or the hash does not match the JSON.
    #[error("its checksum does not match")]
    Checksum,
    /// The JSON is not a record.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// Reads one line (without its newline).
pub fn parse(line: &str) -> Result<Record, LineError> {
    let (sum, json) = line.split_once(' ').ok_or(LineError::Checksum)?;
    if sum != hash(json.as_bytes()) {
        return Err(LineError::Checksum);
    }
    Ok(serde_json::from_str(json)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_back_and_a_changed_byte_is_caught() {
        let changes = vec![Change::Reserve { id: 42 }];
        let bytes = line(&RecordRef {
            changes: &[ChangeRef::Reserve { id: 42 }],
            directory: None,
            usage: None,
        })
        .expect("line");
        let text = String::from_utf8(bytes).expect("utf-8");
        let record = parse(text.trim_end()).expect("parses");
        assert_eq!(record.changes, changes);
        let tampered = text.trim_end().replace("42", "43");
        assert!(matches!(parse(&tampered), Err(LineError::Checksum)));
        assert!(matches!(parse("no-space"), Err(LineError::Checksum)));
    }
}
