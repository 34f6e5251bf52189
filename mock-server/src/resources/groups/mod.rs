//! One module per resource group of ilert's document: each declares its collections (schema,
//! relations, filters, model) and special actions; [`crate::resources::registry`] lists them.

pub mod alert_sources;
pub mod alerts;
pub mod audience;
pub mod escalation_policies;
pub mod events;
pub mod incident_templates;
pub mod incidents;
pub mod include;
pub mod names;
pub mod service_outages;
pub mod services;
pub mod status_pages;
pub mod users;
