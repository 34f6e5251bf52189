//! One module per resource group of ilert's document: each declares its collections (schema,
//! relations, filters, model) and special actions; [`crate::resources::registry`] lists them.

pub mod alert_sources;
pub mod alerts;
pub mod escalation_policies;
pub mod events;
pub mod names;
pub mod users;
