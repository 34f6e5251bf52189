//! Test helpers: a tiny axum stub server on 127.0.0.1:0, a request recorder and a clock that
//! moves only when told.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::clock::Clock;

/// The instant a [`TestClock`] starts at: 2027-01-15 08:00:00 UTC, in Unix seconds.
pub const T0: u64 = 1_800_000_000;

/// A clock that stands still until a test moves it; clones share the time.
#[derive(Clone, Debug)]
pub struct TestClock(Arc<AtomicU64>);

impl TestClock {
    /// A clock standing at [`T0`].
    pub fn new() -> Self {
        Self(Arc::new(AtomicU64::new(T0)))
    }

    /// Moves the clock `secs` seconds on.
    pub fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Serves `router` on a random local port for the rest of the test; returns its base URL.
pub async fn stub(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a local port");
    let addr = listener.local_addr().expect("has an address");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serves");
    });
    format!("http://{addr}")
}

/// Serves a stub that answers every `POST path` with `answer` and records the request bodies.
pub async fn recording_stub<R>(path: &str, answer: R) -> (String, Recorded)
where
    R: axum::response::IntoResponse + Clone + Send + Sync + 'static,
{
    let recorded = Recorded::default();
    let r = recorded.clone();
    let base = stub(axum::Router::new().route(
        path,
        axum::routing::post(move |body: String| {
            r.push(body);
            let answer = answer.clone();
            async move { answer }
        }),
    ))
    .await;
    (base, recorded)
}

/// Request bodies a stub received, in order.
#[derive(Clone, Default)]
pub struct Recorded(Arc<Mutex<Vec<String>>>);

impl Recorded {
    /// Records one body.
    pub fn push(&self, body: String) {
        self.0.lock().push(body);
    }

    /// How many were recorded.
    pub fn len(&self) -> usize {
        self.0.lock().len()
    }

    /// The `i`-th body, read as a form.
    pub fn form(&self, i: usize) -> HashMap<String, String> {
        let body = self.0.lock().get(i).cloned().expect("a recorded request");
        url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect()
    }
}
