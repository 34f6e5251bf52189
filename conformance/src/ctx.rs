//! A case's context: the run's shared parts (target, HTTP client, the suite's own corner of a
//! mock) and the case's own bookkeeping (its transcript, the users it made, how far it moved
//! the clock).
//!
//! What a case does with it lives beside it: [`crate::req`] builds and records requests,
//! [`crate::steps`] holds the flow steps most cases need (consent, code exchange, refresh, an
//! access token), and [`crate::controls`] the mock's `/_mock` surface (a user of the case's own,
//! the clock).

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use crate::target::Target;
use crate::view::Entry;

/// What every case of one run shares: the target, one HTTP client, whether `/_mock/` answers.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) target: Target,
    pub(crate) http: reqwest::Client,
    pub(crate) control: bool,
    /// On a mock: the suite's own apps and users ([`crate::sandbox`]).
    pub(crate) sandbox: Option<crate::sandbox::Sandbox>,
    pub(crate) supplied_access: tokio::sync::OnceCell<Result<String, String>>,
}

impl Shared {
    pub(crate) fn new(
        target: Target,
        http: reqwest::Client,
        control: bool,
        sandbox: Option<crate::sandbox::Sandbox>,
    ) -> Self {
        Self {
            target,
            http,
            control,
            sandbox,
            supplied_access: tokio::sync::OnceCell::new(),
        }
    }
}

/// The transcript and bookkeeping of one case.
#[derive(Debug, Default)]
pub(crate) struct CaseLog {
    entries: Mutex<Vec<Entry>>,
    pub(crate) users: AtomicUsize,
    pub(crate) clock_moved: AtomicI64,
}

impl CaseLog {
    pub(crate) fn take_entries(&self) -> Vec<Entry> {
        std::mem::take(&mut *self.entries.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn clock_moved(&self) -> i64 {
        self.clock_moved.load(Ordering::SeqCst)
    }

    pub(crate) fn push(&self, entry: Entry) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }
}

/// The context a case runs in (the argument of every [`crate::RunFn`]). Cheap to clone. Its
/// methods are the crate's own: the runner makes one per case and the catalogue's cases use it.
#[derive(Debug, Clone)]
pub struct Cx {
    pub(crate) shared: Arc<Shared>,
    case_id: &'static str,
    pub(crate) log: Arc<CaseLog>,
}

impl Cx {
    pub(crate) fn new(shared: Arc<Shared>, case_id: &'static str, log: Arc<CaseLog>) -> Self {
        Self { shared, case_id, log }
    }

    /// The run's HTTP client (redirects off; trusts what the run trusts).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.shared.http
    }

    /// The server under test.
    pub(crate) fn target(&self) -> &Target {
        &self.shared.target
    }

    /// Whether the server has the mock's `/_mock/` controls.
    pub(crate) fn has_control(&self) -> bool {
        self.shared.control
    }

    /// The base URL (no trailing slash).
    pub(crate) fn base(&self) -> &str {
        &self.shared.target.base_url
    }

    /// The id of the running case.
    pub(crate) fn case_id(&self) -> &'static str {
        self.case_id
    }

    /// On a mock, the suite's own apps and users ([`crate::sandbox`]).
    pub(crate) fn sandbox(&self) -> Option<&crate::sandbox::Sandbox> {
        self.shared.sandbox.as_ref()
    }

    /// Adds a step to the transcript that is not one HTTP exchange.
    pub(crate) fn note(&self, step: &str, result: Value) {
        self.log.push(Entry::Note {
            step: step.to_owned(),
            result,
        });
    }
}
