//! The store with a `--state-file`: loading it, queueing each change for the file's writer as
//! one record (and a new snapshot when the log has outgrown the old one), and holding answers
//! until their changes are durable (see [`crate::persist`]).

use std::cell::Cell;

use parking_lot::Mutex;

use super::{MockState, SharedState};
use crate::fixtures::Fixtures;
use crate::persist::record::{self, DirectoryRef, RecordRef};
use crate::persist::{self, Job, PersistError, SnapshotLine, StateFile};

/// The state file's log: its size and what it last wrote of the directory.
#[derive(Debug, Default)]
pub(super) struct Log {
    /// Bytes of the records after the snapshot line (since the last snapshot was queued).
    log_bytes: u64,
    /// [`MockState::directory_generation`] when the directory was last written.
    directory: u64,
}

/// A log past this many bytes is compacted into a new snapshot once it is also larger than the
/// snapshot, so the file stays within a few times the state's size and loads quickly.
const COMPACT_FLOOR: u64 = 8 << 20;

impl Log {
    /// Whether the log has grown past [`COMPACT_FLOOR`] and the snapshot line of
    /// `snapshot_bytes`: time for a new one.
    fn outgrown(&self, snapshot_bytes: u64) -> bool {
        self.log_bytes > COMPACT_FLOOR.max(snapshot_bytes)
    }
}

tokio::task_local! {
    /// While an HTTP request is served: the last state-file job its changes queued, which the
    /// answer waits for ([`SharedState::answer_when_durable`]), so no runtime thread blocks on a sync.
    static DEFERRED: Cell<u64>;
}

impl SharedState {
    /// A store that loads `file` (or starts from the fixtures when it does not exist yet) and
    /// appends every change to it before the change is answered.
    pub fn with_file(fixtures: &Fixtures, seed: Option<u64>, file: StateFile) -> Result<Self, PersistError> {
        let mut state = MockState::new(fixtures, seed);
        let mut log = Log::default();
        let mut keep = 0;
        let mut snapshot_bytes = 0;
        let mut rewrite = true;
        if let Some(loaded) = file.load()? {
            if let Some(torn) = &loaded.torn {
                tracing::warn!(
                    "state file {}: the last record was cut short ({torn}), so its change was never answered; dropped",
                    file.path().display()
                );
            }
            if loaded.version != persist::VERSION {
                tracing::info!(
                    "state file {}: version {} read; rewritten as version {}",
                    file.path().display(),
                    loaded.version,
                    persist::VERSION
                );
            }
            keep = loaded.snapshot_bytes + loaded.log_bytes;
            snapshot_bytes = loaded.snapshot_bytes;
            log.log_bytes = loaded.log_bytes;
            // Only a file of another version is rewritten before the mock answers. A log that
            // outgrew its snapshot (the mock stopped before its compaction was written) stays as
            // it is, a valid file, until the first change: that change's record is appended and
            // the compaction queued, as for any change once the log has outgrown its snapshot.
            // Writing it anew here held up the start (a 48 MB file whose log outgrew its
            // snapshot: 0.74-1.01 s to the first answer with the rewrite, 0.55-0.75 s without).
            rewrite = loaded.version != persist::VERSION;
            let saved = loaded.state;
            if let Some(tenants) = saved.tenants {
                state.tenants = tenants;
            }
            state.apps = saved.apps;
            state.users = saved.users;
            state.grants = saved.grants;
            state.resources = saved.resources.indexed(crate::resources::index::spec);
        }
        state.resources.record(true);
        log.directory = state.directory_generation();
        let snapshot = if rewrite {
            let bytes = persist::snapshot(&state.persisted_ref()).map_err(|e| PersistError::Io {
                path: file.path().display().to_string(),
                source: std::io::Error::other(e),
            })?;
            log.log_bytes = 0;
            Some(bytes)
        } else {
            None
        };
        file.start(snapshot.as_deref(), keep, snapshot_bytes)?;
        Ok(Self {
            state: Mutex::new(state),
            file: Some(file),
            log: Mutex::new(log),
        })
    }

