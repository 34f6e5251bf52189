//! How often each user called the API, per scope and day: what `GET /reports/api-keys/usage`
//! answers. A count is taken under the store's lock for every operation that runs on the store,
//! so the hot `GET /users/current` (answered from the caller alone) is not counted. Days are UTC
//! dates; counts older than [`KEPT_DAYS`] before the newest day go.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::UnixSeconds;

/// How many days of counts are kept.
pub const KEPT_DAYS: i64 = 400;

/// tenant → day (`YYYY-MM-DD`) → user id → scope → requests.
type Days = BTreeMap<String, BTreeMap<i64, BTreeMap<String, u64>>>;

/// The counts of every tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    tenants: BTreeMap<String, Days>,
}

/// One count: a user's requests needing one scope on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count<'a> {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: &'a str,
    /// The user's id.
    pub user: i64,
    /// The scope the requests needed (`alert`).
    pub scope: &'a str,
    /// How many.
    pub requests: u64,
}

impl Usage {
    /// Counts one request of `user` in `tenant` needing `scope` at `now`.
    pub fn count(&mut self, tenant: &str, user: i64, scope: &str, now: UnixSeconds) {
        let day = super::time::day(now);
        let days = self.tenants.entry(tenant.to_owned()).or_default();
        if !days.contains_key(&day) {
            // A new day: forget the days that fell out of the window (`YYYY-MM-DD` sorts).
            let oldest = super::time::day(now - KEPT_DAYS * 86_400);
            days.retain(|d, _| d.as_str() >= oldest.as_str());
        }
        *days
            .entry(day)
            .or_default()
            .entry(user)
            .or_default()
            .entry(scope.to_owned())
            .or_default() += 1;
    }

    /// The tenant's counts, by day, user and scope.
    pub fn counts<'a>(&'a self, tenant: &str) -> impl Iterator<Item = Count<'a>> + 'a {
        self.tenants
            .get(tenant)
            .into_iter()
            .flatten()
            .flat_map(|(day, users)| {
                users.iter().flat_map(move |(user, scopes)| {
                    scopes.iter().map(move |(scope, requests)| Count {
                        day,
                        user: *user,
                        scope,
                        requests: *requests,
                    })
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_day_user_and_scope_and_old_days_go() {
        const DAY: UnixSeconds = 1_767_225_600; // 2026-01-01T00:00:00Z
        let mut u = Usage::default();
        u.count("t", 1, "alert", DAY);
        u.count("t", 1, "alert", DAY + 3_600);
        u.count("t", 2, "source", DAY);
        u.count("other", 1, "alert", DAY);
        let counts: Vec<(String, i64, String, u64)> = u
            .counts("t")
            .map(|c| (c.day.to_owned(), c.user, c.scope.to_owned(), c.requests))
            .collect();
        assert_eq!(
            counts,
            vec![
                ("2026-01-01".to_owned(), 1, "alert".to_owned(), 2),
                ("2026-01-01".to_owned(), 2, "source".to_owned(), 1),
            ]
        );
        u.count("t", 1, "alert", DAY + 500 * 86_400);
        assert!(
            u.counts("t").all(|c| c.day == "2027-05-16"),
            "{:?}",
            u.counts("t").collect::<Vec<_>>()
        );
    }
}
