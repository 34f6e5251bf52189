//! The store names of collections other groups read directly (an alert source's status reads
//! its alerts), so that groups need not import each other both ways, and the names of the
//! store's secondary indexes (`resources::index`) that groups look entities up by.

/// Alerts.
pub const ALERTS: &str = "alerts";
/// Alert sources.
pub const ALERT_SOURCES: &str = "alert-sources";
/// Services.
pub const SERVICES: &str = "services";
/// Incidents.
pub const INCIDENTS: &str = "incidents";
/// Status pages.
pub const STATUS_PAGES: &str = "status-pages";
/// The groups of status pages.
pub const STATUS_PAGE_GROUPS: &str = "status-page-groups";
/// Service outage overrides.
pub const OUTAGE_OVERRIDES: &str = "service-outage-overrides";
/// Incident templates.
pub const INCIDENT_TEMPLATES: &str = "incident-templates";
/// Teams (`members[].user` name their users); subscribers and `teams` fields reference them.
pub const TEAMS: &str = "teams";
/// Metrics, which status pages show.
pub const METRICS: &str = "metrics";
/// Call flows (a call flow number's state reads which flow uses it).
pub const CALL_FLOWS: &str = "call-flows";
/// Maintenance windows (an alert source's status reads them).
pub const MAINTENANCE_WINDOWS: &str = "maintenance-windows";

/// The store's index of open alerts by source and lowercased alert key.
pub const OPEN_KEY: &str = "open-key";
/// The index of alerts by source and state (`3001:PENDING`), for a source's status.
pub const SOURCE_STATE: &str = "source-state";
/// The index of alert sources by integration key (every tenant).
pub const INTEGRATION_KEY: &str = "integrationKey";

/// The index of alerts by report time ([`reported_key`]), for the `from` and `until` filters
/// and the alert reports.
pub const REPORTED: &str = "reported";

/// A report time as the `reported` index files it: text that sorts as the times compare (the
/// sign bit flipped, so an `i64` orders as a `u64`; twenty digits hold every `u64`).
pub fn reported_key(at: crate::clock::UnixSeconds) -> String {
    format!("{:020}", (at as u64) ^ (1 << 63))
}

/// `{source}:{lowercased key}`: how an open alert is found by its key (ilert matches alert keys
/// case-insensitively within a source; see <https://docs.ilert.com/alerting/alert-sources>).
pub fn open_key(source: i64, key: &str) -> String {
    format!("{source}:{}", key.to_lowercase())
}
