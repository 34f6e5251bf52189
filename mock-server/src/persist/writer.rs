//! The state file's writer: one thread that appends what the store hands it and makes it durable,
//! so requests that change the store at the same time share one `fdatasync` (group commit).
//!
//! The store numbers each piece of work ([`Job`]) under its own lock, so the queue is in the
//! order the changes were made. The thread takes everything queued, writes it with one write
//! and one sync, and then tells the waiters how far the file is durable: synchronous callers
//! wait on a condition variable, HTTP handlers on a [`tokio::sync::watch`] channel (they never
//! block a runtime thread). While one batch syncs, the next one gathers, so the more clients
//! write at once, the more changes each sync carries.
//!
//! A compaction (the whole state, written when the log has grown past the snapshot) replaces
//! the file without holding up the records behind it, as Redis rewrites its append-only file:
//! a helper thread writes it to a new file in the same folder (random name,
//! `O_EXCL`, `O_NOFOLLOW`, 0600) and syncs it, while this thread keeps appending records to the
//! current file (so each is durable when it is answered) and also keeps them aside. The store
//! hands over the state as it was when the compaction was queued ([`SnapshotLine::Captured`], its
//! entities shared rather than copied) and the helper serialises it straight into the new file,
//! so neither the store's lock nor a buffer the size of the state is held for it. Once the
//! helper is done, the records kept aside are appended to the new file, which is synced,
//! renamed over the state file, and the folder synced; the old file is closed on a thread of
//! its own ([`close_apart`]), as closing it frees it. Every change a snapshot holds was
//! already appended to the current file when it was made, so until that rename the current file
//! holds the whole state on its own, and after it the new one does: a crash at any moment leaves
//! one or the other. A compaction queued while another is being written replaces it; at close
//! the writer waits for the helper. A snapshot whose state is in no record (a reset, and the
//! state written at shutdown) replaces the file at once, the same way but on this thread,
//! before anything after it is written.

use std::fs::File;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{Condvar, Mutex};
use tokio::sync::watch;

use super::{Captured, open_options};

/// Work for the writer, in the order the store made it.
#[derive(Debug)]
pub enum Job {
    /// One record line for the end of the log.
    Append(Vec<u8>),
    /// A whole new file (the snapshot line, no records) holding only changes whose records are
    /// already in the file (a compaction): written beside the file while records keep being
    /// appended, then put in its place.
    Compact(SnapshotLine),
    /// A whole new file that replaces the file before anything after it is written, so its
    /// content is durable when its job is (a reset: the new state is in no record).
    Snapshot(SnapshotLine),
}

/// A snapshot line: the state captured to be written as its line by the writer's side,
/// straight into the new file, without holding the store (or, in this module's tests, a line
/// given as bytes).
#[derive(Debug)]
pub enum SnapshotLine {
    /// The state as it was when the compaction was queued.
    Captured(Box<Captured>),
    /// The line as bytes.
    #[cfg(test)]
    Written(Vec<u8>),
}

impl SnapshotLine {
    /// Writes the line to `file` through a buffer.
    fn write_to(&self, file: &mut File) -> std::io::Result<()> {
        match self {
            SnapshotLine::Captured(state) => {
                let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
                state.write_line(&mut out)?;
                out.flush()
            }
            #[cfg(test)]
            SnapshotLine::Written(bytes) => file.write_all(bytes),
        }
    }
}

#[cfg(test)]
impl From<Vec<u8>> for SnapshotLine {
    fn from(line: Vec<u8>) -> Self {
        SnapshotLine::Written(line)
    }
}

#[derive(Debug, Default)]
struct Queue {
    jobs: Vec<(u64, Job)>,
    /// The number of the last job queued.
    queued: u64,
    /// Every job up to this number is on disk.
    durable: u64,
    /// No more jobs are taken; the thread ends once the queue is empty.
    closing: bool,
    /// The snapshot helper has finished (the thread installs or discards its file).
    rewritten: bool,
}

