//! One module per resource group of ilert's document: each declares its collections (schema,
//! relations, filters, model) and special actions; [`crate::resources::registry`] lists them.

pub mod alert_sources;
pub mod alerts;
pub mod audience;
pub mod calendar;
pub mod escalation_policies;
pub mod events;
pub mod incident_templates;
pub mod incidents;
pub mod include;
pub mod maintenance_windows;
pub mod names;
pub mod on_calls;
pub mod schedules;
pub mod service_outages;
pub mod services;
pub mod status_pages;
pub mod support_hours;
pub mod teams;
pub mod users;

pub mod alert_actions;
pub mod call_flow_numbers;
pub mod call_flows;
pub mod connectors;
pub mod deployment_pipelines;
pub mod event_flows;
pub mod fields;
pub mod flow_tree;
pub mod heartbeat_monitors;
pub mod integrations;
pub mod metric_data_sources;
pub mod metrics;
pub mod numbers;
pub mod reports;
pub mod series;
