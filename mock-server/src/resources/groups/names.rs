//! The store names of collections other groups read directly (an alert source's status reads
//! its alerts), so that groups need not import each other both ways.

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