    /// Queues what `f` changed as one record (and a new snapshot when the log has grown past
    /// the old one); the job to wait for. Called with the state locked, so records are queued
    /// in the order the changes were made.
    pub(super) fn log_change(&self, state: &mut MockState, file: &StateFile) -> Option<u64> {
        let touched = state.resources.take_touched();
        let changes: Vec<_> = touched.iter().map(|t| state.resources.change_ref(t)).collect();
        let directory = state.directory_generation();
        let mut log = self.log.lock();
        let directory_changed = directory != log.directory;
        if changes.is_empty() && !directory_changed {
            return None;
        }
        log.directory = directory;
        let record = RecordRef {
            changes: &changes,
            directory: directory_changed.then(|| DirectoryRef {
                tenants: &state.tenants,
                apps: &state.apps,
                users: &state.users,
                grants: &state.grants,
            }),
            usage: Some(state.resources.usage()),
        };
        let line = record::line(&record)
            .map_err(|e| tracing::error!("state file: a change could not be written: {e}"))
            .ok()?;
        log.log_bytes += line.len() as u64;
        let job = self.queue_or_log(file, Job::Append(line))?;
        if log.outgrown(file.snapshot_bytes()) {
            return Some(
                self.queue_snapshot(state, &mut log, file, Job::Compact)
                    .unwrap_or(job),
            );
        }
        Some(job)
    }

    /// Queues the whole state as a new snapshot and starts the log's count again; the job, or
    /// `None` when it could not be made or queued (logged). The state is captured here, under
    /// the store's lock, at a count per entity, and written on the writer's side. `as_job`:
    /// [`Job::Compact`] when every change in it is already in the log, written beside the file
    /// while records keep coming; [`Job::Snapshot`] when it is the only record of the state (a
    /// reset, the state at shutdown), in the file's place before its job is durable.
    fn queue_snapshot(
        &self,
        state: &MockState,
        log: &mut Log,
        file: &StateFile,
        as_job: fn(SnapshotLine) -> Job,
    ) -> Option<u64> {
        let captured = persist::Captured::of(&state.persisted_ref())
            .map_err(|e| tracing::error!("state file: no snapshot could be made: {e}"))
            .ok()?;
        log.log_bytes = 0;
        self.queue_or_log(file, as_job(SnapshotLine::Captured(Box::new(captured))))
    }

    fn queue_or_log(&self, file: &StateFile, job: Job) -> Option<u64> {
        file.queue(job).map_err(|err| tracing::error!("{err}")).ok()
    }

    /// Inside [`SharedState::answer_when_durable`], notes `job` for the answer to wait for; elsewhere
    /// waits for it now.
    pub(super) fn wait_or_defer(&self, job: u64) {
        if DEFERRED.try_with(|d| d.set(d.get().max(job))).is_err()
            && let Some(file) = &self.file
        {
            file.wait(job);
        }
    }

    /// Serves `answer` (an HTTP request's handling), then, with a state file, waits without
    /// blocking a thread until every change it made is on disk: concurrent requests' changes
    /// share the writer's syncs.
    pub async fn answer_when_durable<T>(&self, answer: impl Future<Output = T>) -> T {
        let Some(file) = &self.file else {
            return answer.await;
        };
        let (out, job) = DEFERRED
            .scope(Cell::new(0), async {
                let out = answer.await;
                (out, DEFERRED.with(Cell::get))
            })
            .await;
        if job > 0 {
            file.durable(job).await;
        }
        out
    }

    /// With a state file, writes the state whole as a new snapshot (at shutdown, so the next
    /// start reads no log; every change was already written when it was made). A failure is
    /// logged.
    pub fn flush(&self) {
        let Some(file) = &self.file else { return };
        let job = {
            let state = self.state.lock();
            let mut log = self.log.lock();
            self.queue_snapshot(&state, &mut log, file, Job::Snapshot)
        };
        if let Some(job) = job {
            file.wait(job);
        }
    }

