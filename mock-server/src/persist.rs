//! `--state-file`: the store survives restarts and crashes.
//!
//! After every change (a grant issued, rotated or revoked, a REST resource written, an
//! app or user added) the whole persistent state is written before the request is answered:
//! to a temporary file in the same folder (mode 0600: it holds refresh grant keys and client
//! secrets), fsynced, renamed over the state file, and the folder fsynced. A crash at any moment
//! leaves either the old file or the new one, never a mix. At start the file is loaded; a
//! corrupt, truncated or foreign file is refused with a clear message, never silently replaced.
//!
//! Authorization codes (two-minute credentials) and the journal are not persisted.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::clock::UnixSeconds;
use crate::model::{App, Tenant, User};
use crate::protocol::grant::GrantBook;
use crate::resources::Store;

/// The `format` field of a state file.
pub const FORMAT: &str = "ilert-mock-state";
/// The version this build writes and reads (2: resources as a generic store of JSON entities).
pub const VERSION: u32 = 2;

/// What survives a restart.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Persisted {
    /// Tenants, including those added at run time (absent in files written before tenants could
    /// be added: those keep the fixtures' tenants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenants: Option<Vec<Tenant>>,
    /// Apps, including those added at run time.
    pub apps: Vec<App>,
    /// Users, including those added at run time.
    pub users: Vec<User>,
    /// Refresh grants and their revocations.
    pub grants: GrantBook,
    /// Every REST resource (alert sources, policies, alerts, log entries, …).
    pub resources: Store,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<T> {
    format: String,
    version: u32,
    /// System time of the write (for people reading the file).
    saved_at: UnixSeconds,
    state: T,
}

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// Reading or writing failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a complete state file of this format.
    #[error(
        "state file {path} is corrupt or truncated ({reason}); refusing to start. Move it away to start from the fixtures."
    )]
    Corrupt {
        /// The file.
        path: String,
        /// What the parser said.
        reason: String,
    },
    /// Another format or version.
    #[error(
        "state file {path} is not an ilert-mock state file of version {VERSION} ({found}); refusing to start"
    )]
    Foreign {
        /// The file.
        path: String,
        /// What it claims to be.
        found: String,
    },
}

/// The state file and the lock that orders its writes.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    write: Mutex<u64>,
}

impl StateFile {
    /// A state file at `path` (not read yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            write: Mutex::new(0),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> PersistError {
        PersistError::Io {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Loads the file; `None` when it does not exist yet.
    pub fn load(&self) -> Result<Option<Persisted>, PersistError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io(e)),
        };
        let path = self.path.display().to_string();
        let head: Envelope<serde::de::IgnoredAny> =
            serde_json::from_str(&text).map_err(|e| PersistError::Corrupt {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if head.format != FORMAT || head.version != VERSION {
            return Err(PersistError::Foreign {
                path,
                found: format!("format '{}', version {}", head.format, head.version),
            });
        }
        let full: Envelope<Persisted> = serde_json::from_str(&text).map_err(|e| PersistError::Corrupt {
            path,
            reason: e.to_string(),
        })?;
        Ok(Some(full.state))
    }

    /// Writes `state` atomically. `generation` orders concurrent writers: an older snapshot never
    /// overwrites a newer one.
    pub fn save(&self, generation: u64, state: &Persisted) -> Result<(), PersistError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let mut written = self.write.lock();
        if generation < *written {
            return Ok(());
        }
        let envelope = Envelope {
            format: FORMAT.to_owned(),
            version: VERSION,
            saved_at: now,
            state,
        };
        let bytes = serde_json::to_vec(&envelope).map_err(|e| self.io(std::io::Error::other(e)))?;
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.tmp"));
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(|e| self.io(e))?;
        file.write_all(&bytes).map_err(|e| self.io(e))?;
        file.sync_all().map_err(|e| self.io(e))?;
        drop(file);
        fs::rename(&tmp, &self.path).map_err(|e| self.io(e))?;
        if let Ok(d) = File::open(dir) {
            // Makes the rename itself durable; not every platform supports fsync on folders.
            let _ = d.sync_all();
        }
        *written = generation;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;

    fn persisted() -> Persisted {
        let f = Fixtures::embedded().expect("defaults");
        Persisted {
            tenants: Some(f.tenants.clone()),
            apps: f.apps.clone(),
            users: f.users.clone(),
            grants: GrantBook::default(),
            resources: crate::state::MockState::new(&f, Some(1), 0).resources,
        }
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ilert-mock-persist-{}-{name}", std::process::id()));
        fs::create_dir_all(&dir).expect("dir");
        dir.join("state.json")
    }

    #[test]
    fn round_trip_and_missing_file() {
        let file = StateFile::new(temp("rt"));
        let _ = fs::remove_file(file.path());
        assert!(file.load().expect("no file is fine").is_none());
        file.save(1, &persisted()).expect("saved");
        let loaded = file.load().expect("loads").expect("present");
        assert_eq!(loaded.apps.len(), 3);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(file.path()).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn corrupt_truncated_and_foreign_files_are_refused() {
        let file = StateFile::new(temp("bad"));
        file.save(1, &persisted()).expect("saved");
        let text = fs::read_to_string(file.path()).expect("read");
        fs::write(file.path(), &text[..text.len() / 2]).expect("truncate");
        assert!(matches!(file.load(), Err(PersistError::Corrupt { .. })));
        fs::write(file.path(), "not json").expect("write");
        assert!(matches!(file.load(), Err(PersistError::Corrupt { .. })));
        fs::write(file.path(), text.replace("\"version\":2", "\"version\":99")).expect("write");
        assert!(matches!(file.load(), Err(PersistError::Foreign { .. })));
    }

    #[test]
    fn an_older_generation_never_overwrites_a_newer_one() {
        let file = StateFile::new(temp("gen"));
        let mut newer = persisted();
        newer.users.truncate(1);
        file.save(2, &newer).expect("saved");
        file.save(1, &persisted()).expect("skipped");
        assert_eq!(file.load().expect("loads").expect("present").users.len(), 1);
    }
}
