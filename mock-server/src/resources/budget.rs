//! The REST store's budget ([`crate::Bounds::store_bytes`], `--max-store-bytes`): how many bytes
//! of resources (their JSON) clients may make the mock keep, over all tenants, alerts raised by
//! events and their log entries included.
//!
//! Every write that can store something (a create, an update, an action, an event, a series
//! point, a heartbeat) passes [`admit`] under the store lock before it runs. The counter is an
//! estimate kept cheap: each admitted write adds its body's bytes and [`WRITE_OVERHEAD`] (the log
//! entries, histories and ids a write adds besides its body). Deletes and cascades are not
//! followed one by one; instead, when the estimate would pass the bound, the store is measured
//! exactly (the JSON length of every resource and user) and the estimate set to that. A full
//! store is measured again only after something changed in it, and a write admitted right after
//! a measurement must leave 1/64 of the bound free, so a client cannot make every request walk
//! the whole store. Past the bound the write is refused with 507 in ilert's
//! REST shape naming the flag; nothing stored is dropped.

use super::error::ResourceError;

/// Bytes counted per write on top of its body: log entries, history, ids.
pub const WRITE_OVERHEAD: usize = 512;

/// The running estimate.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    /// Estimated bytes held.
    estimate: usize,
    /// The store's change count when it was last measured exactly.
    measured_at: Option<u64>,
}

impl Budget {
    /// Admits a write of `body` bytes against `bound`, or refuses it (507) without changing
    /// anything. `changes` is the store's change count now; `measure` answers the exact JSON
    /// bytes of the store (every resource of every tenant and every user), called only when
    /// the estimate would pass the bound and the store changed since it was last measured.
    pub fn admit(
        &mut self,
        body: usize,
        bound: usize,
        changes: u64,
        measure: impl FnOnce() -> usize,
    ) -> Result<(), ResourceError> {
        let cost = body.saturating_add(WRITE_OVERHEAD);
        if self.estimate.saturating_add(cost) > bound {
            if self.measured_at != Some(changes) {
                self.estimate = measure();
                self.measured_at = Some(changes);
            }
            // Once measured, a write must also leave 1/64 of the bound free: the next measurement
            // then waits for that much estimated growth, so a flood of tiny writes (heartbeat pings)
            // at a nearly full store cannot make every request walk the whole store.
            if self.estimate.saturating_add(cost) > bound - bound / 64 {
                return Err(ResourceError::InsufficientStorage(format!(
                    "the mock's REST store holds about {} bytes; this write of {body} bytes would pass its bound (--max-store-bytes {bound}); delete resources, POST /_mock/reset, or raise the bound",
                    self.estimate
                )));
            }
        }
        self.estimate += cost;
        Ok(())
    }
}