    /// With a state file, writes the current state and releases the file: later changes stay in
    /// memory only, so a server that stopped never overwrites the file of one that took it over.
    /// Closing a closed store does nothing.
    pub fn close(&self) {
        if let Some(file) = &self.file
            && !file.is_released()
        {
            self.flush();
            file.release();
        }
    }

    /// Replaces the whole state (and writes it as a new snapshot, with a state file).
    pub fn replace(&self, mut state: MockState) {
        if self.file.is_some() {
            state.resources.record(true);
            let mut log = self.log.lock();
            log.directory = state.directory_generation();
        }
        *self.state.lock() = state;
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::store::{ChangeRef, Entry, Stored};

    /// A state file whose log of big records outgrew its snapshot, as a mock killed before its
    /// compaction was written leaves it.
    fn outgrown_file(path: &std::path::Path, fixtures: &Fixtures) -> Vec<u8> {
        let state = MockState::new(fixtures, Some(1));
        let mut bytes = persist::snapshot(&state.persisted_ref()).expect("snapshot");
        let big = "x".repeat(1 << 20);
        for id in 0..9 {
            let mut body = crate::resources::store::Entity::new();
            body.insert("id".into(), serde_json::Value::from(900_000 + id));
            body.insert("note".into(), serde_json::Value::from(big.as_str()));
            let stored = Stored { parent: None, body };
            let put = ChangeRef::Put {
                tenant: "t1",
                name: "notes",
                id: 900_000 + id,
                entry: Entry::Values(&stored),
            };
            let line = record::line(&RecordRef {
                changes: &[put],
                directory: None,
                usage: None,
            })
            .expect("record");
            bytes.extend_from_slice(&line);
        }
        std::fs::write(path, &bytes).expect("written");
        bytes
    }

    #[test]
    fn a_log_that_outgrew_its_snapshot_is_compacted_by_the_first_change_not_at_start() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("state.json");
        let fixtures = Fixtures::embedded().expect("defaults");
        let written = outgrown_file(&path, &fixtures);
        let shared = SharedState::with_file(&fixtures, Some(1), StateFile::open(&path).expect("opens"))
            .expect("loads");
        let file = shared.file.as_ref().expect("a state file");
        let loaded_snapshot = file.snapshot_bytes();
        assert!(
            loaded_snapshot > 0 && loaded_snapshot < 1 << 20,
            "{loaded_snapshot}"
        );
        assert!(shared.log.lock().outgrown(loaded_snapshot));
        assert_eq!(
            std::fs::read(&path).expect("read"),
            written,
            "loading wrote nothing"
        );
        // The first change is appended and a compaction into a new snapshot queued with it.
        shared.with(|s| s.resources.reserve(950_000));
        assert_eq!(shared.log.lock().log_bytes, 0, "a new snapshot was queued");
        // Written on the writer's side, it takes the file's place and its size is the one the
        // log is compared with from then on.
        let installed = std::time::Instant::now();
        while file.snapshot_bytes() == loaded_snapshot {
            assert!(installed.elapsed().as_secs() < 30, "the compaction was installed");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(file.snapshot_bytes() > 9 << 20, "{}", file.snapshot_bytes());
        shared.close();
        let after = std::fs::read(&path).expect("read");
        assert_eq!(
            after.iter().filter(|b| **b == b'\n').count(),
            1,
            "one snapshot line, no log"
        );
        let loaded = StateFile::open(&path)
            .expect("opens")
            .load()
            .expect("loads")
            .expect("present");
        let mut resources = loaded.state.resources;
        for id in 900_000..900_009 {
            assert!(resources.get("t1", "notes", id).is_some(), "note {id} kept");
        }
        assert!(resources.next_id() > 950_000, "the change kept");
    }
}
