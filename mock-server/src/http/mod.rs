//! The HTTP layer: axum handlers, one module per endpoint. Handlers parse the request, call the
//! rules in [`crate::protocol`] and [`crate::state`], and render ilert's shapes; they decide no
//! rule themselves. [`router`] assembles them with the layers every request passes; [`ctx`]
//! holds what handlers share.

pub mod access;
pub mod allowed_hosts;
pub mod allowed_names;
pub mod api;
pub mod api_rate_limit;
pub mod authorize;
pub mod body;
pub mod control;
pub mod cors;
pub mod cross_origin;
pub mod ctx;
pub mod dashboard;
pub mod durable;
pub mod host;
pub mod inject;
pub mod oauth_error;
pub mod peer;
pub mod record;
pub mod refusals;
pub mod rest_error;
pub mod revoke;
pub mod router;
pub mod token_endpoint;
pub mod token_info;
pub mod trace;
pub mod well_known;

pub use body::MAX_BODY_BYTES;
pub use ctx::{ControlAccess, Ctx, Options, SharedCtx, Startup};
pub use rest_error::rest_error;
pub use router::router;