#[derive(Debug)]
struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the thread (work queued or closing) and the synchronous waiters (work durable).
    signal: Condvar,
    durable: watch::Sender<u64>,
    /// Bytes of the snapshot line of the file in place (the store compares its log with it).
    snapshot_bytes: AtomicU64,
}

/// The writer of one state file.
#[derive(Debug)]
pub struct Writer {
    shared: Arc<Shared>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// Where the writer writes.
#[derive(Debug)]
struct Target {
    path: PathBuf,
    /// The state file opened for appending (the new file after each snapshot).
    file: Option<File>,
    /// A snapshot being written beside the file.
    rewrite: Option<Rewrite>,
}

/// A snapshot a helper thread is writing beside the state file.
#[derive(Debug)]
struct Rewrite {
    /// Ends with the new file, written and synced, and its bytes, or why it could not be.
    helper: std::thread::JoinHandle<std::io::Result<(PathBuf, File, u64)>>,
    /// The records appended to the current file since the snapshot was taken: they follow it in
    /// the new file.
    tail: Vec<u8>,
    /// Set by the helper as its last step before it tells this thread: joining it then waits
    /// only for it to return. (`JoinHandle::is_finished` is false until it has, so a thread
    /// woken by the helper could find it unfinished and sleep again until the next record.)
    done: Arc<AtomicBool>,
}

impl Writer {
    /// Starts the thread that writes to `path` (the file exists and holds a snapshot line of
    /// `snapshot_bytes`).
    pub fn start(path: PathBuf, snapshot_bytes: u64) -> std::io::Result<Self> {
        let file = open_options(false).append(true).open(&path)?;
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            signal: Condvar::new(),
            durable: watch::Sender::new(0),
            snapshot_bytes: AtomicU64::new(snapshot_bytes),
        });
        let for_thread = Arc::clone(&shared);
        let target = Target {
            path,
            file: Some(file),
            rewrite: None,
        };
        let thread = std::thread::Builder::new()
            .name("ilert-mock-state-file".to_owned())
            .spawn(move || run(&for_thread, target))?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues `job`; its number, or `None` once the writer is closing.
    pub fn queue(&self, job: Job) -> Option<u64> {
        let mut queue = self.shared.queue.lock();
        if queue.closing {
            return None;
        }
        queue.queued += 1;
        let number = queue.queued;
        queue.jobs.push((number, job));
        self.shared.signal.notify_all();
        Some(number)
    }

    /// Blocks until job `number` is on disk (or the writer stopped).
    pub fn wait(&self, number: u64) {
        let mut queue = self.shared.queue.lock();
        while queue.durable < number {
            self.shared.signal.wait(&mut queue);
        }
    }

    /// Bytes of the snapshot line of the file in place: the last snapshot's once it has taken
    /// the file's place.
    pub fn snapshot_bytes(&self) -> u64 {
        self.shared.snapshot_bytes.load(Ordering::Relaxed)
    }

    /// Waits, without blocking a thread, until job `number` is on disk.
    pub async fn durable(&self, number: u64) {
        let mut durable = self.shared.durable.subscribe();
        // An error means the writer is gone, and nothing more will become durable.
        let _ = durable.wait_for(|d| *d >= number).await;
    }

    /// Writes what is queued, then stops the thread; later jobs are refused.
    pub fn close(&self) {
        {
            let mut queue = self.shared.queue.lock();
            queue.closing = true;
            self.shared.signal.notify_all();
        }
        if let Some(thread) = self.thread.lock().take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.close();
    }
}

fn run(shared: &Arc<Shared>, mut target: Target) {
    loop {
        let (jobs, closing) = {
            let mut queue = shared.queue.lock();
            while queue.jobs.is_empty() && !queue.closing && !queue.rewritten {
                shared.signal.wait(&mut queue);
            }
            queue.rewritten = false;
            (std::mem::take(&mut queue.jobs), queue.closing)
        };
        let last = jobs.last().map(|(n, _)| *n);
        if let Some(last) = last {
            if let Err(err) = target.write(jobs, shared) {
                tracing::error!(
                    "state file {}: {err}; the change stays in memory",
                    target.path.display()
                );
            }
            durable(shared, last);
        }
        // A finished compaction takes the file's place; at close, the writer waits for it.
        target.settle(closing, shared);
        if closing && last.is_none() {
            // Closing, and everything queued was written: no waiter waits for more.
            let queued = shared.queue.lock().queued;
            durable(shared, queued);
            return;
        }
    }
}

