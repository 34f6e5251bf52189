//! Telling live readers (the dashboard's event stream, `GET /_mock/events/stream`) that
//! something changed: a request was journaled, or the control surface changed state.
//!
//! A `tokio::sync::broadcast` channel carries small notices, not data: a reader takes the journal
//! entry by its number, and reads the other panels from the control surface again, so the page
//! has no second source of truth. A reader that falls behind (the channel keeps
//! [`CAPACITY`] notices) is told so and reloads everything instead of missing a change. With no
//! reader, a notice costs one uncontended lock and is dropped.
//!
//! Streams end when the server shuts down ([`Changes::close`]): an open stream would otherwise
//! hold its connection, and so the graceful shutdown, until the grace period ran out.

use tokio::sync::{broadcast, watch};

/// Notices kept for a reader that is behind.
pub const CAPACITY: usize = 1024;

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The journal recorded the request with this number.
    Request(u64),
    /// A state-changing control request (`POST /_mock/clock`, `DELETE /_mock/grants/7`, …) or
    /// an embedded-API call changed the mock; `what` names it (`POST /_mock/clock`).
    Control(String),
}

/// The hub: one per running server.
#[derive(Debug)]
pub struct Changes {
    notices: broadcast::Sender<Change>,
    closing: watch::Sender<bool>,
}

impl Default for Changes {
    fn default() -> Self {
        Self {
            notices: broadcast::Sender::new(CAPACITY),
            closing: watch::Sender::new(false),
        }
    }
}

impl Changes {
    /// Tells every reader about `change`.
    pub fn send(&self, change: Change) {
        // An error only means nobody listens.
        let _ = self.notices.send(change);
    }

    /// A new reader: the notices from now on, and whether the server is closing.
    pub fn subscribe(&self) -> (broadcast::Receiver<Change>, watch::Receiver<bool>) {
        (self.notices.subscribe(), self.closing.subscribe())
    }

    /// Ends every stream (the server is shutting down); later readers end at once.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// How many readers listen (for tests).
    pub fn readers(&self) -> usize {
        self.notices.receiver_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn readers_get_notices_and_the_close() {
        let changes = Changes::default();
        changes.send(Change::Request(1)); // nobody listens: dropped, no error
        let (mut notices, mut closing) = changes.subscribe();
        assert_eq!(changes.readers(), 1);
        changes.send(Change::Request(2));
        changes.send(Change::Control("POST /_mock/clock".into()));
        assert_eq!(notices.recv().await.ok(), Some(Change::Request(2)));
        assert_eq!(
            notices.recv().await.ok(),
            Some(Change::Control("POST /_mock/clock".into()))
        );
        assert!(!*closing.borrow_and_update());
        changes.close();
        closing.changed().await.expect("the close is seen");
        assert!(*closing.borrow());
        let (_, late) = changes.subscribe();
        assert!(*late.borrow(), "a reader that comes after the close sees it");
    }
}
