//! The store names of collections other groups read directly (an alert source's status reads
//! its alerts), so that groups need not import each other both ways.

/// Alerts.
pub const ALERTS: &str = "alerts";
/// Alert sources.
pub const ALERT_SOURCES: &str = "alert-sources";
