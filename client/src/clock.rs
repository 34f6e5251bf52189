//! Where the client reads the time.
//!
//! Every expiry the client computes or checks is in Unix seconds read from one [`Clock`]: the
//! one its [`OAuthClient`](crate::OAuthClient) was given ([`OAuthClient::with_clock`](crate::OAuthClient::with_clock)),
//! the system clock unless told otherwise. A test hands in a clock it moves itself and sees
//! every refresh rule at work without sleeping; a closure `Fn() -> u64` is a clock too.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now, by the system clock.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A source of the current time, in Unix seconds.
///
/// Implemented by [`SystemClock`] and by every `Fn() -> u64 + Send + Sync`, so a test can pass
/// `move || now.load(Ordering::SeqCst)` over an `AtomicU64` it advances.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch, now.
    fn now(&self) -> u64;
}

/// The system clock ([`unix_now`]), the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        unix_now()
    }
}

impl<F> Clock for F
where
    F: Fn() -> u64 + Send + Sync,
{
    fn now(&self) -> u64 {
        self()
    }
}

/// A shared clock that `Debug` can print (as which kind it is, never a closure's captures).
#[derive(Clone)]
pub(crate) struct SharedClock {
    clock: Arc<dyn Clock>,
    system: bool,
}

impl SharedClock {
    pub(crate) fn system() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            system: true,
        }
    }

    pub(crate) fn new(clock: impl Clock + 'static) -> Self {
        Self {
            clock: Arc::new(clock),
            system: false,
        }
    }

    pub(crate) fn now(&self) -> u64 {
        self.clock.now()
    }
}

impl fmt::Debug for SharedClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.system { "SystemClock" } else { "CustomClock" })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    #[test]
    fn a_closure_is_a_clock_and_debug_names_the_kind() {
        let t = Arc::new(AtomicU64::new(1_800_000_000));
        let moved = t.clone();
        let clock = SharedClock::new(move || moved.load(Ordering::SeqCst));
        assert_eq!(clock.now(), 1_800_000_000);
        t.fetch_add(300, Ordering::SeqCst);
        assert_eq!(clock.now(), 1_800_000_300);
        assert_eq!(format!("{clock:?}"), "CustomClock");
        assert_eq!(format!("{:?}", SharedClock::system()), "SystemClock");
    }

    #[test]
    fn the_system_clock_is_past_2020() {
        assert!(SystemClock.now() > 1_577_836_800);
    }
}