/// Tells the waiters that every job up to `number` is on disk.
fn durable(shared: &Shared, number: u64) {
    let mut queue = shared.queue.lock();
    queue.durable = number;
    shared.signal.notify_all();
    drop(queue);
    shared.durable.send_replace(number);
}

impl Target {
    /// Writes one batch: its records appended with one sync (also kept aside for a compaction
    /// being written), a compaction in it started beside the file, a snapshot in it put in the
    /// file's place at once (the records before it are in it). Its jobs are durable once this
    /// returns: a compaction holds only changes whose records are in the current file.
    fn write(&mut self, jobs: Vec<(u64, Job)>, shared: &Arc<Shared>) -> std::io::Result<()> {
        let mut appended = Vec::new();
        for (_, job) in jobs {
            match job {
                Job::Compact(line) => self.begin_rewrite(line, shared),
                Job::Snapshot(line) => {
                    appended.clear();
                    self.abandon_rewrite();
                    let bytes = self.replace(&line)?;
                    shared.snapshot_bytes.store(bytes, Ordering::Relaxed);
                }
                Job::Append(bytes) => {
                    if let Some(rewrite) = &mut self.rewrite {
                        rewrite.tail.extend_from_slice(&bytes);
                    }
                    appended.extend_from_slice(&bytes);
                }
            }
        }
        if appended.is_empty() {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => self
                .file
                .insert(open_options(false).append(true).open(&self.path)?),
        };
        file.write_all(&appended)?;
        file.sync_data()
    }

    /// Starts writing `line` beside the file on a helper thread (one being written already is
    /// superseded: waited for and removed). When no thread can be started, the file keeps its
    /// log, which holds every change, and the next snapshot is tried when the log has grown
    /// again.
    fn begin_rewrite(&mut self, line: SnapshotLine, shared: &Arc<Shared>) {
        self.abandon_rewrite();
        let path = self.path.clone();
        let for_helper = Arc::clone(shared);
        let done = Arc::new(AtomicBool::new(false));
        let done_by_helper = Arc::clone(&done);
        let started = std::thread::Builder::new()
            .name("ilert-mock-snapshot".to_owned())
            .spawn(move || {
                let written = write_line_beside(&path, &line);
                drop(line);
                done_by_helper.store(true, Ordering::Release);
                let mut queue = for_helper.queue.lock();
                queue.rewritten = true;
                for_helper.signal.notify_all();
                written
            });
        match started {
            Ok(helper) => {
                self.rewrite = Some(Rewrite {
                    helper,
                    tail: Vec::new(),
                    done,
                });
            }
            Err(err) => tracing::error!(
                "state file {}: no snapshot could be started ({err}); the file keeps its log",
                self.path.display()
            ),
        }
    }

    /// Waits for a compaction being written, if any, and removes its file: a later snapshot
    /// supersedes it.
    fn abandon_rewrite(&mut self) {
        if let Some(old) = self.rewrite.take()
            && let Ok(Ok((temp, _, _))) = old.helper.join()
        {
            let _ = std::fs::remove_file(temp);
        }
    }

    /// Replaces the file by `line` atomically and reopens it for appending; the line's bytes.
    fn replace(&mut self, line: &SnapshotLine) -> std::io::Result<u64> {
        let (temp, _, bytes) = write_line_beside(&self.path, line)?;
        let old = self.file.take();
        let installed = super::install(&temp, &self.path);
        close_apart(old);
        installed?;
        self.file = Some(open_options(false).append(true).open(&self.path)?);
        Ok(bytes)
    }

