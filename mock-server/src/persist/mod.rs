//! `--state-file`: the store survives restarts and crashes, at a cost proportional to each
//! change.
//!
//! The file (version 3) is a snapshot followed by a log, in the manner of Redis's append-only
//! file: its first line is the whole state as JSON (`{"format":"ilert-mock-state","version":3,
//! …}`); every change after it is one more line ([`record`]: the REST entities it stored or
//! removed, and the directory or usage counts when those changed), appended and made durable
//! before the request that made it is answered. Requests that change the store at the same time
//! share one `fdatasync` ([`writer`]: group commit), so a write costs its own bytes and a share
//! of a sync, not a rewrite of the state. When the log has grown past the snapshot (and at a
//! reset), a new snapshot replaces the file: written to a temporary file in the same folder,
//! synced, renamed over the state file, the folder synced, so a crash leaves the old file or the
//! new one, never a mix. A compaction's file is written by a helper thread while records keep
//! being appended to the old file; they follow the snapshot in the new one ([`writer`]). Why
//! not SQLite or redb: the store is an in-memory engine with its own indexes
//! ([`crate::resources::store`]); the file only has to replay its changes in order, and a log of
//! JSON lines keeps the file readable with `head` and `jq` and adds no engine to the build.
//!
//! At start the file is loaded and its log replayed. A corrupt snapshot, a record with a wrong
//! checksum, or a foreign file is refused with a clear message, never
//! replaced. A last line cut short (the process died while appending it, so its request was
//! never answered) is dropped with a warning and the file truncated to its last whole record.
//! Version-2 files (the whole state as one JSON document, written after every change) load and
//! are rewritten as version 3. `ilert-mock state dump FILE` prints a file's state as JSON.
//!
//! Temporary files hold refresh grant keys and client secrets, and their folder may be shared
//! (`/tmp`): they get random names and are created new (`O_EXCL`), never through a symbolic link
//! (`O_NOFOLLOW`), with mode 0600, so nothing planted at a predictable name is written through or
//! left readable; the state file itself is opened the same way. Two mocks on one file would
//! silently lose each other's changes, so the first takes an exclusive lock on `.NAME.lock` next
//! to it for as long as it runs; a second is refused with a message naming the file.
//!
//! Authorization codes (two-minute credentials) and the journal are not persisted.

pub mod record;
pub mod writer;

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use record::Record;
use writer::Writer;
pub use writer::{Job, SnapshotLine};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::value::{RawValue, to_raw_value};

use crate::clock::UnixSeconds;
use crate::model::{App, Tenant, User};
use crate::protocol::grant::GrantBook;
use crate::resources::EntityStore;
use crate::resources::store::StoreCapture;

/// The `format` field of a state file.
pub const FORMAT: &str = "ilert-mock-state";
/// The version this build writes (3: a snapshot line and a log of changes). Version 2 (the
/// whole state as one document) is read and rewritten.
pub const VERSION: u32 = 3;
/// The older version this build reads.
pub const VERSION_2: u32 = 2;

/// What survives a restart.
#[derive(Debug, Clone, Deserialize)]
pub struct Persisted {
    /// Tenants, including those added at run time (absent in files written before tenants could
    /// be added: those keep the fixtures' tenants).
    #[serde(default)]
    pub tenants: Option<Vec<Tenant>>,
    /// Apps, including those added at run time.
    pub apps: Vec<App>,
    /// Users, including those added at run time.
    pub users: Vec<User>,
    /// Refresh grants and their revocations.
    pub grants: GrantBook,
    /// Every REST resource (alert sources, policies, alerts, log entries, …).
    pub resources: EntityStore,
}

/// [`Persisted`] borrowed, for writing a snapshot without copying the state.
#[derive(Debug, Serialize)]
pub struct PersistedRef<'a> {
    /// Tenants.
    pub tenants: &'a [Tenant],
    /// Apps.
    pub apps: &'a [App],
    /// Users.
    pub users: &'a [User],
    /// Refresh grants.
    pub grants: &'a GrantBook,
    /// Every REST resource.
    pub resources: &'a EntityStore,
}

