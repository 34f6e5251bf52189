//! What several groups share and no group owns: the store names of collections ([`names`]),
//! field conventions ([`fields`]), teams and subscribers ([`audience`]), time zones and support
//! days ([`calendar`]), the `include` parameter ([`include`]) and the node trees of flows
//! ([`flow_tree`]). Kept apart from [`super::groups`] so that that folder holds the groups the
//! registry lists and nothing else.

pub mod audience;
pub mod calendar;
pub mod fields;
pub mod flow_tree;
pub mod include;
pub mod names;