    /// Once the compaction's helper is done (at once when `wait`), appends the records kept aside
    /// to the new file, syncs it and renames it over the state file. On any failure the current
    /// file, which holds every change, stays.
    fn settle(&mut self, wait: bool, shared: &Shared) {
        let Some(rewrite) = self.rewrite.take_if(|r| wait || r.done.load(Ordering::Acquire)) else {
            return;
        };
        let installed = match rewrite.helper.join() {
            Ok(Ok((temp, mut file, bytes))) => file
                .write_all(&rewrite.tail)
                .and_then(|()| file.sync_data())
                .and_then(|()| super::install(&temp, &self.path))
                .map(|()| {
                    close_apart(self.file.replace(file));
                    shared.snapshot_bytes.store(bytes, Ordering::Relaxed);
                })
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&temp);
                }),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(std::io::Error::other("the snapshot's thread panicked")),
        };
        if let Err(err) = installed {
            tracing::error!(
                "state file {}: the snapshot could not be written ({err}); the file keeps its log",
                self.path.display()
            );
        }
    }
}

/// Writes `line` to a new file beside `path`, synced: its path, the file (open for appending)
/// and its bytes.
fn write_line_beside(path: &std::path::Path, line: &SnapshotLine) -> std::io::Result<(PathBuf, File, u64)> {
    let (temp, file) = super::write_beside(path, |file| line.write_to(file))?;
    let bytes = file.metadata()?.len();
    Ok((temp, file, bytes))
}

