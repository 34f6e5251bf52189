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
//! A snapshot (the whole state, written when the log has grown past the snapshot, or on reset)
//! replaces the file: to a new file in the same folder (random name, `O_EXCL`, `O_NOFOLLOW`,
//! 0600), synced, renamed over the state file, the folder synced. Records queued before the
//! snapshot are already in it and are not appended.

use std::fs::File;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};
use tokio::sync::watch;

use super::open_options;

/// Work for the writer, in the order the store made it.
#[derive(Debug)]
pub enum Job {
    /// One record line for the end of the log.
    Append(Vec<u8>),
    /// A whole new file (the snapshot line, no records).
    Snapshot(Vec<u8>),
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
}

#[derive(Debug)]
struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the thread (work queued or closing) and the synchronous waiters (work durable).
    signal: Condvar,
    durable: watch::Sender<u64>,
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
    /// The state file opened for appending (reopened after each snapshot).
    file: Option<File>,
}

impl Writer {
    /// Starts the thread that writes to `path` (the file exists and holds a snapshot).
    pub fn start(path: PathBuf) -> std::io::Result<Self> {
        let file = open_options(false).append(true).open(&path)?;
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            signal: Condvar::new(),
            durable: watch::Sender::new(0),
        });
        let for_thread = Arc::clone(&shared);
        let target = Target {
            path,
            file: Some(file),
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

fn run(shared: &Shared, mut target: Target) {
    loop {
        let jobs = {
            let mut queue = shared.queue.lock();
            while queue.jobs.is_empty() && !queue.closing {
                shared.signal.wait(&mut queue);
            }
            if queue.jobs.is_empty() {
                // Closing, and everything queued was written: no waiter waits for more.
                queue.durable = queue.queued;
                shared.signal.notify_all();
                shared.durable.send_replace(queue.queued);
                return;
            }
            std::mem::take(&mut queue.jobs)
        };
        let Some(last) = jobs.last().map(|(n, _)| *n) else {
            continue;
        };
        if let Err(err) = target.write(jobs) {
            tracing::error!(
                "state file {}: {err}; the change stays in memory",
                target.path.display()
            );
        }
        let mut queue = shared.queue.lock();
        queue.durable = last;
        shared.signal.notify_all();
        drop(queue);
        shared.durable.send_replace(last);
    }
}

impl Target {
    /// Writes one batch: from its last snapshot on (earlier records are in the snapshot), with
    /// one sync.
    fn write(&mut self, jobs: Vec<(u64, Job)>) -> std::io::Result<()> {
        let from = jobs
            .iter()
            .rposition(|(_, job)| matches!(job, Job::Snapshot(_)))
            .unwrap_or(0);
        let mut appended = Vec::new();
        for (_, job) in jobs.into_iter().skip(from) {
            match job {
                Job::Snapshot(bytes) => self.replace(&bytes)?,
                Job::Append(bytes) => appended.extend_from_slice(&bytes),
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

    /// Replaces the file by `bytes` atomically and reopens it for appending.
    fn replace(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file = None;
        super::replace_atomically(&self.path, bytes)?;
        self.file = Some(open_options(false).append(true).open(&self.path)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn batches_are_appended_in_order_and_a_snapshot_starts_the_file_again() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("state.json");
        fs::write(&path, "snap\n").expect("write");
        let writer = Writer::start(path.clone()).expect("starts");
        let a = writer.queue(Job::Append(b"a\n".to_vec())).expect("queued");
        let b = writer.queue(Job::Append(b"b\n".to_vec())).expect("queued");
        writer.wait(b);
        assert!(a < b);
        assert_eq!(fs::read_to_string(&path).expect("read"), "snap\na\nb\n");
        writer.queue(Job::Append(b"c\n".to_vec()));
        writer.queue(Job::Snapshot(b"snap2\n".to_vec()));
        let d = writer.queue(Job::Append(b"d\n".to_vec())).expect("queued");
        writer.wait(d);
        let text = fs::read_to_string(&path).expect("read");
        assert_eq!(text, "snap2\nd\n");
        writer.close();
        assert!(writer.queue(Job::Append(b"e\n".to_vec())).is_none());
        assert_eq!(fs::read_to_string(&path).expect("read"), "snap2\nd\n");
    }
}
