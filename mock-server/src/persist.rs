//! `--state-file`: the store survives restarts and crashes.
//!
//! After every change (a grant issued, rotated or revoked, a REST resource written, an
//! app or user added) the whole persistent state is written before the request is answered:
//! to a temporary file in the same folder, fsynced, renamed over the state file, and the folder
//! fsynced. A crash at any moment leaves either the old file or the new one, never a mix. At
//! start the file is loaded; a corrupt, truncated or foreign file is refused with a clear
//! message, never silently replaced.
//!
//! The temporary file holds refresh grant keys and client secrets, and its folder may be shared
//! (`/tmp`): it gets a random name and is created new (`O_EXCL`), never through a symbolic link
//! (`O_NOFOLLOW`), with mode 0600, so nothing planted at a predictable name is written through or
//! left readable. Two mocks on one file would silently lose each other's grants, so the first
//! takes an exclusive lock on `.NAME.lock` next to it for as long as it runs; a second is refused
//! with a message naming the file.
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
    /// Another mock holds the file.
    #[error(
        "state file {path} is in use: another ilert-mock holds its lock ({lock}); stop that mock or give this one another --state-file"
    )]
    Locked {
        /// The file.
        path: String,
        /// The lock file.
        lock: String,
    },
    /// The file was released (the server stopped); nothing more is written to it.
    #[error("state file {path} was released when the server stopped; this change was not written")]
    Released {
        /// The file.
        path: String,
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

/// The state file, the lock that keeps other mocks off it, and the order of its writes.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    write: Mutex<Writer>,
}

#[derive(Debug)]
struct Writer {
    /// The newest generation written.
    generation: u64,
    /// The locked `.NAME.lock` (unlocked when dropped); `None` once released.
    lock: Option<File>,
}

/// Opens for writing a file that must not be reached through a symbolic link, mode 0600.
fn open_options(create_new: bool) -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options
}

impl StateFile {
    /// Takes the state file at `path` for this process (not read yet): locks `.NAME.lock` next to
    /// it, and removes temporary files a crashed mock left behind.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, PersistError> {
        let path = path.into();
        let file = Self {
            write: Mutex::new(Writer {
                generation: 0,
                lock: None,
            }),
            path,
        };
        let lock_path = file.sibling("lock");
        let lock = open_options(false)
            .open(&lock_path)
            .map_err(|e| file.io_at(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(PersistError::Locked {
                    path: file.path.display().to_string(),
                    lock: lock_path.display().to_string(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(file.io_at(&lock_path, e)),
        }
        file.write.lock().lock = Some(lock);
        file.remove_stale_temps();
        Ok(file)
    }

    #[cfg(test)]
    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Releases the lock; later writes are refused (see [`PersistError::Released`]).
    pub fn release(&self) {
        self.write.lock().lock = None;
    }

    /// Whether [`StateFile::release`] was called.
    pub fn is_released(&self) -> bool {
        self.write.lock().lock.is_none()
    }

    fn dir(&self) -> &Path {
        self.path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// `.NAME.{suffix}` in the state file's folder.
    fn sibling(&self, suffix: &str) -> PathBuf {
        self.dir().join(format!(".{}.{suffix}", self.name()))
    }

    /// Whether `file_name` is one of this state file's temporary files (`.NAME.<16 hex>.tmp`).
    fn is_temp(&self, file_name: &str) -> bool {
        file_name
            .strip_prefix(&format!(".{}.", self.name()))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .is_some_and(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    /// Removes temporary files of this state file that a killed mock left (only plain files;
    /// the lock is held, so no other mock is writing one).
    fn remove_stale_temps(&self) {
        let Ok(entries) = fs::read_dir(self.dir()) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let plain = entry.file_type().is_ok_and(|t| t.is_file());
            if plain && self.is_temp(&entry.file_name().to_string_lossy()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn io(&self, source: std::io::Error) -> PersistError {
        self.io_at(&self.path, source)
    }

    fn io_at(&self, path: &Path, source: std::io::Error) -> PersistError {
        PersistError::Io {
            path: path.display().to_string(),
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
        let mut writer = self.write.lock();
        if writer.lock.is_none() {
            return Err(PersistError::Released {
                path: self.path.display().to_string(),
            });
        }
        if generation < writer.generation {
            return Ok(());
        }
        let envelope = Envelope {
            format: FORMAT.to_owned(),
            version: VERSION,
            saved_at: now,
            state,
        };
        let bytes = serde_json::to_vec(&envelope).map_err(|e| self.io(std::io::Error::other(e)))?;
        let tmp = self.sibling(&format!("{:016x}.tmp", rand::random::<u64>()));
        let written = open_options(true)
            .open(&tmp)
            .and_then(|mut file| {
                file.write_all(&bytes)?;
                file.sync_all()
            })
            .and_then(|()| fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(self.io_at(&tmp, e));
        }
        if let Ok(d) = File::open(self.dir()) {
            // Makes the rename itself durable; not every platform supports fsync on folders.
            let _ = d.sync_all();
        }
        writer.generation = generation;
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
        let file = StateFile::open(temp("rt")).expect("opens");
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
        let file = StateFile::open(temp("bad")).expect("opens");
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
        let file = StateFile::open(temp("gen")).expect("opens");
        let mut newer = persisted();
        newer.users.truncate(1);
        file.save(2, &newer).expect("saved");
        file.save(1, &persisted()).expect("skipped");
        assert_eq!(file.load().expect("loads").expect("present").users.len(), 1);
    }

    #[test]
    fn one_holder_at_a_time_and_no_leftovers() {
        let path = temp("lock");
        let first = StateFile::open(&path).expect("opens");
        assert!(matches!(StateFile::open(&path), Err(PersistError::Locked { .. })));
        let stale = first.sibling("0123456789abcdef.tmp");
        fs::write(&stale, "half a state").expect("write");
        first.save(1, &persisted()).expect("saved");
        first.release();
        assert!(matches!(
            first.save(2, &persisted()),
            Err(PersistError::Released { .. })
        ));
        let second = StateFile::open(&path).expect("free again");
        assert!(!stale.exists(), "a killed mock's temp file is removed");
        assert!(second.is_temp(".state.json.00000000deadbeef.tmp"));
        assert!(!second.is_temp(".state.json.tmp"));
        assert!(!second.is_temp(".other.json.00000000deadbeef.tmp"));
    }
}
