//! ilert's API rate limit (ilert docs, "Rate Limiting"): 700 requests per minute per client IP,
//! answered `429 Too Many Requests` "until a new window starts".
//!
//! Fixed one-minute windows of the mock's clock, so a test can move past a window instead of
//! waiting. Off by default; on with `--rate-limit [N]` or `rate_limit_per_minute` in fixtures.

use std::collections::HashMap;
use std::net::IpAddr;

use parking_lot::Mutex;

use crate::clock::UnixSeconds;

/// ilert's documented API limit per IP and minute.
pub const ILERT_API_LIMIT: u32 = 700;

/// Window length in seconds.
pub const WINDOW: i64 = 60;

/// Most client addresses tracked before stale windows are dropped.
const MAX_TRACKED: usize = 10_000;

/// Counts requests per client IP in fixed windows.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per IP and window.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// The configured limit.
    pub fn limit(&self) -> u32 {
        self.per_minute
    }

    /// Counts a request; `Err(seconds)` until the window ends when over the limit.
    pub fn check(&self, ip: IpAddr, now: UnixSeconds) -> Result<u32, i64> {
        let window = now.div_euclid(WINDOW);
        let mut windows = self.windows.lock();
        if windows.len() >= MAX_TRACKED {
            windows.retain(|_, (w, _)| *w == window);
        }
        let entry = windows.entry(ip).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.per_minute {
            return Err((window + 1) * WINDOW - now);
        }
        entry.1 += 1;
        Ok(self.per_minute - entry.1)
    }

    /// Forgets every count.
    pub fn clear(&self) {
        self.windows.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_ip_and_window() {
        let limiter = RateLimiter::new(3);
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        let t = 1_800_000_000; // a window boundary (divisible by 60)
        assert_eq!(limiter.check(a, t), Ok(2));
        assert_eq!(limiter.check(a, t + 1), Ok(1));
        assert_eq!(limiter.check(a, t + 2), Ok(0));
        assert_eq!(limiter.check(a, t + 10), Err(50));
        assert_eq!(limiter.check(b, t + 10), Ok(2));
        assert_eq!(limiter.check(a, t + 60), Ok(2));
    }
}