impl Persisted {
    /// Applies one record of the log.
    fn apply(&mut self, record: Record) {
        for change in record.changes {
            self.resources.apply(change);
        }
        if let Some(directory) = record.directory {
            self.tenants = Some(directory.tenants);
            self.apps = directory.apps;
            self.users = directory.users;
            self.grants = directory.grants;
        }
        if let Some(usage) = record.usage {
            *self.resources.usage_mut() = usage;
        }
    }

    /// Borrowed, for writing.
    pub fn as_ref(&self) -> PersistedRef<'_> {
        PersistedRef {
            tenants: self.tenants.as_deref().unwrap_or_default(),
            apps: &self.apps,
            users: &self.users,
            grants: &self.grants,
            resources: &self.resources,
        }
    }
}

/// The whole state as it was at one moment, to be written as a snapshot line (a compaction's,
/// a reset's and the shutdown's on the writer's side, [`SnapshotLine::Captured`]; [`snapshot`]'s
/// at once): the directory (tenants, apps, users, grants) already as JSON, the REST entities
/// shared with the store ([`EntityStore::capture`]). Taking it under the store's lock costs a
/// count per entity; writing the line there cost the whole state's bytes (a compaction at
/// 100,000 alerts held every request up for about 0.2 s).
#[derive(Serialize)]
pub struct Captured {
    tenants: Box<RawValue>,
    apps: Box<RawValue>,
    users: Box<RawValue>,
    grants: Box<RawValue>,
    resources: StoreCapture,
}

impl Captured {
    /// `state` as it is now.
    pub fn of(state: &PersistedRef<'_>) -> Result<Self, serde_json::Error> {
        Ok(Self {
            tenants: to_raw_value(state.tenants)?,
            apps: to_raw_value(state.apps)?,
            users: to_raw_value(state.users)?,
            grants: to_raw_value(state.grants)?,
            resources: state.resources.capture(),
        })
    }

    /// Writes the snapshot line (envelope, state, newline) to `out`: the one way a snapshot
    /// line is written.
    fn write_line(&self, out: &mut impl std::io::Write) -> Result<(), serde_json::Error> {
        serde_json::to_writer(&mut *out, &envelope(self))?;
        out.write_all(b"\n").map_err(serde_json::Error::io)
    }
}

/// The state holds client secrets and refresh grant keys: none of it is shown.
impl std::fmt::Debug for Captured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Captured").finish_non_exhaustive()
    }
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

/// A state file read: its state with the log replayed, and what the reader found.
#[derive(Debug)]
pub struct Loaded {
    /// The state.
    pub state: Persisted,
    /// The version the file was written in (2 is rewritten as 3 at start).
    pub version: u32,
    /// Bytes of the snapshot line.
    pub snapshot_bytes: u64,
    /// Bytes of the whole records after it.
    pub log_bytes: u64,
    /// A last line cut short, dropped: why it was not a record.
    pub torn: Option<String>,
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
        "state file {path} is not an ilert-mock state file of version {VERSION_2} or {VERSION} ({found}); refusing to start"
    )]
    Foreign {
        /// The file.
        path: String,
        /// What it claims to be.
        found: String,
    },
}

/// The state file, the lock that keeps other mocks off it, and its writer.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    /// The locked `.NAME.lock` (unlocked when dropped); `None` once released.
    lock: Mutex<Option<File>>,
    /// Started by [`StateFile::start`]; `None` before and once released.
    writer: Mutex<Option<std::sync::Arc<Writer>>>,
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

fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes `bytes` as the file at `path`, atomically: a new temporary file beside it
/// ([`write_beside`]), then renamed over `path` ([`install`]).
fn replace_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (temp, _) = write_beside(path, |file| file.write_all(bytes))?;
    install(&temp, path)
}

