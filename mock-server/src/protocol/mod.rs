//! Protocol rules as plain functions over plain types: nothing here knows about HTTP.
//!
//! Each module names the ilert document section or RFC it implements.

pub mod authorize;
pub mod client_auth;
pub mod code;
pub mod error;
pub mod grant;
pub mod params;
pub mod pkce;
pub mod redirect;
pub mod scope;
pub mod token_request;
