//! The mock's integration tests, one binary (each test binary links the whole mock, so one
//! link instead of seventeen): every module drives a real mock on a random loopback port.

mod common;

mod alerts;
mod api;
mod audit;
mod authorize;
mod breakages;
mod cli;
mod client_secret;
mod control_changes;
mod controls;
mod fidelity_events;
mod hardening;
mod incidents;
mod logs;
mod monitoring;
mod openapi;
mod pkce_guide;
mod security;
mod state_file;
mod tls;
mod token;
mod token_info_revoke;