/// Writes a new temporary file beside `path` (`.NAME.<16 hex>.tmp`: created new, never through
/// a symbolic link, mode 0600) with `write` and syncs it; its path and the file, open for
/// appending. Nothing is left behind when it fails.
fn write_beside(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<(PathBuf, File)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = folder(path).join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let written = open_options(true).append(true).open(&temp).and_then(|mut file| {
        write(&mut file)?;
        file.sync_all()?;
        Ok(file)
    });
    match written {
        Ok(file) => Ok((temp, file)),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Renames the synced file `temp` over `path` and syncs the folder, so the rename itself is
/// durable (not every platform supports fsync on folders); `temp` is removed when it fails.
fn install(temp: &Path, path: &Path) -> std::io::Result<()> {
    if let Err(e) = fs::rename(temp, path) {
        let _ = fs::remove_file(temp);
        return Err(e);
    }
    if let Ok(d) = File::open(folder(path)) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The snapshot line of `state`: the first line of a version-3 file (as a compaction writes it,
/// [`Captured`]).
pub fn snapshot(state: &PersistedRef<'_>) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = Vec::new();
    Captured::of(state)?.write_line(&mut bytes)?;
    Ok(bytes)
}

/// `state` in the file's envelope, stamped with the system time.
fn envelope<T: Serialize>(state: T) -> Envelope<T> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Envelope {
        format: FORMAT.to_owned(),
        version: VERSION,
        saved_at: now,
        state,
    }
}

/// Reads the state file at `path` (without taking it): its state with the log replayed; `None`
/// when it does not exist. For `ilert-mock state dump` and [`StateFile::load`].
pub fn read(path: &Path) -> Result<Option<Loaded>, PersistError> {
    let shown = path.display().to_string();
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(PersistError::Corrupt {
                path: shown,
                reason: "not UTF-8 text".to_owned(),
            });
        }
        Err(e) => {
            return Err(PersistError::Io {
                path: shown,
                source: e,
            });
        }
    };
    let corrupt = |reason: String| PersistError::Corrupt {
        path: shown.clone(),
        reason,
    };
    let (first, rest) = match text.split_once('\n') {
        Some((first, rest)) => (first, rest),
        None => (text.as_str(), ""),
    };
    // The snapshot is read once (it is most of the file); only when it does not read as a state
    // is it read again with the state skipped, to tell a foreign file from a damaged one.
    let foreign = |format: &str, version: u32| {
        (format != FORMAT || (version != VERSION && version != VERSION_2)).then(|| PersistError::Foreign {
            path: shown.clone(),
            found: format!("format '{format}', version {version}"),
        })
    };
    let full: Envelope<Persisted> = match serde_json::from_str(first) {
        Ok(full) => full,
        Err(e) => {
            let head: Envelope<serde::de::IgnoredAny> =
                serde_json::from_str(first).map_err(|e| corrupt(e.to_string()))?;
            return Err(foreign(&head.format, head.version).unwrap_or_else(|| corrupt(e.to_string())));
        }
    };
    if let Some(foreign) = foreign(&full.format, full.version) {
        return Err(foreign);
    }
    let mut loaded = Loaded {
        state: full.state,
        version: full.version,
        snapshot_bytes: first.len() as u64 + 1,
        log_bytes: 0,
        torn: None,
    };
    if loaded.version == VERSION_2 {
        if !rest.trim().is_empty() {
            return Err(corrupt("a version-2 file holds one JSON document".to_owned()));
        }
        return Ok(Some(loaded));
    }
    let mut lines = rest.split_inclusive('\n').enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let last = lines.peek().is_none();
        let whole = line.ends_with('\n');
        match record::parse(line.trim_end_matches('\n')) {
            Ok(record) if whole => {
                loaded.state.apply(record);
                loaded.log_bytes += line.len() as u64;
            }
            Ok(_) => {
                loaded.torn = Some(format!("record {} has no end of line", n + 1));
            }
            // Cut short while it was appended (no end of line yet): its request was never
            // answered. A whole line that does not check out is damage, and is refused.
            Err(err) if last && !whole => {
                loaded.torn = Some(format!("record {} is cut short ({err})", n + 1));
            }
            Err(err) => return Err(corrupt(format!("record {}: {err}", n + 1))),
        }
    }
    Ok(Some(loaded))
}