/// Closes the file a new snapshot replaced on a thread of its own. It was renamed over, so
/// closing it frees its pages and blocks: for a 441 MB file (112,000 alerts and a log four times
/// their snapshot) that took the writer 0.14 s, while every change waited for its record.
fn close_apart(old: Option<File>) {
    let Some(old) = old else { return };
    let closer = std::thread::Builder::new()
        .name("ilert-mock-state-close".to_owned())
        .spawn(move || drop(old));
    // Without a thread (the process is out of them) it is closed here: `spawn` dropped it.
    drop(closer);
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn batches_are_appended_in_order_and_a_snapshot_starts_the_file_again() {
        let (dir, path, writer) = started();
        let a = writer.queue(Job::Append(b"a\n".to_vec())).expect("queued");
        let b = writer.queue(Job::Append(b"b\n".to_vec())).expect("queued");
        writer.wait(b);
        assert!(a < b);
        assert_eq!(fs::read_to_string(&path).expect("read"), "snap\na\nb\n");
        writer.queue(Job::Append(b"c\n".to_vec()));
        writer.queue(Job::Compact(b"snap2\n".to_vec().into()));
        let d = writer.queue(Job::Append(b"d\n".to_vec())).expect("queued");
        writer.wait(d);
        // The snapshot is written beside the file: until it takes the file's place, the file
        // holds every record (`c` is in the snapshot and in the old file alike).
        let text = fs::read_to_string(&path).expect("read");
        assert!(text == "snap\na\nb\nc\nd\n" || text == "snap2\nd\n", "{text:?}");
        assert_eq!(writer.snapshot_bytes(), 5, "snap\\n");
        writer.close();
        assert!(writer.queue(Job::Append(b"e\n".to_vec())).is_none());
        assert_eq!(fs::read_to_string(&path).expect("read"), "snap2\nd\n");
        assert_eq!(
            writer.snapshot_bytes(),
            6,
            "the size of the snapshot in place: snap2\\n"
        );
        assert_eq!(
            files_in(dir.path()),
            vec!["state.json"],
            "no file is left beside it"
        );
    }

    /// A writer started on a state file in a new folder that holds the snapshot `snap`.
    fn started() -> (tempfile::TempDir, std::path::PathBuf, Writer) {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("state.json");
        fs::write(&path, "snap\n").expect("write");
        let writer = Writer::start(path.clone(), 5).expect("starts");
        (dir, path, writer)
    }

    /// A snapshot of 8 MiB, so the records queued after it are likely written while it is.
    fn big_snapshot() -> Vec<u8> {
        let mut big = vec![b'x'; 8 << 20];
        big.push(b'\n');
        big
    }

    /// The names of the files in `dir`, sorted.
    fn files_in(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("a folder")
            .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Records appended while a snapshot is being written are durable in the current file when
    /// answered and follow the snapshot in the new one, however the helper's pace falls; a
    /// second snapshot supersedes the first.
    #[test]
    fn records_written_during_a_snapshot_follow_it_and_a_later_snapshot_wins() {
        let (dir, path, writer) = started();
        let big = big_snapshot();
        writer.queue(Job::Compact(big.clone().into()));
        let mut expected_tail = String::new();
        for n in 0..50 {
            let record = format!("r{n}\n");
            expected_tail.push_str(&record);
            let job = writer.queue(Job::Append(record.into_bytes())).expect("queued");
            writer.wait(job);
            let text = fs::read(&path).expect("read");
            let whole_old = text.starts_with(b"snap\n") && text.ends_with(expected_tail.as_bytes());
            let whole_new = text.starts_with(&big) && text.ends_with(expected_tail.as_bytes());
            assert!(whole_old || whole_new, "record {n} is in the file when answered");
        }
        writer.close();
        assert_eq!(writer.snapshot_bytes(), big.len() as u64);
        let mut want = big;
        want.extend_from_slice(expected_tail.as_bytes());
        assert!(
            fs::read(&path).expect("read") == want,
            "the snapshot, then every record after it"
        );

        let snapshot_line = (want.len() - expected_tail.len()) as u64;
        let writer = Writer::start(path.clone(), snapshot_line).expect("starts");
        writer.queue(Job::Compact(b"first\n".to_vec().into()));
        writer.queue(Job::Append(b"between\n".to_vec()));
        writer.queue(Job::Compact(b"second\n".to_vec().into()));
        let last = writer.queue(Job::Append(b"after\n".to_vec())).expect("queued");
        writer.wait(last);
        writer.close();
        assert_eq!(fs::read_to_string(&path).expect("read"), "second\nafter\n");
        assert_eq!(files_in(dir.path()), vec!["state.json"]);
    }

    /// A compaction takes the file's place once it is written, with no record after it to wake
    /// the writer.
    #[test]
    fn a_compaction_is_installed_without_a_record_after_it() {
        for _ in 0..20 {
            let (dir, path, writer) = started();
            writer.queue(Job::Compact(b"snap2\n".to_vec().into()));
            let queued = std::time::Instant::now();
            while writer.snapshot_bytes() != 6 {
                assert!(queued.elapsed().as_secs() < 30, "the compaction was installed");
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            assert_eq!(fs::read_to_string(&path).expect("read"), "snap2\n");
            writer.close();
            assert_eq!(files_in(dir.path()), vec!["state.json"]);
        }
    }

    /// A snapshot (a reset's state, in no record) is the file once its job is durable, even
    /// with a compaction being written: the compaction is dropped, and the records before the
    /// snapshot are not appended (they are in it).
    #[test]
    fn a_snapshot_is_the_file_when_its_job_is_durable() {
        let (dir, path, writer) = started();
        let big = big_snapshot();
        writer.queue(Job::Compact(big.into()));
        writer.queue(Job::Append(b"before\n".to_vec()));
        let reset = writer
            .queue(Job::Snapshot(b"reset\n".to_vec().into()))
            .expect("queued");
        writer.wait(reset);
        assert_eq!(fs::read_to_string(&path).expect("read"), "reset\n");
        assert_eq!(writer.snapshot_bytes(), 6);
        let after = writer.queue(Job::Append(b"after\n".to_vec())).expect("queued");
        writer.wait(after);
        assert_eq!(fs::read_to_string(&path).expect("read"), "reset\nafter\n");
        writer.close();
        assert_eq!(fs::read_to_string(&path).expect("read"), "reset\nafter\n");
        assert_eq!(files_in(dir.path()), vec!["state.json"]);
    }
}
