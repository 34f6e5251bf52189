//! The mock's integration tests, one binary (each test binary links the whole mock, so one
//! link instead of seventeen): most modules drive a real mock on a random loopback port.

mod common;

mod alerts;
mod api;
mod approve;
mod audit;
mod authorize;
mod breakages;
mod cli;
mod client_secret;
mod control_changes;
mod controls;
mod dashboard;
mod fidelity_events;
mod fidelity_resources;
mod fuzz_corpus;
mod hardening;
mod ilert_crate;
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
mod verifying_tokens;
