//! One module per resource group of ilert's document that the registry serves: each declares
//! its collections (schema, relations, filters, model) and special actions;
//! [`crate::resources::registry::GROUPS`] lists them (a test holds the two lists equal). What
//! groups share lives in [`crate::resources::support`]; the groups without collections, served
//! by their own routes, in [`crate::resources::open`].

pub mod alert_actions;
pub mod alert_sources;
pub mod alerts;
pub mod call_flow_numbers;
pub mod call_flows;
pub mod connectors;
pub mod deployment_pipelines;
pub mod escalation_policies;
pub mod event_flows;
pub mod heartbeat_monitors;
pub mod incident_templates;
pub mod incidents;
pub mod maintenance_windows;
pub mod metric_data_sources;
pub mod metrics;
pub mod on_calls;
pub mod reports;
pub mod schedules;
pub mod series;
pub mod service_outages;
pub mod services;
pub mod status_pages;
pub mod support_hours;
pub mod teams;
pub mod users;
