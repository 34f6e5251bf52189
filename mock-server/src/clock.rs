//! The one controllable clock.
//!
//! Every lifetime the mock enforces (code 2 min, access token 1 h, refresh token 1 y), every `exp`
//! it writes and every expiry check it makes reads [`Clock::now`]. Tests move this clock instead
//! of sleeping, and a frozen clock makes token bytes reproducible.

use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde::Serialize;

/// Seconds since the Unix epoch, the unit of JWT `exp` claims.
pub type UnixSeconds = i64;

/// A wall clock that can be frozen, set and advanced.
#[derive(Debug)]
pub struct Clock {
    state: Mutex<ClockState>,
}

#[derive(Debug, Clone, Copy)]
struct ClockState {
    /// Added to the system time while running.
    offset: i64,
    /// When set, `now` answers this value until unfrozen.
    frozen_at: Option<UnixSeconds>,
}

/// What the clock reads now and whether it is frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockReading {
    /// Current mock time, Unix seconds.
    pub now: UnixSeconds,
    /// Whether the clock stands still.
    pub frozen: bool,
    /// Mock time minus system time, in seconds.
    pub offset_secs: i64,
}

fn system_now() -> UnixSeconds {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// A clock that follows the system time.
    pub fn system() -> Self {
        Self {
            state: Mutex::new(ClockState {
                offset: 0,
                frozen_at: None,
            }),
        }
    }

    /// A clock that starts at `start` and runs (or stands still when `frozen`).
    pub fn starting_at(start: UnixSeconds, frozen: bool) -> Self {
        let clock = Self::system();
        clock.set(start);
        clock.freeze(frozen);
        clock
    }

    /// The current mock time.
    pub fn now(&self) -> UnixSeconds {
        let state = *self.state.lock();
        state
            .frozen_at
            .unwrap_or_else(|| system_now().saturating_add(state.offset))
    }

    /// The current time, whether the clock is frozen, and its offset from system time.
    pub fn reading(&self) -> ClockReading {
        let state = *self.state.lock();
        let now = state
            .frozen_at
            .unwrap_or_else(|| system_now().saturating_add(state.offset));
        ClockReading {
            now,
            frozen: state.frozen_at.is_some(),
            offset_secs: now.saturating_sub(system_now()),
        }
    }

    /// Moves the clock forward (or back, with a negative value) by `secs`.
    pub fn advance(&self, secs: i64) {
        let mut state = self.state.lock();
        match state.frozen_at.as_mut() {
            Some(at) => *at = at.saturating_add(secs),
            None => state.offset = state.offset.saturating_add(secs),
        }
    }

    /// Sets the clock to `at`; a frozen clock stays frozen there.
    pub fn set(&self, at: UnixSeconds) {
        let mut state = self.state.lock();
        match state.frozen_at.as_mut() {
            Some(frozen) => *frozen = at,
            None => state.offset = at.saturating_sub(system_now()),
        }
    }

    /// Freezes the clock at its current reading, or lets a frozen clock run on from where it stands.
    pub fn freeze(&self, frozen: bool) {
        let mut state = self.state.lock();
        match (frozen, state.frozen_at) {
            (true, None) => state.frozen_at = Some(system_now().saturating_add(state.offset)),
            (false, Some(at)) => {
                state.offset = at.saturating_sub(system_now());
                state.frozen_at = None;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_stands_still_and_moves_only_when_told() {
        let clock = Clock::starting_at(1_700_000_000, true);
        assert_eq!(clock.now(), 1_700_000_000);
        clock.advance(121);
        assert_eq!(clock.now(), 1_700_000_121);
        clock.set(1_800_000_000);
        assert_eq!(clock.reading().now, 1_800_000_000);
        assert!(clock.reading().frozen);
    }

    #[test]
    fn running_clock_keeps_its_offset_when_unfrozen() {
        let clock = Clock::starting_at(1_000, true);
        clock.freeze(false);
        let now = clock.now();
        assert!((1_000..1_010).contains(&now), "{now}");
        clock.advance(3_600);
        assert!(clock.now() >= 4_600);
        assert!(!clock.reading().frozen);
    }
}
