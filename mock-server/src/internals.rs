//! Building blocks the fuzz targets, the fuzz smoke test and the benchmark drive directly; not a
//! stable API.

pub mod properties;

pub use crate::protocol::{code::RedeemError, error, grant::RevokeReason, params, pkce, redirect, scope};
pub use crate::token::{Issuance, Keys, PublicJwk, SignedTokens, TokenError};
