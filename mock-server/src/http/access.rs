//! Proving an access token, for the resource API and `token_info` alike: from the server's
//! cache of verified tokens when it has seen the token before, else by full verification (see
//! `token::cache` for the cache's rules).

use std::sync::Arc;

use crate::clock::UnixSeconds;
use crate::http::ctx::SharedCtx;
use crate::protocol::scope::ScopeSet;
use crate::token::{AccessClaims, TokenError, Verified};

/// What is known about a bearer token before the state is consulted.
pub enum Proof {
    /// Verified earlier by this server (expiry checked again just now).
    Cached(Arc<Verified>),
    /// Verified just now; `cache` is false for claims a breakage made up.
    Fresh {
        /// The token's claims.
        claims: AccessClaims,
        /// Whether the claims may be remembered.
        cache: bool,
    },
}

impl Proof {
    /// The token's claims.
    pub fn claims(&self) -> &AccessClaims {
        match self {
            Self::Cached(verified) => &verified.claims,
            Self::Fresh { claims, .. } => claims,
        }
    }

    /// The verification to act on, given the directory generation (users, apps, tenants) read
    /// under the state lock: a cached entry of another generation is verified afresh.
    pub fn settle(
        self,
        ctx: &SharedCtx,
        token: &str,
        now: UnixSeconds,
        directory: u64,
    ) -> Result<Arc<Verified>, TokenError> {
        match self {
            Self::Cached(verified) if verified.directory == directory => Ok(verified),
            Self::Cached(_) => {
                ctx.verified.forget(token);
                let claims = ctx.keys.verify_access(token, now)?;
                Ok(ctx.verified.insert(token, claims, directory, now))
            }
            Self::Fresh { claims, cache: true } => Ok(ctx.verified.insert(token, claims, directory, now)),
            Self::Fresh { claims, cache: false } => Ok(Arc::new(Verified {
                scopes: ScopeSet::parse(&claims.il_s).unwrap_or_default(),
                claims,
                directory,
            })),
        }
    }
}

/// Proves `token`: the cache, else RS256 verification.
pub fn prove(ctx: &SharedCtx, token: &str, now: UnixSeconds) -> Result<Proof, TokenError> {
    if let Some(hit) = ctx.verified.get(token, now) {
        return hit.map(Proof::Cached);
    }
    ctx.keys
        .verify_access(token, now)
        .map(|claims| Proof::Fresh { claims, cache: true })
}