/// The state file at `path` as one pretty-printed JSON document (`ilert-mock state dump`): its
/// state with the log replayed, in the shape of a version-3 snapshot. Reads without taking the
/// file, so it works beside a running mock (and then shows what that mock has made durable).
pub fn dump_state_file(path: &Path) -> Result<String, PersistError> {
    let loaded = read(path)?.ok_or_else(|| PersistError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
    })?;
    serde_json::to_string_pretty(&envelope(&loaded.state.as_ref()))
        .map(|text| text + "\n")
        .map_err(|e| PersistError::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(e),
        })
}

impl StateFile {
    /// Takes the state file at `path` for this process (not read yet): locks `.NAME.lock` next to
    /// it, and removes temporary files a crashed mock left behind.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, PersistError> {
        let file = Self {
            path: path.into(),
            lock: Mutex::new(None),
            writer: Mutex::new(None),
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
        *file.lock.lock() = Some(lock);
        file.remove_stale_temps();
        Ok(file)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes what is queued, stops the writer and releases the lock; later changes are
    /// refused (see [`PersistError::Released`]).
    pub fn release(&self) {
        if let Some(writer) = self.writer.lock().take() {
            writer.close();
        }
        *self.lock.lock() = None;
    }

    /// Whether [`StateFile::release`] was called.
    pub fn is_released(&self) -> bool {
        self.lock.lock().is_none()
    }

    fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// `.NAME.{suffix}` in the state file's folder.
    fn sibling(&self, suffix: &str) -> PathBuf {
        folder(&self.path).join(format!(".{}.{suffix}", self.name()))
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
        let Ok(entries) = fs::read_dir(folder(&self.path)) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let plain = entry.file_type().is_ok_and(|t| t.is_file());
            if plain && self.is_temp(&entry.file_name().to_string_lossy()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn io_at(&self, path: &Path, source: std::io::Error) -> PersistError {
        PersistError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    fn released(&self) -> PersistError {
        PersistError::Released {
            path: self.path.display().to_string(),
        }
    }

    /// Loads the file; `None` when it does not exist yet.
    pub fn load(&self) -> Result<Option<Loaded>, PersistError> {
        read(&self.path)
    }

    /// Starts writing: replaces the file by `snapshot` when given (a new file, a version-2 file)
    /// or else cuts a last line cut short (`keep` bytes are whole, the first `snapshot_bytes` of
    /// them the snapshot line), then starts the writer. Call once, after [`StateFile::load`].
    pub fn start(&self, snapshot: Option<&[u8]>, keep: u64, snapshot_bytes: u64) -> Result<(), PersistError> {
        if self.is_released() {
            return Err(self.released());
        }
        match snapshot {
            Some(bytes) => replace_atomically(&self.path, bytes).map_err(|e| self.io_at(&self.path, e))?,
            None => {
                let file = open_options(false)
                    .open(&self.path)
                    .map_err(|e| self.io_at(&self.path, e))?;
                let len = file.metadata().map_err(|e| self.io_at(&self.path, e))?.len();
                if len > keep {
                    file.set_len(keep)
                        .and_then(|()| file.sync_all())
                        .map_err(|e| self.io_at(&self.path, e))?;
                }
            }
        }
        let snapshot_bytes = snapshot.map_or(snapshot_bytes, |line| line.len() as u64);
        let writer =
            Writer::start(self.path.clone(), snapshot_bytes).map_err(|e| self.io_at(&self.path, e))?;
        *self.writer.lock() = Some(std::sync::Arc::new(writer));
        Ok(())
    }

    /// Queues `job` for the writer; its number, to wait for.
    pub fn queue(&self, job: Job) -> Result<u64, PersistError> {
        self.writer
            .lock()
            .as_ref()
            .and_then(|w| w.queue(job))
            .ok_or_else(|| self.released())
    }

    /// Bytes of the snapshot line of the file in place (0 before [`StateFile::start`] and once
    /// released).
    pub fn snapshot_bytes(&self) -> u64 {
        self.writer.lock().as_ref().map_or(0, |w| w.snapshot_bytes())
    }

    /// Blocks until job `number` is on disk.
    pub fn wait(&self, number: u64) {
        let writer = self.writer.lock().clone();
        if let Some(writer) = writer {
            writer.wait(number);
        }
    }

    /// Waits, without blocking a thread, until job `number` is on disk.
    pub async fn durable(&self, number: u64) {
        let writer = self.writer.lock().clone();
        if let Some(writer) = writer {
            writer.durable(number).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use crate::resources::store::{Change, ChangeRef};

    fn state() -> crate::state::MockState {
        crate::state::MockState::new(&Fixtures::embedded().expect("defaults"), Some(1))
    }

    fn record_line(changes: &[Change]) -> Vec<u8> {
        let borrowed: Vec<ChangeRef<'_>> = changes
            .iter()
            .map(|c| match c {
                Change::Reserve { id } => ChangeRef::Reserve { id: *id },
                other => unreachable!("only reservations are written here: {other:?}"),
            })
            .collect();
        record::line(&record::RecordRef {
            changes: &borrowed,
            directory: None,
            usage: None,
        })
        .expect("line")
    }

    #[test]
    fn snapshot_and_log_replay_and_the_file_is_private() {
        let dir = tempfile::tempdir().expect("dir");
        let file = StateFile::open(dir.path().join("state.json")).expect("opens");
        assert!(file.load().expect("no file is fine").is_none());
        let state = state();
        let snap = snapshot(&state.persisted_ref()).expect("snapshot");
        file.start(Some(&snap), 0, 0).expect("starts");
        let job = file
            .queue(Job::Append(record_line(&[Change::Reserve { id: 77_777 }])))
            .expect("queued");
        file.wait(job);
        let loaded = file.load().expect("loads").expect("present");
        assert_eq!(loaded.state.apps.len(), 3);
        assert_eq!(loaded.version, VERSION);
        assert!(loaded.log_bytes > 0 && loaded.torn.is_none());
        let mut replayed = loaded.state.resources;
        assert_eq!(replayed.next_id(), 77_778, "the reserved id was replayed");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(file.path()).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    /// A snapshot line with its `savedAt` (the system time of the write) taken out.
    fn without_saved_at(line: &[u8]) -> serde_json::Value {
        let mut value: serde_json::Value = serde_json::from_slice(line).expect("a JSON line");
        value
            .as_object_mut()
            .and_then(|o| o.remove("saved_at"))
            .expect("stamped");
        value
    }

    #[test]
    fn a_captured_state_is_written_as_the_line_of_the_state_it_was_taken_from() {
        let mut state = state();
        let body = |summary: &str| {
            let mut body = crate::resources::store::Entity::new();
            body.insert("summary".into(), serde_json::Value::from(summary));
            body
        };
        // A packed collection (held as text) and one held as values.
        state
            .resources
            .insert("t1", "alerts", 500_001, None, body("kept"));
        state
            .resources
            .insert("t1", "alerts", 500_002, None, body("changed later"));
        state
            .resources
            .insert("t1", "teams", 500_003, None, body("removed later"));
        // The state as `state dump` writes it (the borrowed state through its derive; the
        // store's part is a capture of its own), compact: what this capture must write, field
        // for field.
        let mut then = serde_json::to_vec(&envelope(&state.persisted_ref())).expect("serialised");
        then.push(b'\n');
        let captured = Captured::of(&state.persisted_ref()).expect("captured");
        // Changed after the capture: the capture still writes the state it was taken from.
        state
            .resources
            .insert("t1", "alerts", 500_002, None, body("changed"));
        if let Some(mut team) = state.resources.get_mut("t1", "teams", 500_003) {
            team.insert("name".into(), serde_json::Value::from("renamed"));
        }
        state.resources.remove("t1", "alerts", 500_001);
        state
            .resources
            .insert("t1", "alerts", 500_004, None, body("added"));
        let mut written = Vec::new();
        captured.write_line(&mut written).expect("written");
        assert_eq!(written.last(), Some(&b'\n'));
        assert_eq!(without_saved_at(&written), without_saved_at(&then));
        assert_eq!(written.len(), then.len(), "the same bytes but the time");
        assert_eq!(format!("{captured:?}"), "Captured { .. }", "no state in Debug");
    }

    #[test]
    fn corrupt_truncated_and_foreign_files_are_refused_and_a_torn_last_record_is_dropped() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("state.json");
        let snap = snapshot(&state().persisted_ref()).expect("snapshot");
        let one = record_line(&[Change::Reserve { id: 50_000 }]);
        let two = record_line(&[Change::Reserve { id: 60_000 }]);
        let text = String::from_utf8([snap.clone(), one.clone(), two.clone()].concat()).expect("utf-8");
        // The snapshot cut short: refused.
        fs::write(&path, &snap[..snap.len() / 2]).expect("write");
        assert!(matches!(read(&path), Err(PersistError::Corrupt { .. })));
        fs::write(&path, "not json").expect("write");
        assert!(matches!(read(&path), Err(PersistError::Corrupt { .. })));
        // A damaged record before the last: refused.
        let damaged = text.replacen("50000", "50001", 1);
        fs::write(&path, &damaged).expect("write");
        assert!(
            matches!(read(&path), Err(PersistError::Corrupt { reason, .. }) if reason.contains("record 1"))
        );
        // A whole last record that does not check out: refused.
        let damaged_last = text.replacen("60000", "60001", 1);
        fs::write(&path, &damaged_last).expect("write");
        assert!(
            matches!(read(&path), Err(PersistError::Corrupt { reason, .. }) if reason.contains("record 2"))
        );
        // The last record cut short (the process died while appending it): dropped.
        let cut = &text[..text.len() - two.len() / 2];
        fs::write(&path, cut).expect("write");
        let loaded = read(&path).expect("loads").expect("present");
        assert!(loaded.torn.is_some());
        assert_eq!(
            loaded.snapshot_bytes + loaded.log_bytes,
            (snap.len() + one.len()) as u64
        );
        let foreign = text.replacen("\"version\":3", "\"version\":99", 1);
        fs::write(&path, foreign).expect("write");
        assert!(matches!(read(&path), Err(PersistError::Foreign { .. })));
    }

    #[test]
    fn a_version_2_file_loads() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("state.json");
        let snap = snapshot(&state().persisted_ref()).expect("snapshot");
        let v2 =
            String::from_utf8(snap)
                .expect("utf-8")
                .trim_end()
                .replacen("\"version\":3", "\"version\":2", 1);
        fs::write(&path, &v2).expect("write");
        let loaded = read(&path).expect("loads").expect("present");
        assert_eq!(loaded.version, VERSION_2);
        assert_eq!(loaded.state.users.len(), state().users.len());
        fs::write(&path, v2 + "\nextra").expect("write");
        assert!(matches!(read(&path), Err(PersistError::Corrupt { .. })));
    }

    #[test]
    fn one_holder_at_a_time_and_no_leftovers() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("state.json");
        let first = StateFile::open(&path).expect("opens");
        assert!(matches!(StateFile::open(&path), Err(PersistError::Locked { .. })));
        let stale = first.sibling("0123456789abcdef.tmp");
        fs::write(&stale, "half a state").expect("write");
        let snap = snapshot(&state().persisted_ref()).expect("snapshot");
        first.start(Some(&snap), 0, 0).expect("starts");
        first.release();
        assert!(matches!(
            first.queue(Job::Append(Vec::new())),
            Err(PersistError::Released { .. })
        ));
        let second = StateFile::open(&path).expect("free again");
        assert!(!stale.exists(), "a killed mock's temp file is removed");
        assert!(second.is_temp(".state.json.00000000deadbeef.tmp"));
        assert!(!second.is_temp(".state.json.tmp"));
        assert!(!second.is_temp(".other.json.00000000deadbeef.tmp"));
    }
}
