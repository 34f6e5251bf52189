//! Test helpers: a tiny axum stub server on 127.0.0.1:0 and a request recorder.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

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
