//! ilert's API rate limit (ilert docs, "Rate Limiting"): 700 requests per minute per client IP,
//! answered `429 Too Many Requests` "until a new window starts".
//!
//! Fixed one-minute windows of the mock's clock, so a test can move past a window instead of
//! waiting. Off by default; on with `--rate-limit [N]` or `rate_limit_per_minute` in fixtures.
//!
//! Only the current window's counts matter, so they are all forgotten at once when a new window
//! starts: memory holds at most `--max-rate-limit-clients` addresses (10,000 by default), and no request ever scans the map.
//! Addresses beyond that bound within one window share one count, so a flood of new addresses
//! neither grows the map nor escapes the limit.

use std::collections::HashMap;
use std::net::IpAddr;

use parking_lot::Mutex;

use crate::clock::UnixSeconds;

/// Window length in seconds.
pub const WINDOW: i64 = 60;

/// Most client addresses counted apart within one window.
#[cfg(test)]
pub const MAX_TRACKED: usize = 10_000;

/// The counts of one window.
#[derive(Debug, Default)]
struct Window {
    /// Which window (`now / WINDOW`).
    index: i64,
    /// Requests per address.
    counts: HashMap<IpAddr, u32>,
    /// Requests of the addresses beyond the bound, together.
    overflow: u32,
}

/// Counts requests per client IP in fixed windows.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    /// Addresses tracked at once (`--max-rate-limit-clients`); more share one count.
    max_tracked: usize,
    window: Mutex<Window>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per IP and window.
    #[cfg(test)]
    pub fn new(per_minute: u32) -> Self {
        Self::bounded(per_minute, MAX_TRACKED)
    }

    /// A limiter tracking at most `max_tracked` addresses per window; addresses beyond share
    /// one count, so a flood of spoofed addresses costs no memory and is limited as one client.
    pub fn bounded(per_minute: u32, max_tracked: usize) -> Self {
        Self {
            per_minute,
            max_tracked,
            window: Mutex::new(Window::default()),
        }
    }

    /// The configured limit.
    pub fn limit(&self) -> u32 {
        self.per_minute
    }

    /// Counts a request; `Err(seconds)` until the window ends when over the limit.
    pub fn check(&self, ip: IpAddr, now: UnixSeconds) -> Result<u32, i64> {
        let index = now.div_euclid(WINDOW);
        let mut window = self.window.lock();
        if window.index != index {
            window.index = index;
            window.counts.clear();
            window.overflow = 0;
        }
        let window = &mut *window;
        let count = if window.counts.len() < self.max_tracked || window.counts.contains_key(&ip) {
            window.counts.entry(ip).or_insert(0)
        } else {
            &mut window.overflow
        };
        if *count >= self.per_minute {
            return Err((index + 1) * WINDOW - now);
        }
        *count += 1;
        Ok(self.per_minute - *count)
    }

    #[cfg(test)]
    /// Number of addresses counted apart in the current window.
    pub fn tracked(&self) -> usize {
        self.window.lock().counts.len()
    }

    /// Forgets every count.
    pub fn clear(&self) {
        let mut window = self.window.lock();
        window.counts.clear();
        window.overflow = 0;
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

    #[test]
    fn the_map_is_bounded_and_forgotten_with_the_window() {
        let limiter = RateLimiter::new(2);
        let t = 1_800_000_000;
        let addr = |i: u32| IpAddr::from(i.to_be_bytes());
        for i in 0..(MAX_TRACKED as u32 + 500) {
            let _ = limiter.check(addr(i), t);
        }
        assert_eq!(limiter.tracked(), MAX_TRACKED);
        // Addresses beyond the bound share one count: two requests, then 429.
        let late = MAX_TRACKED as u32 + 10_000;
        assert!(limiter.check(addr(late), t).is_err());
        assert_eq!(limiter.check(addr(0), t), Ok(0));
        // A new window starts empty.
        assert_eq!(limiter.check(addr(late), t + 60), Ok(1));
        assert_eq!(limiter.tracked(), 1);
    }
}
